#!/usr/bin/env python3
"""A scripted HTTP server on 127.0.0.1 for the fetch tests (Python standard library only).

    fixture_httpd.py serve ROUTES.json LOG PORTFILE   serve until killed; the port goes to PORTFILE
    fixture_httpd.py split-oai SRC.xml N OUTDIR       cut an OAI-PMH ListRecords response into
                                                      pages of N records: OUTDIR/page1.xml ...,
                                                      tokens tok1, tok2, ..., last page's empty

ROUTES.json: {"routes": [{"path": "/oai", "query": {"verb": "ListRecords"},
                          "responses": [RESPONSE, ...]}, ...]}
A request takes the first route whose path is equal and whose query holds every listed
parameter with that value ("*" = present with any value, "" = absent). The n-th request of a
route gets responses[n] (the last one repeats). RESPONSE keys, all optional:
    status (200), headers {}, body "text" or file "path", content_type,
    delay   seconds to wait before answering (a slow server),
    stall   [after_bytes, seconds]: send that much of the body, then wait (slow mid-body),
    drop    after_bytes: announce the full Content-Length, send that much, close (a cut),
    gzip    true: gzip the body when the client accepts it.
ROUTES.json is read again whenever it changes (the hit counts then start over).
Every request is logged to LOG as "UNIX-TIME PATH?QUERY UA" when it arrives, one line each
(so tests check pacing, resumption and the User-Agent); unmatched ones are answered 404.
"""
import gzip
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as curl will use it

    def log_message(self, fmt, *args):  # quiet: the request log is ours
        pass

    def do_GET(self):
        srv = self.server
        ua = self.headers.get("User-Agent", "")
        with srv.lock:
            with open(srv.log_path, "a") as log:
                log.write("%.6f %s %s\n" % (time.time(), self.path, ua.replace(" ", "_")))
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        resp = None
        with srv.lock:
            srv.reload()
            for i, route in enumerate(srv.routes):
                if route.get("path", "/") != url.path:
                    continue
                ok = True
                for k, v in route.get("query", {}).items():
                    got = query.get(k)
                    if v == "":
                        ok = ok and got is None
                    elif v == "*":
                        ok = ok and got is not None
                    else:
                        ok = ok and got is not None and got[0] == v
                if not ok:
                    continue
                n = srv.hits.get(i, 0)
                srv.hits[i] = n + 1
                rs = route["responses"]
                resp = rs[min(n, len(rs) - 1)]
                break
        if resp is None:
            resp = {"status": 404, "body": "no route for %s\n" % self.path}
        self.answer(resp)

    def answer(self, resp):
        if resp.get("delay"):
            time.sleep(resp["delay"])
        if "file" in resp:
            with open(resp["file"], "rb") as f:
                body = f.read()
        else:
            body = resp.get("body", "").encode()
        headers = dict(resp.get("headers", {}))
        if resp.get("gzip") and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self.send_response(resp.get("status", 200))
        self.send_header("Content-Type", resp.get("content_type", "text/xml; charset=utf-8"))
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        if "drop" in resp:
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            if "drop" in resp:
                self.wfile.write(body[: resp["drop"]])
                self.wfile.flush()
                self.close_connection = True
                return
            if "stall" in resp:
                at, secs = resp["stall"]
                self.wfile.write(body[:at])
                self.wfile.flush()
                time.sleep(secs)
                body = body[at:]
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client killed mid-request (the crash tests do that) is expected: say nothing."""
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)

    def reload(self):
        """Read ROUTES.json again when it changed (hit counts start over): a test rewrites it
        to change the server's behaviour without changing its port."""
        st = os.stat(self.routes_path)
        key = (st.st_mtime_ns, st.st_size)
        if key != self.routes_key:
            with open(self.routes_path) as f:
                self.routes = json.load(f)["routes"]
            self.routes_key = key
            self.hits = {}


def serve(routes_path, log_path, port_path):
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.routes_path = routes_path
    httpd.routes_key = None
    httpd.reload()
    httpd.lock = threading.Lock()
    httpd.log_path = log_path
    open(log_path, "a").close()
    with open(port_path + ".tmp", "w") as f:
        f.write(str(httpd.server_address[1]))
    os.rename(port_path + ".tmp", port_path)
    httpd.serve_forever()


def split_oai(src, n, outdir):
    text = open(src, encoding="utf-8").read()
    records = re.findall(r"<record>.*?</record>", text, re.S)
    head = text[: text.index("<record>")]
    head = re.sub(r"<responseDate>[^<]*</responseDate>",
                  "<responseDate>2026-01-05T20:00:00Z</responseDate>", head)
    pages = [records[i: i + n] for i in range(0, len(records), n)]
    for i, page in enumerate(pages):
        last = i == len(pages) - 1
        token = "" if last else "tok%d" % (i + 1)
        rt = '<resumptionToken cursor="%d" completeListSize="%d">%s</resumptionToken>' % (
            i * n, len(records), token)
        with open("%s/page%d.xml" % (outdir, i + 1), "w", encoding="utf-8") as f:
            f.write(head + "\n".join(page) + "\n" + rt + "\n</ListRecords>\n</OAI-PMH>\n")
    print(len(pages))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 5 and sys.argv[1] == "split-oai":
        split_oai(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)

#!/usr/bin/python3
"""Reads the messages smtp_sink.py saved, with Python's email package (a real MIME parser).

  mailtool.py count DIR                  "ADDRESS N" per recipient (To:), sorted
  mailtool.py ids DIR ADDRESS            the Message-IDs of the messages to ADDRESS
  mailtool.py check DIR ADDRESS          checks the latest message to ADDRESS is a well-formed
                                         digest; prints problems, or "ok SUBJECT"
  mailtool.py link DIR ADDRESS WORD      the first URL containing WORD in the latest message
                                         to ADDRESS (text part)
  mailtool.py text DIR ADDRESS           the text part of the latest message to ADDRESS
"""
import email
import email.policy
import email.utils
import glob
import os
import re
import sys


def messages(d):
    out = []
    for name in sorted(glob.glob(os.path.join(d, "msg-*.eml"))):
        raw = open(name, "rb").read()
        m = email.message_from_bytes(raw, policy=email.policy.default)
        out.append((raw, m))
    return out


def to_of(m):
    return email.utils.parseaddr(str(m["To"]))[1].lower()


def latest(d, addr):
    found = [x for x in messages(d) if to_of(x[1]) == addr.lower()]
    if not found:
        sys.exit("no message to " + addr)
    return found[-1]


def text_of(m):
    body = m.get_body(("plain",))
    return body.get_content().replace("\r\n", "\n") if body else ""


cmd, d = sys.argv[1], sys.argv[2]
if cmd == "count":
    counts = {}
    for _, m in messages(d):
        counts[to_of(m)] = counts.get(to_of(m), 0) + 1
    for a in sorted(counts):
        print(a, counts[a])
elif cmd == "ids":
    for _, m in messages(d):
        if to_of(m) == sys.argv[3].lower():
            print(m["Message-ID"])
elif cmd == "check":
    raw, m = latest(d, sys.argv[3])
    bad = []
    for line in raw.split(b"\r\n"):
        if len(line) > 998:
            bad.append("a line longer than 998 bytes")
    if b"\n" in raw.replace(b"\r\n", b""):
        bad.append("a bare LF")
    if m.get_content_type() != "multipart/alternative":
        bad.append("not multipart/alternative but " + m.get_content_type())
    types = [p.get_content_type() for p in m.iter_parts()]
    if types != ["text/plain", "text/html"]:
        bad.append("parts are %s" % types)
    for p in m.iter_parts():
        if p["Content-Transfer-Encoding"] != "quoted-printable":
            bad.append("part not quoted-printable")
        for line in p.as_bytes().split(b"\n")[0:0]:
            pass
    body = raw.split(b"\r\n\r\n", 1)[1]
    if any(len(l) > 78 for l in body.split(b"\r\n")):
        bad.append("a body line longer than 78")
    for h in ("Date", "Message-ID", "From", "To", "Subject", "List-Unsubscribe",
              "List-Unsubscribe-Post", "MIME-Version"):
        if m[h] is None:
            bad.append("no " + h)
    if m["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click":
        bad.append("List-Unsubscribe-Post is %r" % m["List-Unsubscribe-Post"])
    if not re.match(r"^<https?://[^>]+/mail/unsubscribe\?s=\d+&t=[0-9a-f]{64}>$",
                    str(m["List-Unsubscribe"]).strip()):
        bad.append("List-Unsubscribe is %r" % m["List-Unsubscribe"])
    if email.utils.parsedate_to_datetime(str(m["Date"])) is None:
        bad.append("Date does not parse")
    html = m.get_body(("html",)).get_content()
    if "<table" not in html or "style=" not in html:
        bad.append("the HTML has no inline-styled table")
    if "unsubscribe" not in text_of(m).lower():
        bad.append("the text has no unsubscribe link")
    print("\n".join(bad) if bad else "ok " + str(m["Subject"]))
elif cmd == "link":
    _, m = latest(d, sys.argv[3])
    for u in re.findall(r"https?://\S+", text_of(m)):
        if sys.argv[4] in u:
            print(u)
            break
elif cmd == "text":
    _, m = latest(d, sys.argv[3])
    print(text_of(m))
else:
    sys.exit("unknown command " + cmd)

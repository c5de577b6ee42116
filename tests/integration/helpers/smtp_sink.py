#!/usr/bin/python3
"""A real SMTP server on loopback for the mail tests (Debian's python3-aiosmtpd).

usage: smtp_sink.py DIR [--rules FILE] [--delay SECONDS]

Listens on 127.0.0.1 on a free port and writes it to DIR/port. Every accepted message is
saved as DIR/msg-NNNNN.eml (written to a temporary name, then renamed), and one line per
event goes to DIR/log: "connect", "accept RCPT", "temp RCPT", "perm RCPT".
Rules (one per line, re-read for every recipient so a test can change them):
  temp ADDRESS N   answer 451 to the first N deliveries to ADDRESS
  perm ADDRESS     answer 550 to every delivery to ADDRESS
--delay makes every DATA take that long (so a test can kill a sender mid-run).
"""
import asyncio
import os
import sys

from aiosmtpd.smtp import SMTP

out = sys.argv[1]
rules_path = None
delay = 0.0
args = sys.argv[2:]
while args:
    if args[0] == "--rules":
        rules_path = args[1]
        args = args[2:]
    elif args[0] == "--delay":
        delay = float(args[1])
        args = args[2:]
    else:
        sys.exit("unknown argument " + args[0])

seen = {}
count = [0]


def log(line):
    with open(os.path.join(out, "log"), "a") as f:
        f.write(line + "\n")


def rule_for(addr):
    if not rules_path or not os.path.exists(rules_path):
        return None
    for line in open(rules_path):
        parts = line.split()
        if len(parts) >= 2 and parts[1].lower() == addr.lower():
            return parts
    return None


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        r = rule_for(address)
        n = seen.get(address.lower(), 0)
        seen[address.lower()] = n + 1
        if r and r[0] == "perm":
            log("perm " + address)
            return "550 5.1.1 no such user here"
        if r and r[0] == "temp" and n < int(r[2]):
            log("temp " + address)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if delay:
            await asyncio.sleep(delay)
        count[0] += 1
        name = os.path.join(out, "msg-%05d.eml" % count[0])
        with open(name + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(name + ".tmp", name)
        for r in envelope.rcpt_tos:
            log("accept " + r)
        return "250 OK queued"


class CountingSMTP(SMTP):
    def connection_made(self, transport):
        log("connect")
        super().connection_made(transport)


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: CountingSMTP(Handler(), hostname="sink.test", data_size_limit=8 << 20),
        "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with open(os.path.join(out, "port.tmp"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(out, "port.tmp"), os.path.join(out, "port"))
    async with server:
        await server.serve_forever()

asyncio.run(main())

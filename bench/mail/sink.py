#!/usr/bin/python3
"""A minimal SMTP sink for the delivery benchmark: answers every command with success, reads
and discards message bodies, counts messages and connections. Standard library only (asyncio),
so the sink is not the bottleneck that python3-aiosmtpd writing files would be.

usage: sink.py PORTFILE   (listens on 127.0.0.1, a free port, written to PORTFILE; prints
"N messages, C connections" on SIGTERM)"""
import asyncio
import os
import signal
import sys

stats = {"messages": 0, "connections": 0}


async def session(reader, writer):
    stats["connections"] += 1
    writer.write(b"220 sink ESMTP\r\n")
    while True:
        line = await reader.readline()
        if not line:
            break
        cmd = line[:4].upper()
        if cmd in (b"EHLO", b"HELO"):
            writer.write(b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
        elif cmd == b"DATA":
            writer.write(b"354 go ahead\r\n")
            await writer.drain()
            while True:
                l = await reader.readline()
                if not l or l == b".\r\n":
                    break
            stats["messages"] += 1
            writer.write(b"250 OK queued\r\n")
        elif cmd == b"QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            break
        else:
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(session, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()
    print("%d messages, %d connections" % (stats["messages"], stats["connections"]), flush=True)

asyncio.run(main())

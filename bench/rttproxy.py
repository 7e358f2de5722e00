#!/usr/bin/env python3.11
"""Delaying, counting TCP proxy for the elbtls bench (Python 3.11 stdlib only).

Listens on 127.0.0.1 only and forwards each accepted connection to a backend on 127.0.0.1,
delaying every chunk by RTT/2 in each direction. With --handshake-rtt (the default) the first
client->server bytes are also held until 1.5 RTT after the accept, so that a connection costs
what it costs over a real link: one RTT for the TCP handshake (which the proxy, being on
loopback, answers at once) plus one RTT per TLS flight. It counts accepted connections per
listening port; the counts are served as one JSON line to whoever connects to --control.

Usage:
  rttproxy.py --rtt-ms 50 --control 40001 --map 40010=8443 --map 40011=8444 [--workers N]
Prints "READY" on stdout once every socket listens. With --workers N, N processes (one event
loop each) accept on the same sockets, for more connections a second than one Python thread
can forward; the counts are shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import sys

LOOPBACK = "127.0.0.1"


class Counter(dict):
    """Counts per port in memory shared by the worker processes (made before they fork)."""

    def __init__(self, ports: list[int]) -> None:
        super().__init__()
        self._shared = {port: multiprocessing.RawValue("q", 0) for port in ports}
        self._lock = multiprocessing.Lock()

    def __getitem__(self, port: int) -> int:
        return self._shared[port].value

    def get(self, port: int, default: int = 0) -> int:
        return self._shared[port].value if port in self._shared else default

    def __setitem__(self, port: int, value: int) -> None:
        with self._lock:
            self._shared[port].value = value

    def add(self, port: int) -> None:
        with self._lock:
            self._shared[port].value += 1

    def items(self):
        return [(port, shared.value) for port, shared in self._shared.items()]


class Stats:
    def __init__(self, ports: list[int]) -> None:
        self.accepted = Counter(ports)
        self.backend_failures = Counter(ports)


def _nodelay(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


async def _pipe(
    reader: asyncio.StreamReader,
    writer_fut: "asyncio.Future[asyncio.StreamWriter | None]",
    delay: float,
    not_before: float,
) -> None:
    """Copy reader to the writer that writer_fut yields; each chunk (and EOF) is delivered
    `delay` s after it was read, and never before the loop time `not_before`. Order is kept."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def read_side() -> None:
        while True:
            try:
                data = await reader.read(65536)
            except (ConnectionError, OSError):
                data = b""
            await queue.put((max(loop.time() + delay, not_before), data))
            if not data:
                return

    async def write_side() -> None:
        writer = None
        while True:
            at, data = await queue.get()
            wait = at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if writer is None:
                writer = await writer_fut
                if writer is None:  # backend unreachable
                    return
            try:
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()
            except (ConnectionError, OSError, RuntimeError):
                return

    rd = asyncio.create_task(read_side())
    try:
        await write_side()
    finally:
        if not rd.done():
            rd.cancel()


async def _serve(
    listen_port: int,
    backend_port: int,
    half: float,
    setup: float,
    stats: Stats,
    c_reader: asyncio.StreamReader,
    c_writer: asyncio.StreamWriter,
) -> None:
    loop = asyncio.get_running_loop()
    accepted_at = loop.time()
    stats.accepted.add(listen_port)
    _nodelay(c_writer)
    # With a simulated handshake the server side of the connection starts when the client's
    # first flight would reach it (accept + 1.5 RTT), as a real server's accept() would: a
    # single-threaded server (openssl s_server) must not sit blocked on an idle connection.
    first_due = accepted_at + (setup + half if setup else 0.0)
    b_reader_fut: asyncio.Future = loop.create_future()
    b_writer_fut: asyncio.Future = loop.create_future()
    c_writer_fut: asyncio.Future = loop.create_future()
    c_writer_fut.set_result(c_writer)

    async def connect() -> None:
        wait = first_due - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            r, w = await asyncio.open_connection(LOOPBACK, backend_port)
        except OSError:
            stats.backend_failures.add(listen_port)
            b_reader_fut.set_result(None)
            b_writer_fut.set_result(None)
            c_writer.transport.abort()
            return
        _nodelay(w)
        b_reader_fut.set_result(r)
        b_writer_fut.set_result(w)

    async def down() -> None:
        r = await b_reader_fut
        if r is not None:
            await _pipe(r, c_writer_fut, half, 0.0)

    conn = asyncio.create_task(connect())
    up = asyncio.create_task(_pipe(c_reader, b_writer_fut, half, accepted_at + setup + half))
    dn = asyncio.create_task(down())
    try:
        await asyncio.gather(conn, up, dn)
    except Exception:  # noqa: BLE001 - a broken connection must not stop the proxy
        pass
    finally:
        ws = [c_writer] + ([b_writer_fut.result()] if b_writer_fut.done() and b_writer_fut.result() else [])
        for w in ws:
            try:
                w.close()
            except Exception:  # noqa: BLE001
                pass


async def _control(stats: Stats, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    payload = {
        "accepted": {str(k): v for k, v in stats.accepted.items()},
        "backend_failures": {str(k): v for k, v in stats.backend_failures.items()},
    }
    writer.write((json.dumps(payload) + "\n").encode())
    try:
        await writer.drain()
    finally:
        writer.close()


def _listen(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    sock.listen(4096)
    sock.setblocking(False)
    return sock


async def main_async(args: argparse.Namespace, stats: Stats, sockets, control, parent: bool) -> None:
    half = args.rtt_ms / 2000.0
    setup = args.rtt_ms / 1000.0 if args.handshake_rtt else 0.0
    servers = []
    for lport, bport, sock in sockets:

        def handler(r, w, lport=lport, bport=bport):
            return _serve(lport, bport, half, setup, stats, r, w)

        servers.append(await asyncio.start_server(handler, sock=sock))
    if control is not None:
        servers.append(await asyncio.start_server(lambda r, w: _control(stats, r, w), sock=control))
    if parent:
        print("READY", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rtt-ms", type=float, default=50.0, help="round-trip time to add (default 50)")
    p.add_argument("--map", action="append", default=[], metavar="LISTEN=BACKEND",
                   help="listen on 127.0.0.1:LISTEN, forward to 127.0.0.1:BACKEND (repeatable)")
    p.add_argument("--control", type=int, default=0, help="127.0.0.1 port serving the counts as JSON")
    p.add_argument("--no-handshake-rtt", dest="handshake_rtt", action="store_false",
                   help="do not add the extra RTT standing in for the TCP handshake")
    p.add_argument("--workers", type=int, default=1,
                   help="processes accepting on the same sockets (default 1)")
    args = p.parse_args()
    if not args.map:
        p.error("at least one --map")
    pairs = [tuple(int(x) for x in spec.split("=", 1)) for spec in args.map]
    stats = Stats([lport for lport, _ in pairs])
    sockets = [(lport, bport, _listen(lport)) for lport, bport in pairs]
    control = _listen(args.control) if args.control else None
    children = []
    for _ in range(max(args.workers, 1) - 1):
        pid = os.fork()
        if pid == 0:
            asyncio.run(main_async(args, stats, sockets, None, False))
            os._exit(0)
        children.append(pid)
    try:
        asyncio.run(main_async(args, stats, sockets, control, True))
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The worker processes of ``wijk serve`` share keep-alive connections out evenly."""

from __future__ import annotations

import asyncio
import collections
import errno
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import uvicorn

from api.cli.workers import BalancedServer, ConnectionBoard

PID_APP = """
import os

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = str(os.getpid()).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(sock: socket.socket) -> bytes:
    """One keep-alive GET on ``sock``; the response's body."""
    sock.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(
        next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))[15:]
    )
    while len(body) < length:
        body += sock.recv(4096)
    return body


def _connect(port: int, deadline: float) -> socket.socket:
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def two_workers(tmp_path: Path):
    """``run_workers`` with 2 workers of an app that answers its process id, in a child process."""
    (tmp_path / "pidapp.py").write_text(PID_APP)
    port = _free_port()
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import uvicorn
        from api.cli.workers import run_workers
        if __name__ == "__main__":
            run_workers(uvicorn.Config("pidapp:app", host="127.0.0.1", port={port}, workers=2,
                                       log_level="warning"))
    """)
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        # both workers answer before the test's connections arrive together
        deadline = time.monotonic() + 60
        seen: set[bytes] = set()
        while len(seen) < 2:
            assert time.monotonic() < deadline, "the workers did not start"
            with _connect(port, deadline) as probe:
                seen.add(_get(probe))
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_connections_arriving_together_are_shared_evenly(two_workers: int) -> None:
    # 40 connections opened at once, then kept: each worker holds 20 (uvicorn's shared socket
    # gave one worker most of them, as its event loop accepted all waiting connections at once)
    socks = [socket.create_connection(("127.0.0.1", two_workers), timeout=10) for _ in range(40)]
    try:
        served = collections.Counter(_get(sock) for sock in socks)
        again = collections.Counter(_get(sock) for sock in socks)  # kept alive, same workers
    finally:
        for sock in socks:
            sock.close()
    assert len(served) == 2
    assert all(19 <= n <= 21 for n in served.values())  # 20 each, one late wake-up allowed
    assert again == served


def test_board_leaves_out_workers_that_do_not_serve() -> None:
    board = ConnectionBoard(3)
    assert board.excess(0) == 0  # nobody serves yet
    board.publish(0, 5)
    board.publish(1, 3)
    assert board.excess(0) == 2  # the third is starting: not a sibling with 0 connections
    assert board.excess(1) == 0
    board.publish(2, 0)
    assert board.excess(0) == 5
    board.publish(2, ConnectionBoard.NOT_SERVING)
    assert board.excess(1) == 0


def test_a_sibling_that_never_accepts_does_not_keep_clients_out() -> None:
    # the board says a second worker serves with no connections at all, but it never accepts:
    # every connection is left to it for a while, then taken
    board = ConnectionBoard(2)
    board.publish(1, 0)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        "tests.api.test_workers:_hello",
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = BalancedServer(config, board, slot=0)

    async def scenario() -> list[bytes]:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        loop = asyncio.get_running_loop()
        clients = [
            await loop.run_in_executor(None, _connect, port, time.monotonic() + 5) for _ in range(5)
        ]
        bodies = [await loop.run_in_executor(None, _get, c) for c in clients]
        assert board.counts[0] == 5
        for c in clients:
            c.close()
        server.should_exit = True
        await task
        return bodies

    assert asyncio.run(scenario()) == [b"hello"] * 5
    assert board.counts[0] == ConnectionBoard.NOT_SERVING


async def _hello(scope, receive, send):  # type: ignore[no-untyped-def]
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]}
    )
    await send({"type": "http.response.body", "body": b"hello"})


class _Refusing(socket.socket):
    """A listening socket whose first accept fails as when the process has no file left."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def accept(self):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == 1:
            raise OSError(errno.EMFILE, "Too many open files")
        return super().accept()


def test_a_refused_accept_pauses_instead_of_spinning() -> None:
    # the socket stays readable while the system refuses the connection: the worker pauses
    # (ACCEPT_RETRY_S), then serves the client, with a handful of accept calls, not thousands
    from api.cli.workers import ACCEPT_RETRY_S

    board = ConnectionBoard(1)
    sock = _Refusing()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        "tests.api.test_workers:_hello",
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = BalancedServer(config, board, slot=0)

    async def scenario() -> tuple[bytes, float]:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        loop = asyncio.get_running_loop()
        t0 = time.monotonic()
        client = await loop.run_in_executor(None, _connect, port, time.monotonic() + 5)
        body = await loop.run_in_executor(None, _get, client)
        waited = time.monotonic() - t0
        client.close()
        server.should_exit = True
        await task
        return body, waited

    body, waited = asyncio.run(scenario())
    assert body == b"hello"
    assert waited >= ACCEPT_RETRY_S * 0.9
    assert 2 <= sock.calls <= 5

"""Worker processes of ``wijk serve`` that share connections out evenly.

Uvicorn's supervisor gives every worker the same listening socket, and each worker's event loop
accepts every waiting connection at once when it wakes. Keep-alive connections stay where they
were accepted, so with 50 clients connecting together one worker of two got ~38 of them and
answered them ~6 times slower than the other its ~12 (issue 12's load benchmark: p95 140-160 ms
where the mean was 80 ms). Giving each worker a socket of its own with ``SO_REUSEPORT`` spreads
connections by a hash of their addresses: not greedy, but random (splits such as 29/21 are
common; p95 89-130 ms in four runs).

Here the workers keep uvicorn's shared socket and its supervisor (signals, health checks,
restarts), but accept a connection one at a time and only while none of them holds fewer open
connections; a worker that holds more leaves a waiting connection to the others for
:data:`DEFER_S` per connection it holds in excess, and takes it itself if it is still waiting
then (a busy or hung sibling never keeps a client out). The counts of open connections live in a
small array of shared memory, one slot per worker. This is nginx's idea (``accept_mutex``,
``accept_disabled``) without a lock: the kernel hands each connection to one accepting worker.

Windows' event loop cannot watch a listening socket, so there :func:`run_workers` uses
uvicorn's own supervisor.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing.sharedctypes
import os
import socket
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, Process

DEFER_S = 0.002
"""How long a worker leaves a waiting connection to its siblings, per connection it holds more
than the least busy of them [s]. Longer than a sibling's event loop needs to take it (~0.1 ms
when idle, up to the interpreter's 5 ms switch interval while a plan is computed), short
against a client's connection set-up."""

MAX_DEFER_S = 0.05
"""The longest a waiting connection is left to the other workers [s]."""

ACCEPT_RETRY_S = 1.0
"""Pause of a worker's accepting after the system refused it a connection (no file descriptor
or memory left) [s]: asyncio's own ``ACCEPT_RETRY_DELAY``."""


class ConnectionBoard:
    """Open connections per worker, in memory shared by the worker processes."""

    NOT_SERVING = -1
    """The count of a worker that is starting or being replaced: it takes no part."""

    def __init__(self, workers: int) -> None:
        self.counts: Any = multiprocessing.sharedctypes.RawArray("q", [self.NOT_SERVING] * workers)

    def publish(self, slot: int, count: int) -> None:
        self.counts[slot] = count

    def excess(self, slot: int) -> int:
        """How many more connections worker ``slot`` holds than the least busy serving worker."""
        serving = [c for c in self.counts[:] if c != self.NOT_SERVING]
        return self.counts[slot] - min(serving, default=self.counts[slot])


class BalancedServer(uvicorn.Server):
    """A uvicorn server that accepts from its sockets by the board's rule, one at a time."""

    def __init__(self, config: uvicorn.Config, board: ConnectionBoard, slot: int) -> None:
        super().__init__(config)
        self.board = board
        self.slot = slot
        self._watched: list[socket.socket] = []
        self._opening = 0

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the app's lifespan; no asyncio server accepts
        if not self.started:
            return
        loop = asyncio.get_running_loop()
        for sock in sockets or []:
            sock.setblocking(False)
            self._watched.append(sock)
            loop.add_reader(sock.fileno(), self._readable, sock)
        self._publish()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        loop = asyncio.get_running_loop()
        for sock in self._watched:
            loop.remove_reader(sock.fileno())
        self._watched.clear()
        self.board.publish(self.slot, ConnectionBoard.NOT_SERVING)
        await super().shutdown(sockets=sockets)

    async def on_tick(self, counter: int) -> bool:
        self._publish()
        return await super().on_tick(counter)

    def _publish(self) -> int:
        count = len(self.server_state.connections) + self._opening
        self.board.publish(self.slot, count)
        return count

    def _readable(self, sock: socket.socket) -> None:
        self._publish()
        excess = self.board.excess(self.slot)
        if excess <= 0:
            self._accept(sock)
            return
        loop = asyncio.get_running_loop()
        loop.remove_reader(sock.fileno())
        loop.call_later(min(DEFER_S * excess, MAX_DEFER_S), self._after_deferral, sock)

    def _after_deferral(self, sock: socket.socket) -> None:
        if sock not in self._watched:  # shutting down
            return
        if self._accept(sock, watching=False):  # still waiting: the others did not take it
            asyncio.get_running_loop().add_reader(sock.fileno(), self._readable, sock)

    def _accept(self, sock: socket.socket, watching: bool = True) -> bool:
        """Accept one waiting connection; False when accepting pauses (see below)."""
        try:
            conn, _ = sock.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return True  # another worker took it
        except OSError:
            # out of file descriptors or memory: the socket stays readable, so watching it on
            # would spin; pause as asyncio's own accept loop does, the others serve meanwhile
            loop = asyncio.get_running_loop()
            if watching:
                loop.remove_reader(sock.fileno())
            loop.call_later(ACCEPT_RETRY_S, self._resume, sock)
            return False
        conn.setblocking(False)
        self._opening += 1
        self._publish()
        task = asyncio.get_running_loop().create_task(self._serve_connection(conn))
        self.server_state.tasks.add(task)
        task.add_done_callback(self.server_state.tasks.discard)
        return True

    def _resume(self, sock: socket.socket) -> None:
        if sock in self._watched:
            asyncio.get_running_loop().add_reader(sock.fileno(), self._readable, sock)

    async def _serve_connection(self, conn: socket.socket) -> None:
        config = self.config
        loop = asyncio.get_running_loop()
        try:
            await loop.connect_accepted_socket(
                lambda: config.http_protocol_class(  # type: ignore[call-arg]
                    config=config, server_state=self.server_state, app_state=self.lifespan.state
                ),
                conn,
                ssl=config.ssl,
            )
        except OSError:
            conn.close()
        finally:
            self._opening -= 1


class _Worker(Process):
    """Uvicorn's worker process, running a :class:`BalancedServer` in its slot of the board."""

    def __init__(
        self,
        config: uvicorn.Config,
        sockets: list[socket.socket],
        board: ConnectionBoard,
        slot: int,
    ) -> None:
        self.board = board
        self.slot = slot
        super().__init__(config, sockets)

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = BalancedServer(self.config, self.board, self.slot)
        return self._server


class _Supervisor(Multiprocess):
    """Uvicorn's supervisor, starting :class:`_Worker` processes, one per slot of the board."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets=sockets)
        self.board = ConnectionBoard(config.workers)

    def _worker(self, slot: int) -> Process:
        self.board.publish(slot, ConnectionBoard.NOT_SERVING)
        worker = _Worker(self.config, self.sockets, self.board, slot)
        worker.start()
        return worker

    def init_processes(self) -> None:
        self.processes = [self._worker(slot) for slot in range(self.processes_num)]

    def keep_subprocess_alive(self) -> None:
        # uvicorn's loop, with the replacement in the dead worker's slot
        if self.should_exit.is_set():
            return
        for slot, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            self.processes[slot] = self._worker(slot)

    def restart_all(self) -> None:
        # uvicorn's SIGHUP: each worker replaced in turn; the replacement takes the old slot
        # once the old worker has stopped
        for slot, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            old.terminate()
            old.join()
            self.processes[slot] = self._worker(slot)

    def handle_ttin(self) -> None:  # the board has a slot per worker started with
        pass

    def handle_ttou(self) -> None:
        pass


def run_workers(config: uvicorn.Config) -> None:
    """Serve ``config.app`` (an import string) with ``config.workers`` processes."""
    if config.workers <= 1:
        uvicorn.Server(config).run()
        return
    sock = config.bind_socket()
    sock.listen(config.backlog)  # uvicorn leaves that to asyncio's server, which we do not start
    supervisor = Multiprocess if os.name == "nt" else _Supervisor
    try:
        supervisor(config, sockets=[sock]).run()
    finally:
        with contextlib.suppress(OSError):
            sock.close()


__all__ = ["DEFER_S", "BalancedServer", "ConnectionBoard", "run_workers"]

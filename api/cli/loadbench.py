"""Load benchmark of the HTTP service: concurrent clients on loopback, latency percentiles.

``wijk serve-bench [--twin twin.parquet] [--clients 50] [--seconds 20]`` starts ``wijk serve`` in
a child process on a free loopback port, waits until it answers, then lets ``clients``
concurrent clients (asyncio + httpx) each loop over a mix of requests for ``seconds``:
first only address autocomplete (a prefix of a real address, as typed), then only trajectories
of dwellings (all candidate steps and the optimiser) and, with ``--corrected``, trajectories
after a resident's corrections while a few clients keep typing addresses. It prints, per kind
of request, the
number of requests, throughput, the p50/p95/p99 latency and the errors. Nothing is asserted:
the figures go into the README.

The clients run on the same machine as the service, so every CPU cycle they spend is taken from
it. Each client is a keep-alive HTTP/1.1 connection on plain asyncio streams (a request written,
the status line, the headers and the body read, ``Content-Length`` or chunked): about a tenth of
the CPU per request of an httpx client, whose own cost capped the measurement at some 1,700
requests/s on two cores, whatever the service did -- and 50 clients at 1,700/s cannot see a
latency under 50/1,700 s = 29 ms. ``client="httpx"`` keeps the former clients for comparison.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Tally:
    """Latencies [s] and errors of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def summary(self, seconds: float) -> dict[str, float]:
        lat = np.asarray(self.latencies) * 1000.0
        n = lat.size
        return {
            "requests": n,
            "per_s": round(n / seconds, 1),
            "p50_ms": round(float(np.percentile(lat, 50)), 1) if n else float("nan"),
            "p95_ms": round(float(np.percentile(lat, 95)), 1) if n else float("nan"),
            "p99_ms": round(float(np.percentile(lat, 99)), 1) if n else float("nan"),
            "errors": self.errors,
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    twin: Path | None, db_path: Path, port: int, workers: int = 2
) -> subprocess.Popen[bytes]:
    """``wijk serve`` in a child process on loopback."""
    cmd = [
        sys.executable,
        "-m",
        "api.cli",
        "serve",
        "--port",
        str(port),
        "--db",
        f"sqlite:///{db_path}",
        "--workers",
        str(workers),
    ]
    if twin is not None:
        cmd += ["--twin", str(twin)]
    # the server's messages go to a file next to the database: a pipe nobody reads would fill
    # up and block the server
    log = (db_path.parent / "server.log").open("wb")
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())


async def _wait_ready(
    base: str, proc: subprocess.Popen[bytes], timeout: float = 180.0
) -> dict[str, Any]:
    import httpx

    t0 = time.monotonic()
    async with httpx.AsyncClient() as client:
        while time.monotonic() - t0 < timeout:
            if proc.poll() is not None:
                raise RuntimeError("the service stopped; see server.log beside its database")
            try:
                r = await client.get(f"{base}/api/v1/health", timeout=2.0)
                if r.status_code == 200:
                    # one worker answers; the others may still be loading (each computes the
                    # plans of every dwelling at start-up): wait until the processes are idle
                    await _wait_idle(proc, t0 + timeout)
                    return dict(r.json())
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError("the service did not start in time")


async def _wait_idle(proc: subprocess.Popen[bytes], deadline: float) -> None:
    """Wait until the service's processes use less than 20 % of one core together."""
    import psutil

    parent = psutil.Process(proc.pid)
    while time.monotonic() < deadline:
        family = [parent, *parent.children(recursive=True)]
        for p in family:
            p.cpu_percent(None)
        await asyncio.sleep(1.0)
        busy = 0.0
        for p in family:
            try:
                busy += p.cpu_percent(None)
            except psutil.NoSuchProcess:
                continue
        if busy < 20.0:
            return


#: What a facilitator corrects at a klimaattafel, drawn per corrected request: the roof's and
#: the windows' U-value [W/(m²·K)], the set-point [°C] and, for half of them, a measured gas use
#: [kWh/a] (each request a new question: no answer can be reused).
CORRECTIONS: dict[str, tuple[float, float]] = {
    "u_roof_w_m2k": (0.3, 3.0),
    "u_window_w_m2k": (1.1, 5.0),
    "setpoint_c": (17.0, 21.0),
}
MEASURED_GAS_KWH: tuple[float, float] = (6_000.0, 25_000.0)


def _request_for(kind: str, a: dict[str, str], rng: np.random.Generator) -> tuple[str, str, bytes]:
    """Method, path and body of one request: a prefix of a real address as typed, the plan of
    one dwelling (all combinations of its route and the optimiser), or that plan after a
    resident's corrections (:data:`CORRECTIONS`)."""
    if kind == "autocomplete":
        text = a["address"]
        cut = int(rng.integers(3, max(4, len(text))))
        return "GET", "/api/v1/addresses?" + urllib.parse.urlencode({"q": text[:cut]}), b""
    path = f"/api/v1/dwellings/{urllib.parse.quote(a['dwelling_id'], safe='/')}/trajectory"
    body: dict[str, Any] = {"budget_eur": 15000}
    if kind == "corrected":
        body["overrides"] = {
            k: round(float(rng.uniform(lo, hi)), 2) for k, (lo, hi) in CORRECTIONS.items()
        }
        if rng.random() < 0.5:
            body["measured_kwh"] = {"natural_gas": round(float(rng.uniform(*MEASURED_GAS_KWH)))}
    return "POST", path, json.dumps(body).encode()


class _Connection:
    """One keep-alive HTTP/1.1 connection on asyncio streams (a lean load-generating client)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes) -> int:
        """Send one request, read the whole answer; returns the status code."""
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.reader, self.writer
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        status_line = await reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        headers = (await reader.readuntil(b"\r\n\r\n")).lower()
        close = b"connection: close" in headers
        if b"transfer-encoding: chunked" in headers:
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        else:
            at = headers.find(b"content-length:")
            length = int(headers[at + 15 : headers.index(b"\r\n", at)]) if at >= 0 else 0
            await reader.readexactly(length)
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def _client(
    base: str,
    kind: str,
    addresses: list[dict[str, str]],
    until: float,
    tally: Tally,
    k: int,
    pace_s: float = 0.0,
) -> None:
    """One client: requests of ``kind`` one after the other until ``until``; with ``pace_s``
    at most one per ``pace_s`` seconds (a person typing), else as fast as answered."""
    url = urllib.parse.urlsplit(base)
    conn = _Connection(url.hostname or "127.0.0.1", url.port or 80)
    rng = np.random.default_rng(k)
    try:
        while time.monotonic() < until:
            method, path, body = _request_for(
                kind, addresses[int(rng.integers(len(addresses)))], rng
            )
            t0 = time.perf_counter()
            try:
                ok = await conn.request(method, path, body) < 400
            except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                ok = False
                await conn.close()
            took = time.perf_counter() - t0
            tally.latencies.append(took)
            tally.errors += 0 if ok else 1
            if pace_s > took:
                await asyncio.sleep(pace_s - took)
    finally:
        await conn.close()


async def _httpx_client(
    base: str, kind: str, addresses: list[dict[str, str]], until: float, tally: Tally, k: int
) -> None:
    import httpx

    rng = np.random.default_rng(k)
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
        while time.monotonic() < until:
            method, path, body = _request_for(
                kind, addresses[int(rng.integers(len(addresses)))], rng
            )
            t0 = time.perf_counter()
            try:
                r = await client.request(
                    method, path, content=body or None, headers={"content-type": "application/json"}
                )
                ok = r.status_code < 400
            except httpx.HTTPError:
                ok = False
            tally.latencies.append(time.perf_counter() - t0)
            tally.errors += 0 if ok else 1


#: Address clients typing while the corrected trajectories are computed (``--corrected``), each
#: a key every TYPING_PACE_S seconds (a person typing; clients that ask as fast as they are
#: answered would take the cores the trajectories are measured on)
TYPING_CLIENTS = 5
TYPING_PACE_S = 0.1


async def _drive(
    base: str, clients: int, seconds: float, kind_of_client: str, corrected: bool = False
) -> dict[str, Any]:
    """One phase per kind of request, each with ``clients`` concurrent clients; with
    ``corrected`` a last phase of corrected trajectories, while :data:`TYPING_CLIENTS` more
    clients look up addresses (``autocomplete_meanwhile``): does the computing get in their
    way?"""
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:
        sample: list[dict[str, str]] = []
        for prefix in ("a", "b", "d", "k", "m", "s", "v", "w"):
            r = await client.get("/api/v1/addresses", params={"q": prefix, "limit": 50})
            sample += r.json()
    if not sample:
        raise RuntimeError("no addresses to query")
    run = {"asyncio": _client, "httpx": _httpx_client}[kind_of_client]
    out: dict[str, Any] = {
        "clients": clients,
        "client": kind_of_client,
        "seconds_per_phase": seconds,
    }
    for kind in ("autocomplete", "trajectory"):
        tally = Tally()
        t0 = time.monotonic()
        until = t0 + seconds
        await asyncio.gather(*(run(base, kind, sample, until, tally, k) for k in range(clients)))
        out[kind] = tally.summary(time.monotonic() - t0)
    if corrected:
        tally, typing = Tally(), Tally()
        t0 = time.monotonic()
        until = t0 + seconds
        await asyncio.gather(
            *(run(base, "corrected", sample, until, tally, k) for k in range(clients)),
            *(
                _client(base, "autocomplete", sample, until, typing, clients + k, TYPING_PACE_S)
                for k in range(TYPING_CLIENTS)
            ),
        )
        out["corrected"] = tally.summary(time.monotonic() - t0)
        out["autocomplete_meanwhile"] = typing.summary(time.monotonic() - t0)
    return out


def run_load_benchmark(
    twin: Path | None = None,
    clients: int = 50,
    seconds: float = 20.0,
    workers: int = 2,
    workdir: Path | None = None,
    client: str = "asyncio",
    corrected: bool = False,
) -> dict[str, Any]:
    """Start the service, drive it, stop it; returns the figures.

    ``client`` is ``"asyncio"`` (lean keep-alive connections, see the module) or ``"httpx"``;
    ``corrected`` adds the phase of corrected trajectories (:func:`_drive`).
    """
    if client not in ("asyncio", "httpx"):
        raise ValueError(f"client must be 'asyncio' or 'httpx', not {client!r}")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(workdir or tmp)
        port = _free_port()
        proc = start_server(twin, folder / "bench.sqlite", port, workers)
        base = f"http://127.0.0.1:{port}"
        try:
            health = asyncio.run(_wait_ready(base, proc))
            result = asyncio.run(_drive(base, clients, seconds, client, corrected))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
    return {"dwellings": health["dwellings"], "workers": workers, **result}


__all__ = ["run_load_benchmark"]

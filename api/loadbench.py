"""Load benchmark of the HTTP service: concurrent clients on loopback, latency percentiles.

``wijk serve-bench [--twin twin.parquet] [--clients 50] [--seconds 20]`` starts ``wijk serve`` in
a child process on a free loopback port, waits until it answers, then lets ``clients``
concurrent clients (asyncio + httpx) each loop over a mix of requests for ``seconds``:
first only address autocomplete (a prefix of a real address, as typed), then only trajectories
of dwellings (all candidate steps and the optimiser). It prints, per kind of request, the
number of requests, throughput, the p50/p95/p99 latency and the errors. Nothing is asserted:
the figures go into the README.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
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
                    return dict(r.json())
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError("the service did not start in time")


async def _client(
    base: str, kind: str, addresses: list[dict[str, str]], until: float, tally: Tally, k: int
) -> None:
    import httpx

    rng = np.random.default_rng(k)
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
        while time.monotonic() < until:
            a = addresses[int(rng.integers(len(addresses)))]
            t0 = time.perf_counter()
            try:
                if kind == "autocomplete":  # a prefix of a real address, as typed
                    text = a["address"]
                    cut = int(rng.integers(3, max(4, len(text))))
                    r = await client.get("/api/v1/addresses", params={"q": text[:cut]})
                else:  # all candidate steps and the optimiser for one dwelling
                    r = await client.post(
                        f"/api/v1/dwellings/{a['dwelling_id']}/trajectory",
                        content=json.dumps({"budget_eur": 15000}),
                        headers={"content-type": "application/json"},
                    )
                ok = r.status_code < 400
            except httpx.HTTPError:
                ok = False
            tally.latencies.append(time.perf_counter() - t0)
            tally.errors += 0 if ok else 1


async def _drive(base: str, clients: int, seconds: float) -> dict[str, Any]:
    """One phase per kind of request, each with ``clients`` concurrent clients."""
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:
        sample: list[dict[str, str]] = []
        for prefix in ("a", "b", "d", "k", "m", "s", "v", "w"):
            r = await client.get("/api/v1/addresses", params={"q": prefix, "limit": 50})
            sample += r.json()
    if not sample:
        raise RuntimeError("no addresses to query")
    out: dict[str, Any] = {"clients": clients, "seconds_per_phase": seconds}
    for kind in ("autocomplete", "trajectory"):
        tally = Tally()
        t0 = time.monotonic()
        until = t0 + seconds
        await asyncio.gather(
            *(_client(base, kind, sample, until, tally, k) for k in range(clients))
        )
        out[kind] = tally.summary(time.monotonic() - t0)
    return out


def run_load_benchmark(
    twin: Path | None = None,
    clients: int = 50,
    seconds: float = 20.0,
    workers: int = 2,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """Start the service, drive it, stop it; returns the figures."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(workdir or tmp)
        port = _free_port()
        proc = start_server(twin, folder / "bench.sqlite", port, workers)
        base = f"http://127.0.0.1:{port}"
        try:
            health = asyncio.run(_wait_ready(base, proc))
            result = asyncio.run(_drive(base, clients, seconds))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
    return {"dwellings": health["dwellings"], "workers": workers, **result}


__all__ = ["run_load_benchmark"]

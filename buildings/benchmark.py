"""Benchmark of the twin builder (``wijk twin bench``): a synthetic town of N buildings, read back.

The register files are generated in a child process first, so that the peak
memory reported is the builder's alone. Figures are printed, never asserted.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from buildings.demo import demo_sources
from buildings.twin import TwinSources, build_twin


@dataclass(frozen=True)
class TwinBenchmark:
    """Figures of one twin benchmark run."""

    buildings_read: int
    dwellings: int
    generate_s: float
    build_s: float
    write_parquet_s: float
    buildings_per_s: float
    peak_rss_mb: float

    def as_dict(self) -> dict[str, float | int]:
        """The figures as a plain dict (for JSON)."""
        return asdict(self)


def _generate(folder: str, n_buildings: int, queue: mp.Queue) -> None:
    src = demo_sources(Path(folder), n_buildings=n_buildings, with_rasters=False)
    queue.put(src)


def run_twin_benchmark(n_buildings: int, folder: Path) -> TwinBenchmark:
    """Generate ``n_buildings`` residential buildings as register files in ``folder``, then time the build.

    Rasters are not generated at this scale; heights are imputed (the height step is measured
    by the tests on the demo town and by ``buildings.heights`` separately).
    """
    t0 = time.perf_counter()
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    child = ctx.Process(target=_generate, args=(str(folder), n_buildings, queue))
    child.start()
    src: TwinSources = queue.get()
    child.join()
    generate_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    result = build_twin(src)
    build_s = time.perf_counter() - t0
    read = int(result.accounting.iloc[0]["read"])
    t0 = time.perf_counter()
    # the GeoParquet part of write_twin; the GeoPackage is slow at 10⁶ rows and not timed
    result.dwellings.to_parquet(folder / "twin.parquet", index=False)
    write_s = time.perf_counter() - t0
    return TwinBenchmark(
        buildings_read=read,
        dwellings=len(result.dwellings),
        generate_s=generate_s,
        build_s=build_s,
        write_parquet_s=write_s,
        buildings_per_s=read / build_s,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    )


__all__ = ["TwinBenchmark", "run_twin_benchmark"]

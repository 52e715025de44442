"""Benchmark of the simulation core on synthetic arrays (``wijk bench``).

Prints figures; never asserts times. Compilation is done (or loaded from
numba's cache) on a small warm-up set first and reported separately, so the
timed run measures the kernel, the variant transforms and the output writes.
"""

from __future__ import annotations

import resource
import time
from dataclasses import asdict, dataclass

import numba

from sim.core import simulate
from sim.synthetic import synthetic_dwellings, synthetic_variants


@dataclass(frozen=True)
class BenchmarkResult:
    """Figures of one benchmark run."""

    dwellings: int
    variants: int
    evaluations: int
    evals_per_s: float
    wall_s: float
    compile_s: float
    setup_s: float
    peak_rss_mb: float
    threads: int

    def as_dict(self) -> dict[str, float | int]:
        """The figures as a plain dict (for JSON)."""
        return asdict(self)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far [MB] (Linux ``ru_maxrss`` is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_benchmark(
    dwellings: int, variants: int, seed: int = 0, repeats: int = 1
) -> BenchmarkResult:
    """Time :func:`sim.core.simulate` on ``dwellings`` × ``variants`` synthetic evaluations.

    Parameters
    ----------
    dwellings : int
        Number of synthetic dwellings.
    variants : int
        Number of renovation variants per dwelling.
    seed : int
        Seed of the synthetic stock.
    repeats : int
        Timed runs; the fastest is reported.
    """
    t0 = time.perf_counter()
    v = synthetic_variants(variants, seed=seed)
    simulate(synthetic_dwellings(64, seed=seed), v)
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    d = synthetic_dwellings(dwellings, seed=seed)
    setup_s = time.perf_counter() - t0
    best = float("inf")
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        result = simulate(d, v)
        best = min(best, time.perf_counter() - t0)
        del result
    n_eval = dwellings * variants
    return BenchmarkResult(
        dwellings=dwellings,
        variants=variants,
        evaluations=n_eval,
        evals_per_s=n_eval / best,
        wall_s=best,
        compile_s=compile_s,
        setup_s=setup_s,
        peak_rss_mb=peak_rss_mb(),
        threads=numba.get_num_threads(),
    )

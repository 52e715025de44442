"""Scenario benchmark: a whole region's stock through candidates, evolution and indicators.

``wijk scenario bench --dwellings 3300000`` (the size of the Flemish stock) builds a synthetic
stock (:func:`sim.synthetic.synthetic_dwellings` plus the twin's descriptive columns), runs the
shipped example scenario on it (its candidates: every prefix of its orders, at least 10 per
dwelling; its horizon, uptake, obligation, programmes and klimaattafels) and prints wall time
per stage and peak memory. Figures go into the README; nothing here asserts a time.
"""

from __future__ import annotations

import hashlib
import time
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from scenarios.catalogue import load_catalogue
from scenarios.indicators import indicator_table
from scenarios.policy import load_policy
from scenarios.run import ATTACHMENTS, run_scenario
from scenarios.scenario import load_scenario
from sim.benchmark import peak_rss_mb
from sim.synthetic import synthetic_dwellings

#: Dwellings per synthetic neighbourhood (Flanders has ~9,200 statistical sectors for 3.3 M
#: dwellings, ~360 each; the benchmark uses the same order of size).
DWELLINGS_PER_SECTOR = 400


def synthetic_stock(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` synthetic dwellings with the twin columns a scenario needs (no geometry)."""
    frame = synthetic_dwellings(n, seed=seed).to_frame()
    rng = np.random.default_rng(seed + 1)
    ids = np.arange(n)
    frame.insert(0, "dwelling_id", pd.Series(ids).map("d{:08d}".format).to_numpy(dtype=object))
    frame.insert(1, "building_id", pd.Series(ids // 2).map("b{:08d}".format).to_numpy(dtype=object))
    frame.insert(
        2,
        "sector_id",
        pd.Series(ids // DWELLINGS_PER_SECTOR).map("S{:05d}".format).to_numpy(dtype=object),
    )
    frame["attachment"] = np.asarray(ATTACHMENTS, dtype=object)[rng.integers(0, 4, n)]
    frame["construction_year"] = rng.integers(1900, 2021, n)
    frame["storeys"] = rng.integers(1, 4, n)
    frame["n_dwellings_in_building"] = np.where(frame["attachment"] == "apartment", 8, 1)
    return frame


def run_benchmark(n: int, runs: int = 0, scheduler: str | None = None) -> dict[str, Any]:
    """Time the example scenario on ``n`` synthetic dwellings; returns the figures."""
    t0 = time.perf_counter()
    stock = synthetic_stock(n)
    path = resources.files("scenarios.data").joinpath("scenario_lichtervelde.yaml")
    scenario = load_scenario(str(path))
    unc = scenario.uncertainty.model_copy(update={"runs": runs}) if scenario.uncertainty else None
    scenario = scenario.model_copy(update={"uncertainty": unc})
    catalogue, policy = load_catalogue(), load_policy()
    t1 = time.perf_counter()
    result = run_scenario(scenario, stock, catalogue, policy, scheduler=scheduler)
    t2 = time.perf_counter()
    table = indicator_table(
        result.aggregates,
        result.years,
        result.sector_ids,
        result.sector_ids,
        ("0", "regio"),
        policy,
    )
    t3 = time.perf_counter()
    return {
        "dwellings": n,
        "candidates_per_dwelling": len(result.candidates),
        "years": int(result.years.size),
        "runs": int(result.factors.shape[0]),
        "sectors": len(result.sector_ids),
        "partitions": int(result.meta["partitions"]),
        "setup_s": round(t1 - t0, 2),
        "run_s": round(t2 - t1, 2),
        "indicators_s": round(t3 - t2, 2),
        "total_s": round(t3 - t0, 2),
        "indicator_rows": len(table),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        # fingerprint of every aggregate: equal across schedulers when the results are identical
        "aggregates_sha256": hashlib.sha256(result.aggregates.tobytes()).hexdigest()[:16],
        "scheduler": scheduler or "proces",
    }

"""Benchmark of the zone sums: the Flemish stock (3.3 million dwellings) x 3 years on the 100 m grid.

``python -m scenarios.heat.zones_benchmark [n_dwellings]`` builds synthetic dwellings clustered in
300 towns over the extent of Flanders (Lambert 72; about two dwellings per building, so about
420,000 occupied hectares for 3.3 million dwellings, the order of the real stock), runs
:func:`scenarios.heat.zones.grid_layer` and :func:`scenarios.heat.zones.aggregate_years` and
prints the wall time of each. Nothing asserts a time.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from scenarios.heat.zones import aggregate_years, grid_layer

#: Years of the benchmark (today and two scenario years).
YEARS = (2025, 2030, 2040)


def synthetic_heat_frame(n: int, years: tuple[int, ...] = YEARS, seed: int = 1) -> pd.DataFrame:
    """``n`` dwellings x ``years`` rows with the columns the zone sums read (synthetic values)."""
    rng = np.random.default_rng(seed)
    towns = 300
    cx = rng.uniform(30_000.0, 250_000.0, towns)
    cy = rng.uniform(160_000.0, 240_000.0, towns)
    weight = rng.pareto(1.2, towns) + 1.0
    town = rng.choice(towns, max(n // 2, 1), p=weight / weight.sum())
    bx = cx[town] + rng.normal(0.0, 1500.0, len(town))
    by = cy[town] + rng.normal(0.0, 1500.0, len(town))
    building = rng.integers(0, len(town), n)
    ids = pd.Series(building).astype(str)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "dwelling_id": np.arange(n),
                    "building_id": ids,
                    "year": year,
                    "x": bx[building],
                    "y": by[building],
                    "heat_demand_kwh": rng.uniform(5_000.0, 30_000.0, n),
                    "floor_area_m2": rng.uniform(50.0, 200.0, n),
                }
            )
            for year in years
        ],
        ignore_index=True,
    )


def benchmark_grid(n: int = 3_300_000) -> dict[str, float]:
    """Wall times [s] of ``grid_layer`` and ``aggregate_years`` on ``n`` dwellings x 3 years."""
    frame = synthetic_heat_frame(n)
    t0 = time.perf_counter()
    layer = grid_layer(frame["x"], frame["y"])
    t1 = time.perf_counter()
    table = aggregate_years(layer, frame)
    t2 = time.perf_counter()
    return {
        "rows": float(len(frame)),
        "cells": float(len(layer.zones)),
        "zone_rows": float(len(table)),
        "grid_layer_s": t1 - t0,
        "aggregate_years_s": t2 - t1,
    }


def main(argv: list[str] | None = None) -> None:
    """Print the benchmark's figures."""
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 3_300_000
    r = benchmark_grid(n)
    print(
        f"{int(r['rows']):,} rows ({n:,} dwellings x {len(YEARS)} years), "
        f"{int(r['cells']):,} occupied 100 m cells: grid_layer {r['grid_layer_s']:.2f} s, "
        f"aggregate_years {r['aggregate_years_s']:.2f} s, "
        f"total {r['grid_layer_s'] + r['aggregate_years_s']:.2f} s"
    )


if __name__ == "__main__":
    main()

"""Parameters of the twin builder (``buildings/data/twin_parameters.csv``, each with its source).

A module of its own, below the readers and the builder: both read these thresholds.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd


@cache
def twin_parameters() -> dict[str, float]:
    """Parameters of the builder (``buildings/data/twin_parameters.csv``): key -> value (read
    once; do not change the dict)."""
    ref = resources.files("buildings.data").joinpath("twin_parameters.csv")
    with resources.as_file(ref) as path:
        t = pd.read_csv(path, comment="#")
    return {str(k): float(v) for k, v in zip(t["key"], t["value"], strict=True)}


__all__ = ["twin_parameters"]

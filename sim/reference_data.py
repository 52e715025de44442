"""Access to the reference tables shipped with the package (``sim/data``).

This is the one module of :mod:`sim` that reads files, and it reads only
the package's own data through :mod:`importlib.resources`; physics modules
and kernels take arrays. Every table has its source and licence in
``sim/data/SOURCES.md``. Tables are CSV with ``#`` comment lines at the top
that repeat the source, so a table copied on its own keeps its provenance.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd


@cache
def _read(name: str) -> pd.DataFrame:
    ref = resources.files("sim.data").joinpath(name)
    with resources.as_file(ref) as path:
        return pd.read_csv(path, comment="#", skipinitialspace=True)


def load_table(name: str) -> pd.DataFrame:
    """Return a copy of the shipped table ``sim/data/<name>``.

    Parameters
    ----------
    name : str
        File name, e.g. ``"climate_uccle_monthly.csv"``.

    Returns
    -------
    pandas.DataFrame
        The table (a copy: callers may modify it).
    """
    return _read(name).copy()


def simulation_defaults() -> dict[str, float]:
    """Scalar defaults of the core (``sim/data/simulation_defaults.csv``): key -> value
    (a copy: callers may modify it)."""
    return dict(_simulation_defaults())


@cache
def _simulation_defaults() -> dict[str, float]:
    # read once: every core call asks for its defaults
    table = _read("simulation_defaults.csv")
    return {str(k): float(v) for k, v in zip(table["key"], table["value"], strict=True)}

"""How sure the twin is of a dwelling's current label: its estimated inputs drawn around the
estimate, the core run on every draw, the share of draws per label.

The spread of each estimated input is a project assumption (``sim/data/estimate_spread.csv``:
U-values ±25 % where they come from the archetype, infiltration ±30 %, set-point ±1.5 °C); a
dwelling whose construction year was drawn from the stock's periods (``construction_year_source``
= ``drawn``, :mod:`buildings.years`) draws its period too, and its year-dependent inputs follow
the drawn period (:func:`buildings.years.redraw_factors`), except what facts or a registered EPC
fix. The draws are seeded by the dwelling id: the same dwelling gets the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from buildings import years
from sim.carriers import CarrierTables
from sim.core import simulate
from sim.labels import LABELS
from sim.reference_data import load_table
from sim.stock import DWELLING_COLUMNS, DwellingArrays

#: Draws per dwelling of :func:`label_probabilities`.
SAMPLES = 200


def draw_seed(dwelling_id: str) -> int:
    """The seed of a dwelling's draws: a stable hash of its id (the same on every machine)."""
    return int(pd.util.hash_array(np.asarray([dwelling_id], dtype=object))[0] % 2**32)


def label_probabilities(
    row: pd.Series | Mapping[str, Any], carriers: CarrierTables, samples: int = SAMPLES
) -> dict[str, float]:
    """Share of ``samples`` draws of the dwelling's estimated inputs per EPC label (the labels
    no draw gives are left out); see the module notes.

    Parameters
    ----------
    row : mapping
        One twin row (``docs/twin_schema.md``): a Series, or a mapping of column names to
        values, with the core's inputs and their ``*_source`` columns.
    carriers : CarrierTables
        Prices and factors of the year (the label does not depend on them, the core needs them).
    samples : int
        Number of draws.
    """
    get = row.get
    rng = np.random.default_rng(draw_seed(str(row["dwelling_id"])))
    # the dwelling's inputs checked once, then repeated as arrays; the draws are checked like
    # any input before they are simulated
    one = DwellingArrays.from_mapping({c: np.asarray([row[c]]) for c in _columns(row)}, "woning")
    draws = {name: np.repeat(one.column(name), samples) for name in DWELLING_COLUMNS}
    if str(get("construction_year_source", "facts")) == years.DRAWN:
        factors = years.redraw_factors(
            str(row["archetype_type"]),
            str(row["attachment"]),
            float(row["construction_year"]),
            rng,
            samples,
        )
        for col in years.YEAR_DEPENDENT_INPUTS:
            if str(get(f"{col}_source", "archetype")) not in ("facts", "epc"):
                draws[col] = draws[col] * factors[col].to_numpy()
    for spread in _spreads():
        col, kind, low, high, only_estimated = spread
        if only_estimated and str(get(f"{col}_source", "archetype")) == "facts":
            continue
        draw = rng.uniform(low, high, samples)
        draws[col] = draws[col] * draw if kind == "factor" else draws[col] + draw
    res = simulate(DwellingArrays.from_mapping(draws, what="woning"), None, carriers=carriers)
    counts = np.bincount(res.label[:, 0].astype(np.int64), minlength=len(LABELS))
    return {lab: round(float(c) / samples, 4) for lab, c in zip(LABELS, counts, strict=True) if c}


def _columns(row: pd.Series | Mapping[str, Any]) -> list[str]:
    """The core's input columns the row has (``use_factor`` and others have defaults)."""
    return [c for c in DWELLING_COLUMNS if c in row]


def _spreads() -> list[tuple[str, str, float, float, bool]]:
    """The rows of ``sim/data/estimate_spread.csv``: input, kind, low, high, only if estimated."""
    t = load_table("estimate_spread.csv")
    return list(
        zip(
            t["input"].astype(str),
            t["kind"].astype(str),
            t["low"].to_numpy(np.float64).tolist(),
            t["high"].to_numpy(np.float64).tolist(),
            t["only_if_estimated"].to_numpy(bool).tolist(),
            strict=True,
        )
    )


__all__ = ["SAMPLES", "draw_seed", "label_probabilities"]

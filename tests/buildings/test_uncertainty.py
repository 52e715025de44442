"""The label's uncertainty against an independent reference: every draw built and simulated
on its own, from the documented rule (the period first, then the inputs of
``sim/data/estimate_spread.csv`` in file order, all from one generator seeded by the id)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from buildings import years
from buildings.uncertainty import draw_seed, label_probabilities
from sim.carriers import load_carrier_tables
from sim.core import simulate
from sim.labels import LABELS
from sim.reference_data import load_table
from sim.stock import DWELLING_COLUMNS, DwellingArrays


def _draw_by_draw(row: pd.Series, samples: int) -> dict[str, float]:
    """The slow, obvious reference: one dwelling per draw, one core call per dwelling."""
    rng = np.random.default_rng(draw_seed(str(row["dwelling_id"])))
    factor = {c: np.ones(samples) for c in DWELLING_COLUMNS}
    offset = {c: np.zeros(samples) for c in DWELLING_COLUMNS}
    if row["construction_year_source"] == "drawn":
        period = years.redraw_factors(
            row["archetype_type"], row["attachment"], row["construction_year"], rng, samples
        )
        for c in years.YEAR_DEPENDENT_INPUTS:
            if row.get(f"{c}_source", "archetype") not in ("facts", "epc"):
                factor[c] = factor[c] * period[c].to_numpy()
    for spread in load_table("estimate_spread.csv").itertuples():
        if spread.only_if_estimated and row.get(f"{spread.input}_source") == "facts":
            continue
        draw = rng.uniform(spread.low, spread.high, samples)
        if spread.kind == "factor":
            factor[spread.input] = factor[spread.input] * draw
        else:
            offset[spread.input] = offset[spread.input] + draw
    carriers = load_carrier_tables()
    counts = dict.fromkeys(LABELS, 0)
    for k in range(samples):
        one = {
            c: np.asarray([row[c] * factor[c][k] + offset[c][k]])
            for c in DWELLING_COLUMNS
            if c in row
        }
        label = simulate(DwellingArrays.from_mapping(one), None, carriers=carriers).label[0, 0]
        counts[LABELS[label]] += 1
    return {lab: round(c / samples, 4) for lab, c in counts.items() if c}


def test_label_draws_equal_the_draw_by_draw_reference(demo_twin: gpd.GeoDataFrame) -> None:
    table = pd.DataFrame(demo_twin.drop(columns="geometry"))
    drawn = table["construction_year_source"].astype(str) == "drawn"
    # dwellings of both kinds: a known construction year, and one drawn from the periods
    picks = [*table.index[~drawn][::500], *table.index[drawn][::500]]
    assert drawn.any() and (~drawn).any()
    for i in picks:
        row = table.loc[i]
        got = label_probabilities(row, load_carrier_tables(), samples=60)
        assert got == _draw_by_draw(row, 60), row["dwelling_id"]
        assert abs(sum(got.values()) - 1.0) <= 5e-5 * len(got)  # shares rounded to 4 decimals


def test_the_same_dwelling_gets_the_same_answer(demo_twin: gpd.GeoDataFrame) -> None:
    row = pd.DataFrame(demo_twin.drop(columns="geometry")).iloc[3]
    carriers = load_carrier_tables()
    assert label_probabilities(row, carriers) == label_probabilities(row, carriers)

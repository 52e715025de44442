"""The service's fast paths give exactly the answers of the slow, obvious ones.

The card's label draws and the address fall-back search against the former implementations
(kept here as references; issue 12 asks for independent references instead). Equality is
exact: the answers are compared as JSON text, so every number must be the same double.
The household plan (the trajectory) has one path: ``tests/scenarios/test_household.py``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from api import service
from sim.core import simulate
from sim.labels import LABELS
from sim.stock import DWELLING_COLUMNS, DwellingArrays


@pytest.fixture(scope="module")
def state(demo_state: service.ServiceState) -> service.ServiceState:
    return demo_state


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON text (NaN, -0.0 and int/float differences would show)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


# ---------------------------------------------------------------------- slow references
def _reference_label_probabilities(
    state: service.ServiceState, row: pd.DataFrame, samples: int = 200
) -> dict[str, float]:
    """The card's label draws as they were: a DataFrame of ``samples`` copies of the row."""
    r = row.iloc[0]
    seed = int(pd.util.hash_array(np.asarray([str(r["dwelling_id"])], dtype=object))[0] % 2**32)
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(row[list(DWELLING_COLUMNS)]).loc[np.repeat(row.index, samples)]
    frame = frame.reset_index(drop=True)
    for col in ("u_roof_w_m2k", "u_wall_w_m2k", "u_floor_w_m2k", "u_window_w_m2k"):
        if str(r.get(f"{col}_source", "archetype")) != "facts":
            frame[col] = frame[col] * rng.uniform(0.75, 1.25, samples)
    frame["infiltration_ach"] = frame["infiltration_ach"] * rng.uniform(0.7, 1.3, samples)
    frame["setpoint_c"] = frame["setpoint_c"] + rng.uniform(-1.5, 1.5, samples)
    res = simulate(
        DwellingArrays.from_frame(frame, what="woning"),
        None,
        carriers=state.policy.carrier_tables(state.year),
    )
    counts = np.bincount(res.label[:, 0].astype(np.int64), minlength=len(LABELS))
    return {lab: round(float(c) / samples, 4) for lab, c in zip(LABELS, counts, strict=True) if c}


# ---------------------------------------------------------------------- card
def test_label_draws_equal_the_former_implementation(state: service.ServiceState) -> None:
    # the former implementation had no construction-year draws: compare the dwellings whose year
    # is not drawn (tests/buildings/test_years.py covers the drawn ones)
    drawn = state.table["construction_year_source"].astype(str).to_numpy() == "drawn"
    for did in state.table["dwelling_id"].to_numpy()[~drawn][::17]:
        row = state.table.loc[[did]]
        assert service.label_probabilities(state, row) == _reference_label_probabilities(
            state, row
        ), did


def test_cached_cards_equal_computed_ones(state: service.ServiceState) -> None:
    for did in state.table["dwelling_id"].to_numpy()[::97]:
        computed = service._dwelling_card(state, did, 200)
        for _ in range(2):  # computed and stored, then read from the store
            cached = service.dwelling_card(state, did)
            assert cached == computed and _same(cached, computed), did
            assert repr(cached) == repr(computed), did  # same types: no tuple became a list


def test_cached_card_is_a_copy(state: service.ServiceState) -> None:
    did = str(state.table["dwelling_id"].iloc[7])
    first = service.dwelling_card(state, did)
    first["current"]["label_probabilities"].clear()
    first["facts"].clear()
    again = service.dwelling_card(state, did)
    assert again["current"]["label_probabilities"] and again["facts"]
    assert again["current"]["label_probabilities"] == service.label_probabilities(
        state, state.table.loc[[did]]
    )
    assert again["address"] == str(state.index.labels[state.index.dwelling_ids == did][0])


# ---------------------------------------------------------------------- address search
def test_word_search_equals_the_former_scan(state: service.ServiceState) -> None:
    index = state.index
    keys = index.keys.astype(str)
    rng = np.random.default_rng(3)
    queries = ["a", "straat 1", "1 bus", "9999", "zzz", "laan 2 9", "e e", "st 1"]
    for key in rng.choice(keys, 60):
        words = key.split()
        w = words[int(rng.integers(len(words)))]
        cut = int(rng.integers(len(w)))
        queries.append(f"{w[cut:]} {words[-1][:2]}")  # inner parts of words, in any order
        queries.append(f"{words[-1]} {w[: cut + 1]}")
    for q in queries:
        for limit in (1, 10, 50):
            hit = np.ones(keys.size, dtype=bool)
            for w in q.split():
                hit &= np.char.find(keys, w) >= 0
            want = np.flatnonzero(hit)[:limit].tolist()
            assert index._containing(q.split(), limit) == want, (q, limit)

"""The service's fast paths give exactly the answers of the slow, obvious ones.

A cached card against the card computed again, and the address fall-back search against a
brute-force scan of every address. Equality is exact: the answers are compared as JSON text, so
every number must be the same double. The card's label draws are checked against a
draw-by-draw reference in ``tests/buildings/test_uncertainty.py``; the household plan (the
trajectory) against a brute force in ``tests/scenarios/test_household.py``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from api import service


@pytest.fixture(scope="module")
def state(demo_state: service.ServiceState) -> service.ServiceState:
    return demo_state


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON text (NaN, -0.0 and int/float differences would show)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


# ---------------------------------------------------------------------- card
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
def test_word_search_equals_a_brute_force_scan(state: service.ServiceState) -> None:
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

"""The service's fast paths give exactly the answers of the slow, obvious ones.

The trajectory answer read from one row of the candidates (:mod:`api.fasttraj`) against
:func:`scenarios.trajectory.plan_table` and the vectorised optimiser for every dwelling of the
demo town; the card's label draws and the address fall-back search against the former
implementations (kept here as references). Equality is exact: the answers are compared as JSON
text, so every number must be the same double (tolerance 0).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from api import service
from api.fasttraj import (
    STEP_FIELDS,
    TreePlan,
    best_within_budget_row,
    cheapest_to_target_row,
    option,
    plan_steps,
)
from scenarios.candidates import (
    Candidates,
    best_within_budget,
    build_candidates,
    cheapest_to_target,
)
from scenarios.policy import INCOME_CATEGORIES
from scenarios.trajectory import DEFAULT_ORDER, plan_table
from sim.core import simulate
from sim.labels import LABELS
from sim.stock import DWELLING_COLUMNS, DwellingArrays

BUDGETS_EUR = (0.0, 5_000.0, 15_000.0, 40_000.0, 1e7)


@pytest.fixture(scope="module")
def state(demo_twin: gpd.GeoDataFrame) -> service.ServiceState:
    return service.load_state(demo_twin)


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON text (NaN, -0.0 and int/float differences would show)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


# ---------------------------------------------------------------------- slow references
def _reference_steps(plan: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    """The step records as the service built them from :func:`plan_table` before the fast path."""
    return [
        {
            "step": int(rec["step"]),
            "measure": rec["measure"] or None,
            "measure_nl": names.get(rec["measure"], "huidige toestand"),
            **{k: service._clean(rec[k]) for k in STEP_FIELDS},
            "label": str(rec["label"]),
        }
        for rec in plan.to_dict("records")
    ]


def _reference_options(cand: Candidates, choices: dict[str, Any]) -> dict[str, Any]:
    net = cand.net_cost()
    out: dict[str, Any] = {}
    for name, idx in choices.items():
        t = int(idx[0])
        out[name] = (
            None
            if t < 0
            else {
                "measures": [m for m in str(cand.done(idx)[0]).split("+") if m],
                "net_cost_eur": float(net[0, t]),
                "label": LABELS[int(cand.label[0, t])],
                "co2_kg": float(cand.expected_co2_kg[0, t]),
                "energy_cost_eur": float(cand.expected_cost_eur[0, t]),
            }
        )
    return out


def _reference_trajectory(
    state: service.ServiceState,
    dwelling_id: str,
    overrides: dict[str, float] | None = None,
    target_label: str = "A",
    budget_eur: float | None = None,
    income_category: str = "cat2",
) -> dict[str, Any]:
    """:func:`api.service.trajectory` as it was: candidates of the dwelling, then pandas."""
    row = service.apply_overrides(state.table.loc[[dwelling_id]], overrides or {})
    cand = build_candidates(
        row, [DEFAULT_ORDER], state.catalogue, state.policy, state.year, income_category
    )
    plan = plan_table(cand, row["dwelling_id"].to_numpy(), DEFAULT_ORDER)
    choices = {"cheapest_to_target": cheapest_to_target(cand, LABELS.index(target_label))}
    if budget_eur is not None:
        choices["best_within_budget"] = best_within_budget(cand, budget_eur)
    names = {m.id: m.label_nl for m in state.catalogue.measures}
    return {
        "dwelling_id": dwelling_id,
        "year": state.year,
        "income_category": income_category,
        "target_label": target_label,
        "long_term_goal": {"year": 2050, "label": "A"},
        "steps": _reference_steps(plan, names),
        "not_applicable": [m for m in DEFAULT_ORDER if m not in set(plan["measure"])],
        "options": _reference_options(cand, choices),
        "calibration": None,
    }


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


# ---------------------------------------------------------------------- trajectory
@pytest.mark.parametrize("income", INCOME_CATEGORIES)
def test_row_plan_equals_plan_table_for_every_dwelling(
    state: service.ServiceState, income: str
) -> None:
    cand = state.default_candidates[income]
    ids = state.table["dwelling_id"].to_numpy()
    table = plan_table(cand, ids, DEFAULT_ORDER)
    by_dwelling: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in table.to_dict("records"):
        by_dwelling[rec["dwelling_id"]].append(rec)
    names = state.names_nl
    plan = TreePlan.of(cand, DEFAULT_ORDER)
    cheapest = {lab: cheapest_to_target(cand, LABELS.index(lab)) for lab in LABELS}
    budget = {b: best_within_budget(cand, b) for b in BUDGETS_EUR}
    done = {name: cand.done(idx) for name, idx in {**cheapest, **budget}.items()}
    net = cand.net_cost()
    skipped_some = 0
    for i, did in enumerate(ids):
        expected = _reference_steps(pd.DataFrame(by_dwelling[did]), names)
        steps, skipped = plan_steps(cand, i, plan, names)
        assert _same(steps, expected), did
        assert skipped == [m for m in DEFAULT_ORDER if m not in {s["measure"] for s in steps}]
        skipped_some += bool(skipped)
        for key, idx in {**cheapest, **budget}.items():
            got = (
                cheapest_to_target_row(cand, i, plan, LABELS.index(key))
                if key in cheapest
                else best_within_budget_row(cand, i, plan, float(key))
            )
            assert got == int(idx[i]), (did, key)
            want = None
            if got >= 0:
                want = {
                    "measures": [m for m in str(done[key][i]).split("+") if m],
                    "net_cost_eur": float(net[i, got]),
                    "label": LABELS[int(cand.label[i, got])],
                    "co2_kg": float(cand.expected_co2_kg[i, got]),
                    "energy_cost_eur": float(cand.expected_cost_eur[i, got]),
                }
            assert _same(option(cand, i, plan, got), want), (did, key)
    assert skipped_some > 0  # the demo town exercises skipped measures


def test_fast_trajectory_equals_the_former_service(state: service.ServiceState) -> None:
    ids = state.table["dwelling_id"].to_numpy()[::53]
    for k, did in enumerate(ids):
        target = LABELS[k % len(LABELS)]
        income = INCOME_CATEGORIES[k % len(INCOME_CATEGORIES)]
        budget = BUDGETS_EUR[k % len(BUDGETS_EUR)] if k % 3 else None
        got = service.trajectory(
            state, did, target_label=target, budget_eur=budget, income_category=income
        )
        want = _reference_trajectory(state, did, None, target, budget, income)
        assert _same(got, want), did


def test_corrected_trajectory_equals_the_former_service(state: service.ServiceState) -> None:
    ids = state.table["dwelling_id"].to_numpy()[::211]
    for k, did in enumerate(ids):
        overrides = {"u_roof_w_m2k": 0.2} if k % 2 else {"setpoint_c": 19.0, "pv_kwp": 0.0}
        got = service.trajectory(state, did, overrides=overrides, budget_eur=12_000.0)
        want = _reference_trajectory(state, did, overrides, budget_eur=12_000.0)
        assert _same(got, want), did


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

"""Trajectory candidates and the optimiser, against stappenplan, direct sums and brute force."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from scenarios.candidates import (
    Candidates,
    all_subsets,
    annual_cost_co2,
    best_within_budget,
    build_candidates,
    cheapest_to_target,
)
from scenarios.catalogue import load_catalogue
from scenarios.policy import load_policy, parse_policy
from scenarios.trajectory import stappenplan
from sim.errors import InputError
from sim.labels import LABELS

O1 = [
    "roof_insulation",
    "cavity_wall_fill",
    "exterior_wall_insulation",
    "glazing_hr",
    "heat_pump_air_water",
    "pv",
]
O2 = ["roof_insulation", "cavity_wall_fill", "glazing_triple", "ventilation_d", "heat_pump_ground"]


@pytest.fixture(scope="module")
def twin(demo_twin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return demo_twin.sample(400, random_state=3).reset_index(drop=True)


@pytest.fixture(scope="module")
def cand(twin: gpd.GeoDataFrame) -> Candidates:
    return build_candidates(
        twin, [O1, O2], load_catalogue(), load_policy(), year=2025, discounts=[0.2]
    )


def test_tree_shares_prefixes_and_reachability_follows_it(cand: Candidates) -> None:
    # O1 and O2 share their first two measures: 1 + 6 + 3 candidates
    assert cand.k == 10
    assert cand.packages[0] == ()
    for t, pkg in enumerate(cand.packages):
        for s, other in enumerate(cand.packages):
            assert cand.reachable[t, s] == (pkg[: len(other)] == other)
        assert cand.depth[t] == len(pkg)
        if t:
            assert cand.packages[cand.parent[t]] == pkg[:-1]


def test_every_candidate_equals_the_stappenplan_of_its_measures(
    twin: gpd.GeoDataFrame, cand: Candidates
) -> None:
    cat, pol = load_catalogue(), load_policy()
    for t in (3, 6, 9):
        plan = stappenplan(twin, list(cand.packages[t]), cat, pol, year=2025)
        last = plan.groupby("dwelling_id", sort=False).tail(1).set_index("dwelling_id")
        last = last.loc[twin["dwelling_id"]]
        # the stappenplan shows what the household emits: the expected actual use
        np.testing.assert_allclose(last["co2_kg"], cand.expected_co2_kg[:, t], rtol=1e-12)
        np.testing.assert_allclose(
            last["heating_need_kwh"], cand.heating_need_kwh[:, t], rtol=1e-12
        )
        assert (last["label"].astype(str).to_numpy() == np.asarray(LABELS)[cand.label[:, t]]).all()
        invest = (
            plan.groupby("dwelling_id", sort=False)["investment_eur"].sum().loc[twin["dwelling_id"]]
        )
        np.testing.assert_allclose(invest, cand.investment_eur["individual"][:, t], rtol=1e-12)
        done = (
            plan.groupby("dwelling_id", sort=False)["measures_done"].last().loc[twin["dwelling_id"]]
        )
        assert (done.to_numpy() == cand.done(np.full(cand.n, t))).all()


def test_costs_add_up_along_the_tree_per_price_scheme(
    twin: gpd.GeoDataFrame, cand: Candidates
) -> None:
    cat = load_catalogue()
    for t in range(1, cand.k):
        mid = cand.packages[t][-1]
        p = cand.parent[t]
        step = cand.investment_eur["individual"][:, t] - cand.investment_eur["individual"][:, p]
        expect = np.where(cand.applied[:, t], cat.costs(twin, [mid])[:, 0], 0.0)
        np.testing.assert_allclose(step, expect, rtol=1e-12, atol=1e-9)
        coll = cand.investment_eur["collective"][:, t] - cand.investment_eur["collective"][:, p]
        expect_c = np.where(cand.applied[:, t], cat.costs(twin, [mid], collective=True)[:, 0], 0.0)
        np.testing.assert_allclose(coll, expect_c, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(
        cand.investment_eur["collective_0.2"], 0.8 * cand.investment_eur["individual"], rtol=1e-12
    )
    for s in cand.premium_eur:
        assert (cand.premium_eur[s] <= cand.investment_eur[s] + 1e-9).all()


def test_a_trajectory_never_increases_the_heating_need(cand: Candidates) -> None:
    for t in range(1, cand.k):
        p = cand.parent[t]
        assert (
            cand.heating_need_kwh[:, t] <= cand.heating_need_kwh[:, p] * (1 + 1e-12) + 1e-9
        ).all()
    # a skipped measure leaves the dwelling as it was
    skipped = ~cand.applied
    parent_need = cand.heating_need_kwh[:, cand.parent.clip(0)]
    assert (cand.heating_need_kwh[skipped] == parent_need[skipped]).all()


def test_repricing_reproduces_the_core_and_follows_other_years(cand: Candidates) -> None:
    pol = load_policy()
    tables = pol.carrier_tables(2025)
    cost, co2 = annual_cost_co2(
        cand.final_kwh, cand.pv_kwh, tables.price_eur_kwh, tables.co2_kg_kwh
    )
    np.testing.assert_allclose(cost, cand.cost_eur, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(co2, cand.co2_kg, rtol=1e-12, atol=1e-9)
    # the same accounting on the expected actual use reproduces the core's expected figures
    x_cost, x_co2 = annual_cost_co2(
        cand.expected_final_kwh, cand.pv_kwh, tables.price_eur_kwh, tables.co2_kg_kwh
    )
    np.testing.assert_allclose(x_cost, cand.expected_cost_eur, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(x_co2, cand.expected_co2_kg, rtol=1e-12, atol=1e-9)
    # in 2040 the grid is cleaner: an all-electric candidate emits less than in 2025
    later = pol.carrier_tables(2040)
    _, co2_2040 = annual_cost_co2(
        cand.final_kwh, cand.pv_kwh, later.price_eur_kwh, later.co2_kg_kwh
    )
    electric = cand.fossil_free[:, 5] & (cand.final_kwh[:, 5].sum(axis=1) > 0)
    assert electric.any()
    assert (co2_2040[electric, 5] < cand.co2_kg[electric, 5]).all()


def _brute_cheapest(cand: Candidates, target: int, start: np.ndarray, fossil: bool) -> np.ndarray:
    net = cand.net_cost()
    out = np.full(cand.n, -1)
    for i in range(cand.n):
        best = None
        for t in range(cand.k):
            if not cand.reachable[t, start[i]] or cand.label[i, t] > target:
                continue
            if fossil and not cand.fossil_free[i, t]:
                continue
            key = (net[i, t], cand.depth[t], t)
            if best is None or key < best:
                best = key
        out[i] = -1 if best is None else best[2]
    return out


@pytest.mark.parametrize("target", [1, 2, 3])
@pytest.mark.parametrize("fossil", [False, True])
def test_cheapest_to_target_matches_brute_force(
    cand: Candidates, target: int, fossil: bool
) -> None:
    rng = np.random.default_rng(target)
    start = np.where(rng.random(cand.n) < 0.5, 0, rng.integers(0, cand.k, cand.n))
    got = cheapest_to_target(cand, target, start=start, fossil_free=fossil)
    np.testing.assert_array_equal(got, _brute_cheapest(cand, target, start, fossil))
    hit = got >= 0
    assert (cand.label[hit, got[hit]] <= target).all()


def test_best_within_budget_matches_brute_force(cand: Candidates) -> None:
    budget = np.random.default_rng(0).uniform(0, 40_000, cand.n)
    got = best_within_budget(cand, budget)
    net = cand.net_cost()
    for i in range(cand.n):
        ok = [t for t in range(cand.k) if net[i, t] <= budget[i] + 1e-9]
        best = min(ok, key=lambda t: (cand.expected_co2_kg[i, t], net[i, t], cand.depth[t], t))
        assert got[i] == best
    # more money never gives a worse result
    more = best_within_budget(cand, budget + 10_000)
    rows = np.arange(cand.n)
    x = cand.expected_co2_kg
    assert (x[rows, more] <= x[rows, got] + 1e-9).all()


def test_unknown_and_repeated_measures_are_reported_together(twin: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError) as err:
        build_candidates(
            twin, [["roof_insulation", "dakraam"], ["pv", "pv"]], load_catalogue(), load_policy()
        )
    text = str(err.value)
    assert "orders[0][1]" in text and "dakraam" in text and "orders[1]" in text


def test_every_combination_is_a_candidate_and_never_worse_than_the_prefixes(
    twin: gpd.GeoDataFrame, cand: Candidates
) -> None:
    order = O1[:5]
    subsets = all_subsets(order)
    assert len(subsets) == 2 ** len(order) - 1 and len(set(subsets)) == len(subsets)
    assert all(list(p) == [m for m in order if m in p] for p in subsets)  # order kept
    full = build_candidates(twin, subsets, load_catalogue(), load_policy(), year=2025)
    assert full.k == 2 ** len(order)
    prefixes = build_candidates(twin, [order], load_catalogue(), load_policy(), year=2025)
    for target in (1, 2, 3):
        a = cheapest_to_target(full, target)
        b = cheapest_to_target(prefixes, target)
        rows = np.flatnonzero(b >= 0)
        assert (a[rows] >= 0).all()  # what prefixes reach, combinations reach too ...
        assert (full.net_cost()[rows, a[rows]] <= prefixes.net_cost()[rows, b[rows]] + 1e-9).all()
    # ... and strictly cheaper for some dwellings (skipping a poor-value step)
    a, b = cheapest_to_target(full, 2), cheapest_to_target(prefixes, 2)
    rows = np.flatnonzero(b >= 0)
    assert (full.net_cost()[rows, a[rows]] < prefixes.net_cost()[rows, b[rows]] - 1.0).any()
    assert all_subsets(order, max_measures=2) == tuple(p for p in subsets if len(p) <= 2)


def test_a_measure_of_a_custom_catalogue_carries_its_premium(twin: gpd.GeoDataFrame) -> None:
    """A municipality's own measure id (a copy of the heat pump called ``wp_lucht_water_plus``)
    with its own premium rule: 30 % of the invoice, at most 1,000 EUR, in every category. The
    candidate of that one measure gets min(0.3 x invoice, 1,000) where it applies, 0 elsewhere;
    a premium entry for an id the catalogue lacks stops the run before any computation."""
    catalogue = load_catalogue()
    extra = catalogue.measure("heat_pump_air_water").model_copy(
        update={"id": "wp_lucht_water_plus"}
    )
    custom = catalogue.model_copy(update={"measures": [*catalogue.measures, extra]})
    base = load_policy()
    tier = {"percent_of_invoice": 30.0, "cap_eur": 1_000.0}
    rule = {"sources": ["mijn_verbouwpremie_2025"], "cat1": tier, "cat2": tier}
    rule |= {"cat3": tier, "cat4": tier}
    measures = {k: v.model_dump(exclude_none=True) for k, v in base.premiums.measures.items()}
    data = base.model_dump(exclude_none=True)
    data["premiums"]["measures"] = {**measures, "wp_lucht_water_plus": rule}
    policy = parse_policy(data)
    cand = build_candidates(twin, [["wp_lucht_water_plus"]], custom, policy, income_category="cat1")
    invoice = cand.investment_eur["individual"][:, 1]
    applied = cand.applied[:, 1]
    assert applied.any()
    want = np.where(applied, np.minimum(0.3 * invoice, 1_000.0), 0.0)
    np.testing.assert_allclose(cand.premium_eur["individual"][:, 1], want, rtol=0, atol=1e-9)
    # the shipped catalogue does not know the id: a Dutch error naming the policy entry
    with pytest.raises(InputError) as err:
        build_candidates(twin, [["roof_insulation"]], catalogue, policy)
    assert "premiums.measures.wp_lucht_water_plus" in str(err.value)
    assert "de maatregelencatalogus kent hem niet" in str(err.value)


def test_stacking_candidates_in_one_call_changes_no_number(
    twin: gpd.GeoDataFrame, cand: Candidates, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one candidate per core call (the stack bounded to one twin's rows) against the default
    # stacking, and one dwelling alone against its row among 400: the same bits
    import scenarios.candidates as module

    monkeypatch.setattr(module, "_STACKED_ROWS", 1)
    alone = build_candidates(
        twin, [O1, O2], load_catalogue(), load_policy(), year=2025, discounts=[0.2]
    )
    monkeypatch.undo()
    one = build_candidates(
        twin.iloc[[7]], [O1, O2], load_catalogue(), load_policy(), year=2025, discounts=[0.2]
    )
    for name in ("applied", "label", "expected_final_kwh", "energy_score_kwh_m2", "pv_kwh"):
        np.testing.assert_array_equal(getattr(alone, name), getattr(cand, name))
        np.testing.assert_array_equal(getattr(one, name)[0], getattr(cand, name)[7])
    for scheme in cand.investment_eur:
        np.testing.assert_array_equal(alone.net_cost(scheme), cand.net_cost(scheme))
        np.testing.assert_array_equal(one.net_cost(scheme)[0], cand.net_cost(scheme)[7])


def test_another_income_category_changes_only_the_premiums(
    twin: gpd.GeoDataFrame, cand: Candidates
) -> None:
    from scenarios.candidates import with_income

    cat, pol = load_catalogue(), load_policy()
    other = build_candidates(
        twin, [O1, O2], cat, pol, year=2025, income_category="cat4", discounts=[0.2]
    )
    repriced = with_income(cand, twin, cat, pol, "cat4")
    assert set(repriced.premium_eur) == set(other.premium_eur)  # the discount scheme too
    for scheme in other.premium_eur:
        np.testing.assert_array_equal(repriced.premium_eur[scheme], other.premium_eur[scheme])
        np.testing.assert_array_equal(repriced.investment_eur[scheme], cand.investment_eur[scheme])
    assert any(
        not np.array_equal(cand.premium_eur[s], other.premium_eur[s]) for s in other.premium_eur
    )


def test_a_table_of_plain_arrays_gives_the_same_candidates(
    twin: gpd.GeoDataFrame, cand: Candidates
) -> None:
    # what the service passes for one corrected dwelling: columns as arrays, no DataFrame
    plain = {str(c): twin[c].to_numpy() for c in twin.columns if c != "geometry"}
    again = build_candidates(
        plain, [O1, O2], load_catalogue(), load_policy(), year=2025, discounts=[0.2]
    )
    for name in ("applied", "label", "expected_final_kwh", "energy_score_kwh_m2", "co2_kg"):
        np.testing.assert_array_equal(getattr(again, name), getattr(cand, name))
    for scheme in cand.investment_eur:
        np.testing.assert_array_equal(again.net_cost(scheme), cand.net_cost(scheme))


def test_new_emitters_are_sized_as_the_core_sizes_a_package(twin: gpd.GeoDataFrame) -> None:
    # one rule: after low-temperature emitters a state's emitters are sized for that state,
    # as the core sizes the new emitters of a package; so a chain whose every step applies
    # equals the core's package of the same measures (insulation after the emitters included)
    from sim.core import simulate
    from sim.stock import DwellingArrays

    cat, pol = load_catalogue(), load_policy()
    order = ["low_temperature_emitters", "roof_insulation", "glazing_hr", "heat_pump_air_water"]
    cand = build_candidates(twin, [order], cat, pol, year=2025)
    arrays = DwellingArrays.from_mapping(twin)
    carriers = pol.carrier_tables(2025)
    checked = 0
    for j in range(1, len(order) + 1):
        t = cand.packages.index(tuple(order[:j]))
        every = cand.applied[:, [cand.packages.index(tuple(order[: i + 1])) for i in range(j)]]
        rows = np.flatnonzero(every.all(axis=1))
        package = simulate(arrays.take(rows), cat.variants([order[:j]]), carriers=carriers)
        np.testing.assert_allclose(
            cand.energy_score_kwh_m2[rows, t], package.energy_score_kwh_m2[:, 0], rtol=1e-9
        )
        np.testing.assert_allclose(
            cand.expected_cost_eur[rows, t], package.expected_cost_eur[:, 0], rtol=1e-9
        )
        checked += rows.size
    assert checked > 50  # the rule was checked on real dwellings at every step


def test_rules_judge_each_state_on_every_column_they_read(twin: gpd.GeoDataFrame) -> None:
    # the rules on columns no measure changes (the window area: the sum of eight orientation
    # columns) and those on what a measure changes (the windows' U-value) are judged apart in
    # build_candidates; every rule must still hold for the measure to apply. The reference is
    # the catalogue judging the twin's rows directly: a first measure sees the dwelling as it
    # is, and a roof does not change the windows
    from scenarios.catalogue import WINDOW_COLUMNS

    cat, pol = load_catalogue(), load_policy()
    rows = twin.copy()
    no_windows = np.arange(len(rows)) % 3 == 0
    for c in WINDOW_COLUMNS:
        rows.loc[no_windows, c] = 0.0
    got = build_candidates(rows, [["glazing_hr"], ["roof_insulation", "glazing_hr"]], cat, pol)
    want = cat.applicable(rows, ["glazing_hr"])[:, 0]
    assert want.any() and not want[no_windows].any()
    np.testing.assert_array_equal(got.applied[:, got.packages.index(("glazing_hr",))], want)
    after_roof = got.packages.index(("roof_insulation", "glazing_hr"))
    np.testing.assert_array_equal(got.applied[:, after_roof], want)


def test_a_measure_that_does_not_apply_leaves_the_parents_numbers(cand: Candidates) -> None:
    # the candidate's state is its parent's (build_candidates simulates it once, for the
    # parent): every physical result equals the parent's, and it costs nothing more
    skipped = 0
    for t in range(1, cand.k):
        rows = ~cand.applied[:, t]
        skipped += int(rows.sum())
        p = cand.parent[t]
        for name in ("heating_need_kwh", "energy_score_kwh_m2", "label", "expected_co2_kg"):
            values = getattr(cand, name)
            np.testing.assert_array_equal(values[rows, t], values[rows, p])
        np.testing.assert_array_equal(cand.final_kwh[rows, t], cand.final_kwh[rows, p])
        np.testing.assert_array_equal(cand.net_cost()[rows, t], cand.net_cost()[rows, p])
    assert skipped > 0

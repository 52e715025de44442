"""Service functions of the HTTP API, on the demo twin: search, card, corrections, calibration."""

from __future__ import annotations

import numpy as np
import pytest

from api import service
from scenarios.trajectory import DEFAULT_ORDER, stappenplan
from sim.carriers import CARRIERS
from sim.core import simulate
from sim.errors import InputError
from sim.stock import DWELLING_COLUMNS, DwellingArrays


@pytest.fixture(scope="module")
def state(demo_state: service.ServiceState) -> service.ServiceState:
    return demo_state


def _house(state: service.ServiceState) -> str:
    t = state.twin
    mask = (t["attachment"] != "apartment") & (t["heating_system"].isin([0, 1]))
    mask &= t["u_roof_w_m2k"] > 1.0
    return str(t.loc[mask, "dwelling_id"].sort_values().iloc[0])


def test_address_search_is_a_prefix_search_ignoring_case_and_accents(
    state: service.ServiceState,
) -> None:
    t = state.twin
    r = t[t["box_number"].isna()].sort_values("dwelling_id").iloc[0]
    full = f"{r['street']} {r['house_number']}, {r['postcode']}"
    hits = state.index.search(full.upper())
    assert hits and hits[0]["dwelling_id"] == r["dwelling_id"] and hits[0]["address"] == full
    prefix = state.index.search(str(r["street"])[:5].lower(), limit=7)
    assert 1 <= len(prefix) <= 7
    assert all(
        service.normalise(h["address"]).startswith(service.normalise(str(r["street"])[:5]))
        for h in prefix
    )
    assert state.index.search("Nergensstraat 999") == []
    assert state.index.search("   ") == []
    # apartments: the bus number narrows the search to one dwelling
    a = t[t["box_number"].notna()].iloc[0]
    flat = state.index.search(f"{a['street']} {a['house_number']} bus {a['box_number']}")
    assert flat[0]["dwelling_id"] == a["dwelling_id"]


def test_card_shows_provenance_and_a_label_distribution(state: service.ServiceState) -> None:
    did = _house(state)
    card = service.dwelling_card(state, did)
    assert card["dwelling_id"] == did and card["facts"]["construction_year"]["source"] in (
        "facts",
        "imputed",
        "drawn",
    )
    probs = card["current"]["label_probabilities"]
    assert sum(probs.values()) == pytest.approx(1.0)
    assert card["current"]["label"] in probs  # the estimate is among the likely labels
    row = state.twin.loc[[did]]
    res = simulate(
        DwellingArrays.from_frame(row[list(DWELLING_COLUMNS)]),
        None,
        carriers=state.policy.carrier_tables(2025),
    )
    assert card["current"]["co2_kg"] == pytest.approx(float(res.expected_co2_kg[0, 0]), rel=1e-12)
    assert service.dwelling_card(state, did) == card  # seeded by the dwelling: same answer
    with pytest.raises(service.NotFound):
        service.dwelling_card(state, "geen/woning")


def test_corrections_change_the_plan_and_are_range_checked(state: service.ServiceState) -> None:
    did = _house(state)
    plain = service.trajectory(state, did)
    direct = stappenplan(state.twin.loc[[did]], DEFAULT_ORDER, state.catalogue, state.policy, 2025)
    assert [s["measure"] for s in plain["steps"][1:]] == list(direct["measure"].iloc[1:])
    assert "roof_insulation" in [s["measure"] for s in plain["steps"]]
    # "the roof was insulated in 2012": roof insulation no longer applies, the need is lower
    done = service.trajectory(state, did, overrides={"u_roof_w_m2k": 0.2})
    assert "roof_insulation" in done["not_applicable"]
    assert done["steps"][0]["heating_need_kwh"] < plain["steps"][0]["heating_need_kwh"]
    with pytest.raises(InputError) as err:
        service.trajectory(
            state, did, overrides={"u_wall_w_m2k": -1.0, "setpoint_c": 80.0, "kleur": 3.0}
        )
    assert set(err.value.fields) == {"u_wall_w_m2k", "setpoint_c", "kleur"}
    budget = service.trajectory(state, did, budget_eur=10_000.0)
    best = budget["options"]["best_within_budget"]
    assert best is not None and best["net_cost_eur"] <= 10_000.0 + 1e-6


def test_measured_gas_sets_the_households_use_factor_not_the_label(
    state: service.ServiceState,
) -> None:
    did = _house(state)
    row = state.twin.loc[[did]].assign(use_factor=1.0)
    gas = CARRIERS.index("natural_gas")
    res = simulate(
        DwellingArrays.from_frame(row[list(DWELLING_COLUMNS)]),
        None,
        carriers=state.policy.carrier_tables(2025),
    )
    expected = float(res.expected_final_kwh[0, 0, gas])
    plain = service.trajectory(state, did)
    out = service.trajectory(state, did, measured={"natural_gas": 0.8 * expected})
    cal = out["calibration"]
    assert cal["calibrated"] and cal["use_factor"] == pytest.approx(0.8, rel=1e-3)
    assert cal["estimated_kwh"] == pytest.approx(expected, rel=1e-9)
    # the household's bill follows its measured use; the EPC label stays the standard one
    first, base = out["steps"][0], plain["steps"][0]
    assert first["label"] == base["label"]
    assert first["energy_score_kwh_m2"] == pytest.approx(base["energy_score_kwh_m2"], rel=1e-12)
    assert first["energy_cost_eur"] < base["energy_cost_eur"]
    absurd = service.trajectory(state, did, measured={"natural_gas": 50 * expected})
    assert absurd["calibration"]["calibrated"] is False
    assert "past niet" in absurd["calibration"]["reason_nl"]
    wrong = service.trajectory(state, did, measured={"district_heat": 5000.0})
    assert wrong["calibration"]["calibrated"] is False
    assert "warmte (warmtenet)" in wrong["calibration"]["reason_nl"]


def test_sector_map_is_geojson_in_wgs84(state: service.ServiceState) -> None:
    gj = service.sectors_geojson(state)
    assert gj["type"] == "FeatureCollection"
    assert len(gj["features"]) == state.twin["sector_id"].nunique()
    coords = np.asarray(gj["features"][0]["geometry"]["coordinates"][0])
    assert 2.5 < coords[:, 0].min() < 6.5 and 49.4 < coords[:, 1].min() < 51.6  # Belgium
    dwellings = sum(f["properties"]["dwellings"] for f in gj["features"])
    assert dwellings == len(state.twin)


def _label_spread(probs: dict[str, float]) -> float:
    """Standard deviation of the label index under the label probabilities."""
    from sim.labels import LABELS

    idx = np.array([LABELS.index(k) for k in probs], dtype=float)
    p = np.array(list(probs.values()))
    mean = float((idx * p).sum())
    return float(np.sqrt(((idx - mean) ** 2 * p).sum()))


def test_a_drawn_construction_year_widens_the_label_distribution(
    state: service.ServiceState,
) -> None:
    """The same dwelling, its year drawn from the stock's periods instead of known: the period
    is drawn too, so its label distribution is wider (invariant over dwellings of every type)."""
    t = state.table
    plain = (t["calibration_status"] == "no_epc") & (t["u_wall_w_m2k_source"] != "facts")
    ids = []
    for kind in ("open", "halfopen", "gesloten", "apartment"):
        ids += sorted(t.loc[plain & (t["attachment"] == kind), "dwelling_id"])[:3]
    assert len(ids) == 12
    for did in ids:
        row = t.loc[[did]]
        known = service.label_probabilities(state, row.assign(construction_year_source="facts"))
        drawn = service.label_probabilities(state, row.assign(construction_year_source="drawn"))
        assert sum(drawn.values()) == pytest.approx(1.0)
        assert _label_spread(drawn) > _label_spread(known), did
        assert len(drawn) >= len(known), did

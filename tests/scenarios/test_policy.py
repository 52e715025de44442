"""Tests of the Flemish renovation policy data (scenarios/policy.py, policy_flanders.yaml)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from scenarios.policy import Policy, load_policy, parse_policy
from sim.carriers import CARRIERS, load_carrier_tables
from sim.errors import InputError
from sim.labels import LABELS

SHIPPED = Path(__file__).parents[2] / "scenarios" / "data" / "policy_flanders.yaml"


@pytest.fixture
def raw() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def test_shipped_file_loads(policy: Policy) -> None:
    assert policy.schema_version == 1
    assert set(policy.energy_prices) == set(CARRIERS)
    assert set(policy.co2_factors) == set(CARRIERS)
    assert load_policy(SHIPPED) == policy


def test_2025_equals_carrier_table(policy: Policy) -> None:
    table = load_carrier_tables()
    prices = policy.prices(2025)
    co2 = policy.co2(2025)
    for i, c in enumerate(CARRIERS):
        assert prices[c] == pytest.approx(table.price_eur_kwh[i], abs=1e-12)
        assert co2[c] == pytest.approx(table.co2_kg_kwh[i], abs=1e-12)
    assert co2["electricity"] == pytest.approx(0.16749, abs=1e-12)  # AIB/VREG residual mix 2023
    tables = policy.carrier_tables(2025)
    np.testing.assert_allclose(tables.price_eur_kwh, table.price_eur_kwh, rtol=0, atol=1e-12)
    np.testing.assert_allclose(tables.co2_kg_kwh, table.co2_kg_kwh, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        tables.primary_energy_factor, table.primary_energy_factor, rtol=0, atol=0
    )


def test_interpolation_between_anchors_by_hand(policy: Policy) -> None:
    # electricity CO2 anchors 2025: 0.16749, 2030: 0.120, 2040: 0.060
    # 2027: 0.16749 + 2/5 * (0.120 - 0.16749) = 0.148494; 2035: (0.120 + 0.060) / 2 = 0.090
    co2 = policy.co2(np.array([2027, 2035, 2060, 2000]))["electricity"]
    np.testing.assert_allclose(co2, [0.148494, 0.090, 0.020, 0.16749], rtol=0, atol=1e-12)
    assert policy.carrier_tables(2035).co2_kg_kwh[CARRIERS.index("electricity")] == pytest.approx(
        0.090, abs=1e-12
    )


def test_interpolation_of_a_rising_price(raw: dict[str, Any]) -> None:
    raw["energy_prices"]["natural_gas"][1]["value"] = 0.140  # 2030
    p = parse_policy(raw)
    # 2026: 0.090 + 1/5 * 0.050 = 0.100; 2035: 0.140 + 1/2 * (0.090 - 0.140) = 0.115
    assert p.prices(2026)["natural_gas"] == pytest.approx(0.100, abs=1e-12)
    assert p.prices(2035)["natural_gas"] == pytest.approx(0.115, abs=1e-12)


# The minimum label of a deed, by year and type, as published (vlaanderen.be, "Renovatieverplichting
# voor residentiële gebouwen vanaf 2023": "te behalen label binnen de 5 jaar na aankoop, bij
# aankoop vanaf" ...), written out year by year at every boundary, by hand:
#   deeds        2022  2023-2027  2028-2034  2035-2039  2040-2044  2045-2050
#   houses        -        D          C          B          A          A
#   apartments    -        D          C          C          B          A
MINIMUM = {
    "house": {2022: None, 2023: "D", 2027: "D", 2028: "C", 2034: "C", 2035: "B", 2039: "B",
              2040: "A", 2044: "A", 2045: "A", 2050: "A"},
    "apartment": {2022: None, 2023: "D", 2027: "D", 2028: "C", 2034: "C", 2035: "C", 2039: "C",
                  2040: "B", 2044: "B", 2045: "A", 2050: "A"},
}  # fmt: skip


@pytest.mark.parametrize("kind", ["house", "apartment"])
@pytest.mark.parametrize("year", sorted(MINIMUM["house"]))
def test_obligation_target(policy: Policy, year: int, kind: str) -> None:
    label = MINIMUM[kind][year]
    idx = policy.obligation_target(np.array([year]), np.array([kind == "apartment"]))
    assert int(idx[0]) == (-1 if label is None else LABELS.index(label))


def test_obligation_target_vectorised(policy: Policy) -> None:
    years = np.array([2022, 2024, 2030, 2036, 2041, 2041, 2046])
    apt = np.array([False, False, False, False, False, True, True])
    got = policy.obligation_target(years, apt)
    want = [-1] + [LABELS.index(x) for x in ("D", "C", "B", "A", "B", "A")]
    np.testing.assert_array_equal(got, want)
    assert policy.renovation_obligation.deadline_years == 5


# One transfer per boundary year and type: the labels at the deed that oblige the buyer (every
# label worse than the year's minimum), by hand from the table above.
OBLIGED = {
    "house": {2022: "", 2023: "EF", 2027: "EF", 2028: "DEF", 2034: "DEF", 2035: "CDEF",
              2039: "CDEF", 2040: "BCDEF", 2044: "BCDEF", 2045: "BCDEF", 2050: "BCDEF"},
    "apartment": {2022: "", 2023: "EF", 2027: "EF", 2028: "DEF", 2034: "DEF", 2035: "DEF",
                  2039: "DEF", 2040: "CDEF", 2044: "CDEF", 2045: "BCDEF", 2050: "BCDEF"},
}  # fmt: skip


@pytest.mark.parametrize("kind", ["house", "apartment"])
@pytest.mark.parametrize("year", sorted(OBLIGED["house"]))
def test_every_transfer_below_the_years_minimum_is_obliged(
    policy: Policy, year: int, kind: str
) -> None:
    apt = kind == "apartment"
    got = policy.obligation_applies(np.arange(len(LABELS)), np.full(len(LABELS), year), apt)
    obliged = {x for x, hit in zip(LABELS, got, strict=True) if hit}
    assert obliged == set(OBLIGED[kind][year]), (kind, year)
    # the table's "A+"/"A" never oblige: A is the last minimum
    assert not got[LABELS.index("A+")] and not got[LABELS.index("A")]


def test_a_d_label_house_sold_in_2028_is_obliged_to_reach_c(policy: Policy) -> None:
    d = LABELS.index("D")
    assert bool(policy.obligation_applies(d, 2028, False))
    assert LABELS[int(policy.obligation_target(2028, False))] == "C"
    # ... but not when sold in 2027 (minimum D), and a D apartment sold in 2028 is obliged too
    assert not bool(policy.obligation_applies(d, 2027, False))
    assert bool(policy.obligation_applies(d, 2028, True))
    # a C apartment sold in 2035 is not obliged (apartments: C until 2039), a C house is (B)
    c = LABELS.index("C")
    assert not bool(policy.obligation_applies(c, 2035, True))
    assert bool(policy.obligation_applies(c, 2035, False))


def test_the_old_label_list_is_refused(raw: dict[str, Any]) -> None:
    # the obligation no longer has a list of triggering labels: a file that still has one would
    # silently mean "E and F only" to its author, so it is refused with the key named
    raw["renovation_obligation"]["applies_to_labels"] = ["E", "F"]
    err = _error(raw)
    assert err.fields == ["renovation_obligation.applies_to_labels"]
    assert "onbekende sleutel" in str(err)


def test_lekp_targets(policy: Policy) -> None:
    assert policy.lekp_targets(10_000) == {
        "collective_renovations": 500,
        "fossil_free": 250,
        "klimaattafel_invitations": 500,
        "wijkverbeteringscontract": 1,
    }
    # rounded up: 50/1000 * 1,010 = 50.5 -> 51; 25/1000 * 1,010 = 25.25 -> 26
    t = policy.lekp_targets(1_010)
    assert (t["collective_renovations"], t["fossil_free"]) == (51, 26)


def _error(data: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as e:
        parse_policy(data)
    return e.value


def test_typo_key_rejected(raw: dict[str, Any]) -> None:
    raw["lekp"]["peroid"] = raw["lekp"].pop("period")
    err = _error(raw)
    assert "lekp.peroid" in err.fields
    assert "lekp.period" in err.fields  # the right key is then missing
    assert "onbekende sleutel" in str(err)


def test_negative_price_rejected(raw: dict[str, Any]) -> None:
    raw["energy_prices"]["electricity"][2]["value"] = -0.1
    err = _error(raw)
    assert err.fields == ["energy_prices.electricity[2].value"]
    assert "moet ≥ 0 zijn" in str(err)


def test_years_not_increasing_rejected(raw: dict[str, Any]) -> None:
    raw["co2_factors"]["electricity"][2]["year"] = 2030
    raw["renovation_obligation"]["houses"][1]["from_year"] = 2020
    err = _error(raw)
    assert err.fields == ["co2_factors.electricity", "renovation_obligation.houses"]
    assert "jaren moeten stijgen" in str(err)


def test_unknown_carrier_label_rejected(raw: dict[str, Any]) -> None:
    raw["energy_prices"]["coal"] = copy.deepcopy(raw["energy_prices"]["natural_gas"])
    raw["renovation_obligation"]["apartments"][1]["target_label"] = "G"
    err = _error(raw)
    assert set(err.fields) == {
        "energy_prices.coal",
        "renovation_obligation.apartments[1].target_label",
    }
    assert "onbekende energiedrager 'coal'" in str(err)


def test_all_problems_in_one_error(raw: dict[str, Any]) -> None:
    raw["energy_prices"]["heating_oil"][0]["value"] = -1
    raw["co2_factors"]["wood_pellets"][1]["value"] = -1
    raw["lekp"]["per_1000_housing_units"]["fossil_free"]["value"] = -25
    raw["premiums"]["measures"]["pv"] = {"cat1": {"percent_of_invoice": 120}}
    err = _error(raw)
    assert len(err.problems) >= 5
    assert "energy_prices.heating_oil[0].value" in err.fields
    assert "co2_factors.wood_pellets[1].value" in err.fields
    assert "lekp.per_1000_housing_units.fossil_free.value" in err.fields
    assert "premiums.measures.pv.cat1.percent_of_invoice" in err.fields
    assert "premiums.measures.pv.sources" in err.fields


def test_missing_carrier_and_unknown_source(raw: dict[str, Any]) -> None:
    del raw["co2_factors"]["district_heat"]
    err = _error(raw)
    assert err.fields == ["co2_factors"]
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    raw["energy_prices"]["electricity"][0]["source"] = "my_guess"
    assert "energy_prices.electricity[0].source" in str(_error(raw))


def test_bad_file_on_disk(tmp_path: Path, raw: dict[str, Any]) -> None:
    raw["energy_prices"]["electricity"][2]["value"] = -1
    f = tmp_path / "policy.yaml"
    f.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(InputError, match=r"energy_prices\.electricity\[2\]\.value"):
        load_policy(f)
    f.write_text("a: [1,", encoding="utf-8")
    with pytest.raises(InputError, match="geen geldige YAML"):
        load_policy(f)

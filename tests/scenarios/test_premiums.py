"""Tests of the Mijn VerbouwPremie premiums (2025 rules) in scenarios/policy.py and
scenarios/data/policy_flanders.yaml.

The worked examples are computed by hand in the parameter tables below from the rule
``premium = min(percent / 100 x invoice, cap_eur, cap_eur_m2 x area)`` and the figures of the
policy file (their sources and assumptions are written beside them there). Figures a published
page gives are marked "published"; the others are the file's stated assumptions.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.catalogue import AREA_BASES, Basis, Catalogue
from scenarios.policy import (
    DEFAULT_INCOME_CATEGORY,
    INCOME_CATEGORIES,
    Policy,
    check_premium_measures,
    parse_policy,
)
from sim.errors import InputError

SHIPPED = Path(__file__).parents[2] / "scenarios" / "data" / "policy_flanders.yaml"


@pytest.fixture
def raw() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _one(policy: Policy, mid: str, invoice: float, category: str, area: float | None) -> float:
    area_m2 = None if area is None else np.array([[area]])
    got = policy.premium([mid], np.array([[invoice]]), np.array([category]), area_m2=area_m2)
    return float(got[0, 0])


# ---------------------------------------------------------------------- categories
def test_four_categories_from_least_to_most_supported(policy: Policy) -> None:
    assert INCOME_CATEGORIES == ("cat1", "cat2", "cat3", "cat4")
    assert DEFAULT_INCOME_CATEGORY == "cat2"
    labels = policy.premiums.labels_nl()
    assert list(labels) == list(INCOME_CATEGORIES)
    for k, cat in enumerate(INCOME_CATEGORIES, start=1):
        assert labels[cat].startswith(f"categorie {k}:")
    # categorie 4 is the most supported group (lowest incomes), categorie 1 the least
    assert "laagste inkomens" in labels["cat4"] and "meest ondersteund" in labels["cat4"]
    assert "woonmaatschappij" in labels["cat4"]
    assert "hoogste inkomens" in labels["cat1"] and "minst ondersteund" in labels["cat1"]


def test_household_shares_sum_to_one_and_cat1_is_the_published_share(policy: Policy) -> None:
    shares = policy.premiums.shares()
    assert list(shares) == list(INCOME_CATEGORIES)
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    # published: 30 % (Frixis 2025) to 39 % (1 - 61 %, De Morgen 2022) in the highest category
    assert 0.30 <= shares["cat1"] <= 0.39


def test_household_shares_must_sum_to_one(raw: dict[str, Any]) -> None:
    raw["premiums"]["household_shares"]["cat4"] = 0.25
    with pytest.raises(InputError) as e:
        parse_policy(raw)
    assert e.value.fields == ["premiums.household_shares"]
    assert "de aandelen moeten samen 1 zijn, nu 1.1" in str(e.value)


@pytest.mark.parametrize(
    ("mid", "invoice"),
    [
        ("heat_pump_air_water", 4_000.0),
        ("heat_pump_ground", 4_000.0),
        ("heat_pump_hybrid", 4_000.0),
    ],
)
def test_heat_pump_caps_from_july_2025_are_20_25_35_50_percent(
    policy: Policy, mid: str, invoice: float
) -> None:
    """Published (NIBE, Vlaamse Regering 26 March 2025): 20 / 25 / 35 / 50 % of the invoice.

    A 4,000 EUR invoice stays under every amount cap (at least 2,000 EUR), so the percentage
    binds: 800, 1,000, 1,400 and 2,000 EUR.
    """
    got = policy.premium([mid], np.full((4, 1), invoice), np.array(INCOME_CATEGORIES))
    np.testing.assert_allclose(got[:, 0], [800.0, 1_000.0, 1_400.0, 2_000.0], rtol=0, atol=1e-9)


# ---------------------------------------------------------------------- worked examples
# (measure, area [m²] or None, invoice [EUR], expected premium for cat1, cat2, cat3, cat4 [EUR])
WORKED = [
    # roof 100 m², invoice 70 x 100 + 500 = 7,500 (catalogue price):
    # cat1 min(20 % = 1,500; 8 EUR/m² x 100 = 800 [published basispremie]) = 800
    # cat2 min(25 % = 1,875; 2,750) = 1,875; cat3 min(35 % = 2,625; 3,850) = 2,625;
    # cat4 min(50 % = 3,750; 5,500) = 3,750
    ("roof_insulation", 100.0, 7_500.0, (800.0, 1_875.0, 2_625.0, 3_750.0)),
    # roof 200 m², invoice 14,500: cat1 min(2,900; 1,600) = 1,600; the caps per dwelling bind:
    # cat2 min(3,625; 2,750) = 2,750; cat3 min(5,075; 3,850) = 3,850; cat4 min(7,250; 5,500)
    ("roof_insulation", 200.0, 14_500.0, (1_600.0, 2_750.0, 3_850.0, 5_500.0)),
    # cavity wall 120 m², invoice 25 x 120 + 300 = 3,300: cat1 min(660; 5 x 120 = 600) = 600;
    # cat2 25 % = 825; cat3 35 % = 1,155; cat4 50 % = 1,650
    ("cavity_wall_fill", 120.0, 3_300.0, (600.0, 825.0, 1_155.0, 1_650.0)),
    # exterior wall 120 m², invoice 180 x 120 + 1,500 = 23,100: cat1 min(4,620; 15 x 120) = 1,800;
    # cat2 min(5,775; 2,750); cat3 min(8,085; 3,850); cat4 min(11,550; 5,500)
    ("exterior_wall_insulation", 120.0, 23_100.0, (1_800.0, 2_750.0, 3_850.0, 5_500.0)),
    # inside wall 120 m², invoice 90 x 120 + 500 = 11,300: cat1 min(2,260; 1,800) = 1,800;
    # cat2 min(2,825; 2,750) = 2,750; cat3 min(3,955; 3,850) = 3,850; cat4 min(5,650; 5,500)
    ("interior_wall_insulation", 120.0, 11_300.0, (1_800.0, 2_750.0, 3_850.0, 5_500.0)),
    # floor 80 m², invoice 50 x 80 + 300 = 4,300: cat1 min(860; 6 x 80 = 480) = 480;
    # cat2 1,075; cat3 1,505; cat4 2,150
    ("floor_insulation", 80.0, 4_300.0, (480.0, 1_075.0, 1_505.0, 2_150.0)),
    # windows 20 m², invoice 650 x 20 = 13,000: cat1 min(2,600; 8 x 20) = 160;
    # cat2 min(3,250; 2,750) = 2,750 [published: middle category at most 2,750 EUR from 2025];
    # cat3 min(4,550; 3,850) = 3,850; cat4 min(6,500; 5,500) = 5,500
    ("glazing_hr", 20.0, 13_000.0, (160.0, 2_750.0, 3_850.0, 5_500.0)),
    # triple glazing 20 m², invoice 800 x 20 = 16,000: the same category of works (windows)
    ("glazing_triple", 20.0, 16_000.0, (160.0, 2_750.0, 3_850.0, 5_500.0)),
    # air/water heat pump, invoice 14,000 [percentages published]: cat1 min(2,800; 3,000) = 2,800;
    # cat2 min(3,500; 3,000) = 3,000; cat3 min(4,900; 3,000) = 3,000; cat4 min(7,000; 3,600)
    ("heat_pump_air_water", None, 14_000.0, (2_800.0, 3_000.0, 3_000.0, 3_600.0)),
    # ground-source heat pump, invoice 25,000: cat1 min(5,000; 4,000) = 4,000; cat2 4,000;
    # cat3 4,000; cat4 min(12,500; 4,800) = 4,800
    ("heat_pump_ground", None, 25_000.0, (4_000.0, 4_000.0, 4_000.0, 4_800.0)),
    # hybrid heat pump, invoice 9,000: cat1 min(1,800; 2,000) = 1,800; cat2 min(2,250; 2,000);
    # cat3 min(3,150; 2,000); cat4 min(4,500; 2,400)
    ("heat_pump_hybrid", None, 9_000.0, (1_800.0, 2_000.0, 2_000.0, 2_400.0)),
    # solar water heater, invoice 5,500: cat1-3 min(40 % = 2,200; 2,750); cat4 min(2,750; 3,300)
    ("solar_water_heater", None, 5_500.0, (2_200.0, 2_200.0, 2_200.0, 2_750.0)),
    # apartment building's envelope, the flat's share 20,000: cat1 (VME basispremie) 10 % = 2,000;
    # cat2 min(5,000; 8,250); cat3 min(7,000; 11,550); cat4 min(10,000; 16,500)
    ("apartment_envelope", None, 20_000.0, (2_000.0, 5_000.0, 7_000.0, 10_000.0)),
    # common heat pump, the flat's share 6,000: 40 % for every category [published] = 2,400;
    # share 10,000: min(4,000; 3,000) = 3,000 for every category (no aanvullende premie)
    ("heat_pump_collective", None, 6_000.0, (2_400.0, 2_400.0, 2_400.0, 2_400.0)),
    ("heat_pump_collective", None, 10_000.0, (3_000.0, 3_000.0, 3_000.0, 3_000.0)),
    # no premium in Mijn VerbouwPremie (not one of its categories of works)
    ("pv", None, 5_400.0, (0.0, 0.0, 0.0, 0.0)),
    ("pv_shared", None, 3_000.0, (0.0, 0.0, 0.0, 0.0)),
    ("airtightness_ventilation_c", None, 4_000.0, (0.0, 0.0, 0.0, 0.0)),
    ("ventilation_d", None, 9_000.0, (0.0, 0.0, 0.0, 0.0)),
    ("boiler_condensing", None, 4_500.0, (0.0, 0.0, 0.0, 0.0)),
    ("heat_network", None, 6_000.0, (0.0, 0.0, 0.0, 0.0)),
    ("low_temperature_emitters", 150.0, 7_250.0, (0.0, 0.0, 0.0, 0.0)),
]


@pytest.mark.parametrize("k", range(len(INCOME_CATEGORIES)), ids=INCOME_CATEGORIES)
@pytest.mark.parametrize(
    ("mid", "area", "invoice", "want"), WORKED, ids=[f"{w[0]}-{w[2]:g}" for w in WORKED]
)
def test_worked_example_per_measure_and_category(
    policy: Policy, mid: str, area: float | None, invoice: float, want: tuple[float, ...], k: int
) -> None:
    cat = INCOME_CATEGORIES[k]
    assert _one(policy, mid, invoice, cat, area) == pytest.approx(want[k], abs=1e-9)


def test_worked_examples_cover_every_measure_of_the_shipped_catalogue(
    catalogue: Catalogue,
) -> None:
    assert {w[0] for w in WORKED} == set(catalogue.ids)


def test_categorie_4_is_the_most_supported(policy: Policy) -> None:
    """On every worked example the premium never falls from categorie 1 to categorie 4, and
    categorie 4 gets strictly more than categorie 1 wherever there is a premium, except for the
    common heat pump (the same 40 % for everyone)."""
    for mid, area, invoice, _ in WORKED:
        got = [_one(policy, mid, invoice, c, area) for c in INCOME_CATEGORIES]
        assert got == sorted(got), mid
        if got[0] > 0 and mid != "heat_pump_collective":
            assert got[3] > got[0], mid


@settings(max_examples=60, deadline=None)
@given(
    invoice=st.lists(st.floats(0, 1e6), min_size=20, max_size=20),
    area=st.lists(st.floats(0, 1e4), min_size=20, max_size=20),
)
def test_premium_never_above_invoice_and_never_falls_with_support(
    policy: Policy, invoice: list[float], area: list[float]
) -> None:
    ids = list(policy.premiums.measures)[:20]
    inv = np.tile(np.array(invoice[: len(ids)]), (4, 1))
    ar = np.tile(np.array(area[: len(ids)]), (4, 1))
    got = policy.premium(ids, inv, np.array(INCOME_CATEGORIES), area_m2=ar)
    assert (got >= 0).all()
    assert (got <= inv + 1e-9).all()
    # a more supported category never gets less for the same invoice and area
    assert (np.diff(got, axis=0) >= -1e-9).all()


def test_a_more_supported_category_keeps_at_least_the_basispremie(raw: dict[str, Any]) -> None:
    """Roof 400 m² for 20,000 EUR: categorie 1's 8 EUR/m² gives 3,200 EUR, above categorie 2's
    own cap of 2,750 EUR; categorie 2 can have the basispremie too, so it gets 3,200 EUR."""
    policy = parse_policy(raw)
    got = [_one(policy, "roof_insulation", 20_000.0, c, 400.0) for c in INCOME_CATEGORIES]
    # cat1 min(4,000; 3,200) = 3,200; cat2 max(3,200, min(5,000; 2,750)) = 3,200;
    # cat3 max(3,200, min(7,000; 3,850)) = 3,850; cat4 min(10,000; 5,500) = 5,500
    np.testing.assert_allclose(got, [3_200.0, 3_200.0, 3_850.0, 5_500.0], rtol=0, atol=1e-9)


def test_without_area_the_cap_per_m2_does_not_apply(policy: Policy) -> None:
    # roof, invoice 1,000 EUR, no area: cat1 20 % = 200 EUR
    assert _one(policy, "roof_insulation", 1_000.0, "cat1", None) == pytest.approx(200.0)


def test_premium_bad_input_collected(policy: Policy) -> None:
    with pytest.raises(InputError) as e:
        policy.premium(["roof_insulation", "pv"], np.array([[-1.0, 10.0]]), np.array(["rich"]))
    assert set(e.value.fields) == {"invoice_eur", "income_category"}
    assert "onbekende premiecategorie; kies uit cat1, cat2, cat3, cat4" in str(e.value)


# ---------------------------------------------------------------------- any catalogue
def _custom_catalogue(catalogue: Catalogue, new_id: str) -> Catalogue:
    """The shipped catalogue plus a copy of exterior_wall_insulation named ``new_id``."""
    extra = catalogue.measure("exterior_wall_insulation").model_copy(update={"id": new_id})
    return catalogue.model_copy(update={"measures": [*catalogue.measures, extra]})


def test_the_shipped_policy_fits_the_shipped_catalogue(
    policy: Policy, catalogue: Catalogue
) -> None:
    # every shipped measure has an entry (a rule or an explicit no_premium with its sources)
    assert set(policy.premiums.measures) == set(catalogue.ids)
    check_premium_measures(policy, catalogue)


def test_area_bases_are_the_per_m2_bases_of_the_catalogue() -> None:
    import typing

    per_unit = {"per_dwelling", "per_kwp", "building_share"}
    assert set(AREA_BASES) == set(typing.get_args(Basis)) - per_unit


def test_a_custom_catalogue_measure_carries_its_premium(
    raw: dict[str, Any], catalogue: Catalogue
) -> None:
    """A measure id only a municipality's own catalogue has: its rule in the policy applies.

    Rule 30 % of the invoice, at most 1,000 EUR in every category; invoice 2,000 EUR gives
    600 EUR, invoice 5,000 EUR gives min(1,500; 1,000) = 1,000 EUR.
    """
    custom = _custom_catalogue(catalogue, "gevelpanelen")
    tier = {"percent_of_invoice": 30, "cap_eur": 1_000}
    raw["premiums"]["measures"]["gevelpanelen"] = {
        "sources": ["mijn_verbouwpremie_2025"],
        **{c: dict(tier) for c in INCOME_CATEGORIES},
    }
    policy = parse_policy(raw)
    check_premium_measures(policy, custom)
    assert _one(policy, "gevelpanelen", 2_000.0, "cat3", None) == pytest.approx(600.0)
    assert _one(policy, "gevelpanelen", 5_000.0, "cat1", None) == pytest.approx(1_000.0)


def test_an_unknown_measure_in_the_premium_table_is_a_dutch_error(
    raw: dict[str, Any], catalogue: Catalogue
) -> None:
    raw["premiums"]["measures"]["dak_isolatie"] = copy.deepcopy(
        raw["premiums"]["measures"]["roof_insulation"]
    )
    policy = parse_policy(raw)  # any id is valid in the file itself ...
    with pytest.raises(InputError) as e:  # ... but not against the catalogue of the run
        check_premium_measures(policy, catalogue)
    assert e.value.fields == ["premiums.measures.dak_isolatie"]
    text = str(e.value)
    assert "onbekende maatregel 'dak_isolatie': de maatregelencatalogus kent hem niet" in text
    assert "verwijder hem uit premiums.measures of voeg hem toe aan de catalogus" in text
    assert "er is niets berekend" in text


def test_a_catalogue_measure_without_premium_entry_gets_none(
    raw: dict[str, Any], catalogue: Catalogue
) -> None:
    del raw["premiums"]["measures"]["roof_insulation"]
    policy = parse_policy(raw)
    check_premium_measures(policy, catalogue)  # not an error: documented as "no premium"
    assert _one(policy, "roof_insulation", 7_500.0, "cat4", 100.0) == 0.0


def test_a_cap_per_m2_on_a_measure_priced_per_dwelling_is_refused(
    raw: dict[str, Any], catalogue: Catalogue
) -> None:
    raw["premiums"]["measures"]["heat_pump_hybrid"]["cat2"] = {
        "percent_of_invoice": 25,
        "cap_eur_m2": 10,
    }
    with pytest.raises(InputError) as e:
        check_premium_measures(parse_policy(raw), catalogue)
    assert e.value.fields == ["premiums.measures.heat_pump_hybrid"]
    assert "niet per m² (basis per_dwelling); gebruik cap_eur" in str(e.value)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"sources": ["mijn_verbouwpremie_2025"], "cat1": {"percent_of_invoice": 20}},
            "ontbrekende categorie(ën) cat2, cat3, cat4",
        ),
        (
            {
                "no_premium": True,
                "sources": ["mijn_verbouwpremie_2025"],
                "cat4": {"percent_of_invoice": 50},
            },
            "no_premium: true gaat niet samen met cat4",
        ),
        ({"no_premium": True, "sources": ["my_guess"]}, "bron niet gevonden"),
        ({"no_premium": True}, "ontbreekt"),
        (None, "moet een tabel (sleutel: waarde) zijn"),
    ],
)
def test_bad_premium_entries_are_named(
    raw: dict[str, Any], entry: dict[str, Any] | None, message: str
) -> None:
    raw["premiums"]["measures"]["pv"] = entry
    with pytest.raises(InputError) as e:
        parse_policy(raw)
    assert any(f.startswith("premiums.measures.pv") or f == "(bestand)" for f in e.value.fields)
    assert message in str(e.value)


# ---------------------------------------------------------------------- assumptions
def test_assumptions_are_listed_with_a_range(policy: Policy) -> None:
    found = policy.premium_assumptions()
    places = [a.place for a in found]
    assert "premiums.household_shares" in places
    for mid in ("roof_insulation", "heat_pump_air_water", "apartment_envelope"):
        assert f"premiums.measures.{mid}" in places
    # every entry with an assumption is listed, and each states a range
    with_text = [m for m, r in policy.premiums.measures.items() if r.assumption]
    assert len(found) == len(with_text) + 1
    for a in found:
        assert "range" in a.text.lower(), a.place

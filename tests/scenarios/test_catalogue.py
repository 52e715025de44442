"""Tests of the renovation measures catalogue (scenarios/catalogue.py, scenarios/data/measures.yaml)."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.catalogue import Catalogue, load_catalogue
from sim.errors import InputError
from sim.variants import VARIANT_FIELDS, VariantArrays

# the measures the shipped catalogue offers, in file order (the shipped policy has a premium entry
# for each: tests/scenarios/test_premiums.py)
REQUIRED_IDS = [
    "roof_insulation",
    "cavity_wall_fill",
    "exterior_wall_insulation",
    "interior_wall_insulation",
    "floor_insulation",
    "glazing_hr",
    "glazing_triple",
    "airtightness_ventilation_c",
    "ventilation_d",
    "heat_pump_air_water",
    "heat_pump_ground",
    "heat_pump_hybrid",
    "pv",
    "solar_water_heater",
    "boiler_condensing",
    "apartment_envelope",
    "heat_pump_collective",
    "heat_network",
    "pv_shared",
    "low_temperature_emitters",
]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


def _shipped() -> dict:
    text = resources.files("scenarios.data").joinpath("measures.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _dwellings() -> pd.DataFrame:
    """Three dwellings: a 1970 open house, a 2010 terraced house, a 1980 apartment (upper floor)."""
    return pd.DataFrame(
        {
            "dwelling_id": ["b1/a1", "b2/a1", "b3/a7"],
            "attachment": pd.Categorical(["open", "gesloten", "apartment"]),
            "construction_year": [1970, 2010, 1980],
            "storeys": [2, 2, 4],
            "n_dwellings_in_building": [1, 1, 8],
            "floor_area_m2": [150.0, 120.0, 80.0],
            "roof_area_m2": [100.0, 60.0, 0.0],
            "wall_area_m2": [180.0, 60.0, 40.0],
            "ground_floor_area_m2": [80.0, 60.0, 0.0],
            "window_area_h_m2": [0.0, 1.0, 0.0],
            "window_area_n_m2": [5.0, 4.0, 3.0],
            "window_area_e_m2": [5.0, 0.0, 0.0],
            "window_area_s_m2": [10.0, 6.0, 5.0],
            "window_area_w_m2": [4.0, 0.0, 2.0],
            "u_roof_w_m2k": [2.0, 0.3, 0.5],
            "u_wall_w_m2k": [1.5, 0.35, 1.2],
            "u_floor_w_m2k": [1.0, 0.35, 0.8],
            "u_window_w_m2k": [2.9, 1.1, 2.9],
            "infiltration_ach": [0.6, 0.2, 0.4],
            "pv_kwp": [0.0, 3.0, 0.0],
            "heating_system": [0, 1, 0],
            "ventilation_system": [0, 2, 0],
            "dhw_system": [0, 1, 0],
            # the supply temperature the emitters need on the design day (the twin's, sim.core)
            "hp_supply_temp_c": [62.0, 38.0, 58.0],
            # the twin's building totals (shared building projects): a house is its building;
            # the apartment's building has 8 flats like it, 160 m² of roof and ground floor
            "building_id": ["b1", "b2", "b3"],
            "building_floor_area_m2": [150.0, 120.0, 640.0],
            "building_roof_area_m2": [100.0, 60.0, 160.0],
            "building_wall_area_m2": [180.0, 60.0, 320.0],
            "building_ground_floor_area_m2": [80.0, 60.0, 160.0],
            "building_window_area_m2": [24.0, 11.0, 80.0],
        }
    )


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "measures.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# -- the shipped file -------------------------------------------------------------------------


def test_shipped_file_loads_with_the_required_ids(cat: Catalogue) -> None:
    assert cat.ids == REQUIRED_IDS
    assert cat.schema_version == 1
    assert cat.currency == "EUR"
    assert cat.price_year == 2025


def test_a_user_file_path_loads_like_the_shipped_file(tmp_path: Path, cat: Catalogue) -> None:
    assert load_catalogue(_write(tmp_path, _shipped())) == cat


@pytest.mark.parametrize("mid", REQUIRED_IDS)
def test_every_effect_builds_a_valid_variant(cat: Catalogue, mid: str) -> None:
    v = cat.variants([mid])
    assert isinstance(v, VariantArrays)
    assert v.name == (mid,)
    for key, value in cat.measure(mid).effect.items():
        kind = VARIANT_FIELDS[key][0]
        got = getattr(v, key)[0]
        if kind == "i":
            assert got == int(value)
        else:
            assert got == pytest.approx(value, rel=0, abs=1e-12)


def test_all_measures_at_once_and_documented_levels(cat: Catalogue) -> None:
    v = cat.variants(cat.ids)
    assert v.p == len(REQUIRED_IDS)
    i = cat.ids.index
    assert v.r_add_roof_m2kw[i("roof_insulation")] == pytest.approx(4.5, abs=1e-12)
    assert v.r_add_wall_m2kw[i("cavity_wall_fill")] == pytest.approx(1.1, abs=1e-12)
    assert v.ventilation_system[i("ventilation_d")] == 3
    assert v.heating_system[i("heat_pump_air_water")] == 5
    assert v.pv_kwp_add[i("pv")] == pytest.approx(4.0, abs=1e-12)
    # a measure that does not set a field keeps the dwelling's own value
    assert np.isnan(v.u_window_w_m2k[i("roof_insulation")])
    assert v.heating_system[i("roof_insulation")] == -1


def test_package_effects_add_resistances_and_last_wins_for_codes(cat: Catalogue) -> None:
    v = cat.variants(
        [
            ["cavity_wall_fill", "exterior_wall_insulation", "pv"],
            ["boiler_condensing", "heat_pump_air_water"],
            ["heat_pump_air_water", "boiler_condensing"],
        ],
        names=["muren", "wp", "ketel"],
    )
    assert v.name == ("muren", "wp", "ketel")
    assert v.r_add_wall_m2kw[0] == pytest.approx(1.1 + 3.0, abs=1e-12)
    assert v.pv_kwp_add[0] == pytest.approx(4.0, abs=1e-12)
    assert list(v.heating_system[1:]) == [5, 1]
    assert list(v.dhw_system[1:]) == [5, 1]
    # a heat pump works on the emitters the dwelling has: it sets no emitter temperature
    # (only low_temperature_emitters does), so the package keeps them
    assert np.isnan(v.emitter_temp_c[2])
    assert cat.variants(["low_temperature_emitters"]).emitter_temp_c[0] == pytest.approx(45.0)


def test_unknown_measure_id_in_a_selection_is_an_input_error(cat: Catalogue) -> None:
    with pytest.raises(InputError, match="dakisolatie"):
        cat.variants([["roof_insulation", "dakisolatie"]])
    with pytest.raises(InputError, match="pakket"):
        cat.costs(_dwellings(), ["nope"])


# -- costs ------------------------------------------------------------------------------------


def test_hand_worked_costs(cat: Catalogue) -> None:
    d = _dwellings()
    ids = ["roof_insulation", "cavity_wall_fill", "glazing_hr", "pv", "heat_pump_air_water"]
    got = cat.costs(d, ids)
    expected = np.array(
        [
            # roof 70/m2 + 500; cavity 22/m2 + 300; glazing 650/m2 window; pv 1100/kWp*4 + 1000;
            # air/water heat pump 30/m2 of floor + 9500 (14,000 at 150 m2; the rule, not the
            # price, keeps it from flats)
            [70 * 100 + 500, 22 * 180 + 300, 650 * 24, 1100 * 4 + 1000, 30 * 150 + 9500],
            [70 * 60 + 500, 22 * 60 + 300, 650 * 11, 1100 * 4 + 1000, 30 * 120 + 9500],
            [70 * 0 + 500, 22 * 40 + 300, 650 * 10, 1100 * 4 + 1000, 30 * 80 + 9500],
        ],
        dtype=float,
    )
    assert got.shape == (3, 5)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_package_cost_is_the_sum_of_its_measures(cat: Catalogue) -> None:
    d = _dwellings()
    single = cat.costs(d, ["roof_insulation", "floor_insulation"])
    package = cat.costs(d, [["roof_insulation", "floor_insulation"]])
    np.testing.assert_allclose(package[:, 0], single.sum(axis=1), rtol=1e-12, atol=0)


def test_collective_price_is_lower_by_the_discount(cat: Catalogue) -> None:
    d = _dwellings()
    ids = cat.ids
    individual = cat.costs(d, ids)
    collective = cat.costs(d, ids, collective=True)
    discount = np.array([cat.measure(m).cost.collective_discount for m in ids])
    assert (discount > 0).all()
    np.testing.assert_allclose(collective, individual * (1 - discount), rtol=1e-12, atol=0)
    assert (collective < individual).all()


@pytest.mark.parametrize(
    ("mid", "column"),
    [
        ("roof_insulation", "roof_area_m2"),
        ("exterior_wall_insulation", "wall_area_m2"),
        ("floor_insulation", "ground_floor_area_m2"),
    ],
)
def test_costs_scale_linearly_with_area(cat: Catalogue, mid: str, column: str) -> None:
    d = _dwellings()
    d2 = d.copy()
    d2[column] = d[column] * 2
    c1 = cat.costs(d, [mid])[:, 0]
    c2 = cat.costs(d2, [mid])[:, 0]
    fixed = cat.costs(d.assign(**{column: 0.0}), [mid])[:, 0]
    # cost = fixed + k * area  =>  c(2a) - fixed = 2 (c(a) - fixed)
    np.testing.assert_allclose(c2 - fixed, 2 * (c1 - fixed), rtol=1e-12, atol=1e-9)


def test_missing_cost_column_is_an_input_error(cat: Catalogue) -> None:
    with pytest.raises(InputError) as info:
        cat.costs(_dwellings().drop(columns=["window_area_s_m2"]), ["glazing_hr"])
    assert "window_area_s_m2" in info.value.fields


# -- applicability ----------------------------------------------------------------------------


def test_applicability_rules(cat: Catalogue) -> None:
    d = _dwellings()
    ids = ["cavity_wall_fill", "roof_insulation", "pv", "heat_pump_ground", "boiler_condensing"]
    ok = cat.applicable(d, ids)
    assert ok.dtype == bool
    assert ok.shape == (3, 5)
    # cavity fill: the 1970 open house yes, the 2010 house no, the apartment no (houses only)
    assert list(ok[:, 0]) == [True, False, False]
    # roof: not for the insulated 2010 roof, not for an apartment without roof
    assert list(ok[:, 1]) == [True, False, False]
    # pv: houses with roof; ground heat pump: needs an insulated envelope and a garden
    assert list(ok[:, 2]) == [True, True, False]
    assert list(ok[:, 3]) == [False, False, False]
    # condensing boiler replaces only old boilers (code 0, 2)
    assert list(ok[:, 4]) == [True, False, True]


def test_explain_gives_the_reason(cat: Catalogue) -> None:
    why = cat.explain(_dwellings(), ["cavity_wall_fill", ["roof_insulation", "pv"]])
    assert list(why.columns) == ["cavity_wall_fill", "roof_insulation+pv"]
    assert why.iloc[0, 0] == ""
    assert "construction_year" in why.iloc[1, 0]
    assert "attachment" in why.iloc[2, 0]
    assert "roof_area_m2" in why.iloc[2, 1] and "pv:" in why.iloc[2, 1]


def test_unknown_value_fails_a_numeric_rule(cat: Catalogue) -> None:
    d = _dwellings()
    d["construction_year"] = [np.nan, 1970, 1970]
    assert not cat.applicable(d, ["cavity_wall_fill"])[0, 0]
    assert "onbekend" in cat.explain(d, ["cavity_wall_fill"]).iloc[0, 0]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_results_do_not_depend_on_row_order(seed: int) -> None:
    cat = load_catalogue()
    d = _dwellings()
    perm = np.random.default_rng(seed).permutation(len(d))
    shuffled = d.iloc[perm]
    ids = cat.ids
    np.testing.assert_allclose(
        cat.costs(shuffled, ids), cat.costs(d, ids)[perm], rtol=1e-12, atol=0
    )
    np.testing.assert_array_equal(cat.applicable(shuffled, ids), cat.applicable(d, ids)[perm])


def test_inputs_are_not_mutated(cat: Catalogue) -> None:
    d = _dwellings()
    before = d.copy()
    cat.costs(d, cat.ids, collective=True)
    cat.applicable(d, cat.ids)
    cat.explain(d, cat.ids)
    pd.testing.assert_frame_equal(d, before)


# -- bad files --------------------------------------------------------------------------------


def _places(err: InputError) -> list[str]:
    """The key paths of the problems, without their "(regel N)"."""
    return [re.sub(r" \(regel \d+\)$", "", f) for f in err.fields]


def _broken(tmp_path: Path, edit) -> InputError:
    data = _shipped()
    edit(data)
    with pytest.raises(InputError) as info:
        load_catalogue(_write(tmp_path, data))
    return info.value


def test_typo_key_is_rejected_with_its_place(tmp_path: Path) -> None:
    err = _broken(tmp_path, lambda d: d["measures"][3]["cost"].update(eur_per_unti=5.0))
    assert "measures[3].cost.eur_per_unti" in _places(err)
    assert "onbekende sleutel" in str(err)


def test_unknown_basis_is_rejected(tmp_path: Path) -> None:
    err = _broken(tmp_path, lambda d: d["measures"][3]["cost"].update(basis="per_m3"))
    assert _places(err) == ["measures[3].cost.basis"]


def test_negative_cost_is_rejected(tmp_path: Path) -> None:
    err = _broken(tmp_path, lambda d: d["measures"][0]["cost"].update(eur_per_unit=-1.0))
    assert _places(err) == ["measures[0].cost.eur_per_unit"]
    assert "moet ≥ 0 zijn" in str(err)


def test_unknown_effect_field_and_bad_code_are_rejected(tmp_path: Path) -> None:
    def edit(d: dict) -> None:
        d["measures"][1]["effect"]["r_add_muur_m2kw"] = 1.0
        d["measures"][9]["effect"]["heating_system"] = 99
        d["measures"][2]["effect"]["r_add_wall_m2kw"] = -3.0

    err = _broken(tmp_path, edit)
    assert set(_places(err)) == {
        "measures[1].effect.r_add_muur_m2kw",
        "measures[9].effect.heating_system",
        "measures[2].effect.r_add_wall_m2kw",
    }


def test_a_heat_pump_needs_a_supply_rule_within_what_the_core_computes(tmp_path: Path) -> None:
    # a measure that installs a heat pump says how hot the emitters may need to be, at most
    # sim.core.HP_MAX_SUPPLY_C: otherwise the plan could propose what the core refuses
    def edit(d: dict) -> None:
        ids = [m["id"] for m in d["measures"]]
        del d["measures"][ids.index("heat_pump_air_water")]["applies_if"]["hp_supply_temp_c_max"]
        d["measures"][ids.index("heat_pump_ground")]["applies_if"]["hp_supply_temp_c_max"] = 80
        d["measures"][ids.index("roof_insulation")]["effect"]["heating_system"] = 6

    err = _broken(tmp_path, edit)
    ids = load_catalogue().ids
    assert set(_places(err)) == {
        f"measures[{ids.index(m)}].applies_if"
        for m in ("heat_pump_air_water", "heat_pump_ground", "roof_insulation")
    }
    assert "hp_supply_temp_c_max van hoogstens 75 °C" in str(err)


def test_unknown_rule_and_source_are_rejected_all_at_once(tmp_path: Path) -> None:
    def edit(d: dict) -> None:
        d["measures"][1]["applies_if"]["bouwjaar_max"] = 1990
        d["measures"][4]["source"] = "nergens"
        d["measures"][5].pop("label_nl")
        d["measures"][6]["id"] = d["measures"][0]["id"]

    err = _broken(tmp_path, edit)
    assert set(_places(err)) == {
        "measures[1].applies_if.bouwjaar_max",
        "measures[4].source",
        "measures[5].label_nl",
        "measures[6].id",
    }
    assert "verplichte sleutel ontbreekt" in str(err)


def test_wrong_schema_version_is_rejected(tmp_path: Path) -> None:
    err = _broken(tmp_path, lambda d: d.update(schema_version=2))
    assert _places(err) == ["schema_version"]


def test_building_share_needs_building_prices_and_no_unit_price(tmp_path: Path) -> None:
    i = _shipped()["measures"].index(
        next(m for m in _shipped()["measures"] if m["id"] == "apartment_envelope")
    )

    def edit(d: dict) -> None:
        d["measures"][i]["cost"].pop("building")
        d["measures"][i]["cost"]["eur_per_unit"] = 70.0
        d["measures"][0]["cost"]["building"] = {"roof_area_m2": 70.0}

    err = _broken(tmp_path, edit)
    assert sorted(_places(err)) == sorted(
        [
            f"measures[{i}].cost.building",
            f"measures[{i}].cost.eur_per_unit",
            "measures[0].cost.building",
        ]
    )


# -- sources, assumptions and cost ranges -------------------------------------------------------


def _shipped_data() -> dict:
    text = resources.files("scenarios.data").joinpath("measures.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def test_every_cost_lifetime_and_factor_has_a_source_or_an_assumption_with_a_range() -> None:
    data = _shipped_data()
    sources, assumptions = data["sources"], data["assumptions"]
    assert "cost_indicative" not in sources  # "indicative" is not a source
    for name, a in assumptions.items():
        assert a["reason"].strip() and a["range"].strip(), name
    for m in data["measures"]:
        cost = m["cost"]
        refs = [m["source"], cost["lifetime_source"]]
        if cost.get("by_attachment"):
            refs.append(cost["by_attachment_source"])
        if cost.get("collective_discount"):
            refs.append(cost["collective_source"])
        for ref in refs:
            assert ref in sources or ref in assumptions, (m["id"], ref)
        # every cost is a range around its central value
        assert cost["low"] < 1.0 < cost["high"], m["id"]


def test_a_bad_cost_range_is_a_dutch_error_naming_the_measure(tmp_path: Path) -> None:
    data = _shipped_data()
    data["measures"][1]["cost"]["low"] = 1.2  # cavity_wall_fill: low above the central cost
    data["measures"][1]["cost"]["high"] = 1.5
    with pytest.raises(InputError) as exc:
        load_catalogue(_write(tmp_path, data))
    text = str(exc.value)
    assert "measures[1].cost" in text
    assert "'cavity_wall_fill'" in text
    assert "low (1.2) ≤ 1" in text


def test_an_unsourced_attachment_factor_and_an_unknown_reference_are_errors(
    tmp_path: Path,
) -> None:
    data = _shipped_data()
    del data["measures"][2]["cost"]["by_attachment_source"]  # exterior wall: by_attachment
    data["measures"][0]["cost"]["lifetime_source"] = "nergens"
    with pytest.raises(InputError) as exc:
        load_catalogue(_write(tmp_path, data))
    text = str(exc.value)
    assert "measures[2].cost.by_attachment_source" in text
    assert "measures[0].cost.lifetime_source" in text and "'nergens'" in text


def test_corrected_heat_pump_prices_lie_within_their_references(cat: Catalogue) -> None:
    # ODE 2023: ground-source 12,500-22,000 EUR excl. VAT = 13,250-23,320 incl. 6 % VAT, for an
    # 8 kW heat pump in a building of 140-200 m2: the catalogue's price at those sizes
    ground = cat.measure("heat_pump_ground").cost
    assert ground.basis == "floor_area_m2"
    for area in (140.0, 150.0, 200.0):
        central = ground.eur_per_unit * area + ground.fixed_eur  # type: ignore[operator]
        assert 13_250 <= central <= 23_320
    # the range at the reference size spans the published range
    central = ground.eur_per_unit * 150 + ground.fixed_eur  # type: ignore[operator]
    assert ground.low * central >= 13_250
    assert ground.high * central <= 23_400 + 1e-9
    # the sources' reference dwelling (150 m2) pays the central sourced price
    air = cat.measure("heat_pump_air_water").cost
    assert air.eur_per_unit * 150 + air.fixed_eur == pytest.approx(14_000)  # type: ignore[operator]
    # Consumentenbond 2025: hybrid 4,000-8,500 EUR (without/with a new boiler)
    hybrid = cat.measure("heat_pump_hybrid").cost
    assert 4_000 <= hybrid.eur_per_unit <= 8_500  # type: ignore[operator]


def test_cost_levels_stay_in_their_range_and_the_central_run_is_central(cat: Catalogue) -> None:
    ids = cat.ids
    levels = cat.cost_factors(ids, 500, seed=11)
    assert levels.shape == (501, len(ids))
    assert (levels[0] == 1.0).all()  # run 0: central costs
    lo = np.array([cat.measure(i).cost.low for i in ids])
    hi = np.array([cat.measure(i).cost.high for i in ids])
    assert (levels[1:] >= lo).all() and (levels[1:] <= hi).all()
    # triangular(low, 1, high): mean (low + 1 + high) / 3, tolerance 4 standard errors
    mean = (lo + 1.0 + hi) / 3.0
    sd = np.sqrt((lo**2 + 1 + hi**2 - lo - lo * hi - hi) / 18.0)
    assert np.all(np.abs(levels[1:].mean(axis=0) - mean) <= 4 * sd / np.sqrt(500))
    # reproducible for a seed, different for another
    assert np.array_equal(levels, cat.cost_factors(ids, 500, seed=11))
    assert not np.array_equal(levels, cat.cost_factors(ids, 500, seed=12))


def test_the_assumptions_are_listed_with_their_users(cat: Catalogue) -> None:
    table = {a["id"]: a for a in cat.assumptions_table()}
    assert "roof_insulation.source" in table["envelope_price_assumption"]["used_by"]
    assert "heat_pump_ground.cost.lifetime_source" in table["lifetime_assumption"]["used_by"]
    assert all(a["range"] for a in table.values())


def test_every_problem_names_its_line_in_line_order(tmp_path: Path) -> None:
    """A pydantic problem, a cross-field problem and an unknown source each carry the line of
    their key in the file the user wrote, and the message lists them in file order."""

    def edit(d: dict) -> None:
        d["measures"][4]["cost"]["eur_per_unit"] = -1.0  # pydantic
        d["measures"][0]["source"] = "nergens"  # unknown source
        d["measures"][2]["cost"].update(low=1.2, high=1.4)  # range without the central cost

    data = _shipped()
    edit(data)
    path = _write(tmp_path, data)
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    with pytest.raises(InputError) as info:
        load_catalogue(path)
    fields = info.value.fields
    found = {}
    for f in fields:
        m = re.fullmatch(r"(.+) \(regel (\d+)\)", f)
        assert m, f
        found[m.group(1)] = int(m.group(2))
    assert set(found) == {
        "measures[0].source",
        "measures[2].cost",
        "measures[4].cost.eur_per_unit",
    }
    # each line holds its key (a range problem is placed at the measure's cost mapping)
    assert lines[found["measures[0].source"] - 1].strip().startswith("source:")
    assert lines[found["measures[2].cost"] - 1].strip().startswith("cost:")
    assert lines[found["measures[4].cost.eur_per_unit"] - 1].strip().startswith("eur_per_unit:")
    assert [int(re.search(r"regel (\d+)", f).group(1)) for f in fields] == sorted(found.values())


def test_the_rule_program_judges_as_the_catalogue_does(cat: Catalogue) -> None:
    # the rules a kernel judges state by state (Catalogue.rule_program, rule_ok) against
    # Catalogue.applicable on the same values, measure by measure; the rules on other
    # columns (the attachment, the window area) are left to applicable
    from scenarios.catalogue import rule_ok

    columns = (
        "u_wall_w_m2k",
        "u_floor_w_m2k",
        "u_window_w_m2k",
        "heating_system",
        "ventilation_system",
        "hp_supply_temp_c",
    )
    rng = np.random.default_rng(5)
    n = 400
    table = {
        "u_wall_w_m2k": rng.choice([0.3, 0.6, 1.7, np.nan], n),
        "u_floor_w_m2k": rng.uniform(0.2, 1.2, n),
        "u_window_w_m2k": rng.choice([1.1, 1.2, 2.0, 2.9], n),
        "heating_system": rng.integers(0, 10, n).astype(float),
        "ventilation_system": rng.integers(0, 4, n).astype(float),
        "hp_supply_temp_c": rng.choice([45.0, 50.0, 55.0, 70.0, np.nan], n),
    }
    program = cat.rule_program(cat.ids, columns)
    want = cat.applicable(table, cat.ids, columns=columns)
    judged = 0
    for j in range(len(cat.ids)):
        span = range(program.start[j], program.start[j + 1])
        judged += len(span)
        for i in range(n):
            got = all(
                rule_ok(
                    table[columns[program.column[r]]][i],
                    program.op[r],
                    program.bound[r],
                    program.codes[program.code_start[r] : program.code_end[r]],
                )
                for r in span
            )
            assert got == want[i, j], (cat.ids[j], i)
    assert judged >= 10 and want.any() and not want.all()
    with pytest.raises(ValueError, match="attachment"):
        cat.rule_program(cat.ids, ("attachment",))

"""Tests of the scenario file schema (scenarios/scenario.py, scenario_lichtervelde.yaml)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from scenarios.catalogue import Catalogue, load_catalogue
from scenarios.policy import Policy
from scenarios.scenario import (
    PARAMETER_NAMES,
    REQUIRED_TWIN_COLUMNS,
    SCHEMA_VERSION,
    LogNormal,
    Normal,
    Scenario,
    Triangular,
    Uniform,
    check_scenario,
    load_scenario,
    parse_scenario,
)
from sim.carriers import CARRIERS
from sim.errors import InputError
from sim.stock import DWELLING_COLUMNS

SHIPPED = Path(__file__).parents[2] / "scenarios" / "data" / "scenario_lichtervelde.yaml"


@pytest.fixture
def raw() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict[str, Any] | str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _line(path: Path, startswith: str) -> int:
    """1-based line of the first line of ``path`` that starts (after indentation) with the text."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(startswith))


def _tiny_twin(path: Path, sectors: tuple[str, ...] = ("s1",), drop: tuple[str, ...] = ()) -> Path:
    """A Parquet file with the twin's required columns (one row per sector); what
    load_scenario peeks at (its schema and sector ids), not a twin to run."""
    import pandas as pd

    cols = [c for c in REQUIRED_TWIN_COLUMNS if c not in drop]
    frame = pd.DataFrame({c: [0.0] * len(sectors) for c in cols})
    if "sector_id" in frame:
        frame["sector_id"] = list(sectors)
    frame.to_parquet(path)
    return path


def _problems(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


# ---------------------------------------------------------------------- the shipped example
def test_shipped_example_loads_and_passes_the_cross_checks(
    catalogue: Catalogue, policy: Policy
) -> None:
    s = load_scenario(SHIPPED)
    assert s.schema_version == SCHEMA_VERSION
    assert s.twin == "demo"
    assert (s.horizon.start, s.horizon.end) == (2025, 2050)
    assert len(s.candidates.orders) == 3
    assert s.candidates.orders[0] == [
        "roof_insulation",
        "cavity_wall_fill",
        "exterior_wall_insulation",
        "floor_insulation",
        "glazing_hr",
        "airtightness_ventilation_c",
        "heat_pump_air_water",
        "pv",
    ]
    (programme,) = s.collective_programmes
    assert programme.sectors == "all"
    assert programme.participation == pytest.approx(0.03, abs=0)
    assert (programme.years.start, programme.years.end) == (2026, 2030)
    assert programme.target_label == "A"
    assert programme.fossil_free is True
    assert s.klimaattafels is not None
    assert s.klimaattafels.invitations_per_year == 30
    assert s.uncertainty.runs == 20
    assert set(s.uncertainty.parameters) == set(PARAMETER_NAMES)
    assert s.output.years == [2030, 2040, 2050]
    assert sum(s.uptake.tenure_shares.values()) == pytest.approx(1.0, abs=1e-9)
    check_scenario(s, list(REQUIRED_TWIN_COLUMNS), [], catalogue, policy)


def test_shipped_example_passes_against_the_real_demo_twin(
    tmp_path: Path, catalogue: Catalogue, policy: Policy
) -> None:
    from buildings.demo import demo_sources
    from buildings.twin import build_twin

    twin = build_twin(demo_sources(tmp_path, n_buildings=60, with_rasters=False)).dwellings
    s = load_scenario(SHIPPED)
    check_scenario(s, list(twin.columns), list(twin["sector_id"].unique()), catalogue, policy)


def test_required_twin_columns_cover_the_core_inputs() -> None:
    assert set(DWELLING_COLUMNS) <= set(REQUIRED_TWIN_COLUMNS)
    for c in ("dwelling_id", "building_id", "sector_id", "attachment", "construction_year"):
        assert c in REQUIRED_TWIN_COLUMNS


def test_defaults_of_optional_sections(raw: dict[str, Any]) -> None:
    for key in ("description", "prices", "collective_programmes", "klimaattafels"):
        raw.pop(key)
    raw.pop("uncertainty")
    raw["output"] = None  # an empty section in YAML
    raw["income_categories"] = {"cat2": 1.0}
    s = parse_scenario(raw)
    assert s.prices.multiplier == dict.fromkeys(CARRIERS, 1.0)
    assert s.collective_programmes == []
    assert s.klimaattafels is None
    assert s.uncertainty.runs == 0
    assert s.output.years == [2050]
    assert s.output.charts == ["png", "svg"]
    assert s.output.per_sector_geopackage is True
    assert s.income_categories == {"cat1": 0.0, "cat2": 1.0, "cat3": 0.0, "cat4": 0.0}
    assert s.sector_id_field == "cd_sector"
    assert s.catalogue is None and s.policy is None and s.sectors is None


def test_candidate_packages_are_the_unique_prefixes(raw: dict[str, Any]) -> None:
    raw["candidates"] = {"orders": [["a", "b", "c"], ["a", "d"]]}
    s = parse_scenario(raw)
    assert s.candidates.packages() == [("a",), ("a", "b"), ("a", "b", "c"), ("a", "d")]


def test_age_factors_per_dwelling(raw: dict[str, Any]) -> None:
    s = parse_scenario(raw)
    years = np.array([1900, 1945, 1946, 1970, 1980, 1991, 2020, np.nan])
    np.testing.assert_allclose(
        s.uptake.age_factors(years), [1.3, 1.3, 1.2, 1.2, 1.0, 1.0, 1.0, 1.0], rtol=0, atol=0
    )


# ---------------------------------------------------------------------- paths
def test_paths_are_resolved_against_the_scenario_folder(
    tmp_path: Path, raw: dict[str, Any]
) -> None:
    sub = tmp_path / "project"
    (sub / "data").mkdir(parents=True)
    _tiny_twin(sub / "data" / "twin.parquet")
    (sub / "data" / "wijken.gpkg").write_text("x", encoding="utf-8")
    # the catalogue and policy a scenario names are read and checked with it: valid copies
    shipped = SHIPPED.parent
    (sub / "data" / "maatregelen.yaml").write_bytes((shipped / "measures.yaml").read_bytes())
    (sub / "data" / "beleid.yaml").write_bytes((shipped / "policy_flanders.yaml").read_bytes())
    raw.update(
        twin="data/twin.parquet",
        sectors="data/wijken.gpkg",
        catalogue="data/maatregelen.yaml",
        policy="data/beleid.yaml",
    )
    s = load_scenario(_write(sub, raw))
    assert s.twin == (sub / "data" / "twin.parquet").resolve()
    assert s.sectors == (sub / "data" / "wijken.gpkg").resolve()
    assert s.catalogue == (sub / "data" / "maatregelen.yaml").resolve()
    assert s.policy == (sub / "data" / "beleid.yaml").resolve()
    assert isinstance(s.twin, Path) and s.twin.is_absolute()


def test_missing_referenced_files_are_each_reported(tmp_path: Path, raw: dict[str, Any]) -> None:
    raw.update(twin="geen/twin.parquet", sectors="wijken.gpkg", policy="beleid.yaml")
    path = _write(tmp_path, raw)
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    text = _problems(exc)
    assert len(text) == 3
    assert f"twin (regel {_line(path, 'twin:')}): bestand niet gevonden: " in text[0]
    assert str(tmp_path / "geen" / "twin.parquet") in text[0]
    assert any(t.startswith("sectors (regel") and "wijken.gpkg" in t for t in text)
    assert any(t.startswith("policy (regel") and "beleid.yaml" in t for t in text)


def test_missing_scenario_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "bestaat_niet.yaml"
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert str(path) in str(exc.value)
    assert "niet gevonden" in str(exc.value)


def test_yaml_syntax_error_names_the_file_and_line_in_dutch(tmp_path: Path) -> None:
    path = _write(tmp_path, "schema_version: 1\nname: x\nhorizon: {start: 2025\nseed: 1\n")
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    (problem,) = _problems(exc)
    assert str(path) in str(exc.value)
    # the brace opened on line 3 is not closed; the reader notices on line 4 and says so
    assert problem.startswith("regel 3: geen geldige YAML in scenario.yaml: de accolade '{' ")
    assert "wordt niet gesloten (de fout blijkt op regel 4" in problem
    assert "expected" not in problem and "flow mapping" not in problem  # no parser English


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8").replace("seed: 20261125", "seed: 1\nseed: 2")
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert _problems(exc) == [
        f"seed (regel {_line(path, 'seed: 2')}): sleutel komt twee keer voor "
        f"(eerst op regel {_line(path, 'seed: 1')})"
    ]


# ---------------------------------------------------------------------- one bad input at a time
def test_typo_in_key_gives_line_and_suggestion(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8").replace("  sale_rate: 0.03", "  sale_rat: 0.03")
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    text_problems = _problems(exc)
    line = _line(path, "sale_rat:")
    assert f"uptake.sale_rat (regel {line}): onbekende sleutel; bedoelde u 'sale_rate'?" in (
        text_problems
    )
    assert (
        f"uptake.sale_rate (regel {_line(path, 'uptake:')}): verplichte sleutel ontbreekt"
        in text_problems
    )
    assert len(text_problems) == 2


def test_unknown_key_without_close_match_lists_the_valid_keys(raw: dict[str, Any]) -> None:
    raw["horizon"]["xyz"] = 1
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    assert _problems(exc) == ["horizon.xyz: onbekende sleutel; geldig zijn: start, end"]


def test_typo_inside_a_distribution_is_suggested(raw: dict[str, Any]) -> None:
    raw["uncertainty"]["parameters"]["energy_price_factor"] = {
        "distribution": "triangular",
        "low": 0.8,
        "mod": 1.0,
        "high": 1.2,
    }
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    assert (
        "uncertainty.parameters.energy_price_factor.mod: onbekende sleutel; bedoelde u 'mode'?"
        in _problems(exc)
    )


def test_negative_price_multiplier(raw: dict[str, Any]) -> None:
    raw["prices"]["multiplier"]["electricity"] = -0.5
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    assert _problems(exc) == ["prices.multiplier.electricity: moet ≥ 0 zijn"]


def test_unknown_carrier(raw: dict[str, Any]) -> None:
    raw["prices"]["multiplier"]["electricty"] = 1.1
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    assert _problems(exc) == [
        "prices.multiplier.electricty: onbekende energiedrager; bedoelde u 'electricity'?"
    ]


@pytest.mark.parametrize(
    ("section", "key"), [("income_categories", None), ("uptake", "tenure_shares")]
)
def test_shares_must_sum_to_one(raw: dict[str, Any], section: str, key: str | None) -> None:
    if section == "income_categories":  # optional; the example leaves it to the policy
        raw[section] = {"cat1": 0.35, "cat2": 0.25, "cat3": 0.25, "cat4": 0.15}
    shares = raw[section] if key is None else raw[section][key]
    first = next(iter(shares))
    shares[first] += 0.05
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    place = section if key is None else f"{section}.{key}"
    (problem,) = _problems(exc)
    assert problem.startswith(f"{place}: de aandelen moeten samen 1 zijn, nu 1.05")


def test_shares_within_tolerance_pass(raw: dict[str, Any]) -> None:
    raw["income_categories"] = {"cat1": 0.25 + 5e-7, "cat2": 0.5, "cat3": 0.25}
    parse_scenario(raw)


def test_income_shares_default_to_the_policy(raw: dict[str, Any], policy: Policy) -> None:
    s = parse_scenario(raw)  # the example gives no income_categories
    assert s.income_categories is None
    assert s.income_shares(policy) == policy.premiums.shares()
    raw["income_categories"] = {"cat4": 1.0}
    own = parse_scenario(raw).income_shares(policy)
    assert own == {"cat1": 0.0, "cat2": 0.0, "cat3": 0.0, "cat4": 1.0}


def test_old_income_keys_are_refused_with_a_hint(raw: dict[str, Any]) -> None:
    raw["income_categories"] = {"low": 0.25, "middle": 0.5, "high": 0.25}
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    text = _problems(exc)
    assert (
        "income_categories.low: onbekende premiecategorie; geldig zijn: cat1, cat2, cat3, cat4"
        in text
    )


def test_wrong_schema_version_says_which_version_is_read(raw: dict[str, Any]) -> None:
    raw["schema_version"] = 2
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    (problem,) = _problems(exc)
    assert problem.startswith("schema_version: schemaversie 2 wordt niet ondersteund")
    assert f"leest schemaversie {SCHEMA_VERSION}" in problem


def test_renovation_rate_needs_every_attachment(raw: dict[str, Any]) -> None:
    del raw["uptake"]["renovation_rate"]["apartment"]
    raw["uptake"]["renovation_rate"]["open"] = 1.5
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    assert _problems(exc) == ["uptake.renovation_rate.open: moet ≤ 1 zijn"]
    raw["uptake"]["renovation_rate"]["open"] = 0.02
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    assert _problems(exc) == ["uptake.renovation_rate: ontbrekende sleutel(s): apartment"]


def test_age_bounds_must_increase(raw: dict[str, Any]) -> None:
    raw["uptake"]["age_factor"][1]["built_before"] = 1900
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    assert _problems(exc) == [
        "uptake.age_factor: built_before moet strikt stijgen, nu [1946, 1900, 1991]"
    ]


def test_horizon_and_spans_must_be_ordered(raw: dict[str, Any]) -> None:
    raw["horizon"] = {"start": 2050, "end": 2050}
    raw["klimaattafels"]["years"] = {"start": 2030, "end": 2029}
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    assert _problems(exc) == [
        "horizon: end (2050) moet na start (2050) liggen",
        "klimaattafels.years: end (2029) mag niet vóór start (2030) liggen",
    ]


def test_programme_names_unique_and_one_of_sectors_or_clusters(raw: dict[str, Any]) -> None:
    base = raw["collective_programmes"][0]
    both = {**copy.deepcopy(base), "name": "b", "clusters": 3}
    neither = {**copy.deepcopy(base), "name": "c"}
    del neither["sectors"]
    raw["collective_programmes"] = [base, copy.deepcopy(base), both, neither]
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    assert _problems(exc) == [
        "collective_programmes[2]: geef precies één van 'sectors' of 'clusters'",
        "collective_programmes[3]: geef precies één van 'sectors' of 'clusters'",
    ]
    raw["collective_programmes"] = [base, copy.deepcopy(base)]
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    assert _problems(exc) == [
        "collective_programmes: programmanamen moeten uniek zijn; dubbel: Wijkrenovatie Lichtervelde"
    ]


def test_programme_with_clusters_and_a_sector_list(raw: dict[str, Any]) -> None:
    base = raw["collective_programmes"][0]
    by_cluster = {**copy.deepcopy(base), "name": "clusters", "clusters": 5}
    del by_cluster["sectors"]
    listed = {**copy.deepcopy(base), "name": "lijst", "sectors": ["36011A00-"], "discount": 0.2}
    raw["collective_programmes"] = [by_cluster, listed]
    s = parse_scenario(raw)
    assert s.collective_programmes[0].clusters == 5
    assert s.collective_programmes[0].sectors is None
    assert s.collective_programmes[1].sectors == ["36011A00-"]
    assert s.collective_programmes[1].discount == pytest.approx(0.2, abs=0)


def test_bad_programme_values(raw: dict[str, Any]) -> None:
    p = raw["collective_programmes"][0]
    p.update(sectors=[36011], target_label="G", discount=0.95, participation=-0.1)
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    text = _problems(exc)
    assert len(text) == 4
    assert text[0].startswith("collective_programmes[0].sectors: sectorcodes moeten tekst zijn")
    assert "collective_programmes[0].participation: moet ≥ 0 zijn" in text
    assert any(
        t.startswith("collective_programmes[0].target_label: onbekend EPC-label 'G'") for t in text
    )
    assert "collective_programmes[0].discount: moet ≤ 0.9 zijn" in text


@pytest.mark.parametrize(
    ("dist", "message"),
    [
        ({"distribution": "uniform", "low": 1.2, "high": 1.2}, "low moet kleiner zijn dan high"),
        (
            {"distribution": "triangular", "low": 0.8, "mode": 1.5, "high": 1.2},
            "nodig: low ≤ mode ≤ high en low < high",
        ),
        ({"distribution": "normal", "mean": 1.0, "sd": 0.0}, "sd: moet > 0 zijn"),
        ({"distribution": "lognormal", "median": 0.0, "sigma": 0.1}, "median: moet > 0 zijn"),
        ({"distribution": "gauss", "mean": 1.0}, "onbekende waarde 'gauss' voor 'distribution'"),
        ({"mean": 1.0}, "sleutel 'distribution' ontbreekt"),
    ],
)
def test_bad_distributions(raw: dict[str, Any], dist: dict[str, Any], message: str) -> None:
    raw["uncertainty"]["parameters"]["uptake_factor"] = dist
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    (problem,) = _problems(exc)
    assert problem.startswith("uncertainty.parameters.uptake_factor")
    assert message in problem


def test_unknown_uncertainty_parameter(raw: dict[str, Any]) -> None:
    raw["uncertainty"]["parameters"]["uptake"] = {"distribution": "normal", "mean": 1, "sd": 0.1}
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    assert _problems(exc) == [
        "uncertainty.parameters.uptake: onbekende onzekere parameter; bedoelde u 'uptake_factor'?"
    ]


def test_output_charts_and_runs_limits(raw: dict[str, Any]) -> None:
    raw["output"]["charts"] = ["png", "pdf"]
    raw["output"]["years"] = []
    raw["uncertainty"]["runs"] = 1001
    with pytest.raises(InputError) as exc:
        parse_scenario(raw)
    text = _problems(exc)
    assert "uncertainty.runs: moet ≤ 1000 zijn" in text
    assert "output.years: geef minstens één jaar" in text
    assert any(t.startswith("output.charts[1]: onbekend grafiekformaat 'pdf'") for t in text)
    assert len(text) == 3


def test_not_a_mapping() -> None:
    with pytest.raises(InputError) as exc:
        parse_scenario([1, 2])
    assert _problems(exc) == ["(bestand): moet een tabel (sleutel: waarde) zijn"]


# ---------------------------------------------------------------------- many problems at once
def test_file_with_many_problems_lists_every_one_with_its_line(tmp_path: Path) -> None:
    text = (
        SHIPPED.read_text(encoding="utf-8")
        .replace("schema_version: 1", "schema_version: 3")
        .replace("  sale_rate: 0.03", "  sale_rat: 0.03")
        .replace("natural_gas: 1.0,", "natural_gas: -1.0,")
        .replace(
            "#   income_categories: {cat1: 0.30, cat2: 0.25,",
            "income_categories: {cat1: 0.30, cat2: 0.15,",
        )
        .replace("twin: demo ", "twin: twin.parquet ")
        .replace("seed: 20261125", "seed: -5")
    )
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    text_problems = _problems(exc)
    expected = [
        f"schema_version (regel {_line(path, 'schema_version')}): schemaversie 3 wordt niet ondersteund",
        f"uptake.sale_rat (regel {_line(path, 'sale_rat:')}): onbekende sleutel; bedoelde u 'sale_rate'?",
        f"prices.multiplier.natural_gas (regel {_line(path, 'multiplier:')}): moet ≥ 0 zijn",
        f"income_categories (regel {_line(path, 'income_categories')}): de aandelen moeten samen 1 zijn",
        f"twin (regel {_line(path, 'twin:')}): bestand niet gevonden: {tmp_path / 'twin.parquet'}",
        f"seed (regel {_line(path, 'seed:')}): moet ≥ 0 zijn",
        f"uptake.sale_rate (regel {_line(path, 'uptake:')}): verplichte sleutel ontbreekt",
    ]
    for e in expected:
        assert any(t.startswith(e) for t in text_problems), (e, text_problems)
    assert len(text_problems) == len(expected)
    assert f"{len(expected)} problemen in scenariobestand {path}" in str(exc.value)


def test_bad_value_unknown_measure_and_share_out_of_range_in_one_message(tmp_path: Path) -> None:
    """Three problems of three kinds (schema type, catalogue reference, range) in one message,
    each with its line; before, the unknown measure only came in a second round."""
    text = (
        SHIPPED.read_text(encoding="utf-8")
        .replace("seed: 20261125", "seed: twintig")
        .replace("- [glazing_triple, roof_insulation,", "- [glazing_tripel, roof_insulation,")
        .replace("participation: 0.03", "participation: 1.5")
    )
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert _problems(exc) == [
        f"seed (regel {_line(path, 'seed:')}): moet een geheel getal zijn",
        f"candidates.orders[1][0] (regel {_line(path, '- [glazing_tripel')}): onbekende "
        "maatregel 'glazing_tripel'; bedoelde u 'glazing_triple'? bekend zijn: "
        + ", ".join(load_catalogue().ids),
        f"collective_programmes[0].participation (regel {_line(path, 'participation:')}): "
        "moet ≤ 1 zijn",
    ]
    assert str(exc.value).startswith(f"3 problemen in scenariobestand {path}; er is niets berekend")


def test_problems_of_the_named_policy_file_join_the_message_with_their_lines(
    tmp_path: Path,
) -> None:
    policy_text = (SHIPPED.parent / "policy_flanders.yaml").read_text(encoding="utf-8")
    bad_policy = policy_text.replace("deadline_years: 5", "deadline_years: -5")
    (tmp_path / "beleid.yaml").write_text(bad_policy, encoding="utf-8")
    text = (
        SHIPPED.read_text(encoding="utf-8")
        .replace("seed: 20261125", "seed: -1")
        .replace("horizon: {start", "policy: beleid.yaml\nhorizon: {start")
    )
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    deadline = _line(tmp_path / "beleid.yaml", "deadline_years:")
    assert _problems(exc) == [
        f"policy (regel {_line(path, 'policy:')}): beleidsbestand {tmp_path / 'beleid.yaml'}: "
        f"renovation_obligation.deadline_years (regel {deadline}): moet ≥ 0 zijn",
        f"seed (regel {_line(path, 'seed:')}): moet ≥ 0 zijn",
    ]


# ---------------------------------------------------------------------- cross-checks
def _line_of_item(path: Path, item: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` list item ``- item`` in ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i for i, x in enumerate(lines, 1) if x.strip() == f"- {item}"]
    return hits[nth - 1]


def test_load_checks_measures_and_years_and_lists_them_in_line_order(
    tmp_path: Path, raw: dict[str, Any]
) -> None:
    raw["candidates"]["orders"][1] = [
        "glazing_triple",
        "roof_insulation",
        "roof_insulaton",
        "pv",
        "pv",
    ]
    raw["collective_programmes"][0]["years"] = {"start": 2020, "end": 2030}
    raw["klimaattafels"]["years"] = {"start": 2025, "end": 2051}
    raw["output"]["years"] = [2030, 2060]
    path = _write(tmp_path, raw)
    # every check that needs no twin is made when the file is read: one message
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    text = _problems(exc)
    text_lines = path.read_text(encoding="utf-8").splitlines()
    programme_years = next(
        i
        for i, x in enumerate(text_lines, 1)
        if x.strip() == "years:" and i > _line(path, "- name")
    )
    klimaattafel_years = next(
        i
        for i, x in enumerate(text_lines, 1)
        if x.strip() == "years:" and i > _line(path, "klimaattafels")
    )
    output_2060 = next(i for i, x in enumerate(text_lines, 1) if x.strip() == "- 2060")
    assert [t.split(":")[0] for t in text] == [
        f"candidates.orders[1][2] (regel {_line_of_item(path, 'roof_insulaton')})",
        f"candidates.orders[1][4] (regel {_line_of_item(path, 'pv', 3)})",
        f"collective_programmes[0].years (regel {programme_years})",
        f"klimaattafels.years (regel {klimaattafel_years})",
        f"output.years[1] (regel {output_2060})",
    ]
    assert text[0].endswith(
        "onbekende maatregel 'roof_insulaton'; bedoelde u 'roof_insulation'? bekend zijn: "
        + ", ".join(load_catalogue().ids)
    )
    assert "'pv' staat al op plaats [3]" in text[1]
    assert "2020-2030 valt buiten de horizon 2025-2050" in text[2]
    assert "2025-2051 valt buiten" in text[3] and "2060 valt buiten" in text[4]


def test_check_scenario_names_the_twin_problems_with_their_lines(
    tmp_path: Path, raw: dict[str, Any], catalogue: Catalogue, policy: Policy
) -> None:
    raw["collective_programmes"][0]["sectors"] = ["36011A00-", "99999Z99-"]
    path = _write(tmp_path, raw)
    s = load_scenario(path)  # the file itself is valid
    columns = [c for c in REQUIRED_TWIN_COLUMNS if c not in ("sector_id", "u_roof_w_m2k")]
    with pytest.raises(InputError) as exc:
        check_scenario(s, columns, ["36011A00-", "36011A02-"], catalogue, policy)
    text = _problems(exc)
    assert text == [
        f"twin (regel {_line(path, 'twin:')}): de digitale tweeling mist kolom(men) "
        "sector_id, u_roof_w_m2k; maak de tweeling met `wijk twin build` "
        "(zie docs/twin_schema.md)",
        f"collective_programmes[0].sectors[1] (regel {_line_of_item(path, '99999Z99-')}): "
        "onbekende sector '99999Z99-'; de wijkindeling kent 36011A00-, 36011A02-",
    ]


def test_unknown_measure_in_parsed_scenario_has_place_without_line(
    raw: dict[str, Any], catalogue: Catalogue, policy: Policy
) -> None:
    raw["candidates"]["orders"][0][0] = "solar_roof"
    s = parse_scenario(raw)
    with pytest.raises(InputError) as exc:
        check_scenario(s, list(REQUIRED_TWIN_COLUMNS), [], catalogue, policy)
    (problem,) = _problems(exc)
    assert problem.startswith("candidates.orders[0][0]: onbekende maatregel 'solar_roof'")
    for mid in catalogue.ids:
        assert mid in problem


def test_measure_without_premium_entry_is_accepted(
    raw: dict[str, Any], catalogue: Catalogue, policy: Policy
) -> None:
    """A measure of the catalogue that the policy's premium table does not list gets no premium
    (documented); it is not an error."""
    extra = catalogue.measures[0].model_copy(update={"id": "green_roof"})
    custom = catalogue.model_copy(update={"measures": [*catalogue.measures, extra]})
    raw["candidates"]["orders"][0].append("green_roof")
    check_scenario(parse_scenario(raw), list(REQUIRED_TWIN_COLUMNS), [], custom, policy)


def test_premium_entry_for_a_measure_the_catalogue_lacks(
    raw: dict[str, Any], catalogue: Catalogue, policy: Policy
) -> None:
    """The shipped policy against a catalogue without the shipped ``pv``: its premium entry
    names a measure the run does not know."""
    custom = catalogue.model_copy(
        update={"measures": [m for m in catalogue.measures if m.id != "pv"]}
    )
    raw["candidates"]["orders"] = [["roof_insulation"]]
    with pytest.raises(InputError) as exc:
        check_scenario(parse_scenario(raw), list(REQUIRED_TWIN_COLUMNS), [], custom, policy)
    (problem,) = _problems(exc)
    # named at the scenario's `policy` key, where a municipality gives its own policy file
    assert problem.startswith(
        "policy: beleidsbestand: premiums.measures.pv: onbekende maatregel 'pv': de "
        "maatregelencatalogus kent hem niet;"
    )


# ---------------------------------------------------------------------- uncertainty draws
def test_parameter_draws_deterministic_and_central(raw: dict[str, Any]) -> None:
    s = parse_scenario(raw)
    a = s.parameter_draws()
    b = parse_scenario(copy.deepcopy(raw)).parameter_draws()
    assert list(a) == list(PARAMETER_NAMES)
    for name in PARAMETER_NAMES:
        assert a[name].shape == (21,)
        np.testing.assert_array_equal(a[name], b[name])
    # central run: triangular -> mode, uniform -> midpoint, normal -> mean, lognormal -> median
    assert a["energy_price_factor"][0] == pytest.approx(1.0, abs=1e-15)
    assert a["co2_electricity_factor"][0] == pytest.approx(0.95, abs=1e-15)
    assert a["investment_cost_factor"][0] == pytest.approx(1.075, abs=1e-15)
    assert a["uptake_factor"][0] == pytest.approx(1.0, abs=1e-15)
    assert a["sale_rate_factor"][0] == pytest.approx(1.0, abs=1e-15)
    raw["seed"] = 7
    c = parse_scenario(raw).parameter_draws()
    for name in PARAMETER_NAMES:
        assert c[name][0] == a[name][0]
        assert not np.array_equal(c[name][1:], a[name][1:])


def test_parameter_draws_follow_the_documented_generator(raw: dict[str, Any]) -> None:
    s = parse_scenario(raw)
    draws = s.parameter_draws(5)
    rng = np.random.default_rng([s.seed, 1])
    expected = {
        "energy_price_factor": rng.triangular(0.8, 1.0, 1.4, 5),
        "co2_electricity_factor": rng.uniform(0.7, 1.2, 5),
        "investment_cost_factor": rng.uniform(0.85, 1.3, 5),
        "uptake_factor": np.maximum(rng.normal(1.0, 0.2, 5), 0.0),
        "sale_rate_factor": rng.lognormal(0.0, 0.2, 5),
    }
    for name, values in expected.items():
        np.testing.assert_allclose(draws[name][1:], values, rtol=0, atol=0)


def test_parameters_not_given_stay_one(raw: dict[str, Any]) -> None:
    raw["uncertainty"] = {
        "runs": 4,
        "parameters": {"uptake_factor": raw["uncertainty"]["parameters"]["uptake_factor"]},
    }
    draws = parse_scenario(raw).parameter_draws()
    for name in PARAMETER_NAMES:
        assert draws[name].shape == (5,)
        if name != "uptake_factor":
            np.testing.assert_array_equal(draws[name], np.ones(5))
    assert not np.allclose(draws["uptake_factor"][1:], 1.0, rtol=0, atol=1e-6)
    assert parse_scenario({**raw, "uncertainty": None}).parameter_draws()[
        "uptake_factor"
    ].shape == (1,)
    with pytest.raises(InputError):
        parse_scenario(raw).parameter_draws(-1)


@pytest.mark.parametrize(
    ("dist", "mean", "support"),
    [
        (Uniform(distribution="uniform", low=0.85, high=1.3), (0.85 + 1.3) / 2, (0.85, 1.3)),
        (
            Triangular(distribution="triangular", low=0.8, mode=1.0, high=1.4),
            (0.8 + 1.0 + 1.4) / 3,
            (0.8, 1.4),
        ),
        (Normal(distribution="normal", mean=1.0, sd=0.2), 1.0, (0.0, np.inf)),
        (
            LogNormal(distribution="lognormal", median=1.0, sigma=0.2),
            np.exp(0.2**2 / 2),
            (0.0, np.inf),
        ),
    ],
)
def test_samples_within_support_and_mean_near_analytic(
    dist: Uniform | Triangular | Normal | LogNormal, mean: float, support: tuple[float, float]
) -> None:
    x = dist.sample(np.random.default_rng(3), 200_000)
    assert x.shape == (200_000,)
    assert x.min() >= support[0]
    assert x.max() <= support[1]
    # standard error <= 0.2 / sqrt(2e5) = 4.5e-4; 5e-3 is > 10 standard errors
    assert x.mean() == pytest.approx(mean, abs=5e-3)


def test_normal_is_clipped_at_zero() -> None:
    x = Normal(distribution="normal", mean=0.1, sd=1.0).sample(np.random.default_rng(0), 10_000)
    assert x.min() == 0.0
    assert (x == 0.0).mean() == pytest.approx(0.46, abs=0.03)  # P(N(0.1, 1) < 0) = 0.460


def test_scenario_is_frozen(raw: dict[str, Any]) -> None:
    s = parse_scenario(raw)
    assert isinstance(s, Scenario)
    with pytest.raises(ValueError, match="frozen"):
        s.seed = 3


def test_twin_problems_come_in_the_first_round_with_the_others(
    tmp_path: Path, raw: dict[str, Any]
) -> None:
    """A bad value, an unknown measure and a sector the twin lacks: one message with all three,
    in line order, before any twin is loaded (issue 10: no second round of errors)."""
    _tiny_twin(tmp_path / "twin.parquet", sectors=("36011A00-", "36011A01-"))
    raw["twin"] = "twin.parquet"
    raw["uptake"]["sale_rate"] = 2.0
    raw["candidates"]["orders"][1][3] = "heat_pump_grnd"
    raw["collective_programmes"][0]["sectors"] = ["36011A00-", "X99"]
    path = _write(tmp_path, raw)
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    problems = _problems(exc)
    assert len(problems) == 3, problems
    assert "onbekende maatregel 'heat_pump_grnd'" in problems[0]
    assert problems[1].startswith("uptake.sale_rate (regel")
    assert problems[2].startswith("collective_programmes[0].sectors[1] (regel")
    assert "onbekende sector 'X99'; de wijkindeling kent 36011A00-, 36011A01-" in problems[2]


def test_a_twin_without_required_columns_or_not_a_twin_at_all(
    tmp_path: Path, raw: dict[str, Any]
) -> None:
    _tiny_twin(tmp_path / "twin.parquet", drop=("u_roof_w_m2k",))
    raw["twin"] = "twin.parquet"
    path = _write(tmp_path, raw)
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert _problems(exc) == [
        f"twin (regel {_line(path, 'twin:')}): de digitale tweeling mist kolom(men) "
        "u_roof_w_m2k; maak de tweeling met `wijk twin build` (zie docs/twin_schema.md)"
    ]
    (tmp_path / "notes.parquet").write_text("geen parquet", encoding="utf-8")
    raw["twin"] = "notes.parquet"
    with pytest.raises(InputError) as exc:
        load_scenario(_write(tmp_path, raw))
    (only,) = _problems(exc)
    assert only.startswith("twin (regel ")
    assert "geen leesbaar tweelingbestand" in only and "wijk twin build" in only

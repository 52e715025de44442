"""A user's changes of the heat-cost parameters (scenarios.heat.io_costs and
HeatCostParameters.with_overrides).

The expected change of the network's LCOH is derived by hand from ``costs._lcoh_chunk``: the
network's cost per MWh sold is

    pipes [EUR/GJ] × 3.6 + connections / heat sold + heat_source_price / (1 - network_heat_loss_share)

and only the last term holds the heat source price, so raising the price by Δ in a run raises
that run's network LCOH by exactly Δ / (1 - loss of that run) and leaves every other strategy as
it was (each parameter draws from its own random stream, so the loss draws do not move).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.heat.costs import (
    PARAMETER_NAMES,
    STRATEGIES,
    DwellingCostInputs,
    HeatCostParameters,
    ZoneCostInputs,
    shipped_parameters,
    zone_lcoh,
)
from scenarios.heat.io_costs import CostOverrides, read_cost_overrides
from sim.errors import InputError

NET = STRATEGIES.index("network")
PRICE = "heat_source_price_eur_mwh"
LOSS = "network_heat_loss_share"
RUNS, SEED = 300, 7


@pytest.fixture(scope="module")
def params() -> HeatCostParameters:
    return shipped_parameters()


def _change(**parameters: dict) -> CostOverrides:
    return CostOverrides.from_mapping({"schema_version": 1, "parameters": parameters}, "test")


def _zones() -> tuple[ZoneCostInputs, DwellingCostInputs]:
    """A dense zone of 40 terraced houses and a building of 12 flats, and a sparse one of 3."""
    heat = [12_000.0] * 40 + [6_000.0] * 12 + [18_000.0] * 3
    n = len(heat)
    zone = [0] * 52 + [1] * 3
    flats = [False] * 40 + [True] * 12 + [False] * 3
    building = list(range(40)) + [40] * 12 + [41, 42, 43]
    zones = ZoneCostInputs(
        area_m2=np.array([1e4, 1e4]),
        floor_area_m2=np.array([6000.0, 450.0]),
        street_length_m=np.array([np.nan, np.nan]),
    )
    dwellings = DwellingCostInputs(
        zone=np.asarray(zone, dtype=np.int64),
        building=np.asarray(building, dtype=np.int64),
        heat_demand_kwh=np.asarray(heat),
        hp_supply_temp_c=np.full(n, 50.0),
        hp_ready_cost_eur=np.zeros(n),
        floor_area_m2=np.full(n, 110.0),
        is_apartment=np.asarray(flats),
    )
    return zones, dwellings


def _runs(p: HeatCostParameters) -> np.ndarray:
    zones, dwellings = _zones()
    result = zone_lcoh(zones, dwellings, p, year=2030, runs=RUNS, seed=SEED, keep_runs=True)
    assert result.lcoh_runs is not None
    return result.lcoh_runs  # (Z, S, R + 1)


# ---------------------------------------------------------------------- effect on the costs
def test_dearer_heat_source_raises_the_network_lcoh_by_delta_over_one_minus_losses(params):
    """Both variants fix the price (low = value = high), so in every run the network's LCOH
    differs by exactly 15 / (1 - that run's loss); the other strategies do not move."""
    why = "gevoeligheid"
    at60 = params.with_overrides(
        _change(**{PRICE: {"value": 60, "low": 60, "high": 60, "reden": why}})
    )
    at75 = params.with_overrides(
        _change(**{PRICE: {"value": 75, "low": 75, "high": 75, "reden": why}})
    )
    a, b = _runs(at60), _runs(at75)
    loss = params.sample(RUNS, SEED).values[LOSS]
    assert loss[0] == 0.2 and np.ptp(loss[1:]) > 0.1  # drawn, central 20 %
    np.testing.assert_allclose(
        b[:, NET, :] - a[:, NET, :],
        np.broadcast_to(15.0 / (1.0 - loss), b[:, NET, :].shape),
        rtol=1e-9,
    )
    # at the central values: 15 / 0.8 = 18.75 EUR/MWh
    np.testing.assert_allclose(b[:, NET, 0] - a[:, NET, 0], 18.75, rtol=1e-12)
    others = [j for j in range(len(STRATEGIES)) if j != NET]
    np.testing.assert_array_equal(a[:, others, :], b[:, others, :])


def test_shifting_a_range_shifts_every_draw(params):
    """value, low and high all 10 higher: the triangular draws (inverse CDF of the same uniform
    numbers) move by 10 in every run, and the network's LCOH by 10 / (1 - loss)."""
    p = params.parameters[PRICE]
    shifted = params.with_overrides(
        _change(
            **{PRICE: {"value": p.value + 10, "low": p.low + 10, "high": p.high + 10, "reden": "x"}}
        )
    )
    before, after = params.sample(RUNS, SEED).values, shifted.sample(RUNS, SEED).values
    np.testing.assert_allclose(after[PRICE] - before[PRICE], 10.0, atol=1e-9)
    loss = before[LOSS]
    np.testing.assert_allclose(
        _runs(shifted)[:, NET, :] - _runs(params)[:, NET, :],
        np.broadcast_to(10.0 / (1.0 - loss), (2, RUNS + 1)),
        rtol=1e-9,
    )


def test_override_changes_only_its_own_draws_within_the_new_range(params):
    changed = params.with_overrides(
        _change(connection_rate={"value": 0.8, "low": 0.7, "high": 0.9, "reden": "aansluitplicht"})
    )
    runs = 20_000
    before, after = params.sample(runs, SEED), changed.sample(runs, SEED)
    for name in PARAMETER_NAMES:
        if name != "connection_rate":
            np.testing.assert_array_equal(after.values[name], before.values[name], err_msg=name)
    for role, f in before.cost_factors.items():
        np.testing.assert_array_equal(after.cost_factors[role], f, err_msg=role)
    x = after.values["connection_rate"]
    assert x[0] == 0.8
    assert x[1:].min() >= 0.7 and x[1:].max() <= 0.9
    # triangular(0.7, 0.8, 0.9): mean 0.8, sd sqrt((a²+b²+c²-ab-ac-bc)/18) = 0.0408; 4 sigma
    sd = np.sqrt((0.49 + 0.64 + 0.81 - 0.56 - 0.63 - 0.72) / 18.0)
    assert abs(x[1:].mean() - 0.8) < 4 * sd / np.sqrt(runs)


_SAMPLED = [
    n
    for n in PARAMETER_NAMES
    if shipped_parameters().parameters[n].sampled and n != "hybrid_hp_share"
]


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(_SAMPLED), where=st.floats(0.0, 1.0), runs=st.integers(0, 30))
def test_any_change_moves_its_own_draws_only(name, where, runs):
    """Property: a new central value anywhere in the shipped range is draw 0 of that parameter,
    its random draws stay in the range, every other parameter's draws are as they were, and
    the shipped object is not changed."""
    params = shipped_parameters()
    p = params.parameters[name]
    value = min(p.high, p.low + where * (p.high - p.low))  # never a rounding above high
    changed = params.with_overrides(_change(**{name: {"value": value, "reden": "eigenschap"}}))
    before, after = params.sample(runs, SEED).values, changed.sample(runs, SEED).values
    assert after[name][0] == value and params.value(name) == p.value
    assert ((after[name] >= p.low) & (after[name] <= p.high)).all()
    for other in PARAMETER_NAMES:
        if other != name:
            np.testing.assert_array_equal(after[other], before[other], err_msg=other)


def test_a_higher_connection_rate_lowers_the_network_lcoh(params):
    """More of the zone's heat sold over the same pipes: each run's network LCOH falls (the
    connections' cost per MWh sold is per connected dwelling, unchanged; the pipes' falls)."""
    more = params.with_overrides(
        _change(connection_rate={"value": 0.9, "low": 0.9, "high": 0.9, "reden": "verplicht"})
    )
    less = params.with_overrides(
        _change(connection_rate={"value": 0.5, "low": 0.5, "high": 0.5, "reden": "vrijwillig"})
    )
    assert (_runs(more)[:, NET, :] < _runs(less)[:, NET, :]).all()


def test_the_shipped_parameters_stay_as_they_were(params):
    before = dict(params.parameters)
    changed = params.with_overrides(_change(**{PRICE: {"value": 45, "reden": "offerte"}}))
    assert params.parameters == before and not params.overrides
    assert shipped_parameters().value(PRICE) == 60.0
    assert changed.value(PRICE) == 45.0
    assert changed.parameters[PRICE].low == 40.0 and changed.parameters[PRICE].high == 90.0
    record = changed.overrides[PRICE]
    assert record.shipped == params.parameters[PRICE]
    assert record.reason == "offerte" and record.origin == "test"
    # a second change on top keeps the data file's value as what was replaced
    again = changed.with_overrides(_change(**{PRICE: {"value": 50, "reden": "nieuwe offerte"}}))
    assert again.value(PRICE) == 50.0
    assert again.overrides[PRICE].shipped.value == 60.0
    assert again.overrides[PRICE].reason == "nieuwe offerte"


@pytest.mark.parametrize(
    "text",
    [
        "schema_version: 1\n",
        "schema_version: 1\nparameters:\n",
        "schema_version: 1\nparameters: {}\n",
    ],
)
def test_an_empty_override_file_changes_nothing(tmp_path, params, text):
    path = tmp_path / "kosten.yaml"
    path.write_text("# geen aanpassingen\n" + text, encoding="utf-8")
    overrides = read_cost_overrides(path)
    assert dict(overrides.parameters) == {}
    same = params.with_overrides(overrides)
    assert same.parameters == params.parameters and not same.overrides
    np.testing.assert_array_equal(_runs(same), _runs(params))
    assert same.references() == params.references()


# ---------------------------------------------------------------------- the report
def test_references_mark_the_changed_parameter(params):
    changed = params.with_overrides(
        _change(
            **{PRICE: {"value": 45, "low": 35, "high": 60, "reden": "restwarmte, offerte 2026"}}
        )
    )
    rows = {r["parameter"]: r for r in changed.references()}
    shipped = {r["parameter"]: r for r in params.references()}
    row = rows[PRICE]
    assert row["value"] == "45" and row["range"] == "35-60"
    assert row["override"] == "aangepast door de gebruiker: restwarmte, offerte 2026"
    assert row["shipped_value"] == "60" and row["shipped_range"] == "40-90"
    assert row["source"] == shipped[PRICE]["source"]  # the data file's source stays beside it
    assert row["origin"] == "test"
    for name in PARAMETER_NAMES:
        if name != PRICE:
            assert rows[name] == shipped[name], name


def test_warmteplan_shows_the_changed_parameter(demo_heat, tmp_path):
    """The production path: a plan with changed parameters written by write_heat_plan."""
    from buildings.sectors import sector_outlines
    from buildings.twin import read_twin_sectors
    from scenarios.catalogue import load_catalogue
    from scenarios.heat.io_plan import write_heat_plan
    from scenarios.heat.plan import HeatPlanInputs, heat_plan

    path = tmp_path / "kosten.yaml"
    path.write_text(
        "schema_version: 1\nparameters:\n  heat_source_price_eur_mwh:\n    value: 45\n"
        "    low: 35\n    high: 60\n"
        '    reden: "restwarmte van het bedrijventerrein | offerte 2026"\n',
        encoding="utf-8",
    )
    params = shipped_parameters().with_overrides(read_cost_overrides(path))
    sectors = sector_outlines(demo_heat.twin, read_twin_sectors(demo_heat.twin_path))
    plan = heat_plan(
        HeatPlanInputs(
            twin=demo_heat.twin,
            sectors=sectors,
            catalogue=load_catalogue(),
            today=2025,
            runs=20,
            cost_parameters=params,
            layers=("sector",),
        )
    )
    out = write_heat_plan(plan, tmp_path / "warmte", title="Demo", cost_parameters=params)
    text = (out / "warmteplan.md").read_text(encoding="utf-8")
    assert f"**1 kostparameter(s) aangepast door de gebruiker** ({path}): {PRICE}" in text
    (row,) = [line for line in text.splitlines() if line.startswith(f"| {PRICE} |")]
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
    assert cells[1] == "prijs van de warmte aan de bron"
    assert cells[2] == "**45** (meegeleverd: 60)"
    assert cells[3] == "**35-60** (meegeleverd: 40-90)"
    # the reason's '|' is escaped so the table keeps its six columns
    assert re.fullmatch(
        r"\*\*aangepast door de gebruiker: restwarmte van het bedrijventerrein \\\| offerte "
        r"2026\*\*; meegeleverde bron: \[(\d+)\]",
        cells[5],
    )
    # the shipped source is listed once under the table, with its number
    n = re.search(r"\[(\d+)\]$", cells[5]).group(1)  # type: ignore[union-attr]
    assert re.search(rf"^{n}\. PROJECT ASSUMPTION: Price of the heat delivered", text, re.M)
    assert text.count("aangepast door de gebruiker") == 2  # the note above and the one row


# ---------------------------------------------------------------------- bad input, in Dutch
def _problems(tmp_path: Path, params: HeatCostParameters, body: str) -> str:
    path = tmp_path / "kosten.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as err:
        params.with_overrides(read_cost_overrides(path))
    msg = str(err.value)
    assert f"kostenaanpassingen warmte {path}" in msg  # the file is named
    assert "er is niets berekend" in msg
    return msg


def _entry(name: str, lines: str) -> str:
    return f"schema_version: 1\nparameters:\n  {name}:\n" + "".join(
        f"    {line}\n" for line in lines.splitlines()
    )


BAD = {
    "unknown name with its close match": (
        _entry("heat_source_price", 'value: 45\nreden: "offerte"'),
        [
            "parameters.heat_source_price (regel 3): onbekende parameter; bedoel je "
            "heat_source_price_eur_mwh?"
        ],
    ),
    "a catalogue measure": (
        _entry("heat_pump_air_water", 'value: 9000\nreden: "offerte"'),
        [
            "parameters.heat_pump_air_water (regel 3)",
            "maatregelencatalogus (scenarios/data/measures.yaml)",
        ],
    ),
    "an energy price of the policy": (
        _entry("electricity_price", 'value: 0.3\nreden: "contract"'),
        [
            "parameters.electricity_price (regel 3)",
            "policy_flanders.yaml",
            "electricity_price_factor",
        ],
    ),
    "not a number": (
        _entry(PRICE, 'value: veel\nreden: "offerte"'),
        [f"parameters.{PRICE}.value (regel 4): moet een getal zijn (nu de tekst 'veel')"],
    ),
    "a decimal comma": (
        _entry("connection_rate", 'value: "0,7"\nreden: "aansluitplicht"'),
        ["parameters.connection_rate.value (regel 4)", "punt als decimaalteken, 0.7"],
    ),
    "not finite": (
        _entry(PRICE, 'value: .nan\nreden: "offerte"'),
        [f"parameters.{PRICE}.value (regel 4): moet een eindig getal zijn"],
    ),
    "value above the shipped high": (
        _entry(PRICE, 'value: 95\nreden: "offerte"'),
        [
            f"parameters.{PRICE} (regel 3): moet low ≤ value ≤ high zijn, maar samen met het "
            "kostenbestand wordt dat 40 ≤ 95 ≤ 90 (low 40 en high 90 uit het kostenbestand); "
            "pas de getallen aan of geef ook low en high op"
        ],
    ),
    "low above value": (
        _entry(PRICE, 'value: 45\nlow: 50\nhigh: 60\nreden: "offerte"'),
        [f"parameters.{PRICE} (regel 3)", "50 ≤ 45 ≤ 60; pas de getallen aan"],
    ),
    "a share above 1 after merging": (
        _entry("connection_rate", 'high: 1.2\nreden: "alles"'),
        ["parameters.connection_rate (regel 3): moet tussen 0 (niet inbegrepen) en 1 liggen"],
    ),
    "a construction constant held fixed": (
        _entry("c1_inner_city_eur_m", 'value: 400\nreden: "Vlaamse straten"'),
        ["parameters.c1_inner_city_eur_m (regel 3)", "sampled: false", "pas pipe_cost_factor aan"],
    ),
    "an empirical constant held fixed": (
        _entry("pipe_diameter_slope_m", 'value: 0.05\nreden: "?"'),
        ["parameters.pipe_diameter_slope_m (regel 3)", "sampled: false", "HeatCostParameters.load"],
    ),
    "a value reused from the project": (
        _entry("hybrid_hp_share", 'value: 0.5\nreden: "proef"'),
        ["parameters.hybrid_hp_share (regel 3)", "sim/data/heating_systems.csv, kolom hp_share"],
    ),
    "no reason": (
        _entry(PRICE, "value: 45"),
        [f"parameters.{PRICE}.reden (regel 3): verplichte sleutel 'reden' ontbreekt"],
    ),
    "an empty reason": (
        _entry(PRICE, 'value: 45\nreden: "  "'),
        [f"parameters.{PRICE}.reden (regel 5): moet een tekst zijn die zegt waarom"],
    ),
    "'reason' in English": (
        _entry(PRICE, 'value: 45\nreason: "offerte"'),
        [f"parameters.{PRICE}.reason (regel 5): onbekende sleutel", "schrijf 'reden'"],
    ),
    "no number": (
        _entry(PRICE, 'reden: "offerte"'),
        [f"parameters.{PRICE} (regel 3): geeft geen nieuw getal"],
    ),
    "a bare number instead of a table": (
        "schema_version: 1\nparameters:\n  heat_source_price_eur_mwh: 45\n",
        [
            f"parameters.{PRICE} (regel 3): moet een tabel zijn met value, low en/of high en een reden"
        ],
    ),
    "no schema_version": (
        "parameters: {}\n",
        ["schema_version: verplichte sleutel ontbreekt; schrijf bovenaan 'schema_version: 1'"],
    ),
    "an empty file": ("# niets\n", ["(bestand): het bestand is leeg"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_override_gets_its_dutch_message(tmp_path, params, case):
    body, expected = BAD[case]
    msg = _problems(tmp_path, params, body)
    for part in expected:
        assert part in msg, (case, msg)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path, params):
    body = (
        "schema_version: 1\nparameters:\n"
        "  heat_source_prise_eur_mwh: {value: 45, reden: a}\n"
        "  connection_rate: {value: hoog}\n"
        "  dhw_share: {value: 0.3, reden: b}\n"
    )
    msg = _problems(tmp_path, params, body)
    assert msg.startswith("3 problemen")
    # in line order
    assert msg.index("regel 3") < msg.index("connection_rate")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="bestand niet gevonden"):
        read_cost_overrides(tmp_path / "nergens.yaml")


def test_in_memory_overrides_are_checked_like_a_file(params):
    with pytest.raises(InputError) as err:
        CostOverrides.from_mapping(
            {"schema_version": 1, "parameters": {PRICE: {"value": "45"}}}, "notebook"
        )
    msg = str(err.value)
    assert "kostenaanpassingen warmte (notebook)" in msg
    assert f"parameters.{PRICE}.value: moet een getal zijn" in msg
    assert f"parameters.{PRICE}.reden: verplichte sleutel 'reden' ontbreekt" in msg


def test_the_advice_threshold_is_the_municipalitys_to_set(params):
    """The decision rule is not drawn, but a municipality may ask for surer advice: a higher
    threshold turns close calls into 'nader onderzoeken' and never adds a named strategy."""
    from scenarios.heat.costs import ADVICE_UNDECIDED, advise

    stricter = params.with_overrides(
        CostOverrides.from_mapping(
            {
                "schema_version": 1,
                "parameters": {"advice_threshold": {"value": 0.8, "reden": "alleen zeker advies"}},
            }
        )
    )
    assert stricter.value("advice_threshold") == 0.8
    assert stricter.parameters["advice_threshold"].sampled is False
    row = next(r for r in stricter.references() if r["parameter"] == "advice_threshold")
    assert row["override"] == "aangepast door de gebruiker: alleen zeker advies"
    # the rule itself: a strategy cheapest in 70 % of the runs is named at 0.6, not at 0.8
    p = np.array([[0.7, 0.3, 0.0, 0.0]])
    assert advise(p, params.value("advice_threshold"))[0][0] != ADVICE_UNDECIDED
    assert advise(p, stricter.value("advice_threshold"))[0][0] == ADVICE_UNDECIDED


def test_a_fixed_transmission_value_is_named_for_what_it_is(params, tmp_path):
    msg = _problems(
        tmp_path,
        params,
        "schema_version: 1\nparameters:\n  transmission_full_load_hours:\n    value: 2500\n"
        '    reden: "andere dimensionering"\n',
    )
    assert "ontwerpwaarde van de transportleiding" in msg and "Persson & Werner" not in msg

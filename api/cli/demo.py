"""The main job on the embedded default (``wijk demo``).

1. generate the synthetic Flemish municipality as register files and build its
   digital twin through the real readers (:mod:`buildings`);
2. simulate every dwelling in its current state and under the standard
   renovation packages with the core (:mod:`sim`);
3. write the twin, the results (Parquet + CSV) and a short summary in Dutch,
   per municipality and per statistical sector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from api.formatting import central_legend_nl, goal_rows, nl_number, nl_percent
from api.validation import scenario_rates, validate, write_report
from buildings.demo import demo_sources
from buildings.twin import TwinResult, TwinSources, build_twin, write_twin
from scenarios.catalogue import load_catalogue
from scenarios.pipeline import ScenarioRun, run_file
from sim.climate import uccle_monthly_climate
from sim.core import simulate
from sim.csvsafe import write_csv
from sim.labels import LABELS, current_labels
from sim.stock import DWELLING_COLUMNS, DwellingArrays

#: The shipped example scenario run by the demo.
EXAMPLE_SCENARIO = "scenario_lichtervelde.yaml"
#: Twin columns carried into the results table to describe each dwelling.
DESCRIPTORS: tuple[str, ...] = (
    "building_id",
    "address_id",
    "street",
    "house_number",
    "box_number",
    "sector_id",
    "sector_name",
    "attachment",
    "construction_year",
    "floor_area_m2",
)


def _new_out_dir(out: Path | None) -> Path:
    if out is None:
        out = Path.cwd() / f"wijk-demo-{datetime.now():%Y%m%d-%H%M%S}"
    out.mkdir(parents=True, exist_ok=True)
    return out


@dataclass(frozen=True)
class DemoResult:
    """What ``wijk demo`` produced: the per-package overview, the summary text and where files went."""

    overview: pd.DataFrame
    summary_md: str
    out_dir: Path
    twin: TwinResult
    scenario: ScenarioRun
    #: the heat plan's summary (Dutch), as in ``samenvatting.md``
    heat_nl: str = ""


def package_overview(results: pd.DataFrame) -> pd.DataFrame:
    """One row per package: means per m², share at label A or better, totals and savings."""
    g = results.groupby("variant", sort=False)
    current = g.get_group("current")
    rows = []
    for _name, grp in g:
        rows.append(
            {
                "pakket": grp["variant_nl"].iloc[0],
                "behoefte_kwh_m2": grp["heating_need_kwh_m2"].mean(),
                "energiescore_kwh_m2": grp["energy_score_kwh_m2"].mean(),
                "aandeel_label_a": grp["label"].isin(["A+", "A"]).mean(),
                # what households emit and pay: the expected actual use (the score and the
                # label are the EPC method's)
                "co2_ton": grp["expected_co2_kg"].sum() / 1000,
                "co2_besparing_ton": (
                    current["expected_co2_kg"].sum() - grp["expected_co2_kg"].sum()
                )
                / 1000,
                "kost_eur": grp["expected_cost_eur"].sum(),
                "besparing_eur": current["expected_cost_eur"].sum()
                - grp["expected_cost_eur"].sum(),
            }
        )
    return pd.DataFrame(rows)


def label_counts(results: pd.DataFrame, variant: str) -> str:
    """``"A 5, B 7, ..."``: the number of dwellings per label under one package."""
    counts = results.loc[results["variant"] == variant, "label"].value_counts()
    counts = counts.reindex(LABELS, fill_value=0)
    return ", ".join(f"{k} {v}" for k, v in counts.items() if v)


def sector_overview(results: pd.DataFrame) -> pd.DataFrame:
    """Per statistical sector, current state: dwellings, mean energy score, share at label A or better,
    CO2 now and after a deep renovation of every dwelling."""
    now = results[results["variant"] == "current"]
    deep = results[results["variant"] == "deep"].set_index("dwelling_id")["expected_co2_kg"]
    now = now.assign(co2_deep=now["dwelling_id"].map(deep))
    g = now.groupby(now["sector_name"].fillna("(buiten de sectoren)"), sort=True)
    return pd.DataFrame(
        {
            "woningen": g.size(),
            "energiescore_kwh_m2": g["energy_score_kwh_m2"].mean(),
            "aandeel_label_a": g["label"].apply(lambda s: s.isin(["A+", "A"]).mean()),
            "aandeel_label_ef": g["label"].apply(lambda s: s.isin(["E", "F"]).mean()),
            "co2_ton": g["expected_co2_kg"].sum() / 1000,
            "co2_na_totaalrenovatie_ton": g["co2_deep"].sum() / 1000,
        }
    ).sort_values("woningen", ascending=False)


def summarise(
    results: pd.DataFrame, twin: gpd.GeoDataFrame, twin_result: TwinResult, climate_name: str
) -> str:
    """Short summary in Dutch (Markdown): the municipality, its packages and its sectors."""
    ov = package_overview(results)
    descriptions = dict(zip(results["variant_nl"], results["variant_description_nl"], strict=False))
    rows = [
        f"| {descriptions[r['pakket']]} | {nl_number(r['behoefte_kwh_m2'])} | {nl_number(r['energiescore_kwh_m2'])} "
        f"| {nl_percent(r['aandeel_label_a'])} | {nl_number(r['co2_ton'], 1)} | {nl_number(r['co2_besparing_ton'], 1)} "
        f"| {nl_number(r['kost_eur'])} | {nl_number(r['besparing_eur'])} |"
        for r in ov.to_dict("records")
    ]
    sec = sector_overview(results)
    sector_rows = [
        f"| {name} | {r['woningen']} | {nl_number(r['energiescore_kwh_m2'])} | {nl_percent(r['aandeel_label_a'])} "
        f"| {nl_percent(r['aandeel_label_ef'])} | {nl_number(r['co2_ton'], 1)} "
        f"| {nl_number(r['co2_na_totaalrenovatie_ton'], 1)} |"
        for name, r in zip(sec.index, sec.to_dict("records"), strict=True)
    ]
    att = twin["attachment"].value_counts()
    att_text = ", ".join(
        f"{nl_number(att.get(k, 0))} {label}"
        for k, label in (
            ("open", "open"),
            ("halfopen", "halfopen"),
            ("gesloten", "gesloten"),
            ("apartment", "appartementen"),
        )
    )
    municipality = str(twin["municipality"].iloc[0]) if len(twin) else "?"
    n_rejected = len(twin_result.rejects)
    lines = [
        f"# Wijkrenovatietool: demo voor de voorbeeldgemeente {municipality}",
        "",
        f"Digitale tweeling: {nl_number(len(twin))} woningen ({att_text}) in "
        f"{nl_number(twin['building_id'].nunique())} gebouwen, gebouwd uit gegenereerde registerbestanden "
        f"(Gebouwenregister, Adressenregister, statistische sectoren, DHM-hoogtes) met de echte inleesroutines; "
        f"{nl_number(n_rejected)} records afgewezen met hun reden (rejects.csv). Klimaat: {climate_name}.",
        "Berekening: maandmethode EN ISO 52016-1, installaties, primaire energie en EPC-label (Vlaamse schaal).",
        "",
        "Twee grootheden: de energiescore en het label volgen de EPC-methode (standaardgebruik en de "
        "voorzichtige standaardwaarden van het EPC); CO2, energiekost en besparingen volgen het "
        "verwachte werkelijke verbruik (oude, slecht geïsoleerde woningen verbruiken veel minder dan "
        "het EPC berekent). Een gekend EPC is het huidige label (gekend EPC). Zie validatie.md.",
        "",
        "## Renovatiepakketten voor alle woningen",
        "",
        "| pakket | netto-energiebehoefte verwarming (kWh/m²) | energiescore (kWh/m²) | label A of beter "
        "| CO2 (ton/jaar) | CO2-besparing (ton/jaar) | energiekost (€/jaar) | besparing (€/jaar) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Labelverdeling nu (aantal woningen): {label_counts(results, 'current')}.",
        f"Na totaalrenovatie: {label_counts(results, 'deep')}.",
        "",
        "## Per statistische sector (huidige toestand)",
        "",
        "| sector | woningen | energiescore (kWh/m²) | label A of beter | label E of F | CO2 (ton/jaar) "
        "| CO2 na totaalrenovatie (ton/jaar) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *sector_rows,
        "",
        "Let op: een gegenereerde voorbeeldgemeente, geen echte. Kosten zonder vaste vergoedingen; "
        "prijzen en factoren staan met hun bron in sim/data.",
    ]
    return "\n".join(lines)


def run_example_scenario(
    twin: gpd.GeoDataFrame,
    sources: TwinSources,
    out_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> ScenarioRun:
    """The shipped example scenario (with Monte Carlo runs) on the demo twin, into ``scenario/``."""
    from buildings.io import read_sectors

    example = resources.files("scenarios.data").joinpath(EXAMPLE_SCENARIO)
    sectors = read_sectors(sources.sectors).frame if sources.sectors is not None else None
    return run_file(
        str(example), out_dir / "scenario", twin=twin, sectors=sectors, progress=progress
    )


def scenario_summary(run: ScenarioRun) -> str:
    """Dutch Markdown: the scenario's goal indicators for the municipality, with P10-P90."""
    years = run.report_years()
    rows = [
        f"| {label} | " + " | ".join(c + (f" ({band})" if band else "") for c, band in cells) + " |"
        for label, cells in goal_rows(run.indicators, years)
    ]
    n_runs = run.result.factors.shape[0] - 1
    return "\n".join(
        [
            f"## Scenario {run.result.years[0]}–{run.result.years[-1]}: {run.scenario.name}",
            "",
            "Jaar per jaar doorgerekend: renovaties op eigen initiatief, verkopen met "
            "renovatieverplichting, een collectief renovatieprogramma en klimaattafels "
            f"(scenariobestand scenarios/data/{EXAMPLE_SCENARIO}), met onzekere prijzen, kosten, "
            f"renovatie- en verkoopkansen. {central_legend_nl(n_runs)} Ook in "
            "scenario/indicatoren.csv (kolommen central, p10, p50, p90; zie scenario/LEESMIJ.txt).",
            "",
            "| indicator | " + " | ".join(str(y) for y in years) + " |",
            "|---|" + "---:|" * len(years),
            *rows,
            "",
            "Alle resultaten in scenario/: per woning, per gebouw, indicatoren per wijk en jaar, "
            "kaarten (wijken.gpkg) en grafieken.",
        ]
    )


def _heat_plan(
    twin: gpd.GeoDataFrame, out_dir: Path, progress: Callable[[str], None] | None
) -> str:
    """The demo town's heat plan (``wijk warmte`` with the scenario run, the demo's street
    centrelines, synthetic cabins and one stand-in heat source) into ``out_dir/warmte``; its
    summary in Dutch."""
    from buildings.demo import demo_streets
    from scenarios.heat.pipeline import run_demo_heat_plan

    if progress:
        progress("warmteplan (warmtezonering en netbelasting)")
    done = run_demo_heat_plan(
        twin,
        out_dir / "twin.parquet",
        out_dir / "warmte",
        out_dir / "bronnen",
        results=out_dir / "scenario",
        streets=demo_streets(out_dir),
    )
    plan = done.plan
    sector = plan.layers["sector"]
    first, last = plan.years[0], plan.years[-1]

    def advice(year: int) -> str:
        counts = sector[sector["year"] == year]["advice"].value_counts()
        return ", ".join(f"{word} {n}" for word, n in counts.items())

    cabins_nl = ""
    if plan.cabins is not None:
        over = plan.cabins.groupby("year")["overloaded"].sum()
        cabins_nl = (
            f" Overbelaste cabines (synthetisch, {plan.cabins['cabin_id'].nunique()}): "
            + ", ".join(f"{y}: {int(n)}" for y, n in over.items())
            + "."
        )
    pipes_nl = ""
    if plan.transmission is not None and len(plan.transmission):
        t = plan.transmission
        lost = int(t["zones_lost"].sum())
        pipes_nl = (
            f" Transportleiding van de (fictieve) warmtebron naar de netgebieden: "
            f"{nl_number(float(t['source_distance_m'].min()), 0)} tot "
            f"{nl_number(float(t['source_distance_m'].max()), 0)} m, "
            f"{nl_number(float(t['transmission_eur_mwh'].min()), 2)} tot "
            f"{nl_number(float(t['transmission_eur_mwh'].max()), 2)} €/MWh erbij; "
            + (
                "1 zone verliest daardoor het warmtenet."
                if lost == 1
                else f"{nl_number(lost)} zones verliezen daardoor het warmtenet."
            )
        )
    return (
        f"Warmtezonering: `warmte/warmteplan.md` en `warmte/warmtezones.gpkg` (sectoren, "
        f"hectarecellen en straatsegmenten). Advies per sector in {first}: {advice(first)}; in "
        f"{last}: {advice(last)}.{cabins_nl}{pipes_nl}"
    )


def run_demo(out: Path | None = None, progress: Callable[[str], None] | None = None) -> DemoResult:
    """Build the demo twin, simulate it and write results and a summary to ``out``.

    Writes ``bronnen/`` (the generated register files), ``twin.parquet``/``twin.gpkg``,
    ``rejects.csv``, ``accounting.csv``, ``results.parquet`` and ``results.csv`` (one row per
    dwelling and package) and ``samenvatting.md``.
    """
    out_dir = _new_out_dir(out)
    sources = demo_sources(out_dir)
    twin_result = build_twin(sources, progress=progress)
    write_twin(twin_result, out_dir / "twin.parquet")
    twin = twin_result.dwellings

    if progress:
        progress("simulatie: huidige toestand en renovatiepakketten")
    arrays = DwellingArrays.from_frame(twin[list(DWELLING_COLUMNS)], what="twin dwellings")
    # the renovation packages of the measures catalogue (the one catalogue of measures)
    catalogue = load_catalogue()
    packages = catalogue.package_variants()
    climate = uccle_monthly_climate()
    res = simulate(arrays, packages, climate)
    table = res.to_frame(dwelling_ids=twin["dwelling_id"].to_numpy())
    names = catalogue.package_names()
    table.insert(2, "variant_nl", table["variant"].map(lambda v: names[v][0]))
    table.insert(3, "variant_description_nl", table["variant"].map(lambda v: names[v][1]))
    desc = pd.DataFrame(twin[["dwelling_id", *DESCRIPTORS]]).set_index("dwelling_id")
    table = table.join(desc, on="dwelling_id")
    table["heating_need_kwh_m2"] = table["heating_need_kwh"] / table["floor_area_m2"]
    # a registered EPC is the current label ("gekend EPC"), also where the calibration could
    # not bring the model's score to it within the physical ranges
    now = table["variant"].to_numpy() == "current"
    registered = table["dwelling_id"].map(twin.set_index("dwelling_id")["epc_label_registered"])
    registered = registered.astype(object).where(registered.notna() & now, None)
    known = registered.notna().to_numpy()
    model_index = table["label"].cat.codes.to_numpy()
    table["label"] = pd.Categorical(
        current_labels(model_index, registered.to_numpy(dtype=object)), categories=list(LABELS)
    )
    table["label_source"] = pd.Categorical(
        np.where(known, "gekend EPC", "berekend"), categories=["berekend", "gekend EPC"]
    )
    table.to_parquet(out_dir / "results.parquet", index=False)
    write_csv(table, out_dir / "results.csv", index=False)

    summary = summarise(table, twin, twin_result, climate.name)
    scenario = run_example_scenario(twin, sources, out_dir, progress)
    if progress:
        progress("validatie tegenover gepubliceerde Vlaamse cijfers")
    rates = scenario_rates(scenario.result, scenario.inputs.policy, scenario.inputs.catalogue)
    write_report(validate(twin), out_dir, "voorbeeldgemeente", scenario=rates)
    summary += (
        "\n\nValidatie: `validatie.md` zet de labelverdeling, het verwachte gasverbruik en de CO2, "
        "de gekende EPC's, de rekenkern, de warmtepompen en het renovatietempo van het scenario "
        "naast gepubliceerde Vlaamse cijfers."
    )
    summary += "\n\n" + scenario_summary(scenario)
    heat_nl = _heat_plan(twin, out_dir, progress)
    summary += "\n\n" + heat_nl
    (out_dir / "samenvatting.md").write_text(summary + "\n", encoding="utf-8")
    return DemoResult(
        overview=package_overview(table),
        summary_md=summary,
        out_dir=out_dir,
        twin=twin_result,
        scenario=scenario,
        heat_nl=heat_nl,
    )

"""Inputs and outputs of a scenario run: the twin and neighbourhoods in, files out.

:class:`ScenarioInputs` holds what a run works on (``scenarios.pipeline.load_inputs`` reads it);
:func:`write_outputs` writes the results of :func:`scenarios.run.run_scenario` to a folder:

==============================  ==========================================================
``woningen.parquet``            one row per dwelling, central run
``gebouwen.parquet``            one row per building (dwellings summed)
``indicatoren.parquet`` / .csv  indicators per area, year and indicator (central, P10-P90)
``wijken.gpkg``                 layers ``sectoren`` and ``gemeente``: polygons with the
                                indicators of the output years
``wijken/<sector>.gpkg``        per neighbourhood: its dwellings (footprints) and its polygon
``grafieken/*.png`` / ``.svg``  charts (matplotlib)
``scenario.yaml``               a copy of the scenario file
``LEESMIJ.txt``                 what the files and the columns are, in Dutch: which figure
                                is the central estimate (the median of the runs) and which
                                figures come from the single central run
``beleid.yaml``                 the policy the run used (:func:`scenarios.policy.write_policy`);
                                reports and the service read goals and years from it
==============================  ==========================================================

A run writes into a new sibling folder and only replaces ``out`` when everything is written,
so a failed run never overwrites an earlier good one. Indicator files are byte-identical for
the same scenario and seed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from scenarios.catalogue import Catalogue
from scenarios.indicators import CENTRAL_ESTIMATE_NL, indicator_table, wide
from scenarios.policy import Policy, write_policy
from scenarios.run import ScenarioResult
from scenarios.scenario import Scenario
from sim.csvsafe import write_csv

#: The policy of the run, in the output folder.
POLICY_FILE = "beleid.yaml"
#: Name of the area outside every neighbourhood polygon.
NO_SECTOR_NL = "(buiten elke wijk)"
#: Indicators shown per area in the GeoPackages.
MAP_INDICATORS: tuple[str, ...] = (
    "dwellings",
    "share_label_a_or_better",
    "co2_kg",
    "co2_reduction_share",
    "energy_cost_eur",
    "investment_cum_eur",
    "lekp_collective_cum",
    "lekp_collective_progress",
    "obligation_triggered_cum",
)


@dataclass
class ScenarioInputs:
    """What a scenario runs on."""

    twin: gpd.GeoDataFrame
    sectors: gpd.GeoDataFrame  # sector_id, sector_name, outline_source, geometry
    catalogue: Catalogue
    policy: Policy
    municipality: tuple[str, str]  # NIS code, name
    #: Dutch note for the reports when some outlines are not the given neighbourhood polygons
    #: (hulls of the buildings; ``buildings.sectors``), "" when all are given.
    outline_note: str = ""


def sector_names(result: ScenarioResult, inputs: ScenarioInputs) -> list[str]:
    """Name per sector of the result (from the twin, else the polygons, else the id)."""
    names: dict[str, str] = {}
    if "sector_name" in inputs.twin:
        t = inputs.twin[["sector_id", "sector_name"]].astype(str).drop_duplicates("sector_id")
        names.update(zip(t["sector_id"], t["sector_name"], strict=True))
    poly = inputs.sectors[["sector_id", "sector_name"]].astype(str)
    for sid, nm in zip(poly["sector_id"], poly["sector_name"], strict=True):
        names.setdefault(sid, nm)
    return [
        names.get(s) or (NO_SECTOR_NL if s in ("", "nan", "<NA>") else s) for s in result.sector_ids
    ]


def indicators_of(result: ScenarioResult, inputs: ScenarioInputs) -> pd.DataFrame:
    """The indicator table of a result (:func:`scenarios.indicators.indicator_table`)."""
    return indicator_table(
        result.aggregates,
        result.years,
        result.sector_ids,
        sector_names(result, inputs),
        inputs.municipality,
        inputs.policy,
    )


def write_outputs(
    result: ScenarioResult,
    indicators: pd.DataFrame,
    inputs: ScenarioInputs,
    scenario: Scenario,
    out: Path,
    scenario_file: Path | None = None,
) -> Path:
    """Write every output file to ``out`` (atomically replacing an earlier run)."""
    return write_folder(
        out, lambda tmp: _write_all(result, indicators, inputs, scenario, tmp, scenario_file)
    )


def write_folder(out: Path, write: Callable[[Path], None]) -> Path:
    """Let ``write`` fill a new folder beside ``out``, then put it in the place of ``out``.

    Only a complete folder ever stands at ``out``: if ``write`` fails, its half-written folder
    is removed and whatever was at ``out`` before stays as it was.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
        write(tmp)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            old.rmdir()
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _write_all(
    result: ScenarioResult,
    indicators: pd.DataFrame,
    inputs: ScenarioInputs,
    scenario: Scenario,
    folder: Path,
    scenario_file: Path | None,
) -> None:
    dw = result.dwellings
    dw.to_parquet(folder / "woningen.parquet", index=False)
    buildings_table(dw).to_parquet(folder / "gebouwen.parquet", index=False)
    indicators.to_parquet(folder / "indicatoren.parquet", index=False)
    write_csv(indicators, folder / "indicatoren.csv", index=False, float_format="%.6g")
    if scenario_file is not None:
        shutil.copyfile(scenario_file, folder / "scenario.yaml")
    (folder / "LEESMIJ.txt").write_text(
        readme_nl(result, scenario, inputs.outline_note), encoding="utf-8"
    )
    write_policy(inputs.policy, folder / POLICY_FILE)
    years = sorted({*(scenario.output.years if scenario.output else []), scenario.horizon.end})
    years = [int(result.years[0]), *years]
    area = _area_table(indicators, years)
    sectors = inputs.sectors.merge(
        area[area["level"] == "sector"], left_on="sector_id", right_on="area_id", how="right"
    )
    sectors = gpd.GeoDataFrame(sectors, geometry="geometry", crs=inputs.sectors.crs)
    sectors.to_file(folder / "wijken.gpkg", layer="sectoren", driver="GPKG")
    town = area[area["level"] == "gemeente"].copy()
    town_geom = inputs.sectors.geometry.union_all()
    gpd.GeoDataFrame(town, geometry=[town_geom], crs=inputs.sectors.crs).to_file(
        folder / "wijken.gpkg", layer="gemeente", driver="GPKG"
    )
    if scenario.output is None or scenario.output.per_sector_geopackage:
        _per_sector(dw, inputs, sectors, folder / "wijken")
    formats = list(scenario.output.charts) if scenario.output else ["png", "svg"]
    if formats:
        from scenarios.charts import write_charts

        write_charts(indicators, folder / "grafieken", formats, inputs.policy)


def readme_nl(result: ScenarioResult, scenario: Scenario, outline_note: str = "") -> str:
    """The Dutch ``LEESMIJ.txt`` of an output folder: which figure is which (and, with
    ``outline_note``, where the neighbourhood outlines come from)."""
    n_runs = int(result.factors.shape[0]) - 1
    start, end = int(result.years[0]), int(result.years[-1])
    runs = (
        f"{n_runs} Monte Carlo-runs (onzekere prijzen, kosten, renovatie- en verkoopkansen) "
        "naast de centrale run"
        if n_runs > 0
        else "enkel de centrale run (geen Monte Carlo-runs)"
    )
    return "\n".join(
        [
            f"Scenario '{scenario.name}', {start}-{end}: {runs}.",
            "",
            "indicatoren.csv / indicatoren.parquet: een rij per gebied (sector of gemeente), jaar "
            "en indicator.",
            f"  central: de centrale raming. {CENTRAL_ESTIMATE_NL}",
            "  p10, p50, p90: 10e, 50e en 90e percentiel over de Monte Carlo-runs (p50 = central).",
            "  De mediaan is per gebied, jaar en indicator apart genomen: de medianen van de wijken "
            "tellen niet precies op tot die van de gemeente, en de aandelen per label niet precies "
            "tot 100 % (in elke afzonderlijke run wel).",
            f"  Het eerste jaar ({start}) is de huidige toestand: huishoudens beslissen vanaf "
            f"{start + 1}. Wat de gemeente plant (uitnodigingen voor de klimaattafels, ook in "
            f"{start}; collectieve programma's) gebeurt in elke run zoals gepland; wat "
            "huishoudens beslissen (deelnemen, renoveren, verkopen, de renovatieverplichting "
            "nakomen) verschilt van run tot run.",
            "",
            "woningen.parquet, gebouwen.parquet, wijken/<wijk>.gpkg: per woning de centrale run "
            "(elke onzekere factor op zijn centrale waarde, de beslissingen van de huishoudens "
            "een trekking). Hun som is een doorrekening, niet de centrale raming; "
            "p_label_a_end is het aandeel van de Monte Carlo-runs waarin de woning label A haalt.",
            "  to_label_a_* en to_obligation_*: de goedkoopste weg binnen de trajecten van dit "
            "scenario (candidates.orders), wat de huishoudens in het scenario kunnen kiezen. Het "
            "stappenplan van een woning (wijk trajectory, de webpagina, het bewonersrapport) "
            "zoekt over elke combinatie van de maatregelen van haar route en kan dus goedkoper "
            "uitkomen.",
            "wijken.gpkg: de centrale raming van de belangrijkste indicatoren per wijk en voor de "
            "gemeente, in het beginjaar en de uitvoerjaren. De kolom outline_source zegt waar "
            "de wijkgrens vandaan komt: de gegeven wijkindeling of een omhullende van de "
            "gebouwen van de wijk.",
            *([f"  {outline_note}"] if outline_note else []),
            "grafieken/: de centrale raming en de band P10-P90 van de gemeente.",
            "scenario.yaml: het scenariobestand van deze doorrekening.",
            "",
        ]
    )


def buildings_table(dwellings: pd.DataFrame) -> pd.DataFrame:
    """Per building: dwellings, investment and premium, CO2 now and at the horizon's end."""
    cols = [str(c) for c in dwellings.columns]
    end_col = sorted(
        c for c in cols if c.startswith("co2_") and c.endswith("_kg") and c != "co2_now_kg"
    )[-1]
    end_label = "label_" + end_col.split("_")[1]
    g = dwellings.assign(
        a_end=dwellings[end_label].isin(["A+", "A"]), a_now=dwellings["label_now"].isin(["A+", "A"])
    ).groupby("building_id", sort=True)
    out = pd.DataFrame(
        {
            "sector_id": g["sector_id"].first(),
            "dwellings": g.size(),
            "share_label_a_now": g["a_now"].mean(),
            "share_label_a_end": g["a_end"].mean(),
            "co2_now_kg": g["co2_now_kg"].sum(),
            "co2_end_kg": g[end_col].sum(),
            "investment_eur": g["investment_eur"].sum(),
            "premium_eur": g["premium_eur"].sum(),
        }
    )
    return out.reset_index()


def _area_table(indicators: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    parts = []
    for y in dict.fromkeys(years):
        w = wide(indicators, y)
        keep = ["level", "area_id", "area_name", *[c for c in MAP_INDICATORS if c in w]]
        w = w[keep].rename(columns={c: f"{c}_{y}" for c in MAP_INDICATORS})
        parts.append(w.set_index(["level", "area_id", "area_name"]))
    return pd.concat(parts, axis=1).reset_index()


def _per_sector(
    dwellings: pd.DataFrame, inputs: ScenarioInputs, sectors: gpd.GeoDataFrame, folder: Path
) -> None:
    folder.mkdir()
    geom = inputs.twin[["dwelling_id", "geometry"]]
    dw = gpd.GeoDataFrame(
        dwellings.merge(geom, on="dwelling_id", how="left"),
        geometry="geometry",
        crs=inputs.twin.crs,
    )
    for sid, part in dw.groupby("sector_id", sort=True):
        name = str(sid) or "buiten-wijken"
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
        path = folder / f"{safe}.gpkg"
        part.to_file(path, layer="woningen", driver="GPKG")
        poly = sectors[sectors["area_id"] == sid]
        if len(poly) and poly.geometry.notna().all():
            poly.to_file(path, layer="wijk", driver="GPKG")


def municipality_series(indicators: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Year, central, P10, P50, P90 of one indicator for the municipality."""
    sel = indicators[(indicators["level"] == "gemeente") & (indicators["indicator"] == indicator)]
    return sel[["year", "central", "p10", "p50", "p90"]].sort_values("year").reset_index(drop=True)


__all__ = [
    "POLICY_FILE",
    "ScenarioInputs",
    "buildings_table",
    "indicators_of",
    "municipality_series",
    "readme_nl",
    "write_outputs",
]

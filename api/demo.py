"""The main job on the embedded default (``wijk demo``).

For now the embedded default is one dwelling per archetype of the Flemish
TABULA typology (5 building types × 6 construction periods); the digital
twin of a whole municipality replaces it when ``buildings/`` lands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from api.formatting import nl_number, nl_percent
from sim.archetypes import archetype_table, dwelling_inputs
from sim.climate import uccle_monthly_climate
from sim.core import simulate
from sim.labels import LABELS
from sim.pv import pv_specific_yield
from sim.reference_data import load_table
from sim.stock import DWELLING_COLUMNS, DwellingArrays
from sim.variants import standard_packages

#: Orientation and tilt assumed for PV on the demo roofs: south, 35° [deg] (pvlib convention).
DEMO_PV_AZIMUTH_DEG, DEMO_PV_TILT_DEG = 180.0, 35.0


def demo_dwellings() -> pd.DataFrame:
    """One dwelling per archetype, built in the middle of its construction period."""
    arch = archetype_table()
    start = arch["year_from"].clip(lower=1900)
    end = arch["year_to"].clip(upper=2020)
    year = ((start + end) // 2).astype(int)
    frame = dwelling_inputs(arch["building_type"].to_numpy(), year.to_numpy())
    frame.insert(0, "dwelling_id", [f"demo-{i:02d}" for i in range(len(frame))])
    frame.insert(1, "building_type", arch["building_type"].to_numpy())
    frame.insert(2, "construction_year", year.to_numpy())
    frame["pv_yield_kwh_kwp"] = pv_specific_yield(
        np.full(len(frame), DEMO_PV_AZIMUTH_DEG), np.full(len(frame), DEMO_PV_TILT_DEG)
    )
    return frame.reset_index(drop=True)


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
                "co2_ton": grp["co2_kg"].sum() / 1000,
                "co2_besparing_ton": (current["co2_kg"].sum() - grp["co2_kg"].sum()) / 1000,
                "kost_eur": grp["cost_eur"].sum(),
                "besparing_eur": current["cost_eur"].sum() - grp["cost_eur"].sum(),
            }
        )
    return pd.DataFrame(rows)


def label_counts(results: pd.DataFrame, variant: str) -> str:
    """``"A 5, B 7, ..."``: the number of dwellings per label under one package."""
    counts = results.loc[results["variant"] == variant, "label"].value_counts()
    counts = counts.reindex(LABELS, fill_value=0)
    return ", ".join(f"{k} {v}" for k, v in counts.items() if v)


def summarise(results: pd.DataFrame, n_dwellings: int, climate_name: str) -> str:
    """Short summary in Dutch (Markdown) of a results table."""
    ov = package_overview(results)
    descriptions = dict(zip(results["variant_nl"], results["variant_description_nl"], strict=False))
    rows = [
        f"| {descriptions[r['pakket']]} | {nl_number(r['behoefte_kwh_m2'])} | {nl_number(r['energiescore_kwh_m2'])} "
        f"| {nl_percent(r['aandeel_label_a'])} | {nl_number(r['co2_ton'], 1)} | {nl_number(r['co2_besparing_ton'], 1)} "
        f"| {nl_number(r['kost_eur'])} | {nl_number(r['besparing_eur'])} |"
        for r in ov.to_dict("records")
    ]
    lines = [
        "# Wijkrenovatietool: demo op de ingebouwde voorbeeldwoningen",
        "",
        f"{n_dwellings} voorbeeldwoningen: één per type (open, halfopen, gesloten, klein en groot "
        f"appartementsgebouw) en bouwperiode, uit de Belgische TABULA-typologie. Klimaat: {climate_name}.",
        "Berekening: maandmethode EN ISO 52016-1, installaties, primaire energie en EPC-label (Vlaamse schaal).",
        "",
        "| pakket | netto-energiebehoefte verwarming (kWh/m²) | energiescore (kWh/m²) | label A of beter "
        "| CO2 (ton/jaar) | CO2-besparing (ton/jaar) | energiekost (€/jaar) | besparing (€/jaar) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Labelverdeling nu (aantal woningen): {label_counts(results, 'current')}.",
        f"Na totaalrenovatie: {label_counts(results, 'deep')}.",
        "",
        "Let op: totalen over voorbeeldwoningen, geen echte wijk. Kosten zonder vaste vergoedingen; "
        "prijzen en factoren staan met hun bron in sim/data.",
    ]
    return "\n".join(lines)


def run_demo(out: Path | None = None) -> DemoResult:
    """Simulate the embedded default and write results and a summary to ``out``.

    Writes ``results.parquet`` and ``results.csv`` (one row per dwelling and
    package), ``dwellings.csv`` (the inputs) and ``samenvatting.md``.
    """
    dwell = demo_dwellings()
    arrays = DwellingArrays.from_frame(dwell[list(DWELLING_COLUMNS)], what="demo dwellings")
    packages = standard_packages()
    climate = uccle_monthly_climate()
    res = simulate(arrays, packages, climate)
    table = res.to_frame(dwelling_ids=dwell["dwelling_id"].to_numpy())
    meta = load_table("standard_packages.csv").set_index("name")
    table.insert(2, "variant_nl", table["variant"].map(meta["label_nl"]))
    table.insert(3, "variant_description_nl", table["variant"].map(meta["description_nl"]))
    desc = dwell.set_index("dwelling_id")[
        ["building_type", "construction_year", "archetype_id", "floor_area_m2"]
    ]
    table = table.join(desc, on="dwelling_id")
    table["heating_need_kwh_m2"] = table["heating_need_kwh"] / table["floor_area_m2"]

    out_dir = _new_out_dir(out)
    table.to_parquet(out_dir / "results.parquet", index=False)
    table.to_csv(out_dir / "results.csv", index=False)
    dwell.to_csv(out_dir / "dwellings.csv", index=False)
    summary = summarise(table, len(dwell), climate.name)
    (out_dir / "samenvatting.md").write_text(summary + "\n", encoding="utf-8")
    return DemoResult(overview=package_overview(table), summary_md=summary, out_dir=out_dir)

"""The main job on the embedded default (``wijk demo``).

For now the embedded default is one dwelling per archetype of the Flemish
TABULA typology (5 building types × 6 construction periods); the digital
twin of a whole municipality replaces it when ``buildings/`` lands.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim.archetypes import archetype_table, dwelling_inputs
from sim.climate import uccle_monthly_climate
from sim.core import simulate
from sim.labels import LABELS
from sim.pv import pv_specific_yield
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


def summarise(results: pd.DataFrame, n_dwellings: int, climate_name: str) -> str:
    """Short summary in Dutch (Markdown) of a results table."""
    g = results.groupby("variant", sort=False)
    current = g.get_group("current")
    base_cost = current["cost_eur"].sum()
    base_co2 = current["co2_kg"].sum()
    rows = []
    for _name, grp in g:
        label_a = (grp["label"].isin(["A+", "A"])).mean()
        rows.append(
            f"| {grp['variant_nl'].iloc[0]} | {grp['heating_need_kwh_m2'].mean():.0f} "
            f"| {grp['energy_score_kwh_m2'].mean():.0f} | {label_a:.0%} "
            f"| {grp['co2_kg'].sum() / 1000:.1f} | {base_co2 / 1000 - grp['co2_kg'].sum() / 1000:.1f} "
            f"| {grp['cost_eur'].sum():,.0f} | {base_cost - grp['cost_eur'].sum():,.0f} |"
        )
    deep = g.get_group("deep") if "deep" in g.groups else current
    dist_now = current["label"].value_counts().reindex(LABELS, fill_value=0)
    dist_deep = deep["label"].value_counts().reindex(LABELS, fill_value=0)
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
        "Labelverdeling (aantal woningen): "
        + ", ".join(f"{k} {v}" for k, v in dist_now.items() if v),
        "na totaalrenovatie: " + ", ".join(f"{k} {v}" for k, v in dist_deep.items() if v),
        "",
        "Let op: gemiddelden over voorbeeldwoningen, geen wijk. Kosten zonder vaste vergoedingen; "
        "prijzen en factoren staan in sim/data met hun bron.",
    ]
    return "\n".join(lines)


def run_demo(out: Path | None = None) -> str:
    """Simulate the embedded default and write results and a summary to ``out``.

    Writes ``results.parquet`` and ``results.csv`` (one row per dwelling and
    package), ``dwellings.csv`` (the inputs) and ``samenvatting.md``.
    Returns the summary text.
    """
    dwell = demo_dwellings()
    arrays = DwellingArrays.from_frame(dwell[list(DWELLING_COLUMNS)], what="demo dwellings")
    packages = standard_packages()
    climate = uccle_monthly_climate()
    res = simulate(arrays, packages, climate)
    table = res.to_frame(dwelling_ids=dwell["dwelling_id"].to_numpy())
    labels_nl = dict(zip(packages.name, _package_labels_nl(), strict=True))
    table.insert(2, "variant_nl", table["variant"].map(labels_nl))
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
    written = (
        f"\nGeschreven in {out_dir}: results.parquet, results.csv, dwellings.csv, samenvatting.md"
    )
    (out_dir / "samenvatting.md").write_text(summary + "\n", encoding="utf-8")
    return summary + written


def _package_labels_nl() -> list[str]:
    from sim.reference_data import load_table

    return [str(x) for x in load_table("standard_packages.csv")["label_nl"]]

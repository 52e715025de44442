"""The command line, run as a user would (typer's CliRunner calls the real commands)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
from typer.testing import CliRunner

from api.cli import app
from sim.labels import LABELS

runner = CliRunner()


def test_demo_writes_results_and_a_dutch_summary(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Huidige toestand" in result.output and "Totaalrenovatie" in result.output
    assert "Boekhouding" in result.output
    assert (
        "Warmtezonering: warmte/warmteplan.md" in result.output
        and "warmte/ (het warmteplan" in result.output
    )
    table = pd.read_parquet(out / "results.parquet")
    csv = pd.read_csv(out / "results.csv")
    dwellings = gpd.read_parquet(out / "twin.parquet")
    assert len(table) == len(csv) == len(dwellings) * table["variant"].nunique()
    # every dwelling has every package, and nothing is NaN
    assert table.groupby("dwelling_id")["variant"].nunique().eq(table["variant"].nunique()).all()
    numeric = table.select_dtypes("number")
    assert len(numeric.columns) > 10 and not numeric.isna().any().any()
    assert table["label"].notna().all()
    assert set(table["label"].astype(str)) <= set(LABELS)
    summary = (out / "samenvatting.md").read_text(encoding="utf-8")
    assert summary.startswith("# Wijkrenovatietool")
    # the example scenario ran on the same twin and wrote its results
    assert "## Scenario 2025–2050" in summary and "LEKP-doel collectieve renovaties" in summary
    per_dwelling = pd.read_parquet(out / "scenario" / "woningen.parquet")
    assert set(per_dwelling["dwelling_id"]) == set(dwellings["dwelling_id"])
    sectors = gpd.read_file(out / "scenario" / "wijken.gpkg", layer="sectoren")
    assert set(sectors["sector_id"]) == set(dwellings["sector_id"].astype(str))
    # and the heat plan of the town, with its streets and (synthetic) cabins
    assert "Warmtezonering: `warmte/warmteplan.md`" in summary
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(out / "warmte" / "warmtezones.gpkg")}
    assert layers == {"sector", "grid", "street", "cabines"}
    # the street records the plan left out are listed with their reason (none in the demo)
    left_out = pd.read_csv(out / "warmte" / "weggelaten_straten.csv")
    assert "reason" in left_out.columns or "reden" in left_out.columns


def test_demo_into_a_file_gives_a_dutch_error_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "bestand.txt"
    blocker.write_text("x")
    result = runner.invoke(app, ["demo", "--out", str(blocker)])
    assert result.exit_code == 2
    assert "Fout:" in result.output and "Traceback" not in result.output


def test_bench_json_has_the_documented_keys() -> None:
    result = runner.invoke(app, ["bench", "--dwellings", "2000", "--variants", "3", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert {"evals_per_s", "wall_s", "peak_rss_mb"} <= set(figures)
    assert figures["evaluations"] == 6000 and figures["evals_per_s"] > 0


def test_bench_table_prints_figures() -> None:
    result = runner.invoke(app, ["bench", "--dwellings", "500", "--variants", "2"])
    assert result.exit_code == 0, result.output
    assert "evaluaties per seconde" in result.output


def test_bench_rejects_zero_dwellings() -> None:
    result = runner.invoke(app, ["bench", "--dwellings", "0"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output

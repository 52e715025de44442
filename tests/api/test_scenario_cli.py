"""``wijk scenario run``: the files a user gets, reproducibility, and bad input in Dutch."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner(env={"COLUMNS": "300"})
EXAMPLE = (
    resources.files("scenarios.data").joinpath("scenario_lichtervelde.yaml").read_text("utf-8")
)


def flat(text: str) -> str:
    """Output without whitespace: rich wraps lines at the terminal width."""
    return "".join(text.split())


def scenario_file(folder: Path, text: str = EXAMPLE) -> Path:
    text = re.sub(r"(\n  runs:) *\d+", r"\1 3", text)  # 3 Monte Carlo runs: quick
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("scenario_cli")
    path = scenario_file(folder)
    first = runner.invoke(
        app, ["scenario", "run", str(path), "--out", str(folder / "a")], env={"COLUMNS": "160"}
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["scenario", "run", str(path), "--out", str(folder / "b")])
    assert second.exit_code == 0, second.output
    return folder / "a", folder / "b", flat(first.output)


def test_run_writes_every_output(runs: tuple[Path, Path, str]) -> None:
    out, _, text = runs
    for name in (
        "woningen.parquet",
        "gebouwen.parquet",
        "indicatoren.parquet",
        "indicatoren.csv",
        "wijken.gpkg",
        "scenario.yaml",
        "LEESMIJ.txt",
    ):
        assert (out / name).is_file(), name
    readme = (out / "LEESMIJ.txt").read_text("utf-8")
    assert "central: de centrale raming. De centrale raming is de mediaan (P50)" in readme
    for stem in ("labels", "co2", "label_a", "investering", "lekp_wijken"):
        assert (out / "grafieken" / f"{stem}.png").stat().st_size > 10_000
        assert (out / "grafieken" / f"{stem}.svg").read_text("utf-8").startswith("<?xml")
    sectors = gpd.read_file(out / "wijken.gpkg", layer="sectoren")
    assert sectors.geometry.notna().all() and len(sectors) >= 5
    assert {"share_label_a_or_better_2025", "share_label_a_or_better_2050"} <= set(sectors.columns)
    per = sorted((out / "wijken").glob("*.gpkg"))
    assert len(per) == len(sectors)
    dwellings = pd.read_parquet(out / "woningen.parquet")
    in_sector_files = sum(len(gpd.read_file(p, layer="woningen")) for p in per)
    assert in_sector_files == len(dwellings)  # every dwelling in exactly one neighbourhood file
    ind = pd.read_csv(out / "indicatoren.csv")
    assert set(ind["level"]) == {"sector", "gemeente"}
    n = f"{len(dwellings):,}".replace(",", ".")
    assert f"Lichterveldebasis:Lichtervelde,{n}woningen" in text  # the Dutch summary table
    assert "Centraleraming:demediaanvan3MonteCarlo-runs;tussenhaakjesP10–P90" in text


def test_same_scenario_and_seed_give_byte_identical_indicators(
    runs: tuple[Path, Path, str],
) -> None:
    a, b, _ = runs
    for name in (
        "indicatoren.parquet",
        "indicatoren.csv",
        "woningen.parquet",
        "gebouwen.parquet",
        "grafieken/co2.png",
        "grafieken/labels.svg",
    ):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_a_bad_scenario_lists_every_problem_and_keeps_the_earlier_results(
    runs: tuple[Path, Path, str], tmp_path: Path
) -> None:
    out = runs[0]
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = (
        EXAMPLE.replace("sale_rate:", "sale_rat:")
        .replace("- [roof_insulation,", "- [dakraam, roof_insulation,", 1)
        .replace("horizon: {start: 2025, end: 2050}", "horizon: {start: 2025, end: 2029}")
    )
    assert bad != EXAMPLE
    path = scenario_file(tmp_path, bad)
    res = runner.invoke(app, ["scenario", "run", str(path), "--out", str(out)])
    assert res.exit_code == 2
    msg = flat(res.output)
    assert "Traceback" not in msg and "Fout:" in msg
    assert "sale_rat" in msg and "regel" in msg and "sale_rate" in msg
    # the unknown measure and the output years past the shortened horizon in the same message
    assert "onbekendemaatregel'dakraam'" in msg and "2050valtbuitendehorizon2025-2029" in msg
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def _line(text: str, startswith: str) -> int:
    return next(i for i, x in enumerate(text.splitlines(), 1) if x.strip().startswith(startswith))


def test_a_yaml_syntax_error_is_one_dutch_line_without_traceback(tmp_path: Path) -> None:
    bad = EXAMPLE.replace("horizon: {start: 2025, end: 2050}", "horizon: {start: 2025, end: 2050")
    path = scenario_file(tmp_path, bad)
    res = runner.invoke(app, ["scenario", "run", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    msg = flat(res.output)
    assert "Traceback" not in res.output and "Fout:" in msg
    line = _line(bad, "horizon:")
    assert f"regel{line}:geengeldigeYAMLinscenario.yaml:deaccolade'{{'wordtnietgesloten" in msg
    assert "expected" not in msg and not (tmp_path / "o").exists()


def test_a_bad_value_an_unknown_measure_and_a_share_out_of_range_in_one_message(
    tmp_path: Path,
) -> None:
    bad = (
        EXAMPLE.replace("seed: 20261125", "seed: twintig")
        .replace("- [glazing_triple, roof_insulation,", "- [glazing_tripel, roof_insulation,")
        .replace("participation: 0.03", "participation: 1.5")
    )
    path = scenario_file(tmp_path, bad)
    res = runner.invoke(app, ["scenario", "run", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    msg = flat(res.output)
    assert "Traceback" not in res.output
    assert f"3problemeninscenariobestand{path}" in msg
    assert f"seed(regel{_line(bad, 'seed:')}):moeteengeheelgetalzijn" in msg
    assert (
        f"candidates.orders[1][0](regel{_line(bad, '- [glazing_tripel')}):onbekendemaatregel"
        "'glazing_tripel';bedoeldeu'glazing_triple'?" in msg
    )
    assert (
        f"collective_programmes[0].participation(regel{_line(bad, 'participation:')}):"
        "moet≤1zijn" in msg
    )


def test_a_missing_twin_and_a_bad_scheduler_are_reported(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, EXAMPLE.replace("twin: demo", "twin: geen_tweeling.parquet"))
    res = runner.invoke(app, ["scenario", "run", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "geen_tweeling.parquet" in flat(res.output)
    assert "Traceback" not in res.output and not (tmp_path / "o").exists()
    res = runner.invoke(
        app, ["scenario", "run", str(path), "--out", str(tmp_path / "o"), "--scheduler", "ftp://x"]
    )
    assert res.exit_code == 2 and "--scheduler" in flat(res.output)


def test_an_unreachable_scheduler_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scenarios.run

    monkeypatch.setattr(scenarios.run, "SCHEDULER_TIMEOUT_S", 2.0)
    path = scenario_file(tmp_path)
    res = runner.invoke(
        app,
        [
            "scenario",
            "run",
            str(path),
            "--out",
            str(tmp_path / "o"),
            "--scheduler",
            "tcp://127.0.0.1:9",
        ],
    )
    assert res.exit_code == 2, res.output
    assert "Dask-scheduler" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()

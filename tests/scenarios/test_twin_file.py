"""A scenario's ``twin:`` that is not a twin file (issue 13, row 6): a system text file, a
directory or device, a Parquet file that is not the twin's. Each is one Dutch problem at
``twin`` naming the file, through every way a scenario reaches the twin: ``load_scenario``
(which peeks at the file), the pipeline that reads it (for a scenario built in code, and for a
file that passes the peek) and ``wijk scenario run``; never a pyarrow or geopandas traceback.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from buildings.twin import SCHEMA_METADATA_KEY, TWIN_SCHEMA_VERSION
from scenarios.pipeline import prepare, read_scenario_twin
from scenarios.scenario import REQUIRED_TWIN_COLUMNS, load_scenario, parse_scenario
from sim.errors import InputError

EXAMPLE = (
    resources.files("scenarios.data").joinpath("scenario_lichtervelde.yaml").read_text("utf-8")
)
runner = CliRunner(env={"COLUMNS": "300"})
NOT_A_TWIN = (
    "geen leesbaar tweelingbestand: {path}; verwacht het GeoParquet-bestand van `wijk twin build`"
)
# what pyarrow and geopandas say; none of it may reach the user
ENGLISH = ("magic bytes", "Parquet file", "geo metadata", "Traceback", "Error")


def _scenario(folder: Path, twin: str) -> Path:
    text = EXAMPLE.replace("twin: demo ", f"twin: '{twin}' ", 1)
    assert text != EXAMPLE
    text = re.sub(r"(\n  runs:) *\d+", r"\1 3", text)
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _twin_line() -> int:
    return next(i for i, x in enumerate(EXAMPLE.splitlines(), 1) if x.startswith("twin:"))


def _stamped(frame: pd.DataFrame, path: Path) -> Path:
    """``frame`` as Parquet with the twin's schema-version stamp (what read_twin checks first)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    stamp = {SCHEMA_METADATA_KEY: TWIN_SCHEMA_VERSION.encode()}
    pq.write_table(table.replace_schema_metadata({**(table.schema.metadata or {}), **stamp}), path)
    return path


def _columns_only(path: Path) -> Path:
    """Every column a scenario run needs and the version stamp, but no geometry: it passes
    load_scenario's peek, and geopandas refused it with a ValueError traceback."""
    frame = pd.DataFrame({c: [0.0] for c in REQUIRED_TWIN_COLUMNS})
    frame["sector_id"] = ["s1"]
    return _stamped(frame, path)


@pytest.fixture
def not_twins(tmp_path: Path) -> dict[str, Path]:
    """Things a ``twin:`` line can point at that are not a twin."""
    (tmp_path / "map").mkdir()
    os.mkfifo(tmp_path / "pijp")
    (tmp_path / "tekst.parquet").write_text("geen parquet\n", encoding="utf-8")
    pq.write_table(pa.table({"a": [1, 2]}), tmp_path / "ander.parquet")
    return {
        "passwd": Path("/etc/passwd"),
        "directory": tmp_path / "map",
        "device": Path("/dev/null"),
        "fifo": tmp_path / "pijp",
        "text-named-parquet": tmp_path / "tekst.parquet",
        "other-parquet": tmp_path / "ander.parquet",
        "columns-without-geometry": _columns_only(tmp_path / "kolommen.parquet"),
    }


def test_load_scenario_names_twin_and_the_file(tmp_path: Path, not_twins: dict[str, Path]) -> None:
    line = _twin_line()
    expected = {
        "passwd": NOT_A_TWIN.format(path="/etc/passwd"),
        "directory": f"is een map, geen bestand: {not_twins['directory']}",
        "device": "is geen gewoon bestand (een apparaat, pijp of socket): /dev/null",
        "fifo": f"is geen gewoon bestand (een apparaat, pijp of socket): {not_twins['fifo']}",
        "text-named-parquet": NOT_A_TWIN.format(path=not_twins["text-named-parquet"]),
        "other-parquet": "de digitale tweeling mist kolom(men) dwelling_id, building_id",
    }
    folder = tmp_path / "scenario"
    folder.mkdir()
    for name, message in expected.items():
        with pytest.raises(InputError) as exc:
            load_scenario(_scenario(folder, str(not_twins[name])))
        problems = [str(p) for p in exc.value.problems]
        assert len(problems) == 1, (name, problems)
        assert problems[0].startswith(f"twin (regel {line}): {message}"), (name, problems)
        assert not any(word in problems[0] for word in ENGLISH), problems


@pytest.mark.parametrize(
    "name", ["passwd", "directory", "device", "fifo", "text-named-parquet", "other-parquet"]
)
def test_a_scenario_built_in_code_gets_the_same_check_in_the_pipeline(
    not_twins: dict[str, Path], name: str
) -> None:
    """parse_scenario does not look at files; the pipeline reads the twin and must answer in
    Dutch at ``twin`` (it gave pyarrow's ArrowInvalid for /etc/passwd)."""
    raw = yaml.safe_load(EXAMPLE)
    raw["twin"] = str(not_twins[name])
    scenario = parse_scenario(raw)
    with pytest.raises(InputError) as exc:
        prepare(scenario=scenario)
    assert exc.value.what == "scenario 'Lichtervelde basis'"
    (problem,) = [str(p) for p in exc.value.problems]
    assert problem.startswith("twin: ") and str(not_twins[name]) in problem, problem
    assert not any(word in problem for word in ENGLISH), problem


@pytest.mark.parametrize("name", ["passwd", "directory", "columns-without-geometry"])
def test_wijk_scenario_run_answers_in_dutch(
    tmp_path: Path, not_twins: dict[str, Path], name: str
) -> None:
    """The command line, as a user runs it: exit code 2, one Dutch message naming ``twin`` and
    the file, nothing written. ``columns-without-geometry`` passes the first check and failed
    in geopandas when the run read the twin."""
    folder = tmp_path / "scenario"
    folder.mkdir()
    path = _scenario(folder, str(not_twins[name]))
    out = tmp_path / "uit"
    res = runner.invoke(app, ["scenario", "run", str(path), "--out", str(out)])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    msg = " ".join(res.output.split())
    assert msg.startswith("Fout: 1 probleem in "), msg
    assert "twin" in msg and str(not_twins[name]) in msg
    assert not any(word in msg for word in ENGLISH), msg
    assert not out.exists()
    if name == "columns-without-geometry":
        assert f"twin: {NOT_A_TWIN.format(path=not_twins[name])}" in msg


def test_a_real_twin_is_read_and_one_without_a_run_column_is_refused(tmp_path: Path) -> None:
    """The check refuses only what is not a twin: a twin written by ``write_twin`` is read
    whole; the same without ``u_roof_w_m2k`` is refused naming the column and the file."""
    from buildings.demo import demo_sources
    from buildings.twin import build_twin, write_twin

    built = build_twin(demo_sources(tmp_path / "bron", n_buildings=60, with_rasters=False))
    whole = tmp_path / "twin.parquet"
    write_twin(built, whole)
    read = read_scenario_twin(whole, "x")
    assert len(read) == len(built.dwellings) and set(REQUIRED_TWIN_COLUMNS) <= set(read.columns)
    lacking = tmp_path / "zonder.parquet"
    read.drop(columns="u_roof_w_m2k").to_parquet(lacking)
    table = pq.read_table(lacking)  # geopandas keeps its geo metadata; add the twin's stamp
    stamp = {SCHEMA_METADATA_KEY: TWIN_SCHEMA_VERSION.encode()}
    pq.write_table(
        table.replace_schema_metadata({**(table.schema.metadata or {}), **stamp}), lacking
    )
    with pytest.raises(InputError) as exc:
        read_scenario_twin(lacking, "x")
    assert [str(p) for p in exc.value.problems] == [
        f"twin: de digitale tweeling {lacking} mist kolom(men) u_roof_w_m2k; maak de tweeling "
        "met `wijk twin build` (zie docs/twin_schema.md)"
    ]

"""Hostile YAML files (issue 13, row 6): every attack is replayed through the real loaders and
the command line, and must end in one Dutch problem naming the file, quickly and in little
memory, never in a traceback, a RecursionError or a process that grows without end.

The attacks: a 342-byte "billion laughs" scenario (grew past 5 GB in 60 s), 20,000 nested
``[`` (a 3,000-line RecursionError), a 100 MB file (parsed for minutes), and the same against
the catalogue and policy loaders and the results reader, which read YAML the same way.

Times are the CPU seconds of the process (``time.process_time``): the limits bound the work
done, and other jobs on a shared test machine do not make the tests flaky.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from api.cli import app
from scenarios.catalogue import load_catalogue
from scenarios.io_yaml import (
    MAX_YAML_BYTES,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    FileProblems,
    read_yaml_text,
)
from scenarios.outputs import POLICY_FILE
from scenarios.policy import load_policy, write_policy
from scenarios.results import load_results
from scenarios.scenario import load_scenario
from sim.errors import InputError

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = (
    resources.files("scenarios.data").joinpath("scenario_lichtervelde.yaml").read_text("utf-8")
)
runner = CliRunner(env={"COLUMNS": "300"})


def billion_laughs() -> str:
    """The 342-byte scenario of the issue: nine levels of nine aliases, 9**9 = 387,420,489
    values once expanded."""
    lines = ["schema_version: 1", "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    for level in "bcdefghi":
        before = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{','.join([f'*{before}'] * 9)}]")
    return "\n".join(lines) + "\n"


BOMB = billion_laughs()
NESTED = "schema_version: 1\nname: " + "[" * 20_000 + "\n"
BILLION = "meer dan 50.000 waarden (een 'billion laughs'-bestand?)"
TOO_DEEP = f"de waarden zijn meer dan {MAX_YAML_DEPTH} niveaus diep genest"


def _problems(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_bomb_is_the_342_byte_file_of_the_issue() -> None:
    assert len(BOMB.encode()) == 342
    assert MAX_YAML_NODES == 50_000 and "50.000" in BILLION
    import yaml

    # without the limits the document really is that large: PyYAML shares the nine-element lists
    # (so safe_load itself is quick), but anything that walks the values walks 9**9 of them
    data = yaml.safe_load(BOMB)
    assert len(data["i"]) == 9 and data["i"][0] is data["h"] and len(data["a"]) == 9


# ---------------------------------------------------------------------- billion laughs
_MEASURE = """
import json, resource, sys, time
import psutil
from scenarios.scenario import load_scenario
from sim.errors import InputError

proc = psutil.Process()
idle = proc.memory_info().rss
# a safety net should the limits ever be lost: the child stops at 2 GB more, not the machine
vms = proc.memory_info().vms
resource.setrlimit(resource.RLIMIT_AS, (vms + 2 * 1024**3, vms + 2 * 1024**3))
start = time.process_time()
try:
    load_scenario(sys.argv[1])
    outcome = "loaded"
except InputError as exc:
    outcome = str(exc)
except BaseException as exc:
    outcome = type(exc).__name__
seconds = time.process_time() - start
# the peak RSS of this process image (VmHWM; ru_maxrss would include the forking parent's)
status = open("/proc/self/status").read().split("VmHWM:")[1]
peak = int(status.split()[0]) * 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "grown": peak - idle}))
"""


def test_billion_laughs_scenario_stops_at_once_in_little_memory(tmp_path: Path) -> None:
    """In a process of its own, so the peak of its memory is the attack's (the peak RSS of the
    process after the load against its RSS once everything is imported): under 100 MB more,
    under a second, one Dutch problem. Without the limits this process grows until its 2 GB
    safety net stops it (MemoryError) or the timeout does."""
    path = tmp_path / "bom.yaml"
    path.write_text(BOMB, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcome"].startswith(f"1 probleem in scenariobestand {path}"), result
    assert (
        "geen geldige YAML in bom.yaml: het bestand bevat, met elke verwijzing" in result["outcome"]
    )
    assert BILLION in result["outcome"]
    assert result["seconds"] < 1.0, result
    assert result["grown"] < 100 * 1024**2, result


def test_billion_laughs_names_its_line_in_the_loader() -> None:
    problems = FileProblems("test")
    start = time.process_time()
    assert read_yaml_text(BOMB, "bom.yaml", problems) is None
    assert time.process_time() - start < 1.0
    (problem,) = problems.items
    # each alias of level e (line 6) adds level d's 7,381 values: the seventh passes 50,000
    assert str(problem).startswith("regel 6: geen geldige YAML in bom.yaml: ")
    assert BILLION in str(problem)


def test_billion_laughs_on_the_command_line_is_one_dutch_message(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_text(BOMB, encoding="utf-8")
    start = time.process_time()
    res = runner.invoke(app, ["scenario", "run", str(path), "--out", str(tmp_path / "uit")])
    assert time.process_time() - start < 5.0
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    msg = _flat(res.output)
    assert "Traceback" not in msg and "Fout: 1 probleem in scenariobestand" in msg
    assert "regel 6: geen geldige YAML in bom.yaml" in msg and BILLION in msg
    assert not (tmp_path / "uit").exists()


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    """PyYAML builds a list that contains itself; every walk over it would never end."""
    problems = FileProblems("test")
    assert read_yaml_text("a: 1\nb: &b [x, *b]\n", "x.yaml", problems) is None
    assert [str(p) for p in problems.items] == [
        "regel 2: geen geldige YAML in x.yaml: verwijzing '*b' staat binnen haar eigen anker "
        "'&b' (het bestand bevat zichzelf); schrijf de waarden uit"
    ]


def test_a_few_aliases_as_in_the_shipped_policy_are_fine() -> None:
    """The shipped policy shares its premium rows with aliases (about 30); they load."""
    text = resources.files("scenarios.data").joinpath("policy_flanders.yaml").read_text("utf-8")
    assert text.count("*") >= 20
    problems = FileProblems("test")
    doc = read_yaml_text(text, "policy_flanders.yaml", problems)
    assert doc is not None and not problems.items
    # a document just under the limit, with aliases, is read in full
    under = "a: &a [" + ",".join(["x"] * 99) + "]\nb: [" + ",".join(["*a"] * 400) + "]\n"
    doc = read_yaml_text(under, "x.yaml", FileProblems("test"))
    assert doc is not None and len(doc.data["b"]) == 400


def test_many_values_without_aliases_are_refused_too() -> None:
    """A 2 MB list of a million zeros: refused after the limit's values, in about a second of CPU,
    with a message that does not speak of aliases."""
    text = "a: [" + "0," * 1_000_000 + "]\n"
    assert len(text) <= MAX_YAML_BYTES
    problems = FileProblems("test")
    start = time.process_time()
    assert read_yaml_text(text, "x.yaml", problems) is None
    assert time.process_time() - start < 3.0  # about 1 s of CPU
    (problem,) = problems.items
    assert "het bestand bevat meer dan 50.000 waarden" in str(problem)
    assert "verwijzing" not in str(problem)


# ---------------------------------------------------------------------- nesting
@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(NESTED, 2, id="20000-open-brackets"),
        pytest.param("a: " + "[" * 20_000 + "]" * 20_000 + "\n", 1, id="20000-closed-brackets"),
        pytest.param("a: " + "{b: " * 20_000 + "\n", 1, id="20000-braces"),
        pytest.param(
            "".join(" " * i + f"k{i}:\n" for i in range(500)) + " " * 500 + "x\n",
            100,
            id="500-indented-blocks",
        ),
    ],
)
def test_deep_nesting_is_a_dutch_problem_not_a_recursion_error(text: str, line: int) -> None:
    problems = FileProblems("test")
    start = time.process_time()
    assert read_yaml_text(text, "x.yaml", problems) is None
    assert time.process_time() - start < 1.0
    (problem,) = problems.items
    assert str(problem).startswith(f"regel {line}: geen geldige YAML in x.yaml: {TOO_DEEP}")


def test_nesting_up_to_the_limit_is_read() -> None:
    depth = MAX_YAML_DEPTH - 1  # the top-level mapping is the first level
    doc = read_yaml_text("a: " + "[" * depth + "]" * depth + "\n", "x.yaml", FileProblems("t"))
    assert doc is not None
    value, levels = doc.data["a"], 1
    while value:
        value, levels = value[0], levels + 1
    assert levels == depth


def test_20000_brackets_in_a_scenario_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "diep.yaml"
    path.write_text(NESTED, encoding="utf-8")
    start = time.process_time()
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert time.process_time() - start < 1.0
    assert _problems(exc) == [
        f"regel 2: geen geldige YAML in diep.yaml: {TOO_DEEP} (lijsten '[' en tabellen '{{' of "
        "inspringing in elkaar); een bestand van deze tool heeft er hoogstens enkele nodig"
    ]
    res = runner.invoke(app, ["scenario", "run", str(path), "--out", str(tmp_path / "uit")])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    msg = _flat(res.output)
    assert "Traceback" not in msg and "RecursionError" not in msg
    assert f"regel 2: geen geldige YAML in diep.yaml: {TOO_DEEP}" in msg
    assert len(res.output.splitlines()) < 10


# ---------------------------------------------------------------------- size
def test_a_100_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A sparse 100 MB scenario: the size is checked first, so it takes no time at all."""
    path = tmp_path / "groot.yaml"
    with path.open("wb") as f:
        f.write(b"schema_version: 1\nname: x\n")
        f.truncate(100 * 1024 * 1024)
    start = time.process_time()
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert time.process_time() - start < 1.0
    assert _problems(exc) == [
        "(bestand): groot.yaml is te groot (100,0 MB): een YAML-bestand van deze tool "
        "(scenario, beleid, maatregelencatalogus) is hoogstens 2 MB; het meegeleverde beleid is "
        "25 kB. Controleer of dit het juiste bestand is"
    ]
    res = runner.invoke(app, ["scenario", "run", str(path), "--out", str(tmp_path / "uit")])
    assert res.exit_code == 2 and "groot.yaml is te groot (100,0 MB)" in _flat(res.output)


def test_the_size_limit_is_exact(tmp_path: Path) -> None:
    """At the limit a file is read (and then found wrong for other reasons); one byte more is
    refused. The text reader has the same limit, in bytes of UTF-8."""
    at = "a: " + "x" * (MAX_YAML_BYTES - 4) + "\n"
    assert len(at.encode()) == MAX_YAML_BYTES
    path = tmp_path / "rand.yaml"
    path.write_text(at, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_catalogue(path)
    assert not any("te groot" in p for p in _problems(exc))
    path.write_text(at + " ", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_catalogue(path)
    assert _problems(exc)[0].startswith("(bestand): rand.yaml is te groot (2,0 MB)")
    problems = FileProblems("t")
    assert read_yaml_text("é" * (MAX_YAML_BYTES // 2 + 1), "x.yaml", problems) is None
    assert "te groot" in str(problems.items[0])


# ---------------------------------------------------------------------- every YAML reader
@pytest.mark.parametrize("load", [load_catalogue, load_policy], ids=["catalogue", "policy"])
@pytest.mark.parametrize(
    ("text", "expected"), [(BOMB, BILLION), (NESTED, TOO_DEEP)], ids=["bomb", "nested"]
)
def test_catalogue_and_policy_files_have_the_same_limits(
    tmp_path: Path, load: object, text: str, expected: str
) -> None:
    path = tmp_path / "bestand.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.process_time()
    with pytest.raises(InputError) as exc:
        load(path)  # type: ignore[operator]
    assert time.process_time() - start < 1.0
    (problem,) = _problems(exc)
    assert "geen geldige YAML in bestand.yaml: " in problem and expected in problem


def test_a_bomb_named_as_the_scenarios_catalogue_joins_its_problems(tmp_path: Path) -> None:
    (tmp_path / "maatregelen.yaml").write_text(BOMB, encoding="utf-8")
    text = EXAMPLE.replace("horizon: {start", "catalogue: maatregelen.yaml\nhorizon: {start")
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    joined = [p for p in _problems(exc) if p.startswith("catalogue (regel ")]
    assert joined and BILLION in joined[0] and "maatregelen.yaml" in joined[0]


def _results_folder(folder: Path, scenario_text: str) -> Path:
    """A results folder as ``wijk scenario run`` writes it, as far as load_results reads it."""
    folder.mkdir()
    columns = ["level", "area_id", "area_name", "year", "indicator", "central", "p10", "p50"]
    pd.DataFrame({c: pd.Series(dtype="object") for c in [*columns, "p90"]}).to_parquet(
        folder / "indicatoren.parquet"
    )
    write_policy(load_policy(), folder / POLICY_FILE)
    (folder / "scenario.yaml").write_text(scenario_text, encoding="utf-8")
    return folder


def test_the_results_reader_reads_the_scenario_copy_with_the_limits(tmp_path: Path) -> None:
    good = _results_folder(tmp_path / "goed", EXAMPLE)
    assert load_results(good).name == "Lichtervelde basis"
    bad = _results_folder(tmp_path / "bom", BOMB)
    start = time.process_time()
    with pytest.raises(InputError) as exc:
        load_results(bad)
    assert time.process_time() - start < 1.0
    assert exc.value.what == f"scenarioresultaten {bad}"
    (problem,) = _problems(exc)
    assert problem.startswith("scenario.yaml, regel 6: geen geldige YAML in scenario.yaml: ")
    assert BILLION in problem
    # a copy without a usable name keeps the folder's name, as before
    nameless = _results_folder(tmp_path / "zonder", "- a\n- b\n")
    assert load_results(nameless).name == "zonder"


# ---------------------------------------------------------------------- values PyYAML cannot make
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "seed: 20261125",
            "seed: " + "1" * 5_000,
            "het getal 1111111111111111111111111111111111111111... heeft meer dan 4.300 cijfers",
            id="5000-digit-integer",
        ),
        pytest.param(
            "name: Lichtervelde basis",
            "name: 2025-13-45",
            "'2025-13-45' staat er als datum of tijd maar bestaat niet; verbeter de datum",
            id="date-that-does-not-exist",
        ),
    ],
)
def test_a_value_pyyaml_cannot_make_is_a_dutch_problem_with_its_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    """PyYAML let these out as a bare ValueError (a traceback on the command line)."""
    text = EXAMPLE.replace(old, new, 1)
    assert text != EXAMPLE
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if x.startswith(new[:5]))
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    (problem,) = _problems(exc)
    assert problem.startswith(f"regel {line}: geen geldige YAML in scenario.yaml: {expected}")
    res = runner.invoke(app, ["scenario", "run", str(path), "--out", str(tmp_path / "uit")])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert expected in _flat(res.output) and "Traceback" not in res.output

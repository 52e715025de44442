"""The docs stay true to the code: nomenclature lists every name, README keeps its two commands."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from sim.core import SimulationResult
from sim.stock import DWELLING_COLUMNS
from sim.variants import VARIANT_FIELDS

ROOT = Path(__file__).resolve().parents[1]


def test_nomenclature_lists_every_input_variant_and_output() -> None:
    text = (ROOT / "docs" / "nomenclature.md").read_text(encoding="utf-8")
    names = [*DWELLING_COLUMNS, *VARIANT_FIELDS, *(f.name for f in fields(SimulationResult))]
    missing = [n for n in names if f"`{n}`" not in text and n != "variant_names"]
    assert not missing, f"add to docs/nomenclature.md: {missing}"


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Set-up on a fresh machine.*?```sh\n(.*?)```", readme, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert [
        line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))
    ] == ["make test"]

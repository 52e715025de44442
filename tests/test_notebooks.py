"""The researcher notebooks in ``notebooks/`` run top to bottom against the library, so they cannot rot.

Each notebook is executed in a fresh kernel of this environment, in a temporary working folder,
on the embedded demo town; a cell that raises fails the test (``CellExecutionError``). The
committed files carry no outputs (a run's figures and numbers belong to the reader, not to git).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
# listed, not globbed: a notebook renamed or deleted by mistake fails here instead of vanishing
NOTEBOOKS = (
    "01_scenario_study.ipynb",
    "02_neighbourhood_prioritisation.ipynb",
    "03_address_trajectory.ipynb",
    "04_heat_zoning.ipynb",
)

# The kernel spec ``python3`` resolves to whatever Python jupyter_client finds first; a user-level
# spec elsewhere on the machine would run the notebooks against another installation. This cell,
# run first, makes that an error instead of a silent test of the wrong code.
KERNEL_CHECK = f"""\
import sys
if sys.prefix != {sys.prefix!r}:
    raise RuntimeError(f"kernel runs {{sys.executable}}, not the test environment {sys.prefix!r}")
"""


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name: str, tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(KERNEL_CHECK))
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_stored_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    nbformat.validate(nb)
    stored = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not stored, f"{name}: clear the outputs of cells {stored} before committing"

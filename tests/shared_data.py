"""Where the tests find the project's reference data and derivation tools.

The reference data lie in ``shared/`` beside the clone (CI lays a copy there;
``WIJK_SHARED_DIR`` may point elsewhere). A missing file fails the test with a
message that says what to do: a physics test must never be skipped silently.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WIJK_SHARED_DIR", REPO.parent / "shared"))

TABULA_BE = SHARED / "data" / "tabula" / "tabula_BE.csv"
NSRDB_UCCLE = SHARED / "data" / "weather" / "uccle_2019_nsrdb_15min.csv"


def require(path: Path) -> Path:
    """Return ``path``, or fail the calling test when the reference file is missing."""
    if not path.exists():
        pytest.fail(
            f"reference data {path} not found: clone the repository beside shared/ "
            "or set WIJK_SHARED_DIR"
        )
    return path


def load_tool(name: str) -> ModuleType:
    """Import ``tools/<name>.py`` (a derivation script) as a module."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module

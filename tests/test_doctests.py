"""Every docstring example in the packages runs and shows what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("sim", "buildings", "scenarios", "api")
MODULES = sorted(
    m.name
    for p in PACKAGES
    for m in pkgutil.walk_packages(importlib.import_module(p).__path__, prefix=f"{p}.")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0

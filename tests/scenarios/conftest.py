"""Fixtures shared by the scenario tests: the shipped catalogue and policy."""

from __future__ import annotations

import pytest

from scenarios.catalogue import Catalogue, load_catalogue
from scenarios.policy import Policy, load_policy


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The shipped measures catalogue."""
    return load_catalogue()


@pytest.fixture(scope="session")
def policy() -> Policy:
    """The shipped Flemish policy."""
    return load_policy()

"""What several API test modules pick from the demo town."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from api import db, service


def house_with_roof_step(state: service.ServiceState) -> str:
    """A house with an uninsulated roof (so the roof is a step of its plan): the first by id."""
    t = state.twin
    rows = t[(t["attachment"] != "apartment") & (t["u_roof_w_m2k"] > 1.0)]
    return str(rows["dwelling_id"].sort_values().iloc[0])


def migrated_engine(tmp_path_factory: pytest.TempPathFactory, name: str) -> Engine:
    """A new, migrated SQLite dossier database in a fresh temporary folder called ``name``."""
    path = tmp_path_factory.mktemp(name) / "wijk.sqlite"
    engine = db.make_engine(f"sqlite:///{path}")
    db.migrate(engine)
    return engine

"""One household plan everywhere: ``wijk trajectory --json`` prints exactly the body that
``POST /api/v1/dwellings/{id}/trajectory`` returns for the same question (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import db, service
from api.cli import app as cli
from api.http import create_app
from buildings.twin import TwinResult, write_twin


def test_the_command_line_prints_the_body_of_the_api(
    demo_twin: gpd.GeoDataFrame, demo_state: service.ServiceState, tmp_path: Path
) -> None:
    path = tmp_path / "twin.parquet"
    none = demo_twin.iloc[:0][["dwelling_id"]]
    write_twin(TwinResult(dwellings=demo_twin, rejects=none, accounting=none), path)
    state = demo_state
    house = demo_twin[demo_twin["attachment"] == "gesloten"].sort_values("construction_year")
    r = house.iloc[0]
    question = {"target_label": "A", "budget_eur": 15_000.0, "income_category": "cat2"}
    engine = db.make_engine(f"sqlite:///{tmp_path / 'wijk.sqlite'}")
    db.migrate(engine)
    with TestClient(create_app(state, engine=engine)) as client:
        body = client.post(f"/api/v1/dwellings/{r['dwelling_id']}/trajectory", json=question).json()
    out = CliRunner().invoke(
        cli,
        [
            "trajectory",
            "--address-id",
            str(r["address_id"]),
            "--twin",
            str(path),
            "--target",
            "A",
            "--budget",
            "15000",
            "--income",
            "cat2",
            "--json",
        ],
        env={"COLUMNS": "200"},
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == body
    # and the page's report shows that same plan's cheapest choice
    cheapest = body["options"]["cheapest_to_target"]
    assert cheapest is not None and np.isfinite(cheapest["net_cost_eur"])

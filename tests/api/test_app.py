"""The HTTP API over real HTTP semantics (TestClient) with the dossier database on a SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import db, service
from api.http import create_app
from api.http.errors import MAX_BODY_BYTES


@pytest.fixture(scope="module")
def state(demo_state: service.ServiceState) -> service.ServiceState:
    return demo_state


@pytest.fixture(scope="module")
def env(
    state: service.ServiceState, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    path = tmp_path_factory.mktemp("api") / "wijk.sqlite"
    engine = db.make_engine(f"sqlite:///{path}")
    db.migrate(engine)
    with db.session_scope(engine) as s:
        tokens = {
            "facilitator": db.create_token(s, "Fien", "facilitator", ["36011"]),
            "other": db.create_token(s, "Olaf", "facilitator", ["44021"]),
            "analyst": db.create_token(s, "Ann", "analyst", ["36011"]),
            "admin": db.create_token(s, "Adam", "admin", []),
        }
    with TestClient(create_app(state, engine=engine)) as client:
        yield client, tokens


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _dwelling(state: service.ServiceState) -> str:
    t = state.twin
    rows = t[(t["attachment"] != "apartment") & (t["u_roof_w_m2k"] > 1.0)]
    return str(rows["dwelling_id"].sort_values().iloc[0])


def test_public_routes(env: tuple[TestClient, dict[str, str]], state: service.ServiceState) -> None:
    client, _ = env
    assert client.get("/api/v1/health").json()["dwellings"] == len(state.twin)
    did = _dwelling(state)
    street = str(state.twin.loc[did, "street"])
    hits = client.get("/api/v1/addresses", params={"q": street[:4]}).json()
    assert hits and all(h["address"].lower().startswith(street[:4].lower()) for h in hits)
    card = client.get(f"/api/v1/dwellings/{did}/card").json()
    assert card["dwelling_id"] == did and "label_probabilities" in card["current"]
    traj = client.post(f"/api/v1/dwellings/{did}/trajectory", json={"budget_eur": 12000}).json()
    assert traj["steps"][0]["step"] == 0 and traj["options"]["best_within_budget"] is not None
    changed = client.post(
        f"/api/v1/dwellings/{did}/trajectory", json={"overrides": {"u_roof_w_m2k": 0.2}}
    ).json()
    assert "roof_insulation" in changed["not_applicable"]
    sectors = client.get("/api/v1/sectors").json()
    assert sectors["type"] == "FeatureCollection" and len(sectors["features"]) > 3
    clusters = client.get("/api/v1/clusters", params={"limit": 5}).json()
    assert len(clusters["features"]) == 5
    assert [f["properties"]["rank"] for f in clusters["features"]] == [1, 2, 3, 4, 5]
    town = client.get("/api/v1/municipalities/36011").json()
    assert town["type"] == "Feature" and town["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert town["properties"]["dwellings"] == len(state.twin)
    assert 0 <= town["properties"]["share_label_e_or_f"] <= 1
    lekp = client.get("/api/v1/municipalities/36011/lekp").json()
    assert lekp["housing_units"] == len(state.twin)
    assert lekp["targets"]["collective_renovations"] == -(-50 * len(state.twin) // 1000)


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("get", "/api/v1/dwellings/geen-woning/card", None, 404),
        ("get", "/api/v1/dwellings/%00%01/card", None, 422),
        ("get", "/api/v1/addresses?q=", None, 422),
        ("get", "/api/v1/addresses?q=a&limit=1000", None, 422),
        ("post", "/api/v1/dwellings/{did}/trajectory", {"overrides": {"u_wall_w_m2k": -3}}, 422),
        ("post", "/api/v1/dwellings/{did}/trajectory", {"overrides": {"kleur": 1}}, 422),
        ("post", "/api/v1/dwellings/{did}/trajectory", {"target_label": "Z"}, 422),
        ("post", "/api/v1/dwellings/{did}/trajectory", {"order": ["dakraam"]}, 422),
        ("post", "/api/v1/dwellings/{did}/trajectory", {"extra": True}, 422),
        ("post", "/api/v1/dwellings/{did}/trajectory", {"measured_kwh": {"natural_gas": -5}}, 422),
        ("get", "/api/v1/municipalities/99999/lekp", None, 404),
        ("get", "/api/v1/municipalities/abc/lekp", None, 422),
    ],
)
def test_bad_input_gets_a_4xx_with_a_clear_message(
    env: tuple[TestClient, dict[str, str]],
    state: service.ServiceState,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    status: int,
) -> None:
    client, _ = env
    r = client.request(method, url.format(did=_dwelling(state)), json=body)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail and all(d["message"] for d in detail)


def test_oversized_payload_is_refused_before_it_is_read(
    env: tuple[TestClient, dict[str, str]], state: service.ServiceState
) -> None:
    client, tokens = env
    big = {"notes": "x" * (MAX_BODY_BYTES + 10)}
    r = client.post("/api/v1/dossiers", json=big, headers=auth(tokens["facilitator"]))
    assert r.status_code == 413


def _dossier(state: service.ServiceState, nis: str = "36011") -> dict[str, Any]:
    did = _dwelling(state)
    return {
        "municipality_nis": nis,
        "dwelling_id": did,
        "address_id": str(state.twin.loc[did, "address_id"]),
        "address_text": "Teststraat 1, 8810",
        "overrides": {"u_roof_w_m2k": 0.2, "gas_m3": 1900},
        "chosen_steps": ["cavity_wall_fill", "glazing_hr"],
        "notes": "dak geïsoleerd in 2012",
        "klimaattafel_date": "2026-11-20",
    }


def test_dossier_lifecycle_and_object_level_authorization(
    env: tuple[TestClient, dict[str, str]], state: service.ServiceState
) -> None:
    client, tokens = env
    url = "/api/v1/dossiers"
    # no token, a wrong token: 401 and nothing written
    assert client.post(url, json=_dossier(state)).status_code == 401
    assert client.post(url, json=_dossier(state), headers=auth("wijk_x_y")).status_code == 401
    made = client.post(url, json=_dossier(state), headers=auth(tokens["facilitator"]))
    assert made.status_code == 201, made.text
    dossier = made.json()
    one = f"{url}/{dossier['id']}"
    # the own municipality reads it; another municipality's facilitator cannot tell it exists
    assert (
        client.get(one, headers=auth(tokens["facilitator"])).json()["notes"]
        == _dossier(state)["notes"]
    )
    hidden = client.get(one, headers=auth(tokens["other"]))
    missing = client.get(
        f"{url}/00000000-0000-4000-8000-000000000000", headers=auth(tokens["other"])
    )
    assert hidden.status_code == missing.status_code == 404
    # the same answer as for an id that does not exist (only the id differs)
    assert hidden.text.replace(dossier["id"], "ID") == missing.text.replace(
        "00000000-0000-4000-8000-000000000000", "ID"
    )
    for method, body in (("patch", {"notes": "gewijzigd"}), ("delete", None)):
        headers = {**auth(tokens["other"]), "If-Match": str(dossier["version"])}
        r = client.request(method, one, json=body, headers=headers)
        assert r.status_code == 404
    assert client.get(one).status_code == 401
    # another municipality cannot create dossiers in ours either
    foreign = client.post(url, json=_dossier(state), headers=auth(tokens["other"]))
    assert foreign.status_code in (403, 404)
    # analysts read but do not write
    assert client.get(one, headers=auth(tokens["analyst"])).status_code == 200
    analyst = {**auth(tokens["analyst"]), "If-Match": str(dossier["version"])}
    assert client.patch(one, json={"notes": "x"}, headers=analyst).status_code == 403
    # optimistic concurrency: a stale version is refused, nothing changes
    v = dossier["version"]
    ok = client.patch(
        one, json={"notes": "na"}, headers={**auth(tokens["facilitator"]), "If-Match": str(v)}
    )
    assert ok.status_code == 200 and ok.json()["version"] == v + 1
    stale = client.patch(
        one, json={"notes": "oud"}, headers={**auth(tokens["facilitator"]), "If-Match": str(v)}
    )
    assert stale.status_code == 409
    assert client.get(one, headers=auth(tokens["admin"])).json()["notes"] == "na"
    # lists are scoped to the token's municipalities
    assert [d["id"] for d in client.get(url, headers=auth(tokens["other"])).json()] == []
    assert dossier["id"] in [d["id"] for d in client.get(url, headers=auth(tokens["admin"])).json()]
    # the municipality's klimaattafel count (non-personal) includes it
    assert client.get("/api/v1/municipalities/36011/lekp").json()["klimaattafel_dossiers"] >= 1
    # GDPR: export with its audit trail, then delete
    export = client.get(f"{one}/export", headers=auth(tokens["facilitator"])).json()
    assert export["dossier"]["id"] == dossier["id"]
    actions = [a["action"] for a in export["audit_log"]]
    assert "create" in actions and "update" in actions and "read" in actions
    current = {**auth(tokens["facilitator"]), "If-Match": ok.headers["ETag"]}
    assert client.delete(one, headers=current).status_code == 204
    assert client.get(one, headers=auth(tokens["admin"])).status_code == 404


def test_openapi_documents_the_routes(env: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = env
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/addresses", "/api/v1/dossiers", "/api/v1/sectors"):
        assert path in spec["paths"]
    # the household plan is described, down to its steps and the correctable inputs
    plan = spec["paths"]["/api/v1/dwellings/{dwelling_id}/trajectory"]["post"]
    answer = plan["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert answer.endswith("/TrajectoryAnswer")
    card = spec["paths"]["/api/v1/dwellings/{dwelling_id}/card"]["get"]["responses"]["200"]
    assert card["content"]["application/json"]["schema"]["$ref"].endswith("/DwellingCard")
    step = spec["components"]["schemas"]["PlanStep"]["properties"]
    assert {"co2_kg", "simple_payback_years", "energy_score_kwh_m2"} <= set(step)
    request = spec["components"]["schemas"]["TrajectoryRequest"]["properties"]["overrides"]
    from scenarios.household import OVERRIDABLE

    assert request["propertyNames"]["enum"] == list(OVERRIDABLE)


def test_database_path_in_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    from sim.errors import InputError

    with pytest.raises(InputError):
        db.migrate(db.make_engine(f"sqlite:///{tmp_path}/geen/map/wijk.sqlite"))


def test_validation_messages_are_dutch(env: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = env
    r = client.get("/api/v1/addresses", params={"q": "a", "limit": 1000})
    assert r.status_code == 422
    assert r.json()["detail"] == [{"field": "query.limit", "message": "moet ≤ 50 zijn"}]
    r = client.post("/api/v1/dwellings/x/trajectory", json={"target_label": "Z"})
    assert "moet een van" in r.json()["detail"][0]["message"]
    # an input that cannot be corrected: the message is Dutch from its first word
    r = client.post("/api/v1/dwellings/x/trajectory", json={"overrides": {"kleur": 1.0}})
    message = r.json()["detail"][0]["message"]
    assert message.startswith("kan niet aangepast worden: kleur; kies uit construction_year")

"""Object-level authorization of the dossier routes over HTTP (OWASP API1), route by route.

Every dossier route (create, list, get, update, delete, export) is tried by every kind of caller
-- a facilitator of 36011, a facilitator of 44021, an analyst of 36011, an admin, a revoked
token, a malformed token and no token -- against a dossier of 36011, a dossier of 44021 and an
id that does not exist. Each combination must give exactly the status of the table in
``docs/service.md``: 401 without a valid token, 403 for a role that may not do it at all, 404 for
a dossier of another municipality (the same answer as for an id that does not exist), 200/201/204
otherwise. A denied attempt changes nothing and leaves one ``denied`` row in the audit log; an
attempt without a valid token is turned away before any dossier is looked up and leaves one
``denied`` row too (role ``anonymous``, the reason, never the token; issue 13 row 10). Updates
and deletes send the version read as ``If-Match`` (required since issue 13 row 4).

:mod:`tests.api.test_db` checks the same rules on the Python service functions; this file checks
that the HTTP layer keeps them (the token header, the path ids, the status codes, the bodies).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from api import db, service
from api.http import create_app
from api.http.ratelimit import FailedLogins
from api.schemas import DossierIn
from tests.api.helpers import migrated_engine

A = "36011"  # the twin's municipality
B = "44021"  # Gent: another municipality (a dossier's municipality need not be in the twin)
ELSEWHERE = "11002"  # Antwerpen: a municipality nobody but the admin holds
URL = "/api/v1/dossiers"

#: Callers with a valid token: the municipalities they hold and whether they may write.
ACCESS: dict[str, frozenset[str]] = {
    "facilitator_36011": frozenset({A}),
    "facilitator_44021": frozenset({B}),
    "analyst_36011": frozenset({A}),
    "admin": frozenset({A, B, ELSEWHERE}),
}
WRITERS = frozenset({"facilitator_36011", "facilitator_44021", "admin"})
#: Callers that must get 401: a revoked token, a token that is not one, no token at all.
UNAUTHENTICATED = ("revoked", "malformed", "none")
#: The reason the audit row gives for each of them.
UNAUTHENTICATED_REASON = {
    "revoked": "ingetrokken token",
    "malformed": "misvormd token",
    "none": "geen token",
}
PRINCIPALS = (*ACCESS, *UNAUTHENTICATED)

#: What each route is tried on: a dossier of A or B or a missing one; a municipality to
#: create in; all dossiers or those of one municipality for the list.
TARGETS = {
    "create": (A, B, ELSEWHERE),
    "list": ("all", A, B),
    "get": (A, B, "missing"),
    "patch": (A, B, "missing"),
    "delete": (A, B, "missing"),
    "export": (A, B, "missing"),
}
#: The audit action each route writes when it succeeds.
AUDIT_ACTION = {
    "create": "create",
    "list": "list",
    "get": "read",
    "patch": "update",
    "delete": "delete",
    "export": "export",
}
SUCCESS = {"create": 201, "delete": 204}


def expected_status(route: str, principal: str, target: str) -> int:
    """The status the table in ``docs/service.md`` prescribes."""
    if principal not in ACCESS:
        return 401
    if route not in ("get", "list") and principal not in WRITERS:
        return 403  # the role may not do this at all: decided before any dossier is looked up
    allowed = target == "all" or target in ACCESS[principal]
    if allowed:
        return SUCCESS.get(route, 200)
    # a municipality named in the request is refused openly; a dossier of another
    # municipality is hidden: it looks exactly like one that does not exist
    return 403 if route in ("create", "list") else 404


MATRIX = [
    pytest.param(route, principal, target, id=f"{route}-{principal}-{target}")
    for route, targets in TARGETS.items()
    for principal in PRINCIPALS
    for target in targets
]


@dataclass
class Env:
    client: TestClient
    engine: Engine
    headers: dict[str, dict[str, str]]
    principals: dict[str, db.Principal]
    revoked_token_id: int

    def new_dossier(self, nis: str, **kw: Any) -> str:
        """A fresh dossier of ``nis``, saved by the admin through the service function."""
        data = {
            "municipality_nis": nis,
            "dwelling_id": f"W-{nis}",
            "address_id": f"A-{nis}",
            "address_text": f"Kerkstraat 1, gemeente {nis}",
            "overrides": {"u_roof_w_m2k": 0.24, "heating_system": "gas_condensing"},
            "chosen_steps": ["roof_insulation"],
            "notes": f"vertrouwelijk {nis}",
            "klimaattafel_date": "2026-03-14",
            **kw,
        }
        with db.session_scope(self.engine) as s:
            return db.create_dossier(s, self.principals["admin"], DossierIn(**data)).id


@pytest.fixture(scope="module")
def env(
    demo_state: service.ServiceState, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Env]:
    engine = migrated_engine(tmp_path_factory, "authz")
    with db.session_scope(engine) as s:
        secrets = {
            "facilitator_36011": db.create_token(s, "Fien", "facilitator", [A]),
            "facilitator_44021": db.create_token(s, "Gert", "facilitator", [B]),
            "analyst_36011": db.create_token(s, "Ann", "analyst", [A]),
            "admin": db.create_token(s, "Beheer", "admin", []),
            "revoked": db.create_token(s, "Oud", "facilitator", [A]),
        }
    with db.session_scope(engine) as s:
        principals = {name: db.authenticate(s, secrets[name]) for name in ACCESS}
        # revoked after creation: a token that once worked, for the same municipality
        revoked = db.revoke_token(s, secrets["revoked"].split("_")[1])
        assert revoked is not None
    assert all(principals.values())
    headers = {name: {"Authorization": f"Bearer {secret}"} for name, secret in secrets.items()}
    headers["malformed"] = {"Authorization": "Bearer dit-is-geen-token"}
    headers["none"] = {}
    app = create_app(demo_state, engine=engine)
    # the matrix sends a few hundred failed authentications from one test client; the burst
    # limit (429) is tested on its own in tests/api/test_auth_failures.py
    app.state.failed_logins = FailedLogins(limit=1_000_000)
    with TestClient(app) as client:
        yield Env(client, engine, headers, principals, revoked.id)  # type: ignore[arg-type]
    engine.dispose()


def _snapshot(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every stored dossier, every column (read directly: no audit row)."""
    with db.session_scope(engine) as s:
        rows = s.scalars(select(db.Dossier))
        return {
            r.id: {c.name: getattr(r, c.name) for c in db.Dossier.__table__.columns} for r in rows
        }


def _audit_count(engine: Engine) -> int:
    with db.session_scope(engine) as s:
        return int(s.scalar(select(func.count(db.AuditEntry.id))) or 0)


def _audit_since(engine: Engine, n: int) -> list[db.AuditEntry]:
    with db.session_scope(engine) as s:
        query = select(db.AuditEntry).order_by(db.AuditEntry.id).offset(n)
        return list(s.scalars(query))


def _request(env: Env, route: str, principal: str, target: str, ids: dict[str, str]) -> Any:
    headers = env.headers[principal]
    if route == "create":
        body = {"municipality_nis": target, "dwelling_id": "W-NIEUW", "notes": "nieuw"}
        return env.client.post(URL, json=body, headers=headers)
    if route == "list":
        params = {} if target == "all" else {"municipality": target}
        return env.client.get(URL, params=params, headers=headers)
    one = f"{URL}/{ids[target]}"
    if route == "get":
        return env.client.get(one, headers=headers)
    # every dossier here is fresh: version 1
    if route == "patch":
        body = {"notes": f"gewijzigd door {principal}"}
        return env.client.patch(one, json=body, headers={**headers, "If-Match": "1"})
    if route == "delete":
        return env.client.delete(one, headers={**headers, "If-Match": "1"})
    return env.client.get(f"{one}/export", headers=headers)


@pytest.mark.parametrize(("route", "principal", "target"), MATRIX)
def test_every_route_principal_and_dossier_gets_exactly_the_prescribed_status(
    env: Env, route: str, principal: str, target: str
) -> None:
    ids = {A: env.new_dossier(A), B: env.new_dossier(B), "missing": str(uuid.uuid4())}
    before = _snapshot(env.engine)
    audit_before = _audit_count(env.engine)
    expected = expected_status(route, principal, target)

    r = _request(env, route, principal, target, ids)

    assert r.status_code == expected, r.text
    after = _snapshot(env.engine)
    if expected >= 400:
        # a denied attempt changes nothing and every dossier is still there
        assert after == before
        detail = r.json()["detail"]
        assert isinstance(detail, list) and detail and all(d["message"] for d in detail)
        if expected == 401:
            assert r.headers["www-authenticate"] == "Bearer"
    # audit: one row per attempt (a list: one per dossier listed), also without a valid token
    rows = _audit_since(env.engine, audit_before)
    if principal in UNAUTHENTICATED:
        assert len(rows) == 1, [(a.action, a.detail) for a in rows]
        entry = rows[0]
        assert entry.action == "denied" and entry.role == "anonymous"
        assert entry.detail.startswith(
            f"{AUDIT_ACTION[route]}: {UNAUTHENTICATED_REASON[principal]}"
        )
        assert entry.dossier_id == (ids[target] if route not in ("create", "list") else None)
        revoked_id = env.revoked_token_id if principal == "revoked" else None
        assert entry.token_id == revoked_id
        secret = env.headers[principal].get("Authorization", "").removeprefix("Bearer ")
        assert not secret or secret.split("_")[-1] not in entry.detail
    elif route == "list" and expected < 400:
        listed = [d["id"] for d in r.json()]
        assert [a.dossier_id for a in rows] == (listed or [None])
        row = env.principals[principal]
        assert all(a.action == "list" and a.token_id == row.token_id for a in rows)
    else:
        assert len(rows) == 1, [(a.action, a.detail) for a in rows]
        row = env.principals[principal]
        entry = rows[0]
        assert entry.token_id == row.token_id and entry.role == row.role.value
        if expected >= 400:
            assert entry.action == "denied"
            assert entry.detail.startswith(f"{AUDIT_ACTION[route]}: ")
            if expected == 404:  # the log keeps what the answer hides
                reason = "bestaat niet" if target == "missing" else "andere gemeente"
                assert entry.detail == f"{AUDIT_ACTION[route]}: {reason}"
                assert entry.dossier_id == ids[target]
        else:
            assert entry.action == AUDIT_ACTION[route]
    if expected < 400:
        _check_success(env, route, principal, target, ids, before, after, r)
    elif expected == 404 and target != "missing":
        _check_indistinguishable_from_missing(env, route, principal, target, ids, r)


def _check_success(
    env: Env,
    route: str,
    principal: str,
    target: str,
    ids: dict[str, str],
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    r: Any,
) -> None:
    if route == "create":
        (new,) = set(after) - set(before)
        assert r.json()["id"] == new and after[new]["municipality_nis"] == target
    elif route == "list":
        seen = {d["municipality_nis"] for d in r.json()}
        scope = ACCESS[principal] if target == "all" else {target}
        assert seen <= scope
        listed = {d["id"] for d in r.json()}
        assert {ids[m] for m in (A, B) if m in scope} <= listed
        assert not {ids[m] for m in (A, B) if m not in scope} & listed
        assert after == before
    elif route == "get":
        assert r.json()["id"] == ids[target] and r.json()["notes"] == f"vertrouwelijk {target}"
        assert after == before
    elif route == "patch":
        assert after[ids[target]]["notes"] == f"gewijzigd door {principal}"
        assert after[ids[target]]["version"] == before[ids[target]]["version"] + 1
        assert {k: v for k, v in after.items() if k != ids[target]} == {
            k: v for k, v in before.items() if k != ids[target]
        }
    elif route == "delete":
        assert r.content == b""
        assert set(before) - set(after) == {ids[target]}
    else:  # export
        assert r.json()["dossier"]["id"] == ids[target]
        assert after == before


def _check_indistinguishable_from_missing(
    env: Env, route: str, principal: str, target: str, ids: dict[str, str], hidden: Any
) -> None:
    missing = str(uuid.uuid4())
    r = _request(env, route, principal, "missing", {**ids, "missing": missing})
    assert r.status_code == hidden.status_code == 404
    assert hidden.text.replace(ids[target], "<id>") == r.text.replace(missing, "<id>")
    assert dict(hidden.headers) == dict(r.headers)


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Basic d2lqazpnZWhlaW0=",
        "Token {valid}",
        "bearer{valid}",
        "Bearer {valid}x",
        "Bearer {valid_prefix}_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Bearer wijk_" + "a" * 300,
    ],
)
def test_a_token_that_is_not_a_valid_one_is_always_401(env: Env, authorization: str) -> None:
    valid = env.headers["facilitator_36011"]["Authorization"].removeprefix("Bearer ")
    header = authorization.format(valid=valid, valid_prefix="_".join(valid.split("_")[:2]))
    dossier = env.new_dossier(A)
    before = _snapshot(env.engine)
    audit_before = _audit_count(env.engine)
    for method, url, body in (
        ("get", f"{URL}/{dossier}", None),
        ("patch", f"{URL}/{dossier}", {"notes": "x"}),
        ("delete", f"{URL}/{dossier}", None),
        ("get", f"{URL}/{dossier}/export", None),
        ("get", URL, None),
        ("post", URL, {"municipality_nis": A, "dwelling_id": "W-1"}),
    ):
        r = env.client.request(
            method, url, json=body, headers={"Authorization": header, "If-Match": "1"}
        )
        assert r.status_code == 401, (method, url, r.text)
    assert _snapshot(env.engine) == before
    # each attempt is audited, without the token: not the secret, not even the valid one's
    rows = _audit_since(env.engine, audit_before)
    assert [a.action for a in rows] == ["denied"] * 6
    assert all(a.role == "anonymous" and a.token_id is None for a in rows)
    assert [a.dossier_id for a in rows] == [dossier] * 4 + [None, None]
    secret_part = valid.split("_")[2]
    for a in rows:
        assert secret_part[:8] not in a.detail and "AAAAAAAA" not in a.detail, a.detail


def test_many_denied_attempts_leave_the_dossiers_intact_and_show_in_the_export(env: Env) -> None:
    ids = {A: env.new_dossier(A), B: env.new_dossier(B), "missing": str(uuid.uuid4())}
    before = _snapshot(env.engine)
    denied = {A: 0, B: 0}  # denied attempts with a valid token, per dossier
    anonymous = {A: 0, B: 0}  # attempts without a valid token, per dossier
    for route, targets in TARGETS.items():
        for principal in PRINCIPALS:
            for target in targets:
                status = expected_status(route, principal, target)
                if target == "missing" or status < 400:
                    continue
                r = _request(env, route, principal, target, ids)
                assert r.status_code == status, (route, principal, target, r.text)
                if route in ("create", "list"):
                    continue
                if principal in ACCESS:
                    denied[target] += 1
                else:
                    anonymous[target] += 1
    assert _snapshot(env.engine) == before
    # the GDPR export (admin) lists every denied attempt against the dossier, with the token,
    # and every attempt on it without a valid token (a revoked token's id is known)
    for nis in (A, B):
        export = env.client.get(f"{URL}/{ids[nis]}/export", headers=env.headers["admin"]).json()
        stored = before[ids[nis]]
        assert export["dossier"]["notes"] == stored["notes"]
        assert export["dossier"]["version"] == stored["version"] == 1
        refused = [a for a in export["audit_log"] if a["action"] == "denied"]
        with_token = [a for a in refused if a["role"] != "anonymous"]
        without = [a for a in refused if a["role"] == "anonymous"]
        assert len(with_token) == denied[nis] > 0
        assert len(without) == anonymous[nis] > 0
        assert all(a["token_id"] is not None for a in with_token)
        assert {a["detail"].split(": ")[1] for a in with_token} == {
            "andere gemeente",
            "rol analyst",
        }
        assert {a["detail"].split(": ")[1].split(" (")[0] for a in without} == set(
            UNAUTHENTICATED_REASON.values()
        )

"""The dossier database on a real SQLite file: migrations, tokens, authorization, audit, GDPR,
durability, the input models and the ``wijk token``/``wijk db`` commands."""

from __future__ import annotations

import hashlib
import json
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import api.db.dossiers as dbmod
from api.cli import app
from api.db import (
    AuditEntry,
    Base,
    Dossier,
    DossierConflict,
    DossierForbidden,
    DossierNotFound,
    Principal,
    Role,
    SchemaMismatch,
    Token,
    authenticate,
    count_klimaattafel_dossiers,
    create_dossier,
    create_token,
    current_revision,
    delete_dossier,
    export_dossier,
    get_dossier,
    head_revision,
    list_dossiers,
    list_tokens,
    make_engine,
    migrate,
    revoke_token,
    session_scope,
    update_dossier,
)
from api.schemas import DossierIn, DossierUpdate
from sim.errors import InputError

OWN = "36015"  # Roeselare: the dossier's municipality
OTHER = "44021"  # Gent
SECRET_RE = re.compile(r"^wijk_[0-9a-f]{8}_[A-Za-z0-9_\-]{43}$")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "wijk.sqlite"


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{db_path}")
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def secrets_(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as s:
        return {
            "facilitator_own": create_token(s, "Fien Facilitator", "facilitator", [OWN]),
            "facilitator_other": create_token(s, "Gert Facilitator", Role.FACILITATOR, [OTHER]),
            "analyst_own": create_token(s, "Ann Analist", "analyst", [OWN]),
            "analyst_other": create_token(s, "Bart Analist", "analyst", [OTHER]),
            "admin": create_token(s, "Beheer", "admin", []),
        }


@pytest.fixture
def who(engine: Engine, secrets_: dict[str, str]) -> dict[str, Principal | None]:
    with session_scope(engine) as s:
        found: dict[str, Principal | None] = {k: authenticate(s, v) for k, v in secrets_.items()}
    assert all(found.values())
    found["none"] = None
    return found


def _data(**kw: Any) -> DossierIn:
    base: dict[str, Any] = {
        "municipality_nis": OWN,
        "dwelling_id": "W-0001",
        "address_id": "A-0001",
        "address_text": "Kerkstraat 12, 8800 Roeselare",
        "overrides": {"u_roof_w_m2k": 0.24, "heating_system": "gas_condensing", "pv": True},
        "chosen_steps": ["roof_insulation", "heat_pump_air"],
        "notes": "Bewoner wil eerst het dak doen.",
        "klimaattafel_date": date(2025, 3, 14),
    }
    base.update(kw)
    return DossierIn(**base)


def _new(engine: Engine, principal: Principal | None, **kw: Any) -> str:
    with session_scope(engine) as s:
        return create_dossier(s, principal, _data(**kw)).id


def _audit_rows(engine: Engine) -> list[AuditEntry]:
    with session_scope(engine) as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _file_bytes(db_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*") if p.is_file())


# --------------------------------------------------------------------------- engine, migrations


def test_migrations_create_the_tables_and_run_twice_as_a_no_op(engine: Engine) -> None:
    tables = set(sa.inspect(engine).get_table_names())
    assert {"tokens", "dossiers", "audit_log", "alembic_version"} <= tables
    assert current_revision(engine) == head_revision() == "0001"
    dossier_id = None
    with session_scope(engine) as s:
        secret = create_token(s, "Fien", "facilitator", [OWN])
        dossier_id = create_dossier(s, authenticate(s, secret), _data()).id
    migrate(engine)
    migrate(engine)
    assert current_revision(engine) == "0001"
    with session_scope(engine) as s:
        assert s.get(Dossier, dossier_id) is not None


def test_hand_written_migration_matches_the_models(engine: Engine) -> None:
    with engine.connect() as c:
        diff = compare_metadata(
            MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_sqlite_runs_with_wal_full_sync_and_foreign_keys(engine: Engine) -> None:
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_a_database_of_a_newer_schema_is_refused(engine: Engine) -> None:
    with engine.begin() as c:
        c.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(SchemaMismatch) as err:
        migrate(engine)
    assert "9999_future" in str(err.value) and "nieuwere versie" in str(err.value)


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("geen-url", "geen geldige databank-URL"),
        ("mysql://wijk:geheim123@db.example/wijk", "wordt niet ondersteund"),
        ("postgresql+nodriver://wijk:geheim123@db.example/wijk", "stuurprogramma"),
    ],
)
def test_a_bad_url_is_a_dutch_input_error_without_the_password(url: str, needle: str) -> None:
    with pytest.raises(InputError) as err:
        make_engine(url)
    assert needle in str(err.value)
    assert "geheim123" not in str(err.value)


def test_sqlite_in_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="bestaat niet"):
        make_engine(f"sqlite:///{tmp_path / 'nergens' / 'wijk.sqlite'}")


def test_timestamps_are_aware_utc(engine: Engine, who: dict[str, Principal | None]) -> None:
    with session_scope(engine) as s:
        out = create_dossier(s, who["facilitator_own"], _data())
    with session_scope(engine) as s:
        again = get_dossier(s, who["facilitator_own"], out.id)
    assert again.created_at.tzinfo is not None and again.created_at.utcoffset() == UTC.utcoffset(
        None
    )
    assert again.created_at == out.created_at
    assert all(r.at.tzinfo is not None for r in _audit_rows(engine))


# --------------------------------------------------------------------------- tokens


def test_token_round_trip_stores_only_the_hash(engine: Engine, db_path: Path) -> None:
    with session_scope(engine) as s:
        secret = create_token(s, "Fien", "facilitator", [OWN, "36011"])
    assert SECRET_RE.match(secret), secret
    with session_scope(engine) as s:
        who = authenticate(s, secret)
        row = s.scalars(select(Token)).one()
    assert who is not None and who.role is Role.FACILITATOR and who.name == "Fien"
    assert who.municipalities == frozenset({OWN, "36011"})
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret.split("_")[1]
    engine.dispose()
    raw = _file_bytes(db_path)
    assert row.token_hash.encode() in raw
    assert secret.encode() not in raw and secret.split("_", 2)[2].encode() not in raw


def test_wrong_malformed_and_revoked_tokens_fail(engine: Engine) -> None:
    with session_scope(engine) as s:
        secret = create_token(s, "Fien", "facilitator", [OWN])
        prefix = secret.split("_")[1]
        assert authenticate(s, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
        assert authenticate(s, "") is None and authenticate(s, "x" * 10_000) is None
        assert authenticate(s, secret.removeprefix("wijk_")) is None
        first = revoke_token(s, prefix)
    assert first is not None and first.revoked_at is not None
    with session_scope(engine) as s:
        assert authenticate(s, secret) is None
        again = revoke_token(s, prefix)
        assert again is not None and again.revoked_at == first.revoked_at
        assert revoke_token(s, "00000000") is None
        listed = list_tokens(s)
    assert [t.prefix for t in listed] == [prefix] and listed[0].revoked_at is not None
    assert not hasattr(listed[0], "token_hash")


def test_admin_tokens_get_every_municipality(engine: Engine) -> None:
    with session_scope(engine) as s:
        who = authenticate(s, create_token(s, "Beheer", "admin", []))
    assert who is not None and who.municipalities == frozenset({"*"})
    assert who.can_access(OWN) and who.can_access(OTHER)


def test_token_input_problems_are_collected_in_dutch(engine: Engine) -> None:
    with session_scope(engine) as s:
        with pytest.raises(InputError) as err:
            create_token(s, "  ", "facilitator", ["3601", "abcde"])
        assert err.value.fields == ["--name", "--municipality"]
        assert "3601" in str(err.value) and "NIS-code" in str(err.value)
        with pytest.raises(InputError, match="minstens één gemeente"):
            create_token(s, "Ann", "analyst", [])
        with pytest.raises(InputError, match="alle gemeenten"):
            create_token(s, "Beheer", "admin", [OWN])
        with pytest.raises(InputError, match="bestaat niet"):
            create_token(s, "Ann", "burgemeester", [OWN])
        assert s.scalar(select(func.count(Token.id))) == 0


# --------------------------------------------------------------------------- authorization

ACTORS = ["facilitator_own", "facilitator_other", "analyst_own", "analyst_other", "admin", "none"]
OK, NF, FB = "ok", DossierNotFound, DossierForbidden
MATRIX: dict[str, dict[str, Any]] = {
    #          fac own, fac other, analyst own, analyst other, admin, no token
    "create": dict(zip(ACTORS, [OK, FB, FB, FB, OK, FB], strict=True)),
    "read": dict(zip(ACTORS, [OK, NF, OK, NF, OK, FB], strict=True)),
    "list": dict(zip(ACTORS, [OK, FB, OK, FB, OK, FB], strict=True)),
    "update": dict(zip(ACTORS, [OK, NF, FB, FB, OK, FB], strict=True)),
    "delete": dict(zip(ACTORS, [OK, NF, FB, FB, OK, FB], strict=True)),
    "export": dict(zip(ACTORS, [OK, NF, FB, FB, OK, FB], strict=True)),
}
ACTIONS: dict[str, Callable[[Session, Principal | None, str], Any]] = {
    "create": lambda s, p, _id: create_dossier(s, p, _data()),
    "read": lambda s, p, i: get_dossier(s, p, i),
    "list": lambda s, p, _id: list_dossiers(s, p, OWN),
    "update": lambda s, p, i: update_dossier(s, p, i, DossierUpdate(notes="nieuw")),
    "delete": lambda s, p, i: delete_dossier(s, p, i),
    "export": lambda s, p, i: export_dossier(s, p, i),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", list(MATRIX))
def test_authorization_matrix_and_one_audit_row_per_attempt(
    engine: Engine, who: dict[str, Principal | None], action: str, actor: str
) -> None:
    dossier_id = _new(engine, who["facilitator_own"])
    with session_scope(engine) as s:
        before_dossier = get_dossier(s, who["admin"], dossier_id)
    before = len(_audit_rows(engine))
    expected = MATRIX[action][actor]
    principal = who[actor]
    if expected == OK:
        with session_scope(engine) as s:
            ACTIONS[action](s, principal, dossier_id)
    else:
        with pytest.raises(expected) as err, session_scope(engine) as s:
            ACTIONS[action](s, principal, dossier_id)
        assert err.value.message  # Dutch text for the requester
        if actor == "none":
            assert isinstance(err.value, DossierForbidden) and err.value.anonymous
    rows = _audit_rows(engine)
    assert len(rows) == before + 1, [(r.action, r.detail) for r in rows[before:]]
    last = rows[-1]
    assert last.action == (action if expected == OK else "denied")
    assert last.role == (principal.role.value if principal else "anonymous")
    assert last.token_id == (principal.token_id if principal else None)
    if expected != OK:
        with session_scope(engine) as s:  # a denied attempt changes nothing
            after = get_dossier(s, who["admin"], dossier_id)
        assert after == before_dossier


def test_another_municipalitys_dossier_looks_exactly_like_a_missing_one(
    engine: Engine, who: dict[str, Principal | None]
) -> None:
    real = _new(engine, who["facilitator_own"])
    fake = str(uuid.uuid4())
    messages = {}
    for name, dossier_id in (("real", real), ("fake", fake), ("junk", "'; DROP TABLE x;--")):
        with pytest.raises(DossierNotFound) as err, session_scope(engine) as s:
            get_dossier(s, who["facilitator_other"], dossier_id)
        assert type(err.value) is DossierNotFound
        messages[name] = err.value.message.replace(dossier_id, "<id>")
    assert messages["real"] == messages["fake"] == messages["junk"]
    # the audit log (read by admins) does keep the difference
    denied = [r for r in _audit_rows(engine) if r.action == "denied"]
    assert [r.detail for r in denied] == [
        "read: andere gemeente",
        "read: bestaat niet",
        "read: bestaat niet",
    ]


def test_lists_only_show_the_tokens_municipalities(
    engine: Engine, who: dict[str, Principal | None]
) -> None:
    mine = _new(engine, who["facilitator_own"])
    theirs = _new(engine, who["facilitator_other"], municipality_nis=OTHER)
    with session_scope(engine) as s:
        assert [d.id for d in list_dossiers(s, who["facilitator_own"])] == [mine]
        assert [d.id for d in list_dossiers(s, who["analyst_other"])] == [theirs]
        assert {d.id for d in list_dossiers(s, who["admin"])} == {mine, theirs}
        assert [d.id for d in list_dossiers(s, who["admin"], OTHER)] == [theirs]


def test_a_facilitator_cannot_move_a_dossier_to_another_municipality() -> None:
    with pytest.raises(ValidationError, match="municipality_nis"):
        DossierUpdate.model_validate({"municipality_nis": OTHER})


# --------------------------------------------------------------------------- writes, conflicts


def test_update_changes_only_the_fields_sent_and_bumps_the_version(
    engine: Engine, who: dict[str, Principal | None]
) -> None:
    dossier_id = _new(engine, who["facilitator_own"])
    with session_scope(engine) as s:
        out = update_dossier(
            s,
            who["facilitator_own"],
            dossier_id,
            DossierUpdate.model_validate({"notes": "Dak gedaan.", "klimaattafel_date": None}),
            expected_version=1,
        )
    assert out.version == 2 and out.notes == "Dak gedaan." and out.klimaattafel_date is None
    assert out.address_text == "Kerkstraat 12, 8800 Roeselare"
    assert out.chosen_steps == ["roof_insulation", "heat_pump_air"]
    assert out.created_by == "Fien Facilitator"
    assert _audit_rows(engine)[-1].detail == "velden: klimaattafel_date, notes"


def test_a_version_conflict_leaves_data_and_audit_unchanged(
    engine: Engine, who: dict[str, Principal | None]
) -> None:
    dossier_id = _new(engine, who["facilitator_own"])
    with session_scope(engine) as s:
        update_dossier(s, who["facilitator_own"], dossier_id, DossierUpdate(notes="v2"))
    with session_scope(engine) as s:
        before = get_dossier(s, who["admin"], dossier_id)
    audit_before = len(_audit_rows(engine))
    with pytest.raises(DossierConflict) as err, session_scope(engine) as s:
        update_dossier(
            s, who["facilitator_own"], dossier_id, DossierUpdate(notes="v3"), expected_version=1
        )
    assert "versie 2" in err.value.message and "niets bewaard" in err.value.message
    assert len(_audit_rows(engine)) == audit_before
    with session_scope(engine) as s:
        assert get_dossier(s, who["admin"], dossier_id) == before


def test_a_concurrent_update_between_read_and_write_is_a_conflict_not_a_lost_update(
    engine: Engine, who: dict[str, Principal | None]
) -> None:
    dossier_id = _new(engine, who["facilitator_own"])
    audit_before = len(_audit_rows(engine))
    session = Session(engine)

    raced: list[bool] = []

    def someone_else_writes_first(*_: Any) -> None:
        if raced:
            return
        raced.append(True)
        with session_scope(engine) as other:
            update_dossier(other, who["admin"], dossier_id, DossierUpdate(notes="door beheer"))

    event.listen(session, "before_flush", someone_else_writes_first)
    with pytest.raises(DossierConflict):
        update_dossier(session, who["facilitator_own"], dossier_id, DossierUpdate(notes="fien"))
    session.close()
    with session_scope(engine) as s:
        now = get_dossier(s, who["admin"], dossier_id)
    assert now.notes == "door beheer" and now.version == 2
    actions = [r.action for r in _audit_rows(engine)[audit_before:]]
    assert actions == ["update", "read"]  # the admin's update and the read above; nothing of Fien


def test_a_failing_audit_insert_rolls_back_the_dossier(
    engine: Engine, who: dict[str, Principal | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_audit = dbmod._audit

    def broken_audit(session: Session, principal: Principal | None, _: str, **kw: Any) -> None:
        bogus: Any = "not-an-action"  # violates the CHECK constraint of audit_log.action
        real_audit(session, principal, bogus, **kw)

    monkeypatch.setattr(dbmod, "_audit", broken_audit)
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        create_dossier(s, who["facilitator_own"], _data())
    monkeypatch.undo()
    with session_scope(engine) as s:
        assert s.scalar(select(func.count(Dossier.id))) == 0
        assert s.scalar(select(func.count(AuditEntry.id))) == 0


# --------------------------------------------------------------------------- GDPR


def test_delete_erases_the_personal_data_from_the_file(
    engine: Engine, who: dict[str, Principal | None], db_path: Path
) -> None:
    markers = {
        "address_text": "Zonnebloemdreef 987 UNIEK",
        "notes": "NOTITIE-PRIVE-XYZ over de bewoner",
        "overrides": {"GEHEIME_SLEUTEL_Q": "WAARDE-PRIVE-Q"},
    }
    _new(engine, who["facilitator_own"], dwelling_id="W-BUUR-1")  # neighbours on the same page
    dossier_id = _new(engine, who["facilitator_own"], **markers)
    _new(engine, who["facilitator_own"], dwelling_id="W-BUUR-2")
    with session_scope(engine) as s:
        update_dossier(s, who["facilitator_own"], dossier_id, DossierUpdate(notes="NOTITIE-TWEE"))
    raw = _file_bytes(db_path)
    assert b"UNIEK" in raw and b"NOTITIE-TWEE" in raw  # the check below can see such bytes
    with session_scope(engine) as s:
        delete_dossier(s, who["facilitator_own"], dossier_id)
    with session_scope(engine) as s:
        assert s.get(Dossier, dossier_id) is None
        with pytest.raises(DossierNotFound):
            get_dossier(s, who["admin"], dossier_id)
    # the engine stays open, as in a running server (closing the last connection would
    # checkpoint the log anyway and hide a missing checkpoint)
    raw = _file_bytes(db_path)
    assert b"W-BUUR-1" in raw and b"W-BUUR-2" in raw
    for marker in (
        b"UNIEK",
        b"NOTITIE-PRIVE",
        b"NOTITIE-TWEE",
        b"GEHEIME_SLEUTEL",
        b"WAARDE-PRIVE",
    ):
        assert marker not in raw, marker
    rows = [r for r in _audit_rows(engine) if r.dossier_id == dossier_id]
    assert [r.action for r in rows] == ["create", "update", "delete", "denied"]
    assert {r.municipality_nis for r in rows[:3]} == {OWN}


def test_export_has_the_dossier_and_its_audit_trail(
    engine: Engine, who: dict[str, Principal | None]
) -> None:
    dossier_id = _new(engine, who["facilitator_own"])
    _new(engine, who["facilitator_own"], dwelling_id="W-0002")  # its audit must not leak in
    with session_scope(engine) as s:
        get_dossier(s, who["analyst_own"], dossier_id)
    with session_scope(engine) as s:
        export = export_dossier(s, who["facilitator_own"], dossier_id)
    text = json.dumps(export)  # JSON-serialisable as is
    assert json.loads(text)["dossier"]["id"] == dossier_id
    assert export["dossier"]["address_text"] == "Kerkstraat 12, 8800 Roeselare"
    assert export["dossier"]["overrides"]["u_roof_w_m2k"] == pytest.approx(0.24, abs=0)
    assert [a["action"] for a in export["audit_log"]] == ["create", "read", "export"]
    assert [a["role"] for a in export["audit_log"]] == ["facilitator", "analyst", "facilitator"]


def test_klimaattafel_count_per_municipality_and_year(
    engine: Engine, who: dict[str, Principal | None]
) -> None:
    fac = who["facilitator_own"]
    for day in (date(2024, 12, 31), date(2025, 1, 1), date(2025, 12, 31), None):
        _new(engine, fac, klimaattafel_date=day)
    _new(engine, who["facilitator_other"], municipality_nis=OTHER)
    with session_scope(engine) as s:
        assert count_klimaattafel_dossiers(s, OWN) == 3
        assert count_klimaattafel_dossiers(s, OWN, 2025) == 2
        assert count_klimaattafel_dossiers(s, OWN, 2024) == 1
        assert count_klimaattafel_dossiers(s, OTHER) == 1
        assert count_klimaattafel_dossiers(s, "11002") == 0


# --------------------------------------------------------------------------- durability

CHILD = """
import os, signal, sys
from api.db import authenticate, create_dossier, make_engine, session_scope
from api.schemas import DossierIn

engine = make_engine(sys.argv[1])
with session_scope(engine) as s:
    out = create_dossier(s, authenticate(s, sys.argv[2]),
                         DossierIn(municipality_nis="36015", dwelling_id="W-KILL"))
    print(out.id, flush=True)  # acknowledged: the client now believes it is saved
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_an_acknowledged_dossier_survives_kill_9(
    engine: Engine, secrets_: dict[str, str], who: dict[str, Principal | None], db_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, f"sqlite:///{db_path}", secrets_["facilitator_own"]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    dossier_id = done.stdout.strip()
    assert uuid.UUID(dossier_id)
    engine.dispose()
    with session_scope(make_engine(f"sqlite:///{db_path}")) as s:
        out = get_dossier(s, who["admin"], dossier_id)
    assert out.dwelling_id == "W-KILL"


# --------------------------------------------------------------------------- input models


@pytest.mark.parametrize(
    "change",
    [
        {"unknown_field": 1},
        {"notes": "x" * 5001},
        {"municipality_nis": "3601"},
        {"municipality_nis": "ABCDE"},
        {"municipality_nis": 36015},
        {"overrides": {f"k{i}": i for i in range(51)}},
        {"overrides": {"u_roof_w_m2k": float("nan")}},
        {"overrides": {"nested": {"a": 1}}},
        {"chosen_steps": ["roof_insulation"] * 31},
        {"chosen_steps": ["x" * 65]},
        {"address_text": "x" * 201},
        {"dwelling_id": ""},
    ],
)
def test_dossier_in_rejects_unknown_fields_and_oversized_or_bad_values(
    change: dict[str, Any],
) -> None:
    body = _data().model_dump(mode="json") | change
    with pytest.raises(ValidationError):
        DossierIn.model_validate(body)


def test_dossier_in_keeps_the_types_of_override_values() -> None:
    data = _data(overrides={"a": True, "b": 3, "c": 2.5, "d": "hp", "e": None})
    assert data.overrides == {"a": True, "b": 3, "c": 2.5, "d": "hp", "e": None}
    assert [type(v) for v in data.overrides.values()] == [bool, int, float, str, type(None)]


def test_dossier_update_rejects_null_for_fields_that_cannot_be_empty() -> None:
    with pytest.raises(ValidationError, match="notes"):
        DossierUpdate.model_validate({"notes": None})
    assert DossierUpdate.model_validate({"klimaattafel_date": None}).changes() == {
        "klimaattafel_date": None
    }


# --------------------------------------------------------------------------- command line

runner = CliRunner()


def _cli(*args: str) -> Any:
    return runner.invoke(app, list(args))


def test_cli_db_upgrade_token_create_list_and_revoke(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    first = _cli("db", "upgrade", "--db", url)
    assert first.exit_code == 0, first.output
    assert "bijgewerkt" in first.output
    again = _cli("db", "upgrade", "--db", url)
    assert again.exit_code == 0 and "al bij" in again.output

    made = _cli(
        "token", "create", "--name", "Fien", "--role", "facilitator",
        "--municipality", OWN, "--municipality", "36011", "--db", url,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    secret = made.output.strip().splitlines()[-1]
    assert SECRET_RE.match(secret), made.output
    assert "één keer" in made.output
    engine = make_engine(url)
    with session_scope(engine) as s:
        who = authenticate(s, secret)
    assert who is not None and who.municipalities == frozenset({OWN, "36011"})

    listed = _cli("token", "list", "--db", url)
    prefix = secret.split("_")[1]
    assert listed.exit_code == 0 and prefix in listed.output and "Fien" in listed.output
    assert secret not in listed.output

    revoked = _cli("token", "revoke", prefix, "--db", url)
    assert revoked.exit_code == 0, revoked.output
    assert "ingetrokken" in revoked.output
    with session_scope(engine) as s:
        assert authenticate(s, secret) is None
    unknown = _cli("token", "revoke", "ffffffff", "--db", url)
    assert unknown.exit_code == 2 and "geen token" in unknown.output
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--role", "burgemeester", "--municipality", OWN], "bestaat niet"),
        (["--role", "facilitator"], "minstens"),
        (["--role", "analyst", "--municipality", "360"], "NIS-code"),
        (["--role", "admin", "--municipality", OWN], "admin-token"),
    ],
)
def test_cli_token_create_refuses_bad_input_in_dutch(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert _cli("db", "upgrade", "--db", url).exit_code == 0
    result = _cli("token", "create", "--name", "Iemand", *args, "--db", url)
    assert result.exit_code == 2, result.output
    assert "Fout:" in result.output and needle in result.output
    assert "Traceback" not in result.output
    assert "wijk_" not in result.output


def test_cli_token_create_on_a_missing_database_says_to_upgrade_first(tmp_path: Path) -> None:
    path = tmp_path / "nieuw.sqlite"
    result = _cli(
        "token", "create", "--name", "Fien", "--role", "admin", "--db", f"sqlite:///{path}"
    )
    assert result.exit_code == 2 and "wijk db upgrade" in result.output
    assert not path.exists()


def test_cli_bad_database_url_is_a_dutch_error() -> None:
    result = _cli("db", "upgrade", "--db", "mysql://wijk:geheim123@db/wijk")
    assert result.exit_code == 2 and "Fout:" in result.output
    assert "geheim123" not in result.output

"""Hostile input against the HTTP mechanism (issue 13, rows 1, 2 and 7), replayed through the
real code paths: a real uvicorn server for the body limit (a chunked body has no
``Content-Length`` for anything to trust), the TestClient for the rest.

- Row 1: the 64 KB body cap only checked ``Content-Length``; a chunked 200 MB POST to the
  anonymous trajectory route was read and parsed.
- Row 2: ``NaN`` / ``Infinity`` in the trajectory corrections gave a 500, ``heating_system:
  1e19`` an English message, ``heating_system: 2.5`` was accepted; ``budget_eur: false`` read
  as 0.
- Row 7: "Not Found", "Method Not Allowed", "There was an error parsing the body" in English;
  a 405 without the full ``Allow``; ``Authorization: bearer ...`` (lower case) refused;
  ``HEAD /`` gave 405.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy import select as sql_select

from api import db, service
from api.http import create_app
from api.http.errors import MAX_BODY_BYTES
from tests.api.helpers import migrated_engine

MUNICIPALITY = "36011"
#: Texts of Starlette, FastAPI and pydantic that must never reach a client.
ENGLISH = (
    "Not Found",
    "Method Not Allowed",
    "There was an error parsing the body",
    "Input should",
    "JSON decode error",
    "Content Too Large",
    "Internal Server Error",
    "Unable to parse",
    "Field required",
)


@dataclass
class Env:
    client: TestClient
    engine: Any
    token: str
    dwelling: str


@pytest.fixture(scope="module")
def env(
    demo_state: service.ServiceState, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Env]:
    engine = migrated_engine(tmp_path_factory, "hardening")
    with db.session_scope(engine) as s:
        token = db.create_token(s, "Fien", "facilitator", [MUNICIPALITY])
    t = demo_state.twin
    dwelling = str(t[t["attachment"] != "apartment"]["dwelling_id"].sort_values().iloc[0])
    with TestClient(create_app(demo_state, engine=engine)) as client:
        yield Env(client, engine, token, dwelling)
    engine.dispose()


def assert_dutch_error(r: httpx.Response, status: int, field: str | None = None) -> str:
    """The answer has ``status`` and the documented error shape, in Dutch; its first message."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail, r.text
    for item in detail:
        assert set(item) == {"field", "message"} and item["message"], r.text
        assert not any(word in item["message"] for word in ENGLISH), r.text
    if field is not None:
        assert detail[0]["field"] == field, r.text
    return str(detail[0]["message"])


# ---------------------------------------------------------------------- row 1: the body limit
class CountingApp:
    """The app as uvicorn serves it, counting the body bytes the app took from the server."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.received = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def counted() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@dataclass
class LiveServer:
    url: str
    port: int
    app: CountingApp


@pytest.fixture(scope="module")
def live(
    demo_state: service.ServiceState, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The app in a real uvicorn server (a thread of this process) on a free port."""
    path: Path = tmp_path_factory.mktemp("live") / "wijk.sqlite"
    engine = db.make_engine(f"sqlite:///{path}")
    app = CountingApp(create_app(demo_state, engine=engine))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", port, app)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


def test_a_chunked_body_over_the_limit_is_refused_before_it_is_read(live: LiveServer) -> None:
    """The attack of row 1 (5 MB instead of 200 MB): chunked, so no Content-Length."""
    total = 5 * 1024 * 1024
    chunk = b" " * 16384
    yielded = [0]

    def body() -> Iterator[bytes]:
        yield b'{"overrides": {}, "order": ["'
        while yielded[0] < total:
            yielded[0] += len(chunk)
            yield chunk
        yield b'"]}'

    live.app.received = 0
    url = f"{live.url}/api/v1/dwellings/x/trajectory"
    r = httpx.post(url, content=body(), headers={"content-type": "application/json"}, timeout=30)
    assert "content-length" not in r.request.headers  # really chunked
    assert r.request.headers["transfer-encoding"] == "chunked"
    message = assert_dutch_error(r, 413, "body")
    assert str(MAX_BODY_BYTES) in message
    assert r.headers["connection"] == "close"
    # the app took the limit and at most what the server had buffered, not the 5 MB
    assert MAX_BODY_BYTES < live.app.received < MAX_BODY_BYTES + 512 * 1024, live.app.received


def test_the_413_comes_while_the_client_is_still_sending(live: LiveServer) -> None:
    """A client that sends slowly gets the 413 as soon as the limit is passed: the server does
    not wait for (or read) the rest."""
    chunk = b" " * 8192
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as s:
        s.sendall(
            b"POST /api/v1/dwellings/x/trajectory HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        while sent < 5 * 1024 * 1024:
            # past the limit, give a busy server time to answer before sending on
            wait = 0.02 if sent <= MAX_BODY_BYTES else 2.0
            readable, _, _ = select.select([s], [], [], wait)
            if readable:
                answer = s.recv(65536)
                break
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"verzoek te groot" in answer
    # the answer came after the limit was passed, well before the client had sent it all
    assert MAX_BODY_BYTES < sent < MAX_BODY_BYTES + 256 * 1024, sent


def test_a_body_longer_than_its_content_length_is_counted_not_trusted(env: Env) -> None:
    """Below the server (which may deliver what it likes), the guard counts what arrives: a
    Content-Length of 10 followed by 200 KB is refused after the first 64 KB."""
    app: Any = env.client.app
    chunks = [b" " * 32768] * 7
    pulled = [0]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        pulled[0] += 1
        return {"type": "http.request", "body": chunks[pulled[0] - 1], "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/api/v1/dwellings/{env.dwelling}/trajectory",
        "raw_path": f"/api/v1/dwellings/{env.dwelling}/trajectory".encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"10")],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
        "state": {},
    }
    anyio.run(app, scope, receive, send)
    assert sent[0]["status"] == 413
    assert pulled[0] == 3  # 96 KB: the third chunk passed the limit, the other four were left
    assert b"verzoek te groot" in b"".join(m.get("body", b"") for m in sent[1:])


def test_a_declared_content_length_over_the_limit_is_refused_at_once(env: Env) -> None:
    r = env.client.post(
        f"/api/v1/dwellings/{env.dwelling}/trajectory",
        content=b"{}" + b" " * MAX_BODY_BYTES,
        headers={"content-type": "application/json"},
    )
    assert_dutch_error(r, 413, "body")
    r = env.client.post(
        f"/api/v1/dwellings/{env.dwelling}/trajectory",
        content=b"{}",
        headers={"content-type": "application/json", "content-length": "zeven"},
    )
    assert r.status_code in (400, 413)


# ---------------------------------------------------------------------- row 2: corrections
@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            b'{"overrides": {"construction_year": NaN}}',
            "body.overrides.construction_year",
            "moet een eindig getal zijn: NaN en Infinity bestaan niet in JSON",
        ),
        (
            b'{"overrides": {"u_roof_w_m2k": Infinity}}',
            "body.overrides.u_roof_w_m2k",
            "moet een eindig getal zijn: NaN en Infinity bestaan niet in JSON",
        ),
        (
            b'{"budget_eur": -Infinity}',
            "body.budget_eur",
            "moet een eindig getal zijn: NaN en Infinity bestaan niet in JSON",
        ),
        (
            b'{"measured_kwh": {"natural_gas": NaN}}',
            "body.measured_kwh.natural_gas",
            "moet een eindig getal zijn: NaN en Infinity bestaan niet in JSON",
        ),
        (
            b'{"overrides": {"heating_system": 1e19}}',
            "body.overrides.heating_system",
            "moet een van 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 zijn",
        ),
        (
            b'{"overrides": {"heating_system": 2.5}}',
            "body.overrides.heating_system",
            "moet een geheel getal zijn",
        ),
        (
            b'{"overrides": {"heating_system": true}}',
            "body.overrides.heating_system",
            "moet een geheel getal zijn",
        ),
        (
            b'{"overrides": {"construction_year": 1e19}}',
            "body.overrides.construction_year",
            "moet tussen 1500 en 2100 liggen",
        ),
        (
            b'{"overrides": {"construction_year": "1980"}}',
            "body.overrides.construction_year",
            "moet een geheel getal zijn",
        ),
        (b'{"budget_eur": false}', "body.budget_eur", "moet een getal zijn"),
        (
            b'{"overrides": {"u_wall_w_m2k": "0.5"}}',
            "body.overrides.u_wall_w_m2k",
            "moet een getal zijn",
        ),
        (
            b'{"order": ["roof\\u0000insulation"]}',
            "body.order.0",
            "mag geen NUL-teken (\\u0000) bevatten; laat het weg",
        ),
        (
            b'{"overrides": {"floor_area_m2": 0}}',
            "body.overrides.floor_area_m2",
            "moet groter dan 0 en hoogstens 100000 m² zijn",
        ),
    ],
)
def test_hostile_corrections_get_a_dutch_422_naming_the_field(
    env: Env, body: bytes, field: str, message: str
) -> None:
    r = env.client.post(
        f"/api/v1/dwellings/{env.dwelling}/trajectory",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert assert_dutch_error(r, 422, field) == message


def test_nan_in_a_dossier_and_nul_in_its_notes_are_refused_and_nothing_is_saved(env: Env) -> None:
    auth = {"Authorization": f"Bearer {env.token}", "content-type": "application/json"}
    base = b'{"municipality_nis": "36011", "dwelling_id": "W-1", '
    with db.session_scope(env.engine) as s:
        before = s.scalar(sql_select(func.count()).select_from(db.Dossier))
    r = env.client.post(
        "/api/v1/dossiers", content=base + b'"overrides": {"x": NaN}}', headers=auth
    )
    assert_dutch_error(r, 422, "body.overrides.x")
    r = env.client.post("/api/v1/dossiers", content=base + b'"notes": "a\\u0000b"}', headers=auth)
    assert assert_dutch_error(r, 422, "body.notes").startswith("mag geen NUL-teken")
    with db.session_scope(env.engine) as s:
        assert s.scalar(sql_select(func.count()).select_from(db.Dossier)) == before


def test_a_string_holding_nan_is_text_not_a_number(env: Env) -> None:
    """The NaN check reads JSON, not bytes: "NaN" in a text is no reason to refuse."""
    r = env.client.post(
        f"/api/v1/dwellings/{env.dwelling}/trajectory", json={"order": ["NaN Infinity"]}
    )
    message = assert_dutch_error(r, 422, "order")
    assert message.startswith("onbekende maatregel")


def test_whole_numbers_for_codes_still_work(env: Env) -> None:
    """3.0 is the whole number 3 (the report's query sends numbers as such)."""
    url = f"/api/v1/dwellings/{env.dwelling}/trajectory"
    a = env.client.post(url, json={"overrides": {"heating_system": 3, "construction_year": 1975}})
    b = env.client.post(
        url, json={"overrides": {"heating_system": 3.0, "construction_year": 1975.0}}
    )
    assert a.status_code == b.status_code == 200, (a.text, b.text)
    assert a.json() == b.json()


# ---------------------------------------------------------------------- row 7: Dutch, methods
def test_an_unknown_path_is_a_dutch_404(env: Env) -> None:
    assert_dutch_error(env.client.get("/api/v1/bestaat-niet"), 404, "path")
    assert_dutch_error(env.client.post("/geen/pagina", json={}), 404, "path")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/v1/health", "GET, HEAD"),
        (
            "PUT",
            "/api/v1/dossiers/00000000-0000-4000-8000-000000000000",
            "GET, HEAD, PATCH, DELETE",
        ),
        ("GET", "/api/v1/dwellings/x/trajectory", "POST"),
        ("PATCH", "/api/v1/dossiers", "GET, HEAD, POST"),
        ("POST", "/", "GET, HEAD"),
    ],
)
def test_a_method_the_path_does_not_have_is_a_dutch_405_with_allow(
    env: Env, method: str, path: str, allow: str
) -> None:
    r = env.client.request(method, path)
    message = assert_dutch_error(r, 405, "method")
    assert r.headers["allow"] == allow
    assert message == f"methode {method} is niet toegestaan op dit adres; toegestaan: {allow}"


def test_head_is_answered_on_get_routes(env: Env) -> None:
    for path in ("/", "/api/v1/health", f"/api/v1/dwellings/{env.dwelling}/card"):
        get = env.client.get(path)
        head = env.client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers["content-length"] == str(len(get.content))


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b'{"overrides": ', "body"),  # cut off
        (b"\xff\xfe\x00{", "body"),  # not UTF-8
        (b"[" * 50_000, "body"),  # nested deeper than the parser goes
        (b'{"budget_eur": 1' + b"0" * 5000 + b"}", "body"),  # a number beyond Python's digits
    ],
)
def test_a_body_that_cannot_be_parsed_gets_a_dutch_answer(
    env: Env, content: bytes, field: str
) -> None:
    r = env.client.post(
        f"/api/v1/dwellings/{env.dwelling}/trajectory",
        content=content,
        headers={"content-type": "application/json"},
    )
    assert r.status_code in (400, 422), r.text
    assert_dutch_error(r, r.status_code, field)


def test_the_bearer_scheme_is_case_insensitive(env: Env) -> None:
    for scheme in ("Bearer", "bearer", "BEARER", "bEaReR"):
        r = env.client.get("/api/v1/dossiers", headers={"Authorization": f"{scheme} {env.token}"})
        assert r.status_code == 200, (scheme, r.text)
    r = env.client.get("/api/v1/dossiers", headers={"Authorization": f"Basic {env.token}"})
    assert_dutch_error(r, 401, "Authorization")


def test_a_bug_is_a_dutch_500_without_a_traceback(
    demo_state: service.ServiceState, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Not bad input but a fault of the service itself: still the one shape, in Dutch."""

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("geheim intern detail")

    monkeypatch.setattr(service, "dwelling_card", broken)
    engine = db.make_engine(f"sqlite:///{tmp_path / 'wijk.sqlite'}")
    with TestClient(create_app(demo_state, engine=engine), raise_server_exceptions=False) as c:
        r = c.get("/api/v1/dwellings/x/card")
    assert r.status_code == 500
    assert r.json()["detail"][0]["message"].startswith("interne fout van de dienst")
    assert "geheim" not in r.text and "Traceback" not in r.text
    engine.dispose()

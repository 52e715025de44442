"""Security headers (api/http/security.py) and the offline API documentation (api/web/docs.py),
over HTTP with TestClient on the demo town.

Issue 13, row 8: the page and the reports had no Content-Security-Policy, X-Content-Type-Options,
frame-ancestors / X-Frame-Options or Referrer-Policy. Row 9: /docs loaded Swagger UI from a CDN.
These tests ask the real app for every kind of HTML answer and check the headers, and check that
nothing in those answers needs what the policy forbids (inline scripts, event-handler attributes,
style attributes and elements). That the pages really work under the policy in a browser, with no
violation, is tests/api/test_browser.py.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import db, service
from api.http import create_app
from api.http.security import (
    CONTENT_SECURITY_POLICY,
    REDOC_CONTENT_SECURITY_POLICY,
    TILE_ORIGIN,
    SecurityHeaders,
)
from api.web import page as web
from tests.api.helpers import house_with_roof_step

VENDOR = web.STATIC_DIR / "vendor"


@pytest.fixture(scope="module")
def state(demo_state: service.ServiceState) -> service.ServiceState:
    return demo_state


@pytest.fixture(scope="module")
def client(
    state: service.ServiceState, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("security")
    app = create_app(state, engine=db.make_engine(f"sqlite:///{tmp}/s.sqlite"))
    with TestClient(app) as c:
        yield c


_house = house_with_roof_step


def _html_answers(state: service.ServiceState) -> dict[str, tuple[str, int]]:
    """Every kind of HTML answer the service gives: path -> (what it is, its status)."""
    did = _house(state)
    return {
        "/": ("the map page", 200),
        f"/rapport/woning/{did}": ("the resident report", 200),
        f"/rapport/woning/{did}?u_roof_w_m2k=0,24&gas_m3=1500": ("a corrected report", 200),
        "/rapport/gemeente/36011": ("the municipal report", 200),
        "/rapport/woning/geen-woning": ("the report's 404 page", 404),
        f"/rapport/woning/{did}?u_roof_w_m2k=veel": ("the report's 422 page", 422),
        "/rapport/gemeente/99999": ("the municipal report's 404 page", 404),
        "/docs": ("Swagger UI", 200),
        "/redoc": ("ReDoc", 200),
        "/static/index.html": ("the page's raw template, as a static file", 200),
    }


def _directives(policy: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            assert words[0] not in out, f"directive {words[0]} twice"
            out[words[0]] = words[1:]
    return out


def test_every_html_answer_has_the_security_headers(
    client: TestClient, state: service.ServiceState
) -> None:
    for path, (what, status) in _html_answers(state).items():
        r = client.get(path)
        assert r.status_code == status, (what, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), what
        expected = REDOC_CONTENT_SECURITY_POLICY if path == "/redoc" else CONTENT_SECURITY_POLICY
        # one header of each, not two (a route's own policy replaces the default)
        assert r.headers.get_list("content-security-policy") == [expected], what
        assert r.headers.get_list("x-content-type-options") == ["nosniff"], what
        assert r.headers.get_list("x-frame-options") == ["DENY"], what
        assert r.headers.get_list("referrer-policy") == ["no-referrer"], what


@pytest.mark.parametrize("policy", [CONTENT_SECURITY_POLICY, REDOC_CONTENT_SECURITY_POLICY])
def test_the_policy_is_strict(policy: str) -> None:
    d = _directives(policy)
    assert d["default-src"] == ["'self'"]
    assert d["script-src"] == ["'self'"]  # no inline script, no eval, no other site
    assert d["object-src"] == ["'none'"]
    assert d["base-uri"] == ["'self'"]
    assert d["form-action"] == ["'self'"]
    assert d["frame-ancestors"] == ["'none'"]
    assert d["connect-src"] == ["'self'"] and d["font-src"] == ["'self'"]
    assert d["img-src"] == ["'self'", "data:", TILE_ORIGIN]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "*" not in policy and "http:" not in policy.split()
    # styles: files, plus (ReDoc only) the hashes of the empty and the scrollbar style sheet
    assert d["style-src"][0] == "'self'" and all(
        s.startswith("'sha256-") for s in d["style-src"][1:]
    )


def test_the_default_policy_allows_no_inline_style_and_no_worker() -> None:
    d = _directives(CONTENT_SECURITY_POLICY)
    assert d["style-src"] == ["'self'"]
    assert "worker-src" not in d  # falls back to script-src 'self'
    redoc = _directives(REDOC_CONTENT_SECURITY_POLICY)
    assert redoc["worker-src"] == ["blob:"]
    empty = "'sha256-" + base64.b64encode(hashlib.sha256(b"").digest()).decode()
    assert empty + "'" in redoc["style-src"]


def test_the_map_background_is_allowed_by_the_policy() -> None:
    """The tile server app.js asks is the one origin img-src allows besides the service."""
    script = (web.STATIC_DIR / "app.js").read_text("utf-8")
    tile_url = re.search(r'const TILE_URL = "([^"]+)"', script)
    assert tile_url is not None
    origin = re.match(r"https://[^/]+", tile_url.group(1))
    assert origin is not None and origin.group(0) == TILE_ORIGIN
    # the tiles send the service's origin as Referer (the OpenStreetMap tile usage policy), the
    # rest of the page none
    assert 'const TILE_REFERRER = "strict-origin";' in script
    assert "referrerPolicy: TILE_REFERRER" in script and "probe.referrerPolicy = TILE_REFERRER" in (
        script
    )


def test_json_and_static_answers_are_nosniff_without_a_page_policy(
    client: TestClient, state: service.ServiceState
) -> None:
    did = _house(state)
    answers = {
        "/api/v1/health": 200,
        "/api/v1/addresses?q=sta": 200,
        f"/api/v1/dwellings/{did}/card": 200,
        "/api/v1/dwellings/geen/card": 404,
        "/api/v1/addresses": 422,
        "/api/v1/dossiers": 401,
        "/openapi.json": 200,
        "/bestaat/niet": 404,
        "/static/app.js": 200,
        "/static/report.css": 200,
        "/static/vendor/leaflet/images/layers.png": 200,
    }
    for path, status in answers.items():
        r = client.get(path)
        assert r.status_code == status, (path, r.status_code)
        assert not r.headers["content-type"].startswith("text/html"), path
        assert r.headers.get_list("x-content-type-options") == ["nosniff"], path
        assert "content-security-policy" not in r.headers, path
    posted = client.post(f"/api/v1/dwellings/{did}/trajectory", json={})
    assert posted.status_code == 200 and posted.headers["x-content-type-options"] == "nosniff"


def test_a_500_is_nosniff_too(
    state: service.ServiceState, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A fault of the service is answered by Starlette's outermost ServerErrorMiddleware; the
    headers are put on outside it (install_security_headers), so the 500 has them too."""

    def broken(*_: object, **__: object) -> object:
        raise RuntimeError("kapot")

    monkeypatch.setattr(service, "dwelling_card", broken)
    monkeypatch.setattr(web, "resident_report", broken)
    app = create_app(state, engine=db.make_engine(f"sqlite:///{tmp_path}/e.sqlite"))
    with TestClient(app, raise_server_exceptions=False) as c:
        for path in ("/api/v1/dwellings/x/card", f"/rapport/woning/{_house(state)}"):
            r = c.get(path)
            assert r.status_code == 500, path
            assert r.headers.get_list("x-content-type-options") == ["nosniff"], path


class _Inline(HTMLParser):
    """What a strict CSP refuses in a document: inline scripts, event-handler attributes,
    style attributes and style elements, ``javascript:`` URLs; and every URL it loads."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.urls: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            data_block = (a.get("type") or "").lower() == "application/json"
            if "src" not in a and not data_block:
                self._in_script = True
                self.problems.append("inline <script>")
        for name in ("src", "href", "spec-url", "data-openapi-url"):
            if a.get(name):
                self.urls.append(str(a[name]))


def test_html_answers_need_nothing_the_policy_forbids(
    client: TestClient, state: service.ServiceState
) -> None:
    for path, (what, _) in _html_answers(state).items():
        parser = _Inline()
        parser.feed(client.get(path).text)
        assert parser.problems == [], (what, parser.problems)


def test_the_print_button_is_wired_by_a_script_file(
    client: TestClient, state: service.ServiceState
) -> None:
    html = client.get(f"/rapport/woning/{_house(state)}").text
    assert '<button type="button" data-print>Afdrukken</button>' in html
    assert '<script src="/static/report.js" defer></script>' in html
    script = client.get("/static/report.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert 'querySelectorAll("button[data-print]")' in script.text and "window.print()" in (
        script.text
    )


def test_report_css_has_a_class_per_label_colour(client: TestClient) -> None:
    """The reports colour label tiles by class (no style attribute); the classes must give the
    colours of LABEL_COLOURS, which the SVG charts and the page's script use too."""
    css = client.get("/static/report.css").text
    for label, colour in web.LABEL_COLOURS.items():
        text = "#000" if label in ("B", "C", "D") else "#fff"
        rule = f".{web.label_class(label)}{{background:{colour};color:{text}}}"
        assert rule in css, rule
    assert web._label_tile("A+") == '<span class="label label-Aplus">A+</span>'
    assert web._label_tile("?") == '<span class="label">?</span>'


# ------------------------------------------------------------------------------ /docs, /redoc
def test_docs_pages_reference_only_their_own_origin(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        parser = _Inline()
        parser.feed(client.get(path).text)
        assert parser.urls, path
        for url in parser.urls:
            # same origin: a path on this server (not //host/...) or an inline data: icon
            assert url == "data:," or (url.startswith("/") and not url.startswith("//")), url
    swagger = client.get("/docs").text
    assert 'data-openapi-url="/openapi.json"' in swagger
    assert '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>' in swagger
    assert '<script src="/static/docs/swagger-init.js"></script>' in swagger
    assert '<redoc spec-url="/openapi.json"></redoc>' in client.get("/redoc").text
    # nothing in the pages or the init script names another site (FastAPI's own pages load
    # cdn.jsdelivr.net and fastapi.tiangolo.com)
    init = client.get("/static/docs/swagger-init.js").text
    for text in (swagger, client.get("/redoc").text, init):
        assert "http://" not in text and "https://" not in text
    assert "validatorUrl: null" in init  # no badge from validator.swagger.io


@pytest.mark.parametrize(
    ("path", "content_type", "marker"),
    [
        ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "javascript", '"5.35.0"'),
        ("/static/vendor/swagger-ui/swagger-ui.css", "text/css", ".swagger-ui"),
        ("/static/vendor/redoc/redoc.standalone.js", "javascript", '"2.5.4"'),
        ("/static/docs/swagger-init.js", "javascript", "SwaggerUIBundle("),
        ("/static/docs/docs.css", "text/css", "body"),
        ("/openapi.json", "application/json", '"openapi"'),
    ],
)
def test_docs_assets_are_served(
    client: TestClient, path: str, content_type: str, marker: str
) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert content_type in r.headers["content-type"]
    assert marker in r.text
    assert r.headers["x-content-type-options"] == "nosniff"


def test_fastapis_cdn_pages_are_gone(client: TestClient) -> None:
    """FastAPI's own pages (CDN assets, inline script) are switched off; /docs and /redoc are
    ours."""
    app = client.app
    assert app.docs_url is None and app.redoc_url is None  # type: ignore[attr-defined]
    assert client.get("/docs/oauth2-redirect").status_code == 404
    for path in ("/docs", "/redoc"):
        text = client.get(path).text
        assert "cdn.jsdelivr.net" not in text and "fastapi.tiangolo.com" not in text
        assert "/static/vendor/" in text


def test_vendored_docs_assets_have_their_licence_and_version() -> None:
    readme = (VENDOR / "README.md").read_text("utf-8")
    for folder, files in {
        "swagger-ui": ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"),
        "redoc": ("redoc.standalone.js", "LICENSE"),
    }.items():
        for name in files:
            assert (VENDOR / folder / name).is_file(), f"{folder}/{name}"
    assert "Apache License" in (VENDOR / "swagger-ui" / "LICENSE").read_text("utf-8")
    assert "MIT License" in (VENDOR / "redoc" / "LICENSE").read_text("utf-8")
    for line in ("| Swagger UI | 5.35.0 |", "| ReDoc | 2.5.4 |"):
        assert line in readme, line
    # the README's checksums are those of the files shipped
    for rel in (
        "swagger-ui/swagger-ui-bundle.js",
        "swagger-ui/swagger-ui.css",
        "redoc/redoc.standalone.js",
    ):
        digest = hashlib.sha256((VENDOR / rel).read_bytes()).hexdigest()
        assert f"`{rel}` sha256 `{digest}`" in readme, rel


def test_package_data_ships_the_docs_assets() -> None:
    """pyproject's package data globs reach the new folders (a wheel holds what they match)."""
    text = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8")
    assert '"api.web" = ["static/**/*", "templates/*.html"]' in text
    static = web.STATIC_DIR
    matched = {p.relative_to(static).as_posix() for p in static.glob("**/*") if p.is_file()}
    for rel in (
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "vendor/redoc/redoc.standalone.js",
        "docs/swagger-init.js",
        "report.css",
        "report.js",
    ):
        assert rel in matched, rel
    templates = {p.name for p in (static.parent / "templates").glob("*.html")}
    assert {"swagger_ui.html", "redoc.html", "page.html"} <= templates


@pytest.mark.parametrize("module", ["api.web", "api.web.docs", "api.http.security", "api.http"])
def test_modules_import_on_their_own(module: str) -> None:
    """No import cycle between api.web and api.http, whichever a process imports first."""
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]


# ------------------------------------------------------------------------------ the middleware
async def _call(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    sent: list[dict[str, object]] = []

    async def inner(scope: object, receive: object, send: object) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b""})  # type: ignore[operator]

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await SecurityHeaders(inner)({"type": "http"}, receive, send)  # type: ignore[arg-type]
    assert sent[1]["type"] == "http.response.body"
    return list(sent[0]["headers"])  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("content_type", "html"),
    [
        (b"text/html; charset=utf-8", True),
        (b"TEXT/HTML", True),
        (b"application/json", False),
        (b"text/plain; charset=utf-8", False),
        (b"application/xhtml+xml", False),
    ],
)
def test_middleware_by_content_type(content_type: bytes, html: bool) -> None:
    got = asyncio.run(_call([(b"content-type", content_type)]))
    names = [n for n, _ in got]
    assert names.count(b"x-content-type-options") == 1
    assert (b"content-security-policy" in names) is html
    assert (b"x-frame-options" in names) is html and (b"referrer-policy" in names) is html


def test_middleware_keeps_a_routes_own_policy_and_nosniff() -> None:
    own = [
        (b"content-type", b"text/html"),
        (b"Content-Security-Policy", b"default-src 'none'"),
        (b"X-Content-Type-Options", b"nosniff"),
    ]
    got = asyncio.run(_call(own))
    policies = [v for n, v in got if n.lower() == b"content-security-policy"]
    assert policies == [b"default-src 'none'"]
    assert [n.lower() for n, _ in got].count(b"x-content-type-options") == 1
    assert (b"x-frame-options", b"DENY") in got

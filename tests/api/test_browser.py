"""The page in a real browser (Debian Chromium driven by Playwright), without internet.

Searches an address, changes a fact, sees the trajectory change, saves a dossier and takes a
screenshot. The service runs as a real server process on loopback; every request that leaves
loopback is refused, so the page must work from what the app serves itself.

Every page runs under the service's Content-Security-Policy (api/http/security.py): each test
listens for ``securitypolicyviolation`` events (from before the page's first script) and for
Chromium's CSP console errors, and fails on any -- the page, both reports and the API
documentation must work without inline script or style.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright

from api import db
from api.http.security import CONTENT_SECURITY_POLICY, REDOC_CONTENT_SECURITY_POLICY
from buildings.twin import TwinResult, write_twin
from scenarios.policy import DEFAULT_INCOME_CATEGORY

CHROMIUM = os.environ.get("WIJK_CHROMIUM", "/usr/bin/chromium")
# flags for a headless Chromium on a machine without internet (no background connections)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Collects every CSP violation of the document (and of its workers) from the first moment on.
_CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.effectiveDirective + " " + (e.blockedURI || "-") + " " +
                    (e.sourceFile || "") + ":" + e.lineNumber);
}, true);
"""


class Watched:
    """A browser page that records what must not happen: script errors, CSP violations (events
    and console errors) and requests that leave the service (refused, as offline)."""

    def __init__(self, context: BrowserContext, base: str) -> None:
        self.base = base
        self.errors: list[str] = []
        self.csp_console: list[str] = []
        self.outside: list[tuple[str, str | None]] = []  # (url, Referer header)
        context.add_init_script(_CSP_LISTENER)
        self.page = context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "console",
            lambda m: (
                self.csp_console.append(m.text)
                if m.type == "error" and "Content Security Policy" in m.text
                else None
            ),
        )
        self.page.route("**/*", self._only_loopback)

    def _only_loopback(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:  # no internet: anything else fails, as it would offline
            self.outside.append((url, route.request.headers.get("referer")))
            route.abort()

    def violations(self) -> list[str]:
        """Violations seen so far, as events of the page; the console's messages besides."""
        return [*self.page.evaluate("window.__csp || []"), *self.csp_console]


def _browser(p: Playwright) -> Browser:
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(
    demo_twin: gpd.GeoDataFrame, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, Path]]:
    folder = tmp_path_factory.mktemp("browser")
    twin_path = folder / "twin.parquet"
    empty = demo_twin.iloc[:0][["dwelling_id"]]
    write_twin(TwinResult(dwellings=demo_twin, rejects=empty, accounting=empty), twin_path)
    url = f"sqlite:///{folder / 'wijk.sqlite'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    with db.session_scope(engine) as s:
        token = db.create_token(s, "Fien", "facilitator", ["36011"])
    # a heat plan of today with the demo's synthetic cabins and stand-in heat source, for the
    # map's heat layer
    from scenarios.heat.pipeline import run_demo_heat_plan

    heat = run_demo_heat_plan(demo_twin, twin_path, folder / "warmte", folder, runs=20).out_dir
    port = _free_port()
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "api.cli",
            "serve",
            "--twin",
            str(twin_path),
            "--db",
            url,
            "--port",
            str(port),
            "--workers",
            "1",
            "--warmte",
            str(heat),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if proc.poll() is not None:
                raise RuntimeError((folder / "server.log").read_text())
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise RuntimeError("server did not start")
        yield base, token, folder
    finally:
        proc.kill()
        proc.wait(timeout=30)


def _house(twin: gpd.GeoDataFrame) -> gpd.GeoSeries:
    t = twin[(twin["attachment"] != "apartment") & twin["box_number"].isna()]
    t = t[(t["u_roof_w_m2k"] > 1.0) & (t["roof_area_m2"] > 10)]
    return t.sort_values("dwelling_id").iloc[0]


def _cells(page: Page) -> list[str]:
    return page.locator("#stappen tbody tr").all_inner_texts()


def test_search_change_a_fact_save_a_dossier(
    server: tuple[str, str, Path], demo_twin: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    base, token, folder = server
    house = _house(demo_twin)
    address = f"{house['street']} {house['house_number']}, {house['postcode']}"
    with sync_playwright() as p:
        browser = _browser(p)
        watched = Watched(browser.new_context(viewport={"width": 1400, "height": 1000}), base)
        page = watched.page
        answer = page.goto(base + "/")
        assert answer is not None and answer.status == 200
        # the real server sends the policy the page is tested under
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert answer.headers["x-frame-options"] == "DENY"
        # the map and its neighbourhoods come from the app itself
        page.wait_for_selector("#kaart .leaflet-interactive", timeout=30_000)
        page.fill("#zoek", address[: len(str(house["street"])) + 3])
        page.wait_for_selector("#suggesties li[role=option]:not([aria-disabled])")
        page.fill("#zoek", address)
        option = page.locator("#suggesties li", has_text=address).first
        option.wait_for()
        option.dispatch_event("mousedown")
        page.wait_for_selector("#stappen tbody tr", timeout=30_000)
        before = _cells(page)
        assert any("Dakisolatie" in row for row in before), before
        # choosing an address resets the form, but not to another premium category than the
        # command line's and the report's default (the plan would differ from theirs)
        assert page.eval_on_selector("#inkomen", "e => e.value") == DEFAULT_INCOME_CATEGORY
        # the same columns as the command line: CO2 per year and the payback of each step
        assert page.locator("#stappen thead th").count() == 9
        assert all("NaN" not in row and "undefined" not in row for row in before), before
        page.screenshot(path=str(tmp_path / "voor.png"), full_page=True)
        # "the roof was insulated in 2012"
        page.check("#kenmerk-dak")
        page.wait_for_function(
            "() => ![...document.querySelectorAll('#stappen tbody tr')]"
            ".some(r => r.innerText.includes('Dakisolatie'))",
            timeout=30_000,
        )
        after = _cells(page)
        assert after != before
        assert page.locator("#grafiek svg").count() == 1
        # the household's measured gas sets its expected use (the label stays the EPC method's)
        page.fill("#gasverbruik", "1200")
        page.wait_for_function(
            "() => document.querySelector('#kalibratie').innerText.length > 0", timeout=30_000
        )
        note = page.inner_text("#kalibratie")
        assert "NaN" not in note and "undefined" not in note, note
        assert "keer een gemiddeld huishouden" in note or "niet gebruikt" in note, note
        # save the dossier
        page.fill("#token", token)
        page.fill("#notities", "dak geïsoleerd in 2012")
        page.click("#dossier-opslaan")
        page.wait_for_function(
            "() => document.querySelector('#dossier-status').innerText.includes('opgeslagen')",
            timeout=30_000,
        )
        shot = tmp_path / "na.png"
        page.screenshot(path=str(shot), full_page=True)
        violations = watched.violations()
        browser.close()
    assert shot.stat().st_size > 20_000
    assert watched.errors == []
    # the whole session -- map, search, card, corrections, chart, dossier -- under the CSP
    assert violations == []
    # the tile server was tried (the policy allows it) and refused (no internet); nothing else
    # left the machine, and the tile request told only the service's origin, not the page
    assert watched.outside, "the page did not try the background map"
    for url, referer in watched.outside:
        assert url.startswith("https://tile.openstreetmap.org/"), url
        assert referer == base + "/", referer
    # the dossier is in the database, with the fact the facilitator changed
    engine = db.make_engine(f"sqlite:///{folder / 'wijk.sqlite'}")
    with db.session_scope(engine) as s:
        admin = db.authenticate(s, token)
        assert admin is not None
        saved = db.list_dossiers(s, admin)
    assert len(saved) == 1 and saved[0].dwelling_id == house["dwelling_id"]
    assert saved[0].notes == "dak geïsoleerd in 2012" and "u_roof_w_m2k" in saved[0].overrides


def test_the_heat_plan_on_the_map(server: tuple[str, str, Path]) -> None:
    """The heat zones (coloured by advice, hatched where uncertain) and the cabins appear as
    overlays of the map, without a violation of the policy or a request outside."""
    base, _, _ = server
    with sync_playwright() as p:
        browser = _browser(p)
        context = browser.new_context()
        watched = Watched(context, base)
        page = watched.page
        page.goto(base + "/")
        page.wait_for_selector("#warmte-jaar")
        label = page.locator(".leaflet-control-layers-overlays label", has_text="warmtezonering")
        label.wait_for()
        label.locator("input").check()
        page.wait_for_selector(
            "path.leaflet-interactive[fill^='url(#arcering-'], path.leaflet-interactive[fill^='#']"
        )
        fills = page.eval_on_selector_all(
            "path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))"
        )
        colours = {"#d7301f", "#2b8cbe", "#7fbc41", "#bdbdbd"}
        heat = [f for f in fills if f in colours or (f or "").startswith("url(#arcering-")]
        assert len(heat) > 50, fills[:10]
        assert page.locator("pattern[id^='arcering-']").count() == 4
        assert "Warmtezonering: advies" in page.inner_text("#legende-warmte")
        # a zone advised warmtenet tells its network area and the pipe from its heat source
        # (the event on the path itself: a map control may lie over the first red cell)
        page.locator("path.leaflet-interactive[fill='#d7301f']").first.dispatch_event("mouseover")
        tip = page.locator(".leaflet-tooltip").first
        tip.wait_for()
        text = tip.inner_text()
        assert "advies: warmtenet" in text and "netgebied N" in text, text
        assert "warmtebron Restwarmte bedrijventerrein (demo)" in text and "€/MWh" in text, text
        cabins = page.locator(".leaflet-control-layers-overlays label", has_text="cabines")
        cabins.locator("input").check()
        assert page.locator("path.leaflet-interactive[fill='#1a9641']").count() > 0
        assert watched.violations() == []
        # only the background map's one probe leaves the service (refused, as offline)
        assert watched.errors == []
        assert [u for u, _ in watched.outside if "tile.openstreetmap.org" not in u] == []
        context.close()
        browser.close()


def test_the_heat_layer_does_not_depend_on_the_clusters(server: tuple[str, str, Path]) -> None:
    """A failed clusters request (here answered 500) leaves the heat zoning on the map."""
    base, _, _ = server
    with sync_playwright() as p:
        browser = _browser(p)
        context = browser.new_context()
        page = context.new_page()
        page.route("**/api/v1/clusters*", lambda route: route.fulfill(status=500, body="{}"))
        page.goto(base + "/")
        heat = page.locator(".leaflet-control-layers-overlays label", has_text="warmtezonering")
        heat.wait_for(timeout=15_000)
        assert (
            page.locator(".leaflet-control-layers-overlays label", has_text="collectieve").count()
            == 0
        )
        context.close()
        browser.close()


def test_reports_work_under_the_policy(
    server: tuple[str, str, Path], demo_twin: gpd.GeoDataFrame
) -> None:
    """The resident report (with corrections) and the municipal report: styled by report.css
    (label tiles in their colours, A4 print styles), the print button prints, no violation."""
    from api.web.page import LABEL_COLOURS

    base, _, _ = server
    house = _house(demo_twin)
    reports = {
        f"/rapport/woning/{house['dwelling_id']}?u_roof_w_m2k=0,24&gas_m3=1500": "#stappen",
        "/rapport/gemeente/36011": "#lekp-doelen",
        "/rapport/woning/geen-woning": "h1",  # the error page
    }
    with sync_playwright() as p:
        browser = _browser(p)
        for path, selector in reports.items():
            context = browser.new_context()
            # window.print would open a dialog; count the calls instead
            context.add_init_script(
                "window.__printed = 0; window.print = () => window.__printed++;"
            )
            watched = Watched(context, base)
            page = watched.page
            answer = page.goto(base + path)
            assert answer is not None
            assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
            page.wait_for_selector(selector)
            # report.css is applied: the body is limited to A4 width, labels are coloured tiles
            assert page.eval_on_selector("body", "b => getComputedStyle(b).maxWidth") != "none"
            tiles = page.eval_on_selector_all(
                "span.label",
                "els => els.map(e => [e.textContent, getComputedStyle(e).backgroundColor])",
            )
            for label, colour in tiles:
                hexa = LABEL_COLOURS[label].lstrip("#")
                rgb = tuple(int(hexa[i : i + 2], 16) for i in (0, 2, 4))
                assert colour == f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})", (path, label, colour)
            if "/woning/" in path and "geen" not in path:
                assert len(tiles) >= 2, "no label tiles in the resident report"
                page.click("button[data-print]")
                assert page.evaluate("window.__printed") == 1  # report.js wired the button
            page.emulate_media(media="print")
            if page.locator(".toolbar").count():
                assert page.eval_on_selector(".toolbar", "t => getComputedStyle(t).display") == (
                    "none"
                )
            assert watched.violations() == [], path
            assert watched.errors == [] and watched.outside == [], path
            context.close()
        browser.close()


def test_api_docs_work_offline_under_the_policy(server: tuple[str, str, Path]) -> None:
    """/docs: Swagger UI from the service's own files lists the operations and runs one ("Try it
    out"), with no request to another site and no violation. /redoc: ReDoc lists them too; its
    one refused request is the Redocly logo from cdn.redoc.ly, which the policy blocks before
    it leaves the browser."""
    base, _, _ = server
    spec = httpx.get(base + "/openapi.json").json()
    operations = sum(len(item) for item in spec["paths"].values())
    with sync_playwright() as p:
        browser = _browser(p)
        watched = Watched(browser.new_context(), base)
        page = watched.page
        answer = page.goto(base + "/docs")
        assert answer is not None and answer.status == 200
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        page.wait_for_selector(".opblock", timeout=30_000)
        assert page.locator(".opblock").count() == operations
        assert page.locator(".opblock-tag", has_text="dossiers").count() == 1
        # run GET /api/v1/health from the page (connect-src 'self')
        health = page.locator("#operations-dienst-health_api_v1_health_get")
        health.locator(".opblock-summary").click()
        health.locator("button.try-out__btn").click()
        health.locator("button.execute").click()
        status = health.locator(".live-responses-table tr.response .response-col_status").first
        status.wait_for(timeout=30_000)
        assert status.inner_text().strip() == "200"
        assert watched.violations() == []
        assert watched.errors == [] and watched.outside == []

        watched = Watched(browser.new_context(), base)
        page = watched.page
        answer = page.goto(base + "/redoc")
        assert answer is not None and answer.status == 200
        assert answer.headers["content-security-policy"] == REDOC_CONTENT_SECURITY_POLICY
        page.wait_for_selector("[data-section-id^='operation/']", timeout=30_000)
        assert page.locator("[data-section-id^='operation/']").count() == operations
        # the search runs in ReDoc's worker (worker-src blob:)
        page.fill("input[placeholder='Search...']", "dossier")
        results = page.locator("[data-role='search:results']", has_text="Create Dossier")
        results.wait_for(timeout=30_000)
        page.wait_for_timeout(500)  # the logo is requested after the menu is drawn
        events = page.evaluate("window.__csp")
        browser.close()
    assert watched.errors == [] and watched.outside == []
    # the only violation: the logo image ReDoc asks from its CDN, refused by img-src
    assert {e.split(" ")[0] for e in events} <= {"img-src"}, events
    assert all(e.split(" ")[1].startswith("https://cdn.redoc.ly/") for e in events), events

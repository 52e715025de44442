"""The page in a real browser (Debian Chromium driven by Playwright), without internet.

Searches an address, changes a fact, sees the trajectory change, saves a dossier and takes a
screenshot. The service runs as a real server process on loopback; every request that leaves
loopback is refused, so the page must work from what the app serves itself.
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
from playwright.sync_api import Page, sync_playwright

from api import db
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
    errors: list[str] = []
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda e: errors.append(str(e)))

        def only_loopback(route):  # type: ignore[no-untyped-def]
            if route.request.url.startswith(base):
                route.continue_()
            else:  # no internet: anything else fails, as it would offline
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_loopback)
        page.goto(base + "/")
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
        browser.close()
    assert shot.stat().st_size > 20_000
    assert errors == []
    # the tile server was tried and refused; nothing else left the machine
    assert all("tile.openstreetmap.org" in u for u in outside), outside
    # the dossier is in the database, with the fact the facilitator changed
    engine = db.make_engine(f"sqlite:///{folder / 'wijk.sqlite'}")
    with db.session_scope(engine) as s:
        admin = db.authenticate(s, token)
        assert admin is not None
        saved = db.list_dossiers(s, admin)
    assert len(saved) == 1 and saved[0].dwelling_id == house["dwelling_id"]
    assert saved[0].notes == "dak geïsoleerd in 2012" and "u_roof_w_m2k" in saved[0].overrides

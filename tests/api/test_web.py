"""The web page and the printable reports (api/web/page.py) over HTTP, on the demo town."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import db, service
from api.formatting import nl_number
from api.http import create_app
from api.web import page as web
from tests.api.helpers import house_with_roof_step


@pytest.fixture(scope="module")
def state(demo_state: service.ServiceState) -> service.ServiceState:
    return demo_state


@pytest.fixture(scope="module")
def client(
    state: service.ServiceState, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("web")
    app = create_app(state, engine=db.make_engine(f"sqlite:///{tmp}/w.sqlite"))
    with TestClient(app) as c:
        yield c


_house = house_with_roof_step


def test_page_is_dutch_and_uses_only_local_scripts_and_styles(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="nl">' in html and "Lichtervelde" in html
    refs = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)
    refs += re.findall(r"<link[^>]*\bhref=\"([^\"]+)\"", html)
    assert "/static/vendor/leaflet/leaflet.js" in refs and "/static/app.js" in refs
    assert all(ref.startswith("/static/") for ref in refs), refs
    for element_id in (
        "zoek",
        "suggesties",
        "kaart",
        "stappen",
        "grafiek",
        "kenmerk-dak",
        "kenmerk-verwarming",
        "gasverbruik",
        "token",
        "dossier-opslaan",
        "dossier-status",
    ):
        assert f'id="{element_id}"' in html, element_id
    assert "{{" not in html  # every placeholder filled in
    script = client.get("/static/app.js").text
    # the only external address the page knows: the tile template of the background map
    assert sorted(re.findall(r"https?://[^\"'\s]+", script)) == [
        "http://www.w3.org/2000/svg",  # an XML namespace, never fetched
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    ]


def test_static_files_are_served(client: TestClient) -> None:
    r = client.get("/static/vendor/leaflet/leaflet.js")
    assert r.status_code == 200 and 'version="1.9.4"' in r.text
    assert client.get("/static/vendor/leaflet/leaflet.css").status_code == 200
    assert client.get("/static/vendor/leaflet/images/layers.png").status_code == 200
    data = client.get("/static/data/conversions.json").json()
    assert data["gas_kwh_per_m3"]["value"] == pytest.approx(10.55, abs=1e-9)
    assert "Fluvius" in data["gas_kwh_per_m3"]["source"]


def test_resident_report(client: TestClient, state: service.ServiceState) -> None:
    did = _house(state)
    r = client.get(f"/rapport/woning/{did}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="nl">' in html
    # print styles from a file (the CSP allows no <style> element): A4, the toolbar hidden
    assert '<link rel="stylesheet" href="/static/report.css">' in html and "<style" not in html
    css = client.get("/static/report.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert (
        "@media print" in css.text
        and "size:A4" in css.text
        and ".toolbar{display:none}" in css.text
    )
    assert "<svg" in html and 'id="stappen"' in html
    assert "Dakisolatie" in html  # a step, by its Dutch name
    assert "inves&shy;tering" in html and "premie" in html and "besparing per jaar" in html
    # the same plan as the command line and the API: CO2 and payback per step too
    assert "CO2 kg per jaar" in html and "terug&shy;verdien&shy;tijd (jaar)" in html
    plan = service.trajectory(state, did)
    first_step = html.split('id="stappen"')[1].split("</table>")[0]
    assert nl_number(plan["steps"][1]["co2_kg"]) in first_step
    assert "Goedkoopste weg naar label A" in html and "Doel 2050" in html
    assert "schattingen" in html and "offertes" in html
    address = service.dwelling_card(state, did)["address"]
    assert address.split(",")[0] in html


def test_report_overrides_change_the_report(
    client: TestClient, state: service.ServiceState
) -> None:
    did = _house(state)
    plain = client.get(f"/rapport/woning/{did}").text
    r = client.get(
        f"/rapport/woning/{did}",
        params={"u_roof_w_m2k": "0,24", "heating_system": "1", "gas_m3": "1900", "budget": "15000"},
    )
    assert r.status_code == 200
    assert r.text != plain
    assert "Aangepast met de bewoner" in r.text and "1.900 m³" in r.text
    assert "Minste CO2 binnen uw budget" in r.text
    # the insulated roof is no longer a step
    steps = r.text.split('id="stappen"')[1].split("</table>")[0]
    assert "Dakisolatie" not in steps


def test_page_and_report_offer_the_four_premium_categories(
    client: TestClient, state: service.ServiceState
) -> None:
    html = client.get("/").text
    config = json.loads(
        html.split('<script id="config" type="application/json">')[1].split("</script>")[0]
    )
    got = {c["id"]: c["name"] for c in config["income_categories"]}
    assert list(got) == ["cat1", "cat2", "cat3", "cat4"]  # least to most supported
    assert got == state.policy.premiums.labels_nl()  # the Dutch meanings of the policy file
    assert config["income_default"] == "cat2"
    report = client.get(f"/rapport/woning/{_house(state)}", params={"income": "cat4"}).text
    assert "premie voor categorie 4: laagste inkomens" in report


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"u_roof_w_m2k": "-1"}, "u_roof_w_m2k", "moet tussen"),
        ({"u_roof_w_m2k": "veel"}, "u_roof_w_m2k", "moet een getal zijn"),
        ({"gas_m3": "-5"}, "gas_m3", "m³ per jaar"),
        ({"income": "rijk"}, "income", "kies uit"),
        ({"budget": "-1"}, "budget", "moet ≥ 0 zijn"),
        ({"kleur": "rood"}, "kleur", "onbekende parameter"),
        # the API's own checks (api/schemas.py), with their Dutch messages, in the report too
        ({"construction_year": "1200"}, "construction_year", "moet tussen 1500 en 2100 liggen"),
        ({"heating_system": "2,5"}, "heating_system", "moet een geheel getal zijn"),
        ({"heating_system": "1e19"}, "heating_system", "kies uit"),
        ({"u_wall_w_m2k": "nan"}, "u_wall_w_m2k", "moet een eindig getal zijn"),
    ],
)
def test_bad_report_query_is_a_dutch_4xx(
    client: TestClient, state: service.ServiceState, query: dict[str, str], field: str, words: str
) -> None:
    r = client.get(f"/rapport/woning/{_house(state)}", params=query)
    assert 400 <= r.status_code < 500
    assert r.headers["content-type"].startswith("text/html")
    assert f"<code>{field}</code>" in r.text and words in r.text


def test_unknown_dwelling_is_a_dutch_404_page(client: TestClient) -> None:
    r = client.get("/rapport/woning/geen/<woning>")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Woning niet gevonden" in r.text and "&lt;woning&gt;" in r.text
    assert "<woning>" not in r.text
    assert client.get("/rapport/gemeente/99999").status_code == 404


def test_municipal_report(client: TestClient, state: service.ServiceState) -> None:
    r = client.get("/rapport/gemeente/36011")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    targets = state.policy.lekp_targets(len(state.twin))
    goals = html.split('id="lekp-doelen"')[1].split("</table>")[0]
    assert "collectieve renovaties" in goals and f">{targets['collective_renovations']}<" in goals
    assert "uitnodigingen klimaattafel" in goals
    assert 'id="lekp-jaren"' in html and ">2030<" in html
    sectors = html.split('id="wijken"')[1].split("</table>")[0]
    assert sectors.count("<tr>") == len(state.sectors) + 1  # header + one row per sector
    assert "Lichtervelde-Centrum West" in sectors
    clusters = html.split('id="clusters"')[1].split("</table>")[0]
    assert clusters.count("<tr>") == 11  # header + the top 10
    assert "<svg" in html and "scenarioresultaten" in html
    assert '<link rel="stylesheet" href="/static/report.css">' in html


def test_klimaattafel_dossiers_are_counted(state: service.ServiceState, tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path}/k.sqlite")
    db.migrate(engine)
    with db.session_scope(engine) as s:
        token = db.create_token(s, "Fien", "facilitator", ["36011"])
    did = _house(state)
    with TestClient(create_app(state, engine=engine)) as c:
        for day in ("2024-03-01", "2025-05-02"):
            r = c.post(
                "/api/v1/dossiers",
                json={"municipality_nis": "36011", "dwelling_id": did, "klimaattafel_date": day},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert r.status_code == 201
        html = c.get("/rapport/gemeente/36011").text
    goals = html.split('id="lekp-doelen"')[1].split("</table>")[0]
    row = next(line for line in goals.split("<tr>") if "uitnodigingen klimaattafel" in line)
    assert '<td class="n">2</td>' in row
    years = html.split('id="lekp-jaren"')[1].split("</table>")[0]
    assert '<tr><td>2024</td><td class="n">1</td><td class="n">1</td>' in years
    assert '<tr><td>2025</td><td class="n">1</td><td class="n">2</td>' in years


def test_data_is_escaped(
    client: TestClient, state: service.ServiceState, monkeypatch: pytest.MonkeyPatch
) -> None:
    evil = "<script>alert(1)</script>"
    sectors = state.sectors.copy()
    sectors.loc[sectors.index[0], "sector_name"] = evil
    monkeypatch.setattr(state, "sectors", sectors)
    html = client.get("/rapport/gemeente/36011").text
    assert evil not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_config_in_page_cannot_close_its_script(
    client: TestClient, state: service.ServiceState, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = state.table.copy()
    table["municipality"] = "</script><script>alert(1)</script>"
    monkeypatch.setattr(state, "table", table)
    html = client.get("/").text
    assert "<script>alert(1)" not in html
    assert html.count("</script>") == 3  # the config, Leaflet and app.js


def test_buildings_of_a_map_window(client: TestClient, state: service.ServiceState) -> None:
    did = _house(state)
    one = client.get("/kaart/gebouwen", params={"woning": did}).json()
    p = one["features"][0]["properties"]
    assert did in [d["dwelling_id"] for d in p["dwellings"]]
    bbox = f"{p['lon'] - 0.001},{p['lat'] - 0.001},{p['lon'] + 0.001},{p['lat'] + 0.001}"
    window = client.get("/kaart/gebouwen", params={"bbox": bbox}).json()
    assert p["building_id"] in [f["properties"]["building_id"] for f in window["features"]]
    assert not window["truncated"]
    assert client.get("/kaart/gebouwen").status_code == 422
    assert client.get("/kaart/gebouwen", params={"woning": "geen"}).status_code == 404


def test_report_request_converts_gas_with_the_shipped_factor() -> None:
    q = web.report_request([("gas_m3", "1000"), ("income", "cat4"), ("u_wall_w_m2k", "0.35")])
    assert q.measured_kwh["natural_gas"] == pytest.approx(10_550.0, rel=1e-12)
    assert q.income_category == "cat4" and q.overrides == {"u_wall_w_m2k": 0.35}

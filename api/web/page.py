"""The web page and the printable reports, served by the same app as the API.

- ``GET /`` -- the single-page app (``api/web/static/index.html`` with ``app.js``): the map of the
  municipality (Leaflet, served from ``/static/vendor``; the OpenStreetMap background only when
  the browser is online), the facilitator panel (address search, dwelling card, corrections,
  stappenplan with chart, saving a dossier). It talks to the routes under ``/api/v1``.
- ``GET /kaart/gebouwen`` -- building footprints in a map window (or of one dwelling), so the
  page can open a dwelling by clicking its building.
- ``GET /rapport/woning/{dwelling_id}`` -- the printable resident report (A4, print CSS,
  server-side SVG chart); corrections as query parameters, checked by the same rules as the API.
- ``GET /rapport/gemeente/{nis}`` -- the printable LEKP report for the council.

Every HTML answer runs under a strict Content-Security-Policy (:mod:`api.http.security`): no
inline script, no inline style, no event-handler attribute. The reports' styles are
``static/report.css`` (label colours by class, :func:`label_class`), their print button is wired
by ``static/report.js``; the page's script is ``static/app.js`` and its data a JSON block
(``<script type="application/json">``, which is data, not a script).

Pages are built with f-strings: every value that comes from data (addresses, sector names,
ids) goes through :func:`html.escape`. Texts are Dutch (residents and municipal staff read
them); the code is English.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from html import escape
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from api import db, service
from api.formatting import TWO_QUANTITIES_NL, nl_number, nl_percent
from api.schemas import ID_PATTERN, TrajectoryRequest
from buildings.sectors import OUTLINE_HULL_NOTE_NL, has_hulls
from scenarios.heat.costs import ADVICE_MODEL
from scenarios.heat.results import HeatResults
from scenarios.indicators import CENTRAL_ESTIMATE_NL
from scenarios.policy import DEFAULT_INCOME_CATEGORY
from scenarios.results import ScenarioResults
from sim.errors import InputError, Problem
from sim.labels import LABELS

#: The web page, its data and the vendored libraries (package data, see pyproject.toml).
STATIC_DIR = Path(__file__).resolve().parent / "static"

#: EPC label colours (the Flemish EPC scale, green A+ to red F).
LABEL_COLOURS: dict[str, str] = {
    "A+": "#00773a",
    "A": "#2e9e44",
    "B": "#8cc63f",
    "C": "#ffd500",
    "D": "#f7a600",
    "E": "#ea6a1f",
    "F": "#d7191c",
}
#: Map indicators: column of ``/api/v1/sectors``, Dutch name, how it is written, class breaks
#: (fixed, so maps of different years compare) and colours from low to high values.
INDICATORS: dict[str, dict[str, Any]] = {
    "share_label_e_or_f": {
        "name": "aandeel label E/F",
        "kind": "pct",
        "breaks": [0.1, 0.2, 0.3, 0.4],
        "colours": ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"],
    },
    "share_label_a_or_better": {
        "name": "aandeel label A of beter",
        "kind": "pct",
        "breaks": [0.1, 0.25, 0.5, 0.75],
        "colours": ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],
    },
    "co2_per_dwelling_kg": {
        "name": "CO2 per woning (ton/jaar)",
        "kind": "ton",
        "breaks": [4000.0, 6000.0, 8000.0, 10000.0],
        "colours": ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"],
    },
}
#: Map colourings from a scenario run (when the service holds its results; median of the runs in
#: the map's scenario year).
SCENARIO_INDICATORS: dict[str, dict[str, Any]] = {
    "scenario_lekp_collective_progress": {
        "name": "LEKP-voortgang collectieve renovaties (scenario, centrale raming)",
        "kind": "pct",
        "breaks": [0.25, 0.5, 0.75, 1.0],
        "colours": ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"],
    },
    "scenario_share_label_a_or_better": {
        "name": "aandeel label A of beter (scenario, centrale raming)",
        "kind": "pct",
        "breaks": [0.1, 0.25, 0.5, 0.75],
        "colours": ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],
    },
}
#: Scenario indicator of each LEKP goal (cumulative counts within the LEKP period).
LEKP_SCENARIO = {
    "collective_renovations": "lekp_collective_cum",
    "fossil_free": "lekp_fossil_free_cum",
    "klimaattafel_invitations": "klimaattafel_invited_cum",
}
#: Heating systems a facilitator may choose on the page (codes of ``sim/data/heating_systems.csv``).
HEATING_CHOICES: tuple[tuple[int, str], ...] = (
    (0, "Gasketel (niet-condenserend)"),
    (1, "Gascondensatieketel"),
    (2, "Stookolieketel"),
    (5, "Lucht/water-warmtepomp"),
    (9, "Hybride warmtepomp"),
    (4, "Elektrische directe verwarming"),
)
ATTACHMENT_NL = {
    "open": "open bebouwing",
    "halfopen": "halfopen bebouwing",
    "gesloten": "gesloten bebouwing",
    "apartment": "appartement",
}
SOURCE_NL = {
    "facts": "gekend uit registers of EPC",
    "archetype": "geschat volgens typewoning TABULA",
    "imputed": "geschat",
    "drawn": "niet gekend: geschat uit de bouwperiodes van het Vlaamse woningpark",
    "measured": "gemeten",
    "geometry": "uit de gebouwvorm",
    "geometry+imputed_storeys": "uit de gebouwvorm, bouwlagen geschat",
    "geometry+facts_storeys": "uit de gebouwvorm, bouwlagen gekend",
}
LEKP_GOALS_NL = {
    "collective_renovations": "collectieve renovaties",
    "fossil_free": "waarvan fossielvrij verwarmd",
    "klimaattafel_invitations": "uitnodigingen klimaattafel",
    "wijkverbeteringscontract": "wijkverbeteringscontract",
}
MONTHS_NL = (
    *("januari", "februari", "maart", "april", "mei", "juni"),
    *("juli", "augustus", "september", "oktober", "november", "december"),
)
#: Most buildings one map window returns (the page asks only when zoomed in).
MAX_BUILDINGS = 3000

# query parameters of the resident report besides the overrides
_REPORT_PARAMS = {
    "gas_m3": "gemeten gasverbruik [m³/jaar]",
    "income": "inkomenscategorie (low, middle, high)",
    "budget": "budget [€]",
    "target": "doellabel (A+, A, B, ...)",
}
_PYDANTIC_NL: dict[str, str] = {
    "greater_than_equal": "moet ≥ {ge} zijn",
    "less_than_equal": "moet ≤ {le} zijn",
    "literal_error": "kies uit {expected}",
    "float_parsing": "moet een getal zijn",
    "finite_number": "moet een eindig getal zijn",
    "extra_forbidden": "onbekende parameter",
    "too_long": "te veel waarden",
}


@cache
def conversions() -> dict[str, Any]:
    """Unit conversions the page uses (``static/data/conversions.json``, with their sources)."""
    return dict(json.loads((STATIC_DIR / "data" / "conversions.json").read_text("utf-8")))


def gas_kwh_per_m3() -> float:
    """Energy in a cubic metre of Belgian natural gas, gross calorific value [kWh/m³]."""
    return float(conversions()["gas_kwh_per_m3"]["value"])


def mount_static(app: FastAPI) -> None:
    """Serve ``api/web/static`` under ``/static`` (the page's script, styles, data and Leaflet)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


# ------------------------------------------------------------------------------ formatting
def _years(p: dict[str, Any]) -> str:
    """Construction years of a cluster ("1850-1970"), empty when unknown."""
    lo, hi = p.get("construction_year_min"), p.get("construction_year_max")
    return "" if lo is None or hi is None else f"{int(lo)}-{int(hi)}"


def _eur(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"€ {nl_number(value)}"


def _number(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else nl_number(value, digits)


def _override_text(key: str, value: float) -> str:
    """A corrected dwelling field as a resident reads it: a system by name, else value and unit."""
    from sim.stock import DWELLING_FIELDS
    from sim.systems import load_system_tables

    if key in ("heating_system", "dhw_system"):
        names = load_system_tables().labels_nl
        code = int(value)
        return names[code] if 0 <= code < len(names) else f"code {code}"
    if key == "construction_year":
        return str(int(value))
    unit = {f.name: f.unit for f in DWELLING_FIELDS}.get(key, "")
    text = nl_number(value, 0 if float(value).is_integer() else 2)
    return f"{text} {unit}" if unit and unit != "code" else text


def _date_nl(day: dt.date) -> str:
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def _decimals(value: float) -> int:
    """Decimals needed to write a goal value exactly (50 -> 0, 12.5 -> 1, at most 3)."""
    return next((d for d in range(3) if round(value, d) == value), 3)


def label_class(label: str) -> str:
    """CSS class of an EPC label's tile (``static/report.css``): ``A+`` -> ``label-Aplus``; an
    unknown label gets the grey of ``.label`` alone."""
    return f"label-{label.replace('+', 'plus')}" if label in LABEL_COLOURS else ""


def _label_tile(label: str) -> str:
    # colours by class, not by a style attribute: the CSP allows no inline style
    classes = " ".join(c for c in ("label", label_class(label)) if c)
    return f'<span class="{classes}">{escape(label)}</span>'


def _class_colour(value: float, indicator: str) -> str:
    spec = INDICATORS[indicator]
    if value is None or not math.isfinite(value):
        return "#cccccc"
    return str(spec["colours"][int(np.searchsorted(spec["breaks"], value, side="right"))])


def _nice_step(top: float, ticks: int = 4) -> float:
    """A round tick step (1, 2 or 5 × 10^k) so that about ``ticks`` steps reach ``top``."""
    raw = max(top, 1.0) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


#: The reports' templates (``api/web/templates``): the values are computed here, the HTML is
#: written there; every value is escaped unless it is HTML made here (``Markup``: the SVG charts
#: and maps, the label tiles).
TEMPLATES = Environment(
    loader=PackageLoader("api.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=False,
)


TEMPLATES.filters.update(
    eur=_eur,
    number=_number,
    nl_number=nl_number,
    nl_percent=nl_percent,
    label=lambda value: Markup(_label_tile(str(value))),
)


def _render(template: str, **values: Any) -> str:
    return TEMPLATES.get_template(template).render(**values)


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    html = _render("page.html", title=title, body=Markup(body))
    return HTMLResponse(html + "\n", status_code=status_code)


def _error_page(status_code: int, title: str, problems: Iterable[Problem | str]) -> HTMLResponse:
    return _page(title, _render("error.html", title=title, problems=list(problems)), status_code)


# ------------------------------------------------------------------------------ resident report
def report_request(params: Sequence[tuple[str, str]]) -> TrajectoryRequest:
    """The trajectory question in a report's query string, checked by the API's own rules
    (:class:`api.schemas.TrajectoryRequest`).

    Parameters are the overridable dwelling fields (``u_roof_w_m2k=0.24``,
    ``heating_system=1``, ...), ``gas_m3`` (measured gas use [m³/year], converted with
    :func:`gas_kwh_per_m3`), ``income`` (premium category ``cat1`` .. ``cat4``), ``budget`` [€] and
    ``target`` (a label). Decimal commas are accepted.

    Raises
    ------
    InputError
        Every problem at once, in Dutch, named after the query parameter.
    """
    problems: list[Problem] = []
    body: dict[str, Any] = {"overrides": {}}
    seen: set[str] = set()
    gas_max_m3 = math.floor(1e6 / gas_kwh_per_m3())

    def number(key: str, text: str) -> float | None:
        try:
            value = float(text.strip().replace(",", "."))
        except ValueError:
            problems.append(Problem(key, f"moet een getal zijn (bv. 0,24), niet '{text[:40]}'"))
            return None
        if not math.isfinite(value):
            problems.append(Problem(key, "moet een eindig getal zijn"))
            return None
        return value

    for key, text in params:
        if key in seen:
            problems.append(Problem(key, "staat meer dan eens in de vraag"))
            continue
        seen.add(key)
        if key in service.OVERRIDABLE:
            value = number(key, text)
            if value is not None:
                body["overrides"][key] = value
        elif key == "gas_m3":
            value = number(key, text)
            if value is not None and not 0 <= value <= gas_max_m3:
                problems.append(
                    Problem(key, f"moet tussen 0 en {nl_number(gas_max_m3)} m³ per jaar liggen")
                )
            elif value is not None:
                body["measured_kwh"] = {"natural_gas": value * gas_kwh_per_m3()}
        elif key == "budget":
            value = number(key, text)
            if value is not None:
                body["budget_eur"] = value
        elif key == "income":
            body["income_category"] = text
        elif key == "target":
            body["target_label"] = text
        else:
            known = sorted([*service.OVERRIDABLE, *_REPORT_PARAMS])
            problems.append(Problem(key, f"onbekende parameter; kies uit {', '.join(known)}"))
    # here, not at the top: importing api.http imports the app, which imports api.web
    from api.http.errors import validation_message_nl

    request: TrajectoryRequest | None = None
    try:
        request = TrajectoryRequest.model_validate(body)
    except ValidationError as exc:
        back = {
            "budget_eur": "budget",
            "income_category": "income",
            "target_label": "target",
            "measured_kwh": "gas_m3",
        }
        for e in exc.errors():
            loc = [str(x) for x in e["loc"]]
            field = loc[-1] if loc[0] == "overrides" else back.get(loc[0], ".".join(loc))
            template = _PYDANTIC_NL.get(e["type"])
            if template is None:
                # the API's own translation: api.schemas' checks in their Dutch, never English
                problems.append(Problem(field, validation_message_nl(dict(e))))
                continue
            ctx = {
                k: nl_number(v, 0 if float(v).is_integer() else 2)
                if isinstance(v, int | float)
                else v
                for k, v in e.get("ctx", {}).items()
            }
            problems.append(Problem(field, template.format(**ctx)))
    if problems or request is None:
        raise InputError(problems=problems, what="rapportvraag")
    return request


def _steps_chart(steps: Sequence[dict[str, Any]], width: int = 640, height: int = 230) -> str:
    """SVG: cumulative net cost after each step (bars), the label reached on top of each bar."""
    left, right, top, bottom = 70, 10, 28, 34
    cum = np.cumsum([float(s["net_cost_eur"] or 0.0) for s in steps])
    peak = float(cum.max()) if len(cum) else 0.0
    step = _nice_step(peak)
    ymax = step * max(1, math.ceil(peak / step))
    plot_w, plot_h = width - left - right, height - top - bottom
    band = plot_w / max(len(steps), 1)
    bar = min(46.0, band * 0.6)

    def y(v: float) -> float:
        return top + plot_h * (1.0 - v / ymax)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        'aria-label="Netto kost opgeteld per stap, met het label na elke stap">'
    ]
    tick = 0.0
    while tick <= ymax + 1e-9:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="11" '
            f'text-anchor="end">€ {nl_number(tick)}</text>'
        )
        tick += step
    for i, (s, c) in enumerate(zip(steps, cum, strict=True)):
        cx = left + band * (i + 0.5)
        label = str(s["label"])
        colour = LABEL_COLOURS.get(label, "#999")
        name = escape(str(s["measure_nl"]))
        parts.append(
            f"<g><title>{name}: netto samen € {nl_number(float(c))}, label {escape(label)}"
            f"</title>"
            f'<rect x="{cx - bar / 2:.1f}" y="{y(float(c)):.1f}" width="{bar:.1f}" '
            f'height="{max(y(0.0) - y(float(c)), 0.0):.1f}" fill="#5b7fa6"/>'
            f'<rect x="{cx - 14:.1f}" y="{y(float(c)) - 22:.1f}" width="28" height="18" rx="3" '
            f'fill="{colour}"/><text x="{cx:.1f}" y="{y(float(c)) - 8:.1f}" font-size="12" '
            f'font-weight="700" text-anchor="middle" fill="{"#000" if label in "BCD" else "#fff"}">'
            f"{escape(label)}</text>"
            f'<text x="{cx:.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle">'
            f"{'nu' if s['step'] == 0 else 'stap ' + str(s['step'])}</text></g>"
        )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y(0.0):.1f}" y2="{y(0.0):.1f}" '
        'stroke="#555"/>'
        f'<text x="{left}" y="14" font-size="11">netto kost, opgeteld (€); '
        "bovenaan: label na de stap</text></svg>"
    )
    return "".join(parts)


def resident_report(
    state: service.ServiceState, dwelling_id: str, request: TrajectoryRequest
) -> str:
    """The body of the printable resident report (HTML, Dutch)."""
    plan = service.trajectory(
        state,
        dwelling_id,
        overrides={str(k): v for k, v in request.overrides.items()},
        measured={str(k): v for k, v in request.measured_kwh.items()},
        target_label=request.target_label,
        budget_eur=request.budget_eur,
        income_category=request.income_category,
    )
    card = service.dwelling_card(state, dwelling_id)
    names = {m.id: m.label_nl for m in state.catalogue.measures}
    steps = plan["steps"]
    probs = card["current"]["label_probabilities"]
    year = card["facts"]["construction_year"]
    epc = card["facts"].get("epc_label")
    adjusted = [
        f"{service.OVERRIDABLE[k]}: {_override_text(k, v)}" for k, v in request.overrides.items()
    ]
    if "natural_gas" in request.measured_kwh:
        m3 = request.measured_kwh["natural_gas"] / gas_kwh_per_m3()
        adjusted.append(f"gemeten gasverbruik {nl_number(m3)} m³ per jaar")
    titles = {
        "cheapest_to_target": f"Goedkoopste weg naar label {plan['target_label']}",
        "best_within_budget": f"Minste CO2 binnen uw budget van {_eur(request.budget_eur)}",
    }
    options = [
        (
            title,
            None
            if plan["options"][key] is None
            else {
                **plan["options"][key],
                "measures": [names.get(m, m) for m in plan["options"][key]["measures"]],
            },
        )
        for key, title in titles.items()
        if key in plan["options"]
    ]
    last, goal = steps[-1], plan["long_term_goal"]
    return _render(
        "resident_report.html",
        card=card,
        attachment_nl=ATTACHMENT_NL.get(str(card["attachment"]), str(card["attachment"])),
        year=year,
        year_source_nl=SOURCE_NL.get(str(year["source"]), str(year["source"])),
        premium_nl=state.policy.premiums.labels_nl()[plan["income_category"]],
        today=_date_nl(dt.date.today()),
        adjusted=adjusted,
        corrected=bool(request.overrides) or bool(request.measured_kwh),
        now=steps[0],
        epc_label=epc.get("value") if epc else None,
        probabilities=", ".join(
            f"{k} {nl_percent(v)}" for k, v in sorted(probs.items(), key=lambda kv: -kv[1])
        ),
        calibration=plan.get("calibration"),
        steps=steps[1:],
        total={
            k: sum(float(s[k] or 0.0) for s in steps[1:])
            for k in ("investment_eur", "premium_eur", "net_cost_eur", "saving_eur")
        },
        last=last,
        skipped=[names.get(m, m) for m in plan["not_applicable"]],
        chart=Markup(_steps_chart(steps)),
        options=options,
        goal=goal,
        goal_met=LABELS.index(str(last["label"])) <= LABELS.index(str(goal["label"])),
        year_of_prices=plan["year"],
        two_quantities=TWO_QUANTITIES_NL,
    )


# ------------------------------------------------------------------------------ municipal report
def _lonlat_projection(
    bounds: Sequence[float], width: float, height: float, pad: float = 10.0
) -> Callable[[float, float], tuple[float, float]]:
    """Plate carrée with the longitude scaled by cos(latitude) at the centre: good enough for a
    municipality (a few km), where the distortion stays well under 1 %."""
    minx, miny, maxx, maxy = bounds
    k = math.cos(math.radians((miny + maxy) / 2))
    span_x, span_y = max((maxx - minx) * k, 1e-9), max(maxy - miny, 1e-9)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return off_x + (lon - minx) * k * scale, off_y + (maxy - lat) * scale

    return project


def _svg_path(geom: Any, project: Callable[[float, float], tuple[float, float]]) -> str:
    polygons = list(getattr(geom, "geoms", [geom]))
    out = []
    for poly in polygons:
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in [poly.exterior, *poly.interiors]:
            pts = [project(x, y) for x, y in ring.coords]
            out.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
    return "".join(out)


def sector_map_svg(
    sectors: pd.DataFrame, clusters: Sequence[dict[str, Any]], width: int = 640, height: int = 420
) -> str:
    """Static map (SVG) of the sectors coloured by share E/F, the clusters outlined with rank."""
    if len(sectors) == 0:
        return "<p>Geen wijken om te tonen.</p>"
    from shapely.geometry import shape

    project = _lonlat_projection(sectors.geometry.total_bounds, width, height - 40)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        'aria-label="Kaart van de wijken, gekleurd naar aandeel woningen met label E of F">'
    ]
    # largest first: where polygons overlap (hulls of the buildings), the small ones stay visible
    box = sectors.geometry.bounds
    size = (box["maxx"] - box["minx"]) * (box["maxy"] - box["miny"])
    for _, s in sectors.loc[size.sort_values(ascending=False).index].iterrows():
        share = float(s["share_label_e_or_f"])
        parts.append(
            f'<path d="{_svg_path(s.geometry, project)}" fill="'
            f'{_class_colour(share, "share_label_e_or_f")}" fill-rule="evenodd" stroke="#444" '
            f'stroke-width="0.8"><title>{escape(str(s["sector_name"]))}: {nl_percent(share)} '
            "label E/F</title></path>"
        )
    for c in clusters:
        geom = shape(c["geometry"])
        x, y = project(*geom.representative_point().coords[0])
        rank = int(c["properties"]["rank"])
        parts.append(
            f'<path d="{_svg_path(geom, project)}" fill="none" stroke="#000" stroke-width="1.5"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="#fff" stroke="#000"/>'
            f'<text x="{x:.1f}" y="{y + 3.5:.1f}" font-size="9" text-anchor="middle">{rank}</text>'
        )
    spec = INDICATORS["share_label_e_or_f"]
    edges = [0.0, *spec["breaks"]]
    for i, colour in enumerate(spec["colours"]):
        text = (
            f"≥ {nl_percent(edges[i])}"
            if i == len(edges) - 1
            else f"{nl_percent(edges[i])}–{nl_percent(spec['breaks'][i])}"
        )
        x0 = 10 + i * 105
        parts.append(
            f'<rect x="{x0}" y="{height - 26}" width="16" height="12" fill="{colour}" '
            f'stroke="#444" stroke-width="0.5"/><text x="{x0 + 20}" y="{height - 16}" '
            f'font-size="11">{text}</text>'
        )
    parts.append(
        f'<text x="10" y="{height - 32}" font-size="11">aandeel woningen met label E of F; '
        "omlijnd met nummer: beste clusters voor collectieve renovatie</text></svg>"
    )
    if has_hulls(sectors):
        parts.append(f"<p class='note' id='wijkgrenzen'>{escape(OUTLINE_HULL_NOTE_NL)}</p>")
    return "".join(parts)


def municipal_report(
    state: service.ServiceState,
    engine: Engine,
    nis: str,
    clusters: dict[str, Any],
    results: ScenarioResults | None = None,
    heat: HeatResults | None = None,
) -> str:
    """The body of the printable LEKP report of a municipality (HTML, Dutch)."""
    town = state.table["municipality_nis"].astype(str) == nis
    units = int(town.sum())
    name = (
        str(state.table.loc[town, "municipality"].iloc[0]) if "municipality" in state.table else nis
    )
    # the goals, their norms and the period: from the policy of the service, which with scenario
    # results is the policy the scenario was computed with (api.http.create_app checks)
    lekp = state.policy.lekp
    targets = state.policy.lekp_targets(units)
    period = lekp.period
    per = lekp.per_1000_housing_units
    norms = {
        goal: f"{nl_number(getattr(per, goal).value, _decimals(getattr(per, goal).value))} per "
        "1.000 woongelegenheden"
        for goal in LEKP_SCENARIO
    }
    norms["wijkverbeteringscontract"] = (
        f"minstens {lekp.wijkverbeteringscontract_min}, uiterlijk "
        f"{_date_nl(lekp.wijkverbeteringscontract_deadline)}"
    )
    source_ids = [
        *(getattr(per, goal).source for goal in LEKP_SCENARIO),
        lekp.wijkverbeteringscontract_source,
    ]
    years = list(range(period.from_year, period.to_year + 1))
    with db.session_scope(engine) as s:
        total = db.count_klimaattafel_dossiers(s, nis)
        per_year = {y: db.count_klimaattafel_dossiers(s, nis, y) for y in years}

    def share(done: float, target: int) -> str:
        return nl_percent(done / target) if target > 0 else "–"

    def expected(goal: str, year: int) -> str:
        """The scenario's central estimate (the median of the runs) and P10-P90 of a LEKP count
        in ``year``, with its share of the goal."""
        if results is None or goal not in LEKP_SCENARIO:
            return "–"
        series = results.municipality(LEKP_SCENARIO[goal])
        at = series[series["year"] == year]
        if at.empty:
            return "–"
        r = at.iloc[0].to_dict()
        return (
            f"{nl_number(float(r['central']))} ({nl_number(float(r['p10']))}–"
            f"{nl_number(float(r['p90']))}) · {share(float(r['central']), targets[goal])}"
        )

    goals = []
    for goal, target in targets.items():
        done = total if goal == "klimaattafel_invitations" else None
        goals.append(
            {
                "name": LEKP_GOALS_NL.get(goal, goal),
                "norm": norms.get(goal, ""),
                "target": target,
                "done": "–" if done is None else nl_number(done),
                "share": "–" if done is None else share(done, target),
                "expected": expected(goal, period.to_year),
            }
        )
    rows = []
    cum = 0
    for y in years:
        cum += per_year[y]
        rows.append(
            {
                "year": y,
                "count": per_year[y],
                "cumulative": cum,
                "share": share(cum, targets["klimaattafel_invitations"]),
                "expected": expected("klimaattafel_invitations", y),
            }
        )
    sector_ids = set(state.table.loc[town, "sector_id"].astype(str))
    sectors = state.sectors[state.sectors["sector_id"].astype(str).isin(sector_ids)]
    sectors = sectors.sort_values("sector_id")
    top = [f for f in clusters["features"] if str(f["properties"].get("sector_id")) in sector_ids][
        :10
    ]
    return _render(
        "municipal_report.html",
        name=name,
        nis=nis,
        units=units,
        period=period,
        today=_date_nl(dt.date.today()),
        goals=goals,
        sources=[state.policy.sources[k].rstrip(".") for k in dict.fromkeys(source_ids)],
        scenario_name=None if results is None else results.name,
        central_estimate=CENTRAL_ESTIMATE_NL,
        years=rows,
        map=Markup(sector_map_svg(sectors, top)),
        sectors=[
            {
                "sector_id": str(r["sector_id"]),
                "sector_name": str(r["sector_name"]),
                "dwellings": float(r["dwellings"]),
                "share_label_e_or_f": float(r["share_label_e_or_f"]),
                "share_label_a_or_better": float(r["share_label_a_or_better"]),
                "co2_per_dwelling_kg": float(r["co2_per_dwelling_kg"]),
            }
            for _, r in sectors.iterrows()
        ],
        clusters=[
            {
                "rank": int(p["rank"]),
                "name": str(p.get("sector_name") or p["sector_id"]),
                "n_dwellings": float(p["n_dwellings"]),
                "years": _years(p),
                "investment_eur": float(p["investment_eur"]),
                "net_investment_eur": float(p["net_investment_eur"]),
                "co2_saved_t_per_year": float(p["co2_saved_t_per_year"]),
            }
            for p in (f["properties"] for f in top)
        ],
        state_year=state.year,
        heat=_heat_section(
            heat,
            sector_ids,
            dict(
                zip(
                    sectors["sector_id"].astype(str),
                    sectors["sector_name"].astype(str),
                    strict=True,
                )
            ),
        ),
    )


def _heat_section(
    heat: HeatResults | None, sector_ids: set[str], names: dict[str, str]
) -> dict[str, Any] | None:
    """The heat zoning of the municipality's sectors for the council report: per sector the
    advice, its probability, the heat density, the cost of heat per strategy and the peak load,
    today and in the plan's last year; the cabins that overload, by year."""
    if heat is None or "sector" not in heat.layers:
        return None
    zones = heat.layers["sector"]
    zones = zones[zones["zone_id"].astype(str).isin(sector_ids)]
    years = heat.years
    shown = [years[0], years[-1]] if len(years) > 1 else years

    def rows(year: int) -> list[dict[str, Any]]:
        t = zones[zones["year"] == year].sort_values("heat_density_mwh_ha", ascending=False)
        return [
            {
                "zone_id": str(r["zone_id"]),
                "name": names.get(str(r["zone_id"])) or str(r["zone_id"]),
                "density": float(r["heat_density_mwh_ha"]),
                "network": float(r["lcoh_network_p50_eur_mwh"]),
                "hybrid": float(r["lcoh_hybrid_p50_eur_mwh"]),
                "individual": float(r["lcoh_individual_hp_p50_eur_mwh"]),
                "advice": str(r["advice"])
                + (
                    f" ({r['advice_source']})"
                    if isinstance(r.get("advice_source"), str)
                    and r["advice_source"] not in ("", ADVICE_MODEL)
                    else ""
                ),
                "probability": float(r["advice_probability"]),
                "peak_kw": float(r["peak_kw"]),
                "household_peak_kw": float(r["household_peak_kw"]),
            }
            for _, r in t.iterrows()
        ]

    overloaded = None
    if heat.cabins is not None:
        c = heat.cabins
        overloaded = [
            {"year": int(y), "n": int(n), "of": int(c["cabin_id"].nunique())}
            for y, n in c.groupby("year")["overloaded"].sum().items()
        ]
    return {
        "years": [{"year": y, "rows": rows(y)} for y in shown],
        "cabins": overloaded,
        "folder": heat.folder.name,
    }


# ------------------------------------------------------------------------------ the router
def _config(state: service.ServiceState, results: ScenarioResults | None = None) -> dict[str, Any]:
    table = state.table
    towns = table.groupby(table["municipality_nis"].astype(str), sort=True)
    municipalities = [
        {
            "nis": nis,
            "name": str(rows["municipality"].iloc[0]) if "municipality" in rows else nis,
        }
        for nis, rows in towns
    ]
    return {
        "municipalities": municipalities,
        "year": state.year,
        "indicators": INDICATORS if results is None else {**INDICATORS, **SCENARIO_INDICATORS},
        "scenario": None
        if results is None
        else {"name": results.name, "year": results.default_year()},
        "label_colours": LABEL_COLOURS,
        "heating_choices": [{"code": c, "name": n} for c, n in HEATING_CHOICES],
        # Mijn VerbouwPremie categories, least to most supported, with their Dutch meaning
        "income_categories": [
            {"id": c, "name": n} for c, n in state.policy.premiums.labels_nl().items()
        ],
        "income_default": DEFAULT_INCOME_CATEGORY,
        "sources_nl": SOURCE_NL,
        "attachment_nl": ATTACHMENT_NL,
        # the map legend's note when some neighbourhood outlines are hulls, not the given ones
        "outline_note": OUTLINE_HULL_NOTE_NL if has_hulls(state.sectors) else "",
    }


def _json_in_html(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">`` (no ``</script>``)."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def build_web_router(
    state: service.ServiceState,
    engine: Engine,
    results: ScenarioResults | None = None,
    heat: HeatResults | None = None,
) -> APIRouter:
    """Routes of the web page and the reports for ``state`` and the dossier database."""
    router = APIRouter(include_in_schema=False)
    cache: dict[str, Any] = {}

    def clusters() -> dict[str, Any]:
        if "clusters" not in cache:
            cache["clusters"] = service.clusters_geojson(state)
        return dict(cache["clusters"])

    def buildings() -> pd.DataFrame:
        """One row per building: footprint (EPSG:4326), centre, its dwellings, its label."""
        if "buildings" not in cache:
            twin = state.twin
            address = dict(zip(state.index.dwelling_ids, state.index.labels, strict=True))
            frame = pd.DataFrame(
                {
                    "building_id": twin["building_id"].astype(str).to_numpy(),
                    "dwelling_id": twin["dwelling_id"].astype(str).to_numpy(),
                    "label": state.current["label"].to_numpy(),
                }
            )
            frame["address"] = frame["dwelling_id"].map(address)
            first = ~frame["building_id"].duplicated()
            shapes = twin.loc[first.to_numpy(), ["geometry"]].to_crs(4326)
            centre = twin.loc[first.to_numpy()].geometry.representative_point().to_crs(4326)
            groups = frame.groupby("building_id", sort=False)
            out = pd.DataFrame(
                {
                    "building_id": frame.loc[first, "building_id"].to_numpy(),
                    "geometry": shapes.geometry.to_numpy(),
                    "lon": centre.x.to_numpy(),
                    "lat": centre.y.to_numpy(),
                }
            ).set_index("building_id", drop=False)
            out["label"] = groups["label"].agg(lambda s: s.mode().iloc[0])
            out["dwellings"] = groups[["dwelling_id", "address"]].apply(
                lambda g: g.sort_values("address").to_dict("records")
            )
            cache["buildings"] = out
            cache["building_of"] = dict(
                zip(frame["dwelling_id"], frame["building_id"], strict=True)
            )
        return pd.DataFrame(cache["buildings"])

    @router.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        """The single-page app, with the municipalities of the twin filled in."""
        html = (STATIC_DIR / "index.html").read_text("utf-8")
        config = _config(state, results)
        title = ", ".join(m["name"] for m in config["municipalities"])
        links = " ".join(
            f'<a href="/rapport/gemeente/{escape(m["nis"])}">LEKP-rapport {escape(m["name"])}</a>'
            for m in config["municipalities"]
        )
        html = (
            html.replace("{{gemeente}}", escape(title))
            .replace("{{rapportlinks}}", links)
            .replace("{{config}}", _json_in_html(config))
        )
        return HTMLResponse(html)

    @router.get("/kaart/gebouwen")
    def building_map(
        bbox: Annotated[
            str | None, Query(pattern=r"^-?[\d.]+,-?[\d.]+,-?[\d.]+,-?[\d.]+$", max_length=100)
        ] = None,
        woning: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    ) -> JSONResponse:
        """Buildings (GeoJSON, EPSG:4326) whose centre lies in ``bbox`` (west,south,east,north),
        at most :data:`MAX_BUILDINGS`; or the building of the dwelling ``woning``."""
        from shapely.geometry import mapping

        table = buildings()
        if woning is not None:
            bid = cache["building_of"].get(woning)
            if bid is None:
                raise service.NotFound(f"woning '{woning}' staat niet in de tweeling")
            rows = table.loc[[bid]]
        elif bbox is not None:
            w, s, e, n = (float(x) for x in bbox.split(","))
            inside = table["lon"].between(w, e) & table["lat"].between(s, n)
            rows = table[inside]
        else:
            raise InputError(
                problems=[Problem("bbox", "geef bbox=west,zuid,oost,noord of woning=<id>")],
                what="kaartvraag",
            )
        features = [
            {
                "type": "Feature",
                "geometry": mapping(r.geometry),
                "properties": {
                    "building_id": r.building_id,
                    "label": r.label,
                    "dwellings": r.dwellings,
                    "lon": r.lon,
                    "lat": r.lat,
                },
            }
            for r in rows.head(MAX_BUILDINGS).itertuples()
        ]
        return JSONResponse(
            {
                "type": "FeatureCollection",
                "features": features,
                "truncated": len(rows) > MAX_BUILDINGS,
            }
        )

    @router.get("/rapport/woning/{dwelling_id:path}", response_class=HTMLResponse)
    def report_dwelling(dwelling_id: str, request: Request) -> HTMLResponse:
        """Printable resident report; corrections as query parameters."""
        if dwelling_id not in state.twin.index:
            return _error_page(
                404,
                "Woning niet gevonden",
                [f"De woning '{dwelling_id}' staat niet in de tweeling van deze gemeente."],
            )
        try:
            question = report_request(request.query_params.multi_items())
            body = resident_report(state, dwelling_id, question)
        except InputError as exc:
            return _error_page(422, "Het rapport kan niet gemaakt worden", exc.problems)
        return _page(f"Renovatieadvies {dwelling_id}", body)

    @router.get("/rapport/gemeente/{nis}", response_class=HTMLResponse)
    def report_municipality(nis: str) -> HTMLResponse:
        """Printable LEKP report of a municipality for the council."""
        if nis not in state.municipalities:
            return _error_page(
                404,
                "Gemeente niet gevonden",
                [f"De gemeente met NIS-code '{nis}' zit niet in de tweeling."],
            )
        body = municipal_report(state, engine, nis, clusters(), results, heat)
        return _page(f"LEKP-rapport {nis}", body)

    return router


__all__ = [
    "INDICATORS",
    "LABEL_COLOURS",
    "STATIC_DIR",
    "build_web_router",
    "conversions",
    "gas_kwh_per_m3",
    "mount_static",
    "municipal_report",
    "report_request",
    "resident_report",
    "sector_map_svg",
]

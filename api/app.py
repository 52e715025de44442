"""The HTTP service (FastAPI): routes under ``/api/v1``, thin over :mod:`api.service` and
:mod:`api.db`.

Public, non-personal routes (no token): address search, the dwelling card, the trajectory of a
dwelling with a resident's corrections (computed, never stored), the neighbourhood map, the
collective-renovation clusters and the municipality's LEKP figures. Personal data -- the
climate-table dossiers -- need a token (``Authorization: Bearer wijk_...``) of the dossier's
municipality; every dossier read and write is audited (:mod:`api.db`).

Errors are JSON: ``{"detail": [{"field": ..., "message": ...}]}`` with 4xx codes; bad input never
gives a 500 and never a partial write.
"""

import functools
import json
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

import anyio
import anyio.to_thread
import geopandas as gpd
from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import db, service
from api.schemas import (
    ID_PATTERN,
    DossierIn,
    DossierOut,
    DossierUpdate,
    DwellingCard,
    TrajectoryAnswer,
    TrajectoryRequest,
)
from api.web import build_web_router, mount_static
from scenarios.io_yaml import pydantic_message_nl
from scenarios.results import ScenarioResults, load_results
from sim.errors import InputError

#: Answer when the service holds no scenario results.
NO_RESULTS_NL = (
    "de dienst heeft geen scenarioresultaten; start hem met --results MAP (de uitvoer van "
    "wijk scenario run)"
)
#: Threads per worker process that compute corrected household plans (see the trajectory route).
COMPUTE_THREADS = 1

#: Largest request body accepted [bytes]; larger ones get 413 before they are read.
MAX_BODY_BYTES = 64 * 1024


class Problem(BaseModel):
    """One thing wrong with a request: where (``query.q``, ``body.notes``, ``Authorization``,
    ``dossier`` ...) and what to do about it, in Dutch."""

    field: str
    message: str


class ErrorOut(BaseModel):
    """The body of every 4xx answer of the service."""

    detail: list[Problem]


#: Documented for every route, so the OpenAPI schema describes the errors the service really
#: sends (FastAPI would otherwise document its own 422 shape, ``loc``/``msg``/``type``).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "model": ErrorOut,
        "description": "Fout in het verzoek: ongeldige invoer (422), geen of ongeldig token (401), "
        "niet toegestaan (403), niet gevonden (404), gewijzigd door iemand anders (409), te groot "
        "(413).",
    }
}


def _problem(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def create_app(
    state: service.ServiceState,
    engine: Engine | None = None,
    db_url: str | None = None,
    results: ScenarioResults | None = None,
) -> FastAPI:
    """The application for a loaded :class:`api.service.ServiceState`, a dossier database
    (an engine, or a URL; default the SQLite file of :data:`api.db.DEFAULT_DB`) and, optionally,
    the results of a scenario run (:func:`scenarios.results.load_results`).

    With results, ``state`` must hold the policy the results were computed with
    (``service.load_state(twin, policy=results.policy)``): the LEKP goals, the LEKP period and
    the long-term goal shown beside the scenario are then those of the scenario.
    """
    if results is not None and results.policy != state.policy:
        raise ValueError(
            f"the scenario results in {results.folder} were computed with another policy than "
            "the service state holds; load the state with policy=results.policy"
        )
    engine = engine or db.make_engine(db_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        db.migrate(engine)
        yield

    app = FastAPI(
        title="Wijkrenovatietool",
        version="1",
        description="Renovatie per woning en per wijk in Vlaanderen: adressen, woningkaart, "
        "stappenplan, wijkkaart en klimaattafeldossiers.",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    clusters_cache: dict[str, Any] = {}

    def session() -> Iterator[Session]:
        with db.session_scope(engine) as s:
            yield s

    def principal(
        s: Annotated[Session, Depends(session)],
        authorization: Annotated[str | None, Header()] = None,
    ) -> db.Principal:
        if not authorization or not authorization.startswith("Bearer "):
            raise HTTPException(
                401,
                [
                    _problem(
                        "Authorization", "token ontbreekt: stuur 'Authorization: Bearer <token>'"
                    )
                ],
                headers={"WWW-Authenticate": "Bearer"},
            )
        who = db.authenticate(s, authorization.removeprefix("Bearer ").strip())
        if who is None:
            raise HTTPException(
                401,
                [_problem("Authorization", "token ongeldig of ingetrokken")],
                headers={"WWW-Authenticate": "Bearer"},
            )
        return who

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse(
                status_code=413,
                content={
                    "detail": [_problem("body", f"verzoek groter dan {MAX_BODY_BYTES} bytes")]
                },
            )
        return await call_next(request)

    @app.exception_handler(InputError)
    async def input_error(_: Request, exc: InputError) -> JSONResponse:
        return JSONResponse(
            status_code=422,
            content={"detail": [_problem(p.field, p.message) for p in exc.problems]},
        )

    @app.exception_handler(service.NotFound)
    async def not_found(_: Request, exc: service.NotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": [_problem("id", str(exc))]})

    @app.exception_handler(db.DossierError)
    async def dossier_error(_: Request, exc: db.DossierError) -> JSONResponse:
        code = {db.DossierNotFound: 404, db.DossierForbidden: 403, db.DossierConflict: 409}
        return JSONResponse(
            status_code=code.get(type(exc), 400),
            content={"detail": [_problem("dossier", exc.message)]},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's own errors (a body that is not JSON, an unknown path or method) carry a
        # string detail: answer them in the same shape as every other error.
        detail = exc.detail if isinstance(exc.detail, list) else [_problem("request", exc.detail)]
        return JSONResponse(
            status_code=exc.status_code, content={"detail": detail}, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            status_code=422,
            content={
                "detail": [
                    _problem(".".join(str(x) for x in e["loc"]), pydantic_message_nl(e))
                    for e in exc.errors()
                ]
            },
        )

    v1 = "/api/v1"
    DwellingId = Annotated[str, Path(pattern=ID_PATTERN)]

    @app.get(f"{v1}/health")
    def health() -> dict[str, Any]:
        """Whether the service runs, and what it holds."""
        return {
            "status": "ok",
            "dwellings": len(state.twin),
            "municipalities": state.municipalities,
        }

    @app.get(f"{v1}/addresses")
    async def addresses(
        q: Annotated[str, Query(min_length=1, max_length=100)],
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> list[dict[str, str]]:
        """Autocomplete: addresses starting with ``q`` (street, number, bus; accents ignored).

        Runs on the event loop (a binary search, microseconds), not in the thread pool, so it
        stays quick while trajectories are computed.
        """
        return state.index.search(q, limit)

    # CPU-bound and short (milliseconds, no I/O): run on the event loop rather than in the
    # thread pool, where many threads would contend for the GIL (measured: fewer slow outliers)
    @app.get(
        f"{v1}/dwellings/{{dwelling_id:path}}/card",
        response_model=DwellingCard,
        response_model_exclude_unset=True,
    )
    async def card(dwelling_id: DwellingId) -> dict[str, Any]:
        """Known facts with provenance and the estimated current state (label with uncertainty)."""
        return service.dwelling_card(state, dwelling_id)

    # a question without corrections is read from the plans computed at start-up (a lookup,
    # on the event loop); with corrections the plan simulates every combination of the
    # measures (milliseconds of CPU): that runs on one computing thread per worker process, so
    # that address search, cards and health answer meanwhile on the event loop. One thread, not
    # the pool's forty: the work holds the GIL, and forty threads taking turns with the event
    # loop made every address lookup wait behind them (p95 64 ms, measured with
    # ``wijk serve-bench --corrected``); waiting questions queue on the limiter instead
    limiter: list[anyio.CapacityLimiter] = []

    @app.post(
        f"{v1}/dwellings/{{dwelling_id:path}}/trajectory",
        response_model=TrajectoryAnswer,
        response_model_exclude_unset=True,
    )
    async def trajectory(dwelling_id: DwellingId, body: TrajectoryRequest) -> dict[str, Any]:
        """Stappenplan after the resident's corrections, with the optimiser's choices."""
        kwargs: dict[str, Any] = {
            "overrides": dict(body.overrides),
            "measured": {str(k): v for k, v in body.measured_kwh.items()},
            "order": body.order,
            "target_label": body.target_label,
            "budget_eur": body.budget_eur,
            "income_category": body.income_category,
        }
        if service.is_lookup(**kwargs):
            return service.trajectory(state, dwelling_id, **kwargs)
        if not limiter:
            limiter.append(anyio.CapacityLimiter(COMPUTE_THREADS))
        return await anyio.to_thread.run_sync(
            functools.partial(service.trajectory, state, dwelling_id, **kwargs),
            limiter=limiter[0],
        )

    @app.get(f"{v1}/sectors")
    def sectors(
        year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    ) -> dict[str, Any]:
        """Neighbourhoods as GeoJSON (EPSG:4326) with current-state indicators and, when the
        service holds scenario results, the scenario's median of ``scenario_*`` indicators in
        ``year`` (default: the end of the LEKP period of the scenario's policy, else its last
        year)."""
        data = service.sectors_geojson(state)
        if results is None:
            if year is not None:
                raise service.NotFound(NO_RESULTS_NL)
            return data
        when = results.default_year() if year is None else year
        if when not in results.years:
            raise service.NotFound(f"geen scenarioresultaten voor {when}; jaren: {results.years}")
        values = results.sector_values(when)
        for feature in data["features"]:
            props = feature["properties"]
            props.update(values.get(str(props["sector_id"]), {}))
            props["scenario_year"] = when
        return data

    @app.get(f"{v1}/scenario")
    def scenario() -> dict[str, Any]:
        """The scenario whose results the service holds: name, years, indicators."""
        if results is None:
            raise service.NotFound(NO_RESULTS_NL)
        return {
            "name": results.name,
            "years": results.years,
            "indicators": sorted(str(x) for x in results.indicators["indicator"].unique()),
        }

    @app.get(f"{v1}/scenario/indicators")
    def scenario_indicators(
        level: Annotated[Literal["gemeente", "sector"] | None, Query()] = None,
        area_id: Annotated[str | None, Query(max_length=40)] = None,
        indicator: Annotated[str | None, Query(max_length=60)] = None,
        year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    ) -> list[dict[str, Any]]:
        """Indicator rows of the scenario (the central estimate, i.e. the median of the runs,
        and P10/P50/P90), filtered; at most 5,000 rows."""
        if results is None:
            raise service.NotFound(NO_RESULTS_NL)
        return results.rows(level, area_id, indicator, year)

    @app.get(f"{v1}/clusters")
    def clusters(limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
        """The best collective-renovation clusters as GeoJSON (EPSG:4326), ranked."""
        if "geojson" not in clusters_cache:
            clusters_cache["geojson"] = service.clusters_geojson(state)
        data = clusters_cache["geojson"]
        return {**data, "features": data["features"][:limit]}

    @app.get(f"{v1}/municipalities/{{nis}}/lekp")
    def lekp(
        nis: Annotated[str, Path(pattern=r"^\d{5}$")],
        s: Annotated[Session, Depends(session)],
    ) -> dict[str, Any]:
        """LEKP goals of the municipality and the klimaattafel dossiers counted so far
        (a non-personal aggregate)."""
        if nis not in state.municipalities:
            raise service.NotFound(f"gemeente {nis} zit niet in de tweeling")
        units = int((state.twin["municipality_nis"].astype(str) == nis).sum())
        return {
            "municipality_nis": nis,
            "housing_units": units,
            "targets": state.policy.lekp_targets(units),
            "klimaattafel_dossiers": db.count_klimaattafel_dossiers(s, nis),
        }

    @app.get(f"{v1}/municipalities/{{nis}}")
    def municipality(
        nis: Annotated[str, Path(pattern=r"^\d{5}$")],
        s: Annotated[Session, Depends(session)],
    ) -> dict[str, Any]:
        """The municipality as a GeoJSON Feature (EPSG:4326; the union of its neighbourhoods)
        with its current-state totals, LEKP goals, klimaattafel dossiers and, with scenario
        results, the scenario's medians in its default year."""
        if nis not in state.municipalities:
            raise service.NotFound(f"gemeente {nis} zit niet in de tweeling")
        rows = state.twin[state.twin["municipality_nis"].astype(str) == nis]
        cur = state.current.loc[rows.index]
        ids = set(rows["sector_id"].astype(str))
        polygons = state.sectors[state.sectors["sector_id"].astype(str).isin(ids)]
        units = len(rows)
        props: dict[str, Any] = {
            "municipality_nis": nis,
            "municipality": str(rows["municipality"].iloc[0]) if "municipality" in rows else nis,
            "dwellings": units,
            "share_label_a_or_better": float(cur["label"].isin(["A+", "A"]).mean()),
            "share_label_e_or_f": float(cur["label"].isin(["E", "F"]).mean()),
            "co2_t": float(cur["co2_kg"].sum()) / 1000.0,
            "energy_cost_eur": float(cur["energy_cost_eur"].sum()),
            "lekp_targets": state.policy.lekp_targets(units),
            "klimaattafel_dossiers": db.count_klimaattafel_dossiers(s, nis),
        }
        if results is not None:
            year = results.default_year()
            props["scenario_year"] = year
            for name in ("share_label_a_or_better", "lekp_collective_progress", "co2_kg"):
                series = results.municipality(name)
                at = series[series["year"] == year]
                if not at.empty:
                    props[f"scenario_{name}"] = float(at["central"].iloc[0])
        geometry = polygons.geometry.union_all()
        return {
            "type": "Feature",
            "properties": props,
            "geometry": json.loads(gpd.GeoSeries([geometry], crs=polygons.crs).to_json())[
                "features"
            ][0]["geometry"],
        }

    # -- dossiers: personal data, token required ------------------------------------------
    Who = Annotated[db.Principal, Depends(principal)]
    S = Annotated[Session, Depends(session)]
    DossierId = Annotated[str, Path(pattern=r"^[0-9a-f\-]{36}$")]

    @app.post(f"{v1}/dossiers", status_code=201)
    def create_dossier(body: DossierIn, who: Who, s: S) -> DossierOut:
        """Save a resident's dossier (committed before the answer: it survives a crash)."""
        return db.create_dossier(s, who, body)

    @app.get(f"{v1}/dossiers")
    def list_dossiers(
        who: Who,
        s: S,
        municipality: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
    ) -> list[DossierOut]:
        """Dossiers the token may see (its municipalities)."""
        return db.list_dossiers(s, who, municipality)

    @app.get(f"{v1}/dossiers/{{dossier_id}}")
    def get_dossier(dossier_id: DossierId, who: Who, s: S) -> DossierOut:
        """One dossier."""
        return db.get_dossier(s, who, dossier_id)

    @app.patch(f"{v1}/dossiers/{{dossier_id}}")
    def update_dossier(
        dossier_id: DossierId,
        body: DossierUpdate,
        who: Who,
        s: S,
        if_match: Annotated[str | None, Header(pattern=r"^\d{1,9}$")] = None,
    ) -> DossierOut:
        """Change a dossier; with ``If-Match: <version>`` only if nobody changed it meanwhile."""
        version = int(if_match) if if_match is not None else None
        return db.update_dossier(s, who, dossier_id, body, expected_version=version)

    @app.delete(f"{v1}/dossiers/{{dossier_id}}", status_code=204)
    def delete_dossier(dossier_id: DossierId, who: Who, s: S) -> None:
        """Delete a dossier and its personal data (GDPR)."""
        db.delete_dossier(s, who, dossier_id)

    @app.get(f"{v1}/dossiers/{{dossier_id}}/export")
    def export_dossier(dossier_id: DossierId, who: Who, s: S) -> dict[str, Any]:
        """Everything stored about a dossier, with its audit trail (GDPR access)."""
        return db.export_dossier(s, who, dossier_id)

    app.include_router(build_web_router(state, engine, results))
    mount_static(app)
    return app


def app_from_env() -> FastAPI:
    """Application factory for ``uvicorn --factory`` (one per worker process): the twin from
    ``WIJK_TWIN`` (a twin.parquet), the database from ``WIJK_DB_URL``."""
    import os
    from pathlib import Path as FilePath

    from buildings.twin import read_twin, read_twin_sectors

    twin = read_twin(FilePath(os.environ["WIJK_TWIN"]))
    sectors = read_twin_sectors(FilePath(os.environ["WIJK_TWIN"]))
    folder = os.environ.get("WIJK_RESULTS")
    results = load_results(FilePath(folder)) if folder else None
    # one policy for everything the service shows: that of the results it serves
    state = service.load_state(
        twin, sectors=sectors, policy=None if results is None else results.policy
    )
    return create_app(state, db_url=os.environ.get("WIJK_DB_URL"), results=results)


__all__ = [
    "MAX_BODY_BYTES",
    "ErrorOut",
    "Problem",
    "TrajectoryRequest",
    "app_from_env",
    "create_app",
]

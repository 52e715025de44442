"""The application: :func:`create_app` puts the routers (:mod:`api.http.routes`), the error
shape (:mod:`api.http.errors`) and the web page (:mod:`api.web`) together for one loaded
service; :func:`app_from_env` is each worker process's factory for ``uvicorn --factory``.

Public, non-personal routes (no token): address search, the dwelling card, the trajectory of a
dwelling with a resident's corrections (computed, never stored), the neighbourhood map, the
collective-renovation clusters and the municipality's LEKP figures. Personal data -- the
climate-table dossiers -- need a token (``Authorization: Bearer wijk_...``) of the dossier's
municipality; every dossier read and write is audited (:mod:`api.db`).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from api import db, service
from api.http.deps import Context
from api.http.errors import ERROR_RESPONSES, install_error_handlers
from api.http.openapi import install_openapi
from api.http.routes import ROUTERS
from api.http.security import install_security_headers
from api.http.settings import Settings
from api.web import build_docs_router, build_web_router, mount_static
from scenarios.heat.results import HeatResults, load_heat_results
from scenarios.results import ScenarioResults, load_results


def create_app(
    state: service.ServiceState,
    engine: Engine | None = None,
    db_url: str | None = None,
    results: ScenarioResults | None = None,
    heat: HeatResults | None = None,
) -> FastAPI:
    """The application for a loaded :class:`api.service.ServiceState`, a dossier database
    (an engine, or a URL; default the SQLite file of :data:`api.db.DEFAULT_DB`) and, optionally,
    the results of a scenario run (:func:`scenarios.results.load_results`) and of a heat plan
    (:func:`scenarios.heat.results.load_heat_results`).

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
        # /docs and /redoc from vendored assets, under the strict CSP (api.web.docs)
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = Context(state=state, engine=engine, results=results, heat=heat)
    install_error_handlers(app)
    install_openapi(app, list(state.catalogue.ids))
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(build_web_router(state, engine, results, heat))
    app.include_router(build_docs_router())
    mount_static(app)
    install_security_headers(app)  # outermost, 500s too: CSP & co. (api.http.security)
    return app


def app_from_env(settings: Settings | None = None) -> FastAPI:
    """Application factory for ``uvicorn --factory`` (one per worker process): the twin, the
    database and the results of :class:`api.http.settings.Settings` (``WIJK_*``)."""
    from buildings.twin import read_twin, read_twin_sectors

    s = Settings() if settings is None else settings  # type: ignore[call-arg]  # from the env
    twin = read_twin(s.twin)
    sectors = read_twin_sectors(s.twin)
    results = load_results(s.results) if s.results is not None else None
    heat = load_heat_results(s.warmte) if s.warmte is not None else None
    # one policy for everything the service shows: that of the results it serves
    state = service.load_state(
        twin, sectors=sectors, policy=None if results is None else results.policy
    )
    return create_app(state, db_url=s.db_url, results=results, heat=heat)


__all__ = ["app_from_env", "create_app"]

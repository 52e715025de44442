"""Property-based fuzzing of the HTTP API from its own OpenAPI schema (schemathesis).

Schemathesis reads ``/openapi.json`` from the ASGI app and, for every operation, generates
requests that fit the schema (positive) and requests that break it (negative: wrong types,
missing fields, values out of range, odd characters). No answer may be a 5xx -- "bad input never
gives a 500" (:mod:`api.http`) -- and every answer must have a status code, content type and body
that the schema documents.

The run is bounded and reproducible: ``derandomize`` (the examples are a function of the test
alone), no example database, :data:`MAX_EXAMPLES` per operation and mode. Dossier routes get a
valid facilitator token of 36011; for half of the positive cases the generated dossier id is
replaced by the id of a dossier that exists, so update, delete and export see fuzzed bodies on
real rows, not only 404s.

The pytest plugin of schemathesis (``schemathesis.pytest.from_fixture``) does not run under
pytest 9, so each operation is an ordinary parametrized test driving
``APIOperation.as_strategy`` through hypothesis; a separate test checks that the list of
operations here is the one in the schema, so a new route cannot escape the fuzzing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import CoverageScenario
from schemathesis.specs.openapi.checks import missing_required_header
from sqlalchemy.engine import Engine

from api import db, service
from api.http import create_app
from api.schemas import DossierIn
from tests.conftest import DemoHeat

#: Examples per operation and generation mode: about 25 s for the file on 2 cores.
MAX_EXAMPLES = 25
MUNICIPALITY = "36011"

OPERATIONS = [
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/addresses"),
    ("GET", "/api/v1/dwellings/{dwelling_id}/card"),
    ("POST", "/api/v1/dwellings/{dwelling_id}/trajectory"),
    ("GET", "/api/v1/sectors"),
    ("GET", "/api/v1/scenario"),
    ("GET", "/api/v1/scenario/indicators"),
    ("GET", "/api/v1/clusters"),
    ("GET", "/api/v1/municipalities/{nis}/lekp"),
    ("GET", "/api/v1/municipalities/{nis}"),
    ("POST", "/api/v1/dossiers"),
    ("GET", "/api/v1/dossiers"),
    ("GET", "/api/v1/dossiers/{dossier_id}"),
    ("PATCH", "/api/v1/dossiers/{dossier_id}"),
    ("DELETE", "/api/v1/dossiers/{dossier_id}"),
    ("GET", "/api/v1/dossiers/{dossier_id}/export"),
    ("GET", "/api/v1/warmte"),
    ("GET", "/api/v1/warmte/zones"),
    ("GET", "/api/v1/warmte/cabines"),
]

#: Operations without parameters or body: nothing to make invalid, so only positive cases.
NO_INPUT = {("GET", "/api/v1/health"), ("GET", "/api/v1/scenario"), ("GET", "/api/v1/warmte")}
CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or (method, path) not in NO_INPUT
]

#: Checks that do not hold for a route, with the reason (every other check runs everywhere; the
#: schema documents the catalogue's measures for ``order``, the range of every correction and
#: which fields of a dossier update may be null -- see api/http/openapi.py, api/schemas.py).
#: KNOWN DEVIATION: a dossier update or delete without ``If-Match`` gets 428 Precondition
#: Required (RFC 6585, the status made for it); schemathesis expects 400/422 for a missing
#: required header.
EXCLUDED: dict[str, dict[str, list[Any]]] = {
    "PATCH": {"/api/v1/dossiers/{dossier_id}": [missing_required_header]},
    "DELETE": {"/api/v1/dossiers/{dossier_id}": [missing_required_header]},
}

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@dataclass
class FuzzEnv:
    """The schema loaded from the app, and a facilitator of :data:`MUNICIPALITY`."""

    schema: schemathesis.BaseSchema
    engine: Engine
    token: str
    principal: db.Principal
    dwellings: list[str]
    cases: int = 0
    #: paths whose undocumented methods the coverage phase has tried
    methods_tried: set[str] = field(default_factory=set)

    def every_other(self) -> bool:
        """True for every second case: the examples come in a fixed order, so this does too."""
        self.cases += 1
        return self.cases % 2 == 0

    def new_dossier(self) -> str:
        """Save a dossier of the facilitator's municipality and return its id."""
        with db.session_scope(self.engine) as s:
            out = db.create_dossier(
                s,
                self.principal,
                DossierIn(municipality_nis=MUNICIPALITY, dwelling_id="W-FUZZ", notes="fuzz"),
            )
        return out.id


@pytest.fixture(scope="module")
def env(
    demo_twin: gpd.GeoDataFrame,
    demo_state: service.ServiceState,
    demo_heat: DemoHeat,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[FuzzEnv]:
    from scenarios.heat.pipeline import demo_cabins, run_heat_plan
    from scenarios.heat.results import load_heat_results

    folder = tmp_path_factory.mktemp("fuzz")
    path: Path = folder / "wijk.sqlite"
    # a heat plan with its years and cabins, so the /warmte routes answer from data
    cabins = demo_cabins(demo_heat.twin, folder / "cabines.gpkg")
    plan = run_heat_plan(
        demo_heat.twin_path, folder / "warmte", cabins=cabins, runs=5, twin=demo_heat.twin
    )
    engine = db.make_engine(f"sqlite:///{path}")
    db.migrate(engine)
    with db.session_scope(engine) as s:
        token = db.create_token(s, "Fuzz", "facilitator", [MUNICIPALITY])
    with db.session_scope(engine) as s:
        who = db.authenticate(s, token)
    assert who is not None
    app = create_app(demo_state, engine=engine, heat=load_heat_results(plan.out_dir))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    # A dossier update or delete without its required If-Match header is refused with 428
    # Precondition Required (RFC 6585; api/http/routes/dossiers.py): a rejection of a missing
    # header as much as the statuses schemathesis expects by default.
    missing_header = schema.config.checks.missing_required_header
    missing_header.expected_statuses = [*missing_header.expected_statuses, "428"]
    # a house and an apartment, so trajectories are computed on fuzzed corrections
    houses = demo_twin[demo_twin["attachment"] != "apartment"]["dwelling_id"].sort_values()
    flats = demo_twin[demo_twin["attachment"] == "apartment"]["dwelling_id"].sort_values()
    dwellings = [str(houses.iloc[0]), str(flats.iloc[0])]
    yield FuzzEnv(schema, engine, token, who, dwellings)
    engine.dispose()


def test_every_operation_of_the_schema_is_fuzzed(env: FuzzEnv) -> None:
    found = []
    for result in env.schema.get_all_operations():
        assert isinstance(result, Ok), result  # an Err is a definition schemathesis cannot read
        found.append((result.ok().method.upper(), result.ok().path))
    assert sorted(found) == sorted(OPERATIONS)


def _aim_at_existing_objects(case: Case, env: FuzzEnv) -> None:
    """Point about half of the positive cases at things that exist, so that they get past the
    404 into the computation and the database: random ids almost never name a dwelling, a
    municipality of the twin or a dossier."""
    if not env.every_other():
        return
    path = dict(case.path_parameters or {})
    if "dwelling_id" in path:
        path["dwelling_id"] = env.dwellings[env.cases // 2 % len(env.dwellings)]
    if "nis" in path:
        path["nis"] = MUNICIPALITY
    if "dossier_id" in path:
        path["dossier_id"] = env.new_dossier()
        if case.headers and any(k.lower() == "if-match" for k in case.headers):
            # the version of the fresh dossier, so updates and deletes get past the 409
            headers = case.headers.copy()
            headers["If-Match"] = "1"  # case-insensitive: replaces the generated one
            case.headers = headers
    if path:
        case.path_parameters = path
    if isinstance(case.body, dict) and "municipality_nis" in case.body:
        case.body = {**case.body, "municipality_nis": MUNICIPALITY}


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_no_input_gives_a_server_error(
    env: FuzzEnv, method: str, path: str, mode: GenerationMode
) -> None:
    operation = env.schema[path][method]
    dossier_route = path.startswith("/api/v1/dossiers")

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: Case) -> None:
        if dossier_route:
            headers = case.headers.copy()
            headers["authorization"] = f"Bearer {env.token}"  # whatever was generated for it
            case.headers = headers
        if mode is GenerationMode.POSITIVE:
            _aim_at_existing_objects(case, env)
        case.call_and_validate(excluded_checks=EXCLUDED.get(method, {}).get(path, []))

    fuzz()


#: Coverage-phase cases per operation (schemathesis's deterministic boundary cases: values at
#: and past every limit, missing and extra parameters), besides every undocumented method.
MAX_COVERAGE_CASES = 12


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_boundaries_and_undocumented_methods_conform(env: FuzzEnv, method: str, path: str) -> None:
    """Schemathesis's coverage phase, with every check: the first :data:`MAX_COVERAGE_CASES`
    boundary cases of each operation and every request with a method the path does not have
    (405 with an ``Allow`` header, ``unsupported_method``; each path's methods come once, with
    its first operation)."""
    operation = env.schema[path][method]
    config = env.schema.config.generation_for(operation=operation, phase="coverage")
    cases = env.schema.iter_coverage_cases(
        operation,
        generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        generation_config=config,
    )
    failures = []
    boundary = 0
    for case in cases:
        scenario = getattr(case.meta.phase.data, "scenario", None) if case.meta else None
        if scenario != CoverageScenario.UNSPECIFIED_HTTP_METHOD:
            boundary += 1
            if boundary > MAX_COVERAGE_CASES:
                continue
        else:
            env.methods_tried.add(path)
        if path.startswith("/api/v1/dossiers"):
            headers = case.headers.copy()
            headers["authorization"] = f"Bearer {env.token}"
            case.headers = headers
        try:
            case.call_and_validate(excluded_checks=EXCLUDED.get(method, {}).get(path, []))
        except AssertionError as exc:  # schemathesis's FailureGroup
            failures.append(str(exc)[:2000])
    assert not failures, "\n\n".join(failures[:3])
    # each path's undocumented methods were tried, here or with an earlier operation of the path
    assert path in env.methods_tried

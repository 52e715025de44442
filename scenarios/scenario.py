"""The scenario file: what happens to a town's dwellings over time (YAML, schema version 1).

A scenario names the digital twin, the measures catalogue and the policy to use, the time
horizon, the trajectory candidates per dwelling, the uptake model (renovation and sale rates),
collective programmes, klimaattafels, the uncertainty runs and the output. The schema is
documented field by field in ``docs/scenario_schema.md``; ``scenarios/data/scenario_lichtervelde.yaml``
is a complete example.

:func:`load_scenario` reads and validates a file together with the catalogue and policy it
names (measure ids, premium rules, years against the horizon, and those files' own problems);
:func:`parse_scenario` validates data already read into Python objects; :func:`check_scenario`
cross-checks a valid scenario against the twin, the catalogue and the policy. Each collects every
problem and raises one :class:`sim.errors.InputError`, the problems in line order, each named by
its place in the file (``uptake.sale_rate (regel 23): moet ≤ 1 zijn``) with a Dutch message. YAML
is read by :mod:`scenarios.io_yaml` (syntax errors in Dutch, with their line).

Notes
-----
* Paths in the file (``twin`` unless ``"demo"``, ``sectors``, ``catalogue``, ``policy``) are
  relative to the scenario file's folder and stored as absolute :class:`~pathlib.Path` objects.
* Missing optional sections take their defaults: ``prices.multiplier`` 1 for every carrier,
  ``collective_programmes`` none, ``uncertainty.runs`` 0 (the central run only),
  ``output.years`` ``[horizon.end]``. Shares that are not listed (``income_categories``,
  ``uptake.tenure_shares``) are 0; without ``income_categories`` the households follow the
  policy's Flemish shares per premium category (:meth:`Scenario.income_shares`).
* Uncertainty (:meth:`Scenario.parameter_draws`): run 0 is the central run (each factor at the
  central value of its distribution, 1 when not given); runs 1..R draw every given factor from
  one generator ``numpy.random.default_rng([seed, 1])``, factor after factor in the order of
  ``PARAMETER_NAMES``, so the same seed gives the same draws.
"""

from __future__ import annotations

import difflib
import itertools
import math
import types
import typing
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import numpy as np
from numpy.typing import NDArray
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from scenarios.catalogue import Attachment, Catalogue, load_catalogue
from scenarios.io_yaml import (
    FileProblems,
    line_of,
    place_with_line,
    pydantic_message_nl,
    read_yaml_file,
)
from scenarios.policy import (
    INCOME_CATEGORIES,
    Label,
    Policy,
    _one_of,
    load_policy,
    premium_measure_problems,
)
from sim.carriers import CARRIERS
from sim.errors import InputError, Problem, Problems
from sim.stock import DWELLING_COLUMNS

#: The scenario schema version this tool reads.
SCHEMA_VERSION: int = 1
#: Attachment types of the twin (``renovation_rate`` needs one value per type).
ATTACHMENTS: tuple[str, ...] = typing.get_args(Attachment)
#: Tenure types (``tenure_shares``, ``tenure_factor`` and the twin's optional ``tenure`` column).
TENURES: tuple[str, ...] = ("owner", "private_rent", "social_rent")
#: Uncertain factors, in the order they are drawn (see :meth:`Scenario.parameter_draws`).
PARAMETER_NAMES: tuple[str, ...] = (
    "energy_price_factor",
    "co2_electricity_factor",
    "investment_cost_factor",
    "uptake_factor",
    "sale_rate_factor",
)
#: Chart formats of the output.
CHART_FORMATS: tuple[str, ...] = ("png", "svg")
#: Columns a twin needs for a scenario run (identity, grouping, uptake and every core input).
REQUIRED_TWIN_COLUMNS: tuple[str, ...] = (
    "dwelling_id",
    "building_id",
    "sector_id",
    "attachment",
    "construction_year",
    *DWELLING_COLUMNS,
)

_SHARE_TOLERANCE = 1e-6
_PATH_FIELDS = ("twin", "sectors", "catalogue", "policy")
_DISTRIBUTIONS = ("uniform", "triangular", "normal", "lognormal")


# ---------------------------------------------------------------------- small types
def _suggest(word: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    if close:
        return f"bedoelde u '{close[0]}'?"
    return f"geldig zijn: {', '.join(allowed)}"


def _closed_key(allowed: Sequence[str], what: str) -> Any:
    """Validator for a dict key from a closed set, with a suggestion for a typo."""

    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError(
                "scenario_key", f"onbekende {what}; {_suggest(value, allowed)}"
            )
        return value

    return AfterValidator(check)


def _shares(values: dict[str, float]) -> dict[str, float]:
    total = math.fsum(values.values())
    if abs(total - 1.0) > _SHARE_TOLERANCE:
        raise PydanticCustomError(
            "scenario_sum", f"de aandelen moeten samen 1 zijn, nu {total:.6g}"
        )
    return values


def _complete(keys: Sequence[str], default: float) -> Any:
    """Fill the keys that are not given with ``default`` (after validation)."""

    def fill(values: dict[str, float]) -> dict[str, float]:
        return {k: values.get(k, default) for k in keys}

    return AfterValidator(fill)


def _all_keys(keys: Sequence[str]) -> Any:
    def check(values: dict[str, float]) -> dict[str, float]:
        missing = [k for k in keys if k not in values]
        if missing:
            raise PydanticCustomError(
                "scenario_missing", f"ontbrekende sleutel(s): {', '.join(missing)}"
            )
        return {k: values[k] for k in keys}

    return AfterValidator(check)


Year = Annotated[int, Field(ge=2000, le=2100)]
Probability = Annotated[float, Field(ge=0, le=1)]
NonNeg = Annotated[float, Field(ge=0)]
CarrierKey = Annotated[str, _closed_key(CARRIERS, "energiedrager")]
IncomeKey = Annotated[str, _closed_key(INCOME_CATEGORIES, "premiecategorie")]
TenureKey = Annotated[str, _closed_key(TENURES, "eigendomsvorm")]
AttachmentKey = Annotated[str, _closed_key(ATTACHMENTS, "bebouwingstype")]
ParameterKey = Annotated[str, _closed_key(PARAMETER_NAMES, "onzekere parameter")]
ChartFormat = Annotated[str, _one_of(CHART_FORMATS, "onbekend grafiekformaat")]


def _resolve(value: Any, info: ValidationInfo) -> Path:
    if not isinstance(value, str | Path) or not str(value).strip():
        raise PydanticCustomError("scenario_path", "moet een bestandspad (tekst) zijn")
    path = Path(value).expanduser()
    base = (info.context or {}).get("base_dir")
    if not path.is_absolute():
        path = Path(base if base is not None else Path.cwd()) / path
    return path.resolve()


def _twin_ref(value: Any, info: ValidationInfo) -> Path | Literal["demo"]:
    if value == "demo":
        return "demo"
    return _resolve(value, info)


def _optional_path(value: Any, info: ValidationInfo) -> Path | None:
    return None if value is None else _resolve(value, info)


def _sector_list(value: Any) -> list[str] | Literal["all"] | None:
    if value is None or value == "all":
        return value
    if not isinstance(value, list) or not value:
        raise PydanticCustomError(
            "scenario_sectors", "moet 'all' of een niet-lege lijst van sectorcodes zijn"
        )
    bad = [i for i, s in enumerate(value) if not isinstance(s, str) or not s]
    if bad:
        raise PydanticCustomError(
            "scenario_sectors",
            f"sectorcodes moeten tekst zijn (zet ze tussen aanhalingstekens), niet op plaats {bad}",
        )
    return list(value)


TwinRef = Annotated[Path | Literal["demo"], PlainValidator(_twin_ref)]
OptionalPath = Annotated[Path | None, PlainValidator(_optional_path)]
Sectors = Annotated[list[str] | Literal["all"] | None, PlainValidator(_sector_list)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# ---------------------------------------------------------------------- sections
class Horizon(_Model):
    """Simulated years, ``start`` to ``end`` inclusive [a]."""

    start: Year
    end: Year

    @model_validator(mode="after")
    def _order(self) -> Horizon:
        if self.end <= self.start:
            raise PydanticCustomError(
                "scenario_years", f"end ({self.end}) moet na start ({self.start}) liggen"
            )
        return self


class YearSpan(_Model):
    """Years ``start`` to ``end`` inclusive [a]; a single year when they are equal."""

    start: Year
    end: Year

    @model_validator(mode="after")
    def _order(self) -> YearSpan:
        if self.end < self.start:
            raise PydanticCustomError(
                "scenario_years", f"end ({self.end}) mag niet vóór start ({self.start}) liggen"
            )
        return self


class Candidates(_Model):
    """Trajectory candidates: every prefix of every order of measure ids."""

    orders: list[Annotated[list[str], Field(min_length=1)]] = Field(min_length=1)

    def packages(self) -> list[tuple[str, ...]]:
        """Every non-empty prefix of every order, once, in file order (the current state excluded).

        Examples
        --------
        >>> Candidates(orders=[["a", "b"], ["a", "c"]]).packages()
        [('a',), ('a', 'b'), ('a', 'c')]
        """
        seen: dict[tuple[str, ...], None] = {}
        for order in self.orders:
            for k in range(1, len(order) + 1):
                seen.setdefault(tuple(order[:k]), None)
        return list(seen)


class Prices(_Model):
    """Multipliers on the policy's energy prices per carrier [-]; 1 for carriers not listed."""

    multiplier: Annotated[dict[CarrierKey, NonNeg], _complete(CARRIERS, 1.0)] = Field(
        default_factory=lambda: dict.fromkeys(CARRIERS, 1.0)
    )


class AgeBand(_Model):
    """Uptake factor for dwellings built before ``built_before`` (and on/after the previous bound)."""

    built_before: int = Field(ge=1000, le=2100)
    factor: NonNeg


def _increasing_bounds(bands: list[AgeBand]) -> list[AgeBand]:
    bounds = [b.built_before for b in bands]
    if any(b <= a for a, b in itertools.pairwise(bounds)):
        raise PydanticCustomError(
            "scenario_order", f"built_before moet strikt stijgen, nu {bounds}"
        )
    return bands


class Uptake(_Model):
    """When households renovate: base rate, factors, sales and the renovation obligation."""

    renovation_rate: Annotated[dict[AttachmentKey, Probability], _all_keys(ATTACHMENTS)]
    tenure_shares: Annotated[
        dict[TenureKey, NonNeg], _complete(TENURES, 0.0), AfterValidator(_shares)
    ]
    tenure_factor: Annotated[dict[TenureKey, NonNeg], _all_keys(TENURES)]
    age_factor: Annotated[list[AgeBand], AfterValidator(_increasing_bounds)] = Field(
        default_factory=list
    )
    measures_per_renovation: int = Field(ge=1)
    sale_rate: Probability
    obligation_compliance: Probability

    def age_factors(self, construction_year: NDArray[Any]) -> NDArray[np.float64]:
        """Age factor per dwelling [-]: the first band with ``construction_year < built_before``,
        1 on/after the last bound (and for a missing year)."""
        year = np.asarray(construction_year, dtype=np.float64)
        bounds = np.array([b.built_before for b in self.age_factor], dtype=np.float64)
        factors = np.array([b.factor for b in self.age_factor] + [1.0], dtype=np.float64)
        k = np.searchsorted(bounds, year, side="right")
        k[np.isnan(year)] = len(bounds)
        return factors[k]


class Programme(_Model):
    """A collective renovation programme (wijkrenovatie) in given sectors or clusters."""

    name: str = Field(min_length=1)
    sectors: Sectors = None
    clusters: int | None = Field(default=None, ge=1)
    years: YearSpan
    participation: Probability
    target_label: Label
    fossil_free: bool = False
    discount: float | None = Field(default=None, ge=0, le=0.9)

    @model_validator(mode="after")
    def _one_target(self) -> Programme:
        if (self.sectors is None) == (self.clusters is None):
            raise PydanticCustomError(
                "scenario_programme", "geef precies één van 'sectors' of 'clusters'"
            )
        return self


class Klimaattafels(_Model):
    """Klimaattafels: invited households renovate at a higher rate."""

    invitations_per_year: int = Field(ge=0)
    years: YearSpan
    uptake_factor: float = Field(ge=1)


class _Distribution(_Model, ABC):
    """What every distribution of an uncertain factor offers."""

    @abstractmethod
    def central(self) -> float:
        """Value of the central run."""

    @abstractmethod
    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        """``size`` independent draws from ``rng``."""


class Uniform(_Distribution):
    """Uniform on [low, high]."""

    distribution: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if not self.low < self.high:
            raise PydanticCustomError("scenario_distribution", "low moet kleiner zijn dan high")
        return self

    def central(self) -> float:
        return 0.5 * (self.low + self.high)

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        return rng.uniform(self.low, self.high, size)


class Triangular(_Distribution):
    """Triangular on [low, high] with its peak at ``mode``."""

    distribution: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise PydanticCustomError(
                "scenario_distribution", "nodig: low ≤ mode ≤ high en low < high"
            )
        return self

    def central(self) -> float:
        return self.mode

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        return rng.triangular(self.low, self.mode, self.high, size)


class Normal(_Distribution):
    """Normal with ``mean`` and standard deviation ``sd``; draws below 0 are set to 0."""

    distribution: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)

    def central(self) -> float:
        return self.mean

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        return np.maximum(rng.normal(self.mean, self.sd, size), 0.0)


class LogNormal(_Distribution):
    """Log-normal with ``median`` (= exp(mu)) and ``sigma`` of the underlying normal."""

    distribution: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(gt=0)

    def central(self) -> float:
        return self.median

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        return rng.lognormal(math.log(self.median), self.sigma, size)


Distribution = Annotated[
    Uniform | Triangular | Normal | LogNormal, Field(discriminator="distribution")
]


class Uncertainty(_Model):
    """Monte Carlo runs over uncertain factors (``runs = 0``: the central run only)."""

    runs: int = Field(default=0, ge=0, le=1000)
    parameters: dict[ParameterKey, Distribution] = Field(default_factory=dict)


class Output(_Model):
    """What the run reports."""

    years: list[Year] = Field(default_factory=list)
    charts: list[ChartFormat] = Field(default_factory=lambda: list(CHART_FORMATS))
    per_sector_geopackage: bool = True

    @field_validator("years")
    @classmethod
    def _not_empty(cls, years: list[int]) -> list[int]:
        if not years:
            raise PydanticCustomError("scenario_years", "geef minstens één jaar")
        return years


class Scenario(_Model):
    """A validated scenario; see the module notes and ``docs/scenario_schema.md``."""

    schema_version: int
    name: str = Field(min_length=1)
    description: str | None = None
    twin: TwinRef
    sectors: OptionalPath = None
    sector_id_field: str = Field(default="cd_sector", min_length=1)
    catalogue: OptionalPath = None
    policy: OptionalPath = None
    horizon: Horizon
    seed: int = Field(ge=0)
    candidates: Candidates
    # None: the policy's Flemish household shares (income_shares)
    income_categories: (
        Annotated[
            dict[IncomeKey, NonNeg], _complete(INCOME_CATEGORIES, 0.0), AfterValidator(_shares)
        ]
        | None
    ) = None
    prices: Prices = Field(default_factory=Prices)
    uptake: Uptake
    collective_programmes: list[Programme] = Field(default_factory=list)
    klimaattafels: Klimaattafels | None = None
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    output: Output = Field(default_factory=Output)

    # key path -> line in the YAML file (empty when not loaded from a file)
    _lines: dict[tuple[int | str, ...], int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in ("prices", "uncertainty", "output", "collective_programmes"):
            if key in data and data[key] is None:
                del data[key]  # an empty section in YAML (`output:`) means its defaults
        horizon = data.get("horizon")
        output = data.get("output", {})
        end = horizon.get("end") if isinstance(horizon, dict) else None
        if isinstance(output, dict) and output.get("years") is None and isinstance(end, int):
            data["output"] = {**output, "years": [end]}
        return data

    @field_validator("schema_version")
    @classmethod
    def _version(cls, v: int) -> int:
        if v != SCHEMA_VERSION:
            raise PydanticCustomError(
                "scenario_version",
                f"schemaversie {v} wordt niet ondersteund; deze wijkrenovatietool leest "
                f"schemaversie {SCHEMA_VERSION}",
            )
        return v

    @field_validator("collective_programmes")
    @classmethod
    def _unique_names(cls, programmes: list[Programme]) -> list[Programme]:
        names = [p.name for p in programmes]
        double = sorted({n for n in names if names.count(n) > 1})
        if double:
            raise PydanticCustomError(
                "scenario_unique", f"programmanamen moeten uniek zijn; dubbel: {', '.join(double)}"
            )
        return programmes

    def parameter_draws(self, runs: int | None = None) -> dict[str, NDArray[np.float64]]:
        """Factor values per run, for each of ``PARAMETER_NAMES``.

        Parameters
        ----------
        runs : int, optional
            Number of sampled runs; default ``uncertainty.runs``.

        Returns
        -------
        dict of str to ndarray, shape (runs + 1,)
            Element 0 is the central value (1 for a factor without a distribution), elements
            1.. are draws from ``numpy.random.default_rng([seed, 1])``, taken factor after factor
            in ``PARAMETER_NAMES`` order (a factor without a distribution draws nothing and stays 1).
        """
        n = self.uncertainty.runs if runs is None else int(runs)
        if n < 0:
            problems = Problems("onzekerheidsanalyse")
            problems.add("runs", "moet ≥ 0 zijn")
            problems.raise_if_any()
        rng = np.random.default_rng([self.seed, 1])
        out: dict[str, NDArray[np.float64]] = {}
        for name in PARAMETER_NAMES:
            dist = self.uncertainty.parameters.get(name)
            values = np.ones(n + 1, dtype=np.float64)
            if dist is not None:
                values[0] = dist.central()
                values[1:] = dist.sample(rng, n)
            out[name] = values
        return out

    def income_shares(self, policy: Policy) -> dict[str, float]:
        """Share of households per premium category (``INCOME_CATEGORIES``): the scenario's
        ``income_categories`` when given, else the policy's Flemish shares."""
        if self.income_categories is not None:
            return dict(self.income_categories)
        return policy.premiums.shares()

    def place(self, loc: Sequence[int | str]) -> str:
        """``loc`` as written in messages, with its line in the file when known."""
        return place_with_line(loc, self._lines)


# ---------------------------------------------------------------------- places and messages
def _unwrap(tp: Any) -> list[Any]:
    """The concrete types behind Annotated / Optional / unions."""
    if typing.get_origin(tp) is Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if typing.get_origin(tp) in (Union, types.UnionType):
        return [t for arg in typing.get_args(tp) for t in _unwrap(arg)]
    return [tp]


def _valid_keys(loc: Sequence[int | str]) -> list[str]:
    """Field names of the model(s) at ``loc`` in the scenario, for key suggestions."""
    current: list[Any] = [Scenario]
    for part in loc:
        following: list[Any] = []
        for tp in (t for c in current for t in _unwrap(c)):
            origin = typing.get_origin(tp)
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                if isinstance(part, str) and part in tp.model_fields:
                    following.append(tp.model_fields[part].annotation)
                elif part in _DISTRIBUTIONS:  # discriminator tag in pydantic's location
                    following.append(tp)
            elif origin is list and isinstance(part, int):
                following.append(typing.get_args(tp)[0])
            elif origin is dict:
                following.append(typing.get_args(tp)[1])
        current = following
    keys: list[str] = []
    for tp in (t for c in current for t in _unwrap(c)):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            keys += [k for k in tp.model_fields if k not in keys]
    return keys


def _clean_loc(loc: Sequence[int | str]) -> tuple[int | str, ...]:
    """Drop pydantic's discriminator tag from locations inside ``uncertainty.parameters``."""
    out = tuple(loc)
    if len(out) > 3 and out[:2] == ("uncertainty", "parameters") and out[3] in _DISTRIBUTIONS:
        out = out[:3] + out[4:]
    return out


def _scenario_message(err: Mapping[str, Any]) -> str:
    if err["type"] == "extra_forbidden":
        loc = _clean_loc(err["loc"])
        valid = _valid_keys(loc[:-1])
        return (
            f"onbekende sleutel; {_suggest(str(loc[-1]), valid)}" if valid else "onbekende sleutel"
        )
    return pydantic_message_nl(err)


# ---------------------------------------------------------------------- loading
def _validate(data: Any, problems: FileProblems, base_dir: Path) -> Scenario | None:
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        for err in exc.errors():
            problems.at(_clean_loc(err["loc"]), _scenario_message(err))
        return None
    scenario._lines = dict(problems.lines)
    return scenario


def parse_scenario(
    data: Any, what: str = "scenario", base_dir: str | Path | None = None
) -> Scenario:
    """Validate a scenario already read into Python objects.

    Parameters
    ----------
    data : Any
        The scenario as read from YAML/JSON (a mapping).
    what : str
        Name of the input in the error header (e.g. ``"scenariobestand x.yaml"``).
    base_dir : str or Path, optional
        Folder that relative paths are resolved against; default the working directory.

    Raises
    ------
    InputError
        With every problem, each named by its place (``uptake.sale_rate: moet ≤ 1 zijn``).
        Referenced files are not checked here (see :func:`load_scenario`).
    """
    problems = FileProblems(what)
    base = Path.cwd() if base_dir is None else Path(base_dir)
    scenario = _validate(data, problems, base.resolve())
    problems.raise_if_any()
    if scenario is None:  # pragma: no cover - pydantic failed, so problems were raised
        raise RuntimeError("scenario validation failed without problems")
    return scenario


def _referenced_file(data: Any, key: str, base_dir: Path) -> Path | None:
    """The path the scenario names under ``key``, resolved against its folder (None when the key
    is absent, ``demo`` or not a path; the path need not exist)."""
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value.strip() or (key == "twin" and value == "demo"):
        return None
    path = Path(value).expanduser()
    return (path if path.is_absolute() else base_dir / path).resolve()


def _missing_files(data: Any, base_dir: Path, problems: FileProblems) -> None:
    for key in _PATH_FIELDS:
        path = _referenced_file(data, key, base_dir)
        if path is None:
            continue
        if not path.exists():
            problems.at((key,), f"bestand niet gevonden: {path}")
        elif path.is_dir():
            problems.at((key,), f"is een map, geen bestand: {path}")
        elif not path.is_file():
            problems.at((key,), f"is geen gewoon bestand (een apparaat, pijp of socket): {path}")


def _load_references(
    data: Any, base_dir: Path, problems: FileProblems
) -> tuple[Catalogue | None, Policy | None]:
    """The catalogue and policy the scenario names (the shipped ones when it names none).

    Their own problems join the scenario's, at the line of ``catalogue:`` / ``policy:``; a file
    that is named but missing was reported by :func:`_missing_files` and gives None.
    """
    loaded: dict[str, Any] = {}
    for key, load in (("catalogue", load_catalogue), ("policy", load_policy)):
        named = isinstance(data, dict) and data.get(key) is not None
        path = _referenced_file(data, key, base_dir) if named else None
        if named and (path is None or not path.is_file()):
            loaded[key] = None
            continue
        try:
            loaded[key] = load(path)
        except InputError as exc:
            loaded[key] = None
            field = place_with_line((key,), problems.lines) if named else f"({key})"
            problems.extend(
                (Problem(field, f"{exc.what}: {p}") for p in exc.problems),
                line=line_of((key,), problems.lines),
            )
    return loaded["catalogue"], loaded["policy"]


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file, with the catalogue and policy it names.

    Relative paths in the file are resolved against the file's folder; the files they name must
    exist. The measure ids of ``candidates.orders`` are checked against the catalogue in use
    (the one named under ``catalogue``, else the shipped one) and the policy's premium rules,
    and the years of programmes, klimaattafels and output against the horizon: every check of
    :func:`check_scenario` that does not need the twin. Everything is reported at once.

    Parameters
    ----------
    path : str or Path
        The scenario file.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        With every problem found, in line order, each with its place and line
        (``uptake.sale_rat (regel 22): onbekende sleutel; bedoelde u 'sale_rate'?``); also for
        a missing file, a YAML syntax error (in Dutch, with its line) and problems in the
        catalogue or policy file it names (with their place and line in that file).
    """
    file = Path(path).expanduser().resolve()
    problems = FileProblems(f"scenariobestand {file}")
    doc = read_yaml_file(file, problems)
    if doc is None:
        problems.raise_if_any()
        raise RuntimeError("unreadable scenario file without problems")  # pragma: no cover
    data = doc.data
    scenario = _validate(data, problems, file.parent)
    _missing_files(data, file.parent, problems)
    catalogue, policy = _load_references(data, file.parent, problems)
    if isinstance(data, dict):
        _reference_problems(data, catalogue, policy, problems.at)
        # the twin's checks in the same round, where the twin is a file that can be peeked at
        # (the demo town is built at run time: its checks come with the run)
        twin = _referenced_file(data, "twin", file.parent)
        if twin is not None and twin.is_file():
            peeked = _peek_twin(twin)
            if isinstance(peeked, str):
                problems.at(("twin",), peeked)
            else:
                _twin_problems(data, *peeked, problems.at)
    problems.raise_if_any()
    if scenario is None:  # pragma: no cover - pydantic failed, so problems were raised
        raise RuntimeError("scenario validation failed without problems")
    return scenario


# ---------------------------------------------------------------------- cross-checks
At = Callable[[tuple[int | str, ...], str], None]


def _year(value: Any) -> int | None:
    """``value`` as a valid scenario year, as pydantic would read it; None when it is not one
    (pydantic reports that)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 2000 <= value <= 2100 else None


def _reference_problems(
    data: Mapping[str, Any], catalogue: Catalogue | None, policy: Policy | None, at: At
) -> None:
    """Checks against the catalogue, the policy and the horizon, on the raw data (so they run
    whether or not the rest of the file is valid; values of the wrong type are left to the
    schema): measure ids of ``candidates.orders`` (known to the catalogue, once per order), the
    policy's premium entries against the catalogue (at the scenario's ``policy`` key; a measure
    without an entry gets no premium) and years within the horizon."""
    candidates = data.get("candidates")
    orders = candidates.get("orders") if isinstance(candidates, dict) else None
    known = catalogue.ids if catalogue is not None else None
    if catalogue is not None and policy is not None:
        for problem in premium_measure_problems(policy, catalogue):
            at(("policy",), f"beleidsbestand: {problem.field}: {problem.message}")
    for i, order in enumerate(orders if isinstance(orders, list) else []):
        first: dict[str, int] = {}
        for j, mid in enumerate(order if isinstance(order, list) else []):
            if not isinstance(mid, str):
                continue
            loc = ("candidates", "orders", i, j)
            if known is not None and mid not in known:
                hint = difflib.get_close_matches(mid, known, n=1, cutoff=0.6)
                guess = f"bedoelde u '{hint[0]}'? " if hint else ""
                at(loc, f"onbekende maatregel '{mid}'; {guess}bekend zijn: {', '.join(known)}")
            if mid in first:
                at(loc, f"maatregel '{mid}' staat al op plaats [{first[mid]}] van deze volgorde")
            else:
                first[mid] = j

    horizon = data.get("horizon")
    start = _year(horizon.get("start")) if isinstance(horizon, dict) else None
    end = _year(horizon.get("end")) if isinstance(horizon, dict) else None
    if start is None or end is None or end <= start:
        return  # the schema reports the horizon
    span = f"de horizon {start}-{end}"

    def within(loc: tuple[int | str, ...], years: Any) -> None:
        if not isinstance(years, dict):
            return
        a, b = _year(years.get("start")), _year(years.get("end"))
        if a is not None and b is not None and a <= b and (a < start or b > end):
            at(loc, f"{a}-{b} valt buiten {span}")

    programmes = data.get("collective_programmes")
    for i, programme in enumerate(programmes if isinstance(programmes, list) else []):
        if isinstance(programme, dict):
            within(("collective_programmes", i, "years"), programme.get("years"))
    klimaattafels = data.get("klimaattafels")
    if isinstance(klimaattafels, dict):
        within(("klimaattafels", "years"), klimaattafels.get("years"))
    output = data.get("output")
    years = output.get("years") if isinstance(output, dict) else None
    for k, value in enumerate(years if isinstance(years, list) else []):
        year = _year(value)
        if year is not None and not start <= year <= end:
            at(("output", "years", k), f"{year} valt buiten {span}")


def check_scenario(
    scenario: Scenario,
    twin_columns: Sequence[str],
    sector_ids: Sequence[str],
    catalogue: Catalogue,
    policy: Policy,
) -> None:
    """Cross-check a scenario against the twin, its sectors, the catalogue and the policy.

    :func:`load_scenario` already made the checks that do not need the twin (measures, years),
    with the catalogue and policy the file names; they are repeated here for a scenario built in
    memory (:func:`parse_scenario`) or run with another catalogue or policy.

    Parameters
    ----------
    scenario : Scenario
    twin_columns : sequence of str
        Columns of the twin (``docs/twin_schema.md``).
    sector_ids : sequence of str
        Sector ids of the neighbourhood layer (the twin's ``sector_id`` values).
    catalogue : Catalogue
        The measures catalogue of the run.
    policy : Policy
        The policy of the run.

    Raises
    ------
    InputError
        Once, with every problem in line order: unknown or repeated measures in
        ``candidates.orders``, premium entries of the policy for measures the catalogue lacks
        (:func:`scenarios.policy.premium_measure_problems`; a measure without an entry gets no
        premium), years outside the
        horizon, unknown programme sectors, twin columns that are missing.
    """
    problems = FileProblems(f"scenario '{scenario.name}'", scenario._lines)
    data = scenario.model_dump()
    _reference_problems(data, catalogue, policy, problems.at)
    _twin_problems(data, twin_columns, sector_ids, problems.at)
    problems.raise_if_any()


def _twin_problems(
    data: Mapping[str, Any], twin_columns: Sequence[str], sector_ids: Sequence[str], at: At
) -> None:
    """Checks against the twin, on the raw data (values of the wrong type are left to the
    schema): the sectors the collective programmes name exist, the twin has the columns a
    run needs."""
    sectors = {str(x) for x in sector_ids}
    programmes = data.get("collective_programmes")
    for i, programme in enumerate(programmes if isinstance(programmes, list) else []):
        named = programme.get("sectors") if isinstance(programme, Mapping) else None
        for j, sector in enumerate(named if isinstance(named, list) else []):
            if isinstance(sector, str) and sector not in sectors:
                shown = ", ".join(sorted(sectors)[:10]) + (" ..." if len(sectors) > 10 else "")
                at(
                    ("collective_programmes", i, "sectors", j),
                    f"onbekende sector '{sector}'; de wijkindeling kent {shown or 'geen sectoren'}",
                )
    columns = set(twin_columns)
    missing = [c for c in REQUIRED_TWIN_COLUMNS if c not in columns]
    if missing:
        at(
            ("twin",),
            f"de digitale tweeling mist kolom(men) {', '.join(missing)}; maak de tweeling met "
            "`wijk twin build` (zie docs/twin_schema.md)",
        )


def _peek_twin(path: Path) -> tuple[list[str], list[str]] | str:
    """The columns and sector ids of a twin file, read from its Parquet metadata and one
    column (no geometry, no rows of the rest); a Dutch message when it is not a twin file."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        columns = list(pq.read_schema(path).names)
        sectors: list[str] = []
        if "sector_id" in columns:
            col = pq.read_table(path, columns=["sector_id"]).column(0)
            # the distinct ids only: a twin of Flanders has 3.3 million rows
            sectors = sorted({str(x) for x in pc.unique(col).to_pylist() if x is not None})
    except (pa.ArrowException, OSError):
        return (
            f"geen leesbaar tweelingbestand: {path}; verwacht het GeoParquet-bestand van "
            "`wijk twin build`"
        )
    return columns, sectors


__all__ = [
    "ATTACHMENTS",
    "CHART_FORMATS",
    "PARAMETER_NAMES",
    "REQUIRED_TWIN_COLUMNS",
    "SCHEMA_VERSION",
    "TENURES",
    "AgeBand",
    "Candidates",
    "Distribution",
    "Horizon",
    "Klimaattafels",
    "LogNormal",
    "Normal",
    "Output",
    "Prices",
    "Programme",
    "Scenario",
    "Triangular",
    "Uncertainty",
    "Uniform",
    "Uptake",
    "YearSpan",
    "check_scenario",
    "load_scenario",
    "parse_scenario",
]

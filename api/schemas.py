"""Input and output models of the service: the trajectory question and the climate-table
dossiers (pydantic v2).

Separate models for what comes in (:class:`DossierIn`, :class:`DossierUpdate`) and what goes
out (:class:`DossierOut`). Every model forbids unknown fields and bounds every string, list and
mapping, so the service rejects stray or oversized payloads with a 422 before it touches the
database.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from scenarios.household import MAX_ORDER_MEASURES, OVERRIDABLE
from scenarios.policy import DEFAULT_INCOME_CATEGORY, IncomeCategory
from sim.stock import CODE_TABLES, DWELLING_FIELDS

#: Ids in paths: what the twin and the dossiers use (letters, digits, ``/``, ``-``, ``_``, ``.``).
ID_PATTERN = r"^[A-Za-z0-9_.\-/]{1,120}$"

Carrier = Literal["natural_gas", "heating_oil", "electricity", "district_heat", "wood_pellets"]
Label = Literal["A+", "A", "B", "C", "D", "E", "F"]


# ---------------------------------------------------------------------- value types
# One set of value types for every body the service reads: numbers are finite and of their
# JSON type (``false`` is not 0, ``"3"`` is not 3, 2.5 is not a code), strings hold no NUL
# (PostgreSQL cannot store it). The messages are Dutch from the first word; their error types
# are pydantic's own where the meaning is the same, so every translator of the project
# (``scenarios.io_yaml.pydantic_message_nl``, the report page) knows them.


def _clean_text(value: str) -> str:
    """No NUL: PostgreSQL cannot store it. (A lone UTF-16 surrogate, ``"\\ud800"``, valid JSON
    but no UTF-8 text, pydantic refuses itself: ``string_unicode``.)"""
    if "\x00" in value:
        raise PydanticCustomError(
            "string_nul", "mag geen NUL-teken (\\u0000) bevatten; laat het weg"
        )
    return value


def _whole_number(value: Any) -> Any:
    """A JSON number that is a whole number (``3`` or ``3.0``), as an int; no flag, no text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "moet een geheel getal zijn")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PydanticCustomError("finite_number", "moet een eindig getal zijn")
        if not value.is_integer():
            raise PydanticCustomError("int_from_float", "moet een geheel getal zijn")
        return int(value)
    return value


#: Text without NUL, as a JSON Schema pattern (so generated data respects it).
TEXT_PATTERN = "^[^\\x00]*$"
_NO_NUL_SCHEMA = Field(json_schema_extra={"pattern": TEXT_PATTERN})
NoNul = AfterValidator(_clean_text)
#: A short text (an id, a measure) of at most 64 characters, without NUL.
ShortText = Annotated[str, StringConstraints(max_length=64), NoNul, _NO_NUL_SCHEMA]

#: A finite JSON number (an integer is a number; ``true``, ``"1"``, NaN and Infinity are not).
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
#: A whole JSON number (``3`` or ``3.0``; not 2.5, not ``true``).
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


def _override_type(key: str) -> Any:
    """The type of one correctable input: its physical range (``sim.stock.DWELLING_FIELDS``,
    the construction year as :func:`scenarios.household.apply_overrides` checks it, with the
    same message) or, for a code, the codes of its table."""
    if key == "construction_year":
        return Annotated[WholeNumber, *_in_range(1500, 2100)]
    spec = _FIELD_SPECS[key]
    if spec.kind == "i":
        codes = tuple(int(c) for c in sorted(set(CODE_TABLES[key][0].tolist())))
        return Annotated[
            WholeNumber,
            AfterValidator(_one_of(codes)),
            Field(json_schema_extra={"enum": list(codes)}),
        ]
    assert spec.lo is not None and spec.hi is not None
    return Annotated[Number, *_in_range(spec.lo, spec.hi, spec.unit, low_open=spec.lo_open)]


def _in_range(low: float, high: float, unit: str = "", low_open: bool = False) -> Any:
    """A range check with the message of ``scenarios.household.apply_overrides`` (an error of
    type ``value_error``, which every translator of the project passes through), documented as
    ``minimum``/``maximum`` in the schema."""
    unit = f" {unit}" if unit else ""
    message = (
        f"moet groter dan {low:g} en hoogstens {high:g}{unit} zijn"
        if low_open
        else f"moet tussen {low:g} en {high:g}{unit} liggen"
    )

    def check(value: float) -> float:
        if value < low or (low_open and value == low) or value > high:
            raise PydanticCustomError("value_error", "{error}", {"error": message})
        return value

    bounds: dict[str, Any] = {"exclusiveMinimum" if low_open else "minimum": low, "maximum": high}
    return (AfterValidator(check), Field(json_schema_extra=bounds))


def _one_of(codes: tuple[int, ...]) -> Any:
    def check(value: int) -> int:
        if value not in codes:
            raise PydanticCustomError(
                "literal_error",
                "moet een van {expected} zijn",
                {"expected": ", ".join(str(c) for c in codes)},
            )
        return value

    return check


_FIELD_SPECS = {f.name: f for f in DWELLING_FIELDS}

if TYPE_CHECKING:
    Overrides = dict[str, float]
else:
    #: A resident's corrections: a plain dict whose keys are those of
    #: :data:`scenarios.household.OVERRIDABLE`, each with its own type and range.
    Overrides = TypedDict(
        "Overrides", {key: _override_type(key) for key in OVERRIDABLE}, total=False
    )
    Overrides.__pydantic_config__ = ConfigDict(extra="forbid")


class TrajectoryRequest(BaseModel):
    """A trajectory question: corrections of the estimate, measured use, target and budget.

    The keys of ``overrides`` are those of :data:`scenarios.household.OVERRIDABLE` (the one
    list of correctable inputs; the OpenAPI schema lists them as the allowed property names).
    """

    model_config = ConfigDict(extra="forbid")

    overrides: Overrides = Field(
        default_factory=dict,
        json_schema_extra={"propertyNames": {"enum": list(OVERRIDABLE)}},
    )
    measured_kwh: dict[Carrier, Annotated[Number, Field(ge=0, le=1e6)]] = Field(
        default_factory=dict, max_length=5
    )
    order: list[ShortText] | None = Field(default=None, max_length=MAX_ORDER_MEASURES)
    target_label: Label = "A"
    budget_eur: Annotated[Number, Field(ge=0, le=1e7)] | None = None
    # Mijn VerbouwPremie category: cat1 (least supported) .. cat4 (most supported)
    income_category: IncomeCategory = DEFAULT_INCOME_CATEGORY

    @field_validator("overrides", mode="before")
    @classmethod
    def _known_inputs(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value  # the type's own check says what is wrong
        unknown = sorted(str(k) for k in value if k not in OVERRIDABLE)
        if unknown:  # the message in Dutch, as the project's own checks give it
            raise PydanticCustomError(
                "unknown_override",
                "kan niet aangepast worden: {unknown}; kies uit {known}",
                {"unknown": ", ".join(unknown), "known": ", ".join(OVERRIDABLE)},
            )
        return value


class PlanStep(BaseModel):
    """One step of the household plan (:data:`scenarios.household.STEP_FIELDS`); step 0 is the
    current state. Money in EUR, energy in kWh/a, CO2 in kg/a; bill and CO2 follow the
    household's expected use, score [kWh/(m²·a)] and label the EPC method."""

    step: int
    measure: str | None
    measure_nl: str
    investment_eur: float | None
    premium_eur: float | None
    net_cost_eur: float | None
    saving_eur: float | None
    saving_kwh: float | None
    co2_kg: float | None
    co2_saving_kg: float | None
    energy_cost_eur: float | None
    heating_need_kwh: float | None
    energy_score_kwh_m2: float | None
    simple_payback_years: float | None
    label: Label


class PlanOption(BaseModel):
    """A combination the optimiser chose: the measures done, net cost [EUR], label, expected CO2
    [kg/a] and energy cost [EUR/a] after them."""

    measures: list[str]
    net_cost_eur: float
    label: Label
    co2_kg: float
    energy_cost_eur: float


class LongTermGoal(BaseModel):
    """The policy's long-term goal: every dwelling at ``label`` or better by ``year``."""

    year: int
    label: Label


class UseCalibration(BaseModel):
    """How the household's measured use set its expected use (or why it did not)."""

    carrier: str
    measured_kwh: float
    estimated_kwh: float
    calibrated: bool
    use_factor: float | None = None
    reason_nl: str | None = None


class TrajectoryAnswer(BaseModel):
    """The household plan (:func:`scenarios.household.household_plan`): what ``wijk trajectory
    --json`` prints for the same question."""

    dwelling_id: str
    year: int
    income_category: IncomeCategory
    target_label: Label
    long_term_goal: LongTermGoal
    steps: list[PlanStep]
    not_applicable: list[str]
    options: dict[Literal["cheapest_to_target", "best_within_budget"], PlanOption | None]
    calibration: UseCalibration | None


class KnownFact(BaseModel):
    """A value of the dwelling with where it comes from (``facts``, ``register``, ``epc``,
    ``epc_default``, ``archetype``, ``drawn``, ``imputed`` ...: ``docs/twin_schema.md``)."""

    value: bool | int | float | str | None
    source: str


class CurrentState(BaseModel):
    """The estimated current state: heating need [kWh/a], EPC score [kWh/(m²·a)] and label
    (with the share of draws per label), expected CO2 [kg/a] and energy cost [EUR/a]."""

    heating_need_kwh: float
    energy_score_kwh_m2: float
    label: Label
    label_probabilities: dict[Label, float]
    co2_kg: float
    energy_cost_eur: float


class DwellingCard(BaseModel):
    """The dwelling card: what is known, with its provenance, and the estimated current state."""

    address: str
    dwelling_id: str
    building_id: str
    municipality: str | None
    municipality_nis: str
    sector_id: str
    sector_name: str | None
    attachment: str
    storeys: int | float | None
    dwellings_in_building: int | float | None
    facts: dict[str, KnownFact]
    heating_system_nl: str
    current: CurrentState


#: NIS code of a Belgian municipality: five digits (Gent 44021, Roeselare 36015).
NisCode = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
MAX_OVERRIDES = 50
MAX_STEPS = 30
MAX_NOTES = 5000

#: Id of a catalogue measure or a variant field.
ShortKey = Annotated[str, StringConstraints(min_length=1, max_length=64), NoNul, _NO_NUL_SCHEMA]
#: The same as a key of a mapping: its schema goes into the mapping's ``propertyNames`` (pydantic
#: would turn a key's pattern into ``patternProperties``, which leaves other keys unchecked).
_Key = Annotated[str, StringConstraints(min_length=1, max_length=64), NoNul]
_KEY_SCHEMA: dict[str, Any] = {
    "propertyNames": {"minLength": 1, "maxLength": 64, "pattern": TEXT_PATTERN}
}
#: A text value of an override (e.g. a heating system code), an address.
OverrideText = Annotated[str, StringConstraints(max_length=200), NoNul, _NO_NUL_SCHEMA]
#: The facilitator's notes.
Notes = Annotated[str, StringConstraints(max_length=MAX_NOTES), NoNul, _NO_NUL_SCHEMA]
#: One override value: a number, a flag, a short text or "unknown" (null). Bool first, so that
#: ``true`` stays a flag and is not read as the number 1; numbers must be finite (JSON has no NaN).
OverrideValue = bool | int | Number | OverrideText | None

_STRICT = ConfigDict(extra="forbid")


class DossierIn(BaseModel):
    """A new dossier, as a facilitator saves it after a klimaattafel.

    ``overrides`` holds what the resident corrected about their dwelling (keys are dwelling or
    variant fields, see ``docs/nomenclature.md``); ``chosen_steps`` the catalogue measures they
    chose, in order.
    """

    model_config = _STRICT

    municipality_nis: NisCode
    dwelling_id: ShortKey
    address_id: ShortText = ""
    address_text: OverrideText = ""
    overrides: dict[_Key, OverrideValue] = Field(
        default_factory=dict, max_length=MAX_OVERRIDES, json_schema_extra=_KEY_SCHEMA
    )
    chosen_steps: list[ShortKey] = Field(default_factory=list, max_length=MAX_STEPS)
    notes: Notes = ""
    klimaattafel_date: date | None = None


def _null_only_for_the_date(schema: dict[str, Any]) -> None:
    """The schema of :class:`DossierUpdate` as the model checks it: a field may be left out, but
    only ``klimaattafel_date`` may be sent as null."""
    for name, prop in schema.get("properties", {}).items():
        if name == "klimaattafel_date" or "anyOf" not in prop:
            continue
        options = [o for o in prop.pop("anyOf") if o != {"type": "null"}]
        prop.pop("default", None)
        if len(options) == 1:
            prop.update({**options[0], **prop})  # the field's own extras win
        else:
            prop["anyOf"] = options


class DossierUpdate(BaseModel):
    """A change to a dossier: only the fields sent are changed.

    ``klimaattafel_date`` may be sent as null to clear it; the other fields may not be null.
    The municipality of a dossier cannot change: moving a dossier would be a write into another
    municipality, so it is not a field here (and, as an unknown field, is rejected).
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=_null_only_for_the_date)

    dwelling_id: ShortKey | None = None
    address_id: ShortText | None = None
    address_text: OverrideText | None = None
    overrides: dict[_Key, OverrideValue] | None = Field(
        default=None, max_length=MAX_OVERRIDES, json_schema_extra=_KEY_SCHEMA
    )
    chosen_steps: list[ShortKey] | None = Field(default=None, max_length=MAX_STEPS)
    notes: Notes | None = None
    klimaattafel_date: date | None = None

    @model_validator(mode="after")
    def _no_null_except_date(self) -> DossierUpdate:
        nulls = sorted(
            name
            for name in self.model_fields_set
            if getattr(self, name) is None and name != "klimaattafel_date"
        )
        if nulls:
            raise ValueError(
                f"{', '.join(nulls)} mag niet leeg (null) zijn; laat het veld weg om het niet te wijzigen"
            )
        return self

    def changes(self) -> dict[str, Any]:
        """The fields that were sent, with their new values."""
        return {name: getattr(self, name) for name in sorted(self.model_fields_set)}


class DossierOut(BaseModel):
    """A dossier as the service returns it; ``created_by`` is the name of the token that made it."""

    model_config = _STRICT

    id: str
    municipality_nis: str
    dwelling_id: str
    address_id: str
    address_text: str
    overrides: dict[str, OverrideValue]
    chosen_steps: list[str]
    notes: str
    klimaattafel_date: date | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int


# ---------------------------------------------------------------------- the other answers
class Health(BaseModel):
    """Whether the service runs, and what it holds."""

    status: Literal["ok"]
    dwellings: int
    municipalities: list[str]


class AddressHit(BaseModel):
    """An address found by the autocomplete, with its dwelling."""

    dwelling_id: str
    address_id: str
    address: str


class Feature(BaseModel):
    """A GeoJSON Feature (EPSG:4326); ``properties`` as the route documents them."""

    model_config = ConfigDict(extra="allow")

    type: Literal["Feature"]
    properties: dict[str, Any]
    geometry: dict[str, Any] | None


class FeatureCollection(BaseModel):
    """A GeoJSON FeatureCollection (EPSG:4326)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["FeatureCollection"]
    features: list[Feature]


class ScenarioInfo(BaseModel):
    """The scenario whose results the service holds."""

    name: str
    years: list[int]
    indicators: list[str]


class HeatPlanInfo(BaseModel):
    """The heat plan the service holds (``wijk warmte``)."""

    layers: list[str]
    years: list[int]
    cabins: bool


class IndicatorRow(BaseModel):
    """One indicator of an area in a year (``scenarios.indicators.INDICATOR_COLUMNS``): the
    central estimate (the median of the runs) and the runs' P10/P50/P90."""

    level: Literal["gemeente", "sector"]
    area_id: str
    area_name: str
    year: int
    indicator: str
    unit: str
    description_nl: str
    central: float | None
    p10: float | None
    p50: float | None
    p90: float | None


class LekpOut(BaseModel):
    """The municipality's LEKP goals and the klimaattafel dossiers counted so far."""

    municipality_nis: str
    housing_units: int
    targets: dict[str, int]
    klimaattafel_dossiers: int


class AuditOut(BaseModel):
    """One entry of a dossier's audit trail."""

    at: str
    action: str
    role: str | None
    token_id: int | None
    detail: str | None


class DossierExport(BaseModel):
    """Everything stored about a dossier, with its audit trail (GDPR access)."""

    format: Literal["wijkrenovatietool-dossier-export/1"]
    exported_at: str
    dossier: DossierOut
    audit_log: list[AuditOut]

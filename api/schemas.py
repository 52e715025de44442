"""Input and output models of the service: the trajectory question and the climate-table
dossiers (pydantic v2).

Separate models for what comes in (:class:`DossierIn`, :class:`DossierUpdate`) and what goes
out (:class:`DossierOut`). Every model forbids unknown fields and bounds every string, list and
mapping, so the service rejects stray or oversized payloads with a 422 before it touches the
database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from scenarios.household import OVERRIDABLE
from scenarios.policy import DEFAULT_INCOME_CATEGORY, IncomeCategory

#: Ids in paths: what the twin and the dossiers use (letters, digits, ``/``, ``-``, ``_``, ``.``).
ID_PATTERN = r"^[A-Za-z0-9_.\-/]{1,120}$"

Carrier = Literal["natural_gas", "heating_oil", "electricity", "district_heat", "wood_pellets"]
Label = Literal["A+", "A", "B", "C", "D", "E", "F"]


class TrajectoryRequest(BaseModel):
    """A trajectory question: corrections of the estimate, measured use, target and budget.

    The keys of ``overrides`` are those of :data:`scenarios.household.OVERRIDABLE` (the one
    list of correctable inputs; the OpenAPI schema lists them as the allowed property names).
    """

    model_config = ConfigDict(extra="forbid")

    overrides: dict[str, float] = Field(
        default_factory=dict,
        max_length=20,
        json_schema_extra={"propertyNames": {"enum": list(OVERRIDABLE)}},
    )
    measured_kwh: dict[Carrier, Annotated[float, Field(ge=0, le=1e6)]] = Field(
        default_factory=dict, max_length=5
    )
    order: list[Annotated[str, Field(max_length=64)]] | None = Field(default=None, max_length=20)
    target_label: Label = "A"
    budget_eur: Annotated[float, Field(ge=0, le=1e7)] | None = None
    # Mijn VerbouwPremie category: cat1 (least supported) .. cat4 (most supported)
    income_category: IncomeCategory = DEFAULT_INCOME_CATEGORY

    @field_validator("overrides")
    @classmethod
    def _known_inputs(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(k for k in value if k not in OVERRIDABLE)
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
#: Id of a catalogue measure or a variant field.
ShortKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
#: A text value of an override (e.g. a heating system code).
OverrideText = Annotated[str, StringConstraints(max_length=200)]
#: One override value: a number, a flag, a short text or "unknown" (null). Bool first, so that
#: ``true`` stays a flag and is not read as the number 1; numbers must be finite (JSON has no NaN).
OverrideValue = bool | int | FiniteFloat | OverrideText | None

MAX_OVERRIDES = 50
MAX_STEPS = 30
MAX_NOTES = 5000

_STRICT = ConfigDict(extra="forbid")


class DossierIn(BaseModel):
    """A new dossier, as a facilitator saves it after a klimaattafel.

    ``overrides`` holds what the resident corrected about their dwelling (keys are dwelling or
    variant fields, see ``docs/nomenclature.md``); ``chosen_steps`` the catalogue measures they
    chose, in order.
    """

    model_config = _STRICT

    municipality_nis: NisCode
    dwelling_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    address_id: Annotated[str, StringConstraints(max_length=64)] = ""
    address_text: Annotated[str, StringConstraints(max_length=200)] = ""
    overrides: dict[ShortKey, OverrideValue] = Field(default_factory=dict, max_length=MAX_OVERRIDES)
    chosen_steps: list[ShortKey] = Field(default_factory=list, max_length=MAX_STEPS)
    notes: str = Field(default="", max_length=MAX_NOTES)
    klimaattafel_date: date | None = None


class DossierUpdate(BaseModel):
    """A change to a dossier: only the fields sent are changed.

    ``klimaattafel_date`` may be sent as null to clear it; the other fields may not be null.
    The municipality of a dossier cannot change: moving a dossier would be a write into another
    municipality, so it is not a field here (and, as an unknown field, is rejected).
    """

    model_config = _STRICT

    dwelling_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    address_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    address_text: Annotated[str, StringConstraints(max_length=200)] | None = None
    overrides: dict[ShortKey, OverrideValue] | None = Field(default=None, max_length=MAX_OVERRIDES)
    chosen_steps: list[ShortKey] | None = Field(default=None, max_length=MAX_STEPS)
    notes: str | None = Field(default=None, max_length=MAX_NOTES)
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

"""Flemish renovation policy as data: prices, CO2, renovation obligation, LEKP goals, the
long-term label goal, premiums.

The policy lives in ``scenarios/data/policy_flanders.yaml`` (sources beside every number);
:func:`load_policy` validates it into a :class:`Policy` whose methods answer vectorised
questions for a building stock.

Notes
-----
* Prices and CO2 factors are given at anchor years and interpolated linearly in between;
  outside the anchors the nearest anchor value is held (``numpy.interp``).
* Renovation obligation (Energiedecreet / Energiebesluit, deeds since 1 Jan 2023): every
  transfer of a dwelling whose label at the deed is worse than the minimum label of the year of
  the deed obliges the buyer to reach that minimum within ``deadline_years``; the minimum is the
  rule with the latest ``from_year`` not after the transfer year, separately for houses and
  apartments (:meth:`Policy.obligation_target`, :meth:`Policy.obligation_applies`). So in
  2023-2027 (minimum D) only E and F are obliged, and a D house sold in 2028 (minimum C) is too.
* Premiums (Mijn VerbouwPremie, 2025 rules) per measure id of any catalogue and per category
  ``cat1`` (least supported) .. ``cat4`` (most supported):
  ``premium = min(percent_of_invoice / 100 * invoice, cap_eur, cap_eur_m2 * area)``,
  a cap that is not given (or an area that is not given) does not limit; a category never gets
  less than a less supported one (the basispremie of categorie 1 is open to every owner); a
  measure the premium table does not list, or lists with ``no_premium: true``, gets none.
  :func:`check_premium_measures` rejects premium entries for ids the catalogue of the run lacks.
* LEKP goals per 1,000 housing units are scaled to the municipality and rounded up
  (a goal of 12.5 renovations is met only by 13).
* Goals and their years (the LEKP period and norms, ``long_term_goal``) are read by the
  indicators, charts, reports and the service from the policy of the run; a run's results keep
  it (:func:`write_policy`), so no goal or policy year is written in code.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import math
import typing
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

import numpy as np
import yaml
from numpy.typing import ArrayLike, NDArray
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from scenarios.catalogue import AREA_BASES, Catalogue
from scenarios.io_yaml import (
    CachingModel,
    FileProblems,
    Loc,
    pydantic_message_nl,
    read_yaml_file,
    read_yaml_text,
)
from sim.carriers import CARRIERS, CarrierTables, load_carrier_tables
from sim.errors import InputError, Problem, Problems
from sim.labels import LABELS

#: Mijn VerbouwPremie categories, from the least (categorie 1) to the most supported
#: (categorie 4); their Dutch meanings and household shares are in the policy file.
IncomeCategory = Literal["cat1", "cat2", "cat3", "cat4"]
INCOME_CATEGORIES: tuple[str, ...] = typing.get_args(IncomeCategory)
#: The category of a household that does not say (page, command line, service): categorie 2,
#: the middle incomes.
DEFAULT_INCOME_CATEGORY: IncomeCategory = "cat2"
#: LEKP goals counted per 1,000 housing units.
LEKP_GOALS: tuple[str, ...] = ("collective_renovations", "fossil_free", "klimaattafel_invitations")

_DEFAULT_FILE = "policy_flanders.yaml"


def _one_of(allowed: Sequence[str], what: str) -> Any:
    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError(
                "policy_unknown", f"{what} '{value}'; kies uit {list(allowed)}"
            )
        return value

    return AfterValidator(check)


Carrier = Annotated[str, _one_of(CARRIERS, "onbekende energiedrager")]
Label = Annotated[str, _one_of(LABELS, "onbekend EPC-label")]
MeasureId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
SourceIds = Annotated[list[str], Field(min_length=1)]
Assumption = Annotated[str, Field(min_length=1)]
NonNeg = Annotated[float, Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _increasing(values: Sequence[int]) -> None:
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise PydanticCustomError("policy_order", "jaren moeten stijgen")


class Anchor(_Model):
    """Value at an anchor year."""

    year: int = Field(ge=1900, le=2200)
    value: NonNeg
    source: str
    indicative: bool = False


def _check_series(series: dict[str, list[Anchor]]) -> dict[str, list[Anchor]]:
    missing = [c for c in CARRIERS if c not in series]
    if missing:
        raise PydanticCustomError("policy_missing", f"ontbrekende energiedragers {missing}")
    return series


def _check_anchors(anchors: list[Anchor]) -> list[Anchor]:
    if not anchors:
        raise PydanticCustomError("policy_empty", "minstens één ankerjaar nodig")
    _increasing([a.year for a in anchors])
    return anchors


Series = Annotated[list[Anchor], AfterValidator(_check_anchors)]


class ObligationRule(_Model):
    """Target label for transfers from ``from_year`` on."""

    from_year: int = Field(ge=1900, le=2200)
    target_label: Label


def _check_rules(rules: list[ObligationRule]) -> list[ObligationRule]:
    _increasing([r.from_year for r in rules])
    return rules


Rules = Annotated[list[ObligationRule], AfterValidator(_check_rules)]


class RenovationObligation(_Model):
    """Renovation obligation at transfer (Vlaamse renovatieverplichting)."""

    source: str
    deadline_years: int = Field(ge=0)
    houses: Rules
    apartments: Rules


class Goal(_Model):
    value: NonNeg
    source: str


class Period(_Model):
    from_year: int
    to_year: int

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.to_year < self.from_year:
            raise PydanticCustomError("policy_order", "jaren moeten stijgen")
        return self


class PerThousand(_Model):
    collective_renovations: Goal
    fossil_free: Goal
    klimaattafel_invitations: Goal


class Lekp(_Model):
    """LEKP goals (Lokaal Energie- en Klimaatpact 2.0/2.1)."""

    period: Period
    per_1000_housing_units: PerThousand
    wijkverbeteringscontract_min: int = Field(ge=0)
    wijkverbeteringscontract_deadline: dt.date
    wijkverbeteringscontract_source: str


class LongTermGoal(_Model):
    """The long-term goal for every dwelling: label ``label`` or better by ``year``."""

    year: int = Field(ge=2000, le=2200)
    label: Label
    source: str


class PremiumTier(_Model):
    """Premium for one category [% of invoice, EUR per dwelling, EUR/m²]."""

    percent_of_invoice: float = Field(ge=0, le=100)
    cap_eur: NonNeg | None = None
    cap_eur_m2: NonNeg | None = None


class PremiumRule(_Model):
    """Mijn VerbouwPremie of one measure: a tier per category, or ``no_premium``."""

    sources: SourceIds
    assumption: Assumption | None = None
    no_premium: bool = False
    cat1: PremiumTier | None = None
    cat2: PremiumTier | None = None
    cat3: PremiumTier | None = None
    cat4: PremiumTier | None = None

    @model_validator(mode="after")
    def _tiers(self) -> PremiumRule:
        given = [c for c in INCOME_CATEGORIES if getattr(self, c) is not None]
        if self.no_premium and given:
            raise PydanticCustomError(
                "policy_tiers", f"no_premium: true gaat niet samen met {', '.join(given)}"
            )
        missing = [c for c in INCOME_CATEGORIES if c not in given]
        if not self.no_premium and missing:
            raise PydanticCustomError(
                "policy_tiers",
                f"ontbrekende categorie(ën) {', '.join(missing)}: geef alle vier "
                "(cat1..cat4) of no_premium: true",
            )
        return self

    def tier(self, category: str) -> PremiumTier:
        """The tier of ``category`` (a rule with ``no_premium`` has none)."""
        tier = getattr(self, category) if category in INCOME_CATEGORIES else None
        if tier is None:
            raise KeyError(category)
        return tier


class Category(_Model):
    label_nl: str = Field(min_length=1)


class Categories(_Model):
    """Dutch meaning of each category (what residents and municipal staff read)."""

    cat1: Category
    cat2: Category
    cat3: Category
    cat4: Category


Share = Annotated[float, Field(ge=0, le=1)]


class HouseholdShares(_Model):
    """Share of Flemish households per category (sum 1)."""

    sources: SourceIds
    assumption: Assumption | None = None
    cat1: Share
    cat2: Share
    cat3: Share
    cat4: Share

    @model_validator(mode="after")
    def _sum(self) -> HouseholdShares:
        total = math.fsum(getattr(self, c) for c in INCOME_CATEGORIES)
        if abs(total - 1.0) > 1e-6:
            raise PydanticCustomError(
                "policy_sum", f"de aandelen moeten samen 1 zijn, nu {total:.6g}"
            )
        return self


class Premiums(_Model):
    """Mijn VerbouwPremie per measure id and category (see the module notes)."""

    source: str
    categories: Categories
    household_shares: HouseholdShares
    measures: dict[MeasureId, PremiumRule]

    def labels_nl(self) -> dict[str, str]:
        """Dutch label per category, from the least to the most supported."""
        return {c: getattr(self.categories, c).label_nl for c in INCOME_CATEGORIES}

    def shares(self) -> dict[str, float]:
        """Share of households per category, from the least to the most supported."""
        return {c: float(getattr(self.household_shares, c)) for c in INCOME_CATEGORIES}


class PremiumAssumption(NamedTuple):
    """A premium figure that no published source gives: where it is and why, with its range."""

    place: str
    text: str


#: Dwellings per block of :meth:`Policy.premium` (4 categories x block x measures floats).
_PREMIUM_ROWS = 1 << 14


class Policy(CachingModel):
    """Validated renovation policy; see the module notes for the rules."""

    schema_version: int = Field(ge=1, le=1)
    sources: dict[str, str]
    energy_prices: Annotated[dict[Carrier, Series], AfterValidator(_check_series)]
    co2_factors: Annotated[dict[Carrier, Series], AfterValidator(_check_series)]
    renovation_obligation: RenovationObligation
    lekp: Lekp
    long_term_goal: LongTermGoal
    premiums: Premiums
    # carrier tables by year, and the premium table's problems by catalogue: asked for on every
    # household plan (the model is frozen; a copy starts with empty caches, see model_copy)
    _carrier_cache: dict[float, CarrierTables] = PrivateAttr(default_factory=dict)
    _catalogue_checks: dict[int, tuple[Catalogue, list[Problem]]] = PrivateAttr(
        default_factory=dict
    )
    _premium_cache: dict[tuple[str, ...], Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _sources_known(self) -> Policy:
        known = set(self.sources)
        bad: list[str] = []
        for section in ("energy_prices", "co2_factors"):
            for carrier, anchors in getattr(self, section).items():
                bad += [
                    f"{section}.{carrier}[{i}].source"
                    for i, a in enumerate(anchors)
                    if a.source not in known
                ]
        refs = {
            "renovation_obligation.source": self.renovation_obligation.source,
            "lekp.wijkverbeteringscontract_source": self.lekp.wijkverbeteringscontract_source,
            "long_term_goal.source": self.long_term_goal.source,
            "premiums.source": self.premiums.source,
        }
        shares = self.premiums.household_shares
        for i, s in enumerate(shares.sources):
            refs[f"premiums.household_shares.sources[{i}]"] = s
        for goal in LEKP_GOALS:
            refs[f"lekp.per_1000_housing_units.{goal}.source"] = getattr(
                self.lekp.per_1000_housing_units, goal
            ).source
        for m, rule in self.premiums.measures.items():
            for i, s in enumerate(rule.sources):
                refs[f"premiums.measures.{m}.sources[{i}]"] = s
        bad += [place for place, ref in refs.items() if ref not in known]
        if bad:
            raise PydanticCustomError("policy_source", f"bron niet gevonden in 'sources' bij {bad}")
        return self

    # ------------------------------------------------------------------ prices and CO2
    def _interp(self, section: str, year: ArrayLike) -> dict[str, Any]:
        y = np.asarray(year, dtype=np.float64)
        out: dict[str, Any] = {}
        for carrier in CARRIERS:
            anchors = getattr(self, section)[carrier]
            xs = np.array([a.year for a in anchors], dtype=np.float64)
            vs = np.array([a.value for a in anchors], dtype=np.float64)
            v = np.interp(y, xs, vs)
            out[carrier] = float(v) if v.ndim == 0 else v
        return out

    def prices(self, year: ArrayLike) -> dict[str, Any]:
        """Consumer price per carrier [EUR/kWh] in ``year`` (scalar or array of years)."""
        return self._interp("energy_prices", year)

    def co2(self, year: ArrayLike) -> dict[str, Any]:
        """CO2 emission factor per carrier [kg/kWh] in ``year`` (scalar or array of years)."""
        return self._interp("co2_factors", year)

    def carrier_tables(self, year: float) -> CarrierTables:
        """Carrier factors for one year: primary-energy factors from ``sim/data/energy_carriers.csv``,
        prices and CO2 factors from this policy."""
        key = float(year)
        if key not in self._carrier_cache:
            price = self.prices(key)
            co2 = self.co2(key)
            tables = load_carrier_tables().with_overrides(price_eur_kwh=price, co2_kg_kwh=co2)
            self._carrier_cache[key] = tables
        return self._carrier_cache[key]

    # ------------------------------------------------------------------ renovation obligation
    def obligation_target(
        self, transfer_year: ArrayLike, is_apartment: ArrayLike
    ) -> NDArray[np.int8]:
        """Target label index (into ``sim.labels.LABELS``) for dwellings transferred in a year.

        Parameters
        ----------
        transfer_year : array_like of int
            Year of the deed [a].
        is_apartment : array_like of bool
            True for apartments, False for houses (broadcast against ``transfer_year``).

        Returns
        -------
        ndarray of int8
            Label index of the target; -1 where no obligation applies (before the first rule).
        """
        year = np.asarray(transfer_year)
        apt = np.asarray(is_apartment, dtype=bool)
        year, apt = np.broadcast_arrays(year, apt)
        out = np.full(year.shape, -1, dtype=np.int8)
        ob = self.renovation_obligation
        for rules, mask in ((ob.houses, ~apt), (ob.apartments, apt)):
            if not rules:
                continue
            starts = np.array([r.from_year for r in rules])
            targets = np.array([LABELS.index(r.target_label) for r in rules], dtype=np.int8)
            k = np.searchsorted(starts, year, side="right") - 1
            hit = mask & (k >= 0)
            out[hit] = targets[k[hit]]
        return out

    def obligation_applies(
        self, label_index: ArrayLike, transfer_year: ArrayLike, is_apartment: ArrayLike
    ) -> NDArray[np.bool_]:
        """True where a transfer obliges the buyer to renovate: a label at the deed worse than
        the minimum of the transfer year (:meth:`obligation_target`) for the type of dwelling.

        Parameters
        ----------
        label_index : array_like of int
            Label index (into ``sim.labels.LABELS``) at the deed.
        transfer_year : array_like of int
            Year of the deed [a].
        is_apartment : array_like of bool
            True for apartments, False for houses.

        Returns
        -------
        ndarray of bool
            Broadcast shape of the three inputs; False before the first rule.

        Examples
        --------
        >>> p = load_policy()
        >>> d, e = LABELS.index("D"), LABELS.index("E")
        >>> p.obligation_applies([d, e, d], [2027, 2027, 2028], False).tolist()
        [False, True, True]
        """
        label = np.asarray(label_index)
        target = self.obligation_target(transfer_year, is_apartment)
        label, target = np.broadcast_arrays(label, target)
        return (target >= 0) & (label > target)

    # ------------------------------------------------------------------ premiums
    def premium(
        self,
        measure_ids: Sequence[str],
        invoice_eur: ArrayLike,
        income_category: ArrayLike,
        area_m2: ArrayLike | None = None,
    ) -> NDArray[np.float64]:
        """Mijn VerbouwPremie per dwelling and measure [EUR].

        Parameters
        ----------
        measure_ids : sequence of str, length M
            Measure ids of any catalogue; an id the premium table does not list, or lists with
            ``no_premium``, gets no premium.
        invoice_eur : array_like, shape (N, M)
            Invoice amount per dwelling and measure [EUR].
        income_category : array_like of str, shape (N,)
            ``INCOME_CATEGORIES`` (``"cat1"`` .. ``"cat4"``) per dwelling.
        area_m2 : array_like, shape (N, M), optional
            Area of the measure [m²], for the caps per m²; without it those caps do not apply.

        Returns
        -------
        ndarray, shape (N, M)
            Premium [EUR], never above the invoice, never negative, and never less than a less
            supported category would get for the same invoice.

        Raises
        ------
        InputError
            Unknown income categories, wrong shapes, negative or non-finite invoices or areas.

        Examples
        --------
        A 14,000 EUR air/water heat pump (2025 rules: categorie 1 at most 20 % of the invoice
        and 3,000 EUR; categorie 4 at most 50 % and 3,600 EUR):

        >>> load_policy().premium(["heat_pump_air_water"], [[14_000.0], [14_000.0]],
        ...                       ["cat1", "cat4"]).ravel().tolist()
        [2800.0, 3600.0]
        """
        invoice = np.asarray(invoice_eur, dtype=np.float64)
        cats = np.asarray(income_category).astype(str)
        problems = Problems("premieberekening")
        m = len(measure_ids)
        if invoice.ndim != 2 or invoice.shape[1] != m or cats.shape != (invoice.shape[0],):
            problems.add(
                "invoice_eur",
                f"vorm {invoice.shape} past niet bij {m} maatregelen en {cats.shape[0]} woningen",
            )
            problems.raise_if_any()
        area = None
        if area_m2 is not None:
            area = np.asarray(area_m2, dtype=np.float64)
            if area.shape != invoice.shape:
                problems.add("area_m2", f"moet vorm {invoice.shape} hebben")
            elif (~np.isfinite(area) | (area < 0)).any():
                bad_area = ~np.isfinite(area) | (area < 0)
                problems.add("area_m2", "moet ≥ 0 zijn", np.flatnonzero(bad_area.any(axis=1)))
        bad_inv = ~np.isfinite(invoice) | (invoice < 0)
        if bad_inv.any():
            problems.add("invoice_eur", "moet ≥ 0 zijn", np.flatnonzero(bad_inv.any(axis=1)))
        bad_cat = ~np.isin(cats, INCOME_CATEGORIES)
        if bad_cat.any():
            problems.add(
                "income_category",
                f"onbekende premiecategorie; kies uit {', '.join(INCOME_CATEGORIES)}",
                np.flatnonzero(bad_cat),
            )
        problems.raise_if_any()

        n = invoice.shape[0]
        # position of each dwelling's category in INCOME_CATEGORIES (least to most supported)
        rank = np.zeros(n, dtype=np.int64)
        for k, cat in enumerate(INCOME_CATEGORIES):
            rank[cats == cat] = k
        share, cap, cap_m2 = self._premium_tables(tuple(measure_ids))
        out = np.empty_like(invoice)
        for a in range(0, n, _PREMIUM_ROWS):  # in blocks of dwellings: bounded memory
            rows = slice(a, a + _PREMIUM_ROWS)
            inv = invoice[rows]
            # per category (least to most supported) x dwelling x measure: the share of the
            # invoice, at most the cap and the cap per m²; a measure without a premium has share 0
            by_tier = np.minimum(inv[None, :, :] * share[:, None, :], cap[:, None, :])
            if area is not None:
                per_m2 = np.isfinite(cap_m2)[:, None, :]
                with np.errstate(invalid="ignore"):  # inf x 0 m² where there is no such cap
                    limit = cap_m2[:, None, :] * area[rows][None, :, :]
                by_tier = np.minimum(by_tier, np.where(per_m2, limit, np.inf))
            # a more supported category can always have what a less supported one gets
            best = np.maximum.accumulate(by_tier, axis=0)
            out[rows] = best[rank[rows], np.arange(inv.shape[0]), :]
        return np.minimum(out, invoice)

    def _premium_tables(
        self, measure_ids: tuple[str, ...]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Per category and measure: the premium's share of the invoice [-], its cap [EUR]
        and its cap per m² [EUR/m²] (inf where there is none; share 0 without a premium)."""
        if measure_ids not in self._premium_cache:
            k, m = len(INCOME_CATEGORIES), len(measure_ids)
            share = np.zeros((k, m))
            cap = np.full((k, m), np.inf)
            cap_m2 = np.full((k, m), np.inf)
            for j, mid in enumerate(measure_ids):
                rule = self.premiums.measures.get(mid)
                if rule is None or rule.no_premium:
                    continue
                for c, cat in enumerate(INCOME_CATEGORIES):
                    tier = rule.tier(cat)
                    share[c, j] = tier.percent_of_invoice / 100.0
                    if tier.cap_eur is not None:
                        cap[c, j] = tier.cap_eur
                    if tier.cap_eur_m2 is not None:
                        cap_m2[c, j] = tier.cap_eur_m2
            self._premium_cache[measure_ids] = (share, cap, cap_m2)
        return self._premium_cache[measure_ids]

    def premium_assumptions(self) -> list[PremiumAssumption]:
        """Every premium figure of this policy that is a project assumption, not a published
        amount, with its place in the policy file (for the validation report)."""
        out: list[PremiumAssumption] = []
        shares = self.premiums.household_shares
        if shares.assumption:
            out.append(PremiumAssumption("premiums.household_shares", shares.assumption))
        for mid, rule in self.premiums.measures.items():
            if rule.assumption:
                out.append(PremiumAssumption(f"premiums.measures.{mid}", rule.assumption))
        return out

    # ------------------------------------------------------------------ LEKP
    def lekp_targets(self, housing_units: int) -> dict[str, int]:
        """LEKP goals for a municipality with ``housing_units`` dwellings, rounded up.

        Examples
        --------
        >>> load_policy().lekp_targets(10_000)["collective_renovations"]
        500
        """
        out = {g: int(v) for g, v in self.lekp_goal_counts(housing_units).items()}
        out["wijkverbeteringscontract"] = self.lekp.wijkverbeteringscontract_min
        return out

    def lekp_goal_counts(self, housing_units: ArrayLike) -> dict[str, NDArray[np.float64]]:
        """The LEKP goals counted per 1,000 housing units (``LEKP_GOALS``) for any number of
        areas at once: ``ceil(per_1000 × units / 1000)``, rounded to 9 decimals before the
        ceiling so that 50 × 1,000 / 1,000 is 50, not 51.

        Examples
        --------
        >>> load_policy().lekp_goal_counts([0, 999, 1000])["fossil_free"].tolist()
        [0.0, 25.0, 25.0]
        """
        units = np.asarray(housing_units, dtype=np.float64)
        if (units < 0).any():
            problems = Problems("LEKP-doelen")
            problems.add("housing_units", "moet ≥ 0 zijn")
            problems.raise_if_any()
        per = self.lekp.per_1000_housing_units
        return {g: np.ceil(np.round(getattr(per, g).value * units / 1000.0, 9)) for g in LEKP_GOALS}


# ---------------------------------------------------------------------- loading
def parse_policy(
    data: Any, what: str = "beleidsbestand", lines: Mapping[Loc, int] | None = None
) -> Policy:
    """Validate a policy already read into Python objects; every problem in one InputError.

    ``lines`` (key path -> line in the file, :class:`scenarios.io_yaml.YamlDocument`) adds the
    line to each problem's place.
    """
    problems = FileProblems(what, lines)
    policy = _validate_policy(data, problems)
    problems.raise_if_any()
    if policy is None:  # pragma: no cover - pydantic failed, so problems were raised
        raise RuntimeError("policy validation failed without problems")
    return policy


def _validate_policy(data: Any, problems: FileProblems) -> Policy | None:
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.at(tuple(err["loc"]), pydantic_message_nl(err))
    return None


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and validate a policy YAML file (default: the shipped ``policy_flanders.yaml``).

    Raises
    ------
    InputError
        With every problem, each naming its place and line in the file
        (e.g. ``energy_prices.electricity[2].value (regel 58): moet ≥ 0 zijn``); also for a
        missing file and a YAML syntax error (in Dutch, with its line).
    """
    if path is None:
        text = resources.files("scenarios.data").joinpath(_DEFAULT_FILE).read_text("utf-8")
        problems = FileProblems(f"beleidsbestand {_DEFAULT_FILE}")
        doc = read_yaml_text(text, _DEFAULT_FILE, problems)
    else:
        problems = FileProblems(f"beleidsbestand {path}")
        doc = read_yaml_file(path, problems)
    policy = None if doc is None else _validate_policy(doc.data, problems)
    problems.raise_if_any()
    if policy is None:  # pragma: no cover - pydantic failed, so problems were raised
        raise RuntimeError("policy validation failed without problems")
    return policy


def write_policy(policy: Policy, path: str | Path) -> Path:
    """Write ``policy`` as YAML that :func:`load_policy` reads back into an equal policy.

    Results keep the policy they were computed with this way (``beleid.yaml`` beside the
    indicators, :func:`scenarios.outputs.write_outputs`), so the reports read their goals and
    years from the results, not from whichever policy file is shipped today.
    """
    path = Path(path)
    data = policy.model_dump(mode="json")
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    header = (
        "# Het beleid waarmee deze resultaten berekend zijn (prijzen, CO2-factoren,\n"
        "# renovatieverplichting, LEKP-doelen, langetermijndoel, premies), met de bronnen in\n"
        "# `sources`. Geschreven door de wijkrenovatietool; zie scenarios/policy.py.\n"
    )
    path.write_text(header + text, encoding="utf-8")
    return path


def premium_measure_problems(policy: Policy, catalogue: Catalogue) -> list[Problem]:
    """The problems of the policy's premium table against the catalogue of the run.

    A premium entry for a measure id the catalogue does not have is a problem (a typo would
    otherwise silently give no premium), and so is a cap per m² on a measure the catalogue does
    not price per m² (there is no area to apply it to). A catalogue measure without a premium
    entry is fine: it gets no premium. Each problem names its place in the policy file.
    """
    seen = policy._catalogue_checks.get(id(catalogue))
    if seen is not None and seen[0] is catalogue:
        return list(seen[1])
    found = _premium_measure_problems(policy, catalogue)
    policy._catalogue_checks[id(catalogue)] = (catalogue, found)
    return list(found)


def _premium_measure_problems(policy: Policy, catalogue: Catalogue) -> list[Problem]:
    problems = Problems()
    known = catalogue.ids
    for mid, rule in policy.premiums.measures.items():
        place = f"premiums.measures.{mid}"
        if mid not in known:
            close = difflib.get_close_matches(mid, known, n=1, cutoff=0.6)
            hint = f"bedoelde u '{close[0]}'? " if close else ""
            problems.add(
                place,
                f"onbekende maatregel '{mid}': de maatregelencatalogus kent hem niet; {hint}"
                "verwijder hem uit premiums.measures of voeg hem toe aan de catalogus",
            )
            continue
        if rule.no_premium:
            continue
        basis = catalogue.measure(mid).cost.basis
        per_m2 = [c for c in INCOME_CATEGORIES if rule.tier(c).cap_eur_m2 is not None]
        if per_m2 and basis not in AREA_BASES:
            problems.add(
                place,
                f"cap_eur_m2 bij {', '.join(per_m2)}, maar de catalogus prijst '{mid}' niet per "
                f"m² (basis {basis}); gebruik cap_eur (per woning)",
            )
    return problems.items


def check_premium_measures(
    policy: Policy, catalogue: Catalogue, what: str = "het beleidsbestand"
) -> None:
    """Raise :class:`InputError` with every :func:`premium_measure_problems` of ``policy``."""
    problems = Problems(f"de premietabel van {what} (tegenover de maatregelencatalogus)")
    problems.items = premium_measure_problems(policy, catalogue)
    problems.raise_if_any()


__all__ = [
    "DEFAULT_INCOME_CATEGORY",
    "INCOME_CATEGORIES",
    "IncomeCategory",
    "InputError",
    "Policy",
    "PremiumAssumption",
    "check_premium_measures",
    "load_policy",
    "parse_policy",
    "premium_measure_problems",
    "write_policy",
]

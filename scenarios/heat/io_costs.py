"""Reading a user's changes of the heat-cost parameters: the override file (kostenaanpassingen).

A researcher or a municipality changes a few parameters of ``scenarios/data/heat_costs.yaml``
without editing it: a small YAML file names each parameter it changes, any of its ``value``,
``low`` and ``high`` (in the unit of the shipped file) and, always, the reason (``reden``, free
text, printed in the report)::

    schema_version: 1
    parameters:
      heat_source_price_eur_mwh:
        value: 45
        low: 35
        high: 60
        reden: "restwarmte van het bedrijventerrein, offerte 2026"

:func:`read_cost_overrides` reads and checks such a file through the project's safe YAML
reader (:mod:`scenarios.io_yaml`): its shape, that every number is a finite number, that every
parameter has a ``reden`` and is a parameter of the data file (unknown names are answered with
the close matches, and names of catalogue measures or energy prices with where those are set).
:meth:`CostOverrides.from_mapping` checks the same for changes made in memory (a notebook).
What needs the parameters they change -- ``low <= value <= high`` once merged with the data
file's values, parameters held fixed (``sampled: false``) or reused from elsewhere in the
project -- is checked when they are applied, by
:meth:`scenarios.heat.costs.HeatCostParameters.with_overrides`, which returns a new parameters
object that remembers what was changed and why (``warmteplan.md`` shows it).

Every message is Dutch and names the file, the parameter and its line, and what to do.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenarios.catalogue import load_catalogue
from scenarios.heat.costs import MEASURE_ROLES, PARAMETER_NAMES
from scenarios.io_yaml import FileProblems, Loc, read_yaml_file

#: Keys of one parameter's change.
NUMBER_KEYS: tuple[str, ...] = ("value", "low", "high")
REASON_KEY: str = "reden"
#: Longest reason [characters]: it is printed in a table of the report; a longer text belongs in
#: a document the reason refers to.
MAX_REASON_CHARS: int = 500
#: Words of a name that mean an energy price (set in the policy, not here).
_PRICE_WORDS: tuple[str, ...] = ("price", "prijs", "tarief")
_CARRIER_WORDS: tuple[str, ...] = ("electric", "elektri", "stroom", "gas")


@dataclass(frozen=True)
class CostOverride:
    """A user's change of one parameter: the numbers given (None: keep the data file's) and why.

    Attributes
    ----------
    value, low, high : float or None
        New central value and range, in the unit of the data file; None where not given.
    reason : str
        Why (``reden``), whitespace collapsed to single spaces.
    """

    value: float | None
    low: float | None
    high: float | None
    reason: str


@dataclass(frozen=True)
class CostOverrides:
    """A user's changes of heat-cost parameters, by parameter name (possibly none).

    Attributes
    ----------
    parameters : dict of str to CostOverride
        The changes, in the order given.
    origin : str
        Where they come from, shown in the report: the file's path, or what made them.
    what : str
        Dutch name of the file in messages ("kostenaanpassingen warmte <path>").
    lines : dict
        Key path -> line in the file (empty in memory), for the messages of
        :meth:`~scenarios.heat.costs.HeatCostParameters.with_overrides`.
    """

    parameters: Mapping[str, CostOverride]
    origin: str
    what: str
    lines: Mapping[Loc, int] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Any, origin: str = "in het geheugen") -> CostOverrides:
        """Changes given in memory, in the shape of the file (checked as a file is).

        Parameters
        ----------
        data : mapping
            ``{"schema_version": 1, "parameters": {name: {"value": ..., "reden": ...}}}``.
        origin : str
            Where the changes come from, shown in the report (e.g. "notebook 04").

        Raises
        ------
        sim.errors.InputError
            Every problem of the shape, in Dutch (see :func:`read_cost_overrides`).
        """
        problems = FileProblems(f"kostenaanpassingen warmte ({origin})")
        changes = _parse(data, problems)
        problems.raise_if_any()
        return cls(changes, origin, problems.what)


def read_cost_overrides(path: str | Path) -> CostOverrides:
    """Read and check a user's file of heat-cost changes (format in the module notes).

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    CostOverrides
        Apply them with :meth:`scenarios.heat.costs.HeatCostParameters.with_overrides`.

    Raises
    ------
    sim.errors.InputError
        With every problem found, in Dutch, each naming the file, the parameter, its line and
        what to do: a missing or unreadable file, YAML syntax, a missing or other
        ``schema_version``, an unknown parameter (with the close matches), a value that is not a
        finite number, a change without any number, a missing or empty ``reden``.
    """
    problems = FileProblems(f"kostenaanpassingen warmte {path}")
    doc = read_yaml_file(path, problems)
    if doc is None:
        problems.raise_if_any()
        raise RuntimeError("unreadable override file without problems")  # pragma: no cover
    changes = _parse(doc.data, problems)
    problems.raise_if_any()
    return CostOverrides(changes, str(path), problems.what, dict(doc.lines))


# ---------------------------------------------------------------------- checks
_EXAMPLE = (
    "schema_version: 1, dan 'parameters:' met per parameter value, low of high en een reden "
    "(zie scenarios/heat/io_costs.py)"
)


def _parse(data: Any, problems: FileProblems) -> dict[str, CostOverride]:
    out: dict[str, CostOverride] = {}
    if data is None:
        problems.add("(bestand)", f"het bestand is leeg; schrijf {_EXAMPLE}")
        return out
    if not isinstance(data, Mapping):
        problems.at((), f"moet een tabel (sleutel: waarde) zijn: {_EXAMPLE}")
        return out
    for key in data:
        if key not in ("schema_version", "parameters"):
            problems.at((key,), "onbekende sleutel; toegelaten: schema_version, parameters")
    version = data.get("schema_version")
    if "schema_version" not in data:
        problems.at(
            ("schema_version",),
            "verplichte sleutel ontbreekt; schrijf bovenaan 'schema_version: 1'",
        )
    elif isinstance(version, bool) or version != 1:
        problems.at(("schema_version",), f"moet 1 zijn (nu {version!r}): het enige formaat")
    params = data.get("parameters")
    if params is None:  # absent or empty: no change
        return out
    if not isinstance(params, Mapping):
        problems.at(("parameters",), "moet een tabel zijn: per parameternaam haar wijziging")
        return out
    for name, entry in params.items():
        loc: Loc = ("parameters", str(name))
        if not isinstance(name, str) or name not in PARAMETER_NAMES:
            problems.at(loc, _unknown_name_nl(str(name)))
            continue
        change = _parse_entry(entry, loc, problems)
        if change is not None:
            out[name] = change
    return out


def _parse_entry(entry: Any, loc: Loc, problems: FileProblems) -> CostOverride | None:
    if not isinstance(entry, Mapping):
        problems.at(
            loc,
            f"moet een tabel zijn met value, low en/of high en een reden (nu {entry!r}); "
            "bv. 'value: 45' en 'reden: \"offerte 2026\"' elk op een eigen, ingesprongen regel",
        )
        return None
    ok = True
    for key in entry:
        if key not in (*NUMBER_KEYS, REASON_KEY):
            ok = False
            hint = (
                f"schrijf '{REASON_KEY}'"
                if str(key).lower() in ("reason", "waarom", "motivatie", "toelichting")
                else "eenheid en bron blijven die van het kostenbestand"
            )
            problems.at(
                (*loc, str(key)),
                f"onbekende sleutel; toegelaten: value, low, high en {REASON_KEY} ({hint})",
            )
    numbers: dict[str, float | None] = {}
    for key in NUMBER_KEYS:
        if key not in entry:
            numbers[key] = None
            continue
        number, message = _number(entry[key])
        if message is not None:
            ok = False
            problems.at((*loc, key), message)
        numbers[key] = number
    if ok and all(v is None for v in numbers.values()):
        ok = False
        problems.at(
            loc, "geeft geen nieuw getal; geef value, low en/of high, of laat de parameter weg"
        )
    reason = entry.get(REASON_KEY)
    if REASON_KEY not in entry:
        ok = False
        problems.at(
            (*loc, REASON_KEY),
            f"verplichte sleutel '{REASON_KEY}' ontbreekt: schrijf waarom je deze parameter "
            "wijzigt (bv. een offerte of een studie); de reden komt in het warmteplan",
        )
    elif not isinstance(reason, str) or not reason.strip():
        ok = False
        problems.at(
            (*loc, REASON_KEY),
            "moet een tekst zijn die zegt waarom je deze parameter wijzigt; zet ze tussen "
            "aanhalingstekens",
        )
    elif len(reason) > MAX_REASON_CHARS:
        ok = False
        problems.at(
            (*loc, REASON_KEY),
            f"is te lang ({len(reason)} tekens, hoogstens {MAX_REASON_CHARS}): vat samen en "
            "verwijs naar het document met de details",
        )
    if not ok:
        return None
    return CostOverride(
        value=numbers["value"],
        low=numbers["low"],
        high=numbers["high"],
        reason=" ".join(str(reason).split()),
    )


def _number(x: Any) -> tuple[float | None, str | None]:
    """A finite number, or the Dutch problem with ``x``."""
    if isinstance(x, bool) or x is None:
        shown = "leeg" if x is None else repr(x).lower()
        return None, f"moet een getal zijn (nu {shown}); geef een getal of laat de sleutel weg"
    if isinstance(x, str):
        text = x.strip()
        if text.replace(",", "", 1).replace("-", "", 1).isdigit() and "," in text:
            return None, (
                f"moet een getal zijn (nu de tekst '{x}'): schrijf een punt als decimaalteken, "
                f"{text.replace(',', '.')}"
            )
        return None, (
            f"moet een getal zijn (nu de tekst '{x}'): schrijf het getal zonder eenheid en "
            "zonder aanhalingstekens, in de eenheid van het kostenbestand"
        )
    if not isinstance(x, int | float):
        return None, f"moet één getal zijn, geen lijst of tabel (nu {x!r})"
    if not math.isfinite(float(x)):
        return None, f"moet een eindig getal zijn (nu {x})"
    return float(x), None


def _unknown_name_nl(name: str) -> str:
    """The Dutch problem with a name that is not a parameter of the data file."""
    low = name.lower()
    if low in MEASURE_ROLES or low in _catalogue_ids():
        return (
            "dit is een maatregel uit de maatregelencatalogus (scenarios/data/measures.yaml), "
            "geen parameter van het kostenbestand: haar prijs, levensduur en prijsbereik "
            "verander je in de catalogus (een eigen catalogus), niet hier"
        )
    if any(w in low for w in _PRICE_WORDS) and any(w in low for w in _CARRIER_WORDS):
        return (
            "de prijzen van elektriciteit en gas per jaar komen uit het beleid "
            "(scenarios/data/policy_flanders.yaml, energy_prices); hier verschuif je ze enkel "
            "met electricity_price_factor of gas_price_factor (een factor op de prijs van het "
            "beleid)"
        )
    close = difflib.get_close_matches(name, PARAMETER_NAMES, n=3, cutoff=0.6)
    if close:
        return (
            f"onbekende parameter; bedoel je {' of '.join(close)}? De namen staan onder "
            "'parameters' in scenarios/data/heat_costs.yaml"
        )
    return (
        "onbekende parameter; kies een naam onder 'parameters' in "
        "scenarios/data/heat_costs.yaml (bv. heat_source_price_eur_mwh, connection_rate)"
    )


def _catalogue_ids() -> set[str]:
    # read only for a name that is not a parameter (the shipped catalogue: the names users see)
    return {m.lower() for m in load_catalogue().ids}


__all__ = [
    "MAX_REASON_CHARS",
    "CostOverride",
    "CostOverrides",
    "read_cost_overrides",
]

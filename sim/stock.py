"""The dwelling stock as plain arrays: the input of the simulation core.

:class:`DwellingArrays` holds one C-contiguous array per physical input,
one row per dwelling (struct of arrays), validated once at the edge so the
kernels never see bad values. ``DWELLING_FIELDS`` is the schema: name,
unit and physical range of every input; ``docs/nomenclature.md`` repeats it.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim._validate import as_float_array, as_int_array
from sim.errors import InputError, Problems
from sim.reference_data import load_table

#: Orientation order of the window-area and irradiation arrays: horizontal, north, east, south, west.
ORIENTATIONS: tuple[str, ...] = ("h", "n", "e", "s", "w")


@dataclass(frozen=True)
class FieldSpec:
    """Schema of one dwelling input.

    Attributes
    ----------
    name : str
        Column name (with unit suffix where it has a unit).
    unit : str
        Unit, as shown in messages and docs.
    lo, hi : float or None
        Physically sensible range (inclusive unless ``lo_open``).
    lo_open : bool
        Whether ``lo`` itself is excluded.
    default : float or None
        Value taken when the column is absent (None: the column is required).
    kind : str
        ``"f"`` float or ``"i"`` integer code.
    doc : str
        One-line meaning.
    """

    name: str
    unit: str
    lo: float | None
    hi: float | None
    kind: str = "f"
    doc: str = ""
    lo_open: bool = False
    default: float | None = None


HEATING_SYSTEM_CODES: NDArray[np.int64] = load_table("heating_systems.csv")["code"].to_numpy(
    np.int64
)
SPACE_HEATING_CODES: NDArray[np.int64] = HEATING_SYSTEM_CODES[HEATING_SYSTEM_CODES < 10]
VENTILATION_CODES: NDArray[np.int64] = load_table("ventilation_systems.csv")["code"].to_numpy(
    np.int64
)

_F = FieldSpec
#: The schema of the core's dwelling inputs, in order.
DWELLING_FIELDS: tuple[FieldSpec, ...] = (
    _F("floor_area_m2", "m²", 0.0, 1e5, doc="reference (heated) floor area", lo_open=True),
    _F("volume_m3", "m³", 0.0, 1e6, doc="heated (ventilated) air volume", lo_open=True),
    _F("roof_area_m2", "m²", 0.0, 1e5, doc="roof or top-floor ceiling area of the heated volume"),
    _F("wall_area_m2", "m²", 0.0, 1e5, doc="opaque wall area to exterior or unheated spaces"),
    _F("ground_floor_area_m2", "m²", 0.0, 1e5, doc="floor area to ground, crawl space or cellar"),
    _F("door_area_m2", "m²", 0.0, 1e4, doc="opaque door area"),
    _F(
        "party_wall_area_m2",
        "m²",
        0.0,
        1e5,
        doc="wall area shared with neighbouring buildings, heated and unheated (annex, garage)",
    ),
    _F("window_area_h_m2", "m²", 0.0, 1e4, doc="roof-window area (horizontal)"),
    _F("window_area_n_m2", "m²", 0.0, 1e4, doc="window area facing north"),
    _F("window_area_e_m2", "m²", 0.0, 1e4, doc="window area facing east"),
    _F("window_area_s_m2", "m²", 0.0, 1e4, doc="window area facing south"),
    _F("window_area_w_m2", "m²", 0.0, 1e4, doc="window area facing west"),
    _F("u_roof_w_m2k", "W/(m²·K)", 0.0, 10.0, doc="thermal transmittance of the roof"),
    _F("u_wall_w_m2k", "W/(m²·K)", 0.0, 10.0, doc="thermal transmittance of the walls"),
    _F("u_floor_w_m2k", "W/(m²·K)", 0.0, 10.0, doc="thermal transmittance of the floor"),
    _F(
        "u_window_w_m2k",
        "W/(m²·K)",
        0.0,
        10.0,
        doc="thermal transmittance of the windows (incl. frame)",
    ),
    _F("u_door_w_m2k", "W/(m²·K)", 0.0, 10.0, doc="thermal transmittance of the doors"),
    _F(
        "b_roof", "-", 0.0, 1.0, doc="adjustment factor of the roof (1 exterior, <1 unheated attic)"
    ),
    _F("b_wall", "-", 0.0, 1.0, doc="adjustment factor of the walls"),
    _F("b_floor", "-", 0.0, 1.0, doc="adjustment factor of the floor (ground, cellar)"),
    _F(
        "b_party_wall",
        "-",
        0.0,
        1.0,
        doc="adjustment factor of party walls, area-weighted (0 heated neighbour, b unheated one)",
    ),
    _F(
        "delta_u_tb_w_m2k",
        "W/(m²·K)",
        0.0,
        1.0,
        doc="thermal-bridge surcharge on the envelope area",
    ),
    _F(
        "g_window",
        "-",
        0.0,
        1.0,
        doc="total solar energy transmittance of the glazing, normal incidence",
    ),
    _F("frame_fraction", "-", 0.0, 1.0, doc="frame area fraction of the windows"),
    _F("shading_factor", "-", 0.0, 1.0, doc="shading reduction factor for external obstacles"),
    _F("infiltration_ach", "1/h", 0.0, 10.0, doc="infiltration air change rate"),
    _F("ventilation_ach", "1/h", 0.0, 10.0, doc="hygienic air change rate"),
    _F(
        "ventilation_system",
        "code",
        None,
        None,
        kind="i",
        doc="0 natural A, 1 supply B, 2 extract C, 3 balanced D",
    ),
    _F("heat_recovery_eff", "-", 0.0, 0.95, doc="temperature efficiency of heat recovery"),
    _F(
        "heat_capacity_wh_m2k",
        "Wh/(m²·K)",
        0.0,
        1000.0,
        doc="internal heat capacity per m² floor",
        lo_open=True,
    ),
    _F("internal_gains_w_m2", "W/m²", 0.0, 50.0, doc="mean internal heat gains per m² floor"),
    _F("setpoint_c", "°C", 5.0, 30.0, doc="heating set-point temperature"),
    _F(
        "heating_system",
        "code",
        None,
        None,
        kind="i",
        doc="space-heating generator (heating_systems.csv)",
    ),
    _F("emitter_temp_c", "°C", 25.0, 90.0, doc="design supply temperature of the heat emitters"),
    _F("dhw_system", "code", None, None, kind="i", doc="DHW generator (heating_systems.csv)"),
    _F("dhw_need_kwh", "kWh", 0.0, 1e6, doc="annual energy need for domestic hot water"),
    _F(
        "solar_dhw_fraction",
        "-",
        0.0,
        1.0,
        doc="share of the DHW need covered by a solar water heater",
    ),
    _F("pv_kwp", "kWp", 0.0, 1e4, doc="installed PV peak power"),
    _F(
        "pv_yield_kwh_kwp",
        "kWh/kWp",
        0.0,
        2000.0,
        doc="specific annual PV yield of the dwelling's roof",
    ),
    _F(
        "emitter_design_load_w",
        "W",
        0.0,
        1e7,
        doc="design heat load the existing emitters were sized for (0: the dwelling as it is)",
        default=0.0,
    ),
    _F(
        "use_factor",
        "-",
        0.0,
        10.0,
        doc="the household's own expected-use factor: measured / modelled expected use (1 unknown)",
        lo_open=True,
        default=1.0,
    ),
    _F(
        "epc_primary_factor",
        "-",
        0.0,
        10.0,
        doc="the registered EPC's primary energy use over the model's, current state (1 without "
        "EPC); scales the primary energy (not the PV) of every variant, so the current label "
        "is the certificate's",
        lo_open=True,
        default=1.0,
    ),
)
DWELLING_COLUMNS: tuple[str, ...] = tuple(f.name for f in DWELLING_FIELDS)
WINDOW_COLUMNS: tuple[str, ...] = tuple(f"window_area_{o}_m2" for o in ORIENTATIONS)

#: The codes each code field of DWELLING_FIELDS may hold, and the table that defines them: the
#: one list (the core's checks, a resident's corrections and the API's input models use it).
CODE_TABLES: dict[str, tuple[NDArray[np.int64], str]] = {
    "ventilation_system": (VENTILATION_CODES, "(see sim/data/ventilation_systems.csv)"),
    "heating_system": (SPACE_HEATING_CODES, "(see sim/data/heating_systems.csv)"),
    "dhw_system": (HEATING_SYSTEM_CODES, "(see sim/data/heating_systems.csv)"),
}


@dataclass(frozen=True)
class DwellingArrays:
    """Validated inputs of N dwellings, one contiguous array per field (see ``DWELLING_FIELDS``).

    Build it with :meth:`from_frame` or :meth:`from_mapping`, which check every
    value and raise one :class:`~sim.errors.InputError` listing every problem.
    ``window_area_m2`` has shape (N, 5) in ``ORIENTATIONS`` order; all other
    fields have shape (N,).
    """

    floor_area_m2: NDArray[np.float64]
    volume_m3: NDArray[np.float64]
    roof_area_m2: NDArray[np.float64]
    wall_area_m2: NDArray[np.float64]
    ground_floor_area_m2: NDArray[np.float64]
    door_area_m2: NDArray[np.float64]
    party_wall_area_m2: NDArray[np.float64]
    window_area_m2: NDArray[np.float64]
    u_roof_w_m2k: NDArray[np.float64]
    u_wall_w_m2k: NDArray[np.float64]
    u_floor_w_m2k: NDArray[np.float64]
    u_window_w_m2k: NDArray[np.float64]
    u_door_w_m2k: NDArray[np.float64]
    b_roof: NDArray[np.float64]
    b_wall: NDArray[np.float64]
    b_floor: NDArray[np.float64]
    b_party_wall: NDArray[np.float64]
    delta_u_tb_w_m2k: NDArray[np.float64]
    g_window: NDArray[np.float64]
    frame_fraction: NDArray[np.float64]
    shading_factor: NDArray[np.float64]
    infiltration_ach: NDArray[np.float64]
    ventilation_ach: NDArray[np.float64]
    ventilation_system: NDArray[np.int64]
    heat_recovery_eff: NDArray[np.float64]
    heat_capacity_wh_m2k: NDArray[np.float64]
    internal_gains_w_m2: NDArray[np.float64]
    setpoint_c: NDArray[np.float64]
    heating_system: NDArray[np.int64]
    emitter_temp_c: NDArray[np.float64]
    dhw_system: NDArray[np.int64]
    dhw_need_kwh: NDArray[np.float64]
    solar_dhw_fraction: NDArray[np.float64]
    pv_kwp: NDArray[np.float64]
    pv_yield_kwh_kwp: NDArray[np.float64]
    emitter_design_load_w: NDArray[np.float64]
    use_factor: NDArray[np.float64]
    epc_primary_factor: NDArray[np.float64]

    @property
    def n(self) -> int:
        """Number of dwellings."""
        return int(self.floor_area_m2.shape[0])

    @classmethod
    def from_mapping(cls, data: Any, what: str = "dwelling inputs") -> DwellingArrays:
        """Validate and convert a mapping of column name -> array (a dict or a DataFrame).

        Every column of ``DWELLING_COLUMNS`` without a default is required (``use_factor``
        defaults to 1). All problems (missing
        columns, wrong lengths, NaN, values out of physical range, unknown
        codes) are collected and raised as one :class:`~sim.errors.InputError`.
        """
        problems = Problems(what)
        keys = set(data.keys()) if hasattr(data, "keys") else set()
        missing = [f.name for f in DWELLING_FIELDS if f.name not in keys and f.default is None]
        if missing:
            problems.add(
                ", ".join(missing),
                "required column(s) missing; add them (see docs/nomenclature.md)",
            )
            problems.raise_if_any()
        n = len(np.asarray(data["floor_area_m2"]))
        shape = (n,)
        values = _checked_at_once(data, keys, n)
        if values is not None:  # everything in range: no message to write
            windows = np.ascontiguousarray(
                np.stack([values.pop(c) for c in WINDOW_COLUMNS], axis=1)
            )
            return cls(window_area_m2=windows, **values)
        values = {}
        for spec in DWELLING_FIELDS:
            raw = data[spec.name] if spec.name in keys else np.full(n, spec.default)
            if isinstance(raw, pd.Series):
                raw = raw.to_numpy()
            if spec.kind == "i":
                allowed, meaning = CODE_TABLES[spec.name]
                values[spec.name] = as_int_array(
                    problems, spec.name, raw, shape, allowed=allowed, meaning=meaning
                )
            else:
                values[spec.name] = as_float_array(
                    problems,
                    spec.name,
                    raw,
                    shape,
                    lo=spec.lo,
                    hi=spec.hi,
                    lo_inclusive=not spec.lo_open,
                    unit=spec.unit,
                )
        problems.raise_if_any()
        windows = np.ascontiguousarray(np.stack([values.pop(c) for c in WINDOW_COLUMNS], axis=1))
        return cls(window_area_m2=windows, **values)

    from_frame = from_mapping

    def to_frame(self) -> pd.DataFrame:
        """The inputs as a DataFrame with ``DWELLING_COLUMNS``."""
        return pd.DataFrame({spec.name: self.column(spec.name) for spec in DWELLING_FIELDS})

    def column(self, name: str) -> NDArray[Any]:
        """One column of ``DWELLING_COLUMNS`` (a window area is a column of ``window_area_m2``)."""
        if name in WINDOW_COLUMNS:
            return np.asarray(self.window_area_m2[:, WINDOW_COLUMNS.index(name)])
        return np.asarray(getattr(self, name))

    def columns(self) -> DwellingColumns:
        """The arrays as a named tuple: the form the kernels take them in, field by name."""
        return DwellingColumns._make(map(self.__dict__.__getitem__, DwellingColumns._fields))

    def take(self, index: NDArray[np.integer[Any]]) -> DwellingArrays:
        """Subset (or reorder) the dwellings by position."""
        return DwellingArrays(
            **{f.name: np.ascontiguousarray(getattr(self, f.name)[index]) for f in fields(self)}
        )


#: The float fields of DWELLING_FIELDS and their bounds as columns (lower bound where it is
#: inclusive, where it is open, upper bound; -inf/inf where there is none): one check for all.
_FLOAT_FIELDS: tuple[FieldSpec, ...] = tuple(f for f in DWELLING_FIELDS if f.kind != "i")
_FLOAT_BOUNDS: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]] = (
    np.asarray([[-np.inf if f.lo is None or f.lo_open else f.lo] for f in _FLOAT_FIELDS]),
    np.asarray([[f.lo if f.lo is not None and f.lo_open else -np.inf] for f in _FLOAT_FIELDS]),
    np.asarray([[np.inf if f.hi is None else f.hi] for f in _FLOAT_FIELDS]),
)


def _checked_at_once(data: Any, keys: set[str], n: int) -> dict[str, Any] | None:
    """The fields of :meth:`DwellingArrays.from_mapping` converted and checked in one pass over
    all of them (a dwelling a request corrects is one row: a check per field would cost more
    than the physics); None when anything is off, so the caller checks field by field and says
    what is wrong where."""
    floats = _FLOAT_FIELDS
    raws = []
    for spec in floats:
        raw = data[spec.name] if spec.name in keys else np.full(n, spec.default)
        arr = raw.to_numpy() if isinstance(raw, pd.Series) else np.asarray(raw)
        if arr.shape != (n,) or arr.dtype.kind not in "fiub":
            return None
        raws.append(arr)
    block = np.stack(raws).astype(np.float64) if raws else np.empty((0, n))
    lo_closed, lo_open, hi = _FLOAT_BOUNDS
    with np.errstate(invalid="ignore"):
        ok = (block >= lo_closed) & (block > lo_open) & (block <= hi)
    if not (ok.all() and np.isfinite(block).all()):  # NaN fails every comparison
        return None
    values: dict[str, Any] = {spec.name: block[j] for j, spec in enumerate(floats)}
    problems = Problems("dwelling inputs")
    for spec in DWELLING_FIELDS:
        if spec.kind == "i":
            raw = data[spec.name] if spec.name in keys else np.full(n, spec.default)
            if isinstance(raw, pd.Series):
                raw = raw.to_numpy()
            allowed, meaning = CODE_TABLES[spec.name]
            values[spec.name] = as_int_array(
                problems, spec.name, raw, (n,), allowed=allowed, meaning=meaning
            )
    return None if problems.items else values


#: The fields of :class:`DwellingArrays` as a named tuple (:meth:`DwellingArrays.columns`):
#: numba compiles a kernel for it and the kernel reads every field by its name.
DwellingColumns = namedtuple(  # type: ignore[misc]  # the fields are the dataclass's
    "DwellingColumns", [f.name for f in fields(DwellingArrays)]
)


def check_same_length(problems: Problems, **arrays: NDArray[Any]) -> None:
    """Record a problem when arrays that describe the same dwellings differ in length."""
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        problems.add(", ".join(lengths), f"must have the same length, got {lengths}")


__all__ = [
    "CODE_TABLES",
    "DWELLING_COLUMNS",
    "DWELLING_FIELDS",
    "ORIENTATIONS",
    "DwellingArrays",
    "DwellingColumns",
    "FieldSpec",
    "InputError",
]

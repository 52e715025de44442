"""Renovation variants as array transforms of the dwelling inputs.

A variant (a renovation package) changes element U-values, glazing,
airtightness and ventilation, the heating or hot-water system, or adds PV.
P variants are held as a struct of arrays (:class:`VariantArrays`, shape
(P,)); the core applies every variant to every dwelling inside one kernel
call (``sim.core.simulate``), so effects interact as the physics dictates:
they are simulated together, never added up.

Semantics of each field (NaN or -1 = keep the dwelling's own value):

* ``r_add_*_m2kw`` -- insulation added in series: :math:`U' = 1/(1/U + R)`.
* ``u_window_w_m2k``, ``u_door_w_m2k``, ``delta_u_tb_w_m2k``,
  ``infiltration_ach`` -- upper limits: the new value is
  :math:`\\min(\\text{own}, \\text{variant})`, a measure never makes an
  element worse. ``g_window`` applies where the window is replaced.
* ``ventilation_system``, ``heating_system``, ``dhw_system`` -- replace the
  system (codes of ``sim/data/ventilation_systems.csv`` and
  ``heating_systems.csv``); ``heat_recovery_eff`` NaN takes the default
  of the new ventilation system.
* ``emitter_temp_c`` -- new design supply temperature (emitter upgrade).
* ``solar_dhw_fraction`` -- lower limit (max of own and variant).
* ``pv_kwp_add`` -- PV peak power added on the dwelling's roof.

:func:`apply_variant` is the slow, obvious NumPy reference of these
transforms; the kernel is tested against it.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim._jit import jit
from sim._validate import as_float_array, as_int_array
from sim.errors import Problems
from sim.reference_data import load_table
from sim.stock import HEATING_SYSTEM_CODES, SPACE_HEATING_CODES, VENTILATION_CODES, DwellingArrays
from sim.transmission import _u_with_added_resistance, u_with_added_resistance

#: Variant fields: name -> (kind, unit, lo, hi). Float NaN / int -1 mean "keep".
VARIANT_FIELDS: dict[str, tuple[str, str, float | None, float | None]] = {
    "r_add_roof_m2kw": ("f", "m²·K/W", 0.0, 20.0),
    "r_add_wall_m2kw": ("f", "m²·K/W", 0.0, 20.0),
    "r_add_floor_m2kw": ("f", "m²·K/W", 0.0, 20.0),
    "u_window_w_m2k": ("f", "W/(m²·K)", 0.1, 10.0),
    "g_window": ("f", "-", 0.0, 1.0),
    "u_door_w_m2k": ("f", "W/(m²·K)", 0.1, 10.0),
    "delta_u_tb_w_m2k": ("f", "W/(m²·K)", 0.0, 1.0),
    "infiltration_ach": ("f", "1/h", 0.0, 10.0),
    "ventilation_system": ("i", "code", None, None),
    "heat_recovery_eff": ("f", "-", 0.0, 0.95),
    "heating_system": ("i", "code", None, None),
    "emitter_temp_c": ("f", "°C", 25.0, 90.0),
    "dhw_system": ("i", "code", None, None),
    "solar_dhw_fraction": ("f", "-", 0.0, 1.0),
    "pv_kwp_add": ("f", "kWp", 0.0, 1e4),
}
#: Fields that change the envelope and the ventilation, so the heating need and the design heat
#: load; variants equal in all of them have the same need for every dwelling
#: (:meth:`VariantArrays.envelope_source`).
ENVELOPE_FIELDS: tuple[str, ...] = (
    "r_add_roof_m2kw",
    "r_add_wall_m2kw",
    "r_add_floor_m2kw",
    "u_window_w_m2k",
    "g_window",
    "u_door_w_m2k",
    "delta_u_tb_w_m2k",
    "infiltration_ach",
    "ventilation_system",
    "heat_recovery_eff",
)
#: Fields whose missing value means 0 rather than "keep" (additive transforms).
_ZERO_DEFAULT = ("r_add_roof_m2kw", "r_add_wall_m2kw", "r_add_floor_m2kw", "pv_kwp_add")
_CODES = {
    "ventilation_system": VENTILATION_CODES,
    "heating_system": SPACE_HEATING_CODES,
    "dhw_system": HEATING_SYSTEM_CODES,
}


@dataclass(frozen=True)
class VariantArrays:
    """P renovation variants as arrays of shape (P,); see the module notes for the semantics."""

    name: tuple[str, ...]
    r_add_roof_m2kw: NDArray[np.float64]
    r_add_wall_m2kw: NDArray[np.float64]
    r_add_floor_m2kw: NDArray[np.float64]
    u_window_w_m2k: NDArray[np.float64]
    g_window: NDArray[np.float64]
    u_door_w_m2k: NDArray[np.float64]
    delta_u_tb_w_m2k: NDArray[np.float64]
    infiltration_ach: NDArray[np.float64]
    ventilation_system: NDArray[np.int64]
    heat_recovery_eff: NDArray[np.float64]
    heating_system: NDArray[np.int64]
    emitter_temp_c: NDArray[np.float64]
    dhw_system: NDArray[np.int64]
    solar_dhw_fraction: NDArray[np.float64]
    pv_kwp_add: NDArray[np.float64]

    @property
    def p(self) -> int:
        """Number of variants."""
        return len(self.name)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, what: str = "renovation variants") -> VariantArrays:
        """Validate a table with a ``name`` column and any subset of ``VARIANT_FIELDS``.

        Absent columns and empty cells mean "keep" (0 for the additive
        ``r_add_*`` and ``pv_kwp_add``). Unknown columns are an error, so a
        typo never silently does nothing.
        """
        problems = Problems(what)
        unknown = [
            c
            for c in frame.columns
            if c not in VARIANT_FIELDS and c not in ("name", "label_nl", "description_nl", "source")
        ]
        if unknown:
            problems.add(
                ", ".join(map(str, unknown)),
                f"unknown variant field(s); known are {sorted(VARIANT_FIELDS)}",
            )
        if "name" not in frame.columns:
            problems.add("name", "required column missing; give every variant a name")
        problems.raise_if_any()
        shape = (len(frame),)
        names = tuple(str(x) for x in frame["name"])
        dup = pd.Series(names).duplicated()
        if dup.any():
            problems.add("name", "variant names must be unique", np.flatnonzero(dup.to_numpy()))
        values: dict[str, Any] = {}
        for key, (kind, unit, lo, hi) in VARIANT_FIELDS.items():
            if kind == "i":
                col = frame[key] if key in frame.columns else pd.Series(-1, index=frame.index)
                codes = pd.to_numeric(col, errors="coerce").fillna(-1).to_numpy()
                allowed = np.concatenate([[-1], _CODES[key]])
                values[key] = as_int_array(
                    problems, key, codes, shape, allowed=allowed, meaning="(-1 = keep)"
                )
            else:
                fill = 0.0 if key in _ZERO_DEFAULT else np.nan
                raw = frame[key] if key in frame.columns else pd.Series(fill, index=frame.index)
                raw = pd.to_numeric(raw, errors="coerce")
                raw = raw.fillna(fill) if key in _ZERO_DEFAULT else raw
                values[key] = as_float_array(
                    problems,
                    key,
                    raw.to_numpy(dtype=np.float64),
                    shape,
                    lo=lo,
                    hi=hi,
                    unit=unit,
                    allow_nan=True,
                )
        problems.raise_if_any()
        return cls(name=names, **values)

    @classmethod
    def none(cls) -> VariantArrays:
        """A single variant ``"current"`` that changes nothing (built once, shared)."""
        return _no_variant()

    def columns(self) -> VariantColumns:
        """The arrays (all but ``name``) as a named tuple: what the core's kernel reads by name."""
        return VariantColumns._make(map(self.__dict__.__getitem__, VariantColumns._fields))

    def envelope_source(self) -> NDArray[np.int64]:
        """For each variant, the first variant with the same envelope (itself if none before).

        Variants that differ only in systems or PV (a heat pump, solar water heating, PV)
        leave the envelope as it is, so the core computes their heating need once and
        reuses it. NaN equals NaN here ("keep" in both).
        """
        if self.p == 1:  # one variant is its own source
            return np.zeros(1, dtype=np.int64)
        keys = np.column_stack(
            [np.asarray(getattr(self, f), dtype=np.float64) for f in ENVELOPE_FIELDS]
        )
        keys = np.where(np.isnan(keys), -np.inf, keys)
        out = np.arange(self.p, dtype=np.int64)
        for q in range(self.p):
            same = np.flatnonzero((keys[:q] == keys[q]).all(axis=1))
            if same.size:
                out[q] = same[0]
        return out

    def take(self, index: list[int] | NDArray[np.integer[Any]]) -> VariantArrays:
        """Subset of the variants by position."""
        idx = np.asarray(index)
        kw = {
            f.name: np.ascontiguousarray(getattr(self, f.name)[idx])
            for f in fields(self)
            if f.name != "name"
        }
        return VariantArrays(name=tuple(self.name[i] for i in idx), **kw)


#: The arrays of :class:`VariantArrays` (all fields but ``name``) as a named tuple
#: (:meth:`VariantArrays.columns`).
VariantColumns = namedtuple(  # type: ignore[misc]  # the fields are the dataclass's
    "VariantColumns", [f.name for f in fields(VariantArrays) if f.name != "name"]
)


@cache
def _no_variant() -> VariantArrays:
    return VariantArrays.from_frame(pd.DataFrame({"name": ["current"]}))


@cache
def heat_recovery_defaults() -> NDArray[np.float64]:
    """Default heat-recovery efficiency of each ventilation system, by code (NaN where the
    table has no such code); read once from ``sim/data/ventilation_systems.csv``."""
    table = load_table("ventilation_systems.csv")
    codes = table["code"].to_numpy(np.int64)
    out = np.full(int(codes.max()) + 1, np.nan)
    out[codes] = table["heat_recovery_eff"].to_numpy(np.float64)
    out.flags.writeable = False
    return out


@jit
def _upper_limit(own: float, limit: float) -> float:
    """A variant's upper limit on an input: the limit where it is lower (NaN keeps ``own``)."""
    return limit if limit < own else own


@jit
def _window_after(u: float, g: float, u_new: float, g_new: float) -> tuple[float, float]:
    """U-value and g-value after a glazing limit: a window worse than ``u_new`` is replaced,
    and takes ``g_new`` if the variant gives one (NaN keeps)."""
    if u_new < u:
        return u_new, (g if np.isnan(g_new) else g_new)
    return u, g


#: Dwelling inputs (fields of :class:`sim.stock.DwellingArrays`) a variant can change
#: (:func:`variant_changes`).
VARIANT_TARGETS: tuple[str, ...] = (
    "u_roof_w_m2k",
    "u_wall_w_m2k",
    "u_floor_w_m2k",
    "u_window_w_m2k",
    "g_window",
    "u_door_w_m2k",
    "delta_u_tb_w_m2k",
    "infiltration_ach",
    "pv_kwp",
    "ventilation_system",
    "heat_recovery_eff",
    "heating_system",
    "emitter_temp_c",
    "dhw_system",
    "solar_dhw_fraction",
)


def variant_changes(
    dwellings: Mapping[str, NDArray[Any]], variants: VariantArrays, p: int
) -> dict[str, NDArray[Any]]:
    """The inputs variant ``p`` changes, after it -- the slow, obvious NumPy reference of the
    transform (the kernel of :mod:`sim.core` applies the same rules inline).

    Parameters
    ----------
    dwellings : mapping of str to ndarray
        The fields of :data:`VARIANT_TARGETS` before the renovation, shape (N,) each.
    variants : VariantArrays
        The variants.
    p : int
        Which variant to apply.

    Returns
    -------
    dict of str to ndarray
        New arrays for the fields the variant sets (a field it keeps is left out, so a
        caller may keep its own array); the inputs are not modified.
    """
    d = dwellings
    v = {f.name: getattr(variants, f.name)[p] for f in fields(variants) if f.name != "name"}
    n = len(d["u_roof_w_m2k"])
    out: dict[str, NDArray[Any]] = {}
    for element in ("roof", "wall", "floor"):
        r = float(v[f"r_add_{element}_m2kw"])
        if r > 0.0:  # insulation in series (an element without a U-value stays absent)
            out[f"u_{element}_w_m2k"] = u_with_added_resistance(d[f"u_{element}_w_m2k"], r)
    u_win = float(v["u_window_w_m2k"])
    if not np.isnan(u_win):  # a limit: the window is replaced where it is worse
        replaced = d["u_window_w_m2k"] > u_win
        out["u_window_w_m2k"] = np.minimum(d["u_window_w_m2k"], u_win)
        if not np.isnan(v["g_window"]):
            out["g_window"] = np.where(replaced, v["g_window"], d["g_window"])
    for name in ("u_door_w_m2k", "delta_u_tb_w_m2k", "infiltration_ach"):
        if not np.isnan(v[name]):
            out[name] = np.minimum(d[name], v[name])
    if v["pv_kwp_add"] != 0.0:
        out["pv_kwp"] = d["pv_kwp"] + v["pv_kwp_add"]
    if v["ventilation_system"] >= 0:
        out["ventilation_system"] = np.full(n, v["ventilation_system"], dtype=np.int64)
        eff = v["heat_recovery_eff"]
        default = heat_recovery_defaults()[int(v["ventilation_system"])]
        out["heat_recovery_eff"] = np.full(n, default if np.isnan(eff) else eff)
    for name in ("heating_system", "dhw_system"):
        if v[name] >= 0:
            out[name] = np.full(n, v[name], dtype=np.int64)
    if not np.isnan(v["emitter_temp_c"]):
        out["emitter_temp_c"] = np.full(n, v["emitter_temp_c"])
    if not np.isnan(v["solar_dhw_fraction"]):
        out["solar_dhw_fraction"] = np.maximum(d["solar_dhw_fraction"], v["solar_dhw_fraction"])
    return {k: np.ascontiguousarray(x) for k, x in out.items()}


#: Positions of the inputs in a state vector ordered as :data:`VARIANT_TARGETS`
#: (:func:`apply_variant_state`), by name.
_AT_U_ROOF = VARIANT_TARGETS.index("u_roof_w_m2k")
_AT_U_WALL = VARIANT_TARGETS.index("u_wall_w_m2k")
_AT_U_FLOOR = VARIANT_TARGETS.index("u_floor_w_m2k")
_AT_U_WINDOW = VARIANT_TARGETS.index("u_window_w_m2k")
_AT_G_WINDOW = VARIANT_TARGETS.index("g_window")
_AT_U_DOOR = VARIANT_TARGETS.index("u_door_w_m2k")
_AT_DELTA_U_TB = VARIANT_TARGETS.index("delta_u_tb_w_m2k")
_AT_INFILTRATION = VARIANT_TARGETS.index("infiltration_ach")
_AT_PV = VARIANT_TARGETS.index("pv_kwp")
_AT_VENTILATION = VARIANT_TARGETS.index("ventilation_system")
_AT_HEAT_RECOVERY = VARIANT_TARGETS.index("heat_recovery_eff")
_AT_HEATING = VARIANT_TARGETS.index("heating_system")
_AT_EMITTER_TEMP = VARIANT_TARGETS.index("emitter_temp_c")
_AT_DHW = VARIANT_TARGETS.index("dhw_system")
_AT_SOLAR_DHW = VARIANT_TARGETS.index("solar_dhw_fraction")


@jit
def apply_variant_state(
    x: NDArray[np.float64], var: Any, p: int, heat_recovery: NDArray[np.float64]
) -> None:
    """Variant ``p`` applied in place to ``x``, one dwelling's inputs ordered as
    :data:`VARIANT_TARGETS` (codes as floats; more entries after them are left alone).

    The rules of :func:`variant_changes` (its NumPy reference) for one state, in a kernel:
    ``var`` the variants' columns (:meth:`VariantArrays.columns`), ``heat_recovery`` the
    default efficiency by ventilation code (:func:`heat_recovery_defaults`).
    """
    r = var.r_add_roof_m2kw[p]
    if r > 0.0:
        x[_AT_U_ROOF] = _u_with_added_resistance(x[_AT_U_ROOF], r)
    r = var.r_add_wall_m2kw[p]
    if r > 0.0:
        x[_AT_U_WALL] = _u_with_added_resistance(x[_AT_U_WALL], r)
    r = var.r_add_floor_m2kw[p]
    if r > 0.0:
        x[_AT_U_FLOOR] = _u_with_added_resistance(x[_AT_U_FLOOR], r)
    u, g = _window_after(x[_AT_U_WINDOW], x[_AT_G_WINDOW], var.u_window_w_m2k[p], var.g_window[p])
    x[_AT_U_WINDOW] = u
    x[_AT_G_WINDOW] = g
    x[_AT_U_DOOR] = _upper_limit(x[_AT_U_DOOR], var.u_door_w_m2k[p])
    x[_AT_DELTA_U_TB] = _upper_limit(x[_AT_DELTA_U_TB], var.delta_u_tb_w_m2k[p])
    x[_AT_INFILTRATION] = _upper_limit(x[_AT_INFILTRATION], var.infiltration_ach[p])
    if var.pv_kwp_add[p] != 0.0:
        x[_AT_PV] = x[_AT_PV] + var.pv_kwp_add[p]
    code = var.ventilation_system[p]
    if code >= 0:
        x[_AT_VENTILATION] = code
        eff = var.heat_recovery_eff[p]
        x[_AT_HEAT_RECOVERY] = heat_recovery[code] if np.isnan(eff) else eff
    if var.heating_system[p] >= 0:
        x[_AT_HEATING] = var.heating_system[p]
    if not np.isnan(var.emitter_temp_c[p]):
        x[_AT_EMITTER_TEMP] = var.emitter_temp_c[p]
    if var.dhw_system[p] >= 0:
        x[_AT_DHW] = var.dhw_system[p]
    if var.solar_dhw_fraction[p] > x[_AT_SOLAR_DHW]:  # a lower limit (NaN keeps)
        x[_AT_SOLAR_DHW] = var.solar_dhw_fraction[p]


def apply_variant(dwellings: DwellingArrays, variants: VariantArrays, p: int) -> DwellingArrays:
    """Dwelling inputs after variant ``p`` (:func:`variant_changes`).

    Parameters
    ----------
    dwellings : DwellingArrays
        Inputs before the renovation.
    variants : VariantArrays
        The variants.
    p : int
        Which variant to apply.

    Returns
    -------
    DwellingArrays
        New inputs; ``dwellings`` is not modified.
    """
    before = {name: getattr(dwellings, name) for name in VARIANT_TARGETS}
    return replace(dwellings, **variant_changes(before, variants, p))

"""Grid load of heating electrification on the Belgian design day, per zone and year.

What a municipality needs to know is where the low-voltage grid will not carry the heat pumps its
renovation plans bring. Per dwelling and year (the rows of ``scenarios.heat.demand``):

* **Individual design-day peak** (:func:`dwelling_electric_peak_w`), the electricity the heating
  draws at the design outdoor temperature (``SystemParameters.theta_e_design_c``, −7 °C, NBN EN
  12831-1 ANB, Uccle):

  - air/water (5) and ground/water (6) heat pumps:
    :math:`(1-b)\\,\\Phi_{HL}/COP + b\\,\\Phi_{HL}`, with :math:`\\Phi_{HL}` =
    ``design_heat_load_w`` (EN 12831-1 single zone, the core's), COP the core's at −7 °C (air) or
    the brine temperature (ground) and the supply temperature the emitters need on the design
    day, ``hp_supply_temp_c`` (:func:`sim.systems.heat_pump_design_cop`: the core's Carnot rule
    with the design-day field factor ``design_field_factor`` of ``heating_systems.csv``, 0.90
    for air/water, instead of the seasonal 0.70, which carries on/off cycling), and
    :math:`b` = ``hp_backup_share``, the share a resistive back-up heater covers (0 by
    default: the tool applies heat pumps only where they carry the design load);
  - hybrids (9): only their heat pump loads the grid, ``hybrid_hp_capacity_share`` of
    :math:`\\Phi_{HL}` over its COP; the boiler covers the rest (and the tap water);
  - direct electric heating (4): :math:`\\Phi_{HL}/1`;
  - plus ``dhw_hp_peak_w`` where the tap water is heated by a heat pump (``dhw_system`` 5 or 6);
  - every other system (boilers, district heat): 0 -- no electrification.

* **Coincidence** (:func:`coincidence_factor`): the peaks of ``n`` heat pumps do not all fall in
  the same quarter hour. Rusck's relation :math:`g(n) = g_\\infty + (1-g_\\infty)/\\sqrt{n}`
  (g(1) = 1, falling to :math:`g_\\infty`) gives the group's peak as :math:`g(n)\\sum_i P_i`;
  ``hp_coincidence_inf`` in ``scenarios/data/grid_load.csv`` with its source and range.
* **Existing household peak** (:func:`household_peak_kw`), without heating, in the same form
  per dwelling: :math:`P_{ADMD} + (P_1 - P_{ADMD})/\\sqrt{n}` (one household ``P_1`` =
  ``household_peak_single_kw``; many ``P_ADMD`` = ``household_admd_kw``), so the heat pumps'
  peak is shown beside what the grid already carries.

:func:`zone_peak` sums per zone and year with ``np.bincount`` (3.3 M dwellings × 3 years, 9.9 M
rows, in ~2 s on one core, measured 2026-12-04). The heat pumps' and the households' diversified
peaks are added where a total is needed (``scenarios.heat.cabins``), as if they fell at the same
time: a cautious choice (Love et al. 2017 found the heat pumps' peak in the morning, the
households' falls in the evening).

Limits: the relation is a planning rule, not a load flow; it does not see phases, cables or
voltage drop; the coincidence of heat pumps is a project assumption within a stated range (the
data file says what was and was not found).

References
----------
.. [1] NBN EN 12831-1:2017 and its Belgian annex (ANB): design outdoor temperature.
.. [2] Love, J. et al. (2017). The addition of heat pump electricity load profiles to GB
   electricity demand: Evidence from a heat pump field trial. Applied Energy 204, 332-342.
.. [3] Konstantelos, I., Sun, M., Strbac, G. (2014). Quantifying demand diversity of
   households. Low Carbon London report, Imperial College London.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from sim.core import SystemParameters
from sim.errors import Problems
from sim.systems import heat_pump_design_cop

#: The shipped data file (``scenarios/data``).
GRID_LOAD_FILE = "grid_load.csv"

#: Heating-system codes (``sim/data/heating_systems.csv``) this module treats.
DIRECT_ELECTRIC, HP_AIR_WATER, HP_GROUND_WATER, HYBRID_HP = 4, 5, 6, 9
#: Tap-water systems that are heat pumps (their peak allowance ``dhw_hp_peak_w``).
DHW_HEAT_PUMPS: tuple[int, ...] = (HP_AIR_WATER, HP_GROUND_WATER)

#: Columns :func:`dwelling_electric_peak_w` reads.
PEAK_INPUT_COLUMNS: tuple[str, ...] = (
    "heating_system",
    "dhw_system",
    "design_heat_load_w",
    "hp_supply_temp_c",
)

#: Columns of :func:`zone_peak`.
ZONE_PEAK_COLUMNS: tuple[str, ...] = (
    "zone",
    "year",
    "n_dwellings",
    "n_electrified",
    "peak_undiversified_kw",
    "peak_kw",
    "household_peak_kw",
    "peak_kw_per_dwelling",
    "peak_kw_per_ha",
)


@dataclass(frozen=True)
class GridLoadParameters:
    """Parameters of the design-day peak (``scenarios/data/grid_load.csv``, units there)."""

    hp_coincidence_inf: float
    household_peak_single_kw: float
    household_admd_kw: float
    dhw_hp_peak_w: float
    hp_backup_share: float
    hybrid_hp_capacity_share: float
    power_factor: float
    synthetic_cabin_dwellings: float
    synthetic_cabin_kva_small: float
    synthetic_cabin_kva_medium: float
    synthetic_cabin_kva_large: float
    synthetic_cabin_design_loading: float

    @classmethod
    def default(cls) -> GridLoadParameters:
        """The shipped values (read once)."""
        return _shipped_parameters()


def grid_load_table() -> pd.DataFrame:
    """The shipped data file as a table: parameter, value, low, high, unit, source."""
    text = resources.files("scenarios.data").joinpath(GRID_LOAD_FILE)
    with text.open("r", encoding="utf-8") as f:
        return pd.read_csv(f, comment="#")


@cache
def _shipped_parameters() -> GridLoadParameters:
    return grid_load_parameters(grid_load_table())


def grid_load_parameters(table: pd.DataFrame) -> GridLoadParameters:
    """Build and check :class:`GridLoadParameters` from a table in the data file's format.

    Every parameter must be present once, numeric and within its own ``[low, high]``.

    Raises
    ------
    InputError
        Naming each missing, duplicated or out-of-range parameter.
    """
    problems = Problems(f"netbelastingsparameters ({GRID_LOAD_FILE})")
    names = [f.name for f in fields(GridLoadParameters)]
    for col in ("parameter", "value", "low", "high"):
        if col not in table.columns:
            problems.add(col, "kolom ontbreekt; gebruik parameter,value,low,high,unit,source")
    problems.raise_if_any()
    values: dict[str, Any] = {}
    for name in names:
        rows = table.index[table["parameter"] == name]
        if len(rows) != 1:
            what = "ontbreekt" if len(rows) == 0 else "staat er meer dan eens in"
            problems.add(name, f"parameter {what}; geef hem precies één keer op", rows)
            continue
        row = table.loc[rows[0]]
        try:
            v, lo, hi = (float(row[c]) for c in ("value", "low", "high"))
        except (TypeError, ValueError):
            problems.add(name, "waarde, low en high moeten getallen zijn", rows)
            continue
        if not (np.isfinite(v) and lo <= v <= hi):
            problems.add(name, f"waarde {v} ligt niet tussen low {lo} en high {hi}", rows)
        values[name] = v
    problems.raise_if_any()
    p = GridLoadParameters(**values)
    if not 0.0 < p.power_factor <= 1.0:
        problems.add("power_factor", "moet in (0, 1] liggen")
    if not 0.0 <= p.hp_coincidence_inf <= 1.0:
        problems.add("hp_coincidence_inf", "moet in [0, 1] liggen")
    if not 0.0 < p.household_admd_kw <= p.household_peak_single_kw:
        problems.add(
            "household_admd_kw",
            "moet groter dan 0 en hoogstens household_peak_single_kw zijn (na spreiding is "
            "de piek per woning nooit hoger dan die van één woning alleen)",
        )
    problems.raise_if_any()
    return p


def coincidence_factor(n: ArrayLike, g_inf: float) -> NDArray[np.float64]:
    """Rusck's coincidence factor :math:`g(n) = g_\\infty + (1-g_\\infty)/\\sqrt{n}` [-].

    The peak of ``n`` like loads together over the sum of their individual peaks. g(1) = 1 and
    it falls monotonically to ``g_inf``; for ``n = 0`` (no load) it is 1 by convention (the sum
    it multiplies is 0).

    Parameters
    ----------
    n : array_like
        Number of loads (dwellings, heat pumps) [-], ≥ 0.
    g_inf : float
        Coincidence factor of infinitely many loads [-], in [0, 1].

    Examples
    --------
    >>> [round(float(g), 3) for g in coincidence_factor([1, 4, 100], 0.2)]
    [1.0, 0.6, 0.28]
    """
    k = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore"):
        g = g_inf + (1.0 - g_inf) / np.sqrt(k)
    return np.asarray(np.where(k > 0.0, g, 1.0), dtype=np.float64)


def household_peak_kw(
    n: ArrayLike, params: GridLoadParameters | None = None
) -> NDArray[np.float64]:
    """Existing (non-heating) peak of ``n`` households together, after diversity [kW].

    :math:`n\\,(P_{ADMD} + (P_1 - P_{ADMD})/\\sqrt{n})`: Rusck's relation with
    :math:`g_\\infty = P_{ADMD}/P_1`. 0 for ``n = 0``.

    Examples
    --------
    >>> p = GridLoadParameters.default()
    >>> float(household_peak_kw(1, p)) == p.household_peak_single_kw
    True
    """
    p = GridLoadParameters.default() if params is None else params
    k = np.asarray(n, dtype=np.float64)
    g = coincidence_factor(k, p.household_admd_kw / p.household_peak_single_kw)
    return np.asarray(k * p.household_peak_single_kw * g, dtype=np.float64)


def dwelling_electric_peak_w(
    dwellings: pd.DataFrame,
    params: GridLoadParameters | None = None,
    theta_e_design_c: float | None = None,
) -> NDArray[np.float64]:
    """Design-day electrical peak of each row's heating and hot water, before diversity [W].

    See the module notes for the rule per system.

    Parameters
    ----------
    dwellings : DataFrame
        One row per dwelling (and year) with :data:`PEAK_INPUT_COLUMNS`: ``heating_system``,
        ``dhw_system`` (codes), ``design_heat_load_w`` [W], ``hp_supply_temp_c`` [°C] (needed
        only on heat-pump rows).
    params : GridLoadParameters, optional
        Default the shipped data file.
    theta_e_design_c : float, optional
        Design outdoor temperature [°C]; default the core's (−7 °C).

    Returns
    -------
    ndarray, shape (len(dwellings),)
        Electrical peak [W]; 0 for rows whose heating is not electric.

    Raises
    ------
    InputError
        Missing columns, or negative/missing design loads, or space-heating heat-pump rows
        without a finite supply temperature (the rows are named).
    """
    p = GridLoadParameters.default() if params is None else params
    te = (
        SystemParameters.default().theta_e_design_c
        if theta_e_design_c is None
        else theta_e_design_c
    )
    problems = Problems("woningen voor de netbelasting")
    missing = [c for c in PEAK_INPUT_COLUMNS if c not in dwellings.columns]
    if missing:
        problems.add(
            ", ".join(missing),
            f"kolommen ontbreken; nodig: {', '.join(PEAK_INPUT_COLUMNS)}",
        )
    problems.raise_if_any()
    hs = dwellings["heating_system"].to_numpy(np.int64)
    ds = dwellings["dhw_system"].to_numpy(np.int64)
    load = dwellings["design_heat_load_w"].to_numpy(np.float64)
    supply = dwellings["hp_supply_temp_c"].to_numpy(np.float64)
    bad_load = ~(np.isfinite(load) & (load >= 0.0))
    if bad_load.any():
        problems.add(
            "design_heat_load_w",
            "ontbreekt of is negatief; het ontwerpwarmteverlies (W) moet ≥ 0 zijn",
            np.flatnonzero(bad_load),
        )
    hp = (hs == HP_AIR_WATER) | (hs == HP_GROUND_WATER) | (hs == HYBRID_HP)
    dhw_hp = np.isin(ds, DHW_HEAT_PUMPS)
    # only a space-heating heat pump's COP reads the supply temperature; the tap-water heat
    # pump's allowance (dhw_hp_peak_w) does not
    bad_supply = hp & ~np.isfinite(supply)
    if bad_supply.any():
        problems.add(
            "hp_supply_temp_c",
            "ontbreekt bij een warmtepomp; geef de aanvoertemperatuur op de ontwerpdag (°C)",
            np.flatnonzero(bad_supply),
        )
    problems.raise_if_any()
    peak = np.zeros(len(hs), dtype=np.float64)
    if hp.any():
        cop = heat_pump_design_cop(hs[hp], supply[hp], te)
        q = load[hp]
        mono = hs[hp] != HYBRID_HP
        b = p.hp_backup_share
        peak[hp] = np.where(
            mono,
            (1.0 - b) * q / cop + b * q,
            p.hybrid_hp_capacity_share * q / cop,
        )
    direct = hs == DIRECT_ELECTRIC
    peak[direct] = load[direct]
    peak[dhw_hp] += p.dhw_hp_peak_w
    return peak


def zone_peak(
    zone_of: ArrayLike,
    dwellings: pd.DataFrame,
    n_zones: int,
    area_ha: ArrayLike | None = None,
    params: GridLoadParameters | None = None,
    peak_w: ArrayLike | None = None,
) -> pd.DataFrame:
    """Design-day peak of heating electrification per zone and year, beside the household peak.

    Parameters
    ----------
    zone_of : array_like of int, shape (len(dwellings),)
        Zone index (0 … ``n_zones`` − 1) of each ROW of ``dwellings`` (a dwelling in several
        years has several rows, each with its zone).
    dwellings : DataFrame
        Rows of ``scenarios.heat.demand``: ``year`` and :data:`PEAK_INPUT_COLUMNS` (one or
        many years).
    n_zones : int
        Number of zones; every zone appears in every year, with zeros where it has no dwelling.
    area_ha : array_like, shape (n_zones,), optional
        Zone areas [ha] for ``peak_kw_per_ha``; NaN without it.
    params : GridLoadParameters, optional
        Default the shipped data file.
    peak_w : array_like, optional
        The rows' individual peaks [W] when already computed (:func:`dwelling_electric_peak_w`).

    Returns
    -------
    DataFrame
        :data:`ZONE_PEAK_COLUMNS`, one row per zone and year (years ascending, then zones):
        ``n_dwellings``; ``n_electrified`` (rows with an electrical heating peak > 0);
        ``peak_undiversified_kw`` (Σ individual peaks); ``peak_kw`` (after diversity by
        ``n_electrified``); ``household_peak_kw`` (existing peak after diversity by
        ``n_dwellings``); ``peak_kw_per_dwelling`` = ``peak_kw`` / ``n_dwellings`` (NaN
        without dwellings); ``peak_kw_per_ha`` = ``peak_kw`` / ``area_ha``.

    Raises
    ------
    InputError
        Wrong lengths, zone indices outside 0 … n_zones − 1, or bad dwelling rows.
    """
    p = GridLoadParameters.default() if params is None else params
    problems = Problems("zones voor de netbelasting")
    z = np.asarray(zone_of)
    if z.shape != (len(dwellings),):
        problems.add(
            "zone_of", f"heeft vorm {z.shape}; verwacht één zone per rij ({len(dwellings)})"
        )
    elif len(z) and not np.issubdtype(z.dtype, np.integer):
        problems.add("zone_of", "moet gehele zone-indices bevatten")
    elif len(z) and ((z < 0) | (z >= n_zones)).any():
        problems.add(
            "zone_of",
            f"zone-index buiten 0 … {n_zones - 1}",
            np.flatnonzero((z < 0) | (z >= n_zones)),
        )
    if "year" not in dwellings.columns:
        problems.add("year", "kolom ontbreekt")
    area = None
    if area_ha is not None:
        area = np.asarray(area_ha, dtype=np.float64)
        if area.shape != (n_zones,):
            problems.add("area_ha", f"heeft vorm {area.shape}; verwacht ({n_zones},)")
    problems.raise_if_any()
    if peak_w is None:
        pw = dwelling_electric_peak_w(dwellings, p)
    else:
        pw = np.asarray(peak_w, dtype=np.float64)
        if pw.shape != (len(dwellings),):
            problems.add("peak_w", f"heeft vorm {pw.shape}; verwacht ({len(dwellings)},)")
            problems.raise_if_any()
    years_all = dwellings["year"].to_numpy(np.int64)
    years, year_idx = np.unique(years_all, return_inverse=True)
    ny = len(years)
    key = year_idx.astype(np.int64) * n_zones + z.astype(np.int64)
    size = ny * n_zones
    n_dw = np.bincount(key, minlength=size).astype(np.float64)
    n_el = np.bincount(key, weights=(pw > 0.0).astype(np.float64), minlength=size)
    undiv_kw = np.bincount(key, weights=pw, minlength=size) / 1000.0
    peak_kw = undiv_kw * coincidence_factor(n_el, p.hp_coincidence_inf)
    hh_kw = household_peak_kw(n_dw, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_dw = np.where(n_dw > 0, peak_kw / n_dw, np.nan)
        if area is None:
            per_ha = np.full(size, np.nan)
        else:
            a = np.tile(area, ny)
            per_ha = np.where(a > 0, peak_kw / a, np.nan)
    return pd.DataFrame(
        {
            "zone": np.tile(np.arange(n_zones, dtype=np.int64), ny),
            "year": np.repeat(years, n_zones),
            "n_dwellings": n_dw.astype(np.int64),
            "n_electrified": n_el.astype(np.int64),
            "peak_undiversified_kw": undiv_kw,
            "peak_kw": peak_kw,
            "household_peak_kw": hh_kw,
            "peak_kw_per_dwelling": per_dw,
            "peak_kw_per_ha": per_ha,
        },
        columns=list(ZONE_PEAK_COLUMNS),
    )


__all__ = [
    "DHW_HEAT_PUMPS",
    "GRID_LOAD_FILE",
    "PEAK_INPUT_COLUMNS",
    "ZONE_PEAK_COLUMNS",
    "GridLoadParameters",
    "coincidence_factor",
    "dwelling_electric_peak_w",
    "grid_load_parameters",
    "grid_load_table",
    "household_peak_kw",
    "zone_peak",
]

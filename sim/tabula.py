"""TABULA/EPISCOPE typology calculation of the energy need for space heating.

The common calculation method of the European TABULA/EPISCOPE building
typologies (Loga et al. 2013, implemented in IWU's ``tabula-calculator.xlsx``):
a seasonal quasi-steady-state balance after EN ISO 13790:2008, per m² of the
TABULA reference floor area :math:`A_{C,Ref}`. It is the project's reference
method: it reproduces the published ``q_h_nd`` of the TABULA/EPISCOPE datasets
(tested on 836 rows of 21 typologies), and it shares its building blocks with the
EN ISO 52016-1 monthly method (:mod:`sim.transmission`, :mod:`sim.ventilation`,
:mod:`sim.solar_gains`, :mod:`sim.utilisation`).

Input is a frame in the TABULA/EPISCOPE column format, one row per building
variant, as exported from the TABULA database (e.g. ``tabula_BE.csv``). Only
*input* columns are read; the workbook's results and intermediates are
recomputed and may be absent.

Notes
-----
Elements: opaque ``Roof_1, Roof_2, Wall_1, Wall_2, Wall_3, Floor_1, Floor_2``;
windows ``Window_1, Window_2``; ``Door_1``.

1. *Envelope areas.* ``Code_TypeIntake_EnvelopeArea`` ``"Manual"`` (or empty):
   :math:`A_{Calc,k} = A_k` and the window areas by orientation as entered.
   ``"Estimation"``: the simplified geometry of the workbook
   (:func:`estimate_envelope_areas`), windows half east, half west.
   ``"Estimation_ManualWindowOrientation"``: estimated areas, window area split
   in the entered proportions by orientation.
2. *U-values.* :math:`R_{before} = 1/U_k + R_{add,k}` (:math:`R_{add}`: extra
   resistance of an unheated space, opaque elements only); ``U == 0`` marks an
   absent element, which stays at 0. The refurbishment measure of an element
   (``Code_MeasureType_<el>``) gives :math:`U_{measure}`:

   * ``"Add"``, or none (``0``, ``"0"``, empty) with :math:`R_{measure} > 0`:
     :math:`1/(R_{before} + R_{measure})` -- insulation added in series;
   * ``"Replace"``: :math:`1/(R_{add} + R_{measure})` -- new construction
     (windows and doors :math:`1/R_{measure}`);
   * ``"ReplaceInsulation"`` (opaque only): the existing insulation of thickness
     ``d_Insulation_<el>`` is removed first, counted at
     :math:`\\lambda` = 0.04 W/(m·K): :math:`1/(R_{before} - d/\\lambda + R_{measure})`;

   a resistance sum of 0 gives :math:`U_{measure}` = 0 (the workbook's
   ``IF(R > 0; 1/R; 0)``: a ``Replace`` with :math:`R_{measure} = R_{add} = 0`
   makes the replaced fraction lossless). :math:`R_{measure}` =
   ``R_PredefinedMeasure`` scaled by :math:`d_{measure}/d_{predefined}` when a
   thickness is defined, with :math:`d_{measure}` = ``d_Insulation_Input_Measure``
   if non-zero, else ``d_Insulation_PredefinedMeasure``. A measure (a type, or
   :math:`R_{measure} > 0`) covers the fraction :math:`f` = ``f_Measure_<el>`` of
   the element: :math:`U_{actual} = (1-f)\\,U_{before} + f\\,U_{measure}`; without
   one :math:`U_{actual} = U_{before}`.
3. *Thermal bridges.* With :math:`f_{ref}` the area-weighted fraction of the
   envelope that a measure with :math:`R_{measure} > 0` covers
   (``Fraction_EnvelopeRefurbished``),
   :math:`\\Delta U_{tb} = (1-f_{ref})\\,\\Delta U_{tb,orig} + f_{ref}\\,\\Delta U_{tb,refurb}`;
   :math:`\\Delta U_{tb,refurb}` alone for a variation (optional column
   ``Code_TypeVariant`` = ``"Variation"``: a variant wholly in its new state, e.g.
   a new-build standard, whatever its measures); :math:`\\Delta U_{tb,orig}` alone
   when no refurbished thermal-bridging type is given
   (``Code_ThermalBridging_Refurbished`` empty; any code, ``0`` included, counts).
4. *Transmission.* :math:`h_{tr} = [\\sum_k b_k U_{actual,k} A_k + \\Delta U_{tb}
   \\sum_k A_k] / A_{C,Ref}` (:func:`sim.transmission.transmission_heat_transfer_coefficient`;
   :math:`b = 1` for windows and doors).
5. *Ventilation.* :math:`h_{ve} = 0.34\\,(n_{use} + n_{inf})\\,h_{room}`
   (:func:`sim.ventilation.ventilation_heat_transfer_coefficient` with the air
   volume per m² of reference area, :math:`h_{room}`).
6. *Temperature reduction* for night setback and unheated rooms,
   :math:`F_{red}` (:func:`temperature_reduction_factor`).
7. *Losses.* :math:`q_{ht} = (h_{tr} + h_{ve})\\,F_{red}\\,0.024\\,
   (\\theta_i - \\theta_e)\\,d_{heating}` [kWh/(m²·a)].
8. *Solar gains.* :math:`q_{sol} = \\sum_o F_{sh,o}(1-F_F)F_w\\,g_{gl,n}\\,A_{w,o}
   I_{sol,o} / A_{C,Ref}` (:func:`sim.solar_gains.solar_heat_gains`) with
   :math:`g_{gl,n}` the area-weighted average of both window types, each with its
   ``g_gl_n_<w>`` or, where a measure with :math:`R_{measure} > 0` replaces it,
   wholly with the new window's ``g_gl_n_PredefinedMeasure_<w>`` (whatever the
   fraction :math:`f`); :math:`F_{sh}` = ``F_sh_hor`` for horizontal and
   ``F_sh_vert`` for vertical windows.
9. *Internal gains.* :math:`q_{int} = \\phi_{int}\\,0.024\\,d_{heating}`.
10. *Need.* :math:`\\tau = c_m/(h_{tr}+h_{ve})`, :math:`a_H = 0.8 + \\tau/30`,
    :math:`\\gamma = (q_{sol}+q_{int})/q_{ht}`, :math:`\\eta` after EN ISO 13790
    eq. 52-53 (:mod:`sim.utilisation`, seasonal reference values) and
    :math:`q_{h,nd} = \\max(0,\\ q_{ht} - \\eta\\,(q_{sol}+q_{int}))`.

Where IWU's later tools differ from the published datasets, the published
datasets are followed:

* :math:`F_{red}` is not capped at 1 (see :func:`temperature_reduction_factor`;
  ``cap_at_one=True`` gives IWU's 2016 variant);
* a window under a measure counts with the new window's *g* alone; IWU's scripts
  since 2020 (``CalcBuilding.R``) weight *g* by :math:`f` instead.

Choices where the published data cannot decide: an absent element (``U == 0``)
stays absent whatever its ``R_add`` or measure; a frame without the optional
column ``Code_TypeVariant`` has no variations.

Entered window areas by orientation are used as entered, as in the published
results (their sum differs from ``A_Window_1 + A_Window_2`` by up to 0.4 m² in
the Belgian rows); IWU's later scripts rescale them to the window total.

Verified against published TABULA/EPISCOPE rows (an export of
tabula-calculator.xlsx, 2019): all 36 Belgian rows and 800 rows of 20 other
typologies, every intermediate (areas, :math:`R_{measure}`, :math:`U_{measure}`,
:math:`U_{actual}`, :math:`\\Delta U_{tb}`, :math:`F_{red}`, :math:`g_{gl,n}`,
gains, utilisation) to 1e-9 relative and ``q_h_nd`` to 1e-15. This covers
``Add``, ``Replace`` (with and without :math:`R_{add}`, with :math:`R_{measure}`
= 0), measures without a type, thickness scaling of :math:`R_{measure}`,
variations, every branch of :math:`F_{red}` and of the thermal-bridge rule, and
every ``A_Estim_*`` of the estimation (Belgian rows). Taken from the workbook's
formulas but not exercised by published data: ``ReplaceInsulation`` and the
assignment of estimated areas to the elements.

References
----------
.. [1] T. Loga, N. Diefenbach, B. Stein (2013), TABULA Calculation Method --
   Energy Use for Heating and Domestic Hot Water. Reference calculation and
   adaptation to the typical level of measured consumption. IWU, Darmstadt.
.. [2] T. Loga, B. Stein, N. Diefenbach (2016), TABULA building typologies in
   20 European countries, Energy and Buildings 132, 4-12.
.. [3] EN ISO 13790:2008, Energy performance of buildings -- Calculation of
   energy use for space heating and cooling, §7 (seasonal method), §12.2.
.. [4] T. Loga, J. Calisti (2021-2023), ``CalcBuilding.R`` and ``EnvArEst.R``,
   R scripts derived from ``tabula-calculator.xlsx`` (sheet Calc.Set.Building),
   MOBASY project, IWU, Darmstadt.
.. [5] TABULA/EPISCOPE, IWU Darmstadt, www.episcope.eu: export of
   tabula-calculator.xlsx with 836 building variants (``episcope.csv`` in
   FZJ-IEK3-VSA/tsib, 2019), CC BY 4.0; the test fixture
   ``tests/sim/data/tabula_foreign.csv`` is derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from sim.errors import Problems, TabulaInputError
from sim.solar_gains import solar_heat_gains
from sim.transmission import transmission_heat_transfer_coefficient, u_with_added_resistance
from sim.utilisation import (
    A_H0_SEASONAL,
    TAU_H0_SEASONAL_H,
    gain_utilisation_factor,
    numerical_parameter,
    time_constant,
)
from sim.ventilation import ventilation_heat_transfer_coefficient

__all__ = [
    "ELEMENTS",
    "KWH_PER_W_DAY",
    "LAMBDA_EXISTING_INSULATION_W_MK",
    "OPAQUE",
    "ORIENTATIONS",
    "WINDOWS",
    "calculate",
    "estimate_envelope_areas",
    "heating_need",
    "required_columns",
    "temperature_reduction_factor",
]

#: Energy of one watt over one day [kWh/(W·d)]: 24 h/d × 0.001 kW/W.
KWH_PER_W_DAY: float = 0.024
#: Conductivity at which the workbook counts existing insulation removed by a
#: ``ReplaceInsulation`` measure [W/(m·K)].
LAMBDA_EXISTING_INSULATION_W_MK: float = 0.04

#: Opaque elements (with adjustment factor and unheated-space resistance).
OPAQUE: tuple[str, ...] = ("Roof_1", "Roof_2", "Wall_1", "Wall_2", "Wall_3", "Floor_1", "Floor_2")
#: Window types (with solar transmittance).
WINDOWS: tuple[str, ...] = ("Window_1", "Window_2")
#: All envelope elements, in TABULA order.
ELEMENTS: tuple[str, ...] = (*OPAQUE, *WINDOWS, "Door_1")
#: Window orientations and the column of the heating-season irradiation on each.
ORIENTATIONS: tuple[str, ...] = ("Horizontal", "East", "South", "West", "North")
_IRRADIATION: dict[str, str] = {
    "Horizontal": "I_Sol_Hor",
    "East": "I_Sol_East",
    "South": "I_Sol_South",
    "West": "I_Sol_West",
    "North": "I_Sol_North",
}
_Q_SOL: dict[str, str] = {o: "Q_Sol_" + c.removeprefix("I_Sol_") for o, c in _IRRADIATION.items()}

_N_OPAQUE = len(OPAQUE)
_WINDOW_SLICE = slice(_N_OPAQUE, _N_OPAQUE + len(WINDOWS))

# Measure types (Code_MeasureType_<el>), matched case-insensitively as Excel does.
_NONE, _ADD, _REPLACE, _REPLACE_INSULATION = 0, 1, 2, 3
_MEASURE_CODES: dict[str, int] = {
    "": _NONE,
    "0": _NONE,
    "add": _ADD,
    "replace": _REPLACE,
    "replaceinsulation": _REPLACE_INSULATION,
}
# Type of building variant (optional column Code_TypeVariant): 1 = "Variation".
_TYPE_VARIANT_CODES: dict[str, int] = {"": 0, "0": 0, "refurbishment": 0, "variation": 1}
# Envelope-area intake (Code_TypeIntake_EnvelopeArea).
_MANUAL, _ESTIMATION, _ESTIMATION_MANUAL_ORIENTATION = 0, 1, 2
_INTAKE_CODES: dict[str, int] = {
    "": _MANUAL,
    "manual": _MANUAL,
    "estimation": _ESTIMATION,
    "estimation_manualwindoworientation": _ESTIMATION_MANUAL_ORIENTATION,
}

#: Columns every row needs, whatever its area intake and measures.
_BASE_COLUMNS: tuple[str, ...] = (
    "A_C_Ref",
    "Code_TypeIntake_EnvelopeArea",
    *(f"U_{e}" for e in ELEMENTS),
    *(f"R_Add_UnheatedSpace_{e}" for e in OPAQUE),
    *(f"b_Transmission_{e}" for e in OPAQUE),
    *(f"Code_MeasureType_{e}" for e in ELEMENTS),
    *(f"g_gl_n_{w}" for w in WINDOWS),
    "Code_ThermalBridging_Refurbished",
    "delta_U_ThermalBridging_Original",
    "delta_U_ThermalBridging_Refurbished",
    "n_air_infiltration",
    "n_air_use",
    "h_room",
    "theta_i",
    "Theta_e",
    "HeatingDays",
    "F_red_htr1",
    "F_red_htr4",
    *_IRRADIATION.values(),
    "F_sh_hor",
    "F_sh_vert",
    "F_f",
    "F_w",
    "phi_int",
    "c_m",
)
_MANUAL_AREA_COLUMNS: tuple[str, ...] = tuple(f"A_{e}" for e in ELEMENTS)
_ORIENTATION_COLUMNS: tuple[str, ...] = tuple(f"A_Window_{o}" for o in ORIENTATIONS)
_ESTIMATION_COLUMNS: tuple[str, ...] = (
    "n_Storey",
    "Code_AtticCond",
    "Code_CellarCond",
    "Code_AttachedNeighbours",
    "Code_ComplexRoof",
    "Code_ComplexFootprint",
    "f_Corr_CeilingHeight",
)


def _measure_columns(element: str) -> tuple[str, ...]:
    """Columns an element needs when a row has a refurbishment measure on it."""
    cols = [f"f_Measure_{element}", f"R_PredefinedMeasure_{element}"]
    if element in OPAQUE:
        cols += [
            f"d_Insulation_PredefinedMeasure_{element}",
            f"d_Insulation_Input_Measure_{element}",
        ]
    if element in WINDOWS:
        cols.append(f"g_gl_n_PredefinedMeasure_{element}")
    return tuple(cols)


def required_columns(
    intake: str = "Manual", measures: bool = False, replace_insulation: bool = False
) -> tuple[str, ...]:
    """Input columns :func:`calculate` reads, in TABULA/EPISCOPE names.

    Parameters
    ----------
    intake : {"Manual", "Estimation", "Estimation_ManualWindowOrientation"}
        Envelope-area intake of the rows.
    measures : bool
        Include the columns of refurbishment measures (needed for an element only
        when some row has a measure type or an ``R_PredefinedMeasure`` > 0 on it).
    replace_insulation : bool
        Include ``d_Insulation_<el>`` of the opaque elements (needed only for
        ``ReplaceInsulation`` measures).

    Returns
    -------
    tuple of str
        Column names. Not listed: the optional ``Code_TypeVariant``
        (``"Variation"`` marks a variant wholly in its refurbished state for the
        thermal-bridge surcharge; absent means no variations).

    Examples
    --------
    >>> len(required_columns()), len(required_columns("Estimation", measures=True))
    (75, 103)
    >>> "A_Wall_1" in required_columns("Estimation")
    False
    """
    code = _INTAKE_CODES.get(intake.strip().lower())
    if code is None:
        raise ValueError(
            f"unknown intake {intake!r}; use 'Manual', 'Estimation' or "
            "'Estimation_ManualWindowOrientation'"
        )
    cols = list(_BASE_COLUMNS)
    if code == _MANUAL:
        cols += _MANUAL_AREA_COLUMNS
    if code != _ESTIMATION:
        cols += _ORIENTATION_COLUMNS
    if code != _MANUAL:
        cols += _ESTIMATION_COLUMNS
    if measures:
        cols += [c for e in ELEMENTS for c in _measure_columns(e)]
    if replace_insulation:
        cols += [f"d_Insulation_{e}" for e in OPAQUE]
    return tuple(cols)


# --------------------------------------------------------------------------------------
# Reading and validating the frame
# --------------------------------------------------------------------------------------


class _Reader:
    """Reads columns of a TABULA frame into float arrays, recording every problem."""

    def __init__(self, frame: pd.DataFrame, what: str) -> None:
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"expected a pandas DataFrame in the TABULA format, got {type(frame)}")
        self.frame = frame
        self.n = len(frame)
        self.problems = Problems(what)
        self._reported_missing: set[str] = set()
        #: Rows where each column read by :meth:`number` holds a valid value.
        self.valid: dict[str, NDArray[np.bool_]] = {}
        index = frame.index
        self._positional = isinstance(index, pd.RangeIndex) and index.equals(pd.RangeIndex(self.n))

    def _rows(self, mask: NDArray[np.bool_]) -> tuple[NDArray[np.int64], str]:
        """Positions of ``mask`` and, for a labelled index, a note naming the labels."""
        rows = np.flatnonzero(mask)
        if self._positional or rows.size == 0:
            return rows, ""
        labels = ", ".join(repr(self.frame.index[r]) for r in rows[:5])
        more = ", ..." if rows.size > 5 else ""
        return rows, f" (index labels {labels}{more})"

    def add(self, field: str, message: str, mask: NDArray[np.bool_] | None = None) -> None:
        """Record a problem, at the rows of ``mask`` if given."""
        if mask is None:
            self.problems.add(field, message)
            return
        rows, note = self._rows(mask)
        self.problems.add(field, message + note, rows)

    def column(self, name: str) -> pd.Series | None:
        """The column ``name``, or ``None`` (problem recorded) when absent or duplicated."""
        if name not in self.frame.columns:
            if name not in self._reported_missing:
                self._reported_missing.add(name)
                self.problems.add(
                    name,
                    "column is missing; add it under this TABULA/EPISCOPE name "
                    "(see sim.tabula.required_columns())",
                )
            return None
        col = self.frame[name]
        if isinstance(col, pd.DataFrame):
            if name not in self._reported_missing:
                self._reported_missing.add(name)
                self.problems.add(name, "column appears more than once; keep one")
            return None
        return col

    def number(
        self,
        name: str,
        need: NDArray[np.bool_] | None = None,
        *,
        lo: float | None = None,
        hi: float | None = None,
        lo_open: bool = False,
        unit: str = "",
    ) -> NDArray[np.float64]:
        """Column ``name`` as float64; 0 where not needed or invalid (the error is raised anyway).

        ``need`` marks the rows that use the column; problems are only reported there.
        """
        need = np.ones(self.n, dtype=bool) if need is None else need
        self.valid[name] = np.zeros(self.n, dtype=bool)
        if not need.any():
            col = self.frame[name] if name in self.frame.columns else None
            if not isinstance(col, pd.Series):
                return np.zeros(self.n)
        else:
            col = self.column(name)
            if col is None:
                return np.zeros(self.n)
        absent = col.isna().to_numpy(dtype=bool)
        values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        missing = absent & need
        if missing.any():
            self.add(name, "is missing (empty or NaN); fill in a value", missing)
        text = np.isnan(values) & ~absent & need
        if text.any():
            shown = ", ".join(repr(v) for v in col[text].unique()[:3])
            self.add(name, f"holds values that are not numbers ({shown}); give numbers", text)
        infinite = np.isinf(values) & need
        if infinite.any():
            self.add(name, "is infinite; give a finite value", infinite)
        ok = need & np.isfinite(values)
        u = f" {unit}" if unit else ""
        if lo is not None:
            bad = ok & ((values <= lo) if lo_open else (values < lo))
            if bad.any():
                self.add(name, f"must be {'>' if lo_open else '>='} {lo:g}{u}", bad)
                ok &= ~bad
        if hi is not None:
            bad = ok & (values > hi)
            if bad.any():
                self.add(name, f"must be <= {hi:g}{u}", bad)
                ok &= ~bad
        self.valid[name] = ok
        return np.where(ok, values, 0.0)

    def all_valid(self, *names: str) -> NDArray[np.bool_]:
        """Rows where every column in ``names`` was read and is valid (checks that combine
        columns run only there, so one bad value is reported once)."""
        out = np.ones(self.n, dtype=bool)
        for name in names:
            out &= self.valid.get(name, np.zeros(self.n, dtype=bool))
        return out

    def codes(self, name: str) -> NDArray[np.str_] | None:
        """Column ``name`` as stripped strings ('' for empty, '0' for a numeric zero)."""
        col = self.column(name)
        if col is None:
            return None
        out = []
        for v in col.to_numpy(dtype=object):
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                out.append("")
            elif isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
                out.append(format(float(v), "g"))
            else:
                out.append(str(v).strip())
        return np.asarray(out, dtype=np.str_)

    def lookup(
        self, name: str, table: dict[str, int], advice: str, default: int
    ) -> NDArray[np.int64]:
        """Map the codes of ``name`` through ``table`` (case-insensitive).

        Unknown codes are reported with ``advice`` and mapped to ``default``.
        """
        codes = self.codes(name)
        if codes is None:
            return np.full(self.n, default, dtype=np.int64)
        lowered = np.char.lower(codes)
        known = np.isin(lowered, list(table))
        self.valid[name] = known
        if not known.all():
            shown = ", ".join(repr(str(c)) for c in np.unique(codes[~known])[:5])
            self.add(name, f"has unknown code(s) {shown}; {advice}", ~known)
        return np.asarray([table.get(c, default) for c in lowered], dtype=np.int64)


@dataclass(frozen=True)
class _Inputs:
    """The input columns as arrays; element arrays have shape (N, 10) in :data:`ELEMENTS` order."""

    a_c_ref: NDArray[np.float64]
    area: NDArray[np.float64]
    window_orientation: NDArray[np.float64]
    u: NDArray[np.float64]
    r_add: NDArray[np.float64]
    b_tr: NDArray[np.float64]
    measure: NDArray[np.int64]
    f_measure: NDArray[np.float64]
    r_predefined: NDArray[np.float64]
    d_predefined: NDArray[np.float64]
    d_input: NDArray[np.float64]
    d_existing: NDArray[np.float64]
    g_gl_n: NDArray[np.float64]
    g_gl_n_predefined: NDArray[np.float64]
    delta_u_tb_original: NDArray[np.float64]
    delta_u_tb_refurbished: NDArray[np.float64]
    has_refurbished_tb_type: NDArray[np.bool_]
    variation: NDArray[np.bool_]
    n_air_infiltration: NDArray[np.float64]
    n_air_use: NDArray[np.float64]
    h_room: NDArray[np.float64]
    theta_i: NDArray[np.float64]
    theta_e: NDArray[np.float64]
    heating_days: NDArray[np.float64]
    f_red_htr1: NDArray[np.float64]
    f_red_htr4: NDArray[np.float64]
    irradiation: NDArray[np.float64]
    f_sh_hor: NDArray[np.float64]
    f_sh_vert: NDArray[np.float64]
    f_f: NDArray[np.float64]
    f_w: NDArray[np.float64]
    phi_int: NDArray[np.float64]
    c_m: NDArray[np.float64]


def _read_inputs(frame: pd.DataFrame) -> _Inputs:
    """Validate ``frame`` and convert it to arrays; raise one :class:`TabulaInputError` if bad."""
    rd = _Reader(frame, "TABULA frame")
    n = rd.n

    intake = rd.lookup(
        "Code_TypeIntake_EnvelopeArea",
        _INTAKE_CODES,
        "use 'Manual' (or empty), 'Estimation' or 'Estimation_ManualWindowOrientation'",
        _MANUAL,
    )
    measure = np.stack(
        [
            rd.lookup(
                f"Code_MeasureType_{e}",
                _MEASURE_CODES,
                "use 0 (or empty) for none, 'Add', 'Replace' or 'ReplaceInsulation'",
                _NONE,
            )
            for e in ELEMENTS
        ],
        axis=1,
    ).reshape(n, len(ELEMENTS))
    for k, e in enumerate(ELEMENTS[_N_OPAQUE:], start=_N_OPAQUE):
        bad = measure[:, k] == _REPLACE_INSULATION
        if bad.any():
            rd.add(
                f"Code_MeasureType_{e}",
                "'ReplaceInsulation' applies to opaque elements only; use 'Replace'",
                bad,
            )

    a_c_ref = rd.number("A_C_Ref", lo=0.0, lo_open=True, unit="m²")

    # Envelope areas, entered or estimated (step 1).
    manual = intake == _MANUAL
    estimated = ~manual
    area = np.stack(
        [rd.number(f"A_{e}", manual, lo=0.0, unit="m²") for e in ELEMENTS], axis=1
    ).reshape(n, len(ELEMENTS))
    orientation = np.stack(
        [rd.number(c, intake != _ESTIMATION, lo=0.0, unit="m²") for c in _ORIENTATION_COLUMNS],
        axis=1,
    ).reshape(n, len(ORIENTATIONS))
    if estimated.any():
        est = _estimate_from_reader(rd, a_c_ref, estimated)
        area = np.where(estimated[:, None], _estimated_element_areas(est), area)
        orientation = _estimated_orientation(intake, area, orientation, rd)

    # Thermal properties of the elements (step 2).
    u = np.stack([rd.number(f"U_{e}", lo=0.0, unit="W/(m²·K)") for e in ELEMENTS], axis=1).reshape(
        n, len(ELEMENTS)
    )
    zeros = np.zeros(n)
    r_add = np.stack(
        [rd.number(f"R_Add_UnheatedSpace_{e}", lo=0.0, unit="m²·K/W") for e in OPAQUE]
        + [zeros] * (len(ELEMENTS) - _N_OPAQUE),
        axis=1,
    ).reshape(n, len(ELEMENTS))
    b_tr = np.stack(
        [rd.number(f"b_Transmission_{e}", lo=0.0, hi=1.0) for e in OPAQUE]
        + [np.ones(n)] * (len(ELEMENTS) - _N_OPAQUE),
        axis=1,
    ).reshape(n, len(ELEMENTS))

    # The measure columns are read where a measure type is given or a resistance entered
    # (the workbook applies a resistance without a type as 'Add').
    has = measure != _NONE
    for k, e in enumerate(ELEMENTS):
        has[:, k] |= _column_positive(frame, f"R_PredefinedMeasure_{e}")
    f_measure, r_pre, d_pre, d_in, d_ex = (np.zeros((n, len(ELEMENTS))) for _ in range(5))
    g_pre = np.zeros((n, len(WINDOWS)))
    for k, e in enumerate(ELEMENTS):
        need = has[:, k]
        f_measure[:, k] = rd.number(f"f_Measure_{e}", need, lo=0.0, hi=1.0)
        r_pre[:, k] = rd.number(f"R_PredefinedMeasure_{e}", need, lo=0.0, unit="m²·K/W")
        if e in OPAQUE:
            d_pre[:, k] = rd.number(f"d_Insulation_PredefinedMeasure_{e}", need, lo=0.0, unit="m")
            d_in[:, k] = rd.number(f"d_Insulation_Input_Measure_{e}", need, lo=0.0, unit="m")
            d_ex[:, k] = rd.number(
                f"d_Insulation_{e}", measure[:, k] == _REPLACE_INSULATION, lo=0.0, unit="m"
            )
        if e in WINDOWS:
            g_pre[:, k - _N_OPAQUE] = rd.number(
                f"g_gl_n_PredefinedMeasure_{e}", need, lo=0.0, hi=1.0
            )

    with np.errstate(over="ignore"):  # subnormal U: R = inf, as it should
        stripped = _resistance_before(u, r_add, measure, d_ex)
    gone = (measure == _REPLACE_INSULATION) & (u > 0.0) & (stripped <= 0.0)
    for k, e in enumerate(OPAQUE):
        gone[:, k] &= rd.all_valid(f"U_{e}", f"R_Add_UnheatedSpace_{e}", f"d_Insulation_{e}")
        if gone[:, k].any():
            rd.add(
                f"d_Insulation_{e}",
                f"existing insulation (at λ = {LAMBDA_EXISTING_INSULATION_W_MK} W/(m·K)) exceeds "
                f"the resistance 1/U_{e} + R_Add_UnheatedSpace_{e}; check both values",
                gone[:, k],
            )

    # Thermal-bridging state: a refurbished type given (any code, '0' included, as the
    # workbook tests for an empty cell) and, optionally, whether the row is a variation.
    tb_codes = rd.codes("Code_ThermalBridging_Refurbished")
    has_tb_type = np.ones(n, dtype=bool) if tb_codes is None else tb_codes != ""
    if "Code_TypeVariant" in frame.columns:
        variation = (
            rd.lookup(
                "Code_TypeVariant",
                _TYPE_VARIANT_CODES,
                "use 'Refurbishment' (or empty) or 'Variation'",
                0,
            )
            == 1
        )
    else:
        variation = np.zeros(n, dtype=bool)

    g = np.stack([rd.number(f"g_gl_n_{w}", lo=0.0, hi=1.0) for w in WINDOWS], axis=1).reshape(
        n, len(WINDOWS)
    )

    theta_i = rd.number("theta_i", unit="°C")
    theta_e = rd.number("Theta_e", unit="°C")
    colder = rd.all_valid("theta_i", "Theta_e") & (theta_i < theta_e)
    if colder.any():
        rd.add("Theta_e", "is above theta_i: no heating season; check both temperatures", colder)

    inputs = _Inputs(
        a_c_ref=a_c_ref,
        area=area,
        window_orientation=orientation,
        u=u,
        r_add=r_add,
        b_tr=b_tr,
        measure=measure,
        f_measure=f_measure,
        r_predefined=r_pre,
        d_predefined=d_pre,
        d_input=d_in,
        d_existing=d_ex,
        g_gl_n=g,
        g_gl_n_predefined=g_pre,
        delta_u_tb_original=rd.number("delta_U_ThermalBridging_Original", lo=0.0, unit="W/(m²·K)"),
        delta_u_tb_refurbished=rd.number(
            "delta_U_ThermalBridging_Refurbished", lo=0.0, unit="W/(m²·K)"
        ),
        has_refurbished_tb_type=has_tb_type,
        variation=variation,
        n_air_infiltration=rd.number("n_air_infiltration", lo=0.0, unit="1/h"),
        n_air_use=rd.number("n_air_use", lo=0.0, unit="1/h"),
        h_room=rd.number("h_room", lo=0.0, unit="m"),
        theta_i=theta_i,
        theta_e=theta_e,
        heating_days=rd.number("HeatingDays", lo=0.0, hi=366.0, unit="d/a"),
        f_red_htr1=rd.number("F_red_htr1", lo=0.0, hi=1.0, lo_open=True),
        f_red_htr4=rd.number("F_red_htr4", lo=0.0, hi=1.0, lo_open=True),
        irradiation=np.stack(
            [rd.number(c, lo=0.0, unit="kWh/(m²·a)") for c in _IRRADIATION.values()], axis=1
        ).reshape(n, len(ORIENTATIONS)),
        f_sh_hor=rd.number("F_sh_hor", lo=0.0, hi=1.0),
        f_sh_vert=rd.number("F_sh_vert", lo=0.0, hi=1.0),
        f_f=rd.number("F_f", lo=0.0, hi=1.0),
        f_w=rd.number("F_w", lo=0.0, hi=1.0),
        phi_int=rd.number("phi_int", lo=0.0, unit="W/m²"),
        c_m=rd.number("c_m", lo=0.0, unit="Wh/(m²·K)"),
    )
    rd.problems.raise_if_any(TabulaInputError)
    return inputs


def _column_positive(frame: pd.DataFrame, name: str) -> NDArray[np.bool_]:
    """Rows where column ``name`` exists and holds a number > 0."""
    col = frame[name] if name in frame.columns else None
    if not isinstance(col, pd.Series):
        return np.zeros(len(frame), dtype=bool)
    values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return np.asarray(values > 0.0, dtype=bool)


# --------------------------------------------------------------------------------------
# Envelope-area estimation (workbook sheet Calc.Set.Building, simplified geometry)
# --------------------------------------------------------------------------------------


def _estimate_from_reader(
    rd: _Reader, a_c_ref: NDArray[np.float64], rows: NDArray[np.bool_]
) -> dict[str, NDArray[np.float64]]:
    """Read the geometry columns for ``rows``, estimate, and report unusable estimates."""
    blank = np.full(rd.n, "", dtype=np.str_)

    def codes(name: str) -> NDArray[np.str_]:
        found = rd.codes(name)
        return blank if found is None else found

    est = _estimate(
        a_c_ref,
        rd.number("n_Storey", rows, lo=0.0, lo_open=True),
        codes("Code_AtticCond"),
        codes("Code_CellarCond"),
        codes("Code_AttachedNeighbours"),
        codes("Code_ComplexRoof"),
        codes("Code_ComplexFootprint"),
        rd.number("f_Corr_CeilingHeight", rows, lo=0.0, lo_open=True),
    )
    usable = rows & rd.all_valid("A_C_Ref", "n_Storey", "f_Corr_CeilingHeight")
    for name in _ESTIMATED_AREAS:
        bad = usable & (est[name] < 0.0)
        if bad.any():
            rd.add(
                name,
                "estimated area is negative (check A_C_Ref, n_Storey and the geometry codes), "
                "or enter the areas and set Code_TypeIntake_EnvelopeArea to 'Manual'",
                bad,
            )
    return est


_ESTIMATED_AREAS: tuple[str, ...] = (
    "A_Estim_Roof",
    "A_Estim_UpperCeiling",
    "A_Estim_Wall_ExtAir",
    "A_Estim_Wall_ToCellarOrSoil",
    "A_Estim_Floor",
    "A_Estim_Window",
    "A_Estim_Door",
)


def _estimate(
    a_c_ref: NDArray[np.float64],
    n_storey: NDArray[np.float64],
    attic: NDArray[np.str_],
    cellar: NDArray[np.str_],
    neighbours: NDArray[np.str_],
    complex_roof: NDArray[np.str_],
    complex_footprint: NDArray[np.str_],
    f_corr_ceiling_height: NDArray[np.float64],
) -> dict[str, NDArray[np.float64]]:
    """Simplified TABULA geometry: envelope areas from floor area, storeys and codes [m²].

    Codes are compared case-insensitively; unknown codes take the workbook's
    fall-back values (e.g. a free-standing building for ``Code_AttachedNeighbours``).
    """
    attic = np.char.upper(attic)
    cellar = np.char.upper(cellar)
    neighbours = np.char.upper(neighbours)
    first_attic = np.char.ljust(attic, 1)
    first_cellar = np.char.ljust(cellar, 1)
    f_attic = np.select([first_attic == "C", first_attic == "P"], [1.0, 0.5], 0.0)
    f_cellar = np.select([first_cellar == "C", first_cellar == "P"], [1.0, 0.5], 0.0)
    # An insulated ("...I") unconditioned attic or cellar lies inside the thermal envelope.
    f_attic_env = np.where(np.char.endswith(attic, "I"), 1.0, f_attic)
    f_cellar_env = np.where(np.char.endswith(cellar, "I"), 1.0, f_cellar)
    n_eff = 0.7 * f_attic + n_storey + f_cellar
    n_eff_env = 0.7 * f_attic_env + n_storey + f_cellar_env
    a_storey = np.divide(a_c_ref, n_eff, out=np.zeros_like(a_c_ref), where=n_eff > 0.0)

    roof_in_envelope = np.isin(attic, ["C", "PI", "NI"])
    partly = attic == "P"
    no_attic = attic == "-"
    choices = [roof_in_envelope, partly, no_attic]
    p_roof = np.select(choices, [1.6, 0.8, 1.2], 0.0)
    q_roof = np.select(choices, [15.0, 7.0, 5.0], 0.0)
    p_ceiling = np.select(choices, [0.0, 0.6, 0.0], 1.2)
    q_ceiling = np.select(choices, [0.0, 3.0, 0.0], 5.0)
    f_complex_roof = np.select(
        [np.char.upper(complex_roof) == "SIMPLE", np.char.upper(complex_roof) == "COMPLEX"],
        [0.9, 1.3],
        1.0,
    )
    f_complex_footprint = np.select(
        [
            np.char.upper(complex_footprint) == "SIMPLE",
            np.char.upper(complex_footprint) == "COMPLEX",
        ],
        [0.9, 1.2],
        1.0,
    )
    # Exposed gross wall per storey: a perimeter term plus the gable ends that
    # attached neighbours do not cover.
    neighbour_term = np.select([neighbours == "B_N2", neighbours == "B_N1"], [5.0, 25.0], 50.0)
    gross_wall = f_corr_ceiling_height * f_complex_footprint * (0.7 * a_storey + neighbour_term)

    door = 0.01 * a_c_ref + 1.5
    window = 0.18 * a_c_ref - door
    wall_cellar = 0.5 * f_cellar_env * gross_wall
    floor = 1.2 * a_storey + 5.0
    return {
        "f_AtticCond": f_attic,
        "f_CellarCond": f_cellar,
        "n_Storey_effective": n_eff,
        "n_Storey_effective_envelope": n_eff_env,
        "A_C_Storey": a_storey,
        "p_Roof": p_roof,
        "q_Roof": q_roof,
        "p_Ceiling": p_ceiling,
        "q_Ceiling": q_ceiling,
        "f_ComplexRoof": f_complex_roof,
        "f_ComplexFootprint": f_complex_footprint,
        "A_Estim_GrossWall_Storey": gross_wall,
        "A_Estim_Roof": f_complex_roof * (p_roof * a_storey + q_roof),
        "A_Estim_UpperCeiling": p_ceiling * a_storey + q_ceiling,
        "A_Estim_Wall_ExtAir": n_eff_env * gross_wall - wall_cellar - window - door,
        "A_Estim_Wall_ToCellarOrSoil": wall_cellar,
        "A_Estim_Floor": floor,
        "A_Estim_Window": window,
        "A_Estim_Door": door,
        # 1 where the wall to the cellar borders an unheated cellar, 0 where soil.
        "_wall_to_unheated": (cellar == "P").astype(np.float64),
        # 1 where the floor borders a cellar, 0 where it lies on the soil (no cellar).
        "_floor_to_cellar": (cellar != "-").astype(np.float64),
    }


def _estimated_element_areas(est: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
    """Element areas (N, 10) from the estimate, as the workbook assigns them."""
    wall_2 = est["_wall_to_unheated"] * est["A_Estim_Wall_ToCellarOrSoil"]
    floor_1 = est["_floor_to_cellar"] * est["A_Estim_Floor"]
    return np.stack(
        [
            est["A_Estim_Roof"],
            est["A_Estim_UpperCeiling"],
            est["A_Estim_Wall_ExtAir"],
            wall_2,
            est["A_Estim_Wall_ToCellarOrSoil"] - wall_2,
            floor_1,
            est["A_Estim_Floor"] - floor_1,
            est["A_Estim_Window"],
            np.zeros_like(floor_1),
            est["A_Estim_Door"],
        ],
        axis=1,
    )


def _estimated_orientation(
    intake: NDArray[np.int64],
    area: NDArray[np.float64],
    entered: NDArray[np.float64],
    rd: _Reader,
) -> NDArray[np.float64]:
    """Window area by orientation for estimated envelopes (N, 5) [m²]."""
    windows = area[:, _WINDOW_SLICE].sum(axis=1)
    out = entered.copy()
    est = intake == _ESTIMATION
    out[est] = 0.0
    out[est, ORIENTATIONS.index("East")] = 0.5 * windows[est]
    out[est, ORIENTATIONS.index("West")] = 0.5 * windows[est]
    split = intake == _ESTIMATION_MANUAL_ORIENTATION
    total = entered.sum(axis=1)
    no_split = split & (total <= 0.0)
    if no_split.any():
        rd.add(
            "A_Window_South",
            "all A_Window_<orientation> are 0, so the estimated window area cannot be split; "
            "enter them or use Code_TypeIntake_EnvelopeArea 'Estimation'",
            no_split,
        )
    share = np.divide(entered, total[:, None], out=np.zeros_like(entered), where=total[:, None] > 0)
    out[split] = share[split] * windows[split, None]
    return out


def estimate_envelope_areas(frame: pd.DataFrame) -> pd.DataFrame:
    """Envelope areas of the TABULA simplified geometry ("Estimation" intake).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows in the TABULA/EPISCOPE format with ``A_C_Ref`` [m²], ``n_Storey`` [-],
        ``f_Corr_CeilingHeight`` [-] and the codes ``Code_AtticCond``,
        ``Code_CellarCond``, ``Code_AttachedNeighbours``, ``Code_ComplexRoof``,
        ``Code_ComplexFootprint``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``frame``; the workbook's columns ``n_Storey_effective``,
        ``A_C_Storey`` [m²], ``p_Roof`` ... and ``A_Estim_Roof``,
        ``A_Estim_UpperCeiling``, ``A_Estim_Wall_ExtAir``,
        ``A_Estim_Wall_ToCellarOrSoil``, ``A_Estim_Floor``, ``A_Estim_Window``,
        ``A_Estim_Door``, ``A_Estim_Env_Sum`` [m²], and the border codes
        ``Code_Estim_ConstructionBorder_Wall_ToCellarOrSoil`` ("Unh"/"Soil") and
        ``Code_Estim_ConstructionBorder_Floor`` ("Cellar"/"Soil").

    Raises
    ------
    TabulaInputError
        Missing or invalid columns, ``n_Storey <= 0``, or a negative estimated area.

    Notes
    -----
    With :math:`A_s = A_{C,Ref}/n_{eff}` the reference area per storey,
    :math:`n_{eff} = n_{storey} + f_{cellar} + 0.7 f_{attic}`:
    roof :math:`f_{cr}(p_{roof} A_s + q_{roof})`, upper ceiling
    :math:`p_{ceil} A_s + q_{ceil}`, floor :math:`1.2 A_s + 5`, door
    :math:`0.01 A_{C,Ref} + 1.5`, windows :math:`0.18 A_{C,Ref}` − door, gross
    wall per storey :math:`f_{h} f_{fp}(0.7 A_s + c_{nb})` with
    :math:`c_{nb}` = 50/25/5 m² for 0/1/2 attached neighbours; the wall to
    cellar or soil is half a storey of gross wall for a conditioned (1) or
    partly conditioned (0.5) cellar, the wall to outside air the rest of the
    enveloped storeys' gross wall minus windows and door. The factors
    :math:`p`/:math:`q` [-]/[m²] follow ``Code_AtticCond``: conditioned or
    insulated attic (C, PI, NI) roof 1.6/15; partly conditioned (P) roof 0.8/7
    and upper ceiling 0.6/3; flat roof (``-``) roof 1.2/5; otherwise an
    unconditioned attic, upper ceiling 1.2/5.
    Reproduces the published ``A_Estim_*`` of the TABULA workbook
    (Calc.Set.Building).
    """
    rd = _Reader(frame, "TABULA frame (envelope-area estimation)")
    a_c_ref = rd.number("A_C_Ref", lo=0.0, lo_open=True, unit="m²")
    est = _estimate_from_reader(rd, a_c_ref, np.ones(rd.n, dtype=bool))
    rd.problems.raise_if_any(TabulaInputError)
    out = pd.DataFrame({k: v for k, v in est.items() if not k.startswith("_")}, index=frame.index)
    out["A_Estim_Env_Sum"] = sum(est[name] for name in _ESTIMATED_AREAS)
    out["Code_Estim_ConstructionBorder_Wall_ToCellarOrSoil"] = np.where(
        est["_wall_to_unheated"] > 0, "Unh", "Soil"
    )
    out["Code_Estim_ConstructionBorder_Floor"] = np.where(
        est["_floor_to_cellar"] > 0, "Cellar", "Soil"
    )
    return out


# --------------------------------------------------------------------------------------
# Physics
# --------------------------------------------------------------------------------------


def temperature_reduction_factor(
    h_transmission: ArrayLike,
    f_red_htr1: ArrayLike,
    f_red_htr4: ArrayLike,
    *,
    cap_at_one: bool = False,
) -> NDArray[np.float64]:
    """Temperature reduction factor :math:`F_{red}` of the TABULA method.

    Accounts for night setback and unheated rooms, which lower the mean internal
    temperature the more, the worse the envelope is insulated.

    Parameters
    ----------
    h_transmission : array_like
        Transmission heat transfer coefficient per m² reference area [W/(m²·K)].
    f_red_htr1, f_red_htr4 : array_like
        Reduction factors at :math:`h_{tr}` = 1 and 4 W/(m²·K) [-].
    cap_at_one : bool
        Limit :math:`F_{red}` to 1 below :math:`h_{tr}` = 0.5, as IWU's later
        tools do (since 2016). Default ``False``: the method as published, which
        the TABULA/EPISCOPE datasets were computed with.

    Returns
    -------
    ndarray
        :math:`F_{red}` [-].

    Notes
    -----
    Linear between the two points, constant above :math:`h_{tr}` = 4. Below
    :math:`h_{tr}` = 1 the line runs from ``F_red_htr1`` to 1 at
    :math:`h_{tr}` = 0.5, :math:`F_{red,1} + (1-h_{tr})/0.5\\,(1-F_{red,1})`, and
    on beyond it: a very well insulated building (:math:`h_{tr}` < 0.5) has
    :math:`F_{red}` > 1, i.e. a mean internal temperature above the set point
    (heat spreads into the unheated rooms and the setback hardly lowers it).
    The published datasets of every country follow this uncapped line (e.g.
    ``AT.N.AB.05.Gen.ReEx.001.001``: :math:`h_{tr}` = 0.480, :math:`F_{red}` =
    1.00197; ``NO.N.SFH.06.Gen.ReEx.001.001``: 1.0427); IWU's 2016 change
    (``min(...; 1)`` in tabula-calculator.xlsx, kept in ``CalcBuilding.R``) is
    available as ``cap_at_one=True``.

    Examples
    --------
    >>> h = [0.3, 0.75, 2.5, 5.0]
    >>> [round(float(f), 6) for f in temperature_reduction_factor(h, 0.9, 0.8)]
    [1.04, 0.95, 0.85, 0.8]
    >>> [round(float(f), 6) for f in temperature_reduction_factor(h, 0.9, 0.8, cap_at_one=True)]
    [1.0, 0.95, 0.85, 0.8]
    """
    h = np.asarray(h_transmission, dtype=np.float64)
    f1 = np.asarray(f_red_htr1, dtype=np.float64)
    f4 = np.asarray(f_red_htr4, dtype=np.float64)
    between = f1 + (h - 1.0) * (f4 - f1) / 3.0
    below = f1 + (1.0 - h) / 0.5 * (1.0 - f1)
    if cap_at_one:
        below = np.minimum(below, 1.0)
    out = np.where(h >= 4.0, f4, np.where(h <= 1.0, below, between))
    return np.asarray(out, dtype=np.float64)


def _measure_resistance(
    r_predefined: NDArray[np.float64],
    d_predefined: NDArray[np.float64],
    d_input: NDArray[np.float64],
) -> NDArray[np.float64]:
    """R_Measure [m²·K/W]: the predefined resistance, scaled to an entered insulation thickness."""
    d_measure = np.where(d_input != 0.0, d_input, d_predefined)
    scale = np.divide(d_measure, d_predefined, out=np.ones_like(d_measure), where=d_predefined != 0)
    return scale * r_predefined


def _resistance_before(
    u: NDArray[np.float64],
    r_add: NDArray[np.float64],
    measure: NDArray[np.int64],
    d_existing: NDArray[np.float64],
) -> NDArray[np.float64]:
    """R_Before [m²·K/W]; for 'ReplaceInsulation' without the removed insulation; 0 if absent."""
    inv_u = np.divide(1.0, u, out=np.zeros_like(u), where=u > 0.0)
    removed = np.where(
        measure == _REPLACE_INSULATION, d_existing / LAMBDA_EXISTING_INSULATION_W_MK, 0.0
    )
    return np.where(u > 0.0, inv_u + r_add - removed, 0.0)


def _u_values(inp: _Inputs) -> dict[str, NDArray[np.float64]]:
    """U-values before, with and after the measures (N, 10) [W/(m²·K)] (step 2)."""
    present = inp.u > 0.0
    r_before = _resistance_before(inp.u, inp.r_add, inp.measure, inp.d_existing)
    r_measure = _measure_resistance(inp.r_predefined, inp.d_predefined, inp.d_input)
    u_before = u_with_added_resistance(inp.u, inp.r_add)

    def inverse(r: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.divide(1.0, r, out=np.zeros_like(r), where=r > 0.0)

    # A measure acts where a type is given or its resistance is positive; without a type it
    # is added in series (as 'Add'). As in the workbook, a resistance sum of 0 gives
    # U_measure = 0 (IF(R > 0; 1/R; 0)): a 'Replace' with R_measure = R_add = 0 counts the
    # replaced fraction as lossless.
    u_measure = np.select(
        [inp.measure == _REPLACE, inp.measure == _REPLACE_INSULATION],
        [inverse(inp.r_add + r_measure), inverse(r_before + r_measure)],
        u_with_added_resistance(u_before, r_measure),
    )
    u_measure = np.where(present, u_measure, 0.0)
    treated = (inp.measure != _NONE) | (r_measure > 0.0)
    f = inp.f_measure
    u_actual = np.where(treated, (1.0 - f) * u_before + f * u_measure, u_before)
    return {
        "R_Before": r_before,
        "R_Measure": r_measure,
        "U_Measure": u_measure,
        "U_Actual": np.where(present, u_actual, 0.0),
    }


def _compute(inp: _Inputs) -> dict[str, NDArray[np.float64]]:
    """The TABULA balance for validated inputs; all intermediates by TABULA name."""
    out: dict[str, NDArray[np.float64]] = {}
    area = inp.area
    for k, e in enumerate(ELEMENTS):
        out[f"A_Calc_{e}"] = area[:, k]
    for j, o in enumerate(ORIENTATIONS):
        out[f"A_Calc_Window_{o}"] = inp.window_orientation[:, j]
    a_env = area.sum(axis=1)
    out["A_Calc_Env_Sum"] = a_env

    # 1/U overflows only for subnormal U; the limit it gives (R = inf, U = 0) is right.
    with np.errstate(over="ignore"):
        u = _u_values(inp)
    for name in ("R_Before", "R_Measure", "U_Measure", "U_Actual"):
        for k, e in enumerate(ELEMENTS):
            out[f"{name}_{e}"] = u[name][:, k]
    u_actual = u["U_Actual"]

    # Thermal bridging surcharge (step 3): the refurbished share of the envelope gets the
    # 'Refurbished' value; a variation is wholly in the refurbished state; without a
    # refurbished thermal-bridging type the original value holds.
    refurbished = u["R_Measure"] > 0.0
    covered = np.where(refurbished, inp.f_measure * area, 0.0).sum(axis=1)
    fraction = np.divide(covered, a_env, out=np.zeros_like(a_env), where=a_env > 0.0)
    weighted = (1.0 - fraction) * inp.delta_u_tb_original + fraction * inp.delta_u_tb_refurbished
    delta_u_tb = np.where(
        inp.has_refurbished_tb_type,
        np.where(inp.variation, inp.delta_u_tb_refurbished, weighted),
        inp.delta_u_tb_original,
    )
    out["Fraction_EnvelopeRefurbished"] = fraction
    out["delta_U_ThermalBridging"] = delta_u_tb

    # Transmission (step 4), per element for the report and in total.
    for k, e in enumerate(ELEMENTS):
        out[f"H_Transmission_{e}"] = transmission_heat_transfer_coefficient(
            u_actual[:, k : k + 1], area[:, k : k + 1], inp.b_tr[:, k : k + 1], 0.0
        )
    out["H_Transmission_ThermalBridging"] = delta_u_tb * a_env
    h_tr = (
        transmission_heat_transfer_coefficient(u_actual, area, inp.b_tr, delta_u_tb) / inp.a_c_ref
    )
    out["h_Transmission"] = h_tr

    # Ventilation (step 5): air volume per m² of reference area is the room height.
    h_ve = ventilation_heat_transfer_coefficient(inp.h_room, inp.n_air_infiltration, inp.n_air_use)
    out["h_Ventilation"] = h_ve

    # Losses (steps 6-7).
    f_red = temperature_reduction_factor(h_tr, inp.f_red_htr1, inp.f_red_htr4)
    degree_days = (inp.theta_i - inp.theta_e) * inp.heating_days
    out["Sum_DeltaT_for_HeatingDays"] = degree_days
    out["F_red_temp"] = f_red
    q_ht_tr = h_tr * f_red * KWH_PER_W_DAY * degree_days
    q_ht_ve = h_ve * f_red * KWH_PER_W_DAY * degree_days
    q_ht = q_ht_tr + q_ht_ve
    out["q_ht_tr"], out["q_ht_ve"], out["q_ht"] = q_ht_tr, q_ht_ve, q_ht

    # Solar gains (step 8): a window with a measure (R_measure > 0) counts wholly with the
    # g-value of the new window, whatever the measured fraction f.
    w = _WINDOW_SLICE
    g_windows = np.where(u["R_Measure"][:, w] > 0.0, inp.g_gl_n_predefined, inp.g_gl_n)
    a_windows = area[:, w]
    a_windows_sum = a_windows.sum(axis=1)
    g_gl_n = np.divide(
        (g_windows * a_windows).sum(axis=1),
        a_windows_sum,
        out=np.zeros_like(a_windows_sum),
        where=a_windows_sum > 0.0,
    )
    out["g_gl_n"] = g_gl_n
    q_sol_total = np.zeros_like(g_gl_n)
    for j, o in enumerate(ORIENTATIONS):
        shading = inp.f_sh_hor if o == "Horizontal" else inp.f_sh_vert
        q = solar_heat_gains(
            inp.window_orientation[:, j : j + 1],
            inp.irradiation[:, j : j + 1],
            g_gl_n,
            inp.f_f,
            inp.f_w,
            shading,
        )
        out[_Q_SOL[o]] = q
        q_sol_total = q_sol_total + q
    q_sol = q_sol_total / inp.a_c_ref
    out["q_sol"] = q_sol

    # Internal gains (step 9) and the need (step 10).
    q_int = inp.phi_int * KWH_PER_W_DAY * inp.heating_days
    out["q_int"] = q_int
    h_total = h_tr + h_ve
    # Without any heat transfer the time constant is unbounded; the workbook writes 0 and
    # the need is 0 then anyway (no losses).
    tau = np.zeros_like(h_total)
    has_h = h_total > 0.0
    tau[has_h] = time_constant(inp.c_m[has_h], h_tr[has_h], h_ve[has_h])
    a_h = numerical_parameter(tau, A_H0_SEASONAL, TAU_H0_SEASONAL_H)
    gains = q_sol + q_int
    # No losses: the ratio is undefined; the workbook writes 0 (utilisation 1, need 0).
    gamma = np.divide(gains, q_ht, out=np.zeros_like(q_ht), where=q_ht > 0.0)
    eta = gain_utilisation_factor(gamma, a_h)
    out["tau"], out["a_H"], out["gamma_h_gn"], out["eta_h_gn"] = tau, a_h, gamma, eta
    out["q_h_nd"] = np.maximum(q_ht - eta * gains, 0.0)
    return out


# --------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------


def calculate(frame: pd.DataFrame) -> pd.DataFrame:
    """Run the TABULA calculation and return every intermediate.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per building variant in the TABULA/EPISCOPE column format, as
        read by :func:`pandas.read_csv` (codes may be strings such as ``"0"``,
        numbers int, float or numeric text). See :func:`required_columns`. Not
        modified.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``frame``, with the workbook's names and units:
        ``A_Calc_<el>``, ``A_Calc_Window_<orientation>``, ``A_Calc_Env_Sum`` [m²];
        ``R_Before_<el>`` (as the workbook: without the insulation removed by a
        ``ReplaceInsulation`` measure), ``R_Measure_<el>`` [m²·K/W]; ``U_Measure_<el>``,
        ``U_Actual_<el>`` [W/(m²·K)]; ``Fraction_EnvelopeRefurbished`` [-];
        ``delta_U_ThermalBridging`` [W/(m²·K)]; ``H_Transmission_<el>``,
        ``H_Transmission_ThermalBridging`` [W/K]; ``h_Transmission``,
        ``h_Ventilation`` [W/(m²·K)]; ``Sum_DeltaT_for_HeatingDays`` [K·d/a];
        ``F_red_temp`` [-]; ``q_ht_tr``, ``q_ht_ve``, ``q_ht`` [kWh/(m²·a)];
        ``g_gl_n`` [-]; ``Q_Sol_<Hor|East|South|West|North>`` [kWh/a];
        ``q_sol``, ``q_int`` [kWh/(m²·a)]; ``tau`` [h]; ``a_H``, ``gamma_h_gn``,
        ``eta_h_gn`` [-]; ``q_h_nd`` [kWh/(m²·a)].

    Raises
    ------
    TabulaInputError
        Before any computation, listing every missing column and every invalid
        value (non-numeric, NaN, out of range, unknown code) with its rows.

    Notes
    -----
    See the module notes for the method and its references.
    """
    inputs = _read_inputs(frame)
    return pd.DataFrame(_compute(inputs), index=frame.index)


def heating_need(frame: pd.DataFrame) -> NDArray[np.float64]:
    """Annual energy need for space heating of the TABULA method, ``q_h_nd``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows in the TABULA/EPISCOPE column format (see :func:`calculate`).

    Returns
    -------
    ndarray, shape (N,)
        Energy need for heating per m² of TABULA reference floor area
        ``A_C_Ref`` [kWh/(m²·a)], in the order of the rows.

    Raises
    ------
    TabulaInputError
        Missing columns or invalid values (see :func:`calculate`).
    """
    inputs = _read_inputs(frame)
    return np.ascontiguousarray(_compute(inputs)["q_h_nd"], dtype=np.float64)

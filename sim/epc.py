"""Conventions of the EPC method for existing dwellings, and calibration to a registered EPC.

The Flemish EPC for existing dwellings is calculated under standard use and
gives every element whose insulation cannot be shown a *default* value by
construction period that is deliberately pessimistic: insulation that cannot
be proven counts as absent. The project's archetypes carry TABULA-BE
*typical* values, which assume the insulation usual in their period, so the
EPC-method value of an element whose state is unknown lies between the
archetype value and the bare (uninsulated) element of its type, at a
calibrated weight (:func:`apply_unknown_defaults`; only for dwellings built
before the EPB regulation of 2006, whose EPC rests on a declaration that
documents every element), calibrated once to the label shares of the EPC
database (``tools/calibrate_epc.py``). Known facts replace it.

A registered EPC is a fact: :func:`calibrate_to_scores` scales a dwelling's
*unknown* envelope U-values by one factor per dwelling, within their physical
ranges, until the core's EPC score equals the registered score, so that the
renovation steps start from that certificate rather than from the archetype.
When the registered score cannot be reached within the ranges the factor
stops at the bound and the dwelling's status says so; an input is never
pushed outside its range.

Parameters and their sources: ``sim/data/epc_conventions.csv``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from sim.errors import Problems
from sim.labels import LABEL_UPPER_KWH_M2, LABELS, epc_label_index
from sim.reference_data import load_table
from sim.stock import DwellingArrays

#: The envelope U-values that the EPC defaults and the calibration act on, in this order.
ENVELOPE_U: tuple[str, ...] = ("u_roof_w_m2k", "u_wall_w_m2k", "u_floor_w_m2k", "u_window_w_m2k")

#: Calibration status codes (English in data, Dutch on the page: :data:`STATUS_NL`).
STATUS_NL: dict[str, str] = {
    "no_epc": "geen gekend EPC",
    "calibrated": "afgestemd op het gekende EPC",
    "nothing_to_calibrate": "alle schildelen gekend: niets af te stemmen",
    "target_below_range": "gekend EPC beter dan haalbaar binnen de fysische grenzen",
    "target_above_range": "gekend EPC slechter dan haalbaar binnen de fysische grenzen",
}


@dataclass(frozen=True)
class EpcConventions:
    """The EPC-method conventions of ``sim/data/epc_conventions.csv``."""

    unknown_u_weight_house: float
    unknown_u_weight_apartment: float
    calibration_factor_min: float
    calibration_factor_max: float
    u_min: tuple[float, ...]
    u_max: tuple[float, ...]
    score_tolerance_kwh_m2: float
    epb_since_year: float
    glazing_u: tuple[float, ...]
    glazing_g: tuple[float, ...]

    @classmethod
    def default(cls) -> EpcConventions:
        """The shipped (calibrated) conventions."""
        raw = load_table("epc_conventions.csv").set_index("key")["value"]
        points = {
            k: tuple(float(x) for x in str(raw[k]).split(";"))
            for k in ("glazing_u_points", "glazing_g_points")
        }
        t = raw.drop(list(points)).astype(float)
        return cls(
            unknown_u_weight_house=float(t["unknown_u_weight_house"]),
            unknown_u_weight_apartment=float(t["unknown_u_weight_apartment"]),
            calibration_factor_min=float(t["calibration_factor_min"]),
            calibration_factor_max=float(t["calibration_factor_max"]),
            u_min=tuple(float(t[f"{c}_min"]) for c in ENVELOPE_U),
            u_max=tuple(float(t[f"{c}_max"]) for c in ENVELOPE_U),
            score_tolerance_kwh_m2=float(t["score_tolerance_kwh_m2"]),
            epb_since_year=float(t["epb_since_year"]),
            glazing_u=points["glazing_u_points"],
            glazing_g=points["glazing_g_points"],
        )

    def g_for_window_u(self, u_window: ArrayLike) -> NDArray[np.float64]:
        """The g-value of the glazing type a window U-value implies [-] (linear between types)."""
        return np.interp(np.asarray(u_window, dtype=np.float64), self.glazing_u, self.glazing_g)

    def unknown_elements(
        self, known: NDArray[np.bool_], construction_year: ArrayLike
    ) -> NDArray[np.bool_]:
        """Elements that get the pessimistic default: not known, in a dwelling built before EPB.

        Parameters
        ----------
        known : bool ndarray, shape (N, 4)
            Which elements of :data:`ENVELOPE_U` are known facts.
        construction_year : array_like, shape (N,)
            Construction year [year]; dwellings from ``epb_since_year`` on have an EPB
            declaration that documents every element.
        """
        year = np.asarray(construction_year, dtype=np.float64)
        return ~np.asarray(known, dtype=bool) & (year < self.epb_since_year)[:, None]


def apply_unknown_defaults(
    frame: pd.DataFrame,
    unknown: dict[str, NDArray[np.bool_]],
    apartment: ArrayLike,
    u_bare: pd.DataFrame,
    conventions: EpcConventions | None = None,
) -> pd.DataFrame:
    """EPC-method defaults of the envelope elements a dwelling does not know.

    The EPC method counts insulation that cannot be proven as absent, so its default for an
    unknown element lies between the archetype's typical value and the bare element of the
    type, at the calibrated weight ``w`` of the class (geometric interpolation):

    .. math:: U_{EPC} = U_{arch} \\left(\\frac{\\max(U_{bare}, U_{arch})}{U_{arch}}\\right)^{w}

    ``w`` = 0 keeps the archetype, 1 takes the bare element; a negative ``w`` (apartments)
    makes the unknown elements better than the archetype. An element the archetype already
    has bare (a house built before 1946) keeps its value whatever ``w``: the default is never
    worse than no insulation.

    Parameters
    ----------
    frame : DataFrame
        Dwelling inputs with the columns of :data:`ENVELOPE_U` [W/(m²·K)].
    unknown : dict of str to bool array
        Per column of :data:`ENVELOPE_U`, which dwellings do not know that element
        (:meth:`EpcConventions.unknown_elements`).
    apartment : array_like of bool
        Apartments take ``unknown_u_weight_apartment``, houses ``unknown_u_weight_house``.
    u_bare : DataFrame
        The bare element of each dwelling's type, columns :data:`ENVELOPE_U`
        (:func:`sim.archetypes.bare_element_u`), aligned with ``frame``.
    conventions : EpcConventions, optional
        Default the shipped ones.

    Returns
    -------
    DataFrame
        A copy with the unknown U-values moved, kept within the element's range of
        ``epc_conventions.csv`` (an absent element, U = 0, stays 0).

    Examples
    --------
    >>> f = pd.DataFrame({c: [1.0, 1.0, 1.0, 2.0] for c in ENVELOPE_U})
    >>> bare = pd.DataFrame({c: [4.0, 4.0, 4.0, 2.0] for c in ENVELOPE_U})
    >>> conv = replace(
    ...     EpcConventions.default(), unknown_u_weight_house=0.5, unknown_u_weight_apartment=-0.5
    ... )
    >>> unknown = {c: np.array([True, False, True, True]) for c in ENVELOPE_U}
    >>> out = apply_unknown_defaults(f, unknown, [False, False, True, False], bare, conv)
    >>> out["u_wall_w_m2k"].tolist()
    [2.0, 1.0, 0.5, 2.0]
    """
    c = EpcConventions.default() if conventions is None else conventions
    out = frame.copy(deep=False)  # copy-on-write: the columns replaced below are new arrays
    weight = np.where(
        np.asarray(apartment, dtype=bool), c.unknown_u_weight_apartment, c.unknown_u_weight_house
    )
    for k, col in enumerate(ENVELOPE_U):
        u = out[col].to_numpy(dtype=np.float64)
        bare = np.asarray(u_bare[col], dtype=np.float64)
        present = u > 0.0
        ratio = np.where(present, np.maximum(bare, u) / np.where(present, u, 1.0), 1.0)
        moved = np.minimum(u * ratio**weight, np.maximum(bare, u))  # a weight > 1: the bare one
        moved = np.clip(moved, np.minimum(c.u_min[k], u), np.maximum(c.u_max[k], u))
        out[col] = np.where(np.asarray(unknown[col], dtype=bool) & present, moved, u)
    return out


def target_scores(
    score_kwh_m2: ArrayLike, label: ArrayLike, tolerance: float
) -> NDArray[np.float64]:
    """The score a dwelling is calibrated to: the registered score, kept inside its label.

    A registered score is moved ``tolerance`` inside its label band (a score on a band
    boundary belongs to the better label, and the calibration stops within the tolerance);
    a registered label without score gives the middle of the band (A+: 50 below 0, F: 50
    above 500). NaN where neither is known.
    """
    s = np.asarray(score_kwh_m2, dtype=np.float64)
    lab = pd.Series(np.asarray(label, dtype=object)).astype("string")
    upper = np.append(LABEL_UPPER_KWH_M2, np.inf)
    lower = np.append(-np.inf, LABEL_UPPER_KWH_M2)
    width = float(np.min(np.diff(LABEL_UPPER_KWH_M2)))
    out = np.full(s.shape, np.nan)
    idx = lab.map({name: i for i, name in enumerate(LABELS)}).to_numpy(dtype=float, na_value=np.nan)
    from_score = np.isfinite(s)
    if from_score.any():
        k = epc_label_index(s[from_score]).astype(np.int64)
        out[from_score] = np.clip(s[from_score], lower[k] + tolerance, upper[k] - tolerance)
    from_label = ~from_score & np.isfinite(idx)
    if from_label.any():
        k = idx[from_label].astype(np.int64)
        lo = np.where(np.isfinite(lower[k]), lower[k], upper[k] - width)
        hi = np.where(np.isfinite(upper[k]), upper[k], lower[k] + width)
        out[from_label] = 0.5 * (lo + hi)
    return out


@dataclass(frozen=True)
class Calibration:
    """Outcome of :func:`calibrate_to_scores` per dwelling."""

    factor: NDArray[np.float64]
    score_kwh_m2: NDArray[np.float64]
    status: NDArray[np.object_]


def _with_u(
    d: DwellingArrays, u: NDArray[np.float64], g: NDArray[np.float64] | None = None
) -> DwellingArrays:
    new = {c: np.ascontiguousarray(u[:, k]) for k, c in enumerate(ENVELOPE_U)}
    if g is not None:
        new["g_window"] = np.ascontiguousarray(g)
    return replace(d, **new)  # type: ignore[arg-type]


#: The calibration's root finder stops within this share of ``score_tolerance_kwh_m2`` of the
#: target (numerical precision, far inside the tolerance the EPC method allows).
_SOLVER_TOLERANCE = 0.1


def _bracketed_roots(
    residual: Callable[[NDArray[np.intp], NDArray[np.float64]], NDArray[np.float64]],
    lo: NDArray[np.float64],
    hi: NDArray[np.float64],
    r_lo: NDArray[np.float64],
    r_hi: NDArray[np.float64],
    active: NDArray[np.bool_],
    tolerance: float,
    iterations: int,
    guess: float | None = None,
) -> NDArray[np.float64]:
    """Roots of N increasing functions, each bracketed in ``[lo, hi]`` (Illinois method).

    ``residual(idx, x)`` evaluates the functions of rows ``idx`` at ``x``; ``r_lo`` ≤ 0 ≤
    ``r_hi`` are their values at the bracket ends. Regula falsi with the Illinois correction
    (Dowell & Jarratt 1971) converges superlinearly on smooth functions. A step that would
    leave the bracket, and a step after one that did not halve the residual, is a bisection
    step, so a function with jumps (the g-value follows the glazing type) still converges at
    half bisection's pace at worst.

    A row stops when its residual is within ``tolerance`` or its bracket is below 1e-9 of the
    first; only the rows still running are evaluated. Inactive rows return the bracket's
    middle, rows without a sign change the end nearer the root. ``guess``: the first point
    tried in every bracket (where most roots lie close).
    """
    lo, hi, r_lo, r_hi = (np.array(a, dtype=np.float64) for a in (lo, hi, r_lo, r_hi))
    x = 0.5 * (lo + hi)
    # no sign change: the end closer to the root is the answer (a target just past the range)
    x = np.where(r_lo > 0.0, lo, np.where(r_hi < 0.0, hi, x))
    running = np.flatnonzero(active & (r_lo <= 0.0) & (r_hi >= 0.0) & (hi - lo > 0.0))
    side = np.zeros(lo.size, dtype=np.int8)  # which end the last step moved: -1 lo, +1 hi
    slow = np.zeros(lo.size, dtype=bool)  # the last step did not halve the residual
    width0 = hi - lo
    for step in range(iterations):
        if running.size == 0:
            break
        a, b, fa, fb = lo[running], hi[running], r_lo[running], r_hi[running]
        with np.errstate(divide="ignore", invalid="ignore"):
            xs = a - fa * (b - a) / (fb - fa)
            if step == 0 and guess is not None:
                xs = np.full(running.size, guess)
        bisect = ~np.isfinite(xs) | (xs <= a) | (xs >= b) | slow[running]
        xs = np.where(bisect, 0.5 * (a + b), xs)
        fx = residual(running, xs)
        x[running] = xs
        up = fx < 0.0  # the root lies above xs: xs becomes the lower end
        s_old = side[running]
        # Illinois: the end kept twice in a row has its residual halved
        r_hi[running] = np.where(up, np.where(s_old == -1, 0.5 * fb, fb), fx)
        r_lo[running] = np.where(up, fx, np.where(s_old == 1, 0.5 * fa, fa))
        lo[running] = np.where(up, xs, a)
        hi[running] = np.where(up, b, xs)
        side[running] = np.where(up, -1, 1)
        # a step that did not halve the residual of the end it replaced is followed by a bisection
        slow[running] = np.abs(fx) > 0.5 * np.where(up, np.abs(fa), np.abs(fb))
        done = (np.abs(fx) <= tolerance) | (hi[running] - lo[running] <= 1e-9 * width0[running])
        running = running[~done]
    x[running] = 0.5 * (lo[running] + hi[running])
    return x


def calibrate_to_scores(
    dwellings: DwellingArrays,
    target_kwh_m2: ArrayLike,
    unknown: NDArray[np.bool_],
    conventions: EpcConventions | None = None,
    iterations: int = 40,
    **simulate_kwargs: Any,
) -> tuple[DwellingArrays, Calibration]:
    """Scale each dwelling's unknown envelope U-values so its EPC score meets a target.

    Parameters
    ----------
    dwellings : DwellingArrays
        N dwellings in their EPC-method state.
    target_kwh_m2 : array_like, shape (N,)
        Target energy score [kWh/(m²·a)] (:func:`target_scores`); NaN = no registered EPC.
    unknown : bool ndarray, shape (N, 4)
        Which elements of :data:`ENVELOPE_U` are unknown (only those are scaled).
    conventions : EpcConventions, optional
        Factor bounds, U ranges and tolerance; default the shipped ones.
    iterations : int
        Most root-finding steps on the factor (:func:`_bracketed_roots`); most rows stop
        after 3 to 6.
    **simulate_kwargs
        Passed to :func:`sim.core.simulate` (climate, tables).

    Returns
    -------
    (DwellingArrays, Calibration)
        The dwellings with calibrated U-values, and per dwelling the factor, the score
        reached and the status (:data:`STATUS_NL` keys).

    Notes
    -----
    The score rises monotonically with every U-value, so a bracketed root finder on one factor
    per dwelling converges (:func:`_bracketed_roots`; it stops within a tenth of
    ``score_tolerance_kwh_m2``); every U stays within ``[u_min, u_max]`` of its element. Where
    the score is flat in the factor (elements held at their range's end) any factor of the
    flat part meets the score.
    """
    from sim.core import simulate  # late: the core imports this package's tables

    c = EpcConventions.default() if conventions is None else conventions
    target = np.asarray(target_kwh_m2, dtype=np.float64)
    unk = np.asarray(unknown, dtype=bool)
    problems = Problems("EPC calibration")
    if target.shape != (dwellings.n,) or unk.shape != (dwellings.n, len(ENVELOPE_U)):
        problems.add(
            "target_kwh_m2, unknown",
            f"need shapes ({dwellings.n},) and ({dwellings.n}, {len(ENVELOPE_U)})",
        )
    problems.raise_if_any()
    n = dwellings.n
    status = np.full(n, "no_epc", dtype=object)
    factor = np.ones(n)
    u0 = np.stack([getattr(dwellings, col) for col in ENVELOPE_U], axis=1)
    lo_u, hi_u = np.asarray(c.u_min), np.asarray(c.u_max)
    has = np.isfinite(target)
    scalable = unk & (u0 > 0.0)
    status[has & ~scalable.any(axis=1)] = "nothing_to_calibrate"
    rows = np.flatnonzero(has & scalable.any(axis=1))
    score = np.full(n, np.nan)
    if rows.size:
        sub = dwellings.take(rows)
        base = u0[rows]
        mask = scalable[rows]

        def u_at(
            f: NDArray[np.float64], idx: NDArray[np.intp] | slice = slice(None)
        ) -> NDArray[np.float64]:
            b = base[idx]
            scaled = np.clip(b * f[:, None], lo_u, hi_u)
            # an element already outside the range is never moved further out
            scaled = np.where(b < lo_u, np.maximum(b, np.minimum(scaled, b)), scaled)
            scaled = np.where(b > hi_u, np.minimum(b, np.maximum(scaled, b)), scaled)
            return np.where(mask[idx], scaled, b)

        window = ENVELOPE_U.index("u_window_w_m2k")
        g_base = sub.g_window
        moves_window = mask[:, window]

        def g_at(
            u: NDArray[np.float64], idx: NDArray[np.intp] | slice = slice(None)
        ) -> NDArray[np.float64]:
            # a window moved to another U is another glazing type: its g follows
            return np.where(moves_window[idx], c.g_for_window_u(u[:, window]), g_base[idx])

        def score_at(
            f: NDArray[np.float64], idx: NDArray[np.intp] | None = None
        ) -> NDArray[np.float64]:
            # the score of the rows ``idx`` of ``sub`` (all when None) at factors ``f``
            part = sub if idx is None else sub.take(idx)
            u = u_at(f) if idx is None else u_at(f, idx)
            g = g_at(u) if idx is None else g_at(u, idx)
            return simulate(_with_u(part, u, g), **simulate_kwargs).energy_score_kwh_m2[:, 0]

        t = target[rows]
        # in the factor itself: the losses, and nearly the score, are linear in the U-values
        lo = np.full(rows.size, c.calibration_factor_min)
        hi = np.full(rows.size, c.calibration_factor_max)
        s_lo, s_hi = score_at(lo), score_at(hi)
        below = t < s_lo - c.score_tolerance_kwh_m2
        above = t > s_hi + c.score_tolerance_kwh_m2
        f = _bracketed_roots(
            lambda idx, x: score_at(x, idx) - t[idx],
            lo,
            hi,
            s_lo - t,
            s_hi - t,
            active=~below & ~above,
            tolerance=_SOLVER_TOLERANCE * c.score_tolerance_kwh_m2,
            iterations=iterations,
            guess=1.0,  # most registered scores lie near the EPC method's default
        )
        f = np.where(below, c.calibration_factor_min, np.where(above, c.calibration_factor_max, f))
        u_new = u0.copy()
        u_new[rows] = u_at(f)
        g_new = dwellings.g_window.copy()
        g_new[rows] = g_at(u_new[rows])
        dwellings = _with_u(dwellings, u_new, g_new)
        factor[rows] = f
        score[rows] = score_at(f)
        st = np.full(rows.size, "calibrated", dtype=object)
        st[below] = "target_below_range"
        st[above] = "target_above_range"
        status[rows] = st
    return dwellings, Calibration(factor=factor, score_kwh_m2=score, status=status)


def epc_defaults_by_type(
    inputs: pd.DataFrame,
    known: NDArray[np.bool_],
    construction_year: ArrayLike,
    archetype_type: ArrayLike,
    conventions: EpcConventions | None = None,
) -> pd.DataFrame:
    """:func:`apply_unknown_defaults` for dwellings described by their archetype type and year.

    Which elements are unknown follows the EPC method (:meth:`EpcConventions.unknown_elements`:
    those not in ``known``, of a dwelling built before EPB); apartments are the types
    ``apartment_*``; the bare element is the type's (:func:`sim.archetypes.bare_element_u`).

    Parameters
    ----------
    inputs : DataFrame
        Dwelling inputs with the columns of :data:`ENVELOPE_U`.
    known : ndarray of bool, shape (N, 4)
        Per column of :data:`ENVELOPE_U`, whether the dwelling knows the element (a fact).
    construction_year : array_like of float, shape (N,)
    archetype_type : array_like of str, shape (N,)
        :data:`sim.archetypes.BUILDING_TYPES`.
    conventions : EpcConventions, optional
        Default the shipped ones.
    """
    from sim.archetypes import bare_element_u

    conv = conventions or EpcConventions.default()
    unknown = conv.unknown_elements(known, construction_year)
    types = np.asarray(archetype_type).astype(str)
    return apply_unknown_defaults(
        inputs,
        {c: unknown[:, k] for k, c in enumerate(ENVELOPE_U)},
        np.char.startswith(types, "apartment"),
        bare_element_u(types),
        conv,
    )


__all__ = [
    "ENVELOPE_U",
    "STATUS_NL",
    "Calibration",
    "EpcConventions",
    "apply_unknown_defaults",
    "calibrate_to_scores",
    "epc_defaults_by_type",
    "target_scores",
]

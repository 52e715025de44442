"""Array checks shared by the public wrappers of :mod:`sim`.

Each function *records* problems in a :class:`~sim.errors.Problems`
collector instead of raising, so a wrapper checks everything and then raises
once. Checks return the converted, contiguous array (or ``None`` when the
array is unusable) so that kernels only ever see C-contiguous float64/int64.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.errors import Problems


def as_float_array(
    problems: Problems,
    name: str,
    value: Any,
    shape: tuple[int, ...] | None = None,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_inclusive: bool = True,
    unit: str = "",
    allow_nan: bool = False,
) -> NDArray[np.float64] | None:
    """Convert ``value`` to a C-contiguous float64 array and check it.

    Parameters
    ----------
    problems : Problems
        Collector the problems are added to.
    name : str
        Field name used in messages.
    value : array_like
        The input.
    shape : tuple of int, optional
        Required shape; scalars are broadcast to it.
    lo, hi : float, optional
        Physical range; values outside are reported with their rows.
    lo_inclusive : bool
        Whether ``lo`` itself is allowed.
    unit : str
        Unit shown in messages, e.g. ``"W/(m²·K)"``.
    allow_nan : bool
        Whether NaN means "not set" (variant overrides) rather than an error.

    Returns
    -------
    ndarray or None
        The converted array, or ``None`` if it could not be converted or has the wrong shape.
    """
    try:
        arr = np.asarray(value)
        if arr.dtype.kind not in "fiub":
            problems.add(name, f"must be numeric, got dtype {arr.dtype}; convert it to numbers")
            return None
        arr = np.ascontiguousarray(arr, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        problems.add(name, f"cannot be read as numbers ({exc})")
        return None
    if shape is not None:
        if arr.ndim == 0:
            arr = np.full(shape, float(arr))
        elif arr.shape != shape:
            problems.add(name, f"has shape {arr.shape}, expected {shape}; give one value per row")
            return None
    flat = arr.reshape(-1) if arr.ndim > 1 else arr
    nan = np.isnan(flat)
    if not allow_nan and nan.any():
        problems.add(name, "is missing (NaN); fill in a value", _row_index(arr, nan))
    if np.isinf(flat).any():
        problems.add(name, "is infinite; give a finite value", _row_index(arr, np.isinf(flat)))
    u = f" {unit}" if unit and unit != "-" else ""
    with np.errstate(invalid="ignore"):
        if lo is not None:
            bad = (flat < lo) if lo_inclusive else (flat <= lo)
            if bad.any():
                op = ">=" if lo_inclusive else ">"
                problems.add(name, f"must be {op} {lo}{u}", _row_index(arr, bad))
        if hi is not None:
            bad = flat > hi
            if bad.any():
                problems.add(name, f"must be <= {hi}{u}", _row_index(arr, bad))
    return arr


def as_int_array(
    problems: Problems,
    name: str,
    value: Any,
    shape: tuple[int, ...],
    *,
    allowed: NDArray[np.int64] | list[int] | None = None,
    meaning: str = "",
) -> NDArray[np.int64] | None:
    """Convert ``value`` to a C-contiguous int64 array of ``shape`` and check its codes."""
    arr = np.asarray(value)
    if arr.ndim == 0:
        arr = np.full(shape, arr)
    if arr.shape != shape:
        problems.add(name, f"has shape {arr.shape}, expected {shape}; give one value per row")
        return None
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            problems.add(name, "must hold whole-number codes", np.flatnonzero(bad))
            return None
    elif arr.dtype.kind not in "iub":
        problems.add(name, f"must hold integer codes, got dtype {arr.dtype}")
        return None
    out = np.ascontiguousarray(arr, dtype=np.int64)
    if allowed is not None:
        # a handful of codes: one comparison each (np.isin costs more for a few rows)
        bad = ~(out[..., None] == np.asarray(allowed, dtype=np.int64)).any(axis=-1)
        if bad.any():
            codes = ", ".join(str(c) for c in np.unique(out[bad])[:5])
            problems.add(
                name,
                f"has unknown code(s) {codes}; allowed are {list(np.asarray(allowed))} {meaning}".rstrip(),
                np.flatnonzero(bad),
            )
    return out


def _row_index(arr: NDArray[Any], mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Row positions (first axis) where ``mask`` (over the flattened array) is true."""
    if arr.ndim <= 1:
        return np.flatnonzero(mask)
    per_row = int(np.prod(arr.shape[1:]))
    return np.unique(np.flatnonzero(mask) // per_row)

"""The one place where the numba compilation policy is decided.

Every kernel in :mod:`sim` is compiled through :func:`jit` (serial) or
:func:`jit_parallel` (``prange`` over dwellings), so caching, fastmath and
threading are chosen once and measured once (see ``wijk bench`` and the
README's benchmark table).

Policy and why
--------------
* ``cache=True``: compiled machine code is written next to the source so a
  second process (CLI call, test worker, Dask worker) skips the ~seconds of
  compilation.
* ``fastmath``: off by default. It was measured (README, benchmark section)
  to give no useful gain for the monthly balance, whose cost is dominated by
  ``exp``/``log`` in the utilisation factor, while it would allow the
  compiler to assume no NaN/inf -- and the wrappers rely on NaN checks.
* ``parallel=True`` only for the fused stock kernel, which loops ``prange``
  over dwellings; small kernels stay serial, as threading overhead exceeds
  their work.
* All kernels must also run with ``NUMBA_DISABLE_JIT=1`` (the test suite runs
  a subset that way), so they use only constructs that are valid Python too.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import numba

F = TypeVar("F", bound=Callable[..., Any])

#: Whether numba is switched off (``NUMBA_DISABLE_JIT=1``); kernels then run as plain Python.
JIT_DISABLED: bool = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")

_COMMON: dict[str, Any] = {"cache": True, "fastmath": False, "error_model": "numpy"}

prange = numba.prange


def jit(func: F) -> F:
    """Compile a serial kernel or scalar helper with the project's policy."""
    return numba.njit(**_COMMON)(func)


def jit_parallel(func: Callable[..., Any]) -> Callable[..., Any]:
    """Compile a kernel whose outer loop is ``prange`` over dwellings.

    Typed loosely on purpose: kernels take named tuples of arrays
    (:meth:`sim.stock.DwellingArrays.columns`), which mypy cannot see into.
    """
    return numba.njit(parallel=True, **_COMMON)(func)

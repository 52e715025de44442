"""CSV files that are safe to open in a spreadsheet: the one writer of every CSV the tool writes.

A text cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is
read as a formula by Excel and LibreOffice ("CSV injection", OWASP:
https://owasp.org/www-community/attacks/CSV_Injection). Building ids, street names and reject
reasons come from files the tool does not control, so every CSV goes through
:func:`write_csv`, which prefixes such text cells with a single quote ``'`` -- the
spreadsheet then shows the text as text. Only text columns (object, string and categorical
dtypes) are touched: numbers, negative ones included, stay numbers.

``sim`` is the base package, so ``buildings``, ``scenarios`` and ``api`` may all use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FORMULA_START", "safe_text_cells", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_PATTERN = "^[" + "".join("\\" + c if c in "-" else c for c in FORMULA_START) + "]"


def _escape(values: pd.Series) -> pd.Series:
    """Text values starting like a formula, prefixed with ``'``; other values unchanged.

    Positional throughout, so a frame with a repeated index is escaped cell by cell.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        if not (pd.api.types.is_object_dtype(cats) or pd.api.types.is_string_dtype(cats)):
            return values
        return values.cat.rename_categories(_escape(pd.Series(cats, dtype=cats.dtype)).tolist())
    if pd.api.types.is_object_dtype(values.dtype):  # text mixed with numbers and None
        cells = values.to_numpy(dtype=object)
        is_text = np.fromiter((isinstance(v, str) for v in cells), dtype=bool, count=len(cells))
        starts = pd.Series(cells[is_text], dtype="string").str.contains(_PATTERN, regex=True)
        hit = np.flatnonzero(is_text)[starts.to_numpy(dtype=bool, na_value=False)]
    else:  # a string dtype
        starts = values.str.contains(_PATTERN, regex=True, na=False)
        hit = np.flatnonzero(starts.to_numpy(dtype=bool, na_value=False))
    if not hit.size:
        return values
    out = values.copy()
    out.iloc[hit] = ["'" + str(v) for v in values.iloc[hit]]
    return out


def safe_text_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that a spreadsheet would read as a formula escaped.

    Parameters
    ----------
    frame : DataFrame
        Any table; only object, string and categorical columns are looked at.

    Returns
    -------
    DataFrame
        A copy (or ``frame`` itself when nothing needs escaping) in which text cells that
        begin with one of :data:`FORMULA_START` begin with ``'`` instead.

    Examples
    --------
    >>> import pandas as pd
    >>> safe_text_cells(pd.DataFrame({"id": ["=1+1", "a"], "x": [-1.5, 2.0]}))
         id    x
    0  '=1+1 -1.5
    1     a  2.0
    """
    out = frame
    for i, (_, column) in enumerate(frame.items()):
        dtype = column.dtype
        text_like = (
            pd.api.types.is_object_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype)
        )
        if not text_like:
            continue
        escaped = _escape(column)
        if escaped is column:
            continue
        if out is frame:
            out = frame.copy()
        out.isetitem(i, escaped.array)
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, **kwargs: Any) -> Path:
    """Write ``frame`` to ``path`` as CSV, safe to open in a spreadsheet.

    Parameters
    ----------
    frame : DataFrame
        Table to write.
    path : str or Path
        Target file.
    **kwargs
        Passed to :meth:`pandas.DataFrame.to_csv` (``index=False``, ``float_format``, ...).

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    safe_text_cells(frame).to_csv(path, **kwargs)
    return path

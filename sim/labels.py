"""Flemish EPC label from the energy score.

Notes
-----
The Flemish EPC for residential units gives a label from the energy score,
the characteristic annual primary energy use per m² [kWh/(m²·a)]:
A+ < 0, A 0-100, B 100-200, C 200-300, D 300-400, E 400-500, F > 500
(VEA; thresholds in ``sim/data/epc_labels.csv``). A score exactly on a
boundary belongs to the better label.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim._jit import jit
from sim.errors import Problems
from sim.reference_data import load_table

_TABLE = load_table("epc_labels.csv")

#: Label names by index (0 = A+ ... 6 = F).
LABELS: tuple[str, ...] = tuple(_TABLE["label"])
#: Upper bounds [kWh/(m²·a)] of labels A+ ... E (F is unbounded); A+ is strict (< 0).
LABEL_UPPER_KWH_M2: NDArray[np.float64] = np.ascontiguousarray(
    _TABLE["upper_kwh_m2"].to_numpy(dtype=np.float64)[:-1]
)


@jit
def _label_index(score: float, upper: np.ndarray) -> int:
    """Label index for one score; ``upper`` = bounds of A+ ... E."""
    if score < upper[0]:
        return 0
    for k in range(1, upper.shape[0]):
        if score <= upper[k]:
            return k
    return upper.shape[0]


def epc_label_index(energy_score_kwh_m2: ArrayLike) -> NDArray[np.int8]:
    """Index of the Flemish EPC label (0 = A+, 1 = A, ..., 6 = F).

    Parameters
    ----------
    energy_score_kwh_m2 : array_like
        Energy score: annual primary energy per m² of floor area [kWh/(m²·a)].

    Returns
    -------
    ndarray of int8
        Label index; ``LABELS[index]`` is the label name.

    Raises
    ------
    InputError
        If a score is NaN or infinite.

    Examples
    --------
    >>> [LABELS[i] for i in epc_label_index([-5, 0, 100, 100.5, 450, 900])]
    ['A+', 'A', 'A', 'B', 'E', 'F']
    """
    score = np.asarray(energy_score_kwh_m2, dtype=np.float64)
    problems = Problems("EPC energy scores")
    bad = ~np.isfinite(score.reshape(-1))
    if bad.any():
        problems.add("energy_score_kwh_m2", "must be a finite number", np.flatnonzero(bad))
    problems.raise_if_any()
    # a score equal to a bound belongs to the better label: count bounds strictly below the score
    idx = np.searchsorted(LABEL_UPPER_KWH_M2[1:], score, side="left") + 1
    idx = np.where(score < LABEL_UPPER_KWH_M2[0], 0, idx)
    return idx.astype(np.int8)


def epc_label(energy_score_kwh_m2: ArrayLike) -> NDArray[np.str_]:
    """Flemish EPC label names (``"A+"`` ... ``"F"``) for energy scores [kWh/(m²·a)]."""
    return np.asarray(LABELS, dtype=object)[epc_label_index(energy_score_kwh_m2)].astype(str)


def current_labels(model_index: ArrayLike, registered: ArrayLike) -> NDArray[np.object_]:
    """The current label of each dwelling: its registered EPC label where it has one.

    A registered EPC is a fact ("gekend EPC"); the model's label (index, 0 = A+) stands only
    where there is none.

    Parameters
    ----------
    model_index : array_like of int
        The model's label index per dwelling.
    registered : array_like of str or None
        The registered label per dwelling (None / NA where there is no EPC).

    Examples
    --------
    >>> current_labels([6, 3], ["D", None]).tolist()
    ['D', 'C']
    """
    model = np.asarray(LABELS, dtype=object)[np.asarray(model_index, dtype=np.int64)]
    reg = np.asarray(registered, dtype=object)
    known = np.array([isinstance(x, str) and x in LABELS for x in reg], dtype=bool)
    return np.where(known, reg, model)

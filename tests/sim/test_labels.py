"""EPC label thresholds (Flemish scale, VEA)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import InputError
from sim.labels import LABEL_UPPER_KWH_M2, LABELS, _label_index, epc_label, epc_label_index


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (-0.001, "A+"),
        (-250.0, "A+"),
        (0.0, "A"),
        (50.0, "A"),
        (100.0, "A"),
        (100.001, "B"),
        (200.0, "B"),
        (250.0, "C"),
        (300.0, "C"),
        (350.0, "D"),
        (400.0, "D"),
        (450.0, "E"),
        (500.0, "E"),
        (500.001, "F"),
        (2000.0, "F"),
    ],
)
def test_thresholds(score: float, label: str) -> None:
    assert epc_label([score])[0] == label
    assert LABELS[_label_index(score, LABEL_UPPER_KWH_M2)] == label


def test_kernel_helper_equals_vectorised_function() -> None:
    scores = np.random.default_rng(0).uniform(-200, 900, 5000)
    scores[:7] = [0, 100, 200, 300, 400, 500, -1e-9]
    kernel = np.array([_label_index(s, LABEL_UPPER_KWH_M2) for s in scores])
    np.testing.assert_array_equal(kernel, epc_label_index(scores))


def test_labels_are_monotone_in_score() -> None:
    scores = np.linspace(-100, 1000, 10_001)
    assert (np.diff(epc_label_index(scores)) >= 0).all()


def test_nan_score_is_an_error_naming_the_row() -> None:
    with pytest.raises(InputError) as exc:
        epc_label_index([10.0, np.nan, 20.0])
    assert exc.value.rows == [1]

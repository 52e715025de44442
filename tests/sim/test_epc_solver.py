"""The calibration's vectorised root finder (``sim.epc._bracketed_roots``), against closed forms."""

from __future__ import annotations

import numpy as np

from sim.epc import _bracketed_roots


def _solve(func, lo, hi, tolerance=1e-9, iterations=60, guess=None):
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    evaluated: list[int] = []

    def residual(idx, x):
        evaluated.append(len(idx))
        return func(idx, x)

    idx = np.arange(lo.size)
    x = _bracketed_roots(
        residual,
        lo,
        hi,
        func(idx, lo),
        func(idx, hi),
        active=np.ones(lo.size, bool),
        tolerance=tolerance,
        iterations=iterations,
        guess=guess,
    )
    return x, evaluated


def test_smooth_increasing_functions_meet_their_closed_form_roots() -> None:
    c = np.array([0.3, 1.0, 2.0, 7.5, 12.0])
    x, evaluated = _solve(lambda i, x: x**3 - c[i], [0.1] * 5, [2.5] * 5, guess=1.0)
    np.testing.assert_allclose(x, np.cbrt(c), rtol=1e-8)
    # superlinear: far fewer steps than the ~31 bisections this precision needs
    assert len(evaluated) <= 15


def test_a_jump_is_found_like_bisection_would() -> None:
    # a step in the function (a glazing type changing its g-value): the root is the jump
    jump = np.array([0.7, 1.3, 2.2])
    x, evaluated = _solve(
        lambda i, x: np.where(x < jump[i], -1.0, 1.0) + 0.01 * x, [0.2] * 3, [2.5] * 3
    )
    np.testing.assert_allclose(x, jump, atol=1e-8)
    assert len(evaluated) <= 70


def test_rows_without_a_sign_change_take_the_nearer_end_and_cost_nothing() -> None:
    c = np.array([-1.0, 100.0, 1.0])  # below the range, above it, inside
    x, evaluated = _solve(lambda i, x: x - c[i], [0.0] * 3, [2.0] * 3)
    np.testing.assert_allclose(x, [0.0, 2.0, 1.0])
    assert max(evaluated) == 1  # only the third row was ever evaluated


def test_only_running_rows_are_evaluated_and_each_stops_within_the_tolerance() -> None:
    c = np.linspace(0.5, 5.0, 50)
    x, evaluated = _solve(lambda i, x: np.exp(x) - c[i], [-1.0] * 50, [2.0] * 50, tolerance=1e-6)
    np.testing.assert_allclose(np.exp(x), c, atol=1e-6)
    assert evaluated == sorted(evaluated, reverse=True)

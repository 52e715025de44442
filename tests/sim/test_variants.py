"""The variants' rules: the kernel's scalar helpers against the NumPy reference."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.synthetic import synthetic_dwellings
from sim.variants import (
    VARIANT_TARGETS,
    VariantArrays,
    _upper_limit,
    _window_after,
    apply_variant,
    variant_changes,
)


def test_a_limit_only_ever_improves_and_nan_keeps() -> None:
    assert _upper_limit(3.0, 1.5) == 1.5
    assert _upper_limit(1.0, 1.5) == 1.0  # never worse
    assert _upper_limit(3.0, float("nan")) == 3.0  # not set


def test_a_window_is_replaced_only_where_it_is_worse_and_takes_the_new_g() -> None:
    assert _window_after(2.9, 0.75, 1.5, 0.55) == (1.5, 0.55)
    assert _window_after(1.1, 0.5, 1.5, 0.55) == (1.1, 0.5)  # already better: kept
    assert _window_after(2.9, 0.75, 1.5, float("nan")) == (1.5, 0.75)  # g not given


def test_variant_changes_sets_only_what_the_variant_sets() -> None:
    d = synthetic_dwellings(50, seed=4)
    v = VariantArrays.from_frame(
        pd.DataFrame(
            [
                {"name": "roof", "r_add_roof_m2kw": 4.5},
                {"name": "glass", "u_window_w_m2k": 1.5, "g_window": 0.55},
                {"name": "hp", "heating_system": 5, "emitter_temp_c": 45.0},
            ]
        )
    )
    before = {f: getattr(d, f) for f in VARIANT_TARGETS}
    assert set(variant_changes(before, v, 0)) == {"u_roof_w_m2k"}
    assert set(variant_changes(before, v, 1)) == {"u_window_w_m2k", "g_window"}
    assert set(variant_changes(before, v, 2)) == {"heating_system", "emitter_temp_c"}
    # the scalar rules of the kernel give what the NumPy reference gives, dwelling by dwelling
    after = apply_variant(d, v, 1)
    for i in range(d.n):
        u, g = _window_after(d.u_window_w_m2k[i], d.g_window[i], 1.5, 0.55)
        assert (u, g) == (after.u_window_w_m2k[i], after.g_window[i])
    roof = apply_variant(d, v, 0).u_roof_w_m2k
    np.testing.assert_array_equal(roof, 1.0 / (1.0 / d.u_roof_w_m2k + 4.5))


def test_the_state_transform_equals_the_numpy_reference() -> None:
    # apply_variant_state (one dwelling's VARIANT_TARGETS as a float vector, in a kernel: the
    # candidates' tree walk) against variant_changes, variant by variant, dwelling by dwelling
    from sim.synthetic import synthetic_variants
    from sim.variants import apply_variant_state, heat_recovery_defaults

    d = synthetic_dwellings(200, seed=11)
    v = synthetic_variants(40, seed=3)
    before = {name: getattr(d, name) for name in VARIANT_TARGETS}
    var, heat_recovery = v.columns(), heat_recovery_defaults()
    changed = 0
    for p in range(v.p):
        want = {**before, **variant_changes(before, v, p)}
        changed += sum(not np.array_equal(want[f], before[f]) for f in VARIANT_TARGETS)
        for i in range(d.n):
            x = np.asarray([float(before[f][i]) for f in VARIANT_TARGETS] + [-7.0])
            apply_variant_state(x, var, p, heat_recovery)
            got = dict(zip(VARIANT_TARGETS, x[:-1].tolist(), strict=True))
            assert got == {f: float(want[f][i]) for f in VARIANT_TARGETS}, (p, i)
            assert x[-1] == -7.0  # what follows the targets is left alone
    assert changed > 40  # the variants change many inputs, not a few

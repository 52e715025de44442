"""The EPC method's defaults for unknown elements: between the archetype and the bare element."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.archetypes import BUILDING_TYPES, archetype_table, bare_element_u, dwelling_inputs
from sim.epc import ENVELOPE_U, EpcConventions, apply_unknown_defaults


def _defaults(types: list[str], years: list[int], weight: float) -> tuple[pd.DataFrame, ...]:
    d = dwelling_inputs(types, years, [100.0] * len(types)).reset_index(drop=True)
    bare = bare_element_u(types)
    conv = replace(
        EpcConventions.default(), unknown_u_weight_house=weight, unknown_u_weight_apartment=weight
    )
    unknown = {c: np.ones(len(types), dtype=bool) for c in ENVELOPE_U}
    apartment = [t.startswith("apartment") for t in types]
    return d, bare, apply_unknown_defaults(d, unknown, apartment, bare, conv)


def test_bare_element_is_the_earliest_tabula_example_of_the_type() -> None:
    t = archetype_table()
    bare = bare_element_u(list(BUILDING_TYPES))
    for i, btype in enumerate(BUILDING_TYPES):
        rows = t[t["building_type"] == btype]
        first = rows.loc[rows["year_from"].idxmin()]
        for c in ENVELOPE_U:
            assert bare.loc[i, c] == pytest.approx(first[c])


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.97, 1.0, 2.0])
def test_a_default_is_never_worse_than_the_bare_element(weight: float) -> None:
    types = ["open", "gesloten", "halfopen", "apartment_small", "open", "gesloten"]
    d, bare, out = _defaults(types, [1900, 1930, 1975, 1985, 1995, 1965], weight)
    for c in ENVELOPE_U:
        worst = np.maximum(bare[c].to_numpy(), d[c].to_numpy())
        assert (out[c].to_numpy() <= worst + 1e-12).all()
        assert (out[c].to_numpy() >= d[c].to_numpy() - 1e-12).all()


def test_weight_zero_keeps_the_archetype_and_one_takes_the_bare_element() -> None:
    types = ["open", "gesloten", "halfopen"]
    d, bare, zero = _defaults(types, [1975, 1995, 1985], 0.0)
    _, _, one = _defaults(types, [1975, 1995, 1985], 1.0)
    for c in ENVELOPE_U:
        np.testing.assert_allclose(zero[c], d[c])
        np.testing.assert_allclose(one[c], np.maximum(bare[c], d[c]))


def test_an_already_bare_house_is_not_made_worse() -> None:
    """Before 1946 TABULA-BE houses are uninsulated: the pessimistic default changes nothing."""
    d, _, out = _defaults(["gesloten", "open"], [1900, 1920], 1.0)
    for c in ENVELOPE_U:
        np.testing.assert_allclose(out[c], d[c])


def test_a_negative_weight_makes_unknown_elements_better() -> None:
    d, _, out = _defaults(["apartment_small"], [1975], -0.44)
    for c in ("u_roof_w_m2k", "u_wall_w_m2k", "u_window_w_m2k"):
        assert out.loc[0, c] < d.loc[0, c]

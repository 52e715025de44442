"""Construction years: known from facts, else drawn per building from the Flemish stock's periods.

A twin built without a construction year per building must not give every building the same
year: a historic centre would become a stock of 1990s houses and the EPC labels would collapse
onto one archetype. Where the facts give no year, the year is *drawn*:

* from the construction-period shares of the Flemish stock by Statbel building type
  (``gesloten``, ``halfopen``, ``open``, ``apartment``; :func:`period_shares`, the one table the
  synthetic town generator uses too), uniformly within the drawn period;
* once per **party-wall row** (a connected component of the party-wall graph, buildings sharing
  walls of at least ``min_party_wall_m``), from the shares of the row's dominant type: the houses
  of a terrace were mostly built together; each building leaves its row and draws on its own,
  from its own type, with the probability ``year_independent_share``
  (``buildings/data/twin_parameters.csv``);
* seeded by the building: every uniform number comes from a stable 64-bit hash of the building
  id (or of the row's smallest such hash) and a stream number (:func:`keyed_uniform`), so the
  same building gets the same year on every machine and run, whatever the row order and
  whichever other buildings are in the file (except the members of its own row).

Known years win: a dwelling with a year in the facts keeps it (``facts``); the other dwellings
of its building take the median known year of the building, and a building without one in a
row with known years takes the median known year of its row, unless it draws on its own
(``imputed``: inferred from its neighbours); the rest is ``drawn``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from sim.archetypes import dwelling_inputs
from sim.epc import ENVELOPE_U, epc_defaults_by_type

#: Statbel building types of the construction-period table (``construction_periods.csv``).
STATBEL_TYPES: tuple[str, ...] = ("gesloten", "halfopen", "open", "apartment")

#: ``construction_year_source`` of a year drawn from the period distribution of the stock.
DRAWN = "drawn"

# stream numbers of the keyed uniforms: one per use, so no two draws share a number
_STREAM_ROW_PERIOD = 1
_STREAM_ROW_YEAR = 2
_STREAM_OWN_PERIOD = 3
_STREAM_OWN_YEAR = 4
_STREAM_INDEPENDENT = 5

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@cache
def _read(name: str) -> pd.DataFrame:
    ref = resources.files("buildings.data").joinpath(name)
    with resources.as_file(ref) as path:
        return pd.read_csv(path, comment="#", skipinitialspace=True)


@cache
def period_shares() -> pd.DataFrame:
    """Construction-period shares of the Flemish residential stock per Statbel building type.

    The share built after 1981 is Statbel's count of 1 Jan 2018 plus the net growth of the
    stock from 2018 to 2025 (counted as new buildings), over the 2025 stock
    (``flemish_stock_shares.csv``); the split within the groups "before 1982" and "after 1981"
    is the project's approximation of ``construction_periods.csv`` (no published table of
    buildings by period and type was at hand; see ``buildings/data/SOURCES.md``).

    Returns
    -------
    pandas.DataFrame
        One row per period (``period``, ``year_from``, ``year_to``, inclusive) and one share
        column [-] per type of :data:`STATBEL_TYPES`; each type column sums to 1.

    Examples
    --------
    >>> t = period_shares()
    >>> [round(float(t[c].sum()), 6) for c in STATBEL_TYPES]
    [1.0, 1.0, 1.0, 1.0]
    """
    stock = _read("flemish_stock_shares.csv").set_index("building_type")
    periods = _read("construction_periods.csv")
    out = periods[["period", "year_from", "year_to"]].copy()
    post = (periods["group"] == "post1981").to_numpy()
    counts = stock[["buildings_2025", "buildings_2018", "built_after_1981_2018"]].astype(float)
    for btype in STATBEL_TYPES:
        now, then, after_then = counts.loc[btype].to_numpy()
        after = (after_then + now - then) / now
        weights = periods[btype].to_numpy(dtype=float)
        out[btype] = np.where(
            post,
            after * weights / weights[post].sum(),
            (1.0 - after) * weights / weights[~post].sum(),
        )
    return out


def building_keys(ids: ArrayLike) -> NDArray[np.uint64]:
    """Stable 64-bit key per id (SipHash with pandas' fixed key), the same on every machine."""
    values = np.asarray(ids, dtype=object)
    try:
        return pd.util.hash_array(values, categorize=False).astype(np.uint64)
    except TypeError:  # ids that are not all strings: hash their text
        text = pd.Series(values).astype(str).to_numpy(dtype=object)
        return pd.util.hash_array(text, categorize=False).astype(np.uint64)


def keyed_uniform(keys: ArrayLike, stream: int, run: int = 0) -> NDArray[np.float64]:
    """Uniform numbers in [0, 1), one per key, a pure function of (key, stream, run).

    SplitMix64's finaliser over the key mixed with the stream and the run number: different
    streams or runs give independent-looking numbers for the same key.

    Examples
    --------
    >>> k = building_keys(["a", "b"])
    >>> bool((keyed_uniform(k, 1) == keyed_uniform(k[::-1], 1)[::-1]).all())
    True
    """
    x = np.asarray(keys, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = x ^ (np.uint64(stream) * _GOLDEN)
        x = x + np.uint64(run + 1) * _GOLDEN
        for _ in range(2):
            x = (x ^ (x >> np.uint64(30))) * _MIX1
            x = (x ^ (x >> np.uint64(27))) * _MIX2
            x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) * 2.0**-53


def type_codes(statbel_type: ArrayLike) -> NDArray[np.int64]:
    """Index of each type in :data:`STATBEL_TYPES` (``apartment_*`` archetypes count as apartment).

    Raises
    ------
    ValueError
        A type that is none of them.
    """
    codes, names = pd.factorize(np.asarray(statbel_type, dtype=object))
    plain = ["apartment" if str(x).startswith("apartment") else str(x) for x in names]
    lookup = pd.Index(STATBEL_TYPES).get_indexer(pd.Index(plain, dtype=object))
    if (lookup < 0).any() or (codes < 0).any():
        bad = sorted({p for p, c in zip(plain, lookup, strict=True) if c < 0})
        raise ValueError(f"unknown building types {bad}; expected one of {STATBEL_TYPES}")
    return lookup[codes].astype(np.int64)


def draw_years(type_code: ArrayLike, u_period: ArrayLike, u_year: ArrayLike) -> NDArray[np.float64]:
    """Construction years by inverse sampling of the type's period shares.

    Parameters
    ----------
    type_code : array_like of int, shape (N,)
        Index in :data:`STATBEL_TYPES` (:func:`type_codes`).
    u_period, u_year : array_like of float in [0, 1), shape (N,)
        Uniform numbers: the first picks the period by the cumulative shares of the type, the
        second the whole year inside it (every year of the period equally likely).

    Returns
    -------
    ndarray of float, shape (N,)
        Whole years [year].

    Examples
    --------
    >>> t = period_shares()
    >>> y = draw_years([0, 0], [0.0, 0.999999], [0.0, 0.999999])
    >>> [int(v) for v in y] == [int(t["year_from"].iloc[0]), int(t["year_to"].iloc[-1])]
    True
    """
    t = period_shares()
    shares = t[list(STATBEL_TYPES)].to_numpy(dtype=float).T  # (types, periods)
    cdf = np.cumsum(shares, axis=1)
    cdf /= cdf[:, -1:]
    code = np.asarray(type_code, dtype=np.int64)
    up = np.asarray(u_period, dtype=float)
    period = np.zeros(len(code), dtype=np.int64)
    for k in range(len(STATBEL_TYPES)):  # a loop over the four types, not the buildings
        sel = code == k
        # the first period whose cumulative share exceeds u
        period[sel] = np.searchsorted(cdf[k], up[sel], side="right")
    period = np.minimum(period, shares.shape[1] - 1)
    lo = t["year_from"].to_numpy(dtype=float)[period]
    hi = t["year_to"].to_numpy(dtype=float)[period]
    return np.minimum(np.floor(lo + np.asarray(u_year, dtype=float) * (hi - lo + 1.0)), hi)


def period_of(years: ArrayLike) -> NDArray[np.int64]:
    """Index of the row of :func:`period_shares` each year falls in (-1 outside all periods)."""
    t = period_shares()
    y = np.asarray(years, dtype=float)
    lo = t["year_from"].to_numpy(dtype=float)
    hi = t["year_to"].to_numpy(dtype=float)
    inside = (y[:, None] >= lo) & (y[:, None] <= hi)
    return np.where(inside.any(axis=1), inside.argmax(axis=1), -1)


def party_rows(n: int, pairs: pd.DataFrame, min_wall_m: float) -> NDArray[np.int64]:
    """Party-wall row of each building: connected components of the party-wall graph.

    Parameters
    ----------
    n : int
        Number of buildings.
    pairs : DataFrame
        ``i``, ``j`` (building positions) and ``length_m`` (:func:`buildings.geometry.shared_walls`).
    min_wall_m : float
        Shortest shared wall that joins two buildings into one row [m] (the threshold of
        ``attachment``).

    Returns
    -------
    ndarray of int64, shape (n,)
        Component label per building (0 ... components - 1; a free-standing building is a
        component of its own).

    Examples
    --------
    >>> p = pd.DataFrame({"i": [0, 1, 3], "j": [1, 2, 4], "length_m": [8.0, 9.0, 1.0]})
    >>> party_rows(5, p, 2.0).tolist()
    [0, 0, 0, 1, 2]
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    big = pairs["length_m"].to_numpy(dtype=float) >= min_wall_m
    i = pairs["i"].to_numpy(dtype=np.int64)[big]
    j = pairs["j"].to_numpy(dtype=np.int64)[big]
    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def row_keys(keys: ArrayLike, rows: ArrayLike) -> NDArray[np.uint64]:
    """Key of each building's row: the smallest key of its members (independent of the order).

    Examples
    --------
    >>> row_keys(np.array([5, 3, 9], dtype=np.uint64), [0, 0, 1]).tolist()
    [3, 3, 9]
    """
    k = np.asarray(keys, dtype=np.uint64)
    r = np.asarray(rows, dtype=np.int64)
    smallest = np.full(int(r.max()) + 1 if len(r) else 0, np.iinfo(np.uint64).max, dtype=np.uint64)
    np.minimum.at(smallest, r, k)
    return smallest[r]


def _dominant(code: NDArray[np.int64], group: NDArray[np.int64], n_groups: int) -> NDArray[Any]:
    """Most frequent type code per group (ties: the first in :data:`STATBEL_TYPES`)."""
    counts = np.zeros((n_groups, len(STATBEL_TYPES)), dtype=np.int64)
    np.add.at(counts, (group, code), 1)
    return counts.argmax(axis=1)


def building_years(
    known: ArrayLike,
    type_code: ArrayLike,
    key: ArrayLike,
    row_key: ArrayLike,
    independent_share: float,
    run: int = 0,
) -> tuple[NDArray[np.float64], NDArray[np.object_]]:
    """Year of each building: its known year, else its row's known years, else a draw.

    Parameters
    ----------
    known : array_like of float, shape (B,)
        Known construction year of the building (NaN unknown).
    type_code : array_like of int, shape (B,)
        Statbel type of the building (:func:`type_codes`).
    key : array_like of uint64, shape (B,)
        Stable key of the building (:func:`building_keys`).
    row_key : array_like of uint64, shape (B,)
        Key of its party-wall row (:func:`row_keys`); the building's own key when it stands free.
    independent_share : float
        Probability that a building leaves its row and draws on its own [-].
    run : int
        Monte Carlo run: 0 is the twin's draw; another run draws other years by the same rule.

    Returns
    -------
    years : ndarray of float, shape (B,)
    source : ndarray of object, shape (B,)
        ``facts`` (known), ``imputed`` (median known year of its row) or :data:`DRAWN`.
    """
    year = np.asarray(known, dtype=float)
    code = np.asarray(type_code, dtype=np.int64)
    bkey = np.asarray(key, dtype=np.uint64)
    rkey = np.asarray(row_key, dtype=np.uint64)
    row, ukeys = pd.factorize(rkey)
    dominant = _dominant(code, row, len(ukeys))
    row_known = pd.Series(year).groupby(row).median().reindex(range(len(ukeys))).to_numpy()
    rk = np.asarray(ukeys, dtype=np.uint64)
    row_draw = draw_years(
        dominant,
        keyed_uniform(rk, _STREAM_ROW_PERIOD, run),
        keyed_uniform(rk, _STREAM_ROW_YEAR, run),
    )
    own_draw = draw_years(
        code,
        keyed_uniform(bkey, _STREAM_OWN_PERIOD, run),
        keyed_uniform(bkey, _STREAM_OWN_YEAR, run),
    )
    alone = keyed_uniform(bkey, _STREAM_INDEPENDENT, run) < independent_share
    from_row = np.isfinite(row_known[row]) & ~alone
    out = np.where(
        np.isfinite(year),
        year,
        np.where(from_row, row_known[row], np.where(alone, own_draw, row_draw[row])),
    )
    source = np.where(np.isfinite(year), "facts", np.where(from_row, "imputed", DRAWN))
    return out, source.astype(object)


def dwelling_years(
    year: ArrayLike,
    building_id: ArrayLike,
    statbel_type: ArrayLike,
    row_key: ArrayLike | None,
    independent_share: float,
    run: int = 0,
) -> tuple[NDArray[np.float64], NDArray[np.object_]]:
    """Construction year of each dwelling and its source (``facts``, ``imputed``, ``drawn``).

    A dwelling with a known year keeps it; the other dwellings of a building with known years
    take their median (``imputed``); the buildings without get :func:`building_years`.

    Parameters
    ----------
    year : array_like of float, shape (N,)
        Known year per dwelling (NaN unknown).
    building_id : array_like, shape (N,)
        Building of each dwelling.
    statbel_type : array_like of str, shape (N,)
        Statbel type of the dwelling's building (``attachment``: ``gesloten`` ... ``apartment``).
    row_key : array_like of uint64, shape (N,), optional
        Key of the building's party-wall row; default: each building on its own.
    independent_share : float
        See :func:`building_years`.
    run : int
        See :func:`building_years`.
    """
    y = np.asarray(year, dtype=float)
    b_code, b_ids = pd.factorize(np.asarray(building_id, dtype=object))
    nb = len(b_ids)
    first = np.full(nb, -1, dtype=np.int64)
    first[b_code[::-1]] = np.arange(len(b_code))[::-1]
    b_known = pd.Series(y).groupby(b_code).median().reindex(range(nb)).to_numpy()
    bkey = building_keys(np.asarray(b_ids, dtype=object))
    rkey = bkey if row_key is None else np.asarray(row_key, dtype=np.uint64)[first]
    codes = type_codes(np.asarray(statbel_type, dtype=object)[first])
    b_year, b_source = building_years(b_known, codes, bkey, rkey, independent_share, run)
    # a building's known year came from some of its dwellings: the others are imputed from it
    b_source = np.where(b_source == "facts", "imputed", b_source)
    out = np.where(np.isfinite(y), y, b_year[b_code])
    source = np.where(np.isfinite(y), "facts", b_source[b_code]).astype(object)
    return out, source


def redraw_years(twin: pd.DataFrame, run: int, independent_share: float) -> NDArray[np.float64]:
    """The twin's construction years as Monte Carlo run ``run`` draws them.

    Years from the facts stay, and so do the years a building takes from its own known years;
    every other year is drawn again by the twin's rule with the run's numbers, including
    whether a building of a row with known years takes their median or draws on its own (run 0
    gives the twin's own years). Needs the twin's ``construction_year``,
    ``construction_year_source``, ``building_id``, ``attachment`` and ``party_row_key``.

    Parameters
    ----------
    twin : DataFrame
        Twin rows (any order, any subset of whole buildings and rows).
    run : int
        Monte Carlo run.
    independent_share : float
        ``year_independent_share`` of ``buildings/data/twin_parameters.csv``.

    Returns
    -------
    ndarray of float, shape (N,)
    """
    source = twin["construction_year_source"].astype(str).to_numpy()
    year = twin["construction_year"].to_numpy(dtype=float, na_value=np.nan)
    known = np.where(source == "facts", year, np.nan)
    out, _ = dwelling_years(
        known,
        twin["building_id"].to_numpy(dtype=object),
        twin["attachment"].astype(str).to_numpy(dtype=object),
        # the twin stores the key's 64 bits as int64: back to uint64, bit for bit
        twin["party_row_key"].to_numpy(dtype=np.int64).view(np.uint64),
        independent_share,
        run,
    )
    return out


#: Inputs of a dwelling that follow its construction period (the archetype, then the EPC
#: method's default for an unknown element before EPB): what a drawn year makes uncertain.
YEAR_DEPENDENT_INPUTS: tuple[str, ...] = (*ENVELOPE_U, "g_window", "infiltration_ach")


def envelope_by_year(archetype_type: ArrayLike, years: ArrayLike) -> pd.DataFrame:
    """The year-dependent inputs of a dwelling of which nothing but type and year is known.

    The archetype of (type, year) (:func:`sim.archetypes.dwelling_inputs`) with the EPC
    method's default for unknown elements of a dwelling built before EPB, as the twin derives
    them (:func:`buildings.calibration.calibrate_dwellings`).

    Parameters
    ----------
    archetype_type : array_like of str, shape (N,)
        :data:`sim.archetypes.BUILDING_TYPES`.
    years : array_like of float, shape (N,)
        Construction years [year].

    Returns
    -------
    DataFrame
        Columns :data:`YEAR_DEPENDENT_INPUTS`, N rows.
    """
    types = np.asarray(archetype_type).astype(str)
    y = np.asarray(years, dtype=float)
    n = len(types)
    inputs = dwelling_inputs(types, y, np.full(n, 100.0))
    nothing_known = np.zeros((n, len(ENVELOPE_U)), dtype=bool)
    out = epc_defaults_by_type(inputs, nothing_known, y, types)
    return out[list(YEAR_DEPENDENT_INPUTS)].reset_index(drop=True)


def redraw_factors(
    archetype_type: str,
    statbel_type: str,
    year: float,
    rng: np.random.Generator,
    samples: int,
) -> pd.DataFrame:
    """Factors on a dwelling's year-dependent inputs for ``samples`` redrawn construction years.

    For a dwelling whose year was drawn (:data:`DRAWN`): each sample draws a period and year
    from the type's shares (:func:`draw_years`) and takes the ratio of that year's inputs to
    those of the twin's year (:func:`envelope_by_year`), so the dwelling's own geometry and
    corrections stay and only the period changes. An input that is 0 in the twin's year
    (an element the dwelling lacks) gets the factor 1.

    Returns
    -------
    DataFrame
        Columns :data:`YEAR_DEPENDENT_INPUTS`, ``samples`` rows, and ``construction_year``.
    """
    code = np.full(samples, type_codes([statbel_type])[0], dtype=np.int64)
    drawn = draw_years(code, rng.random(samples), rng.random(samples))
    now = envelope_by_year([archetype_type], [year]).iloc[0]
    new = envelope_by_year(np.full(samples, archetype_type, dtype=object), drawn)
    factors = pd.DataFrame(
        {
            c: np.where(now[c] > 0, new[c].to_numpy() / (now[c] if now[c] > 0 else 1.0), 1.0)
            for c in YEAR_DEPENDENT_INPUTS
        }
    )
    factors["construction_year"] = drawn
    return factors


__all__ = [
    "DRAWN",
    "STATBEL_TYPES",
    "YEAR_DEPENDENT_INPUTS",
    "building_keys",
    "building_years",
    "draw_years",
    "dwelling_years",
    "envelope_by_year",
    "keyed_uniform",
    "party_rows",
    "period_of",
    "period_shares",
    "redraw_factors",
    "redraw_years",
    "row_keys",
    "type_codes",
]

"""Readers of the heat zoning's own inputs: decided zones.

- :func:`read_fixed_zones` -- polygons of zones the municipality has decided by hand, each with
  its strategy, which the advice then follows. (The street centrelines of the Wegenregister are
  one of the twin's sources: :func:`buildings.streets.read_streets`.)

:func:`read_fixed_zones` refuses a file it cannot use with one Dutch message naming the file and
what to do (:class:`buildings.errors.SourceFileError`): not found, unreadable or damaged
(through the twin's own file opener, :func:`buildings.io.open_source`), no geometries of the
right kind, no records.

Coordinate systems (:func:`buildings.io.to_metric_twin_crs`, the same rule as the street
reader and :func:`scenarios.heat.cabins.read_cabins`): EPSG:31370 (Lambert 72) is used as is;
Lambert 2008 (EPSG:3812) and any other projected CRS in metres are reprojected to it. A file
without CRS (a Shapefile without ``.prj``) or in geographic coordinates (degrees) is refused,
with what to do: areas are measured in metres. A file whose geometries lie nowhere in Belgium
after reprojection has a wrong ``.prj`` and is refused too.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from buildings import schema
from buildings.errors import Problems, SourceFileError
from buildings.io import (
    as_text,
    find_field,
    listing,
    nowhere_in_belgium,
    open_source,
    outside_belgium,
    to_metric_twin_crs,
)
from scenarios.heat.costs import ADVICE_OF_STRATEGY, ADVICE_UNDECIDED
from scenarios.heat.zones import zone_parameters

__all__ = [
    "FIXED_ZONE_COLUMNS",
    "read_fixed_zones",
]

#: Columns of the frame :func:`read_fixed_zones` returns (and its geometry, EPSG:31370).
FIXED_ZONE_COLUMNS: tuple[str, ...] = ("zone_id", "strategy", "advice")


def _strategy_words() -> dict[str, tuple[str, str | None]]:
    """Accepted value (lower case) -> (advice word, strategy id or None)."""
    out: dict[str, tuple[str, str | None]] = {}
    for strategy, advice in ADVICE_OF_STRATEGY.items():
        out[strategy.lower()] = (advice, strategy)
    for advice in set(ADVICE_OF_STRATEGY.values()):
        # an advice word names no single strategy when several map onto it (individueel)
        strategies = [s for s, a in ADVICE_OF_STRATEGY.items() if a == advice]
        out[advice.lower()] = (advice, strategies[0] if len(strategies) == 1 else None)
    out[ADVICE_UNDECIDED.lower()] = (ADVICE_UNDECIDED, None)
    return out


def read_fixed_zones(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read the zones the municipality decided by hand (polygons with a strategy).

    Parameters
    ----------
    path : str or Path
        GeoPackage or Shapefile of polygons with a field ``strategy`` holding, per zone, an
        advice word -- ``warmtenet``, ``individueel``, ``hybride``, ``nader onderzoeken`` --
        or a strategy id -- ``network``, ``individual_hp``, ``hybrid``, ``collective_hp``
        (case and surrounding spaces do not matter) -- and optionally ``zone_id``.
    layer : str, optional
        Layer to read when the file holds several.

    Returns
    -------
    GeoDataFrame
        Columns :data:`FIXED_ZONE_COLUMNS`, geometry in EPSG:31370: ``zone_id`` (the file's,
        else ``"vast-<row>"`` with the 1-based row), ``strategy`` (the strategy id, <NA> for
        an advice word that names none: ``individueel`` covers individual and collective
        heat pumps, ``nader onderzoeken`` none), ``advice`` (the Dutch advice word; strategy
        ids map as in :data:`scenarios.heat.costs.ADVICE_OF_STRATEGY`).

    Raises
    ------
    SourceFileError
        Nothing is half-read: one message for every problem found -- file not found or
        unreadable; no CRS or a geographic or non-metric one; no ``strategy`` field; an
        unknown strategy (rows and values named, with the accepted words); a row without a
        polygon or with an invalid one; duplicate zone ids; zones that overlap by more than
        ``fixed_zone_overlap_tolerance_m2`` (``scenarios/data/heat_zones.csv``), each pair
        named with its overlap area; no zones at all.
    """
    p = Path(path)
    what = f"bestand met vastgelegde zones {p}"
    src = open_source(p, layer, what, need_geometry=True)
    table = src.table
    problems = Problems(what)
    strategy_col = find_field(src.fields, "strategy") or find_field(src.fields, "strategie")
    if strategy_col is None:
        problems.add(
            "strategy",
            f"verplicht veld ontbreekt (gevonden velden: {listing(src.fields)}); geef per zone "
            "in het veld strategy het besluit: warmtenet, individueel, hybride of nader "
            "onderzoeken",
        )
    if len(table) == 0:
        problems.add("file", f"{p.name} bevat geen enkele zone")
    problems.raise_if_any(SourceFileError)
    strategy_field: str = strategy_col or "strategy"  # found: checked above
    gdf = to_metric_twin_crs(table, what, p.name, src.notes)
    geoms = gdf.geometry.to_numpy()
    n = len(gdf)
    id_col = find_field(src.fields, "zone_id")
    if id_col is not None:
        zone_id = as_text(table[id_col])
        no_id = zone_id.isna().to_numpy()
        if no_id.any():
            problems.add("zone_id", "zone zonder zone_id", np.flatnonzero(no_id))
        dup = zone_id.duplicated(keep=False).to_numpy() & ~no_id
        if dup.any():
            problems.add(
                "zone_id",
                f"zone_id komt meermaals voor: {', '.join(sorted(set(zone_id[dup])))}",
                np.flatnonzero(dup),
            )
        zone_id = zone_id.fillna("")
    else:
        zone_id = pd.Series([f"vast-{i + 1}" for i in range(n)], dtype="string")

    words = _strategy_words()
    given = table[strategy_field].astype("string").str.strip().str.lower().reset_index(drop=True)
    mapped = given.map(lambda v: words.get(v) if isinstance(v, str) else None)
    bad = mapped.isna().to_numpy()
    if bad.any():
        shown = ", ".join(
            f"{zone_id.iloc[i]}: {table[strategy_field].iloc[i]!r}"
            for i in np.flatnonzero(bad)[:10]
        )
        accepted = sorted({*ADVICE_OF_STRATEGY.values(), ADVICE_UNDECIDED}) + list(
            ADVICE_OF_STRATEGY
        )
        problems.add(
            strategy_field,
            f"onbekende strategie ({shown}); gebruik een van: {', '.join(accepted)}",
            np.flatnonzero(bad),
        )

    kind = shapely.get_type_id(geoms)
    polygonal = np.isin(kind, (3, 6)) & ~shapely.is_empty(geoms)
    if (~polygonal).any():
        problems.add(
            "geometry",
            "geen vlak (punt, lijn, leeg of ontbrekend): een zone is een polygoon",
            np.flatnonzero(~polygonal),
        )
    invalid = polygonal & ~shapely.is_valid(geoms)
    if invalid.any():
        problems.add(
            "geometry",
            f"ongeldige polygoon (zones {', '.join(zone_id.iloc[np.flatnonzero(invalid)])}: "
            "zelfdoorsnijdend of met een gat buiten de rand); herstel ze, bv. in QGIS met "
            "'Geometrieën repareren'",
            np.flatnonzero(invalid),
        )
    outside = outside_belgium(geoms) & polygonal
    if polygonal.any() and outside[polygonal].all():
        raise nowhere_in_belgium(what, p.name, geoms[polygonal])
    if outside.any():
        problems.add("geometry", "zone ligt buiten België", np.flatnonzero(outside))

    usable = np.flatnonzero(polygonal & ~invalid)
    tolerance = zone_parameters()["fixed_zone_overlap_tolerance_m2"]
    for i, j, area in _overlaps(geoms, usable, tolerance):
        problems.add(
            "geometry",
            f"zones {zone_id.iloc[i]} (rij {i + 1}) en {zone_id.iloc[j]} (rij {j + 1}) overlappen "
            f"over {area:,.0f} m²".replace(",", ".")
            + "; een plaats kan maar één besluit hebben: pas de grenzen aan",
            (i, j),
        )
    problems.raise_if_any(SourceFileError)
    advice = [m[0] for m in mapped]
    strategy = [m[1] for m in mapped]
    return gpd.GeoDataFrame(
        {
            "zone_id": zone_id.astype("string").to_numpy(),
            "strategy": pd.array(strategy, dtype="string"),
            "advice": pd.array(advice, dtype="string"),
        },
        geometry=gpd.GeoSeries(geoms, crs=schema.TWIN_CRS),
        crs=schema.TWIN_CRS,
    )


def _overlaps(
    geoms: np.ndarray, usable: np.ndarray, tolerance_m2: float
) -> list[tuple[int, int, float]]:
    """Pairs (i < j) of ``usable`` polygons whose intersection exceeds ``tolerance_m2`` [m²]."""
    if usable.size < 2:
        return []
    sub = geoms[usable]
    a, b = shapely.STRtree(sub).query(sub, predicate="intersects")
    pair = a < b
    a, b = a[pair], b[pair]
    area = np.asarray(shapely.area(shapely.intersection(sub[a], sub[b])), dtype=np.float64)
    over = area > tolerance_m2
    return [
        (int(usable[i]), int(usable[j]), float(s))
        for i, j, s in zip(a[over], b[over], area[over], strict=True)
    ]

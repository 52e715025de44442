"""Neighbourhood outlines: the polygons given at build time, or the hulls of the buildings.

A twin built with ``--sectors`` stores the polygons it was given (:func:`buildings.twin.write_twin`,
:func:`buildings.twin.read_twin_sectors`); the scenario outputs, the service's map and the
reports draw those. Only when no polygons were given does a neighbourhood get the convex hull
of its buildings, and ``outline_source`` says so: hulls of neighbouring sectors overlap and do
not cover the municipality, so their areas are not the neighbourhoods' areas.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

#: ``outline_source`` of a polygon given at build time (or to the scenario): the real division.
OUTLINE_GIVEN: str = "wijkindeling"
#: ``outline_source`` of a convex hull drawn around a neighbourhood's buildings.
OUTLINE_HULL: str = "omhullende (geen wijkindeling gegeven)"
#: Dutch note for a map legend or report where some outlines are hulls.
OUTLINE_HULL_NOTE_NL: str = (
    "Waar geen wijkindeling gegeven is, is de wijkgrens de omhullende van de gebouwen van de "
    "wijk: omhullenden kunnen overlappen en dekken de gemeente niet. Bouw de tweeling met "
    "--sectors voor de echte wijkgrenzen."
)
#: Columns of an outline frame.
OUTLINE_COLUMNS: tuple[str, ...] = ("sector_id", "sector_name", "outline_source", "geometry")


def given_outlines(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Neighbourhood polygons as given (``sector_id``, optional ``sector_name``), labelled
    :data:`OUTLINE_GIVEN`; ``sector_name`` defaults to the id."""
    out = pd.DataFrame({"sector_id": frame["sector_id"].astype(str).to_numpy()})
    names = frame["sector_name"] if "sector_name" in frame else frame["sector_id"]
    out["sector_name"] = names.astype("string").fillna(frame["sector_id"].astype(str)).to_numpy()
    out["outline_source"] = OUTLINE_GIVEN
    return gpd.GeoDataFrame(out, geometry=frame.geometry.to_numpy(), crs=frame.crs)


def hull_outlines(twin: gpd.GeoDataFrame, sector_ids: pd.Index | None = None) -> gpd.GeoDataFrame:
    """Convex hull of the buildings of each sector of ``twin`` (or of ``sector_ids`` only),
    labelled :data:`OUTLINE_HULL`. Dwellings without a sector are left out."""
    rows = twin[["sector_id", "geometry"]].assign(sector_id=twin["sector_id"].astype("string"))
    rows = rows[rows["sector_id"].notna()]
    if sector_ids is not None:
        rows = rows[rows["sector_id"].isin(sector_ids)]
    g = gpd.GeoDataFrame(rows, geometry="geometry", crs=twin.crs).dissolve(by="sector_id")
    hulls = g.geometry.convex_hull
    ids = hulls.index.astype(str)
    if "sector_name" in twin:
        names = twin.assign(_id=twin["sector_id"].astype("string")).groupby("_id")["sector_name"]
        name_of = names.first().astype("string")
        sector_name = name_of.reindex(ids).fillna(pd.Series(ids, index=ids)).to_numpy()
    else:
        sector_name = ids.to_numpy()
    out = pd.DataFrame(
        {"sector_id": ids.to_numpy(), "sector_name": sector_name, "outline_source": OUTLINE_HULL}
    )
    return gpd.GeoDataFrame(out, geometry=hulls.to_numpy(), crs=twin.crs)


def sector_outlines(twin: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """One outline per sector of the twin: the given polygon, else the hull of its buildings.

    Parameters
    ----------
    twin : GeoDataFrame
        Twin rows with ``sector_id`` (and ``sector_name``).
    polygons : GeoDataFrame or None
        Polygons given at build time or to the scenario (``sector_id``, ``sector_name``).

    Returns
    -------
    GeoDataFrame
        :data:`OUTLINE_COLUMNS`, in the CRS of ``polygons`` (else of the twin): every given
        polygon (also those without dwellings), plus a hull for each sector of the twin that
        has no polygon, labelled in ``outline_source``.
    """
    if polygons is None or len(polygons) == 0:
        return hull_outlines(twin)
    given = given_outlines(polygons)
    have = pd.Index(twin["sector_id"].dropna().astype(str).unique())
    missing = have.difference(pd.Index(given["sector_id"]))
    if len(missing) == 0:
        return given
    extra = hull_outlines(twin, missing).to_crs(given.crs)
    return gpd.GeoDataFrame(pd.concat([given, extra], ignore_index=True), crs=given.crs)


def has_hulls(outlines: pd.DataFrame) -> bool:
    """Whether any outline is a hull (then show :data:`OUTLINE_HULL_NOTE_NL`)."""
    return "outline_source" in outlines and bool((outlines["outline_source"] == OUTLINE_HULL).any())


__all__ = [
    "OUTLINE_COLUMNS",
    "OUTLINE_GIVEN",
    "OUTLINE_HULL",
    "OUTLINE_HULL_NOTE_NL",
    "given_outlines",
    "has_hulls",
    "hull_outlines",
    "sector_outlines",
]

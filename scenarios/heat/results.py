"""A heat plan in the service: the output folder of ``wijk warmte``, read once.

The folder's ``warmtezones.gpkg`` holds a layer per kind of zone (``sector``, ``grid`` and,
where streets were given, ``street``) with one row per zone and year, and a layer
``cabines`` (one row per cabin and year) where cabins were given (``docs/nomenclature.md``,
"Heat zoning"). The service shows them on the map and serves them as GeoJSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio

from scenarios.heat.cabins import CABIN_LAYER
from sim.errors import Problems

#: The GeoPackage of a heat plan and its layers of zones, in the order they are shown.
ZONES_FILE = "warmtezones.gpkg"
ZONE_LAYERS: tuple[str, ...] = ("sector", "grid", "street")
#: Columns every zone layer has (the issue's list; more may follow).
ZONE_COLUMNS: tuple[str, ...] = (
    "zone_id",
    "year",
    "heat_demand_mwh",
    "heat_density_mwh_ha",
    "advice",
    "advice_probability",
    "peak_kw",
)


@dataclass(frozen=True)
class HeatResults:
    """The zones and cabins of one heat plan (EPSG:4326 for the map)."""

    folder: Path
    layers: dict[str, gpd.GeoDataFrame]
    cabins: gpd.GeoDataFrame | None

    @property
    def years(self) -> list[int]:
        """Years of the plan."""
        first = next(iter(self.layers.values()))
        return sorted(int(y) for y in first["year"].unique())

    def geojson(self, layer: str, year: int) -> dict[str, Any]:
        """The zones of ``layer`` in ``year`` as a GeoJSON FeatureCollection."""
        frame = self.layers[layer]
        return _geojson(frame[frame["year"] == year])

    def cabins_geojson(self, year: int) -> dict[str, Any]:
        """The cabins in ``year`` as a GeoJSON FeatureCollection (empty without cabins)."""
        if self.cabins is None:
            return {"type": "FeatureCollection", "features": []}
        return _geojson(self.cabins[self.cabins["year"] == year])


def _geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    # NaN and <NA> are not JSON: null (geopandas' na="null"); each feature keeps its "id"
    out: dict[str, Any] = json.loads(frame.to_json(na="null"))
    return out


def load_heat_results(folder: Path) -> HeatResults:
    """Read a ``wijk warmte`` output folder.

    Raises
    ------
    InputError
        When the folder or its ``warmtezones.gpkg`` is missing, or the GeoPackage lacks a zone
        layer or one of :data:`ZONE_COLUMNS` (in Dutch, naming the file and what to do).
    """
    folder = Path(folder)
    problems = Problems(f"warmteplan {folder}")
    path = folder / ZONES_FILE
    if not path.is_file():
        problems.add(ZONES_FILE, "ontbreekt; geef de map die `wijk warmte ... --out MAP` schreef")
        problems.raise_if_any()
    try:
        present = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:
        problems.add(ZONES_FILE, f"is geen leesbare GeoPackage ({exc}); maak het opnieuw")
        problems.raise_if_any()
        raise  # pragma: no cover - the problems were raised
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name in ZONE_LAYERS:
        if name not in present:
            continue
        frame = gpd.read_file(path, layer=name)
        missing = [c for c in ZONE_COLUMNS if c not in frame.columns]
        if missing:
            problems.add(f"{ZONES_FILE}, laag {name}", f"kolommen ontbreken: {missing}")
            continue
        layers[name] = frame.to_crs(4326)
    if not layers and not problems:
        problems.add(ZONES_FILE, f"geen laag met zones ({', '.join(ZONE_LAYERS)})")
    problems.raise_if_any()
    cabins = None
    if CABIN_LAYER in present:
        cabins = gpd.read_file(path, layer=CABIN_LAYER).to_crs(4326)
    for frame in layers.values():
        frame["year"] = frame["year"].astype(np.int64)
    return HeatResults(folder=folder, layers=layers, cabins=cabins)


__all__ = ["CABIN_LAYER", "ZONES_FILE", "ZONE_LAYERS", "HeatResults", "load_heat_results"]

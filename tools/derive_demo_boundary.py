"""Derive the boundary of the demo municipality (Lichtervelde) and its wijken.

Run from the repository root::

    .venv/bin/python tools/derive_demo_boundary.py [--geo-dir DIR] [--out PATH]

It reads the municipality and neighbourhood ("wijk") polygons of the
provinciesincijfers "gebiedsniveaus" (``gemeente.shp``: 304 municipalities,
``geoitem`` = NIS code; ``ggw7.shp``: 2,767 wijken, ``geoitem`` like
``36011W02``; both Belge Lambert 1972) from ``shared/data/geo/`` beside the clone,
keeps Lichtervelde (NIS 36011) and its four wijken, checks that the wijken tile
the municipality, and writes them to ``buildings/data/lichtervelde_wijken.geojson``
(EPSG:31370, coordinates rounded to 1 cm), the only geodata the synthetic
municipality of :mod:`buildings.synthetic_municipality` needs at run time.

Why Lichtervelde: a small West-Flemish town (about 9,000 inhabitants, 26 km²)
whose four wijken separate a compact centre (``W02`` Lichtervelde-Centrum,
0.84 km²) and two residential extensions (``W03`` Noord, ``W04`` West) from a
rural remainder (``W01`` Buitengebied, 22 km²): the shape of the typical Flemish
town the generator builds (historic centre, suburbs, ribbons in the fields).

Licence of the source and of the derived file: Modellicentie Gratis Hergebruik
v1.0; attribution "Wijken voor omgevingsanalyse. © gemeentebesturen, verzameld
door Data & Analyse van de Vlaamse provincies".
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pyogrio

REPO = Path(__file__).resolve().parents[1]
GEO_DIR = REPO.parent / "shared" / "data" / "geo" / "provinciesincijfers_gebiedsniveaus"
OUT = REPO / "buildings" / "data" / "lichtervelde_wijken.geojson"

#: NIS code of the demo municipality.
NIS_CODE = "36011"
#: Tolerance [m²] for the check that the wijken tile the municipality.
TILING_TOLERANCE_M2 = 1.0


def derive_wijken(geo_dir: Path = GEO_DIR) -> gpd.GeoDataFrame:
    """Return the wijken of Lichtervelde as a GeoDataFrame in EPSG:31370.

    Columns ``geoitem`` (e.g. ``36011W02``), ``naam``, ``niveau`` (``"wijk"``) and
    ``geometry`` (Polygon), sorted by ``geoitem``, coordinates rounded to 1 cm.

    Raises
    ------
    ValueError
        When the wijken do not tile the municipality polygon (area of the
        symmetric difference above :data:`TILING_TOLERANCE_M2`).
    """
    municipalities = gpd.read_file(geo_dir / "gemeente.shp").to_crs("EPSG:31370")
    wijken = gpd.read_file(geo_dir / "ggw7.shp").to_crs("EPSG:31370")
    municipality = municipalities.loc[municipalities["geoitem"] == NIS_CODE, "geometry"]
    if len(municipality) != 1:
        raise ValueError(f"gemeente.shp has {len(municipality)} records for NIS {NIS_CODE}")
    own = wijken.loc[wijken["geoitem"].str.startswith(NIS_CODE)].sort_values("geoitem")
    gap = own.union_all().symmetric_difference(municipality.iloc[0]).area
    if gap > TILING_TOLERANCE_M2:
        raise ValueError(f"the wijken of {NIS_CODE} differ from the municipality by {gap:.1f} m²")
    out = gpd.GeoDataFrame(
        {
            "geoitem": own["geoitem"].astype(str).to_numpy(),
            "naam": own["naam"].astype(str).to_numpy(),
            "niveau": "wijk",
        },
        geometry=own.geometry.set_precision(0.01).to_numpy(),
        crs="EPSG:31370",
    )
    return out


def write_wijken(frame: gpd.GeoDataFrame, out: Path = OUT) -> Path:
    """Write ``frame`` as GeoJSON (EPSG:31370 named in the file, 2 decimals)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    pyogrio.write_dataframe(
        frame,
        out,
        driver="GeoJSON",
        layer="lichtervelde_wijken",
        layer_options={"COORDINATE_PRECISION": "2", "RFC7946": "NO", "WRITE_NAME": "YES"},
    )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--geo-dir", type=Path, default=GEO_DIR)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    path = write_wijken(derive_wijken(args.geo_dir), args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

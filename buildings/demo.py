"""The embedded default: generate the synthetic municipality as register files, then read them back.

The twin of the demo is built from the written files through the same
readers a municipality's own downloads go through (:mod:`buildings.io`),
so the demo exercises the real code paths.
"""

from __future__ import annotations

from pathlib import Path

from buildings.synthetic_municipality import DEFAULT_SEED, generate_municipality
from buildings.twin import TwinSources

#: Sub-folder of the demo output that holds the generated register files.
SOURCES_DIR = "bronnen"
#: The town's street centrelines (Wegenregister road segments) beside the register files; not a
#: twin source (the twin does not read streets): the heat zoning reads them (``--streets``).
STREETS_FILE = "Wegsegment.shp"


def demo_streets(out: Path) -> Path:
    """Path of the street centrelines :func:`demo_sources` writes into ``out/bronnen``."""
    return Path(out) / SOURCES_DIR / STREETS_FILE


def demo_sources(
    out: Path, seed: int = DEFAULT_SEED, n_buildings: int | None = None, with_rasters: bool = True
) -> TwinSources:
    """Write the synthetic municipality to ``out/bronnen`` and return the twin sources for it.

    Parameters
    ----------
    out : Path
        Output folder (created).
    seed : int
        Seed of the generator; the same seed writes the same municipality.
    n_buildings : int, optional
        Size of the town; default the generator's demo size.
    with_rasters : bool
        Write and use DSM/DTM GeoTIFFs (off for very large benchmark towns).
    """
    folder = Path(out) / SOURCES_DIR
    files = generate_municipality(
        folder, seed=seed, n_buildings=n_buildings, with_rasters=with_rasters
    )
    tifs = sorted(p for p in files.values() if p.suffix == ".tif")
    return TwinSources(
        buildings=files["Gebouw.shp"],
        addresses=files["Adres.shp"],
        units=files["Gebouweenheid.shp"],
        links=files["AdresGebouweenheidKoppeling.dbf"],
        sectors=files["sectoren.gpkg"],
        facts=files["feiten.csv"],
        dsm=tuple(p for p in tifs if "DSM" in p.name),
        dtm=tuple(p for p in tifs if "DTM" in p.name),
    )

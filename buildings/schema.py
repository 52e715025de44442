"""Normalised frames that the readers produce and the twin builder consumes.

Every reader in :mod:`buildings.io` turns a real Flemish source, in the
schema it is downloaded in, into one of these normalised frames, in the
metric CRS :data:`TWIN_CRS`. Every input record ends either in the frame
or in the reader's rejects (``REJECT_COLUMNS``) with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

#: CRS of the twin: Belge 1972 / Belgian Lambert 72 [m]. EPSG:3812 (Lambert 2008) inputs are reprojected.
TWIN_CRS: str = "EPSG:31370"
#: Metric CRSs accepted as they are or reprojected; a geographic CRS is reprojected, never used for metres.
METRIC_CRS: tuple[str, ...] = ("EPSG:31370", "EPSG:3812")

#: Buildings: one row per footprint.
BUILDING_COLUMNS: tuple[str, ...] = (
    "building_id",  # str: gebouwid (Gebouwenregister) or OIDN (GRB)
    "source",  # str: file name the record came from
    "status",  # str: register status, e.g. "gerealiseerd"
    "is_main",  # bool: main building (hoofdgebouw), not an annex
    "geometry",  # Polygon, TWIN_CRS
)
#: Addresses: one row per address point.
ADDRESS_COLUMNS: tuple[str, ...] = (
    "address_id",  # str: adresid
    "street",  # str: straatnm
    "house_number",  # str: huisnr
    "box_number",  # str or <NA>: busnr
    "postcode",  # str
    "municipality_nis",  # str: gemeenteid (NIS code)
    "municipality",  # str: gemeentenm
    "status",  # str: e.g. "inGebruik"
    "geometry",  # Point, TWIN_CRS
)
#: Building units (gebouweenheden) of the Gebouwenregister.
UNIT_COLUMNS: tuple[str, ...] = ("unit_id", "building_id", "function", "status")
#: Links unit <-> address (adresobjid = unit id, adresid = address id).
LINK_COLUMNS: tuple[str, ...] = ("unit_id", "address_id")
#: Neighbourhoods: Statbel statistical sectors or any polygon layer.
SECTOR_COLUMNS: tuple[str, ...] = (
    "sector_id",  # str: cd_sector or the user's id column
    "sector_name",  # str: tx_sector_descr_nl or the user's name column
    "municipality_nis",  # str or <NA>: cd_munty_refnis
    "geometry",  # Polygon/MultiPolygon, TWIN_CRS
)
#: Rejected input records: where from, which record, why.
REJECT_COLUMNS: tuple[str, ...] = ("source", "record_id", "reason")


@dataclass
class ReadResult:
    """What a reader returns: the kept records, the rejected ones, and the accounting.

    Attributes
    ----------
    frame : GeoDataFrame or DataFrame
        Kept records in the normalised schema.
    rejects : DataFrame
        Columns ``REJECT_COLUMNS``; one row per rejected input record.
    read : int
        Records read from the file.
    repaired : int
        Kept records whose geometry was repaired (``make_valid``); they are counted in ``kept``.
    source : str
        File (and layer) read.
    """

    frame: gpd.GeoDataFrame | pd.DataFrame
    rejects: pd.DataFrame
    read: int
    source: str
    repaired: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def kept(self) -> int:
        """Records kept."""
        return len(self.frame)

    def rejected_by_reason(self) -> dict[str, int]:
        """Number of rejected records per reason."""
        return {str(k): int(v) for k, v in self.rejects["reason"].value_counts().items()}


def empty_rejects() -> pd.DataFrame:
    """An empty rejects table with the right columns."""
    return pd.DataFrame({c: pd.Series(dtype="string") for c in REJECT_COLUMNS})


def make_rejects(
    source: str, record_ids: pd.Series | list[str], reason: str | pd.Series
) -> pd.DataFrame:
    """Rejects rows for ``record_ids`` from ``source`` with one ``reason`` (or one per record)."""
    ids = pd.Series(record_ids, dtype="string").reset_index(drop=True)
    reasons = (
        reason.reset_index(drop=True).astype("string") if isinstance(reason, pd.Series) else reason
    )
    return pd.DataFrame(
        {
            "source": pd.Series(source, index=ids.index, dtype="string"),
            "record_id": ids,
            "reason": reasons,
        }
    ).astype("string")

"""Assemble the digital twin: one row per dwelling, with geometry, facts, physics inputs and provenance.

Data flow (each step vectorised over the whole stock)::

    register files --read_*--> normalised frames (+ rejects)
      buildings --geometry--> area, perimeter, party walls, attachment, façades per orientation
                            (annexes too: they are unheated neighbours, not façade)
      DSM/DTM   --heights---> height, storeys                       (else imputed, flagged)
      addresses --links / inside / nearest--> dwellings per building
      roles     --size, addresses, unit function--> dwelling buildings; non-residential (heated)
                and unheated neighbours (annexes, garages), each accounted
      facts     --match by address, else building--> year, systems, insulation, EPC, use
      archetype (type × year) + geometry --> the core's dwelling inputs (sim.stock)

Nothing is lost: every input record ends in the twin or in the rejects
table with its reason, and :func:`build_twin` returns the accounting
``read = in_twin + rejected`` per source file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from numpy.typing import ArrayLike, NDArray

from buildings import geometry, heights, io, years
from buildings.calibration import calibrate_dwellings
from buildings.errors import SourceFileError
from buildings.parameters import twin_parameters
from buildings.schema import (
    SECTOR_COLUMNS,
    TWIN_CRS,
    ReadResult,
    empty_rejects,
    make_rejects,
)
from sim.archetypes import archetype_table, bare_element_u, dwelling_inputs
from sim.errors import Problems
from sim.pv import pv_specific_yield
from sim.stock import DWELLING_COLUMNS

#: Version of the twin file schema (docs/twin_schema.md); stored in the GeoParquet metadata.
TWIN_SCHEMA_VERSION: str = "2.2"
#: Key of the schema version in the Parquet file metadata.
SCHEMA_METADATA_KEY: bytes = b"wijk_twin_schema_version"

Progress = Callable[[str], None]
#: Unit functions (``functie``, lower case) that count as a dwelling: "wonen", and unknown.
DWELLING_UNIT_FUNCTIONS: frozenset[str] = frozenset({"wonen", "nietgekend", ""})


@cache
def fact_overrides() -> dict[str, tuple[float, float]]:
    """How known facts change the archetype inputs (``buildings/data/fact_overrides.csv``).

    Returns fact -> (value, g): the added resistance [m²·K/W] or window U [W/(m²·K)], and g [-].
    """
    ref = resources.files("buildings.data").joinpath("fact_overrides.csv")
    with resources.as_file(ref) as path:
        t = pd.read_csv(path, comment="#")
    return {
        str(f): (float(v), float(g)) for f, v, g in zip(t["fact"], t["value"], t["g"], strict=True)
    }


@dataclass(frozen=True)
class TwinSources:
    """The files a twin is built from (paths as the user gave them)."""

    buildings: Path
    addresses: Path
    units: Path | None = None
    links: Path | None = None
    sectors: Path | None = None
    sector_id_field: str | None = None
    sector_name_field: str | None = None
    dsm: tuple[Path, ...] = ()
    dtm: tuple[Path, ...] = ()
    facts: Path | None = None
    crs: str | None = None


@dataclass
class TwinResult:
    """The twin (one row per dwelling), the rejected records and the accounting per source file."""

    dwellings: gpd.GeoDataFrame
    rejects: pd.DataFrame
    accounting: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: The neighbourhood polygons given at build time (``sector_id``, ``sector_name``,
    #: ``municipality_nis``, geometry in EPSG:31370), None without ``--sectors``.
    sectors: gpd.GeoDataFrame | None = None


@cache
def _reason_patterns() -> list[tuple[re.Pattern[str], str]]:
    ref = resources.files("buildings.data").joinpath("reject_reasons_nl.csv")
    with resources.as_file(ref) as path:
        t = pd.read_csv(path, comment="#")
    return [(re.compile(str(p)), str(nl)) for p, nl in zip(t["pattern"], t["nl"], strict=True)]


def reasons_in_dutch(reasons: pd.Series) -> pd.Series:
    """The Dutch wording of reject reasons (``buildings/data/reject_reasons_nl.csv``); unknown ones unchanged."""

    def one(reason: str) -> str:
        for pattern, nl in _reason_patterns():
            m = pattern.match(reason)
            if m:
                return nl.format(None, *m.groups())
        return reason

    uniq = {r: one(r) for r in reasons.dropna().unique()}
    return reasons.map(uniq).astype("string")


#: The part of a reject reason that names another record; left out of the accounting's summary.
_REASON_RECORD_PART = r" of building \S+$"


def _noop(_: str) -> None:
    return None


def _check_sources(src: TwinSources) -> None:
    problems = Problems("invoerbestanden van de tweeling")
    if (src.units is None) != (src.links is None):
        problems.add(
            "--units/--links",
            "geef zowel de gebouweenheden als de koppeltabel tussen eenheden en adressen op, "
            "of geen van beide",
        )
    if bool(src.dsm) != bool(src.dtm):
        problems.add("--dsm/--dtm", "geef DSM en DTM samen op (beide of geen van beide)")
    for name in ("buildings", "addresses", "units", "links", "sectors", "facts"):
        path = getattr(src, name)
        if path is not None and not Path(path).exists():
            problems.add(
                f"--{name}",
                f"bestand {path} bestaat niet; controleer de map en de bestandsnaam",
            )
    for path in (*src.dsm, *src.dtm):
        if not Path(path).exists():
            problems.add(
                "--dsm/--dtm",
                f"bestand {path} bestaat niet; controleer de map en de bestandsnaam",
            )
    problems.raise_if_any(SourceFileError)


def build_twin(src: TwinSources, progress: Progress | None = None) -> TwinResult:
    """Build the digital twin from register files.

    Parameters
    ----------
    src : TwinSources
        The input files.
    progress : callable, optional
        Called with a short description at the start of every stage (for a progress bar).

    Returns
    -------
    TwinResult

    Raises
    ------
    SourceFileError
        A file that cannot be used (missing, unreadable, required fields missing,
        no CRS, rasters that do not overlap); the message names file and field.
    """
    step = progress or _noop
    _check_sources(src)
    par = twin_parameters()

    step("registerbestanden lezen")
    # the readers spend their time in GDAL/Arrow, which release the GIL: read two files at a time
    with ThreadPoolExecutor(max_workers=2) as pool:
        f_b = pool.submit(io.read_buildings, src.buildings, crs=src.crs)
        f_a = pool.submit(io.read_addresses, src.addresses, crs=src.crs)
        f_u = pool.submit(io.read_units, src.units) if src.units is not None else None
        f_l = pool.submit(io.read_links, src.links) if src.links is not None else None
        f_s = (
            pool.submit(
                io.read_sectors,
                src.sectors,
                crs=src.crs,
                id_field=src.sector_id_field,
                name_field=src.sector_name_field,
            )
            if src.sectors is not None
            else None
        )
        f_f = pool.submit(io.read_facts, src.facts) if src.facts is not None else None
        rb, ra = f_b.result(), f_a.result()
        ru, rl, rs, rf = (f.result() if f is not None else None for f in (f_u, f_l, f_s, f_f))

    # ids as plain Python strings: membership tests on Arrow-backed strings are ~10x slower
    for r, cols in (
        (rb, ("building_id",)),
        (ra, ("address_id",)),
        (ru, ("unit_id", "building_id")),
        (rl, ("unit_id", "address_id")),
        (rf, ("address_id", "building_id")),
    ):
        if r is not None:
            r.frame = _plain_ids(r.frame, cols)
    late_rejects: list[pd.DataFrame] = []
    b = gpd.GeoDataFrame(rb.frame).reset_index(drop=True)

    step("geometrie: oppervlakte, gemene muren, gevels")
    geoms = b.geometry.to_numpy()
    # annexes (bijgebouwen) take part: their walls are no façade of the house they lean against
    walls, pairs = geometry.footprint_walls(geoms, min_wall_m=par["min_party_wall_m"])
    for c in (
        "perimeter_m",
        "party_wall_m",
        "facade_n_m",
        "facade_e_m",
        "facade_s_m",
        "facade_w_m",
    ):
        b[c] = walls[c].to_numpy()
    b["footprint_area_m2"] = walls["area_m2"].to_numpy()
    b["house_attachment"] = walls["attachment"].to_numpy()
    # the party-wall row of each building (its key: the smallest building key of the row), for
    # construction years drawn once per row (buildings.years); rows join main buildings only:
    # an annex between two houses does not make them one row
    main_b = b["is_main"].to_numpy(dtype=bool) if "is_main" in b else np.ones(len(b), bool)
    main_pairs = pairs[main_b[pairs["i"].to_numpy()] & main_b[pairs["j"].to_numpy()]]
    b["party_row_key"] = years.row_keys(
        years.building_keys(b["building_id"].to_numpy(dtype=object)),
        years.party_rows(len(b), main_pairs, par["min_party_wall_m"]),
    )

    step("hoogtes uit DSM/DTM")
    if src.dsm:
        h = heights.building_heights(
            geoms, list(src.dsm), list(src.dtm), storey_height_m=par["storey_height_m"]
        )
        b["height_m"] = h["height_m"].to_numpy()
        b["eaves_height_m"] = h["eaves_height_m"].to_numpy()
        b["ridge_height_m"] = h["ridge_height_m"].to_numpy()
        b["measured_storeys"] = h["storeys"].to_numpy(dtype=float, na_value=np.nan)
        valid = (h["n_pixels"].to_numpy() > 0) & (
            h["eaves_height_m"].to_numpy() >= par["min_measured_height_m"]
        )
        b["height_source"] = np.where(valid, "measured", "imputed")
        notes_heights = list(h.attrs.get("notes", []))
    else:
        b["height_m"] = np.nan
        b["eaves_height_m"] = np.nan
        b["ridge_height_m"] = np.nan
        b["measured_storeys"] = np.nan
        b["height_source"] = "imputed"
        notes_heights = ["geen DSM/DTM opgegeven: hoogtes en bouwlagen geschat uit het gebouwtype"]

    step("adressen koppelen aan gebouwen")
    # addresses and units belong to main buildings only: an annex holds no dwelling
    main = b.loc[b["is_main"].to_numpy(dtype=bool)]
    dw, addr_rejects, unit_rejects, link_rejects = _assign_addresses(main, ra, ru, rl, par)
    late_rejects += [addr_rejects, unit_rejects, link_rejects]

    if dw.empty:
        problems = Problems("invoerbestanden van de tweeling")
        problems.add(
            "--addresses/--buildings",
            f"geen enkel adres van {Path(str(ra.source)).name} ligt in of bij een gebouw van "
            f"{Path(str(rb.source)).name} ({ra.kept} adressen, {rb.kept} gebouwen gelezen): er is "
            "dus geen enkele woning. Controleer dat beide bestanden dezelfde gemeente dekken en in "
            "hetzelfde coördinatenstelsel staan (--crs alleen voor bestanden zonder .prj)",
        )
        problems.raise_if_any(SourceFileError)
    # a building with register units of another use (a shop) is no garage, even without dwellings
    unit_buildings: ArrayLike = (
        pd.DataFrame(ru.frame)["building_id"].dropna().unique() if ru is not None else []
    )
    for r in (ra, ru, rl):  # their records now live in ``dw`` or in the rejects: free the memory
        if r is not None:
            r.frame = r.frame.iloc[:0]
    step("woongebouwen en onverwarmde buren")
    residential = _residential_facts(rf, b, dw)
    roles = _building_roles(b, dw, pairs, par, unit_buildings, residential)
    b = b.assign(
        party_wall_m=roles.party_wall_m,
        unheated_wall_m=roles.unheated_wall_m,
        unheated_wall_area_m2=roles.unheated_wall_area_m2,
        house_attachment=roles.attachment,
        storeys_estimate=roles.storeys,
    )
    late_rejects += _role_rejects(b, dw, roles, rb, ra, ru, rl)
    dw = dw.loc[roles.dwelling[dw["_b"].to_numpy()]].reset_index(drop=True)
    b = b.loc[roles.dwelling].reset_index(drop=True)
    # the buildings' new positions, for the dwellings' ``_b``
    dw["_b"] = (np.cumsum(roles.dwelling) - 1)[dw["_b"].to_numpy()]
    if dw.empty:
        problems = Problems("invoerbestanden van de tweeling")
        problems.add(
            "--buildings",
            f"geen enkel gebouw met een adres in {Path(str(rb.source)).name} is een woongebouw: "
            f"alle {int(roles.non_residential.sum())} zijn groter dan de grootste woning "
            f"({par['max_dwelling_floor_area_m2']:.0f} m² vloeroppervlakte per adres, "
            "buildings/data/twin_parameters.csv). Controleer de bestanden, of geef de "
            "gebouweenheden van het Gebouwenregister op (--units/--links: functie wonen)",
        )
        problems.raise_if_any(SourceFileError)

    step("woningen afleiden en verrijken")
    twin, fact_rejects = _dwellings(b, dw, rf, par)
    if rf is not None:
        late_rejects.append(fact_rejects)

    step("statistische sectoren")
    twin = _assign_sectors(twin, rs)

    # every reject of a reader belongs to the file that reader read (same label as its accounting row)
    reader_rejects = [
        r.rejects.assign(source=r.source) for r in (rb, ra, ru, rl, rs, rf) if r is not None
    ]
    rejects = pd.concat(reader_rejects + late_rejects, ignore_index=True)
    rejects = rejects.astype("string") if len(rejects) else empty_rejects()
    rejects["reden"] = reasons_in_dutch(rejects["reason"])
    accounting = _accounting(twin, rejects, rb, ra, ru, rl, rs, rf)
    notes = [n for r in (rb, ra, ru, rl, rs, rf) if r is not None for n in r.notes] + notes_heights
    sectors = None if rs is None else gpd.GeoDataFrame(rs.frame).reset_index(drop=True)
    return TwinResult(
        dwellings=twin, rejects=rejects, accounting=accounting, notes=notes, sectors=sectors
    )


def _assign_addresses(
    b: gpd.GeoDataFrame,
    ra: ReadResult,
    ru: ReadResult | None,
    rl: ReadResult | None,
    par: dict[str, float],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Dwellings as (address, building) pairs; rejects of addresses, units and links.

    Order of evidence: the register's unit-address links (``link``), else the
    address point inside a footprint (``inside``), else the nearest footprint
    within ``address_max_distance_m`` (``nearest``).

    The dwellings' column ``_b`` is the label of each one's building in ``b`` (its index).
    Ids are looked up once per file pair: the joins run on positions, since hashing 10⁶
    id strings again for every membership test cost seconds.
    """
    addr = gpd.GeoDataFrame(ra.frame).reset_index(drop=True)
    n_addr = len(addr)
    a_ids = pd.Index(addr["address_id"].to_numpy(dtype=object))
    b_ids = pd.Index(b["building_id"].to_numpy(dtype=object))
    unit_rejects, link_rejects = empty_rejects(), empty_rejects()
    # linked dwellings: address position, building position (in b), unit id, unit function
    link_a = np.array([], dtype=np.int64)
    link_b = np.array([], dtype=np.int64)
    link_unit = np.array([], dtype=object)
    link_function = np.array([], dtype=object)
    non_residential_address = np.zeros(n_addr, dtype=bool)

    if ru is not None and rl is not None:
        units = pd.DataFrame(ru.frame).reset_index(drop=True)
        links = pd.DataFrame(rl.frame).reset_index(drop=True)
        unit_ids = units["unit_id"].to_numpy(dtype=object)
        # the register's own downloads give most units the function "NietGekend" (unknown): such a
        # unit may be a dwelling, so it counts as one (and the size rules of _building_roles apply
        # to it, as to a GRB building); common parts and named other uses do not
        function = units["function"].astype("string").str.lower().fillna("nietgekend")
        residential = function.isin(list(DWELLING_UNIT_FUNCTIONS)).to_numpy(dtype=bool)
        rej = [
            make_rejects(
                ru.source,
                units.loc[~residential, "unit_id"],
                "non-residential unit (functie="
                + units.loc[~residential, "function"].astype("string")
                + ")",
            )
        ]
        function_of = function.to_numpy(dtype=object)  # lower case: "wonen" confirms a dwelling
        unit_b = b_ids.get_indexer(pd.Index(units["building_id"].to_numpy(dtype=object)))
        in_twin = unit_b >= 0
        rej.append(
            make_rejects(
                ru.source,
                units.loc[residential & ~in_twin, "unit_id"],
                "building not in the twin (unknown or rejected)",
            )
        )
        usable = residential & in_twin  # the units that may be dwellings

        l_unit = pd.Index(unit_ids).get_indexer(pd.Index(links["unit_id"].to_numpy(dtype=object)))
        l_addr = a_ids.get_indexer(pd.Index(links["address_id"].to_numpy(dtype=object)))
        known_unit, known_addr = l_unit >= 0, l_addr >= 0
        lrej = [
            make_rejects(
                rl.source,
                _link_ids(links.loc[~known_unit]),
                "unknown unit (adresobjid not in the units file)",
            ),
            make_rejects(
                rl.source,
                _link_ids(links.loc[known_unit & ~known_addr]),
                "unknown address (adresid not in the address file)",
            ),
        ]
        known = known_unit & known_addr
        to_res = known & usable[np.where(known_unit, l_unit, 0)]
        lrej.append(
            make_rejects(
                rl.source,
                _link_ids(links.loc[known & ~to_res]),
                "unit not a residential unit of the twin",
            )
        )
        non_residential_address[l_addr[known & ~to_res]] = True
        dup = np.zeros(len(links), dtype=bool)
        dup[to_res] = pd.Series(l_addr[to_res]).duplicated().to_numpy()
        lrej.append(
            make_rejects(
                rl.source, _link_ids(links.loc[dup]), "address already linked to another unit"
            )
        )
        keep = to_res & ~dup
        link_a, link_u = l_addr[keep], l_unit[keep]
        link_b = unit_b[link_u]
        link_unit, link_function = unit_ids[link_u], function_of[link_u]
        has_address = np.zeros(len(units), dtype=bool)
        has_address[link_u] = True
        rej.append(
            make_rejects(
                ru.source,
                units.loc[usable & ~has_address, "unit_id"],
                "residential unit without address",
            )
        )
        unit_rejects = pd.concat(rej, ignore_index=True)
        link_rejects = pd.concat(lrej, ignore_index=True)
        non_residential_address[link_a] = False  # also linked to a dwelling: a dwelling

    matched = non_residential_address.copy()
    matched[link_a] = True
    footprints = gpd.GeoDataFrame(geometry=b.geometry.to_numpy(), crs=b.crs)
    rest = addr.loc[~matched, ["geometry"]]
    inside = gpd.sjoin(rest, footprints, how="inner", predicate="within")
    inside = inside.loc[~inside.index.duplicated()]
    in_a, in_b = inside.index.to_numpy(), inside["index_right"].to_numpy()
    matched[in_a] = True
    rest = addr.loc[~matched, ["geometry"]]
    near = gpd.sjoin_nearest(
        rest, footprints, how="inner", max_distance=par["address_max_distance_m"]
    )
    near = near.loc[~near.index.duplicated()]
    near_a, near_b = near.index.to_numpy(), near["index_right"].to_numpy()
    matched[near_a] = True

    outside = ~matched
    addr_rejects = pd.concat(
        [
            make_rejects(
                ra.source, addr.loc[outside, "address_id"], "address outside every building"
            ),
            make_rejects(
                ra.source,
                addr.loc[non_residential_address, "address_id"],
                "address of a non-residential unit",
            ),
        ],
        ignore_index=True,
    )
    n_link, n_in, n_near = len(link_a), len(in_a), len(near_a)
    pos_a = np.concatenate([link_a, in_a, near_a]).astype(np.int64)
    pos_b = np.concatenate([link_b, in_b, near_b]).astype(np.int64)
    none = np.full(n_in + n_near, None, dtype=object)
    fields = addr.drop(columns="geometry").rename(columns={"status": "address_status"})
    fields = fields.iloc[pos_a].reset_index(drop=True)
    dw = pd.DataFrame(
        {
            "address_id": fields["address_id"].to_numpy(dtype=object),
            "building_id": b_ids.to_numpy()[pos_b],
            "unit_id": np.concatenate([link_unit, none]),
            "function": np.concatenate([link_function, none]),
            "address_match": np.repeat(
                np.array(["link", "inside", "nearest"], dtype=object), [n_link, n_in, n_near]
            ),
        }
    )
    dw = pd.concat([dw, fields.drop(columns="address_id")], axis=1)
    dw["_b"] = b.index.to_numpy()[pos_b]
    return dw, addr_rejects, unit_rejects, link_rejects


@dataclass
class _Roles:
    """What each building (main or annex) is for the twin, aligned with the buildings frame.

    Attributes
    ----------
    dwelling : ndarray of bool
        Holds the twin's dwellings.
    non_residential : ndarray of bool
        Has addresses but is taken as non-residential (floor area per address above
        ``max_dwelling_floor_area_m2`` and no register unit or fact confirming a dwelling, or
        a fact ``woonfunctie = nee``); a heated neighbour.
    non_residential_by_fact : ndarray of bool
        Of those, the ones a fact excludes (``woonfunctie = nee``).
    unheated : ndarray of bool
        An annex (bijgebouw), or a small main building without address (garage, shed).
    attached_to : ndarray of object
        For an annex: the main building it shares its longest wall with (None if none).
    party_wall_m, unheated_wall_m : ndarray of float
        Wall length shared with heated neighbours, and with unheated ones [m].
    unheated_wall_area_m2 : ndarray of float
        Wall area shared with unheated neighbours, each up to the lower of the two heights [m²].
    attachment : ndarray of str
        open / halfopen / gesloten, counting heated neighbours only.
    storeys : ndarray of float
        Storeys: measured, else the default for a house, an apartment building or an annex.
    """

    dwelling: NDArray[np.bool_]
    non_residential: NDArray[np.bool_]
    non_residential_by_fact: NDArray[np.bool_]
    unheated: NDArray[np.bool_]
    attached_to: NDArray[np.object_]
    party_wall_m: NDArray[np.float64]
    unheated_wall_m: NDArray[np.float64]
    unheated_wall_area_m2: NDArray[np.float64]
    attachment: NDArray[np.str_]
    storeys: NDArray[np.float64]


def _default_storeys(k: NDArray[np.int64], par: dict[str, float]) -> NDArray[np.float64]:
    """Storeys when none are measured: a house (k = 1), an apartment building (k > 1), else (k = 0) an annex."""
    return np.select(
        [k > 1, k == 1],
        [par["default_storeys_apartment"], par["default_storeys_house"]],
        par["default_storeys_unheated"],
    ).astype(np.float64)


def dwelling_floor_area(
    footprint_m2: ArrayLike, storeys: ArrayLike, k: ArrayLike, par: dict[str, float]
) -> NDArray[np.float64]:
    """Reference floor area of each of the ``k`` dwellings of a building [m²].

    Gross floor area (footprint × storeys, external dimensions) × the reference-to-gross ratio,
    and for an apartment building (``k`` > 1) × the share that lies inside its dwellings (the
    rest are common parts), split equally over the ``k`` dwellings
    (``buildings/data/twin_parameters.csv``).
    """
    k_arr = np.asarray(k, dtype=np.float64)
    share = np.where(k_arr > 1, par["apartment_dwelling_floor_share"], 1.0)
    gross = np.asarray(footprint_m2, dtype=np.float64) * np.asarray(storeys, dtype=np.float64)
    return par["reference_to_gross_floor_area"] * share * gross / np.maximum(k_arr, 1.0)


def _building_roles(
    b: gpd.GeoDataFrame,
    dw: pd.DataFrame,
    pairs: pd.DataFrame,
    par: dict[str, float],
    unit_buildings: ArrayLike = (),
    residential: NDArray[np.float64] | None = None,
) -> _Roles:
    """Which buildings hold dwellings, which are heated or unheated neighbours, and their walls.

    Rules (thresholds in ``buildings/data/twin_parameters.csv``, with their sources):

    - an annex (GRB bijgebouw) holds no dwelling and is an unheated neighbour;
    - a main building without address (and without register units, ``unit_buildings``) is an
      unheated neighbour (garage, shed) up to ``unheated_max_footprint_m2`` of footprint, else a
      heated (adiabatic) neighbour;
    - a main building with addresses holds one dwelling per address, unless its floor area per
      address exceeds ``max_dwelling_floor_area_m2`` and not every one of its dwellings is a
      register unit with function "wonen": then it is non-residential (an office, shop, church
      or school with an address) and a heated neighbour;
    - a building fact ``woonfunctie`` (``residential``: 1 yes, 0 no, NaN unknown per building)
      decides before the size rule: "ja" keeps the dwellings whatever their size, "nee"
      excludes them (a heated neighbour).

    A wall shared with an unheated neighbour counts up to the lower of the two heights (an
    annex of one storey against a house of two); the rest of it is façade.
    """
    n = len(b)
    ids = pd.Index(b["building_id"].to_numpy(dtype=object))
    is_main = b["is_main"].to_numpy(dtype=bool)
    pos = dw["_b"].to_numpy(dtype=np.int64)  # each dwelling's building (_assign_addresses)
    k = np.bincount(pos, minlength=n).astype(np.int64)
    not_wonen = dw["function"].astype(object).ne("wonen").to_numpy(dtype=bool)
    confirmed = (k > 0) & (np.bincount(pos, weights=not_wonen, minlength=n) == 0)

    measured = b["height_source"].to_numpy(dtype=object) == "measured"
    storeys = np.where(
        measured, b["measured_storeys"].to_numpy(dtype=float), _default_storeys(k, par)
    )
    footprint = b["footprint_area_m2"].to_numpy(dtype=float)
    per_dwelling = dwelling_floor_area(footprint, storeys, k, par)
    fact = np.full(n, np.nan) if residential is None else np.asarray(residential, dtype=float)
    confirmed |= (k > 0) & (fact == 1.0)
    by_fact = (k > 0) & (fact == 0.0)
    too_large = ~confirmed & (per_dwelling > par["max_dwelling_floor_area_m2"])
    non_residential = (k > 0) & (too_large | by_fact)
    has_units = b["building_id"].isin(np.asarray(unit_buildings, dtype=object)).to_numpy(dtype=bool)
    small = footprint <= par["unheated_max_footprint_m2"]
    unheated = ~is_main | ((k == 0) & ~has_units & small)
    dwelling = (k > 0) & ~non_residential

    # walls: the pairs of footprint_walls, both ways round
    i = pairs["i"].to_numpy(dtype=np.int64)
    j = pairs["j"].to_numpy(dtype=np.int64)
    length = pairs["length_m"].to_numpy(dtype=np.float64)
    me, other = np.r_[i, j], np.r_[j, i]
    both = np.r_[length, length]
    wall_h = storeys * par["storey_height_m"]
    # a measured eaves height where there is one: an annex's own storeys say little
    eaves = b["eaves_height_m"].to_numpy(dtype=float)
    own_h = np.where(measured & np.isfinite(eaves), eaves, wall_h)
    to_unheated = unheated[other]
    unheated_m = np.bincount(me, weights=both * to_unheated, minlength=n).astype(np.float64)
    shared_h = np.minimum(own_h[other], wall_h[me])
    unheated_area = np.bincount(me, weights=both * shared_h * to_unheated, minlength=n).astype(
        np.float64
    )
    total = np.bincount(me, weights=both, minlength=n)
    heated_pairs = pairs.loc[~unheated[i] & ~unheated[j]]
    attachment = geometry.attachment_types(n, heated_pairs, par["min_party_wall_m"])

    # an annex belongs to the main building it shares its longest wall with
    lean = pd.DataFrame({"annex": me, "main": other, "length": both})
    lean = lean.loc[~is_main[me] & is_main[other]].sort_values("length", ascending=False)
    lean = lean.drop_duplicates("annex")
    attached_to = np.full(n, None, dtype=object)
    attached_to[lean["annex"].to_numpy()] = ids.to_numpy()[lean["main"].to_numpy()]
    return _Roles(
        dwelling=dwelling,
        non_residential=non_residential,
        non_residential_by_fact=by_fact,
        unheated=unheated,
        attached_to=attached_to,
        party_wall_m=np.maximum(total - unheated_m, 0.0),
        unheated_wall_m=unheated_m,
        unheated_wall_area_m2=unheated_area,
        attachment=attachment,
        storeys=storeys,
    )


def _residential_facts(
    rf: ReadResult | None, b: gpd.GeoDataFrame, dw: pd.DataFrame
) -> NDArray[np.float64]:
    """The facts' ``woonfunctie`` per building of ``b``: 1 holds dwellings, 0 holds none, NaN
    unknown. A fact names its building, or an address of it; of several facts of one building
    a "ja" wins (a building with a shop and flats holds dwellings)."""
    n = len(b)
    if rf is None or "residential" not in rf.frame:
        return np.full(n, np.nan)
    f = pd.DataFrame(rf.frame)
    f = f.loc[f["residential"].notna()]
    if f.empty:
        return np.full(n, np.nan)
    building = f["building_id"].astype(object) if "building_id" in f else pd.Series(None, f.index)
    if "address_id" in f:
        of_address = pd.Series(
            dw["building_id"].to_numpy(dtype=object), index=dw["address_id"].to_numpy(dtype=object)
        )
        of_address = of_address[~of_address.index.duplicated()]
        building = building.where(building.notna(), f["address_id"].map(of_address))
    pos = pd.Index(b["building_id"].to_numpy(dtype=object)).get_indexer(
        pd.Index(building.to_numpy(dtype=object))
    )
    value = f["residential"].to_numpy(dtype=float, na_value=np.nan)
    best = np.full(n, -1.0)
    ok = pos >= 0
    np.maximum.at(best, pos[ok], value[ok])
    return np.where(best >= 0.0, best, np.nan)


def _role_rejects(
    b: gpd.GeoDataFrame,
    dw: pd.DataFrame,
    roles: _Roles,
    rb: ReadResult,
    ra: ReadResult,
    ru: ReadResult | None,
    rl: ReadResult | None,
) -> list[pd.DataFrame]:
    """Accounting of the buildings without dwellings, and of the addresses, units and links of
    the buildings taken as non-residential."""
    bid = b["building_id"]
    annex = ~b["is_main"].to_numpy(dtype=bool)
    leaning = annex & (roles.attached_to != None)  # noqa: E711 - elementwise on objects
    no_address = ~roles.dwelling & ~roles.non_residential & ~annex
    out = [
        make_rejects(
            rb.source,
            bid[leaning],
            "annex (bijgebouw) of building "
            + pd.Series(roles.attached_to[leaning], dtype="string"),
        ),
        make_rejects(rb.source, bid[annex & ~leaning], "annex (bijgebouw), free-standing"),
        make_rejects(
            rb.source, bid[no_address & roles.unheated], "garage or shed: small, no address"
        ),
        make_rejects(rb.source, bid[no_address & ~roles.unheated], "no residential address"),
        make_rejects(
            rb.source,
            bid[roles.non_residential & ~roles.non_residential_by_fact],
            "non-residential: floor area per address above the largest dwelling",
        ),
        make_rejects(
            rb.source,
            bid[roles.non_residential_by_fact],
            "non-residential: so the facts say (woonfunctie)",
        ),
    ]
    gone = dw.loc[dw["building_id"].isin(bid[roles.non_residential])]
    out.append(make_rejects(ra.source, gone["address_id"], "address of a non-residential building"))
    via_unit = gone.loc[gone["unit_id"].notna()]
    if ru is not None and rl is not None:
        units = via_unit["unit_id"].drop_duplicates()
        out.append(make_rejects(ru.source, units, "unit in a non-residential building"))
        out.append(
            make_rejects(
                rl.source, _link_ids(via_unit), "link to a unit in a non-residential building"
            )
        )
    return out


def _plain_ids(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with its id ``columns`` as object dtype (Python str or None)."""
    frame = frame.copy()
    for c in columns:
        if c in frame:
            frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    return frame


def _link_ids(links: pd.DataFrame) -> pd.Series:
    return links["unit_id"].astype("string") + "->" + links["address_id"].astype("string")


def _dwellings(
    b: gpd.GeoDataFrame, dw: pd.DataFrame, rf: ReadResult | None, par: dict[str, float]
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """One row per dwelling with the core's inputs; apartments share their building's envelope."""
    storey_h = par["storey_height_m"]
    # --- dwellings per building, their order (by house number, then box number) and the building type
    # numeric sort keys only: sorting 10⁶ strings is slow
    hn = _leading_number(dw["house_number"], r"(?P<n>\d+)")
    bn = _leading_number(dw["box_number"], r"(?P<n>\d+(?:\.\d+)?)")
    # buildings only need to be contiguous (any code order); within a building: house number,
    # box number, then the address id as a stable tie-break
    b_code, _ = pd.factorize(dw["_b"].to_numpy(), sort=False)
    # the address id only orders ties (same building, house and box number): rank those alone,
    # sorting 10⁶ address ids costs more than the rest of the ordering
    tie = pd.DataFrame({"b": b_code, "h": hn, "n": bn}).duplicated(keep=False).to_numpy()
    a_rank = np.zeros(len(dw), dtype=np.int64)
    if tie.any():
        a_rank[tie] = pd.factorize(dw["address_id"].to_numpy(dtype=object)[tie], sort=True)[0]
    order = np.lexsort((a_rank, bn, hn, b_code))
    dw = dw.iloc[order].reset_index(drop=True)
    b_code = b_code[order]
    # dwellings per building and each one's rank in it, from the sorted building codes
    starts = np.flatnonzero(np.r_[True, b_code[1:] != b_code[:-1]])
    sizes = np.diff(np.r_[starts, len(b_code)])
    k = np.repeat(sizes, sizes)
    rank = np.arange(len(b_code)) - np.repeat(starts, sizes)
    bi = b.set_index("building_id")
    row = dw["_b"].to_numpy()  # the building of each dwelling, a position in ``b``

    apartment = k > 1
    measured = bi["height_source"].to_numpy()[row] == "measured"
    height = bi["height_m"].to_numpy()[row]
    # --- facts: by address first, then by building
    facts, fact_rejects = _match_facts(dw, rf)
    # storeys from the eaves (the low quantile of the roof heights; see buildings.heights), else
    # the default of the building type (_building_roles), unless the facts give the building's
    # storeys (cadastral "bouwlagen")
    storeys = bi["storeys_estimate"].to_numpy()[row]
    fact_storeys = _building_storeys(facts["storeys"], b_code)
    storeys_known = np.isfinite(fact_storeys)
    storeys = np.where(storeys_known, fact_storeys, storeys)
    height = np.where(measured, height, storeys * storey_h)
    eaves = np.where(measured, bi["eaves_height_m"].to_numpy()[row], storeys * storey_h)
    ridge = np.where(measured, bi["ridge_height_m"].to_numpy()[row], np.nan)
    block = apartment & (storeys >= par["apartment_block_min_storeys"])
    house_att = bi["house_attachment"].to_numpy()[row]
    attachment = np.where(apartment, "apartment", house_att)
    arch_type = np.where(
        block, "apartment_block", np.where(apartment, "apartment_small", house_att)
    )

    # --- construction years: known from the facts, else drawn per building (buildings.years)
    year = facts["construction_year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    year, year_source = years.dwelling_years(
        year,
        dw["building_id"].to_numpy(dtype=object),
        attachment,
        bi["party_row_key"].to_numpy()[row] if "party_row_key" in bi else None,
        par["year_independent_share"],
    )

    # --- envelope of each building (gross, external dimensions), then each dwelling's share
    footprint = bi["footprint_area_m2"].to_numpy()[row]
    # an apartment owns only its part of the building's floor: stairs, landings and other
    # common parts belong to no dwelling (a house's stairs are its own)
    floor_area = dwelling_floor_area(footprint, storeys, k, par)
    inputs = dwelling_inputs(arch_type, year, floor_area)
    arch = archetype_table().set_index("archetype_id")
    a_row = arch.index.get_indexer(pd.Index(inputs["archetype_id"].astype(str)))
    roof_per_footprint = (
        arch["roof_area_ratio"].to_numpy()[a_row]
        / arch["ground_floor_area_ratio"].to_numpy()[a_row]
    )
    win_ratio = arch[[f"window_area_{o}_ratio" for o in "nesw"]].to_numpy().sum(axis=1)[a_row]
    wall_ratio = (
        arch["wall_area_ratio"].to_numpy()[a_row] + arch["door_area_ratio"].to_numpy()[a_row]
    )
    wwr = win_ratio / (win_ratio + wall_ratio)  # window share of the façade, from the archetype

    per_floor = np.ceil(k / storeys)
    level = np.floor(rank / per_floor)
    top_level = np.repeat(np.maximum.reduceat(level, starts), sizes)
    on_top = level == top_level
    on_ground = level == 0
    n_top = np.repeat(np.add.reduceat(on_top.astype(np.int64), starts), sizes)
    n_ground = np.repeat(np.add.reduceat(on_ground.astype(np.int64), starts), sizes)

    wall_h = storeys * storey_h
    facade_m = np.stack([bi[f"facade_{o}_m"].to_numpy()[row] for o in "nesw"], axis=1)
    # walls against unheated neighbours (annexes, garages): up to the neighbour's height they
    # are no façade (adjustment factor b_unheated_space, through the party-wall term); above it
    # they are façade, spread over the orientations like the rest of the façade
    unheated_m = bi["unheated_wall_m"].to_numpy()[row]
    unheated_area = bi["unheated_wall_area_m2"].to_numpy()[row] / k
    above = np.maximum(unheated_m * wall_h / k - unheated_area, 0.0)
    facade_total_m = facade_m.sum(axis=1)
    spread = np.where(
        facade_total_m[:, None] > 0,
        facade_m / np.where(facade_total_m > 0, facade_total_m, 1.0)[:, None],
        0.25,
    )
    facade = facade_m * wall_h[:, None] / k[:, None] + above[:, None] * spread
    windows = facade * wwr[:, None]
    door = inputs["door_area_m2"].to_numpy()
    inputs["window_area_n_m2"], inputs["window_area_e_m2"] = windows[:, 0], windows[:, 1]
    inputs["window_area_s_m2"], inputs["window_area_w_m2"] = windows[:, 2], windows[:, 3]
    inputs["wall_area_m2"] = np.maximum(facade.sum(axis=1) - windows.sum(axis=1) - door, 0.0)
    # party walls: the heated neighbours' (adiabatic, b = 0) and the unheated neighbours' (b of
    # twin_parameters.csv) in one element with the area-weighted factor, so that the core's
    # b_party_wall · U_wall · A_party is exactly b_unheated · U_wall · A_unheated
    heated_area = bi["party_wall_m"].to_numpy()[row] * wall_h / k
    party_area = heated_area + unheated_area
    inputs["party_wall_area_m2"] = party_area
    inputs["b_party_wall"] = np.where(
        party_area > 0,
        par["b_unheated_space"] * unheated_area / np.where(party_area > 0, party_area, 1.0),
        0.0,
    )
    inputs["roof_area_m2"] = np.where(
        on_top, footprint * roof_per_footprint / np.maximum(n_top, 1), 0.0
    )
    inputs["ground_floor_area_m2"] = np.where(on_ground, footprint / np.maximum(n_ground, 1), 0.0)
    inputs["window_area_h_m2"] = np.where(on_top, inputs["window_area_h_m2"].to_numpy(), 0.0)
    # the building's totals, on every dwelling's row: a shared building project (roof, façades,
    # floor of an apartment building) is priced on them and shared by floor area
    # (scenarios.catalogue, basis building_share)
    window_cols = [f"window_area_{o}_m2" for o in "hnesw"]
    building_totals = {
        f"building_{c}": np.repeat(np.add.reduceat(values, starts), sizes)
        for c, values in (
            ("floor_area_m2", inputs["floor_area_m2"].to_numpy(dtype=float)),
            ("roof_area_m2", inputs["roof_area_m2"].to_numpy(dtype=float)),
            ("wall_area_m2", inputs["wall_area_m2"].to_numpy(dtype=float)),
            ("ground_floor_area_m2", inputs["ground_floor_area_m2"].to_numpy(dtype=float)),
            ("window_area_m2", inputs[window_cols].to_numpy(dtype=float).sum(axis=1)),
        )
    }

    inputs["pv_yield_kwh_kwp"] = roof_pv_yield(
        np.stack([bi[f"facade_{o}_m"].to_numpy()[row] for o in "nesw"], axis=1), apartment, par
    )

    # --- known facts override the archetype, with provenance
    inputs, sources = _apply_facts(inputs, facts, arch_type)
    # --- the EPC method's defaults for what is unknown, then registered EPCs and measured use
    calibrated = calibrate_dwellings(inputs, facts, sources, year, arch_type)
    inputs, provenance = calibrated.inputs, calibrated.sources

    height_source = np.where(measured, "measured", "imputed")
    # string columns go in as their (Arrow-backed) arrays: ``to_numpy`` would make 10⁶ Python strings
    columns: dict[str, Any] = {
        "dwelling_id": dw["building_id"].astype(str) + "/" + dw["address_id"].astype(str),
        "building_id": dw["building_id"].to_numpy(),
        "address_id": dw["address_id"].to_numpy(),
        "street": dw["street"].array,
        "house_number": dw["house_number"].array,
        "box_number": dw["box_number"].array,
        "postcode": dw["postcode"].array,
        "municipality_nis": dw["municipality_nis"].array,
        "municipality": dw["municipality"].array,
        "address_match": pd.Categorical(dw["address_match"].to_numpy(dtype=object)),
        "attachment": pd.Categorical(attachment),
        "n_dwellings_in_building": k,
        "dwelling_level": level.astype(int),
        "party_wall_m": bi["party_wall_m"].to_numpy()[row],
        "unheated_wall_m": unheated_m,
        "wall_unheated_area_m2": unheated_area,
        "footprint_area_m2": footprint,
        "perimeter_m": bi["perimeter_m"].to_numpy()[row],
        **{f"facade_{o}_m": bi[f"facade_{o}_m"].to_numpy()[row] for o in "nesw"},
        "height_m": height,
        "eaves_height_m": eaves,
        "ridge_height_m": ridge,
        "storeys": storeys.astype(int),
        "construction_year": np.round(year).astype(int),
        "archetype_id": inputs["archetype_id"].to_numpy(),
        "archetype_type": pd.Categorical(arch_type),
        **{c: inputs[c].to_numpy() for c in DWELLING_COLUMNS},
        **building_totals,
        "epc_score_kwh_m2": facts["epc_score_kwh_m2"].to_numpy(),
        "epc_label": facts["epc_label"].to_numpy(),
        "gas_kwh": facts["gas_kwh"].to_numpy(),
        "electricity_kwh": facts["electricity_kwh"].to_numpy(),
        # provenance: measured (DHM), register, facts, archetype or imputed
        "height_source": pd.Categorical(height_source),
        "storeys_source": pd.Categorical(np.where(storeys_known, "facts", height_source)),
        "floor_area_source": pd.Categorical(
            np.where(
                storeys_known,
                "geometry+facts_storeys",
                np.where(measured, "geometry", "geometry+imputed_storeys"),
            )
        ),
        "construction_year_source": pd.Categorical(year_source),
        # the party-wall row the year was drawn for: a scenario's Monte Carlo draws the row's
        # year again per run (buildings.years.redraw_years)
        # stored as int64 (the same 64 bits): GeoPackage and many readers have no uint64
        "party_row_key": (
            bi["party_row_key"].to_numpy(dtype=np.uint64)[row]
            if "party_row_key" in bi
            else years.building_keys(dw["building_id"].to_numpy(dtype=object))
        ).view(np.int64),
        "attachment_source": pd.Categorical(np.where(apartment, "register_addresses", "geometry")),
        **{f"{c}_source": pd.Categorical(src) for c, src in provenance.items()},
        "calibration_status": pd.Categorical(calibrated.columns["calibration_status"]),
        "epc_calibration_factor": calibrated.columns["epc_calibration_factor"],
        "epc_score_model_kwh_m2": calibrated.columns["epc_score_model_kwh_m2"],
        "epc_score_estimate_kwh_m2": calibrated.columns["epc_score_estimate_kwh_m2"],
        "epc_label_registered": pd.array(
            calibrated.columns["epc_label_registered"], dtype="string"
        ),
        "use_factor_source": pd.Categorical(calibrated.columns["use_factor_source"]),
        "hp_supply_temp_c": calibrated.columns["hp_supply_temp_c"],
        "construction_year_clamped": inputs["construction_year_clamped"].to_numpy(),
        "imputed": (height_source == "imputed") | (year_source != "facts"),
    }
    del inputs, facts
    # one constructor call: adding columns one by one copies the frame's blocks again and again
    twin = gpd.GeoDataFrame(columns, geometry=bi.geometry.to_numpy()[row], crs=TWIN_CRS)
    return twin, fact_rejects


_FACT_COLUMNS = (
    "construction_year",
    "storeys",
    "epc_score_kwh_m2",
    "epc_label",
    "roof_insulated",
    "wall_insulated",
    "floor_insulated",
    "glazing",
    "heating_system",
    "gas_kwh",
    "electricity_kwh",
)


def _match_facts(dw: pd.DataFrame, rf: ReadResult | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Facts aligned with the dwellings (NA where unknown) and the facts that matched no dwelling.

    Columns :data:`_FACT_COLUMNS` in the facts reader's dtypes (:data:`buildings.io.FACT_DTYPES`):
    scores and measured use ``float64`` (NaN where unknown), the others nullable.
    """
    f = pd.DataFrame(rf.frame).reset_index(drop=True) if rf is not None else pd.DataFrame()
    for c in ("address_id", "building_id", *_FACT_COLUMNS):
        dtype = io.FACT_DTYPES[c]
        f[c] = f[c].astype(dtype) if c in f else pd.Series(pd.NA, index=f.index, dtype=dtype)
    f["_fact_row"] = np.arange(len(f))
    by_addr = f.dropna(subset=["address_id"]).drop_duplicates("address_id")
    by_bldg = f.loc[f["address_id"].isna()].dropna(subset=["building_id"])
    by_bldg = by_bldg.drop_duplicates("building_id")

    def position(table: pd.DataFrame, key: str) -> NDArray[np.intp]:
        # the row of ``table`` with each dwelling's id, -1 where there is none
        return pd.Index(table[key].to_numpy(dtype=object)).get_indexer(
            pd.Index(dw[key].to_numpy(dtype=object))
        )

    a_idx, b_idx = position(by_addr, "address_id"), position(by_bldg, "building_id")
    out: dict[str, Any] = {}
    for c in _FACT_COLUMNS:
        # an address's fact first, else its building's (a take at -1 gives NA)
        from_addr = pd.Series(by_addr[c].array.take(a_idx, allow_fill=True))
        from_bldg = pd.Series(by_bldg[c].array.take(b_idx, allow_fill=True))
        out[c] = from_addr.where(from_addr.notna(), from_bldg).array
    facts = pd.DataFrame(out, index=dw.index)
    if rf is None:
        return facts, empty_rejects()
    used = np.zeros(len(f), dtype=bool)
    used[by_addr["_fact_row"].to_numpy()[a_idx[a_idx >= 0]]] = True
    used[by_bldg["_fact_row"].to_numpy()[b_idx[b_idx >= 0]]] = True
    unused = f.loc[~used]
    ids = unused["address_id"].fillna(unused["building_id"])
    ids = ids.fillna("row " + unused["_fact_row"].astype(str))
    return facts, make_rejects(
        rf.source,
        ids,
        "no dwelling in the twin with this address or building (or a duplicate fact)",
    )


def roof_pv_yield(
    facades_nesw: np.ndarray, flat_roof: np.ndarray, par: dict[str, float]
) -> np.ndarray:
    """Specific PV yield of each dwelling's roof [kWh/kWp·a], from the building's façade orientation.

    Pitched roofs slope towards the long façades: when the north+south façades are longer than
    the east+west ones the roof has a south-facing slope (azimuth 180°); otherwise the modules
    lie on the east and west slopes (mean of 90° and 270°). Flat roofs (apartment buildings)
    take south-facing racks at a low tilt. Yields from :func:`sim.pv.pv_specific_yield` (Uccle).
    """
    ns = facades_nesw[:, 0] + facades_nesw[:, 2]
    ew = facades_nesw[:, 1] + facades_nesw[:, 3]
    n = len(ns)
    tilt = np.where(flat_roof, par["pv_tilt_flat_deg"], par["pv_tilt_pitched_deg"])
    south = pv_specific_yield(np.full(n, 180.0), tilt)
    east_west = 0.5 * (
        pv_specific_yield(np.full(n, 90.0), tilt) + pv_specific_yield(np.full(n, 270.0), tilt)
    )
    return np.where(flat_roof | (ns >= ew), south, east_west)


def _leading_number(values: pd.Series, pattern: str) -> np.ndarray:
    """The first number in each string (house or box number) as float, 0 where there is none.

    Uses Arrow's regex kernel: pandas' ``str.extract`` loops in Python over 10⁶ strings.
    """
    arr = pa.array(values.astype(object).where(values.notna(), None).to_numpy(), type=pa.string())
    found = pc.struct_field(pc.extract_regex(arr, pattern), [0])
    number = pc.cast(found, pa.float64(), safe=False)
    return np.nan_to_num(number.to_numpy(zero_copy_only=False), nan=0.0)


def _building_storeys(values: pd.Series, b_code: np.ndarray) -> np.ndarray:
    """Storeys from the facts per dwelling row: the median of its building's known values (NaN none)."""
    v = pd.Series(values.astype("Float64").to_numpy(dtype=float, na_value=np.nan))
    return np.round(v.groupby(b_code).transform("median").to_numpy(dtype=float))


#: Envelope elements an insulation fact speaks of: fact -> input column.
INSULATION_FACTS = {
    "roof_insulated": "u_roof_w_m2k",
    "wall_insulated": "u_wall_w_m2k",
    "floor_insulated": "u_floor_w_m2k",
}


def insulated_u(u: ArrayLike, u_bare: ArrayLike, r_fact: float) -> NDArray[np.float64]:
    """U-value of an element known to be insulated [W/(m²·K)].

    The fact says the element carries insulation of at least ``r_fact`` (the premium
    requirement, ``fact_overrides.csv``) on its bare construction: U = 1/(1/U_bare + R).
    An element already better than that (a dwelling built with insulation) keeps its own U:
    the fact confirms its insulation and adds none on top. Absent elements (U = 0) stay 0.

    Parameters
    ----------
    u : array_like of float, shape (N,)
        The element's U-value without the fact (archetype) [W/(m²·K)].
    u_bare : array_like of float, shape (N,)
        U-value of the bare element of the dwelling's type
        (:func:`sim.archetypes.bare_element_u`) [W/(m²·K)].
    r_fact : float
        Thermal resistance the fact stands for [m²·K/W].

    Examples
    --------
    >>> [round(float(v), 3) for v in insulated_u([2.0, 0.3, 0.1, 0.0], [2.0] * 4, 4.5)]
    [0.2, 0.2, 0.1, 0.0]
    """
    u_arr = np.asarray(u, dtype=np.float64)
    bare = np.asarray(u_bare, dtype=np.float64)
    with_fact = 1.0 / (1.0 / np.where(bare > 0, bare, 1.0) + r_fact)
    return np.where(u_arr > 0, np.minimum(u_arr, with_fact), 0.0)


def _apply_facts(
    inputs: pd.DataFrame, facts: pd.DataFrame, arch_type: NDArray[np.object_]
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Override archetype values with known facts; return the provenance of each overridable input."""
    ov = fact_overrides()
    out = inputs.copy(deep=False)  # copy-on-write: the columns replaced below are new arrays
    bare = bare_element_u(arch_type)
    sources: dict[str, np.ndarray] = {}
    for fact, column in INSULATION_FACTS.items():
        known = facts[fact].astype("boolean")
        yes = known.fillna(False).to_numpy(dtype=bool)
        u = out[column].to_numpy()
        out[column] = np.where(yes, insulated_u(u, bare[column].to_numpy(), ov[fact][0]), u)
        sources[column] = np.where(known.notna().to_numpy(), "facts", "archetype")
    glazing = facts["glazing"].astype("string")
    u_win, g_win = out["u_window_w_m2k"].to_numpy().copy(), out["g_window"].to_numpy().copy()
    for kind in ("single", "double", "hr", "triple"):
        sel = glazing.eq(kind).fillna(False).to_numpy(dtype=bool)
        u_win[sel], g_win[sel] = ov[f"glazing_{kind}"]
    out["u_window_w_m2k"], out["g_window"] = u_win, g_win
    sources["u_window_w_m2k"] = np.where(glazing.notna().to_numpy(), "facts", "archetype")
    hs = facts["heating_system"]
    known_hs = hs.notna().to_numpy()
    codes = pd.to_numeric(hs, errors="coerce").fillna(-1).to_numpy(dtype=np.int64)
    out["heating_system"] = np.where(known_hs, codes, out["heating_system"].to_numpy())
    sources["heating_system"] = np.where(known_hs, "facts", "archetype")
    return out, sources


def _assign_sectors(twin: gpd.GeoDataFrame, rs: ReadResult | None) -> gpd.GeoDataFrame:
    """Sector of each dwelling: the sector that contains its building's representative point.

    Adds ``sector_id`` and ``sector_name`` to ``twin`` in place (the twin is the builder's own).
    """
    if rs is None:
        twin.insert(3, "sector_id", pd.array([pd.NA] * len(twin), dtype="string"))
        twin.insert(4, "sector_name", pd.array([pd.NA] * len(twin), dtype="string"))
        return twin
    sectors = gpd.GeoDataFrame(rs.frame).reset_index(drop=True)
    # one point per building, not per dwelling: the dwellings of a building share its footprint
    code, _ = pd.factorize(twin["building_id"].to_numpy(dtype=object))
    first = np.flatnonzero(np.r_[True, np.diff(np.maximum.accumulate(code)) > 0])
    points = shapely.point_on_surface(twin.geometry.to_numpy()[first])
    # the first sector (in file order) that holds the point, -1 where none does
    # the tree over the points, each sector asked once: shapely prepares the querying geometry,
    # and a prepared sector polygon tests its many points fast
    s_i, p_i = shapely.STRtree(points).query(sectors.geometry.to_numpy(), predicate="contains")
    order = np.lexsort((s_i, p_i))
    p_i, s_i = p_i[order], s_i[order]
    keep = np.r_[True, p_i[1:] != p_i[:-1]] if len(p_i) else np.zeros(0, dtype=bool)
    sector = np.full(len(first), -1, dtype=np.int64)
    sector[p_i[keep]] = s_i[keep]
    per_dwelling = sector[code]
    for at, col in ((3, "sector_id"), (4, "sector_name")):
        values = sectors[col].astype("string").array.take(per_dwelling, allow_fill=True)
        twin.insert(at, col, values)
    return twin


def _accounting(
    twin: gpd.GeoDataFrame, rejects: pd.DataFrame, *results: ReadResult | None
) -> pd.DataFrame:
    """Per source file: read, in the twin, repaired, rejected (and per reason); read = in_twin + rejected."""
    rows: list[dict[str, Any]] = []
    for r in results:
        if r is None:
            continue
        rej = rejects.loc[rejects["source"] == r.source]
        rows.append(
            {
                "source": r.source,
                "read": r.read,
                "in_twin": r.read - len(rej),
                "repaired": r.repaired,
                "rejected": len(rej),
                # per kind of reason: without the id a reason may name (the annex's building)
                "rejected_by_reason": "; ".join(
                    f"{k}: {v}"
                    for k, v in reasons_in_dutch(
                        rej["reason"].str.replace(_REASON_RECORD_PART, "", regex=True)
                    )
                    .value_counts()
                    .items()
                ),
            }
        )
    return pd.DataFrame(rows)


def write_twin(result: TwinResult, out: Path) -> dict[str, Path]:
    """Write the twin (GeoParquet + GeoPackage), ``rejects.csv`` and ``accounting.csv`` next to ``out``.

    Every file is first written under a temporary name in the same folder and renamed into
    place (:func:`os.replace`, atomic on one file system) only when all four are written: if
    writing fails, the twin that was there before stays as it was, files and all. The CSV
    files are safe to open in a spreadsheet (:func:`sim.csvsafe.write_csv`).

    Parameters
    ----------
    result : TwinResult
        What :func:`build_twin` returned.
    out : Path
        Path of the GeoParquet file, e.g. ``twin.parquet``; the others go in the same folder.

    Returns
    -------
    dict of str to Path
        Files written.
    """
    import os

    from sim.csvsafe import write_csv

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    final = {
        "twin": out,
        "gpkg": out.with_suffix(".gpkg"),
        "rejects": out.parent / "rejects.csv",
        "accounting": out.parent / "accounting.csv",
    }
    if result.sectors is not None:
        final["sectors"] = sectors_path(out)
    tag = f".tmp-{os.getpid()}"
    tmp = {k: p.with_name(f"{p.stem}{tag}{p.suffix}") for k, p in final.items()}
    try:
        result.dwellings.to_parquet(tmp["twin"], index=False, schema_version=None)
        _stamp_schema_version(tmp["twin"])
        result.dwellings.to_file(tmp["gpkg"], layer="woningen", driver="GPKG")
        if result.sectors is not None:
            _write_sectors(result.sectors, tmp["sectors"], tmp["gpkg"])
        write_csv(result.rejects, tmp["rejects"], index=False)
        write_csv(result.accounting, tmp["accounting"], index=False)
    except BaseException:
        for path in tmp.values():
            for leftover in (
                path,
                Path(f"{path}-wal"),
                Path(f"{path}-shm"),
                Path(f"{path}-journal"),
            ):
                leftover.unlink(missing_ok=True)
        raise
    # the twin last: whoever sees the new twin finds its rejects, accounting and
    # neighbourhoods beside it; without polygons an earlier build's sidecar is removed so it
    # cannot be taken for this twin's
    if result.sectors is None:
        sectors_path(out).unlink(missing_ok=True)
    for key in ("rejects", "accounting", "sectors", "gpkg", "twin"):
        if key in tmp:
            os.replace(tmp[key], final[key])
    return final


#: GPKG layer of the twin's neighbourhood polygons (next to the layer ``woningen``).
SECTORS_LAYER: str = "wijken"


def sectors_path(twin_path: Path) -> Path:
    """The GeoParquet file with a twin's neighbourhood polygons: ``twin.wijken.parquet`` next
    to ``twin.parquet``."""
    twin_path = Path(twin_path)
    return twin_path.with_name(f"{twin_path.stem}.{SECTORS_LAYER}.parquet")


def _write_sectors(sectors: gpd.GeoDataFrame, side: Path, gpkg: Path) -> None:
    """Store the neighbourhood polygons given at build time with the twin: the GeoParquet
    ``side`` (:func:`sectors_path`) and the layer :data:`SECTORS_LAYER` of the GeoPackage
    ``gpkg``."""
    cols = [c for c in SECTOR_COLUMNS if c in sectors]
    frame = gpd.GeoDataFrame(sectors[cols], geometry="geometry", crs=sectors.crs)
    frame.to_parquet(side, index=False, schema_version=None)
    frame.to_file(gpkg, layer=SECTORS_LAYER, driver="GPKG")


def _stamp_schema_version(path: Path) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = dict(table.schema.metadata or {})
    meta[SCHEMA_METADATA_KEY] = TWIN_SCHEMA_VERSION.encode()
    pq.write_table(table.replace_schema_metadata(meta), path)


def read_twin(path: Path) -> gpd.GeoDataFrame:
    """Read a twin file written by :func:`write_twin`, checking its schema version."""
    import pyarrow.parquet as pq

    path = Path(path)
    problems = Problems(f"tweelingbestand {path}")
    if not path.exists():
        problems.add("path", "bestaat niet; maak het met `wijk twin build` of `wijk twin demo`")
        problems.raise_if_any(SourceFileError)
    meta = pq.read_schema(path).metadata or {}
    version = meta.get(SCHEMA_METADATA_KEY, b"").decode()
    if version.split(".")[0] != TWIN_SCHEMA_VERSION.split(".")[0]:
        problems.add(
            "schema version",
            f"is {version or 'onbekend (ontbreekt)'}, deze tool leest {TWIN_SCHEMA_VERSION}; "
            "bouw de tweeling opnieuw met deze versie (`wijk twin build`)",
        )
        problems.raise_if_any(SourceFileError)
    return gpd.read_parquet(path)


def read_twin_sectors(path: Path) -> gpd.GeoDataFrame | None:
    """The neighbourhood polygons stored with a twin (:func:`write_twin`), or None when the twin
    was built without them.

    Parameters
    ----------
    path : Path
        The twin's GeoParquet (``twin.parquet``); the polygons are in :func:`sectors_path`.

    Returns
    -------
    GeoDataFrame or None
        ``sector_id``, ``sector_name``, ``municipality_nis``, geometry (EPSG:31370).
    """
    side = sectors_path(Path(path))
    if not side.exists():
        return None
    try:
        return gpd.read_parquet(side)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        problems = Problems(f"wijkgrenzen van de tweeling {path}")
        problems.add(
            side.name,
            f"kan niet gelezen worden ({exc}); bouw de tweeling opnieuw met `wijk twin build "
            "--sectors ...`, of verwijder dit bestand om de omhullenden van de gebouwen te "
            "gebruiken",
        )
        problems.raise_if_any(SourceFileError)
        raise  # unreachable: raise_if_any raised


def party_walls(twin: gpd.GeoDataFrame, min_shared_m: float | None = None) -> pd.DataFrame:
    """Pairs of the twin's buildings that share a wall: the party-wall graph of the twin.

    Parameters
    ----------
    twin : GeoDataFrame
        Twin rows (one per dwelling; the geometry is the building's footprint).
    min_shared_m : float, optional
        Shortest shared wall that links two buildings [m]; default ``min_party_wall_m`` of
        ``buildings/data/twin_parameters.csv`` (2 m), the threshold of ``attachment``.

    Returns
    -------
    DataFrame
        ``building_a``, ``building_b`` (building ids, ``building_a < building_b``) and
        ``shared_length_m`` [m] (:func:`buildings.geometry.shared_walls`).
    """
    if min_shared_m is None:
        min_shared_m = twin_parameters()["min_party_wall_m"]
    metric = twin if twin.crs is not None and twin.crs.to_epsg() == 31370 else twin.to_crs(TWIN_CRS)
    first = metric.drop_duplicates("building_id").sort_values("building_id", kind="stable")
    ids = first["building_id"].astype(str).to_numpy(dtype=object)
    pairs = geometry.shared_walls(first.geometry, min_length_m=float(min_shared_m))
    a = ids[pairs["i"].to_numpy(dtype=np.int64)]
    b = ids[pairs["j"].to_numpy(dtype=np.int64)]
    return pd.DataFrame(
        {
            "building_a": np.where(a < b, a, b),
            "building_b": np.where(a < b, b, a),
            "shared_length_m": pairs["length_m"].to_numpy(dtype=np.float64),
        }
    )

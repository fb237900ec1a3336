"""Admin areas: the shipped boundaries, which area each event falls in, and counts per area.

Boundaries are a GeoDataFrame with one row per area and the columns of
``BOUNDARY_COLUMNS``: ``key`` (what filters and URLs carry: ACLED's admin1
spelling for regions, ``"<admin1>/<admin2>"`` for cercles), ``name``,
``level``, ``admin1``, ``admin2``, ``covers`` (the admin1 names in event files
the shape stands for, e.g. Gao covers ``Gao`` and ``Menaka``), ``note`` and
the geometry. Mali's regions and cercles ship in the package (see
``data/AREAS_SOURCES.md``); other countries are read from a file the user names.

Three ways to put an event in an area, each for its own use:

- ``area_index`` / ``area_counts``: point in polygon on the event's
  coordinates, so counts match what the map draws;
- ``derive_admin_names``: fills ``admin1`` / ``admin2`` where the file left
  them empty (point in polygon through a geopandas spatial join) and marks
  those rows in ``admin_derived``; the file's own values win;
- ``area_mask``: the area filter, on the events' admin names (so the same
  answer comes from SQL in the database: ``store/where.py``).
"""

from __future__ import annotations

import csv
import functools
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from conflictmap.errors import ConflictmapError
from conflictmap.gazetteer import canonical_admin1

#: Admin levels areas exist for.
LEVELS: tuple[str, ...] = ("admin1", "admin2")
#: Boundary files inside the package, per level.
SHIPPED: dict[str, str] = {"admin1": "areas_mli_admin1.geojson", "admin2": "areas_mli_admin2.geojson"}
#: Columns of a boundaries table (besides geometry).
BOUNDARY_COLUMNS: tuple[str, ...] = ("key", "name", "level", "admin1", "admin2", "covers", "note")
#: Period choices of ``area_counts`` and the pandas period each stands for.
PERIODS: dict[str, str] = {"week": "W-SUN", "month": "M"}
#: ``admin_derived`` values: which admin names of a row came from point in polygon.
DERIVED_COLUMN = "admin_derived"
#: Separator of a cercle's key: ``"Mopti/Bandiagara"``.
KEY_SEP = "/"
OUTSIDE_KEY = ""
OUTSIDE_NAME = "(outside every area)"

_NAME_COLUMNS = {
    "admin1": ("key", "name", "admin1", "shapeName", "ADM1_FR", "ADM1_EN", "admin1Name", "NAME_1"),
    "admin2": ("key", "name", "admin2", "shapeName", "ADM2_FR", "ADM2_EN", "admin2Name", "NAME_2"),
}
_PARENT_COLUMNS = ("admin1", "ADM1_FR", "ADM1_EN", "admin1Name", "NAME_1")


class AreaDataError(ConflictmapError, ValueError):
    """Boundaries that cannot be used: the message names the file, the column or the level."""


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise AreaDataError(f"level {level!r} is not known; expected one of {list(LEVELS)}")
    return level


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _normalise(frame: gpd.GeoDataFrame, level: str, origin: str) -> gpd.GeoDataFrame:
    """A boundaries table in the shape this module uses, from a file's columns."""
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs(4326)
    if len(frame) == 0:
        raise AreaDataError(f"{origin} has no areas")
    kinds = set(frame.geometry.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise AreaDataError(f"{origin}: areas must be polygons; found {sorted(kinds)}")
    name_col = next((c for c in _NAME_COLUMNS[level] if c in frame.columns), None)
    if name_col is None:
        raise AreaDataError(f"{origin} has no name column; expected one of {list(_NAME_COLUMNS[level])}")
    names = [_text(v) for v in frame[name_col]]
    for row, name in enumerate(names, start=1):
        if not name:
            raise AreaDataError(f"{origin} feature {row}: column {name_col!r} is empty; expected the area's name")
    geometry = shapely.make_valid(frame.geometry.values)
    out = pd.DataFrame({"name": names, "level": level})
    if level == "admin1":
        out["admin1"] = names
        out["admin2"] = ""
        out["key"] = [_text(k) or n for k, n in zip(frame.get("key", names), names, strict=True)]
    else:
        parent_col = next((c for c in _PARENT_COLUMNS if c in frame.columns and c != name_col), None)
        if parent_col is not None:
            # A region written as the file writes it ("Tombouctou") keyed as ACLED writes it ("Timbuktu").
            parents = [canonical_admin1(p) or p for p in (_text(v) for v in frame[parent_col])]
        else:
            # A cercle's region from the region its interior point lies in (geoBoundaries' ADM2 has no parent).
            regions = load_boundaries("admin1")
            points = shapely.point_on_surface(geometry)
            where = _locate(regions, shapely.get_x(points), shapely.get_y(points))
            parents = [regions["key"].iat[i] if i >= 0 else "" for i in where]
        out["admin1"] = parents
        out["admin2"] = names
        out["key"] = [f"{p}{KEY_SEP}{n}" if p else n for p, n in zip(parents, names, strict=True)]
    covers = frame["covers"] if "covers" in frame.columns else out["admin1"]
    out["covers"] = [
        tuple(dict.fromkeys(x.strip() for x in (_text(c) or a).split("|") if x.strip()))
        for c, a in zip(covers, out["admin1"], strict=True)
    ]
    out["note"] = [_text(v) for v in frame["note"]] if "note" in frame.columns else ""
    if "name_local" in frame.columns:
        out["name_local"] = [_text(v) or n for v, n in zip(frame["name_local"], names, strict=True)]
    else:
        out["name_local"] = names
    dupes = out["key"][out["key"].duplicated()].unique().tolist()
    if dupes:
        raise AreaDataError(f"{origin}: area keys {dupes} appear more than once; expected one shape per area")
    return gpd.GeoDataFrame(out, geometry=geometry, crs=4326)


@functools.cache
def _shipped(level: str) -> gpd.GeoDataFrame:
    resource = resources.files("conflictmap") / "data" / SHIPPED[level]
    with resources.as_file(resource) as path:
        frame = gpd.read_file(path)
    return _normalise(frame, level, f"the package's {SHIPPED[level]}")


def load_boundaries(level: str = "admin1", path: str | Path | None = None) -> gpd.GeoDataFrame:
    """The areas of one admin level: Mali's shipped regions, or those of a file.

    Parameters
    ----------
    level : {"admin1", "admin2"}
        Regions or cercles (districts).
    path : path, optional
        A GeoJSON, GeoPackage or shapefile of areas (e.g. geoBoundaries or OCHA COD-AB);
        without it, the boundaries shipped in the package.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per area with ``BOUNDARY_COLUMNS``, ``name_local`` and the geometry (EPSG:4326).

    Raises
    ------
    AreaDataError
        On an unknown level, no shipped boundaries for it, or a file without polygons or names.
    """
    _check_level(level)
    if path is None:
        if level not in SHIPPED:
            raise AreaDataError(
                f"no {level} boundaries ship with conflictmap yet; give a file of them "
                "(e.g. geoBoundaries' MLI ADM2 GeoJSON) with --boundaries"
            )
        return _shipped(level).copy()
    source = Path(path)
    if not source.is_file():
        raise AreaDataError(f"no such boundaries file: {source}")
    try:
        frame = gpd.read_file(source)
    except Exception as exc:  # pyogrio raises its own DataSourceError and friends
        raise AreaDataError(f"{source} could not be read as a map file: {exc}") from None
    return _normalise(frame, level, str(source))


# ---------------------------------------------------------------- point in polygon


def _locate(areas: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Row of ``areas`` each point falls in, -1 for none; the first area wins on a shared border."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.full(len(lon), -1, dtype=np.int32)
    ok = np.isfinite(lon) & np.isfinite(lat)
    for i, geom in enumerate(areas.geometry.values):
        if geom is None or geom.is_empty:
            continue
        west, south, east, north = geom.bounds
        # The bounding box first: a cheap comparison removes most points from the exact test.
        cand = np.flatnonzero(ok & (out < 0) & (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north))
        if len(cand) == 0:
            continue
        shapely.prepare(geom)
        hit = shapely.intersects_xy(geom, lon[cand], lat[cand])
        out[cand[hit]] = i
    return out


# (id of the longitude column's memory, ids of the areas' shapes)
#   -> (weak reference to that memory, a sample of the coordinates, the answer)
_INDEX_CACHE: dict[tuple[int, tuple[int, ...]], tuple[weakref.ref, np.ndarray, np.ndarray]] = {}


def _sample(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    picks = np.linspace(0, len(lon) - 1, num=min(len(lon), 64)).astype(np.int64)
    return np.concatenate([lon[picks], lat[picks], [len(lon)]])


def area_index(events: pd.DataFrame, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Row of ``areas`` each event's point falls in (-1 outside every area).

    The answer is kept while the events' coordinate columns live, so a page asking
    again for the same table (another measure, the period before) pays once.

    Parameters
    ----------
    events : pandas.DataFrame
        With ``longitude`` and ``latitude``.
    areas : geopandas.GeoDataFrame
        From ``load_boundaries``.

    Returns
    -------
    numpy.ndarray of int32
    """
    lon = np.asarray(events["longitude"].to_numpy(), dtype=float)
    lat = np.asarray(events["latitude"].to_numpy(), dtype=float)
    if len(lon) == 0:
        return np.zeros(0, dtype=np.int32)
    # A column's values are a fresh view at each access; the memory under them is what lasts.
    memory = lon.base if isinstance(lon.base, np.ndarray) else lon
    # Copies of a boundaries table share its shapes, so the shapes name the table.
    key = (id(memory), tuple(id(g) for g in areas.geometry.values))
    sample = _sample(lon, lat)
    cached = _INDEX_CACHE.get(key)
    if cached is not None and cached[0]() is memory and np.array_equal(cached[1], sample, equal_nan=True):
        return cached[2]
    found = _locate(areas, lon, lat)
    ref = weakref.ref(memory, lambda _r, k=key: _INDEX_CACHE.pop(k, None))
    _INDEX_CACHE[key] = (ref, sample, found)
    return found


def _period_starts(days: pd.Series, by: str) -> np.ndarray:
    """Each date's period start as a day number since 1970-01-01 (Mondays, or first days of months)."""
    if by not in PERIODS:
        raise AreaDataError(f"by {by!r} is not known; expected one of {list(PERIODS)} or none")
    day = days.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    if by == "week":
        n = day.astype(np.int64)
        # 1970-01-01 was a Thursday: (n + 3) % 7 is the weekday, 0 for Monday.
        return n - (n + 3) % 7
    return day.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def area_counts(
    events: pd.DataFrame,
    level: str = "admin1",
    by: str | None = None,
    *,
    areas: gpd.GeoDataFrame | None = None,
    mask: np.ndarray | None = None,
) -> pd.DataFrame:
    """Events and fatalities per area (and per week or month), by point in polygon.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events (filtered already).
    level : {"admin1", "admin2"}
        Which areas, when ``areas`` is not given.
    by : {None, "week", "month"}
        Split each area's counts by the period of ``event_date`` (weeks start on Monday).
    areas : geopandas.GeoDataFrame, optional
        Boundaries from ``load_boundaries``; the shipped ones of ``level`` otherwise.
    mask : numpy.ndarray of bool, optional
        Count only these rows of ``events`` (``FilterSpec.mask``): the page passes its whole
        table and the filter's mask, so the point-in-polygon answer kept for the table serves
        every filter and no filtered copy is made.

    Returns
    -------
    pandas.DataFrame
        Columns ``key``, ``name``, ``admin1``, ``admin2``, (``period`` with ``by``), ``events``,
        ``fatalities``. Without ``by`` every area has a row (zeros included), in the order of
        ``areas``; with ``by`` only areas and periods that have events, by key then period.
        Events outside every area come last, with key ``""``.
    """
    if areas is None:
        areas = load_boundaries(level)
    where = area_index(events, areas)
    n_areas = len(areas)
    slot = np.where(where >= 0, where, n_areas)
    fatalities = events["fatalities"].to_numpy(dtype=float, na_value=0.0) if len(events) else np.zeros(0)
    days = events["event_date"] if by is not None else None
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if len(mask) != len(events):
            raise AreaDataError(f"the mask has {len(mask):,} values for {len(events):,} events")
        slot, fatalities = slot[mask], fatalities[mask]
        days = days[mask] if days is not None else None
    labels = pd.DataFrame(
        {
            "key": [*areas["key"], OUTSIDE_KEY],
            "name": [*areas["name"], OUTSIDE_NAME],
            "admin1": [*areas["admin1"], ""],
            "admin2": [*areas["admin2"], ""],
        }
    )
    if by is None:
        counts = np.bincount(slot, minlength=n_areas + 1)
        deaths = np.bincount(slot, weights=fatalities, minlength=n_areas + 1)
        out = labels.assign(events=counts.astype(np.int64), fatalities=deaths.astype(np.int64))
        keep = np.ones(n_areas + 1, dtype=bool)
        keep[-1] = counts[-1] > 0
        return out[keep].reset_index(drop=True)
    # One integer per (area, period): counting them is a bincount, not a groupby over objects.
    starts = _period_starts(days, by)
    if len(starts) == 0:
        empty = labels.iloc[0:0].assign(period=[], events=np.zeros(0, np.int64), fatalities=np.zeros(0, np.int64))
        return empty.reset_index(drop=True)
    first = int(starts.min())
    span = int(starts.max()) - first + 1
    code = slot.astype(np.int64) * span + (starts - first)
    used, inverse = np.unique(code, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(used))
    deaths = np.bincount(inverse, weights=fatalities, minlength=len(used))
    out = labels.iloc[used // span].reset_index(drop=True)
    out["period"] = (used % span + first).astype("datetime64[D]").astype(object)
    out["events"] = counts.astype(np.int64)
    out["fatalities"] = deaths.astype(np.int64)
    return out


def compare_counts(now: pd.DataFrame, before: pd.DataFrame, measure: str = "events") -> pd.DataFrame:
    """Each area's count now, in the period before, and the change.

    Parameters
    ----------
    now, before : pandas.DataFrame
        ``area_counts`` without ``by`` for the period and for the one before it.
    measure : {"events", "fatalities"}

    Returns
    -------
    pandas.DataFrame
        ``now``'s rows with ``before``, ``change`` (now - before) and ``change_pct``
        (``NaN`` where the period before had none).
    """
    if measure not in ("events", "fatalities"):
        raise AreaDataError(f"measure {measure!r} is not known; expected 'events' or 'fatalities'")
    prior = before.set_index("key")[measure]
    out = now[["key", "name", "admin1", "admin2"]].copy()
    out["now"] = now[measure].to_numpy()
    out["before"] = out["key"].map(prior).fillna(0).astype(np.int64).to_numpy()
    out["change"] = out["now"] - out["before"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(out["before"] > 0, 100.0 * out["change"] / out["before"].where(out["before"] > 0), np.nan)
    out["change_pct"] = pct
    return out


# ---------------------------------------------------------------- derived admin names


def _blank(values: pd.Series) -> np.ndarray:
    text = values.astype("string")
    return (text.isna() | (text.str.strip() == "")).to_numpy(dtype=bool, na_value=True)


def derive_admin_names(
    events: gpd.GeoDataFrame,
    admin1: gpd.GeoDataFrame | None = None,
    admin2: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Fill empty ``admin1`` / ``admin2`` from the area each event's point lies in.

    A geopandas spatial join (``predicate="within"``) finds the area; only empty
    names are filled, so the file's own values win. Rows that got a name say
    which in ``admin_derived`` (``"admin1"``, ``"admin2"`` or ``"admin1,admin2"``;
    ``""`` for rows left as they were).

    Parameters
    ----------
    events : geopandas.GeoDataFrame
        Canonical events.
    admin1, admin2 : geopandas.GeoDataFrame, optional
        Boundaries; the shipped regions and cercles by default.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``events`` with the names filled and the ``admin_derived`` column.
    """
    out = events.copy()
    derived = np.full(len(out), "", dtype=object)
    if admin1 is None:
        admin1 = load_boundaries("admin1")
    if admin2 is None:
        admin2 = load_boundaries("admin2")
    for level, areas in (("admin1", admin1), ("admin2", admin2)):
        if areas is None or len(out) == 0 or level not in out.columns:
            continue  # a table without the column asks for the other level only
        empty = _blank(out[level])
        if not empty.any():
            continue
        points = out.loc[empty, ["geometry"]]
        columns = [level, "admin1", "geometry"] if level == "admin2" else [level, "geometry"]
        joined = gpd.sjoin(points, areas[columns], how="left", predicate="within")
        # A point on a shared border joins twice: the first area wins, as in area_index.
        joined = joined[~joined.index.duplicated(keep="first")]
        found = joined[f"{level}_right" if f"{level}_right" in joined else level].reindex(points.index)
        got = found.notna().to_numpy() & (found.astype("string").fillna("") != "").to_numpy()
        if level == "admin2":
            # A cercle only under the row's own region (a file's "Mopti" row keeps no cercle of Gao).
            covers = {k: set(c) | {k} for k, c in zip(admin1["key"], admin1["covers"], strict=True)}
            parent = joined["admin1_right" if "admin1_right" in joined else "admin1"].reindex(points.index)
            own = out.loc[empty, "admin1"].astype("string").fillna("").to_numpy()
            got &= np.array(
                [
                    isinstance(p, str) and (canonical_admin1(o) or o) in covers.get(p, {p})
                    for p, o in zip(parent, own, strict=True)
                ]
            )
        if not got.any():
            continue
        rows = np.flatnonzero(empty)[got]
        column = out[level]
        if isinstance(column.dtype, pd.CategoricalDtype):
            new = sorted(set(found[got]) - set(column.cat.categories))
            if new:
                out[level] = column.cat.add_categories(new)
        out.iloc[rows, out.columns.get_loc(level)] = found.to_numpy()[got]
        derived[rows] = np.where(derived[rows] == "", level, derived[rows] + "," + level)
    out[DERIVED_COLUMN] = pd.array(derived, dtype="string")
    return out


# ---------------------------------------------------------------- the area filter


def parse_area_keys(keys: Iterable[str]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Area keys split into region keys and (region, cercle) pairs."""
    regions: list[str] = []
    cercles: list[tuple[str, str]] = []
    for key in keys:
        if KEY_SEP in key:
            region, _, cercle = key.partition(KEY_SEP)
            cercles.append((region.strip(), cercle.strip()))
        else:
            regions.append(key.strip())
    return tuple(regions), tuple(cercles)


@functools.cache
def _admin1_spellings() -> dict[str, tuple[str, ...]]:
    """ACLED admin1 name -> the spellings files use for it (``data/admin1.csv``: French names, new regions)."""
    resource = resources.files("conflictmap") / "data" / "admin1.csv"
    out: dict[str, tuple[str, ...]] = {}
    with resource.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = (row.get("admin1") or "").strip()
            aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
            out[name] = tuple(dict.fromkeys([name, *aliases]))
    return out


def covered_names(region: str) -> tuple[str, ...]:
    """The admin1 labels in event files that a region key stands for.

    The region's own ACLED names (``Gao`` covers ``Gao`` and ``Menaka``) and every spelling
    ``data/admin1.csv`` gives them: French names (``Tombouctou``), "Région de ..." forms, and
    the regions made since 2016 that lie inside it (``Mopti`` takes ``Bandiagara`` and
    ``Douentza``), so files written with the 2023 regions fall in the shapes drawn.
    """
    shipped = _shipped("admin1")
    # A key in any case and with or without accents ("Ségou", "SEGOU") is the shipped key ("Segou").
    hit = shipped.loc[shipped["key"].map(fold_name) == fold_name(region), "covers"]
    names = tuple(hit.iat[0]) if len(hit) else (region,)
    spellings = _admin1_spellings()
    return tuple(dict.fromkeys(s for n in names for s in spellings.get(n, (n,))))


@functools.lru_cache(maxsize=4096)
def fold_name(name: str) -> str:
    """An admin name as area names are compared: without accents, case or repeated spaces ("Ségou" is "segou")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().split())


def matching_area_labels(
    keys: Sequence[str], admin1: Iterable[str], admin2: Iterable[str] = ()
) -> tuple[list[str], list[tuple[str, str]]]:
    """The admin labels of a table that the area filter ``keys`` keeps, compared as ``fold_name`` does.

    Parameters
    ----------
    keys : sequence of str
        Area keys (``"Mopti"``, ``"Mopti/Djenne"``).
    admin1, admin2 : iterable of str
        The table's distinct ``admin1`` and ``admin2`` labels.

    Returns
    -------
    (list of str, list of (str, str))
        The admin1 labels an event may have, and the (admin1, admin2) labels it may have;
        an event passes when either matches. ``"Mopti/Djenne"`` keeps "Mopti"/"Djenné".
    """
    names, pairs = area_conditions(keys)
    folded = {fold_name(n) for n in names}
    labels1 = [str(label) for label in admin1]
    kept = [label for label in labels1 if fold_name(label) in folded]
    wanted: dict[str, set[str]] = {}
    for pair in pairs:
        region, _, cercle = pair.partition(KEY_SEP)
        wanted.setdefault(fold_name(region), set()).add(fold_name(cercle))
    kept_pairs: list[tuple[str, str]] = []
    if wanted:
        labels2 = [str(label) for label in admin2]
        for first in labels1:
            cercles = wanted.get(fold_name(first))
            if cercles:
                kept_pairs += [(first, second) for second in labels2 if fold_name(second) in cercles]
    return kept, kept_pairs


def area_conditions(keys: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the area filter matches: admin1 names, and ``"admin1/admin2"`` pairs.

    Parameters
    ----------
    keys : sequence of str
        Area keys (``"Mopti"``, ``"Mopti/Bandiagara"``).

    Returns
    -------
    (tuple of str, tuple of str)
        The admin1 labels an event may have, and the ``admin1/admin2`` labels it may have;
        an event passes when either matches.
    """
    regions, cercles = parse_area_keys(keys)
    names = tuple(dict.fromkeys(n for r in regions for n in covered_names(r)))
    pairs = tuple(dict.fromkeys(f"{n}{KEY_SEP}{c}" for r, c in cercles for n in covered_names(r)))
    return names, pairs


def area_mask(events: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    """Which events lie in one of the areas ``keys``, by their admin names (accents and case aside).

    Parameters
    ----------
    events : pandas.DataFrame
        With ``admin1`` and ``admin2`` (run ``derive_admin_names`` first for files without them).
    keys : sequence of str
        Area keys.

    Returns
    -------
    numpy.ndarray of bool
    """
    codes1, labels1 = _codes(events["admin1"])
    codes2, labels2 = _codes(events["admin2"])
    names, pairs = matching_area_labels(keys, labels1, labels2 if any(KEY_SEP in k for k in keys) else ())
    chosen = set(names)
    keep = np.isin(codes1, [i for i, label in enumerate(labels1) if label in chosen])
    at1 = {label: i for i, label in enumerate(labels1)}
    at2 = {label: i for i, label in enumerate(labels2)}
    for region, cercle in pairs:
        keep |= (codes1 == at1[region]) & (codes2 == at2[cercle])
    return keep


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes and their labels (missing: -1), without making a string per row."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return np.asarray(values.array.codes), [str(c) for c in values.cat.categories]
    codes, uniques = pd.factorize(values)
    return codes, [str(u) for u in uniques]


def area_label(key: str) -> str:
    """A key as words: ``"Mopti/Bandiagara"`` -> ``"Bandiagara (Mopti)"``."""
    region, sep, cercle = key.partition(KEY_SEP)
    return f"{cercle} ({region})" if sep else region


def counts_from_names(
    named: pd.DataFrame, level: str = "admin1", *, areas: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """Counts per admin name (e.g. a store's ``GROUP BY admin1``) as per-area counts, ``area_counts``' shape.

    For a database that should not send every point: ``store.timeline(spec, "M", "admin1")``
    (summed over periods) gives events and fatalities per admin1 label, and this puts each
    label in the area that covers it (``covered_names``: Ménaka in Gao, Tombouctou in
    Timbuktu). These counts follow the file's names, not the points; ``area_counts``
    follows the points.

    Parameters
    ----------
    named : pandas.DataFrame
        ``admin1`` (and ``admin2`` for cercles), ``events``, ``fatalities``; other columns
        (a period) are summed over.
    level : {"admin1", "admin2"}
    areas : geopandas.GeoDataFrame, optional
        The boundaries; the shipped ones of ``level`` by default.

    Returns
    -------
    pandas.DataFrame
        ``key``, ``name``, ``admin1``, ``admin2``, ``events``, ``fatalities``: every area, then
        the labels no area covers under key ``""``.
    """
    if areas is None:
        areas = load_boundaries(level)
    owner: dict[str, str] = {}
    for key, region in zip(areas["key"], areas["admin1"], strict=True):
        for spelling in covered_names(region if level == "admin2" else key):
            owner.setdefault(spelling, region if level == "admin2" else key)
    region = named["admin1"].astype("string").fillna("").map(lambda n: owner.get(n, ""))
    if level == "admin2":
        pairs = region + KEY_SEP + named["admin2"].astype("string").fillna("")
        key = pairs.where(pairs.isin(set(areas["key"])), "")
    else:
        key = region
    frame = pd.DataFrame(
        {
            "key": key.to_numpy(dtype=object),
            "events": named["events"].to_numpy(),
            "fatalities": named["fatalities"].to_numpy(),
        }
    )
    summed = frame.groupby("key")[["events", "fatalities"]].sum()
    out = pd.DataFrame(
        {"key": areas["key"], "name": areas["name"], "admin1": areas["admin1"], "admin2": areas["admin2"]}
    )
    out["events"] = out["key"].map(summed["events"]).fillna(0).astype(np.int64).to_numpy()
    out["fatalities"] = out["key"].map(summed["fatalities"]).fillna(0).astype(np.int64).to_numpy()
    if "" in summed.index and summed.loc["", "events"] > 0:
        rest = {"key": OUTSIDE_KEY, "name": OUTSIDE_NAME, "admin1": "", "admin2": ""}
        rest |= {"events": int(summed.loc["", "events"]), "fatalities": int(summed.loc["", "fatalities"])}
        out = pd.concat([out, pd.DataFrame([rest])], ignore_index=True)
    return out.reset_index(drop=True)

"""FilterSpec: which events to show, applied to an event table and carried in URL query parameters.

A ``FilterSpec`` is where filter values enter (widgets, URLs, the CLI), so it
checks them on creation and raises ``FilterError`` naming the bad value. An
empty field means "no constraint"; the fields combine with AND.

Semantics
---------
dates
    an event is kept when its ``[event_date, date_end]`` overlaps ``[date_from, date_to]``
    (both ends inclusive, either may be open).
event_types, sub_event_types
    an event is kept when its type is in ``event_types`` OR its sub-type is in
    ``sub_event_types``; choosing "Battles" and "Attack" shows all battles and
    the attacks among violence against civilians.
actors
    actor keys or any actor names, matched through ``actors.actor_mask`` with members included.
admin1
    regions in any spelling, matched by region key (``regions.region_mask``):
    ``?region=Timbuktu`` keeps ACLED's "Tombouctou", "Ségou" keeps "Segou", and
    the regions created in 2023 count as the ones they were carved out of.
datasets
    exact labels as they appear in the table.
text
    one phrase, found case- and accent-insensitively ("segou" finds "Ségou") in
    notes, actors, location, admin1, admin2 and tags ("crowd size=around 200"); a place or region is found by
    any of its spellings in the gazetteer ("tombouctou" finds "Timbuktu",
    ``text_matches_label``). Folding the notes costs about
    1.5 s per million events; the result is kept while the table's notes column
    lives, so later searches on the same table cost one substring scan (about
    0.1 s per million).
bbox
    ``(west, south, east, north)`` in degrees on longitude/latitude, edges inclusive;
    boxes crossing the antimeridian are not supported.
polygon
    a ring of ``(longitude, latitude)`` vertices (at least 3, at most ``MAX_POLYGON_VERTICES``,
    kept to ``POLYGON_DECIMALS`` decimals, about a metre; edges may not cross); an event is
    kept when its point is inside or on the edge (``covers``). ``polygon_bbox`` is the box
    around it, which databases use first. In a URL: ``poly=lon,lat;lon,lat;...``.
actor_types
    ACLED's actor types ("State forces", "Civilians"); an event is kept when actor 1
    or actor 2 is of one of them.
interactions
    ACLED's interactions ("State forces-Civilians", "Protesters only"; codes such as
    17 are read too, and either order of the two types); an event is kept when its
    interaction is one of them.
clear_only
    keep only events their source does not mark unclear: UCDP's ``event_clarity`` 2
    or a ``code_status`` other than "Clear" are left out; events without these fields
    (ACLED's, one's own) stay.
areas
    admin area keys (``"Mopti"``, ``"Mopti/Bandiagara"``, see ``conflictmap.areas``),
    matched on the events' admin names; a region key takes the names it covers
    (Gao: Gao and Menaka).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from conflictmap import gazetteer
from conflictmap.actors import actor_key, actor_mask, display_name
from conflictmap.areas import area_label, area_mask
from conflictmap.errors import ConflictmapError
from conflictmap.messages import quote
from conflictmap.regions import region_key, region_mask, region_spellings
from conflictmap.schema import ACTOR_COLUMNS, ACTOR_TYPES, EVENT_TYPES, INTERACTIONS, SUB_EVENT_TYPES, interaction_label

#: Columns the free-text search looks in (``notes`` separately: it is free text, not categories).
TEXT_SEARCH_COLUMNS: tuple[str, ...] = (*ACTOR_COLUMNS, "location", "admin1", "admin2", "tags")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


#: The days an event table can hold: whole years inside pandas' nanosecond timestamps (1677-09-21 to
#: 2262-04-11), so weeks and months around them can be counted too. Readers take 1800-2200 only.
TABLE_FIRST_DAY = date(1678, 1, 1)
TABLE_LAST_DAY = date(2261, 12, 31)
# A year of five or more digits, or year 0: a date, but none Python (or a table) can hold.
_YEAR_BEYOND = re.compile(r"^(\d{5,}|0000)-\d{2}-\d{2}$")


class FilterError(ConflictmapError, ValueError):
    """A filter value is not acceptable; the message names the field (or query parameter) and the value."""


# ---------------------------------------------------------------- value parsing
# Each parser takes the raw value and a label ("field 'date_from'" or "query parameter 'from'").


def _parse_date(value: object, label: str) -> date | None:
    if value is None or value is pd.NaT or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
        if _YEAR_BEYOND.match(value.strip()):
            raise FilterError(f"{label} has {quote(value)}: out of range; expected a date up to 9999-12-31")
    raise FilterError(f"{label} has {quote(value)}; expected a date as YYYY-MM-DD")


def _as_tuple(value: object, label: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if items is None:
        return ()
    if not isinstance(items, Iterable):
        raise FilterError(f"{label} has {quote(value)}; expected a list of text values")
    out = []
    for item in items:
        if not isinstance(item, str):
            raise FilterError(f"{label} has {quote(item)}; expected text")
        if item.strip():
            out.append(item.strip())
    return tuple(dict.fromkeys(out))


def _parse_choices(allowed: tuple[str, ...], what: str) -> Callable[[object, str], tuple[str, ...]]:
    by_fold = {a.casefold(): a for a in allowed}

    def parse(value: object, label: str) -> tuple[str, ...]:
        out = []
        for item in _as_tuple(value, label):
            if item.casefold() not in by_fold:
                raise FilterError(f"{label} has unknown {what} {quote(item)}; expected one of {list(allowed)}")
            out.append(by_fold[item.casefold()])
        return tuple(dict.fromkeys(out))

    return parse


def _parse_count(value: object, label: str) -> int:
    if isinstance(value, str) and value.strip().lstrip("+").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise FilterError(f"{label} has {quote(value)}; expected a whole number of 0 or more")
    return int(value)


def _parse_precision(value: object, label: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 1 <= value <= 4:
        raise FilterError(f"{label} has {quote(value)}; expected an integer from 1 to 4")
    return int(value)


def _parse_text(value: object, label: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FilterError(f"{label} has {quote(value)}; expected text")
    return value.strip()


def _parse_bbox(value: object, label: str) -> tuple[float, float, float, float] | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parts = value.split(",") if isinstance(value, str) else value
    try:
        west, south, east, north = (float(p) for p in parts)
    except (TypeError, ValueError):
        raise FilterError(f"{label} has {quote(value)}; expected four numbers west,south,east,north") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise FilterError(f"{label} has {quote(value)}; expected finite numbers")
    if not (-180 <= west <= east <= 180):
        raise FilterError(f"{label} has {quote(value)}; expected -180 <= west <= east <= 180")
    if not (-90 <= south <= north <= 90):
        raise FilterError(f"{label} has {quote(value)}; expected -90 <= south <= north <= 90")
    return (west, south, east, north)


#: Most vertices a polygon filter may have (a URL carries them all: about 20 characters each).
MAX_POLYGON_VERTICES = 200
#: Decimals a polygon's vertices are kept to (1e-5 degree is about a metre), so its URL gives it back exactly.
POLYGON_DECIMALS = 5
Ring = tuple[tuple[float, float], ...]
_POLYGON_HELP = "expected at least 3 vertices as lon,lat;lon,lat;lon,lat"


def _vertex(item: object) -> tuple[float, float]:
    parts = item.split(",") if isinstance(item, str) else item
    lon, lat = (float(p) for p in parts)  # type: ignore[union-attr]
    return lon, lat


def _parse_polygon(value: object, label: str) -> Ring | None:
    """A ring of (lon, lat) vertices from ``"lon,lat;lon,lat;..."`` or pairs; closed or open, kept open."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    items = value.strip().strip(";").split(";") if isinstance(value, str) else value
    try:
        items = list(items)  # type: ignore[call-overload]
    except TypeError:
        raise FilterError(f"{label} has {quote(value)}; {_POLYGON_HELP}") from None
    if len(items) > MAX_POLYGON_VERTICES + 1:  # one more: the closing vertex
        raise FilterError(
            f"{label} has {len(items):,} vertices; a polygon may have at most {MAX_POLYGON_VERTICES} "
            "(draw a simpler one)"
        )
    try:
        ring = [_vertex(item) for item in items]
    except (TypeError, ValueError):
        raise FilterError(f"{label} has {quote(value)}; {_POLYGON_HELP}") from None
    for lon, lat in ring:
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise FilterError(f"{label} has the vertex {quote(f'{lon},{lat}')}; expected finite numbers")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise FilterError(
                f"{label} has the vertex {quote(f'{lon:g},{lat:g}')}; expected -180 <= lon <= 180, -90 <= lat <= 90"
            )
    kept: list[tuple[float, float]] = []
    for lon, lat in ring:
        vertex = (round(lon, POLYGON_DECIMALS) + 0.0, round(lat, POLYGON_DECIMALS) + 0.0)
        if not kept or vertex != kept[-1]:
            kept.append(vertex)
    if len(kept) > 1 and kept[0] == kept[-1]:
        kept.pop()
    if len(kept) > MAX_POLYGON_VERTICES:
        raise FilterError(
            f"{label} has {len(kept)} vertices; a polygon may have at most {MAX_POLYGON_VERTICES} (draw a simpler one)"
        )
    if len(kept) < 3:
        raise FilterError(f"{label} has {quote(value)}; {_POLYGON_HELP}")
    shape = shapely.Polygon(kept)
    if not shape.is_valid or shape.area == 0:
        reason = "it has no area" if shape.area == 0 else shapely.is_valid_reason(shape).split("[")[0].lower()
        raise FilterError(
            f"{label} has {quote(value)}: not a simple polygon ({reason}); expected edges that do not cross"
        )
    return tuple(kept)


def polygon_text(ring: Ring) -> str:
    """A ring as ``"lon,lat;lon,lat;..."`` (the URL's ``poly``), each number as short as it can be."""
    return ";".join(f"{_short(lon)},{_short(lat)}" for lon, lat in ring)


def _short(value: float) -> str:
    text = f"{value:.{POLYGON_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@functools.lru_cache(maxsize=64)
def polygon_shape(ring: Ring) -> shapely.Polygon:
    """The ring as a prepared shapely polygon (tests on many points are fast)."""
    shape = shapely.Polygon(ring)
    shapely.prepare(shape)
    return shape


def polygon_wkt(ring: Ring) -> str:
    """The ring as closed WKT with every coordinate exact (what the databases are sent)."""
    closed = (*ring, ring[0])
    return "POLYGON((" + ", ".join(f"{lon!r} {lat!r}" for lon, lat in closed) + "))"


def ring_bbox(ring: Ring) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` around a ring."""
    lons, lats = zip(*ring, strict=True)
    return (min(lons), min(lats), max(lons), max(lats))


def _in_box(box: tuple[float, float, float, float], lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Which points lie in ``(west, south, east, north)``, edges included."""
    west, south, east, north = box
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def covers_points(ring: Ring, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Which points are inside the ring or on its edge (the same test in every backend)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return shapely.intersects_xy(polygon_shape(ring), lon, lat) & np.isfinite(lon) & np.isfinite(lat)


_BY_TYPE = {t.casefold(): t for t in ACTOR_TYPES}


def _parse_interactions(value: object, label: str) -> tuple[str, ...]:
    """Interactions as ACLED's labels: a label (either order of the two types) or its code (17, 60)."""
    by_fold = {a.casefold(): a for a in INTERACTIONS}
    out = []
    for item in _as_tuple(value, label):
        found = by_fold.get(" ".join(item.split()).casefold())
        if found is None and item.isdigit() and len(item) == 2 and item[0] in "12345678" and item[1] in "012345678":
            types = ACTOR_TYPES[int(item[0]) - 1], None if item[1] == "0" else ACTOR_TYPES[int(item[1]) - 1]
            found = interaction_label(*types)
        dashed = item.replace("\u2013", "-").replace("\u2014", "-")
        if found is None and "-" in dashed:
            left, right = (_BY_TYPE.get(p.strip().casefold()) for p in dashed.split("-", 1))
            found = interaction_label(left, right) if left and right else None
        if found is None:
            raise FilterError(
                f"{label} has unknown interaction {item!r}; expected an ACLED interaction such as "
                f"'State forces-Civilians', 'Protesters only' or its code (17, 60)"
            )
        out.append(found)
    return tuple(dict.fromkeys(out))


def _parse_flag(value: object, label: str) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if value is None or (isinstance(value, str) and value.strip().casefold() in ("", "0", "false", "no")):
        return False
    if isinstance(value, str) and value.strip().casefold() in ("1", "true", "yes"):
        return True
    raise FilterError(f"{label} has {value!r}; expected 1 or 0")


_PARSERS: dict[str, Callable[[object, str], object]] = {
    "date_from": _parse_date,
    "date_to": _parse_date,
    "actors": _as_tuple,
    "event_types": _parse_choices(EVENT_TYPES, "event type"),
    "sub_event_types": _parse_choices(SUB_EVENT_TYPES, "sub-event type"),
    "admin1": _as_tuple,
    "datasets": _as_tuple,
    "min_fatalities": _parse_count,
    "max_geo_precision": _parse_precision,
    "max_time_precision": _parse_precision,
    "text": _parse_text,
    "bbox": _parse_bbox,
    "polygon": _parse_polygon,
    "actor_types": _parse_choices(ACTOR_TYPES, "actor type"),
    "interactions": _parse_interactions,
    "clear_only": _parse_flag,
    "areas": _as_tuple,
}
#: Field -> query parameter name.
QUERY_PARAMS: dict[str, str] = {
    "date_from": "from",
    "date_to": "to",
    "actors": "actor",
    "event_types": "type",
    "sub_event_types": "subtype",
    "admin1": "region",
    "datasets": "dataset",
    "min_fatalities": "minfat",
    "max_geo_precision": "geoprec",
    "max_time_precision": "timeprec",
    "text": "q",
    "bbox": "bbox",
    "polygon": "poly",
    "actor_types": "actortype",
    "interactions": "interaction",
    "clear_only": "clear",
    "areas": "area",
}
_LIST_FIELDS = frozenset(
    {"actors", "event_types", "sub_event_types", "admin1", "datasets", "actor_types", "interactions", "areas"}
)


# ---------------------------------------------------------------- masks over categories


def _fold(text: str) -> str:
    """Lower case without accents; the same folding as the notes' (see ``_folded_notes``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M")).lower()


def _label_mask(values: pd.Series, test: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Apply ``test`` to each distinct label once and spread the answers over the rows."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, labels = values.array.codes, [str(c) for c in values.cat.categories]
    else:
        codes, uniques = pd.factorize(values)
        labels = [str(u) for u in uniques]
    per_label = np.zeros(len(labels) + 1, dtype=bool)
    if labels:
        per_label[:-1] = test(labels)
    return per_label[codes]


def _isin_mask(values: pd.Series, wanted: Iterable[str]) -> np.ndarray:
    chosen = set(wanted)
    return _label_mask(values, lambda labels: np.fromiter((x in chosen for x in labels), bool, len(labels)))


# id(notes array) -> (weak reference to it, its Arrow data, the folded notes); entries go when the array does.
_NOTES_CACHE: dict[int, tuple[weakref.ref, pa.ChunkedArray, pa.ChunkedArray]] = {}


def _forget_notes(key: int, ref: weakref.ref) -> None:
    if key in _NOTES_CACHE and _NOTES_CACHE[key][0] is ref:
        del _NOTES_CACHE[key]


def _folded_notes(notes: pd.Series) -> pa.ChunkedArray:
    """The notes lower-cased without accents, remembered per Arrow-backed notes array."""
    backing = notes.array
    # Writing into the column swaps the Arrow data inside the same array object, so both must match.
    data = backing.__arrow_array__() if isinstance(backing, pd.arrays.ArrowStringArray) else None
    cached = _NOTES_CACHE.get(id(backing))
    if data is not None and cached is not None and cached[0]() is backing and cached[1] is data:
        return cached[2]
    source = data if data is not None else pa.chunked_array([pa.array(notes.astype("string[pyarrow]").array)])
    folded = pc.utf8_lower(pc.replace_substring_regex(pc.utf8_normalize(source, "NFKD"), r"\p{M}", ""))
    if data is not None:
        ref = weakref.ref(backing, functools.partial(_forget_notes, id(backing)))
        _NOTES_CACHE[id(backing)] = (ref, data, folded)
    return folded


@functools.lru_cache(maxsize=1 << 17)
def _label_texts(column: str, label: str) -> tuple[str, ...]:
    """The folded texts a label is searched in: itself, and the other spellings of its place or region."""
    names = [label]
    if column == "admin1":
        # The region's own names only (ACLED's and the French), not the regions created inside it.
        names += region_spellings(region_key(label) or "")[:2]
    elif column in ("location", "admin2"):
        names += gazetteer.place_names(label)
    return tuple(dict.fromkeys(_fold(n) for n in names))


def text_matches_label(column: str, label: str, needle: str) -> bool:
    """Whether the free-text search ``needle`` (folded) finds ``label`` of ``column``.

    A place or region is found by any of its spellings: "tombouctou" finds the location
    and the region "Timbuktu", "segou" finds "Ségou". The store's SQL uses the same test.
    """
    return any(needle in text for text in _label_texts(column, label))


def _text_mask(events: pd.DataFrame, text: str) -> np.ndarray:
    needle = _fold(text)
    mask = np.zeros(len(events), dtype=bool)
    for column in TEXT_SEARCH_COLUMNS:
        mask |= _label_mask(
            events[column],
            lambda labels, column=column: np.fromiter(
                (text_matches_label(column, x, needle) for x in labels), bool, len(labels)
            ),
        )
    found = pc.match_substring(_folded_notes(events["notes"]), needle)
    mask |= pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    return mask


def _fmt_date(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


# ---------------------------------------------------------------- the spec


@dataclass(frozen=True)
class FilterSpec:
    """Which events to show. Every field empty (the default) means all events.

    Lists may be given as any iterable (or one string) and are kept as tuples
    with blanks and repeats dropped; dates may be ISO strings; event types and
    sub-types are matched ignoring case and kept in ACLED's spelling.

    Raises
    ------
    FilterError
        On an unknown event type or sub-type, ``date_from`` after ``date_to``, a
        precision outside 1-4, a negative ``min_fatalities``, a bounding box out
        of order or range, or a polygon of too few or too many vertices, out of range or
        with crossing edges.
    """

    date_from: date | None = None
    date_to: date | None = None
    actors: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    sub_event_types: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    min_fatalities: int = 0
    max_geo_precision: int | None = None
    max_time_precision: int | None = None
    text: str = ""
    bbox: tuple[float, float, float, float] | None = None
    polygon: Ring | None = None
    actor_types: tuple[str, ...] = ()
    interactions: tuple[str, ...] = ()
    clear_only: bool = False
    areas: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name, parse in _PARSERS.items():
            object.__setattr__(self, name, parse(getattr(self, name), f"field {name!r}"))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise FilterError(f"date_from {self.date_from.isoformat()} is after date_to {self.date_to.isoformat()}")

    # ------------------------------------------------------------ applying

    def mask(self, events: pd.DataFrame) -> np.ndarray:
        """Which rows of ``events`` pass the filter.

        Parameters
        ----------
        events : pandas.DataFrame
            Canonical events (categorical text columns make this fast).

        Returns
        -------
        numpy.ndarray of bool
            One value per row.
        """
        keep = np.ones(len(events), dtype=bool)
        # A day beyond what the table holds would wrap round as nanoseconds: it means no bound, or no event.
        if self.date_from is not None and self.date_from > TABLE_LAST_DAY:
            keep[:] = False
        elif self.date_from is not None and self.date_from >= TABLE_FIRST_DAY:
            start = np.datetime64(self.date_from, "ns")
            # date_end >= event_date, so a missing date_end falls back on event_date here.
            keep &= (events["date_end"].to_numpy() >= start) | (events["event_date"].to_numpy() >= start)
        if self.date_to is not None and self.date_to < TABLE_FIRST_DAY:
            keep[:] = False
        elif self.date_to is not None and self.date_to <= TABLE_LAST_DAY:
            keep &= events["event_date"].to_numpy() <= np.datetime64(self.date_to, "ns")
        if self.event_types or self.sub_event_types:
            by_type = np.zeros(len(events), dtype=bool)
            if self.event_types:
                by_type |= _isin_mask(events["event_type"], self.event_types)
            if self.sub_event_types:
                by_type |= _isin_mask(events["sub_event_type"], self.sub_event_types)
            keep &= by_type
        if self.actors:
            keep &= actor_mask(events, self.actors)
        if self.admin1:
            keep &= region_mask(events["admin1"], self.admin1)
        if self.datasets:
            keep &= _isin_mask(events["dataset"], self.datasets)
        if self.min_fatalities:
            keep &= events["fatalities"].to_numpy() >= self.min_fatalities
        if self.max_geo_precision is not None:
            keep &= events["geo_precision"].to_numpy() <= self.max_geo_precision
        if self.max_time_precision is not None:
            keep &= events["time_precision"].to_numpy() <= self.max_time_precision
        if self.bbox is not None or self.polygon is not None:
            lon = events["longitude"].to_numpy(dtype=float, na_value=np.nan)
            lat = events["latitude"].to_numpy(dtype=float, na_value=np.nan)
        if self.bbox is not None:
            keep &= _in_box(self.bbox, lon, lat)
        if self.polygon is not None:
            near = keep & _in_box(ring_bbox(self.polygon), lon, lat)
            inside = np.zeros(len(events), dtype=bool)
            inside[near] = covers_points(self.polygon, lon[near], lat[near])
            keep &= inside
        if self.text:
            keep &= _text_mask(events, self.text)
        if self.actor_types or self.interactions or self.clear_only:
            keep &= self._who_mask(events)
        if self.areas:
            keep &= area_mask(events, self.areas)
        return keep

    def _who_mask(self, events: pd.DataFrame) -> np.ndarray:
        """``actor_types``, ``interactions`` and ``clear_only`` (see the module's semantics)."""
        keep = np.ones(len(events), dtype=bool)
        if self.actor_types:
            keep &= _isin_mask(events["actor1_type"], self.actor_types) | _isin_mask(
                events["actor2_type"], self.actor_types
            )
        if self.interactions:
            keep &= _isin_mask(events["interaction"], self.interactions)
        if self.clear_only:
            keep &= events["event_clarity"].to_numpy(dtype="float64", na_value=np.nan) != 2
            status = events["code_status"]
            keep &= status.isna().to_numpy() | _isin_mask(status, ["Clear"])
        return keep

    def apply(self, events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """The events that pass the filter, with their original index.

        Parameters
        ----------
        events : geopandas.GeoDataFrame
            Canonical events.

        Returns
        -------
        geopandas.GeoDataFrame
        """
        if self.is_empty():
            return events
        return events[self.mask(events)]

    @property
    def polygon_bbox(self) -> tuple[float, float, float, float] | None:
        """``(west, south, east, north)`` around ``polygon``; ``None`` without one."""
        return None if self.polygon is None else ring_bbox(self.polygon)

    def is_empty(self) -> bool:
        """Whether the spec keeps every event."""
        return self == FilterSpec()

    # ------------------------------------------------------------ URLs

    def to_query_params(self) -> dict[str, str | list[str]]:
        """The spec as URL query parameters, defaults left out.

        Returns
        -------
        dict
            ``from``, ``to`` (ISO dates), ``actor``, ``type``, ``subtype``, ``region``,
            ``dataset`` (lists: repeated parameters), ``minfat``, ``geoprec``, ``timeprec``,
            ``q``, ``bbox`` (``"w,s,e,n"``), ``poly`` (``"lon,lat;lon,lat;..."``), ``actortype``,
            ``interaction`` (lists) and ``clear`` (``"1"``).
        """
        out: dict[str, str | list[str]] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value == f.default:
                continue
            param = QUERY_PARAMS[f.name]
            if f.name in _LIST_FIELDS:
                out[param] = list(value)
            elif isinstance(value, date):
                out[param] = value.isoformat()
            elif f.name == "bbox":
                out[param] = ",".join(repr(float(v)) for v in value)
            elif f.name == "polygon":
                out[param] = polygon_text(value)
            elif f.name == "clear_only":
                out[param] = "1"
            else:
                out[param] = str(value)
        return out

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | list[str]]) -> FilterSpec:
        """A spec from URL query parameters, as written by ``to_query_params``.

        Parameters
        ----------
        params : mapping
            Parameter -> value or list of values. Parameters this spec does not use are
            ignored. A mapping with ``get_all`` (Streamlit's ``st.query_params``) is read
            through it so repeated parameters keep all their values.

        Returns
        -------
        FilterSpec

        Raises
        ------
        FilterError
            Naming the parameter and its bad value.
        """
        values: dict[str, object] = {}
        get_all = getattr(params, "get_all", None)
        for name, param in QUERY_PARAMS.items():
            if param not in params:
                continue
            raw = get_all(param) if callable(get_all) else params[param]
            items = [raw] if isinstance(raw, str) else list(raw or ())
            label = f"query parameter {param!r}"
            if name in _LIST_FIELDS:
                values[name] = _PARSERS[name](items, label)
                continue
            filled = [i for i in items if not (isinstance(i, str) and not i.strip())]
            if len(filled) > 1:
                raise FilterError(f"{label} has {quote(filled)}; expected one value")
            if filled:
                values[name] = _PARSERS[name](filled[0], label)
        return cls(**values)

    # ------------------------------------------------------------ text

    def describe(self) -> str:
        """The spec as one line for a caption or a report.

        Returns
        -------
        str
            E.g. ``"1 Aug 2023 – 31 Oct 2023 · Battles · actors: JNIM · region: Timbuktu"``;
            ``"all events"`` when the spec is empty.
        """
        parts = []
        if self.date_from and self.date_to:
            same = self.date_from == self.date_to
            parts.append(
                _fmt_date(self.date_from) if same else f"{_fmt_date(self.date_from)} – {_fmt_date(self.date_to)}"
            )
        elif self.date_from:
            parts.append(f"from {_fmt_date(self.date_from)}")
        elif self.date_to:
            parts.append(f"until {_fmt_date(self.date_to)}")
        if self.event_types or self.sub_event_types:
            parts.append(", ".join((*self.event_types, *self.sub_event_types)))
        if self.actors:
            names = []
            for name in self.actors:
                key = actor_key(name)
                names.append(display_name(key) if key else name)
            parts.append("actors: " + ", ".join(dict.fromkeys(names)))
        if self.admin1:
            parts.append(("region: " if len(self.admin1) == 1 else "regions: ") + ", ".join(self.admin1))
        if self.datasets:
            parts.append(("dataset: " if len(self.datasets) == 1 else "datasets: ") + ", ".join(self.datasets))
        if self.min_fatalities:
            parts.append(f"≥ {self.min_fatalities} fatalities")
        if self.max_geo_precision is not None:
            parts.append(f"location precision ≤ {self.max_geo_precision}")
        if self.max_time_precision is not None:
            parts.append(f"date precision ≤ {self.max_time_precision}")
        if self.text:
            parts.append(f"text “{self.text}”")
        if self.bbox is not None:
            parts.append("area " + ", ".join(f"{v:g}" for v in self.bbox))
        if self.polygon is not None:
            parts.append(f"inside a polygon of {len(self.polygon)} corners")
        parts += self._describe_who()
        if self.areas:
            parts.append(("in " if len(self.areas) == 1 else "in areas ") + ", ".join(map(area_label, self.areas)))
        return " · ".join(parts) if parts else "all events"

    def _describe_who(self) -> list[str]:
        parts = []
        if self.actor_types:
            parts.append(
                ("actor type: " if len(self.actor_types) == 1 else "actor types: ") + ", ".join(self.actor_types)
            )
        if self.interactions:
            parts.append(
                ("interaction: " if len(self.interactions) == 1 else "interactions: ") + ", ".join(self.interactions)
            )
        if self.clear_only:
            parts.append("clear events only")
        return parts


# ---------------------------------------------------------------- dates beyond the data


@dataclass(frozen=True)
class DateSpan:
    """The first and last day of a table's events."""

    first: date
    last: date


def date_span(events: pd.DataFrame) -> DateSpan | None:
    """First ``event_date`` and last ``date_end`` of the events; ``None`` if there are none."""
    if len(events) == 0:
        return None
    first = pd.Timestamp(events["event_date"].min()).date()
    last_end = events["date_end"].max()
    last = pd.Timestamp(events["event_date"].max() if pd.isna(last_end) else max(last_end, events["event_date"].max()))
    return DateSpan(first, last.date())


@dataclass(frozen=True)
class DateClamp:
    """A spec with its dates brought inside the data's span, and what the page or CLI says about it.

    Attributes
    ----------
    spec : FilterSpec
        The spec to use: a bound before the first event or after the last is dropped
        (it keeps every event on that side); a bound that leaves no event on its side
        is moved to the day just beyond the data, so the result stays empty.
    note : str or None
        One line naming the dates that were changed, or ``None`` when none was.
    """

    spec: FilterSpec
    note: str | None


def clamp_dates(spec: FilterSpec, span: object, *, table_only: bool = False) -> DateClamp:
    """Bring the dates of ``spec`` inside the data's span, so no date can overflow later arithmetic.

    Parameters
    ----------
    spec : FilterSpec
        The filter as asked for (a link, the command line).
    span : DateSpan, (date, date) or None
        The first and last day of the data (``date_span``, or the views'
        ``choices()["span"]``); ``None`` when there are no events.
    table_only : bool
        Change only the dates a table cannot hold (before 1677 or after 2262), and keep
        the others as asked: what the command line does, so its provenance records them.
        The page clamps every date beyond the data, so its charts cover the data only.

    Returns
    -------
    DateClamp
        Same filter when both bounds are inside the span (or unset); otherwise the
        clamped filter and a note such as ``"31 Dec 9999 is after the last event
        (5 Mar 2024): no end date"``.
    """
    if spec.date_from is None and spec.date_to is None:
        return DateClamp(spec, None)
    if span is None:
        first, last = TABLE_FIRST_DAY, TABLE_LAST_DAY
    else:
        ends = (span.first, span.last) if hasattr(span, "first") else tuple(span)[:2]  # type: ignore[arg-type]
        first, last = (min(max(d, TABLE_FIRST_DAY), TABLE_LAST_DAY) for d in ends)
    date_from, date_to, notes = spec.date_from, spec.date_to, []
    if table_only and all(d is None or TABLE_FIRST_DAY <= d <= TABLE_LAST_DAY for d in (date_from, date_to)):
        return DateClamp(spec, None)
    what = "the data's first day" if span is None else f"the first event ({_fmt_date(first)})"
    what_last = "the data's last day" if span is None else f"the last event ({_fmt_date(last)})"
    if date_from is not None and date_from < first:
        notes.append(f"{_fmt_date(date_from)} is before {what}: no start date")
        date_from = None
    elif date_from is not None and date_from > last:
        notes.append(f"{_fmt_date(date_from)} is after {what_last}: no event can match")
        if date_from > TABLE_LAST_DAY:
            date_from = min(last + timedelta(days=1), TABLE_LAST_DAY)
    if date_to is not None and date_to > last:
        notes.append(f"{_fmt_date(date_to)} is after {what_last}: no end date")
        date_to = None
    elif date_to is not None and date_to < first:
        notes.append(f"{_fmt_date(date_to)} is before {what}: no event can match")
        if date_to < TABLE_FIRST_DAY:
            date_to = max(first - timedelta(days=1), TABLE_FIRST_DAY)
    if not notes:
        return DateClamp(spec, None)
    if date_from is not None and date_to is not None and date_from > date_to:
        # Both beyond the same end: the range holds no event either way.
        date_to = date_from
    return DateClamp(dataclasses.replace(spec, date_from=date_from, date_to=date_to), "; ".join(notes))


def within_table(spec: FilterSpec) -> FilterSpec:
    """``spec`` with the dates no table can hold taken as no bound (``clamp_dates`` without a span).

    What the page's views apply to every spec, so a date such as 9999-12-31 can never
    overflow their period arithmetic, even when the page did not clamp it first.
    """
    return clamp_dates(spec, None, table_only=True).spec

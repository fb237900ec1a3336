"""A FilterSpec as an SQL condition, with the same meaning as ``FilterSpec.mask``.

Actor, region and free-text filters match through the package's own rules
(actor aliases and members, region spellings, accent folding), which SQL does not know: they are
worked out once per distinct label in the store (``labels(column)``) and sent
as lists of matching labels. Notes are searched in ``notes_search``, the
folded notes the store writes next to them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import shapely

from conflictmap.actors import actor_mask
from conflictmap.areas import KEY_SEP, matching_area_labels
from conflictmap.filters import TEXT_SEARCH_COLUMNS, FilterSpec, polygon_wkt, text_matches_label
from conflictmap.regions import matching_labels
from conflictmap.schema import ACTOR_COLUMNS
from conflictmap.store.records import fold

#: ``labels(column)``: the distinct non-missing values of a column among the stored events.
Labels = Callable[[str], Sequence[str]]


@dataclass(frozen=True)
class Dialect:
    """The bits of SQL that differ between SQLite, PostgreSQL and DuckDB. Placeholders are ``?`` in each."""

    #: ``column IN list``, the list passed as one parameter: ``{col}`` is replaced.
    in_list: str
    #: ``needle`` found in ``column``: ``{col}`` is replaced; one parameter.
    contains: str
    #: Extra condition for a bounding box (an index the backend has), four parameters w, s, e, n; or "".
    bbox_index: str = ""
    #: The point inside the polygon or on its edge; one parameter, the polygon as WKT (``filters.polygon_wkt``).
    #: By default a function the connection registers: ``polygon_covers`` (shapely, as in memory).
    covers: str = "conflictmap_covers(?, longitude, latitude)"
    #: Whether one statement may group by several sets of columns (``GROUPING SETS``) in one pass.
    grouping_sets: bool = False
    #: The actor filter, ``{cond}`` being its OR over the actor columns; a backend that keeps a table of
    #: the combinations of actors met may ask it there once rather than of every event.
    actors: str = "{cond}"
    #: The events that end on or after a day; each ``?`` is that day. ``date_end >= event_date``, so a missing
    #: ``date_end`` falls back on ``event_date``; a table that keeps the last day of each event asks it alone.
    since: str = "(date_end >= ? OR event_date >= ?)"

    def one_of(self, column: str, values: Sequence[str]) -> tuple[str, list[object]]:
        """``column`` is one of ``values``."""
        return self.in_list.format(col=column), [list(values)]


#: DuckDB (``pageviews.ColumnarViews``): a list parameter is a DuckDB list. A polygon's rows are found once,
#: in shapely, and kept in a table (``ParquetSource._mark_inside``) every query of that filter joins on.
DUCKDB = Dialect(
    in_list="list_contains(?, {col})",
    contains="contains({col}, ?)",
    covers="_row IN (SELECT _row FROM rows_inside_polygon WHERE polygon = ?)",
)


def _actor_labels(labels: Labels, column: str, wanted: Sequence[str]) -> list[str]:
    names = list(labels(column))
    if not names:
        return []
    frame = pd.DataFrame({c: names if c == column else [None] * len(names) for c in ACTOR_COLUMNS})
    hit = actor_mask(frame, wanted)
    return [n for n, h in zip(names, hit, strict=True) if h]


def build_where(spec: FilterSpec | None, dialect: Dialect, labels: Labels) -> tuple[list[str], list[object]]:
    """Conditions (to join with AND) and their parameters for ``spec``.

    Parameters
    ----------
    spec : FilterSpec or None
        The filter; ``None`` or an empty spec gives no condition.
    dialect : Dialect
        How the backend writes list membership and substring search.
    labels : callable
        ``labels(column)`` -> the distinct values of a text column in the store.

    Returns
    -------
    (list of str, list)
        SQL conditions with ``?`` placeholders, and the parameters in order.
    """
    where: list[str] = []
    params: list[object] = []
    if spec is None or spec.is_empty():
        return where, params

    def add(sql: str, *values: object) -> None:
        where.append(sql)
        params.extend(values)

    def any_of(parts: list[tuple[str, list[object]]]) -> None:
        if not parts:
            add("0 = 1")
            return
        add("(" + " OR ".join(p[0] for p in parts) + ")", *(v for p in parts for v in p[1]))

    if spec.date_from is not None:
        start = spec.date_from.isoformat()
        add(dialect.since, *[start] * dialect.since.count("?"))
    if spec.date_to is not None:
        add("event_date <= ?", spec.date_to.isoformat())
    if spec.event_types or spec.sub_event_types:
        parts = []
        if spec.event_types:
            parts.append(dialect.one_of("event_type", spec.event_types))
        if spec.sub_event_types:
            parts.append(dialect.one_of("sub_event_type", spec.sub_event_types))
        any_of(parts)
    if spec.actors:
        parts = []
        for column in ACTOR_COLUMNS:
            hits = _actor_labels(labels, column, spec.actors)
            if hits:
                parts.append(dialect.one_of(column, hits))
        if parts:
            cond = "(" + " OR ".join(p[0] for p in parts) + ")"
            add(dialect.actors.replace("{cond}", cond), *(v for p in parts for v in p[1]))
        else:
            add("0 = 1")
    if spec.admin1:
        # Regions in any spelling (``regions.region_mask``): the store's admin1 labels of the wanted regions.
        hits = matching_labels(labels("admin1"), spec.admin1)
        any_of([dialect.one_of("admin1", hits)] if hits else [])
    if spec.datasets:
        add(*_flat(dialect.one_of("dataset", spec.datasets)))
    if spec.min_fatalities:
        add("fatalities >= ?", spec.min_fatalities)
    if spec.max_geo_precision is not None:
        add("geo_precision <= ?", spec.max_geo_precision)
    if spec.max_time_precision is not None:
        add("time_precision <= ?", spec.max_time_precision)
    # The box around a polygon comes first (the index, and few rows left to test), then the exact test.
    for box in (spec.bbox, spec.polygon_bbox):
        if box is None:
            continue
        west, south, east, north = box
        if dialect.bbox_index:
            add(dialect.bbox_index, west, south, east, north)
        add("longitude >= ? AND longitude <= ? AND latitude >= ? AND latitude <= ?", west, east, south, north)
    if spec.polygon is not None:
        add(dialect.covers, polygon_wkt(spec.polygon))
    if spec.text:
        needle = fold(spec.text)
        parts = []
        for column in TEXT_SEARCH_COLUMNS:
            hits = [label for label in labels(column) if text_matches_label(column, label, needle)]
            if hits:
                parts.append(dialect.one_of(column, hits))
        parts.append((dialect.contains.format(col="notes_search"), [needle]))
        any_of(parts)
    for sql, values in _who(spec, dialect):
        add(sql, *values)
    if spec.areas:
        any_of(area_parts(spec.areas, dialect, labels))
    return where, params


@functools.lru_cache(maxsize=16)
def _prepared(wkt: str) -> shapely.Polygon:
    shape = shapely.from_wkt(wkt)
    shapely.prepare(shape)
    return shape


def polygon_covers(wkt: str | None, longitude: float | None, latitude: float | None) -> bool | None:
    """SQLite's ``conflictmap_covers(wkt, longitude, latitude)``: the point inside the polygon or on its edge."""
    if wkt is None or longitude is None or latitude is None:
        return None
    # One point per call: the test of ``filters.covers_points`` without its arrays.
    return bool(shapely.intersects_xy(_prepared(wkt), longitude, latitude))


def _who(spec: FilterSpec, dialect: Dialect) -> list[tuple[str, list[object]]]:
    """Conditions for ``actor_types``, ``interactions`` and ``clear_only`` (as ``FilterSpec._who_mask``)."""
    out = []
    if spec.actor_types:
        first, one = dialect.one_of("actor1_type", spec.actor_types)
        second, other = dialect.one_of("actor2_type", spec.actor_types)
        out.append((f"({first} OR {second})", [*one, *other]))
    if spec.interactions:
        out.append(dialect.one_of("interaction", spec.interactions))
    if spec.clear_only:
        out.append(
            ("(event_clarity IS NULL OR event_clarity <> 2) AND (code_status IS NULL OR code_status = ?)", ["Clear"])
        )
    return out


def area_parts(keys: Sequence[str], dialect: Dialect, labels: Labels) -> list[tuple[str, list[object]]]:
    """The area filter as conditions to join with OR: admin1 names, and admin1/admin2 pairs.

    The same meaning as ``conflictmap.areas.area_mask``: a region key takes the admin1
    names it covers, a cercle key ``"Mopti/Bandiagara"`` the pair, in the store's own
    spellings of them (``areas.matching_area_labels``: "Djenne" keeps "Djenné").
    """
    cercles = any(KEY_SEP in key for key in keys)
    names, found = matching_area_labels(keys, labels("admin1"), labels("admin2") if cercles else ())
    pairs = [f"{first}{KEY_SEP}{second}" for first, second in found]
    parts = []
    if names:
        parts.append(dialect.one_of("admin1", names))
    if pairs:
        # || joins text in SQLite and PostgreSQL alike; missing names join as "".
        joined = f"(COALESCE(admin1, '') || '{KEY_SEP}' || COALESCE(admin2, ''))"
        parts.append(dialect.one_of(joined, pairs))
    return parts


def _flat(part: tuple[str, list[object]]) -> tuple[object, ...]:
    return (part[0], *part[1])

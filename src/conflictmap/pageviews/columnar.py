"""The page's views answered by DuckDB over an event file's GeoParquet cache, read in place.

The events are never loaded: each question is one query that reads only the
columns it names from the Parquet file (and skips the row groups its date and
box conditions rule out), and returns grouped counts or the few rows a view
lists or draws. The questions and the SQL are those of ``DatabaseViews``
(``store.summaries.SummaryReader``, conditions from ``store.where.build_where``
in the ``DUCKDB`` dialect), so a filter means the same here as in memory and in
a store's database. A polygon's rows are found once per polygon: the file's rows
in its box are tested with shapely, as in memory, and kept in a small table.

Right after the open, a thread copies the columns the grouped questions read
(``store.core.VIEW_COLUMNS``) into a narrow table in memory, as the PostGIS
store keeps one: text as whole-number codes of a table of labels, rows in date
order so a date condition skips the blocks of other years. Until it is ready
the questions read the file; from then on, those it holds read it instead
(``SummaryReader._source`` picks). The answers are the same either way.

Events of the same day are ordered by their row in the file, as the memory views
order them; the events themselves (``events``, the rows drawn or listed) come in
the file's order too.
"""

from __future__ import annotations

import atexit
import itertools
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from conflictmap import areas, schema
from conflictmap.errors import ConflictmapError
from conflictmap.filters import FilterSpec, Ring, covers_points, polygon_wkt, ring_bbox
from conflictmap.pageviews.database import WORKERS, DatabaseViews
from conflictmap.store.core import CODED_COLUMNS, VIEW_COLUMNS, q
from conflictmap.store.records import fold
from conflictmap.store.summaries import SummaryReader
from conflictmap.store.where import DUCKDB, Dialect

#: The view the queries read: the canonical columns, ``_row`` (position in the file), ``notes_search``.
EVENTS = "events"
#: Filters whose conditions a ``ParquetSource`` keeps.
_CONDITIONS_KEPT = 64
#: The file as it is, before regions are derived.
_RAW = "events_in_file"
#: The rows inside each polygon filtered on (``ParquetSource._mark_inside``), as (polygon WKT, _row);
#: ``DUCKDB.covers`` reads it.
_INSIDE = "rows_inside_polygon"
#: Polygons whose rows are kept; the oldest are dropped beyond it.
_POLYGONS_KEPT = 16
_TEXT = frozenset(schema.TEXT_COLUMNS)
#: The narrow table of ``VIEW_COLUMNS`` (and ``_row``), and the labels of its coded columns.
_NARROW = "narrow_db.events_narrow"
_LABELS = "narrow_db.narrow_labels"
#: Each combination of the actor columns met in the narrow table, as codes, and its number
#: (``actor_set`` of the narrow table): an actor filter is asked of the few combinations, not of every event.
_ACTOR_SETS = "narrow_db.actor_sets"
_CODED = frozenset(CODED_COLUMNS)
#: Rows of the file copied into the narrow table at a time (each chunk is compressed before the next).
NARROW_CHUNK_ROWS = 500_000
#: Sources whose narrow table may still be being copied (``_stop_copies`` stops them at exit).
_COPYING: weakref.WeakSet[ParquetSource] = weakref.WeakSet()


@atexit.register
def _stop_copies() -> None:
    for source in list(_COPYING):
        source.stop_narrow()


#: The narrow table's dialect: the labels wanted become their codes once per statement.
NARROW_DUCKDB = Dialect(
    in_list=f"list_contains((SELECT list(code) FROM {_LABELS} WHERE list_contains(?, label)), {{col}})",
    contains=DUCKDB.contains,
    covers=DUCKDB.covers,
)
_INTEGERS = {"Int64": "BIGINT", "int64": "BIGINT", "int8": "TINYINT"}


@dataclass(frozen=True)
class CodedDialect(Dialect):
    """The narrow table once made: the labels wanted become their codes in Python, an actor filter picks
    the combinations of actors (``actor_sets``) it keeps, and a first day is compared with each event's last.

    About half the time of ``NARROW_DUCKDB``'s conditions for the same count at a million events.
    """

    #: Label -> code, of every coded column (one table of labels serves them all).
    codes: Mapping[str, int] = field(default_factory=dict)

    def one_of(self, column: str, values: Sequence[str]) -> tuple[str, list[object]]:
        """``column`` is one of ``values``: their codes when the column is coded (a label not met has none)."""
        if column not in _CODED:
            return super().one_of(column, values)
        return f"list_contains(?, {column})", [[self.codes[v] for v in values if v in self.codes]]


def _coded_dialect(codes: Mapping[str, int]) -> CodedDialect:
    return CodedDialect(
        in_list=NARROW_DUCKDB.in_list,
        contains=NARROW_DUCKDB.contains,
        covers=NARROW_DUCKDB.covers,
        actors=f"actor_set IN (SELECT actor_set FROM {_ACTOR_SETS} WHERE {{cond}})",
        since="last_day >= ?",
        codes=dict(codes),
    )


class ParquetEventsError(ConflictmapError, ValueError):
    """The file is not a GeoParquet table of canonical events."""


def _select_list(path: Path, offset: int = 0) -> str:
    """Each canonical column as the store's rows hold it: text, days, naive UTC times; missing ones as NULL.

    ``_row`` is the row's place in the file, after ``offset`` rows of the files before it.
    """
    try:
        present = set(pq.read_schema(path).names)
    except (OSError, ValueError) as err:
        raise ParquetEventsError(f"{path}: cannot be read as Parquet ({err})") from err
    if "event_id" not in present or "event_date" not in present:
        raise ParquetEventsError(f"{path}: expected canonical event columns (event_id, event_date, ...)")
    parts = []
    for col in schema.COLUMNS:
        dtype = str(schema.DTYPES[col])
        name = q(col) if col in present else "NULL"
        if col in schema.DATE_COLUMNS:
            expr = f"CAST({name} AS DATE)"
        elif col == "timestamp":
            # Naive UTC, as ``records.decode`` reads a store's times.
            expr = f"timezone('UTC', CAST({name} AS TIMESTAMPTZ))"
        elif col in _TEXT:
            # All-missing category columns come back untyped; text everywhere else.
            expr = f"CAST({name} AS VARCHAR)"
        elif dtype in _INTEGERS:
            expr = f"CAST({name} AS {_INTEGERS[dtype]})"
        elif col == "civilian_targeting":
            expr = f"CAST({name} AS BOOLEAN)"
        else:
            expr = f"CAST({name} AS DOUBLE)" if dtype == "float64" else name
        parts.append(f"{expr} AS {q(col)}")
    parts.append(f"file_row_number + {int(offset)} AS _row")
    # ``records.fold`` of the notes: ASCII notes fold to their lower case, others are folded in Python.
    notes = q("notes") if "notes" in present else "CAST(NULL AS VARCHAR)"
    parts.append(
        f"CASE WHEN regexp_full_match({notes}, '[[:ascii:]]*') THEN lower({notes}) "
        f"ELSE conflictmap_fold({notes}) END AS notes_search"
    )
    return ", ".join(parts)


def _rows_in(path: Path) -> int:
    """How many rows a Parquet file holds (from its footer)."""
    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except (OSError, ValueError) as err:
        raise ParquetEventsError(f"{path}: cannot be read as Parquet ({err})") from err


class _Cursor:
    """One DuckDB cursor as the ``Tx`` a ``SummaryReader`` reads through."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        self._cursor.execute(sql, list(params))

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        return self._cursor.execute(sql, list(params)).fetchall()


class _ColumnarReader(SummaryReader):
    """``SummaryReader`` over the Parquet view; events of a day, and the events themselves, in file order."""

    order_key = "e._row"

    def _conditions(self, spec: FilterSpec | None, narrow: bool = False) -> tuple[list[str], list[object]]:
        # The file never changes: a filter's conditions are worked out once (matching actor labels costs ms).
        return self._store.conditions(spec, narrow, lambda: super(_ColumnarReader, self)._conditions(spec, narrow))

    def query(self, spec: FilterSpec | None = None) -> gpd.GeoDataFrame:
        where, params = self._shown(spec)
        return self._events(f"WHERE {where} ORDER BY e._row", params)

    def query_listed(self, spec: FilterSpec | None, columns: Sequence[str]) -> pd.DataFrame:
        """``query`` reading only ``columns`` (with ``event_id`` and ``event_date``)."""
        where, params = self._shown(spec)
        return self._listed(f"WHERE {where} ORDER BY e._row", params, columns)


class ParquetSource:
    """What ``SummaryReader`` asks of a store, answered by DuckDB over GeoParquet files.

    Parameters
    ----------
    path : str, pathlib.Path or sequence of them
        A GeoParquet file of canonical events (``catalog.write_cache`` writes them), or several
        shown together: their rows one after the other, in the order given.
    threads : int, optional
        DuckDB's worker threads (default: DuckDB's, one per core).
    memory_limit : str, optional
        DuckDB's memory limit, e.g. ``"1GB"``.
    regions : geopandas.GeoDataFrame, optional
        See ``ColumnarViews``.
    narrow : bool, default True
        Copy the views' columns into a narrow table in memory, on a thread of its own (see the module).

    Raises
    ------
    ParquetEventsError
        If the file cannot be read as Parquet or lacks the canonical columns.
    """

    dialect = DUCKDB
    narrow_dialect = NARROW_DUCKDB
    #: The narrow table once it is ready (``SummaryReader`` reads it from then on).
    _views_table: str | None = None

    def __init__(
        self,
        path: str | Path | Sequence[str | Path],
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        regions: gpd.GeoDataFrame | None = None,
        narrow: bool = True,
    ) -> None:
        self.paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
        if not self.paths:
            raise ParquetEventsError("no GeoParquet file of events was given")
        self.path = self.paths[0]
        config: dict[str, object] = {}
        if threads is not None:
            config["threads"] = int(threads)
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        # Memory freed after a query (the narrow table's copy above all) goes back to the system
        # within seconds, rather than staying with the process.
        config["allocator_background_threads"] = True
        self._db = duckdb.connect(":memory:", config=config)
        # Registered once for the database: its cursors share it.
        self._db.create_function("conflictmap_fold", fold, ["VARCHAR"], "VARCHAR", side_effects=False)
        self._db.execute(f"CREATE TABLE {_INSIDE} (polygon VARCHAR, _row BIGINT)")
        # Several files are their rows one after the other, in the order given (as ``catalog.combine``).
        parts, offset = [], 0
        for each in self.paths:
            literal = str(each.resolve()).replace("'", "''")
            parts.append(f"SELECT {_select_list(each, offset)} FROM read_parquet('{literal}', file_row_number = true)")
            offset += _rows_in(each)
        self._db.execute(f"CREATE VIEW {_RAW} AS {' UNION ALL '.join(parts)}")
        self.derived = 0 if regions is None else self._derive_regions(regions)
        if not self.derived:
            self._db.execute(f"CREATE VIEW {EVENTS} AS SELECT * FROM {_RAW}")
        self._local = threading.local()
        self._labels_read: dict[str, list[str]] = {}
        self._conditions_made: dict[tuple[FilterSpec | None, bool], tuple[list[str], list[object]]] = {}
        self._lock = threading.Lock()
        self._polygons: list[str] = []
        self._inside_lock = threading.Lock()
        self._code_label: dict[int, str] = {}
        #: Set once the narrow table is ready, or its copy has failed or was not asked for.
        self.narrow_done = threading.Event()
        #: Why the narrow table could not be made (the file is then read for every question).
        self.narrow_error: str | None = None
        #: Seconds the narrow table took to make.
        self.narrow_seconds: float | None = None
        if narrow:
            # A copy still under way when the program ends is stopped first: DuckDB cannot be torn down
            # under a running statement.
            _COPYING.add(self)
            threading.Thread(target=self._make_narrow, name="conflictmap-narrow", daemon=True).start()
        else:
            self.narrow_done.set()

    def _make_narrow(self) -> None:
        """Copy ``VIEW_COLUMNS`` and ``_row`` into the narrow table, coded and in date order.

        The rows go in ``NARROW_CHUNK_ROWS`` at a time, each chunk a span of days, and each is compressed
        before the next: the copy holds one chunk uncompressed, not the whole table.
        """
        start = time.perf_counter()
        try:
            cursor = self._narrow_cursor = self._db.cursor()
            cursor.execute("ATTACH ':memory:' AS narrow_db (COMPRESS)")
            each = " UNION ".join(f"SELECT {q(c)} AS label FROM {EVENTS}" for c in CODED_COLUMNS)
            cursor.execute(
                f"CREATE TABLE {_LABELS} AS SELECT CAST(row_number() OVER (ORDER BY label) AS INTEGER) AS code, label "
                f"FROM ({each}) WHERE label IS NOT NULL"
            )
            actors = schema.ACTOR_COLUMNS
            codes = ", ".join(f"a{i}.code AS {q(c)}" for i, c in enumerate(actors))
            cursor.execute(
                f"CREATE TABLE {_ACTOR_SETS} AS SELECT CAST(row_number() OVER () AS INTEGER) AS actor_set, {codes} "
                f"FROM (SELECT DISTINCT {', '.join(q(c) for c in actors)} FROM {EVENTS}) s "
                + " ".join(f"LEFT JOIN {_LABELS} a{i} ON a{i}.label = s.{q(c)}" for i, c in enumerate(actors))
            )
            values, joins, coded = [], [], {}
            for i, col in enumerate(VIEW_COLUMNS):
                if col == "status":
                    values.append(f"'active' AS {q(col)}")
                elif col in CODED_COLUMNS:
                    values.append(f"c{i}.code AS {q(col)}")
                    joins.append(f"LEFT JOIN {_LABELS} c{i} ON c{i}.label = r.{q(col)}")
                    coded[col] = f"c{i}.code"
                else:
                    values.append(f"r.{q(col)}")
            same = " AND ".join(f"s.{q(c)} IS NOT DISTINCT FROM {coded[c]}" for c in actors)
            joins.append(f"LEFT JOIN {_ACTOR_SETS} s ON {same}")
            last = "COALESCE(r.date_end, r.event_date) AS last_day"
            copy = f"SELECT {', '.join(values)}, s.actor_set, {last}, r._row FROM {EVENTS} r {' '.join(joins)}"
            rows = sum(_rows_in(p) for p in self.paths)
            chunks = max(1, -(-rows // NARROW_CHUNK_ROWS))
            cursor.execute(f"CREATE TABLE {_NARROW} AS {copy} LIMIT 0")
            # The days that cut the events into chunks of about equal size (one pass over the days).
            (cuts,) = (
                cursor.execute(
                    f"SELECT quantile_disc(event_date, [{', '.join(str(i / chunks) for i in range(1, chunks))}]) "
                    f"FROM {EVENTS}"
                ).fetchone()
                if chunks > 1
                else ([],)
            )
            bounds = [None, *sorted(set(cuts or [])), None]
            for low, high in itertools.pairwise(bounds):
                where = [f"r.event_date >= DATE '{low}'"] if low is not None else []
                if high is not None:
                    where.append(f"r.event_date < DATE '{high}'")
                condition = " AND ".join(where) or "TRUE"
                if high is None:
                    # Rows without a day (none are expected) go in with the last chunk.
                    condition = f"({condition}) OR r.event_date IS NULL"
                cursor.execute(f"INSERT INTO {_NARROW} {copy} WHERE {condition} ORDER BY r.event_date, r._row")
                cursor.execute("CHECKPOINT narrow_db")
            with self._lock:
                self._code_label = dict(cursor.execute(f"SELECT code, label FROM {_LABELS}").fetchall())
                self.narrow_dialect = _coded_dialect({label: code for code, label in self._code_label.items()})
            cursor.close()
        except duckdb.Error as err:
            # The file still answers every question; only the speed-up is lost.
            self.narrow_error = f"the narrow table could not be made: {err}"
        else:
            self.narrow_seconds = time.perf_counter() - start
            self._views_table = _NARROW
        finally:
            self.narrow_done.set()

    def stop_narrow(self) -> None:
        """Stop the narrow table's copy if it is under way, and wait for its thread."""
        if not self.narrow_done.is_set():
            cursor = getattr(self, "_narrow_cursor", None)
            if cursor is not None:
                with suppress(duckdb.Error):
                    cursor.interrupt()
            self.narrow_done.wait()

    def _code_labels(self, tx: _Cursor, codes: Sequence[int]) -> dict[int, str]:
        """Code -> label of the narrow table's coded columns (read once, when the table was made)."""
        return self._code_label

    def _derive_regions(self, regions: gpd.GeoDataFrame) -> int:
        """Give events without a region the region their point lies in, as the page's memory views do
        (``areas.derive_admin_names``); how many got one.

        Only the events without a region are read; when there are some, the view takes their
        regions from a small table beside the file.
        """
        blank = self._db.execute(
            f"SELECT _row, latitude, longitude FROM {_RAW} WHERE admin1 IS NULL OR trim(admin1) = ''"
        ).df()
        if blank.empty:
            return 0
        points = gpd.GeoDataFrame(
            {"admin1": pd.Series(pd.NA, index=blank.index, dtype="string")},
            geometry=gpd.points_from_xy(blank["longitude"], blank["latitude"]),
            crs=schema.CRS,
        )
        named = areas.derive_admin_names(points, admin1=regions)["admin1"]
        found = pd.DataFrame({"_row": blank["_row"], "admin1": named.astype(object)}).dropna()
        if found.empty:
            return 0
        self._db.register("derived_regions_frame", found)
        self._db.execute("CREATE TABLE derived_regions AS SELECT * FROM derived_regions_frame")
        self._db.unregister("derived_regions_frame")
        self._db.execute(
            f"CREATE VIEW {EVENTS} AS SELECT r.* REPLACE (COALESCE(d.admin1, r.admin1) AS admin1) "
            f"FROM {_RAW} r LEFT JOIN derived_regions d USING (_row)"
        )
        return len(found)

    def conditions(
        self, spec: FilterSpec | None, narrow: bool, make: Callable[[], tuple[list[str], list[object]]]
    ) -> tuple[list[str], list[object]]:
        """``build_where`` of ``spec`` (``make()``) on the file or the narrow table, kept for the last filters."""
        with self._lock:
            kept = self._conditions_made.get((spec, narrow))
        if kept is None:
            kept = make()
            with self._lock:
                self._conditions_made[(spec, narrow)] = kept
                while len(self._conditions_made) > _CONDITIONS_KEPT:
                    self._conditions_made.pop(next(iter(self._conditions_made)))
        if spec is not None and spec.polygon is not None:
            self._mark_inside(spec.polygon)
        # Copies: a reader adds its own conditions to the list.
        return list(kept[0]), list(kept[1])

    def _mark_inside(self, ring: Ring) -> None:
        """Write the rows inside ``ring`` (edges included) to ``_INSIDE``, once per polygon.

        The box around it is read from the file and the points tested in shapely (``filters.covers_points``,
        the memory views' test), about 0.1 s per million points in the box.
        """
        wkt = polygon_wkt(ring)
        with self._inside_lock:
            if wkt in self._polygons:
                return
            west, south, east, north = ring_bbox(ring)
            cursor = self._cursor()._cursor
            near = cursor.execute(
                f"SELECT _row, longitude, latitude FROM {EVENTS} "
                "WHERE longitude >= ? AND longitude <= ? AND latitude >= ? AND latitude <= ?",
                [west, east, south, north],
            ).fetchnumpy()
            inside = covers_points(ring, near["longitude"], near["latitude"])
            rows = pa.table({"polygon": pa.array([wkt] * int(inside.sum()), pa.string()), "_row": near["_row"][inside]})
            cursor.register("rows_inside_new", rows)
            cursor.execute(f"INSERT INTO {_INSIDE} SELECT polygon, CAST(_row AS BIGINT) FROM rows_inside_new")
            cursor.unregister("rows_inside_new")
            self._polygons.append(wkt)
            while len(self._polygons) > _POLYGONS_KEPT:
                cursor.execute(f"DELETE FROM {_INSIDE} WHERE polygon = ?", [self._polygons.pop(0)])

    def _cursor(self) -> _Cursor:
        # One DuckDB cursor per thread: a connection is not shared between threads.
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            with self._lock:
                raw = self._db.cursor()
            cursor = self._local.cursor = _Cursor(raw)
        return cursor

    @contextmanager
    def summaries(self) -> Iterator[SummaryReader]:
        """A ``SummaryReader`` over the file (which does not change, so no transaction is needed)."""
        yield _ColumnarReader(self, self._cursor())  # type: ignore[arg-type]

    def _table(self, name: str) -> str:
        if name != "events":
            raise ValueError(f"a Parquet file holds only events, not {name!r}")
        return EVENTS

    @staticmethod
    def _status_condition(include_missing: bool, include_deleted: bool) -> str:
        # Every event in a file is shown.
        return "TRUE"

    @staticmethod
    def _period_sql(freq: str) -> str:
        if freq == "W":
            return "CAST(date_trunc('week', e.event_date) AS DATE)"
        if freq == "M":
            return "CAST(date_trunc('month', e.event_date) AS DATE)"
        return "e.event_date"

    def _labels(self, tx: _Cursor, column: str) -> list[str]:
        """A text column's distinct values, read once (the file does not change)."""
        with self._lock:
            kept = self._labels_read.get(column)
        if kept is None:
            rows = tx.rows(f"SELECT DISTINCT {q(column)} FROM {EVENTS} WHERE {q(column)} IS NOT NULL")
            kept = [str(r[0]) for r in rows]
            with self._lock:
                self._labels_read[column] = kept
        return kept

    def close(self) -> None:
        """Close DuckDB (the narrow table's copy, which uses it, stopped first)."""
        self.stop_narrow()
        self._db.close()


class ColumnarViews(DatabaseViews):
    """``EventViews`` answered by DuckDB over a GeoParquet file of canonical events, read in place.

    Parameters
    ----------
    path : str, pathlib.Path or sequence of them
        The GeoParquet file (an event file's cache, ``catalog.cache_path``), or the caches of several
        files shown together (their events one after the other, as ``catalog.combine`` puts them).
    workers : int
        Questions answered at once, each on its own thread and DuckDB cursor.
    threads, memory_limit : optional
        DuckDB's settings (see ``ParquetSource``).
    regions : geopandas.GeoDataFrame, optional
        ``admin1`` areas: events without a region get the one their point lies in (as the page's
        memory views, ``areas.derive_admin_names``).
    narrow : bool, default True
        Make the narrow table of the views' columns in memory (see ``ParquetSource``).

    Raises
    ------
    ParquetEventsError
        If the file cannot be read as Parquet or lacks the canonical columns.
    """

    def __init__(
        self,
        path: str | Path | Sequence[str | Path],
        *,
        workers: int = WORKERS,
        threads: int | None = None,
        memory_limit: str | None = None,
        regions: gpd.GeoDataFrame | None = None,
        narrow: bool = True,
    ) -> None:
        source = ParquetSource(path, threads=threads, memory_limit=memory_limit, regions=regions, narrow=narrow)
        super().__init__(source, workers=workers)  # type: ignore[arg-type]
        self.paths = source.paths
        self.path = source.path

    def columns(self, spec: FilterSpec, names: Sequence[str]) -> pd.DataFrame:
        # Parquet is read by column: only those asked for leave the file.
        found = self._ask(lambda read: read.query_listed(spec, list(names)))
        return found[list(names)]

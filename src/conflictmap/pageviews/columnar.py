"""The page's views answered by DuckDB over an event file's GeoParquet cache, read in place.

The events are never loaded: each question is one query that reads only the
columns it names from the Parquet file (and skips the row groups its date and
box conditions rule out), and returns grouped counts or the few rows a view
lists or draws. The questions and the SQL are those of ``DatabaseViews``
(``store.summaries.SummaryReader``, conditions from ``store.where.build_where``
in the ``DUCKDB`` dialect), so a filter means the same here as in memory and in
a store's database.

Events of the same day are ordered by their row in the file, as the memory views
order them; the events themselves (``events``, the rows drawn or listed) come in
the file's order too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq

from conflictmap import details, schema
from conflictmap.errors import ConflictmapError
from conflictmap.filters import FilterSpec
from conflictmap.pageviews.database import WORKERS, DatabaseViews
from conflictmap.store.core import q, rows_frame
from conflictmap.store.records import fold
from conflictmap.store.summaries import SummaryReader
from conflictmap.store.where import DUCKDB

#: The view the queries read: the canonical columns, ``_row`` (position in the file), ``notes_search``.
EVENTS = "events"
_TEXT = frozenset(schema.TEXT_COLUMNS)
_INTEGERS = {"Int64": "BIGINT", "int64": "BIGINT", "int8": "TINYINT"}


class ParquetEventsError(ConflictmapError, ValueError):
    """The file is not a GeoParquet table of canonical events."""


def _select_list(path: Path) -> str:
    """Each canonical column as the store's rows hold it: text, days, naive UTC times; missing ones as NULL."""
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
    parts.append("file_row_number AS _row")
    # ``records.fold`` of the notes: ASCII notes fold to their lower case, others are folded in Python.
    notes = q("notes") if "notes" in present else "CAST(NULL AS VARCHAR)"
    parts.append(
        f"CASE WHEN regexp_full_match({notes}, '[[:ascii:]]*') THEN lower({notes}) "
        f"ELSE conflictmap_fold({notes}) END AS notes_search"
    )
    return ", ".join(parts)


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

    def query(self, spec: FilterSpec | None = None) -> gpd.GeoDataFrame:
        where, params = self._shown(spec)
        return self._events(f"WHERE {where} ORDER BY e._row", params)

    def _listed(self, sql_tail: str, params: Sequence[object], columns: Sequence[str]) -> pd.DataFrame:
        """Only ``columns`` of the events, with their canonical dtypes (not a whole canonical table).

        Parquet is read by column: the table's dozen columns cost a fraction of all of them, and
        leaving out the canonical checks of every other column saves more.
        """
        names = list(dict.fromkeys([*columns, "event_id", "event_date"]))
        select = ", ".join(f"e.{q(c)}" for c in names)
        raw = rows_frame(self._tx.rows(f"SELECT {select} FROM {EVENTS} e {sql_tail}", params), names)
        out: dict[str, object] = {}
        for col in names:
            dtype = str(schema.DTYPES[col])
            values = raw[col]
            if col in schema.DATE_COLUMNS:
                out[col] = pd.to_datetime(values.astype(object)).astype("datetime64[ns]")
            elif dtype == "category":
                out[col] = pd.Categorical(values.to_numpy(dtype=object))
            elif dtype == "string":
                out[col] = values.astype("string")
            else:
                out[col] = values.astype(dtype)
        return pd.DataFrame(out)

    def newest_listed(self, spec: FilterSpec | None, limit: int, columns: Sequence[str]) -> pd.DataFrame:
        """``newest`` reading only ``columns``."""
        where, params = self._shown(spec)
        tail = f"WHERE {where} ORDER BY e.event_date DESC, {self.order_key} DESC LIMIT {max(int(limit), 0)}"
        return self._listed(tail, params, columns)

    def find_listed(self, ids: Sequence[str], spec: FilterSpec | None, columns: Sequence[str]) -> pd.DataFrame:
        """``find_events`` reading only ``columns``."""
        where, params = self._shown(spec)
        wanted, values = DUCKDB.one_of("e.event_id", [str(i) for i in ids])
        tail = f"WHERE {where} AND {wanted} ORDER BY e.event_date, {self.order_key}"
        return self._listed(tail, [*params, *values], columns)


class ParquetSource:
    """What ``SummaryReader`` asks of a store, answered by DuckDB over one GeoParquet file.

    Parameters
    ----------
    path : str or pathlib.Path
        A GeoParquet file of canonical events (``catalog.write_cache`` writes them).
    threads : int, optional
        DuckDB's worker threads (default: DuckDB's, one per core).
    memory_limit : str, optional
        DuckDB's memory limit, e.g. ``"1GB"``.

    Raises
    ------
    ParquetEventsError
        If the file cannot be read as Parquet or lacks the canonical columns.
    """

    dialect = DUCKDB

    def __init__(self, path: str | Path, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        self.path = Path(path)
        config: dict[str, object] = {}
        if threads is not None:
            config["threads"] = int(threads)
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        self._db = duckdb.connect(":memory:", config=config)
        # Registered once for the database: its cursors share it.
        self._db.create_function("conflictmap_fold", fold, ["VARCHAR"], "VARCHAR", side_effects=False)
        literal = str(self.path.resolve()).replace("'", "''")
        select = _select_list(self.path)
        self._db.execute(
            f"CREATE VIEW {EVENTS} AS SELECT {select} FROM read_parquet('{literal}', file_row_number = true)"
        )
        self._local = threading.local()
        self._labels_read: dict[str, list[str]] = {}
        self._lock = threading.Lock()

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
        """Close DuckDB."""
        self._db.close()


class ColumnarViews(DatabaseViews):
    """``EventViews`` answered by DuckDB over a GeoParquet file of canonical events, read in place.

    Parameters
    ----------
    path : str or pathlib.Path
        The GeoParquet file (an event file's cache, ``catalog.cache_path``).
    workers : int
        Questions answered at once, each on its own thread and DuckDB cursor.
    threads, memory_limit : optional
        DuckDB's settings (see ``ParquetSource``).

    Raises
    ------
    ParquetEventsError
        If the file cannot be read as Parquet or lacks the canonical columns.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        workers: int = WORKERS,
        threads: int | None = None,
        memory_limit: str | None = None,
    ) -> None:
        super().__init__(ParquetSource(path, threads=threads, memory_limit=memory_limit), workers=workers)  # type: ignore[arg-type]
        self.path = Path(path)

    @staticmethod
    def _table(read: SummaryReader, spec: FilterSpec, limit: int, selected: str | None) -> pd.DataFrame:
        # As ``DatabaseViews._table``, reading only the columns the table shows.
        assert isinstance(read, _ColumnarReader)
        shown = list(details.TABLE_COLUMNS.values())
        newest = read.newest_listed(spec, limit, shown)
        rows = newest.iloc[::-1]
        if selected is not None and selected not in set(newest["event_id"].astype(str)):
            chosen = read.find_listed([selected], spec, shown)
            if len(chosen):
                rows = pd.concat([chosen, rows])
        return details.table_rows(rows.reset_index(drop=True), limit, selected)

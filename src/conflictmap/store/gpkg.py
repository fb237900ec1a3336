"""The embedded store: one GeoPackage file that QGIS and GDAL open as it is.

The file follows GeoPackage 1.4: the ``gpkg_*`` tables, the ``events`` point
layer in EPSG:4326 (geometry in GeoPackage binary, with an R-tree spatial
index kept by the standard triggers), and ``event_history`` and ``imports``
registered as attribute tables. ``conflictmap_meta`` marks the file as a store.

SQLite in WAL mode lets readers carry on while one writer writes; writers take
turns (``BEGIN IMMEDIATE``), waiting up to the store's lock timeout. A
transaction interrupted in any way, the process killed included, leaves no
trace. WAL needs a local disk: keep the file off network shares.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import struct
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from conflictmap import schema
from conflictmap.store import records
from conflictmap.store.base import (
    EVENT_COLUMNS,
    HISTORY_COLUMNS,
    IMPORT_COLUMNS,
    SCHEMA_VERSION,
    EventStore,
    q,
)
from conflictmap.store.core import python_rows
from conflictmap.store.records import ROW_COLUMNS, utc_now
from conflictmap.store.report import NotAStoreError, StoreBusyError, StoreError, StoreNotFoundError
from conflictmap.store.where import Dialect, polygon_covers

#: ``PRAGMA application_id`` of a GeoPackage ("GPKG") and ``user_version`` of version 1.4.
APPLICATION_ID = 0x47504B47
USER_VERSION = 10400
EVENTS = "events"
HISTORY = "event_history"
IMPORTS = "imports"
META = "conflictmap_meta"
RTREE = f"rtree_{EVENTS}_geom"
#: Each attempt to take the write lock waits this long before ``on_wait`` is told.
WAIT_STEP_MS = 200
READ_BUSY_MS = 30_000

WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],'
    'AUTHORITY["EPSG","4326"]]'
)

_SQL_TYPES = {"string": "TEXT", "category": "TEXT", "int8": "SMALLINT", "int64": "INTEGER", "Int64": "INTEGER"}
_SQL_TYPES |= {"bool": "BOOLEAN", "float64": "REAL", "datetime64[ns, UTC]": "DATETIME", "datetime64[ns]": "DATE"}
_STORE_TYPES = {
    "status": "TEXT NOT NULL",
    "version": "INTEGER NOT NULL",
    "origin": "TEXT NOT NULL",
    "edited": "BOOLEAN NOT NULL",
    "created_at": "DATETIME NOT NULL",
    "created_by": "TEXT NOT NULL",
    "updated_at": "DATETIME NOT NULL",
    "updated_by": "TEXT NOT NULL",
    "import_id": "INTEGER",
    "notes_search": "TEXT",
    "content_hash": "TEXT",
}


def _event_columns_sql() -> str:
    parts = ['"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL', '"geom" POINT']
    for col, dtype in schema.DTYPES.items():
        extra = " NOT NULL UNIQUE" if col == "event_id" else ""
        parts.append(f"{q(col)} {_SQL_TYPES[dtype]}{extra}")
    parts += [f"{q(col)} {kind}" for col, kind in _STORE_TYPES.items()]
    return ", ".join(parts)


_NEW_BOX = 'ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"), ST_MinY(NEW."geom"), ST_MaxY(NEW."geom")'
_INSERT_TRIGGER = (
    f'CREATE TRIGGER "{RTREE}_insert" AFTER INSERT ON "{EVENTS}" WHEN (new."geom" NOT NULL AND NOT '
    f'ST_IsEmpty(NEW."geom")) BEGIN INSERT OR REPLACE INTO "{RTREE}" VALUES (NEW."fid", {_NEW_BOX}); END'
)
#: Indexes (name, statement) made on opening when missing. Partial: only deleted events are in it,
#: so imports pay nothing for it and the deleted-events list reads no other row.
_LATER_INDEXES = (
    (
        f"{EVENTS}_deleted",
        f"CREATE INDEX IF NOT EXISTS {EVENTS}_deleted ON {EVENTS} (event_id) WHERE status = 'deleted'",
    ),
)
#: From this many rows on, an insert fills the R-tree in one statement instead of row by row through its trigger.
BULK_ROWS = 200


def _schema_sql() -> list[str]:
    """Statements that make an empty file a GeoPackage store."""
    ddl = [
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, "
        "organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, "
        "description TEXT)",
        "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, "
        "identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT "
        "(strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, "
        "srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))",
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
        "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, "
        "CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE "
        "(table_name), CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name), "
        "CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))",
        "CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, "
        "definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, "
        "extension_name))",
        f"CREATE TABLE {EVENTS} ({_event_columns_sql()})",
        f"CREATE INDEX {EVENTS}_event_date ON {EVENTS} (event_date)",
        # Few indexes: each costs time on every import, and SQLite scans 100,000 rows in milliseconds.
        f"CREATE INDEX {EVENTS}_dataset ON {EVENTS} (dataset, event_date)",
        f"CREATE TABLE {HISTORY} (history_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, event_id TEXT NOT NULL, "
        "version INTEGER NOT NULL, change TEXT NOT NULL, changed_at DATETIME NOT NULL, changed_by TEXT NOT NULL, "
        "import_id INTEGER, reason TEXT, changes TEXT, before TEXT)",
        f"CREATE INDEX {HISTORY}_event ON {HISTORY} (event_id, version)",
        f"CREATE TABLE {IMPORTS} (import_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, started_at DATETIME NOT NULL, "
        "finished_at DATETIME, user_name TEXT NOT NULL, source TEXT, file_name TEXT, file_sha256 TEXT, format TEXT, "
        "datasets TEXT, full_import BOOLEAN, rows_read INTEGER, rows_loaded INTEGER, rows_rejected INTEGER, "
        "inserted INTEGER, updated INTEGER, unchanged INTEGER, flagged_missing INTEGER, reappeared INTEGER, "
        "kept_deleted INTEGER, kept_edits INTEGER, notes TEXT)",
        f"CREATE TABLE {META} (key TEXT PRIMARY KEY NOT NULL, value TEXT)",
        f'CREATE VIRTUAL TABLE "{RTREE}" USING rtree(id, minx, maxx, miny, maxy)',
    ]
    # The R-tree triggers of GeoPackage 1.4 (as GDAL writes them).
    new_box = _NEW_BOX
    ddl += [
        _INSERT_TRIGGER,
        f'CREATE TRIGGER "{RTREE}_update6" AFTER UPDATE OF "geom" ON "{EVENTS}" WHEN OLD."fid" = NEW."fid" AND '
        f'(NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) AND (OLD."geom" NOTNULL AND NOT ST_IsEmpty(OLD."geom")) '
        f'BEGIN UPDATE "{RTREE}" SET minx = ST_MinX(NEW."geom"), maxx = ST_MaxX(NEW."geom"), '
        f'miny = ST_MinY(NEW."geom"), maxy = ST_MaxY(NEW."geom") WHERE id = NEW."fid"; END',
        f'CREATE TRIGGER "{RTREE}_update7" AFTER UPDATE OF "geom" ON "{EVENTS}" WHEN OLD."fid" = NEW."fid" AND '
        f'(NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) AND (OLD."geom" ISNULL OR ST_IsEmpty(OLD."geom")) '
        f'BEGIN INSERT INTO "{RTREE}" VALUES (NEW."fid", {new_box}); END',
        f'CREATE TRIGGER "{RTREE}_update2" AFTER UPDATE OF "geom" ON "{EVENTS}" WHEN OLD."fid" = NEW."fid" AND '
        f'(NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM "{RTREE}" WHERE id = OLD."fid"; END',
        f'CREATE TRIGGER "{RTREE}_update5" AFTER UPDATE ON "{EVENTS}" WHEN OLD."fid" != NEW."fid" AND '
        f'(NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM "{RTREE}" WHERE id = OLD."fid"; '
        f'INSERT OR REPLACE INTO "{RTREE}" VALUES (NEW."fid", {new_box}); END',
        f'CREATE TRIGGER "{RTREE}_update4" AFTER UPDATE ON "{EVENTS}" WHEN OLD."fid" != NEW."fid" AND '
        f'(NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM "{RTREE}" '
        'WHERE id IN (OLD."fid", NEW."fid"); END',
        f'CREATE TRIGGER "{RTREE}_delete" AFTER DELETE ON "{EVENTS}" WHEN old."geom" NOT NULL '
        f'BEGIN DELETE FROM "{RTREE}" WHERE id = OLD."fid"; END',
    ]
    return ddl


def _contents_rows(now: str) -> list[tuple[str, Sequence[object]]]:
    srs = "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)"
    contents = "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) "
    contents += "VALUES (?, ?, ?, ?, ?, ?)"
    return [
        (
            srs,
            ("Undefined Cartesian SRS", -1, "NONE", -1, "undefined", "undefined Cartesian coordinate reference system"),
        ),
        (
            srs,
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
        ),
        (srs, ("WGS 84 geodetic", 4326, "EPSG", 4326, WGS84_WKT, "longitude/latitude coordinates in decimal degrees")),
        (contents, (EVENTS, "features", EVENTS, "Conflict events (status: active, missing, deleted)", now, 4326)),
        (contents, (HISTORY, "attributes", HISTORY, "Every change to an event: who, when, what", now, None)),
        (contents, (IMPORTS, "attributes", IMPORTS, "Every import: file, user, counts", now, None)),
        ("INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, ?, ?)", (EVENTS, "geom", "POINT", 4326, 0, 0)),
        (
            "INSERT INTO gpkg_extensions VALUES (?, ?, ?, ?, ?)",
            (EVENTS, "geom", "gpkg_rtree_index", "http://www.geopackage.org/spec120/#extension_rtree", "write-only"),
        ),
        (f"INSERT INTO {META} VALUES (?, ?)", ("schema_version", str(SCHEMA_VERSION))),
        (f"INSERT INTO {META} VALUES (?, ?)", ("created_at", now)),
    ]


# -- the SQL functions the R-tree triggers call (GDAL and SpatiaLite provide them elsewhere)

_ENVELOPE_BYTES = (0, 32, 48, 48, 64, 0, 0, 0)


def _bounds(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a GeoPackage binary geometry: a point's coordinates, else its envelope."""
    if blob is None or len(blob) < 8 or blob[:2] != b"GP" or blob[3] & 0x10:
        return None
    flags = blob[3]
    envelope = _ENVELOPE_BYTES[(flags >> 1) & 7]
    order = "<" if flags & 1 else ">"
    if envelope:
        minx, maxx, miny, maxy = struct.unpack_from(order + "4d", blob, 8)
        return minx, maxx, miny, maxy
    wkb = 8
    if len(blob) < wkb + 21:
        return None
    wkb_order = "<" if blob[wkb] == 1 else ">"
    kind = struct.unpack_from(wkb_order + "I", blob, wkb + 1)[0]
    if kind % 1000 != 1:
        return None
    x, y = struct.unpack_from(wkb_order + "2d", blob, wkb + 5)
    return x, x, y, y


def _part(index: int) -> Callable[[bytes | None], float | None]:
    def value(blob: bytes | None) -> float | None:
        box = _bounds(blob)
        return None if box is None else box[index]

    return value


def _is_empty(blob: bytes | None) -> int | None:
    if blob is None or len(blob) < 8 or blob[:2] != b"GP":
        return None
    return 1 if blob[3] & 0x10 else 0


def _read_only_reason(path: Path) -> str | None:
    """Why this process cannot write the store at ``path`` (an existing file), or ``None``."""
    # SQLite writes next to the file (its -wal, -shm or -journal), so the folder must be writable too.
    if not os.access(path, os.W_OK):
        return f"the store {path} is read-only (this user may not write the file)"
    if not os.access(path.parent, os.W_OK):
        return f"the store {path} is read-only (this user may not write in its folder {path.parent})"
    return None


def _connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return _connect_read_only(path)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=READ_BUSY_MS / 1000)
    _prepare(conn)
    return conn


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that never writes: ``mode=ro``; where even that needs a file SQLite cannot make, ``immutable``."""
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    for extra in ("", "&immutable=1"):
        conn = sqlite3.connect(
            uri + extra, uri=True, isolation_level=None, check_same_thread=False, timeout=READ_BUSY_MS / 1000
        )
        try:
            # A WAL-mode file in a folder this user cannot write fails here (no -shm can be made).
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError:
            conn.close()
            continue
        _prepare(conn, read_only=True)
        return conn
    raise sqlite3.OperationalError("unable to open database file")


def _prepare(conn: sqlite3.Connection, read_only: bool = False) -> None:
    conn.execute(f"PRAGMA busy_timeout = {READ_BUSY_MS}")
    if not read_only:
        conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA cache_size = -65536")
    for name, function in (("ST_MinX", _part(0)), ("ST_MaxX", _part(1)), ("ST_MinY", _part(2)), ("ST_MaxY", _part(3))):
        conn.create_function(name, 1, function, deterministic=True)
    conn.create_function("ST_IsEmpty", 1, _is_empty, deterministic=True)
    # A polygon filter's exact test, on the rows its box (the R-tree) leaves: shapely, as in memory.
    conn.create_function("conflictmap_covers", 3, polygon_covers, deterministic=True)


def _sqlite_value(value: object) -> object:
    if isinstance(value, list | tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return value


class _Tx:
    """A transaction on one SQLite connection; list parameters travel as JSON arrays (read with json_each)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        self.conn.execute(sql, [_sqlite_value(p) for p in params])

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        return self.conn.execute(sql, [_sqlite_value(p) for p in params]).fetchall()

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        self.conn.executemany(sql, rows)


class GeoPackageStore(EventStore):
    """The events in one GeoPackage file.

    Parameters
    ----------
    path : str or pathlib.Path
        The file; created (with its folder) when missing and ``create`` is true.
    create : bool, default True
        Make the store if there is none; otherwise ``StoreNotFoundError``.
    user, on_wait, lock_timeout
        See ``EventStore``.

    Raises
    ------
    StoreNotFoundError
        If there is no file and ``create`` is false.
    NotAStoreError
        If the file is not a GeoPackage made by this store.
    """

    backend = "geopackage"
    dialect = Dialect(
        in_list="{col} IN (SELECT value FROM json_each(?))",
        contains="instr({col}, ?) > 0",
        bbox_index=f'e.fid IN (SELECT id FROM "{RTREE}" WHERE maxx >= ? AND maxy >= ? AND minx <= ? AND miny <= ?)',
    )
    _ids_join = "JOIN json_each(?) AS wanted ON e.event_id = wanted.value"

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        user: str | None = None,
        on_wait: Callable[[str], None] | None = None,
        lock_timeout: float = 120.0,
    ) -> None:
        super().__init__(user=user, on_wait=on_wait, lock_timeout=lock_timeout)
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        if fresh and not create:
            raise StoreNotFoundError(
                f"no store at {self.path}; run `conflictmap db init` or import a file to create it"
            )
        # A new store's file is made on first use, not here: a save the checks refuse
        # (``add_event`` validates before it touches the store) leaves no file behind.
        self._ready = not fresh
        self._making = threading.Lock()
        if not fresh:
            self._check_file()
            self._read_only = _read_only_reason(self.path)
            self._ensure_schema()

    @property
    def location(self) -> str:
        return str(self.path)

    def _check_file(self) -> None:
        with self.path.open("rb") as handle:
            head = handle.read(16)
        if head != b"SQLite format 3\x00":
            raise NotAStoreError(f"{self.path} is not a GeoPackage (not an SQLite file); choose another store path")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None and not self._ready and not getattr(self._local, "making", False):
            self._make_file()
            conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = _connect(self.path, read_only=not self.writable)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open the store {self.path}: {exc}") from None
            self._local.conn = conn
            with self._guard:
                self._all.append(conn)
        return conn

    def _make_file(self) -> None:
        """Create the store's file and tables (once, whichever thread first needs them)."""
        with self._making:
            if self._ready:
                return
            self._local.making = True
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._ensure_schema()
            finally:
                self._local.making = False
            self._ready = True

    def _ensure_schema(self) -> None:
        conn = self._conn()
        try:
            if self._meta_version(conn) is None and not self.writable:
                raise NotAStoreError(f"{self.path} is an empty database, and read-only: it cannot become a store")
            if self._meta_version(conn) is None:
                with self._transaction(write=True) as tx:
                    # Another process may have created it while we waited for the lock.
                    if self._meta_version(conn) is None:
                        self._create(tx)
            if self.writable:
                self._use_wal(conn)
                self._ensure_columns(conn)
                self._ensure_indexes(conn)
        except sqlite3.DatabaseError as exc:
            raise NotAStoreError(f"{self.path} cannot be read as a GeoPackage: {exc}") from None
        version = self._meta_version(conn)
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer conflictmap (store layout {version}; this one reads "
                f"{SCHEMA_VERSION}); upgrade conflictmap"
            )

    def _ensure_columns(self, conn: sqlite3.Connection) -> None:
        """Canonical columns added after a store was made (``schema.EXTENDED_COLUMNS``), added to it, empty."""
        present = {r[1] for r in conn.execute(f"PRAGMA table_info({EVENTS})")}
        missing = [c for c in schema.COLUMNS if c not in present]
        if not missing:
            return
        try:
            with self._transaction(write=True) as tx:
                present = {r[1] for r in conn.execute(f"PRAGMA table_info({EVENTS})")}
                for col in (c for c in missing if c not in present):
                    tx.execute(f"ALTER TABLE {EVENTS} ADD COLUMN {q(col)} {_SQL_TYPES[schema.DTYPES[col]]}")
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"{self.path} was made by an earlier conflictmap and needs the columns {', '.join(missing)} "
                f"added, which failed ({exc}); open it once where it can be written"
            ) from None

    def _ensure_indexes(self, conn: sqlite3.Connection) -> None:
        """Indexes added after the first layout, created in stores made before them."""
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        missing = [sql for name, sql in _LATER_INDEXES if name not in present]
        if not missing:
            return
        # Only if no one is writing, and not on a read-only medium: the store works without them, a
        # little slower (a deleted-events list scans the table), and the next opening tries again.
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            conn.execute("BEGIN IMMEDIATE")
            for sql in missing:
                conn.execute(sql)
            conn.execute("COMMIT")
        except sqlite3.OperationalError:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        finally:
            conn.execute(f"PRAGMA busy_timeout = {READ_BUSY_MS}")

    @staticmethod
    def _use_wal(conn: sqlite3.Connection) -> None:
        """Write-ahead logging, so readers carry on during a write (a restored backup comes in rollback mode)."""
        if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return
        # With another process holding the file open it stays in rollback mode: as safe, only slower to read.
        with contextlib.suppress(sqlite3.OperationalError):
            conn.execute("PRAGMA journal_mode = WAL")

    def _meta_version(self, conn: sqlite3.Connection) -> int | None:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if META in tables:
            row = conn.execute(f"SELECT value FROM {META} WHERE key = 'schema_version'").fetchone()
            return int(row[0]) if row else None
        if tables:
            raise NotAStoreError(
                f"{self.path} is a database but not a conflictmap store (it has no {META} table); "
                "choose another store path, or import the file into the store instead"
            )
        return None

    def _create(self, tx: _Tx) -> None:
        tx.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        tx.execute(f"PRAGMA user_version = {USER_VERSION}")
        for statement in _schema_sql():
            tx.execute(statement)
        for statement, params in _contents_rows(utc_now()):
            tx.execute(statement, params)

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[_Tx]:
        conn = self._conn()
        if write:
            self._begin_write(conn)
        else:
            conn.execute("BEGIN")
        try:
            yield _Tx(conn)
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
                self._read_only = f"the store {self.path} cannot be written ({exc})"
                self._require_writable()
            raise
        conn.execute("COMMIT")

    def _begin_write(self, conn: sqlite3.Connection) -> None:
        self._require_writable()
        deadline = time.monotonic() + self.lock_timeout
        told = False
        conn.execute(f"PRAGMA busy_timeout = {WAIT_STEP_MS}")
        try:
            while True:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if "readonly" in str(exc):
                        # A read-only medium the permission check did not see.
                        self._read_only = f"the store {self.path} is on a read-only medium"
                        self._require_writable()
                    if "locked" not in str(exc) and "busy" not in str(exc):
                        raise
                    if time.monotonic() > deadline:
                        raise StoreBusyError(
                            f"{self.path} has been locked by another writer for {self.lock_timeout:g} s; "
                            "try again when its import or edit is done"
                        ) from None
                    if not told and self.on_wait is not None:
                        self.on_wait(f"waiting for another writer to finish with {self.path}")
                        told = True
        finally:
            conn.execute(f"PRAGMA busy_timeout = {READ_BUSY_MS}")

    def _table(self, name: str) -> str:
        return {"events": EVENTS, "history": HISTORY, "imports": IMPORTS, "meta": META}[name]

    def _insert(self, tx: _Tx, table: str, rows: pd.DataFrame) -> None:
        if rows.empty:
            return
        if table == "events":
            columns = list(ROW_COLUMNS)
            values = python_rows(rows, columns)
            blobs = records.point_blobs(
                rows["longitude"].to_numpy(dtype="float64"), rows["latitude"].to_numpy(dtype="float64")
            )
            values = [(*v, b) for v, b in zip(values, blobs, strict=True)]
            columns.append("geom")
        else:
            allowed = HISTORY_COLUMNS if table == "history" else IMPORT_COLUMNS
            columns = [c for c in allowed if c in rows.columns]
            values = python_rows(rows, columns)
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(q(c) for c in columns)
        statement = f"INSERT INTO {self._table(table)} ({names}) VALUES ({marks})"
        if table != "events" or len(values) < BULK_ROWS:
            tx.executemany(statement, values)
            return
        # The trigger calls four functions per row; filling the index afterwards is several times faster.
        # Dropping and re-creating it inside the transaction is atomic like the rest.
        last = tx.rows(f"SELECT COALESCE(MAX(fid), 0) FROM {EVENTS}")[0][0]
        tx.execute(f'DROP TRIGGER "{RTREE}_insert"')
        tx.executemany(statement, values)
        tx.execute(
            f'INSERT INTO "{RTREE}" SELECT fid, longitude, longitude, latitude, latitude FROM {EVENTS} WHERE fid > ?',
            [last],
        )
        tx.execute(_INSERT_TRIGGER)

    def _update_events(self, tx: _Tx, rows: pd.DataFrame) -> None:
        if rows.empty:
            return
        # The point first, and only where it moved: rewriting it runs the R-tree trigger for nothing.
        blobs = records.point_blobs(
            rows["longitude"].to_numpy(dtype="float64"), rows["latitude"].to_numpy(dtype="float64")
        )
        places = python_rows(rows, ["longitude", "latitude", "event_id"])
        tx.executemany(
            f"UPDATE {EVENTS} SET geom = ? WHERE (longitude IS NOT ? OR latitude IS NOT ?) AND event_id = ?",
            [(b, *p) for b, p in zip(blobs, places, strict=True)],
        )
        columns = [c for c in ROW_COLUMNS if c != "event_id"]
        sets = ", ".join(f"{q(c)} = ?" for c in columns)
        tx.executemany(f"UPDATE {EVENTS} SET {sets} WHERE event_id = ?", python_rows(rows, [*columns, "event_id"]))

    def _after_write(self, tx: _Tx) -> None:
        super()._after_write(tx)
        now = utc_now()
        box = tx.rows(f"SELECT MIN(longitude), MIN(latitude), MAX(longitude), MAX(latitude) FROM {EVENTS}")[0]
        tx.execute(
            "UPDATE gpkg_contents SET last_change = ?, min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
            [now, *box, EVENTS],
        )
        tx.execute(
            "UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?)",
            [now, HISTORY, IMPORTS],
        )

    def _outside_change(self, tx: _Tx) -> str:
        # GDAL (and so QGIS) sets the layer's last change when it edits features; so does _after_write.
        found = tx.rows("SELECT last_change FROM gpkg_contents WHERE table_name = ?", [EVENTS])
        return str(found[0][0]) if found else ""

    def _period_sql(self, freq: str) -> str:
        if freq == "W":
            return "date(e.event_date, '-6 days', 'weekday 1')"
        if freq == "M":
            return "strftime('%Y-%m-01', e.event_date)"
        return "e.event_date"

    def backup(self, path: str | Path) -> dict[str, int]:
        target = Path(path)
        if target.exists():
            raise StoreError(f"{target} already exists; give a new file name for the backup")
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = sqlite3.connect(partial)
        try:
            # One step: the copy is one consistent snapshot even while others write.
            self._conn().backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            counts = {
                "events": copy.execute(f"SELECT COUNT(*) FROM {EVENTS}").fetchone()[0],
                "history": copy.execute(f"SELECT COUNT(*) FROM {HISTORY}").fetchone()[0],
                "imports": copy.execute(f"SELECT COUNT(*) FROM {IMPORTS}").fetchone()[0],
            }
        finally:
            copy.close()
        partial.replace(target)
        return counts

    def _open_geopackage(self, path: str | Path, *, create: bool) -> GeoPackageStore:
        return GeoPackageStore(path, create=create)

    def seal(self) -> None:
        """Fold the write-ahead log into the file and leave it in rollback-journal mode: one self-contained file."""
        self.close()
        if not self._ready:
            return  # never used: there is no file to seal
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()

    def close(self) -> None:
        with self._guard:
            connections, self._all = self._all, []
        for conn in connections:
            conn.close()
        self._local = threading.local()


__all__ = ["EVENT_COLUMNS", "GeoPackageStore"]

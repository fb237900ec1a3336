"""The team store: PostgreSQL with PostGIS, chosen by ``CONFLICTMAP_DB=postgresql://...``.

The tables live in their own schema (``conflictmap``): ``events`` with a
``geometry(Point, 4326)`` column computed from the coordinates and a GiST
index, date, type, dataset and region indexes; ``event_history``;
``imports``; ``meta``; and ``events_narrow``, the columns the page's views
group and filter by, kept equal to ``events`` by triggers on it (every write,
conflictmap's or another program's, in the same transaction), with BRIN indexes
on its dates. Filters, timelines and map grids run as SQL, so a
dashboard only receives what its view shows. Imports travel by COPY. Writers
take turns through a transaction-level advisory lock; readers never wait.
QGIS opens ``conflictmap.events`` as a PostGIS layer.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import psycopg
from psycopg import sql as pgsql
from psycopg.conninfo import conninfo_to_dict

from conflictmap import schema
from conflictmap.messages import shorten
from conflictmap.store.base import HISTORY_COLUMNS, IMPORT_COLUMNS, SCHEMA_VERSION, EventStore, q
from conflictmap.store.core import CODED_COLUMNS, VIEW_COLUMNS, python_rows
from conflictmap.store.gpkg import GeoPackageStore
from conflictmap.store.records import ROW_COLUMNS, utc_now
from conflictmap.store.report import (
    NotAStoreError,
    StoreBusyError,
    StoreError,
    StoreNotFoundError,
    StoreReadOnlyError,
)
from conflictmap.store.where import Dialect

DEFAULT_SCHEMA = "conflictmap"
#: Seconds a connection attempt waits for the server (unless the URL sets ``connect_timeout``).
CONNECT_TIMEOUT_S = 10
#: Set on each connection for the views' grouped counts (see benchmarks/DATABASE.md, "What each choice bought").
#: JIT compiling costs 200-330 ms per query over a million events and saves less than it costs on these
#: short scans; a larger sort and hash memory lets the groups stay in memory instead of spilling to disk.
SESSION_SETTINGS = ("SET jit = off", "SET work_mem = '32MB'")
_SQL_TYPES = {"string": "text", "category": "text", "int8": "smallint", "int64": "integer", "Int64": "integer"}
_SQL_TYPES |= {"bool": "boolean", "float64": "double precision", "datetime64[ns, UTC]": "timestamptz"}
_SQL_TYPES |= {"datetime64[ns]": "date"}
_STORE_TYPES = {
    "status": "text NOT NULL",
    "version": "integer NOT NULL",
    "origin": "text NOT NULL",
    "edited": "boolean NOT NULL",
    "created_at": "timestamptz NOT NULL",
    "created_by": "text NOT NULL",
    "updated_at": "timestamptz NOT NULL",
    "updated_by": "text NOT NULL",
    "import_id": "integer",
    "notes_search": "text",
    "content_hash": "text",
}
#: The narrow table of the views' columns (``core.VIEW_COLUMNS``), and the metadata key naming its columns.
NARROW_TABLE = "events_narrow"
NARROW_KEY = "events_narrow_columns"
#: The labels of the narrow table's coded columns (``core.CODED_COLUMNS``): a code never changes its label.
LABELS_TABLE = "events_labels"


def safe_url(url: str) -> str:
    """A connection URL without its password, for messages."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(an unreadable PostgreSQL URL)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


def _convert(statement: str) -> str:
    """``?`` placeholders -> psycopg's ``%s`` (and literal ``%`` doubled)."""
    return statement.replace("%", "%%").replace("?", "%s")


class _Tx:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.cur = conn.cursor()

    def execute(self, statement: str, params: Sequence[object] = ()) -> None:
        self.cur.execute(_convert(statement), list(params))

    def rows(self, statement: str, params: Sequence[object] = ()) -> list[tuple]:
        self.cur.execute(_convert(statement), list(params))
        return self.cur.fetchall() if self.cur.description else []

    def copy_rows(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        names = ", ".join(q(c) for c in columns)
        with self.cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


class PostGISStore(EventStore):
    """The events in a PostgreSQL database with PostGIS.

    Parameters
    ----------
    url : str
        ``postgresql://user:password@host:port/database`` (any libpq connection string).
    schema_name : str
        The schema holding the store's tables (created if missing).
    create : bool, default True
        Create the tables (and the PostGIS extension, given the rights) when missing.
    user, on_wait, lock_timeout
        See ``EventStore``.

    Raises
    ------
    StoreError
        If the database cannot be reached or lacks PostGIS (the message says what to do).
    NotAStoreError
        If the schema exists but does not hold a conflictmap store.
    """

    backend = "postgis"
    dialect = Dialect(
        in_list="{col} = ANY(?)",
        contains="strpos({col}, ?) > 0",
        bbox_index="e.geom && ST_MakeEnvelope(?, ?, ?, ?, 4326)",
        covers="ST_Covers(ST_GeomFromText(?, 4326), e.geom)",
        grouping_sets=True,
    )
    _ids_join = "JOIN unnest(?::text[]) AS wanted(event_id) ON e.event_id = wanted.event_id"

    def __init__(
        self,
        url: str,
        *,
        schema_name: str = DEFAULT_SCHEMA,
        create: bool = True,
        user: str | None = None,
        on_wait: Callable[[str], None] | None = None,
        lock_timeout: float = 120.0,
    ) -> None:
        super().__init__(user=user, on_wait=on_wait, lock_timeout=lock_timeout)
        if not schema_name.isidentifier():
            raise ValueError(f"schema_name {schema_name!r}; expected letters, digits and underscores")
        self.url = url
        self.schema_name = schema_name
        digest = hashlib.sha1(f"conflictmap:{schema_name}".encode()).digest()
        self._lock_key = int.from_bytes(digest[:8], "big", signed=True)
        self._local = threading.local()
        self._all: list[psycopg.Connection] = []
        self._guard = threading.Lock()
        labels = f"{schema_name}.{LABELS_TABLE}"
        #: For the narrow table: its text columns hold codes (the labels wanted become their codes once per
        #: statement), and it has no geometry (a box is tested on the coordinates alone).
        self.narrow_dialect = Dialect(
            in_list=f"{{col}} = ANY(ARRAY(SELECT code FROM {labels} WHERE label = ANY(?)))",
            contains="strpos({col}, ?) > 0",
            # The narrow table keeps the point as its coordinates, not as a geometry.
            covers="ST_Covers(ST_GeomFromText(?, 4326), ST_SetSRID(ST_MakePoint(longitude, latitude), 4326))",
            grouping_sets=True,
        )
        self._labels_table = labels
        #: Code -> label of the narrow table's coded columns, as far as read (codes are never reused).
        self._codes: dict[int, str] = {}
        self._ensure_schema(create)
        self._read_only = self._read_only_reason()

    def _read_only_reason(self) -> str | None:
        """Why this role cannot write the store (a read-only server or role), or ``None``."""
        try:
            read_only, may_insert = (
                self._conn()
                .execute(
                    "SELECT current_setting('transaction_read_only') = 'on', has_table_privilege(%s, 'INSERT')",
                    [self._table("events")],
                )
                .fetchone()
            )
        except psycopg.Error:
            return None  # the write itself will say what is wrong
        if read_only:
            return f"the database {self.location} is read-only (a standby, or a read-only session)"
        if not may_insert:
            return f"the database {self.location} is read-only for this role (no right to insert events)"
        return None

    @property
    def location(self) -> str:
        return f"{safe_url(self.url)} (schema {self.schema_name})"

    def _conn(self) -> psycopg.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            try:
                # An unreachable host should fail in seconds, not after the system's TCP timeout.
                wait = {} if "connect_timeout" in conninfo_to_dict(self.url) else {"connect_timeout": CONNECT_TIMEOUT_S}
                conn = psycopg.connect(self.url, autocommit=True, application_name="conflictmap", **wait)
            except psycopg.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise StoreError(f"cannot connect to {safe_url(self.url)}: {first}") from None
            conn.execute("SET TIME ZONE 'UTC'")
            for setting in SESSION_SETTINGS:
                conn.execute(setting)
            self._local.conn = conn
            with self._guard:
                self._all.append(conn)
        return conn

    def _after_import(self) -> None:
        # The planner's statistics: without them, right after a bulk import, it scans whole tables.
        # The import is committed: should this fail, autovacuum refreshes the statistics later.
        with contextlib.suppress(psycopg.Error):
            tables = [self._table("events"), self._table("history")]
            if self._views_table is not None:
                tables.append(self._views_table)
            self._conn().execute(f"ANALYZE {', '.join(tables)}")

    def _table(self, name: str) -> str:
        table = {"events": "events", "history": "event_history", "imports": "imports", "meta": "meta"}[name]
        return f"{self.schema_name}.{table}"

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[_Tx]:
        conn = self._conn()
        try:
            with conn.transaction():
                tx = _Tx(conn)
                if write:
                    self._require_writable()
                    self._lock(tx)
                else:
                    tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield tx
        except (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege) as exc:
            first = shorten(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
            raise StoreReadOnlyError(f"the database {self.location} refused the change: {first}") from None
        except psycopg.Error as exc:
            if conn.closed or conn.broken:
                self._local.conn = None
            raise StoreError(f"the database {safe_url(self.url)} failed: {shorten(str(exc).strip())}") from None

    def _lock(self, tx: _Tx) -> None:
        if tx.rows("SELECT pg_try_advisory_xact_lock(?)", [self._lock_key])[0][0]:
            return
        if self.on_wait is not None:
            self.on_wait(f"waiting for another writer to finish with {self.location}")
        tx.execute(f"SET LOCAL lock_timeout = '{int(self.lock_timeout * 1000)}ms'")
        try:
            tx.execute("SELECT pg_advisory_xact_lock(?)", [self._lock_key])
        except psycopg.errors.LockNotAvailable:
            raise StoreBusyError(
                f"{self.location} has been locked by another writer for {self.lock_timeout:g} s; "
                "try again when its import or edit is done"
            ) from None
        tx.execute("SET LOCAL lock_timeout = 0")

    # ---------------------------------------------------------------- tables

    def _ensure_schema(self, create: bool) -> None:
        conn = self._conn()
        version = self._version(conn)
        if version is None:
            if not create:
                raise StoreNotFoundError(
                    f"no store in {self.location}; run `conflictmap db init` or import a file to create it"
                )
            with self._transaction(write=True) as tx:
                if self._version(conn) is None:
                    self._create(tx)
            version = self._version(conn)
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.location} was written by a newer conflictmap (store layout {version}; this one reads "
                f"{SCHEMA_VERSION}); upgrade conflictmap"
            )
        if version is not None:
            self._ensure_columns(conn)
            self._views_table = self._ensure_narrow(conn)

    def _ensure_columns(self, conn: psycopg.Connection) -> None:
        """Canonical columns added after a store was made (``schema.EXTENDED_COLUMNS``), added to it, empty."""
        present = {
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = 'events'",
                [self.schema_name],
            ).fetchall()
        }
        missing = [c for c in schema.COLUMNS if c not in present]
        if not missing:
            return
        try:
            with self._transaction(write=True) as tx:
                for col in missing:
                    tx.execute(
                        f"ALTER TABLE {self._table('events')} ADD COLUMN IF NOT EXISTS {q(col)} "
                        f"{_SQL_TYPES[schema.DTYPES[col]]}"
                    )
        except psycopg.Error as exc:
            raise StoreError(
                f"{safe_url(self.url)} holds a store made by an earlier conflictmap; it needs the columns "
                f"{', '.join(missing)} added, which failed ({str(exc).strip()}); ask the database's owner to "
                "open it once with conflictmap"
            ) from None

    def _narrow_columns(self) -> str:
        """What the metadata records of the narrow table's layout: another layout is made again on opening."""
        return ",".join(VIEW_COLUMNS) + ";coded:" + ",".join(CODED_COLUMNS)

    def _ensure_narrow(self, conn: psycopg.Connection) -> str | None:
        """The narrow table's name, built (or rebuilt for other columns) when missing; ``None`` if it cannot be.

        A store made before it existed, or by a conflictmap that kept other columns, gets it on
        opening, in one write transaction. A role that cannot build it reads the events table.
        """
        name = f"{self.schema_name}.{NARROW_TABLE}"
        meta = self._table("meta")
        found = conn.execute(
            f"SELECT to_regclass(%s), (SELECT value FROM {meta} WHERE key = %s)", [name, NARROW_KEY]
        ).fetchone()
        if found[0] is not None and found[1] == self._narrow_columns():
            return name
        try:
            with self._transaction(write=True) as tx:
                self._build_narrow(tx)
        except (StoreError, psycopg.Error):
            return None
        return name

    def _build_narrow(self, tx: _Tx) -> None:
        """Make the narrow table from the events and the triggers that keep it equal to them.

        The events are locked against writes until the transaction ends, so none is missed between
        the copy and the triggers. The rows go in by date: the BRIN indexes on the dates then skip the
        blocks of other years.
        """
        events, meta = self._table("events"), self._table("meta")
        narrow, labels = f"{self.schema_name}.{NARROW_TABLE}", self._labels_table
        sync = f"{self.schema_name}.events_narrow_sync"
        tx.execute(f"LOCK TABLE {events} IN SHARE ROW EXCLUSIVE MODE")
        for kind in ("insert", "update", "delete", "truncate"):
            tx.execute(f"DROP TRIGGER IF EXISTS events_narrow_{kind} ON {events}")
        tx.execute(f"DROP FUNCTION IF EXISTS {sync}()")
        tx.execute(f"DROP TABLE IF EXISTS {narrow}")
        tx.execute(f"CREATE TABLE IF NOT EXISTS {labels} (code serial PRIMARY KEY, label text NOT NULL UNIQUE)")
        kinds = {**{c: _SQL_TYPES[t] for c, t in schema.DTYPES.items()}, "status": "text NOT NULL"}
        kinds |= dict.fromkeys(CODED_COLUMNS, "integer")
        columns = ", ".join(q(c) for c in VIEW_COLUMNS)
        tx.execute(f"CREATE TABLE {narrow} ({', '.join(f'{q(c)} {kinds[c]}' for c in VIEW_COLUMNS)})")

        def copy_from(rows: str, order: str = "") -> list[str]:
            """The statements writing ``rows`` (events' rows) into the narrow table, their labels coded."""
            each = ", ".join(f"(r.{q(c)})" for c in CODED_COLUMNS)
            new_labels = (
                f"INSERT INTO {labels} (label) SELECT DISTINCT v FROM {rows} r CROSS JOIN LATERAL (VALUES {each}) "
                "AS x(v) WHERE v IS NOT NULL ON CONFLICT (label) DO NOTHING"
            )
            values = [f"c{i}.code" if c in CODED_COLUMNS else f"r.{q(c)}" for i, c in enumerate(VIEW_COLUMNS)]
            joins = " ".join(
                f"LEFT JOIN {labels} c{i} ON c{i}.label = r.{q(c)}"
                for i, c in enumerate(VIEW_COLUMNS)
                if c in CODED_COLUMNS
            )
            rows_in = f"INSERT INTO {narrow} ({columns}) SELECT {', '.join(values)} FROM {rows} r {joins} {order}"
            return [new_labels, rows_in]

        for statement in copy_from(events, "ORDER BY r.event_date"):
            tx.execute(statement)
        tx.execute(f"ALTER TABLE {narrow} ADD PRIMARY KEY (event_id)")
        tx.execute(f"CREATE INDEX events_narrow_event_date ON {narrow} USING brin (event_date)")
        tx.execute(f"CREATE INDEX events_narrow_date_end ON {narrow} USING brin (date_end)")
        tx.execute(
            f"COMMENT ON TABLE {narrow} IS 'The columns the dashboard''s views read, kept equal to events by "
            f"triggers; text columns as codes of {labels}'"
        )
        # One statement-level function for every kind of write: each statement's rows at once.
        on_write = ";\n        ".join(copy_from("new_rows"))
        tx.execute(
            f"""CREATE FUNCTION {sync}() RETURNS trigger LANGUAGE plpgsql AS $sync$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE {narrow};
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM {narrow} n USING old_rows o WHERE n.event_id = o.event_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {on_write};
    END IF;
    RETURN NULL;
END
$sync$"""
        )
        transitions = {
            "insert": "REFERENCING NEW TABLE AS new_rows",
            "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "delete": "REFERENCING OLD TABLE AS old_rows",
            "truncate": "",
        }
        for kind, referencing in transitions.items():
            tx.execute(
                f"CREATE TRIGGER events_narrow_{kind} AFTER {kind.upper()} ON {events} {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {sync}()"
            )
        tx.execute(
            f"INSERT INTO {meta} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [NARROW_KEY, self._narrow_columns()],
        )
        tx.execute(f"ANALYZE {narrow}")

    def _version(self, conn: psycopg.Connection) -> int | None:
        found = conn.execute(
            "SELECT to_regclass(%s), to_regnamespace(%s)", [self._table("meta"), self.schema_name]
        ).fetchone()
        if found[0] is None:
            if found[1] is not None:
                tables = conn.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = %s", [self.schema_name]
                ).fetchone()[0]
                if tables:
                    raise NotAStoreError(
                        f"schema {self.schema_name} of {safe_url(self.url)} holds other tables, not a conflictmap "
                        "store; choose another database"
                    )
            return None
        row = conn.execute(
            pgsql.SQL("SELECT value FROM {} WHERE key = 'schema_version'").format(
                pgsql.Identifier(self.schema_name, "meta")
            )
        ).fetchone()
        return int(row[0]) if row else None

    def _create(self, tx: _Tx) -> None:
        has_postgis = tx.rows("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
        if not has_postgis:
            try:
                with tx.conn.transaction():
                    tx.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except psycopg.Error as exc:
                raise StoreError(
                    f"{safe_url(self.url)} has no PostGIS and it cannot be added here ({str(exc).strip()}); "
                    "ask the database's administrator to run: CREATE EXTENSION postgis;"
                ) from None
        events, history, imports, meta = (self._table(n) for n in ("events", "history", "imports", "meta"))
        columns = [
            f"{q(c)} {_SQL_TYPES[t]}" + (" PRIMARY KEY" if c == "event_id" else "") for c, t in schema.DTYPES.items()
        ]
        columns += [f"{q(c)} {kind}" for c, kind in _STORE_TYPES.items()]
        point = "ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)"
        columns.append(f"geom geometry(Point, 4326) GENERATED ALWAYS AS ({point}) STORED")
        base = self.schema_name
        statements = [
            f"CREATE SCHEMA IF NOT EXISTS {base}",
            f"CREATE TABLE {events} ({', '.join(columns)})",
            f"CREATE INDEX events_geom ON {events} USING gist (geom)",
            f"CREATE INDEX events_event_date ON {events} (event_date)",
            f"CREATE INDEX events_date_end ON {events} (date_end)",
            f"CREATE INDEX events_event_type ON {events} (event_type)",
            f"CREATE INDEX events_dataset ON {events} (dataset, event_date)",
            f"CREATE INDEX events_admin1 ON {events} (admin1)",
            f"CREATE INDEX events_status ON {events} (status)",
            f"CREATE TABLE {history} (history_id bigserial PRIMARY KEY, event_id text NOT NULL, version integer "
            "NOT NULL, change text NOT NULL, changed_at timestamptz NOT NULL, changed_by text NOT NULL, import_id "
            "integer, reason text, changes json, before json)",
            f"CREATE INDEX event_history_event ON {history} (event_id, version)",
            f"CREATE TABLE {imports} (import_id serial PRIMARY KEY, started_at timestamptz NOT NULL, finished_at "
            "timestamptz, user_name text NOT NULL, source text, file_name text, file_sha256 text, format text, "
            "datasets text, full_import boolean, rows_read integer, rows_loaded integer, rows_rejected integer, "
            "inserted integer, updated integer, unchanged integer, flagged_missing integer, reappeared integer, "
            "kept_deleted integer, kept_edits integer, notes text)",
            f"CREATE TABLE {meta} (key text PRIMARY KEY, value text)",
            f"COMMENT ON TABLE {events} IS 'Conflict events (status: active, missing, deleted)'",
            f"COMMENT ON TABLE {history} IS 'Every change to an event: who, when, what'",
        ]
        for statement in statements:
            tx.execute(statement)
        tx.execute(
            f"INSERT INTO {meta} VALUES (?, ?), (?, ?)",
            ["schema_version", str(SCHEMA_VERSION), "created_at", utc_now()],
        )
        self._build_narrow(tx)

    # ---------------------------------------------------------------- writing

    def _insert(self, tx: _Tx, table: str, rows: pd.DataFrame) -> None:
        if rows.empty:
            return
        if table == "events":
            columns = list(ROW_COLUMNS)
        else:
            allowed = HISTORY_COLUMNS if table == "history" else IMPORT_COLUMNS
            columns = [c for c in allowed if c in rows.columns]
        tx.copy_rows(self._table(table), columns, python_rows(rows, columns))

    def _update_events(self, tx: _Tx, rows: pd.DataFrame) -> None:
        if rows.empty:
            return
        events = self._table("events")
        tx.execute(f"CREATE TEMP TABLE IF NOT EXISTS incoming_events (LIKE {events}) ON COMMIT DROP")
        tx.execute("TRUNCATE incoming_events")
        columns = list(ROW_COLUMNS)
        tx.copy_rows("incoming_events", columns, python_rows(rows, columns))
        sets = ", ".join(f"{q(c)} = i.{q(c)}" for c in columns if c != "event_id")
        tx.execute(f"UPDATE {events} e SET {sets} FROM incoming_events i WHERE e.event_id = i.event_id")

    def _reset_ids(self, tx: _Tx) -> None:
        for table, column in (("history", "history_id"), ("imports", "import_id")):
            name = self._table(table)
            tx.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'), "
                f"COALESCE((SELECT MAX({column}) FROM {name}), 0) + 1, false)"
            )

    def _period_sql(self, freq: str) -> str:
        if freq == "W":
            return "date_trunc('week', e.event_date)::date"
        if freq == "M":
            return "date_trunc('month', e.event_date)::date"
        return "e.event_date"

    def _code_labels(self, tx: _Tx, codes: Sequence[int]) -> dict[int, str]:
        with self._guard:
            missing = [int(c) for c in set(codes) if c not in self._codes]
        if missing:
            found = tx.rows(f"SELECT code, label FROM {self._labels_table} WHERE code = ANY(?)", [missing])
            with self._guard:
                self._codes.update((int(code), label) for code, label in found)
        with self._guard:
            return dict(self._codes)

    def backup(self, path: str | Path) -> dict[str, int]:
        return self._backup_to_geopackage(path)

    def _open_geopackage(self, path: str | Path, *, create: bool) -> GeoPackageStore:
        return GeoPackageStore(path, create=create)

    def close(self) -> None:
        with self._guard:
            connections, self._all = self._all, []
        for conn in connections:
            conn.close()
        self._local = threading.local()

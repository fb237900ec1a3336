"""What every store part builds on: the contract a backend fulfils, the tables' columns, plain rows.

A backend provides transactions (a write one holds the single-writer lock),
bulk insert and update, and a few SQL spellings; the rest of the store
(``importing``, ``editing``, ``reading``, ``backup``) is written once on top.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import ClassVar, Protocol

import numpy as np
import pandas as pd

from conflictmap import schema, settings
from conflictmap.store import records
from conflictmap.store.records import STORE_COLUMNS
from conflictmap.store.report import StoreReadOnlyError
from conflictmap.store.where import Dialect

#: ``progress(stage, done, total)``: stage ``"reading"`` (the file) then ``"storing"`` (rows written).
Progress = Callable[[str, int, int], None]

#: Version of the tables' layout, kept in the store's metadata.
SCHEMA_VERSION = 1
#: Columns read back for an event: canonical then the store's.
EVENT_COLUMNS: tuple[str, ...] = (*schema.COLUMNS, *STORE_COLUMNS)
HISTORY_COLUMNS: tuple[str, ...] = (
    "history_id",
    "event_id",
    "version",
    "change",
    "changed_at",
    "changed_by",
    "import_id",
    "reason",
    "changes",
    "before",
)
IMPORT_COLUMNS: tuple[str, ...] = (
    "import_id",
    "started_at",
    "finished_at",
    "user_name",
    "source",
    "file_name",
    "file_sha256",
    "format",
    "datasets",
    "full_import",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "inserted",
    "updated",
    "unchanged",
    "flagged_missing",
    "reappeared",
    "kept_deleted",
    "kept_edits",
    "notes",
)
IMPORT_COUNTS = ("inserted", "updated", "unchanged", "flagged_missing", "reappeared", "kept_deleted", "kept_edits")
TIME_COLUMNS = ("created_at", "updated_at", "changed_at", "started_at", "finished_at")
#: Key of the metadata row counting the store's write transactions.
CHANGES_KEY = "changes"
#: The columns a store's narrow table holds for the grouped questions (``PostGISStore`` keeps one, see
#: ``StoreCore._views_table``): the filters' columns but the free text's, and the columns the views group by.
VIEW_COLUMNS: tuple[str, ...] = (
    "event_id",
    "status",
    "event_date",
    "date_end",
    "time_precision",
    "geo_precision",
    "event_type",
    "sub_event_type",
    *schema.ACTOR_COLUMNS,
    "actor1_type",
    "actor2_type",
    "interaction",
    "event_clarity",
    "code_status",
    "fatalities",
    "latitude",
    "longitude",
    "country",
    "admin1",
    "admin2",
    "location",
    "dataset",
    "population_5km",
)
VIEW_SET = frozenset(VIEW_COLUMNS)
#: The narrow table's text columns held as whole-number codes of a table of labels: comparing and
#: grouping numbers costs half as much as text over a million events, and the table is a third as wide.
CODED_COLUMNS: tuple[str, ...] = (
    "event_type",
    "sub_event_type",
    *schema.ACTOR_COLUMNS,
    "actor1_type",
    "actor2_type",
    "interaction",
    "country",
    "admin1",
    "admin2",
    "location",
    "dataset",
)
CODED_SET = frozenset(CODED_COLUMNS)


class Tx(Protocol):
    """One transaction: statements with ``?`` placeholders; a list parameter is a list of values."""

    def execute(self, sql: str, params: Sequence[object] = ()) -> None: ...

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple]: ...


def q(name: str) -> str:
    """A quoted SQL identifier (``timestamp`` and ``source`` are keywords in places)."""
    return '"' + name.replace('"', '""') + '"'


def column_list(names: Sequence[str], prefix: str = "") -> str:
    """Quoted column names for a SELECT or INSERT, each with an optional table prefix (``e.``)."""
    return ", ".join(prefix + q(n) for n in names)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def python_rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple]:
    """Rows of plain Python values (missing values as ``None``) for a driver."""
    arrays = []
    for col in columns:
        values = frame[col].to_numpy(dtype=object)
        missing = pd.isna(values)
        if missing.any():
            values = values.copy()
            values[missing] = None
        arrays.append(values.tolist())
    return list(zip(*arrays, strict=True))


def rows_frame(rows: list[tuple], columns: Sequence[str]) -> pd.DataFrame:
    """Rows from a driver as object columns, values untouched (no type inference)."""
    if not rows:
        return pd.DataFrame({c: np.array([], dtype=object) for c in columns}, dtype=object)
    arrays = list(zip(*rows, strict=True))
    data = {}
    for name, values in zip(columns, arrays, strict=True):
        array = np.empty(len(values), dtype=object)
        array[:] = values
        data[name] = array
    return pd.DataFrame(data, dtype=object, copy=False)


def utc_times(values: pd.Series) -> pd.Series:
    """Times (ISO text or ``datetime``) as a UTC datetime Series."""
    if not len(values):
        return pd.Series(values.to_numpy(), dtype="datetime64[ns, UTC]")
    return pd.to_datetime(values, utc=True, format="ISO8601")


def _date_text(values: pd.Series) -> np.ndarray:
    """Dates as ``YYYY-MM-DD``; text (what SQLite holds) is kept."""
    array = values.to_numpy(dtype=object)
    if all(v is None or isinstance(v, str) for v in array):
        return array
    return np.array([None if v is None else v.isoformat() for v in array], dtype=object)


def time_text(values: pd.Series) -> np.ndarray:
    """Times as the store writes them (see ``records``); text (what SQLite holds) is kept."""
    array = values.to_numpy(dtype=object)
    if all(v is None or isinstance(v, str) for v in array):
        return array
    stamps = utc_times(values)
    text = (stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str.slice(0, 23) + "Z").to_numpy(dtype=object, na_value=None)
    return text


class StoreCore(ABC):
    """The part of a store every operation uses. Use ``open_store()`` to get a store.

    Parameters
    ----------
    user : str, optional
        Name recorded with each change; default ``settings.user_name()`` at the time of the change.
        Every write method also takes ``user=`` for one change.
    on_wait : callable, optional
        Called with a message when a write has to wait for another writer.
    lock_timeout : float
        Seconds a write waits for another writer before ``StoreBusyError``.
    """

    backend: ClassVar[str] = ""
    #: The narrow table of ``VIEW_COLUMNS`` the grouped questions read, kept equal to the events on every
    #: write; ``None`` when the store keeps none (the events table answers).
    _views_table: str | None = None
    #: The labels of the narrow table's ``CODED_COLUMNS`` (``code``, ``label``), when it has one.
    _labels_table: str | None = None
    #: Rows written per statement batch during an import (progress is reported after each).
    write_chunk: int = 5000
    dialect: Dialect

    def __init__(
        self, *, user: str | None = None, on_wait: Callable[[str], None] | None = None, lock_timeout: float = 120.0
    ) -> None:
        self.user = user
        self.on_wait = on_wait
        self.lock_timeout = lock_timeout
        # Distinct values of text columns, with the change token they were read at (see Reading._labels).
        self._labels_read: dict[str, tuple[str, list[str]]] = {}
        #: Why the store cannot be written (set by the backend on opening); ``None`` when it can.
        self._read_only: str | None = None

    # ---------------------------------------------------------------- read-only stores

    @property
    def writable(self) -> bool:
        """Whether imports, edits and deletions can be made (the page hides its write controls otherwise)."""
        return self._read_only is None

    @property
    def read_only_reason(self) -> str | None:
        """One line saying why the store is read-only (for the page to show), or ``None`` when it is writable."""
        return self._read_only

    def _require_writable(self) -> None:
        """Refuse a write to a read-only store, in one line saying why.

        Raises
        ------
        StoreReadOnlyError
        """
        if self._read_only is not None:
            raise StoreReadOnlyError(
                f"{self._read_only}: imports, edits and deletions are refused; it can still be viewed and exported"
            )

    # ---------------------------------------------------------------- what a backend provides

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the store is, for people: a file path, or a database URL without its password."""

    @abstractmethod
    def _transaction(self, *, write: bool) -> AbstractContextManager[Tx]:
        """A transaction; a write one holds the single-writer lock. Commits on success, rolls back on error."""

    @abstractmethod
    def _table(self, name: str) -> str:
        """The SQL name of table ``events``, ``history``, ``imports`` or ``meta``."""

    @abstractmethod
    def _insert(self, tx: Tx, table: str, rows: pd.DataFrame) -> None:
        """Insert plain rows (columns named as in the table) into ``events``, ``history`` or ``imports``."""

    @abstractmethod
    def _update_events(self, tx: Tx, rows: pd.DataFrame) -> None:
        """Overwrite the stored events with these plain rows (``EVENT_COLUMNS``), matched on ``event_id``."""

    @abstractmethod
    def _period_sql(self, freq: str) -> str:
        """SQL for the first day of ``event_date``'s period (``D``, ``W`` from Monday, ``M``)."""

    @abstractmethod
    def backup(self, path: str | Path) -> dict[str, int]:
        """Write a consistent copy of the whole store to a new GeoPackage at ``path``.

        The copy is itself a store: ``restore`` takes it, on either backend.

        Returns
        -------
        dict
            ``events``, ``history`` and ``imports``: the rows copied.
        """

    @abstractmethod
    def close(self) -> None:
        """Close the store's connections."""

    def _after_write(self, tx: Tx) -> None:
        """Bookkeeping at the end of every write transaction: count it (see ``Reading.change_token``).

        The count lives in the metadata table and is bumped inside the transaction, under the
        single-writer lock: it never repeats and is never seen before the write is. A store made
        before the count existed has no row yet and starts at 1.
        """
        meta = self._table("meta")
        found = tx.rows(f"SELECT value FROM {meta} WHERE key = ?", [CHANGES_KEY])
        if found:
            tx.execute(f"UPDATE {meta} SET value = ? WHERE key = ?", [str(int(found[0][0]) + 1), CHANGES_KEY])
        else:
            tx.execute(f"INSERT INTO {meta} (key, value) VALUES (?, ?)", [CHANGES_KEY, "1"])

    def _code_labels(self, tx: Tx, codes: Sequence[int]) -> dict[int, str]:
        """The labels of codes of the narrow table (see ``CODED_COLUMNS``): code -> label, those asked at least."""
        raise NotImplementedError(f"{type(self).__name__} keeps no coded labels")

    def _after_import(self) -> None:  # noqa: B027 - only a server database keeps statistics to refresh
        """After an import that wrote many events, outside its transaction."""

    def _reset_ids(self, tx: Tx) -> None:  # noqa: B027 - only sequences need it
        """After a restore, make new history and import numbers follow the restored ones."""

    def __enter__(self) -> StoreCore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.location}>"

    # ---------------------------------------------------------------- shared helpers

    def _who(self, user: str | None) -> str:
        return user or self.user or settings.user_name()

    def _stored(
        self, tx: Tx, ids: Sequence[str] | None = None, where: str = "", params: Sequence[object] = ()
    ) -> pd.DataFrame:
        """Plain stored rows (``EVENT_COLUMNS``, ``content_hash``): all, those with ``ids``, or matching ``where``."""
        events = self._table("events")
        columns = [*EVENT_COLUMNS, "content_hash"]
        sql = f"SELECT {column_list(columns, 'e.')} FROM {events} e"
        args: list[object] = []
        if ids is not None:
            sql += " " + self._ids_join
            args.append([str(i) for i in ids])
        if where:
            sql += f" WHERE {where}"
            args.extend(params)
        return self._plain(rows_frame(tx.rows(sql, args), columns))

    #: Join restricting ``events e`` to a list of ids given as one parameter.
    _ids_join: str = ""

    @staticmethod
    def _plain(raw: pd.DataFrame) -> pd.DataFrame:
        """Rows as a database returned them -> plain values (see ``records``), column by column.

        SQLite gives back what was written; PostgreSQL gives dates and times as
        objects, which become text in the store's form.
        """
        out: dict[str, np.ndarray] = {}
        for col in raw.columns:
            values = raw[col]
            if col in schema.DATE_COLUMNS:
                out[col] = _date_text(values)
            elif col in ("timestamp", "created_at", "updated_at"):
                out[col] = time_text(values)
            elif col in ("civilian_targeting", "edited"):
                out[col] = np.array([None if v is None else bool(v) for v in values], dtype=object)
            else:
                out[col] = values.to_numpy(dtype=object)
        return pd.DataFrame(out, dtype=object)

    def _light(self, tx: Tx, ids: Sequence[str]) -> pd.DataFrame:
        """What an import needs to decide about stored events: id, status, edited, version, timestamp, digest."""
        columns = ["event_id", "status", "edited", "version", "timestamp", "content_hash"]
        sql = f"SELECT {column_list(columns, 'e.')} FROM {self._table('events')} e {self._ids_join}"
        return self._plain(rows_frame(tx.rows(sql, [[str(i) for i in ids]]), columns))

    @staticmethod
    def _first_versions(rows: pd.DataFrame, origin: str, now: str, who: str, import_id: int | None) -> pd.DataFrame:
        """New events with their store columns: active, version 1, made and last changed ``now`` by ``who``."""
        return rows.assign(
            status="active",
            version=1,
            origin=origin,
            edited=False,
            created_at=now,
            created_by=who,
            updated_at=now,
            updated_by=who,
            import_id=import_id,
        )

    @staticmethod
    def _derived(rows: pd.DataFrame) -> pd.DataFrame:
        """Plain event rows with the derived columns (folded notes, content digest) added."""
        digest = rows["content_hash"] if "content_hash" in rows.columns else None
        rows = rows[list(EVENT_COLUMNS)].copy()
        rows["notes_search"] = records.notes_search(rows["notes"].to_numpy(dtype=object))
        # A digest that came with the rows (from the file, or stored with unchanged values) is kept.
        known = digest is not None and bool(digest.notna().all())
        rows["content_hash"] = digest.to_numpy(dtype=object) if known else records.content_hash(rows)
        return rows

    def _history_rows(
        self,
        ids: Sequence[str],
        versions: Sequence[int],
        kinds: Sequence[str],
        when: str,
        who: str,
        import_id: int | None,
        reason: str | None = None,
        changes: Sequence[str | None] | None = None,
        before: Sequence[str | None] | None = None,
    ) -> pd.DataFrame:
        n = len(ids)
        return pd.DataFrame(
            {
                "event_id": list(ids),
                "version": [int(v) for v in versions],
                "change": list(kinds),
                "changed_at": [when] * n,
                "changed_by": [who] * n,
                "import_id": [import_id] * n,
                "reason": [reason] * n,
                "changes": list(changes) if changes is not None else [None] * n,
                "before": list(before) if before is not None else [None] * n,
            },
            dtype=object,
        )

    @staticmethod
    def _changes(new: pd.DataFrame, old: pd.DataFrame, columns: Sequence[str]) -> list[str | None]:
        """Per row, the changed columns as JSON ``{column: [old, new]}``."""
        differs = records.differing_columns(new, old, columns).to_numpy()
        names = list(columns)
        new_values = new[names].to_numpy(dtype=object)
        old_values = old[names].to_numpy(dtype=object)
        out = []
        for i, row in enumerate(differs):
            hit = np.flatnonzero(row)
            out.append(
                records.to_json({names[j]: [old_values[i, j], new_values[i, j]] for j in hit}) if len(hit) else None
            )
        return out

    @staticmethod
    def _snapshots(rows: pd.DataFrame) -> list[str]:
        names = list(EVENT_COLUMNS)
        return [records.to_json(dict(zip(names, values, strict=True))) for values in rows[names].to_numpy(dtype=object)]

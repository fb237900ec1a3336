"""One event at a time: add, edit, delete and undelete with history, and reading one event and its history."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date

import pandas as pd

from conflictmap import schema
from conflictmap.messages import quote
from conflictmap.store import records, upsert
from conflictmap.store.core import (
    EVENT_COLUMNS,
    TIME_COLUMNS,
    StoreCore,
    Tx,
    q,
    rows_frame,
    time_text,
    utc_times,
)
from conflictmap.store.records import utc_now
from conflictmap.store.report import (
    Change,
    DuplicateEventError,
    EditConflictError,
    EventNotFoundError,
    EventStateError,
)
from conflictmap.store.validation import PLACE_COLUMNS, PLACE_FIELD, EventValidationError, FieldProblem, check_event


class Editing(StoreCore):
    """Changes a person makes to one event, each a new version with the old one in the history."""

    def _one(self, tx: Tx, event_id: str) -> pd.Series:
        rows = self._stored(tx, where="e.event_id = ?", params=[event_id])
        if rows.empty:
            raise EventNotFoundError(f"no event {quote(event_id)} in the store")
        return rows.iloc[0]

    def _write_change(
        self, tx: Tx, old: pd.Series, new: pd.DataFrame, kind: str, who: str, reason: str | None
    ) -> Change:
        now = utc_now()
        version = int(old["version"]) + 1
        rows = new.assign(version=version, updated_at=now, updated_by=who).astype(object)
        old_frame = pd.DataFrame([old], dtype=object).reset_index(drop=True)
        self._update_events(tx, self._derived(rows))
        changes = self._changes(rows, old_frame, [*schema.COLUMNS, "status"])
        history = self._history_rows(
            [old["event_id"]], [version], [kind], now, who, None, reason, changes, self._snapshots(old_frame)
        )
        self._insert(tx, "history", history)
        self._after_write(tx)
        return Change(str(old["event_id"]), version, kind, now, who)

    @staticmethod
    def _check_version(old: pd.Series, expected: int | None) -> None:
        if expected is not None and int(old["version"]) != int(expected):
            raise EditConflictError(
                f"event {old['event_id']!r} was changed by {old['updated_by']} at {old['updated_at']} "
                f"(now version {old['version']}; the edit was based on version {expected}); reload it and edit again"
            )

    def add_event(self, fields: Mapping[str, object], *, reason: str | None = None, user: str | None = None) -> Change:
        """Add one event by hand.

        Parameters
        ----------
        fields : mapping
            Form values, checked by ``validation.check_event`` (place or coordinates, dates,
            type, actors, fatalities, source required, notes). Without ``event_id`` the
            store makes one: ``<dataset>-<12 hex digits>``.
        reason : str, optional
            A note kept in the history.
        user : str, optional
            Who adds it.

        Returns
        -------
        Change
            With the new ``event_id`` and version 1.

        Raises
        ------
        EventValidationError
            Listing each field, its value and what was expected.
        DuplicateEventError
            If ``event_id`` is given and already in the store.
        """
        checked = check_event(fields)
        who = self._who(user)
        event_id = checked["event_id"] or f"{checked['dataset']}-{uuid.uuid4().hex[:12]}"
        checked["event_id"] = event_id
        checked["timestamp"] = pd.Timestamp.now(tz="UTC")
        plain = records.encode(schema.to_canonical(pd.DataFrame([checked])))
        with self._transaction(write=True) as tx:
            if self._stored(tx, where="e.event_id = ?", params=[event_id]).shape[0]:
                raise DuplicateEventError(
                    f"event_id {quote(event_id)} is already in the store; leave it empty for a new id"
                )
            now = utc_now()
            self._insert(tx, "events", self._derived(self._first_versions(plain, "manual", now, who, None)))
            self._insert(
                tx, "history", self._history_rows([event_id], [1], [upsert.CHANGE_ADD], now, who, None, reason)
            )
            self._after_write(tx)
        return Change(event_id, 1, upsert.CHANGE_ADD, now, who)

    def edit_event(
        self,
        event_id: str,
        changes: Mapping[str, object],
        *,
        expected_version: int | None = None,
        reason: str | None = None,
        user: str | None = None,
    ) -> Change:
        """Change some values of one event; the version it replaces goes to the history.

        Parameters
        ----------
        event_id : str
            The event.
        changes : mapping
            New values (as for ``add_event``). ``place`` re-places the event from the
            gazetteer; ``latitude``/``longitude`` alone move it and keep its place names.
        expected_version : int, optional
            The version the edit was based on (what the form showed). If the event
            changed since, nothing is written and ``EditConflictError`` says who changed it.
        reason : str, optional
            A note kept in the history.
        user : str, optional
            Who edits.

        Returns
        -------
        Change
            ``change == "unchanged"`` (and nothing written) when the values are the same.

        Raises
        ------
        EventNotFoundError, EventValidationError, EditConflictError, EventStateError
        """
        if "event_id" in changes and changes["event_id"] != event_id:
            raise EventValidationError(
                [FieldProblem("event_id", changes["event_id"], f"{event_id!r}: ids do not change")]
            )
        who = self._who(user)
        with self._transaction(write=True) as tx:
            old = self._one(tx, event_id)
            self._check_version(old, expected_version)
            if old["status"] == "deleted":
                raise EventStateError(f"event {quote(event_id)} is deleted; undelete it before editing")
            current = self._form_values(old)
            if PLACE_FIELD in changes:
                for col in PLACE_COLUMNS:
                    current.pop(col, None)
            merged = {**current, **changes}
            checked = check_event(merged)
            manual = old["origin"] == "manual"
            checked["timestamp"] = pd.Timestamp.now(tz="UTC") if manual else old["timestamp"]
            new = records.encode(schema.to_canonical(pd.DataFrame([checked])))
            same = (
                not records.differing_columns(
                    new,
                    pd.DataFrame([old], dtype=object).reset_index(drop=True),
                    [c for c in schema.COLUMNS if c != "timestamp"],
                )
                .to_numpy()
                .any()
            )
            if same:
                return Change(
                    event_id, int(old["version"]), "unchanged", str(old["updated_at"]), str(old["updated_by"])
                )
            new = new.assign(
                status=old["status"],
                origin=old["origin"],
                edited=not manual,
                created_at=old["created_at"],
                created_by=old["created_by"],
                import_id=old["import_id"],
            )
            return self._write_change(tx, old, new, upsert.CHANGE_EDIT, who, reason)

    def _set_status(
        self, event_id: str, status: str, kind: str, expected_version: int | None, reason: str | None, user: str | None
    ) -> Change:
        who = self._who(user)
        with self._transaction(write=True) as tx:
            old = self._one(tx, event_id)
            self._check_version(old, expected_version)
            if (status == "deleted") == (old["status"] == "deleted"):
                state = "already deleted" if status == "deleted" else "not deleted"
                raise EventStateError(f"event {quote(event_id)} is {state}")
            new = pd.DataFrame([old], dtype=object).reset_index(drop=True).assign(status=status)
            return self._write_change(tx, old, new[list(EVENT_COLUMNS)], kind, who, reason)

    def delete_event(
        self, event_id: str, *, reason: str | None = None, expected_version: int | None = None, user: str | None = None
    ) -> Change:
        """Delete one event: it is hidden from queries and kept, with the deletion in its history.

        Raises
        ------
        EventNotFoundError, EditConflictError, EventStateError
        """
        return self._set_status(event_id, "deleted", upsert.CHANGE_DELETE, expected_version, reason, user)

    def undelete_event(
        self, event_id: str, *, reason: str | None = None, expected_version: int | None = None, user: str | None = None
    ) -> Change:
        """Bring back a deleted event.

        Raises
        ------
        EventNotFoundError, EditConflictError, EventStateError
        """
        return self._set_status(event_id, "active", upsert.CHANGE_UNDELETE, expected_version, reason, user)

    @staticmethod
    def _form_values(row: pd.Series) -> dict[str, object]:
        values = {c: row[c] for c in schema.COLUMNS if c != "timestamp"}
        return {k: v for k, v in values.items() if v is not None}

    def get_event(self, event_id: str) -> dict[str, object]:
        """One event's values, deleted or not: canonical columns and the store's.

        Returns
        -------
        dict
            Dates as ``datetime.date``, times as UTC ``pandas.Timestamp``, missing values as ``None``.

        Raises
        ------
        EventNotFoundError
        """
        with self._transaction(write=False) as tx:
            row = self._one(tx, event_id)
        out: dict[str, object] = {}
        for col, value in row.items():
            if value is not None and col in schema.DATE_COLUMNS:
                value = date.fromisoformat(value)
            elif value is not None and col in ("timestamp", *TIME_COLUMNS):
                value = pd.Timestamp(value)
            out[str(col)] = value
        return out

    def deleted_events(self, limit: int | None = None) -> pd.DataFrame:
        """The deleted events, the most recently deleted first, each with who deleted it, when and why.

        Parameters
        ----------
        limit : int, optional
            At most this many (the most recent deletions).

        Returns
        -------
        pandas.DataFrame
            ``event_id``, ``event_date``, ``location``, ``admin1``, ``dataset``, ``event_type``,
            ``version`` (what ``undelete_event(expected_version=...)`` takes), ``deleted_at`` (UTC),
            ``deleted_by`` and ``reason`` (missing when the deletion was not made here, e.g. in QGIS).
            ``attrs["total"]`` holds how many events are deleted in all.
        """
        events, history = self._table("events"), self._table("history")
        names = ["event_id", "event_date", "location", "admin1", "dataset", "event_type", "version"]
        # The deletion is the history row that made the event's current version.
        sql = (
            f"SELECT {', '.join('e.' + q(n) for n in names)}, h.changed_at, h.changed_by, h.reason "
            f"FROM {events} e LEFT JOIN {history} h ON h.event_id = e.event_id AND h.version = e.version "
            f"AND h.change = ? WHERE e.status = 'deleted' "
            "ORDER BY (h.changed_at IS NULL), h.changed_at DESC, e.event_id"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._transaction(write=False) as tx:
            rows = tx.rows(sql, [upsert.CHANGE_DELETE])
            total = int(tx.rows(f"SELECT COUNT(*) FROM {events} e WHERE e.status = 'deleted'")[0][0])
        raw = self._plain(rows_frame(rows, [*names, "deleted_at", "deleted_by", "reason"]))
        frame = pd.DataFrame(
            {
                "event_id": raw["event_id"].astype("string"),
                "event_date": pd.to_datetime(raw["event_date"], format="ISO8601").astype("datetime64[ns]"),
                "location": raw["location"].astype("string"),
                "admin1": raw["admin1"].astype("string"),
                "dataset": raw["dataset"].astype("string"),
                "event_type": raw["event_type"].astype("string"),
                "version": raw["version"].astype("int64"),
                "deleted_at": utc_times(pd.Series(time_text(raw["deleted_at"]), dtype=object)).astype(
                    "datetime64[ns, UTC]"
                ),
                "deleted_by": raw["deleted_by"].astype("string"),
                "reason": raw["reason"].astype("string"),
            }
        )
        frame.attrs["total"] = total
        return frame

    def history(self, event_id: str) -> pd.DataFrame:
        """Every change to one event, oldest first.

        Returns
        -------
        pandas.DataFrame
            ``version`` (after the change), ``change`` (see ``upsert.CHANGES``),
            ``changed_at`` (UTC), ``changed_by``, ``import_id``, ``file_name`` (of that
            import), ``reason``, ``changes`` (``{column: [old, new]}`` or ``None``) and
            ``before`` (the whole version it replaced, or ``None``).

        Raises
        ------
        EventNotFoundError
        """
        history, imports = self._table("history"), self._table("imports")
        columns = [
            "version",
            "change",
            "changed_at",
            "changed_by",
            "import_id",
            "file_name",
            "reason",
            "changes",
            "before",
        ]
        sql = (
            f"SELECT h.version, h.change, h.changed_at, h.changed_by, h.import_id, i.file_name, h.reason, h.changes, "
            f"h.before FROM {history} h LEFT JOIN {imports} i ON i.import_id = h.import_id "
            "WHERE h.event_id = ? ORDER BY h.version, h.history_id"
        )
        with self._transaction(write=False) as tx:
            rows = tx.rows(sql, [event_id])
            if not rows:
                # An event written by another program (a feature added in QGIS) has no history yet.
                self._one(tx, event_id)
        frame = rows_frame(rows, columns)
        frame["version"] = frame["version"].astype("int64")
        frame["changed_at"] = utc_times(frame["changed_at"])
        frame["import_id"] = frame["import_id"].astype("Int64")
        frame["changes"] = frame["changes"].map(records.from_json).astype(object)
        frame["before"] = frame["before"].map(records.from_json).astype(object)
        return frame

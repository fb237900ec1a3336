"""Importing a file: one transaction applying the upsert rules, written in chunks with progress."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap import schema
from conflictmap.readers import read_events
from conflictmap.readers.report import ImportReport
from conflictmap.store import records, upsert
from conflictmap.store.core import (
    IMPORT_COUNTS,
    Progress,
    StoreCore,
    Tx,
    file_sha256,
    q,
)
from conflictmap.store.records import utc_now
from conflictmap.store.report import (
    StoreImport,
)

#: From this many events written on, an import refreshes the database's statistics of the tables.
STATISTICS_AFTER = 1_000


class Importing(StoreCore):
    """Import files and event tables (the rules are in ``upsert``)."""

    def import_file(
        self,
        path: str | Path,
        dataset: str | None = None,
        *,
        format: str | None = None,
        full: bool = True,
        progress: Progress | None = None,
        user: str | None = None,
    ) -> StoreImport:
        """Read an event file (any format ``read_events`` takes) and import its events.

        Parameters
        ----------
        path : str or pathlib.Path
            An ACLED, UCDP GED or canonical file: CSV, XLSX, GeoJSON, GeoPackage or GeoParquet.
        dataset : str, optional
            Names the dataset of every event (default: from the format or the file).
        format : {None, "acled", "ucdp", "canonical"}
            Skip detection and read as this format.
        full : bool, default True
            The file holds every event of its datasets over its dates (a full
            re-download): stored events it lacks are flagged missing (see
            ``upsert``). ``False`` for a partial extract (nothing is flagged).
        progress : callable, optional
            ``progress(stage, done, total)``: ``"reading"`` then ``"storing"``.
        user : str, optional
            Who imports; default the store's user.

        Returns
        -------
        StoreImport
            Counts, notes, and ``read``: the rows the file gave and the reason for each rejected one.

        Raises
        ------
        FileNotFoundError, NotEventDataError
            If there is no such file or it is not event data; the store is not changed.
        StoreReadOnlyError
            If the store cannot be written: said before the file is read.
        """
        self._require_writable()
        source = Path(path)
        reading = (lambda done, total: progress("reading", done, total)) if progress else None
        events, read = read_events(source, format, dataset=dataset, progress=reading)
        return self.import_events(
            events,
            source=str(source),
            read=read,
            full=full,
            progress=progress,
            user=user,
            sha256=file_sha256(source),
        )

    def import_events(
        self,
        events: gpd.GeoDataFrame,
        *,
        source: str = "(events)",
        read: ImportReport | None = None,
        full: bool = True,
        progress: Progress | None = None,
        user: str | None = None,
        sha256: str | None = None,
    ) -> StoreImport:
        """Import canonical events already read (see ``import_file`` for the rules and parameters).

        Parameters
        ----------
        events : geopandas.GeoDataFrame
            A canonical event table with unique ``event_id``.
        source : str
            What the events came from, for the import log.
        read : ImportReport, optional
            How they were read; with rejected rows nothing is flagged missing (a rejected
            row's event would look missing).
        sha256 : str, optional
            The source file's digest, for the import log.

        Returns
        -------
        StoreImport
        """
        schema.validate_events(events)
        who = self._who(user)
        incoming = records.encode(events)
        incoming["content_hash"] = records.content_hash(incoming)
        result = StoreImport(
            source=source, read=read, datasets=tuple(sorted({str(d) for d in incoming["dataset"] if d}))
        )
        if incoming.empty:
            result.notes.append("no event to import; the store was not changed")
            return result
        flag = full and not (read is not None and read.rows_rejected)
        if full and not flag:
            result.notes.append(
                f"{read.rows_rejected} rows were rejected, so events this file lacks were not flagged missing"
            )
        with self._transaction(write=True) as tx:
            started = utc_now()
            import_id = self._log_import(tx, result, started, who, sha256, flag)
            stored = self._light(tx, incoming["event_id"].tolist())
            missing = self._missing(tx, incoming) if flag else None
            plan = upsert.plan_import(incoming, stored, missing)
            self._write_plan(tx, plan, import_id, who, progress)
            self._fill_result(result, plan, import_id)
            self._finish_import(tx, result, read)
            self._after_write(tx)
        if result.inserted + result.updated >= STATISTICS_AFTER:
            self._after_import()
        return result

    def _log_import(self, tx: Tx, result: StoreImport, started: str, who: str, sha256: str | None, full: bool) -> int:
        read = result.read
        row = {
            "started_at": started,
            "user_name": who,
            "source": result.source,
            "file_name": Path(result.source).name,
            "file_sha256": sha256,
            "format": read.format if read else None,
            "datasets": json.dumps(list(result.datasets), ensure_ascii=False),
            "full_import": full,
            "rows_read": read.rows_read if read else None,
            "rows_loaded": read.rows_loaded if read else None,
            "rows_rejected": read.rows_rejected if read else 0,
        }
        self._insert(tx, "imports", pd.DataFrame([row], dtype=object))
        imports = self._table("imports")
        return int(tx.rows(f"SELECT MAX(import_id) FROM {imports}")[0][0])

    def _missing(self, tx: Tx, incoming: pd.DataFrame) -> pd.DataFrame:
        """``event_id`` and ``scope`` of the stored events within the file's reach that it lacks."""
        ids = set(incoming["event_id"])
        events = self._table("events")
        found: list[tuple[str, upsert.Scope]] = []
        for scope in upsert.scopes(incoming):
            named = [c for c in scope.countries if c is not None]
            in_countries, args = self.dialect.one_of("e.country", named)
            where = (
                "e.dataset = ? AND e.origin = 'import' AND e.status = 'active' AND e.event_date >= ? "
                f"AND e.event_date <= ? AND ({in_countries} OR (e.country IS NULL AND ?))"
            )
            params = [scope.dataset, scope.first_date, scope.last_date, *args, None in scope.countries]
            reach = tx.rows(f"SELECT e.event_id FROM {events} e WHERE {where}", params)
            found += [(r[0], scope) for r in reach if r[0] not in ids]
        return pd.DataFrame({"event_id": [f[0] for f in found], "scope": [f[1] for f in found]}, dtype=object)

    def _updates(self, tx: Tx, plan: upsert.Plan) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
        """The new rows of the stored events the plan changes, the rows they replace, and each change's kind."""
        canonical = [*schema.COLUMNS, "content_hash"]
        before = self._stored(tx, ids=plan.changed_ids()).set_index("event_id", drop=False)
        old = before.loc[plan.changed_ids()].reset_index(drop=True)
        n_replace, n_reappear = len(plan.replace), len(plan.reappear)
        new = pd.concat(
            [
                plan.replace[canonical].assign(status="active"),
                old.iloc[n_replace : n_replace + n_reappear][canonical].assign(status="active"),
                old.iloc[n_replace + n_reappear :][canonical].assign(status="missing"),
            ],
            ignore_index=True,
        ).astype(object)
        kinds = [upsert.CHANGE_IMPORT_UPDATE] * n_replace + [upsert.CHANGE_REAPPEAR] * n_reappear
        kinds += [upsert.CHANGE_FLAG_MISSING] * len(plan.flag)
        return new, old, np.array(kinds, dtype=object)

    def _write_plan(self, tx: Tx, plan: upsert.Plan, import_id: int, who: str, progress: Progress | None) -> None:
        now = utc_now()
        updates, before, kinds = self._updates(tx, plan)
        total = len(plan.inserts) + len(updates)
        done = 0
        if progress:
            progress("storing", 0, total)
        step = max(1, self.write_chunk)
        for at in range(0, len(plan.inserts), step):
            chunk = plan.inserts.iloc[at : at + step].reset_index(drop=True)
            self._insert(tx, "events", self._derived(self._first_versions(chunk, "import", now, who, import_id)))
            ids = chunk["event_id"].tolist()
            history = self._history_rows(ids, [1] * len(ids), [upsert.CHANGE_IMPORT] * len(ids), now, who, import_id)
            self._insert(tx, "history", history)
            done += len(chunk)
            if progress:
                progress("storing", done, total)
        for at in range(0, len(updates), step):
            new = updates.iloc[at : at + step].reset_index(drop=True)
            old = before.iloc[at : at + step].reset_index(drop=True)
            kind = kinds[at : at + step]
            versions = [int(v) + 1 for v in old["version"]]
            rows = new.assign(
                version=versions,
                origin=old["origin"].to_numpy(),
                edited=np.where(kind == upsert.CHANGE_IMPORT_UPDATE, False, old["edited"].to_numpy(dtype=bool)),
                created_at=old["created_at"].to_numpy(),
                created_by=old["created_by"].to_numpy(),
                updated_at=now,
                updated_by=who,
                import_id=import_id,
            ).astype(object)
            self._update_events(tx, self._derived(rows))
            changes = self._changes(rows, old, [*schema.COLUMNS, "status"])
            history = self._history_rows(
                new["event_id"].tolist(),
                versions,
                kind.tolist(),
                now,
                who,
                import_id,
                None,
                changes,
                self._snapshots(old),
            )
            self._insert(tx, "history", history)
            done += len(new)
            if progress:
                progress("storing", done, total)
        if progress:
            progress("storing", total, total)

    @staticmethod
    def _fill_result(result: StoreImport, plan: upsert.Plan, import_id: int) -> None:
        result.import_id = import_id
        result.inserted = len(plan.inserts)
        result.updated = len(plan.replace)
        result.unchanged = plan.unchanged
        result.flagged_missing = len(plan.flag)
        result.reappeared = len(plan.reappear)
        result.kept_deleted = plan.kept_deleted
        result.kept_edits = len(plan.kept_edits)

        def some(ids: list[str]) -> str:
            return ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")

        for scope, n in plan.flagged.items():
            result.notes.append(f"{n} events of {scope.describe()} are not in this file: flagged missing, not deleted")
        if plan.kept_edits:
            result.notes.append(
                f"{len(plan.kept_edits)} events edited here differ in the file, which has no newer timestamp: "
                f"kept as edited ({some(plan.kept_edits)})"
            )
        if plan.replaced_edits:
            result.notes.append(
                f"{len(plan.replaced_edits)} events edited here were replaced by a newer version from the file; "
                f"the edited versions are in their history ({some(plan.replaced_edits)})"
            )
        if plan.kept_deleted:
            result.notes.append(f"{plan.kept_deleted} events deleted here are in the file; they stay deleted")

    def _finish_import(self, tx: Tx, result: StoreImport, read: ImportReport | None) -> None:
        imports = self._table("imports")
        values = [getattr(result, name) for name in IMPORT_COUNTS]
        sets = ", ".join(f"{q(name)} = ?" for name in IMPORT_COUNTS)
        tx.execute(
            f"UPDATE {imports} SET finished_at = ?, notes = ?, {sets} WHERE import_id = ?",
            [utc_now(), "\n".join(result.notes) or None, *values, result.import_id],
        )

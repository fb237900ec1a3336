"""Backups (a GeoPackage store, whichever the backend) and restoring one.

The backends open the GeoPackage (``_open_geopackage``), so this module does not
import the GeoPackage store, which itself builds on the store classes here.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from conflictmap.store.core import (
    HISTORY_COLUMNS,
    IMPORT_COLUMNS,
    StoreCore,
    Tx,
    column_list,
    rows_frame,
    time_text,
)
from conflictmap.store.report import (
    StoreError,
)


class Backups(StoreCore):
    """Back up and restore the whole store."""

    @abstractmethod
    def _open_geopackage(self, path: str | Path, *, create: bool) -> Backups:
        """The GeoPackage store at ``path``: what a backup is written to and restored from."""

    def seal(self) -> None:
        """Close the store, leaving what it wrote self-contained (the GeoPackage store folds its log into the file)."""
        self.close()

    def _dump(self) -> dict[str, pd.DataFrame]:
        """Every row of the three tables as plain values, in one consistent read."""
        with self._transaction(write=False) as tx:
            events = self._stored(tx)
            history = rows_frame(
                tx.rows(f"SELECT {column_list(HISTORY_COLUMNS)} FROM {self._table('history')} ORDER BY history_id"),
                HISTORY_COLUMNS,
            )
            imports = rows_frame(
                tx.rows(f"SELECT {column_list(IMPORT_COLUMNS)} FROM {self._table('imports')} ORDER BY import_id"),
                IMPORT_COLUMNS,
            )
        for frame, cols in ((history, ("changed_at",)), (imports, ("started_at", "finished_at"))):
            for col in cols:
                frame[col] = time_text(frame[col])
        for col in ("changes", "before"):
            history[col] = [
                None if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
                for v in history[col]
            ]
        imports["full_import"] = [bool(v) for v in imports["full_import"]]
        return {"events": events, "history": history, "imports": imports}

    def _replace_all(self, tx: Tx, dump: Mapping[str, pd.DataFrame]) -> None:
        for table in ("history", "events", "imports"):
            tx.execute(f"DELETE FROM {self._table(table)}")
        self._insert(tx, "imports", dump["imports"])
        self._insert(tx, "events", self._derived(dump["events"]))
        self._insert(tx, "history", dump["history"])
        self._reset_ids(tx)
        self._after_write(tx)

    def _backup_to_geopackage(self, path: str | Path) -> dict[str, int]:
        """Copy every row into a new GeoPackage store at ``path`` (written aside, then moved in place)."""
        target = Path(path)
        if target.exists():
            raise StoreError(f"{target} already exists; give a new file name for the backup")
        dump = self._dump()
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        copy = self._open_geopackage(partial, create=True)
        try:
            with copy._transaction(write=True) as tx:
                copy._replace_all(tx, dump)
        finally:
            copy.close()
        copy.seal()
        partial.replace(target)
        return {name: len(frame) for name, frame in dump.items()}

    def restore(self, path: str | Path, *, replace: bool = False) -> dict[str, int]:
        """Replace the whole store with a backup (a GeoPackage written by ``backup``, from either backend).

        Parameters
        ----------
        path : str or pathlib.Path
            The backup.
        replace : bool, default False
            Needed when the store holds events: they are all replaced.

        Returns
        -------
        dict
            ``events``, ``history`` and ``imports``: the rows restored.

        Raises
        ------
        StoreNotFoundError, NotAStoreError
            If ``path`` is not a conflictmap store.
        StoreError
            If the store holds events and ``replace`` is false.
        """
        source = self._open_geopackage(path, create=False)
        try:
            dump = source._dump()
        finally:
            source.close()
        with self._transaction(write=True) as tx:
            held = int(tx.rows(f"SELECT COUNT(*) FROM {self._table('events')}")[0][0])
            if held and not replace:
                raise StoreError(
                    f"the store at {self.location} holds {held} events; restoring replaces them all "
                    "(confirm with replace=True, on the command line --replace)"
                )
            self._replace_all(tx, dump)
        return {name: len(frame) for name, frame in dump.items()}

"""What a store operation did: the import summary, one change to one event, and the store's errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from conflictmap.errors import ConflictmapError
from conflictmap.readers.report import ImportReport


class StoreError(ConflictmapError):
    """A store operation cannot be done; the message says why and what to do."""


class StoreNotFoundError(StoreError, FileNotFoundError):
    """There is no store at the place the settings name (and it was not to be created)."""


class NotAStoreError(StoreError, ValueError):
    """A file or database that exists but does not hold a conflictmap store."""


class StoreReadOnlyError(StoreError, PermissionError):
    """The store can be read but not written (a read-only file or folder, a read-only database role)."""


class StoreBusyError(StoreError):
    """Another writer held the store for longer than the lock timeout."""


class EventNotFoundError(StoreError, LookupError):
    """No event with that ``event_id`` in the store."""


class DuplicateEventError(StoreError, ValueError):
    """An event added by hand names an ``event_id`` the store already has."""


class EditConflictError(StoreError):
    """The event changed since the version the edit was based on; reload it and edit again."""


class EventStateError(StoreError, ValueError):
    """The change does not apply to the event as it is (editing a deleted event, deleting it twice)."""


@dataclass(frozen=True)
class Change:
    """One change to one event: the version it made, what kind, when and by whom.

    ``change`` is one of ``upsert.CHANGES``, or ``"unchanged"`` when an edit
    gave the values the event already had (nothing was written).
    """

    event_id: str
    version: int
    change: str
    changed_at: str
    changed_by: str


@dataclass
class StoreImport:
    """The outcome of importing a file into the store.

    Attributes
    ----------
    source : str
        The file imported.
    read : ImportReport or None
        What reading the file gave: rows read, loaded and rejected with reasons.
    import_id : int or None
        The import's number in the store's import log; ``None`` when nothing was stored.
    datasets : tuple of str
        Datasets of the events in the file.
    inserted, updated, unchanged, flagged_missing, reappeared, kept_deleted, kept_edits : int
        Events new to the store; replaced by a newer version; the same; no longer in
        a full import of their dataset (flagged, not deleted); flagged before and back
        now; deleted here and kept deleted; edited here and kept (the file has
        other values and no newer timestamp).
    notes : list of str
        What the user should know about the outcome.
    """

    source: str
    read: ImportReport | None = None
    import_id: int | None = None
    datasets: tuple[str, ...] = ()
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    flagged_missing: int = 0
    reappeared: int = 0
    kept_deleted: int = 0
    kept_edits: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Rows of the file that could not be read (see ``read.rejected`` for each reason)."""
        return self.read.rows_rejected if self.read is not None else 0

    @property
    def changed(self) -> bool:
        """Whether the import changed any event."""
        return bool(self.inserted or self.updated or self.flagged_missing or self.reappeared)

    def summary(self) -> str:
        """Lines for a person: the counts, then the notes."""
        lines = [
            f"stored: {self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.flagged_missing} flagged missing, {self.rejected} rejected"
        ]
        extra = [
            (self.reappeared, "back after being flagged missing"),
            (self.kept_deleted, "kept deleted"),
            (self.kept_edits, "kept with their edits"),
        ]
        shown = [f"{n} {what}" for n, what in extra if n]
        if shown:
            lines.append("  also: " + ", ".join(shown))
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

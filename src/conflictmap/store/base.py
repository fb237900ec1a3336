"""The event store: one interface for both backends.

A store keeps the canonical events with, for each, its ``status`` (active,
flagged missing, deleted), ``version`` and who changed it when; a history
table holding every replaced version with who/when/what; and a log of imports.
Every write is one transaction under a single-writer lock, so an import that
fails or is killed half-way leaves the store exactly as it was, and two
sessions writing at once both keep their writes (the second waits for the
first). The backends differ only in how they talk to their database.
"""

from __future__ import annotations

from conflictmap.store.backup import Backups
from conflictmap.store.core import (
    EVENT_COLUMNS,
    HISTORY_COLUMNS,
    IMPORT_COLUMNS,
    SCHEMA_VERSION,
    Progress,
    Tx,
    q,
)
from conflictmap.store.editing import Editing
from conflictmap.store.importing import Importing
from conflictmap.store.reading import Reading
from conflictmap.store.summaries import Summaries


class EventStore(Importing, Editing, Summaries, Reading, Backups):
    """A store of events: ``GeoPackageStore`` or ``PostGISStore``. Use ``open_store()`` to get one.

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


__all__ = [
    "EVENT_COLUMNS",
    "HISTORY_COLUMNS",
    "IMPORT_COLUMNS",
    "SCHEMA_VERSION",
    "EventStore",
    "Progress",
    "Tx",
    "q",
]

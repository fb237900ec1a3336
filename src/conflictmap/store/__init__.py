"""The event store: an embedded GeoPackage by default, PostGIS for teams, and nothing ever lost.

``open_store()`` returns the store the settings name: ``CONFLICTMAP_DB``
(``postgresql://...``) when set, else the GeoPackage at ``CONFLICTMAP_STORE``.
Both backends do the same things the same way (see ``EventStore``): import a
file (upsert by ``event_id``, see ``upsert`` for the rules), add, edit and
delete one event with its history, query with a ``FilterSpec``, count per
period and per map cell in the database, list datasets, export, back up and
restore.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conflictmap import settings
from conflictmap.store.base import EventStore, Progress
from conflictmap.store.gpkg import GeoPackageStore
from conflictmap.store.postgis import PostGISStore
from conflictmap.store.report import (
    Change,
    DuplicateEventError,
    EditConflictError,
    EventNotFoundError,
    EventStateError,
    NotAStoreError,
    StoreBusyError,
    StoreError,
    StoreImport,
    StoreNotFoundError,
    StoreReadOnlyError,
)
from conflictmap.store.upsert import CHANGES
from conflictmap.store.validation import FORM_FIELDS, EventValidationError, FieldProblem, check_event

_SCHEMES = ("postgresql://", "postgres://")


def open_store(
    store: str | Path | None = None,
    db: str | None = None,
    *,
    create: bool = True,
    user: str | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> EventStore:
    """The event store the settings (or the arguments) name.

    Parameters
    ----------
    store : str or pathlib.Path, optional
        GeoPackage path; default the setting ``CONFLICTMAP_STORE`` (relative to the working directory).
        Given without ``db``, it wins over the setting ``CONFLICTMAP_DB``.
    db : str, optional
        PostgreSQL URL; default the setting ``CONFLICTMAP_DB`` (unless ``store`` is given).
    create : bool, default True
        Create the store when there is none yet; otherwise ``StoreNotFoundError``.
    user : str, optional
        Name recorded with changes; default ``settings.user_name()``.
    on_wait : callable, optional
        Told (with a message) when a write waits for another writer.

    Returns
    -------
    EventStore
        A ``PostGISStore`` or a ``GeoPackageStore``.

    Raises
    ------
    StoreError
        If ``CONFLICTMAP_DB`` is not a PostgreSQL URL or the database cannot be used.
    StoreNotFoundError, NotAStoreError
    """
    setting = settings.get("CONFLICTMAP_DB") if store is None else ""
    url = db if db is not None else setting
    if url and url.strip():
        url = url.strip()
        if not url.startswith(_SCHEMES):
            raise StoreError(f"CONFLICTMAP_DB must be a PostgreSQL URL starting with postgresql://, got {url[:30]!r}")
        return PostGISStore(url, create=create, user=user, on_wait=on_wait)
    path = Path(store if store is not None else settings.get("CONFLICTMAP_STORE"))
    return GeoPackageStore(path, create=create, user=user, on_wait=on_wait)


__all__ = [
    "CHANGES",
    "FORM_FIELDS",
    "Change",
    "DuplicateEventError",
    "EditConflictError",
    "EventNotFoundError",
    "EventStateError",
    "EventStore",
    "EventValidationError",
    "FieldProblem",
    "GeoPackageStore",
    "NotAStoreError",
    "PostGISStore",
    "Progress",
    "StoreBusyError",
    "StoreError",
    "StoreImport",
    "StoreNotFoundError",
    "StoreReadOnlyError",
    "check_event",
    "open_store",
]

"""Deleting and restoring events in the page: what is asked, what is listed, what is said.

A deletion asks for a reason and a confirmation (``delete_problem``) and is
kept in the event's history; the Event store tab lists the deleted events with
who deleted each, when and why (``deleted_rows``), each with a way back. When
a deletion or a restore cannot be done (someone changed the event meanwhile,
the store is busy or unreachable), ``failure_message`` says so in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from conflictmap.store import EditConflictError, EventNotFoundError, EventStateError, StoreError

#: Column headings of the deleted-events list, in the order of ``DeletedRow.cells``.
DELETED_HEADINGS: tuple[str, ...] = ("Event", "Date", "Place", "Deleted by", "When", "Reason")
#: What each action did, and its verb, for messages.
_DONE = {"delete": "deleted", "restore": "restored"}


@dataclass(frozen=True)
class DeletedRow:
    """One deleted event as the page lists it: its id and version (to restore it) and the cells shown."""

    event_id: str
    version: int
    cells: tuple[str, ...]


def _text(value: object) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def _place(location: object, admin1: object) -> str:
    place, region = _text(location), _text(admin1)
    if region and region.casefold() not in place.casefold():
        return f"{place}, {region}" if place else region
    return place


def _when(value: object) -> str:
    if value is None or value is pd.NaT or (not isinstance(value, pd.Timestamp) and pd.isna(value)):
        return ""
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def deleted_rows(deleted: pd.DataFrame) -> list[DeletedRow]:
    """The rows of the deleted-events list from ``EventStore.deleted_events``.

    Parameters
    ----------
    deleted : pandas.DataFrame
        As ``EventStore.deleted_events`` returns it, most recent deletion first.

    Returns
    -------
    list of DeletedRow
        In the same order; cells as in ``DELETED_HEADINGS`` (a deletion made outside the
        dashboard, e.g. in QGIS, has no one, time or reason to show).
    """
    out = []
    for row in deleted.itertuples(index=False):
        day = "" if pd.isna(row.event_date) else f"{pd.Timestamp(row.event_date):%Y-%m-%d}"
        cells = (
            _text(row.event_id),
            day,
            _place(row.location, row.admin1),
            _text(row.deleted_by),
            _when(row.deleted_at),
            _text(row.reason),
        )
        out.append(DeletedRow(str(row.event_id), int(row.version), cells))
    return out


def deleted_caption(shown: int, total: int) -> str:
    """The line above the deleted-events list: how many there are, and how many are listed."""
    if total == 0:
        return "No event is deleted. A deleted event leaves the map and the exports, and is kept with its history."
    listed = f"the {shown:,} most recently deleted are listed" if shown < total else "newest first"
    noun = "event is" if total == 1 else "events are"
    return (
        f"{total:,} {noun} deleted ({listed}). Restoring puts an event back on the map; "
        "its history keeps the deletion and the restoration."
    )


def delete_problem(reason: str | None, confirmed: bool) -> str | None:
    """Why a deletion cannot go ahead yet (no reason given, not confirmed), or ``None``."""
    if not (reason or "").strip():
        return "Give a reason: it is kept in the event's history, for whoever looks at it later."
    if not confirmed:
        return "Tick “Yes, delete this event” to confirm."
    return None


def deleted_message(event_id: str) -> str:
    """What the page says once an event is deleted."""
    return (
        f"Event {event_id} deleted. It is kept with its history: restore it under “Deleted events” "
        "in the Event store tab."
    )


def restored_message(event_id: str, version: int) -> str:
    """What the page says once an event is restored."""
    return f"Event {event_id} restored (version {version}): it is back on the map."


def failure_message(
    action: str, event_id: str, error: StoreError | OSError, current: Mapping[str, object] | None = None
) -> str:
    """Why a deletion or a restore was not done, and what to do, in a sentence or two.

    Parameters
    ----------
    action : {"delete", "restore"}
        What was asked.
    event_id : str
        The event.
    error : StoreError or OSError
        What the store raised.
    current : mapping, optional
        The event as it is now (``EventStore.get_event``), to say who changed it and when.

    Raises
    ------
    ValueError
        If ``action`` is neither ``"delete"`` nor ``"restore"``.
    """
    if action not in _DONE:
        raise ValueError(f"action {action!r}; expected 'delete' or 'restore'")
    head = f"Event {event_id} was not {_DONE[action]}:"
    if isinstance(error, EditConflictError):
        who = _text((current or {}).get("updated_by")) or "someone"
        when = _when((current or {}).get("updated_at"))
        at = f" at {when}" if when else ""
        deleted = (current or {}).get("status") == "deleted"
        if current is not None and action == "delete" and deleted:
            return f"{head} {who} deleted it{at}; it is listed under “Deleted events” in the Event store tab."
        if current is not None and action == "restore" and not deleted:
            return f"{head} {who} restored it{at}; it is back on the map."
        return (
            f"{head} {who} changed it{at}, after this page showed it. The page now shows it as it is; "
            f"{action} it again if you still mean to."
        )
    if isinstance(error, EventStateError):
        if action == "delete":
            return f"{head} it is deleted already; it is listed under “Deleted events” in the Event store tab."
        return f"{head} it is not deleted any more; someone restored it."
    if isinstance(error, EventNotFoundError):
        return f"{head} it is no longer in the store."
    return f"{head} {error}"

"""What the page writes to the event store, each write returning what the user should be told.

Every function opens the store, does one thing and returns a frozen result
(never raises for what the user can fix): the page only shows the message and
updates what it shows. Messages are plain text; the page escapes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from conflictmap import deletions, eventform
from conflictmap.store import (
    DuplicateEventError,
    EditConflictError,
    EventValidationError,
    StoreError,
    open_store,
)
from conflictmap.store.validation import check_event

Kind = Literal["error", "warning", "info", "success"]


@dataclass(frozen=True)
class Editing:
    """The stored event the form edits: its id, the version it was read at and its form values then."""

    event_id: str
    version: int
    before: Mapping[str, object]


@dataclass(frozen=True)
class SaveResult:
    """The outcome of saving the event form.

    Attributes
    ----------
    kind, message : str
        How and what to tell the user.
    problems : dict
        Field -> what is wrong with it (empty unless the store refused the values).
    event_id, version : str or None, int or None
        The event written and its new version (``None`` when nothing was written).
    editing : Editing or None
        The edit to carry on with after an edit was saved; ``None`` after an addition or a failure.
    """

    kind: Kind
    message: str
    problems: dict[str, str] = field(default_factory=dict)
    event_id: str | None = None
    version: int | None = None
    editing: Editing | None = None

    @property
    def saved(self) -> bool:
        """Whether the store holds the form's values now (written, or already there)."""
        return self.event_id is not None


def save_event(
    values: Mapping[str, object],
    *,
    place: eventform.PlaceChoice | None = None,
    point: tuple[float, float] | None = None,
    editing: Editing | None = None,
    reason: str | None = None,
) -> SaveResult:
    """Add the form's event to the store, or apply the form's changes to the stored event it edits.

    Parameters
    ----------
    values : mapping
        The form's values, by ``eventform.EDITABLE`` field.
    place, point
        The gazetteer place picked and the point clicked on the map, if any.
    editing : Editing or None
        The stored event edited; ``None`` adds a new event.
    reason : str or None
        Why, for the event's history.
    """
    fields = eventform.form_fields(values, place=place, point=point)
    reason = (reason or "").strip() or None
    try:
        if not editing:
            # Checked before the store is opened: a refused first event does not create an empty store.
            check_event(fields)
        with open_store() as store:
            if editing:
                changes = eventform.edit_changes(editing.before, fields)
                change = store.edit_event(editing.event_id, changes, expected_version=editing.version, reason=reason)
            else:
                change = store.add_event(fields, reason=reason)
    except EventValidationError as exc:
        return SaveResult("error", "Nothing was saved: correct the fields marked below.", eventform.field_messages(exc))
    except (StoreError, OSError) as exc:
        return SaveResult("error", f"Nothing was saved: {exc}")
    after = Editing(change.event_id, change.version, {**editing.before, **values}) if editing else None
    if change.change == "unchanged":
        return SaveResult(
            "info", f"Event {change.event_id} already had these values.", {}, change.event_id, change.version, editing
        )
    verb = "edited" if editing else "added"
    message = f"Event {change.event_id} {verb} (version {change.version})."
    return SaveResult("success", message, {}, change.event_id, change.version, after)


@dataclass(frozen=True)
class EventRead:
    """A stored event read for the form, or why it could not be (``error``)."""

    event_id: str
    editing: Editing | None = None
    values: dict[str, object] = field(default_factory=dict)
    error: str | None = None


def read_for_edit(event_id: str) -> EventRead:
    """The stored event's form values and version, to edit it."""
    try:
        with open_store(create=False) as store:
            event = store.get_event(event_id)
    except (StoreError, OSError) as exc:
        return EventRead(event_id, error=f"Could not read event {event_id}: {exc}")
    values = eventform.form_values(event)
    return EventRead(event_id, Editing(event_id, int(event["version"]), values), values)


@dataclass(frozen=True)
class History:
    """A stored event's changes (newest first) and its current version, or why they cannot be read."""

    table: pd.DataFrame | None = None
    version: int | None = None
    error: str | None = None


def event_history(event_id: str) -> History:
    """What ``store.history`` holds for the event, and the version a deletion is based on."""
    try:
        with open_store(create=False) as store:
            return History(store.history(event_id), int(store.get_event(event_id)["version"]))
    except (StoreError, OSError) as exc:
        return History(error=str(exc))


def current_event(event_id: str) -> dict | None:
    """The event as the store holds it now, or ``None`` if it cannot be read (for messages only)."""
    try:
        with open_store(create=False) as store:
            return store.get_event(event_id)
    except (StoreError, OSError):
        return None


@dataclass(frozen=True)
class DeletionResult:
    """The outcome of deleting or restoring one event.

    ``still_shown`` is true when a deletion failed and the event is still there to
    show the message beside; otherwise the message belongs in a toast.
    """

    done: bool
    kind: Kind
    message: str
    event_id: str
    version: int | None = None
    still_shown: bool = False


def delete_event(event_id: str, version: int, reason: str) -> DeletionResult:
    """Delete one event, based on the version the page showed."""
    try:
        with open_store(create=False) as store:
            store.delete_event(event_id, reason=reason, expected_version=version)
    except (StoreError, OSError) as exc:
        current = current_event(event_id)
        message = deletions.failure_message("delete", event_id, exc, current)
        shown = current is not None and current["status"] != "deleted"
        return DeletionResult(False, "error", message, event_id, still_shown=shown)
    return DeletionResult(True, "success", deletions.deleted_message(event_id), event_id)


def restore_event(event_id: str, version: int) -> DeletionResult:
    """Undelete one event, based on the version the deleted list showed."""
    try:
        with open_store(create=False) as store:
            change = store.undelete_event(event_id, expected_version=version)
    except (StoreError, OSError) as exc:
        current = current_event(event_id) if isinstance(exc, EditConflictError) else None
        return DeletionResult(False, "error", deletions.failure_message("restore", event_id, exc, current), event_id)
    return DeletionResult(
        True, "success", deletions.restored_message(event_id, change.version), event_id, change.version
    )


@dataclass(frozen=True)
class BatchResult:
    """Candidate events saved into the store: the ids saved, each event's outcome, or why none was (``error``)."""

    saved: tuple[str, ...] = ()
    outcomes: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    @property
    def message(self) -> str:
        """One line for the user."""
        if self.error:
            return f"Nothing was saved: {self.error}"
        count = len(self.saved)
        return f"{count} {'event' if count == 1 else 'events'} saved into the store (dataset “article”)."


def save_candidates(accepted: Iterable[Mapping[str, object]], reason: str = "taken from an article") -> BatchResult:
    """Add each accepted candidate's fields to the store; one that fails does not stop the others."""
    saved, outcomes = [], {}
    try:
        with open_store() as store:
            for fields in accepted:
                try:
                    change = store.add_event(dict(fields), reason=reason)
                except EventValidationError as exc:
                    outcomes[str(fields["event_id"])] = f"not saved: {exc}"
                except DuplicateEventError:
                    outcomes[str(fields["event_id"])] = "already in the store"
                else:
                    saved.append(change.event_id)
                    outcomes[change.event_id] = "saved"
    except (StoreError, OSError) as exc:
        return BatchResult(error=str(exc))
    return BatchResult(tuple(saved), outcomes)


#: Form inputs (without the ``ev_`` prefix) whose values a field's problem was found in; a field not
#: listed is its own input. Changing any of them may fix the problem.
FIELD_INPUTS: dict[str, tuple[str, ...]] = {
    "place": ("place_text", "place_pick", "use_point", "point"),
    "latitude": ("place_text", "place_pick", "use_point", "point"),
    "longitude": ("place_text", "place_pick", "use_point", "point"),
    "admin1": ("place_text", "place_pick", "use_point", "point"),
    "location": ("place_text", "place_pick", "use_point", "point"),
    "event_date": ("event_date", "date_end"),
    "date_end": ("event_date", "date_end"),
    "event_type": ("event_type", "sub_event_type"),
    "sub_event_type": ("event_type", "sub_event_type"),
}


def inputs_of(field: str) -> tuple[str, ...]:
    """The form inputs a problem with ``field`` depends on."""
    return FIELD_INPUTS.get(field, (field,))


def open_problems(problems: Mapping[str, str], then: Mapping[str, object], now: Mapping[str, object]) -> dict[str, str]:
    """The problems still to show: those whose inputs hold the values they were found in.

    Parameters
    ----------
    problems : mapping
        Field -> message, as the last save found them.
    then, now : mapping
        Input -> value, when the problems were found and now.
    """
    return {
        field: message
        for field, message in problems.items()
        if all(then.get(name) == now.get(name) for name in inputs_of(field))
    }

"""What the page asks before deleting, lists of the deleted events and says when a deletion or restore fails."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SEED_EVENTS

from conflictmap import deletions
from conflictmap.store import (
    EditConflictError,
    EventNotFoundError,
    EventStateError,
    GeoPackageStore,
    StoreBusyError,
)


@pytest.fixture
def store(tmp_path):
    with GeoPackageStore(tmp_path / "events.gpkg") as made:
        made.import_file(SEED_EVENTS)
        yield made


def test_deleted_rows_show_what_the_store_recorded(store):
    store.delete_event("SEED-0003", reason="Same clash as SEED-0001", user="analyst-b")
    store.delete_event("SEED-0005", reason="**not** <b>bold</b>", user="analyst-c")
    rows = deletions.deleted_rows(store.deleted_events())
    assert [r.event_id for r in rows] == ["SEED-0005", "SEED-0003"]
    assert [r.version for r in rows] == [2, 2]
    newest, older = (r.cells for r in rows)
    assert newest[:4] == ("SEED-0005", "2022-06-21", "Bamako", "analyst-c")
    assert newest[5] == "**not** <b>bold</b>"
    assert older[:4] == ("SEED-0003", "2023-08-21", "Ber, Timbuktu", "analyst-b")
    when = pd.Timestamp(store.history("SEED-0003").iloc[-1]["changed_at"])
    assert older[4] == f"{when:%Y-%m-%d %H:%M} UTC"
    assert len(deletions.DELETED_HEADINGS) == len(older)


def test_a_deletion_without_author_shows_empty_cells():
    deleted = pd.DataFrame(
        {
            "event_id": ["X-1"],
            "event_date": [pd.NaT],
            "location": [None],
            "admin1": ["Gao"],
            "dataset": ["x"],
            "event_type": ["Battles"],
            "version": [4],
            "deleted_at": pd.Series([pd.NaT], dtype="datetime64[ns, UTC]"),
            "deleted_by": pd.array([pd.NA], dtype="string"),
            "reason": pd.array([pd.NA], dtype="string"),
        }
    )
    (row,) = deletions.deleted_rows(deleted)
    assert row.cells == ("X-1", "", "Gao", "", "", "")
    assert row.version == 4


def test_the_caption_says_how_many_are_deleted_and_listed():
    assert deletions.deleted_caption(0, 0).startswith("No event is deleted.")
    assert deletions.deleted_caption(1, 1).startswith("1 event is deleted (newest first).")
    assert deletions.deleted_caption(50, 1234).startswith("1,234 events are deleted (the 50 most recently deleted")


@pytest.mark.parametrize(
    ("reason", "confirmed", "expected"),
    [
        ("", True, "Give a reason"),
        ("   ", True, "Give a reason"),
        (None, True, "Give a reason"),
        ("Duplicate", False, "Tick “Yes, delete this event” to confirm."),
        ("Duplicate", True, None),
    ],
)
def test_a_deletion_needs_a_reason_and_a_confirmation(reason, confirmed, expected):
    problem = deletions.delete_problem(reason, confirmed)
    assert problem == expected if expected is None else problem.startswith(expected)


def test_a_conflict_says_who_changed_the_event_and_when(store):
    store.edit_event("SEED-0001", {"fatalities": 2}, user="analyst-b")
    with pytest.raises(EditConflictError) as caught:
        store.delete_event("SEED-0001", reason="duplicate", expected_version=1)
    current = store.get_event("SEED-0001")
    message = deletions.failure_message("delete", "SEED-0001", caught.value, current)
    when = f"{current['updated_at']:%Y-%m-%d %H:%M} UTC"
    assert message == (
        f"Event SEED-0001 was not deleted: analyst-b changed it at {when}, after this page showed it. "
        "The page now shows it as it is; delete it again if you still mean to."
    )
    unknown = deletions.failure_message("restore", "SEED-0001", caught.value)
    assert unknown.startswith("Event SEED-0001 was not restored: someone changed it, after this page showed it.")


def test_other_failures_are_told_in_words():
    state = EventStateError("event 'A' is already deleted")
    assert deletions.failure_message("delete", "A", state).endswith(
        "it is deleted already; it is listed under “Deleted events” in the Event store tab."
    )
    assert deletions.failure_message("restore", "A", state) == (
        "Event A was not restored: it is not deleted any more; someone restored it."
    )
    gone = EventNotFoundError("no event 'A' in the store")
    assert deletions.failure_message("delete", "A", gone) == "Event A was not deleted: it is no longer in the store."
    busy = StoreBusyError("events.gpkg has been locked by another writer for 120 s; try again when its import is done")
    assert deletions.failure_message("restore", "A", busy) == f"Event A was not restored: {busy}"
    assert deletions.failure_message("delete", "A", OSError("disk full")) == "Event A was not deleted: disk full"
    with pytest.raises(ValueError, match="expected 'delete' or 'restore'"):
        deletions.failure_message("purge", "A", busy)

"""What a dashboard asks a shared store: has anything changed (``change_token``), and which events are deleted.

The same tests on both backends: the GeoPackage file and PostGIS (a real PostgreSQL
from ``pgcluster``, one fresh database per test).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from builders import Target
from conftest import SEED_EVENTS

from conflictmap.store import (
    EditConflictError,
    EventStateError,
    EventStore,
    EventValidationError,
    GeoPackageStore,
)
from conflictmap.store.postgis import PostGISStore

NEW_EVENT = {
    "place": "Gao",
    "event_date": "2023-09-10",
    "event_type": "Protests",
    "sub_event_type": "Peaceful protest",
    "source": "Studio Tamani",
}


@pytest.fixture
def store(target: Target) -> Iterator[EventStore]:
    """A store of each backend holding the five seed events."""
    with target.open() as made:
        made.import_file(SEED_EVENTS)
        yield made


# -- change_token ----------------------------------------------------------------------------------------


def test_every_kind_of_write_changes_the_token_and_reads_do_not(store, tmp_path):
    seen = [store.change_token()]

    def changed() -> bool:
        """Whether the token is one never seen before."""
        token = store.change_token()
        if token in seen:
            return False
        seen.append(token)
        return True

    store.query()
    store.count()
    store.history("SEED-0001")
    store.deleted_events()
    store.backup(tmp_path / "copy.gpkg")
    assert not changed(), "reading (and backing up) is not a change"
    added = store.add_event(NEW_EVENT).event_id
    assert changed()
    store.edit_event(added, {"fatalities": 2})
    assert changed()
    store.delete_event(added, reason="duplicate")
    assert changed()
    store.undelete_event(added)
    assert changed()
    store.import_file(SEED_EVENTS)
    assert changed(), "a re-import logs an import, even when no event changes"
    store.restore(tmp_path / "copy.gpkg", replace=True)
    assert changed(), "a restore never brings an old token back"


def test_writes_that_do_not_happen_leave_the_token(store):
    before = store.change_token()
    with pytest.raises(EventValidationError):
        store.add_event({**NEW_EVENT, "event_type": "Picnic"})
    with pytest.raises(EditConflictError):
        store.delete_event("SEED-0001", expected_version=7)
    with pytest.raises(EventStateError):
        store.undelete_event("SEED-0001")
    outcome = store.edit_event("SEED-0001", {"fatalities": 0})
    assert outcome.change == "unchanged"
    assert store.change_token() == before


def test_another_connection_sees_the_change_at_once(target, store):
    with target.open() as other:
        seen = other.change_token()
        assert seen == store.change_token()
        store.delete_event("SEED-0002", reason="duplicate", user="analyst-c")
        assert other.change_token() != seen


def test_a_store_made_before_the_count_counts_from_its_next_write(target, store):
    meta = store._table("meta")
    with store._transaction(write=True) as tx:
        tx.execute(f"DELETE FROM {meta} WHERE key = ?", ["changes"])
    old = store.change_token()
    with target.open() as again:
        assert again.change_token() == old
        again.delete_event("SEED-0001", reason="duplicate")
        assert again.change_token() != old
    with store._transaction(write=False) as tx:
        assert tx.rows(f"SELECT value FROM {meta} WHERE key = ?", ["changes"]) == [("1",)]


def test_a_store_made_anew_does_not_repeat_a_token(target, tmp_path):
    with target.open() as first:
        first.import_file(SEED_EVENTS)
        token = first.change_token()
        first.backup(tmp_path / "copy.gpkg")
    backend, where = target.backend, target.location
    if backend == "geopackage":
        Path(where).unlink()
        for extra in Path(where).parent.glob(Path(where).name + "-*"):
            extra.unlink()
    else:
        with PostGISStore(where) as gone, gone._transaction(write=True) as tx:
            tx.execute("DROP SCHEMA conflictmap CASCADE")
    with target.open() as second:
        second.restore(tmp_path / "copy.gpkg")
        assert second.count() == 5
        assert second.change_token() != token


def test_an_edit_made_with_gdal_changes_a_geopackage_token(tmp_path):
    path = tmp_path / "events.gpkg"
    with GeoPackageStore(path) as store:
        store.import_file(SEED_EVENTS)
        before = store.change_token()
        row = store.query(store_columns=True).iloc[[0]]
    # What QGIS does when a feature is added: GDAL writes the row and the layer's last change.
    row = row.assign(event_id="QGIS-1", notes_search=None, content_hash=None)
    for col in row.columns:
        if isinstance(row[col].dtype, pd.CategoricalDtype):
            row[col] = row[col].astype(object)
    pyogrio.write_dataframe(row, path, layer="events", append=True)
    with GeoPackageStore(path) as store:
        assert store.count() == 6
        assert store.change_token() != before


# -- deleted_events --------------------------------------------------------------------------------------


def test_deleted_events_list_who_deleted_each_when_and_why_newest_first(store):
    assert store.deleted_events().empty
    assert store.deleted_events().attrs["total"] == 0
    first = store.delete_event("SEED-0003", reason="Same clash as SEED-0001", user="analyst-b")
    second = store.delete_event("SEED-0004", reason="Not an event <b>estimate</b>", user="analyst-c")
    deleted = store.deleted_events()
    assert list(deleted["event_id"]) == ["SEED-0004", "SEED-0003"]
    assert list(deleted["deleted_by"]) == ["analyst-c", "analyst-b"]
    assert list(deleted["reason"]) == ["Not an event <b>estimate</b>", "Same clash as SEED-0001"]
    assert list(deleted["location"]) == ["Timbuktu region", "Ber"]
    assert list(deleted["admin1"]) == ["Timbuktu", "Timbuktu"]
    assert deleted["event_date"].tolist() == [pd.Timestamp("2023-09-01"), pd.Timestamp("2023-08-21")]
    assert list(deleted["version"]) == [second.version, first.version]
    assert deleted["deleted_at"].tolist() == [pd.Timestamp(second.changed_at), pd.Timestamp(first.changed_at)]
    assert str(deleted["deleted_at"].dtype) == "datetime64[ns, UTC]"
    assert deleted.attrs["total"] == 2
    (newest,) = store.deleted_events(limit=1).itertuples()
    assert newest.event_id == "SEED-0004"
    # The version listed is the one a restore is based on; restored, the event leaves the list.
    store.undelete_event("SEED-0004", expected_version=newest.version)
    assert list(store.deleted_events()["event_id"]) == ["SEED-0003"]
    assert store.count() == 4


def test_a_deletion_made_outside_the_store_is_listed_without_author(store):
    events = store._table("events")
    with store._transaction(write=True) as tx:
        tx.execute(f"UPDATE {events} SET status = 'deleted' WHERE event_id = ?", ["SEED-0002"])
    store.delete_event("SEED-0001", reason="duplicate")
    deleted = store.deleted_events()
    assert list(deleted["event_id"]) == ["SEED-0001", "SEED-0002"]
    assert deleted["deleted_by"].isna().tolist() == [False, True]
    assert pd.isna(deleted["deleted_at"].iloc[1]) and pd.isna(deleted["reason"].iloc[1])


def test_an_older_geopackage_gets_the_deleted_events_index_when_opened(tmp_path):
    path = tmp_path / "events.gpkg"
    with GeoPackageStore(path) as store:
        store.import_file(SEED_EVENTS)
        store.delete_event("SEED-0001", reason="duplicate")
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX events_deleted")
    conn.commit()
    conn.close()
    with GeoPackageStore(path) as store:
        assert list(store.deleted_events()["event_id"]) == ["SEED-0001"]
    conn = sqlite3.connect(path)
    try:
        plan = conn.execute("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM events e WHERE e.status = 'deleted'").fetchall()
    finally:
        conn.close()
    assert "events_deleted" in " ".join(str(step[-1]) for step in plan)


def test_a_busy_geopackage_opens_without_waiting_for_the_index(tmp_path):
    path = tmp_path / "events.gpkg"
    with GeoPackageStore(path) as store:
        store.import_file(SEED_EVENTS)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP INDEX events_deleted")
    conn.execute("BEGIN IMMEDIATE")  # another writer, mid-transaction
    try:
        with GeoPackageStore(path, lock_timeout=0.5) as store:
            assert store.count() == 5
            assert store.deleted_events().empty
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    with GeoPackageStore(path) as store, store._transaction(write=False) as tx:
        assert tx.rows("SELECT name FROM sqlite_master WHERE name = 'events_deleted'") == [("events_deleted",)]

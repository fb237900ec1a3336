"""PostGIS's narrow table of the views' columns stays equal to the events table after every kind of write.

On a real PostgreSQL (``pgcluster``): conflictmap's writes (import, re-import,
add, edit, delete, undelete, restore), another program's SQL on ``events``
(as QGIS writes it), and a store made before the table existed, which gets it
on opening. The fetch update's writes are checked in ``test_fetch.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from builders import narrow_differences, synthetic_events
from conftest import SEED_EVENTS

from conflictmap.filters import FilterSpec
from conflictmap.pageviews import DatabaseViews
from conflictmap.store import PostGISStore
from conflictmap.store.postgis import NARROW_KEY, NARROW_TABLE


def assert_narrow_equal(store: PostGISStore, events: int) -> None:
    assert narrow_differences(store) == []
    count = store._conn().execute(f"SELECT COUNT(*) FROM {store.schema_name}.{NARROW_TABLE}").fetchone()[0]
    assert count == events
    if events:
        # Every text column is coded, or the comparison above would not be of labels.
        kinds = (
            store._conn()
            .execute(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                "AND column_name = 'actor1'",
                [store.schema_name, NARROW_TABLE],
            )
            .fetchone()
        )
        assert kinds == ("integer",)


@pytest.fixture
def url(pg_cluster) -> Iterator[str]:
    made = pg_cluster.new_database()
    yield made
    pg_cluster.drop_database(made)


def test_every_write_keeps_the_narrow_table_equal_to_the_events(url, tmp_path):
    store = PostGISStore(url, user="tester")
    try:
        assert store._views_table == f"conflictmap.{NARROW_TABLE}"
        store.import_file(SEED_EVENTS)
        assert_narrow_equal(store, 5)
        many = synthetic_events(40)
        store.import_events(many, full=False)
        assert_narrow_equal(store, 45)
        changed = many.copy()
        changed.loc[:9, "fatalities"] = 99
        changed.loc[10:14, ["event_type", "sub_event_type"]] = ["Riots", "Mob violence"]
        # A full import of part of them: some replaced, the rest of the dataset's reach flagged missing.
        store.import_events(changed.iloc[:30], full=True)
        statuses = dict(store._conn().execute("SELECT status, COUNT(*) FROM conflictmap.events GROUP BY 1").fetchall())
        assert statuses.get("missing", 0) > 0
        assert_narrow_equal(store, 45)
        added = store.add_event(
            {
                "place": "Gao",
                "event_date": "2023-09-10",
                "event_type": "Protests",
                "sub_event_type": "Peaceful protest",
                "source": "Studio Tamani",
            }
        ).event_id
        assert_narrow_equal(store, 46)
        store.edit_event(added, {"fatalities": 3, "admin1": "Gao"})
        assert_narrow_equal(store, 46)
        store.delete_event(added, reason="duplicate")
        assert_narrow_equal(store, 46)
        store.undelete_event(added)
        assert_narrow_equal(store, 46)
        store.backup(tmp_path / "copy.gpkg")
        store.delete_event("SEED-0001", reason="wrong")
        store.restore(tmp_path / "copy.gpkg", replace=True)
        assert_narrow_equal(store, 46)
        # Another program's SQL on the events table (QGIS edits it as a PostGIS layer).
        conn = store._conn()
        conn.execute("UPDATE conflictmap.events SET latitude = 15.0, location = 'Ber' WHERE event_id = 'SEED-0002'")
        conn.execute("DELETE FROM conflictmap.events WHERE event_id = 'SEED-0003'")
        assert_narrow_equal(store, 45)
        # What the views read follows (a filter the narrow table answers).
        views = DatabaseViews(store)
        try:
            assert views.filter_counts(FilterSpec(event_types=("Riots",)))["all"] == store.count(
                FilterSpec(event_types=("Riots",))
            )
        finally:
            views._pool.shutdown()
        conn.execute("TRUNCATE conflictmap.events")
        assert_narrow_equal(store, 0)
    finally:
        store.close()


def test_a_store_made_before_the_narrow_table_gets_it_on_opening(url):
    with PostGISStore(url) as store:
        store.import_events(synthetic_events(30), full=False)
        conn = store._conn()
        # As an earlier conflictmap left it: no narrow table, no triggers, no record of its columns.
        for kind in ("insert", "update", "delete", "truncate"):
            conn.execute(f"DROP TRIGGER events_narrow_{kind} ON conflictmap.events")
        conn.execute(f"DROP TABLE conflictmap.{NARROW_TABLE}")
        conn.execute("DELETE FROM conflictmap.meta WHERE key = %s", [NARROW_KEY])
    with PostGISStore(url) as store:
        assert_narrow_equal(store, 30)
        store.delete_event("SYN-3")
        assert_narrow_equal(store, 30)
        # A narrow table of other columns (another conflictmap's) is made again with these.
        store._conn().execute("UPDATE conflictmap.meta SET value = 'event_id' WHERE key = %s", [NARROW_KEY])
    with PostGISStore(url) as store:
        assert_narrow_equal(store, 30)
        store.import_events(synthetic_events(35), full=False)
        assert_narrow_equal(store, 35)

"""Stores made before the actor-type, population and UCDP columns existed still open, and gain them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from conflictmap import schema
from conflictmap.readers import read_events
from conflictmap.store import GeoPackageStore, PostGISStore

FIXTURES = Path(__file__).parent / "fixtures" / "readers"


def _as_before(events: pd.DataFrame) -> pd.DataFrame:
    """The events as an earlier conflictmap read them: none of the later columns."""
    old = events.copy()
    for col in schema.EXTENDED_COLUMNS:
        old[col] = None
    return schema.to_canonical(old)


def _old_gpkg(path: Path, events: pd.DataFrame) -> None:
    with GeoPackageStore(path) as store:
        store.import_events(_as_before(events), source="acled_2024.csv")
    with sqlite3.connect(path) as conn:
        for col in schema.EXTENDED_COLUMNS:
            conn.execute(f'ALTER TABLE events DROP COLUMN "{col}"')


def _old_postgis(url: str, events: pd.DataFrame) -> None:
    store = PostGISStore(url)
    try:
        store.import_events(_as_before(events), source="acled_2024.csv")
        name = store.schema_name
    finally:
        store.close()
    with psycopg.connect(url, autocommit=True) as conn:
        for col in schema.EXTENDED_COLUMNS:
            conn.execute(f'ALTER TABLE {name}.events DROP COLUMN "{col}"')


@pytest.fixture(params=["geopackage", "postgis"])
def old_store(request, tmp_path):
    """Opens a store holding the fixture's events, made without the later columns."""
    events, _ = read_events(FIXTURES / "acled_2024_preamble.csv")
    if request.param == "geopackage":
        path = tmp_path / "old.gpkg"
        _old_gpkg(path, events)
        yield events, lambda: GeoPackageStore(path)
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database()
    _old_postgis(url, events)
    yield events, lambda: PostGISStore(url)
    cluster.drop_database(url)


def test_an_old_store_opens_and_a_reimport_fills_the_new_columns(old_store):
    events, open_store = old_store
    store = open_store()
    try:
        before = store.query()
        assert len(before) == len(events)
        assert before["interaction"].isna().all()
        # The same file again: the events gain the fields, though ACLED's timestamp did not change.
        result = store.import_events(events, source="acled_2024.csv")
        assert (result.updated, result.inserted) == (len(events), 0)
        after = store.query().set_index("event_id")
        assert after.loc["MLI50001", "interaction"] == "Political militia-Civilians"
        assert after.loc["MLI50003", "population_best"] == 88000
        assert list(store.history("MLI50001")["change"]) == ["import", "import-update"]
        again = store.import_events(events, source="acled_2024.csv")
        assert (again.updated, again.unchanged) == (0, len(events))
    finally:
        store.close()


def test_an_event_without_the_new_fields_keeps_its_digest(tmp_path):
    from conflictmap.store import records

    events, _ = read_events(FIXTURES / "acled_2019.csv")
    plain = records.encode(_as_before(events))
    assert records.content_hash(plain) == records.content_hash(plain, extended=False)
    full = records.encode(events)
    assert records.content_hash(full) != records.content_hash(full, extended=False)


def test_a_later_ucdp_release_replaces_the_candidate_version_with_history(tmp_path):
    candidate, _ = read_events(FIXTURES / "ucdp_candidate_noheader.csv")
    text = (FIXTURES / "ucdp_candidate_noheader.csv").read_text(encoding="utf-8")
    # The GED release of the same events: one revised (7 -> 8 civilians killed, now clear).
    first, second, third = text.splitlines()
    revised = second.replace(",Check dyad,", ",Clear,").replace(",2,4,2024-05-01,", ",1,4,2024-05-01,")
    revised = revised.replace(",0,0,7,0,7,9,7,", ",0,0,8,0,8,9,8,")
    (tmp_path / "ged.csv").write_text("\n".join([first, revised, third]) + "\n", encoding="utf-8")
    release, _ = read_events(tmp_path / "ged.csv")
    with GeoPackageStore(tmp_path / "s.gpkg") as store:
        store.import_events(candidate, source="candidate")
        result = store.import_events(release, source="ged")
        assert (result.updated, result.unchanged) == (1, 2)
        row = store.get_event("GED-700002")
        assert (row["fatalities"], row["code_status"], row["event_clarity"]) == (8, "Clear", 1)
        history = store.history("GED-700002")
        assert list(history["change"]) == ["import", "import-update"]
        assert history.iloc[-1]["changes"]["fatalities"] == [7, 8]

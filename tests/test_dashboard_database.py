"""A PostGIS store shown on its own: the page asks the database for each view and shows what memory would.

The same events go into a GeoPackage store (read into memory by the page) and a
PostGIS database (asked view by view); both pages must show the same numbers,
map, legend and table. The database's answers are watched as they come back, to
check that the page never fetches the events wholesale.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import SEED_EVENTS
from pagetools import folium_args, legend, make_page, tables
from pgcluster import Cluster
from streamlit.testing.v1 import AppTest

from conflictmap import synth
from conflictmap.filters import FilterSpec
from conflictmap.readers import read_events, write_events
from conflictmap.store import open_store
from conflictmap.store.postgis import _Tx

#: Enough events that the map counts them per area and the table lists only the newest.
N_EVENTS = 12_000
TABLE_ROWS = 2_500


@pytest.fixture(scope="module")
def stores(pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The same events in a GeoPackage store and a PostGIS database."""
    folder = tmp_path_factory.mktemp("stores")
    events = synth.synth_events(N_EVENTS, seed=11)
    path = folder / "synthetic.parquet"
    write_events(events, path)
    url = pg_cluster.new_database()
    gpkg = folder / "events.gpkg"
    for store in (open_store(gpkg), open_store(db=url)):
        with store:
            store.import_file(path)
            store.import_file(SEED_EVENTS)
    yield {"geopackage": str(gpkg), "postgis": url}
    pg_cluster.drop_database(url)


@pytest.fixture
def fetched(monkeypatch) -> list[int]:
    """How many rows each answer of the PostGIS database held, in order."""
    sizes: list[int] = []
    original = _Tx.rows

    def rows(self, sql, params=()):
        found = original(self, sql, params)
        sizes.append(len(found))
        return found

    monkeypatch.setattr(_Tx, "rows", rows)
    return sizes


def store_page(monkeypatch, stores: dict[str, str], backend: str, query: dict | None = None) -> AppTest:
    if backend == "postgis":
        monkeypatch.setenv("CONFLICTMAP_DB", stores["postgis"])
    else:
        monkeypatch.delenv("CONFLICTMAP_DB", raising=False)
        monkeypatch.setenv("CONFLICTMAP_STORE", stores["geopackage"])
    at = make_page(monkeypatch, query={"src": "store", **(query or {})})
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def shown(at: AppTest) -> dict[str, object]:
    """What a reader of the page sees: captions, figures, the map's data and legend, the table."""
    (args,) = folium_args(at)
    script = args["feature_group"]
    return {
        "captions": [c.value for c in at.caption],
        "metrics": [(m.label, m.value, m.proto.delta) for m in at.metric],
        "legend": legend(at),
        "map data": tables(script),
        "cells": re.findall(r"\[\[-?[0-9.]+, -?[0-9.]+\], \[-?[0-9.]+, -?[0-9.]+\]\]", script),
        "table": at.dataframe[0].value,
        "actors": at.multiselect(key="f_actors").options,
        "types": at.multiselect(key="f_types").options,
    }


QUERIES = [
    {},
    {"type": "Battles"},
    {"from": "2020-01-01", "to": "2020-06-30"},
    {"region": "Gao", "actor": "JNIM"},
    {"q": "ambush", "minfat": "1"},
    {"from": "2019-03-01", "to": "2019-03-31", "view": "points"},
    {"type": "Protests", "view": "density"},
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: json.dumps(q) if q else "everything")
def test_the_database_page_shows_what_the_memory_page_shows(monkeypatch, stores, fetched, query):
    in_memory = shown(store_page(monkeypatch, stores, "geopackage", query))
    fetched.clear()
    asked = shown(store_page(monkeypatch, stores, "postgis", query))
    for part in ("captions", "metrics", "legend", "map data", "cells", "actors", "types"):
        assert asked[part] == in_memory[part], part
    pd.testing.assert_frame_equal(asked["table"], in_memory["table"], check_dtype=False)
    # The database sent counts and the rows on show, never the events wholesale.
    assert fetched and max(fetched) <= TABLE_ROWS
    assert sum(fetched) < N_EVENTS


def test_the_database_page_filters_in_sql(monkeypatch, stores):
    at = store_page(monkeypatch, stores, "postgis", {"type": "Battles", "region": "Mopti"})
    with open_store(db=stores["postgis"]) as store:
        kept = store.count(FilterSpec(event_types=("Battles",), admin1=("Mopti",)))
        every = store.count()
    assert 0 < kept < every
    assert f"{kept:,} of {every:,} events" in " ".join(c.value for c in at.caption)
    assert [m.value for m in at.metric if m.label == "Events"] == [f"{kept:,}"]


def test_an_event_picked_in_the_table_shows_its_record_from_the_database(monkeypatch, stores):
    at = store_page(monkeypatch, stores, "postgis", {"type": "Battles"})
    table = at.dataframe[0].value
    picked = str(table["ID"].iloc[3])
    at.session_state["selected_event"] = picked
    at.run()
    assert not at.exception
    record = " ".join(h.proto.body for h in at.get("html"))
    assert picked in record
    with open_store(db=stores["postgis"]) as store:
        event = store.get_event(picked)
    assert str(event["location"]) in record


def test_an_export_takes_the_filtered_events_from_the_database(monkeypatch, stores, tmp_path: Path):
    monkeypatch.setenv("CONFLICTMAP_DB", stores["postgis"])
    at = make_page(monkeypatch, query={"src": "store", "region": "Kidal"})
    at.session_state["panel"] = "Export"
    at.run()
    at.selectbox(key="x_kind").set_value("geojson").run()
    at.button(key="x_prepare").click().run()
    assert not at.exception and not at.error
    made = at.session_state["x_result"][1]
    path = tmp_path / made.filename
    path.write_bytes(made.data)
    written, report = read_events(path)
    with open_store(db=stores["postgis"]) as store:
        kidal = store.query(FilterSpec(admin1=("Kidal",)))
    assert report.rows_rejected == 0
    assert 0 < len(kidal) < N_EVENTS
    assert sorted(written["event_id"]) == sorted(kidal["event_id"])

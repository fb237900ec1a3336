"""A large event file shown with an upload or the event store stays on the columnar engine: DuckDB answers over
the file's cache and a GeoParquet copy of the upload's events (or of the store's), and the page shows what it
shows with everything combined in memory."""

from __future__ import annotations

import gc

import pytest
import test_columnar_page
from builders import build_events
from pagetools import make_page, metric
from test_app_areas import GAO, KIDAL
from test_columnar_page import ENGINES, seen, use_engine

from conflictmap import areas, catalog
from conflictmap.app import cache
from conflictmap.filters import FilterSpec
from conflictmap.pageviews import ColumnarViews, MemoryViews, views_for_files
from conflictmap.pageviews.files import EventTable
from conflictmap.readers import read_events
from conflictmap.store import open_store

# The fixtures of the page's comparisons: the same small file, and no store unless a test makes one.
events_csv, no_store = test_columnar_page.events_csv, test_columnar_page.no_store


def extra_rows(prefix: str) -> list[dict]:
    """Three events of their own ids: one in Gao without a region (it gets one from its point), one the same
    day as an event of the file."""
    return [
        {"event_id": f"{prefix}-1", "event_date": "2023-02-10", "admin1": "Gao", "latitude": GAO[0]},
        {"event_id": f"{prefix}-2", "event_date": "2023-08-10", "admin1": "", "latitude": GAO[0]},
        {
            "event_id": f"{prefix}-3",
            "event_date": "2023-11-02",
            "event_type": "Violence against civilians",
            "sub_event_type": "Attack",
            "admin1": "Kidal",
            "latitude": KIDAL[0],
            "longitude": KIDAL[1],
            "fatalities": 4,
        },
    ]


def extra_csv(prefix: str) -> bytes:
    rows = ({"time_precision": 1, "fatalities": 1, "longitude": GAO[1]} | r for r in extra_rows(prefix))
    return build_events(*rows).drop(columns="geometry").to_csv(index=False).encode()


@pytest.fixture
def combined(monkeypatch):
    """How many tables each ``catalog.combine`` put together while the page ran."""
    calls: list[int] = []
    real = catalog.combine

    def counted(tables):
        calls.append(len(tables))
        return real(tables)

    monkeypatch.setattr(catalog, "combine", counted)
    return calls


@pytest.mark.parametrize(
    "query", [{}, {"view": "areas", "from": "2023-07-01", "to": "2023-12-31"}], ids=["all", "areas"]
)
def test_a_file_and_an_upload_answer_the_same_on_every_engine(monkeypatch, events_csv, combined, query):
    shown = {}
    for engine, setting in ENGINES.items():
        use_engine(monkeypatch, setting)
        combined.clear()
        at = make_page(monkeypatch, data=events_csv, query=query).run()
        at.file_uploader(key="uploader").upload("mine.csv", extra_csv("UP"), "text/csv").run()
        assert not at.exception, (engine, at.exception)
        assert at.session_state["f_sources"] == ["events.csv", "upload:mine.csv"]
        # Memory combines the file and the upload; DuckDB reads the file's cache and the upload's copy.
        assert (2 in combined) == (engine == "memory"), combined
        at.session_state["selected_event"] = "UP-3"
        at.run()
        shown[engine] = seen(at)
        catalog.cache_path(events_csv).unlink(missing_ok=True)
    assert shown["columnar"] == shown["memory"]
    assert not shown["memory"]["errors"]
    if not query:
        assert shown["memory"]["metrics"]["Events"][0] == "15"


@pytest.fixture(params=["geopackage", "postgis"])
def store_path(request, monkeypatch, tmp_path):
    """A store of each backend holding three events of its own (a folder for more files to import)."""
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "events.gpkg"))
    url = None
    if request.param == "postgis":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.new_database()
        monkeypatch.setenv("CONFLICTMAP_DB", url)
    source = tmp_path / "stored.csv"
    source.write_bytes(extra_csv("ST"))
    with open_store() as store:
        store.import_file(source)
    cache.forget_store_state()
    yield tmp_path
    if url is not None:
        cluster.drop_database(url)


def test_a_file_and_the_store_answer_the_same_and_follow_the_store(monkeypatch, events_csv, store_path, combined):
    shown = {}
    for engine, setting in ENGINES.items():
        use_engine(monkeypatch, setting)
        combined.clear()
        at = make_page(monkeypatch, data=events_csv, query={"src": ["events.csv", "store"]})
        at.session_state["selected_event"] = "ST-3"
        at.run()
        assert not at.exception, (engine, at.exception)
        assert (2 in combined) == (engine == "memory"), combined
        shown[engine] = seen(at)
        # The selected event is the store's: its history is offered on both engines.
        assert any(e.label.startswith("Change history") for e in at.expander), engine
    assert shown["columnar"] == shown["memory"]
    assert shown["columnar"]["metrics"]["Events"][0] == "15"

    # A change to the store gives it a new change token: the next run reads a new copy of it.
    more = store_path / "more.csv"
    more.write_bytes(extra_csv("MORE"))
    with open_store() as store:
        store.import_file(more)
    cache.forget_store_state()
    at.run()
    assert not at.exception
    assert metric(at, "Events") == "18"


def test_views_for_files_answers_over_a_table_beside_the_file_and_drops_its_copy(events_csv, tmp_path):
    regions = areas.load_boundaries("admin1")
    upload = tmp_path / "mine.csv"
    upload.write_bytes(extra_csv("UP"))
    table, _ = read_events(upload)
    reads: list[int] = []

    def read_table():
        reads.append(1)
        return table

    given = [EventTable(read_table, 10), events_csv]
    columnar, reports = views_for_files(given, cache_dir=tmp_path, columnar_min_bytes=0, regions=regions)
    memory, _ = views_for_files(given, cache_dir=tmp_path, columnar_min_bytes=1 << 40, regions=regions)
    assert isinstance(columnar, ColumnarViews) and isinstance(memory, MemoryViews)
    assert reports[0] is None and reports[1].rows_loaded == 12 and len(reads) == 2
    copy = columnar.paths[0]
    assert copy.is_file() and copy.parent != tmp_path
    try:
        # One event of each has no region in its file and gets it from its point.
        assert columnar.store.derived == 2
        for spec in [FilterSpec(), FilterSpec(admin1=["Gao"]), FilterSpec(date_from="2023-08-10")]:
            assert columnar.filter_counts(spec) == memory.filter_counts(spec)
            # The table's events come first, as they were given.
            names = ["event_id", "admin1", "fatalities"]
            ours, theirs = columnar.columns(spec, names), memory.columns(spec, names)
            assert ours.astype(object).to_dict("list") == theirs.astype(object).to_dict("list")
            assert columnar.table(spec, 50, None).equals(memory.table(spec, 50, None))
    finally:
        columnar.close()
    # The copy goes with the views.
    del columnar
    gc.collect()
    assert not copy.parent.exists()

"""The page on the columnar engine: with ``CONFLICTMAP_COLUMNAR_MIN_MB=0`` an event file is answered by DuckDB over
its GeoParquet cache, and every panel shows what the page shows with the events in memory."""

from __future__ import annotations

import pytest
from builders import build_events
from pagetools import event_ids, folium_args, make_page, metric, plain
from test_app_areas import GAO, ROWS, area_features, playback_data

from conflictmap import areas, catalog, suspect
from conflictmap.app.cache import SUSPECT_CHECKED
from conflictmap.filters import FilterSpec
from conflictmap.pageviews import ColumnarViews, MemoryViews, views_for_file, views_for_files
from conflictmap.pageviews import columnar as columnar_module
from conflictmap.readers import read_events

ENGINES = {"memory": None, "columnar": "0"}
# The views and filters looked at on each engine: the map's drawings, a region (one event's derived from its
# point), dates with the period before, a type.
LOOKS = [
    {},
    {"area": "Mopti"},
    {"view": "areas", "from": "2023-07-01", "to": "2023-12-31"},
    {"view": "heat"},
    {"view": "playback", "from": "2023-01-01", "to": "2023-12-31"},
    {"view": "density", "type": "Battles"},
]


@pytest.fixture(autouse=True)
def no_store(monkeypatch, tmp_path):
    monkeypatch.delenv("CONFLICTMAP_DB", raising=False)
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "no-store-here.gpkg"))


@pytest.fixture
def events_csv(tmp_path):
    path = tmp_path / "events.csv"
    extra = [
        {"event_date": "2023-09-21", "admin1": "Gao", "latitude": GAO[0], "longitude": GAO[1], "fatalities": 60_000},
        # Other actors, one of them associated only: the actor filters below keep some events, not all.
        {"event_date": "2022-11-02", "admin1": "Gao", "latitude": GAO[0], "longitude": GAO[1], "actor1": "Dozo militia"}
        | {"actor2": "Civilians (Mali)", "assoc_actor_2": "Fulani Ethnic Militia (Mali)"},
        {"event_date": "2022-12-05", "admin1": "Gao", "latitude": GAO[0], "longitude": GAO[1]}
        | {"actor2": "Islamic State (Sahel)", "event_type": "Battles", "sub_event_type": "Armed clash"},
    ]
    rows = ({"time_precision": 1, "fatalities": 1} | r for r in [*ROWS, *extra])
    build_events(*rows).drop(columns="geometry").to_csv(path, index=False)
    return path


def use_engine(monkeypatch, setting: str | None) -> None:
    """``CONFLICTMAP_COLUMNAR_MIN_MB`` as ``ENGINES`` gives it (``None``: the default)."""
    if setting is None:
        monkeypatch.delenv("CONFLICTMAP_COLUMNAR_MIN_MB", raising=False)
    else:
        monkeypatch.setenv("CONFLICTMAP_COLUMNAR_MIN_MB", setting)


def seen(at) -> dict:
    """What the page shows that every engine must show alike."""
    args = folium_args(at)
    out = {
        "errors": [e.value for e in at.error],
        "metrics": {m.label: (m.value, m.delta) for m in at.metric},
        "captions": sorted(plain(c.value) for c in [*at.caption, *at.sidebar.caption]),
        "tables": [d.value.to_dict("list") for d in at.dataframe],
    }
    if args:
        script = args[0]["feature_group"] or ""
        out["areas"] = area_features({"feature_group": script})
        out["heat"] = "L.heatLayer(" in script
        if '"frames"' in args[0]["script"]:
            out["frames"] = [f["n"] for f in playback_data(at)["frames"]]
        else:
            out["ids"] = event_ids(at) if '"fields"' in script else None
    return out


@pytest.mark.parametrize("query", LOOKS, ids=lambda q: ",".join(f"{k}={v}" for k, v in q.items()) or "all")
def test_the_page_answers_the_same_on_every_engine(monkeypatch, events_csv, query):
    shown = {}
    for engine, setting in ENGINES.items():
        use_engine(monkeypatch, setting)
        at = make_page(monkeypatch, data=events_csv, query=query)
        at.session_state["selected_event"] = read_events(events_csv)[0]["event_id"].iloc[5]
        at.run()
        assert not at.exception, (engine, at.exception)
        shown[engine] = seen(at)
        # The columnar engine reads the GeoParquet cache it wrote beside the file; memory writes none this small.
        assert catalog.cache_path(events_csv).exists() == (engine == "columnar")
        catalog.cache_path(events_csv).unlink(missing_ok=True)
    assert shown["columnar"] == shown["memory"]
    assert not shown["memory"]["errors"]


@pytest.mark.parametrize("engine", list(ENGINES))
def test_a_region_chosen_keeps_the_event_placed_in_it_and_shows_the_record(monkeypatch, events_csv, engine):
    if ENGINES[engine] is not None:
        monkeypatch.setenv("CONFLICTMAP_COLUMNAR_MIN_MB", ENGINES[engine])
    at = make_page(monkeypatch, data=events_csv).run()
    assert not at.exception
    assert metric(at, "Events") == "12"
    at.multiselect(key="f_regions").set_value(["Mopti"]).run()
    assert not at.exception
    # Five Mopti events by name, one by its point.
    assert metric(at, "Events") == "6"
    at.session_state["selected_event"] = sorted(event_ids(at))[0]
    at.run()
    record = " ".join(h.proto.body for h in at.html)
    assert "Mopti" in record


def test_columnar_and_memory_views_count_areas_hot_spots_frames_and_columns_alike(events_csv, tmp_path):
    regions = areas.load_boundaries("admin1")
    columnar, _ = views_for_file(events_csv, cache_dir=tmp_path, columnar_min_bytes=0, regions=regions)
    memory, _ = views_for_file(events_csv, cache_dir=tmp_path, columnar_min_bytes=1 << 40, regions=regions)
    assert isinstance(columnar, ColumnarViews) and isinstance(memory, MemoryViews)
    # The one event without a region in its file gets Mopti from its point.
    assert columnar.store.derived == 1
    try:
        specs = [
            FilterSpec(),
            FilterSpec(admin1=["Mopti"]),
            FilterSpec(date_from="2023-07-01", date_to="2023-12-31"),
            FilterSpec(areas=["Gao"]),
        ]
        for spec in specs:
            assert columnar.filter_counts(spec) == memory.filter_counts(spec)
            assert columnar.people_nearby(spec) == memory.people_nearby(spec)
            names = ["event_id", "admin1", "latitude", "fatalities"]
            ours, theirs = columnar.columns(spec, names), memory.columns(spec, names)
            assert ours.astype(object).to_dict("list") == theirs.astype(object).to_dict("list")
            # Areas: the columnar engine counts by name, memory by point; here names and points agree.
            here, there = memory.area_counts(spec, regions, True), columnar.area_counts(spec, regions, True)
            cols = ["key", "events", "fatalities"]
            assert here.now[cols].to_dict("records") == there.now[cols].to_dict("records")
            assert here.previous == there.previous
            # The suspect rows (the impossible toll) from five columns of the cache.
            assert suspect.suspect_rows(columnar.columns(spec, SUSPECT_CHECKED)).to_dict(
                "list"
            ) == suspect.suspect_rows(memory.events(spec)).to_dict("list")
            assert memory.heat_points(spec, 7)[:, 2].sum() == columnar.heat_points(spec, 7)[:, 2].sum()
            assert (
                memory.playback(spec, "month", "window")
                .counts()
                .equals(columnar.playback(spec, "month", "window").counts())
            )
    finally:
        columnar.close()


def test_the_narrow_table_answers_as_the_file_read_in_place(events_csv, tmp_path, monkeypatch):
    # Copied three events at a time: the chunks of days are put together in order.
    monkeypatch.setattr(columnar_module, "NARROW_CHUNK_ROWS", 3)
    regions = areas.load_boundaries("admin1")
    in_place, _ = views_for_file(events_csv, cache_dir=tmp_path, columnar_min_bytes=0, regions=regions)
    narrow = ColumnarViews(in_place.path, regions=regions)
    file_only = ColumnarViews(in_place.path, regions=regions, narrow=False)
    in_place.close()
    narrow.store.narrow_done.wait()
    try:
        assert narrow.store.narrow_error is None and narrow.store._views_table is not None
        copied = narrow.store._db.execute("SELECT event_date, _row FROM narrow_db.events_narrow").fetchall()
        assert copied == sorted(copied) and len(copied) == narrow.size()
        assert file_only.store._views_table is None
        ring = ((-1.0, 15.0), (1.0, 15.0), (1.0, 17.0), (-1.0, 17.0), (-1.0, 15.0))
        for spec in [
            FilterSpec(),
            FilterSpec(admin1=["Mopti"]),
            FilterSpec(date_from="2023-07-01", date_to="2023-12-31", event_types=["Battles"]),
            FilterSpec(polygon=ring),
            FilterSpec(actors=["Dozo militia"]),
            FilterSpec(actors=["Fulani Ethnic Militia (Mali)"]),
            FilterSpec(actors=["Islamic State (Sahel)", "Dozo militia"], event_types=["Battles"]),
            FilterSpec(actors=["A group no event names"]),
        ]:
            assert narrow.filter_counts(spec) == file_only.filter_counts(spec)
            assert narrow.headline(spec) == file_only.headline(spec)
            for ours, theirs in zip(narrow.timeline(spec), file_only.timeline(spec), strict=True):
                assert ours == theirs if isinstance(ours, str) else ours.equals(theirs)
            assert narrow.table(spec, 50, None).equals(file_only.table(spec, 50, None))
            here, there = narrow.area_counts(spec, regions, True), file_only.area_counts(spec, regions, True)
            assert here.now.equals(there.now) and here.previous == there.previous
        kept = {
            a: narrow.headline(FilterSpec(actors=[a]))[0]["events"]["value"]
            for a in ["Dozo militia", "Fulani Ethnic Militia (Mali)"]
        }
        assert kept == {"Dozo militia": 1, "Fulani Ethnic Militia (Mali)": 1}
        assert narrow.headline(FilterSpec(actors=["A group no event names"]))[0]["events"]["value"] == 0
    finally:
        narrow.close()
        file_only.close()


@pytest.mark.parametrize(
    "query", [{}, {"view": "areas", "from": "2023-07-01", "to": "2023-12-31"}], ids=["all", "areas"]
)
def test_two_files_shown_together_answer_the_same_on_every_engine(monkeypatch, events_csv, tmp_path, query):
    folder = tmp_path / "shown"
    folder.mkdir()
    rows = events_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    # The same events in two files of the folder, the first half and the second, their ids kept apart.
    (folder / "a.csv").write_text("".join(rows[:6]), encoding="utf-8")
    (folder / "b.csv").write_text("".join(rows[:1] + rows[6:]), encoding="utf-8")
    shown = {}
    for engine, setting in ENGINES.items():
        use_engine(monkeypatch, setting)
        at = make_page(monkeypatch, data_dir=folder, query={"src": ["a.csv", "b.csv"], **query}).run()
        assert not at.exception, (engine, at.exception)
        shown[engine] = seen(at)
        written = [catalog.cache_path(folder / n).exists() for n in ("a.csv", "b.csv")]
        assert written == [engine == "columnar"] * 2
        for name in ("a.csv", "b.csv"):
            catalog.cache_path(folder / name).unlink(missing_ok=True)
    assert shown["columnar"] == shown["memory"]
    if not query:
        assert shown["memory"]["metrics"]["Events"][0] == str(len(rows) - 1)


def test_views_for_files_answers_over_every_cache_in_their_order(events_csv, tmp_path):
    rows = events_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("".join(rows[:4]), encoding="utf-8")
    second.write_text("".join(rows[:1] + rows[4:]), encoding="utf-8")
    regions = areas.load_boundaries("admin1")
    columnar, reports = views_for_files([second, first], cache_dir=tmp_path, columnar_min_bytes=0, regions=regions)
    memory, _ = views_for_files([second, first], cache_dir=tmp_path, columnar_min_bytes=1 << 40, regions=regions)
    try:
        assert isinstance(columnar, ColumnarViews) and isinstance(memory, MemoryViews)
        assert [r.rows_loaded for r in reports] == [len(rows) - 4, 3]
        assert columnar.size() == memory.size() == len(rows) - 1
        for spec in [FilterSpec(), FilterSpec(admin1=["Mopti"]), FilterSpec(date_from="2023-07-01")]:
            assert columnar.filter_counts(spec) == memory.filter_counts(spec)
            # The second file's events come first, as they were given.
            names = ["event_id", "admin1", "fatalities"]
            ours, theirs = columnar.columns(spec, names), memory.columns(spec, names)
            assert ours.astype(object).to_dict("list") == theirs.astype(object).to_dict("list")
    finally:
        columnar.close()

"""The page's views answered by the event store's database, checked against the same views worked out in memory.

Every check compares ``DatabaseViews(store)`` with ``MemoryViews(store.query())`` on
both backends (a GeoPackage file, and PostGIS on a real PostgreSQL the tests start),
and ``ColumnarViews`` (DuckDB) over ``store.query()`` written as GeoParquet with the same
memory views: the seed events, a few thousand synthetic ones, and hand-made edge cases.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conflictmap import schema, synth, viewport
from conflictmap.filters import FilterSpec
from conflictmap.pageviews import DatabaseViews, MapLayer, MemoryViews
from conflictmap.pageviews.columnar import ColumnarViews
from conflictmap.pageviews.database import WORKERS
from conflictmap.store import EventStore, GeoPackageStore
from conflictmap.store.postgis import PostGISStore

#: Stores with a database of their own.
STORES = ("geopackage", "postgis")
#: Whatever answers the views: the stores, and DuckDB over the GeoParquet of a GeoPackage store's events.
BACKENDS = (*STORES, "duckdb")
SEED_FILE = Path(__file__).resolve().parents[1] / "data" / "seed_events.csv"
BUDGET = viewport.POINTS_BUDGET
GAO = (16.2717, -0.0447)


class Places:
    """Opens empty stores of either backend in fresh places, and removes them afterwards."""

    def __init__(self, request: pytest.FixtureRequest, tmp: Callable[[], Path]) -> None:
        self.request = request
        self.tmp = tmp
        self.opened: list[tuple[EventStore, str | None]] = []
        self.columnar: set[int] = set()

    def open(self, backend: str) -> EventStore:
        if backend in ("geopackage", "duckdb"):
            store: EventStore = GeoPackageStore(self.tmp() / "events.gpkg")
            self.opened.append((store, None))
            if backend == "duckdb":
                self.columnar.add(id(store))
            return store
        cluster = self.request.getfixturevalue("pg_cluster")
        url = cluster.new_database()
        store = PostGISStore(url)
        self.opened.append((store, url))
        return store

    def pair(self, store: EventStore) -> Pair:
        """Both views of a store's events; DuckDB's over a GeoParquet file of them when opened as ``duckdb``."""
        if id(store) not in self.columnar:
            return pair_of(store)
        events = store.query()
        path = self.tmp() / "events.parquet"
        events.to_parquet(path, index=False, row_group_size=1000)
        views = ColumnarViews(path)
        # The answers compared are the narrow table's (``test_columnar_page`` compares the file's too).
        views.store.narrow_done.wait()
        assert views.store.narrow_error is None
        return Pair(store, views, MemoryViews(events))

    def close(self) -> None:
        for store, url in self.opened:
            store.close()
            if url is not None:
                self.request.getfixturevalue("pg_cluster").drop_database(url)


@pytest.fixture
def places(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Places]:
    opened = Places(request, lambda: tmp_path_factory.mktemp("store"))
    yield opened
    opened.close()


@dataclasses.dataclass
class Pair:
    """A store with both views of it: answered by its database, and worked out from ``store.query()``."""

    store: EventStore
    db: DatabaseViews | ColumnarViews
    mem: MemoryViews

    def refresh(self) -> None:
        """Read the store again for the memory side, after it changed."""
        self.mem = MemoryViews(self.store.query())


def pair_of(store: EventStore) -> Pair:
    return Pair(store, DatabaseViews(store), MemoryViews(store.query()))


def _module_pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, events: pd.DataFrame
) -> Iterator[Pair]:
    opened = Places(request, lambda: tmp_path_factory.mktemp("store"))
    store = opened.open(request.param)
    store.import_events(events, source="test events")
    pair = opened.pair(store)
    yield pair
    pair.db.close()
    opened.close()


@pytest.fixture(scope="module", params=BACKENDS)
def synthetic(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """3,000 synthetic events (more than the map's budget) in a store of each backend."""
    yield from _module_pair(request, tmp_path_factory, synth.synth_events(3000, seed=11))


def _stacked_events() -> pd.DataFrame:
    """2,600 events at one town over eight days (many on each day), and 300 spread around it."""
    n, spread = 2600, 300
    rng = np.random.default_rng(5)
    days = pd.Timestamp("2024-03-01") + pd.to_timedelta(np.arange(n + spread) % 8, unit="D")
    lat = np.r_[np.full(n, GAO[0]), GAO[0] + rng.uniform(-0.4, 0.4, spread)]
    lon = np.r_[np.full(n, GAO[1]), GAO[1] + rng.uniform(-0.4, 0.4, spread)]
    frame = pd.DataFrame(
        {
            "event_id": [f"STACK-{i:05d}" for i in rng.permutation(n + spread)],
            "dataset": "stacked",
            "event_date": days,
            "event_type": np.array(schema.EVENT_TYPES)[np.arange(n + spread) % 6],
            "actor1": "JNIM",
            "fatalities": np.arange(n + spread) % 3,
            "country": "Mali",
            "admin1": "Gao",
            "location": "Gao",
            "latitude": lat,
            "longitude": lon,
            "notes": "Invented event at one town.",
        }
    )
    return schema.to_canonical(frame)


@pytest.fixture(scope="module", params=BACKENDS)
def stacked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """More events than the map's budget at one place, with many on each day."""
    yield from _module_pair(request, tmp_path_factory, _stacked_events())


# -- comparing the two views ------------------------------------------------------------------------------


def plain(events: pd.DataFrame) -> list[tuple]:
    """Events as comparable tuples of their canonical values, in their order."""
    frame = pd.DataFrame(events[list(schema.COLUMNS)])
    frame = frame.astype(object).where(frame.notna(), None)
    return [tuple(r) for r in frame.itertuples(index=False)]


def assert_same_tuple_of_frames(ours: tuple, theirs: tuple) -> None:
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b)
        else:
            assert a == b


def assert_same_choices(pair: Pair) -> None:
    ours, theirs = pair.db.choices(), pair.mem.choices()
    assert ours.keys() == theirs.keys()
    pd.testing.assert_frame_equal(ours.pop("actors"), theirs.pop("actors"))
    assert ours == theirs
    assert pair.db.size() == pair.mem.size()


def assert_same_views(pair: Pair, spec: FilterSpec, *, limit: int = 25) -> None:
    """Every view but the map gives the same answer from the database as in memory."""
    db, mem = pair.db, pair.mem
    assert db.filter_counts(spec) == mem.filter_counts(spec)
    assert db.headline(spec) == mem.headline(spec)
    assert_same_tuple_of_frames(db.timeline(spec), mem.timeline(spec))
    assert_same_tuple_of_frames(db.actor_activity(spec, 12), mem.actor_activity(spec, 12))
    pd.testing.assert_frame_equal(db.table(spec, limit, None), mem.table(spec, limit, None))
    assert db.title(spec) == mem.title(spec)
    assert plain(db.events(spec)) == plain(mem.events(spec))


def assert_same_cells(ours: pd.DataFrame | None, theirs: pd.DataFrame | None) -> None:
    if theirs is None:
        assert ours is None
        return
    # Mean positions are sums divided in another order: equal to the 5th decimal they are rounded to.
    pd.testing.assert_frame_equal(ours.drop(columns=["lat", "lon"]), theirs.drop(columns=["lat", "lon"]))
    np.testing.assert_allclose(ours[["lat", "lon"]], theirs[["lat", "lon"]], rtol=0, atol=1.5e-5)


def assert_same_layer(
    pair: Pair,
    spec: FilterSpec,
    mode: str,
    view: viewport.Viewport | None,
    previous: viewport.Viewport | None = None,
) -> tuple[MapLayer, MapLayer]:
    """The map layer from the database draws what the memory one draws, receiving only the events drawn."""
    ours, theirs = pair.db.map_layer(spec, mode, view, previous), pair.mem.map_layer(spec, mode, view, previous)
    a, b = ours.plan, theirs.plan
    assert (a.drawing, a.step, a.extent, a.zoom, a.total, a.considered, a.limited) == (
        b.drawing,
        b.step,
        b.extent,
        b.zoom,
        b.total,
        b.considered,
        b.limited,
    )
    assert_same_cells(a.cells, b.cells)
    assert (ours.type_counts, ours.dataset_counts, ours.bounds) == (
        theirs.type_counts,
        theirs.dataset_counts,
        theirs.bounds,
    )
    assert list(ours.rows.columns) == list(theirs.rows.columns)
    if a.aggregated:
        assert a.positions is None and len(ours.rows) == 0
        return ours, theirs
    # Only the events drawn leave the database, in the store's order.
    assert len(ours.rows) == len(a.positions) == len(b.positions) <= BUDGET
    assert np.array_equal(a.positions, np.arange(len(ours.rows)))
    drawn = ours.rows.iloc[a.positions]
    if a.limited:
        assert_same_latest(drawn, theirs.rows.iloc[b.positions])
    else:
        assert plain(drawn) == plain(theirs.rows.iloc[b.positions])
    return ours, theirs


def assert_same_latest(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    """The most recent events drawn: the same days; on the oldest day drawn, the highest ids from the database."""
    assert sorted(ours["event_date"]) == sorted(theirs["event_date"])
    cutoff = ours["event_date"].min()
    newer = ours["event_date"] > cutoff
    assert set(ours.loc[newer, "event_id"]) == set(theirs.loc[theirs["event_date"] > cutoff, "event_id"])
    assert (ours["event_date"].diff().dropna() >= pd.Timedelta(0)).all()


# -- the seed events ----------------------------------------------------------------------------------------

SEED_SPECS = [
    FilterSpec(),
    FilterSpec(date_from=date(2023, 9, 1), date_to=date(2023, 9, 30)),
    FilterSpec(event_types=["Strategic developments"], admin1=["Bamako", "Koulikoro"]),
    FilterSpec(actors=["mali_armed_forces"]),
    FilterSpec(text="bamako"),
    FilterSpec(datasets=["nothing-by-this-name"]),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_seed_events_give_the_same_views(places: Places, backend: str) -> None:
    store = places.open(backend)
    store.import_file(SEED_FILE)
    pair = places.pair(store)
    assert pair.db.size() == 5
    assert_same_choices(pair)
    for spec in SEED_SPECS:
        assert_same_views(pair, spec)
        for mode in viewport.MODES:
            assert_same_layer(pair, spec, mode, None)
            assert_same_layer(pair, spec, mode, viewport.Viewport(12.0, -9.0, 13.5, -7.0, 9))
    for event_id in [*store.query()["event_id"], "NO-SUCH-EVENT"]:
        ours, theirs = pair.db.event(event_id), pair.mem.event(event_id)
        if theirs is None:
            assert ours is None
        else:
            pd.testing.assert_series_equal(ours, theirs, check_names=False)
    assert pair.db.event(None) is None


# -- thousands of synthetic events ---------------------------------------------------------------------------

SYNTH_SPECS = {
    "all": FilterSpec(),
    "dates, a type and a region": FilterSpec(
        date_from=date(2019, 1, 1), date_to=date(2021, 6, 30), event_types=["Battles"], admin1=["Mopti"]
    ),
    "a coalition and its members": FilterSpec(actors=["jnim"]),
    "an alias": FilterSpec(actors=["FAMa"], date_from=date(2022, 1, 1)),
    "text": FilterSpec(text="gao"),
    "sub-types, fatalities and precision": FilterSpec(
        sub_event_types=["Armed clash", "Attack"], min_fatalities=2, max_geo_precision=1
    ),
    "one day": FilterSpec(date_from=date(2023, 5, 17), date_to=date(2023, 5, 17)),
    "from a day on": FilterSpec(date_from=date(2024, 6, 1)),
    "a box": FilterSpec(bbox=(-5.0, 13.0, 0.0, 17.5), datasets=["synthetic"]),
    # Concave (a box would take more): central Mali to the Niger bend.
    "a polygon": FilterSpec(polygon=[(-5.0, 13.0), (0.5, 15.5), (-1.0, 16.8), (-3.0, 14.9), (-4.6, 16.0)]),
    "nothing": FilterSpec(date_from=date(2001, 1, 1), date_to=date(2001, 12, 31)),
}


def test_synthetic_choices_are_the_same(synthetic: Pair) -> None:
    assert synthetic.db.size() == 3000
    assert_same_choices(synthetic)


@pytest.mark.parametrize("name", list(SYNTH_SPECS))
def test_synthetic_views_are_the_same(synthetic: Pair, name: str) -> None:
    assert_same_views(synthetic, SYNTH_SPECS[name], limit=40)


VIEWS = {
    "none yet": None,
    "Mali": viewport.Viewport(9.0, -13.0, 26.0, 5.0, 5),
    "central Mali": viewport.Viewport(13.5, -5.5, 15.5, -2.5, 8),
    "around Gao": viewport.Viewport(16.0, -0.4, 16.5, 0.3, 10),
    "a street of Gao": viewport.Viewport(16.27, -0.05, 16.275, -0.04, 15),
    "out at sea": viewport.Viewport(-10.0, -30.0, -5.0, -25.0, 7),
}


@pytest.mark.parametrize("name", ["all", "dates, a type and a region", "a box", "nothing"])
def test_synthetic_columns_hot_spots_frames_and_people_are_the_same(synthetic: Pair, name: str) -> None:
    """What the suspect rows, the places learned, the Heat and Play drawings and the headline's people read."""
    spec, db, mem = SYNTH_SPECS[name], synthetic.db, synthetic.mem
    names = ["event_id", "admin1", "latitude", "longitude", "fatalities", "country"]
    ours, theirs = db.columns(spec, names), mem.columns(spec, names)
    assert list(ours.columns) == list(theirs.columns) == names
    assert plain_rows(ours) == plain_rows(theirs)
    assert db.people_nearby(spec) == mem.people_nearby(spec)
    for zoom in (5, 9):
        ours_heat, theirs_heat = db.heat_points(spec, zoom), mem.heat_points(spec, zoom)
        assert ours_heat[:, 2].sum() == theirs_heat[:, 2].sum()
        assert len(ours_heat) == len(theirs_heat)
    frames = db.playback(spec, "month", "window"), mem.playback(spec, "month", "window")
    pd.testing.assert_frame_equal(frames[0].counts(), frames[1].counts())


def plain_rows(frame: pd.DataFrame) -> list[tuple]:
    """Rows of any columns as comparable tuples."""
    return [tuple(r) for r in frame.astype(object).where(frame.notna(), None).itertuples(index=False)]


@pytest.mark.parametrize("mode", viewport.MODES)
@pytest.mark.parametrize("spec_name", ["all", "dates, a type and a region", "a box", "a polygon", "nothing"])
def test_synthetic_map_layers_are_the_same(synthetic: Pair, mode: str, spec_name: str) -> None:
    for view in VIEWS.values():
        assert_same_layer(synthetic, SYNTH_SPECS[spec_name], mode, view)
    if isinstance(synthetic.db, DatabaseViews):
        # Before any view: with the filter controls' choices read (their box guesses the zoom) and without.
        synthetic.db._choices_kept = None
        assert_same_layer(synthetic, SYNTH_SPECS[spec_name], mode, None)
        synthetic.db.choices()
        assert_same_layer(synthetic, SYNTH_SPECS[spec_name], mode, None)


@pytest.mark.parametrize("mode", ["auto", "density"])
def test_the_extent_sent_is_kept_while_the_view_stays_inside(synthetic: Pair, mode: str) -> None:
    spec = SYNTH_SPECS["all"]
    first, _ = assert_same_layer(synthetic, spec, mode, VIEWS["central Mali"])
    extent = first.plan.extent
    assert extent is not None
    panned = viewport.Viewport(13.6, -5.3, 15.6, -2.3, 8)
    assert extent.contains(panned)
    kept, _ = assert_same_layer(synthetic, spec, mode, panned, extent)
    assert kept.plan.extent == extent
    # At another zoom the extent is made afresh.
    closer = dataclasses.replace(panned, zoom=9)
    fresh, _ = assert_same_layer(synthetic, spec, mode, closer, extent)
    assert fresh.plan.extent != extent


def test_a_box_in_the_filter_and_the_view_both_apply(synthetic: Pair) -> None:
    spec = FilterSpec(bbox=(-4.5, 14.0, -3.5, 15.0))
    view = viewport.Viewport(13.8, -4.2, 14.6, -3.0, 9)
    for mode in viewport.MODES:
        ours, _ = assert_same_layer(synthetic, spec, mode, view)
        rows = ours.rows
        if len(rows):
            assert rows["longitude"].between(-4.5, -3.5).all() and rows["latitude"].between(14.0, 15.0).all()
    # A filter box away from the view leaves nothing around it (the density grid always counts around the view).
    far = FilterSpec(bbox=(-0.5, 15.8, 0.5, 16.8))
    ours, _ = assert_same_layer(synthetic, far, "density", view)
    assert ours.plan.considered == 0 and ours.plan.total > 0 and ours.plan.cells.empty


def test_the_database_sends_only_what_is_shown(synthetic: Pair) -> None:
    db, store = synthetic.db, synthetic.store
    assert store.count() == 3000 > BUDGET
    wide = db.map_layer(FilterSpec(), "auto", VIEWS["Mali"], None)
    assert wide.plan.drawing == "cells" and len(wide.rows) == 0
    assert int(wide.plan.cells["events"].sum()) == 3000
    near = db.map_layer(FilterSpec(), "points", VIEWS["around Gao"], None)
    assert near.plan.drawing == "points"
    assert 0 < len(near.rows) == near.plan.considered < 3000
    assert near.rows["latitude"].between(near.plan.extent.south, near.plan.extent.north).all()
    table = db.table(FilterSpec(), 10, None)
    assert len(table) == 10
    assert list(table["Date"]) == sorted(table["Date"], reverse=True)


# -- most recent events when zoomed in on more than the budget -------------------------------------------------


@pytest.mark.parametrize("mode", viewport.MODES)
def test_zoomed_in_on_more_than_the_budget_draws_the_most_recent(stacked: Pair, mode: str) -> None:
    town = viewport.Viewport(GAO[0] - 0.01, GAO[1] - 0.01, GAO[0] + 0.01, GAO[1] + 0.01, viewport.STACK_ZOOM + 1)
    ours, _ = assert_same_layer(stacked, FilterSpec(), mode, town)
    if mode == "density":
        assert ours.plan.drawing == "grid"
        return
    assert ours.plan.limited and len(ours.rows) == BUDGET < ours.plan.considered
    # On the oldest day drawn, the events with the highest ids are taken.
    cutoff = ours.rows["event_date"].min()
    extent = ours.plan.extent
    around = (extent.west, extent.south, extent.east, extent.north)
    on_cutoff = stacked.store.query(FilterSpec(date_from=cutoff.date(), date_to=cutoff.date(), bbox=around))
    taken = set(ours.rows.loc[ours.rows["event_date"] == cutoff, "event_id"])
    left = set(on_cutoff["event_id"]) - taken
    assert taken and left and min(taken) > max(left)
    # One zoom level out, the same events are counted per cell instead.
    wider = dataclasses.replace(town, zoom=viewport.STACK_ZOOM - 1)
    out, _ = assert_same_layer(stacked, FilterSpec(), mode, wider)
    assert out.plan.drawing == "cells" and not out.plan.limited


def test_stacked_events_give_the_same_views(stacked: Pair) -> None:
    assert_same_choices(stacked)
    for spec in (FilterSpec(), FilterSpec(date_from=date(2024, 3, 3), date_to=date(2024, 3, 5))):
        assert_same_views(stacked, spec, limit=30)


# -- hand-made edge cases --------------------------------------------------------------------------------------

NOTE = "He said \"100% sure\" about it_was O'Neil's convoy."


@pytest.fixture(params=BACKENDS)
def edges(places: Places, request: pytest.FixtureRequest, make_events: Callable[..., pd.DataFrame]) -> Pair:
    """Events with missing places, quotes and wildcards in their text, aliases, coalitions, spellings, countries."""
    events = make_events(
        {"event_date": "2023-09-01", "actor1": "FAMa", "actor2": "JNIM", "fatalities": 3},
        {"event_date": "2023-09-02", "admin1": None, "location": None, "latitude": 15.00001, "longitude": -2.00001},
        {"event_date": "2023-09-02", "admin1": None, "location": None, "latitude": 15.00003, "longitude": -2.00002},
        {"event_date": "2023-09-03", "location": None, "latitude": 15.5, "longitude": -2.5, "notes": NOTE},
        {
            "event_date": "2023-09-04",
            "actor1": "Katiba Macina",
            "assoc_actor_1": "Ansar Dine; Al Mourabitoune",
            "actor2": "Civilians (Mali)",
            "event_type": "Violence against civilians",
            "sub_event_type": "Attack",
        },
        {"event_date": "2023-09-05", "actor1": "CSP-PSD", "actor2": "Military Forces of Mali (2021-)"},
        {"event_date": "2023-09-06", "actor1": "Zorro Brigade", "dataset": "second", "country": "Niger"},
        {"event_date": "2023-09-06", "actor1": "ZORRO brigade", "dataset": "third", "country": "Niger"},
        {"event_date": "2023-08-25", "date_end": "2023-09-02", "location": "Léré", "fatalities": 12},
        {"event_date": "2023-09-07", "country": "Burkina Faso", "admin1": "Sahel", "location": "Djibo"},
        {"event_date": "2023-09-07", "location": "To be deleted"},
        {"event_date": "2023-09-08", "location": "To go missing", "dataset": "fourth"},
    )
    store = places.open(request.param)
    store.import_events(events, source="edge events", full=False)
    store.delete_event("TEST-00010")
    # A full import of dataset "fourth" that lacks TEST-00011 flags it missing: it is still shown.
    again = make_events({"event_id": "TEST-00099", "event_date": "2023-09-08", "location": "Replacing"})
    store.import_events(again.assign(dataset=pd.Categorical(["fourth"])), source="fourth again", full=True)
    return places.pair(store)


#: Corners on two events' points; the edge between them passes 1e-5 degree from a third event's point.
EDGE_TRIANGLE = "-2.5,15.5;-2.00001,15.00001;-3,15"
#: An event's point in the middle of the bottom edge.
EDGE_SQUARE = "-3,15.5;-2,15.5;-2,16;-3,16"

EDGE_SPECS = [
    FilterSpec(),
    FilterSpec(text='"100%'),
    FilterSpec(text="%"),
    FilterSpec(text="_"),
    FilterSpec(text="o'neil"),
    FilterSpec(text="lere"),
    FilterSpec(actors=["jnim"]),
    FilterSpec(actors=["cma"]),
    FilterSpec(actors=["Zorro Brigade"]),
    FilterSpec(datasets=["second"]),
    FilterSpec(date_from=date(2023, 9, 1), date_to=date(2023, 9, 3)),
    FilterSpec(date_from=date(2023, 9, 6)),
    FilterSpec(admin1=["Mopti"], event_types=["Battles"]),
    FilterSpec(min_fatalities=10_000),
    # Points on a polygon's corners and on an edge are inside; one 1e-5 degree beyond an edge is not.
    FilterSpec(polygon=EDGE_TRIANGLE),
    FilterSpec(polygon=EDGE_SQUARE, date_from=date(2023, 9, 2)),
]


def test_edge_cases_give_the_same_views(edges: Pair) -> None:
    stats = edges.store.stats()
    assert (stats["deleted"], stats["missing"]) == (1, 1)
    shown = set(edges.db.events(FilterSpec())["event_id"])
    assert "TEST-00010" not in shown and "TEST-00011" in shown
    assert_same_choices(edges)
    for spec in EDGE_SPECS:
        assert_same_views(edges, spec, limit=3)
        for mode in ("auto", "density"):
            assert_same_layer(edges, spec, mode, None)


def test_a_polygon_keeps_the_points_on_its_edges(edges: Pair) -> None:
    for pair_side in (edges.db, edges.mem):
        assert pair_side.filter_counts(FilterSpec(polygon=EDGE_TRIANGLE))["all"] == 2
        assert pair_side.filter_counts(FilterSpec(polygon=EDGE_SQUARE))["all"] == 1


def test_text_search_takes_quotes_and_wildcards_literally(edges: Pair) -> None:
    assert edges.db.filter_counts(FilterSpec(text='"100%'))["all"] == 1
    assert edges.db.filter_counts(FilterSpec(text="it_was"))["all"] == 1
    assert edges.db.filter_counts(FilterSpec(text="100%%"))["all"] == 0


def test_places_without_a_name_count_by_their_rounded_position(edges: Pair) -> None:
    spec = FilterSpec(date_from=date(2023, 9, 2), date_to=date(2023, 9, 3))
    figures, before = edges.db.headline(spec)
    assert before == (date(2023, 8, 31), date(2023, 9, 1))
    # Two events 2-3 m apart are one place; the third unnamed one is another; Léré (until 2 Sep) a named one.
    assert figures["locations"]["value"] == 3
    assert figures == edges.mem.headline(spec)[0]


def test_an_actor_missing_from_the_alias_table_keeps_its_first_spelling(edges: Pair) -> None:
    # The filter keeps only the "Zorro Brigade" spelling; memory names the actor after the table's first one.
    spec = FilterSpec(datasets=["second"])
    _, ours, _ = edges.db.actor_activity(spec, 5)
    _, theirs, _ = edges.mem.actor_activity(spec, 5)
    pd.testing.assert_frame_equal(ours, theirs)
    assert "ZORRO brigade" in set(ours["display_name"])


def test_the_title_names_countries_tied_on_events_in_order_of_appearance(edges: Pair) -> None:
    # Niger twice; Mali (5 Sep) and Burkina Faso (7 Sep) once each.
    spec = FilterSpec(date_from=date(2023, 9, 5), date_to=date(2023, 9, 7))
    assert edges.db.title(spec) == edges.mem.title(spec) == "Conflict events in Niger, Mali and Burkina Faso"


def test_the_table_keeps_the_selected_event_and_missing_ones_show(edges: Pair) -> None:
    oldest = "TEST-00008"
    for spec, selected in (
        (FilterSpec(), oldest),
        (FilterSpec(), "TEST-00010"),
        (FilterSpec(datasets=["second"]), oldest),
    ):
        ours, theirs = edges.db.table(spec, 2, selected), edges.mem.table(spec, 2, selected)
        pd.testing.assert_frame_equal(ours, theirs)
    assert edges.db.table(FilterSpec(), 2, oldest)["ID"].iloc[0] == oldest
    assert edges.db.event("TEST-00010") is None and edges.mem.event("TEST-00010") is None
    pd.testing.assert_series_equal(edges.db.event("TEST-00011"), edges.mem.event("TEST-00011"), check_names=False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_empty_store_gives_the_same_views(places: Places, backend: str) -> None:
    pair = places.pair(places.open(backend))
    assert pair.db.size() == 0
    assert_same_choices(pair)
    assert pair.db.choices()["span"] is None
    for spec in (FilterSpec(), FilterSpec(date_from=date(2024, 1, 1), date_to=date(2024, 1, 31))):
        assert_same_views(pair, spec)
        for mode in viewport.MODES:
            for view in (None, VIEWS["Mali"]):
                assert_same_layer(pair, spec, mode, view)
    assert pair.db.event("ANY") is None


def test_an_unknown_map_mode_is_refused(synthetic: Pair) -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        synthetic.db.map_layer(FilterSpec(), "heatmap", None, None)


def test_views_follow_the_store_when_it_changes(places: Places, make_events: Callable[..., pd.DataFrame]) -> None:
    store = places.open("geopackage")
    store.import_events(make_events({"event_date": "2023-09-01"}, {"event_date": "2023-09-02"}), source="two")
    pair = pair_of(store)
    assert pair.db.size() == 2
    store.delete_event("TEST-00001")
    pair.refresh()
    assert pair.db.size() == pair.mem.size() == 1
    assert_same_views(pair, FilterSpec())


@pytest.mark.parametrize("backend", STORES)
def test_filter_choices_follow_imports_edits_and_deletions(
    places: Places, backend: str, make_events: Callable[..., pd.DataFrame]
) -> None:
    """The choices are kept between questions, and read again after each kind of write."""
    store = places.open(backend)
    store.import_events(make_events({"event_date": "2023-09-01"}, {"event_date": "2023-09-02"}), source="two")
    pair = pair_of(store)
    first = pair.db.choices()
    assert_same_choices(pair)
    # A caller changing the answer it was given does not change the next one.
    first["datasets"].clear()
    assert_same_choices(pair)
    writes = [
        lambda: store.import_events(
            make_events({"event_id": "TEST-00009", "event_date": "2024-01-05", "dataset": "later"}), source="one"
        ),
        lambda: store.edit_event("TEST-00001", {"event_type": "Riots", "sub_event_type": "Mob violence"}),
        lambda: store.delete_event("TEST-00000"),
    ]
    for write in writes:
        before = {k: v for k, v in pair.db.choices().items() if k != "actors"}
        write()
        pair.refresh()
        assert_same_choices(pair)
        assert {k: v for k, v in pair.db.choices().items() if k != "actors"} != before


# -- the store's summaries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", STORES)
def test_one_reader_sees_one_snapshot(places: Places, backend: str, make_events: Callable[..., pd.DataFrame]) -> None:
    store = places.open(backend)
    store.import_events(make_events({"event_date": "2023-09-01"}, {"event_date": "2023-09-02"}), source="two")
    with store.summaries() as read:
        assert read.count() == 2
        # Another thread deletes an event meanwhile: this reader keeps answering from its snapshot.
        writer = threading.Thread(target=store.delete_event, args=("TEST-00001",))
        writer.start()
        writer.join()
        assert read.count() == 2
        assert len(read.newest(FilterSpec(), 10)) == 2
    with store.summaries() as read:
        assert read.count() == 1
        assert list(read.find_events(["TEST-00000", "TEST-00001"])["event_id"]) == ["TEST-00000"]


@pytest.mark.parametrize("backend", STORES)
def test_summaries_refuse_what_they_cannot_group_by(places: Places, backend: str) -> None:
    store = places.open(backend)
    with store.summaries() as read:
        with pytest.raises(ValueError, match="cannot group events by 'status'"):
            read.group_counts(None, ["status"])
        with pytest.raises(ValueError, match="freq 'Y'"):
            read.group_counts(None, ["event_type"], freq="Y")
        assert read.count_each({}) == {}
        assert read.count_each({"all": None, "none": FilterSpec(min_fatalities=1)}) == {"all": 0, "none": 0}
        assert read.date_range(FilterSpec(text="x")) is None


# -- threads ------------------------------------------------------------------------------------------------------


def _open_connections(pair: Pair, target: str) -> int:
    """Connections the store holds open: sessions in PostgreSQL, or handles on the GeoPackage file."""
    if isinstance(pair.store, PostGISStore):
        with pair.store._transaction(write=False) as tx:
            return int(tx.rows("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")[0][0]) - 1
    fds = Path("/proc/self/fd")
    return sum(1 for fd in os.listdir(fds) if os.path.realpath(fds / fd) == target)


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts open files through /proc")
def test_many_page_threads_share_a_few_connections(synthetic: Pair) -> None:
    target = os.path.realpath(getattr(synthetic.store, "path", ""))
    specs = list(SYNTH_SPECS.values())
    expected = [synthetic.mem.filter_counts(s) for s in specs]
    before = _open_connections(synthetic, target)
    results: dict[int, dict] = {}

    def one_update(i: int) -> None:
        results[i] = synthetic.db.filter_counts(specs[i % len(specs)])

    # Each page update runs on a new thread, as Streamlit runs them.
    for _ in range(3):
        threads = [threading.Thread(target=one_update, args=(i,)) for i in range(len(specs) * 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert all(results[i] == expected[i % len(specs)] for i in results) and len(results) == len(specs) * 2
    assert _open_connections(synthetic, target) <= before + WORKERS

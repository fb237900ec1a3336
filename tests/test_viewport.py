"""What the map sends for a view: every event, the events around the view, or counts per cell."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conflictmap import schema, viewport
from conflictmap.viewport import (
    AUTO_POINTS_MAX,
    POINTS_BUDGET,
    STACK_ZOOM,
    PointArrays,
    Viewport,
    ViewportError,
    aggregate_cells,
    cell_deg,
    extent_for,
    fit_zoom,
    keep_extent,
    plan_layer,
)

MALI_VIEW = Viewport(10.0, -12.5, 25.0, 4.5, 6)


def test_view_from_the_map_state():
    state = {"bounds": {"_southWest": {"lat": 14.1, "lng": -4.5}, "_northEast": {"lat": 15.0, "lng": -3.2}}, "zoom": 9}
    assert Viewport.from_map_state(state) == Viewport(14.1, -4.5, 15.0, -3.2, 9)


@pytest.mark.parametrize(
    "state",
    [
        None,
        {},
        {"bounds": {"_southWest": {"lat": None, "lng": None}, "_northEast": {"lat": None, "lng": None}}, "zoom": 5},
        {"bounds": {"_southWest": {"lat": 1, "lng": 2}}, "zoom": 5},
        {"bounds": {"_southWest": {"lat": 1, "lng": 2}, "_northEast": {"lat": 3, "lng": 4}}, "zoom": "near"},
    ],
)
def test_no_view_before_the_map_reports_one(state):
    assert Viewport.from_map_state(state) is None


def test_a_view_past_the_antimeridian_is_clamped():
    state = {"bounds": {"_southWest": {"lat": -89, "lng": -250}, "_northEast": {"lat": 89, "lng": 250}}, "zoom": 1}
    view = Viewport.from_map_state(state)
    assert (view.west, view.east) == (-180.0, 180.0)
    assert -86 < view.south < -85 and 85 < view.north < 86


@pytest.mark.parametrize(
    "args", [(1, 0, 0, 1, 5), (0, 1, 1, 0, 5), (0, 0, math.nan, 1, 5), (0, 0, 1, 1, -1), (0, 0, 1, 1, 5.5)]
)
def test_bad_views_are_refused(args):
    with pytest.raises(ViewportError):
        Viewport(*args)


def test_cells_halve_with_each_zoom_level():
    assert cell_deg(6) == pytest.approx(cell_deg(5) / 2)
    # 256 px span 360 degrees at zoom 0.
    assert cell_deg(0, 256) == pytest.approx(360)


def _pixels(south: float, west: float, north: float, east: float, zoom: int) -> tuple[float, float]:
    """Width and height of a box in Web Mercator pixels at ``zoom``."""

    def y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    world = 256 * 2**zoom
    return (east - west) / 360 * world, (y(north) - y(south)) / (2 * math.pi) * world


@pytest.mark.parametrize(
    "box, size",
    [
        ((10.0, -12.0, 25.0, 4.0), (900, 600)),
        ((16.0, -3.5, 17.0, -2.5), (900, 600)),
        ((14.0, -4.0, 14.5, -3.0), (400, 600)),
    ],
)
def test_fit_zoom_is_the_largest_zoom_that_fits(box, size):
    zoom = fit_zoom(*box, size)
    width, height = _pixels(*box, zoom)
    assert width <= size[0] and height <= size[1]
    wider, taller = _pixels(*box, zoom + 1)
    assert wider > size[0] or taller > size[1]


def test_extent_widens_the_view_and_snaps_to_cells():
    view = Viewport(14.1, -4.5, 15.0, -3.2, 9)
    extent = extent_for(view)
    step = cell_deg(9)
    assert extent.contains(view)
    assert extent.north - extent.south >= 2 * (view.north - view.south) - 1e-9
    for edge in (extent.south, extent.west, extent.north, extent.east):
        assert edge / step == pytest.approx(round(edge / step))


def test_a_small_pan_keeps_the_extent_a_zoom_does_not():
    view = Viewport(14.1, -4.5, 15.0, -3.2, 9)
    extent = extent_for(view)
    nudged = Viewport(14.15, -4.45, 15.05, -3.15, 9)
    assert keep_extent(extent, nudged)
    assert not keep_extent(extent, Viewport(14.1, -4.5, 15.0, -3.2, 10))
    assert not keep_extent(extent, Viewport(20.0, -4.5, 21.0, -3.2, 9))
    assert not keep_extent(None, view)


# -- cells ---------------------------------------------------------------------------------------------


def test_cells_count_every_event_once(synthetic):
    events = synthetic(5_000)
    points = PointArrays.from_events(events)
    for step in (0.05, 0.5, 2.0):
        cells = aggregate_cells(points, step)
        assert cells["events"].sum() == len(events)
        assert cells["fatalities"].sum() == events["fatalities"].sum()
        for event_type, count in events["event_type"].value_counts().items():
            assert cells[event_type].sum() == count
        assert not cells.duplicated(["lat_min", "lon_min"]).any()
        # The mean position lies inside its cell.
        assert ((cells["lat"] >= cells["lat_min"] - 1e-5) & (cells["lat"] <= cells["lat_max"] + 1e-5)).all()


def test_cells_agree_with_the_export_grid(synthetic):
    from conflictmap.grid import aggregate_grid

    events = synthetic(2_000)
    ours = aggregate_cells(PointArrays.from_events(events), 0.25)
    theirs = aggregate_grid(events, 0.25)
    columns = ["lat_min", "lon_min", "events", "fatalities", *schema.EVENT_TYPES]
    assert ours[columns].reset_index(drop=True).equals(theirs[columns].reset_index(drop=True))


def test_cells_place_each_event_and_its_mean(make_events):
    events = make_events(
        {"latitude": 14.49, "longitude": -4.19, "fatalities": 3},
        {
            "latitude": 14.41,
            "longitude": -4.01,
            "fatalities": 2,
            "event_type": "Riots",
            "sub_event_type": "Mob violence",
        },
        {"latitude": 13.99, "longitude": -4.19, "fatalities": 7},
    )
    cells = aggregate_cells(PointArrays.from_events(events), 0.5)
    by_cell = {(r.lat_min, r.lon_min): r for r in cells.itertuples()}
    top = by_cell[(14.0, -4.5)]
    assert (top.events, top.fatalities, top.Battles, top.Riots) == (2, 5, 1, 1)
    assert (top.lat, top.lon) == (pytest.approx(14.45), pytest.approx(-4.1))
    assert by_cell[(13.5, -4.5)].events == 1


def test_cells_only_where_asked(synthetic):
    points = PointArrays.from_events(synthetic(3_000))
    where = points.lat > 17
    cells = aggregate_cells(points, 0.5, where)
    assert cells["events"].sum() == int(where.sum())
    assert (cells["lat_max"] > 17).all()


def test_no_cells_for_no_events(make_events):
    cells = aggregate_cells(PointArrays.from_events(make_events({}).iloc[0:0]), 1.0)
    assert len(cells) == 0
    assert "events" in cells.columns


def test_sparse_far_apart_cells_are_counted_too(make_events):
    # Two events half a world apart with tiny cells: the sparse path.
    events = make_events({"latitude": -40.0, "longitude": -170.0}, {"latitude": 60.0, "longitude": 170.0})
    cells = aggregate_cells(PointArrays.from_events(events), 0.001)
    assert list(cells["events"]) == [1, 1]


@pytest.mark.parametrize("bad", [0, -1.0, math.inf, math.nan])
def test_bad_cell_sizes_are_refused(make_events, bad):
    with pytest.raises(ValueError, match="cell size"):
        aggregate_cells(PointArrays.from_events(make_events({})), bad)


# -- plans ---------------------------------------------------------------------------------------------


def test_few_events_are_all_sent_whatever_the_view(synthetic):
    events = synthetic(300)
    for view in (None, MALI_VIEW, Viewport(14.0, -4.0, 14.1, -3.9, 14)):
        plan = plan_layer(events, "auto", view)
        assert plan.drawing == "points"
        assert plan.extent is None
        assert list(plan.positions) == list(range(300))


def test_auto_clusters_above_its_points_limit(synthetic):
    plan = plan_layer(synthetic(AUTO_POINTS_MAX + 1), "auto")
    assert plan.drawing == "clusters"
    assert len(plan.positions) == AUTO_POINTS_MAX + 1
    assert plan_layer(synthetic(AUTO_POINTS_MAX + 1), "points").drawing == "points"


def test_many_events_are_counted_per_cell(synthetic):
    events = synthetic(POINTS_BUDGET * 3)
    plan = plan_layer(events, "auto", MALI_VIEW)
    assert plan.drawing == "cells" and plan.aggregated
    assert plan.positions is None
    assert plan.cells["events"].sum() == plan.considered
    assert plan.step == pytest.approx(cell_deg(MALI_VIEW.zoom, viewport.CLUSTER_CELL_PX))
    assert "zoom in" in plan.describe()


def test_zooming_in_sends_the_events_around_the_view(synthetic):
    events = synthetic(POINTS_BUDGET * 3)
    view = Viewport(14.0, -4.0, 14.6, -3.4, 10)
    plan = plan_layer(events, "points", view)
    assert plan.drawing == "points"
    assert plan.extent is not None and plan.extent.contains(view)
    lat = events["latitude"].to_numpy()[plan.positions]
    lon = events["longitude"].to_numpy()[plan.positions]
    assert plan.extent.mask(lat, lon).all()
    # Every event of the extent is sent, none outside it.
    assert len(plan.positions) == int(
        plan.extent.mask(events["latitude"].to_numpy(), events["longitude"].to_numpy()).sum()
    )
    assert plan.considered == len(plan.positions) <= POINTS_BUDGET


def test_the_previous_extent_is_kept_for_a_small_pan(synthetic):
    events = synthetic(POINTS_BUDGET * 3)
    first = plan_layer(events, "auto", MALI_VIEW)
    nudged = Viewport(10.2, -12.3, 25.2, 4.7, 6)
    again = plan_layer(events, "auto", nudged, first.extent)
    assert again.extent == first.extent
    assert again.cells.equals(first.cells)


def test_density_counts_per_grid_square(synthetic):
    events = synthetic(500)
    plan = plan_layer(events, "density", None)
    assert plan.drawing == "grid"
    assert plan.cells["events"].sum() == 500
    assert plan.step == pytest.approx(cell_deg(plan.zoom, viewport.GRID_CELL_PX))
    zoomed = plan_layer(events, "density", Viewport(14.0, -4.0, 15.0, -3.0, 9))
    assert zoomed.cells["events"].sum() == zoomed.considered < 500


def test_zoomed_far_in_on_a_pile_the_newest_are_drawn(make_events):
    # More events than the budget at one town: cells no longer separate them.
    n = POINTS_BUDGET + 50
    days = [f"2023-01-{1 + i % 28:02d}" for i in range(n - 10)] + ["2024-06-01"] * 10
    events = make_events(*({"event_date": d, "latitude": 16.27, "longitude": -0.04} for d in days))
    view = Viewport(16.2, -0.1, 16.35, 0.05, STACK_ZOOM)
    plan = plan_layer(events, "auto", view)
    assert plan.limited and plan.drawing == "clusters"
    assert len(plan.positions) == POINTS_BUDGET
    picked = set(plan.positions.tolist())
    assert set(range(n - 10, n)) <= picked  # the newest are all in
    assert "most recent" in plan.describe()
    assert not plan_layer(events, "auto", Viewport(16.2, -0.1, 16.35, 0.05, STACK_ZOOM - 1)).limited


def test_empty_selection_plans_nothing(make_events):
    plan = plan_layer(make_events({}).iloc[0:0], "auto", None)
    assert plan.total == 0 and len(plan.positions) == 0


def test_unknown_mode_is_refused(make_events):
    with pytest.raises(ValueError, match="mode must be one of"):
        plan_layer(make_events({}), "heat")


def test_plan_from_arrays_equals_plan_from_table(synthetic):
    events = synthetic(POINTS_BUDGET * 2)
    a = plan_layer(events, "auto", MALI_VIEW)
    b = plan_layer(PointArrays.from_events(events), "auto", MALI_VIEW)
    assert a.cells.equals(b.cells)
    assert np.array_equal(
        PointArrays.from_events(events).day, events["event_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    )


def test_the_legend_line_names_the_view_only_when_it_leaves_events_out(synthetic):
    events = synthetic(POINTS_BUDGET * 3)
    everything = plan_layer(events, "auto", Viewport(-30.0, -60.0, 60.0, 60.0, 3))
    assert everything.considered == len(events)
    assert "around this view" not in everything.describe()
    assert everything.describe().startswith(f"{len(events):,} events, counted per area of about")
    part = plan_layer(events, "auto", Viewport(14.0, -4.6, 14.6, -4.0, 9))
    assert f"; {part.considered:,} around this view" in part.describe()

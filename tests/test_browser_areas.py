"""The map's Areas and Playback drawings in a real Chromium, offline: a click on a region filters on it; playback
steps through the frames and the map follows."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import shapely
from builders import build_events
from playwright.sync_api import expect
from test_app_areas import MOPTI, MOPTI_TRIANGLE, ROWS

from conflictmap.assets import missing_assets

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(missing_assets()), reason="Leaflet assets not fetched (make assets)"),
]

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DRAW_TIMEOUT_MS = 60_000
RERUN_TIMEOUT_MS = 30_000
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture
def areas_url(app_factory, tmp_path) -> str:
    path = tmp_path / "areas.csv"
    table = build_events(*({"time_precision": 1, "fatalities": 1} | r for r in ROWS))
    table.drop(columns="geometry").to_csv(path, index=False)
    return app_factory(path)


def map_frame(page):
    """The map's frame (its Leaflet map is ``window.map`` there)."""
    handle = page.locator(MAP_FRAME).element_handle(timeout=DRAW_TIMEOUT_MS)
    return handle.content_frame()


def test_clicking_a_region_filters_on_it(browser_page, areas_url):
    page = browser_page.page
    page.goto(f"{areas_url}/?view=areas")
    frame = page.frame_locator(MAP_FRAME)
    shapes = frame.locator(".leaflet-cmAreas-pane path")
    expect(shapes).to_have_count(9, timeout=DRAW_TIMEOUT_MS)
    expect(frame.locator(".cm-area-legend")).to_contain_text("Events")
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    # Click Mopti where the map puts it.
    x, y = map_frame(page).evaluate(
        "([lat, lng]) => { const p = window.map.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }",
        list(MOPTI),
    )
    frame.locator(".leaflet-container").click(position={"x": x, "y": y})
    expect(page).to_have_url(re.compile(r"area=Mopti"), timeout=RERUN_TIMEOUT_MS)
    expect(page.get_by_text("6 of 9 events").first).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    expect(page.get_by_role("button", name=re.compile("Clear area: Mopti"))).to_be_visible()
    # Every other region now counts nothing: only Mopti is coloured.
    expect(frame.locator('.leaflet-cmAreas-pane path[fill="#ffffff"]')).to_have_count(8, timeout=RERUN_TIMEOUT_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "areas-mopti.png"))
    page.get_by_role("button", name=re.compile("Clear area")).click()
    expect(page).not_to_have_url(re.compile(r"area="), timeout=RERUN_TIMEOUT_MS)
    expect(frame.locator('.leaflet-cmAreas-pane path[fill="#ffffff"]')).to_have_count(6, timeout=RERUN_TIMEOUT_MS)
    assert browser_page.blocked == [] and browser_page.page_errors == []


def test_playback_steps_frames_and_the_map_follows(browser_page, areas_url):
    page = browser_page.page
    page.goto(f"{areas_url}/?view=playback&from=2023-01-01&to=2023-12-31")
    frame = page.frame_locator(MAP_FRAME)
    control = frame.locator(".cm-playback")
    stamp = control.locator("> div").first
    dots = frame.locator(".leaflet-cmPlayback-pane path")
    expect(stamp).to_have_text("Jan 2023", timeout=DRAW_TIMEOUT_MS)
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    expect(dots).to_have_count(0)
    control.get_by_title("step forward").click()
    expect(stamp).to_have_text("Feb 2023")
    expect(dots).to_have_count(1)
    control.get_by_title("step forward").click()
    control.get_by_title("step forward").click()
    control.get_by_title("step forward").click()
    # May: Kidal's event known only to the month, a dashed ring.
    expect(stamp).to_have_text("May 2023")
    expect(dots).to_have_count(1)
    expect(dots.first).to_have_attribute("stroke-dasharray", "3 3")
    expect(control).to_contain_text("1 with imprecise dates")
    # The timeline marks the frame the map shows, and the page's rerun leaves the control where it was.
    expect(page.get_by_text("The shaded band is the frame the map shows: May 2023.")).to_be_visible(
        timeout=RERUN_TIMEOUT_MS
    )
    expect(stamp).to_have_text("May 2023")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "playback-may.png"))
    # Play moves on by itself, and pause stops it on a later month (how far it got depends on the machine).
    control.get_by_title("play / pause").click()
    expect(stamp).not_to_have_text("May 2023", timeout=RERUN_TIMEOUT_MS)
    control.get_by_title("play / pause").click()
    months = [date(2023, m, 1).strftime("%b %Y") for m in range(1, 13)]
    assert months.index(stamp.inner_text()) > months.index("May 2023")
    assert browser_page.blocked == [] and browser_page.page_errors == []


def test_a_drawn_rectangle_selects_exactly_the_events_inside_it(browser_page, areas_url):
    page = browser_page.page
    page.goto(areas_url)
    frame = page.frame_locator(MAP_FRAME)
    expect(frame.locator("path.cm-event").first).to_be_attached(timeout=DRAW_TIMEOUT_MS)
    expect(frame.locator(".leaflet-container[data-cm-fitted]")).to_be_attached(timeout=DRAW_TIMEOUT_MS)
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    inner = map_frame(page)
    corners = inner.evaluate(
        "(box) => box.map(c => { const p = window.map.latLngToContainerPoint(c); return [p.x, p.y]; })",
        [[14.8, -4.5], [14.2, -3.9]],
    )
    origin = page.locator(MAP_FRAME).bounding_box()
    (x0, y0), (x1, y1) = ((origin["x"] + x, origin["y"] + y) for x, y in corners)
    frame.locator(".leaflet-draw-draw-rectangle").click()
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2)
    page.mouse.move(x1, y1)
    page.mouse.up()
    expect(page).to_have_url(re.compile(r"bbox="), timeout=RERUN_TIMEOUT_MS)
    # The six Mopti events, and nothing else, in the count, the map and the table.
    expect(page.get_by_text("6 of 9 events").first).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    expect(frame.locator("path.cm-event")).to_have_count(6, timeout=RERUN_TIMEOUT_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "box-mopti.png"))
    page.get_by_role("button", name=re.compile("Clear box")).click()
    expect(page).not_to_have_url(re.compile(r"bbox="), timeout=RERUN_TIMEOUT_MS)
    expect(frame.locator("path.cm-event")).to_have_count(9, timeout=RERUN_TIMEOUT_MS)
    assert browser_page.blocked == [] and browser_page.page_errors == []


# The polygon tool's corners placed so far equal ``n``, and it takes clicks again.
POLYGON_CORNERS_PLACED = """(n) => {
    const tool = Object.values(window).find((v) => v instanceof L.Control.Draw)._toolbars.draw._modes.polygon.handler;
    return tool._markers.length === n && !tool._disableMarkers;
}"""


def test_a_drawn_polygon_selects_exactly_the_events_inside_it(browser_page, areas_url):
    page = browser_page.page
    page.goto(areas_url)
    frame = page.frame_locator(MAP_FRAME)
    expect(frame.locator(".leaflet-container[data-cm-fitted]")).to_be_attached(timeout=DRAW_TIMEOUT_MS)
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    inner = map_frame(page)
    # Close in on Mopti, where the polygon's lower edge passes 0.05 degree (about 20 pixels) from three events.
    inner.evaluate("() => window.map.setView([14.52, -4.2], 9, {animate: false})")
    inner.wait_for_function("() => window.map.getZoom() === 9")
    corners = inner.evaluate(
        "(ring) => ring.map(([lng, lat]) => { const p = window.map.latLngToContainerPoint([lat, lng]); "
        "return [p.x, p.y]; })",
        MOPTI_TRIANGLE[:-1],
    )
    origin = page.locator(MAP_FRAME).bounding_box()
    frame.locator(".leaflet-draw-draw-polygon").click()
    for count, (x, y) in enumerate(corners, start=1):
        page.mouse.click(origin["x"] + x, origin["y"] + y)
        # Leaflet.draw takes the next click once it has placed this corner (it ignores clicks for 50 ms after one).
        inner.wait_for_function(POLYGON_CORNERS_PLACED, arg=count)
    frame.get_by_role("link", name="Finish").click()
    expect(page).to_have_url(re.compile(r"poly="), timeout=RERUN_TIMEOUT_MS)
    # Counted independently: the events of the file inside the polygon (edges included).
    triangle = shapely.Polygon(MOPTI_TRIANGLE)
    inside = sum(triangle.covers(shapely.Point(r["longitude"], r["latitude"])) for r in ROWS)
    assert inside == 5  # all six Mopti events are inside its box
    expect(page.get_by_text(f"{inside} of 9 events").first).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    expect(frame.locator("path.cm-event")).to_have_count(inside, timeout=RERUN_TIMEOUT_MS)
    expect(frame.locator("path.cm-selection")).to_have_count(1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "polygon-mopti.png"))
    page.get_by_role("button", name=re.compile("Clear polygon")).click()
    expect(page).not_to_have_url(re.compile(r"poly="), timeout=RERUN_TIMEOUT_MS)
    expect(frame.locator("path.cm-selection")).to_have_count(0, timeout=RERUN_TIMEOUT_MS)
    expect(frame.locator("path.cm-event")).to_have_count(9, timeout=RERUN_TIMEOUT_MS)
    assert browser_page.blocked == [] and browser_page.page_errors == []


def test_heat_draws_hot_spots_in_the_map(browser_page, areas_url):
    page = browser_page.page
    page.goto(f"{areas_url}/?view=heat")
    frame = page.frame_locator(MAP_FRAME)
    expect(frame.locator("canvas.leaflet-heatmap-layer")).to_be_attached(timeout=DRAW_TIMEOUT_MS)
    expect(frame.locator(".cm-legend")).to_contain_text("9 events in")
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "heat.png"))
    assert browser_page.blocked == [] and browser_page.page_errors == []

"""Map first, in Chromium at 1280×720 and 1440×900: the map is the page's main element, every seed event in
view and none under the legend or the controls; the headline one row; the timeline starts in view."""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS, SEED_EVENTS, offline_page, screenshot_if_failed, synthetic_events
from playwright.sync_api import expect
from test_browser import DRAW_TIMEOUT_MS, MAP_FRAME

from conflictmap.readers import read_events, write_events

pytestmark = pytest.mark.browser
SIZES = [(1280, 720), (1440, 900)]


def _overlaps(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and (a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])
    )


@pytest.fixture(params=SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def sized_page(request, browser):
    width, height = request.param
    context, state = offline_page(browser, {"width": width, "height": height})
    yield state, width, height
    screenshot_if_failed(request, state.page)
    context.close()


def test_the_map_comes_first_with_every_event_clear_of_the_legend(sized_page, app_url):
    state, width, height = sized_page
    page = state.page
    page.goto(app_url)
    frame = page.frame_locator(MAP_FRAME)
    expect(frame.locator(".leaflet-container[data-cm-fitted]")).to_be_attached(timeout=DRAW_TIMEOUT_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"layout-{width}x{height}.png"))

    map_box = page.locator(MAP_FRAME).bounding_box()
    # The map's whole height is in view, and takes most of it; it is the widest element beside the sidebar.
    assert map_box["y"] + map_box["height"] <= height
    assert map_box["height"] >= 0.6 * height
    main = page.get_by_test_id("stMain").bounding_box()
    assert map_box["width"] >= 0.6 * (main["width"] - 40)
    # The headline's figures in one row above the map.
    metrics = [m.bounding_box() for m in page.get_by_test_id("stMetric").all()]
    assert len(metrics) == 4 and len({round(m["y"]) for m in metrics}) == 1
    assert all(m["y"] + m["height"] <= map_box["y"] for m in metrics)
    if height >= 900:
        timeline = page.get_by_role("heading", name="Timeline").bounding_box()
        assert timeline["y"] < height

    seed, _ = read_events(SEED_EVENTS)
    markers = frame.locator("path.cm-event")
    expect(markers).to_have_count(len(seed))
    legend = frame.locator(".cm-legend").bounding_box()
    controls = [frame.locator(s).bounding_box() for s in (".leaflet-control-zoom", ".leaflet-control-layers")]
    for marker in markers.all():
        box = marker.bounding_box()
        # In view, inside the map ...
        assert map_box["x"] <= box["x"] and box["x"] + box["width"] <= map_box["x"] + map_box["width"]
        assert map_box["y"] <= box["y"] and box["y"] + box["height"] <= map_box["y"] + map_box["height"]
        # ... and under neither the legend nor a control.
        assert not _overlaps(box, legend)
        assert not any(_overlaps(box, c) for c in controls)
    assert state.blocked == []


def test_the_legend_folds_on_a_narrow_map_and_opens_on_a_click(browser, app_url, request):
    context, state = offline_page(browser, {"width": 1000, "height": 800})
    try:
        state.page.goto(app_url)
        frame = state.page.frame_locator(MAP_FRAME)
        expect(frame.locator(".leaflet-container[data-cm-fitted]")).to_be_attached(timeout=DRAW_TIMEOUT_MS)
        details = frame.locator(".cm-legend details")
        expect(details).not_to_have_attribute("open", "")
        frame.locator(".cm-legend summary").click()
        expect(details).to_have_attribute("open", "")
        expect(frame.locator(".cm-legend")).to_contain_text("Strategic developments")
    finally:
        screenshot_if_failed(request, state.page)
        context.close()


def test_many_events_stay_clear_of_the_open_legend(browser, app_factory, tmp_path, request):
    path = tmp_path / "events.parquet"
    write_events(synthetic_events(130, seed=3), path)
    context, state = offline_page(browser, {"width": 1440, "height": 900})
    try:
        state.page.goto(app_factory(path))
        frame = state.page.frame_locator(MAP_FRAME)
        expect(frame.locator(".leaflet-container[data-cm-fitted]")).to_be_attached(timeout=DRAW_TIMEOUT_MS)
        expect(frame.locator(".cm-legend details")).to_have_attribute("open", "")
        expect(frame.locator("path.cm-event").first).to_be_attached()
        # The frame may be laid out again after the first fit; wait for the view that settles.
        inner = state.page.locator(MAP_FRAME).element_handle().content_frame()
        clear = """() => {
            const legend = document.querySelector(".cm-legend").getBoundingClientRect();
            const markers = [...document.querySelectorAll("path.cm-event")];
            const under = markers.filter((m) => {
                const r = m.getBoundingClientRect();
                return r.left < legend.right && legend.left < r.right && r.top < legend.bottom && legend.top < r.bottom;
            });
            return markers.length > 100 && under.length === 0;
        }"""
        inner.wait_for_function(clear, timeout=DRAW_TIMEOUT_MS)
    finally:
        screenshot_if_failed(request, state.page)
        context.close()

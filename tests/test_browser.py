"""The page in a real Chromium, offline: every request to a host other than 127.0.0.1 is aborted and recorded."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import HOSTILE_ACTOR, HOSTILE_NOTE, HOSTILE_PLACE, ROOT, SEED_EVENTS, synthetic_events
from playwright.sync_api import FrameLocator, expect

from conflictmap.assets import inline_html
from conflictmap.mapview import PRECISION_RING_M, build_map
from conflictmap.readers import read_events, write_events
from conflictmap.viewport import POINTS_BUDGET

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DRAW_TIMEOUT_MS = 60_000
RERUN_TIMEOUT_MS = 30_000
FIXTURES = ROOT / "tests" / "fixtures" / "readers"


def open_map(state, url: str, selector: str = "path.cm-event") -> FrameLocator:
    """Open the dashboard and return the map's frame once Leaflet has drawn the first ``selector``."""
    state.page.goto(url)
    frame = state.page.frame_locator(MAP_FRAME)
    expect(frame.locator(selector).first).to_be_attached(timeout=DRAW_TIMEOUT_MS)
    # The map has moved to the events and stays there: clicks land where they aim.
    expect(frame.locator(".leaflet-container[data-cm-fitted]")).to_be_attached(timeout=DRAW_TIMEOUT_MS)
    # Whole map in view first: Playwright aims a click inside a frame before scrolling the page to it.
    state.page.locator(MAP_FRAME).scroll_into_view_if_needed()
    return frame


def sidebar(state):
    return state.page.locator('[data-testid="stSidebar"]')


def query(state) -> dict[str, list[str]]:
    return parse_qs(urlsplit(state.page.url).query)


def test_map_draws_offline_with_one_marker_per_seed_event_each_honestly_placed(browser_page, app_url):
    frame = open_map(browser_page, app_url)
    seed, _ = read_events(SEED_EVENTS)
    expect(frame.locator("path.cm-event")).to_have_count(len(seed))
    # The offline basemap: country outlines, the capital's label, the legend.
    expect(frame.locator(".leaflet-cmCountries-pane path").first).to_be_attached()
    assert frame.locator(".leaflet-cmCountries-pane path").count() > 10
    expect(frame.locator(".cm-place-name", has_text="Bamako")).to_be_attached()
    expect(frame.locator(".cm-legend")).to_contain_text("Strategic developments")
    expect(frame.locator(".cm-legend")).to_contain_text(f"{len(seed)} events")
    expect(frame.locator(".leaflet-tile")).to_have_count(0)
    # Approximate places are dashed rings, exact places solid markers.
    ring = frame.locator("path.cm-event.cm-geo-3")  # the Timbuktu region figure
    expect(ring).to_have_count(1)
    expect(ring).to_have_attribute("stroke-dasharray", "5 4")
    solid = frame.locator("path.cm-event.cm-geo-1").first
    expect(solid).not_to_have_attribute("stroke-dasharray", "5 4")
    expect(solid).to_have_attribute("fill-opacity", "0.85")
    # The numbers and the timeline are there too.
    expect(browser_page.page.get_by_test_id("stMetric").first).to_contain_text(str(len(seed)))
    expect(browser_page.page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    assert browser_page.blocked == [], "the page tried to reach the internet"
    assert browser_page.page_errors == []


def test_clicking_a_marker_opens_its_popup_and_shows_the_event_beside_the_map(browser_page, app_url):
    frame = open_map(browser_page, app_url)
    frame.locator("path.cm-event.cm-type-0").click()  # the seed's one battle, at Ber
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Battles · Armed clash")
    expect(popup).to_contain_text("2023-08-21 to 2023-08-31")
    expect(popup).to_contain_text("(date: within a month)")
    expect(popup).to_contain_text("Military Forces of Mali (2021-) (with Wagner Group) vs CMA")
    expect(popup).to_contain_text("Ber, Timbuktu, Mali")
    # Quotes in the source are escaped in the HTML and shown as typed.
    expect(popup).to_contain_text("Military Warns of 'High' Risk")
    # The full record beside the map, drawn by the map's own rerun (the rest of the page follows on its next run).
    details = browser_page.page.locator(".cm-details")
    expect(details).to_have_count(1, timeout=RERUN_TIMEOUT_MS)
    expect(details.first).to_contain_text("2023-08-21 to 2023-08-31 · Battles › Armed clash · Ber")
    expect(details.first).to_contain_text("SEED-0003")
    # The map was not drawn again: the popup is still open.
    expect(popup).to_be_visible()
    assert browser_page.blocked == []


def test_a_filter_change_changes_the_markers_and_the_url(browser_page, app_url):
    frame = open_map(browser_page, app_url)
    expect(frame.locator("path.cm-event")).to_have_count(5)
    sidebar(browser_page).get_by_text("Precise only").click()
    # Only the Bamako alert has both an exact place and an exact day.
    expect(frame.locator("path.cm-event")).to_have_count(1, timeout=RERUN_TIMEOUT_MS)
    expect(browser_page.page).to_have_url(re.compile(r"geoprec=1"))
    search = sidebar(browser_page).get_by_placeholder("Words in notes, actors or places")
    search.fill("nothing like this anywhere")
    search.press("Enter")
    expect(frame.locator("path.cm-event")).to_have_count(0, timeout=RERUN_TIMEOUT_MS)
    expect(frame.locator(".cm-legend")).to_contain_text("0 events")
    expect(browser_page.page).to_have_url(re.compile(r"q=nothing"))
    # Back: the previous view, filters and markers.
    browser_page.page.go_back()
    expect(frame.locator("path.cm-event")).to_have_count(1, timeout=RERUN_TIMEOUT_MS)
    expect(search).to_have_value("")
    browser_page.page.go_back()
    expect(frame.locator("path.cm-event")).to_have_count(5, timeout=RERUN_TIMEOUT_MS)
    expect(browser_page.page).to_have_url(re.compile(r"^[^?]*$"))


def test_a_copied_link_reopens_the_same_view(browser_page, app_url):
    frame = open_map(browser_page, f"{app_url}/?region=Timbuktu&from=2023-08-01&to=2023-10-31")
    # Around Timbuktu, August to October 2023: the battle at Ber and the displacement figure.
    expect(frame.locator("path.cm-event")).to_have_count(2)
    expect(frame.locator("path.cm-event.cm-type-0")).to_have_count(1)
    expect(browser_page.page.get_by_text("1 Aug 2023 – 31 Oct 2023 · region: Timbuktu")).to_be_visible()
    expect(sidebar(browser_page).get_by_role("combobox", name="Dates")).to_have_value("Custom range")


def test_dragging_across_the_timeline_sets_the_dates(browser_page, app_url):
    frame = open_map(browser_page, app_url)
    chart = browser_page.page.get_by_test_id("stVegaLiteChart").first
    chart.scroll_into_view_if_needed()
    box = chart.locator("canvas, svg").first.bounding_box()
    y = box["y"] + box["height"] * 0.5
    # The seed spans June 2022 to September 2023 by week: the right end holds the summer 2023 events.
    browser_page.page.mouse.move(box["x"] + box["width"] * 0.70, y)
    browser_page.page.mouse.down()
    browser_page.page.mouse.move(box["x"] + box["width"] * 0.985, y, steps=10)
    browser_page.page.mouse.up()
    expect(browser_page.page).to_have_url(re.compile(r"from=2023-"), timeout=RERUN_TIMEOUT_MS)
    params = query(browser_page)
    assert params["from"][0] < params["to"][0]
    # The summer 2022 alert falls outside; the four 2023 events stay.
    expect(frame.locator("path.cm-event")).to_have_count(4, timeout=RERUN_TIMEOUT_MS)
    expect(sidebar(browser_page).get_by_role("combobox", name="Dates")).to_have_value("Custom range")


def test_hostile_text_is_shown_as_text_and_runs_nothing(browser_page, app_url, hostile_csv):
    frame = open_map(browser_page, app_url)
    side = sidebar(browser_page)
    side.get_by_text("Add an event file").click()
    side.locator('input[type="file"]').set_input_files(str(hostile_csv))
    hostile = frame.locator("path.cm-event.cm-ds-1")  # the second, smaller dataset: one event at Mopti
    expect(frame.locator("path.cm-event")).to_have_count(6, timeout=RERUN_TIMEOUT_MS)
    expect(frame.locator(".leaflet-container[data-cm-fitted]")).to_be_attached()
    hostile.click()
    popup = frame.locator(".leaflet-popup-content")
    for text in (HOSTILE_NOTE, HOSTILE_ACTOR, HOSTILE_PLACE):
        expect(popup).to_contain_text(text)
    expect(popup.locator("script, img, svg")).to_have_count(0)
    details = browser_page.page.locator(".cm-details").first
    expect(details).to_contain_text(HOSTILE_NOTE, timeout=RERUN_TIMEOUT_MS)
    expect(details.locator("script, img, svg")).to_have_count(0)
    # Nowhere on the page, in the map's frame or out of it, did the markup become elements.
    expect(browser_page.page.locator("img[src=x], svg[onload]")).to_have_count(0)
    expect(frame.locator("img[src=x], svg[onload]")).to_have_count(0)
    assert browser_page.dialogs == []
    assert not [u for u in browser_page.requested if u.rstrip("/").endswith("/x")], "an <img src=x> was loaded"
    assert not [e for e in browser_page.console_errors if "alert" in e or "/x" in e]
    assert browser_page.page_errors == []
    assert browser_page.blocked == []


def test_an_uploaded_file_shows_its_report_and_joins_the_map(browser_page, app_url):
    frame = open_map(browser_page, app_url)
    side = sidebar(browser_page)
    side.get_by_text("Add an event file").click()
    side.locator('input[type="file"]').set_input_files(str(FIXTURES / "acled_bad_rows.csv"))
    events, report = read_events(FIXTURES / "acled_bad_rows.csv")
    expect(side.get_by_text(f"{report.rows_loaded} of {report.rows_read} rows loaded")).to_be_visible(
        timeout=RERUN_TIMEOUT_MS
    )
    seed, _ = read_events(SEED_EVENTS)
    expect(frame.locator("path.cm-event")).to_have_count(len(seed) + len(events), timeout=RERUN_TIMEOUT_MS)
    # Two datasets on one map, told apart by shape: acled (more events) circles, seed squares.
    expect(frame.locator(".cm-legend .cm-dataset")).to_have_count(2)
    expect(frame.locator(".cm-legend .cm-dataset").first).to_contain_text("acled")
    for path in frame.locator("path.cm-event.cm-ds-0.cm-geo-1").all():
        assert "a" in path.get_attribute("d")  # arcs: a circle
    squares = frame.locator("path.cm-event.cm-ds-1.cm-geo-1")
    expect(squares).not_to_have_count(0)
    for path in squares.all():
        assert re.fullmatch(r"M[-\d.,]+h[-\d.]+v[-\d.]+h[-\d.]+z", path.get_attribute("d"))
    browser_page.page.get_by_role("tab", name="Datasets and import reports").click()
    panel = browser_page.page.get_by_role("tabpanel")
    expect(panel).to_contain_text(f"{report.rows_read} rows read, {report.rows_loaded} loaded")
    expect(panel.get_by_test_id("stDownloadButton").first).to_be_visible()


def test_many_events_are_counted_per_area_until_zoomed_in(browser_page, app_factory, tmp_path):
    path = tmp_path / "many.parquet"
    write_events(synthetic_events(POINTS_BUDGET * 3), path)
    frame = open_map(browser_page, app_factory(path), ".cm-cell-icon")
    expect(frame.locator("path.cm-event")).to_have_count(0)
    expect(frame.locator(".cm-legend")).to_contain_text("zoom in to see single events")
    # A click on a count zooms into its area; there the page sends the events themselves.
    legend = frame.locator(".cm-legend").bounding_box()
    map_box = browser_page.page.locator(MAP_FRAME).bounding_box()

    def clear_of_the_legend(box) -> bool:
        inside = map_box["x"] + 30 < box["x"] and box["x"] + box["width"] < map_box["x"] + map_box["width"] - 60
        inside &= map_box["y"] + 80 < box["y"] and box["y"] + box["height"] < map_box["y"] + map_box["height"] - 30
        return inside and (box["x"] > legend["x"] + legend["width"] or box["y"] + box["height"] < legend["y"])

    (target, *_) = [c for c in frame.locator(".cm-cell-icon").all() if clear_of_the_legend(c.bounding_box())]
    target.click()
    expect(frame.locator("path.cm-event").first).to_be_attached(timeout=RERUN_TIMEOUT_MS)
    expect(frame.locator(".cm-legend")).to_contain_text("around this view")
    assert browser_page.blocked == []


def test_exported_page_draws_each_precision_offline(browser_page, make_events, tmp_path):
    events = make_events(*({"geo_precision": g, "latitude": 13 + g, "event_id": f"GEO-{g}"} for g in (1, 2, 3, 4)))
    page_file = tmp_path / "map.html"
    page_file.write_text(inline_html(build_map(events)), encoding="utf-8")
    page = browser_page.page
    page.set_viewport_size({"width": 1000, "height": 800})
    page.goto(page_file.as_uri())
    expect(page.locator("path.cm-event")).to_have_count(4)
    widths = {}
    for geo in (2, 3, 4):
        ring = page.locator(f"path.cm-event.cm-geo-{geo}")
        expect(ring).to_have_attribute("stroke-dasharray", "5 4")
        widths[geo] = ring.bounding_box()["width"]
    assert widths[2] <= widths[3] < widths[4]
    # At the fitted zoom, the 150 km ring is wider than the 50 km ring by about the ratio of the radii.
    ratio = PRECISION_RING_M[4] / PRECISION_RING_M[3]
    assert widths[4] / widths[3] == pytest.approx(ratio, rel=0.2)
    assert browser_page.requested and all(u.startswith("file:") for u in browser_page.requested)

"""The page in a real Chromium, offline: every request to a host other than 127.0.0.1 is aborted and recorded."""

from __future__ import annotations

import pytest
from conftest import HOSTILE_ACTOR, HOSTILE_NOTE, HOSTILE_PLACE, SEED_EVENTS
from playwright.sync_api import FrameLocator, expect

from conflictmap.assets import inline_html
from conflictmap.mapview import PRECISION_RING_M, build_map
from conflictmap.readers import read_events

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DRAW_TIMEOUT_MS = 60_000


def open_map(state, url: str) -> FrameLocator:
    """Open the dashboard and return the map's frame once Leaflet has drawn its first event."""
    state.page.goto(url)
    frame = state.page.frame_locator(MAP_FRAME)
    expect(frame.locator("path.cm-event").first).to_be_attached(timeout=DRAW_TIMEOUT_MS)
    return frame


def test_map_draws_offline_with_one_marker_per_seed_event(browser_page, app_url):
    frame = open_map(browser_page, app_url)
    seed, _ = read_events(SEED_EVENTS)
    expect(frame.locator("path.cm-event")).to_have_count(len(seed))
    # The offline basemap: country outlines, the capital's label, the legend.
    expect(frame.locator(".leaflet-cmCountries-pane path").first).to_be_attached()
    assert frame.locator(".leaflet-cmCountries-pane path").count() > 10
    expect(frame.locator(".cm-place-name", has_text="Bamako")).to_be_visible()
    expect(frame.locator(".cm-legend")).to_contain_text("Strategic developments")
    expect(frame.locator(".leaflet-tile")).to_have_count(0)
    assert browser_page.blocked == [], "the page tried to reach the internet"


def test_clicking_a_marker_opens_its_popup(browser_page, app_url):
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
    assert browser_page.blocked == []


def test_approximate_places_are_dashed_rings(browser_page, app_url):
    frame = open_map(browser_page, app_url)
    ring = frame.locator("path.cm-event.cm-geo-3")  # the Timbuktu region figure
    expect(ring).to_have_count(1)
    expect(ring).to_have_attribute("stroke-dasharray", "5 4")
    solid = frame.locator("path.cm-event.cm-geo-1").first
    expect(solid).not_to_have_attribute("stroke-dasharray", "5 4")
    expect(solid).to_have_attribute("fill-opacity", "0.85")


def test_hostile_text_is_shown_as_text_and_runs_nothing(browser_page, app_factory, hostile_csv):
    frame = open_map(browser_page, app_factory(hostile_csv))
    frame.locator("path.cm-event").click()
    popup = frame.locator(".leaflet-popup-content")
    for text in (HOSTILE_NOTE, HOSTILE_ACTOR, HOSTILE_PLACE):
        expect(popup).to_contain_text(text)
    expect(popup.locator("script, img, svg")).to_have_count(0)
    assert browser_page.dialogs == []
    assert not [u for u in browser_page.requested if u.rstrip("/").endswith("/x")], "an <img src=x> was loaded"
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

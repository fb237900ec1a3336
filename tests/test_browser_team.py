"""The event store shared by a team, in a real Chromium, offline.

Three dashboards (three ``streamlit run`` servers, each with its own user) on
one PostGIS database of the throwaway cluster: what one adds, another edits
and the third deletes shows on every page without a reload. And a new event
placed by clicking the map lands where the click was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import SEED_EVENTS, BrowserPage, RunningApp, offline_page, screenshot_if_failed, start_app
from pgcluster import Cluster
from playwright.sync_api import expect

from conflictmap.store import GeoPackageStore
from conflictmap.store.postgis import PostGISStore

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DRAW_TIMEOUT_MS = 60_000
RERUN_TIMEOUT_MS = 30_000
#: How often the dashboards look at the store here (the setting's smallest value).
REFRESH_S = "1"
#: Seed events picked out by their markers' classes: the one battle (at Ber) and the one region-wide figure.
BATTLE, REGION_WIDE = "path.cm-event.cm-type-0", "path.cm-event.cm-geo-3"
#: The added event's type: no seed event has it (type index 2 in the legend's order).
ADDED_TYPE, ADDED_SUB_TYPE, ADDED_MARKER = "Violence against civilians", "Attack", "path.cm-event.cm-type-2"


@dataclass
class Dashboard:
    """One team member's dashboard: their server and their browser page."""

    user: str
    app: RunningApp
    context: object
    state: BrowserPage

    @property
    def page(self):
        return self.state.page

    @property
    def map(self):
        return self.page.frame_locator(MAP_FRAME).first

    def fatalities(self):
        return self.page.get_by_test_id("stMetric").filter(has_text="Fatalities").get_by_test_id("stMetricValue")


@pytest.fixture
def team(browser, pg_cluster: Cluster, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple]:
    """Three dashboards (users analyst-a, -b, -c) on one PostGIS store holding the seed events."""
    url = pg_cluster.new_database()
    with PostGISStore(url) as store:
        store.import_file(SEED_EVENTS)
    users = ("analyst-a", "analyst-b", "analyst-c")
    settings = {"CONFLICTMAP_DB": url, "CONFLICTMAP_REFRESH_S": REFRESH_S}
    with ThreadPoolExecutor(len(users)) as pool:
        starting = [pool.submit(start_app, tmp_path, env={**settings, "CONFLICTMAP_USER": u}) for u in users]
    apps = [f.result() for f in starting if f.exception() is None]
    dashboards = []
    try:
        if len(apps) < len(users):
            raise next(f.exception() for f in starting if f.exception() is not None)
        for user, app in zip(users, apps, strict=True):
            context, state = offline_page(browser)
            dashboards.append(Dashboard(user, app, context, state))
        yield url, dashboards
    finally:
        for board in dashboards:
            screenshot_if_failed(request, board.page, f"{request.node.name}-{board.user}")
            board.context.close()
        for app in apps:
            app.stop()
        pg_cluster.drop_database(url)


def open_store_view(board: Dashboard, markers: int) -> None:
    """Open the dashboard on the event store and wait until the map has drawn and fitted its markers."""
    expect(board.map.locator("path.cm-event")).to_have_count(markers, timeout=DRAW_TIMEOUT_MS)
    expect(board.map.locator(".leaflet-container[data-cm-fitted]")).to_be_attached(timeout=DRAW_TIMEOUT_MS)
    board.page.locator(MAP_FRAME).scroll_into_view_if_needed()


def pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the select box labelled ``label``."""
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def type_into(page, label: str, text: str) -> None:
    """Type into a text or number field and commit it."""
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")


def fill_new_event(page, *, place: str | None, source: str) -> None:
    """The add form's fields (in the Event store tab): place (if any), date, type, sub-type, fatalities, source."""
    if place:
        type_into(page, "Place", place)
        expect(page.get_by_label("Matching places")).to_have_value(re.compile(f"^{place}"), timeout=RERUN_TIMEOUT_MS)
    # The date field is one spin button per part: type the digits into the first.
    page.get_by_label("Date", exact=True).locator("[role=spinbutton]").first.click()
    page.keyboard.type("20230910")
    page.keyboard.press("Tab")
    pick(page, "Type", ADDED_TYPE)
    pick(page, "Sub-type", ADDED_SUB_TYPE)
    type_into(page, "Fatalities", "3")
    type_into(page, "Source (required)", source)


def test_three_dashboards_on_one_postgis_store_see_each_others_changes(team):
    url, (a, b, c) = team
    for board in (a, b, c):
        board.page.goto(f"{board.app.url}/?src=store")
    for board in (a, b, c):
        open_store_view(board, 5)

    # A adds an event through the form.
    a.page.get_by_role("tab", name="Event store").click()
    fill_new_event(a.page, place="Gao", source="Studio Tamani, 10 Sept 2023")
    a.page.get_by_role("button", name="Add event").click()
    expect(a.page.get_by_text("added (version 1)")).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    for board in (a, b, c):
        expect(board.map.locator(ADDED_MARKER)).to_have_count(1, timeout=RERUN_TIMEOUT_MS)
        expect(board.fatalities()).to_have_text("3", timeout=RERUN_TIMEOUT_MS)

    # B edits the battle at Ber: its toll is revised from 0 to 7.
    b.map.locator(BATTLE).click()
    b.page.get_by_role("button", name="Edit this event").click()
    expect(b.page.get_by_text("Edit event SEED-0003")).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    type_into(b.page, "Fatalities", "7")
    type_into(b.page, "Reason for the change (optional, kept in the history)", "Toll revised by the army")
    b.page.get_by_role("button", name="Save changes").click()
    expect(b.page.get_by_text("Event SEED-0003 edited (version 2).")).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    for board in (a, b, c):
        expect(board.fatalities()).to_have_text("10", timeout=RERUN_TIMEOUT_MS)

    # C deletes the region-wide figure, giving a reason and confirming.
    c.map.locator(REGION_WIDE).click()
    c.page.get_by_role("button", name="Delete this event").click()
    popover = c.page.get_by_test_id("stPopoverBody")
    type_into(popover, "Reason (required, kept in the history)", "Not an event: a displacement estimate")
    popover.get_by_text("Yes, delete this event").click()
    expect(popover.get_by_role("checkbox")).to_be_checked()
    popover.get_by_role("button", name="Delete").click()
    expect(c.page.get_by_text("Event SEED-0004 deleted.")).to_be_visible(timeout=RERUN_TIMEOUT_MS)

    # Every page shows all three changes, and no page was reloaded by hand.
    for board in (a, b, c):
        expect(board.map.locator(REGION_WIDE)).to_have_count(0, timeout=RERUN_TIMEOUT_MS)
        expect(board.map.locator("path.cm-event")).to_have_count(5)
        expect(board.map.locator(ADDED_MARKER)).to_have_count(1)
        expect(board.fatalities()).to_have_text("10")
        expect(board.page.get_by_test_id("stSidebar")).to_contain_text("Event store (5 events)")
        assert board.state.blocked == [], f"{board.user}'s page tried to reach the internet"
        assert board.state.page_errors == []

    # The store recorded each change with its author.
    with PostGISStore(url) as store:
        events = store.query(store_columns=True)
        added = events[events["origin"].astype(str) == "manual"]
        assert (len(added), added["created_by"].iloc[0], added["location"].iloc[0]) == (1, "analyst-a", "Gao")
        edit = store.history("SEED-0003").iloc[-1]
        assert (edit["change"], edit["changed_by"], edit["changes"]["fatalities"]) == ("edit", "analyst-b", [0, 7])
        deletion = store.history("SEED-0004").iloc[-1]
        assert (deletion["change"], deletion["changed_by"]) == ("delete", "analyst-c")
        assert deletion["reason"] == "Not an event: a displacement estimate"


def map_click_target(frame) -> tuple[float, float]:
    """A point of the map (relative to its container) where a click reaches the map itself, not a marker or control."""
    return frame.locator(".leaflet-container").evaluate(
        """(box) => {
            const r = box.getBoundingClientRect();
            for (const fy of [0.35, 0.5, 0.2, 0.65]) {
                for (const fx of [0.6, 0.75, 0.45, 0.9]) {
                    const x = r.width * fx, y = r.height * fy;
                    const hit = document.elementFromPoint(r.left + x, r.top + y);
                    const free = hit && !hit.closest(
                        ".cm-event, .leaflet-control, .leaflet-popup, .cm-legend, .leaflet-marker-icon, .cm-place-name"
                    );
                    if (free) return [x, y];
                }
            }
            return null;
        }"""
    )


def test_a_point_picked_on_the_map_places_the_new_event(browser_page, app_factory, tmp_path):
    store_path = tmp_path / "events.gpkg"
    with GeoPackageStore(store_path) as store:
        store.import_file(SEED_EVENTS)
    url = app_factory(store=store_path, env={"CONFLICTMAP_USER": "analyst-p"})
    page = browser_page.page
    page.goto(f"{url}/?src=store")
    frame = page.frame_locator(MAP_FRAME).first
    expect(frame.locator("path.cm-event")).to_have_count(5, timeout=DRAW_TIMEOUT_MS)
    expect(frame.locator(".leaflet-container[data-cm-fitted]")).to_be_attached(timeout=DRAW_TIMEOUT_MS)

    page.get_by_role("tab", name="Event store").click()
    page.get_by_text("Pick the point on the map").click()
    expect(page.get_by_role("switch", name="Pick the point on the map")).to_be_checked()
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    x, y = map_click_target(frame)
    container = frame.locator(".leaflet-container")
    # Leaflet's own reading of the click: where on the map it fell, and where in the map's box.
    container.evaluate(
        """() => {
            const map = Object.values(window).find((v) => v instanceof L.Map);
            map.once("click", (e) => {
                window.cmClick = [e.latlng.lat, e.latlng.lng, e.containerPoint.x, e.containerPoint.y];
            });
        }"""
    )
    container.click(position={"x": x, "y": y})
    lat, lng, at_x, at_y = frame.locator("body").evaluate("() => window.cmClick")
    assert (at_x, at_y) == pytest.approx((x, y), abs=1.5)
    use_point = page.get_by_text(re.compile(r"^Use the point clicked: "))
    expect(use_point).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    shown = re.search(r"(-?\d+\.\d+), (-?\d+\.\d+)", use_point.inner_text())
    assert (float(shown[1]), float(shown[2])) == pytest.approx((lat, lng), abs=1e-4)

    fill_new_event(page, place=None, source="Radio Guintan, 10 Sept 2023")
    page.get_by_role("button", name="Add event").click()
    expect(page.get_by_text("added (version 1)")).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    expect(frame.locator("path.cm-event")).to_have_count(6, timeout=DRAW_TIMEOUT_MS)
    # Drawn where the click was (the map kept its view).
    marker, box = frame.locator(ADDED_MARKER).bounding_box(), container.bounding_box()
    centre = (marker["x"] + marker["width"] / 2 - box["x"], marker["y"] + marker["height"] / 2 - box["y"])
    assert centre == pytest.approx((x, y), abs=2)
    with GeoPackageStore(store_path) as store:
        events = store.query(store_columns=True)
    (added,) = events[events["origin"].astype(str) == "manual"].itertuples()
    assert (added.latitude, added.longitude) == pytest.approx((lat, lng), abs=1e-6)
    assert (added.geometry.y, added.geometry.x) == pytest.approx((lat, lng), abs=1e-6)
    assert added.created_by == "analyst-p"
    assert browser_page.blocked == [], "the page tried to reach the internet"
    assert browser_page.page_errors == []

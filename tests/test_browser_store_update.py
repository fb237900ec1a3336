"""The event store's "Update from ACLED" in a real Chromium, offline, against the local stand-in of ACLED's API."""

from __future__ import annotations

import pytest
from fakeapis import EMAIL, PASSWORD, FakeApis, acled_row
from playwright.sync_api import expect

from conflictmap.store import open_store

pytestmark = pytest.mark.browser

UPDATE_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
RERUN_TIMEOUT_MS = 60_000


def test_an_update_asks_the_password_shows_the_counts_and_a_map_of_the_new_events(browser_page, app_factory, tmp_path):
    store_path = tmp_path / "events.gpkg"
    with FakeApis() as api:
        api.acled_events = [acled_row(n) for n in range(4)]
        env = {
            "CONFLICTMAP_ACLED_URL": api.url,
            "CONFLICTMAP_ACLED_EMAIL": EMAIL,
            "CONFLICTMAP_ACLED_PASSWORD": "",
            "CONFLICTMAP_FETCH_DIR": str(tmp_path / "fetch"),
            "CONFLICTMAP_FETCH_BACKOFF_S": "0",
        }
        url = app_factory(store=store_path, env=env)
        page = browser_page.page
        page.goto(url)
        page.get_by_role("tab", name="Event store").click()
        password = page.get_by_label("myACLED password", exact=True)
        expect(password).to_be_visible(timeout=RERUN_TIMEOUT_MS)
        assert password.get_attribute("type") == "password"
        password.fill(PASSWORD)
        page.get_by_role("button", name="Update from ACLED").click()

        expect(page.get_by_text("ACLED API, country Mali: 4 new, 0 changed, 0 deleted")).to_be_visible(
            timeout=RERUN_TIMEOUT_MS
        )
        # The page's map and the map of the changes: four new events on the second.
        changes = page.frame_locator(UPDATE_FRAME).nth(1)
        expect(changes.locator("path.leaflet-interactive")).to_have_count(4, timeout=RERUN_TIMEOUT_MS)
        expect(changes.get_by_text("New: 4")).to_be_visible()
        # The form was cleared: the password is nowhere in the page. The query run has its own button now.
        assert PASSWORD not in page.content()
        fields = page.get_by_label("myACLED password", exact=True)
        assert fields.count() == 2 and [fields.nth(i).input_value() for i in range(2)] == ["", ""]
        expect(page.get_by_role("button", name="Update", exact=True)).to_be_visible()
    with open_store(store_path, create=False) as store:
        assert store.count() == 4
    assert browser_page.blocked == [], "the page tried to reach the internet"

"""The page's event store form in a real Chromium, offline, on a temporary store."""

from __future__ import annotations

import re

import pytest
from conftest import SEED_EVENTS
from playwright.sync_api import expect

from conflictmap.store import open_store

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DRAW_TIMEOUT_MS = 60_000
RERUN_TIMEOUT_MS = 30_000


def pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the select box labelled ``label``."""
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_an_event_added_through_the_form_appears_on_the_map(browser_page, app_factory, tmp_path):
    store_path = tmp_path / "events.gpkg"
    with open_store(store_path) as store:
        store.import_file(SEED_EVENTS)
    url = app_factory(store=store_path)
    page = browser_page.page
    page.goto(f"{url}/?src=store")
    frame = page.frame_locator(MAP_FRAME).first
    expect(frame.locator("path.cm-event")).to_have_count(5, timeout=DRAW_TIMEOUT_MS)

    page.get_by_role("tab", name="Event store").click()
    place = page.get_by_label("Place", exact=True)
    expect(place).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    place.fill("Kati")
    place.press("Enter")
    matching = page.get_by_label("Matching places")
    expect(matching).to_have_value(re.compile(r"^Kati, Koulikoro"), timeout=RERUN_TIMEOUT_MS)
    # The date field is one spin button per part: type the digits into the first.
    page.get_by_label("Date", exact=True).locator("[role=spinbutton]").first.click()
    page.keyboard.type("20230907")
    page.keyboard.press("Tab")
    pick(page, "Type", "Battles")
    pick(page, "Sub-type", "Armed clash")
    source = page.get_by_label("Source (required)")
    source.fill("Journal du Mali, 8 Sept 2023")
    source.press("Enter")
    page.get_by_role("button", name="Add event").click()

    expect(page.get_by_text("added (version 1)")).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    expect(frame.locator("path.cm-event")).to_have_count(6, timeout=DRAW_TIMEOUT_MS)
    with open_store(store_path) as store:
        events = store.query()
    (added,) = events[events["dataset"].astype(str) == "manual"].itertuples()
    assert (added.location, str(added.event_date.date())) == ("Kati", "2023-09-07")
    assert browser_page.blocked == [], "the page tried to reach the internet"
    assert browser_page.page_errors == []

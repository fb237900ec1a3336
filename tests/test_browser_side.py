"""Typing a region without its accents in the sidebar's picker finds it, as Streamlit's own search runs it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_browser import RERUN_TIMEOUT_MS, open_map, sidebar

pytestmark = pytest.mark.browser


def test_typing_seg_finds_segou_in_the_region_picker(browser_page, app_factory, make_events, tmp_path):
    path = tmp_path / "segou.csv"
    rows = [
        {"admin1": "Ségou", "location": "Ségou", "latitude": 13.43, "longitude": -6.26},
        {"admin1": "Tombouctou", "location": "Tombouctou", "latitude": 16.77, "longitude": -3.01},
        {"admin1": "Tillabéri", "location": "Ayorou", "country": "Niger", "latitude": 14.73, "longitude": 0.92},
    ]
    make_events(*rows).drop(columns="geometry").to_csv(path, index=False)
    page = browser_page.page
    frame = open_map(browser_page, app_factory(path))
    expect(frame.locator("path.cm-event")).to_have_count(3)
    picker = sidebar(browser_page).get_by_test_id("stMultiSelect").filter(has_text="Region (admin1)")
    picker.locator("input").click()
    page.keyboard.type("Seg")
    options = page.get_by_role("option")
    expect(options).to_have_count(1, timeout=RERUN_TIMEOUT_MS)
    expect(options.first).to_contain_text("Ségou")
    page.keyboard.press("Enter")
    # The region chosen filters the map and goes into the link as its value.
    expect(frame.locator("path.cm-event")).to_have_count(1, timeout=RERUN_TIMEOUT_MS)
    assert "region=Segou" in page.url, page.url
    # A region whose only spelling has an accent is found without it too.
    picker.locator("input").click()
    page.keyboard.type("tillaberi")
    expect(options).to_have_count(1, timeout=RERUN_TIMEOUT_MS)
    expect(options.first).to_contain_text("Tillabéri")
    assert browser_page.page_errors == []

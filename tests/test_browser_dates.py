"""A date range typed in the sidebar applies on Enter, as every other field does, not only when it loses the focus."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_browser import RERUN_TIMEOUT_MS, open_map, sidebar

pytestmark = pytest.mark.browser


def test_a_typed_date_range_applies_on_enter(browser_page, app_url):
    page = browser_page.page
    frame = open_map(browser_page, app_url)
    expect(frame.locator("path.cm-event")).to_have_count(5)
    dates = sidebar(browser_page).get_by_test_id("stDateInput")
    dates.locator("[role=spinbutton]").first.click()
    page.keyboard.type("20230901")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"from=2023-09-01"), timeout=RERUN_TIMEOUT_MS)
    # The events before the first of September are gone from the map.
    expect(frame.locator("path.cm-event")).not_to_have_count(5, timeout=RERUN_TIMEOUT_MS)
    assert browser_page.page_errors == []

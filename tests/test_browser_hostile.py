"""A link's search word written as markdown shows as text in Chromium: no outside request, no outside link."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from test_browser import open_map

from conflictmap.pagelink import MAX_QUERY_FIELDS

pytestmark = pytest.mark.browser

PAYLOAD = "![p](http://127.0.0.1:9/p.png) [Click](http://127.0.0.1:9/)"
TARGET = "127.0.0.1:9/"


def test_markdown_in_a_link_fetches_nothing_and_links_nowhere(browser_page, app_url):
    page = browser_page.page
    open_map(browser_page, f"{app_url}/?q={quote(PAYLOAD)}", selector=".leaflet-container")
    # The headline names the search, as typed (the word joiner that keeps URLs text is invisible).
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    shown = page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")
    assert PAYLOAD in shown
    assert [url for url in browser_page.requested if TARGET in url] == []
    assert page.locator(f'img[src*="{TARGET}"], a[href*="{TARGET}"]').count() == 0
    # Links on the page lead to the page itself (heading anchors), none elsewhere.
    outside = page.locator('[data-testid="stMain"] a[href]').evaluate_all(
        "links => links.filter(a => !a.href.startsWith(location.origin)).map(a => a.outerHTML)"
    )
    assert outside == []
    assert browser_page.blocked == [] and browser_page.page_errors == []
    assert page.locator(".cm-link-too-long").count() == 0


def test_a_link_too_long_to_apply_is_told_in_the_page(browser_page, app_url):
    # Streamlit drops such a query string before the page's script runs: the browser is the one to tell.
    page = browser_page.page
    query = "&".join(f"actor=a{i}" for i in range(MAX_QUERY_FIELDS + 1))
    open_map(browser_page, f"{app_url}/?{query}", selector=".leaflet-container")
    told = page.get_by_role("alert").filter(has_text="1,001 parameters")
    expect(told).to_be_visible()
    expect(told).to_contain_text("opens without the link's filter")
    # The view opened unfiltered: every seed event is counted.
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("5")
    told.get_by_role("button", name="Dismiss").click()
    expect(told).to_have_count(0)
    assert browser_page.page_errors == []

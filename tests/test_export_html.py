"""The HTML snapshot opened from disk in a real Chromium with no network: map, markers, legend, header, popups."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conflictmap.export import write_export
from conflictmap.filters import FilterSpec
from conflictmap.grid import aggregate_grid
from conflictmap.readers import read_events

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "mixed_events.csv"
MADE = datetime(2024, 5, 2, 14, 3, 11, tzinfo=UTC)
DRAW_TIMEOUT_MS = 30_000
ACLED_CREDIT = "Armed Conflict Location & Event Data Project (ACLED); www.acleddata.com"

# Every layer the page's map holds, found through the map object folium declares.
_LAYERS_JS = """
() => {
    const map = Object.keys(window).filter(k => k.startsWith("map_")).map(k => window[k])
        .find(v => v && typeof v.eachLayer === "function");
    const out = [];
    map.eachLayer(l => out.push(l));
    return out;
}
"""
_CELL_COUNTS_JS = (
    "() => {"
    "  const layers = (" + _LAYERS_JS + ")();"
    "  return layers.filter(l => l.options && l.options.className === 'cm-cell')"
    "    .map(l => Number(/<b>(\\d+) event/.exec(l.getPopup().getContent())[1]));"
    "}"
)


def _open(state, path: Path):
    page = state.page
    page.goto(path.as_uri())
    page.wait_for_function("typeof L !== 'undefined' && typeof L.map === 'function'")
    return page


def _offline(state) -> None:
    assert state.blocked == [], f"the snapshot tried to reach {state.blocked}"
    assert all(u.startswith(("file:", "data:")) for u in state.requested), state.requested


def test_snapshot_shows_one_marker_per_filtered_event_with_header_and_legend(browser_page, tmp_path):
    events, report = read_events(FIXTURE)
    spec = FilterSpec(date_from=date(2023, 8, 1), event_types=("Battles", "Violence against civilians"))
    path = tmp_path / "snapshot.html"
    prov, _ = write_export(events, spec, path, title="Clashes and attacks", sources=[report], created=MADE)
    assert prov.events == 3
    page = _open(browser_page, path)
    expect(page.locator("path.cm-event")).to_have_count(3)
    expect(page.locator(".cm-legend")).to_contain_text("Violence against civilians")
    header = page.locator("header.cm-snapshot")
    expect(header.locator("h1")).to_have_text("Clashes and attacks")
    expect(header.locator(".cm-filter")).to_have_text(f"Filter: {spec.describe()}")
    expect(header.locator(".cm-count")).to_have_text("3 events")
    expect(header.locator(".cm-dates")).to_have_text("2 Aug 2023 – 12 Sep 2023")
    expect(header.locator(".cm-sources")).to_contain_text(ACLED_CREDIT)
    expect(header.locator(".cm-made")).to_contain_text("Made 2024-05-02 14:03 UTC")
    expect(header.locator("a.cm-view")).to_have_attribute("href", prov.view_url)
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("www.acleddata.com")
    assert page.title() == "Clashes and attacks"
    _offline(browser_page)


def test_popups_open_and_show_hostile_text_as_text(browser_page, tmp_path):
    events, _ = read_events(FIXTURE)
    path = tmp_path / "snapshot.html"
    title = "<img src=x onerror=alert('title')> Kidal"
    write_export(events, FilterSpec(admin1=("Kidal",)), path, title=title, created=MADE)
    page = _open(browser_page, path)
    page.locator("path.cm-event").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("<script>alert('notes')</script> invented hostile text")
    expect(popup).to_contain_text('<b>Kidal</b> & "Anefis"')
    expect(popup.locator("script, img")).to_have_count(0)
    assert "&lt;b&gt;Kidal&lt;/b&gt;" in popup.inner_html()
    expect(page.locator("header.cm-snapshot h1")).to_have_text(title)
    assert browser_page.dialogs == []
    _offline(browser_page)


def test_grid_cells_add_up_to_the_events(browser_page, tmp_path, synthetic):
    events = synthetic(3000)
    path = tmp_path / "grid.html"
    prov, _ = write_export(events, FilterSpec(), path, mode="density", created=MADE)
    grid = aggregate_grid(events, prov.drawing["cell_deg"])
    page = _open(browser_page, path)
    expect(page.locator("path.cm-cell")).to_have_count(len(grid))
    counts = page.evaluate(_CELL_COUNTS_JS)
    assert len(counts) == len(grid) and sum(counts) == 3000
    expect(page.locator(".cm-legend")).to_contain_text("Events per")
    page.locator("path.cm-cell").first.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("event")
    _offline(browser_page)


def test_clusters_and_single_markers_add_up_to_the_events(browser_page, tmp_path, synthetic):
    events = synthetic(2500)
    path = tmp_path / "clusters.html"
    prov, _ = write_export(events, FilterSpec(), path, created=MADE)
    assert prov.drawing == {"mode": "clusters"}
    page = _open(browser_page, path)
    expect(page.locator(".cm-cluster").first).to_be_visible(timeout=DRAW_TIMEOUT_MS)
    # Drawn clusters' counts plus single markers, once the clustering animation has settled.
    drawn_js = """() => [...document.querySelectorAll('.cm-cluster div')].reduce((n, d) => n + Number(d.textContent), 0)
        + document.querySelectorAll('path.cm-event').length"""
    page.wait_for_function(f"({drawn_js})() === 2500", timeout=DRAW_TIMEOUT_MS)
    assert page.evaluate(drawn_js) == 2500
    _offline(browser_page)

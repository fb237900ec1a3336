"""The playback control in a real browser: stepping changes the frame, its stamp and the events drawn."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import folium
import pytest

from conflictmap import arealayers
from conflictmap.assets import inline_html, missing_assets
from conflictmap.playback import Playback

pytestmark = pytest.mark.skipif(bool(missing_assets()), reason="Leaflet assets not fetched (make assets)")


@pytest.fixture
def playback_file(tmp_path: Path, make_events) -> Path:
    rows = [
        {"event_date": f"2023-0{m}-10", "latitude": 14.0 + 0.1 * k, "longitude": -4.0, "time_precision": 1}
        for m in (1, 2, 3)
        for k in range(m)
    ]
    rows.append({"event_date": "2023-02-10", "time_precision": 3, "latitude": 16.27, "longitude": -0.04})
    play = Playback(make_events(*rows), "month", "window", date(2023, 1, 1), date(2023, 3, 31))
    m = folium.Map(location=[15, -2], zoom_start=6, tiles=None)
    arealayers.add_playback_control(m, play)
    path = tmp_path / "playback.html"
    path.write_text(inline_html(m), encoding="utf-8")
    return path


def markers(page) -> int:
    return page.locator(".leaflet-cmPlayback-pane path").count()


def test_stepping_changes_the_frame_the_stamp_and_the_map(browser_page, playback_file: Path) -> None:
    page = browser_page.page
    page.goto(playback_file.as_uri())
    stamp = page.locator(".cm-playback > div").first
    page.wait_for_function("window.cmPlayback && window.cmPlayback.frame() === 0")
    assert stamp.text_content() == "Jan 2023"
    assert markers(page) == 1
    page.get_by_title("step forward").click()
    assert stamp.text_content() == "Feb 2023"
    assert markers(page) == 3  # February's two exact events and the one known only to the month
    assert "1 with imprecise dates" in page.locator(".cm-playback").text_content()
    page.get_by_title("step forward").click()
    assert stamp.text_content() == "Mar 2023"
    assert markers(page) == 3
    page.get_by_title("step back").click()
    assert page.evaluate("window.cmPlayback.frame()") == 1
    page.get_by_title("first frame").click()
    assert stamp.text_content() == "Jan 2023"
    assert browser_page.page_errors == [] and browser_page.blocked == []

"""The timeline marks the playback frame the map shows: a band over its days, following what the map reports."""

from __future__ import annotations

import json
from datetime import date

import pytest
from builders import build_events
from pagetools import make_page, plain

from conflictmap import charts

ROWS = [
    {"event_date": f"2023-{m:02d}-10", "admin1": "Mopti", "latitude": 14.49, "longitude": -4.19, "time_precision": 1}
    for m in range(1, 13)
]


def frame_layers(spec: dict) -> list[dict]:
    return [layer for layer in spec.get("layer", []) if layer.get("description") == charts.FRAME_LAYER]


def band(spec: dict) -> tuple[str, str, str]:
    """The marked frame's first day, the day after its last, and its tooltip text."""
    (layer,) = frame_layers(spec)
    name = layer["data"]["name"]
    (row,) = spec["datasets"][name]
    return row["start"][:10], row["end"][:10], row["label"]


def test_the_chart_marks_the_frame_it_is_given() -> None:
    events = build_events(*ROWS)
    plain_chart = charts.timeline_chart(events).to_dict()
    assert frame_layers(plain_chart) == []
    marked = charts.timeline_chart(events, frame=(date(2023, 3, 1), date(2023, 3, 31), "Mar 2023")).to_dict()
    assert band(marked) == ("2023-03-01", "2023-04-01", "Playing: Mar 2023")
    (layer,) = frame_layers(marked)
    assert layer["mark"]["type"] == "rect" and set(layer["encoding"]) >= {"x", "x2"}


@pytest.fixture
def events_csv(tmp_path):
    path = tmp_path / "year.csv"
    build_events(*({"fatalities": 1} | r for r in ROWS)).drop(columns="geometry").to_csv(path, index=False)
    return path


def timeline_spec(at) -> dict:
    """The page's timeline chart spec, with the tables Streamlit sends beside it put back under ``datasets``."""
    import pyarrow as pa

    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if "layer" in spec and "fatalities" in json.dumps(spec["layer"]):
            spec["datasets"] = {
                d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas().astype(str).to_dict("records")
                for d in chart.proto.datasets
            }
            return spec
    raise AssertionError("no timeline chart on the page")


def test_the_page_timeline_follows_the_frame_the_map_reports(monkeypatch, events_csv) -> None:
    at = make_page(monkeypatch, data=events_csv, query={"from": "2023-01-01", "to": "2023-12-31"}).run()
    assert not at.exception
    assert frame_layers(timeline_spec(at)) == []  # no playback, no band
    at.segmented_control(key="f_mode").set_value("playback").run()
    assert not at.exception
    assert band(timeline_spec(at))[2] == "Playing: Jan 2023"  # the control starts on the first frame
    # The control steps to its fifth frame and reports it with what the map sends back.
    at.session_state["event_map"] = {"last_object_clicked_tooltip": "cm-frame:4"}
    at.run()
    assert not at.exception
    assert band(timeline_spec(at)) == ("2023-05-01", "2023-06-01", "Playing: May 2023")
    assert any(plain(c.value) == "The shaded band is the frame the map shows: May 2023." for c in at.caption)
    # Another step plays other frames: the map starts again from the first.
    at.segmented_control(key="map_play_step").set_value("week").run()
    assert band(timeline_spec(at))[2] == "Playing: Week of 26 Dec 2022"
    # Text that is not a frame report changes nothing.
    at.session_state["event_map"] = {"last_object_clicked_tooltip": "Mopti"}
    at.run()
    assert not at.exception and band(timeline_spec(at))[2] == "Playing: Week of 26 Dec 2022"

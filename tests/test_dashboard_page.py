"""The dashboard page under Streamlit's AppTest: what it shows for good, bad and partly bad files."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SEED_EVENTS
from streamlit.testing.v1 import AppTest

from conflictmap.readers import read_events

TIMEOUT_S = 60


def run_page(monkeypatch: pytest.MonkeyPatch, data: Path | None = None, argv: list[str] | None = None) -> AppTest:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("CONFLICTMAP_DATA", raising=False)
    if data is not None:
        monkeypatch.setenv("CONFLICTMAP_DATA", str(data))
    # The page reads `-- --data FILE` from sys.argv, which under pytest holds pytest's own arguments.
    monkeypatch.setattr(sys, "argv", ["dashboard.py", *(argv or [])])
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT_S).run()


def folium_args(at: AppTest) -> list[dict]:
    """The arguments of every st_folium element on the page."""

    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    found = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if getattr(proto, "component_name", "") == "streamlit_folium.st_folium":
            found.append(json.loads(proto.json_args))
    return found


def event_ids(script: str) -> list[str]:
    (table,) = [t for t in map(json.loads, re.findall(r"var data = (\{[^\n]*\});\n", script)) if "fields" in t]
    column = table["fields"].index("id")
    return [table["strings"][row[column]] for row in table["rows"]]


def test_seed_events_are_on_the_map(monkeypatch):
    at = run_page(monkeypatch)
    assert not at.exception
    assert not at.error
    (args,) = folium_args(at)
    seed, _ = read_events(SEED_EVENTS)
    assert sorted(event_ids(args["script"])) == sorted(seed["event_id"])
    assert at.metric[0].value == str(len(seed))
    # Leaflet comes from the app's own static files.
    assert args["js_links"] == ["/app/static/vendor/leaflet/leaflet.js"]
    assert args["css_links"] == ["/app/static/vendor/leaflet/leaflet.css"]
    # Panning and zooming must not rerun the page.
    assert args["returned_objects"] == []
    assert args["height"] == 600


def test_data_setting_opens_another_file(monkeypatch, make_events, tmp_path):
    path = tmp_path / "three.csv"
    make_events({}, {"latitude": 15.0}, {"latitude": 16.0}).drop(columns="geometry").to_csv(path, index=False)
    at = run_page(monkeypatch, data=path)
    assert not at.exception
    (args,) = folium_args(at)
    assert sorted(event_ids(args["script"])) == ["TEST-00000", "TEST-00001", "TEST-00002"]


def test_data_argument_wins_over_the_setting(monkeypatch, make_events, tmp_path):
    path = tmp_path / "one.csv"
    make_events({}).drop(columns="geometry").to_csv(path, index=False)
    at = run_page(monkeypatch, data=tmp_path / "not-this-one.csv", argv=["--data", str(path)])
    assert not at.exception
    assert not at.error
    (args,) = folium_args(at)
    assert event_ids(args["script"]) == ["TEST-00000"]


def test_a_file_that_is_not_event_data_shows_an_error(monkeypatch, tmp_path):
    path = tmp_path / "people.csv"
    pd.DataFrame({"name": ["Awa", "Moussa"], "age": [31, 45]}).to_csv(path, index=False)
    at = run_page(monkeypatch, data=path)
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("Could not open the event file:")
    assert "people.csv" in error.value
    assert folium_args(at) == []


def test_a_missing_file_shows_an_error(monkeypatch, tmp_path):
    at = run_page(monkeypatch, data=tmp_path / "nowhere.csv")
    assert not at.exception
    (error,) = at.error
    assert "nowhere.csv" in error.value
    assert folium_args(at) == []


def test_rejected_rows_are_reported(monkeypatch, make_events, tmp_path):
    frame = make_events({}, {}, {}).drop(columns="geometry")
    frame["latitude"] = frame["latitude"].astype(object)
    frame.loc[1, "latitude"] = "north of Mopti"
    path = tmp_path / "partly_bad.csv"
    frame.to_csv(path, index=False)
    at = run_page(monkeypatch, data=path)
    assert not at.exception
    (warning,) = at.warning
    assert warning.value.startswith("1 of 3 rows could not be loaded")
    assert "north of Mopti" in at.expander[0].text[0].value
    (args,) = folium_args(at)
    assert len(event_ids(args["script"])) == 2


def test_a_bad_command_line_option_shows_an_error(monkeypatch):
    at = run_page(monkeypatch, argv=["--data"])
    assert not at.exception
    (error,) = at.error
    assert error.value == "Bad command-line option: argument --data: expected one argument"
    assert folium_args(at) == []

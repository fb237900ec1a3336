"""The dashboard's map: a base map that never changes and an event layer made from a layer plan."""

from __future__ import annotations

import html
import json
import re

import pytest
from streamlit_folium import _get_feature_group_string, _get_map_string, generate_js_hash

from conflictmap import livemap, schema
from conflictmap.viewport import POINTS_BUDGET, Viewport, plan_layer


def render_with(layer) -> str:
    m = livemap.base_map()
    m.add_child(layer)
    return m.get_root().render()


def payloads(page: str) -> list[dict]:
    return [json.loads(text) for text in re.findall(r"var data = (\{[^\n]*\});\n", page)]


def layer_string(layer) -> str:
    """The event layer as streamlit-folium sends it to the page."""
    m = livemap.base_map()
    m.get_root().render()
    return _get_feature_group_string(layer, m)


def test_the_base_map_holds_no_events_and_only_local_scripts():
    page = livemap.base_map().get_root().render()
    assert 'var data = {"fields"' not in page
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", page):
        assert "//" not in tag, tag
    assert '<script src="/app/static/vendor/leaflet.markercluster/leaflet.markercluster.js"></script>' in page
    assert '<link rel="stylesheet" href="/app/static/vendor/leaflet.markercluster/MarkerCluster.css"/>' in page
    assert "Offline map (no tiles)" in page


def test_the_base_map_is_the_same_map_every_time():
    # streamlit-folium keeps the map in the page (view, popup) while this hash stays the same.
    hashes = set()
    for _ in range(2):
        m = livemap.base_map()
        m.get_root().render()
        hashes.add(generate_js_hash(_get_map_string(m), "event_map"))
    assert len(hashes) == 1


def test_the_draw_control_offers_the_box_and_the_polygon_and_reports_the_newest_shape():
    script = _get_map_string(livemap.base_map(select_box=True))
    found = re.search(r"var options = \{\s*position: \"topleft\",\s*draw: (\{.*?\}),\s*edit:", script, re.S)
    assert found, script[:2000]
    tools = json.loads(found.group(1))
    assert {name for name, on in tools.items() if on} == {"rectangle", "polygon"}
    assert tools["polygon"]["allowIntersection"] is False
    assert '<script src="/app/static/vendor/leaflet-draw/leaflet.draw.js"></script>' in (
        livemap.base_map(select_box=True).get_root().render()
    )
    # The shape drawn is reported with its tool's name, the newest alone, and the page draws the selection.
    assert "items = drawnItems;" in script and "feature.properties.shape = e.layerType;" in script
    assert (
        "path.cm-selection { pointer-events: none !important; }"
        in livemap.base_map(select_box=True).get_root().render()
    )
    assert "L.Control.Draw" not in _get_map_string(livemap.base_map())


def test_the_selection_layer_outlines_the_box_and_the_polygon():
    assert livemap.selection_layer(None, None) is None
    drawn = layer_string(livemap.selection_layer((-4.5, 14.2, -3.9, 14.8), ((-4.5, 14.3), (-3.9, 14.6), (-4.5, 14.75))))
    assert drawn.count('"className": "cm-selection"') == 2
    assert "[[14.2, -4.5], [14.8, -3.9]]" in drawn and "[[14.3, -4.5], [14.6, -3.9], [14.75, -4.5]]" in drawn


def test_points_layer_carries_every_planned_event(synthetic):
    events = synthetic(40)
    plan = plan_layer(events, "points")
    page = render_with(livemap.event_layer(events, plan, datasets=["synthetic"], fit_key="k"))
    (table,) = [p for p in payloads(page) if "fields" in p]
    ids = table["fields"].index("id")
    assert sorted(table["strings"][r[ids]] for r in table["rows"]) == sorted(events["event_id"])
    assert "L.markerClusterGroup(" not in page


def test_cluster_layer_groups_in_the_browser(synthetic):
    events = synthetic(50)
    page = render_with(livemap.event_layer(events, plan_layer(events, "clusters")))
    assert "group = L.markerClusterGroup(" in page


def test_cells_layer_sends_counts_not_events(synthetic):
    events = synthetic(POINTS_BUDGET + 500)
    plan = plan_layer(events, "auto", Viewport(10.0, -12.5, 25.0, 4.5, 6))
    assert plan.drawing == "cells"
    page = render_with(livemap.event_layer(events, plan))
    assert not [p for p in payloads(page) if "fields" in p]
    (cells,) = [p for p in payloads(page) if "rows" in p and "ramp" not in p and "fields" not in p]
    assert sum(r[2] for r in cells["rows"]) == plan.considered == len(events)
    assert sum(r[3] for r in cells["rows"]) == int(events["fatalities"].sum())
    assert all(sum(r[4]) == r[2] for r in cells["rows"])
    assert "zoom in" in page


def test_grid_layer_and_its_legend(synthetic):
    events = synthetic(300)
    plan = plan_layer(events, "density")
    page = render_with(livemap.event_layer(events, plan))
    (grid,) = [p for p in payloads(page) if "ramp" in p]
    assert sum(r[4] for r in grid["rows"]) == 300
    body = json.loads(re.search(r"div\.innerHTML = (\"[^\n]*\");\n", page).group(1))
    assert "Events per square of about" in body


def test_legend_says_what_the_plan_sent(synthetic):
    events = synthetic(POINTS_BUDGET + 500)
    plan = plan_layer(events, "auto", Viewport(14.0, -4.5, 14.8, -3.5, 10))
    page = render_with(livemap.event_layer(events, plan))
    body = json.loads(re.search(r"div\.innerHTML = (\"[^\n]*\");\n", page).group(1))
    assert f"{len(events):,} events; {plan.considered:,} around this view" in body
    # The legend goes with its layer when the page swaps layers.
    assert 'owner.on("remove", function () { legend.remove(); });' in page


def test_fit_once_per_key(make_events):
    events = make_events({"latitude": 16.8, "longitude": -2.6}, {"latitude": 12.6, "longitude": -8.0})
    page = render_with(livemap.event_layer(events, plan_layer(events), fit_key="seed|Timbuktu"))
    assert 'key = "seed|Timbuktu"' in page
    assert "if (window.cmFitKey === key) { return; }" in page
    bounds = json.loads(re.search(r"L\.latLngBounds\((\[\[.*?\]\])", page).group(1))
    (south, west), (north, east) = bounds
    assert south <= 12.6 and north >= 16.8 and west <= -8.0 and east >= -2.6
    assert "cmFitKey" not in render_with(livemap.event_layer(events, plan_layer(events)))


def test_same_plan_same_layer_string(synthetic):
    # A rerun that changes nothing must send the same layer, or the page would redraw it and close the popup.
    events = synthetic(60)
    plan = plan_layer(events, "auto")
    first = layer_string(livemap.event_layer(events, plan, datasets=["synthetic"], fit_key="k"))
    second = layer_string(livemap.event_layer(events, plan, datasets=["synthetic"], fit_key="k"))
    assert first == second
    assert "map_div.addLayer(feature_group_feature_group_0);" in first


def test_layer_text_is_escaped(make_events):
    from conftest import HOSTILE_ACTOR, HOSTILE_NOTE, HOSTILE_PLACE

    events = make_events({"notes": HOSTILE_NOTE, "actor1": HOSTILE_ACTOR, "location": HOSTILE_PLACE})
    text = layer_string(livemap.event_layer(events, plan_layer(events), title="<b>x</b>"))
    for raw in ("<script>alert", "<img src=x", "<svg onload", "<b>x</b>"):
        assert raw not in text


@pytest.mark.parametrize("mode", ["points", "clusters", "density"])
def test_every_drawing_of_no_events(make_events, mode):
    events = make_events({}).iloc[0:0]
    page = render_with(livemap.event_layer(events, plan_layer(events, mode), fit_key="none"))
    body = json.loads(re.search(r"div\.innerHTML = (\"[^\n]*\");\n", page).group(1))
    assert "0 events" in body
    if mode != "density":
        for name in schema.EVENT_TYPES:
            assert f'{html.escape(name)} <span class="cm-muted">(0)</span>' in body

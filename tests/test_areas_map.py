"""The Areas choropleth and the region / cercle borders, rendered to HTML and read back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from conflictmap import arealayers, areas, synth

HOSTILE = "<img src=x onerror=alert(3)>"


def render(m: folium.Map) -> str:
    return m.get_root().render()


def geojson_data(page: str) -> dict:
    """The choropleth's FeatureCollection as folium wrote it into the page."""
    start = page.index('{"features"') if '{"features"' in page else page.index('{"type": "FeatureCollection"')
    decoder = json.JSONDecoder()
    data, _ = decoder.raw_decode(page[start:])
    return data


def counts_for(**per_key: int) -> pd.DataFrame:
    regions = areas.load_boundaries()
    return pd.DataFrame(
        {
            "key": regions["key"],
            "name": regions["name"],
            "admin1": regions["admin1"],
            "admin2": "",
            "events": [per_key.get(k, 0) for k in regions["key"]],
            "fatalities": [2 * per_key.get(k, 0) for k in regions["key"]],
        }
    )


def features_by_key(page: str) -> dict[str, dict]:
    return {f["properties"]["key"]: f["properties"] for f in geojson_data(page)["features"]}


def test_areas_layer_colours_each_area_by_its_class_with_a_legend() -> None:
    counts = counts_for(Mopti=400, Gao=120, Timbuktu=30, Kidal=5, Segou=1)
    page = render(arealayers.add_area_layer(folium.Map(), counts))
    props = features_by_key(page)
    assert set(props) == set(counts["key"])
    assert props["Kayes"]["fill"] == arealayers.EMPTY_COLOR  # no events
    assert props["Mopti"]["fill"] == arealayers.COUNT_COLORS[-1]  # the busiest, the darkest
    assert props["Segou"]["fill"] == arealayers.COUNT_COLORS[0]
    assert props["Mopti"]["value"] == 400 and props["Mopti"]["text"] == "400 events"
    # Ménaka is drawn inside Gao, and the tooltip says so.
    assert "Ménaka" in props["Gao"]["label"]
    legend = re.search(r'div\.innerHTML = ("[^\n]*");', page).group(1)
    assert "Events" in legend and "none" in legend and "or more" in legend
    assert '"Areas"' in page or "Areas" in page


def test_fatalities_measure_and_classes_follow_the_counts() -> None:
    counts = counts_for(Mopti=10, Gao=3)
    page = render(arealayers.add_area_layer(folium.Map(), counts, measure="fatalities"))
    props = features_by_key(page)
    assert props["Mopti"]["value"] == 20
    assert props["Mopti"]["text"] == "20 fatalities"
    assert "Fatalities" in page


def test_change_mode_shows_more_and_fewer_in_a_diverging_palette() -> None:
    now = counts_for(Mopti=50, Gao=10, Kidal=7)
    before = counts_for(Mopti=10, Gao=40, Kidal=7)
    page = render(arealayers.add_area_layer(folium.Map(), now, before=before))
    props = features_by_key(page)
    assert props["Mopti"]["value"] == 40
    assert props["Mopti"]["fill"] == arealayers.CHANGE_COLORS[-1]  # many more: dark red
    assert props["Gao"]["fill"] == arealayers.CHANGE_COLORS[0]  # many fewer: dark blue
    assert props["Kidal"]["fill"] == arealayers.CHANGE_COLORS[2]  # the same
    assert "+40 against 10" in props["Mopti"]["text"]
    assert "change against the period before" in page
    legend = re.search(r'div\.innerHTML = ("[^\n]*");', page).group(1)
    assert "more by 20 or more" in legend and "fewer by 1–19" in legend and "no change" in legend


def test_names_from_data_are_escaped_in_tooltips_legend_and_labels(tmp_path: Path) -> None:
    shapes = gpd.GeoDataFrame({"name": [HOSTILE, "Plain"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    path = tmp_path / "hostile.geojson"
    shapes.to_file(path, driver="GeoJSON")
    table = areas.load_boundaries("admin1", path)
    events = pd.DataFrame({"longitude": [0.5, 0.5, 1.5], "latitude": [0.5, 0.5, 0.5], "fatalities": [0, 1, 0]})
    counts = areas.area_counts(events, areas=table)
    m = folium.Map()
    arealayers.add_area_layer(m, counts, areas=table)
    arealayers.add_area_borders(m, regions=table)
    page = render(m)
    assert HOSTILE not in page
    assert "onerror=alert(3)>" not in page
    assert "&lt;img" in json.dumps(features_by_key(page))
    assert "textContent = l[2]" in page


def test_borders_show_regions_from_zoom_5_and_cercles_from_zoom_7(tmp_path: Path) -> None:
    cercles = gpd.GeoDataFrame({"shapeName": ["Bandiagara"]}, geometry=[box(-4.0, 13.5, -2.5, 15.0)], crs=4326)
    path = tmp_path / "cercles.geojson"
    cercles.to_file(path, driver="GeoJSON")
    m = arealayers.add_area_borders(folium.Map(), cercles=areas.load_boundaries("admin2", path))
    page = render(m)
    levels = json.loads(re.search(r"var levels = (\[.*?\]);\n", page, re.S).group(1))
    assert [(lv["level"], lv["minZoom"]) for lv in levels] == [("admin1", 5), ("admin2", 7)]
    names = {label[2] for label in levels[0]["labels"]}
    assert {"Tombouctou", "Ségou", "Mopti", "Bamako"} <= names
    assert [label[2] for label in levels[1]["labels"]] == ["Bandiagara"]
    assert "map.getZoom() >= level.minZoom" in page
    # Simplified for the page: the regions' borders are well under the shipped file's size.
    assert len(json.dumps(levels[0]["shapes"])) < 60_000


def test_counts_from_events_drive_the_layer() -> None:
    events = synth.synth_events(2000, seed=3)
    counts = areas.area_counts(events)
    page = render(arealayers.add_area_layer(folium.Map(), counts))
    props = features_by_key(page)
    assert sum(p["value"] for p in props.values()) == counts.loc[counts["key"] != "", "events"].sum()


@pytest.mark.parametrize("values", [[0, 0, 0], [5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]])
def test_count_breaks_start_at_one_and_rise(values) -> None:
    breaks = arealayers.count_breaks(values)
    assert breaks[0] == 1
    assert breaks == sorted(set(breaks))
    assert len(breaks) <= len(arealayers.COUNT_COLORS)


def test_heat_layer_payload_is_bounded_and_served_locally() -> None:
    from conflictmap.assets import use_local_assets

    events = synth.synth_events(50_000, seed=2)
    points = arealayers.heat_points(events, cell_deg=0.01, max_points=500)
    assert len(points) == 500
    assert points[0, 2] >= points[-1, 2]  # the busiest cells kept
    whole = arealayers.heat_points(events, cell_deg=0.5)
    assert whole[:, 2].sum() == len(events)
    m = arealayers.add_heat_layer(folium.Map(), events, cell_deg=0.01, max_points=500)
    page = render(use_local_assets(m))
    assert "L.heatLayer(" in page
    assert "/app/static/vendor/leaflet.heat/leaflet-heat.js" in page
    assert "cdn.jsdelivr" not in page
    assert len(page) < 200_000


@pytest.mark.parametrize(
    ("state", "key"),
    [
        (
            {"last_active_drawing": {"type": "Feature", "properties": {"key": "Mopti/Bandiagara", "value": 3}}},
            "Mopti/Bandiagara",
        ),
        ({"last_active_drawing": None}, None),
        ({"last_active_drawing": {"properties": {"name": "a drawn shape"}}}, None),
        (None, None),
    ],
)
def test_the_clicked_area_is_read_from_the_maps_state(state, key) -> None:
    assert arealayers.clicked_area(state) == key

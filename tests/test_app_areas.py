"""The map's Areas, Heat and Playback drawings under AppTest: counts per region, a click that filters, frames."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from builders import build_events
from pagetools import folium_args, make_page, plain

# Invented events: Mopti busy, Gao and Kidal less so, one event with no region in its file (Mopti by its point),
# two with a month's precision only. 2023: Mopti grows from the first half to the second.
MOPTI, GAO, KIDAL = (14.49, -4.19), (16.27, -0.04), (18.44, 1.41)
ROWS = [
    *(
        {"event_date": f"2023-{m:02d}-10", "admin1": "Mopti", "latitude": MOPTI[0], "longitude": MOPTI[1]}
        for m in (2, 8)
    ),
    *(
        {"event_date": f"2023-{m:02d}-12", "admin1": "Mopti", "latitude": MOPTI[0] + 0.1, "longitude": MOPTI[1]}
        for m in (9, 10, 11)
    ),
    {"event_date": "2023-09-20", "admin1": "", "latitude": MOPTI[0] - 0.1, "longitude": MOPTI[1], "fatalities": 4},
    {"event_date": "2023-03-05", "admin1": "Gao", "latitude": GAO[0], "longitude": GAO[1], "fatalities": 7},
    {"event_date": "2023-10-01", "admin1": "Gao", "latitude": GAO[0], "longitude": GAO[1], "time_precision": 3},
    {"event_date": "2023-05-15", "admin1": "Kidal", "latitude": KIDAL[0], "longitude": KIDAL[1], "time_precision": 3},
]


@pytest.fixture
def events_csv(tmp_path):
    path = tmp_path / "areas.csv"
    build_events(*({"time_precision": 1, "fatalities": 1} | r for r in ROWS)).drop(columns="geometry").to_csv(
        path, index=False
    )
    return path


def area_features(args: dict) -> dict[str, dict]:
    """The Areas layer's features by key, from the feature group's script."""
    found = {}
    for blob in re.findall(r"(\{\"features\": \[.*?\], \"type\": \"FeatureCollection\"\})", args["feature_group"]):
        for feature in json.loads(blob)["features"]:
            key = feature["properties"].get("key")
            if key is not None:
                found[key] = feature["properties"]
    return found


def test_areas_colour_each_region_by_its_events(monkeypatch, events_csv):
    at = make_page(monkeypatch, data=events_csv, query={"view": "areas"}).run()
    assert not at.exception
    (args,) = folium_args(at)
    features = area_features(args)
    assert features, args["feature_group"][:500]
    # The row with no region lies in Mopti by its point.
    expected = Counter(r["admin1"] or "Mopti" for r in ROWS)
    assert {k: f["value"] for k, f in features.items() if f["value"]} == dict(expected)
    assert len(features) > len(expected), "the regions without events are drawn too"


def click_area(at, key: str, lat: float, lng: float):
    """What st_folium reports after a click on one area of the Areas layer."""
    at.session_state["event_map"] = {
        "last_active_drawing": {"type": "Feature", "properties": {"key": key}},
        "last_object_clicked": {"lat": lat, "lng": lng},
    }
    return at.run()


def test_a_click_on_a_region_filters_on_it_and_the_link_keeps_it(monkeypatch, events_csv):
    at = make_page(monkeypatch, data=events_csv, query={"view": "areas"}).run()
    click_area(at, "Mopti", *MOPTI)
    assert not at.exception
    # The derived region counts: six Mopti events, one of them with no region in its file.
    assert at.query_params["area"] in ("Mopti", ["Mopti"])
    captions = [plain(c.value) for c in at.caption]
    assert any(" · 6 of 9 events · " in c for c in captions), captions
    features = area_features(folium_args(at)[0])
    assert features["Mopti"]["value"] == 6 and features["Gao"]["value"] == 0
    # The same click again changes nothing; the button clears the filter.
    click_area(at, "Mopti", *MOPTI)
    assert at.query_params["area"] in ("Mopti", ["Mopti"])
    at.button(key="clear_area").click().run()
    assert "area" not in at.query_params
    assert area_features(folium_args(at)[0])["Gao"]["value"] == 2


def test_a_link_with_an_area_opens_filtered(monkeypatch, events_csv):
    at = make_page(monkeypatch, data=events_csv, query={"view": "areas", "area": "Gao"}).run()
    assert not at.exception
    features = area_features(folium_args(at)[0])
    assert features["Gao"]["value"] == 2 and features["Mopti"]["value"] == 0


def test_change_against_the_period_before_colours_more_and_fewer(monkeypatch, events_csv):
    query = {"view": "areas", "from": "2023-07-01", "to": "2023-12-31"}
    at = make_page(monkeypatch, data=events_csv, query=query).run()
    assert not at.exception
    at.toggle(key="map_area_change").set_value(True).run()
    assert not at.exception
    args = folium_args(at)[0]
    features = area_features(args)
    # Mopti: 5 events from July on against 1 in the period before; Kidal: none against 1.
    assert "+4" in features["Mopti"]["text"], features["Mopti"]
    assert "-1" in features["Kidal"]["text"] or "\u22121" in features["Kidal"]["text"], features["Kidal"]
    # The period before is as long: 184 days.
    assert "change against 29 Dec 2022 – 30 Jun 2023" in args["feature_group"]


def test_heat_draws_hot_spots_with_a_bounded_payload(monkeypatch, events_csv):
    at = make_page(monkeypatch, data=events_csv, query={"view": "heat"}).run()
    assert not at.exception
    (args,) = folium_args(at)
    assert "L.heatLayer(" in args["feature_group"]
    assert "leaflet-heat.js" in " ".join(args["js_links"])
    # Every script from the app's own files, none from a CDN the layer's plugin names.
    assert all(link.startswith("/app/static/vendor/") for link in args["js_links"] + args["css_links"])
    assert "9 events in" in args["feature_group"]


def playback_data(at) -> dict:
    """The frames the map's playback control holds."""
    (args,) = folium_args(at)
    (data,) = [json.loads(d) for d in re.findall(r"var data = (\{.*\});\n", args["script"]) if '"frames"' in d]
    return data


def test_playback_plays_the_filtered_period_by_the_chosen_step(monkeypatch, events_csv):
    query = {"view": "playback", "from": "2023-01-01", "to": "2023-12-31"}
    at = make_page(monkeypatch, data=events_csv, query=query).run()
    assert not at.exception
    data = playback_data(at)
    assert len(data["labels"]) == 12 and data["labels"][0] == "Jan 2023"
    # The timeline shows the frames the map steps through.
    captions = [plain(c.value) for c in at.caption]
    assert any(c.startswith("Playback: 12 frames of a month;") and "(2 in all)" in c for c in captions), captions
    # February: one Mopti event; May: Kidal's month-precise event, drawn as imprecise.
    assert [f["n"] for f in data["frames"]][:5] == [0, 1, 1, 0, 1]
    assert [p[3] for p in data["frames"][4]["p"]] == [True]
    at.segmented_control(key="map_play_step").set_value("week").run()
    assert not at.exception
    assert len(playback_data(at)["labels"]) >= 52
    at.segmented_control(key="map_play_mode").set_value("cumulative").run()
    assert playback_data(at)["frames"][-1]["n"] == 9


@pytest.mark.parametrize("backend", ["geopackage", "postgis"])
def test_the_database_gives_the_map_the_same_areas_hot_spots_and_frames(request, tmp_path, backend):
    from conflictmap import areas
    from conflictmap.filters import FilterSpec
    from conflictmap.pageviews import DatabaseViews, MemoryViews
    from conflictmap.store import GeoPackageStore

    if backend == "geopackage":
        store = GeoPackageStore(tmp_path / "events.gpkg")
    else:
        from conflictmap.store.postgis import PostGISStore

        cluster = request.getfixturevalue("pg_cluster")
        store = PostGISStore(cluster.new_database())
    # Every event named by its file as the region its point lies in: names and points agree.
    named = [r for r in ROWS if r["admin1"]]
    store.import_events(build_events(*({"time_precision": 1, "fatalities": 1} | r for r in named)), source="t")
    db, mem = DatabaseViews(store), MemoryViews(store.query())
    regions = areas.load_boundaries("admin1")
    try:
        for spec in (FilterSpec(), FilterSpec(date_from="2023-07-01", date_to="2023-12-31"), FilterSpec(areas=["Gao"])):
            here, there = mem.area_counts(spec, regions, True), db.area_counts(spec, regions, True)
            cols = ["key", "events", "fatalities"]
            assert here.now[cols].to_dict("records") == there.now[cols].to_dict("records")
            assert here.previous == there.previous
            if here.before is not None:
                assert here.before[cols].to_dict("records") == there.before[cols].to_dict("records")
            assert mem.heat_points(spec, 7)[:, 2].sum() == db.heat_points(spec, 7)[:, 2].sum()
            frames = [mem.playback(spec, "month", "window"), db.playback(spec, "month", "window")]
            assert frames[0].counts().equals(frames[1].counts())
    finally:
        db.close()


MOPTI_BOX = [[-4.5, 14.2], [-4.5, 14.8], [-3.9, 14.8], [-3.9, 14.2], [-4.5, 14.2]]
#: Inside its box are all six Mopti events; its lower edge passes between the southern one and the rest.
MOPTI_TRIANGLE = [[-4.5, 14.285], [-3.9, 14.585], [-4.5, 14.75], [-4.5, 14.285]]
MOPTI_POLY = "-4.5,14.285;-3.9,14.585;-4.5,14.75"


def test_a_box_drawn_on_the_map_selects_the_events_inside_it(monkeypatch, events_csv):
    at = make_page(monkeypatch, data=events_csv).run()
    drawn = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [MOPTI_BOX]}}
    at.session_state["event_map"] = {"all_drawings": [drawn], "last_active_drawing": drawn}
    at.run()
    assert not at.exception
    assert at.query_params["bbox"] in ("-4.5,14.2,-3.9,14.8", ["-4.5,14.2,-3.9,14.8"])
    captions = [plain(c.value) for c in at.caption]
    assert any(" · 6 of 9 events · " in c for c in captions), captions
    at.button(key="clear_box").click().run()
    assert "bbox" not in at.query_params
    # The box still drawn is not taken again.
    captions = [plain(c.value) for c in at.caption]
    assert any(" · 9 of 9 events · " in c or "9 events" in c for c in captions), captions
    # A polygon drawn next replaces the box: its slanted lower edge leaves out the southern Mopti event.
    polygon = {
        "type": "Feature",
        "properties": {"shape": "polygon"},
        "geometry": {"type": "Polygon", "coordinates": [MOPTI_TRIANGLE]},
    }
    at.session_state["event_map"] = {"all_drawings": [polygon], "last_active_drawing": polygon}
    at.run()
    assert not at.exception
    assert at.query_params["poly"] in (MOPTI_POLY, [MOPTI_POLY]) and "bbox" not in at.query_params
    captions = [plain(c.value) for c in at.caption]
    assert any(" · 5 of 9 events · " in c for c in captions), captions
    (args,) = folium_args(at)
    assert args["feature_group"].count("cm-selection") == 1
    at.button(key="clear_polygon").click().run()
    assert "poly" not in at.query_params
    assert "cm-selection" not in (folium_args(at)[0]["feature_group"] or "")


def test_too_many_frames_say_so_instead_of_playing(monkeypatch, events_csv):
    query = {"view": "playback", "from": "2021-01-01", "to": "2023-12-31"}
    at = make_page(monkeypatch, data=events_csv, query=query).run()
    at.segmented_control(key="map_play_step").set_value("day").run()
    assert not at.exception
    warnings = [plain(w.value) for w in at.warning]
    assert any(w.startswith("No playback:") for w in warnings), warnings
    # The map is still there, without a playback control.
    (args,) = folium_args(at)
    assert "cmPlayback" not in args["script"]


def test_an_area_filter_can_be_cleared_from_any_drawing(monkeypatch, events_csv):
    at = make_page(monkeypatch, data=events_csv, query={"area": "Gao"}).run()
    assert not at.exception
    assert any(plain(c.value) == "Only the events in Gao." for c in at.caption)
    at.button(key="clear_area_filter").click().run()
    assert "area" not in at.query_params
    assert not any(plain(c.value).startswith("Only the events in") for c in at.caption)


def test_an_area_from_a_link_is_shown_as_typed(monkeypatch, events_csv):
    at = make_page(monkeypatch, data=events_csv, query={"view": "areas", "area": "**Gao**[x](y)"}).run()
    assert not at.exception
    label = at.button(key="clear_area").label
    assert "\\*\\*" in label and plain(label) == "Clear area: **Gao**[x](y)"


def test_areas_can_be_coloured_by_fatalities(monkeypatch, events_csv):
    at = make_page(monkeypatch, data=events_csv, query={"view": "areas"}).run()
    at.segmented_control(key="map_area_measure").set_value("fatalities").run()
    assert not at.exception
    features = area_features(folium_args(at)[0])
    # Gao: 7 and 1; Mopti: five of 1 and the one of 4 with no region in its file.
    assert features["Gao"]["value"] == 8 and features["Mopti"]["value"] == 9


def test_areas_by_cercle_count_each_cercle_by_its_points_and_a_click_filters_on_it(monkeypatch, events_csv):
    from shapely.geometry import Point

    from conflictmap import areas

    at = make_page(monkeypatch, data=events_csv, query={"view": "areas"})
    at.session_state["map_area_level"] = "admin2"
    at.run()
    assert not at.exception
    features = area_features(folium_args(at)[0])
    cercles = areas.load_boundaries("admin2")
    assert set(cercles["key"]) <= set(features)
    # Independently: each invented event tested against each cercle polygon.
    expected = {
        key: sum(shape.covers(Point(r["longitude"], r["latitude"])) for r in ROWS)
        for key, shape in zip(cercles["key"], cercles.geometry, strict=True)
    }
    assert {k: features[k]["value"] for k in expected} == expected
    assert expected["Gao/Gao"] == 2
    # A click on a cercle filters on it (its events got the cercle's name from their points).
    click_area(at, "Gao/Gao", *GAO)
    assert not at.exception
    assert at.query_params["area"] in ("Gao/Gao", ["Gao/Gao"])
    captions = [plain(c.value) for c in at.caption]
    assert any(" · 2 of 9 events · " in c for c in captions), captions


def test_published_aggregates_colour_the_areas_and_show_under_the_timeline(monkeypatch, events_csv):
    # ACLED's weekly aggregated layout, written here: Mopti 6 events, Gao 3 (in the two weeks of January 2023).
    aggregated = (
        "week,region,country,admin1,disorder_type,event_type,sub_event_type,events,fatalities,"
        "population_best,centroid_longitude,centroid_latitude\n"
        "2023-01-07,Western Africa,Mali,Mopti,Political violence,Battles,Armed clash,4,11,,-3.4,14.4\n"
        "2023-01-14,Western Africa,Mali,Mopti,Political violence,Violence against civilians,Attack,2,5,,-3.4,14.4\n"
        "2023-01-14,Western Africa,Mali,Gao,Political violence,Battles,Armed clash,3,0,,0.3,16.6\n"
    )
    at = make_page(monkeypatch, data=events_csv, query={"view": "areas"}).run()
    at.file_uploader(key="uploader").upload("mali_weekly.csv", aggregated.encode(), "text/csv").run()
    assert not at.exception
    said = " ".join(s.value for s in at.success)
    assert "3 of 3 rows of published counts loaded" in said and "no points" in said
    # The events are still drawn until the user asks for the aggregates.
    assert area_features(folium_args(at)[-1])["Mopti"]["value"] == 6
    at.toggle(key="map_area_published").set_value(True).run()
    assert not at.exception
    (args,) = folium_args(at)[-1:]
    features = area_features(args)
    assert (features["Mopti"]["value"], features["Gao"]["value"], features["Kidal"]["value"]) == (6, 3, 0)
    assert "counts published as aggregates, no points" in args["feature_group"]
    # Under the timeline, apart from the events' chart and marked as aggregates.
    captions = plain(" ".join(c.value for c in at.caption))
    assert "counts published as aggregates, no points, 9 events per week" in captions
    # The chosen dates apply to the aggregates: the second week only.
    at = make_page(monkeypatch, data=events_csv, query={"view": "areas", "from": "2023-01-14", "to": "2023-01-20"})
    at.run().file_uploader(key="uploader").upload("mali_weekly.csv", aggregated.encode(), "text/csv").run()
    at.toggle(key="map_area_published").set_value(True).run()
    assert not at.exception
    features = area_features(folium_args(at)[-1])
    assert (features["Mopti"]["value"], features["Gao"]["value"]) == (2, 3)

"""The event map: render the folium map and check the generated HTML and JavaScript."""

from __future__ import annotations

import html
import json
import re

import folium
import numpy as np
import pandas as pd
import pytest
from conftest import HOSTILE_ACTOR, HOSTILE_NOTE, HOSTILE_PLACE

from conflictmap import mapview, schema
from conflictmap.grid import aggregate_grid
from conflictmap.mapview import (
    CLUSTERS_MAX,
    EVENT_TYPE_COLORS,
    POINTS_MAX,
    PRECISION_RING_M,
    build_map,
    choose_mode,
    marker_radius,
)

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
# The only absolute URLs a map may hold: the optional online tile layers and their attribution links.
ALLOWED_URLS = {
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
    "https://www.openstreetmap.org/copyright",
    "https://carto.com/attributions",
}


def render(m: folium.Map) -> str:
    return m.get_root().render()


def payloads(page: str) -> list[dict]:
    """Every ``var data = {...};`` JSON table in the page's scripts."""
    return [json.loads(text) for text in re.findall(r"var data = (\{[^\n]*\});\n", page)]


def event_table(page: str) -> dict:
    (table,) = [p for p in payloads(page) if "fields" in p]
    return table


def rows_as_dicts(table: dict) -> list[dict]:
    fields = table["fields"]
    strings = table["strings"]
    text_fields = {"date", "date_end", "sub", "actor1", "assoc1", "actor2", "assoc2", "place", "notes", "source", "id"}
    text_fields.add("dataset")
    return [
        {f: strings[v] if f in text_fields else v for f, v in zip(fields, row, strict=True)} for row in table["rows"]
    ]


def legend_body(page: str) -> str:
    match = re.search(r"div\.innerHTML = (\"[^\n]*\");\n", page)
    assert match, "no legend in the page"
    return json.loads(match.group(1))


# -- markers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["points", "clusters"])
def test_one_marker_per_event(make_events, mode):
    events = make_events(*({"latitude": 14 + i / 10} for i in range(7)))
    table = event_table(render(build_map(events, mode=mode)))
    assert len(table["rows"]) == 7
    assert sorted(r["id"] for r in rows_as_dicts(table)) == sorted(events["event_id"])


def test_colours_follow_event_type(make_events):
    events = make_events(*({"event_type": t, "sub_event_type": schema.TAXONOMY[t][0]} for t in schema.EVENT_TYPES))
    table = event_table(render(build_map(events)))
    expected = dict(zip(events["event_id"], events["event_type"], strict=True))
    drawn = {r["id"]: table["colors"][r["type"]] for r in rows_as_dicts(table)}
    assert drawn == {event_id: EVENT_TYPE_COLORS[t] for event_id, t in expected.items()}


def test_palette_is_okabe_ito_one_colour_per_type():
    assert list(EVENT_TYPE_COLORS) == list(schema.EVENT_TYPES)
    assert set(EVENT_TYPE_COLORS.values()) <= OKABE_ITO
    assert len(set(EVENT_TYPE_COLORS.values())) == len(schema.EVENT_TYPES)


def test_precision_decides_solid_marker_or_ring(make_events):
    events = make_events(*({"geo_precision": g, "latitude": 12 + g} for g in (1, 2, 3, 4)))
    page = render(build_map(events))
    table = event_table(page)
    # Widest rings first, exact places last, so the exact places are drawn on top and take the clicks.
    assert [(r["id"], r["geo"]) for r in rows_as_dicts(table)] == [
        ("TEST-00003", 4),
        ("TEST-00002", 3),
        ("TEST-00001", 2),
        ("TEST-00000", 1),
    ]
    assert table["ring_m"] == {str(k): v for k, v in PRECISION_RING_M.items()}
    assert PRECISION_RING_M[2] < PRECISION_RING_M[3] < PRECISION_RING_M[4]
    # The drawing rule (drawn for real in test_browser.py): a circle for 1, a dashed ring in metres otherwise.
    assert re.search(r"geo === 1\s*\?\s*new Shape\(", page)
    assert "var Shape = L.CircleMarker.extend(" in page
    assert re.search(r":\s*new Ring\(.*\{\s*radius: data\.ring_m\[geo\], minPx: r\[F\.radius\]", page)


def test_radius_grows_with_fatalities_and_is_capped(make_events):
    radii = marker_radius([0, 1, 4, 25, 100, 10_000])
    assert radii[0] == mapview.MIN_RADIUS_PX
    assert np.all(np.diff(radii) >= 0)
    assert radii[-1] == mapview.MAX_RADIUS_PX
    # Square-root scale: four times the deaths, twice the growth.
    assert radii[2] - radii[0] == pytest.approx(2 * (radii[1] - radii[0]))
    events = make_events({"fatalities": 0}, {"fatalities": 25})
    rows = rows_as_dicts(event_table(render(build_map(events))))
    # The bigger marker is drawn first, so the smaller one stays visible on top of it.
    assert [(r["id"], r["radius"]) for r in rows] == [
        ("TEST-00001", round(float(marker_radius(25)), 1)),
        ("TEST-00000", mapview.MIN_RADIUS_PX),
    ]


def test_popup_fields_carry_dates_actors_place_and_precision(make_events):
    events = make_events(
        {
            "event_date": "2023-08-21",
            "date_end": "2023-08-31",
            "time_precision": 3,
            "assoc_actor_1": "Wagner Group",
            "actor2": "CMA: Coordination of Azawad Movements",
            "location": "Ber",
            "admin2": "Timbuktu",
            "admin1": "Timbuktu",
            "fatalities": 4,
            "fatalities_low": 2,
            "fatalities_high": 9,
        }
    )
    table = event_table(render(build_map(events)))
    (row,) = rows_as_dicts(table)
    assert (row["date"], row["date_end"], row["time"]) == ("2023-08-21", "2023-08-31", 3)
    assert row["assoc1"] == "Wagner Group"
    assert row["actor2"] == "CMA: Coordination of Azawad Movements"
    assert row["place"] == "Ber, Timbuktu, Mali"
    assert (row["fatalities"], row["fatalities_low"], row["fatalities_high"]) == (4, 2, 9)
    assert table["time_words"]["3"] == schema.TIME_PRECISION[3]
    assert table["geo_words"] == {str(k): html.escape(v) for k, v in schema.GEO_PRECISION.items()}


@pytest.mark.parametrize(
    "column, value",
    [("notes", HOSTILE_NOTE), ("actor1", HOSTILE_ACTOR), ("location", HOSTILE_PLACE), ("source", HOSTILE_NOTE)],
)
def test_text_from_data_is_escaped(make_events, column, value):
    page = render(build_map(make_events({column: value})))
    for raw in ("<script>alert(1)", "alert(1)</script>", "<img src=x", "<svg onload"):
        assert raw not in page
    strings = event_table(page)["strings"]
    assert html.escape(value) in strings or any(html.escape(value) in s for s in strings)


def test_title_is_escaped_in_the_legend(make_events):
    body = legend_body(render(build_map(make_events({}), title="<b>Mali</b> & co")))
    assert "&lt;b&gt;Mali&lt;/b&gt; &amp; co" in body
    assert "<b>Mali</b>" not in body


def test_legend_lists_every_type_with_its_colour_and_count(make_events):
    events = make_events({"event_type": "Riots", "sub_event_type": "Mob violence"}, {}, {})
    body = legend_body(render(build_map(events)))
    for name, colour in EVENT_TYPE_COLORS.items():
        assert f"background:{colour}" in body
        assert html.escape(name) in body
    assert 'Battles <span class="cm-muted">(2)</span>' in body
    assert 'Riots <span class="cm-muted">(1)</span>' in body
    assert "3 events" in body
    assert "ring of 10/50/150 km" in body


# -- modes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, expected",
    [
        (0, "points"),
        (1, "points"),
        (POINTS_MAX, "points"),
        (POINTS_MAX + 1, "clusters"),
        (CLUSTERS_MAX, "clusters"),
        (CLUSTERS_MAX + 1, "density"),
    ],
)
def test_auto_mode_thresholds(n, expected):
    assert choose_mode(n) == expected


def test_auto_uses_clusters_above_points_max(synthetic):
    events = synthetic(POINTS_MAX + 1)
    page = render(build_map(events))
    assert "L.markerClusterGroup(" in page
    assert len(event_table(page)["rows"]) == POINTS_MAX + 1


def test_auto_uses_the_grid_above_clusters_max(synthetic):
    events = synthetic(CLUSTERS_MAX + 1)
    page = render(build_map(events))
    assert "L.markerClusterGroup(" not in page
    assert not [p for p in payloads(page) if "fields" in p]
    (grid,) = [p for p in payloads(page) if "ramp" in p]
    assert sum(r[4] for r in grid["rows"]) == len(events)
    assert sum(r[5] for r in grid["rows"]) == int(events["fatalities"].sum())
    assert "Events per" in legend_body(page)


def test_points_mode_draws_no_cluster(make_events):
    assert "L.markerClusterGroup(" not in render(build_map(make_events({}, {}), mode="points"))


@pytest.mark.parametrize("bad", ["heatmap", "", "Points"])
def test_unknown_mode_is_refused(make_events, bad):
    with pytest.raises(ValueError, match="mode must be one of"):
        build_map(make_events({}), mode=bad)


def test_missing_columns_are_refused():
    with pytest.raises(schema.SchemaError, match="missing column"):
        build_map(pd.DataFrame({"latitude": [1.0], "longitude": [2.0]}))


def test_empty_table_gives_a_map_of_mali(make_events):
    events = make_events({}).iloc[0:0]
    page = render(build_map(events))
    assert event_table(page)["rows"] == []
    bounds = json.loads(re.search(r"\.fitBounds\(\s*(\[\[[^\]]*\],\s*\[[^\]]*\]\])", page).group(1))
    (south, west), (north, east) = bounds
    assert south < 11 and north > 24 and west < -11 and east > 3


# -- the grid -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell_deg", [0.05, 0.2, 0.25, 1.0, 5.0])
def test_aggregate_grid_sums_equal_totals(synthetic, cell_deg):
    events = synthetic(3_000)
    grid = aggregate_grid(events, cell_deg)
    assert grid["events"].sum() == len(events)
    assert grid["fatalities"].sum() == events["fatalities"].sum()
    for event_type, count in events["event_type"].astype(object).value_counts().items():
        assert grid[event_type].sum() == count
    assert (grid["lat_max"] - grid["lat_min"]).round(6).eq(cell_deg).all()
    assert not grid.duplicated(["lat_min", "lon_min"]).any()


def test_aggregate_grid_puts_each_event_in_its_cell(make_events):
    events = make_events(
        {"latitude": 14.49, "longitude": -4.19, "fatalities": 3},
        {"latitude": 14.41, "longitude": -4.01, "fatalities": 2},
        {"latitude": 13.99, "longitude": -4.19, "fatalities": 7},
    )
    grid = aggregate_grid(events, 0.5)
    cells = {(r.lat_min, r.lon_min): (r.events, r.fatalities) for r in grid.itertuples()}
    assert cells == {(14.0, -4.5): (2, 5), (13.5, -4.5): (1, 7)}


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_aggregate_grid_refuses_bad_cell_sizes(make_events, bad):
    with pytest.raises(ValueError, match="cell_deg"):
        aggregate_grid(make_events({}), bad)


# -- offline ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["points", "clusters", "density"])
def test_no_cdn_urls_anywhere(synthetic, mode):
    page = render(build_map(synthetic(50), mode=mode))
    assert set(re.findall(r"https?://[^\s\"'<>)\\]+", page)) <= ALLOWED_URLS
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", page):
        assert "//" not in tag, tag
    assert '<script src="/app/static/vendor/leaflet/leaflet.js"></script>' in page
    assert 'L.Icon.Default.imagePath = "/app/static/vendor/leaflet/images/"' in page


def test_assets_base_url_is_used(make_events):
    page = render(build_map(make_events({}), mode="clusters", assets_base_url="/assets/"))
    assert '<script src="/assets/leaflet/leaflet.js"></script>' in page
    assert '<script src="/assets/leaflet.markercluster/leaflet.markercluster.js"></script>' in page


def _tile_layers(page: str) -> dict[str, str]:
    return dict(re.findall(r"var (tile_layer_\w+) = L\.tileLayer\(\s*\"([^\"]+)\"", page))


def test_online_tiles_are_offered_but_not_shown(make_events):
    page = render(build_map(make_events({})))
    layers = _tile_layers(page)
    assert set(layers.values()) == {u for u in ALLOWED_URLS if "{z}" in u}
    for name in layers:
        assert f"{name}.addTo(" not in page
    assert "Offline map (no tiles)" in page


def test_tiles_choice_shows_that_layer(make_events):
    page = render(build_map(make_events({}), tiles="openstreetmap"))
    shown = [url for name, url in _tile_layers(page).items() if f"{name}.addTo(" in page]
    assert shown == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]


def test_unknown_tiles_are_refused(make_events):
    with pytest.raises(ValueError, match="tiles must be one of"):
        build_map(make_events({}), tiles="satellite")


# -- the basemap --------------------------------------------------------------------------------------


def test_basemap_has_mali_and_neighbours_and_town_labels(make_events):
    page = render(build_map(make_events({})))
    (outlines,) = [p for p in payloads(page) if "outlines" in p]
    iso = {f["properties"]["iso_a3"] for f in outlines["outlines"]["features"]}
    assert {"MLI", "NER", "BFA", "DZA", "MRT", "SEN", "GIN", "CIV"} <= iso
    assert outlines["highlight"] == "MLI"
    labels = json.loads(re.search(r"(\[\[[^\n]*\]\])\.forEach", page).group(1))
    kinds = {name: kind for _, _, name, kind in labels}
    assert kinds["Bamako"] == "capital"
    assert {"Timbuktu", "Gao", "Mopti", "Kidal"} <= set(kinds)
    assert set(kinds.values()) <= {"capital", "region_capital"}


# -- several datasets ---------------------------------------------------------------------------------


def test_each_dataset_gets_its_shape_and_ring_dashes(make_events):
    events = make_events(
        {"dataset": "acled"},
        {"dataset": "ucdp_ged", "latitude": 15.0},
        {"dataset": "ucdp_ged", "latitude": 16.0, "geo_precision": 3},
        {"dataset": "seed", "latitude": 17.0},
    )
    page = render(build_map(events))
    table = event_table(page)
    names = [html.unescape(n) for n in table["datasets"]]
    assert sorted(names) == ["acled", "seed", "ucdp_ged"]
    assert table["shapes"] == list(mapview.DATASET_SHAPES[:3])
    assert table["dashes"] == list(mapview.DATASET_DASHES[:3])
    for row in rows_as_dicts(table):
        assert names[row["ds"]] == row["dataset"]
    assert len({r["ds"] for r in rows_as_dicts(table)}) == 3
    body = legend_body(page)
    assert "Datasets (exact place, approximate place)" in body
    for name in names:
        assert f"{name} <span" in body
    assert body.count('class="cm-row cm-dataset"') == 3


def test_one_dataset_needs_no_dataset_legend(make_events):
    assert "Datasets" not in legend_body(render(build_map(make_events({}, {}))))


def test_given_dataset_order_is_kept(make_events):
    events = make_events({"dataset": "ucdp_ged"})
    table = mapview.event_table(events, datasets=["acled", "ucdp_ged"])
    assert table["datasets"] == ["acled", "ucdp_ged"]
    assert table["rows"][0][table["fields"].index("ds")] == 1


def test_long_notes_can_be_cut_at_a_word(make_events):
    note = "word " * 100
    events = make_events({"notes": note.strip()})
    full = mapview.event_table(events)
    cut = mapview.event_table(events, notes_max=40)
    notes_at = full["fields"].index("notes")
    assert full["strings"][full["rows"][0][notes_at]] == note.strip()
    shown = cut["strings"][cut["rows"][0][notes_at]]
    assert shown.endswith(" …") and len(shown) <= 42
    assert shown.removesuffix(" …").split(" ") == ["word"] * len(shown.removesuffix(" …").split(" "))


def test_popups_are_filled_on_click_and_end_with_the_event_id(make_events):
    page = render(build_map(make_events({})))
    # Filled before it opens, so the page can read the popup's text back; the id line comes last.
    assert re.search(r'layer\.on\("click", function \(\) \{\s*if \(!layer\._cmFilled\)', page)
    assert "layer.setPopupContent(box.firstChild);" in page
    assert re.search(r"'<div class=\"cm-muted cm-id\">' \+ S\[r\[F\.id\]\] \+", page)

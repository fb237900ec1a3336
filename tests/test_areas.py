"""Admin areas: the shipped regions, point-in-polygon counts, derived admin names and the area filter."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from conflictmap import areas, synth
from conflictmap.filters import FilterError, FilterSpec

ACLED_REGIONS = {"Bamako", "Gao", "Kayes", "Kidal", "Koulikoro", "Mopti", "Segou", "Sikasso", "Timbuktu"}


@pytest.fixture(scope="module")
def events() -> gpd.GeoDataFrame:
    return synth.synth_events(3000, seed=11)


def cercles_file(tmp_path: Path) -> Path:
    """Invented "cercles": four boxes over Mopti and Gao, named as geoBoundaries names them (no parent column)."""
    shapes = {
        "Bandiagara": box(-4.0, 13.5, -2.5, 15.0),
        "Mopti": box(-5.0, 13.5, -4.0, 15.0),
        "Gao": box(-1.0, 15.5, 1.0, 17.5),
        "Ansongo": box(-1.0, 14.8, 1.0, 15.5),
    }
    frame = gpd.GeoDataFrame({"shapeName": list(shapes)}, geometry=list(shapes.values()), crs=4326)
    path = tmp_path / "cercles.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


def brute_force_counts(events: pd.DataFrame, table: gpd.GeoDataFrame) -> dict[str, tuple[int, int]]:
    """Events and fatalities per area key by testing each point against each polygon in turn."""
    out = {key: [0, 0] for key in table["key"]}
    out[areas.OUTSIDE_KEY] = [0, 0]
    for lon, lat, fat in zip(events["longitude"], events["latitude"], events["fatalities"], strict=True):
        point = Point(lon, lat)
        key = next((k for k, g in zip(table["key"], table.geometry, strict=True) if g.covers(point)), "")
        out[key][0] += 1
        out[key][1] += int(fat)
    return {k: (v[0], v[1]) for k, v in out.items() if k or v[0]}


# -- the shipped boundaries -----------------------------------------------------------------------------


def test_shipped_regions_are_the_acled_regions_small_and_valid() -> None:
    regions = areas.load_boundaries("admin1")
    assert set(regions["key"]) == ACLED_REGIONS
    assert regions.geometry.is_valid.all()
    assert regions.crs.to_epsg() == 4326
    # Ménaka is drawn inside Gao: its ACLED name is covered there.
    assert regions.set_index("key").loc["Gao", "covers"] == ("Gao", "Menaka")
    path = Path(areas.__file__).parent / "data" / areas.SHIPPED["admin1"]
    assert path.stat().st_size < 300_000
    # No two regions overlap (a point is counted once).
    total = shapely.area(regions.geometry.values).sum()
    assert abs(shapely.union_all(regions.geometry.values).area - total) < 1e-6 * total


def test_the_regions_hold_their_capitals() -> None:
    regions = areas.load_boundaries("admin1")
    capitals = pd.DataFrame(
        {
            "longitude": [-8.0, -0.04, -11.44, 1.41, -7.56, -4.18, -6.26, -5.67, -3.0],
            "latitude": [12.65, 16.27, 14.45, 18.44, 12.86, 14.49, 13.43, 11.32, 16.77],
        }
    )
    found = regions["key"].to_numpy()[areas.area_index(capitals, regions)]
    expected = ["Bamako", "Gao", "Kayes", "Kidal", "Koulikoro", "Mopti", "Segou", "Sikasso", "Timbuktu"]
    assert found.tolist() == expected


def test_shipped_cercles_are_valid_unique_small_and_tile_their_regions() -> None:
    cercles = areas.load_boundaries("admin2")
    assert len(cercles) == 50
    assert cercles.geometry.is_valid.all()
    assert cercles["key"].is_unique
    assert set(cercles["admin1"]) == ACLED_REGIONS
    path = Path(areas.__file__).parent / "data" / areas.SHIPPED["admin2"]
    assert path.stat().st_size < 300_000
    # Simplified arc by arc, so shared borders stay shared: no two cercles overlap.
    total = shapely.area(cercles.geometry.values).sum()
    assert abs(shapely.union_all(cercles.geometry.values).area - total) < 1e-6 * total
    # Each cercle lies in the region it is keyed under (its interior point, against the shipped regions).
    regions = areas.load_boundaries("admin1")
    points = shapely.point_on_surface(cercles.geometry.values)
    inner = pd.DataFrame({"longitude": shapely.get_x(points), "latitude": shapely.get_y(points)})
    where = areas.area_index(inner, regions)
    assert regions["key"].to_numpy()[where].tolist() == cercles["admin1"].tolist()
    with pytest.raises(areas.AreaDataError, match="level 'admin3'"):
        areas.load_boundaries("admin3")


def test_every_mali_event_of_the_seed_falls_in_a_shipped_cercle() -> None:
    seed = pd.read_csv(Path(__file__).parents[1] / "data" / "seed_events.csv")
    mali = seed[seed["country"] == "Mali"]
    assert len(mali) > 0
    cercles = areas.load_boundaries("admin2")
    assert (areas.area_index(mali, cercles) >= 0).all()


def test_shipped_cercle_counts_equal_an_independent_point_in_polygon_count(events: gpd.GeoDataFrame) -> None:
    cercles = areas.load_boundaries("admin2")
    got = areas.area_counts(events, "admin2")
    assert got["events"].sum() == len(events)
    expected = brute_force_counts(events, cercles)
    assert {k: (e, f) for k, e, f in zip(got["key"], got["events"], got["fatalities"], strict=True)} == expected


def test_cercles_from_a_file_get_their_region_from_where_they_lie(tmp_path: Path) -> None:
    cercles = areas.load_boundaries("admin2", cercles_file(tmp_path))
    assert dict(zip(cercles["admin2"], cercles["admin1"], strict=True)) == {
        "Bandiagara": "Mopti",
        "Mopti": "Mopti",
        "Gao": "Gao",
        "Ansongo": "Gao",
    }
    assert "Mopti/Bandiagara" in set(cercles["key"])


def test_cercles_with_a_region_column_are_keyed_by_acleds_region_names(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"ADM2_FR": ["Goundam", "Bourem"], "ADM1_FR": ["Tombouctou", "Gao"]},
        geometry=[box(-4.0, 16.0, -3.0, 17.0), box(-0.5, 16.5, 0.5, 17.5)],
        crs=4326,
    )
    path = tmp_path / "cod.geojson"
    frame.to_file(path, driver="GeoJSON")
    cercles = areas.load_boundaries("admin2", path)
    assert cercles["key"].tolist() == ["Timbuktu/Goundam", "Gao/Bourem"]


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([{"type": "Feature", "properties": {"other": "x"}, "geometry": box(0, 0, 1, 1).__geo_interface__}], "name"),
        ([{"type": "Feature", "properties": {"name": ""}, "geometry": box(0, 0, 1, 1).__geo_interface__}], "feature 1"),
        ([{"type": "Feature", "properties": {"name": "P"}, "geometry": Point(0, 0).__geo_interface__}], "polygons"),
    ],
)
def test_bad_boundary_files_are_named_in_the_message(tmp_path: Path, features: list, message: str) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(areas.AreaDataError, match=message):
        areas.load_boundaries("admin1", path)


# -- counts ---------------------------------------------------------------------------------------------


def test_region_counts_equal_an_independent_point_in_polygon_count(events: gpd.GeoDataFrame) -> None:
    regions = areas.load_boundaries("admin1")
    got = areas.area_counts(events, "admin1")
    assert got["events"].sum() == len(events)
    expected = brute_force_counts(events, regions)
    assert {k: (e, f) for k, e, f in zip(got["key"], got["events"], got["fatalities"], strict=True)} == expected


def test_cercle_counts_equal_an_independent_point_in_polygon_count(events: gpd.GeoDataFrame, tmp_path: Path) -> None:
    cercles = areas.load_boundaries("admin2", cercles_file(tmp_path))
    got = areas.area_counts(events, areas=cercles)
    expected = brute_force_counts(events, cercles)
    assert {k: (e, f) for k, e, f in zip(got["key"], got["events"], got["fatalities"], strict=True)} == expected
    assert got.iloc[-1]["key"] == areas.OUTSIDE_KEY  # most events lie outside four boxes


@pytest.mark.parametrize("by", ["week", "month"])
def test_counts_by_period_add_up_to_the_totals(events: gpd.GeoDataFrame, by: str) -> None:
    totals = areas.area_counts(events).set_index("key")
    split = areas.area_counts(events, by=by)
    summed = split.groupby("key")[["events", "fatalities"]].sum()
    nonzero = totals[totals["events"] > 0][["events", "fatalities"]]
    pd.testing.assert_frame_equal(summed.sort_index(), nonzero.sort_index(), check_names=False)
    starts = pd.to_datetime(split["period"])
    if by == "week":
        assert (starts.dt.day_of_week == 0).all()
    else:
        assert (starts.dt.day == 1).all()


def test_counts_with_a_mask_equal_counts_of_the_filtered_copy(events: gpd.GeoDataFrame) -> None:
    spec = FilterSpec(event_types=["Battles"], date_from="2015-01-01")
    for by in (None, "month"):
        masked = areas.area_counts(events, by=by, mask=spec.mask(events))
        copied = areas.area_counts(spec.apply(events), by=by)
        pd.testing.assert_frame_equal(masked, copied)
    with pytest.raises(areas.AreaDataError, match="mask"):
        areas.area_counts(events, mask=np.ones(3, dtype=bool))


def test_counts_of_no_events_list_every_area_with_zero() -> None:
    empty = synth.synth_events(10).iloc[0:0]
    got = areas.area_counts(empty)
    assert set(got["key"]) == ACLED_REGIONS
    assert got["events"].sum() == 0


def test_change_against_the_period_before() -> None:
    regions = areas.load_boundaries()
    now = pd.DataFrame({"longitude": [-4.18, -4.18, -0.04], "latitude": [14.49, 14.49, 16.27], "fatalities": [1, 2, 0]})
    before = pd.DataFrame({"longitude": [-4.18, 1.41], "latitude": [14.49, 18.44], "fatalities": [0, 5]})
    change = areas.compare_counts(areas.area_counts(now, areas=regions), areas.area_counts(before, areas=regions))
    rows = change.set_index("key")
    assert rows.loc["Mopti", ["now", "before", "change"]].tolist() == [2, 1, 1]
    assert rows.loc["Mopti", "change_pct"] == 100.0
    assert rows.loc["Kidal", "change"] == -1
    assert np.isnan(rows.loc["Gao", "change_pct"])


# -- derived admin names --------------------------------------------------------------------------------


def test_missing_admin_names_are_derived_and_marked_and_the_files_own_win(make_events) -> None:
    table = make_events(
        {"admin1": "", "latitude": 16.27, "longitude": -0.04},  # in Gao, no region given
        {"admin1": "Mopti", "latitude": 16.27, "longitude": -0.04},  # the file says Mopti: it stays
        {"admin1": "", "latitude": 48.85, "longitude": 2.35},  # outside every area: left empty
    )
    out = areas.derive_admin_names(table)
    assert out["admin1"].astype("string").fillna("").tolist() == ["Gao", "Mopti", ""]
    # The shipped cercles fill admin2 too, but only under the row's own region: the "Mopti" row gets no Gao cercle.
    assert out["admin2"].astype("string").fillna("").tolist() == ["Gao", "", ""]
    assert out[areas.DERIVED_COLUMN].tolist() == ["admin1,admin2", "", ""]
    assert table["admin1"].astype("string").fillna("").tolist()[0] == ""  # the input is not changed


def test_cercles_are_derived_from_the_shipped_ones_and_the_files_own_win(make_events) -> None:
    table = make_events(
        {"admin1": "Gao", "admin2": "", "latitude": 15.66, "longitude": 0.50},  # Ansongo town, no cercle given
        {"admin1": "Gao", "admin2": "Menaka", "latitude": 15.66, "longitude": 0.50},  # the file's own cercle stays
    )
    out = areas.derive_admin_names(table)
    assert out["admin2"].astype("string").fillna("").tolist() == ["Ansongo", "Menaka"]
    assert out[areas.DERIVED_COLUMN].tolist() == ["admin2", ""]
    kept = FilterSpec(areas=["Gao/Ansongo"]).apply(out)
    assert kept["admin2"].astype(str).tolist() == ["Ansongo"]


def test_cercles_are_derived_when_given(make_events, tmp_path: Path) -> None:
    cercles = areas.load_boundaries("admin2", cercles_file(tmp_path))
    table = make_events({"admin2": "", "latitude": 14.3, "longitude": -3.6}, {"admin2": "Djenne"})
    out = areas.derive_admin_names(table, admin2=cercles)
    assert out["admin2"].astype("string").fillna("").tolist() == ["Bandiagara", "Djenne"]
    assert out[areas.DERIVED_COLUMN].tolist() == ["admin2", ""]


# -- the area filter ------------------------------------------------------------------------------------


def test_area_filter_on_a_region_takes_the_names_it_covers(events: gpd.GeoDataFrame) -> None:
    kept = FilterSpec(areas=["Gao"]).apply(events)
    assert set(kept["admin1"]) == {"Gao", "Menaka"}
    assert len(kept) == events["admin1"].isin(["Gao", "Menaka"]).sum()


def test_area_filter_takes_other_spellings_and_the_regions_made_since_2016(make_events) -> None:
    table = make_events(
        {"admin1": "Tombouctou"}, {"admin1": "Taoudénit"}, {"admin1": "Bandiagara"}, {"admin1": "Région de Mopti"}
    )
    assert FilterSpec(areas=["Timbuktu"]).mask(table).tolist() == [True, True, False, False]
    assert FilterSpec(areas=["Mopti"]).mask(table).tolist() == [False, False, True, True]


def test_area_filter_on_a_cercle_takes_the_pair(make_events) -> None:
    table = make_events(
        {"admin1": "Mopti", "admin2": "Bandiagara"},
        {"admin1": "Mopti", "admin2": "Djenne"},
        {"admin1": "Segou", "admin2": "Bandiagara"},
    )
    assert FilterSpec(areas=["Mopti/Bandiagara"]).mask(table).tolist() == [True, False, False]
    assert FilterSpec(areas=["Mopti/Bandiagara", "Segou"]).mask(table).tolist() == [True, False, True]


def test_area_filter_travels_in_the_url_and_reads_as_words() -> None:
    spec = FilterSpec(areas=["Mopti/Bandiagara", "Gao"], event_types=["Battles"])
    params = spec.to_query_params()
    assert params["area"] == ["Mopti/Bandiagara", "Gao"]
    assert FilterSpec.from_query_params(params) == spec
    assert "in areas Bandiagara (Mopti), Gao" in spec.describe()
    with pytest.raises(FilterError, match="areas"):
        FilterSpec(areas=[3])

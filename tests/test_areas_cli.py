"""`conflictmap areas` and `conflictmap snapshot --animate`, run as a user runs them."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import Point, box

from conflictmap import areas, synth
from conflictmap.filters import FilterSpec
from conflictmap.readers import write_events


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, gpd.GeoDataFrame]:
    events = synth.synth_events(4000, seed=9)
    path = tmp_path_factory.mktemp("areas") / "events.parquet"
    write_events(events, path)
    return path, events


def test_areas_csv_counts_equal_an_independent_point_in_polygon_count(run, data, tmp_path: Path) -> None:
    path, events = data
    out = tmp_path / "regions.csv"
    code, stdout, stderr = run("areas", path, "--type", "Battles", "-o", out)
    assert code == 0, stderr
    assert "9 areas" in stdout
    got = pd.read_csv(out, keep_default_na=False).set_index("key")
    chosen = FilterSpec(event_types=["Battles"]).apply(events)
    regions = areas.load_boundaries("admin1")
    for key, shape in zip(regions["key"], regions.geometry, strict=True):
        inside = [shape.covers(Point(x, y)) for x, y in zip(chosen["longitude"], chosen["latitude"], strict=True)]
        assert got.loc[key, "events"] == sum(inside), key
        assert got.loc[key, "fatalities"] == chosen["fatalities"][inside].sum(), key


def test_areas_by_month_with_the_shipped_cercles(run, data, tmp_path: Path) -> None:
    path, events = data
    out = tmp_path / "cercles.csv"
    code, _, stderr = run("areas", path, "--level", "admin2", "--by", "month", "-o", out)
    assert code == 0, stderr
    got = pd.read_csv(out, keep_default_na=False)
    cercles = areas.load_boundaries("admin2")
    assert set(got["key"]) <= set(cercles["key"]) | {""}
    # Each event counted once, in the cercle its point lies in (checked one point at a time).
    inside = {
        key: int(sum(geom.covers(Point(x, y)) for x, y in zip(events["longitude"], events["latitude"], strict=True)))
        for key, geom in zip(cercles["key"], cercles.geometry, strict=True)
    }
    totals = got.groupby("key")["events"].sum()
    assert {k: int(totals.get(k, 0)) for k in inside} == inside
    assert got["events"].sum() == len(events)


def test_areas_by_week_with_cercles_from_a_file(run, data, tmp_path: Path) -> None:
    path, events = data
    cercles = gpd.GeoDataFrame(
        {"shapeName": ["Bandiagara", "Douentza"]},
        geometry=[box(-4.0, 13.5, -2.5, 14.8), box(-3.0, 14.8, -1.5, 15.8)],
        crs=4326,
    )
    shapes = tmp_path / "cercles.geojson"
    cercles.to_file(shapes, driver="GeoJSON")
    out = tmp_path / "cercles.csv"
    code, _, stderr = run("areas", path, "--level", "admin2", "--boundaries", shapes, "--by", "week", "-o", out)
    assert code == 0, stderr
    got = pd.read_csv(out, keep_default_na=False)
    assert set(got["key"]) <= {"Mopti/Bandiagara", "Mopti/Douentza", ""}
    assert (pd.to_datetime(got["period"]).dt.day_of_week == 0).all()
    assert got["events"].sum() == len(events)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--level", "admin3"), "invalid choice"),
        (("--boundaries", "missing.geojson"), "no such boundaries file"),
        (("--by", "year"), "invalid choice"),
    ],
)
def test_areas_errors_are_one_line(run, data, tmp_path: Path, argv, message) -> None:
    path, _ = data
    code, _, stderr = run("areas", path, *argv, "-o", tmp_path / "x.csv")
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr


def test_snapshot_animate_writes_one_frame_per_week(run, data, tmp_path: Path) -> None:
    path, _ = data
    out = tmp_path / "weeks.gif"
    code, stdout, stderr = run(
        "snapshot",
        path,
        "--animate",
        "week",
        "--from",
        "2022-01-03",
        "--to",
        "2022-02-27",
        "--area",
        "Mopti",
        "-o",
        out,
    )
    assert code == 0, stderr
    assert "wrote 8 frames" in stdout
    with Image.open(out) as image:
        assert image.n_frames == 8
    stored = areas_provenance(out)
    assert stored["filter_params"]["area"] == ["Mopti"]
    assert stored["drawing"]["frames"][0] == "Week of 3 Jan 2022"


def areas_provenance(path: Path) -> dict:
    from conflictmap.export.animate import read_animation_provenance

    return read_animation_provenance(path)


def test_snapshot_gif_without_animate_says_what_is_missing(run, data, tmp_path: Path) -> None:
    path, _ = data
    code, _, stderr = run("snapshot", path, "-o", tmp_path / "x.gif")
    assert code == 2
    assert "--animate" in stderr


FIXTURES = Path(__file__).parent / "fixtures" / "areas"


def test_areas_on_an_aggregates_file_counts_its_rows(run, tmp_path: Path) -> None:
    out = tmp_path / "agg.csv"
    code, stdout, stderr = run("areas", FIXTURES / "acled_aggregated.csv", "--to", "2023-01-31", "-o", out)
    assert code == 0, stderr
    assert "aggregates" in stdout and "ACLED aggregated" in stdout
    assert "row 6, column 'events'" in stderr  # the bad rows are reported, the others counted
    got = pd.read_csv(out, keep_default_na=False).set_index("key")
    assert got.loc["Mopti", "events"] == 6 and got.loc["Gao", "events"] == 4


def test_areas_on_aggregates_refuses_filters_they_cannot_answer(run, tmp_path: Path) -> None:
    code, _, stderr = run("areas", FIXTURES / "hapi_conflict_events.csv", "--actor", "JNIM", "-o", tmp_path / "x.csv")
    assert code == 2
    assert "dates and event types only, not by actors" in stderr

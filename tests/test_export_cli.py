"""`conflictmap snapshot`, `conflictmap export` and `conflictmap info` on exports, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from conflictmap.export import read_provenance, sidecar_path
from conflictmap.filters import FilterSpec
from conflictmap.readers import read_events

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "mixed_events.csv"


def test_snapshot_png_with_filters_and_width(run, tmp_path):
    out = tmp_path / "gao.png"
    code, stdout, stderr = run(
        "snapshot", FIXTURE, "--from", "2023-06-01", "--to", "2023-08-31", "--region", "Gao", "--title", "Gao, summer",
        "--width", 1000, "-o", out,
    )  # fmt: skip
    assert code == 0, stderr
    assert "wrote 2 events" in stdout and str(out) in stdout
    with Image.open(out) as image:
        assert image.size[0] == 1000
    prov = read_provenance(out)
    assert prov.title == "Gao, summer" and prov.events == 2
    assert prov.spec == FilterSpec(date_from="2023-06-01", date_to="2023-08-31", admin1=("Gao",))
    assert [(s.file, s.format, s.rows_loaded) for s in prov.sources] == [(FIXTURE.name, "canonical", 9)]


def test_the_view_link_names_a_file_the_dashboard_lists_and_the_drawing(run, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    data = folder / "mali.csv"
    data.write_bytes(FIXTURE.read_bytes())
    monkeypatch.setenv("CONFLICTMAP_DATA_DIR", str(folder))
    out = tmp_path / "m.svg"
    assert run("snapshot", data, "--region", "Gao", "--mode", "density", "-o", out)[0] == 0
    assert read_provenance(out).view_url == "http://127.0.0.1:8501/?region=Gao&src=mali.csv&view=density"
    elsewhere = tmp_path / "other.csv"
    elsewhere.write_bytes(FIXTURE.read_bytes())
    assert run("snapshot", elsewhere, "--region", "Gao", "-o", out)[0] == 0
    assert read_provenance(out).view_url == "http://127.0.0.1:8501/?region=Gao"


def test_repeated_and_multi_value_options_mean_what_the_dashboard_means(run, tmp_path):
    out = tmp_path / "two.csv"
    code, _, stderr = run(
        "export", FIXTURE, "--type", "Battles", "Riots", "--type", "Protests", "--actor", "JNIM", "-o", out
    )
    assert code == 0, stderr
    spec = FilterSpec(event_types=("Battles", "Riots", "Protests"), actors=("JNIM",))
    events, _ = read_events(FIXTURE)
    expected = sorted(spec.apply(events)["event_id"])
    assert sorted(read_events(out)[0]["event_id"]) == expected and expected == ["MIX-01", "MIX-06"]
    assert read_provenance(out).spec == spec


def test_view_url_restores_a_filter_and_options_refine_it(run, tmp_path):
    out = tmp_path / "view.geojson"
    url = "http://127.0.0.1:8501/?type=Battles&region=Gao&region=Kidal&minfat=1"
    code, _, stderr = run("export", FIXTURE, "--view", url, "--region", "Gao", "-o", out)
    assert code == 0, stderr
    prov = read_provenance(out)
    assert prov.spec == FilterSpec(event_types=("Battles",), admin1=("Gao",), min_fatalities=1)
    assert prov.events == 1


def test_within_a_polygon_from_a_geojson_file_or_its_vertices(run, tmp_path):
    ring = [[-4, 16], [0, 16], [-0.3494, 16.9534], [-4, 17], [-4, 16]]  # a corner on MIX-01's point
    shape = tmp_path / "drawn.geojson"
    geometry = {"type": "Polygon", "coordinates": [ring]}
    shape.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": geometry}]}))
    events, _ = read_events(FIXTURE)
    spec = FilterSpec(polygon=ring)
    for given in (shape, ";".join(f"{x},{y}" for x, y in ring)):
        out = tmp_path / "inside.csv"
        # Vertices with a leading minus take the form --within-polygon=..., as --bbox does.
        code, _, stderr = run("export", FIXTURE, f"--within-polygon={given}", "-o", out)
        assert code == 0, stderr
        found = sorted(read_events(out)[0]["event_id"])
        assert found == sorted(spec.apply(events)["event_id"]) == ["MIX-01", "MIX-06", "MIX-08"]
        assert read_provenance(out).spec == spec
    shape.write_text(json.dumps({"type": "MultiPolygon", "coordinates": [[ring]]}))
    code, _, stderr = run("export", FIXTURE, "--within-polygon", shape, "-o", tmp_path / "x.csv")
    assert code == 2 and "holds MultiPolygon; expected one Polygon" in stderr


def test_export_acled_layout_and_sidecar(run, tmp_path):
    out = tmp_path / "acled.csv"
    code, stdout, _ = run("export", FIXTURE, "--layout", "acled", "-o", out)
    assert code == 0
    assert sidecar_path(out).name in stdout
    events, report = read_events(out)
    assert report.format == "acled" and len(events) == 9
    assert json.loads(sidecar_path(out).read_text(encoding="utf-8"))["layout"] == "acled"


@pytest.mark.parametrize("suffix", [".html", ".pdf", ".svg"])
def test_info_on_a_map_export_shows_its_provenance(run, tmp_path, suffix):
    out = tmp_path / f"map{suffix}"
    assert run("snapshot", FIXTURE, "--dataset", "acled", "-o", out)[0] == 0
    code, stdout, stderr = run("info", out)
    assert code == 0, stderr
    assert stdout.startswith(f"file: {out} (map export)")
    assert "filter: dataset: acled" in stdout
    assert "view: http://127.0.0.1:8501/?dataset=acled" in stdout
    assert "events: 5 (" in stdout
    assert "Armed Conflict Location & Event Data Project (ACLED); www.acleddata.com" in stdout
    assert "sha256 " in stdout


def test_info_on_a_data_export_keeps_the_summary_and_adds_the_provenance(run, tmp_path):
    out = tmp_path / "events.gpkg"
    run("export", FIXTURE, "--region", "Timbuktu", "-o", out)
    code, stdout, _ = run("info", out)
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0] == f"file: {out} (canonical)" and lines[1] == "events: 2"
    assert "provenance:" in lines and "  filter: region: Timbuktu" in lines


def test_info_on_a_plain_event_file_is_unchanged(run):
    code, stdout, _ = run("info", FIXTURE)
    assert code == 0 and "events: 9" in stdout and "provenance" not in stdout


def test_a_filter_matching_nothing_still_writes_and_says_so(run, tmp_path):
    out = tmp_path / "none.png"
    code, _, stderr = run("snapshot", FIXTURE, "--region", "Kayes", "-o", out)
    assert code == 0 and out.is_file()
    assert "no event of" in stderr and "region: Kayes" in stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["snapshot", FIXTURE, "-o", "{tmp}/map.jpg"], "expected a name ending in .html, .png, .pdf, .svg"),
        (["export", FIXTURE, "-o", "{tmp}/map.png"], "expected a name ending in .csv, .geojson, .gpkg"),
        (["snapshot", FIXTURE, "--type", "Battle", "-o", "{tmp}/m.png"], "unknown event type 'Battle'"),
        (["snapshot", FIXTURE, "--dpi", "2", "-o", "{tmp}/m.png"], "dpi 2.0 is out of range"),
        (["snapshot", FIXTURE, "--width", "900", "-o", "{tmp}/m.pdf"], "apply to PNG images"),
        (["snapshot", FIXTURE, "--mode", "clusters", "-o", "{tmp}/m.png"], "mode must be one of"),
        (["export", FIXTURE, "--layout", "acled", "-o", "{tmp}/m.gpkg"], "acled layout is for CSV"),
        (["snapshot", "{tmp}/missing.csv", "-o", "{tmp}/m.png"], "no such file"),
        (["snapshot", FIXTURE, "-o", "{tmp}/no/such/folder/m.png"], "does not exist"),
        (["export", FIXTURE, "-o", FIXTURE], "is the input file"),
        (["snapshot", FIXTURE, "--from", "2023-09-01", "--to", "2023-08-01", "-o", "{tmp}/m.png"], "is after"),
        (["export", FIXTURE, "--within-polygon", "1,2;3,4", "-o", "{tmp}/m.csv"], "expected at least 3 vertices"),
    ],
)
def test_mistakes_give_one_line_and_exit_2(run, tmp_path, argv, message):
    code, _, stderr = run(*(str(a).replace("{tmp}", str(tmp_path)) for a in argv))
    assert code == 2
    assert stderr.startswith("conflictmap: error: ") and stderr.count("\n") == 1, stderr
    assert message in stderr
    assert "Traceback" not in stderr
    assert FIXTURE.read_text(encoding="utf-8").startswith("event_id,dataset")


def test_bad_dates_are_refused_by_the_option_parser(run, tmp_path):
    code, _, stderr = run("snapshot", FIXTURE, "--from", "1 Aug 2023", "-o", tmp_path / "m.png")
    assert code == 2 and "expected YYYY-MM-DD" in stderr

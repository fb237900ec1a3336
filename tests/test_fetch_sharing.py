"""Licence-aware sharing: ACLED's note before an export, the aggregates-only variant, licences in provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from conflictmap.export import (
    LICENCES,
    aggregate_events,
    read_provenance,
    sharing_notice,
    write_aggregates,
    write_export,
)
from conflictmap.filters import FilterSpec
from conflictmap.readers import read_events

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "mixed_events.csv"


@pytest.fixture(scope="module")
def events():
    return read_events(FIXTURE)[0]


def test_the_notice_names_acled_terms_only_when_acled_events_are_exported(events):
    assert "not redistributed" in sharing_notice(events)
    assert "aggregates-only" in sharing_notice(events)
    assert sharing_notice(events[events["dataset"] != "acled"]) == ""
    assert sharing_notice(["ucdp_ged", "manual"]) == ""
    assert "counts per area only" in sharing_notice(["acled"], kind="aggregates")
    assert "density" in sharing_notice(["acled"], kind="map")
    with pytest.raises(ValueError, match="kind must be one of"):
        sharing_notice(["acled"], kind="poster")


def test_aggregates_by_admin1_hold_counts_and_no_event_text(events):
    table = aggregate_events(events, by="admin1")
    assert int(table["events"].sum()) == len(events)
    assert int(table["fatalities"].sum()) == int(events["fatalities"].sum())
    assert "notes" not in table.columns and "event_id" not in table.columns and "actor1" not in table.columns
    gao = table[(table["country"] == "Mali") & (table["admin1"] == "Gao")].iloc[0]
    assert gao["events"] == int(((events["admin1"] == "Gao") & (events["country"] == "Mali")).sum())
    assert {"Battles", "Riots", "Protests"} <= set(table.columns)
    text = table.drop(columns="geometry").to_csv()
    for note in events["notes"].dropna():
        assert note not in text


def test_aggregates_by_cell_use_square_cells(events):
    table = aggregate_events(events, by="cell", cell_deg=1)
    assert int(table["events"].sum()) == len(events)
    assert ((table["east"] - table["west"]) == 1).all() and ((table["north"] - table["south"]) == 1).all()
    bourem = table[(table["west"] == -1) & (table["south"] == 16)]
    assert len(bourem) == 1
    assert bourem.geometry.iloc[0].bounds == (-1.0, 16.0, 0.0, 17.0)


@pytest.mark.parametrize(
    ("by", "cell", "message"), [("district", 0.5, "aggregates are by one of"), ("cell", 50, "cell size")]
)
def test_bad_aggregate_options_are_named(events, by, cell, message):
    with pytest.raises(ValueError, match=message):
        aggregate_events(events, by=by, cell_deg=cell)


def test_write_aggregates_records_provenance_with_the_licences(events, tmp_path):
    prov, written = write_aggregates(events, FilterSpec(), tmp_path / "counts.csv", by="admin1")
    assert [p.name for p in written] == ["counts.csv", "counts.csv.provenance.json"]
    assert prov.layout == "aggregates by admin1"
    stored = read_provenance(written[0])
    licences = {d.name: d.licence for d in stored.datasets}
    assert licences["acled"] == LICENCES["acled"] and licences["ucdp_ged"] == LICENCES["ucdp_ged"]
    assert licences["manual"] == ""
    rows = pd.read_csv(written[0])
    assert "notes" not in rows.columns and int(rows["events"].sum()) == len(events)

    prov, (geo,) = write_aggregates(events, FilterSpec(), tmp_path / "cells.geojson", by="cell", cell_deg=0.5)
    data = json.loads(geo.read_text())
    assert data["_provenance"]["layout"] == "aggregates by 0.5° cell"
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_every_export_records_each_sources_licence(events, tmp_path):
    prov, _ = write_export(events, FilterSpec(), tmp_path / "all.geojson")
    assert {d.name: d.licence for d in prov.datasets}["acled"] == LICENCES["acled"]
    assert any(line.strip().startswith("licence: ACLED Terms of Use") for line in prov.lines())


def test_cli_export_says_the_note_before_writing(run, tmp_path):
    out = tmp_path / "all.csv"
    code, stdout, stderr = run("export", FIXTURE, "-o", out)
    assert code == 0 and "wrote 9 events" in stdout
    assert stderr.startswith("note: ACLED Terms of Use") and "aggregates-only" in stderr


def test_cli_export_without_acled_events_says_nothing(run, tmp_path):
    code, _, stderr = run("export", FIXTURE, "-o", tmp_path / "ucdp.csv", "--dataset", "ucdp_ged")
    assert code == 0 and "note:" not in stderr


def test_cli_snapshot_of_acled_events_says_the_map_note(run, tmp_path):
    code, _, stderr = run("snapshot", FIXTURE, "-o", tmp_path / "map.svg")
    assert code == 0, stderr
    assert "note: ACLED Terms of Use" in stderr and "density" in stderr


def test_cli_aggregates_only(run, tmp_path):
    out = tmp_path / "cells.csv"
    code, stdout, stderr = run("export", FIXTURE, "-o", out, "--aggregates-only", "--by", "cell", "--cell-deg", "1")
    assert code == 0, stderr
    assert "counts per area only" in stderr
    assert f"wrote counts of 9 events (aggregates by 1° cell; all events) to {out}" in stdout
    rows = pd.read_csv(out)
    assert list(rows.columns[:4]) == ["west", "south", "east", "north"]


def test_cli_aggregates_only_refuses_a_kind_it_cannot_write(run, tmp_path):
    code, _, stderr = run("export", FIXTURE, "-o", tmp_path / "x.gpkg", "--aggregates-only")
    assert code == 2 and "expected a name ending in .csv, .geojson" in stderr


def test_db_export_of_acled_events_says_the_note_first(run, tmp_path):
    store = tmp_path / "s.gpkg"
    assert run("db", "import", FIXTURE, "--store", store)[0] == 0
    code, out, err = run("db", "export", tmp_path / "out.csv", "--store", store)
    assert code == 0 and err.startswith("note: ACLED Terms of Use") and "wrote 9 events" in out
    code, out, err = run("db", "export", tmp_path / "ucdp.csv", "--store", store, "--dataset", "ucdp_ged")
    assert code == 0 and "note:" not in err and "wrote 2 events" in out


def test_cli_snapshot_aggregates_only_draws_counts_without_any_event_detail(run, tmp_path, events):
    out = tmp_path / "counts.html"
    code, _, stderr = run("snapshot", FIXTURE, "-o", out, "--aggregates-only")
    assert code == 0, stderr
    assert "counts per area only" in stderr
    html = out.read_text(encoding="utf-8")
    assert read_provenance(out).drawing["mode"] == "density"
    for text in [*events["notes"].dropna(), *events["event_id"]]:
        assert text not in html


def test_cli_snapshot_aggregates_only_refuses_markers(run, tmp_path):
    code, _, stderr = run("snapshot", FIXTURE, "-o", tmp_path / "m.html", "--aggregates-only", "--mode", "points")
    assert code == 2 and "--aggregates-only draws counts per grid cell; it cannot be drawn as points" in stderr


def test_the_page_gets_the_counts_as_a_download(events):
    import io
    import zipfile
    from datetime import UTC, datetime

    from conflictmap.export import aggregates_view

    when = datetime(2024, 5, 2, tzinfo=UTC)
    result = aggregates_view(events, FilterSpec(event_types=["Battles"]), "csv", by="admin1", created=when)
    assert result.filename == "conflictmap_battles_counts-by-admin1_2024-05-02.zip"
    names = zipfile.ZipFile(io.BytesIO(result.data)).namelist()
    assert names == [
        "conflictmap_battles_counts-by-admin1_2024-05-02.csv",
        "conflictmap_battles_counts-by-admin1_2024-05-02.csv.provenance.json",
    ]
    geo = aggregates_view(events, FilterSpec(), "geojson", by="cell", created=when)
    assert geo.filename == "conflictmap_all-events_counts-by-cell_2024-05-02.geojson"
    assert geo.provenance.layout == "aggregates by 0.5° cell"

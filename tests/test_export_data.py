"""Data exports read back into the same events; the ACLED layout reads back through the ACLED reader."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from pandas.testing import assert_frame_equal

from conflictmap.export import ExportError, export_view, read_provenance, write_export
from conflictmap.export.data import ACLED_COLUMNS, acled_codes
from conflictmap.filters import FilterSpec
from conflictmap.readers import read_events
from conflictmap.schema import COLUMNS

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "mixed_events.csv"
MADE = datetime(2024, 5, 2, 14, 3, 11, tzinfo=UTC)
SPEC = FilterSpec(date_from=date(2023, 8, 1), admin1=("Gao", "Mopti", "Menaka", "Kidal", "Timbuktu"))


@pytest.fixture(scope="module")
def events():
    table, report = read_events(FIXTURE)
    assert report.rows_loaded == 9
    return table


def _same(a: pd.DataFrame, b: pd.DataFrame, columns=COLUMNS) -> None:
    assert_frame_equal(
        pd.DataFrame(a[list(columns)]).reset_index(drop=True),
        pd.DataFrame(b[list(columns)]).reset_index(drop=True),
        check_categorical=False,
    )


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg"])
def test_data_exports_read_back_into_the_filtered_events(events, tmp_path, suffix):
    path = tmp_path / f"view{suffix}"
    prov, _ = write_export(events, SPEC, path, created=MADE)
    back, report = read_events(path)
    assert report.format == "canonical" and report.rows_rejected == 0
    expected = SPEC.apply(events)
    assert len(expected) == prov.events == 5
    _same(back, expected)
    # Hostile text is data here: kept exactly as given.
    assert "<script>alert('notes')</script> invented hostile text" in set(back["notes"])


def test_the_acled_layout_reads_back_through_the_acled_reader(events, tmp_path):
    path = tmp_path / "acled.csv"
    write_export(events, FilterSpec(), path, layout="acled", created=MADE)
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert tuple(header) == ACLED_COLUMNS
    back, report = read_events(path)
    assert report.format == "acled"
    assert report.rows_loaded == len(events) and report.rows_rejected == 0
    # Actor types, interaction, iso and region the events lack are worked out (test below), so compared apart.
    worked_out = ("actor1_type", "actor2_type", "interaction", "iso", "region")
    lost = ("dataset", "date_end", "fatalities_low", "fatalities_high", "source_event_type")
    carried = [c for c in COLUMNS if c not in lost + worked_out]
    _same(back, events, carried)
    for column in worked_out:
        given = events[column].astype(object).notna().to_numpy()
        assert back[column].astype(object)[given].tolist() == events[column].astype(object)[given].tolist()
    assert set(back["dataset"].astype(str)) == {"acled"}
    # The provenance still names the datasets the rows came from.
    assert [d.name for d in read_provenance(path).datasets] == ["acled", "ucdp_ged", "manual"]


def test_acled_layout_values_are_written_as_acled_writes_them(events, tmp_path):
    path = tmp_path / "acled.csv"
    write_export(events, FilterSpec(admin1=("Gao",)), path, layout="acled", created=MADE)
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    first = rows.set_index("event_id_cnty").loc["MIX-01"]
    assert first["event_date"] == "2023-08-02" and first["year"] == "2023"
    assert first["timestamp"] == str(int(datetime(2023, 9, 12, 8, tzinfo=UTC).timestamp()))
    assert first["civilian_targeting"] == ""
    assert rows.set_index("event_id_cnty").loc["MIX-07", "timestamp"] == ""


def test_geojson_is_valid_json_with_the_record_as_a_foreign_member(events, tmp_path):
    path = tmp_path / "view.geojson"
    prov, _ = write_export(events, SPEC, path, created=MADE)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection" and len(document["features"]) == 5
    assert document["_provenance"]["view_url"] == prov.view_url
    assert len(pyogrio.read_dataframe(path)) == 5


def test_geopackage_lists_the_provenance_table_next_to_the_events(events, tmp_path):
    path = tmp_path / "view.gpkg"
    prov, _ = write_export(events, SPEC, path, created=MADE)
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert {"events", "provenance"} <= layers
    table = pyogrio.read_dataframe(path, layer="provenance")
    values = dict(zip(table["key"], table["value"], strict=True))
    assert values["view_url"] == prov.view_url and values["events"] == "5"
    with sqlite3.connect(path) as db:
        kind = db.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'provenance'").fetchone()
    assert kind == ("attributes",)
    # Writing again replaces the file rather than adding layers to it.
    write_export(events, FilterSpec(admin1=("Gao",)), path, created=MADE)
    assert read_provenance(path).events == 2
    assert len(read_events(path)[0]) == 2


def test_download_of_a_csv_is_a_zip_with_its_sidecar(events):
    result = export_view(events, SPEC, "csv", created=MADE)
    assert result.mime_type == "application/zip"
    assert result.filename.endswith("_2024-05-02.zip")
    with zipfile.ZipFile(io.BytesIO(result.data)) as archive:
        names = archive.namelist()
        csv_name = result.filename.removesuffix(".zip") + ".csv"
        assert sorted(names) == sorted([csv_name, csv_name + ".provenance.json"])
        record = json.loads(archive.read(csv_name + ".provenance.json"))
        table = pd.read_csv(archive.open(csv_name))
    assert record["events"] == len(table) == 5


@pytest.mark.parametrize("kind", ["geojson", "gpkg"])
def test_download_of_geodata(events, kind):
    result = export_view(events, SPEC, kind, created=MADE)
    assert result.filename.endswith(f".{kind}") and result.provenance.events == 5
    assert len(result.data) > 1000


def test_options_that_do_not_apply_are_refused(events, tmp_path):
    with pytest.raises(ExportError, match="acled layout is for CSV"):
        write_export(events, SPEC, tmp_path / "x.geojson", layout="acled")
    with pytest.raises(ExportError, match=r"expected a name ending in \.html"):
        write_export(events, SPEC, tmp_path / "x.xlsx")
    with pytest.raises(ExportError, match="drawing mode"):
        write_export(events, SPEC, tmp_path / "x.csv", mode="density")
    assert list(tmp_path.iterdir()) == []


def test_the_acled_layout_fills_actor_types_interaction_iso_and_region(events, tmp_path):
    path = tmp_path / "acled.csv"
    write_export(events, FilterSpec(), path, layout="acled", created=MADE)
    rows = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("event_id_cnty")
    codes = rows[["inter1", "inter2", "interaction"]]
    # State forces against a rebel group; a militia against the state; rebels against civilians.
    assert codes.loc["MIX-01"].tolist() == ["State forces", "Rebel group", "State forces-Rebel group"]
    assert codes.loc["MIX-02"].tolist() == ["Political militia", "State forces", "State forces-Political militia"]
    assert codes.loc["MIX-03"].tolist() == ["Rebel group", "Civilians", "Rebel group-Civilians"]
    # A sole actor: "<type> only".
    assert codes.loc["MIX-04"].tolist() == ["Protesters", "", "Protesters only"]
    assert set(rows["iso"]) == {"466"} and set(rows["region"]) == {"Western Africa"}
    back, report = read_events(path)
    assert report.rows_rejected == 0 and len(back) == len(events)


def test_acled_codes_keep_the_values_the_events_carry_and_leave_unknowns_empty(make_events):
    events = make_events(
        {"actor1": "Somebody nobody knows", "actor2": "Civilians (Mali)", "country": "Atlantis"},
        {"actor1": "Military Forces of Mali (2021-)", "actor2": "JNIM", "country": "Niger"},
    )
    codes = acled_codes(events)
    assert codes["inter1"].isna().tolist() == [True, False] and codes["interaction"].isna().tolist() == [True, False]
    assert codes["iso"].tolist()[1] == 562 and codes["region"].tolist() == ["", "Western Africa"]
    events["region"] = ["Atlantic Ocean", ""]
    assert acled_codes(events)["region"].tolist() == ["Atlantic Ocean", "Western Africa"]

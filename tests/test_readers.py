"""The readers' entry points: containers, encodings, format detection, canonical files, errors and progress."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from conflictmap.readers import (
    FORMATS,
    SUFFIXES,
    NotEventDataError,
    UnreadableFileError,
    detect_format,
    read_canonical,
    read_events,
    textfile,
    write_events,
)
from conflictmap.readers.values import dates
from conflictmap.schema import COLUMNS, validate_events

FIXTURES = Path(__file__).parent / "fixtures" / "readers"


# --- format detection ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("acled_current.csv", "acled"),
        ("acled_hdx_2020.csv", "acled"),
        ("acled_2017_upper.csv", "acled"),
        ("acled_excel_fr.csv", "acled"),
        ("ucdp_ged.csv", "ucdp"),
        ("canonical_bad_rows.csv", "canonical"),
        ("canonical_points.geojson", "canonical"),
    ],
)
def test_format_is_detected_from_the_columns(fixture, expected):
    _, report = read_events(FIXTURES / fixture)
    assert report.format == expected


def test_detect_format_ignores_case_blanks_and_bom():
    assert detect_format(["\ufeffEVENT_ID_CNTY", " Event Date ", "EVENT_TYPE", "LATITUDE", "LONGITUDE"]) == "acled"
    assert detect_format(list(COLUMNS)) == "canonical"
    assert detect_format(["event_date", "event_type", "geometry"]) == "canonical"


def test_detect_format_names_the_columns_each_format_needs():
    with pytest.raises(NotEventDataError) as caught:
        detect_format(["date", "region", "product", "quantity"])
    message = str(caught.value)
    for column in ("event_id_cnty", "type_of_violence", "date_start", "event_date", "latitude"):
        assert column in message
    assert "found: date, region, product, quantity" in message


def test_unknown_format_names_the_allowed_ones():
    with pytest.raises(ValueError, match=r"unknown format 'gdelt'.*'acled', 'ucdp', 'canonical'"):
        read_events(FIXTURES / "acled_current.csv", "gdelt")
    assert FORMATS == ("acled", "ucdp", "canonical")


def test_a_format_forced_on_the_wrong_file_names_what_is_missing():
    with pytest.raises(NotEventDataError, match=r"not a ucdp file: it lacks the column\(s\) id, type_of_violence"):
        read_events(FIXTURES / "acled_current.csv", "ucdp")


# --- files that are not event data ----------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "error", "says"),
    [
        ("sales.csv", NotEventDataError, "not event data"),
        ("empty.csv", NotEventDataError, "is empty"),
        ("map_screenshot.csv", UnreadableFileError, "is a PNG image"),
    ],
)
def test_a_file_that_is_not_event_data_gets_one_clear_error(fixture, error, says):
    with pytest.raises(error) as caught:
        read_events(FIXTURES / fixture)
    message = str(caught.value)
    assert says in message
    assert fixture in message
    assert "event_date" in message and "type_of_violence" in message
    assert "Traceback" not in message
    assert isinstance(caught.value, NotEventDataError)


def test_a_workbook_that_is_not_a_workbook_is_reported(tmp_path):
    path = tmp_path / "events.xlsx"
    path.write_bytes(b"PK\x03\x04 this is a damaged archive")
    with pytest.raises(UnreadableFileError, match=r"events\.xlsx is not an Excel workbook"):
        read_events(path)


def test_a_gpkg_suffix_on_a_text_file_is_reported(tmp_path):
    path = tmp_path / "events.gpkg"
    path.write_text("event_date,event_type\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="does not hold a GPKG file"):
        read_events(path)


def test_an_unclosed_quote_is_reported_without_a_traceback(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text('event_id,event_date,event_type,latitude,longitude,notes\ne1,2023-01-01,Battles,16,-1,"open\n')
    with pytest.raises(UnreadableFileError, match=r"broken\.csv cannot be split into rows"):
        read_events(path)


def test_a_header_without_rows_gives_an_empty_table(tmp_path):
    header = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "header_only.csv"
    path.write_text(header + "\n", encoding="utf-8")
    events, report = read_events(path)
    assert report.format == "acled"
    validate_events(events)
    assert len(events) == 0
    assert (report.rows_read, report.rows_loaded) == (0, 0)


# --- encodings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "encoding"),
    [
        ("acled_current.csv", "utf-8"),
        ("acled_hdx_2020.csv", "utf-8-sig"),
        ("acled_2017_upper.csv", "cp1252"),
        ("acled_excel_fr.csv", "cp1252"),
    ],
)
def test_the_encoding_is_detected(fixture, encoding):
    assert textfile.detect_encoding(FIXTURES / fixture) == encoding


def test_latin1_bytes_undefined_in_cp1252_still_read(tmp_path):
    path = tmp_path / "latin1.csv"
    text = "event_id,event_date,event_type,latitude,longitude,location,notes\n"
    text += "e1,2023-01-02,Battles,13.4,-6.2,Ségou,x\x81y\n"
    path.write_bytes(text.encode("latin-1"))
    assert textfile.detect_encoding(path) == "latin-1"
    events, _ = read_events(path)
    assert events["location"].iloc[0] == "Ségou"
    assert events["notes"].iloc[0] == "x\x81y"


def test_utf16_tab_separated_text_from_excel_is_read(tmp_path):
    source = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8")
    frame = pd.read_csv(FIXTURES / "acled_current.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "unicode_text.txt"
    frame.to_csv(path, sep="\t", index=False, encoding="utf-16")
    assert "Ménaka" in source
    events, report = read_events(path)
    assert report.rows_loaded == 8
    assert "Ménaka" in set(events["location"])


def test_bytes_that_break_the_promised_encoding_are_reported(tmp_path):
    path = tmp_path / "mixed_bytes.csv"
    path.write_bytes(
        b"\xef\xbb\xbfevent_id,event_date,event_type,latitude,longitude,location\n"
        b"e1,2023-01-01,Battles,16.27,-0.04,S\xe9gou\n"
    )
    with pytest.raises(UnreadableFileError, match=r"mixed_bytes\.csv is not valid utf-8-sig text"):
        read_events(path)


# --- date spellings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["2023-09-07", "07 September 2023", "7-Sep-23", "07/09/2023", "7/9/2023", "2023-09-07 00:00:00.000"]
)
def test_date_spellings_read_day_first(written):
    assert dates(pd.Series([written]))[0] == pd.Timestamp("2023-09-07")


@pytest.mark.parametrize(
    "written", ["13/13/2023", "2023-02-30", "0023-09-07", "yesterday", "09/31/2023", "7 sept. 2023"]
)
def test_impossible_dates_are_not_read(written):
    assert pd.isna(dates(pd.Series([written]))[0])


def test_far_off_dates_and_times_are_rejections_not_crashes(tmp_path):
    path = tmp_path / "typos.csv"
    path.write_text(
        "event_id,event_date,date_end,event_type,latitude,longitude,timestamp,Latitude\n"
        "e1,2023-01-01,,Battles,16,-1,9999-12-31T00:00:00Z,3\n"
        "e2,2262-05-01,,Battles,16,-1,,3\n"
        "e3,2023-01-01,9000-01-01,Battles,16,-1,99999999999999,3\n"
        "e4,2023-01-02,,Battles,16.5,-1,1694476800,3\n",
        encoding="utf-8",
    )
    events, report = read_events(path)
    validate_events(events)
    assert [(r.row, r.column) for r in report.rejected] == [
        (2, "timestamp"),
        (3, "event_date"),
        (4, "date_end"),
        (4, "timestamp"),
    ]
    assert report.rows_rejected == 3
    assert events["latitude"].tolist() == [16.5]
    assert "column 'Latitude' repeats 'latitude': the first of them is used" in report.warnings


# --- canonical files --------------------------------------------------------------------


def test_canonical_csv_rejections_and_generated_ids():
    events, report = read_events(FIXTURES / "canonical_bad_rows.csv")
    validate_events(events)
    found = {r.row: (r.column, r.value) for r in report.rejected}
    assert found == {
        3: ("date_end", "2023-09-08"),
        5: ("fatalities_low", "5"),
        6: ("time_precision", "5"),
        7: ("timestamp", "yesterday"),
        8: ("sub_event_type", "Ambush"),
    }
    rows = events.set_index("event_id")
    assert list(rows.index[[0, 2]]) == ["man-001", "man-008"]
    generated = rows.index[1]
    # No id and no dataset: the dataset is the file's name and the id is stable across reads.
    assert generated.startswith("canonical_bad_rows-")
    assert rows.loc[generated, "dataset"] == "canonical_bad_rows"
    assert read_events(FIXTURES / "canonical_bad_rows.csv")[0]["event_id"].iloc[1] == generated
    assert rows.loc["man-001", "date_end"] == pd.Timestamp("2023-09-09")
    assert (rows.loc["man-001", "fatalities_low"], rows.loc["man-001", "fatalities_high"]) == (5, 9)
    # "NA" is a value someone wrote, not a blank.
    assert rows.loc["man-008", "actor2"] == "NA"
    assert bool(rows.loc["man-008", "civilian_targeting"]) is True
    assert rows.loc["man-008", "timestamp"] == pd.Timestamp("2023-09-17 10:00", tz="UTC")
    assert rows.loc["man-008", "dataset"] == "partner_ngo"


def test_geojson_points_win_over_stale_attributes_and_areas_are_rejected():
    events, report = read_canonical(FIXTURES / "canonical_points.geojson")
    validate_events(events)
    assert [(r.row, r.column, r.value) for r in report.rejected] == [
        (3, "geometry", "Polygon"),
        (4, "event_type", ""),
    ]
    rows = events.set_index("event_id")
    assert (rows.loc["geo-1", "latitude"], rows.loc["geo-1", "longitude"]) == (16.2717, -0.0447)
    assert (rows.loc["geo-2", "latitude"], rows.loc["geo-2", "longitude"]) == (15.9182, 2.4022)
    assert rows.loc["geo-5", "event_date"] == pd.Timestamp("2023-09-07")
    assert rows.loc["geo-2", "location"] == "Ménaka"
    assert any(w.startswith("no time_precision column") for w in report.warnings)


def test_geopackage_rows_are_feature_ids_and_other_crs_is_converted(tmp_path):
    web_mercator = gpd.GeoDataFrame(
        {
            "event_id": ["gp-1", "gp-2", "gp-3"],
            "event_date": ["2023-09-07", "not a day", "2023-09-09"],
            "event_type": ["Battles", "Battles", "Riots"],
            "location": ["Gao", "Mopti", "Ségou"],
        },
        geometry=[Point(-0.0447, 16.2717), Point(-4.183, 14.4843), Point(-6.2157, 13.4317)],
        crs=4326,
    ).to_crs(3857)
    path = tmp_path / "team.gpkg"
    web_mercator.to_file(path, layer="events", driver="GPKG")
    events, report = read_events(path)
    validate_events(events)
    assert [(r.row, r.column, r.value) for r in report.rejected] == [(2, "event_date", "not a day")]
    assert any("EPSG:3857" in w for w in report.warnings)
    assert events["latitude"].tolist() == pytest.approx([16.2717, 13.4317])
    assert events["longitude"].tolist() == pytest.approx([-0.0447, -6.2157])


def test_plain_parquet_without_geometry_is_read_from_its_columns(tmp_path):
    frame = pd.DataFrame(
        {
            "event_id": ["pq-1"],
            "event_date": [pd.Timestamp("2023-09-07")],
            "event_type": ["Battles"],
            "latitude": [16.2717],
            "longitude": [-0.0447],
        }
    )
    path = tmp_path / "plain.parquet"
    frame.to_parquet(path)
    events, report = read_events(path)
    validate_events(events)
    assert (report.format, len(events)) == ("canonical", 1)
    assert events.geometry.iloc[0].equals(Point(-0.0447, 16.2717))


def test_write_events_refuses_unknown_suffixes(tmp_path):
    events, _ = read_events(FIXTURES / "acled_current.csv")
    with pytest.raises(
        ValueError, match=r"unknown suffix '\.shp'; expected one of \.parquet.*\.csv.*\.geojson.*\.gpkg"
    ):
        write_events(events, tmp_path / "events.shp")
    assert set(SUFFIXES) == {".parquet", ".csv", ".geojson", ".gpkg"}


@pytest.mark.parametrize("suffix", list(SUFFIXES))
def test_acled_events_written_and_read_back_are_unchanged(tmp_path, suffix):
    events, _ = read_events(FIXTURES / "acled_bad_rows.csv")
    path = tmp_path / f"acled{suffix}"
    write_events(events, path)
    back, report = read_events(path)
    assert report.rejected == []
    assert back["event_id"].tolist() == events["event_id"].tolist()
    assert back["notes"].tolist() == events["notes"].tolist()
    assert back["dataset"].astype(str).tolist() == ["acled"] * len(events)
    assert back["geo_precision"].tolist() == events["geo_precision"].tolist()


def test_dataset_argument_overrides_the_files_own(tmp_path):
    events, _ = read_events(FIXTURES / "canonical_bad_rows.csv", dataset="mali_field_reports")
    assert set(events["dataset"]) == {"mali_field_reports"}


# --- progress ----------------------------------------------------------------------------


def test_progress_is_reported_while_a_csv_is_read(monkeypatch, tmp_path):
    monkeypatch.setattr(textfile, "CHUNK_ROWS", 3)
    calls: list[tuple[int, int]] = []
    read_events(FIXTURES / "acled_bad_rows.csv", progress=lambda done, total: calls.append((done, total)))
    totals = {total for _, total in calls}
    assert len(totals) == 1
    total = totals.pop()
    assert total >= 19
    done = [d for d, _ in calls]
    assert done[0] == 0 and done[-1] == total
    assert done == sorted(done)
    assert len(calls) >= 2 + 18 // 3


def test_progress_is_reported_for_geodata_files(tmp_path):
    events, _ = read_events(FIXTURES / "acled_current.csv")
    path = tmp_path / "events.gpkg"
    write_events(events, path)
    calls: list[tuple[int, int]] = []
    read_events(path, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 8), (8, 8)]


def test_missing_file_says_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file at"):
        read_events(tmp_path / "nowhere.csv")


def test_copied_fixture_keeps_its_name_in_the_report(tmp_path):
    path = tmp_path / "acled_mali_2023.csv"
    shutil.copy(FIXTURES / "acled_current.csv", path)
    _, report = read_events(path)
    assert report.source == str(path)
    assert report.summary().startswith(f"{path} (acled): 8 rows read, 8 loaded, 0 rejected")

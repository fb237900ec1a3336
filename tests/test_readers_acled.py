"""ACLED exports in every layout users hold: current, HDX 2020, pre-2020, Excel re-saves and workbooks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conflictmap.readers import read_acled, read_events
from conflictmap.readers.report import ImportReport
from conflictmap.schema import validate_events

FIXTURES = Path(__file__).parent / "fixtures" / "readers"


def _read(name: str, **kwargs) -> tuple[pd.DataFrame, ImportReport]:
    events, report = read_events(FIXTURES / name, **kwargs)
    validate_events(events)
    return events, report


def _by_id(events: pd.DataFrame) -> pd.DataFrame:
    return events.set_index("event_id")


def _rejections(report: ImportReport) -> dict[int, tuple[str, str, str]]:
    return {r.row: (r.column, r.value, r.reason) for r in report.rejected}


# --- the current 31-column export -------------------------------------------------


def test_current_export_loads_every_row_as_written():
    events, report = _read("acled_current.csv")
    assert report.format == "acled"
    assert (report.rows_read, report.rows_loaded, report.rejected) == (8, 8, [])
    assert set(events["dataset"]) == {"acled"}
    rows = _by_id(events)
    assert list(rows.index[:3]) == ["MLI29811", "MLI29830", "MLI29845"]
    first = rows.loc["MLI29811"]
    assert first["event_date"] == pd.Timestamp("2023-09-07")
    assert (first["event_type"], first["sub_event_type"]) == ("Battles", "Armed clash")
    assert first["actor1"] == "Military Forces of Mali (2021-)"
    assert first["assoc_actor_1"] == "Wagner Group"
    assert first["fatalities"] == 10
    assert (first["latitude"], first["longitude"]) == (16.9534, -0.3494)
    assert first["timestamp"] == pd.Timestamp("2023-09-12", tz="UTC")
    assert pd.isna(first["source_event_type"])
    # Quotes, commas and accents as the source wrote them.
    assert rows.loc["MLI29880", "notes"].startswith('Gunmen abducted the "chef de village" of Niono-Coura, a mayor')
    assert rows.loc["MLI29880", "assoc_actor_2"] == "Government of Mali (2021-), Local Administration (Mali)"
    assert rows.loc["MLI29830", "location"] == "Ménaka"
    assert rows.loc["MLI29850", "tags"] == "crowd size=around 200"
    assert rows.loc["MLI29875", "disorder_type"] == "Political violence"


def test_civilian_targeting_text_becomes_a_flag():
    events, _ = _read("acled_current.csv")
    flags = _by_id(events)["civilian_targeting"]
    assert flags.dtype == bool
    assert set(flags[flags].index) == {"MLI29830", "MLI29880"}


def test_every_column_of_the_current_export_is_carried():
    _, report = _read("acled_current.csv")
    assert [w for w in report.warnings if w.startswith("columns not carried")] == []


def test_columns_not_carried_are_listed_once():
    _, report = _read("acled_2017_upper.csv")
    listed = [w for w in report.warnings if w.startswith("columns not carried")]
    assert listed == ["columns not carried into the event table: gwno, event_id_no_cnty"]


# --- the 2020 HDX layout ----------------------------------------------------------


def test_hdx_layout_skips_the_hxl_row_and_keeps_row_numbers():
    events, report = _read("acled_hdx_2020.csv")
    assert report.format == "acled"
    assert report.rows_read == 6
    assert report.rows_loaded == 5
    # The file's line 8: header (1), HXL hashtags (2), five good rows (3-7).
    (rejection,) = report.rejected
    assert (rejection.row, rejection.column, rejection.value) == (8, "event_date", "31 June 2019")
    assert "not a date" in rejection.reason
    assert any("HXL" in w for w in report.warnings)
    assert not any(str(v).startswith("#") for v in events["event_id"])


def test_hdx_float_ids_and_counts_are_read_as_integers():
    events, _ = _read("acled_hdx_2020.csv")
    rows = _by_id(events)
    assert "MLI2611" in rows.index
    # No event_id_cnty on that row: the id comes from data_id, written 6724555.0.
    assert "ACLED-6724555" in rows.index
    assert rows.loc["MLI2611", "fatalities"] == 4
    assert rows.loc["MLI2614", "geo_precision"] == 2
    assert rows.loc["MLI2611", "event_date"] == pd.Timestamp("2019-09-07")
    assert rows.loc["MLI2611", "timestamp"] == pd.Timestamp(1568640000, unit="s", tz="UTC")


def test_hdx_file_has_no_civilian_targeting_column_so_violence_against_civilians_is_targeting():
    events, _ = _read("acled_hdx_2020.csv")
    rows = _by_id(events)
    assert bool(rows.loc["MLI2614", "civilian_targeting"]) is True
    assert bool(rows.loc["MLI2611", "civilian_targeting"]) is False


# --- exports made before 2020 -----------------------------------------------------


@pytest.mark.parametrize(
    ("event_id", "event_type", "sub_event_type", "source_event_type"),
    [
        ("MLI1101", "Battles", "Armed clash", "Battle-No change of territory"),
        ("MLI1102", "Battles", "Government regains territory", "Battle-Government regains territory"),
        ("MLI1103", "Battles", "Non-state actor overtakes territory", "Battle-Non-state actor overtakes territory"),
        ("MLI1104", "Strategic developments", "Headquarters or base established", "Headquarters or base established"),
        ("MLI1105", "Strategic developments", "Other", "Strategic development"),
        ("MLI1106", "Strategic developments", "Non-violent transfer of territory", "Non-violent transfer of territory"),
        ("MLI1107", "Explosions/Remote violence", None, "Remote violence"),
        ("MLI1108", "Riots", None, "Riots/Protests"),
        ("MLI1109", "Protests", None, "Riots/Protests"),
        ("MLI1110", "Violence against civilians", None, "Violence against civilians"),
    ],
)
def test_old_event_types_map_onto_todays(event_id, event_type, sub_event_type, source_event_type):
    events, _ = _read("acled_2017_upper.csv")
    row = _by_id(events).loc[event_id]
    assert row["event_type"] == event_type
    assert (None if pd.isna(row["sub_event_type"]) else row["sub_event_type"]) == sub_event_type
    assert row["source_event_type"] == source_event_type


def test_riots_protests_with_protesters_as_actor_2_is_protests():
    events, report = _read("acled_2017_upper.csv")
    assert (report.rows_read, report.rows_loaded, report.rejected) == (11, 11, [])
    row = _by_id(events).loc["MLI1111"]
    assert (row["event_type"], row["source_event_type"]) == ("Protests", "Riots/Protests")
    assert (row["actor1_type"], row["actor2_type"], row["interaction"]) == (
        "State forces",
        "Protesters",
        "State forces-Protesters",
    )


def test_riots_protests_without_rioters_or_protesters_is_rejected_once(tmp_path):
    lines = (FIXTURES / "acled_2017_upper.csv").read_bytes().splitlines(keepends=True)
    path = tmp_path / "neither.csv"
    path.write_bytes(lines[0] + lines[-1].replace(b",6,16,", b",3,13,"))
    _, report = read_events(path)
    assert report.rows_loaded == 0
    rejection = report.rejected[0]
    assert (rejection.row, rejection.column, rejection.value) == (2, "inter1", "1")
    assert "rioters (5) or protesters (6) as inter1 or inter2" in rejection.reason


def test_old_export_in_cp1252_with_uppercase_headers_keeps_french_names():
    events, report = _read("acled_2017_upper.csv")
    assert any("cp1252" in w for w in report.warnings)
    rows = _by_id(events)
    assert rows.loc["MLI1102", "location"] == "Léré"
    assert rows.loc["MLI1104", "location"] == "Ménaka"
    assert rows.loc["MLI1108", "admin1"] == "Ségou"
    assert rows.loc["MLI1103", "admin3"] == "Anéfis"
    assert rows.loc["MLI1101", "event_date"] == pd.Timestamp("2017-09-07")
    assert bool(rows.loc["MLI1110", "civilian_targeting"]) is True
    assert "gwno" in next(w for w in report.warnings if w.startswith("columns not carried"))


def test_inter1_written_as_labels_tells_riots_from_protests(tmp_path):
    path = tmp_path / "old_labels.csv"
    path.write_text(
        "event_id_cnty,event_date,event_type,actor1,inter1,location,latitude,longitude,fatalities\n"
        "MLI901,12/03/2018,Riots/Protests,Rioters (Mali),Rioters,Gao,16.2717,-0.0447,0\n"
        "MLI902,13/03/2018,Riots/Protests,Protesters (Mali),Protesters,Kidal,18.4411,1.4078,0\n"
        "MLI903,14/03/2018,Riots/Protests,Protesters (Mali),Rebel group,Mopti,14.4843,-4.183,0\n",
        encoding="utf-8",
    )
    events, report = read_acled(path)
    rows = _by_id(events)
    assert rows.loc["MLI901", "event_type"] == "Riots"
    assert rows.loc["MLI902", "event_type"] == "Protests"
    assert rows.loc["MLI902", "event_date"] == pd.Timestamp("2018-03-13")
    assert [(r.row, r.column, r.value) for r in report.rejected] == [(4, "inter1", "Rebel group")]


def test_old_type_names_in_a_current_layout_are_mapped_row_by_row(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "event_id_cnty,event_date,event_type,sub_event_type,actor1,inter1,location,latitude,longitude\n"
        "MLI1,2019-01-01,Battles,Armed clash,FAMa,State forces,Gao,16.2717,-0.0447\n"
        "MLI2,2019-01-02,Remote violence,,Unidentified Armed Group (Mali),3,Gao,16.2717,-0.0447\n"
        "MLI3,2019-01-03,Riots/Protests,,Protesters (Mali),Protesters,Gao,16.2717,-0.0447\n"
        "MLI4,2019-01-04,Violence against civilians,Attack,Katiba Macina,Rebel group,Gao,16.2717,-0.0447\n",
        encoding="utf-8",
    )
    events, report = read_acled(path)
    assert report.rejected == []
    rows = _by_id(events)
    assert list(rows["event_type"]) == [
        "Battles",
        "Explosions/Remote violence",
        "Protests",
        "Violence against civilians",
    ]
    # Today's names are not old ones, even "Violence against civilians" when it has a sub-type.
    assert rows["source_event_type"].isna().tolist() == [True, False, False, True]
    assert rows.loc["MLI4", "sub_event_type"] == "Attack"


# --- a re-save by French Excel ----------------------------------------------------


def test_french_excel_resave_semicolons_day_first_dates_and_decimal_commas():
    events, report = _read("acled_excel_fr.csv")
    assert (report.rows_loaded, report.rejected) == (4, [])
    rows = _by_id(events)
    assert rows.loc["MLI30101", "event_date"] == pd.Timestamp("2023-09-07")
    assert rows.loc["MLI30104", "event_date"] == pd.Timestamp("2023-09-01")
    assert rows.loc["MLI30101", "latitude"] == pytest.approx(13.4317)
    assert rows.loc["MLI30102", "longitude"] == pytest.approx(2.4022)
    assert rows.loc["MLI30101", "notes"] == "Combats à l'est de Ségou entre les FAMa et le JNIM; bilan : 4 morts."
    assert rows.loc["MLI30102", "notes"].endswith('"une attaque lâche", selon le maire.')
    assert rows.loc["MLI30103", "location"] == "Léré"


# --- bad rows never stop the good ones ----------------------------------------------


EXPECTED_REJECTIONS = {
    3: ("latitude", "95.2", "out of range"),
    5: ("location", "Zorbatenga", "gazetteer cannot place it"),
    6: ("event_date", "32/13/2023", "not a date"),
    7: ("event_type", "", "missing"),
    8: ("event_type", "Skirmish", "unknown event type"),
    9: ("sub_event_type", "Peaceful protest", "is a sub-type of 'Protests', not of 'Battles'"),
    10: ("fatalities", "-3", "0 or more"),
    12: ("event_id_cnty", "MLI30010", "kept row 11, which has a newer timestamp"),
    14: ("(whole row)", "", "expected 31 fields, saw 32"),
    15: ("longitude", "abc", "not a number"),
    16: ("latitude", "", "no location name"),
    17: ("civilian_targeting", "Maybe", "Civilian targeting"),
    20: ("location", "Niolo", "the gazetteer cannot place it"),
}


@pytest.mark.parametrize(("row", "expected"), sorted(EXPECTED_REJECTIONS.items()))
def test_each_bad_row_is_rejected_with_row_column_value_and_reason(row, expected):
    _, report = _read("acled_bad_rows.csv")
    column, value, reason = _rejections(report)[row]
    assert (column, value) == expected[:2]
    assert expected[2] in reason


def test_bad_rows_leave_the_good_rows_loaded():
    events, report = _read("acled_bad_rows.csv")
    assert sorted(_rejections(report)) == sorted(EXPECTED_REJECTIONS)
    assert report.rows_read == 19
    assert report.rows_loaded == 6
    assert report.rows_rejected == 13
    assert list(events["event_id"]) == ["MLI30001", "MLI30003", "MLI30010", "MLI30011", "MLI30016", "MLI30017"]
    # The quoted note spanning two lines stays one row with its line break.
    assert _by_id(events).loc["MLI30011", "notes"] == (
        "Gunmen attacked a bus on the Ségou road.\nSurvivors were taken to Ségou hospital."
    )


def test_duplicated_id_keeps_the_newest_timestamp():
    events, _ = _read("acled_bad_rows.csv")
    kept = _by_id(events).loc["MLI30010"]
    assert kept["notes"] == "Revised record: 5 killed."
    assert kept["timestamp"] == pd.Timestamp(1697414400, unit="s", tz="UTC")


def test_duplicated_id_without_timestamps_keeps_the_later_row(tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text(
        "event_id_cnty,event_date,event_type,sub_event_type,location,latitude,longitude,notes\n"
        "MLI77,2023-05-01,Battles,Armed clash,Gao,16.2717,-0.0447,first\n"
        "MLI77,2023-05-01,Battles,Armed clash,Gao,16.2717,-0.0447,second\n",
        encoding="utf-8",
    )
    events, report = read_acled(path)
    assert list(events["notes"]) == ["second"]
    assert [(r.row, r.column) for r in report.rejected] == [(2, "event_id_cnty")]
    assert "kept row 3" in report.rejected[0].reason


def test_rows_without_coordinates_are_placed_by_the_gazetteer_with_a_warning():
    from conflictmap.gazetteer import resolve

    events, report = _read("acled_bad_rows.csv")
    rows = _by_id(events)
    menaka = resolve("Ménaka", admin1="Menaka")
    assert (rows.loc["MLI30003", "latitude"], rows.loc["MLI30003", "longitude"]) == (menaka.latitude, menaka.longitude)
    assert rows.loc["MLI30003", "geo_precision"] == max(1, menaka.geo_precision)
    assert rows.loc["MLI30003", "location"] == "Ménaka"
    region = resolve("Région de Mopti")
    # The file says 2, the region's centroid says 3: the vaguer one holds.
    assert rows.loc["MLI30017", "geo_precision"] == 3 == region.geo_precision
    assert (rows.loc["MLI30017", "latitude"], rows.loc["MLI30017", "longitude"]) == (region.latitude, region.longitude)
    placed = [w for w in report.warnings if "placed" in w]
    assert len(placed) == 2
    assert placed[0].startswith("row 4:") and "Ménaka" in placed[0]
    assert placed[1].startswith("row 19:")


def test_an_ambiguous_place_name_is_a_rejection_that_says_so():
    _, report = _read("acled_bad_rows.csv")
    column, value, reason = _rejections(report)[20]
    assert (column, value) == ("location", "Niolo")
    assert "equally well" in reason
    assert "Niono" in reason and "Nioro" in reason


# --- workbooks ---------------------------------------------------------------------


# The current export's 31 columns, as the fixture's header has them.
ACLED_HEADER = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8").splitlines()[0].split(",")


def _acled_row(**values) -> list[object]:
    base = {
        "event_id_cnty": "MLI40001",
        "event_date": dt.datetime(2024, 2, 3),
        "year": 2024,
        "time_precision": 1,
        "disorder_type": "Political violence",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Mali (2021-)",
        "inter1": "State forces",
        "actor2": "JNIM: Group for Support of Islam and Muslims",
        "inter2": "Rebel group",
        "interaction": "State forces-Rebel group",
        "iso": 466,
        "region": "Western Africa",
        "country": "Mali",
        "admin1": "Segou",
        "admin2": "Niono",
        "admin3": "Diabaly",
        "location": "Diabaly",
        "latitude": 14.6869,
        "longitude": -6.0111,
        "geo_precision": 1,
        "source": "Studio Tamani",
        "source_scale": "National",
        "notes": "Clashes near Diabaly.",
        "fatalities": 2,
        "timestamp": 1707177600,
    }
    base.update(values)
    return [base.get(c) for c in ACLED_HEADER]


def test_workbook_rows_are_read_with_sheet_row_numbers(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "acled"
    sheet.append([c.upper() for c in ACLED_HEADER])
    sheet.append(_acled_row())
    sheet.append(_acled_row(event_id_cnty="MLI40002", location="Ségou", latitude=13.4317, longitude=-6.2157))
    sheet.append([None] * len(ACLED_HEADER))  # a blank sheet row
    sheet.append(_acled_row(event_id_cnty="MLI40003", fatalities=-1))
    sheet.append(
        _acled_row(
            event_id_cnty="MLI40004",
            event_date="07/02/2024",
            civilian_targeting="Civilian targeting",
            event_type="Violence against civilians",
            sub_event_type="Attack",
            iso=466.0,
        )
    )
    path = tmp_path / "acled_mali.xlsx"
    book.save(path)

    events, report = read_events(path)
    validate_events(events)
    assert report.format == "acled"
    assert report.rows_read == 4
    assert [(r.row, r.column, r.value) for r in report.rejected] == [(5, "fatalities", "-1")]
    rows = _by_id(events)
    assert list(rows.index) == ["MLI40001", "MLI40002", "MLI40004"]
    assert rows.loc["MLI40001", "event_date"] == pd.Timestamp("2024-02-03")
    assert rows.loc["MLI40004", "event_date"] == pd.Timestamp("2024-02-07")
    assert rows.loc["MLI40002", "location"] == "Ségou"
    assert rows.loc["MLI40001", "latitude"] == 14.6869
    assert rows.loc["MLI40001", "timestamp"] == pd.Timestamp(1707177600, unit="s", tz="UTC")
    assert bool(rows.loc["MLI40004", "civilian_targeting"]) is True


def test_workbook_float_ids_are_written_back_as_integers(tmp_path):
    book = openpyxl.Workbook()
    header = ["data_id", "event_id_cnty", "event_date", "event_type", "latitude", "longitude"]
    book.active.append(header)
    book.active.append([6724511.0, None, dt.datetime(2019, 9, 7), "Battles", 15.0817, -1.9311])
    path = tmp_path / "hdx.xlsx"
    book.save(path)
    events, _ = read_acled(path)
    assert list(events["event_id"]) == ["ACLED-6724511"]

"""UCDP GED CSV onto the canonical table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conflictmap.readers import read_events, read_ucdp
from conflictmap.schema import validate_events

FIXTURE = Path(__file__).parent / "fixtures" / "readers" / "ucdp_ged.csv"
# The file as written, to check each case below names the code its row carries.
RAW = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False).set_index("id")


@pytest.fixture(scope="module")
def ged():
    events, report = read_events(FIXTURE)
    validate_events(events)
    return events.set_index("event_id"), report


def test_detected_as_ucdp_with_ged_ids_and_dataset(ged):
    rows, report = ged
    assert report.format == "ucdp"
    assert list(rows.index) == [f"GED-{i}" for i in (512345, 512346, 512347, 512348, 512349, 512350, 512353)]
    assert set(rows["dataset"]) == {"ucdp_ged"}


@pytest.mark.parametrize(
    ("event_id", "event_type", "sub_event_type", "source_event_type", "targeting"),
    [
        ("GED-512345", "Battles", "Armed clash", "UCDP type_of_violence 1: state-based conflict", False),
        ("GED-512346", "Battles", "Armed clash", "UCDP type_of_violence 2: non-state conflict", False),
        ("GED-512347", "Violence against civilians", "Attack", "UCDP type_of_violence 3: one-sided violence", True),
    ],
)
def test_type_of_violence_maps_onto_the_taxonomy(
    ged, event_id, event_type, sub_event_type, source_event_type, targeting
):
    row = ged[0].loc[event_id]
    assert (row["event_type"], row["sub_event_type"], row["source_event_type"]) == (
        event_type,
        sub_event_type,
        source_event_type,
    )
    assert bool(row["civilian_targeting"]) is targeting


@pytest.mark.parametrize(
    ("event_id", "date_prec", "time_precision"),
    [("GED-512345", 1, 1), ("GED-512346", 2, 2), ("GED-512350", 3, 2), ("GED-512348", 4, 3), ("GED-512349", 5, 4)],
)
def test_date_prec_becomes_time_precision(ged, event_id, date_prec, time_precision):
    assert RAW.loc[event_id.removeprefix("GED-"), "date_prec"] == str(date_prec)
    assert ged[0].loc[event_id, "time_precision"] == time_precision


@pytest.mark.parametrize(
    ("event_id", "where_prec", "geo_precision"),
    [
        ("GED-512345", 1, 1),
        ("GED-512346", 2, 2),
        ("GED-512347", 3, 3),
        ("GED-512348", 4, 3),
        ("GED-512349", 6, 4),
        ("GED-512350", 7, 4),
    ],
)
def test_where_prec_becomes_geo_precision(ged, event_id, where_prec, geo_precision):
    assert RAW.loc[event_id.removeprefix("GED-"), "where_prec"] == str(where_prec)
    assert ged[0].loc[event_id, "geo_precision"] == geo_precision


def test_dates_counts_actors_and_places(ged):
    row = ged[0].loc["GED-512346"]
    assert row["event_date"] == pd.Timestamp("2023-09-01")
    assert row["date_end"] == pd.Timestamp("2023-09-06")
    assert (row["fatalities"], row["fatalities_low"], row["fatalities_high"]) == (16, 14, 20)
    assert (row["actor1"], row["actor2"]) == ("IS Sahel", "JNIM")
    # UCDP's own admin names are kept as written.
    assert (row["admin1"], row["admin2"]) == ("Ménaka region", "Ménaka cercle")
    assert row["location"] == "Ménaka town"
    assert row["country"] == "Mali"
    assert ged[0].loc["GED-512350", "admin1"] == "Tombouctou region"
    assert ged[0]["timestamp"].isna().all()


def test_source_and_notes_join_their_ged_columns(ged):
    row = ged[0].loc["GED-512345"]
    assert row["source"] == (
        "Agence France Presse;Reuters — Agence France Presse,2023-09-08,Mali: soldiers killed near Bourem"
    )
    assert row["notes"] == "Bourem town, Bourem cercle, Gao region — Mali: soldiers killed near Bourem"


def test_float_id_is_written_as_an_integer(ged):
    assert "GED-512353" in ged[0].index


def test_unknown_violence_type_and_reversed_dates_are_rejected(ged):
    _, report = ged
    assert report.rows_read == 9
    assert report.rows_loaded == 7
    found = [(r.row, r.column, r.value) for r in report.rejected]
    assert found == [(8, "type_of_violence", "4"), (9, "date_end", "2023-10-02 00:00:00.000")]
    assert "3 (one-sided)" in report.rejected[0].reason
    assert "before date_start 2023-10-06" in report.rejected[1].reason


def test_columns_not_carried_are_listed(ged):
    (listed,) = [w for w in ged[1].warnings if w.startswith("columns not carried")]
    for column in ("relid", "geom_wkt", "gwnoa", "country_id"):
        assert column in listed
    for carried in ("conflict_name", "priogrid_gid", "deaths_civilians", "code_status", "source_headline"):
        assert carried not in listed.split(": ", 1)[1].split(", ")
    for column in ("best", "side_a", "where_coordinates", "date_prec"):
        assert column not in listed.split(": ", 1)[1].split(", ")


def test_dataset_argument_names_every_row(tmp_path):
    events, _ = read_ucdp(FIXTURE, dataset="ged_mali_2023")
    assert set(events["dataset"]) == {"ged_mali_2023"}


def test_unknown_precision_codes_are_rejected_and_blank_ones_default(tmp_path):
    frame = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)
    frame.loc[0, "date_prec"] = "9"
    frame.loc[1, "where_prec"] = "x"
    frame.loc[2, "where_prec"] = ""
    path = tmp_path / "ged_edited.csv"
    frame.to_csv(path, index=False)
    events, report = read_ucdp(path)
    found = [(r.row, r.column, r.value) for r in report.rejected]
    assert found[:2] == [(2, "date_prec", "9"), (3, "where_prec", "x")]
    assert "a date_prec from 1 to 5" in report.rejected[0].reason
    assert events.set_index("event_id").loc["GED-512347", "geo_precision"] == 1
    assert "geo_precision missing in 1 row(s): set to 1 (the named place)" in report.warnings

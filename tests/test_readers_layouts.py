"""Every ACLED layout from 2017 to today and UCDP GED / Candidate files: no valid row rejected, every field carried.

The fixtures are our own rows in the shapes of public files (see
fixtures/readers/SOURCES.md): the 2017 upper-case export, the 2019 export
tool layout (numeric actor types, the nine old event types), the 2020 HDX
layout, today's export (text actor types, population columns, the export
tool's "(Sample)" preamble), API replies, UCDP GED and header-less Candidate
files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conflictmap.export.data import acled_frame
from conflictmap.readers import read_events
from conflictmap.readers.ucdp import GED_COLUMNS
from conflictmap.schema import INTERACTIONS, validate_events

FIXTURES = Path(__file__).parent / "fixtures" / "readers"


def _read(path: Path, **kwargs):
    events, report = read_events(path, **kwargs)
    validate_events(events)
    return events, report


def _upper_header(tmp_path: Path) -> Path:
    text = (FIXTURES / "acled_2024_preamble.csv").read_text(encoding="utf-8").split("\n")
    text[2] = text[2].upper()
    path = tmp_path / "upper.csv"
    path.write_text("\n".join(text), encoding="utf-8")
    return path


def _workbook(tmp_path: Path) -> Path:
    """The export tool's XLSX: the "(Sample)" row, an empty row, then the header and rows."""
    frame = pd.read_csv(FIXTURES / "acled_2024_preamble.csv", skiprows=2, dtype=str, keep_default_na=False)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["(Sample)"])
    sheet.append([])
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        sheet.append([int(v) if v.isdigit() else v for v in values])
    path = tmp_path / "export.xlsx"
    book.save(path)
    return path


def _candidate_with_header(tmp_path: Path) -> Path:
    path = tmp_path / "candidate.csv"
    body = (FIXTURES / "ucdp_candidate_noheader.csv").read_text(encoding="utf-8")
    path.write_text(",".join(GED_COLUMNS) + "\n" + body, encoding="utf-8")
    return path


def _lower_acled_2017(tmp_path: Path) -> Path:
    path = tmp_path / "lower.csv"
    shutil.copy(FIXTURES / "acled_2017_upper.csv", path)
    raw = path.read_bytes().split(b"\n", 1)
    path.write_bytes(raw[0].lower() + b"\n" + raw[1])
    return path


LAYOUTS = {
    "acled 2017 upper case, cp1252": lambda tmp: FIXTURES / "acled_2017_upper.csv",
    "acled 2017 lower case": _lower_acled_2017,
    "acled 2019 export tool": lambda tmp: FIXTURES / "acled_2019.csv",
    "acled 2020 hdx": lambda tmp: FIXTURES / "acled_hdx_2020.csv",
    "acled excel re-save, cp1252": lambda tmp: FIXTURES / "acled_excel_fr.csv",
    "acled api reply": lambda tmp: FIXTURES / "acled_api_reply.json",
    "acled current": lambda tmp: FIXTURES / "acled_current.csv",
    "acled 2024 with preamble": lambda tmp: FIXTURES / "acled_2024_preamble.csv",
    "acled 2024 upper-case header": _upper_header,
    "acled 2024 xlsx with preamble": _workbook,
    "ucdp ged": lambda tmp: FIXTURES / "ucdp_ged.csv",
    "ucdp candidate without header": lambda tmp: FIXTURES / "ucdp_candidate_noheader.csv",
    "ucdp candidate with header": _candidate_with_header,
    "ucdp api page": lambda tmp: FIXTURES / "ucdp_api_page.json",
}
#: Rows the fixture holds on purpose that its source's codebook does not allow (type_of_violence 4, an end
#: before the start, 31 June, a latitude "north"): the only rejections.
INVALID_ON_PURPOSE = {"ucdp ged": {8, 9}, "acled 2020 hdx": {8}, "acled api reply": {4}}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_no_row_the_codebook_allows_is_rejected(layout, tmp_path):
    events, report = _read(LAYOUTS[layout](tmp_path))
    rejected = {r.row for r in report.rejected}
    assert rejected == INVALID_ON_PURPOSE.get(layout, set()), report.summary()
    assert report.rows_loaded == report.rows_read - len(rejected)
    assert events["actor1_type"].notna().any()


# --- ACLED actor types and interactions --------------------------------------------


def test_codes_and_text_give_the_same_labels():
    old, _ = _read(FIXTURES / "acled_2019.csv")
    new, _ = _read(FIXTURES / "acled_2024_preamble.csv")
    rows = old.set_index("event_id")
    assert tuple(rows.loc["MLI9106", ["actor1_type", "actor2_type", "interaction"]]) == (
        "Identity militia",
        "Civilians",
        "Identity militia-Civilians",
    )
    assert rows.loc["MLI9109", "interaction"] == "External/Other forces only"
    assert pd.isna(rows.loc["MLI9109", "actor2_type"])
    text = new.set_index("event_id")
    assert tuple(text.loc["MLI50001", ["actor1_type", "actor2_type", "interaction"]]) == (
        "Political militia",
        "Civilians",
        "Political militia-Civilians",
    )
    assert text.loc["MLI50003", "interaction"] == "Protesters only"
    assert set(old["interaction"].dropna()) | set(new["interaction"].dropna()) <= set(INTERACTIONS)


@pytest.mark.parametrize(
    ("event_id", "event_type", "why"),
    [
        ("MLI9101", "Riots", "actor 1 a militia (4), actor 2 rioters (5)"),
        ("MLI9102", "Protests", "protesters alone"),
        ("MLI9103", "Riots", "rioters against police"),
    ],
)
def test_old_riots_protests_is_decided_by_either_actor(event_id, event_type, why):
    events, _ = _read(FIXTURES / "acled_2019.csv")
    row = events.set_index("event_id").loc[event_id]
    assert (row["event_type"], row["source_event_type"]) == (event_type, "Riots/Protests"), why


def test_an_unknown_actor_type_is_kept_with_a_warning(tmp_path):
    lines = (FIXTURES / "acled_2019.csv").read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace(",1,JNIM", ",Army,JNIM").replace(",12,Western", ",99,Western")
    path = tmp_path / "odd.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    events, report = _read(path)
    assert report.rejected == []
    row = events.set_index("event_id").loc["MLI9104"]
    assert (row["actor1_type"], row["interaction"]) == ("Army", "99")
    assert any(w.startswith("inter1: 1 value(s) kept as written") and "row(s) 5" in w for w in report.warnings)
    assert any(w.startswith("interaction: 1 value(s) kept as written") for w in report.warnings)


@pytest.mark.parametrize(
    ("written", "label"),
    [
        ("Rebel group \u2013 Civilians", "Rebel group-Civilians"),  # the codebook's en dash
        ("Civilians-Rebel group", "Rebel group-Civilians"),
        ("27", "Rebel group-Civilians"),
        ("27.0", "Rebel group-Civilians"),
        ("protesters ONLY", "Protesters only"),
        ("80", "External/Other forces only"),
    ],
)
def test_interaction_spellings(written, label):
    from conflictmap.filters import FilterSpec
    from conflictmap.readers.actortypes import interaction

    assert interaction(written) == (label, True)
    assert FilterSpec(interactions=[written.removesuffix(".0")]).interactions == (label,)


def test_a_missing_interaction_is_made_from_the_actor_types(tmp_path):
    frame = pd.read_csv(FIXTURES / "acled_2019.csv", dtype=str, keep_default_na=False).drop(columns="interaction")
    frame.to_csv(tmp_path / "no_interaction.csv", index=False)
    events, _ = _read(tmp_path / "no_interaction.csv")
    rows = events.set_index("event_id")["interaction"]
    assert rows["MLI9101"] == "Identity militia-Rioters"
    assert (rows["MLI9102"], rows["MLI9109"]) == ("Protesters only", "External/Other forces only")


def test_a_year_other_than_the_dates_is_a_warning_not_a_rejection(tmp_path):
    text = (
        (FIXTURES / "acled_2019.csv")
        .read_text(encoding="utf-8")
        .replace("22 February 2019,2019", "22 February 2019,2018")
    )
    (tmp_path / "year.csv").write_text(text, encoding="utf-8")
    events, report = _read(tmp_path / "year.csv")
    assert report.rejected == [] and len(events) == 10
    assert any(w.startswith("year: 1 row(s)") and "row(s) 2" in w for w in report.warnings)


# --- every current field --------------------------------------------------------


def test_population_columns_are_nullable_integers_and_iso_region_kept():
    events, _ = _read(FIXTURES / "acled_2024_preamble.csv")
    rows = events.set_index("event_id")
    assert str(rows["population_best"].dtype) == "Int64"
    assert tuple(rows.loc["MLI50003", ["population_1km", "population_2km", "population_5km", "population_best"]]) == (
        9000,
        31000,
        88000,
        88000,
    )
    assert pd.isna(rows.loc["MLI50002", "population_best"])
    assert (rows.loc["MLI50001", "iso"], rows.loc["MLI50001", "region"]) == (466, "Western Africa")
    assert rows.loc["MLI50003", "tags"] == "crowd size=around 50"


def test_both_civilian_targeting_wordings_are_read():
    events, _ = _read(FIXTURES / "acled_2024_preamble.csv")
    flags = events.set_index("event_id")["civilian_targeting"]
    assert flags["MLI50001"] and flags["MLI50002"] and not flags["MLI50003"]


def test_a_population_that_is_not_a_count_is_left_blank_with_a_warning(tmp_path):
    text = (FIXTURES / "acled_2024_preamble.csv").read_text(encoding="utf-8").replace(",5400,5400\n", ",5400,many\n", 1)
    (tmp_path / "pop.csv").write_text(text, encoding="utf-8")
    events, report = _read(tmp_path / "pop.csv")
    assert report.rejected == []
    assert pd.isna(events.set_index("event_id").loc["MLI50001", "population_best"])
    assert any(w.startswith("population_best: 1 value(s) left blank") and "row 4 'many'" in w for w in report.warnings)


def test_rows_after_a_preamble_keep_the_numbers_a_spreadsheet_shows(tmp_path):
    text = (FIXTURES / "acled_2024_preamble.csv").read_text(encoding="utf-8").replace("14.2500", "north", 1)
    (tmp_path / "bad.csv").write_text(text, encoding="utf-8")
    _, report = _read(tmp_path / "bad.csv")
    assert [(r.row, r.column, r.value) for r in report.rejected] == [(4, "latitude", "north")]
    assert "skipped 2 line(s) above the header (row 3 is the header)" in report.warnings
    _, book = _read(_workbook(tmp_path))
    assert "skipped 2 row(s) above the header (row 3 is the header)" in book.warnings


# --- UCDP -------------------------------------------------------------------------


def test_ucdp_quality_and_context_fields_are_carried():
    events, _ = _read(FIXTURES / "ucdp_ged.csv")
    row = events.set_index("event_id").loc["GED-512347"]
    assert (row["code_status"], row["event_clarity"], row["number_of_sources"]) == ("Clear", 1, 1)
    assert (row["conflict_name"], row["dyad_name"]) == ("IS Sahel - Civilians", "IS Sahel - Civilians")
    assert (row["deaths_a"], row["deaths_b"], row["deaths_civilians"], row["deaths_unknown"]) == (0, 0, 9, 0)
    assert (row["priogrid_gid"], row["source_office"], row["source_date"]) == (
        197286,
        "Agence France Presse",
        "2023-09-06",
    )
    assert row["source_headline"] == "Civilians killed in Ménaka region"


def test_ucdp_sides_get_actor_types_where_clear():
    events, _ = _read(FIXTURES / "ucdp_candidate_noheader.csv")
    rows = events.set_index("event_id")
    assert tuple(rows.loc["GED-700001", ["actor1_type", "actor2_type", "interaction"]]) == (
        "State forces",
        "Rebel group",
        "State forces-Rebel group",
    )
    assert rows.loc["GED-700002", "actor2_type"] == "Civilians"
    assert pd.isna(rows.loc["GED-700002", "actor1_type"]) and pd.isna(rows.loc["GED-700002", "interaction"])
    assert rows.loc["GED-700003", ["actor1_type", "actor2_type"]].isna().all()


def test_candidate_files_with_and_without_header_read_alike(tmp_path):
    without, report = _read(FIXTURES / "ucdp_candidate_noheader.csv")
    with_header, _ = _read(_candidate_with_header(tmp_path))
    assert report.format == "ucdp"
    assert "no header row: read as UCDP GED/Candidate's documented 49 columns" in report.warnings
    pd.testing.assert_frame_equal(pd.DataFrame(without), pd.DataFrame(with_header))
    assert without.set_index("event_id").loc["GED-700002", "code_status"] == "Check dyad"


# --- round trips through the ACLED layout -------------------------------------------

ROUND_TRIP = (
    "event_id",
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "actor1_type",
    "actor2_type",
    "interaction",
    "civilian_targeting",
    "fatalities",
    "iso",
    "region",
    "latitude",
    "longitude",
    "tags",
    "population_1km",
    "population_2km",
    "population_5km",
    "population_best",
)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_the_acled_layout_export_reads_back_with_nothing_lost(layout, tmp_path):
    events, _ = _read(LAYOUTS[layout](tmp_path))
    path = tmp_path / "export.csv"
    acled_frame(events).to_csv(path, index=False)
    back, report = _read(path)
    assert report.format == "acled" and report.rejected == []
    columns = [c for c in ROUND_TRIP if c != "event_date"]
    mine = pd.DataFrame(events[columns]).astype(object).where(events[columns].notna(), None)
    theirs = pd.DataFrame(back[columns]).astype(object).where(back[columns].notna(), None)
    # What a file lacks of actor types, interaction, iso and region the layout works out; what it has stays.
    worked_out = [c for c in ("actor1_type", "actor2_type", "interaction", "iso", "region") if c in columns]
    theirs[worked_out] = theirs[worked_out].where(mine[worked_out].notna(), None)
    pd.testing.assert_frame_equal(mine, theirs)
    assert (events["event_date"] == back["event_date"]).all()
    written = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert (written["year"] == events["event_date"].dt.year.astype(str).to_numpy()).all()


def test_the_details_show_actor_types_population_and_ucdp_fields():
    from conflictmap.details import details_html, event_record

    acled, _ = _read(FIXTURES / "acled_2024_preamble.csv")
    record = dict(event_record(acled.set_index("event_id").loc["MLI50003"]))
    assert (record["Actor types"], record["Interaction"]) == ("Protesters", "Protesters only")
    assert record["People living nearby"] == "9,000 within 1 km; 31,000 within 2 km; 88,000 within 5 km"
    ucdp, _ = _read(FIXTURES / "ucdp_candidate_noheader.csv")
    row = ucdp.set_index("event_id").loc["GED-700002"]
    record = dict(event_record(row))
    assert (record["Coding status"], record["Event clarity"]) == ("Check dyad", "unclear (lower certainty)")
    assert record["Deaths by side"] == "side A 0, side B 0, civilians 7, unknown 0"
    assert record["Actor types"] == "? / Civilians"
    assert "Check dyad" in details_html(row.to_dict())

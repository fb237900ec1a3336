"""Area data without points: ACLED's weekly aggregated files and HDX HAPI's conflict events."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import folium
import pandas as pd
import pytest

from conflictmap import aggregates, arealayers, areas

FIXTURES = Path(__file__).parent / "fixtures" / "areas"


def test_acled_aggregated_rows_load_and_bad_rows_are_named() -> None:
    table, report = aggregates.read_aggregates(FIXTURES / "acled_aggregated.csv")
    assert report.format == "acled_aggregated"
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (7, 5, 2)
    reasons = {(r.row, r.column) for r in report.rejected}
    assert reasons == {(6, "events"), (8, "week")}
    assert "whole number" in str(next(r for r in report.rejected if r.column == "events"))
    first = table.iloc[0]
    assert first["period_start"] == date(2023, 1, 7) and first["period_end"] == date(2023, 1, 13)
    assert (first["events"], first["fatalities"], first["population_best"]) == (4, 11, 25000)
    assert pd.isna(table.iloc[1]["population_best"])
    assert set(table["source"]) == {"acled_aggregated"}


def test_hapi_rows_load_past_the_hxl_row_and_bad_types_are_named() -> None:
    table, report = aggregates.read_aggregates(FIXTURES / "hapi_conflict_events.csv")
    assert report.format == "hdx_hapi"
    assert (report.rows_read, report.rows_loaded) == (5, 4)
    (bad,) = report.rejected
    assert (bad.row, bad.column, bad.value) == (7, "event_type", "riots")  # header row 1, HXL row 2
    assert table["admin2"].tolist() == ["Bandiagara", "Bankass", "Goundam", "Ménaka"]
    assert table.iloc[2]["fatalities"] == 0  # empty fatalities: none reported
    assert table.iloc[0]["period_end"] == date(2023, 1, 31)
    assert table["latitude"].isna().all()


def test_a_file_of_neither_layout_is_refused_with_the_columns_expected(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(aggregates.AggregateDataError, match="week, country, admin1"):
        aggregates.read_aggregates(path)


def test_aggregates_as_region_counts_with_menaka_in_gao() -> None:
    table, _ = aggregates.read_aggregates(FIXTURES / "acled_aggregated.csv")
    january = aggregates.select(table, date(2023, 1, 1), date(2023, 1, 31))
    counts = aggregates.aggregate_area_counts(january).set_index("key")
    assert set(areas.load_boundaries()["key"]) <= set(counts.index)
    assert counts.loc["Mopti", "events"] == 6
    assert counts.loc["Gao", "events"] == 4  # Gao's protest and Ménaka's battles
    assert counts.loc["Segou", "events"] == 0  # February
    hapi, _ = aggregates.read_aggregates(FIXTURES / "hapi_conflict_events.csv")
    by_region = aggregates.aggregate_area_counts(hapi).set_index("key")
    assert by_region.loc["Mopti", "events"] == 8  # Bandiagara and Bankass added up
    assert by_region.loc["Timbuktu", "events"] == 1  # "Tombouctou" in HAPI's spelling
    assert by_region.loc["Gao", "fatalities"] == 7


def test_aggregates_by_period_and_on_the_timeline() -> None:
    table, _ = aggregates.read_aggregates(FIXTURES / "acled_aggregated.csv")
    weekly = aggregates.aggregate_area_counts(table, by="week")
    assert weekly["events"].sum() == table["events"].sum()
    assert set(weekly["period"]) == {date(2023, 1, 7), date(2023, 1, 14), date(2023, 2, 4)}
    line = aggregates.aggregate_timeline(table, by="month")
    assert line["aggregate"].all()
    assert line.set_index("period").loc[date(2023, 1, 1), "events"] == 10


def test_aggregates_draw_on_the_areas_layer() -> None:
    table, _ = aggregates.read_aggregates(FIXTURES / "hapi_conflict_events.csv")
    counts = aggregates.aggregate_area_counts(table)
    note = aggregates.aggregate_note(table)
    assert note.startswith("Aggregates, not events: HDX HAPI")
    page = arealayers.add_area_layer(folium.Map(), counts, note=note).get_root().render()
    assert "8 events" in page
    assert "Aggregates, not events" in page


def test_event_type_selection_and_overlap() -> None:
    table, _ = aggregates.read_aggregates(FIXTURES / "acled_aggregated.csv")
    battles = aggregates.select(table, event_types=["Battles"])
    assert set(battles["event_type"]) == {"Battles"}
    # The week of 7-13 Jan overlaps a period starting on the 10th: kept whole.
    assert len(aggregates.select(table, date(2023, 1, 10), date(2023, 1, 12))) == 3

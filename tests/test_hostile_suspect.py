"""Implausible rows are kept but flagged: in the report, in an event's details, and as a list."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictmap.readers import read_events
from conflictmap.suspect import FATALITIES_CAP, suspect_reasons, suspect_rows

HEADER = "event_id,event_date,event_type,latitude,longitude,country,fatalities,dataset\n"
ROWS = [
    "gao,2023-09-07,Battles,16.2717,-0.0447,Mali,3,t",  # fine
    "swapped,2023-09-07,Battles,-0.0447,16.2717,Mali,3,t",  # Gao with latitude and longitude swapped
    "niamey,2023-09-07,Battles,13.5116,2.1254,Mali,3,t",  # in Niger, said to be Mali
    "border,2023-09-07,Battles,14.9,-12.0,Mali,3,t",  # 0.17 degrees outside the coarse outline: passes
    "toll,2023-09-07,Battles,12.65,-8.0,Mali,1000000000,t",  # Bamako, a billion deaths
    "elsewhere,2023-09-07,Battles,33.5,36.3,Syria,3,t",  # a country without an outline: not checked
    "accent,2023-09-07,Battles,5.35,-4.0,Côte d’Ivoire,3,t",  # Abidjan, spelt with a curly apostrophe
]


@pytest.fixture
def read(tmp_path: Path):
    path = tmp_path / "suspect.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return read_events(path)


def test_suspect_rows_are_kept_and_reported(read) -> None:
    _, report = read
    assert report.rows_loaded == len(ROWS)
    by_row = {r.row: r for r in report.suspect}
    assert sorted(by_row) == [3, 4, 6]
    assert "look swapped" in by_row[3].reason
    assert "outside Mali" in by_row[4].reason and "swapped" not in by_row[4].reason
    assert by_row[6].column == "fatalities" and f"{FATALITIES_CAP:,}" in by_row[6].reason
    assert "suspect row 3" in report.summary()


def test_the_suspect_list_and_the_details_say_the_same(read) -> None:
    events, _ = read
    listed = suspect_rows(events)
    assert listed["event_id"].tolist() == ["swapped", "niamey", "toll"]
    assert list(listed.columns) == ["event_id", "column", "value", "reason"]
    one = events[events["event_id"] == "swapped"].iloc[0]
    assert suspect_reasons(one) == [listed.iloc[0]["reason"]]
    fine = events[events["event_id"] == "gao"].iloc[0]
    assert suspect_reasons(fine) == []


def test_an_empty_table_has_no_suspects(read) -> None:
    events, _ = read
    assert suspect_rows(events.iloc[0:0]).empty


def test_country_names_are_matched_across_spellings() -> None:
    from conflictmap.suspect import _fold, _outlines

    for name in ("Côte d’Ivoire", "Ivory Coast", "MLI", "mali", "Central African Republic"):
        assert _fold(name) in _outlines(), name

"""Likely duplicates: same type, within 10 km and 2 days of an event already stored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from conflictmap.extract import DUPLICATE_COLUMNS, extract_events, find_duplicates
from conflictmap.readers import read_events
from conflictmap.schema import to_canonical

ROOT = Path(__file__).resolve().parents[1]


def events(*rows: dict) -> pd.DataFrame:
    base = {"event_type": "Battles", "sub_event_type": "Armed clash", "dataset": "acled", "location": "Gao"}
    return to_canonical(pd.DataFrame([base | r for r in rows]))


STORED = events(
    {"event_id": "A-1", "event_date": "2023-08-30", "latitude": 16.2717, "longitude": -0.0447},  # Gao
    {"event_id": "A-2", "event_date": "2023-08-30", "latitude": 16.2717, "longitude": 0.0600},  # ~11 km east
    {"event_id": "A-3", "event_date": "2023-09-03", "latitude": 16.2717, "longitude": -0.0447},  # 4 days later
    {
        "event_id": "A-4",
        "event_date": "2023-08-30",
        "latitude": 16.2717,
        "longitude": -0.0447,
        "event_type": "Protests",
        "sub_event_type": "Peaceful protest",
    },
    {"event_id": "A-5", "event_date": "2023-08-29", "latitude": 16.3000, "longitude": -0.0447},  # ~3 km, 1 day
)


def test_same_type_near_in_place_and_time() -> None:
    candidate = events({"event_id": "C-1", "event_date": "2023-08-30", "latitude": 16.2717, "longitude": -0.0447})
    found = find_duplicates(candidate, STORED)
    assert list(found.columns) == list(DUPLICATE_COLUMNS)
    assert list(found["match_id"]) == ["A-1", "A-5"]  # nearest in time, then in place
    first = found.iloc[0]
    assert (first["candidate"], first["candidate_id"], first["distance_km"], first["days_apart"]) == (0, "C-1", 0.0, 0)
    assert found.iloc[1]["days_apart"] == 1
    assert 3.0 < found.iloc[1]["distance_km"] < 3.3


def test_date_ranges_count_whole() -> None:
    # "End of August" (21-31) is within two days of 3 September? No: 3 days. Of 30 August: yes.
    candidate = events(
        {
            "event_id": "C-2",
            "event_date": "2023-08-21",
            "date_end": "2023-08-31",
            "latitude": 16.2717,
            "longitude": -0.0447,
        }
    )
    assert set(find_duplicates(candidate, STORED)["match_id"]) == {"A-1", "A-5"}
    candidate = events(
        {
            "event_id": "C-3",
            "event_date": "2023-08-21",
            "date_end": "2023-09-01",
            "latitude": 16.2717,
            "longitude": -0.0447,
        }
    )
    assert set(find_duplicates(candidate, STORED)["match_id"]) == {"A-1", "A-3", "A-5"}


def test_limits_can_be_changed() -> None:
    candidate = events({"event_id": "C-4", "event_date": "2023-08-30", "latitude": 16.2717, "longitude": -0.0447})
    assert "A-2" in set(find_duplicates(candidate, STORED, max_km=12)["match_id"])
    assert set(find_duplicates(candidate, STORED, max_days=0)["match_id"]) == {"A-1"}


def test_nothing_matches_gives_an_empty_table_with_the_columns() -> None:
    far = events({"event_id": "C-5", "event_date": "2020-01-01", "latitude": 12.6, "longitude": -8.0})
    for found in (
        find_duplicates(far, STORED),
        find_duplicates(far.iloc[0:0], STORED),
        find_duplicates(far, STORED.iloc[0:0]),
    ):
        assert found.empty and list(found.columns) == list(DUPLICATE_COLUMNS)


def test_bad_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="event_id"):
        find_duplicates(STORED, STORED.drop(columns="event_id"))
    with pytest.raises(ValueError, match="latitude"):
        find_duplicates(pd.DataFrame({"event_date": [], "event_type": []}), STORED)
    with pytest.raises(TypeError):
        find_duplicates([], STORED)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="0 or more"):
        find_duplicates(STORED, STORED, max_km=-1)


def test_the_seed_story_matches_the_seed_events() -> None:
    seed, _ = read_events(ROOT / "data" / "seed_events.csv")
    text = (ROOT / "tests" / "articles" / "en_wire_bamako_suicide_alert.txt").read_text(encoding="utf-8")
    candidates = extract_events(text, published=dt.date(2023, 9, 14), source="Sahel Wire")
    confident = candidates[candidates["confidence"] >= 0.5]
    found = find_duplicates(confident, seed)
    matched = found.groupby("candidate")["match_id"].apply(set)
    # Every confident candidate of the story is already in the seed data, each with its own event.
    assert set(matched.index) == set(confident.index)
    assert set().union(*matched) == {"SEED-0001", "SEED-0002", "SEED-0003", "SEED-0004", "SEED-0005"}

"""The canonical event table: taxonomy, coercion and validation."""

from __future__ import annotations

import pandas as pd
import pytest

from conflictmap.schema import (
    COLUMNS,
    EVENT_TYPES,
    PARENT_TYPE,
    SUB_EVENT_TYPES,
    TAXONOMY,
    SchemaError,
    empty_events,
    stable_event_id,
    to_canonical,
    validate_events,
)


def _rows(**overrides) -> pd.DataFrame:
    base = {
        "event_id": ["e1", "e2"],
        "dataset": ["manual", "manual"],
        "event_date": ["2023-09-07", "2023-08-25"],
        "event_type": ["Battles", "Strategic developments"],
        "sub_event_type": ["Armed clash", "Other"],
        "latitude": [16.8501, 12.6392],
        "longitude": [-2.5932, -8.0029],
        "actor1": ["Military Forces of Mali (2021-)", "  "],
        "timestamp": [1694476800, None],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_taxonomy_has_acled_six_types_and_25_sub_types():
    assert len(EVENT_TYPES) == 6
    assert len(SUB_EVENT_TYPES) == 25
    assert len(set(SUB_EVENT_TYPES)) == 25
    assert all(PARENT_TYPE[s] == t for t, subs in TAXONOMY.items() for s in subs)


def test_to_canonical_fills_defaults_and_dtypes():
    events = to_canonical(_rows())
    validate_events(events)
    assert list(events.columns) == [*COLUMNS, "geometry"]
    assert events.crs.to_epsg() == 4326
    assert (events["date_end"] == events["event_date"]).all()
    assert events["time_precision"].tolist() == [1, 1]
    assert events["fatalities"].tolist() == [0, 0]
    # blanks are missing, not empty strings
    assert pd.isna(events.loc[1, "actor1"])
    # ACLED timestamps are Unix seconds
    assert events.loc[0, "timestamp"] == pd.Timestamp("2023-09-12", tz="UTC")
    assert events.geometry.iloc[0].x == pytest.approx(-2.5932)


def test_fixed_categories_survive_concat():
    a = to_canonical(_rows())
    b = to_canonical(
        _rows(event_id=["e3", "e4"], event_type=["Riots", "Protests"], sub_event_type=["Mob violence", ""])
    )
    both = pd.concat([a, b])
    assert str(both["event_type"].dtype) == "category"
    assert str(both["sub_event_type"].dtype) == "category"


def test_unknown_event_type_is_named():
    with pytest.raises(SchemaError, match=r"row 1: column 'event_type' has 'Battle'"):
        to_canonical(_rows(event_type=["Battles", "Battle"]))


def test_missing_required_column():
    with pytest.raises(SchemaError, match="latitude"):
        to_canonical(_rows().drop(columns="latitude"))


def test_empty_events_is_valid():
    events = empty_events()
    validate_events(events)
    assert len(events) == 0


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("latitude", 95.0, "latitude"),
        ("longitude", -181.0, "longitude"),
        ("time_precision", 5, "time_precision"),
        ("geo_precision", 0, "geo_precision"),
        ("fatalities", -1, "fatalities"),
        ("event_id", "e1", "unique"),
    ],
)
def test_validate_names_the_bad_value(column, value, message):
    events = to_canonical(_rows())
    events.loc[1, column] = value
    with pytest.raises(SchemaError, match=message):
        validate_events(events)


def test_validate_rejects_sub_type_of_another_type():
    events = to_canonical(_rows(sub_event_type=["Armed clash", "Armed clash"]))
    with pytest.raises(SchemaError, match="sub_event_type"):
        validate_events(events)


def test_validate_rejects_end_before_start():
    events = to_canonical(_rows(date_end=["2023-09-01", "2023-08-25"]))
    with pytest.raises(SchemaError, match="date_end"):
        validate_events(events)


def test_stable_event_id_is_deterministic_and_discriminating():
    a = stable_event_id("manual", "2023-09-07", 12.6, -8.0, "Battles")
    assert a == stable_event_id("manual", "2023-09-07", 12.6, -8.0, "Battles")
    assert a != stable_event_id("manual", "2023-09-08", 12.6, -8.0, "Battles")
    assert a.startswith("manual-")

"""Writing canonical events and reading them back gives the same table, in every file format."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from conflictmap.readers import SUFFIXES, read_events, write_events
from conflictmap.schema import COLUMNS, DISORDER_TYPES, KNOWN_DATASETS, TAXONOMY, to_canonical, validate_events

# Letters from several scripts plus the characters that break naive CSV/JSON writers.
_TRICKY = st.sampled_from(
    ['"', "'", ",", ";", "\n", "\r\n", "\t", "é", "É", "ï", "ç", "—", "\\", "{", "#", "NA", "null"]
)
_LETTERS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co", "Cn"))
_TEXT = st.lists(st.one_of(_LETTERS, _TRICKY), max_size=12).map("".join)
_MAYBE_TEXT = st.one_of(st.none(), _TEXT)
_NAMES = st.one_of(
    st.none(), st.sampled_from(["Gao", "Ménaka", "Ségou", "Mopti", "Tombouctou", "Léré", "Kidal"]), _TEXT
)
_DATES = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31))
# GeoPackage and GDAL keep times to the millisecond.
_STAMPS = st.one_of(
    st.none(),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2035, 1, 1)).map(
        lambda t: pd.Timestamp(t.replace(microsecond=t.microsecond // 1000 * 1000), tz="UTC")
    ),
)
_COORD = {"latitude": 90.0, "longitude": 180.0}


@st.composite
def _row(draw: st.DrawFn, number: int) -> dict[str, object]:
    event_type = draw(st.sampled_from(list(TAXONOMY)))
    start = draw(_DATES)
    low = draw(st.one_of(st.none(), st.integers(0, 5000)))
    high = draw(st.one_of(st.none(), st.integers(0, 5000).map(lambda d: d + (low or 0))))
    row: dict[str, object] = {
        "event_id": draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZé-_0123456789", max_size=8)) + f"-{number}",
        "dataset": draw(st.one_of(st.sampled_from(KNOWN_DATASETS), _TEXT.filter(str.strip))),
        "event_date": start,
        "date_end": start + dt.timedelta(days=draw(st.integers(0, 60))),
        "time_precision": draw(st.integers(1, 4)),
        "event_type": event_type,
        "sub_event_type": draw(st.one_of(st.none(), st.sampled_from(TAXONOMY[event_type]))),
        "source_event_type": draw(_MAYBE_TEXT),
        "disorder_type": draw(st.one_of(st.none(), st.sampled_from(DISORDER_TYPES))),
        "civilian_targeting": draw(st.booleans()),
        "fatalities": draw(st.integers(0, 10_000)),
        "fatalities_low": low,
        "fatalities_high": high,
        "geo_precision": draw(st.integers(1, 4)),
        "timestamp": draw(_STAMPS),
    }
    for col in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "country", "admin1", "admin2", "admin3"):
        row[col] = draw(_NAMES)
    row["location"] = draw(_NAMES)
    for col in ("source", "source_scale", "notes", "tags"):
        row[col] = draw(_MAYBE_TEXT)
    for col, limit in _COORD.items():
        row[col] = draw(st.floats(-limit, limit, allow_nan=False, allow_infinity=False))
    return row


@st.composite
def canonical_tables(draw: st.DrawFn):
    size = draw(st.integers(1, 8))
    rows = [draw(_row(i)) for i in range(size)]
    return to_canonical(pd.DataFrame(rows, columns=list(COLUMNS)))


def _plain(events) -> pd.DataFrame:
    """Values to compare: categoricals as their labels, geometry as coordinates."""
    frame = pd.DataFrame(events.drop(columns="geometry"))
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    frame["x"], frame["y"] = events.geometry.x.to_numpy(), events.geometry.y.to_numpy()
    return frame


@pytest.mark.parametrize("suffix", list(SUFFIXES))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=canonical_tables())
def test_write_then_read_gives_the_same_table(suffix, events):
    validate_events(events)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"events{suffix}"
        write_events(events, path)
        back, report = read_events(path)
    assert report.format == "canonical"
    assert report.rejected == []
    assert report.rows_read == report.rows_loaded == len(events)
    validate_events(back)
    assert_frame_equal(_plain(back), _plain(events))

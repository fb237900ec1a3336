"""Timeline: period choice, zero-filled aggregates, headline figures and the previous range."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from conflictmap import timeline
from conflictmap.schema import to_canonical


def make_events(*rows: dict) -> pd.DataFrame:
    base = {"event_type": "Battles", "latitude": 14.0, "longitude": -4.0, "fatalities": 0}
    frame = pd.DataFrame([{**base, **row} for row in rows])
    frame["event_id"] = [f"T{i}" for i in range(len(frame))]
    return to_canonical(frame)


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return make_events(
        {"event_date": "2023-08-01", "fatalities": 3, "sub_event_type": "Armed clash"},
        {"event_date": "2023-08-01", "event_type": "Riots", "sub_event_type": "Mob violence", "fatalities": 1},
        {"event_date": "2023-08-06", "event_type": "Violence against civilians", "fatalities": 5},
        {"event_date": "2023-08-07", "fatalities": 2, "date_end": "2023-08-20"},
        {"event_date": "2023-09-12", "event_type": "Riots", "fatalities": 0},
        {"event_date": "2023-11-30", "fatalities": 10, "sub_event_type": "Armed clash"},
    )


@pytest.mark.parametrize(
    ("start", "end", "freq"),
    [
        ("2023-01-01", "2023-01-01", "D"),
        ("2023-01-01", "2023-03-03", "D"),  # 62 days
        ("2023-01-01", "2023-03-04", "W"),  # 63 days
        ("2023-01-01", "2024-12-31", "W"),  # 731 days
        ("2023-01-01", "2025-01-01", "M"),  # 732 days
        (date(2012, 1, 1), date(2024, 1, 1), "M"),
        (pd.Timestamp("2023-08-01"), pd.Timestamp("2023-08-31"), "D"),
    ],
)
def test_choose_freq_boundaries(start, end, freq):
    assert timeline.choose_freq(start, end) == freq


@pytest.mark.parametrize("freq", ["D", "W", "M"])
@pytest.mark.parametrize("by", ["event_type", "sub_event_type", "admin1"])
def test_aggregate_sums_equal_totals(events, freq, by):
    long = timeline.aggregate(events, freq, by=by)
    total = timeline.totals(events, freq)
    summed = long.groupby("period", observed=True)[["events", "fatalities"]].sum().reset_index()
    pd.testing.assert_frame_equal(summed, total)
    assert total["events"].sum() == len(events)
    assert total["fatalities"].sum() == events["fatalities"].sum()
    assert list(long.columns) == ["period", by, "events", "fatalities"]
    # Every (period, value) pair is present exactly once.
    assert len(long) == len(total) * long[by].nunique()
    assert not long.duplicated(["period", by]).any()


def test_weeks_start_on_monday_and_gaps_are_zero(events):
    weekly = timeline.totals(events, "W")
    assert (weekly["period"].dt.day_of_week == 0).all()
    assert weekly["period"].diff().dropna().eq(pd.Timedelta(days=7)).all()
    by_week = dict(zip(weekly["period"].dt.date, weekly["events"], strict=True))
    # Tuesday 1 Aug and Sunday 6 Aug fall in the week of Monday 31 Jul; Monday 7 Aug starts the next.
    assert by_week[date(2023, 7, 31)] == 3
    assert by_week[date(2023, 8, 7)] == 1
    assert by_week[date(2023, 8, 14)] == 0
    assert weekly["period"].iloc[0] == pd.Timestamp("2023-07-31")
    assert weekly["period"].iloc[-1] == pd.Timestamp("2023-11-27")


def test_months_are_labelled_by_their_first_day(events):
    monthly = timeline.totals(events, "M")
    assert monthly["period"].tolist() == [pd.Timestamp(f"2023-{m:02d}-01") for m in (8, 9, 10, 11)]
    assert monthly["events"].tolist() == [4, 1, 0, 1]
    assert monthly["fatalities"].tolist() == [11, 0, 0, 10]


def test_days_cover_the_whole_span(events):
    daily = timeline.totals(events.iloc[:4], "D")
    assert daily["period"].tolist() == list(pd.date_range("2023-08-01", "2023-08-07", freq="D"))
    assert daily["events"].tolist() == [2, 0, 0, 0, 0, 1, 1]


def test_multi_day_event_counts_once_in_its_first_period(events):
    daily = timeline.totals(events.iloc[[3]], "D")
    assert daily["period"].tolist() == [pd.Timestamp("2023-08-07")]
    assert daily["events"].tolist() == [1]


def test_aggregate_by_type_values_and_zero_fill(events):
    long = timeline.aggregate(events, "M")
    assert list(long["event_type"].cat.categories) == ["Battles", "Violence against civilians", "Riots"]
    table = long.pivot(index="period", columns="event_type", values="events")
    assert table.loc["2023-08-01"].tolist() == [2, 1, 1]
    assert table.loc["2023-10-01"].tolist() == [0, 0, 0]
    fat = long.pivot(index="period", columns="event_type", values="fatalities")
    assert fat.loc["2023-11-01", "Battles"] == 10


def test_aggregate_missing_values_are_unknown(events):
    long = timeline.aggregate(events, "M", by="sub_event_type")
    counts = long.groupby("sub_event_type", observed=True)["events"].sum().to_dict()
    assert counts == {"Armed clash": 2, "Mob violence": 1, timeline.MISSING_LABEL: 3}


def test_aggregate_by_plain_text_column(events):
    plain = events.assign(dataset=["b", "a", "b", "a", "b", None]).astype({"dataset": object})
    long = timeline.aggregate(plain, "M", by="dataset")
    assert list(long["dataset"].cat.categories) == ["a", "b", timeline.MISSING_LABEL]
    assert long.groupby("dataset", observed=True)["events"].sum().tolist() == [2, 3, 1]


def test_default_freq_follows_the_span(events):
    assert timeline.totals(events)["period"].iloc[1] - timeline.totals(events)["period"].iloc[0] == pd.Timedelta(7, "D")
    short = events.iloc[:3]
    assert len(timeline.totals(short)) == 6


def test_start_and_end_widen_the_span(events):
    widened = timeline.totals(events.iloc[:2], "M", start=date(2023, 6, 15), end=date(2023, 9, 1))
    assert widened["period"].dt.month.tolist() == [6, 7, 8, 9]
    assert widened["events"].tolist() == [0, 0, 2, 0]
    long = timeline.aggregate(events.iloc[:2], "M", start=date(2023, 6, 15))
    assert long["period"].dt.month.unique().tolist() == [6, 7, 8]


def test_empty_events():
    empty = make_events({"event_date": "2023-01-01"}).iloc[:0]
    assert timeline.totals(empty).empty
    assert list(timeline.aggregate(empty).columns) == ["period", "event_type", "events", "fatalities"]
    zeros = timeline.totals(empty, "D", start=date(2023, 1, 1), end=date(2023, 1, 3))
    assert zeros["events"].tolist() == [0, 0, 0]


def test_unknown_freq(events):
    with pytest.raises(ValueError, match="freq 'Q'"):
        timeline.totals(events, "Q")


# ---------------------------------------------------------------- headline


def test_headline_changes():
    now = make_events(
        {"event_date": "2023-10-02", "actor1": "FAMa", "actor2": "JNIM", "location": "Ségou", "fatalities": 4},
        {
            "event_date": "2023-10-03",
            "actor1": "Military Forces of Mali (2021-)",
            "assoc_actor_1": "Wagner Group; Africa Corps",
            "location": "Ségou",
            "fatalities": 6,
        },
        {"event_date": "2023-10-04", "actor1": "Unknown band", "latitude": 15.0, "longitude": -2.0},
        {"event_date": "2023-10-05", "actor1": "Unknown band", "latitude": 15.0, "longitude": -2.0},
    )
    before = make_events(
        {"event_date": "2023-09-02", "actor1": "JNIM", "location": "Gao", "fatalities": 5},
        {"event_date": "2023-09-05", "actor1": "JNIM", "location": "Mopti", "fatalities": 0},
    )
    figures = timeline.headline(now, before)
    assert figures["events"] == {"value": 4, "previous": 2, "change": 2, "change_pct": 100.0}
    assert figures["fatalities"] == {"value": 10, "previous": 5, "change": 5, "change_pct": 100.0}
    # FAMa and Military Forces of Mali are one actor: armed forces, JNIM, Wagner, Africa Corps, the unknown band.
    assert figures["actors"] == {"value": 5, "previous": 1, "change": 4, "change_pct": 400.0}
    # Ségou (named twice) and one unnamed point (twice).
    assert figures["locations"] == {"value": 2, "previous": 2, "change": 0, "change_pct": 0.0}


def test_headline_against_nothing():
    now = make_events({"event_date": "2023-10-02", "fatalities": 1})
    figures = timeline.headline(now, now.iloc[:0])
    assert figures["events"] == {"value": 1, "previous": 0, "change": 1, "change_pct": None}
    assert figures["actors"]["value"] == 0


def test_figures_counted_elsewhere_compare_as_the_headline_does():
    now = make_events(
        {"event_date": "2023-10-02", "actor1": "JNIM", "location": "Gao", "fatalities": 4},
        {"event_date": "2023-10-03", "actor1": "FAMa", "location": "Gao", "fatalities": 1},
    )
    before = make_events({"event_date": "2023-09-02", "actor1": "JNIM", "location": "Mopti", "fatalities": 2})
    counted = timeline.compare_figures(
        {"events": 2, "fatalities": 5, "actors": 2, "locations": 1},
        {"events": 1, "fatalities": 2, "actors": 1, "locations": 1},
    )
    assert counted == timeline.headline(now, before)
    assert counted["fatalities"] == {"value": 5, "previous": 2, "change": 3, "change_pct": 150.0}
    assert timeline.compare_figures({"events": 3}, {"events": 0})["events"]["change_pct"] is None


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        (date(2023, 10, 1), date(2023, 10, 31), (date(2023, 8, 31), date(2023, 9, 30))),
        (date(2023, 10, 1), date(2023, 10, 1), (date(2023, 9, 30), date(2023, 9, 30))),
        (date(2024, 3, 1), date(2024, 3, 7), (date(2024, 2, 23), date(2024, 2, 29))),
        (pd.Timestamp("2023-01-01"), pd.Timestamp("2023-12-31"), (date(2022, 1, 1), date(2022, 12, 31))),
    ],
)
def test_previous_range(date_from, date_to, expected):
    assert timeline.previous_range(date_from, date_to) == expected

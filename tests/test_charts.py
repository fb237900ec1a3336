"""The timeline and actor charts: their data, their Vega-Lite specs, and reading back a selected interval."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from conflictmap import charts, schema
from conflictmap.mapview import EVENT_TYPE_COLORS


def ms(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() * 1000


@pytest.fixture
def events(make_events):
    return make_events(
        {"event_date": "2023-08-03", "fatalities": 2},
        {"event_date": "2023-08-04", "fatalities": 3, "event_type": "Riots", "sub_event_type": "Mob violence"},
        {"event_date": "2023-08-16", "actor1": "FAMa", "actor2": "CMA"},
        {"event_date": "2023-09-20", "event_type": "Riots", "sub_event_type": "Mob violence", "fatalities": 1},
    )


def test_timeline_data_stacks_types_per_period(events):
    assert charts.timeline_data(events)[0] == "D"
    week, by_type_w, totals_w = charts.timeline_data(events, freq="W")
    assert week == "W"
    first = by_type_w[by_type_w["period"] == pd.Timestamp("2023-07-31")]
    assert list(first["event_type"]) == ["Battles", "Riots"]
    assert list(first["stack_from"]) == [0, 1]
    assert list(first["stack_to"]) == [1, 2]
    assert (first["period_end"] == pd.Timestamp("2023-08-07")).all()
    assert by_type_w["events"].sum() == len(events)
    assert totals_w["fatalities"].sum() == 6
    assert totals_w.loc[totals_w["period"] == pd.Timestamp("2023-07-31"), "fatalities"].item() == 5
    # Midpoints sit inside their week.
    assert (
        (totals_w["mid"] > totals_w["period"]) & (totals_w["mid"] < totals_w["period"] + pd.Timedelta(days=7))
    ).all()


def test_timeline_reaches_out_to_the_filter_range(events):
    freq, _, totals = charts.timeline_data(events, start=date(2023, 1, 1), end=date(2023, 12, 31))
    assert freq == "W"
    assert totals["period"].min() <= pd.Timestamp("2023-01-01")
    assert totals["period"].max() >= pd.Timestamp("2023-12-25")


def test_month_periods_end_at_the_next_month():
    ends = charts.period_end(pd.Series(pd.to_datetime(["2023-01-01", "2023-02-01", "2023-12-01"])), "M")
    assert list(ends) == list(pd.to_datetime(["2023-02-01", "2023-03-01", "2024-01-01"]))


def test_timeline_spec_has_the_palette_the_selection_and_two_axes(events):
    spec = charts.timeline_chart(events).to_dict()
    assert spec["params"][0]["name"] == charts.SELECTION
    assert spec["params"][0]["select"] == {"type": "interval", "encodings": ["x"]}
    bars, line = spec["layer"]
    colour = bars["encoding"]["color"]["scale"]
    assert dict(zip(colour["domain"], colour["range"], strict=True)) == EVENT_TYPE_COLORS
    assert bars["encoding"]["x"]["field"] == "period"
    assert line["encoding"]["y"]["field"] == "fatalities"
    assert line["encoding"]["y"]["axis"]["orient"] == "right"
    assert spec["resolve"] == {"scale": {"y": "independent"}}


def test_unknown_type_gets_its_colour_only_when_present(events):
    spec = charts.timeline_chart(events).to_dict()
    assert "Unknown" not in spec["layer"][0]["encoding"]["color"]["scale"]["domain"]


@pytest.mark.parametrize(
    "values, freq, expected",
    [
        ([ms("2023-08-03T00:00:00"), ms("2023-08-16T12:00:00")], "D", (date(2023, 8, 3), date(2023, 8, 16))),
        ([ms("2023-08-09"), ms("2023-08-02")], "W", (date(2023, 7, 31), date(2023, 8, 13))),
        ([ms("2023-08-15"), ms("2023-10-02")], "M", (date(2023, 8, 1), date(2023, 10, 31))),
        (["2023-08-15T00:00:00", "2023-10-02"], "M", (date(2023, 8, 1), date(2023, 10, 31))),
        (
            [{"year": 2023, "month": 8, "date": 15}, {"year": 2023, "month": 9, "date": 1}],
            "D",
            (date(2023, 8, 15), date(2023, 9, 1)),
        ),
    ],
)
def test_a_selected_interval_becomes_whole_periods(values, freq, expected):
    state = {"selection": {charts.SELECTION: {"period": values}}}
    assert charts.selected_range(state, freq) == expected


@pytest.mark.parametrize(
    "state",
    [
        None,
        {},
        {"selection": {}},
        {"selection": {charts.SELECTION: {}}},
        {"selection": {charts.SELECTION: {"period": [ms("2023-08-01")]}}},
        {"selection": {charts.SELECTION: {"period": ["soon", "later"]}}},
        {"selection": {charts.SELECTION: {"period": [float("nan"), 1.0]}}},
    ],
)
def test_no_range_without_a_selection(state):
    assert charts.selected_range(state, "D") is None


def test_actor_activity_ranks_actors_and_counts_their_periods(events):
    freq, ranking, activity = charts.actor_activity(events, top=2)
    assert freq == "D"
    assert list(ranking["rank"]) == [1, 2]
    assert ranking.iloc[0]["key"] == "mali_armed_forces"
    assert ranking.iloc[0]["events"] == 4  # FAMa and the ACLED spelling are one actor
    mali = activity[activity["display_name"] == ranking.iloc[0]["display_name"]]
    assert mali["events"].sum() == 4
    assert set(activity["display_name"]) <= set(ranking["display_name"])
    assert (activity["events"] > 0).all()


def test_actor_charts_share_their_rows(events):
    bars, heat = charts.actor_charts(events, top=3)
    left, right = bars.to_dict(), heat.to_dict()
    assert left["encoding"]["y"]["sort"] == right["encoding"]["y"]["sort"]
    assert left["height"] == right["height"]
    assert right["encoding"]["x2"]["field"] == "period_end"


def test_charts_of_no_events(make_events):
    empty = make_events({}).iloc[0:0]
    charts.timeline_chart(empty).to_dict()
    _, ranking, activity = charts.actor_activity(empty)
    assert len(ranking) == 0 and len(activity) == 0
    assert set(schema.EVENT_TYPES) == set(EVENT_TYPE_COLORS)


def test_actor_periods_follow_the_filter_range(events):
    assert charts.actor_activity(events)[0] == "D"
    assert charts.actor_activity(events, start=date(2023, 1, 1), end=date(2023, 12, 31))[0] == "W"
    assert charts.actor_activity(events.iloc[0:0], start=date(2020, 1, 1), end=date(2023, 12, 31))[0] == "M"

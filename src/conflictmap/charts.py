"""Charts for the dashboard (Altair): the timeline and the per-actor views.

``timeline_chart`` stacks events per day, week or month (chosen from the span,
see ``timeline.choose_freq``) by incident type in the map's colours, with
fatalities as a line on a second axis. Dragging across it selects an interval
(the selection parameter ``SELECTION``); ``selected_range`` turns what the page
gets back into whole periods, ready for the date filter.

``actor_activity`` counts the most active actors' events per period, and
``actor_charts`` draws them as a ranked bar chart and a heat strip over time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

import altair as alt
import numpy as np
import pandas as pd

from conflictmap import schema, timeline
from conflictmap.actors import actor_counts, actor_mask
from conflictmap.mapview import EVENT_TYPE_COLORS, UNKNOWN_TYPE_COLOR

#: Name of the timeline's interval selection (the key under ``selection`` in what Streamlit returns).
SELECTION = "when"
FREQ_WORDS: dict[str, str] = {"D": "day", "W": "week", "M": "month"}
_TYPE_DOMAIN = [*schema.EVENT_TYPES, timeline.MISSING_LABEL]
_TYPE_RANGE = [*EVENT_TYPE_COLORS.values(), UNKNOWN_TYPE_COLOR]


def period_end(starts: pd.Series | pd.DatetimeIndex, freq: str) -> pd.Series:
    """The first day of the next period for each period start (so a bar spans its whole period)."""
    starts = pd.Series(pd.to_datetime(starts))
    if freq == "D":
        return starts + pd.Timedelta(days=1)
    if freq == "W":
        return starts + pd.Timedelta(days=7)
    return starts + pd.offsets.MonthBegin(1)


def timeline_data(
    events: pd.DataFrame, *, start: date | None = None, end: date | None = None, freq: str | None = None
) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """The numbers behind the timeline.

    Parameters
    ----------
    events : pandas.DataFrame
        The filtered events.
    start, end : date, optional
        The filter's range; periods reach out to it even where nothing happened.
    freq : {"D", "W", "M"}, optional
        Period length; by default chosen from the span.

    Returns
    -------
    (str, pandas.DataFrame, pandas.DataFrame)
        The frequency; events per period and incident type (``period``, ``period_end``,
        ``event_type``, ``events``, and ``stack_from``/``stack_to``, where the type's part of
        the period's bar starts and ends); and totals per period (``period``, ``mid``,
        ``events``, ``fatalities``).
    """
    if freq is None:
        if len(events):
            first = min(pd.Timestamp(events["event_date"].min()).date(), start or date.max)
            last = max(pd.Timestamp(events["event_date"].max()).date(), end or date.min)
        else:
            first, last = start or date.today(), end or date.today()
        freq = timeline.choose_freq(first, last)
    by_type = timeline.aggregate(events, freq, start=start, end=end)
    return timeline_layout(freq, by_type, timeline.totals(events, freq, start=start, end=end))


def timeline_layout(freq: str, by_type: pd.DataFrame, totals: pd.DataFrame) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """``timeline.aggregate`` and ``timeline.totals`` tables laid out for ``timeline_chart``.

    Parameters
    ----------
    freq : {"D", "W", "M"}
        Their period length.
    by_type : pandas.DataFrame
        Events per period and incident type (``timeline.aggregate``).
    totals : pandas.DataFrame
        Events and fatalities per period (``timeline.totals``); not changed.

    Returns
    -------
    (str, pandas.DataFrame, pandas.DataFrame)
        As ``timeline_data``.
    """
    by_type = by_type[by_type["events"] > 0].copy()
    by_type["event_type"] = by_type["event_type"].astype(str)
    by_type["type_order"] = by_type["event_type"].map({t: i for i, t in enumerate(_TYPE_DOMAIN)}).fillna(99)
    # Stacked here, so each bar is a rectangle from "stack_from" to "stack_to" events.
    by_type = by_type.sort_values(["period", "type_order"], kind="stable")
    by_type["stack_to"] = by_type.groupby("period")["events"].cumsum()
    by_type["stack_from"] = by_type["stack_to"] - by_type["events"]
    by_type["period_end"] = period_end(by_type["period"], freq).to_numpy()
    totals = totals.copy()
    ends = period_end(totals["period"], freq)
    totals["mid"] = (totals["period"] + (ends.to_numpy() - totals["period"]) / 2).to_numpy()
    return freq, by_type.reset_index(drop=True), totals


def timeline_chart(
    events: pd.DataFrame | None,
    *,
    start: date | None = None,
    end: date | None = None,
    freq: str | None = None,
    height: int = 300,
    data: tuple[str, pd.DataFrame, pd.DataFrame] | None = None,
    frame: tuple[date, date, str] | None = None,
) -> alt.LayerChart:
    """Events per period stacked by incident type, fatalities as a line, with an interval selection.

    Parameters
    ----------
    events : pandas.DataFrame or None
        The filtered events; may be ``None`` when the numbers are given.
    start, end : date, optional
        The filter's range (see ``timeline_data``).
    freq : {"D", "W", "M"}, optional
        Period length; by default chosen from the span.
    height : int
        Chart height in pixels.
    data : tuple, optional
        What ``timeline_data`` returned for these events, if already computed.
    frame : (date, date, str), optional
        The playback frame the map shows (first day, last day, date stamp): marked as a shaded band
        named ``FRAME_LAYER`` across the chart.

    Returns
    -------
    altair.LayerChart
        Bars with the selection ``SELECTION`` on the x axis, and the fatality line on its own right-hand axis.
    """
    freq, by_type, totals = data if data is not None else timeline_data(events, start=start, end=end, freq=freq)
    word = FREQ_WORDS[freq]
    brush = alt.selection_interval(name=SELECTION, encodings=["x"])
    # Every type of the taxonomy keeps its colour; "Unknown" only appears when some event has no type.
    domain = [t for t in _TYPE_DOMAIN if t != timeline.MISSING_LABEL or (by_type["event_type"] == t).any()]
    x_title = f"{word.capitalize()} (drag across the chart to set the dates)"
    bars = (
        alt.Chart(by_type)
        .mark_rect()
        .encode(
            x=alt.X("period:T", title=x_title),
            x2="period_end:T",
            y=alt.Y("stack_from:Q", title=f"Events per {word}", axis=alt.Axis(format=",d", tickMinStep=1)),
            y2="stack_to:Q",
            color=alt.Color(
                "event_type:N",
                title="Incident type",
                scale=alt.Scale(domain=domain, range=[_TYPE_RANGE[_TYPE_DOMAIN.index(t)] for t in domain]),
                legend=alt.Legend(orient="top", columns=6, labelLimit=220, title=None),
            ),
            tooltip=[
                alt.Tooltip("period:T", title=f"{word.capitalize()} from"),
                alt.Tooltip("event_type:N", title="Type"),
                alt.Tooltip("events:Q", title="Events"),
            ],
        )
        .add_params(brush)
    )
    line = (
        alt.Chart(totals)
        .mark_line(color="#222222", strokeWidth=1.5, point=alt.OverlayMarkDef(color="#222222", size=18))
        .encode(
            x="mid:T",
            y=alt.Y(
                "fatalities:Q",
                title=f"Fatalities per {word}",
                axis=alt.Axis(orient="right", format=",d", tickMinStep=1),
                scale=alt.Scale(domain=[0, max(1, int(totals["fatalities"].max() if len(totals) else 0))]),
            ),
            tooltip=[
                alt.Tooltip("period:T", title=f"{word.capitalize()} from"),
                alt.Tooltip("events:Q", title="Events"),
                alt.Tooltip("fatalities:Q", title="Fatalities"),
            ],
        )
    )
    layers = [bars.properties(height=height), line.properties(height=height)]
    if frame is not None:
        layers.append(frame_marker(*frame).properties(height=height))
    return alt.layer(*layers).resolve_scale(y="independent")


#: The name of the timeline's layer that marks the playback frame (its ``description`` in the spec).
FRAME_LAYER = "playback-frame"
FRAME_COLOUR = "#e6550d"


def frame_marker(first: date, last: date, label: str) -> alt.Chart:
    """A band over one playback frame, ``first`` to the end of ``last``, with its date stamp as the tooltip."""
    table = pd.DataFrame(
        {
            "start": [pd.Timestamp(first)],
            "end": [pd.Timestamp(last) + pd.Timedelta(days=1)],
            "label": [f"Playing: {label}"],
        }
    )
    return (
        alt.Chart(table, description=FRAME_LAYER)
        .mark_rect(color=FRAME_COLOUR, opacity=0.18, stroke=FRAME_COLOUR, strokeWidth=1.5)
        .encode(x="start:T", x2="end:T", tooltip=alt.Tooltip("label:N", title="Map"))
    )


def _as_day(value: object) -> date:
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"not a date: {value!r}")
        # Vega-Lite hands temporal selections over as milliseconds since 1970 (UTC).
        return (datetime(1970, 1, 1) + timedelta(milliseconds=float(value))).date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return pd.Timestamp(value).date()
    if isinstance(value, Mapping) and {"year", "month", "date"} <= set(value):
        # A Vega date-time object; months count from 1 here as in Vega-Lite's "month" field.
        return date(int(value["year"]), int(value["month"]), int(value["date"]))
    raise ValueError(f"not a date: {value!r}")


def selected_range(state: Mapping[str, object] | None, freq: str) -> tuple[date, date] | None:
    """The whole periods an interval selection on the timeline covers.

    Parameters
    ----------
    state : mapping or None
        What ``st.altair_chart(..., on_select=...)`` returns, also kept under the chart's
        key: ``{"selection": {SELECTION: {"period": [start, end]}}}``.
    freq : {"D", "W", "M"}
        The timeline's period length.

    Returns
    -------
    (date, date) or None
        The first day of the period where the selection starts and the last day of
        the period where it ends; ``None`` when nothing is selected.
    """
    try:
        interval = state["selection"][SELECTION]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    if not interval:
        return None
    values = interval.get("period") or interval.get("mid") or next(iter(interval.values()), None)
    if not values or len(values) != 2:
        return None
    try:
        first, last = sorted(_as_day(v) for v in values)
    except (ValueError, TypeError, OverflowError):
        return None
    start = _period_start(first, freq)
    end = (pd.Timestamp(_period_start(last, freq)) + _step(freq)).date() - timedelta(days=1)
    return start, end


def _period_start(day: date, freq: str) -> date:
    if freq == "D":
        return day
    if freq == "W":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _step(freq: str) -> pd.DateOffset | pd.Timedelta:
    return {"D": pd.Timedelta(days=1), "W": pd.Timedelta(days=7)}.get(freq, pd.offsets.MonthBegin(1))


# -- actors -------------------------------------------------------------------------------------------


def actor_activity(
    events: pd.DataFrame,
    *,
    top: int = 10,
    freq: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """The most active actors and their events per period.

    Parameters
    ----------
    events : pandas.DataFrame
        The filtered events.
    top : int
        How many actors.
    freq : {"D", "W", "M"}, optional
        Period length; by default chosen from the span.
    start, end : date, optional
        The filter's range; the period length is chosen over it too, as the timeline's is.

    Returns
    -------
    (str, pandas.DataFrame, pandas.DataFrame)
        The frequency; the actors (``key``, ``display_name``, ``events``, ``rank``) most
        active first; and their events per period (``display_name``, ``period``, ``events``),
        periods without events left out. An event counts for each of its actors.
    """
    ranking = actor_counts(events).head(top).reset_index(drop=True)
    ranking["rank"] = np.arange(1, len(ranking) + 1)
    if freq is None:
        days = [d for d in (start, end) if d is not None]
        if len(events):
            days += [pd.Timestamp(events["event_date"].min()).date(), pd.Timestamp(events["event_date"].max()).date()]
        freq = timeline.choose_freq(min(days), max(days)) if days else "M"
    per_actor = []
    for key, name in zip(ranking["key"], ranking["display_name"], strict=True):
        mine = events[actor_mask(events, [key], include_members=False)]
        per = timeline.totals(mine, freq)
        per_actor.append((name, pd.Series(per["events"].to_numpy(), index=per["period"].to_numpy())))
    activity = activity_table(per_actor, freq)
    return freq, ranking, activity


def activity_table(per_actor: Sequence[tuple[str, pd.Series]], freq: str) -> pd.DataFrame:
    """Each actor's events per period as one table, periods without events left out.

    Parameters
    ----------
    per_actor : sequence of (str, pandas.Series)
        Each actor's display name and its events, indexed by period start.
    freq : {"D", "W", "M"}
        The period length.

    Returns
    -------
    pandas.DataFrame
        ``display_name``, ``period``, ``events``, ``period_end``.
    """
    rows = [
        pd.DataFrame(
            {
                "display_name": name,
                "period": pd.Series(per.index.to_numpy(), dtype="datetime64[ns]"),
                "events": pd.Series(per.to_numpy(), dtype="int64"),
            }
        )[lambda frame: frame["events"] > 0]
        for name, per in per_actor
    ]
    if rows:
        activity = pd.concat(rows, ignore_index=True)
    else:
        activity = pd.DataFrame(
            {"display_name": pd.Series([], dtype=object), "period": pd.Series([], dtype="datetime64[ns]"), "events": []}
        )
    activity["period_end"] = period_end(activity["period"], freq).to_numpy()
    return activity


def actor_charts(
    events: pd.DataFrame | None,
    *,
    top: int = 10,
    row_px: int = 30,
    activity: tuple[str, pd.DataFrame, pd.DataFrame] | None = None,
) -> tuple[alt.Chart, alt.Chart]:
    """Two charts with the same rows, to be shown side by side: events per actor, and their events over time.

    Parameters
    ----------
    events : pandas.DataFrame or None
        The filtered events; may be ``None`` when the numbers are given.
    top : int
        How many actors, most active first.
    row_px : int
        Height of one actor's row in pixels (the same in both charts, so their rows line up).
    activity : tuple, optional
        What ``actor_activity`` returned for these events, if already computed.

    Returns
    -------
    (altair.Chart, altair.Chart)
        A bar chart of events per actor, and a heat strip of each actor's events per period.
    """
    freq, ranking, activity = activity if activity is not None else actor_activity(events, top=top)
    word = FREQ_WORDS[freq]
    order = list(ranking["display_name"])
    # The page fits each chart, axes included, into this height; the axes take about 60 pixels.
    height = row_px * max(len(order), 1) + 60
    bars = (
        alt.Chart(ranking)
        .mark_bar(color="#4d4d4d")
        .encode(
            y=alt.Y("display_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X("events:Q", title="Events", axis=alt.Axis(format=",d", tickMinStep=1)),
            tooltip=[alt.Tooltip("display_name:N", title="Actor"), alt.Tooltip("events:Q", title="Events")],
        )
        .properties(height=height)
    )
    heat = (
        alt.Chart(activity)
        .mark_rect()
        .encode(
            y=alt.Y("display_name:N", sort=order, title=None, axis=alt.Axis(labels=False, ticks=False)),
            x=alt.X("period:T", title=f"Events per {word}"),
            x2="period_end:T",
            color=alt.Color(
                "events:Q", title="Events", scale=alt.Scale(scheme="orangered"), legend=alt.Legend(format=",d")
            ),
            tooltip=[
                alt.Tooltip("display_name:N", title="Actor"),
                alt.Tooltip("period:T", title=f"{word.capitalize()} from"),
                alt.Tooltip("events:Q", title="Events"),
            ],
        )
        .properties(height=height)
    )
    return bars, heat

"""The timeline: events and fatalities per period; a range drawn on it becomes the date filter.

While the map plays the period back, the frames it steps through are shown under it: events per frame,
those with imprecise dates apart (they count in every frame their window touches).
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from conflictmap import aggregates, charts, playback
from conflictmap.app import cache, datasets, state
from conflictmap.app.context import PageContext
from conflictmap.app.sidebar import on_timeline


def timeline(ctx: PageContext) -> None:
    """The timeline chart of the filtered events."""
    st.subheader("Timeline")
    numbers = cache.ask(cache.timeline_view, ctx.data_key, ctx.spec_key, ctx.views, ctx.spec)
    freq = numbers[0]
    chart_key = f"timeline-{st.session_state.get(state.TIMELINE_GEN, 0)}"
    info = ctx.data.info
    frame = playing_frame(ctx) if st.session_state.get(state.MODE) == "playback" else None
    st.altair_chart(
        charts.timeline_chart(None, data=numbers, frame=frame),
        width="stretch",
        key=chart_key,
        on_select=lambda: on_timeline(info, chart_key, freq),
        selection_mode=charts.SELECTION,
    )
    if frame is not None:
        st.caption(f"The shaded band is the frame the map shows: {frame[2]}.")
    if st.session_state.get(state.MODE) == "playback":
        playback_frames(ctx)
    published_timeline(ctx, "month" if freq == "M" else "week")


def published_timeline(ctx: PageContext, by: str) -> None:
    """The uploaded aggregates per week or month in the chosen dates and types, apart from the events' chart."""
    table = datasets.published_aggregates()
    if table is None:
        return
    chosen = aggregates.select(table, ctx.spec.date_from, ctx.spec.date_to, ctx.spec.event_types)
    per = aggregates.aggregate_timeline(chosen, by)
    st.caption(
        f"{aggregates.aggregate_note(chosen)}: counts published as aggregates, no points, "
        f"{int(per['events'].sum()):,} events per {by} as published; they are not in the figures above."
    )
    if per.empty:
        return
    per = per.assign(source=per["source"].map(aggregates.SOURCES).fillna(per["source"]))
    chart = (
        alt.Chart(per)
        .mark_bar(opacity=0.6, strokeDash=[3, 2], stroke="#555")
        .encode(
            x=alt.X("period:T", title=f"{by.title()} (published aggregates)"),
            y=alt.Y("events:Q", title="Events (aggregates)"),
            color=alt.Color("source:N", title="Published by", legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("period:T", title=by.title()),
                alt.Tooltip("source:N", title="Published by"),
                alt.Tooltip("events:Q", format=","),
                alt.Tooltip("fatalities:Q", format=","),
            ],
        )
        .properties(height=140)
    )
    st.altair_chart(chart, width="stretch", key="published-aggregates")


def _played(ctx: PageContext) -> tuple[str, str, playback.Playback | None]:
    """The step and mode the map's playback control holds, and its frames (``None`` when it cannot play)."""
    step = st.session_state.get(state.PLAY_STEP) or "month"
    show = st.session_state.get(state.PLAY_MODE) or "window"
    try:
        return step, show, cache.ask(cache.playback, ctx.data_key, ctx.spec_key, step, show, ctx.views, ctx.spec)
    except playback.PlaybackError:
        return step, show, None


def playing_frame(ctx: PageContext) -> tuple:
    """The playback frame the map shows (first day, last day, stamp): the one it reported, else the first."""
    step, show, played = _played(ctx)
    if played is None or not len(played):
        return None
    key, index = st.session_state.get(state.PLAY_FRAME) or (None, 0)
    # A frame of another step, mode, dataset or filter: the map has started again from the first.
    if key != (step, show, ctx.data_key, ctx.spec_key) or not 0 <= index < len(played):
        index = 0
    chosen = played.frames[index]
    return chosen.start, chosen.end, chosen.label


# How the frames chart names the two kinds of events.
EXACT, VAGUE = "Known day", "Imprecise date (whole window)"


def frame_table(counts: pd.DataFrame) -> pd.DataFrame:
    """``Playback.counts()`` in long form for the frames chart: one row per frame and kind of date."""
    exact = counts.assign(kind=EXACT, n=counts["events"] - counts["imprecise"])
    vague = counts.assign(kind=VAGUE, n=counts["imprecise"])
    table = pd.concat([exact, vague], ignore_index=True)[["start", "label", "kind", "n"]]
    table["start"] = pd.to_datetime(table["start"])
    return table


def playback_frames(ctx: PageContext) -> None:
    """The playback's frames under the timeline: what each step of the map's control shows."""
    step, show, played = _played(ctx)
    if played is None:
        return  # the map says why
    counts = played.counts()
    vague = int(counts["imprecise"].sum())
    st.caption(
        f"Playback: {len(counts):,} frames of a {step}"
        + (", each with every event up to its end" if show == "cumulative" else "")
        + (
            f"; events with imprecise dates count in every frame their window touches ({vague:,} in all)"
            if vague
            else ""
        )
        + ". Step through them with the control on the map."
    )
    chart = (
        alt.Chart(frame_table(counts))
        .mark_bar()
        .encode(
            x=alt.X("start:T", title=f"Frame ({step})"),
            y=alt.Y("sum(n):Q", title="Events in the frame"),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=[EXACT, VAGUE], range=["#4c78a8", "#c6dbef"]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Frame"),
                alt.Tooltip("kind:N", title=""),
                alt.Tooltip("n:Q", title="Events"),
            ],
        )
        .properties(height=140)
    )
    st.altair_chart(chart, width="stretch", key="playback-frames")

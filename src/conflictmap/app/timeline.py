"""The timeline: events and fatalities per period; a range drawn on it becomes the date filter.

While the map plays the period back, the frames it steps through are shown under it: events per frame,
those with imprecise dates apart (they count in every frame their window touches).
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from conflictmap import charts, playback
from conflictmap.app import cache, state
from conflictmap.app.context import PageContext
from conflictmap.app.sidebar import on_timeline


def timeline(ctx: PageContext) -> None:
    """The timeline chart of the filtered events."""
    st.subheader("Timeline")
    numbers = cache.ask(cache.timeline_view, ctx.data_key, ctx.spec_key, ctx.views, ctx.spec)
    freq = numbers[0]
    chart_key = f"timeline-{st.session_state.get(state.TIMELINE_GEN, 0)}"
    info = ctx.data.info
    st.altair_chart(
        charts.timeline_chart(None, data=numbers),
        width="stretch",
        key=chart_key,
        on_select=lambda: on_timeline(info, chart_key, freq),
        selection_mode=charts.SELECTION,
    )
    if st.session_state.get(state.MODE) == "playback":
        playback_frames(ctx)


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
    step = st.session_state.get(state.PLAY_STEP) or "month"
    show = st.session_state.get(state.PLAY_MODE) or "window"
    try:
        played = cache.ask(cache.playback, ctx.data_key, ctx.spec_key, step, show, ctx.views, ctx.spec)
    except playback.PlaybackError:
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

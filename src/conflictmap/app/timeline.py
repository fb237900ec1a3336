"""The timeline: events and fatalities per period; a range drawn on it becomes the date filter."""

from __future__ import annotations

import streamlit as st

from conflictmap import charts
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

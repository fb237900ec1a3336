"""The headline: what is shown, then its figures with their change against the period before, in one row."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from conflictmap import headlines
from conflictmap.app import cache, datasets, layout
from conflictmap.app.context import PageContext
from conflictmap.app.text import md_escape
from conflictmap.headlines import plural


def headline(ctx: PageContext) -> DeltaGenerator:
    """One caption naming the filter, the datasets and the comparison, then one compact metric per figure.

    Returns the row's last column, for the map's drawing control.
    """
    names = ", ".join(datasets.source_name(k) for k in ctx.data.chosen)
    what = f"{ctx.spec.describe()} · {ctx.count:,} of {plural(ctx.data.total, 'event')} · {names}"
    figures, before = cache.ask(cache.headline, ctx.data_key, ctx.spec_key, ctx.views, ctx.spec)
    note = headlines.comparison_note(ctx.spec, before)
    st.caption(f"{md_escape(what)} · {note}")
    # The figures only: their course over time is the timeline's.
    metrics = headlines.headline_metrics(figures, before is not None)
    with st.container(key=layout.HEADLINE_BOX):
        *columns, rest = st.columns([1] * len(metrics) + [2.4], vertical_alignment="bottom")
        for col, metric in zip(columns, metrics, strict=True):
            col.metric(
                metric.label,
                metric.value,
                delta=metric.delta,
                delta_color=metric.colour,
                delta_arrow=metric.arrow,
                help=note if metric.delta else None,
            )
    return rest

"""The headline: what is shown, and its figures with their change against the period before, in one row."""

from __future__ import annotations

import streamlit as st

from conflictmap import headlines
from conflictmap.app import cache, datasets
from conflictmap.app.context import PageContext
from conflictmap.app.text import md_escape
from conflictmap.headlines import plural


def headline(ctx: PageContext) -> None:
    """One caption naming the filter and the datasets, then one metric per figure."""
    names = ", ".join(datasets.source_name(k) for k in ctx.data.chosen)
    what = f"{ctx.spec.describe()} · {ctx.count:,} of {plural(ctx.data.total, 'event')} · {names}"
    st.caption(md_escape(what))
    figures, before = cache.ask(cache.headline, ctx.data_key, ctx.spec_key, ctx.views, ctx.spec)
    numbers = cache.ask(cache.timeline_view, ctx.data_key, ctx.spec_key, ctx.views, ctx.spec)
    metrics = headlines.headline_metrics(figures, before is not None, numbers[2])
    with st.container(key="headline"):
        for col, metric in zip(st.columns(len(metrics)), metrics, strict=True):
            col.metric(
                metric.label,
                metric.value,
                delta=metric.delta,
                delta_color=metric.colour,
                delta_arrow=metric.arrow,
                chart_data=list(metric.trend) if metric.trend else None,
            )
    st.caption(headlines.comparison_note(ctx.spec, before))

"""The headline: what is shown, then its figures with their change against the period before, in one row."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from conflictmap import headlines
from conflictmap.app import cache, datasets, layout
from conflictmap.app.context import PageContext
from conflictmap.app.text import md_escape
from conflictmap.headlines import plural


@dataclass
class HeadlineSlots:
    """The headline's places, made before the map and filled after it (``fill``)."""

    caption: DeltaGenerator
    columns: list[DeltaGenerator]


def headline(ctx: PageContext) -> tuple[HeadlineSlots, DeltaGenerator]:
    """The headline's row: a caption, one column per figure and the row's last column (for the map's drawing).

    The figures come after the map: a filter change redraws the map first.
    """
    # Containers, not st.empty: what the last run drew stays in place until it is replaced, so nothing jumps.
    caption = st.container()
    with st.container(key=layout.HEADLINE_BOX):
        *columns, rest = st.columns([1] * len(headlines.FIGURES) + [2.4], vertical_alignment="bottom")
    return HeadlineSlots(caption, columns), rest


def fill(ctx: PageContext, slots: HeadlineSlots) -> None:
    """One caption naming the filter, the datasets and the comparison, then one compact metric per figure."""
    names = ", ".join(datasets.source_name(k) for k in ctx.data.chosen)
    what = f"{ctx.spec.describe()} · {ctx.count:,} of {plural(ctx.data.total, 'event')} · {names}"
    figures, before = cache.ask(cache.headline, ctx.data_key, ctx.spec_key, ctx.views, ctx.spec)
    note = headlines.comparison_note(ctx.spec, before)
    people = cache.ask(cache.people_nearby, ctx.data_key, ctx.spec_key, ctx.views, ctx.spec)
    if people is not None:
        # ACLED's population_5km per place, each place once: a sum of estimates that can overlap.
        note += f" · about {people:,} people live within 5 km of these events (ACLED's estimates)"
    slots.caption.caption(f"{md_escape(what)} · {note}")
    # The figures only: their course over time is the timeline's.
    for col, metric in zip(slots.columns, headlines.headline_metrics(figures, before is not None), strict=True):
        col.metric(
            metric.label,
            metric.value,
            delta=metric.delta,
            delta_color=metric.colour,
            delta_arrow=metric.arrow,
            help=note if metric.delta else None,
        )

"""The headline: what is shown, then its figures with their change against the period before, in one row."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from conflictmap import headlines
from conflictmap.app import cache, datasets, layout
from conflictmap.app.context import PageContext
from conflictmap.app.text import md_escape
from conflictmap.filters import FilterSpec
from conflictmap.headlines import plural

#: The figure of ACLED's ``population_5km``, summed over the selected events.
PEOPLE_LABEL = "People within 5 km (sum)"


@dataclass
class HeadlineSlots:
    """The headline's places, made before the map and filled after it (``fill``)."""

    caption: DeltaGenerator
    columns: list[DeltaGenerator]
    people: DeltaGenerator | None = None


def headline(ctx: PageContext) -> tuple[HeadlineSlots, DeltaGenerator]:
    """The headline's row: a caption, one column per figure and the row's last column (for the map's drawing).

    The figures come after the map: a filter change redraws the map first.
    """
    # Containers, not st.empty: what the last run drew stays in place until it is replaced, so nothing jumps.
    caption = st.container()
    # A column for the people living near the events, when the data carries ACLED's population figures.
    people = cache.ask(cache.people_nearby, ctx.data_key, "", ctx.views, FilterSpec()) is not None
    widths = [1] * len(headlines.FIGURES) + [1.3] * people + [2.4]
    with st.container(key=layout.HEADLINE_BOX):
        *columns, rest = st.columns(widths, vertical_alignment="bottom")
    figures = columns[: len(headlines.FIGURES)]
    return HeadlineSlots(caption, figures, columns[-1] if people else None), rest


def fill(ctx: PageContext, slots: HeadlineSlots) -> None:
    """One caption naming the filter, the datasets and the comparison, then one compact metric per figure."""
    names = ", ".join(datasets.source_name(k) for k in ctx.data.chosen)
    what = f"{ctx.spec.describe()} · {ctx.count:,} of {plural(ctx.data.total, 'event')} · {names}"
    figures, before = cache.ask(cache.headline, ctx.data_key, ctx.spec_key, ctx.views, ctx.spec)
    note = headlines.comparison_note(ctx.spec, before)
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
    if slots.people is not None:
        nearby = cache.ask(cache.people_nearby, ctx.data_key, ctx.spec_key, ctx.views, ctx.spec)
        slots.people.metric(
            PEOPLE_LABEL,
            "–" if nearby is None else f"{nearby.people:,}",
            help=nearby.help if nearby is not None else "None of the selected events carries a population figure.",
        )

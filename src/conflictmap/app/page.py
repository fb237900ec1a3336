"""The page's frame: set-up, the datasets and filters that make the page's context, then the panels in order.

``main(root)`` is the whole page; ``dashboard.py`` and ``conflictmap serve`` both call it.
``root`` is the folder Streamlit serves ``static/`` from (the Leaflet files
under ``static/vendor``) and that may hold ``data/seed_events.csv``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from conflictmap.app import datasets, headline, layout, mappanel, sidebar, state, storepanel, tables, timeline
from conflictmap.assets import missing_assets


def main(root: Path) -> None:
    """Draw the page."""
    st.set_page_config(page_title="conflictmap", layout="wide")
    layout.style()
    seed = root / "data" / "seed_events.csv"

    # Where the events come from: the picker's choices, a link's state, then the datasets read.
    sources = datasets.offer(seed if seed.exists() else None)
    datasets.data_sidebar(sources)
    chosen = [k for k in st.session_state.get(state.SOURCES, []) if k in sources.entries]
    storepanel.store_live(sources.entries, chosen)
    layout.title()
    data = datasets.load(sources)

    # The filters, in the sidebar, make the context every panel below draws from.
    ctx, counts = sidebar.filters(data)

    # Map first: one headline row (its last column holds the map's drawing), then the map and the details;
    # the map is sent before the counts and figures are worked out, which fill their places after it.
    top, rest = headline.headline(ctx)
    with rest:
        mappanel.mode_control()
    if missing_assets(root / "static" / "vendor"):
        st.warning(
            "The map's Leaflet files are missing, so the map cannot draw. "
            "Run `make assets` (or `python -m conflictmap.assets fetch`) once, with access to the npm registry."
        )
    mappanel.map_fragment(ctx)
    sidebar.fill_counts(ctx, counts)
    headline.fill(ctx, top)
    timeline.timeline(ctx)
    tables.tabs(ctx)
    layout.scripts()

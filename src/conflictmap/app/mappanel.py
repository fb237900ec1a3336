"""The map and the selected event beside it, in one fragment: panning, zooming and clicking rerun only this part.

A click on an event shows its details at once, inside the fragment; the rest of
the page (the table's marked row) follows on its next run.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from conflictmap import details, eventform, livemap, viewport
from conflictmap.app import cache, layout, state, storepanel
from conflictmap.app.context import PageContext
from conflictmap.app.text import md_escape
from conflictmap.assets import AssetError

MAP_HEIGHT = 620
# What the map reports back: a click on an event (its popup text), the view for server-side aggregation, and
# any click (for picking a point: the map learns what to report only when it is first drawn).
MAP_RETURNS = ["last_object_clicked_popup", "last_object_clicked_count", "bounds", "zoom", "last_clicked"]
MODE_LABELS = {"auto": "Auto", "points": "Points", "clusters": "Clusters", "density": "Density grid"}


def clear_selection() -> None:
    st.session_state[state.SELECTED] = None


def picked_point(clicked: dict | None, picking: bool) -> tuple[float, float] | None:
    """The point of a new click on the map while picking is on, else ``None``.

    The map reports every click; one made before picking was switched on is not a pick.
    """
    where = (float(clicked["lat"]), float(clicked["lng"])) if clicked else None
    if not picking:
        st.session_state[state.CLICK_BEFORE_PICK] = where
        return None
    if where is None or where in (
        st.session_state.get(state.CLICK_BEFORE_PICK),
        st.session_state.get(state.PICKED_POINT),
    ):
        return None
    return where


def mode_control() -> None:
    """How the map draws the events."""
    st.segmented_control(
        "Map drawing",
        options=list(MODE_LABELS),
        format_func=MODE_LABELS.get,
        key=state.MODE,
        required=True,
        help="Auto draws single events up to a thousand and clusters beyond. Large selections are counted per "
        "area on the server, so the page stays quick.",
    )


@st.fragment
def map_fragment(ctx: PageContext) -> None:
    """The map and the selected event beside it; panning, zooming and clicking rerun only this part.

    What the map reported (a click, the view) is read first, so the details go to the browser before the map's
    layer: a click shows its event as soon as the event is looked up.
    """
    views, spec = ctx.views, ctx.spec
    mode = st.session_state.get(state.MODE) or "auto"
    reported = st.session_state.get(state.MAP) or {}
    view = viewport.Viewport.from_map_state(reported)
    layer_key = (ctx.data_key, ctx.spec_key, mode)
    previous = st.session_state.get(state.EXTENT)
    keep = previous[1] if previous and previous[0] == layer_key else None
    drawn = cache.ask(cache.map_layer, ctx.data_key, ctx.spec_key, mode, repr((view, keep)), views, spec, view, keep)
    st.session_state[state.EXTENT] = (layer_key, drawn.plan.extent)
    take_click(reported, drawn)

    left, right = st.columns([3, 1], gap="small")
    with right, st.container(border=True, key=layout.DETAILS_BOX):
        event_details(ctx)
    with left, st.container(key=layout.MAP_BOX):
        try:
            base = livemap.base_map()
            layer = livemap.event_layer(
                drawn.rows,
                drawn.plan,
                datasets=ctx.data.dataset_names,
                fit_key=ctx.fit_key,
                type_counts=drawn.type_counts,
                dataset_counts=drawn.dataset_counts,
                bounds=drawn.bounds,
            )
        except AssetError as exc:
            st.error(f"The map cannot be drawn offline: {md_escape(exc)}")
            return
        st_folium(
            base,
            key=state.MAP,
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=MAP_RETURNS,
            feature_group_to_add=layer,
        )


def take_click(reported: dict, drawn) -> None:
    """A point picked for the event form, or an event clicked, from what the map reported."""
    point = picked_point(reported.get("last_clicked"), bool(st.session_state.get(state.PICK_ON_MAP)))
    if point:
        st.session_state[state.PICKED_POINT] = point
        st.session_state[state.USE_POINT] = True
        # The event form, outside this fragment, shows the point.
        st.rerun()
    clicked = (reported.get("last_object_clicked_popup"), reported.get("last_object_clicked_count"))
    if clicked[0] and clicked != st.session_state.get(state.CLICKED):
        st.session_state[state.CLICKED] = clicked
        event_id = details.event_id_from_popup(clicked[0], set(drawn.drawn_ids()))
        if event_id and event_id != st.session_state.get(state.SELECTED):
            st.session_state[state.SELECTED] = event_id


def event_details(ctx: PageContext) -> None:
    """The selected event's record, and its history and edit and delete buttons when the store holds it."""
    selected = st.session_state.get(state.SELECTED)
    event = cache.ask(cache.event_record, ctx.data_key, selected, ctx.views)
    if event is None:
        st.markdown("**Event details**")
        st.caption("Click an event on the map, or a row in the table below, to see its full record here.")
        return
    st.html(details.details_html(event))
    if not ctx.spec.mask(pd.DataFrame([event]))[0]:
        st.caption("This event is outside the current filter.")
    st.button("Clear selection", key="clear_selection", on_click=clear_selection)
    if ctx.data.database is not None or eventform.holds_event(ctx.data.store_table, selected):
        storepanel.history_panel(selected)

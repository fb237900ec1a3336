"""The map and the selected event beside it, in one fragment: panning, zooming and clicking rerun only this part.

A click on an event shows its details at once, inside the fragment; the rest of
the page (the table's marked row) follows on its next run.

Besides the event drawings (``viewport.MODES``) the map offers three more:
"Areas" colours each region by its events or fatalities, or by the change
against the period before, and a click on a region filters on it; "Heat" draws
hot spots from grid counts; "Playback" steps through the filtered period by
day, week or month in the browser, imprecise dates drawn as dashed rings.
"""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd
import streamlit as st
from folium.plugins import HeatMap
from streamlit_folium import st_folium

from conflictmap import aggregates, arealayers, areas, details, eventform, livemap, mapview, playback, viewport
from conflictmap.app import cache, datasets, layout, state, storepanel
from conflictmap.app.context import PageContext
from conflictmap.app.text import md_escape
from conflictmap.assets import AssetError, use_local_assets
from conflictmap.filters import FilterError, FilterSpec

MAP_HEIGHT = 620
# What the map reports back: a click on an event (its popup text), the view for server-side aggregation, and
# any click (for picking a point: the map learns what to report only when it is first drawn).
# A click on an area comes as ``last_active_drawing`` (its feature) with ``last_object_clicked`` (where).
MAP_RETURNS = [
    "last_object_clicked_popup",
    "last_object_clicked_count",
    "bounds",
    "zoom",
    "last_clicked",
    "last_active_drawing",
    "last_object_clicked",
    "all_drawings",
    "last_object_clicked_tooltip",
]
MODE_LABELS = {
    "auto": "Auto",
    "points": "Points",
    "clusters": "Clusters",
    "density": "Grid",
    "areas": "Areas",
    "heat": "Heat",
    "playback": "Play",
}
STEP_LABELS = {"day": "Day", "week": "Week", "month": "Month"}
SHOW_LABELS = {"window": "This period", "cumulative": "Cumulative"}
# Before the browser has reported a zoom, hot spots are counted for Mali's whole extent.
HEAT_ZOOM = 6
# Playback frames too busy to draw event by event are counted in squares of about 10 km (the grid at zoom 6).
PLAY_CELL_DEG = viewport.cell_deg(HEAT_ZOOM)
# Hot spots: the same look as ``arealayers.add_heat_layer``.
HEAT_STYLE = {"radius": 14, "blur": 16, "min_opacity": 0.3, "max_zoom": 10}


def _choice(label: str, labels: dict[str, str], key: str) -> None:
    """One of ``labels`` (value -> label) as a row of buttons without a caption, kept in ``key``."""
    st.segmented_control(
        label, options=list(labels), format_func=labels.get, key=key, required=True, label_visibility="collapsed"
    )


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
        help="Auto draws single events up to a thousand and clusters beyond; Grid counts them per square. Large "
        "selections are counted per area on the server, so the page stays quick. Areas colours each region by "
        "its events (click one to filter on it); Heat shows hot spots; Play steps through the period by day, "
        "week or month.",
    )
    # Seven choices in the headline's last column: narrower buttons keep them on one line.
    st.html(f"<style>.st-key-{state.MODE} button {{ padding-left: 0.5rem; padding-right: 0.5rem; }}</style>")


def clear_area() -> None:
    """Drop the area filter a click on the map set."""
    carried = dict(st.session_state.get(state.CARRIED) or {})
    carried.pop("areas", None)
    st.session_state[state.CARRIED] = carried


def filter_on_area(key: str) -> None:
    """Filter the page on one area (the whole page reruns with it)."""
    carried = dict(st.session_state.get(state.CARRIED) or {})
    carried["areas"] = (key,)
    st.session_state[state.CARRIED] = carried
    state.post("toast", "info", f"Showing the events in {areas.area_label(key)}", icon=":material/filter_alt:")
    st.rerun()


def take_area_click(reported: dict) -> None:
    """A click on an area of the Areas mode becomes the area filter; the same click is taken once."""
    key = arealayers.clicked_area(reported)
    where = reported.get("last_object_clicked")
    click = (key, repr(where))
    if key is None or click == st.session_state.get(state.AREA_CLICKED):
        return
    st.session_state[state.AREA_CLICKED] = click
    if (key,) != tuple((st.session_state.get(state.CARRIED) or {}).get("areas") or ()):
        filter_on_area(key)


def _is_box(ring: np.ndarray) -> bool:
    """Whether a closed ring is an upright rectangle (what the box tool draws)."""
    corners = ring[:-1] if len(ring) > 1 and (ring[0] == ring[-1]).all() else ring
    if len(corners) != 4:
        return False
    edges = np.diff(np.vstack([corners, corners[:1]]), axis=0)
    return bool(((edges[:, 0] == 0) | (edges[:, 1] == 0)).all())


def drawn_shape(reported: dict) -> tuple[str, object] | None:
    """The last shape drawn with the map's box or polygon tool, or ``None`` if none.

    Returns
    -------
    ("box", (west, south, east, north)) or ("polygon", ((lon, lat), ...)) or None
        The polygon tool's ring as drawn (``FilterSpec`` checks and rounds it). A shape reported
        without its tool's name (``livemap.DrawnSelection`` adds it) is a box when it is an upright
        rectangle.
    """
    for feature in reversed(reported.get("all_drawings") or []):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
            continue
        try:
            ring = np.asarray(geometry["coordinates"][0], dtype=float)
        except (KeyError, IndexError, TypeError, ValueError):
            continue
        if ring.ndim != 2 or ring.shape[1] < 2 or not np.isfinite(ring).all():
            continue
        lon, lat = np.clip(ring[:, 0], -180, 180), np.clip(ring[:, 1], -90, 90)
        tool = (feature.get("properties") or {}).get("shape")
        if tool == "polygon" or (tool != "rectangle" and not _is_box(ring[:, :2])):
            return "polygon", tuple(zip(lon.tolist(), lat.tolist(), strict=True))
        return "box", (round(lon.min(), 4), round(lat.min(), 4), round(lon.max(), 4), round(lat.max(), 4))
    return None


def take_box(reported: dict) -> None:
    """A box or polygon drawn on the map becomes the filter's box or polygon, in place of the one before
    (the whole page reruns); each shape is taken once."""
    shape = drawn_shape(reported)
    if shape is None or shape == st.session_state.get(state.BOX_DRAWN):
        return
    st.session_state[state.BOX_DRAWN] = shape
    kind, value = shape
    carried = dict(st.session_state.get(state.CARRIED) or {})
    carried.pop("bbox", None)
    carried.pop("polygon", None)
    if kind == "polygon":
        try:
            value = FilterSpec(polygon=value).polygon
        except FilterError as exc:
            state.post("toast", "warning", f"The polygon drawn is not taken: {exc}", icon=":material/warning:")
            st.rerun()
        carried["polygon"] = value
        message, icon = "Showing the events inside the polygon drawn", ":material/pentagon:"
    else:
        carried["bbox"] = value
        message, icon = "Showing the events inside the box drawn", ":material/crop_free:"
    st.session_state[state.CARRIED] = carried
    state.post("toast", "info", message, icon=icon)
    st.rerun()


def clear_drawn(field: str) -> None:
    """Drop the drawn box or polygon (``"bbox"`` or ``"polygon"``) from the filter."""
    carried = dict(st.session_state.get(state.CARRIED) or {})
    carried.pop(field, None)
    st.session_state[state.CARRIED] = carried


def degrees(value: float, positive: str, negative: str) -> str:
    """``-4.5`` as ``4.50° W``."""
    return f"{abs(value):.2f}° {positive if value >= 0 else negative}"


def box_row(ctx: PageContext, mode: str) -> None:
    """While a drawn box or polygon, or a clicked area, filters the page: what it is, and a button that drops it.

    (The Areas mode shows its own button for the area.)
    """
    area = bool(ctx.spec.areas) and mode != "areas"
    if ctx.spec.bbox is None and ctx.spec.polygon is None and not area:
        return
    left, right = st.columns([3, 2], vertical_alignment="center")
    if ctx.spec.bbox is not None:
        west, south, east, north = ctx.spec.bbox
        with left:
            st.caption(
                f"Inside the box {degrees(south, 'N', 'S')} to {degrees(north, 'N', 'S')}, "
                f"{degrees(west, 'E', 'W')} to {degrees(east, 'E', 'W')}."
            )
        with right:
            if st.button("Clear box", key="clear_box", icon=":material/close:"):
                clear_drawn("bbox")
                st.rerun()
    if ctx.spec.polygon is not None:
        west, south, east, north = ctx.spec.polygon_bbox  # type: ignore[misc]
        with left:
            st.caption(
                f"Inside the polygon drawn ({len(ctx.spec.polygon)} corners), within "
                f"{degrees(south, 'N', 'S')} to {degrees(north, 'N', 'S')}, "
                f"{degrees(west, 'E', 'W')} to {degrees(east, 'E', 'W')}."
            )
        with right:
            if st.button("Clear polygon", key="clear_polygon", icon=":material/close:"):
                clear_drawn("polygon")
                st.rerun()
    if area:
        with left:
            st.caption("Only the events in " + md_escape(", ".join(map(areas.area_label, ctx.spec.areas))) + ".")
        with right:
            if st.button("Clear area", key="clear_area_filter", icon=":material/close:"):
                clear_area()
                st.rerun()


def split_layer(build) -> tuple[list, folium.FeatureGroup | None]:
    """Build a layer on a scratch map, and give back its panes (for the base map) and its feature group.

    ``st_folium`` swaps a feature group into the map already shown; the panes it draws in must be in
    the base map from the start.
    """
    scratch = folium.Map(tiles=None)
    build(scratch)
    children = list(scratch._children.values())
    panes = [c for c in children if isinstance(c, folium.map.CustomPane)]
    groups = [c for c in children if isinstance(c, folium.FeatureGroup)]
    for child in panes + groups:
        del scratch._children[child.get_name()]
        child._parent = None
    return panes, (groups[0] if groups else None)


AREA_LEVELS: dict[str, str] = {"admin1": "Regions", "admin2": "Cercles"}


def area_options(ctx: PageContext) -> tuple[str, bool, str, bool]:
    """The Areas mode's choices: events or fatalities, change against the period before, regions or cercles,
    and (when some were uploaded) the published aggregates instead of the events."""
    st.session_state.setdefault(state.AREA_MEASURE, "events")
    st.session_state.setdefault(state.AREA_LEVEL, "admin1")
    level_col, left, middle, right = st.columns([2, 2, 3, 3], vertical_alignment="center")
    with level_col:
        _choice("Areas", AREA_LEVELS, state.AREA_LEVEL)
    with left:
        _choice("Colour by", arealayers.MEASURES, state.AREA_MEASURE)
    dated = ctx.spec.date_from is not None and ctx.spec.date_to is not None
    with middle:
        change = st.toggle(
            "Change vs previous period",
            key=state.AREA_CHANGE,
            disabled=not dated,
            help="More or fewer than in the period of the same length just before (choose dates to compare).",
        )
    with right:
        if ctx.spec.areas:
            label = "Clear area: " + md_escape(", ".join(map(areas.area_label, ctx.spec.areas)))
            # The filter is the whole page's: a button in this fragment would rerun the map alone.
            if st.button(label, key="clear_area", icon=":material/close:"):
                clear_area()
                st.rerun()
        else:
            st.caption("Click an area to show only its events.")
    level = st.session_state.get(state.AREA_LEVEL) or "admin1"
    published = False
    if st.session_state.get(state.AGGREGATES):  # any uploaded; the table is put together only when drawn
        published = st.toggle(
            "Colour the published aggregates instead of the events",
            key=state.AREA_PUBLISHED,
            help="Counts per area and period as published (ACLED aggregated, HDX HAPI): they have no points. "
            "The dates and incident types chosen apply; a week or month is counted whole.",
        )
    measure = st.session_state.get(state.AREA_MEASURE) or "events"
    return measure, bool(change and dated and not published), level, bool(published)


def published_layer(ctx: PageContext, measure: str, level: str) -> tuple[list, folium.FeatureGroup | None]:
    """The Areas choropleth of the uploaded aggregates in the chosen dates and types, marked as aggregates."""
    table = datasets.published_aggregates()
    chosen = aggregates.select(table, ctx.spec.date_from, ctx.spec.date_to, ctx.spec.event_types)
    regions = cache.cercle_areas() if level == "admin2" else cache.region_areas()
    counts = aggregates.aggregate_area_counts(chosen, level, areas=regions)
    note = aggregates.aggregate_note(chosen) + " (counts published as aggregates, no points)"

    def build(m: folium.Map) -> None:
        arealayers.add_area_layer(m, counts, areas=regions, level=level, measure=measure, note=note)

    return split_layer(build)


def area_layer(
    ctx: PageContext, measure: str, change: bool, level: str = "admin1", published: bool = False
) -> tuple[list, folium.FeatureGroup | None]:
    """The Areas choropleth of the filtered events (per region or cercle), as panes and a feature group."""
    if published:
        return published_layer(ctx, measure, level)
    counts = cache.ask(cache.area_counts, ctx.data_key, ctx.spec_key, change, ctx.views, ctx.spec, level)
    note = None
    if counts.by_names:
        note = "Counted by the events' region names"
    if change and counts.previous is not None:
        first, last = counts.previous
        note = (note + "; " if note else "") + f"change against {first.day} {first:%b %Y} – {last.day} {last:%b %Y}"
    regions = cache.cercle_areas() if level == "admin2" else cache.region_areas()

    def build(m: folium.Map) -> None:
        arealayers.add_area_layer(
            m, counts.now, areas=regions, measure=measure, before=counts.before if change else None, note=note
        )

    return split_layer(build)


def heat_layer(ctx: PageContext, view: viewport.Viewport | None) -> folium.FeatureGroup:
    """Hot spots of the filtered events at the map's zoom, from at most ``MAX_HEAT_POINTS`` weighted cells."""
    zoom = int(view.zoom) if view is not None else HEAT_ZOOM
    points = cache.ask(cache.heat_points, ctx.data_key, ctx.spec_key, zoom, ctx.views, ctx.spec)
    cells = len(points)
    events = int(np.sum(points[:, 2])) if cells else 0
    # Figures only (no text from the data): the legend box is ``mapview.Legend``'s own.
    body = f'<b>Hot spots</b><div class="cm-muted">{events:,} events in {cells:,} squares; brighter is busier</div>'

    def build(m: folium.Map) -> None:
        group = folium.FeatureGroup(name="Hot spots", control=False)
        top = float(np.max(points[:, 2])) if cells else 1.0
        HeatMap(np.asarray(points).tolist(), max=top, **HEAT_STYLE).add_to(group)
        mapview.Legend(body).add_to(group)
        group.add_to(m)
        # The page links every script a layer names: the local copy, which the base map loads already.
        use_local_assets(m)

    return split_layer(build)[1]


def playback_options() -> tuple[str, str]:
    """Playback's step (day, week, month) and what a frame shows (its period, or everything up to it)."""
    st.session_state.setdefault(state.PLAY_STEP, "month")
    st.session_state.setdefault(state.PLAY_MODE, "window")
    left, right, _ = st.columns([2, 2, 3], vertical_alignment="center")
    with left:
        _choice("Step", STEP_LABELS, state.PLAY_STEP)
    with right:
        _choice("Frames show", SHOW_LABELS, state.PLAY_MODE)
    return st.session_state[state.PLAY_STEP] or "month", st.session_state[state.PLAY_MODE] or "window"


def playing(ctx: PageContext, step: str, show: str) -> dict | None:
    """Every frame of the playback of the filtered events, or ``None`` after saying why there is none."""
    try:
        return cache.ask(
            cache.playback_frames, ctx.data_key, ctx.spec_key, step, show, PLAY_CELL_DEG, ctx.views, ctx.spec
        )
    except playback.PlaybackError as exc:
        st.warning(f"No playback: {md_escape(exc)}.")
        return None


FRAME_PREFIX = "cm-frame:"


class FrameReport(folium.MacroElement):
    """Tells the page which frame the playback control shows, so the timeline can mark it.

    The control draws in the browser; its frame is reported through what the map sends back
    (``last_object_clicked_tooltip``, as ``cm-frame:N``), on each change, a quarter second apart at most.
    """

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }}, shown = -1;
                setInterval(function () {
                    var data = window.__GLOBAL_DATA__;
                    if (!window.cmPlayback || !data) { return; }
                    var k = window.cmPlayback.frame();
                    if (k === shown) { return; }
                    shown = k;
                    data.last_object_clicked_tooltip = {{ this.prefix|tojson }} + k;
                    map.fire("moveend");  // the component sends what the map reports after a move
                }, 250);
            })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FrameReport"
        self.prefix = FRAME_PREFIX


def take_frame(reported: dict, key: tuple) -> None:
    """The frame the playback control reports becomes the page's (the timeline marks it)."""
    text = reported.get("last_object_clicked_tooltip")
    if not isinstance(text, str) or not text.startswith(FRAME_PREFIX) or not text[len(FRAME_PREFIX) :].isdigit():
        return
    # Each report is taken once: one left from other frames (another step, another filter) is not this playback's.
    if text == st.session_state.get(state.PLAY_REPORT):
        return
    st.session_state[state.PLAY_REPORT] = text
    st.session_state[state.PLAY_FRAME] = (key, int(text[len(FRAME_PREFIX) :]))
    st.rerun(scope="app")


@st.fragment
def map_fragment(ctx: PageContext) -> None:
    """The map and the selected event beside it; panning, zooming and clicking rerun only this part.

    What the map reported (a click, the view) is read first, so the details go to the browser before the map's
    layer: a click shows its event as soon as the event is looked up.
    """
    mode = st.session_state.get(state.MODE) or "auto"
    reported = st.session_state.get(state.MAP) or {}
    view = viewport.Viewport.from_map_state(reported)
    drawn = None
    take_box(reported)
    if mode in viewport.MODES:
        layer_key = (ctx.data_key, ctx.spec_key, mode)
        previous = st.session_state.get(state.EXTENT)
        keep = previous[1] if previous and previous[0] == layer_key else None
        drawn = cache.ask(
            cache.map_layer, ctx.data_key, ctx.spec_key, mode, repr((view, keep)), ctx.views, ctx.spec, view, keep
        )
        st.session_state[state.EXTENT] = (layer_key, drawn.plan.extent)
        take_click(reported, drawn)
    elif mode == "areas":
        take_area_click(reported)

    left, right = st.columns([3, 1], gap="small")
    with right, st.container(border=True, key=layout.DETAILS_BOX):
        event_details(ctx)
    with left:
        box_row(ctx, mode)
        if mode == "areas":
            options = area_options(ctx)
        elif mode == "playback":
            options = playback_options()
            take_frame(reported, (*options, ctx.data_key, ctx.spec_key))
        with st.container(key=layout.MAP_BOX):
            try:
                panes: list = []
                layer = None
                extra = None
                if drawn is not None:
                    layer = livemap.event_layer(
                        drawn.rows,
                        drawn.plan,
                        datasets=ctx.data.dataset_names,
                        fit_key=ctx.fit_key,
                        type_counts=drawn.type_counts,
                        dataset_counts=drawn.dataset_counts,
                        bounds=drawn.bounds,
                    )
                elif mode == "areas":
                    panes, layer = area_layer(ctx, *options)
                elif mode == "heat":
                    layer = heat_layer(ctx, view)
                elif mode == "playback":
                    extra = playing(ctx, *options)
                base = livemap.base_map(
                    regions=cache.region_areas(), cercles=cache.cercle_areas(), panes=panes, select_box=True
                )
                if extra is not None:
                    # On the base map: the control keeps its frame while the view moves.
                    arealayers.PlaybackControl(extra).add_to(base)
                    FrameReport().add_to(base)
            except AssetError as exc:
                st.error(f"The map cannot be drawn offline: {md_escape(exc)}")
                return
            # The selection drawn goes beside the layer, so clearing it clears the map too.
            selection = livemap.selection_layer(ctx.spec.bbox, ctx.spec.polygon)
            groups = [g for g in (layer, selection) if g is not None]
            st_folium(
                base,
                key=state.MAP,
                height=MAP_HEIGHT,
                use_container_width=True,
                returned_objects=MAP_RETURNS,
                feature_group_to_add=groups or None,
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

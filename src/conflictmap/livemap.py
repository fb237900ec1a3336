"""The dashboard's map in two parts: a base map that never changes, and an event layer that does.

``streamlit_folium`` draws the map once and, when only a layer passed as
``feature_group_to_add`` changes, swaps that layer in the page already shown:
the view, the open popup and the layer menu stay. So the dashboard gives
``st_folium`` the ``base_map()`` (basemap, styles, the scripts every drawing
needs) and the ``event_layer()`` for the current filters and view, made from a
``viewport.LayerPlan``: single markers, clusters, counted bubbles or density
squares, with its own legend.

The layer fits the map to the filtered events once per ``fit_key``: a change of
datasets or regions moves the map there, a change of dates or actors keeps the
view the analyst chose.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import ClassVar

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import Draw
from folium.template import Template
from folium.utilities import get_obj_in_upper_tree

from conflictmap import arealayers, basemap, schema
from conflictmap.assets import APP_BASE_URL, js_literal, use_local_assets
from conflictmap.grid import grid_breaks
from conflictmap.mapview import (
    EVENT_TYPE_COLORS,
    NOTES_CUT,
    NOTES_FULL_MAX,
    UNKNOWN_TYPE_COLOR,
    EventMarkers,
    GridCells,
    Legend,
    MapStyle,
    event_bounds,
    legend_html,
)
from conflictmap.viewport import LayerPlan

#: Where the base map opens before the event layer fits it: Mali.
HOME_BOUNDS: list[list[float]] = [[10.1, -12.3], [25.0, 4.3]]
EVENT_LAYER_NAME = "Events"
#: How a box or polygon drawn to select events looks.
BOX_STYLE = {"color": "#1f4e9c", "weight": 2, "dashArray": "6 4", "fillOpacity": 0.05}
SELECTION_LAYER_NAME = "Selection"


class DrawnSelection(MacroElement):
    """What Leaflet.draw reports of a box or polygon drawn: the newest shape only, named by its tool.

    The shape drawn stays out of sight: the page draws the selection it takes from it
    (``selection_layer``), so clearing the filter clears the map too. Its feature's
    ``properties.shape`` says which tool drew it (``rectangle`` or ``polygon``).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>.leaflet-pane path.cm-selection { pointer-events: none !important; }</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }}, items = drawnItems_{{ this.draw.get_name() }};
                map.removeLayer(items);
                map.on(L.Draw.Event.CREATED, function (e) {
                    var feature = e.layer.feature = e.layer.feature || {type: "Feature"};
                    feature.properties = feature.properties || {};
                    feature.properties.shape = e.layerType;
                    items.eachLayer(function (old) { if (old !== e.layer) { items.removeLayer(old); } });
                });
            })();
        {% endmacro %}
        """
    )

    def __init__(self, draw: Draw) -> None:
        super().__init__()
        self._name = "DrawnSelection"
        self.draw = draw


class PluginAssets(JSCSSMixin, MacroElement):
    """Loads Leaflet.markercluster and Leaflet.heat with the base map, so clusters or hot spots can be swapped in."""

    default_js: ClassVar[list[tuple[str, str]]] = [
        ("markerclusterjs", "leaflet.markercluster.js"),
        ("leaflet-heat.js", "leaflet-heat.js"),
    ]
    default_css: ClassVar[list[tuple[str, str]]] = [
        ("markerclustercss", "MarkerCluster.css"),
        ("markerclusterdefaultcss", "MarkerCluster.Default.css"),
    ]
    _template = Template("")

    def __init__(self) -> None:
        super().__init__()
        self._name = "PluginAssets"


class _MapScript(MacroElement):
    """An element whose script needs the map's variable name."""

    def render(self, **kwargs):
        """Resolve the map's variable name, then render."""
        self.map_name = get_obj_in_upper_tree(self, folium.Map).get_name()
        super().render(**kwargs)


class FillFrame(MacroElement):
    """The map fills its frame: the page sizes the frame from the viewport, not the pixels ``st_folium`` was given."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>#parent, #map_div { height: 100vh !important; }</style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FillFrame"


class FitOnce(_MapScript):
    """Fit the map to ``bounds`` unless the page has already fitted it for ``key``.

    Parameters
    ----------
    bounds : list of [lat, lon]
        South-west and north-east corners.
    key : str
        Changes when the map should move to the events again.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this.map_name }}, key = {{ this.key_js }};
                if (window.cmFitKey === key) { return; }
                window.cmFitKey = key;
                function corner(name) {
                    var box = map.getContainer().querySelector(".leaflet-" + name);
                    return box ? {x: box.offsetWidth, y: box.offsetHeight} : {x: 0, y: 0};
                }
                function fit() {
                    // The page may have resized the map since Leaflet measured it.
                    map.invalidateSize({animate: false});
                    // Clear of the controls and the legend: the zoom buttons (top left), the layer menu (top
                    // right), the legend and scale (bottom left); a ring's radius more. The legend is
                    // avoided by the bottom or the left edge, whichever leaves the events larger.
                    var m = 24, tl = corner("top.leaflet-left"), tr = corner("top.leaflet-right");
                    var bl = corner("bottom.leaflet-left"), b = L.latLngBounds({{ this.bounds_js }});
                    var below = {tl: [tl.x + m, m], br: [tr.x + m, bl.y + m]};
                    var beside = {tl: [Math.max(tl.x, bl.x) + m, m], br: [tr.x + m, m]};
                    function room(p) {
                        var size = map.getSize();
                        return L.point(size.x - p.tl[0] - p.br[0], size.y - p.tl[1] - p.br[1]);
                    }
                    function zoom(p) {
                        var r = room(p);
                        if (r.x < 40 || r.y < 40) { return -1; }
                        return map.getBoundsZoom(b, false, L.point(p.tl[0] + p.br[0], p.tl[1] + p.br[1]));
                    }
                    var pad = zoom(beside) > zoom(below) ? beside : below;
                    // A frame not laid out yet (no room) is fitted when it is.
                    if (zoom(pad) < 0) { return false; }
                    map.fitBounds(b, {paddingTopLeft: pad.tl, paddingBottomRight: pad.br, maxZoom: 10, animate: false});
                    return true;
                }
                var fitted = fit(), size = map.getSize(), touched = false;
                ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (name) {
                    map.getContainer().addEventListener(name, function () { touched = true; }, {passive: true});
                });
                // The page can lay the frame out again late on a busy machine: fit again until the user moves.
                map.on("resize", function () {
                    if (window.cmFitKey === key && (!fitted || !touched)) { fitted = fit(); }
                });
                // Once more if the page has laid the map out at another size since; then say the view is settled.
                setTimeout(function () {
                    if (window.cmFitKey !== key) { return; }
                    map.invalidateSize({animate: false});
                    if (!fitted || !map.getSize().equals(size)) { fitted = fit(); }
                    map.getContainer().setAttribute("data-cm-fitted", key);
                }, 300);
            })();
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]], key: str):
        super().__init__()
        self._name = "FitOnce"
        self.bounds_js = js_literal(bounds)
        self.key_js = js_literal(key)


class ClusterCells(_MapScript):
    """Counts per area as round badges: the count inside, the incident types as a ring of colours around it.

    Clicking a badge zooms into its area; its tooltip lists the counts per type.

    Parameters
    ----------
    cells : pandas.DataFrame
        From ``viewport.aggregate_cells``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this.map_name }};
                var group = {{ this._parent.get_name() }};
                var data = {{ this.data_js }};
                data.rows.forEach(function (r) {
                    var n = r[2], size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 44 : n < 10000 ? 52 : 60;
                    var label = n >= 10000 ? Math.round(n / 1000) + "k" : String(n);
                    var stops = [], at = 0, tip = ["<b>" + n + " event" + (n === 1 ? "" : "s") + "</b>, " +
                                                   r[3] + " fatalities"];
                    r[4].forEach(function (k, t) {
                        if (!k) { return; }
                        var to = at + 100 * k / n;
                        stops.push(data.colors[t] + " " + at.toFixed(1) + "% " + to.toFixed(1) + "%");
                        tip.push('<span style="color:' + data.colors[t] + '">&#9679;</span> ' +
                                 data.types[t] + ": " + k);
                        at = to;
                    });
                    tip.push('<span class="cm-muted">click to zoom in</span>');
                    var badge = L.marker([r[0], r[1]], {
                        keyboard: false,
                        icon: L.divIcon({
                            className: "cm-cell-icon", iconSize: [size, size],
                            html: '<div>' + label + "</div>"
                        })
                    });
                    badge.on("add", function () {
                        var el = badge.getElement();
                        if (el) { el.style.background = "conic-gradient(" + stops.join(", ") + ")"; }
                    });
                    badge.bindTooltip('<div class="cm-popup">' + tip.join("<br>") + "</div>", {direction: "top"});
                    badge.on("click", function () {
                        map.fitBounds([[r[5], r[6]], [r[7], r[8]]], {maxZoom: Math.min(map.getZoom() + 3, 18)});
                    });
                    group.addLayer(badge);
                });
            })();
        {% endmacro %}
        """
    )

    def __init__(self, cells: pd.DataFrame):
        super().__init__()
        self._name = "ClusterCells"
        type_counts = cells[list(schema.EVENT_TYPES)].to_numpy(dtype="int64").tolist()
        rows = [
            [float(lat), float(lon), int(n), int(f), t, float(s), float(w), float(no), float(e)]
            for lat, lon, n, f, t, s, w, no, e in zip(
                cells["lat"],
                cells["lon"],
                cells["events"],
                cells["fatalities"],
                type_counts,
                cells["lat_min"],
                cells["lon_min"],
                cells["lat_max"],
                cells["lon_max"],
                strict=True,
            )
        ]
        self.data_js = js_literal(
            {
                "rows": rows,
                "types": [html.escape(t) for t in schema.EVENT_TYPES] + ["Unknown type"],
                "colors": [*EVENT_TYPE_COLORS.values(), UNKNOWN_TYPE_COLOR],
            }
        )


def base_map(
    *,
    tiles: str = "offline",
    assets_base_url: str = APP_BASE_URL,
    regions: gpd.GeoDataFrame | None = None,
    cercles: gpd.GeoDataFrame | None = None,
    panes: Sequence[MacroElement] = (),
    select_box: bool = False,
) -> folium.Map:
    """The map without events: offline basemap, town labels, layer menu, styles and plugin scripts.

    It holds nothing that depends on the data, so ``st_folium`` keeps the same map
    (and the analyst's view) while event layers come and go.

    Parameters
    ----------
    tiles : str
        Base layer shown first (see ``basemap.TILE_CHOICES``).
    assets_base_url : str
        Where the local Leaflet assets are served.
    regions : geopandas.GeoDataFrame, optional
        Admin areas whose borders and names the map shows from zoom 5 (``arealayers.add_area_borders``).
    cercles : geopandas.GeoDataFrame, optional
        Cercles (admin2) whose borders and names the map shows from zoom 7.
    panes : sequence of folium.map.CustomPane, optional
        Panes a layer swapped in later draws in (a layer's own panes would come too late).
    select_box : bool
        Offer Leaflet.draw's rectangle and polygon, so a shape drawn on the map can become the filter's
        bounding box or polygon (``DrawnSelection`` reports it).

    Returns
    -------
    folium.Map
    """
    (south, west), (north, east) = HOME_BOUNDS
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=5,
        tiles=None,
        control_scale=True,
        minZoom=2,
        maxZoom=18,
    )
    basemap.add_basemap(m, tiles=tiles)
    m.add_child(MapStyle())
    m.add_child(FillFrame())
    m.add_child(PluginAssets())
    if regions is not None:
        arealayers.add_area_borders(m, regions=regions, cercles=cercles)
    for pane in panes:
        m.add_child(pane)
    if select_box:
        draw = Draw(
            position="topleft",
            show_geometry_on_click=False,
            draw_options={
                "rectangle": {"shapeOptions": BOX_STYLE, "showArea": False},
                # Crossing edges are refused while drawing: the filter takes simple polygons only.
                "polygon": {"shapeOptions": BOX_STYLE, "showArea": False, "allowIntersection": False},
                **dict.fromkeys(("polyline", "circle", "marker", "circlemarker"), False),
            },
            edit_options={"edit": False, "remove": False},
        ).add_to(m)
        DrawnSelection(draw).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return use_local_assets(m, assets_base_url)


def selection_layer(
    bbox: tuple[float, float, float, float] | None, polygon: Sequence[tuple[float, float]] | None
) -> folium.FeatureGroup | None:
    """The box and polygon the filter selects, outlined; ``None`` if neither.

    Clicks go through them to the events below (``DrawnSelection``'s style).

    Parameters
    ----------
    bbox : (west, south, east, north) or None
    polygon : sequence of (longitude, latitude) or None
        ``FilterSpec.bbox`` and ``FilterSpec.polygon``.

    Returns
    -------
    folium.FeatureGroup or None
        Swapped in beside the event layer, so it goes when the filter does.
    """
    if bbox is None and polygon is None:
        return None
    group = folium.FeatureGroup(name=SELECTION_LAYER_NAME, control=False)
    style = {**BOX_STYLE, "fill": True, "className": "cm-selection"}
    if bbox is not None:
        west, south, east, north = bbox
        folium.Rectangle([[south, west], [north, east]], **style).add_to(group)
    if polygon is not None:
        folium.Polygon([[lat, lon] for lon, lat in polygon], **style).add_to(group)
    return group


def event_layer(
    events: pd.DataFrame,
    plan: LayerPlan,
    *,
    datasets: list[str] | None = None,
    title: str | None = None,
    fit_key: str | None = None,
    type_counts: Mapping[str, int] | None = None,
    dataset_counts: Mapping[str, int] | None = None,
    bounds: list[list[float]] | None = None,
) -> folium.FeatureGroup:
    """The filtered events drawn as ``plan`` says, with their legend, as one layer.

    Parameters
    ----------
    events : pandas.DataFrame
        The filtered events ``plan`` was made from (same rows, same order).
    plan : viewport.LayerPlan
        What to send.
    datasets : list of str, optional
        Every dataset on show, in shape order (default: those in ``events``).
    title : str, optional
        Heading of the legend.
    fit_key : str, optional
        Fit the map to ``events`` when this differs from the last key the page fitted for.
    type_counts, dataset_counts, bounds : optional
        The legend's counts and the box fitted, when ``events`` holds only the events drawn
        (``pageviews.MapLayer`` carries them); by default worked out from ``events``.

    Returns
    -------
    folium.FeatureGroup
        Not in the layer menu; pass it to ``st_folium(..., feature_group_to_add=...)``.
    """
    layer = folium.FeatureGroup(name=EVENT_LAYER_NAME, control=False)
    grid = None
    grid_label = None
    if plan.drawing in ("points", "clusters"):
        positions = plan.positions if plan.positions is not None else np.arange(len(events))
        shown = events.iloc[positions]
        notes_max = NOTES_CUT if len(shown) > NOTES_FULL_MAX else None
        layer.add_child(EventMarkers(shown, datasets=datasets, notes_max=notes_max, cluster=plan.drawing == "clusters"))
        drawn = plan.drawing
    elif plan.drawing == "cells":
        layer.add_child(ClusterCells(plan.cells))
        drawn = "cells"
    else:
        breaks = grid_breaks(plan.cells["events"])
        layer.add_child(GridCells(plan.cells, breaks))
        grid = (plan.step, breaks)
        km = plan.step * 111.32
        grid_label = (
            f"Events per square of about {km:,.0f} km" if km >= 10 else f"Events per square of about {km:.1f} km"
        )
        drawn = "density"
    body = legend_html(
        events,
        drawn,
        title,
        grid,
        summary=plan.describe(),
        grid_label=grid_label,
        datasets=datasets,
        type_counts=type_counts,
        dataset_counts=dataset_counts,
    )
    layer.add_child(Legend(body))
    if fit_key is not None:
        layer.add_child(FitOnce(bounds if bounds is not None else event_bounds(events), fit_key))
    return layer

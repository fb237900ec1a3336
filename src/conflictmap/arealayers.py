"""Admin areas on a folium map: the "Areas" choropleth and the region / cercle borders of the basemap.

``add_area_layer`` colours each area by its events or fatalities in classes
(ColorBrewer OrRd), or by the change against the period before (ColorBrewer
RdBu: blue fewer, red more; both palettes are colour-blind safe), with a
legend of the classes. Each area's feature carries its ``key``, so a click on
it (``st_folium``'s ``last_active_drawing``) names the area to filter on.

``add_area_borders`` draws the region borders from zoom 5 and the cercle
borders from zoom 7, with their names, in a pane above the country outlines
and under the events; nothing on them reacts to the mouse.

Names from data reach the page escaped: tooltips and the legend are built from
``html.escape``-d text, and border labels are written with ``textContent``.
"""

from __future__ import annotations

import hashlib
import html
import math

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import get_obj_in_upper_tree

from conflictmap import areas as area_data
from conflictmap.assets import js_literal

#: Sequential classes for counts: ColorBrewer OrRd, 5 classes (colour-blind safe).
COUNT_COLORS: tuple[str, ...] = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
#: Diverging classes for change: ColorBrewer RdBu, 5 classes, blue = fewer, red = more (colour-blind safe).
CHANGE_COLORS: tuple[str, ...] = ("#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b")
#: Fill of an area with no events.
EMPTY_COLOR = "#ffffff"
MEASURES: dict[str, str] = {"events": "Events", "fatalities": "Fatalities"}
#: Zoom from which the basemap shows region and cercle borders.
REGION_BORDER_ZOOM = 5
CERCLE_BORDER_ZOOM = 7
#: Shapes sent to the page are simplified to this many degrees (about 1 km), enough at zoom 10.
SEND_TOLERANCE_DEG = 0.01
_AREA_PANE, _AREA_Z = "cmAreas", 300
_BORDER_PANE, _BORDER_Z = "cmAreaBorders", 260
_BORDER_LABEL_PANE, _BORDER_LABEL_Z = "cmAreaLabels", 440


def count_breaks(values: np.ndarray | pd.Series, classes: int = len(COUNT_COLORS)) -> list[int]:
    """Lower bounds of up to ``classes`` count classes over the areas with events (1 is the first).

    Classes are quantiles of the non-zero counts, rounded to whole numbers, repeats dropped,
    so a few busy areas do not leave every other area in the first class.
    """
    positive = np.asarray(values, dtype=float)
    positive = positive[positive > 0]
    if len(positive) == 0:
        return [1]
    quantiles = np.quantile(positive, np.linspace(0, 1, classes + 1)[:-1])
    breaks = sorted({1, *(math.floor(q) for q in quantiles if q >= 1)})
    return breaks[:classes]


def change_step(changes: np.ndarray | pd.Series) -> int:
    """The change from which an area counts as "much" more or fewer: half the largest change, at least 2."""
    values = np.abs(np.asarray(changes, dtype=float))
    top = float(values.max()) if len(values) else 0.0
    return max(2, math.ceil(top / 2))


def change_breaks(changes: np.ndarray | pd.Series) -> list[float]:
    """Bounds between the five change classes of whole-number changes, symmetric around zero.

    With ``B = change_step(changes)``: ``≤ -B``, ``-B+1 … -1``, ``0``, ``1 … B-1``, ``≥ B``.
    """
    big = change_step(changes)
    return [-big + 0.5, -0.5, 0.5, big - 0.5]


def _class_of(value: float, breaks: list[int]) -> int:
    return int(np.searchsorted(np.asarray(breaks), value, side="right") - 1)


def _change_class(change: float, bounds: list[float]) -> int:
    return int(np.searchsorted(np.asarray(bounds), change, side="right"))


def _shapes(areas: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.simplify(areas.geometry.values, SEND_TOLERANCE_DEG, preserve_topology=True)


def area_features(
    counts: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    measure: str = "events",
    before: pd.DataFrame | None = None,
) -> tuple[dict, dict[str, object]]:
    """The choropleth's GeoJSON and its legend classes.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``areas.area_counts`` of the filtered period (without ``by``).
    areas : geopandas.GeoDataFrame
        The boundaries the counts were made with.
    measure : {"events", "fatalities"}
    before : pandas.DataFrame, optional
        ``area_counts`` of the period before: colour by the change.

    Returns
    -------
    (dict, dict)
        A GeoJSON FeatureCollection (properties ``key``, ``label`` (escaped), ``value``,
        ``text`` (escaped), ``fill``), and the legend: ``title``, ``rows`` of (colour, text).
    """
    if measure not in MEASURES:
        raise area_data.AreaDataError(f"measure {measure!r} is not known; expected one of {list(MEASURES)}")
    word = MEASURES[measure].lower()
    by_key = counts.set_index("key")
    now = areas["key"].map(by_key[measure]).fillna(0).astype(np.int64).to_numpy()
    if before is not None:
        prior = areas["key"].map(before.set_index("key")[measure]).fillna(0).astype(np.int64).to_numpy()
        change = now - prior
        bounds = change_breaks(change)
        fills = [CHANGE_COLORS[_change_class(c, bounds)] for c in change]
        texts = [
            f"{n:,} {word} ({c:+,} against {p:,} the period before)" for n, c, p in zip(now, change, prior, strict=True)
        ]
        big = change_step(change)
        some = "1" if big == 2 else f"1–{big - 1:,}"
        rows = [
            (CHANGE_COLORS[0], f"fewer by {big:,} or more"),
            (CHANGE_COLORS[1], f"fewer by {some}"),
            (CHANGE_COLORS[2], "no change"),
            (CHANGE_COLORS[3], f"more by {some}"),
            (CHANGE_COLORS[4], f"more by {big:,} or more"),
        ]
        legend = {"title": f"{MEASURES[measure]}: change against the period before", "rows": rows}
        values = change
    else:
        breaks = count_breaks(now)
        fills = [EMPTY_COLOR if n <= 0 else COUNT_COLORS[_class_of(n, breaks)] for n in now]
        texts = [f"{n:,} {word}" for n in now]
        uppers = [*(b - 1 for b in breaks[1:]), None]
        rows = [(EMPTY_COLOR, "none")]
        for colour, low, high in zip(COUNT_COLORS, breaks, uppers, strict=False):
            rows.append(
                (colour, f"{low:,} or more" if high is None else (f"{low:,}" if high == low else f"{low:,}–{high:,}"))
            )
        legend = {"title": MEASURES[measure], "rows": rows}
        values = now
    features = []
    for key, name, note, shape, value, text, fill in zip(
        areas["key"], areas["name"], areas["note"], _shapes(areas), values, texts, fills, strict=True
    ):
        label = area_data.area_label(key) if key else name
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "key": key,
                    "label": html.escape(label) + (f" <small>({html.escape(note)})</small>" if note else ""),
                    "value": int(value),
                    "text": html.escape(text),
                    "fill": fill,
                },
                "geometry": shapely.geometry.mapping(shape),
            }
        )
    return {"type": "FeatureCollection", "features": features}, legend


class AreaLegend(MacroElement):
    """The classes of the Areas layer, in the lower-right corner, shown while the layer is."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this.map_name }};
                var owner = {{ this._parent.get_name() }};
                var legend = L.control({position: "bottomright"});
                legend.onAdd = function () {
                    var div = L.DomUtil.create("div", "cm-area-legend");
                    div.style.cssText = "background:#fff;padding:6px 8px;font:12px/1.4 sans-serif;" +
                        "border:1px solid #999;border-radius:4px;max-width:240px";
                    div.innerHTML = {{ this.body_js }};
                    L.DomEvent.disableClickPropagation(div);
                    return div;
                };
                legend.addTo(map);
                owner.on("remove", function () { legend.remove(); });
                owner.on("add", function () { if (!legend._map) { legend.addTo(map); } });
            })();
        {% endmacro %}
        """
    )

    def __init__(self, legend: dict[str, object]):
        super().__init__()
        self._name = "AreaLegend"
        rows = "".join(
            f'<div><span style="display:inline-block;width:14px;height:12px;margin-right:6px;'
            f'border:1px solid #888;background:{colour}"></span>{html.escape(text)}</div>'
            for colour, text in legend["rows"]
        )
        note = legend.get("note")
        extra = f'<div style="font-style:italic;color:#555">{html.escape(str(note))}</div>' if note else ""
        self.body_js = js_literal(f"<b>{html.escape(str(legend['title']))}</b>{extra}{rows}")

    def render(self, **kwargs):
        """Resolve the map's variable name, then render."""
        self.map_name = get_obj_in_upper_tree(self, folium.Map).get_name()
        super().render(**kwargs)


def add_area_layer(
    m: folium.Map,
    counts: pd.DataFrame,
    *,
    areas: gpd.GeoDataFrame | None = None,
    level: str = "admin1",
    measure: str = "events",
    before: pd.DataFrame | None = None,
    name: str = "Areas",
    show: bool = True,
    note: str | None = None,
) -> folium.Map:
    """Add the "Areas" choropleth to ``m``: each area coloured by its count, or by its change.

    Parameters
    ----------
    m : folium.Map
    counts : pandas.DataFrame
        ``conflictmap.areas.area_counts(filtered events, level)``.
    areas : geopandas.GeoDataFrame, optional
        The boundaries of ``counts``; the shipped ones of ``level`` by default.
    level : {"admin1", "admin2"}
    measure : {"events", "fatalities"}
    before : pandas.DataFrame, optional
        ``area_counts`` of the period of the same length before (``timeline.previous_range``):
        colour by more or fewer instead.
    name : str
        The layer's name in the layer control.
    show : bool
        Whether the layer starts shown.
    note : str, optional
        A line under the legend's title, e.g. ``"Aggregates: ACLED aggregated data"`` when
        ``counts`` come from ``aggregates.aggregate_area_counts`` rather than from events.

    Returns
    -------
    folium.Map
        ``m``, with a ``folium.FeatureGroup`` named ``name`` holding the areas and the legend.
    """
    if areas is None:
        areas = area_data.load_boundaries(level)
    data, legend = area_features(counts, areas, measure, before)
    if note:
        legend["note"] = note
    group = folium.FeatureGroup(name=name, show=show)
    folium.map.CustomPane(_AREA_PANE, z_index=_AREA_Z).add_to(m)
    folium.GeoJson(
        data,
        name=name,
        pane=_AREA_PANE,
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.75,
            "color": "#555555",
            "weight": 1,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["label", "text"], aliases=["", ""], labels=False),
    ).add_to(group)
    AreaLegend(legend).add_to(group)
    group.add_to(m)
    return m


class AreaBorders(MacroElement):
    """Region and cercle borders with names, each level shown from its own zoom."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                .cm-area-name { font: 11px/1.2 sans-serif; color: #4d4d66; white-space: nowrap;
                    transform: translate(-50%, -50%); width: max-content; text-shadow: 0 0 3px #fff; }
                .cm-area-name.cm-admin2 { font-size: 10px; color: #666680; font-style: italic; }
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this.map_name }};
                [[{{ this.pane|tojson }}, {{ this.z_index }}], [{{ this.label_pane|tojson }}, {{ this.label_z }}]]
                    .forEach(function (p) {
                        if (!map.getPane(p[0])) { map.createPane(p[0]).style.zIndex = p[1]; }
                    });
                map.getPane({{ this.label_pane|tojson }}).style.pointerEvents = "none";
                var levels = {{ this.levels_js }};
                levels.forEach(function (level) {
                    var group = L.layerGroup();
                    L.geoJSON(level.shapes, {pane: {{ this.pane|tojson }}, interactive: false,
                        style: function () { return level.style; }}).addTo(group);
                    level.labels.forEach(function (l) {
                        var div = document.createElement("div");
                        div.className = "cm-area-name cm-" + level.level;
                        div.textContent = l[2];  // text, never markup
                        L.marker([l[0], l[1]], {pane: {{ this.label_pane|tojson }}, interactive: false,
                            keyboard: false, icon: L.divIcon({className: "cm-area", iconSize: null, html: div})
                        }).addTo(group);
                    });
                    function update() {
                        if (map.getZoom() >= level.minZoom) { if (!map.hasLayer(group)) { group.addTo(map); } }
                        else if (map.hasLayer(group)) { map.removeLayer(group); }
                    }
                    map.on("zoomend", update);
                    update();
                });
            })();
        {% endmacro %}
        """
    )

    def __init__(self, levels: list[dict[str, object]]):
        super().__init__()
        self._name = "AreaBorders"
        self.pane, self.z_index = _BORDER_PANE, _BORDER_Z
        self.label_pane, self.label_z = _BORDER_LABEL_PANE, _BORDER_LABEL_Z
        self.levels_js = js_literal(levels)

    def render(self, **kwargs):
        """Resolve the map's variable name, then render."""
        self.map_name = get_obj_in_upper_tree(self, folium.Map).get_name()
        super().render(**kwargs)


#: Border levels already laid out, by what they were made of (the page draws the same ones on every update).
_LEVELS_KEPT: dict[tuple[object, ...], dict[str, object]] = {}


def _border_level(areas: gpd.GeoDataFrame, level: str, min_zoom: int, style: dict[str, object]) -> dict[str, object]:
    # Keyed by the shapes' bytes and names, not the frame: the shipped areas come as a new copy each time.
    shapes = hashlib.sha1(b"".join(shapely.to_wkb(areas.geometry.values))).hexdigest()
    key = (level, min_zoom, repr(sorted(style.items())), shapes, tuple(map(str, areas["name_local"])))
    kept = _LEVELS_KEPT.get(key)
    if kept is None:
        if len(_LEVELS_KEPT) >= 8:
            _LEVELS_KEPT.clear()
        kept = _LEVELS_KEPT[key] = _lay_out_border_level(areas, level, min_zoom, style)
    return kept


def _lay_out_border_level(
    areas: gpd.GeoDataFrame, level: str, min_zoom: int, style: dict[str, object]
) -> dict[str, object]:
    points = shapely.point_on_surface(areas.geometry.values)
    return {
        "level": level,
        "minZoom": min_zoom,
        "style": style,
        "shapes": {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(s)} for s in _shapes(areas)
            ],
        },
        # Names go to the page as text: the script puts them in with textContent.
        "labels": [
            [round(shapely.get_y(p), 3), round(shapely.get_x(p), 3), str(n)]
            for p, n in zip(points, areas["name_local"], strict=True)
        ],
    }


def add_area_borders(
    m: folium.Map,
    *,
    regions: gpd.GeoDataFrame | None = None,
    cercles: gpd.GeoDataFrame | None = None,
    region_zoom: int = REGION_BORDER_ZOOM,
    cercle_zoom: int = CERCLE_BORDER_ZOOM,
) -> folium.Map:
    """Add region borders (from ``region_zoom``) and cercle borders (from ``cercle_zoom``) with names.

    Parameters
    ----------
    m : folium.Map
    regions : geopandas.GeoDataFrame, optional
        Admin1 boundaries; the shipped regions by default.
    cercles : geopandas.GeoDataFrame, optional
        Admin2 boundaries (``areas.load_boundaries("admin2")``: the shipped cercles).
    region_zoom, cercle_zoom : int

    Returns
    -------
    folium.Map
        ``m``.
    """
    if regions is None:
        regions = area_data.load_boundaries("admin1")
    levels = [_border_level(regions, "admin1", region_zoom, {"color": "#7a7a99", "weight": 1.2, "fill": False})]
    if cercles is not None:
        style = {"color": "#9a9ab0", "weight": 0.8, "dashArray": "3 3", "fill": False}
        levels.append(_border_level(cercles, "admin2", cercle_zoom, style))
    AreaBorders(levels).add_to(m)
    return m


#: At most this many weighted points in a heat layer (the busiest cells), about 25 bytes each.
MAX_HEAT_POINTS = 20_000


def heat_points(events: pd.DataFrame, cell_deg: float = 0.05, max_points: int = MAX_HEAT_POINTS) -> np.ndarray:
    """The events as ``[lat, lon, weight]`` rows, one per grid cell, for a heat layer with a bounded payload.

    Parameters
    ----------
    events : pandas.DataFrame
        With ``latitude`` and ``longitude``.
    cell_deg : float
        Cell size: the map's grid at its zoom; events in one cell weigh as their count.
    max_points : int
        The busiest cells are kept, so the page never gets more than this many.

    Returns
    -------
    numpy.ndarray
        Shape (cells, 3): cell-centre latitude, longitude and the count, busiest first.
    """
    if not cell_deg > 0:
        raise area_data.AreaDataError(f"cell size {cell_deg!r} must be a positive number of degrees")
    lon = events["longitude"].to_numpy(dtype=float)
    lat = events["latitude"].to_numpy(dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    ix = np.floor(lon[ok] / cell_deg).astype(np.int64)
    iy = np.floor(lat[ok] / cell_deg).astype(np.int64)
    cells, counts = np.unique(np.stack([iy, ix], axis=1), axis=0, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:max_points]
    digits = max(0, int(np.ceil(-np.log10(cell_deg))) + 1)
    return np.column_stack(
        [
            np.round((cells[order, 0] + 0.5) * cell_deg, digits),
            np.round((cells[order, 1] + 0.5) * cell_deg, digits),
            counts[order],
        ]
    )


def add_heat_layer(
    m: folium.Map,
    events: pd.DataFrame,
    *,
    cell_deg: float = 0.05,
    max_points: int = MAX_HEAT_POINTS,
    name: str = "Hot spots",
    show: bool = True,
) -> folium.Map:
    """Add a heat layer (Leaflet.heat, served locally like the other assets) of the events' grid counts.

    Parameters
    ----------
    m : folium.Map
    events : pandas.DataFrame
        The filtered events.
    cell_deg, max_points : optional
        See ``heat_points``: the payload stays bounded whatever the number of events.
    name : str
        The layer's name in the layer control.
    show : bool

    Returns
    -------
    folium.Map
        ``m``; call ``assets.use_local_assets(m)`` after, as for every map.
    """
    from folium.plugins import HeatMap

    points = heat_points(events, cell_deg, max_points)
    top = float(points[:, 2].max()) if len(points) else 1.0
    group = folium.FeatureGroup(name=name, show=show)
    HeatMap(points.tolist(), radius=14, blur=16, min_opacity=0.3, max_zoom=10, max=top).add_to(group)
    group.add_to(m)
    return m


#: A playback frame draws its events one by one up to this many; above, counts per cell.
FRAME_POINTS_MAX = 2_000


class FrameLayer(MacroElement):
    """A playback frame: exact events as dots, imprecise ones as dashed rings (or cell counts), its date stamp."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this.map_name }};
                var owner = {{ this._parent.get_name() }};
                var frame = {{ this.frame_js }};
                if (!map.getPane({{ this.pane|tojson }})) {
                    map.createPane({{ this.pane|tojson }}).style.zIndex = {{ this.z_index }};
                }
                frame.points.forEach(function (p) {
                    // p: [lat, lon, colour, imprecise]
                    L.circleMarker([p[0], p[1]], p[3]
                        ? {pane: {{ this.pane|tojson }}, radius: 6, color: p[2], weight: 2, dashArray: "3 3",
                           fill: true, fillOpacity: 0.08}
                        : {pane: {{ this.pane|tojson }}, radius: 5, color: "#333", weight: 1,
                           fillColor: p[2], fillOpacity: 0.85}).addTo(owner);
                });
                frame.cells.forEach(function (c) {
                    // c: [south, west, north, east, colour, events, imprecise]
                    L.rectangle([[c[0], c[1]], [c[2], c[3]]], {pane: {{ this.pane|tojson }}, weight: 0,
                        fillColor: c[4], fillOpacity: 0.75}).bindTooltip(
                        c[5] + " events" + (c[6] ? " (" + c[6] + " with imprecise dates)" : "")).addTo(owner);
                });
                var stamp = L.control({position: "topright"});
                stamp.onAdd = function () {
                    var div = L.DomUtil.create("div", "cm-frame-stamp");
                    div.style.cssText = "background:#fff;border:1px solid #777;padding:4px 10px;" +
                        "font:bold 18px/1.2 sans-serif";
                    div.textContent = frame.label;  // text, never markup
                    if (frame.imprecise) {
                        var note = document.createElement("div");
                        note.style.cssText = "font:normal 11px/1.3 sans-serif;color:#444";
                        note.textContent = frame.imprecise + " of " + frame.events +
                            " with imprecise dates (dashed): shown for their whole week or month";
                        div.appendChild(note);
                    }
                    return div;
                };
                stamp.addTo(map);
                owner.on("remove", function () { stamp.remove(); });
            })();
        {% endmacro %}
        """
    )

    def __init__(self, frame: dict[str, object]):
        super().__init__()
        self._name = "FrameLayer"
        self.pane, self.z_index = "cmFrame", 420
        self.frame_js = js_literal(frame)

    def render(self, **kwargs):
        """Resolve the map's variable name, then render."""
        self.map_name = get_obj_in_upper_tree(self, folium.Map).get_name()
        super().render(**kwargs)


def frame_drawing(
    playback: object, index: int, *, cell_deg: float = 0.1, max_points: int = FRAME_POINTS_MAX
) -> dict[str, object]:
    """What ``add_playback_frame`` sends for frame ``index``: dots up to ``max_points``, else cells.

    Returns
    -------
    dict
        ``label``, ``events``, ``imprecise``, ``points`` (``[lat, lon, colour, imprecise]``) and
        ``cells`` (``[south, west, north, east, colour, events, imprecise]``, from ``Playback.grid``).
    """
    from conflictmap.mapview import EVENT_TYPE_COLORS, GRID_COLORS, UNKNOWN_TYPE_COLOR

    frame = playback.frames[index]
    shown = playback.mask(index)
    total = int(shown.sum())
    vague = int((shown & playback.imprecise).sum())
    points: list[list[object]] = []
    cells: list[list[object]] = []
    if total <= max_points:
        rows = playback.frame_events(index)
        colours = [EVENT_TYPE_COLORS.get(str(t), UNKNOWN_TYPE_COLOR) for t in rows["event_type"].astype(object)]
        for lat, lon, colour, flag in zip(rows["latitude"], rows["longitude"], colours, rows["imprecise"], strict=True):
            points.append([round(float(lat), 4), round(float(lon), 4), colour, bool(flag)])
    else:
        grid = playback.grid(index, cell_deg)
        breaks = count_breaks(grid["events"].to_numpy(), len(GRID_COLORS))
        half = cell_deg / 2
        for lat, lon, n, k in zip(grid["lat"], grid["lon"], grid["events"], grid["imprecise"], strict=True):
            colour = GRID_COLORS[min(_class_of(n, breaks), len(GRID_COLORS) - 1)]
            cells.append(
                [
                    round(lat - half, 4),
                    round(lon - half, 4),
                    round(lat + half, 4),
                    round(lon + half, 4),
                    colour,
                    int(n),
                    int(k),
                ]
            )
    return {"label": frame.label, "events": total, "imprecise": vague, "points": points, "cells": cells}


def add_playback_frame(
    m: folium.Map,
    playback: object,
    index: int,
    *,
    cell_deg: float = 0.1,
    max_points: int = FRAME_POINTS_MAX,
    name: str = "Playback",
) -> folium.Map:
    """Add frame ``index`` of a ``playback.Playback`` to ``m``, with its date stamp.

    Exact events are dots coloured by type; events with imprecise dates are dashed
    rings, drawn in every frame their window touches. Above ``max_points`` events the
    frame is drawn as counts per ``cell_deg`` cell (``Playback.grid``), so a frame sends
    no more than a map update.

    Returns
    -------
    folium.Map
        ``m``, with a ``folium.FeatureGroup`` named ``name``.
    """
    group = folium.FeatureGroup(name=name)
    FrameLayer(frame_drawing(playback, index, cell_deg=cell_deg, max_points=max_points)).add_to(group)
    group.add_to(m)
    return m


def clicked_area(map_state: dict | None) -> str | None:
    """The area key of the last Areas feature clicked, from what ``st_folium`` returns; ``None`` if none.

    ``st_folium`` reports a click on a GeoJSON feature as ``last_active_drawing`` with the
    feature's properties; the Areas layer puts each area's ``key`` there, ready for
    ``FilterSpec(areas=[key])``.
    """
    if not isinstance(map_state, dict):
        return None
    feature = map_state.get("last_active_drawing")
    if not isinstance(feature, dict):
        return None
    properties = feature.get("properties")
    key = properties.get("key") if isinstance(properties, dict) else None
    return key if isinstance(key, str) and key else None


#: Most events drawn one by one over all the frames of a playback control; past it, frames are counted per cell.
PLAYBACK_POINTS_TOTAL = 60_000


class PlaybackControl(MacroElement):
    """Every frame of a playback in the page, with play/pause, step, speed and a slider; drawn in the browser."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this.map_name }};
                var data = {{ this.data_js }};
                var pane = {{ this.pane|tojson }};
                if (!map.getPane(pane)) { map.createPane(pane).style.zIndex = {{ this.z_index }}; }
                var layer = L.layerGroup().addTo(map);
                var index = 0, timer = null;
                var box = L.DomUtil.create("div", "cm-playback");
                box.style.cssText = "background:#fff;border:1px solid #777;padding:6px 8px;font:13px/1.3 sans-serif";
                var stamp = document.createElement("div");
                stamp.style.cssText = "font-weight:bold;font-size:16px;margin-bottom:4px";
                var count = document.createElement("div");
                count.style.cssText = "color:#444;font-size:11px;margin-bottom:4px";
                var slider = document.createElement("input");
                slider.type = "range"; slider.min = 0; slider.max = data.labels.length - 1; slider.value = 0;
                slider.style.width = "220px";
                function button(text, title, act) {
                    var b = document.createElement("button");
                    b.textContent = text; b.title = title; b.type = "button";
                    b.style.cssText = "margin-right:4px;min-width:28px";
                    b.addEventListener("click", act);
                    return b;
                }
                var play = button("\u25b6", "play / pause", function () { timer ? stop() : start(); });
                var speed = document.createElement("select");
                [0.5, 1, 2, 4].forEach(function (s) {
                    var o = document.createElement("option"); o.value = s; o.textContent = s + " frames/s";
                    if (s === data.fps) { o.selected = true; }
                    speed.appendChild(o);
                });
                function draw(k) {
                    index = (k + data.labels.length) % data.labels.length;
                    layer.clearLayers();
                    var f = data.frames[index];
                    f.c.forEach(function (c) {
                        L.rectangle([[c[0], c[1]], [c[2], c[3]]], {pane: pane, weight: 0,
                            fillColor: data.ramp[c[6]], fillOpacity: 0.75}).addTo(layer);
                    });
                    f.p.forEach(function (p) {
                        var colour = data.colours[p[2]];
                        L.circleMarker([p[0], p[1]], p[3]
                            ? {pane: pane, radius: 6, color: colour, weight: 2, dashArray: "3 3", fill: true,
                               fillOpacity: 0.08, interactive: false}
                            : {pane: pane, radius: 5, color: "#333", weight: 1, fillColor: colour,
                               fillOpacity: 0.85, interactive: false}).addTo(layer);
                    });
                    stamp.textContent = data.labels[index];  // text, never markup
                    count.textContent = f.n + " events" + (f.i ? ", " + f.i + " with imprecise dates (dashed)" : "") +
                        (f.c.length ? " · counts per cell" : "");
                    slider.value = index;
                }
                function start() {
                    play.textContent = "||";
                    timer = setInterval(function () {
                        if (index === data.labels.length - 1) { stop(); return; }
                        draw(index + 1);
                    }, 1000 / parseFloat(speed.value));
                }
                function stop() { clearInterval(timer); timer = null; play.textContent = "\u25b6"; }
                speed.addEventListener("change", function () { if (timer) { stop(); start(); } });
                slider.addEventListener("input", function () { stop(); draw(parseInt(slider.value, 10)); });
                var row = document.createElement("div");
                row.appendChild(button("|\u25c0", "first frame", function () { stop(); draw(0); }));
                row.appendChild(button("\u25c0", "step back", function () { stop(); draw(index - 1); }));
                row.appendChild(play);
                row.appendChild(button("\u25b6|", "step forward", function () { stop(); draw(index + 1); }));
                row.appendChild(speed);
                box.appendChild(stamp); box.appendChild(count); box.appendChild(row); box.appendChild(slider);
                var key = document.createElement("div");
                key.style.cssText = "margin-top:4px;font-size:11px;color:#333;max-width:260px";
                data.types.forEach(function (name, k) {
                    var item = document.createElement("span");
                    item.style.cssText = "display:inline-block;margin-right:8px;white-space:nowrap";
                    var dot = document.createElement("span");
                    dot.style.cssText = "display:inline-block;width:9px;height:9px;border-radius:50%;" +
                        "margin-right:3px;background:" + data.colours[k];
                    item.appendChild(dot);
                    item.appendChild(document.createTextNode(name));
                    key.appendChild(item);
                });
                box.appendChild(key);
                var control = L.control({position: "bottomleft"});
                control.onAdd = function () {
                    L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box); return box;
                };
                control.addTo(map);
                window.cmPlayback = {draw: draw, start: start, stop: stop, frame: function () { return index; }};
                draw(0);
            })();
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, object]):
        super().__init__()
        self._name = "PlaybackControl"
        self.pane, self.z_index = "cmPlayback", 420
        self.data_js = js_literal(data)

    def render(self, **kwargs):
        """Resolve the map's variable name, then render."""
        self.map_name = get_obj_in_upper_tree(self, folium.Map).get_name()
        super().render(**kwargs)


def playback_data(
    playback: object, *, cell_deg: float = 0.1, points_total: int = PLAYBACK_POINTS_TOTAL, fps: float = 1.0
) -> dict[str, object]:
    """Every frame of ``playback`` for ``PlaybackControl``, bounded in size.

    Frames are drawn event by event while all of them together hold at most ``points_total``
    events; otherwise every frame is drawn as counts per ``cell_deg`` cell with one set of
    classes, so colours mean the same in each frame.

    Returns
    -------
    dict
        ``labels``, ``types`` and ``colours`` (by type code), ``ramp``, ``breaks``, ``fps`` and ``frames``:
        per frame ``n`` (events), ``i`` (imprecise), ``p`` (``[lat, lon, type, imprecise]``)
        and ``c`` (``[south, west, north, east, events, imprecise, class]``).
    """
    from conflictmap.mapview import EVENT_TYPE_COLORS, GRID_COLORS, UNKNOWN_TYPE_COLOR

    masks = [playback.mask(i) for i in range(len(playback))]
    totals = [int(m.sum()) for m in masks]
    as_points = sum(totals) <= points_total
    frames: list[dict[str, object]] = []
    breaks: list[int] = []
    if as_points:
        every = playback.points()
        lat, lon, kind = np.round(every.lat, 4), np.round(every.lon, 4), every.type_code
        for shown, n in zip(masks, totals, strict=True):
            rows = np.flatnonzero(shown)
            vague = playback.imprecise[rows]
            frames.append(
                {
                    "n": n,
                    "i": int(vague.sum()),
                    "p": [
                        [float(lat[r]), float(lon[r]), int(kind[r]), bool(v)] for r, v in zip(rows, vague, strict=True)
                    ],
                    "c": [],
                }
            )
    else:
        grids = [playback.grid(i, cell_deg) for i in range(len(playback))]
        top = np.concatenate([g["events"].to_numpy() for g in grids]) if grids else np.zeros(0)
        breaks = count_breaks(top, len(GRID_COLORS))
        half = cell_deg / 2
        for grid, n, shown in zip(grids, totals, masks, strict=True):
            klass = np.clip(
                np.searchsorted(np.asarray(breaks), grid["events"].to_numpy(), side="right") - 1,
                0,
                len(GRID_COLORS) - 1,
            )
            frames.append(
                {
                    "n": n,
                    "i": int((shown & playback.imprecise).sum()),
                    "p": [],
                    "c": [
                        [
                            round(a - half, 4),
                            round(b - half, 4),
                            round(a + half, 4),
                            round(b + half, 4),
                            int(e),
                            int(v),
                            int(k),
                        ]
                        for a, b, e, v, k in zip(
                            grid["lat"], grid["lon"], grid["events"], grid["imprecise"], klass, strict=True
                        )
                    ],
                }
            )
    return {
        "labels": [f.label for f in playback.frames],
        "types": list(EVENT_TYPE_COLORS),
        "colours": [*EVENT_TYPE_COLORS.values(), UNKNOWN_TYPE_COLOR],
        "ramp": list(GRID_COLORS),
        "breaks": breaks,
        "fps": fps,
        "frames": frames,
    }


def add_playback_control(
    m: folium.Map,
    playback: object,
    *,
    cell_deg: float = 0.1,
    points_total: int = PLAYBACK_POINTS_TOTAL,
    fps: float = 1.0,
) -> folium.Map:
    """Add a playback of every frame to ``m``: play/pause, step back and forward, speed, a slider, the date stamp.

    Imprecise events are dashed rings in every frame their window touches. The whole
    playback goes to the page once (bounded by ``points_total`` events, else cell counts),
    so stepping asks nothing of the server: it works in an offline HTML file too.
    ``window.cmPlayback`` exposes ``draw(k)``, ``start()``, ``stop()`` and ``frame()``.
    """
    PlaybackControl(playback_data(playback, cell_deg=cell_deg, points_total=points_total, fps=fps)).add_to(m)
    return m

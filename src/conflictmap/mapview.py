"""The event map: a folium map of canonical events on the offline basemap, with a legend.

Events are coloured by ``event_type`` with the Okabe–Ito palette (safe for
the common colour-vision deficiencies) and sized by fatalities on a square-root
scale. Locations are drawn as honestly as the source gives them:

* ``geo_precision`` 1 (the named place): a solid marker, a circle (or, when
  several datasets are shown together, a square, diamond or triangle per
  dataset, ``DATASET_SHAPES``);
* 2, 3, 4 (near the place, a region at its capital, country or vaguer): a hollow
  dashed ring whose radius in metres stands for the uncertainty, see
  ``PRECISION_RING_M`` (about 10, 50 and 150 km). A ring is never drawn
  smaller than the event's solid circle would be, so it stays visible and
  clickable when zoomed out.

The events travel to the browser as one compact JSON table (repeated strings
stored once) read by a short loop, not as thousands of folium objects, and
every string from the data is HTML-escaped before it is placed there. A
popup is built when its marker is first clicked; its last line names the event
id, which the dashboard reads back to show the event beside the map.

Modes: ``points``; ``clusters`` (Leaflet.markercluster); ``density``, a grid
of counts aggregated by ``grid.aggregate_grid``; ``auto`` picks points up to
``POINTS_MAX`` events, clusters up to ``CLUSTERS_MAX`` and the grid beyond.
``build_map`` makes one self-contained map (exports use it); the dashboard
combines the same elements through ``livemap``, which keeps what it sends
small with ``viewport``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.plugins import MarkerCluster
from folium.template import Template
from folium.utilities import get_obj_in_upper_tree

from conflictmap import basemap, schema
from conflictmap.assets import APP_BASE_URL, js_literal, use_local_assets
from conflictmap.grid import aggregate_grid, choose_cell_deg, grid_breaks

#: One colour per ACLED event type (Okabe & Ito 2008, "Color Universal Design").
EVENT_TYPE_COLORS: dict[str, str] = {
    "Battles": "#D55E00",  # vermillion
    "Explosions/Remote violence": "#E69F00",  # orange
    "Violence against civilians": "#CC79A7",  # reddish purple
    "Protests": "#0072B2",  # blue
    "Riots": "#56B4E9",  # sky blue
    "Strategic developments": "#009E73",  # bluish green
}
#: For a row whose type is missing; canonical tables have none.
UNKNOWN_TYPE_COLOR = "#7F7F7F"
#: Ring radius in metres for each ``geo_precision`` above 1.
PRECISION_RING_M: dict[int, int] = {2: 10_000, 3: 50_000, 4: 150_000}
#: Degrees added on each side of the events' box when the map fits them: a 50 km ring (0.45° of
#: latitude, 0.47° of longitude at 16° N) fits, and one point still shows its surroundings.
BOUNDS_MARGIN_DEG = 0.5
#: Marker radius in pixels: ``MIN_RADIUS_PX + RADIUS_PX_PER_SQRT * sqrt(fatalities)``, capped.
MIN_RADIUS_PX = 5.0
RADIUS_PX_PER_SQRT = 1.5
MAX_RADIUS_PX = 18.0
#: ``auto`` draws single markers up to this many events, ...
POINTS_MAX = 2_000
#: ... clusters up to this many, and the aggregated grid beyond.
CLUSTERS_MAX = 20_000
MODES: tuple[str, ...] = ("auto", "points", "clusters", "density")
#: Sequential colours for grid cells, light to dark (ColorBrewer OrRd).
GRID_COLORS: tuple[str, ...] = ("#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000")

_EVENT_COLUMNS: tuple[str, ...] = tuple(c for c in schema.COLUMNS if c not in ("civilian_targeting", "tags"))
_FIELDS: tuple[str, ...] = (
    "lat",
    "lon",
    "type",
    "geo",
    "time",
    "radius",
    "date",
    "date_end",
    "sub",
    "actor1",
    "assoc1",
    "actor2",
    "assoc2",
    "place",
    "fatalities",
    "fatalities_low",
    "fatalities_high",
    "notes",
    "source",
    "id",
    "dataset",
    "ds",
)
#: Marker shape of each dataset shown together, in order (exact places); the legend shows them.
DATASET_SHAPES: tuple[str, ...] = ("circle", "square", "diamond", "triangle")
#: Ring dash pattern of each dataset shown together, in order (approximate places).
DATASET_DASHES: tuple[str, ...] = ("5 4", "2 4", "10 4 2 4", "12 3")
#: Popups of a layer with more events than this carry the notes cut to ``NOTES_CUT`` characters.
NOTES_FULL_MAX = 500
NOTES_CUT = 280


def marker_radius(fatalities: pd.Series | np.ndarray | float) -> np.ndarray:
    """Marker radius in pixels for fatality counts: square-root scale, from ``MIN_RADIUS_PX`` to ``MAX_RADIUS_PX``.

    The area, not the radius, grows with the count, so big events do not swamp the map.
    """
    f = np.clip(np.asarray(fatalities, dtype="float64"), 0, None)
    return np.minimum(MIN_RADIUS_PX + RADIUS_PX_PER_SQRT * np.sqrt(f), MAX_RADIUS_PX)


def choose_mode(n_events: int) -> str:
    """The drawing ``auto`` uses for ``n_events`` events: ``points``, ``clusters`` or ``density``."""
    if n_events <= POINTS_MAX:
        return "points"
    return "clusters" if n_events <= CLUSTERS_MAX else "density"


# -- what goes to the browser -------------------------------------------------------------------------


class _Strings:
    """A table of HTML-escaped strings; rows refer to them by index so each is sent once."""

    def __init__(self) -> None:
        self.values: list[str] = [""]
        self._index: dict[str, int] = {"": 0}

    def add(self, text: str) -> int:
        escaped = html.escape(text.strip()).replace("\n", "<br>")
        if escaped not in self._index:
            self._index[escaped] = len(self.values)
            self.values.append(escaped)
        return self._index[escaped]

    def column(self, values: pd.Series | pd.Index) -> list[int]:
        codes, uniques = pd.factorize(pd.Series(values).astype(object))
        # The extra 0 at the end is where the missing values' code -1 points.
        lookup = np.array([self.add(str(u)) for u in uniques] + [0], dtype="int64")
        return lookup[codes].tolist()


def _place_text(parts: tuple[object, ...]) -> str:
    names: list[str] = []
    for part in parts:
        text = "" if part is None or part is pd.NA or (isinstance(part, float) and math.isnan(part)) else str(part)
        text = text.strip()
        if text and text not in names:
            names.append(text)
    return ", ".join(names)


def _nullable_ints(values: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in values.astype(object)]


def _type_codes(events: pd.DataFrame) -> np.ndarray:
    index = {t: i for i, t in enumerate(schema.EVENT_TYPES)}
    return events["event_type"].astype(object).map(index).fillna(len(schema.EVENT_TYPES)).to_numpy(dtype="int64")


def dataset_names(events: pd.DataFrame) -> list[str]:
    """The datasets present in ``events``, in the order their shapes are given (``DATASET_SHAPES``)."""
    values = events["dataset"]
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = np.bincount(values.array.codes + 1, minlength=len(values.cat.categories) + 1)[1:] > 0
        return [str(c) for c, used in zip(values.cat.categories, present, strict=True) if used]
    return sorted({str(v) for v in values.dropna()})


def _cut_notes(values: pd.Series, limit: int) -> pd.Series:
    def cut(text: object) -> object:
        if not isinstance(text, str) or len(text) <= limit:
            return text
        head = text[:limit].rsplit(" ", 1)[0]
        return head + " …"

    return values.astype(object).map(cut)


def event_table(
    events: pd.DataFrame, *, datasets: list[str] | None = None, notes_max: int | None = None
) -> dict[str, object]:
    """The events as the compact table the map's script reads.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.
    datasets : list of str, optional
        Dataset names in shape order (default ``dataset_names(events)``); a dataset not
        listed is drawn with the first shape.
    notes_max : int, optional
        Cut longer notes at a word boundary and end them with "…" (the full text
        stays in the data; the page shows it beside the map).

    Returns
    -------
    dict
        ``fields`` (column names), ``rows`` (one list per event, approximate
        places and bigger markers first; text columns hold indices into
        ``strings``, ``ds`` an index into ``datasets``), ``strings`` (HTML-escaped),
        and the lookup lists ``types``, ``colors``, ``time_words``, ``geo_words``,
        ``ring_m``, ``datasets`` (escaped), ``shapes`` and ``dashes``.
    """
    names = dataset_names(events) if datasets is None else list(datasets)
    # Wide rings first and exact places last: later paths are drawn on top and take the clicks.
    order = np.lexsort((-marker_radius(events["fatalities"]), -events["geo_precision"].to_numpy(dtype="int64")))
    events = events.iloc[order]
    strings = _Strings()
    places = pd.MultiIndex.from_frame(events[["location", "admin2", "admin1", "country"]].astype(object))
    place_codes, place_keys = places.factorize()
    place_lookup = np.array([strings.add(_place_text(k)) for k in place_keys] + [0], dtype="int64")
    columns = {
        "lat": events["latitude"].to_numpy(dtype="float64").round(5).tolist(),
        "lon": events["longitude"].to_numpy(dtype="float64").round(5).tolist(),
        "type": _type_codes(events).tolist(),
        "geo": events["geo_precision"].astype("int64").tolist(),
        "time": events["time_precision"].astype("int64").tolist(),
        "radius": marker_radius(events["fatalities"]).round(1).tolist(),
        "date": strings.column(events["event_date"].dt.strftime("%Y-%m-%d")),
        "date_end": strings.column(events["date_end"].dt.strftime("%Y-%m-%d")),
        "sub": strings.column(events["sub_event_type"]),
        "actor1": strings.column(events["actor1"]),
        "assoc1": strings.column(events["assoc_actor_1"]),
        "actor2": strings.column(events["actor2"]),
        "assoc2": strings.column(events["assoc_actor_2"]),
        "place": place_lookup[place_codes].tolist(),
        "fatalities": events["fatalities"].astype("int64").tolist(),
        "fatalities_low": _nullable_ints(events["fatalities_low"]),
        "fatalities_high": _nullable_ints(events["fatalities_high"]),
        "notes": strings.column(events["notes"] if notes_max is None else _cut_notes(events["notes"], notes_max)),
        "source": strings.column(events["source"]),
        "id": strings.column(events["event_id"]),
        "dataset": strings.column(events["dataset"]),
        "ds": _dataset_codes(events, names).tolist(),
    }
    rows = [list(r) for r in zip(*(columns[f] for f in _FIELDS), strict=True)] if len(events) else []
    return {
        "fields": list(_FIELDS),
        "rows": rows,
        "strings": strings.values,
        "types": [html.escape(t) for t in schema.EVENT_TYPES] + ["Unknown type"],
        "colors": [*EVENT_TYPE_COLORS.values(), UNKNOWN_TYPE_COLOR],
        "time_words": {str(k): html.escape(v) for k, v in schema.TIME_PRECISION.items()},
        "geo_words": {str(k): html.escape(v) for k, v in schema.GEO_PRECISION.items()},
        "ring_m": {str(k): v for k, v in PRECISION_RING_M.items()},
        "datasets": [html.escape(n) for n in names],
        "shapes": [DATASET_SHAPES[i % len(DATASET_SHAPES)] for i in range(max(len(names), 1))],
        "dashes": [DATASET_DASHES[i % len(DATASET_DASHES)] for i in range(max(len(names), 1))],
    }


def _dataset_codes(events: pd.DataFrame, names: list[str]) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    return events["dataset"].astype(object).map(index).fillna(0).to_numpy(dtype="int64")


class MapStyle(MacroElement):
    """Styles for popups, the legend and clusters (a ``<style>`` in the page header)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                .cm-popup { font: 13px/1.4 sans-serif; }
                .cm-popup .cm-head { border-left: 4px solid #999; padding-left: 6px; margin-bottom: 4px; }
                .cm-popup .cm-notes { margin: 6px 0; }
                .cm-popup .cm-muted, .cm-legend .cm-muted { color: #666; }
                .cm-legend {
                    background: rgba(255, 255, 255, 0.93); padding: 6px 10px; border-radius: 4px;
                    box-shadow: 0 1px 4px rgba(0, 0, 0, 0.35); font: 12px/1.45 sans-serif; max-width: 250px;
                }
                .cm-legend summary { font-weight: bold; cursor: pointer; }
                .cm-legend .cm-row { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
                .cm-legend .cm-swatch {
                    display: inline-block; width: 12px; height: 12px; border-radius: 50%;
                    border: 1px solid #222; flex: none;
                }
                .cm-legend .cm-ring { background: transparent; border: 2px dashed #444; width: 14px; height: 14px; }
                .cm-legend .cm-square { border-radius: 2px; }
                .cm-legend .cm-section { margin-top: 4px; }
                .cm-legend .cm-shape { flex: none; }
                .cm-legend .cm-bubble { background: rgba(40, 40, 40, 0.8); width: 14px; height: 14px; }
                .cm-legend .cm-fit { margin-top: 4px; font: inherit; cursor: pointer; }
                .cm-cell-icon { border-radius: 50%; display: flex; align-items: center; justify-content: center; }
                .cm-cell-icon div {
                    background: rgba(30, 30, 30, 0.85); color: #fff; border-radius: 50%;
                    width: calc(100% - 10px); height: calc(100% - 10px);
                    display: flex; align-items: center; justify-content: center; font: bold 12px sans-serif;
                }
                .cm-cluster { background: rgba(40, 40, 40, 0.25); border-radius: 50%; }
                .cm-cluster div {
                    background: rgba(40, 40, 40, 0.8); color: #fff; border-radius: 50%;
                    width: calc(100% - 8px); height: calc(100% - 8px); margin: 4px;
                    display: flex; align-items: center; justify-content: center; font: bold 12px sans-serif;
                }
            </style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapStyle"


_CLUSTER_ICON = """
function (cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 50;
    return L.divIcon({
        html: "<div>" + n + "</div>", className: "marker-cluster cm-cluster", iconSize: L.point(size, size)
    });
}
"""


class EventMarkers(MacroElement):
    """Every event as a marker (exact place) or a dashed ring (approximate place) with a popup.

    Added to a ``FeatureGroup`` or ``MarkerCluster``; the markers go into that
    parent, or into a ``L.markerClusterGroup`` made here when ``cluster`` is set.
    Exact places are circles, squares, diamonds or triangles, one shape per
    dataset (``DATASET_SHAPES``); rings get one dash pattern per dataset. A popup
    is built when its marker is clicked; its last line is the event id (and
    dataset), which is how the page tells which event was clicked.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.
    datasets : list of str, optional
        Dataset names in shape order (see ``event_table``).
    notes_max : int, optional
        Longest notes text in a popup (see ``event_table``).
    cluster : bool
        Group the markers with Leaflet.markercluster (its script must be on the page).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var parent = {{ this._parent.get_name() }};
                var data = {{ this.data_js }};
                var S = data.strings, F = {};
                data.fields.forEach(function (name, i) { F[name] = i; });
                // A ring in metres that never shrinks below the event's marker, so it stays clickable.
                var Ring = L.Circle.extend({
                    _project: function () {
                        L.Circle.prototype._project.call(this);
                        var min = this.options.minPx || 0;
                        if (this._radius < min) { this._radius = this._radiusY = min; this._updateBounds(); }
                    }
                });
                // A circle marker drawn as another shape, so datasets shown together stay apart without colour.
                var Shape = L.CircleMarker.extend({
                    _updatePath: function () {
                        var shape = this.options.shape, p = this._point, r = this._radius, d;
                        if (shape === "circle" || !this._renderer._setPath) {
                            return L.CircleMarker.prototype._updatePath.call(this);
                        }
                        if (this._empty()) { return; }
                        if (shape === "square") {
                            r *= 0.9;
                            d = "M" + (p.x - r) + "," + (p.y - r) + "h" + 2 * r + "v" + 2 * r + "h" + -2 * r + "z";
                        } else if (shape === "diamond") {
                            r *= 1.2;
                            d = "M" + p.x + "," + (p.y - r) + "L" + (p.x + r) + "," + p.y + "L" + p.x + "," +
                                (p.y + r) + "L" + (p.x - r) + "," + p.y + "z";
                        } else {
                            r *= 1.25;
                            d = "M" + p.x + "," + (p.y - r) + "L" + (p.x + 0.866 * r) + "," + (p.y + r / 2) +
                                "L" + (p.x - 0.866 * r) + "," + (p.y + r / 2) + "z";
                        }
                        this._renderer._setPath(this, d);
                    }
                });
                function line(label, value) { return value ? "<div><b>" + label + ":</b> " + value + "</div>" : ""; }
                function withAssoc(actor, assoc) { return S[actor] + (assoc ? " (with " + S[assoc] + ")" : ""); }
                function popup(r) {
                    var date = S[r[F.date]], end = S[r[F.date_end]], geo = r[F.geo], sub = S[r[F.sub]];
                    var when = date + (end && end !== date ? " to " + end : "");
                    var actors = r[F.actor1] ? withAssoc(r[F.actor1], r[F.assoc1]) : "";
                    if (r[F.actor2]) { actors += (actors ? " vs " : "") + withAssoc(r[F.actor2], r[F.assoc2]); }
                    var where = S[r[F.place]] + ' <span class="cm-muted">(location: ' + data.geo_words[geo] +
                        (geo > 1 ? "; ring of about " + data.ring_m[geo] / 1000 + " km" : "") + ")</span>";
                    var dead = String(r[F.fatalities]) + (r[F.fatalities] === 0 ? " reported" : "");
                    if (r[F.fatalities_low] !== null && r[F.fatalities_high] !== null) {
                        dead += " (range " + r[F.fatalities_low] + " to " + r[F.fatalities_high] + ")";
                    }
                    return '<div class="cm-popup">' +
                        '<div class="cm-head" style="border-left-color:' + data.colors[r[F.type]] + '">' +
                        "<b>" + data.types[r[F.type]] + "</b>" + (sub ? " &middot; " + sub : "") + "<br>" +
                        when + ' <span class="cm-muted">(date: ' + data.time_words[r[F.time]] + ")</span></div>" +
                        line("Actors", actors) + line("Place", where) + line("Fatalities", dead) +
                        (r[F.notes] ? '<div class="cm-notes">' + S[r[F.notes]] + "</div>" : "") +
                        line("Source", S[r[F.source]]) +
                        '<div class="cm-muted cm-id">' + S[r[F.id]] +
                        (r[F.dataset] ? " &middot; " + S[r[F.dataset]] : "") + "</div></div>";
                }
                var layers = data.rows.map(function (r) {
                    var colour = data.colors[r[F.type]], geo = r[F.geo], ds = r[F.ds];
                    var cls = "cm-event cm-geo-" + geo + " cm-type-" + r[F.type] + " cm-ds-" + ds;
                    var layer = geo === 1
                        ? new Shape([r[F.lat], r[F.lon]], {
                            radius: r[F.radius], color: "#222", weight: 1, fillColor: colour, fillOpacity: 0.85,
                            shape: data.shapes[ds], className: cls})
                        : new Ring([r[F.lat], r[F.lon]], {
                            radius: data.ring_m[geo], minPx: r[F.radius], color: colour, weight: 2,
                            dashArray: data.dashes[ds], fill: true, fillColor: colour, fillOpacity: 0.08,
                            className: cls});
                    // The popup is an element filled on the first click, before it opens, so its text can be read back.
                    layer.on("click", function () {
                        if (!layer._cmFilled) {
                            var box = document.createElement("div");
                            box.innerHTML = popup(r);
                            layer.setPopupContent(box.firstChild);
                            layer._cmFilled = true;
                        }
                    });
                    return layer.bindPopup("", {maxWidth: 340, maxHeight: 320});
                });
                var group = parent;
                {%- if this.cluster %}
                group = L.markerClusterGroup({
                    showCoverageOnHover: false, maxClusterRadius: 50, chunkedLoading: true,
                    iconCreateFunction: {{ this.cluster_icon }}
                });
                {%- endif %}
                if (group.addLayers) {
                    group.addLayers(layers);
                } else {
                    layers.forEach(function (l) { group.addLayer(l); });
                }
                if (group !== parent) { parent.addLayer(group); }
            })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        events: pd.DataFrame,
        *,
        datasets: list[str] | None = None,
        notes_max: int | None = None,
        cluster: bool = False,
    ):
        super().__init__()
        self._name = "EventMarkers"
        self.cluster = cluster
        self.cluster_icon = _CLUSTER_ICON.strip()
        self.data_js = js_literal(event_table(events, datasets=datasets, notes_max=notes_max))


class GridCells(MacroElement):
    """Aggregated grid cells as squares shaded by event count, each with a popup of its counts.

    Parameters
    ----------
    grid : pandas.DataFrame
        From ``aggregate_grid``.
    breaks : sequence of int
        Lower count bound of each class in ``GRID_COLORS``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var group = {{ this._parent.get_name() }};
                var data = {{ this.data_js }};
                data.rows.forEach(function (r) {
                    var parts = ["<b>" + r[4] + " event" + (r[4] === 1 ? "" : "s") + "</b>, " + r[5] + " fatalities"];
                    r[7].forEach(function (n, t) {
                        if (n) {
                            parts.push('<span style="color:' + data.colors[t] + '">&#9679;</span> ' +
                                       data.types[t] + ": " + n);
                        }
                    });
                    parts.push('<span class="cm-muted">cell ' + r[0] + " to " + r[2] + "&deg;N, " +
                               r[1] + " to " + r[3] + "&deg;E</span>");
                    L.rectangle([[r[0], r[1]], [r[2], r[3]]], {
                        color: data.ramp[r[6]], weight: 0.5, fillColor: data.ramp[r[6]], fillOpacity: 0.7,
                        className: "cm-cell"
                    }).bindPopup('<div class="cm-popup">' + parts.join("<br>") + "</div>").addTo(group);
                });
            })();
        {% endmacro %}
        """
    )

    def __init__(self, grid: pd.DataFrame, breaks: list[int]):
        super().__init__()
        self._name = "GridCells"
        classes = np.searchsorted(np.asarray(breaks), grid["events"].to_numpy(), side="right") - 1
        type_counts = grid[list(schema.EVENT_TYPES)].to_numpy(dtype="int64").tolist()
        rows = [
            [float(a), float(b), float(c), float(d), int(n), int(f), int(k), t]
            for a, b, c, d, n, f, k, t in zip(
                grid["lat_min"],
                grid["lon_min"],
                grid["lat_max"],
                grid["lon_max"],
                grid["events"],
                grid["fatalities"],
                classes,
                type_counts,
                strict=True,
            )
        ]
        self.data_js = js_literal(
            {
                "rows": rows,
                "ramp": list(GRID_COLORS),
                "types": [html.escape(t) for t in schema.EVENT_TYPES],
                "colors": list(EVENT_TYPE_COLORS.values()),
            }
        )


class Legend(MacroElement):
    """A collapsible legend in the map's lower-left corner.

    Added to the map, it stays; added to a layer, it comes and goes with that layer.

    Parameters
    ----------
    body : str
        Legend HTML, built here from fixed labels and escaped text.
    """

    #: Maps narrower than this (in pixels) start with the legend folded to its heading.
    open_min_px = 700

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this.map_name }};
                var owner = {{ this._parent.get_name() }};
                var legend = L.control({position: "bottomleft"});
                legend.onAdd = function () {
                    var div = L.DomUtil.create("div", "cm-legend");
                    div.innerHTML = {{ this.body_js }};
                    // Open on a wide map, folded on a narrow one, then as the user last left it.
                    var details = div.querySelector("details");
                    if (details) {
                        var open = window.cmLegendOpen;
                        details.open = open === undefined ? map.getSize().x >= {{ this.open_min_px }} : open;
                        details.addEventListener("toggle", function () { window.cmLegendOpen = details.open; });
                    }
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    return div;
                };
                legend.addTo(map);
                if (owner !== map) {
                    owner.on("remove", function () { legend.remove(); });
                    owner.on("add", function () { if (!legend._map) { legend.addTo(map); } });
                }
            })();
        {% endmacro %}
        """
    )

    def __init__(self, body: str):
        super().__init__()
        self._name = "Legend"
        self.body_js = js_literal(body)

    def render(self, **kwargs):
        """Resolve the map's variable name, then render."""
        self.map_name = get_obj_in_upper_tree(self, folium.Map).get_name()
        super().render(**kwargs)


def _row(swatch_style: str, label: str, css_class: str = "") -> str:
    return f'<div class="cm-row"><span class="cm-swatch {css_class}" style="{swatch_style}"></span>{label}</div>'


_SHAPE_SVG = {
    "circle": '<circle cx="7" cy="7" r="5"/>',
    "square": '<rect x="2.5" y="2.5" width="9" height="9"/>',
    "diamond": '<path d="M7 1L13 7L7 13L1 7Z"/>',
    "triangle": '<path d="M7 1.5L13 12H1Z"/>',
}


def _shape_swatch(shape: str, dash: str) -> str:
    marker = _SHAPE_SVG[shape].replace("/>", ' fill="#bbb" stroke="#222" stroke-width="1"/>')
    ring = f'<circle cx="23" cy="7" r="5.5" fill="none" stroke="#444" stroke-width="1.6" stroke-dasharray="{dash}"/>'
    return f'<svg class="cm-shape" width="31" height="14" aria-hidden="true">{marker}{ring}</svg>'


def legend_html(
    events: pd.DataFrame,
    drawn: str,
    title: str | None,
    grid: tuple[float, list[int]] | None,
    *,
    summary: str | None = None,
    grid_label: str | None = None,
    datasets: list[str] | None = None,
    type_counts: Mapping[str, int] | None = None,
    dataset_counts: Mapping[str, int] | None = None,
) -> str:
    """The legend's HTML: title, count, what the colours, shapes, sizes and rings mean (all text escaped).

    Parameters
    ----------
    events : pandas.DataFrame
        The events the map stands for (types are counted over them).
    drawn : str
        ``points``, ``clusters``, ``density`` (grid squares) or ``cells`` (counted bubbles).
    title : str, optional
        Heading (default "Events").
    grid : tuple (cell size in degrees, class breaks), optional
        For ``density``: the colour classes.
    summary : str, optional
        The line under the title (default: the number of events and how they are drawn).
    grid_label : str, optional
        The heading of the grid classes (default "Events per <size>° cell").
    datasets : list of str, optional
        Datasets in shape order; with more than one, the legend lists each with its shape.
    type_counts, dataset_counts : mapping, optional
        Events per incident type and per dataset, when ``events`` is not every event the map
        stands for (a database counted them); by default counted over ``events``.
    """
    n = len(events)
    if summary is None:
        how = {"points": "", "clusters": ", grouped in clusters", "density": "", "cells": ""}[drawn]
        summary = f"{n:,} event{'' if n == 1 else 's'}{how}"
    parts = [
        f"<details open><summary>{html.escape(title or 'Events')}</summary>",
        f'<div class="cm-muted cm-summary">{html.escape(summary)}</div>',
    ]
    if grid is not None:
        cell, breaks = grid
        uppers = [b - 1 for b in breaks[1:]] + [None]
        label = grid_label if grid_label is not None else f"Events per {cell:g}° cell"
        parts.append(f'<div class="cm-section">{html.escape(label)}</div>')
        for colour, low, high in zip(GRID_COLORS, breaks, uppers, strict=False):
            span = f"{low:,}+" if high is None else (f"{low:,}" if high == low else f"{low:,} to {high:,}")
            parts.append(_row(f"background:{colour}", span, "cm-square"))
    else:
        counts = type_counts if type_counts is not None else events["event_type"].value_counts()
        for name, colour in EVENT_TYPE_COLORS.items():
            label = f'{html.escape(name)} <span class="cm-muted">({int(counts.get(name, 0)):,})</span>'
            parts.append(_row(f"background:{colour}", label))
        if drawn == "cells":
            parts.append(
                '<div class="cm-row cm-section"><span class="cm-swatch cm-bubble"></span>'
                "number of events in the area; click to zoom in</div>"
            )
        else:
            sizes = "".join(
                f'<span class="cm-swatch" style="background:#bbb;width:{d:.0f}px;height:{d:.0f}px"></span>{deaths}'
                for deaths, d in ((k, 2 * float(marker_radius(k))) for k in (0, 10, 50))
            )
            parts.append(f'<div class="cm-row cm-section">Fatalities: {sizes}</div>')
            rings = "/".join(str(m // 1000) for m in PRECISION_RING_M.values())
            parts.append(_row("background:#bbb", "exact place"))
            parts.append(_row("", f"approximate place: ring of {rings} km", "cm-ring"))
    if datasets is not None and len(datasets) > 1:
        by_dataset = dataset_counts if dataset_counts is not None else events["dataset"].value_counts()
        parts.append('<div class="cm-section">Datasets (exact place, approximate place)</div>')
        for i, name in enumerate(datasets):
            swatch = _shape_swatch(DATASET_SHAPES[i % len(DATASET_SHAPES)], DATASET_DASHES[i % len(DATASET_DASHES)])
            count = int(by_dataset.get(name, 0))
            parts.append(
                f'<div class="cm-row cm-dataset">{swatch}{html.escape(name)} '
                f'<span class="cm-muted">({count:,})</span></div>'
            )
    parts.append("</details>")
    return "".join(parts)


class FitBounds(MacroElement):
    """Show ``bounds`` when the map opens, without an animation from folium's initial view.

    Parameters
    ----------
    bounds : list of [lat, lon]
        South-west and north-east corners.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.fitBounds(
                {{ this.bounds|tojson }}, {padding: [20, 20], maxZoom: 10, animate: false}
            );
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]]):
        super().__init__()
        self._name = "FitBounds"
        self.bounds = bounds


def event_bounds(events: pd.DataFrame) -> list[list[float]]:
    """``[[south, west], [north, east]]`` around the events with room for their rings; Mali when there are none.

    Each side gets ``BOUNDS_MARGIN_DEG``: the 50 km ring of a place known only to its
    region (geo_precision 3) stays whole in the first view, whichever event is at the edge.
    """
    if len(events) == 0:
        west, south, east, north = basemap.countries().query("iso_a3 == 'MLI'").total_bounds
        return [[south, west], [north, east]]
    south, north = float(events["latitude"].min()), float(events["latitude"].max())
    west, east = float(events["longitude"].min()), float(events["longitude"].max())
    pad = BOUNDS_MARGIN_DEG
    return [[south - pad, west - pad], [north + pad, east + pad]]


def build_map(
    events: pd.DataFrame,
    *,
    assets_base_url: str = APP_BASE_URL,
    mode: str = "auto",
    tiles: str = "offline",
    title: str | None = None,
) -> folium.Map:
    """A map of ``events`` on the offline basemap, with a legend, fitted to the events.

    The map needs no internet: Leaflet and its plugins load from
    ``assets_base_url`` and no tile layer is shown unless ``tiles`` asks for one.

    Parameters
    ----------
    events : pandas.DataFrame or geopandas.GeoDataFrame
        The canonical event table (see ``conflictmap.schema``).
    assets_base_url : str
        Where the assets fetched by ``python -m conflictmap.assets fetch`` are
        served; ``/app/static/vendor`` in the app.
    mode : str
        ``auto`` (default), ``points``, ``clusters`` or ``density`` (grid of counts).
    tiles : str
        Base layer shown first: ``offline`` (default), ``openstreetmap`` or
        ``cartodb positron``; the others stay in the layer control.
    title : str, optional
        Heading of the legend (default "Events").

    Returns
    -------
    folium.Map

    Raises
    ------
    schema.SchemaError
        If a canonical column is missing.
    ValueError
        If ``mode`` or ``tiles`` is not a known value.
    """
    missing = [c for c in _EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise schema.SchemaError(f"the map needs the canonical event table; missing column(s) {missing}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {list(MODES)}, got {mode!r}")
    drawn = choose_mode(len(events)) if mode == "auto" else mode
    bounds = event_bounds(events)
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = folium.Map(location=center, zoom_start=5, tiles=None, control_scale=True, minZoom=2, maxZoom=18)
    basemap.add_basemap(m, tiles=tiles)
    m.add_child(MapStyle())
    grid_info: tuple[float, list[int]] | None = None
    datasets = dataset_names(events)
    if drawn == "density":
        cell = choose_cell_deg(events)
        grid = aggregate_grid(events, cell)
        breaks = grid_breaks(grid["events"])
        grid_info = (cell, breaks)
        layer: folium.FeatureGroup = folium.FeatureGroup(name=f"Events per {cell:g}° cell")
        layer.add_child(GridCells(grid, breaks))
    else:
        if drawn == "clusters":
            layer = MarkerCluster(
                name="Events",
                icon_create_function=_CLUSTER_ICON,
                showCoverageOnHover=False,
                maxClusterRadius=50,
                chunkedLoading=True,
            )
        else:
            layer = folium.FeatureGroup(name="Events")
        layer.add_child(EventMarkers(events, datasets=datasets))
    m.add_child(layer)
    m.add_child(Legend(legend_html(events, drawn, title, grid_info, datasets=datasets)))
    folium.LayerControl(collapsed=True).add_to(m)
    m.add_child(FitBounds(bounds))
    return use_local_assets(m, assets_base_url)

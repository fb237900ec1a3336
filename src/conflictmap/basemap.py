"""An offline basemap: country outlines of West Africa and the Sahel and town labels, with no tiles.

The outlines come from Natural Earth's 1:110m "Admin 0 – Countries" layer
(public domain, https://www.naturalearthdata.com), as shipped in the pyogrio
wheel's test fixtures (``pyogrio/tests/fixtures/naturalearth_lowres``). The
countries meeting ``REGION_BBOX`` are kept, with their name and ISO code and
coordinates rounded to 0.001 degree, in ``data/basemap_countries.geojson``;
``python -m conflictmap.basemap`` writes that file again. Town labels come from
the gazetteer.

OpenStreetMap and CartoDB Positron tiles are offered in the layer control for
users with a connection; they are not shown unless picked, so the map asks
nothing of the internet by itself.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import folium
import geopandas as gpd
import pyogrio
import shapely
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import get_obj_in_upper_tree

from conflictmap.assets import js_literal
from conflictmap.gazetteer import Place, places

#: (west, south, east, north) in degrees: the Sahel and West Africa, Mali in the middle.
REGION_BBOX: tuple[float, float, float, float] = (-18.0, 4.0, 16.0, 27.0)
#: The countries file inside the package's data folder.
COUNTRIES_RESOURCE = "basemap_countries.geojson"
COUNTRIES_SOURCE = (
    "Natural Earth 1:110m Admin 0 - Countries (public domain), "
    "from pyogrio's test fixtures naturalearth_lowres; countries meeting "
    f"{REGION_BBOX}, coordinates rounded to 0.001 degree"
)
#: Place kinds labelled by default: the capital and the region capitals.
MAJOR_PLACE_KINDS: tuple[str, ...] = ("capital", "region_capital")
#: Values of ``tiles`` and the base layer each one shows first.
TILE_CHOICES: dict[str, str] = {
    "offline": "Offline map (no tiles)",
    "openstreetmap": "OpenStreetMap (online)",
    "cartodb positron": "Light - CartoDB Positron (online)",
}
_OSM_ATTR = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
# URL templates rather than catalogue names: xyzservices' entry for CARTO asks for an API
# key and folium would warn about it on every map built.
_TILE_LAYERS: dict[str, dict[str, object]] = {
    "openstreetmap": {"tiles": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attr": _OSM_ATTR, "max_zoom": 19},
    "cartodb positron": {
        "tiles": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        "attr": _OSM_ATTR + ' &copy; <a href="https://carto.com/attributions">CARTO</a>',
        "subdomains": "abcd",
        "max_zoom": 20,
    },
}
_PRECISION_DEG = 0.001
# Panes keep the outlines under the events and the labels above them,
# also after a base layer is switched off and on again.
_COUNTRY_PANE, _COUNTRY_Z = "cmCountries", 250
_PLACE_DOT_PANE, _PLACE_DOT_Z = "cmPlaceDots", 390
_PLACE_PANE, _PLACE_Z = "cmPlaces", 450


def natural_earth_lowres() -> Path:
    """Path of the Natural Earth low-resolution countries shapefile inside the installed pyogrio."""
    path = Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; it ships in the pyogrio wheel")
    return path


def extract_countries(
    source: Path | None = None, bbox: tuple[float, float, float, float] = REGION_BBOX
) -> gpd.GeoDataFrame:
    """The countries of ``source`` meeting ``bbox``, with ``name`` and ``iso_a3``, coordinates rounded.

    Parameters
    ----------
    source : pathlib.Path, optional
        A Natural Earth countries file; default ``natural_earth_lowres()``.
    bbox : tuple of float
        (west, south, east, north) in degrees.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, sorted by name.
    """
    world = gpd.read_file(source or natural_earth_lowres()).to_crs("EPSG:4326")
    keep = world[world.intersects(shapely.box(*bbox))][["name", "iso_a3", "geometry"]].copy()
    keep["geometry"] = shapely.set_precision(keep.geometry.values, _PRECISION_DEG)
    return keep.sort_values("name").reset_index(drop=True)


def write_countries(dest: Path | None = None) -> Path:
    """Write ``extract_countries()`` as GeoJSON to ``dest`` (default: the package data file) and return the path."""
    path = dest or Path(__file__).parent / "data" / COUNTRIES_RESOURCE
    path.unlink(missing_ok=True)
    extract_countries().to_file(path, driver="GeoJSON", COORDINATE_PRECISION=3, WRITE_NAME=False)
    return path


@cache
def countries() -> gpd.GeoDataFrame:
    """The packaged country outlines (read once per process)."""
    with resources.as_file(resources.files("conflictmap") / "data" / COUNTRIES_RESOURCE) as path:
        return gpd.read_file(path)


def place_labels(kinds: Sequence[str] = MAJOR_PLACE_KINDS, gazetteer: Iterable[Place] | None = None) -> list[Place]:
    """Gazetteer places of the given kinds, the capital first.

    Parameters
    ----------
    kinds : sequence of str
        Place kinds to label (``capital``, ``region_capital``, ``cercle_capital``, ``town``, ...).
    gazetteer : iterable of Place, optional
        Default: every place of the gazetteer.
    """
    chosen = [p for p in (places() if gazetteer is None else gazetteer) if p.kind in kinds]
    return sorted(chosen, key=lambda p: (p.kind != "capital", p.name))


#: ``CountryOutlines``' data of the last frames drawn (the page draws the same one on every map update).
_OUTLINES_KEPT: dict[tuple[int, str], tuple[gpd.GeoDataFrame, str]] = {}


def _outlines_js(frame: gpd.GeoDataFrame, highlight: str) -> str:
    """The outlines and name labels of ``frame`` as a JavaScript literal, worked out once per frame."""
    key = (id(frame), highlight)
    kept = _OUTLINES_KEPT.get(key)
    # The frame itself is kept with its data, so its id cannot be reused by another frame.
    if kept is not None and kept[0] is frame:
        return kept[1]
    points = frame.geometry.representative_point()
    labels = [
        [round(pt.y, 3), round(pt.x, 3), html.escape(str(name))] for pt, name in zip(points, frame["name"], strict=True)
    ]
    outlines = frame[["name", "iso_a3", "geometry"]].__geo_interface__
    data = js_literal({"outlines": outlines, "labels": labels, "highlight": highlight})
    if len(_OUTLINES_KEPT) >= 4:
        _OUTLINES_KEPT.clear()
    _OUTLINES_KEPT[key] = (frame, data)
    return data


class CountryOutlines(MacroElement):
    """Country polygons and names drawn with Leaflet in their own pane; nothing on them reacts to the mouse.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Countries with ``name`` and ``iso_a3``.
    highlight : str
        ISO code of the country drawn with a stronger outline.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                .leaflet-container.cm-offline { background: #d8e6ee; }
                .cm-country-name {
                    color: #7b7b72; font: italic 11px/1.2 sans-serif; letter-spacing: 0.08em;
                    text-transform: uppercase; white-space: nowrap; text-align: center;
                    transform: translate(-50%, -50%); width: max-content;
                }
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this.map_name }};
                var group = {{ this._parent.get_name() }};
                if (!map.getPane({{ this.pane|tojson }})) {
                    map.createPane({{ this.pane|tojson }}).style.zIndex = {{ this.z_index }};
                }
                var data = {{ this.data_js }};
                L.geoJSON(data.outlines, {
                    pane: {{ this.pane|tojson }},
                    // Drawn well beyond the view, so a pan (e.g. to show a popup) shows no bare edge.
                    renderer: L.svg({pane: {{ this.pane|tojson }}, padding: 1}),
                    interactive: false,
                    style: function (f) {
                        var home = f.properties.iso_a3 === data.highlight;
                        return {color: home ? "#55554d" : "#9a9a90", weight: home ? 1.6 : 0.8,
                                fillColor: home ? "#fbfaf4" : "#f1efe6", fillOpacity: 1};
                    }
                }).addTo(group);
                data.labels.forEach(function (c) {
                    L.marker([c[0], c[1]], {
                        pane: {{ this.pane|tojson }}, interactive: false, keyboard: false,
                        icon: L.divIcon({className: "cm-country", iconSize: null,
                                         html: '<div class="cm-country-name">' + c[2] + "</div>"})
                    }).addTo(group);
                });
                group.on("add", function () { map.getContainer().classList.add("cm-offline"); });
                group.on("remove", function () { map.getContainer().classList.remove("cm-offline"); });
            })();
        {% endmacro %}
        """
    )

    def __init__(self, frame: gpd.GeoDataFrame, highlight: str = "MLI"):
        super().__init__()
        self._name = "CountryOutlines"
        self.pane = _COUNTRY_PANE
        self.z_index = _COUNTRY_Z
        self.data_js = _outlines_js(frame, highlight)

    def render(self, **kwargs):
        """Resolve the map's variable name, then render."""
        self.map_name = get_obj_in_upper_tree(self, folium.Map).get_name()
        super().render(**kwargs)


class PlaceLabels(MacroElement):
    """Town names with a dot: the dot under the events, the name over them; the mouse goes through to the events.

    Parameters
    ----------
    labelled : iterable of Place
        The places to label.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                .cm-place { position: relative; }
                .cm-place-dot {
                    position: absolute; left: -3px; top: -3px; width: 6px; height: 6px;
                    border-radius: 50%; background: #3a3a3a; box-shadow: 0 0 0 1.5px #fff;
                }
                .cm-place-capital .cm-place-dot { left: -4px; top: -4px; width: 8px; height: 8px; border-radius: 1px; }
                .cm-place-name {
                    position: absolute; left: 6px; top: -8px; white-space: nowrap;
                    font: 12px/1.2 sans-serif; color: #222;
                    text-shadow: -1px -1px 0 #fff, 1px -1px 0 #fff, -1px 1px 0 #fff, 1px 1px 0 #fff;
                }
                .cm-place-capital .cm-place-name { font-weight: bold; font-size: 13px; top: -9px; }
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this.map_name }};
                var group = {{ this._parent.get_name() }};
                if (!map.getPane({{ this.pane|tojson }})) {
                    map.createPane({{ this.pane|tojson }}).style.zIndex = {{ this.z_index }};
                }
                if (!map.getPane({{ this.dot_pane|tojson }})) {
                    map.createPane({{ this.dot_pane|tojson }}).style.zIndex = {{ this.dot_z_index }};
                }
                // The dot goes under the events, so an event at the town stays visible; the name goes over them.
                {{ this.data_js }}.forEach(function (p) {
                    var parts = [[{{ this.dot_pane|tojson }}, '<span class="cm-place-dot"></span>'],
                                 [{{ this.pane|tojson }}, '<span class="cm-place-name">' + p[2] + "</span>"]];
                    parts.forEach(function (part) {
                        L.marker([p[0], p[1]], {
                            pane: part[0], interactive: false, keyboard: false,
                            icon: L.divIcon({className: "cm-place cm-place-" + p[3], iconSize: [0, 0], html: part[1]})
                        }).addTo(group);
                    });
                });
            })();
        {% endmacro %}
        """
    )

    def __init__(self, labelled: Iterable[Place]):
        super().__init__()
        self._name = "PlaceLabels"
        self.pane = _PLACE_PANE
        self.z_index = _PLACE_Z
        self.dot_pane = _PLACE_DOT_PANE
        self.dot_z_index = _PLACE_DOT_Z
        rows = [[p.latitude, p.longitude, html.escape(p.name), html.escape(p.kind)] for p in labelled]
        self.data_js = js_literal(rows)

    def render(self, **kwargs):
        """Resolve the map's variable name, then render."""
        self.map_name = get_obj_in_upper_tree(self, folium.Map).get_name()
        super().render(**kwargs)


def add_basemap(m: folium.Map, *, tiles: str = "offline", place_kinds: Sequence[str] = MAJOR_PLACE_KINDS) -> folium.Map:
    """Add the offline base layer, the town labels and the optional online tile layers to ``m``.

    Parameters
    ----------
    m : folium.Map
        A map made with ``tiles=None``.
    tiles : str
        The base layer shown first: ``offline`` (default), ``openstreetmap`` or
        ``cartodb positron``. The others are listed in the layer control and
        load nothing until picked.
    place_kinds : sequence of str
        Gazetteer place kinds to label; empty for no labels.

    Returns
    -------
    folium.Map
        ``m``; a ``folium.LayerControl`` still has to be added last.

    Raises
    ------
    ValueError
        If ``tiles`` is not one of ``TILE_CHOICES``.
    """
    choice = tiles.strip().lower()
    if choice not in TILE_CHOICES:
        raise ValueError(f"tiles must be one of {list(TILE_CHOICES)}, got {tiles!r}")
    offline = folium.FeatureGroup(name=TILE_CHOICES["offline"], overlay=False, show=choice == "offline")
    offline.add_child(CountryOutlines(countries()))
    m.add_child(offline)
    for key, options in _TILE_LAYERS.items():
        folium.TileLayer(name=TILE_CHOICES[key], overlay=False, show=choice == key, **options).add_to(m)
    labelled = place_labels(place_kinds) if place_kinds else []
    if labelled:
        towns = folium.FeatureGroup(name="Towns", overlay=True, show=True)
        towns.add_child(PlaceLabels(labelled))
        m.add_child(towns)
    return m


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m conflictmap.basemap [DEST]``: write the countries file again."""
    args = list(sys.argv[1:] if argv is None else argv)
    path = write_countries(Path(args[0]) if args else None)
    print(f"wrote {path} ({path.stat().st_size} bytes): {COUNTRIES_SOURCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

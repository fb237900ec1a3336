"""The map as a static image (PNG, PDF or SVG), drawn with matplotlib: no browser, no network.

The page is A4 landscape: title, filter line and summary at the top; the map
on the offline basemap (Natural Earth country outlines, gazetteer towns) in
Web Mercator like the interactive map, with a scale bar; a legend on the
right; attribution and provenance at the bottom. Events look as they do on
the interactive map (``conflictmap.mapview``): colour by event type, size by
fatalities, solid circles for exact places and dashed rings of 10/50/150 km
for approximate ones. Above ``mapview.CLUSTERS_MAX`` events ``auto`` draws the
same grid of counts as the map's density mode.

Markers are drawn as scatter collections, one per kind and dataset (not one
patch per event): a PNG of 100,000 events takes about half a second as the
grid and about 2 s as markers. Online tiles are not offered: an image is made
offline, from the packaged basemap only.
"""

from __future__ import annotations

import dataclasses
import io
import math
import textwrap
import warnings
from functools import cache
from typing import BinaryIO

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.path import Path as MplPath

from conflictmap import basemap, grid, mapview
from conflictmap.export.options import DEFAULT_DPI, DPI_RANGE, IMAGE_KINDS, WIDTH_RANGE, ImageOptionError
from conflictmap.export.provenance import Provenance, drawing_text
from conflictmap.export.stored import add_svg_provenance, image_metadata
from conflictmap.gazetteer import Place

#: Page size in inches: A4 landscape.
PAGE_IN: tuple[float, float] = (11.69, 8.27)
MODES: tuple[str, ...] = ("auto", "points", "density")
#: Size of a screen pixel of the interactive map on the page, in points.
PT_PER_PX = 0.8
#: Country fill and outline colours, as the interactive map's offline basemap.
SEA_COLOR = "#d8e6ee"
HOME_FILL, HOME_EDGE = "#fbfaf4", "#55554d"
OTHER_FILL, OTHER_EDGE = "#f1efe6", "#9a9a90"
HOME_ISO = "MLI"
BASEMAP_CREDIT = "Borders: Natural Earth (public domain) · Towns: conflictmap gazetteer · Web Mercator"

#: Where the map and the legend sit on the page: (left, bottom, width, height) as fractions of it.
MAP_RECT = (0.03, 0.085, 0.70, 0.775)
LEGEND_RECT = (0.75, 0.085, 0.23, 0.775)
_EARTH_R = 6_378_137.0
_MAX_LAT = 85.0
# parse_math off: a "$" in a title or a place name is text, not a formula.
_FONT = {"family": "DejaVu Sans", "parse_math": False}
_HALO = [patheffects.withStroke(linewidth=2.5, foreground="white")]
_MAX_TOWN_LABELS = 45
# Leaflet's ring outline is 2 px wide; dash patterns are given for it.
_RING_WEIGHT_PX = 2.0
_RING_WIDTH_PT = 1.3
# Dataset shape -> matplotlib marker and its size per marker radius, matching the interactive map's shapes.
_MARKERS: dict[str, tuple[str, float]] = {
    "circle": ("o", 2.0),
    "square": ("s", 1.8),
    "diamond": ("D", 1.7),
    "triangle": ("^", 2.2),
}
# Place kinds labelled, by the span of the view in degrees: more towns when zoomed in.
_LABEL_KINDS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (2.5, ("capital", "region_capital", "cercle_capital", "town")),
    (7.0, ("capital", "region_capital", "cercle_capital")),
    (math.inf, ("capital", "region_capital")),
)


# -- projection -------------------------------------------------------------------------------------


def mercator(lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator (EPSG:3857) metres for longitudes and latitudes in degrees."""
    lon = np.asarray(lon, dtype="float64")
    lat = np.clip(np.asarray(lat, dtype="float64"), -_MAX_LAT, _MAX_LAT)
    x = _EARTH_R * np.radians(lon)
    y = _EARTH_R * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))
    return x, y


def inverse_latitude(y: float) -> float:
    """The latitude in degrees of Web Mercator ``y``."""
    return math.degrees(2 * math.atan(math.exp(y / _EARTH_R)) - math.pi / 2)


@cache
def _countries_3857() -> gpd.GeoDataFrame:
    return basemap.countries().to_crs(3857)


# -- layout helpers -----------------------------------------------------------------------------------


def resolve_dpi(dpi: float | None = None, width_px: int | None = None) -> float:
    """The resolution giving ``dpi``, or a PNG exactly ``width_px`` pixels wide, or ``DEFAULT_DPI``.

    Raises
    ------
    ImageOptionError
        If both are given or either is out of range.
    """
    if dpi is not None and width_px is not None:
        raise ImageOptionError("give the resolution as dpi or as a pixel width, not both")
    if width_px is not None:
        if not WIDTH_RANGE[0] <= width_px <= WIDTH_RANGE[1]:
            raise ImageOptionError(
                f"width {width_px} px is out of range; expected {WIDTH_RANGE[0]} to {WIDTH_RANGE[1]}"
            )
        # A quarter pixel over, so the canvas's rounding down lands on width_px exactly.
        return (width_px + 0.25) / PAGE_IN[0]
    if dpi is not None:
        if not (isinstance(dpi, int | float) and DPI_RANGE[0] <= dpi <= DPI_RANGE[1]):
            raise ImageOptionError(f"dpi {dpi} is out of range; expected {DPI_RANGE[0]} to {DPI_RANGE[1]}")
        return float(dpi)
    return float(DEFAULT_DPI)


def view_bounds(events: pd.DataFrame) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees to show: the events and their rings, with room around a tight group."""
    if len(events) == 0:
        west, south, east, north = basemap.countries().query("iso_a3 == @HOME_ISO").total_bounds
    else:
        lat = events["latitude"].to_numpy(dtype="float64")
        lon = events["longitude"].to_numpy(dtype="float64")
        ring_m = events["geo_precision"].map(mapview.PRECISION_RING_M).fillna(0).to_numpy(dtype="float64")
        dlat = ring_m / 111_320.0
        dlon = dlat / np.maximum(np.cos(np.radians(lat)), 0.05)
        south, north = float((lat - dlat).min()), float((lat + dlat).max())
        west, east = float((lon - dlon).min()), float((lon + dlon).max())
    pad = max(0.0, 0.5 - (north - south) / 2, 0.5 - (east - west) / 2)
    # A little room, so markers at the edge are not cut.
    margin = 0.03 * max(north - south, east - west, 1.0)
    return (west - pad - margin, south - pad - margin, east + pad + margin, north + pad + margin)


def fit_extent(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) in Mercator metres holding ``xs`` and ``ys``, shaped like the map's box (equal scales)."""
    (x0, x1), (y0, y1) = (float(xs.min()), float(xs.max())), (float(ys.min()), float(ys.max()))
    box = (MAP_RECT[3] * PAGE_IN[1]) / (MAP_RECT[2] * PAGE_IN[0])
    width, height = x1 - x0, y1 - y0
    if height / width > box:
        grow = (height / box - width) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (width * box - height) / 2
        y0, y1 = y0 - grow, y1 + grow
    return (x0, x1, y0, y1)


def _nice_length_m(target_m: float) -> float:
    exponent = math.floor(math.log10(max(target_m, 1.0)))
    for step in (5, 2, 1):
        if step * 10**exponent <= target_m:
            return float(step * 10**exponent)
    return float(10**exponent)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False)) or text


# -- the map ----------------------------------------------------------------------------------------


def _polygon_path(geometry: shapely.Geometry) -> MplPath:
    """One compound path for a polygon or multipolygon, holes included."""
    parts = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.asarray(ring.coords)
            codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
            codes[0], codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            parts.append(MplPath(coords, codes))
    return MplPath.make_compound_path(*parts)


def _draw_basemap(ax: Axes, extent: tuple[float, float, float, float], pt_per_m: float) -> None:
    frame = _countries_3857()
    home = (frame["iso_a3"] == HOME_ISO).to_numpy()
    paths = [_polygon_path(g) for g in frame.geometry]
    others = [p for p, h in zip(paths, home, strict=True) if not h]
    homes = [p for p, h in zip(paths, home, strict=True) if h]
    ax.add_collection(PathCollection(others, facecolors=OTHER_FILL, edgecolors=OTHER_EDGE, linewidths=0.6, zorder=1))
    ax.add_collection(PathCollection(homes, facecolors=HOME_FILL, edgecolors=HOME_EDGE, linewidths=1.2, zorder=1.1))
    view = shapely.box(extent[0], extent[2], extent[1], extent[3])
    for geometry, name in zip(frame.geometry, frame["name"], strict=True):
        shown = geometry.intersection(view)
        # Only countries with a fair share of the view get a name, placed inside the part shown.
        if shown.is_empty or shown.area < 0.03 * view.area:
            continue
        point = shown.representative_point()
        ax.text(
            point.x, point.y, str(name).upper(), ha="center", va="center", fontsize=7.5, style="italic",
            color="#7b7b72", zorder=1.5, clip_on=True, **_FONT,
        )  # fmt: skip
    _draw_towns(ax, extent, pt_per_m)


def _town_labels(extent: tuple[float, float, float, float]) -> list[Place]:
    x0, x1, y0, y1 = extent
    span = max(x1 - x0, y1 - y0) / _EARTH_R * 180 / math.pi
    kinds = next(k for limit, k in _LABEL_KINDS if span <= limit)
    ranked = sorted(
        basemap.place_labels(kinds),
        key=lambda p: (kinds.index(p.kind) if p.kind in kinds else len(kinds), p.name),
    )
    inside = []
    for place in ranked:
        x, y = mercator(place.longitude, place.latitude)
        if x0 < x < x1 and y0 < y < y1:
            inside.append(place)
    return inside


def _draw_towns(ax: Axes, extent: tuple[float, float, float, float], pt_per_m: float) -> None:
    kept: list[tuple[float, float, float, float]] = []
    for place in _town_labels(extent):
        if len(kept) >= _MAX_TOWN_LABELS:
            break
        x, y = (float(v) for v in mercator(place.longitude, place.latitude))
        size = 9.0 if place.kind == "capital" else 7.5
        # The label's box in points from the map's corner, for a greedy check against overlaps.
        left, bottom = (x - extent[0]) * pt_per_m + 3, (y - extent[2]) * pt_per_m - size / 2
        box = (left - 4, bottom, left + 0.6 * size * len(place.name), bottom + size)
        if box[2] > (extent[1] - extent[0]) * pt_per_m or any(
            not (box[2] < k[0] or box[0] > k[2] or box[3] < k[1] or box[1] > k[3]) for k in kept
        ):
            continue
        kept.append(box)
        capital = place.kind == "capital"
        ax.scatter(
            [x], [y], s=30 if capital else 14, marker="s" if capital else "o", c="#3a3a3a",
            edgecolors="white", linewidths=0.8, zorder=3,
        )  # fmt: skip
        ax.annotate(
            place.name, (x, y), xytext=(4, 1), textcoords="offset points", fontsize=size, va="center",
            fontweight="bold" if capital else "normal", color="#222222", path_effects=_HALO, zorder=6,
            annotation_clip=True, **_FONT,
        )  # fmt: skip


def _type_rgba(events: pd.DataFrame) -> np.ndarray:
    palette = to_rgba_array([*mapview.EVENT_TYPE_COLORS.values(), mapview.UNKNOWN_TYPE_COLOR])
    index = {name: i for i, name in enumerate(mapview.EVENT_TYPE_COLORS)}
    codes = events["event_type"].astype(object).map(index).fillna(len(index)).to_numpy(dtype="int64")
    return palette[codes]


def _dash(pattern: str) -> tuple[float, tuple[float, ...]]:
    """A Leaflet ``dashArray`` (pixels, for a 2 px line) as a matplotlib dash pattern (in line widths)."""
    return (0.0, tuple(float(v) / _RING_WEIGHT_PX for v in pattern.split()))


def dataset_styles(events: pd.DataFrame) -> list[tuple[str, str, tuple[float, tuple[float, ...]], float]]:
    """Per dataset, in the interactive map's order: name, marker, ring dash pattern, marker size per radius.

    As on the interactive map (``mapview.DATASET_SHAPES`` and ``DATASET_DASHES``),
    the first dataset gets circles and the pattern ``5 4``, the next squares, ...
    """
    out = []
    for i, name in enumerate(mapview.dataset_names(events)):
        shape = mapview.DATASET_SHAPES[i % len(mapview.DATASET_SHAPES)]
        marker, size = _MARKERS[shape]
        out.append((name, marker, _dash(mapview.DATASET_DASHES[i % len(mapview.DATASET_DASHES)]), size))
    return out


def _draw_points(ax: Axes, events: pd.DataFrame, pt_per_m: float) -> None:
    """Rings for approximate places, then markers for exact ones, per dataset; wide rings and big markers under."""
    x, y = mercator(events["longitude"].to_numpy(), events["latitude"].to_numpy())
    lat = np.radians(events["latitude"].to_numpy(dtype="float64"))
    radius_pt = mapview.marker_radius(events["fatalities"]) * PT_PER_PX
    geo = events["geo_precision"].to_numpy(dtype="int64")
    rgba = _type_rgba(events)
    ring_m = np.array([0.0, 0.0, *(mapview.PRECISION_RING_M[g] for g in (2, 3, 4))])[np.clip(geo, 0, 4)]
    # A ring of r metres spans r / cos(latitude) Mercator metres; never smaller than the event's marker.
    ring_pt = np.maximum(ring_m / np.cos(lat) * pt_per_m, radius_pt)
    styles = dataset_styles(events)
    names = events["dataset"].astype(object).to_numpy()
    # Events of a dataset the map does not list (missing name) take the first style, as on the map.
    in_dataset = [names == name for name, *_ in styles] or [np.ones(len(events), dtype=bool)]
    in_dataset[0] = in_dataset[0] | ~np.any(in_dataset, axis=0)
    for g in (4, 3, 2):
        for chosen, (_, _, dash, _) in zip(in_dataset, styles or [("", "o", _dash("5 4"), 2.0)], strict=True):
            order = np.flatnonzero(chosen & (geo == g))
            if not len(order):
                continue
            order = order[np.argsort(-ring_pt[order], kind="stable")]
            fill = rgba[order].copy()
            fill[:, 3] = 0.08
            ax.scatter(
                x[order], y[order], s=(2 * ring_pt[order]) ** 2, facecolors=fill, edgecolors=rgba[order],
                linewidths=_RING_WIDTH_PT, linestyles=[dash], zorder=4,
            )  # fmt: skip
    for chosen, (_, marker, _, size) in zip(in_dataset, styles or [("", "o", _dash("5 4"), 2.0)], strict=True):
        order = np.flatnonzero(chosen & (geo <= 1))
        if not len(order):
            continue
        order = order[np.argsort(-radius_pt[order], kind="stable")]
        fill = rgba[order].copy()
        fill[:, 3] = 0.85
        ax.scatter(
            x[order], y[order], s=(size * radius_pt[order]) ** 2, marker=marker, facecolors=fill,
            edgecolors="#222222", linewidths=0.6, zorder=5,
        )  # fmt: skip


def _draw_grid(ax: Axes, events: pd.DataFrame) -> tuple[float, list[int]]:
    cell = grid.choose_cell_deg(events)
    cells = grid.aggregate_grid(events, cell)
    breaks = grid.grid_breaks(cells["events"])
    classes = np.searchsorted(np.asarray(breaks), cells["events"].to_numpy(), side="right") - 1
    x0, y0 = mercator(cells["lon_min"].to_numpy(), cells["lat_min"].to_numpy())
    x1, y1 = mercator(cells["lon_max"].to_numpy(), cells["lat_max"].to_numpy())
    verts = np.stack([np.column_stack(c) for c in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))], axis=1)
    colours = to_rgba_array(list(mapview.GRID_COLORS))[classes]
    fill = colours.copy()
    fill[:, 3] = 0.75
    ax.add_collection(PolyCollection(verts, facecolors=fill, edgecolors=colours, linewidths=0.3, zorder=4))
    return cell, breaks


def _draw_scale_bar(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    x0, x1, y0, y1 = extent
    lat = inverse_latitude((y0 + y1) / 2)
    shrink = math.cos(math.radians(lat))
    length_m = _nice_length_m(0.2 * (x1 - x0) * shrink)
    length = length_m / shrink
    height = 0.012 * (y1 - y0)
    left, bottom = x1 - 0.04 * (x1 - x0) - length, y0 + 0.05 * (y1 - y0)
    halves = [Rectangle((left + i * length / 2, bottom), length / 2, height) for i in range(2)]
    for patch, colour in zip(halves, ("#222222", "white"), strict=True):
        patch.set(facecolor=colour, edgecolor="#222222", linewidth=0.8, zorder=7)
        ax.add_patch(patch)
    label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    ax.text(
        left + length / 2, bottom + 1.8 * height, label, ha="center", va="bottom", fontsize=8, zorder=7,
        path_effects=_HALO, **_FONT,
    )  # fmt: skip
    ax.text(
        left + length / 2, bottom - 0.8 * height, f"scale at {abs(lat):.0f}° {'N' if lat >= 0 else 'S'}",
        ha="center", va="top", fontsize=6, color="#555555", zorder=7, path_effects=_HALO, **_FONT,
    )  # fmt: skip


# -- the legend ---------------------------------------------------------------------------------------


class _LegendWriter:
    """Rows of a legend drawn top-down in an axes of its own (coordinates 0-1)."""

    def __init__(self, ax: Axes, pt_per_unit: float):
        self.ax = ax
        self.y = 0.98
        self.pt_per_unit = pt_per_unit

    def heading(self, text: str) -> None:
        self.y -= 0.015
        self.ax.text(0.0, self.y, text, fontsize=9.5, fontweight="bold", va="top", **_FONT)
        self.y -= 0.045

    def row(
        self,
        label: str,
        swatch: dict[str, object] | None,
        *,
        size_pt: float = 9.0,
        muted: str = "",
        extra: dict[str, object] | None = None,
    ) -> None:
        if swatch is not None:
            self.ax.scatter([0.05 if extra is None else 0.03], [self.y], s=size_pt**2, clip_on=False, **swatch)
        if extra is not None:
            self.ax.scatter([0.095], [self.y], s=size_pt**2, clip_on=False, **extra)
        text = self.ax.text(0.13 if extra is None else 0.15, self.y, label, fontsize=8.5, va="center", **_FONT)
        if muted:
            self.ax.annotate(f" {muted}", xycoords=text, xy=(1, 0.5), va="center", fontsize=8, color="#666666", **_FONT)
        self.y -= max(0.04, (size_pt + 4) / self.pt_per_unit)


def _draw_legend(
    ax: Axes, events: pd.DataFrame, grid: tuple[float, list[int]] | None, drawn_pt_per_unit: float
) -> None:
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    legend = _LegendWriter(ax, drawn_pt_per_unit)
    counts = events["event_type"].astype(object).value_counts()
    if grid is not None:
        cell, breaks = grid
        legend.heading(f"Events per {cell:g}° cell")
        uppers = [b - 1 for b in breaks[1:]] + [None]
        for colour, low, high in zip(mapview.GRID_COLORS, breaks, uppers, strict=False):
            span = f"{low:,}+" if high is None else (f"{low:,}" if high == low else f"{low:,} to {high:,}")
            legend.row(span, {"marker": "s", "c": [colour], "edgecolors": colour, "alpha": 0.85})
        legend.y -= 0.02
    legend.heading("Event type" + (" (all cells)" if grid is not None else ""))
    for name, colour in mapview.EVENT_TYPE_COLORS.items():
        swatch = {"marker": "o", "facecolors": [to_rgba(colour, 0.85)], "edgecolors": "#222222", "linewidths": 0.6}
        legend.row(name, swatch, muted=f"({int(counts.get(name, 0)):,})")
    if grid is not None:
        return
    legend.y -= 0.02
    legend.heading("Fatalities")
    for deaths in (0, 10, 50):
        diameter = 2 * float(mapview.marker_radius(deaths)) * PT_PER_PX
        swatch = {"marker": "o", "facecolors": ["#bbbbbb"], "edgecolors": "#222222", "linewidths": 0.6}
        legend.row(f"{deaths}", swatch, size_pt=diameter)
    legend.y -= 0.02
    legend.heading("Location")
    legend.row("exact place", {"marker": "o", "facecolors": ["#bbbbbb"], "edgecolors": "#222222", "linewidths": 0.6})
    rings = "/".join(str(m // 1000) for m in mapview.PRECISION_RING_M.values())
    ring = {"marker": "o", "facecolors": "none", "edgecolors": "#444444", "linewidths": 1.3, "linestyles": "--"}
    legend.row(f"approximate place:\nring of {rings} km", ring, size_pt=12)
    styles = dataset_styles(events)
    if len(styles) > 1:
        legend.y -= 0.03
        legend.heading("Datasets")
        by_dataset = events["dataset"].astype(object).value_counts()
        for name, marker, dash, size in styles:
            shape = {"marker": marker, "facecolors": ["#bbbbbb"], "edgecolors": "#222222", "linewidths": 0.6}
            ring = {
                "marker": "o",
                "facecolors": "none",
                "edgecolors": "#444444",
                "linewidths": 1.1,
                "linestyles": [dash],
            }
            legend.row(name, shape, size_pt=4.5 * size, muted=f"({int(by_dataset.get(name, 0)):,})", extra=ring)


# -- the page ---------------------------------------------------------------------------------------


def choose_mode(n_events: int, mode: str = "auto") -> str:
    """``points`` or ``density`` for ``n_events`` under ``mode`` (``auto`` follows the interactive map's limit)."""
    if mode not in MODES:
        raise ImageOptionError(f"mode must be one of {list(MODES)}, got {mode!r}")
    if mode != "auto":
        return mode
    return "points" if n_events <= mapview.CLUSTERS_MAX else "density"


def render_figure(events: pd.DataFrame, prov: Provenance, *, mode: str = "auto") -> tuple[Figure, Axes]:
    """The page as a matplotlib figure, and its map axes.

    Parameters
    ----------
    events : pandas.DataFrame
        The canonical events to draw (already filtered).
    prov : Provenance
        What the page states: title, filter line, datasets, when it was made.
    mode : str
        ``auto`` (points up to ``mapview.CLUSTERS_MAX`` events, else the grid),
        ``points`` or ``density``.

    Returns
    -------
    (matplotlib.figure.Figure, matplotlib.axes.Axes)
        The figure (not attached to pyplot) and the axes holding the map.
    """
    drawn = choose_mode(len(events), mode)
    fig = Figure(figsize=PAGE_IN, facecolor="white")
    fig.text(0.03, 0.965, _wrap(prov.title, 95), fontsize=17, fontweight="bold", va="top", **_FONT)
    fig.text(0.03, 0.918, _wrap(f"Filter: {prov.filter_text}", 150), fontsize=10, va="top", color="#222222", **_FONT)
    summary = prov.summary() + f" · {int(events['fatalities'].sum()) if len(events) else 0:,} fatalities"
    fig.text(0.03, 0.885, summary, fontsize=9, va="top", color="#555555", **_FONT)

    ax = fig.add_axes(MAP_RECT)
    ax.set_facecolor(SEA_COLOR)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set(color="#888888", linewidth=0.8)
    west, south, east, north = view_bounds(events)
    extent = fit_extent(*mercator(np.array([west, east]), np.array([south, north])))
    pt_per_m = MAP_RECT[2] * PAGE_IN[0] * 72 / (extent[1] - extent[0])
    ax.set_autoscale_on(False)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    _draw_basemap(ax, extent, pt_per_m)
    grid = None
    if len(events) and drawn == "density":
        grid = _draw_grid(ax, events)
    elif len(events):
        _draw_points(ax, events, pt_per_m)
    else:
        ax.text(0.5, 0.5, "No events match this filter", transform=ax.transAxes, ha="center", va="center",
                fontsize=14, color="#555555", path_effects=_HALO, zorder=8, **_FONT)  # fmt: skip
    _draw_scale_bar(ax, extent)

    legend_ax = fig.add_axes(LEGEND_RECT)
    _draw_legend(legend_ax, events, grid, LEGEND_RECT[3] * PAGE_IN[1] * 72)

    credits = "Data: " + "; ".join(prov.attributions()) if prov.attributions() else "Data: (no events)"
    foot = [_wrap(f"{credits} · {BASEMAP_CREDIT}", 190)]
    drawing = {"mode": drawn, "cell_deg": grid[0]} if grid else {"mode": drawn}
    foot.append(_wrap(f"{prov.made_line()} · Drawn as {drawing_text(drawing)} · View: {prov.view_url}", 190))
    fig.text(0.03, 0.06, "\n".join(foot), fontsize=6.5, va="top", color="#444444", linespacing=1.4, **_FONT)
    return fig, ax


def image_drawing(events: pd.DataFrame, mode: str = "auto") -> dict[str, object]:
    """How ``render_figure`` will draw ``events``: ``{"mode": ..., "cell_deg": ...}`` for the provenance."""
    drawn = choose_mode(len(events), mode)
    if drawn == "density" and len(events):
        return {"mode": "density", "cell_deg": grid.choose_cell_deg(events)}
    return {"mode": "points" if len(events) else drawn}


def write_image(
    events: pd.DataFrame,
    prov: Provenance,
    target: str | BinaryIO,
    kind: str,
    *,
    dpi: float | None = None,
    width_px: int | None = None,
    mode: str = "auto",
) -> Provenance:
    """Draw the page and save it as PNG, PDF (one page) or SVG, with the provenance inside.

    Parameters
    ----------
    events : pandas.DataFrame
        The canonical events to draw (already filtered).
    prov : Provenance
        The record to state on the page and store in the file.
    target : str or binary file
        Where to write.
    kind : {"png", "pdf", "svg"}
        The format.
    dpi : float, optional
        PNG resolution (default ``DEFAULT_DPI``).
    width_px : int, optional
        PNG width in pixels, instead of ``dpi``.
    mode : str
        See ``render_figure``.

    Returns
    -------
    Provenance
        ``prov`` with ``drawing`` filled in, as stored in the file.

    Raises
    ------
    ImageOptionError
        If ``kind``, ``mode`` or the resolution is not acceptable.
    """
    if kind not in IMAGE_KINDS:
        raise ImageOptionError(f"image format must be one of {list(IMAGE_KINDS)}, got {kind!r}")
    if kind != "png" and (dpi is not None or width_px is not None):
        raise ImageOptionError(f"dpi and width apply to PNG only; a {kind.upper()} is drawn as vectors")
    resolution = resolve_dpi(dpi, width_px)
    prov = dataclasses.replace(prov, drawing=image_drawing(events, mode))
    rc = {"pdf.fonttype": 42, "svg.fonttype": "none", "svg.hashsalt": prov.created, "path.simplify": True}
    with mpl.rc_context(rc):
        fig, _ = render_figure(events, prov, mode=mode)
        metadata = image_metadata(prov, kind)
        if kind == "svg":
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg", metadata=metadata)
            svg = add_svg_provenance(buffer.getvalue(), prov).encode("utf-8")
            if isinstance(target, str):
                with open(target, "wb") as fh:
                    fh.write(svg)
            else:
                target.write(svg)
            return prov
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Unknown infodict keyword")
            fig.savefig(target, format=kind, dpi=resolution, metadata=metadata)
    return prov

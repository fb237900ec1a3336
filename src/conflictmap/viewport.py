"""What the map sends to the browser for the area in view, so each update stays small.

A browser draws a few thousand markers comfortably; a dataset can hold a
million events. ``plan_layer`` decides, from the filtered events, the drawing
the user chose and the map's current view and zoom, what to send:

* every event, when there are at most ``POINTS_BUDGET`` of them (the view does
  not matter then, so panning and zooming send nothing new);
* else the events inside the *extent* (the view widened by half its size on
  each side and snapped outwards to whole cells), when those are at most
  ``POINTS_BUDGET``;
* else counts per square cell of the extent, aggregated here: cluster bubbles
  (a cell about ``CLUSTER_CELL_PX`` pixels wide at the current zoom) or the
  density grid (``GRID_CELL_PX``). Cells are aligned on multiples of their size,
  so the same cell means the same area at every update.

The extent is kept while the view stays inside it at the same zoom
(``keep_extent``): a small pan, such as the one that opens a popup, sends nothing
new. Everything here works on NumPy arrays, about 30 ms per million events.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from conflictmap import schema
from conflictmap.errors import ConflictmapError

#: Most events sent one by one in a single map update (each costs about 150-450 bytes with its popup text).
POINTS_BUDGET = 2_000
#: ``auto`` draws single markers up to this many events and clusters them above it.
AUTO_POINTS_MAX = 1_000
#: On-screen size of a server-side cluster cell, in pixels.
CLUSTER_CELL_PX = 64
#: On-screen size of a density grid cell, in pixels.
GRID_CELL_PX = 24
#: Web Mercator tile size in pixels.
TILE_PX = 256
#: From this zoom on, more events than the budget around the view are drawn one by one, the most
#: recent first: cells that small no longer separate places, events share the same town coordinates.
STACK_ZOOM = 12
#: Zoom levels the map offers.
MIN_ZOOM, MAX_ZOOM = 2, 18
#: Map size assumed when the browser has not reported its view yet.
DEFAULT_SIZE_PX = (900, 600)
MODES: tuple[str, ...] = ("auto", "points", "clusters", "density")
#: Every drawing the page's map offers: the event layers above, the "Areas" choropleth, hot spots and playback.
PAGE_MODES: tuple[str, ...] = (*MODES, "areas", "heat", "playback")
#: How each plan is drawn.
DRAWINGS: tuple[str, ...] = ("points", "clusters", "cells", "grid")
_MAX_LAT = 85.0511


class ViewportError(ConflictmapError, ValueError):
    """A view that cannot be used: the message names the value."""


@dataclass(frozen=True)
class Viewport:
    """An area of the map in degrees and the zoom it is seen at.

    Raises
    ------
    ViewportError
        If a bound is not finite, the box is out of order or the zoom is outside 0-30.
    """

    south: float
    west: float
    north: float
    east: float
    zoom: int

    def __post_init__(self) -> None:
        values = (self.south, self.west, self.north, self.east)
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise ViewportError(f"viewport bounds must be finite numbers, got {values!r}")
        if self.south > self.north or self.west > self.east:
            raise ViewportError(f"viewport {values!r} is out of order; expected south <= north and west <= east")
        if isinstance(self.zoom, bool) or not isinstance(self.zoom, int | np.integer) or not 0 <= self.zoom <= 30:
            raise ViewportError(f"zoom must be a whole number from 0 to 30, got {self.zoom!r}")

    @classmethod
    def from_map_state(cls, state: Mapping[str, object] | None) -> Viewport | None:
        """The view reported by ``st_folium`` (its ``bounds`` and ``zoom``), or ``None`` before it reports one.

        Longitudes are clamped to -180..180 and latitudes to the Web Mercator limits,
        since a map panned past the antimeridian reports values beyond them.
        """
        if not state:
            return None
        bounds, zoom = state.get("bounds"), state.get("zoom")
        try:
            sw, ne = bounds["_southWest"], bounds["_northEast"]  # type: ignore[index]
            south, west, north, east = (float(sw["lat"]), float(sw["lng"]), float(ne["lat"]), float(ne["lng"]))
            zoom = int(zoom)  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError):
            return None
        if not all(math.isfinite(v) for v in (south, west, north, east)):
            return None
        west, east = max(west, -180.0), min(east, 180.0)
        south, north = max(south, -_MAX_LAT), min(north, _MAX_LAT)
        if west > east or south > north:
            return None
        return cls(south, west, north, east, min(max(zoom, 0), 30))

    def contains(self, other: Viewport) -> bool:
        """Whether ``other``'s area lies inside this one (zoom not compared)."""
        return (
            self.south <= other.south
            and self.west <= other.west
            and self.north >= other.north
            and self.east >= other.east
        )

    def mask(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Which of the points lie inside (edges included)."""
        return (lat >= self.south) & (lat <= self.north) & (lon >= self.west) & (lon <= self.east)

    def as_bounds(self) -> list[list[float]]:
        """``[[south, west], [north, east]]``, as Leaflet takes it."""
        return [[self.south, self.west], [self.north, self.east]]


def cell_deg(zoom: int, cell_px: int = CLUSTER_CELL_PX) -> float:
    """Side in degrees of a cell ``cell_px`` pixels wide (at the equator) at ``zoom``.

    Each zoom level halves it, so the cells of one zoom split evenly into those of the next.
    """
    return 360.0 / (TILE_PX * 2**zoom) * cell_px


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, _MAX_LAT), -_MAX_LAT)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit_zoom(south: float, west: float, north: float, east: float, size_px: tuple[int, int] = DEFAULT_SIZE_PX) -> int:
    """The largest zoom at which the box fits a map of ``size_px`` (width, height), as Leaflet's ``fitBounds``."""
    width, height = size_px
    lon_span = max(east - west, 1e-9) / 360.0
    y_span = max(_mercator_y(north) - _mercator_y(south), 1e-9) / (2 * math.pi)
    zoom = math.floor(min(math.log2(width / (TILE_PX * lon_span)), math.log2(height / (TILE_PX * y_span))))
    return int(min(max(zoom, MIN_ZOOM), MAX_ZOOM))


def extent_for(view: Viewport, cell_px: int = CLUSTER_CELL_PX) -> Viewport:
    """``view`` widened by half its size on each side, snapped outwards to whole cells of ``cell_deg(view.zoom)``."""
    step = cell_deg(view.zoom, cell_px)
    half_h, half_w = (view.north - view.south) / 2, (view.east - view.west) / 2
    south = math.floor((view.south - half_h) / step) * step
    north = math.ceil((view.north + half_h) / step) * step
    west = math.floor((view.west - half_w) / step) * step
    east = math.ceil((view.east + half_w) / step) * step
    return Viewport(max(south, -90.0), max(west, -180.0), min(north, 90.0), min(east, 180.0), int(view.zoom))


def keep_extent(previous: Viewport | None, view: Viewport) -> bool:
    """Whether the extent sent last still serves ``view``: same zoom, and the view inside it."""
    return previous is not None and previous.zoom == view.zoom and previous.contains(view)


@dataclass(frozen=True)
class PointArrays:
    """The columns the map layer needs, as NumPy arrays (one entry per filtered event)."""

    lat: np.ndarray
    lon: np.ndarray
    type_code: np.ndarray
    fatalities: np.ndarray
    day: np.ndarray

    @classmethod
    def from_events(cls, events: pd.DataFrame) -> PointArrays:
        """Take the arrays out of canonical events; ``type_code`` indexes ``schema.EVENT_TYPES`` (6: unknown)."""
        types = events["event_type"]
        if isinstance(types.dtype, pd.CategoricalDtype) and list(types.cat.categories) == list(schema.EVENT_TYPES):
            codes = types.array.codes.astype(np.int64)
        else:
            index = {t: i for i, t in enumerate(schema.EVENT_TYPES)}
            codes = types.astype(object).map(index).fillna(-1).to_numpy(dtype=np.int64)
        codes = np.where(codes < 0, len(schema.EVENT_TYPES), codes)
        return cls(
            lat=events["latitude"].to_numpy(dtype=np.float64),
            lon=events["longitude"].to_numpy(dtype=np.float64),
            type_code=codes,
            fatalities=events["fatalities"].to_numpy(dtype=np.int64),
            day=events["event_date"].to_numpy().astype("datetime64[D]").astype(np.int64),
        )

    def __len__(self) -> int:
        return len(self.lat)


def aggregate_cells(points: PointArrays, step: float, where: np.ndarray | None = None) -> pd.DataFrame:
    """Events, fatalities, counts per incident type and the events' mean position per square cell.

    Parameters
    ----------
    points : PointArrays
        The events.
    step : float
        Cell side in degrees; cells are aligned on multiples of it.
    where : numpy.ndarray of bool, optional
        Which events to count (default all).

    Returns
    -------
    pandas.DataFrame
        One row per non-empty cell, sorted by ``lat_min`` then ``lon_min``: ``lat_min``, ``lon_min``,
        ``lat_max``, ``lon_max``, ``events``, ``fatalities``, one count column per
        ``schema.EVENT_TYPES`` entry, and ``lat``/``lon`` (the mean position of the cell's events).

    Raises
    ------
    ValueError
        If ``step`` is not a positive number.
    """
    if not (isinstance(step, int | float) and math.isfinite(step) and step > 0):
        raise ValueError(f"cell size must be a positive number of degrees, got {step!r}")
    lat, lon, types, deaths = points.lat, points.lon, points.type_code, points.fatalities
    if where is not None:
        lat, lon, types, deaths = lat[where], lon[where], types[where], deaths[where]
    type_names = list(schema.EVENT_TYPES)
    columns = ["lat_min", "lon_min", "lat_max", "lon_max", "events", "fatalities", *type_names, "lat", "lon"]
    if len(lat) == 0:
        return pd.DataFrame(
            {
                c: pd.Series([], dtype="int64" if c in ("events", "fatalities", *type_names) else "float64")
                for c in columns
            }
        )
    iy = np.floor(lat / step).astype(np.int64)
    ix = np.floor(lon / step).astype(np.int64)
    y0, x0 = int(iy.min()), int(ix.min())
    width = int(ix.max()) - x0 + 1
    height = int(iy.max()) - y0 + 1
    flat = (iy - y0) * width + (ix - x0)
    if width * height <= 4 * len(flat) + 65_536:
        # A dense cell index: one bincount per measure, no sorting.
        size = width * height
        counts = np.bincount(flat, minlength=size)
        used = np.flatnonzero(counts)
        slot = np.full(size, -1, dtype=np.int64)
        slot[used] = np.arange(len(used))
        cell = slot[flat]
    else:
        used, cell = np.unique(flat, return_inverse=True)
    n_cells = len(used)
    events = np.bincount(cell, minlength=n_cells)
    n_types = len(type_names) + 1
    by_type = np.bincount(cell * n_types + types, minlength=n_cells * n_types).reshape(n_cells, n_types)
    out = {
        "lat_min": ((used // width + y0) * step).round(6),
        "lon_min": ((used % width + x0) * step).round(6),
    }
    out["lat_max"] = (out["lat_min"] + step).round(6)
    out["lon_max"] = (out["lon_min"] + step).round(6)
    out["events"] = events.astype(np.int64)
    out["fatalities"] = np.bincount(cell, weights=deaths, minlength=n_cells).round().astype(np.int64)
    for i, name in enumerate(type_names):
        out[name] = by_type[:, i].astype(np.int64)
    # Positions summed in whole millionths of a degree: exact in any order, so a database's sums agree.
    out["lat"] = (np.bincount(cell, weights=np.floor(lat * 1e6 + 0.5), minlength=n_cells) / events / 1e6).round(5)
    out["lon"] = (np.bincount(cell, weights=np.floor(lon * 1e6 + 0.5), minlength=n_cells) / events / 1e6).round(5)
    return pd.DataFrame(out, columns=columns)


@dataclass(frozen=True)
class LayerPlan:
    """What one map update sends.

    Attributes
    ----------
    drawing : str
        ``points`` (one marker each), ``clusters`` (one marker each, grouped by
        Leaflet.markercluster in the browser), ``cells`` (cluster bubbles counted
        here) or ``grid`` (density squares counted here).
    positions : numpy.ndarray or None
        For ``points``/``clusters``: the row positions of the events to send.
    cells : pandas.DataFrame or None
        For ``cells``/``grid``: the output of ``aggregate_cells``.
    step : float or None
        Cell side in degrees for ``cells``/``grid``.
    extent : Viewport or None
        The area whose events were considered; ``None`` when every event was.
    zoom : int
        The zoom the plan was made for.
    total : int
        Events after filtering.
    considered : int
        Events inside ``extent`` (``total`` when there is none).
    limited : bool
        Whether ``positions`` holds only the most recent of the ``considered`` events
        (zoomed in past ``STACK_ZOOM`` on more than the budget).
    """

    drawing: str
    positions: np.ndarray | None
    cells: pd.DataFrame | None
    step: float | None
    extent: Viewport | None
    zoom: int
    total: int
    considered: int
    limited: bool = False

    @property
    def aggregated(self) -> bool:
        """Whether the browser gets counts per cell rather than the events themselves."""
        return self.drawing in ("cells", "grid")

    def describe(self) -> str:
        """One line for the legend: how many events, and how they are shown."""
        n = self.total
        head = f"{n:,} event{'' if n == 1 else 's'}"
        if self.limited and self.positions is not None:
            return (
                f"{head}; the {len(self.positions):,} most recent of the {self.considered:,} around this view "
                "are drawn (narrow the filters to see the rest)"
            )
        # "Around this view" only says something when the view leaves events out.
        where = "" if self.extent is None or self.considered == n else f"; {self.considered:,} around this view"
        if self.drawing == "points":
            return head + where
        if self.drawing == "clusters":
            return f"{head}, grouped in clusters{where}"
        km = self.step * 111.32 if self.step else 0
        size = f"{km:,.0f} km" if km >= 10 else f"{km:.1f} km"
        if self.drawing == "cells":
            return f"{head}{where}, counted per area of about {size}; zoom in to see single events"
        return f"{head}{where}, counted per {size} square"


def plan_layer(
    events: pd.DataFrame | PointArrays,
    mode: str = "auto",
    view: Viewport | None = None,
    previous_extent: Viewport | None = None,
    *,
    budget: int = POINTS_BUDGET,
    size_px: tuple[int, int] = DEFAULT_SIZE_PX,
) -> LayerPlan:
    """Decide what the map sends for ``events`` seen through ``view``.

    Parameters
    ----------
    events : pandas.DataFrame or PointArrays
        The filtered events (canonical table or its arrays).
    mode : str
        ``auto``, ``points``, ``clusters`` or ``density``.
    view : Viewport, optional
        The map's view and zoom as the browser reported it; ``None`` before it has,
        in which case the zoom is the one that fits every event.
    previous_extent : Viewport, optional
        The extent of the previous plan; kept when ``keep_extent`` allows.
    budget : int
        Most events sent one by one.
    size_px : tuple of int
        Map size used to guess the zoom when ``view`` is ``None``.

    Returns
    -------
    LayerPlan

    Raises
    ------
    ValueError
        If ``mode`` is unknown.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {list(MODES)}, got {mode!r}")
    points = events if isinstance(events, PointArrays) else PointArrays.from_events(events)
    total = len(points)
    if view is None:
        if total:
            zoom = fit_zoom(
                float(points.lat.min()),
                float(points.lon.min()),
                float(points.lat.max()),
                float(points.lon.max()),
                size_px,
            )
        else:
            zoom = 5
    else:
        zoom = int(view.zoom)
    if mode == "density":
        step = cell_deg(zoom, GRID_CELL_PX)
        extent = None
        where = None
        if view is not None:
            extent = previous_extent if keep_extent(previous_extent, view) else extent_for(view, GRID_CELL_PX)
            where = extent.mask(points.lat, points.lon)
        cells = aggregate_cells(points, step, where)
        considered = total if where is None else int(where.sum())
        return LayerPlan("grid", None, cells, step, extent, zoom, total, considered)
    one_by_one = "clusters" if mode == "clusters" or (mode == "auto" and total > AUTO_POINTS_MAX) else "points"
    if total <= budget:
        return LayerPlan(one_by_one, np.arange(total), None, None, None, zoom, total, total)
    step = cell_deg(zoom, CLUSTER_CELL_PX)
    extent = None
    where = None
    if view is not None:
        extent = previous_extent if keep_extent(previous_extent, view) else extent_for(view, CLUSTER_CELL_PX)
        where = extent.mask(points.lat, points.lon)
        considered = int(where.sum())
        if considered <= budget:
            positions = np.flatnonzero(where)
            drawing = (
                "clusters" if mode == "clusters" or (mode == "auto" and considered > AUTO_POINTS_MAX) else "points"
            )
            return LayerPlan(drawing, positions, None, None, extent, zoom, total, considered)
        if zoom >= STACK_ZOOM:
            inside = np.flatnonzero(where)
            # The newest days; on the oldest day kept, the last rows (a store lists them by id, as its database does).
            days = points.day[inside]
            cut = np.partition(days, len(days) - budget)[len(days) - budget]
            newer, tied = inside[days > cut], inside[days == cut]
            latest = np.concatenate([newer, tied[len(tied) - (budget - len(newer)) :]])
            drawing = "points" if mode == "points" else "clusters"
            return LayerPlan(drawing, np.sort(latest), None, None, extent, zoom, total, considered, limited=True)
    else:
        considered = total
    cells = aggregate_cells(points, step, where)
    return LayerPlan("cells", None, cells, step, extent, zoom, total, considered)

"""The page's views of a table of events held in memory."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap import arealayers, areas, charts, details, facets, filters, timeline, viewport
from conflictmap.export import default_title
from conflictmap.filters import FilterSpec, within_table
from conflictmap.mapview import event_bounds
from conflictmap.pageviews.base import AreaCounts, MapLayer
from conflictmap.playback import Playback

T = TypeVar("T")

#: Filtered tables kept per instance: the current filter and the few before it (back button, undo).
_KEPT = 4


def _counts(values: pd.Series) -> dict[str, int]:
    counts = values.value_counts()
    return {str(k): int(v) for k, v in counts.items() if v > 0}


class MemoryViews:
    """``EventViews`` over a canonical table in memory.

    Parameters
    ----------
    events : geopandas.GeoDataFrame
        Canonical events; not copied and never changed.
    """

    def __init__(self, events: gpd.GeoDataFrame):
        self._events = events
        self._kept: OrderedDict[tuple[str, FilterSpec], object] = OrderedDict()
        self._ids: pd.Index | None = None

    def _keep(self, name: str, spec: FilterSpec, make: Callable[[], T]) -> T:
        key = (name, spec)
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]  # type: ignore[return-value]
        value = make()
        self._kept[key] = value
        while len(self._kept) > 3 * _KEPT:
            self._kept.popitem(last=False)
        return value

    def shown(self, spec: FilterSpec) -> gpd.GeoDataFrame:
        """The events ``spec`` keeps (kept for the last few filters)."""
        return self._keep("shown", spec, lambda: spec.apply(self._events))

    def size(self) -> int:
        return len(self._events)

    def choices(self) -> dict:
        events = self._events
        return {
            "span": filters.date_span(events),
            "latest": facets.latest_event_day(events),
            "types": facets.type_choices(events),
            "actors": facets.actor_choices(events),
            "regions": facets.region_pairs(events["admin1"]),
            "datasets": facets.value_choices(events["dataset"]),
            "actor_types": facets.actor_type_choices(events),
            "interactions": facets.interaction_choices(events),
            "unclear": facets.unclear_count(events),
        }

    def filter_counts(self, spec: FilterSpec) -> dict[str, int]:
        return facets.filter_counts(self._events, spec)

    def headline(self, spec: FilterSpec) -> tuple[dict, tuple[date, date] | None]:
        spec = within_table(spec)
        shown = self.shown(spec)
        if spec.date_from is None or spec.date_to is None:
            return timeline.headline(shown, shown.iloc[0:0]), None
        before = timeline.previous_range(spec.date_from, spec.date_to)
        previous = dataclasses.replace(spec, date_from=before[0], date_to=before[1]).apply(self._events)
        return timeline.headline(shown, previous), before

    def people_nearby(self, spec: FilterSpec) -> int | None:
        return timeline.people_nearby(self.shown(spec))

    def timeline(self, spec: FilterSpec) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        spec = within_table(spec)
        return charts.timeline_data(self.shown(spec), start=spec.date_from, end=spec.date_to)

    def actor_activity(self, spec: FilterSpec, top: int) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        spec = within_table(spec)
        return charts.actor_activity(self.shown(spec), top=top, start=spec.date_from, end=spec.date_to)

    def map_layer(
        self,
        spec: FilterSpec,
        mode: str,
        view: viewport.Viewport | None,
        previous_extent: viewport.Viewport | None,
    ) -> MapLayer:
        shown = self.shown(spec)
        points = self._keep("points", spec, lambda: viewport.PointArrays.from_events(shown))
        legend = self._keep(
            "legend",
            spec,
            lambda: (_counts(shown["event_type"]), _counts(shown["dataset"]), event_bounds(shown)),
        )
        plan = viewport.plan_layer(points, mode, view, previous_extent)
        return MapLayer(plan, shown, *legend)

    def table(self, spec: FilterSpec, limit: int, selected: str | None) -> pd.DataFrame:
        return details.table_rows(self.shown(spec), limit, selected)

    def event(self, event_id: str | None) -> pd.Series | None:
        if event_id is None:
            return None
        if self._ids is None:
            self._ids = pd.Index(self._events["event_id"].array)
        try:
            where = self._ids.get_loc(event_id)
        except KeyError:
            return None
        # Two datasets may share an id: the first is shown.
        if isinstance(where, slice):
            where = where.start
        elif not isinstance(where, int):
            where = int(where.nonzero()[0][0])
        return self._events.iloc[where]

    def events(self, spec: FilterSpec) -> gpd.GeoDataFrame:
        return self.shown(spec)

    def columns(self, spec: FilterSpec, names: Sequence[str]) -> pd.DataFrame:
        shown = self.shown(spec)
        return pd.DataFrame(shown[[c for c in names if c in shown.columns]])

    def title(self, spec: FilterSpec) -> str:
        return default_title(self.shown(spec))

    def area_counts(self, spec: FilterSpec, regions: gpd.GeoDataFrame, change: bool) -> AreaCounts:
        # The whole table and the filter's mask: the point-in-polygon answer kept for the table serves every filter.
        spec = within_table(spec)
        now = areas.area_counts(self._events, areas=regions, mask=spec.mask(self._events))
        if not change or spec.date_from is None or spec.date_to is None:
            return AreaCounts(now)
        previous = timeline.previous_range(spec.date_from, spec.date_to)
        earlier = dataclasses.replace(spec, date_from=previous[0], date_to=previous[1])
        before = areas.area_counts(self._events, areas=regions, mask=earlier.mask(self._events))
        return AreaCounts(now, before, previous)

    def heat_points(self, spec: FilterSpec, zoom: int) -> np.ndarray:
        return arealayers.heat_points(self.shown(spec), viewport.cell_deg(zoom, viewport.GRID_CELL_PX))

    def playback(self, spec: FilterSpec, step: str, mode: str) -> Playback:
        spec = within_table(spec)
        return Playback(self.shown(spec), step, mode, spec.date_from, spec.date_to)

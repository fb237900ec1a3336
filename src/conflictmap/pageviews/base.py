"""The questions the page asks of its events, and what the map is given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap.filters import FilterSpec
from conflictmap.playback import Playback
from conflictmap.viewport import LayerPlan, Viewport


@dataclass(frozen=True)
class AreaCounts:
    """What the Areas mode draws.

    Attributes
    ----------
    now : pandas.DataFrame
        ``areas.area_counts`` of the filtered events (or ``areas.counts_from_names`` when a database counts).
    before : pandas.DataFrame or None
        The same over the period of the same length before; ``None`` when not asked or the filter has no dates.
    previous : tuple of date or None
        That period.
    by_names : bool
        Whether the counts follow the events' admin names (a database) rather than their points.
    """

    now: pd.DataFrame
    before: pd.DataFrame | None = None
    previous: tuple[date, date] | None = None
    by_names: bool = False


@dataclass(frozen=True)
class MapLayer:
    """What one map update draws, and what its legend says of every filtered event.

    Attributes
    ----------
    plan : viewport.LayerPlan
        How the events are drawn; ``plan.positions`` index ``rows``.
    rows : pandas.DataFrame
        Canonical events the plan's positions point into (every filtered event in
        memory; only those drawn when a database answers).
    type_counts : dict
        Filtered events per incident type, for the legend.
    dataset_counts : dict
        Filtered events per dataset, for the legend.
    bounds : list
        ``[[south, west], [north, east]]`` around the filtered events (``mapview.event_bounds``).
    """

    plan: LayerPlan
    rows: pd.DataFrame
    type_counts: dict[str, int]
    dataset_counts: dict[str, int]
    bounds: list[list[float]]

    def drawn_ids(self) -> list[str]:
        """The ids of the events drawn one by one (none when counts per area are drawn)."""
        if self.plan.positions is None:
            return []
        return self.rows["event_id"].iloc[self.plan.positions].astype(str).tolist()


class EventViews(Protocol):
    """Everything the page shows of a set of events; both implementations give the same answers."""

    def size(self) -> int:
        """How many events there are before filtering."""
        ...

    def choices(self) -> dict:
        """What the filter controls offer: ``span``, ``latest``, ``types``, ``actors``, ``regions``, ``datasets``."""
        ...

    def filter_counts(self, spec: FilterSpec) -> dict[str, int]:
        """``facets.filter_counts`` of the events."""
        ...

    def headline(self, spec: FilterSpec) -> tuple[dict, tuple[date, date] | None]:
        """The headline figures and the previous range they are compared with (``None`` without dates)."""
        ...

    def people_nearby(self, spec: FilterSpec) -> int | None:
        """``timeline.people_nearby`` of the filtered events."""
        ...

    def timeline(self, spec: FilterSpec) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        """``charts.timeline_data`` of the filtered events over the filter's dates."""
        ...

    def actor_activity(self, spec: FilterSpec, top: int) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        """``charts.actor_activity`` of the filtered events over the filter's dates."""
        ...

    def map_layer(
        self, spec: FilterSpec, mode: str, view: Viewport | None, previous_extent: Viewport | None
    ) -> MapLayer:
        """What the map draws of the filtered events seen through ``view`` (as ``viewport.plan_layer``)."""
        ...

    def table(self, spec: FilterSpec, limit: int, selected: str | None) -> pd.DataFrame:
        """``details.table_rows`` of the filtered events."""
        ...

    def event(self, event_id: str | None) -> pd.Series | None:
        """One event's canonical record, filtered or not; ``None`` when there is no such event."""
        ...

    def events(self, spec: FilterSpec) -> gpd.GeoDataFrame:
        """The filtered events themselves (for exports)."""
        ...

    def columns(self, spec: FilterSpec, names: Sequence[str]) -> pd.DataFrame:
        """Only the columns ``names`` of the filtered events, in their order (the suspect rows, the places learned)."""
        ...

    def title(self, spec: FilterSpec) -> str:
        """``export.default_title`` of the filtered events."""
        ...

    def area_counts(self, spec: FilterSpec, regions: gpd.GeoDataFrame, change: bool) -> AreaCounts:
        """Events and fatalities per area of ``regions`` under ``spec`` (and over the period before)."""
        ...

    def heat_points(self, spec: FilterSpec, zoom: int) -> np.ndarray:
        """The filtered events as ``[lat, lon, weight]`` grid cells for a heat layer at ``zoom``, bounded."""
        ...

    def playback(self, spec: FilterSpec, step: str, mode: str) -> Playback:
        """The filtered events frame by frame over the filter's dates (``playback.Playback``)."""
        ...

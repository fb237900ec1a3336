"""The page's views answered by the event store's database.

Only aggregates and the rows a view lists or draws leave the database: the
filter choices, counts and headline figures are grouped counts; the timeline
and the actors' activity are counts per period; the map receives counts per
cell, or at most ``viewport.POINTS_BUDGET`` events around the view; the table
its newest rows. Each answer is the one ``MemoryViews(store.query())`` gives,
laid out by the same functions where they accept grouped rows (``weights=``).

Where the answers may differ from memory's:

* when the map draws only the most recent events around a view, the events of
  the oldest day drawn are those with the highest ``event_id`` (the store orders
  by ``event_date`` then ``event_id``); ``viewport.plan_layer`` may pick other
  events of that same day;
* a cell's mean position is summed in whole millionths of a degree (exact in
  any order of summation); ``viewport.aggregate_cells`` sums floating-point
  degrees, so where a mean falls on a rounding boundary the two can differ in
  the 5th decimal (about a metre).

Each view is answered in one read transaction (one snapshot of the store). The
questions run on a few worker threads of this object: Streamlit runs each page
update on a new thread and a store opens one connection per thread it is used
from, so the store holds at most ``workers`` connections for these views.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap import arealayers, areas, details, facets, filters, schema, timeline, viewport
from conflictmap.actors import actor_counts, actor_mask, actor_table, distinct_actors
from conflictmap.charts import activity_table, timeline_layout
from conflictmap.export import default_title
from conflictmap.filters import FilterSpec, within_table
from conflictmap.mapview import event_bounds
from conflictmap.pageviews.base import AreaCounts, MapLayer
from conflictmap.playback import Playback, PlaybackError
from conflictmap.store.summaries import MICRO, SummaryReader
from conflictmap.store.views import span, timeline_frame, totals_frame

if TYPE_CHECKING:
    from conflictmap.store import EventStore

T = TypeVar("T")

#: Worker threads, and so at most this many database connections, per ``DatabaseViews``.
WORKERS = 4


@functools.cache
def _known_actor_keys() -> frozenset[str]:
    return frozenset(actor_table()["key"])


@functools.cache
def _no_points() -> viewport.PointArrays:
    return viewport.PointArrays.from_events(schema.empty_events())


def _counts(values: pd.Series, weights: pd.Series) -> dict[str, int]:
    """Events per value of a grouped column, most first (as ``value_counts`` lists them)."""
    summed = pd.Series(weights.to_numpy()).groupby(values.to_numpy(dtype=object), sort=True).sum()
    summed = summed[summed > 0].sort_values(ascending=False, kind="stable")
    return {str(k): int(v) for k, v in summed.items()}


def _actor_frame(groups: pd.DataFrame, labels: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """The actor columns of grouped rows as categoricals, as a canonical table holds them.

    ``labels`` gives each column's categories (every label of the table the memory views
    hold); by default the labels present, sorted, as ``schema.to_canonical`` makes them.
    """
    columns = {}
    for col in schema.ACTOR_COLUMNS:
        values = groups[col].to_numpy(dtype=object)
        categories = None if labels is None else sorted(labels[col])
        columns[col] = pd.Categorical(values, categories=categories)
    return pd.DataFrame(columns)


def _within(spec: FilterSpec, extent: viewport.Viewport | None) -> FilterSpec | None:
    """``spec`` narrowed to the extent (edges included, as ``Viewport.mask``); ``None`` when nothing can be inside."""
    if extent is None:
        return spec
    west, south = max(extent.west, -180.0), max(extent.south, -90.0)
    east, north = min(extent.east, 180.0), min(extent.north, 90.0)
    if spec.bbox is not None:
        # Both boxes apply; their overlap keeps exactly the events inside both.
        west, south = max(west, spec.bbox[0]), max(south, spec.bbox[1])
        east, north = min(east, spec.bbox[2]), min(north, spec.bbox[3])
    if west > east or south > north:
        return None
    return dataclasses.replace(spec, bbox=(west, south, east, north))


def _box(groups: pd.DataFrame) -> tuple[float, float, float, float] | None:
    """``(south, west, north, east)`` around the events of grouped rows; ``None`` when there are none."""
    if not int(groups["events"].sum()):
        return None
    return (
        float(groups["south"].min()),
        float(groups["west"].min()),
        float(groups["north"].max()),
        float(groups["east"].max()),
    )


def _count_and_box(read: SummaryReader, spec: FilterSpec) -> tuple[int, tuple[float, float, float, float] | None]:
    """How many events ``spec`` keeps and ``(south, west, north, east)`` around them (``None`` when none)."""
    table, where, params = read._from(spec, ["latitude", "longitude"])
    sql = (
        "SELECT COUNT(*), MIN(e.latitude), MIN(e.longitude), MAX(e.latitude), MAX(e.longitude) "
        f"FROM {table} e WHERE {where}"
    )
    total, *box = read._tx.rows(sql, params)[0]
    if not total:
        return 0, None
    return int(total), tuple(float(v) for v in box)  # type: ignore[return-value]


def _by_period(
    read: SummaryReader, spec: FilterSpec, columns: Sequence[str], freq_of: Callable[[tuple[date, date] | None], str]
) -> tuple[str, tuple[date, date] | None, pd.DataFrame]:
    """Counts per period of the frequency ``freq_of(first and last day found)`` picks, in one pass as a rule.

    The period length depends on the days the filter finds, known only once the events are read: it
    is guessed from the filter's dates (and the store's first and last day, which its date index
    gives at once), and the events are grouped again only when the days found pick another length.

    Returns
    -------
    (str, tuple or None, pandas.DataFrame)
        The frequency, the first and last ``event_date`` found, and ``group_counts`` by it.
    """
    guessed: tuple[date, date] | None = None
    if spec.date_from is not None and spec.date_to is not None:
        guessed = (spec.date_from, spec.date_to)
    else:
        every = read.date_range(None)
        if every is not None:
            guessed = (spec.date_from or every[0], spec.date_to or every[1])
    freq = freq_of(guessed)
    groups = read.group_counts(spec, columns, freq=freq, dates=True)
    found = None
    if len(groups):
        found = (pd.Timestamp(groups["first_date"].min()).date(), pd.Timestamp(groups["last_date"].max()).date())
    if freq_of(found) != freq:
        # The days found are the same whatever the period length: one more pass at most.
        freq = freq_of(found)
        groups = read.group_counts(spec, columns, freq=freq, dates=True)
    return freq, found, groups


def _row_groups(rows: pd.DataFrame) -> pd.DataFrame:
    """Events read one by one as the grouped rows of ``group_counts(..., extent=True)`` the legend is made from."""
    if rows.empty:
        return pd.DataFrame({c: [] for c in ("event_type", "dataset", "events", "south", "west", "north", "east")})
    grouped = rows.groupby(
        [rows["event_type"].astype(object), rows["dataset"].astype(object)], sort=False, dropna=False
    ).agg(
        events=("event_id", "size"),
        south=("latitude", "min"),
        west=("longitude", "min"),
        north=("latitude", "max"),
        east=("longitude", "max"),
    )
    return grouped.reset_index()


def cells_frame(groups: pd.DataFrame, step: float) -> pd.DataFrame:
    """Counts per cell (``SummaryReader.cell_counts``, events inside the box) laid out as ``viewport.aggregate_cells``.

    Raises
    ------
    ValueError
        If ``step`` is not a positive number (the check and message of ``aggregate_cells``).
    """
    empty = viewport.aggregate_cells(_no_points(), step)
    if groups.empty:
        return empty
    type_names = list(schema.EVENT_TYPES)
    index = {t: i for i, t in enumerate(type_names)}
    codes = np.array([index.get(t, len(type_names)) for t in groups["event_type"]], dtype=np.int64)
    cells, inverse = np.unique(groups[["iy", "ix"]].to_numpy(dtype=np.int64), axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    n_cells = len(cells)
    weights = groups["events"].to_numpy(dtype=np.float64)
    events = np.rint(np.bincount(inverse, weights=weights, minlength=n_cells)).astype(np.int64)
    by_type = np.zeros((n_cells, len(type_names) + 1), dtype=np.int64)
    np.add.at(by_type, (inverse, codes), groups["events"].to_numpy(dtype=np.int64))
    out = {"lat_min": (cells[:, 0] * step).round(6), "lon_min": (cells[:, 1] * step).round(6)}
    out["lat_max"] = (out["lat_min"] + step).round(6)
    out["lon_max"] = (out["lon_min"] + step).round(6)
    out["events"] = events
    fatalities = np.bincount(inverse, weights=groups["fatalities"].to_numpy(dtype=np.float64), minlength=n_cells)
    out["fatalities"] = fatalities.round().astype(np.int64)
    for i, name in enumerate(type_names):
        out[name] = by_type[:, i]
    for name in ("lat", "lon"):
        micro = np.bincount(inverse, weights=groups[f"{name}_micro"].to_numpy(), minlength=n_cells)
        out[name] = (micro / events / MICRO).round(5)
    return pd.DataFrame(out, columns=list(empty.columns))


#: Most events a playback reads from the database (each frame is then worked out in memory).
PLAYBACK_EVENTS_MAX = 500_000


class DatabaseViews:
    """``EventViews`` answered by an event store's database.

    Parameters
    ----------
    store : EventStore
        An open store (either backend); kept open and used from this object's worker threads.
    workers : int
        Questions answered at once, each on its own worker thread and database connection.
    """

    def __init__(self, store: EventStore, *, workers: int = WORKERS) -> None:
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="conflictmap-views")
        #: ``choices()`` with the store's change token it was read at (it does not depend on the filter),
        #: and the box around every event shown, then.
        self._choices_kept: tuple[str, dict, tuple[float, float, float, float] | None] | None = None
        self._choices_lock = threading.Lock()

    def _ask(self, function: Callable[..., T], *args: object) -> T:
        """``function(reader, *args)`` on a worker thread, with one ``SummaryReader`` (one transaction)."""

        def run() -> T:
            with self.store.summaries() as read:
                return function(read, *args)

        return self._pool.submit(run).result()

    def close(self) -> None:
        """Stop the worker threads and close the store."""
        self._pool.shutdown(wait=True)
        self.store.close()

    # ---------------------------------------------------------------- sizes and choices

    def size(self) -> int:
        return self._ask(SummaryReader.count)

    def choices(self) -> dict:
        """The filter controls' choices, read again only when the store has changed since.

        They take three passes over every event (about 400 ms at a million in PostGIS) and do
        not depend on the filter; the change token is two primary-key lookups.
        """
        return self._ask(self._kept_choices)

    def _kept_choices(self, read: SummaryReader) -> dict:
        token = read.change_token()
        if token is None:
            return self._choices(read)[0]
        with self._choices_lock:
            kept = self._choices_kept
        if kept is not None and kept[0] == token:
            return copy.deepcopy(kept[1])
        answer, box = self._choices(read)
        with self._choices_lock:
            self._choices_kept = (token, answer, box)
        return copy.deepcopy(answer)

    def _every_box(self, read: SummaryReader) -> tuple[float, float, float, float] | None:
        """``(south, west, north, east)`` around every event shown, when ``choices()`` was read at this snapshot."""
        token = read.change_token()
        with self._choices_lock:
            kept = self._choices_kept
        return kept[2] if token is not None and kept is not None and kept[0] == token else None

    @staticmethod
    def _choices(read: SummaryReader) -> tuple[dict, tuple[float, float, float, float] | None]:
        groups = read.group_counts(None, ["event_type", "sub_event_type", "admin1", "dataset"], extent=True)
        weights = groups["events"]
        if groups.empty:
            dates, latest = None, None
        else:
            last, last_end = groups["last_date"].max(), groups["last_end"].max()
            last = last if pd.isna(last_end) else max(last, last_end)
            dates = filters.DateSpan(pd.Timestamp(groups["first_date"].min()).date(), pd.Timestamp(last).date())
            latest = pd.Timestamp(groups["last_date"].max()).date()
        actors = read.group_counts(None, schema.ACTOR_COLUMNS)
        # One pass for the actor-type, interaction and clarity pickers.
        kinds = read.group_counts(None, ["actor1_type", "actor2_type", "interaction", "event_clarity", "code_status"])
        answer = {
            "span": dates,
            "latest": latest,
            "types": facets.type_choices(groups, weights=weights),
            "actors": facets.actor_choices(_actor_frame(actors), weights=actors["events"]),
            "regions": facets.region_pairs(groups["admin1"], weights=weights),
            "datasets": facets.value_choices(groups["dataset"], weights=weights),
            "actor_types": facets.actor_type_choices(kinds, weights=kinds["events"]),
            "interactions": facets.interaction_choices(kinds, weights=kinds["events"]),
            "unclear": facets.unclear_count(kinds, weights=kinds["events"]),
        }
        return answer, _box(groups)

    def filter_counts(self, spec: FilterSpec) -> dict[str, int]:
        specs: dict[str, FilterSpec] = {}
        for name in facets.active_groups(spec):
            fields = facets.FILTER_GROUPS[name]
            specs[name] = dataclasses.replace(FilterSpec(), **{f: getattr(spec, f) for f in fields})
        specs["all"] = spec
        return self._ask(SummaryReader.count_each, specs)

    # ---------------------------------------------------------------- headline, timeline, actors

    def headline(self, spec: FilterSpec) -> tuple[dict, tuple[date, date] | None]:
        return self._ask(self._headline, within_table(spec))

    @staticmethod
    def _figures(places: pd.DataFrame, actors: pd.DataFrame) -> dict[str, int]:
        """The headline figures from ``place_counts`` and ``group_counts`` by actor columns (groups may repeat)."""
        named = places["location"].notna().to_numpy()
        coords = np.round(places.loc[~named, ["latitude", "longitude"]].to_numpy(dtype=np.float64), 4)
        return {
            "events": int(places["events"].sum()),
            "fatalities": int(places["fatalities"].sum()),
            "actors": len(distinct_actors(_actor_frame(actors))),
            "locations": int(places.loc[named, "location"].nunique())
            + (len(np.unique(coords, axis=0)) if len(coords) else 0),
        }

    def _headline(self, read: SummaryReader, spec: FilterSpec) -> tuple[dict, tuple[date, date] | None]:
        if spec.date_from is None or spec.date_to is None:
            now = self._figures(*read.place_and_actor_counts(spec))
            return timeline.compare_figures(now, dict.fromkeys(now, 0)), None
        before = timeline.previous_range(spec.date_from, spec.date_to)
        # One pass for both periods: they are adjacent, so together they are one range; an event
        # spanning the day between them counts in each, as a filter on either range keeps it.
        marks = {
            "now": FilterSpec(date_from=spec.date_from, date_to=spec.date_to),
            "before": FilterSpec(date_from=before[0], date_to=before[1]),
        }
        both = dataclasses.replace(spec, date_from=before[0])
        places, actors = read.place_and_actor_counts(both, marks=marks)
        now = self._figures(places[places["now"]], actors[actors["now"]])
        previous = self._figures(places[places["before"]], actors[actors["before"]])
        return timeline.compare_figures(now, previous), before

    def people_nearby(self, spec: FilterSpec) -> int | None:
        return self._ask(SummaryReader.people_nearby, spec)

    def timeline(self, spec: FilterSpec) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        return self._ask(self._timeline, within_table(spec))

    @staticmethod
    def _timeline(read: SummaryReader, spec: FilterSpec) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        start, end = spec.date_from, spec.date_to

        def freq_of(found: tuple[date, date] | None) -> str:
            if found is not None:
                first, last = min(found[0], start or date.max), max(found[1], end or date.min)
            else:
                first, last = start or date.today(), end or date.today()
            return timeline.choose_freq(first, last)

        freq, found, groups = _by_period(read, spec, ["event_type"], freq_of)
        periods = span(*(found or (None, None)), start, end, freq)
        periods = None if periods is None else periods[1]
        labelled = groups.rename(columns={"event_type": "label"})
        by_type = timeline_frame(labelled[["period", "label", "events", "fatalities"]], "event_type", periods)
        per_period = groups.groupby("period", as_index=False)[["events", "fatalities"]].sum()
        return timeline_layout(freq, by_type, totals_frame(per_period, periods))

    def actor_activity(self, spec: FilterSpec, top: int) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        return self._ask(self._actor_activity, within_table(spec), top)

    @staticmethod
    def _ranking(read: SummaryReader, spec: FilterSpec, groups: pd.DataFrame, top: int) -> pd.DataFrame:
        """``actor_counts`` of the filtered events, most active ``top`` first."""
        combos = groups.groupby(list(schema.ACTOR_COLUMNS), dropna=False, sort=False)["events"].sum().reset_index()
        counted = actor_counts(_actor_frame(combos), weights=combos["events"])
        # An actor missing from the alias table is shown under its first spelling among every label of
        # the table, used by the filtered events or not: those labels are read only when that can matter.
        cutoff = int(counted["events"].iloc[top - 1]) if 0 < top <= len(counted) else 0
        unknown = ~counted["key"].isin(_known_actor_keys()) & (counted["events"] >= cutoff)
        if not spec.is_empty() and unknown.any():
            every = read.group_counts(None, schema.ACTOR_COLUMNS)
            labels = {c: list(every[c].dropna().unique()) for c in schema.ACTOR_COLUMNS}
            counted = actor_counts(_actor_frame(combos, labels), weights=combos["events"])
        return counted.head(top).reset_index(drop=True)

    def _actor_activity(
        self, read: SummaryReader, spec: FilterSpec, top: int
    ) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        def freq_of(found: tuple[date, date] | None) -> str:
            days = [d for d in (spec.date_from, spec.date_to) if d is not None] + list(found or ())
            return timeline.choose_freq(min(days), max(days)) if days else "M"

        freq, _, groups = _by_period(read, spec, schema.ACTOR_COLUMNS, freq_of)
        ranking = self._ranking(read, spec, groups, top)
        ranking["rank"] = np.arange(1, len(ranking) + 1)
        per_actor = []
        for key, name in zip(ranking["key"], ranking["display_name"], strict=True):
            mine = groups[actor_mask(groups, [key], include_members=False)]
            per_actor.append((name, mine.groupby("period")["events"].sum().sort_index()))
        activity = activity_table(per_actor, freq)
        return freq, ranking, activity

    # ---------------------------------------------------------------- the map

    def map_layer(
        self,
        spec: FilterSpec,
        mode: str,
        view: viewport.Viewport | None,
        previous_extent: viewport.Viewport | None,
    ) -> MapLayer:
        if mode not in viewport.MODES:
            raise ValueError(f"mode must be one of {list(viewport.MODES)}, got {mode!r}")
        return self._ask(self._map_layer, spec, mode, view, previous_extent)

    def _map_layer(
        self,
        read: SummaryReader,
        spec: FilterSpec,
        mode: str,
        view: viewport.Viewport | None,
        previous_extent: viewport.Viewport | None,
    ) -> MapLayer:
        budget = viewport.POINTS_BUDGET
        cell_px = viewport.GRID_CELL_PX if mode == "density" else viewport.CLUSTER_CELL_PX
        extent = None
        if view is None:
            # Before the browser reports a view: the zoom that fits every event, as ``plan_layer`` guesses it.
            # The cells are counted at the zoom that fits every event shown (known with the filter
            # controls' choices), and counted again only when the filtered events' box, which the cells
            # give, fits another zoom. Without that box, one light pass (how many, and their box) decides.
            # The legend comes from the cells counted or the rows read, not from a grouped pass of its own.
            every = self._every_box(read)
            counts = None
            if every is None:
                total, box = _count_and_box(read, spec)
                zoom = viewport.fit_zoom(*box) if box else 5
                step = viewport.cell_deg(zoom, cell_px)
                if mode == "density" or total > budget:
                    counts = read.cell_counts(spec, step)
            else:
                zoom = viewport.fit_zoom(*every)
                counts = read.cell_counts(spec, viewport.cell_deg(zoom, cell_px))
                box = _box(counts)
                fits = viewport.fit_zoom(*box) if box else 5
                if fits != zoom:
                    zoom = fits
                    counts = read.cell_counts(spec, viewport.cell_deg(zoom, cell_px))
                step = viewport.cell_deg(zoom, cell_px)
                total = int(counts["events"].sum())
            if not (mode == "density" or total > budget):
                rows = read.query(spec)
                counts = _row_groups(rows)
        else:
            zoom = int(view.zoom)
            step = viewport.cell_deg(zoom, cell_px)
            keep = viewport.keep_extent(previous_extent, view)
            extent = previous_extent if keep else viewport.extent_for(view, cell_px)
            # One pass: the legend's counts over every filtered event, and the cells around the view.
            counts = read.cell_counts(spec, step, (extent.west, extent.south, extent.east, extent.north))
        total = int(counts["events"].sum())
        box = _box(counts)
        corners = {"latitude": [box[0], box[2]], "longitude": [box[1], box[3]]} if box else None
        legend = (
            _counts(counts["event_type"], counts["events"]),
            _counts(counts["dataset"], counts["events"]),
            event_bounds(pd.DataFrame(corners) if corners else schema.empty_events()),
        )
        inside = counts if extent is None else counts[counts["iy"].notna()]
        considered = total if extent is None else int(inside["events"].sum())

        def layer(plan: viewport.LayerPlan, rows: pd.DataFrame | None = None) -> MapLayer:
            return MapLayer(plan, schema.empty_events() if rows is None else rows, *legend)

        def one_by_one(shown: int) -> str:
            many = mode == "auto" and shown > viewport.AUTO_POINTS_MAX
            return "clusters" if mode == "clusters" or many else "points"

        def cells() -> pd.DataFrame:
            return cells_frame(inside, step)

        if mode == "density":
            return layer(viewport.LayerPlan("grid", None, cells(), step, extent, zoom, total, considered))
        if total <= budget:
            if view is not None:
                rows = read.query(spec)
            plan = viewport.LayerPlan(one_by_one(total), np.arange(len(rows)), None, None, None, zoom, total, total)
            return layer(plan, rows)
        if extent is not None and considered <= budget:
            narrowed = _within(spec, extent)
            rows = schema.empty_events() if narrowed is None else read.query(narrowed)
            positions = np.arange(len(rows))
            plan = viewport.LayerPlan(one_by_one(considered), positions, None, None, extent, zoom, total, considered)
            return layer(plan, rows)
        if extent is not None and zoom >= viewport.STACK_ZOOM:
            # The most recent events around the view, drawn in the store's order (oldest first).
            rows = read.newest(_within(spec, extent), budget).iloc[::-1].reset_index(drop=True)
            drawing = "points" if mode == "points" else "clusters"
            positions = np.arange(len(rows))
            plan = viewport.LayerPlan(drawing, positions, None, None, extent, zoom, total, considered, limited=True)
            return layer(plan, rows)
        return layer(viewport.LayerPlan("cells", None, cells(), step, extent, zoom, total, considered))

    # ---------------------------------------------------------------- table, one event, exports

    def table(self, spec: FilterSpec, limit: int, selected: str | None) -> pd.DataFrame:
        return self._ask(self._table, spec, limit, selected)

    @staticmethod
    def _table(read: SummaryReader, spec: FilterSpec, limit: int, selected: str | None) -> pd.DataFrame:
        # Only the columns the table shows: decoding whole canonical rows cost ten times the query.
        shown = list(details.TABLE_COLUMNS.values())
        newest = read.newest_listed(spec, limit, shown)
        rows = newest.iloc[::-1]
        if selected is not None and selected not in set(newest["event_id"].astype(str)):
            chosen = read.find_listed([selected], spec, shown)
            if len(chosen):
                rows = pd.concat([chosen, rows])
        # In the store's order, so ``table_rows`` picks and orders them as it does for every filtered event.
        return details.table_rows(rows.reset_index(drop=True), limit, selected)

    def event(self, event_id: str | None) -> pd.Series | None:
        if event_id is None:
            return None
        found = self._ask(SummaryReader.find_events, [event_id])
        return None if found.empty else found.iloc[0]

    def events(self, spec: FilterSpec) -> gpd.GeoDataFrame:
        return self._ask(SummaryReader.query, spec)

    def columns(self, spec: FilterSpec, names: Sequence[str]) -> pd.DataFrame:
        return pd.DataFrame(self.events(spec)[list(names)])

    def title(self, spec: FilterSpec) -> str:
        return self._ask(self._title, spec)

    @staticmethod
    def _title(read: SummaryReader, spec: FilterSpec) -> str:
        groups = read.group_counts(spec, ["country"])
        groups = groups[groups["country"].notna()]
        ordered: list[str] = []
        by_count: dict[int, list[str]] = {}
        for country, n in zip(groups["country"], groups["events"], strict=True):
            by_count.setdefault(int(n), []).append(str(country))
        for n in sorted(by_count, reverse=True):
            tied = by_count[n]
            # Equal counts keep the order the countries first appear in (as ``value_counts`` does).
            while tied and len(ordered) < 3:
                first = tied[0] if len(tied) == 1 else read.first_of(spec, "country", tied)
                if first is None:
                    break
                ordered.append(first)
                tied = [c for c in tied if c != first]
            if len(ordered) >= 3:
                break
        # ``default_title`` of a stand-in table with the same countries, most frequent first.
        stand_in = pd.DataFrame({"country": [c for i, c in enumerate(ordered) for _ in range(len(ordered) - i)]})
        return default_title(stand_in)

    # ---------------------------------------------------------------- areas, hot spots, playback

    def area_counts(self, spec: FilterSpec, regions: gpd.GeoDataFrame, change: bool) -> AreaCounts:
        return self._ask(self._area_counts, within_table(spec), regions, change)

    @staticmethod
    def _area_counts(read: SummaryReader, spec: FilterSpec, regions: gpd.GeoDataFrame, change: bool) -> AreaCounts:
        # The database counts per admin1 name: no point leaves it (``areas.counts_from_names``).
        level = "admin2" if (regions["level"] == "admin2").all() else "admin1"
        names = ["admin1", "admin2"] if level == "admin2" else ["admin1"]
        now = areas.counts_from_names(read.group_counts(spec, names), level, areas=regions)
        if not change or spec.date_from is None or spec.date_to is None:
            return AreaCounts(now, by_names=True)
        previous = timeline.previous_range(spec.date_from, spec.date_to)
        earlier = dataclasses.replace(spec, date_from=previous[0], date_to=previous[1])
        before = areas.counts_from_names(read.group_counts(earlier, names), level, areas=regions)
        return AreaCounts(now, before, previous, by_names=True)

    def heat_points(self, spec: FilterSpec, zoom: int) -> np.ndarray:
        return self._ask(self._heat_points, spec, zoom)

    @staticmethod
    def _heat_points(read: SummaryReader, spec: FilterSpec, zoom: int) -> np.ndarray:
        step = viewport.cell_deg(zoom, viewport.GRID_CELL_PX)
        cells = cells_frame(read.cell_counts(spec, step), step)
        cells = cells.sort_values("events", ascending=False, kind="stable").head(arealayers.MAX_HEAT_POINTS)
        return cells[["lat", "lon", "events"]].to_numpy(dtype=float)

    def playback(self, spec: FilterSpec, step: str, mode: str) -> Playback:
        return self._ask(self._playback, within_table(spec), step, mode)

    @staticmethod
    def _playback(read: SummaryReader, spec: FilterSpec, step: str, mode: str) -> Playback:
        shown = read.count(spec)
        if shown > PLAYBACK_EVENTS_MAX:
            raise PlaybackError(
                f"{shown:,} events are too many to play from the database (at most {PLAYBACK_EVENTS_MAX:,}); "
                "narrow the filter, e.g. to fewer months"
            )
        return Playback(read.query(spec), step, mode, spec.date_from, spec.date_to)

"""Every cached call of the page: what is read and worked out once, and shared by the reruns and the sessions.

Tables and views are kept per version of the data (``data_key``) and filter
(``spec_key``); arguments whose name starts with ``_`` are not hashed. The
store is looked at once per ``STORE_CHECK_S`` for every page; its change token
keys whatever is read from it (the copy ``shown_views`` writes of it too).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from conflictmap import arealayers, areas, catalog, gazetteer, headlines, settings, suspect
from conflictmap.app.text import md_escape
from conflictmap.filters import FilterSpec, within_table
from conflictmap.headlines import plural
from conflictmap.pageviews import (
    ColumnarViews,
    DatabaseViews,
    EventViews,
    MemoryViews,
    views_for_file,
    views_for_files,
)
from conflictmap.pageviews.files import EventTable
from conflictmap.readers import ImportReport
from conflictmap.store import StoreError, StoreNotFoundError, open_store


def refresh_setting() -> tuple[float, str | None]:
    """How often a page showing the event store looks whether others changed it, in seconds (0: live refresh
    off), and what is wrong with the setting (then 10 s)."""
    try:
        return settings.refresh_seconds(), None
    except ValueError as exc:
        return 10.0, f"{exc}; the page uses 10 s."


# Pages share one look at the store for this long; the live refresh looks afresh.
STORE_CHECK_S = refresh_setting()[0] or 10.0
# Tokens of the store's state that are not a store's own (see ``read_store_token``).
NO_STORE, STORE_UNAVAILABLE = "", "unavailable"
# The deleted-events list shows the most recent deletions.
DELETED_ROWS = 50
# The table gets the newest events; sorting in the browser is among those.
TABLE_ROWS = 2_500
#: What ``suspect.suspect_rows`` looks at: only these columns of the filtered events are read.
SUSPECT_CHECKED = ("event_id", "latitude", "longitude", "country", "fatalities")


def store_settings() -> tuple[str, str]:
    """Where the store is: ``CONFLICTMAP_DB`` and ``CONFLICTMAP_STORE`` (each store has its cache entries)."""
    return settings.get("CONFLICTMAP_DB"), settings.get("CONFLICTMAP_STORE")


def read_store_token() -> tuple[str, str | None]:
    """The store's change token (``NO_STORE`` without one), and why it cannot be read (then ``STORE_UNAVAILABLE``).

    Not cached: what the live refresh compares. Cheap whatever the store's size.
    """
    try:
        with open_store(create=False) as store:
            return store.change_token(), None
    except StoreNotFoundError:
        return NO_STORE, None
    except (StoreError, OSError) as exc:
        return STORE_UNAVAILABLE, str(exc)


@st.cache_resource(ttl=STORE_CHECK_S, show_spinner=False)
def store_token(where: tuple[str, str]) -> tuple[str, str | None]:
    """``read_store_token``, shared by every page for ``STORE_CHECK_S`` (``where``: the store settings)."""
    return read_store_token()


@dataclass(frozen=True)
class StoreEntry:
    """The event store as the picker offers it: size, change token and location, or why it cannot be read."""

    events: int
    changed: str
    where: str = ""
    backend: str = ""
    error: str | None = None

    @property
    def label(self) -> str:
        """How the picker names it."""
        return "Event store (unavailable)" if self.error else f"Event store ({plural(self.events, 'event')})"


@st.cache_resource(show_spinner=False, max_entries=4)
def store_summary(where: tuple[str, str], token: str) -> StoreEntry:
    """The store's size and location at one state (its change token is the key)."""
    with open_store(create=False) as store:
        table = store.datasets()
        location, backend = str(store.location), store.backend
    return StoreEntry(int(table["events"].sum()), token, location, backend)


def store_state(where: tuple[str, str]) -> StoreEntry | None:
    """The event store's size and change token (which keys what is read from it), or why it cannot be read.

    ``None`` without a store. ``where`` holds the store settings (``CONFLICTMAP_DB``, ``CONFLICTMAP_STORE``),
    so each store has its entries.
    """
    token, problem = store_token(where)
    if token == NO_STORE:
        return None
    if problem is not None:
        return StoreEntry(0, token, error=problem)
    try:
        return store_summary(where, token)
    except StoreNotFoundError:
        return None
    except (StoreError, OSError) as exc:
        return StoreEntry(0, token, error=str(exc))


@st.cache_resource(show_spinner="Reading the event store...", max_entries=2)
def load_store(where: tuple[str, str], changed: str, events: int):
    """Every event in the store (its settings and change token are the cache key)."""
    with open_store(create=False) as store:
        return store.query()


@st.cache_resource(show_spinner="Reading events...", max_entries=16)
def load_file(path: str, size: int, modified_ns: int):
    """Read one event file (size and modification time are part of the cache key)."""
    return catalog.load_events(catalog.DatasetFile(Path(path).name, Path(path), size, modified_ns))


def columnar_setting() -> tuple[int | None, str | None]:
    """The size from which one event file shown alone is answered by DuckDB (``CONFLICTMAP_COLUMNAR_MIN_MB``),
    in bytes, and what is wrong with the setting (then ``None``: every file is read into memory)."""
    try:
        return settings.columnar_min_bytes(), None
    except ValueError as exc:
        return None, f"{exc}; every event file is read into memory."


@st.cache_resource(show_spinner="Opening the events...", max_entries=4)
def file_views(path: str, size: int, modified_ns: int, min_bytes: int):
    """``pageviews.views_for_file`` of one event file (size and modification time are part of the key):
    ``ColumnarViews`` over its GeoParquet cache, and the import report."""
    file = catalog.DatasetFile(Path(path).name, Path(path), size, modified_ns)
    # Events without a region in their file get the one their point lies in, as in ``memory_views``.
    return views_for_file(file, columnar_min_bytes=min_bytes, regions=region_areas())


@dataclass(frozen=True)
class ShownViews:
    """What ``shown_views`` opens: the views, each dataset's import report and the store's event ids."""

    #: ``ColumnarViews``, or ``None`` when DuckDB cannot answer (a cache could not be written).
    views: EventViews | None
    #: One per dataset shown, in order: a file's report, ``None`` for an upload or the store.
    reports: list[ImportReport | None]
    #: The store's event ids (column ``event_id``) when the store is shown: which selected event is the store's.
    store_ids: pd.DataFrame | None = None


@st.cache_resource(show_spinner="Opening the events...", max_entries=4)
def shown_views(parts: tuple[tuple, ...], min_bytes: int, _tables: tuple) -> ShownViews:
    """``pageviews.views_for_files`` of the datasets shown together: ``ColumnarViews`` over every file's cache
    and a GeoParquet copy of each upload and of the store when they are large together.

    Each part names one dataset: ``("file", path, size, modification time)``, ``("upload", name, SHA-256,
    size)`` (its events are ``_tables``' item at the same place) or ``("store", where, change token,
    events)``: the store is read here, once per change token, written out and dropped, so a store and
    a large file shown together are never combined in memory.
    """
    store_ids: list[pd.DataFrame] = []

    def read_store() -> gpd.GeoDataFrame:
        with open_store(create=False) as store:
            events = store.query()
        store_ids.append(pd.DataFrame({"event_id": events["event_id"].to_numpy()}))
        return events

    shown: list[catalog.DatasetFile | EventTable] = []
    for part, table in zip(parts, _tables, strict=True):
        if part[0] == "file":
            _, path, size, modified = part
            shown.append(catalog.DatasetFile(Path(path).name, Path(path), size, modified))
        elif part[0] == "upload":
            shown.append(EventTable(table, part[3]))
        else:
            shown.append(EventTable(read_store))
    views, reports = views_for_files(shown, columnar_min_bytes=min_bytes, regions=region_areas())
    if not isinstance(views, ColumnarViews):
        # A cache could not be written: the page reads each dataset on its own (``memory_views``), so these
        # combined events are not kept here as well.
        return ShownViews(None, reports)
    return ShownViews(views, reports, store_ids[0] if store_ids else None)


@st.cache_resource(max_entries=8)
def memory_views(keys: tuple, _tables: tuple) -> MemoryViews:
    """The views of every dataset shown, worked out in memory; ``keys`` names the versions of the tables.

    Events whose file gives no region get it from the point's area (marked in ``admin_derived``), so the
    area filter and the Areas mode find them.
    """
    return MemoryViews(areas.derive_admin_names(catalog.combine(_tables), region_areas()))


@st.cache_resource(show_spinner=False)
def region_areas():
    """Mali's regions (admin1) as shipped: the basemap's borders, the Areas mode and the area filter."""
    return areas.load_boundaries("admin1")


@st.cache_resource(show_spinner=False)
def cercle_areas():
    """Mali's cercles (admin2) as shipped: borders from zoom 7, the Areas mode at cercle level."""
    return areas.load_boundaries("admin2")


@st.cache_resource(show_spinner=False)
def database_views(where: tuple[str, str]) -> DatabaseViews:
    """The views the store's database answers: one open store per setting, shared by every session."""
    return DatabaseViews(open_store(create=False))


def ask(function, *args):
    """Ask a view; a database that stops answering gets a message, not a traceback."""
    try:
        return function(*args)
    except StoreError as exc:
        st.error(f"The event store stopped answering: {md_escape(exc)}")
        st.stop()


# The views below are kept per version of the data (``data_key``) and filter (``spec_key``).


@st.cache_data(max_entries=8, show_spinner=False)
def choices(data_key: tuple, _views: EventViews) -> dict:
    """What the filter controls offer for this data, and how many events it holds."""
    return {**_views.choices(), "size": _views.size()}


@st.cache_data(max_entries=16, show_spinner=False)
def filter_counts(data_key: tuple, spec_key: str, _views: EventViews, _spec: FilterSpec) -> dict:
    return _views.filter_counts(_spec)


@st.cache_data(max_entries=16, show_spinner=False)
def headline(data_key: tuple, spec_key: str, _views: EventViews, _spec: FilterSpec):
    return _views.headline(_spec)


@st.cache_data(max_entries=16, show_spinner=False)
def timeline_view(data_key: tuple, spec_key: str, _views: EventViews, _spec: FilterSpec):
    return _views.timeline(_spec)


@st.cache_data(max_entries=16, show_spinner=False)
def actor_view(data_key: tuple, spec_key: str, _views: EventViews, _spec: FilterSpec):
    return _views.actor_activity(_spec, 12)


@st.cache_resource(max_entries=16)
def event_table(data_key: tuple, spec_key: str, selected: str | None, _views: EventViews, _spec: FilterSpec):
    return _views.table(_spec, TABLE_ROWS, selected)


@st.cache_resource(max_entries=32)
def map_layer(data_key: tuple, spec_key: str, mode: str, where: str, _views: EventViews, _spec, _view, _keep):
    """What the map draws; ``where`` names the view and the extent kept."""
    return _views.map_layer(_spec, mode, _view, _keep)


@st.cache_resource(max_entries=32)
def area_counts(
    data_key: tuple, spec_key: str, change: bool, _views: EventViews, _spec: FilterSpec, level: str = "admin1"
):
    """Each region's (or cercle's) events and fatalities under the filter, and over the period before if ``change``."""
    return _views.area_counts(_spec, cercle_areas() if level == "admin2" else region_areas(), change)


@st.cache_resource(max_entries=16)
def heat_points(data_key: tuple, spec_key: str, zoom: int, _views: EventViews, _spec: FilterSpec):
    """The filtered events as weighted grid cells for the hot-spot layer at ``zoom``."""
    return _views.heat_points(_spec, zoom)


@st.cache_resource(max_entries=8)
def playback(data_key: tuple, spec_key: str, step: str, mode: str, _views: EventViews, _spec: FilterSpec):
    """The filtered events frame by frame (``playback.Playback``)."""
    return _views.playback(_spec, step, mode)


@st.cache_resource(max_entries=8)
def playback_frames(data_key: tuple, spec_key: str, step: str, mode: str, cell_deg: float, _views, _spec):
    """Every frame of the playback as the map's control takes it (``arealayers.playback_data``), made once:
    panning and zooming redraw the map's fragment, not the frames."""
    return arealayers.playback_data(playback(data_key, spec_key, step, mode, _views, _spec), cell_deg=cell_deg)


@st.cache_resource(max_entries=64)
def event_record(data_key: tuple, event_id: str | None, _views: EventViews):
    return _views.event(event_id)


@st.cache_data(max_entries=16, show_spinner=False)
def export_title(data_key: tuple, spec_key: str, _views: EventViews, _spec: FilterSpec) -> str:
    return _views.title(_spec)


@st.cache_resource(show_spinner=False, max_entries=4)
def deleted_list(where: tuple[str, str], changed: str):
    """The most recently deleted events (the store's change token is the key)."""
    with open_store(create=False) as store:
        return store.deleted_events(limit=DELETED_ROWS)


def forget_store_state() -> None:
    """Make every page look at the store again (after a write, or a change the live refresh saw)."""
    store_token.clear()


@st.cache_data(max_entries=16, show_spinner=False)
def people_nearby(data_key: tuple, spec_key: str, _views: EventViews, _spec: FilterSpec):
    """``headlines.people_nearby`` of the filtered events: ACLED's ``population_5km`` summed, or ``None``."""
    spec = within_table(_spec)
    if isinstance(_views, DatabaseViews):
        # Grouped by value in the database: one row per distinct figure, not per event.
        groups = _views._ask(lambda read: read.group_counts(spec, ["population_5km"]))
        return headlines.people_nearby(groups["population_5km"], groups["events"])
    shown = _views.shown(spec)
    if "population_5km" not in shown.columns:
        return None
    return headlines.people_nearby(shown["population_5km"])


@st.cache_data(max_entries=8, show_spinner=False)
def suspect_list(data_key: tuple, spec_key: str, _views: EventViews, _spec: FilterSpec):
    """``suspect.suspect_rows`` of the filtered events: one row per doubt (place outside its country, toll)."""
    return suspect.suspect_rows(_views.columns(within_table(_spec), SUSPECT_CHECKED))


@st.cache_resource(show_spinner=False, max_entries=16)
def learn_places(data_key: tuple, _events) -> gazetteer.LearnReport:
    """``gazetteer.learn_places`` once per version of the datasets shown: geocoding, extraction and the
    event form then know the data's precisely located places."""
    return gazetteer.learn_places(_events)

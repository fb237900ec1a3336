"""The conflictmap page: conflict events on an offline map, with filters, timeline, table and details.

    streamlit run dashboard.py [-- --data FILE]

The page opens on ``--data``, else the ``CONFLICTMAP_DATA`` setting, else the
seed events in ``data/seed_events.csv``; the dataset picker lists the event
files in ``CONFLICTMAP_DATA_DIR`` and takes uploads. Filters, datasets and the
map drawing live in the URL, so a copied link reopens the same view.

This file only lays out widgets; the work is done in the ``conflictmap`` package.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from conflictmap import (
    catalog,
    charts,
    deletions,
    details,
    downloads,
    eventform,
    facets,
    livemap,
    mapview,
    review,
    schema,
    settings,
    viewport,
)
from conflictmap.assets import AssetError, missing_assets
from conflictmap.export import ExportError, ImageOptionError, export_view
from conflictmap.extract import (
    ArticleError,
    ExtractError,
    evidence_html,
    extract_events,
    find_duplicates,
    html_to_article,
    read_article,
)
from conflictmap.filters import FilterSpec
from conflictmap.pagelink import PageState, query_key
from conflictmap.pageviews import DatabaseViews, EventViews, MemoryViews
from conflictmap.readers import read_events
from conflictmap.readers.report import ImportReport, NotEventDataError
from conflictmap.store import (
    DuplicateEventError,
    EditConflictError,
    EventValidationError,
    StoreError,
    StoreNotFoundError,
    open_store,
)

APP_DIR = Path(__file__).parent
SEED_EVENTS = APP_DIR / "data" / "seed_events.csv"
# Streamlit serves <app folder>/static at /app/static, wherever it was started from.
SERVED_ASSETS = APP_DIR / "static" / "vendor"
# Problems with a file the user chose; anything else is a bug and keeps its traceback in the log.
READ_ERRORS = (NotEventDataError, ValueError, LookupError, FileNotFoundError, IsADirectoryError, PermissionError)
MAP_HEIGHT = 620
# What the map reports back: a click on an event (its popup text), the view for server-side aggregation, and
# any click (for picking a point: the map learns what to report only when it is first drawn).
MAP_RETURNS = ["last_object_clicked_popup", "last_object_clicked_count", "bounds", "zoom", "last_clicked"]
UPLOAD_TYPES = [s.lstrip(".") for s in catalog.DATA_SUFFIXES]
MODE_LABELS = {"auto": "Auto", "points": "Points", "clusters": "Clusters", "density": "Density grid"}
STORE_KEY = "store"
# How often a page showing the event store looks whether others changed it, in seconds (0: live refresh off).
try:
    REFRESH_S, REFRESH_PROBLEM = settings.refresh_seconds(), None
except ValueError as exc:
    REFRESH_S, REFRESH_PROBLEM = 10.0, f"{exc}; the page uses 10 s."
# Pages share one look at the store for this long; the live refresh looks afresh.
STORE_CHECK_S = REFRESH_S or 10.0
# Tokens of the store's state that are not a store's own (see ``read_store_token``).
NO_STORE, STORE_UNAVAILABLE = "", "unavailable"
# The deleted-events list shows the most recent deletions.
DELETED_ROWS = 50
# The table gets the newest events; sorting in the browser is among those.
TABLE_ROWS = 2_500
FILTER_KEYS = tuple(f"f_{name}" for name in facets.CONTROLS)


# -- where the data comes from -----------------------------------------------------------------------------


def opening_path() -> Path:
    """The event file to open: ``--data``, else ``CONFLICTMAP_DATA``, else the seed events."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--data", default="")
    known, _ = parser.parse_known_args(sys.argv[1:])
    return Path(known.data or settings.get("CONFLICTMAP_DATA") or SEED_EVENTS)


def store_settings() -> tuple[str, str]:
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


@st.cache_resource(show_spinner=False, max_entries=4)
def store_summary(where: tuple[str, str], token: str) -> dict:
    """The store's size and location at one state (its change token is the key)."""
    with open_store(create=False) as store:
        table = store.datasets()
        location, backend = str(store.location), store.backend
    return {"events": int(table["events"].sum()), "changed": token, "where": location, "backend": backend}


def store_state(where: tuple[str, str]) -> dict | None:
    """The event store's size and change token (which keys what is read from it), or why it cannot be read.

    ``None`` without a store. ``where`` holds the store settings (``CONFLICTMAP_DB``, ``CONFLICTMAP_STORE``),
    so each store has its entries.
    """
    token, problem = store_token(where)
    if token == NO_STORE:
        return None
    if problem is not None:
        return {"error": problem, "events": 0, "changed": token}
    try:
        return store_summary(where, token)
    except StoreNotFoundError:
        return None
    except (StoreError, OSError) as exc:
        return {"error": str(exc), "events": 0, "changed": token}


@st.cache_resource(show_spinner="Reading the event store...", max_entries=2)
def load_store(where: tuple[str, str], changed: str, events: int):
    """Every event in the store (its settings and change token are the cache key)."""
    with open_store(create=False) as store:
        return store.query()


def available_sources(opening: Path) -> tuple[dict[str, object], str]:
    """Every dataset the picker offers and the key of the opening file.

    Files are ``DatasetFile`` entries (the opening file a ``Path`` when it is not in the data
    folder), uploads and the event store dicts.
    """
    listed = {f.key: f for f in catalog.list_datasets()}
    by_path = {f.path.resolve(): f.key for f in listed.values()}
    opening_key = by_path.get(opening.resolve()) if opening.exists() else None
    sources: dict[str, object] = {}
    if opening_key is None:
        opening_key = opening.name if opening.name not in listed else f"opened:{opening.name}"
        sources[opening_key] = opening
    sources.update(listed)
    store = store_state(store_settings())
    if store is not None:
        sources[STORE_KEY] = {"name": "Event store", "store": True, **store}
    sources.update(st.session_state.get("uploads", {}))
    return sources, opening_key


def source_label(key: str) -> str:
    entry = st.session_state.get("_sources", {}).get(key)
    if isinstance(entry, catalog.DatasetFile):
        return entry.label
    if isinstance(entry, dict) and entry.get("store"):
        return f"Event store ({entry['events']:,} events)" if "error" not in entry else "Event store (unavailable)"
    if isinstance(entry, dict):
        return f"{entry['name']} (uploaded, {entry['events']:,} events)"
    return key


def source_name(key: str) -> str:
    entry = st.session_state.get("_sources", {}).get(key)
    if isinstance(entry, catalog.DatasetFile):
        return entry.key
    if isinstance(entry, dict):
        return entry["name"]
    return key


@st.cache_resource(show_spinner="Reading events...", max_entries=16)
def load_file(path: str, size: int, modified_ns: int):
    """Read one event file (size and modification time are part of the cache key)."""
    return catalog.load_events(catalog.DatasetFile(Path(path).name, Path(path), size, modified_ns))


@st.cache_resource(max_entries=8)
def memory_views(keys: tuple, _tables: tuple) -> MemoryViews:
    """The views of every dataset shown, worked out in memory; ``keys`` names the versions of the tables."""
    return MemoryViews(catalog.combine(_tables))


@st.cache_resource(show_spinner=False)
def database_views(where: tuple[str, str]) -> DatabaseViews:
    """The views the store's database answers: one open store per setting, shared by every session."""
    return DatabaseViews(open_store(create=False))


def ask(function, *args):
    """Ask a view; a database that stops answering gets a message, not a traceback."""
    try:
        return function(*args)
    except StoreError as exc:
        st.error(f"The event store stopped answering: {exc}")
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
def people_nearby(data_key: tuple, spec_key: str, _views: EventViews, _spec: FilterSpec) -> int | None:
    return _views.people_nearby(_spec)


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


@st.cache_resource(max_entries=64)
def event_record(data_key: tuple, event_id: str | None, _views: EventViews):
    return _views.event(event_id)


@st.cache_data(max_entries=16, show_spinner=False)
def export_title(data_key: tuple, spec_key: str, _views: EventViews, _spec: FilterSpec) -> str:
    return _views.title(_spec)


# -- what the user does ----------------------------------------------------------------------------------


def read_upload() -> None:
    """Read the file just uploaded and add it to the datasets this browser tab can show."""
    uploaded = st.session_state.get("uploader")
    if uploaded is None:
        return
    name = Path(uploaded.name).name or "upload.csv"
    key = f"upload:{name}"
    try:
        with tempfile.TemporaryDirectory(prefix="conflictmap-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(uploaded.getvalue())
            events, report = read_events(path)
    except READ_ERRORS as exc:
        st.session_state["upload_result"] = {"name": name, "error": str(exc)}
        return
    report.source = name
    uploads = st.session_state.setdefault("uploads", {})
    uploads[key] = {"name": name, "events": len(events), "table": events, "report": report, "id": uploaded.file_id}
    st.session_state["upload_result"] = {"name": name, "key": key}
    if key not in st.session_state.get("f_sources", []):
        st.session_state["f_sources"] = [*st.session_state.get("f_sources", []), key]


def reset_filters(info: dict) -> None:
    apply_spec(FilterSpec(), info)


def on_period(info: dict) -> None:
    period, span = st.session_state["f_period"], info["span"]
    if period == "all":
        st.session_state["f_dates"] = (span.first, span.last)
    elif period in facets.date_presets(info["latest"]):
        st.session_state["f_dates"] = facets.date_presets(info["latest"])[period]


def on_dates(info: dict) -> None:
    picked = st.session_state["f_dates"]
    if len(picked) == 2:
        st.session_state["f_period"] = facets.matching_preset(picked[0], picked[1], info["latest"])
        if st.session_state["f_period"] == "all":
            st.session_state["f_period"] = "custom"


def on_timeline(info: dict, key: str, freq: str) -> None:
    picked = charts.selected_range(st.session_state.get(key), freq)
    if picked is None:
        return
    st.session_state["f_dates"] = picked
    st.session_state["f_period"] = facets.matching_preset(picked[0], picked[1], info["latest"])
    if st.session_state["f_period"] == "all":
        st.session_state["f_period"] = "custom"
    # A new chart key clears the drawn interval: the dates now live in the filter.
    st.session_state["timeline_gen"] = st.session_state.get("timeline_gen", 0) + 1


def clear_selection() -> None:
    st.session_state["selected_event"] = None


def on_table_select(ids: pd.Series) -> None:
    rows = st.session_state["event_table"]["selection"]["rows"]
    st.session_state["selected_event"] = str(ids.iloc[rows[0]]) if rows else None


def apply_spec(spec: FilterSpec, info: dict) -> None:
    """Set every filter control from ``spec`` (a link opened, the back button, the reset button)."""
    for name, value in facets.controls_from_spec(spec, info["span"], info["latest"]).items():
        st.session_state[f"f_{name}"] = value


def spec_from_controls() -> FilterSpec:
    """The filter the controls show."""
    return facets.spec_from_controls({name: st.session_state[f"f_{name}"] for name in facets.CONTROLS})


def keeps(counts: dict, group: str) -> None:
    if group in counts:
        st.caption(f"keeps {counts[group]:,} of {counts['total']:,} events")


def export_panel(view: dict, view_params: dict, files: list, mode: str) -> None:
    """Format, title and options, then "Prepare export" and the download of the current view."""
    views, spec, data_key, spec_key = view["views"], view["spec"], view["data_key"], view["spec_key"]
    st.caption(
        f"Exports the current view: {spec.describe()} · {view['count']:,} events. Every file records the filter, "
        "the datasets and a link that reopens this view."
    )
    kind = st.selectbox("Format", options=list(downloads.KINDS), format_func=downloads.KIND_NAMES.get, key="x_kind")
    placeholder = ask(export_title, data_key, spec_key, views, spec)
    title = st.text_input("Title (optional)", key="x_title", placeholder=placeholder, max_chars=200)
    dpi = layout = None
    if kind == "png":
        dpi = st.slider("Resolution (dpi)", *downloads.DPI_RANGE, value=downloads.DEFAULT_DPI, step=25, key="x_dpi")
    if kind == "csv":
        layout = st.radio(
            "Columns",
            options=list(downloads.CSV_LAYOUT_LABELS),
            format_func=downloads.CSV_LAYOUT_LABELS.get,
            key="x_layout",
            horizontal=True,
        )
    try:
        options = downloads.export_options(kind, title=title, dpi=dpi, layout=layout or "canonical", mode=mode)
    except ExportError as exc:
        st.error(str(exc))
        return
    key = downloads.view_key(view_params, data_key, kind, options)
    if st.button("Prepare export", key="x_prepare", type="primary"):
        bar = st.progress(0.0, text="Starting the export...")
        try:
            made = export_view(
                views.events(spec),
                spec,
                kind,
                sources=downloads.export_sources(files),
                view_params=view_params,
                progress=lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message),
                **options,
            )
        except (ExportError, ImageOptionError, AssetError, StoreError) as exc:
            st.error(f"Could not export: {exc}")
            return
        finally:
            bar.empty()
        st.session_state["x_result"] = (key, made)
    prepared = st.session_state.get("x_result")
    if prepared and prepared[0] == key:
        made = prepared[1]
        st.download_button(
            f"Download {made.filename}",
            made.data,
            file_name=made.filename,
            mime=made.mime_type,
            key="x_download",
            icon=":material/download:",
        )
        st.caption(f"{len(made.data) / 1e6:,.2f} MB · {made.provenance.events:,} events")
    else:
        st.caption("Prepare the file, then download it.")


# -- the event store: import, add and edit, history ---------------------------------------------------------


def events_near(candidates: pd.DataFrame, views: EventViews, store_shown: bool) -> pd.DataFrame:
    """The events candidates could repeat: those shown and the store's, over the candidates' days."""
    if not len(candidates):
        return schema.empty_events()
    last = candidates["date_end"].fillna(candidates["event_date"]).max()
    window = FilterSpec(
        date_from=(candidates["event_date"].min() - pd.Timedelta(days=3)).date(),
        date_to=(last + pd.Timedelta(days=3)).date(),
    )
    parts = [views.events(window)]
    entry = None if store_shown else store_state(store_settings())
    if entry is not None and "error" not in entry:
        try:
            with open_store(create=False) as store:
                parts.append(store.query(window))
        except (StoreError, OSError):
            pass  # the duplicates are then looked for among the events shown only
    return catalog.combine(parts)


def forget_store_state() -> None:
    """Make every page look at the store again (after a write, or a change the live refresh saw)."""
    store_token.clear()


def show_store_changes(event_id: str | None = None) -> None:
    """After a write: look at the store again, show it on the map and select the event written."""
    forget_store_state()
    st.session_state["_show_store"] = True
    if event_id:
        st.session_state["selected_event"] = event_id


def import_upload() -> None:
    """Import the file in the uploader into the event store (a callback: the page shows the result)."""
    uploaded = st.session_state.get("uploader")
    if uploaded is None:
        return
    name = Path(uploaded.name).name or "upload.csv"
    try:
        with tempfile.TemporaryDirectory(prefix="conflictmap-import-") as folder, open_store() as store:
            path = Path(folder) / name
            path.write_bytes(uploaded.getvalue())
            outcome = store.import_file(path)
    except (*READ_ERRORS, StoreError, OSError) as exc:
        st.session_state["store_import"] = {"name": name, "error": str(exc)}
        return
    st.session_state["store_import"] = {"name": name, "summary": outcome.summary(), "changed": outcome.changed}
    # Its events are now the store's: shown twice, they would be counted twice.
    upload_key = f"upload:{name}"
    st.session_state["f_sources"] = [k for k in st.session_state.get("f_sources", []) if k != upload_key]
    show_store_changes()


def edit_stored_event(event_id: str) -> None:
    """Fill the event form with a stored event, to edit it."""
    try:
        with open_store(create=False) as store:
            event = store.get_event(event_id)
    except (StoreError, OSError) as exc:
        st.session_state["ev_message"] = ("error", f"Could not read event {event_id}: {exc}")
        return
    values = eventform.form_values(event)
    st.session_state["ev_edit"] = {"id": event_id, "version": int(event["version"]), "before": values}
    for name, value in values.items():
        st.session_state[f"ev_{name}"] = value
    st.session_state["ev_place_pick"] = None
    st.session_state["ev_problems"] = {}
    st.session_state["panel"] = "Event store"


def new_event_form() -> None:
    st.session_state.pop("ev_edit", None)
    for key in [k for k in st.session_state if str(k).startswith("ev_")]:
        del st.session_state[key]


def save_event(choices: list) -> None:
    """Check the form's values and add or edit the event in the store (a callback)."""
    values = {name: st.session_state.get(f"ev_{name}") for name in eventform.EDITABLE}
    pick = st.session_state.get("ev_place_pick")
    place = choices[pick] if pick is not None and pick < len(choices) else None
    point = st.session_state.get("picked_point") if st.session_state.get("ev_use_point") else None
    fields = eventform.form_fields(values, place=place, point=point)
    editing = st.session_state.get("ev_edit")
    reason = (st.session_state.get("ev_reason") or "").strip() or None
    try:
        with open_store() as store:
            if editing:
                changes = eventform.edit_changes(editing["before"], fields)
                change = store.edit_event(editing["id"], changes, expected_version=editing["version"], reason=reason)
            else:
                change = store.add_event(fields, reason=reason)
    except EventValidationError as exc:
        st.session_state["ev_problems"] = eventform.field_messages(exc)
        st.session_state["ev_message"] = ("error", "Nothing was saved: correct the fields marked below.")
        return
    except (StoreError, OSError) as exc:
        st.session_state["ev_problems"] = {}
        st.session_state["ev_message"] = ("error", f"Nothing was saved: {exc}")
        return
    st.session_state["ev_problems"] = {}
    if change.change == "unchanged":
        st.session_state["ev_message"] = ("info", f"Event {change.event_id} already had these values.")
    else:
        verb = "edited" if editing else "added"
        if editing:
            st.session_state["ev_edit"]["version"] = change.version
            st.session_state["ev_edit"]["before"] = {**editing["before"], **values}
        else:
            # An empty form for the next event: a second click cannot add the same one twice.
            new_event_form()
        st.session_state["ev_message"] = ("success", f"Event {change.event_id} {verb} (version {change.version}).")
    show_store_changes(change.event_id)


def picked_point(clicked: dict | None, picking: bool) -> tuple[float, float] | None:
    """The point of a new click on the map while picking is on, else ``None``.

    The map reports every click; one made before picking was switched on is not a pick.
    """
    where = (float(clicked["lat"]), float(clicked["lng"])) if clicked else None
    if not picking:
        st.session_state["_click_before_pick"] = where
        return None
    if where is None or where in (st.session_state.get("_click_before_pick"), st.session_state.get("picked_point")):
        return None
    return where


def field_problem(field: str) -> None:
    message = st.session_state.get("ev_problems", {}).get(field)
    if message:
        st.error(message)


def store_panel(store_entry: dict | None, info: dict) -> None:
    """Import into the store, and the form to add or edit one event."""
    if store_entry is not None and "error" in store_entry:
        st.error(f"The event store cannot be opened: {store_entry['error']}")
        return
    where = store_entry["where"] if store_entry else settings.get("CONFLICTMAP_STORE")
    held = f"{store_entry['events']:,} events" if store_entry else "no events yet; it is created on the first save"
    st.caption(f"Event store: {where} ({held}). Every change is kept in the event's history.")
    editing = st.session_state.get("ev_edit")
    head, new = st.columns([4, 1], vertical_alignment="bottom")
    head.markdown(f"**Edit event {editing['id']}**" if editing else "**Add an event**")
    if editing:
        new.button("New event instead", key="ev_new", on_click=new_event_form)
    kind, text = st.session_state.pop("ev_message", (None, None))
    if kind:
        getattr(st, kind)(text)

    left, right = st.columns(2)
    with left:
        st.text_input("Place", key="ev_place_text", placeholder="Type a town, quarter or region of Mali")
        choices = eventform.place_choices(st.session_state.get("ev_place_text") or "")
        if choices:
            st.selectbox(
                "Matching places",
                options=range(len(choices)),
                format_func=lambda i: choices[i].label,
                key="ev_place_pick",
                index=None if editing else 0,
                placeholder="Keep the event's place" if editing else "Pick a place",
            )
        elif (st.session_state.get("ev_place_text") or "").strip() and not editing:
            st.caption("No place of the gazetteer matches; check the spelling, or click the point on the map.")
        st.toggle(
            "Pick the point on the map",
            key="pick_on_map",
            help="Then click the map above: the point refines the place, or places the event on its own.",
        )
        point = st.session_state.get("picked_point")
        if point:
            st.checkbox(f"Use the point clicked: {point[0]:.4f}, {point[1]:.4f}", key="ev_use_point", value=True)
        for field in ("place", "latitude", "longitude", "admin1"):
            field_problem(field)
        d1, d2 = st.columns(2)
        d1.date_input("Date", key="ev_event_date", value=None, format="YYYY-MM-DD")
        d2.date_input("Until (optional)", key="ev_date_end", value=None, format="YYYY-MM-DD")
        field_problem("event_date")
        field_problem("date_end")
        st.selectbox(
            "Date precision",
            options=list(eventform.TIME_PRECISION_LABELS),
            format_func=eventform.TIME_PRECISION_LABELS.get,
            key="ev_time_precision",
        )
        field_problem("time_precision")
    with right:
        st.selectbox("Type", options=eventform.EVENT_TYPES, key="ev_event_type", index=None, placeholder="Pick")
        field_problem("event_type")
        subs = eventform.sub_types(st.session_state.get("ev_event_type"))
        if st.session_state.get("ev_sub_event_type") not in subs:
            st.session_state["ev_sub_event_type"] = None
        st.selectbox("Sub-type", options=subs, key="ev_sub_event_type", index=None, placeholder="Pick")
        field_problem("sub_event_type")
        known = eventform.actor_choices(info["actors"]["display_name"])
        for name in ("actor1", "actor2"):
            current = st.session_state.get(f"ev_{name}")
            options = known if current in (None, "") or current in known else [current, *known]
            st.selectbox(
                eventform.FIELD_LABELS[name],
                options=options,
                key=f"ev_{name}",
                index=None,
                accept_new_options=True,
                placeholder="Pick or type a new name",
            )
            field_problem(name)
        st.number_input("Fatalities", min_value=0, step=1, key="ev_fatalities")
        field_problem("fatalities")
    st.text_input("Source (required)", key="ev_source", placeholder="Who reported it: outlet, date, link")
    field_problem("source")
    st.text_area("Notes", key="ev_notes", height=90)
    field_problem("notes")
    st.text_input("Reason for the change (optional, kept in the history)", key="ev_reason")
    st.button(
        "Save changes" if editing else "Add event",
        key="ev_save",
        type="primary",
        on_click=save_event,
        args=(choices,),
    )

    st.divider()
    st.markdown("**Import a file into the store**")
    st.caption(
        "Use the sidebar's “Add an event file”: once a file is read, “Import into the event store” adds "
        "its events (a re-import of the same file changes nothing; newer versions replace older ones and "
        "are kept in the history)."
    )
    deleted_panel(store_entry)


@st.cache_resource(show_spinner=False, max_entries=4)
def deleted_list(where: tuple[str, str], changed: str):
    """The most recently deleted events (the store's change token is the key)."""
    with open_store(create=False) as store:
        return store.deleted_events(limit=DELETED_ROWS)


def deleted_panel(store_entry: dict | None) -> None:
    """The deleted events, who deleted each, when and why, each with "Restore"."""
    st.divider()
    st.markdown("**Deleted events**")
    kind, text = st.session_state.pop("restore_message", (None, None))
    if kind:
        getattr(st, kind)(text)
    if store_entry is None:
        st.caption(deletions.deleted_caption(0, 0))
        return
    try:
        deleted = deleted_list(store_settings(), store_entry["changed"])
    except (StoreError, OSError) as exc:
        st.error(f"The deleted events cannot be listed: {exc}")
        return
    st.caption(deletions.deleted_caption(len(deleted), deleted.attrs["total"]))
    if deleted.empty:
        return
    widths = [2, 1.5, 2.2, 1.4, 1.9, 3, 1.2]
    for column, heading in zip(st.columns(widths), deletions.DELETED_HEADINGS, strict=False):
        column.markdown(f"**{heading}**")
    for row in deletions.deleted_rows(deleted):
        columns = st.columns(widths, vertical_alignment="center")
        for column, cell in zip(columns, row.cells, strict=False):
            # Plain text: what people typed (ids, places, reasons) is never read as Markdown or HTML.
            column.text(cell)
        columns[-1].button(
            "Restore",
            key=f"restore-{row.event_id}",
            on_click=restore_stored_event,
            args=(row.event_id, row.version),
            help="Put the event back on the map; its history keeps the deletion and the restoration.",
        )


def current_event(event_id: str) -> dict | None:
    """The event as the store holds it now, or ``None`` if it cannot be read (for messages only)."""
    try:
        with open_store(create=False) as store:
            return store.get_event(event_id)
    except (StoreError, OSError):
        return None


def restore_stored_event(event_id: str, version: int) -> None:
    """Undelete one event, based on the version the list showed (a callback)."""
    try:
        with open_store(create=False) as store:
            change = store.undelete_event(event_id, expected_version=version)
    except (StoreError, OSError) as exc:
        current = current_event(event_id) if isinstance(exc, EditConflictError) else None
        st.session_state["restore_message"] = ("error", deletions.failure_message("restore", event_id, exc, current))
        forget_store_state()
        return
    st.session_state["restore_message"] = ("success", deletions.restored_message(event_id, change.version))
    show_store_changes(event_id)


def delete_stored_event(event_id: str, version: int, reason: str) -> bool:
    """Delete one event, based on the version the page showed; ``False`` (and why, kept for the page) if not done."""
    try:
        with open_store(create=False) as store:
            store.delete_event(event_id, reason=reason, expected_version=version)
    except (StoreError, OSError) as exc:
        current = current_event(event_id)
        message = deletions.failure_message("delete", event_id, exc, current)
        if current is not None and current["status"] != "deleted":
            st.session_state["delete_failed"] = (event_id, message)
        else:
            # Gone from the map once the page looks again: its details, where the message would go, with it.
            st.session_state.setdefault("store_toasts", []).append((":material/error:", message))
        forget_store_state()
        return False
    st.session_state.setdefault("store_toasts", []).append((":material/delete:", deletions.deleted_message(event_id)))
    forget_store_state()
    if st.session_state.get("selected_event") == event_id:
        st.session_state["selected_event"] = None
    return True


def delete_form(event_id: str, version: int) -> None:
    """A reason, a confirmation and the button that deletes the event."""
    st.markdown("**Delete this event?**")
    st.caption(
        "The event leaves the map, the counts and the exports. It is kept, with its history, and can be "
        "restored from the Event store tab."
    )
    reason = st.text_input("Reason (required, kept in the history)", key=f"del_reason-{event_id}", max_chars=500)
    confirmed = st.checkbox("Yes, delete this event", key=f"del_sure-{event_id}")
    if st.button("Delete", key=f"delete-{event_id}", type="primary", icon=":material/delete:"):
        problem = deletions.delete_problem(reason, confirmed)
        if problem:
            st.error(problem)
            return
        if delete_stored_event(event_id, version, reason.strip()):
            for key in (f"del_reason-{event_id}", f"del_sure-{event_id}"):
                st.session_state.pop(key, None)
        # The button sits in the map's fragment; the map and the counts are outside it.
        st.rerun(scope="app")


def history_panel(event_id: str) -> None:
    """A stored event's changes, newest first, and buttons to edit or delete it."""
    try:
        with open_store(create=False) as store:
            history = store.history(event_id)
            version = int(store.get_event(event_id)["version"])
    except (StoreError, OSError) as exc:
        st.caption(f"No history: {exc}")
        return
    failed = st.session_state.get("delete_failed")
    if failed and failed[0] == event_id:
        st.error(st.session_state.pop("delete_failed")[1])
    with st.expander(f"Change history ({len(history)})"):
        st.dataframe(eventform.history_table(history), hide_index=True)
    if st.button("Edit this event", key=f"edit-{event_id}", icon=":material/edit:"):
        edit_stored_event(event_id)
        # The button sits in the map's fragment; the form is outside it.
        st.rerun(scope="app")
    # A deletion is based on the version the page showed when the button was drawn, not on what the
    # store holds when the click comes in: someone may have changed the event in between.
    shown = st.session_state.setdefault("_versions_shown", {})
    seen, shown[event_id] = shown.get(event_id, version), version
    with st.popover("Delete this event", icon=":material/delete:"):
        delete_form(event_id, seen)


def store_live(store_entry: dict | None, chosen: list[str]) -> None:
    """What the store did for this page (as toasts), and, while the store is shown, the watch for others' changes."""
    for icon, text in st.session_state.pop("store_toasts", []):
        st.toast(text, icon=icon)
    shown = STORE_KEY in chosen or st.session_state.get("panel") == "Event store"
    if store_entry is None or not shown:
        return
    with st.sidebar:
        if REFRESH_PROBLEM:
            st.warning(REFRESH_PROBLEM)
        if REFRESH_S:
            st.session_state["_page_run"] = True
            try:
                store_watch(store_entry["changed"])
            finally:
                st.session_state["_page_run"] = False


@st.fragment(run_every=REFRESH_S or None)
def store_watch(seen: str) -> None:
    """Every ``REFRESH_S`` seconds, look whether the store changed since the page read it; if so, show it."""
    st.caption(f"Live: changes others make to the event store show within {REFRESH_S:g} s.")
    # Drawn with the whole page, it only draws: rerunning the page then would drop a button click
    # that page run is carrying. Its own runs look, and the page follows at most one interval later.
    if st.session_state.get("_page_run"):
        return
    if read_store_token()[0] != seen:
        forget_store_state()
        st.rerun(scope="app")


# -- article review ------------------------------------------------------------------------------------------
LANGUAGES = {"auto": "Detect", "en": "English", "fr": "French"}
REVIEW_COLOURS = (
    "<style>.evidence mark{padding:0 2px;border-radius:3px}.evidence .ev-place{background:#cde7ff}"
    ".evidence .ev-date{background:#ffe2b8}.evidence .ev-actor{background:#d9f2d0}"
    ".evidence .ev-what{background:#f3d6f0}.evidence .ev-fatalities{background:#ffd0d0}</style>"
)


def extract_article(existing: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Read the pasted or uploaded article and keep its candidate events for review."""
    uploaded = st.session_state.get("rv_file")
    text = st.session_state.get("rv_text") or ""
    title, published = None, st.session_state.get("rv_published")
    source = (st.session_state.get("rv_source") or "").strip()
    lang = st.session_state.get("rv_lang")
    try:
        if uploaded is not None:
            name = Path(uploaded.name).name or "article.txt"
            if name.lower().endswith((".html", ".htm")):
                article = html_to_article(uploaded.getvalue().decode("utf-8", errors="replace"))
            else:
                with tempfile.TemporaryDirectory(prefix="conflictmap-article-") as folder:
                    path = Path(folder) / name
                    path.write_bytes(uploaded.getvalue())
                    article = read_article(path)
            text, title = article.text, article.title
            published = published or article.published
            source = source or article.source or name
            lang = lang if lang != "auto" else article.lang or "auto"
        candidates = extract_events(text, published=published, lang=None if lang == "auto" else lang, source=source)
    except (ArticleError, ExtractError, UnicodeError, OSError) as exc:
        st.session_state["rv_result"] = {"error": str(exc)}
        return
    known = existing(candidates)
    matches = find_duplicates(candidates, known) if len(known) else None
    notes = review.duplicate_notes(matches, candidates) if matches is not None else {}
    st.session_state["rv_result"] = {
        "candidates": candidates,
        "table": review.review_table(candidates, notes),
        "source": review.article_source(source, title, published),
        "saved": {},
    }
    st.session_state["rv_editor_gen"] = st.session_state.get("rv_editor_gen", 0) + 1


def review_panel(existing: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Paste or upload an article, review its candidate events, save the accepted ones into the store."""
    st.caption(
        "Paste a dispatch about Mali (English or French) or upload a .txt or .html file: the events it reports "
        "are placed with the gazetteer, dated from the publication date and shown here for review. Nothing is "
        "saved until you press “Save accepted”."
    )
    left, right = st.columns([3, 2])
    left.text_area("Article text", key="rv_text", height=200, placeholder="Paste the article here")
    with right:
        st.file_uploader("…or upload it", type=["txt", "html", "htm"], key="rv_file")
        st.date_input("Published on", key="rv_published", value=None, format="YYYY-MM-DD")
        st.text_input("Source", key="rv_source", placeholder="Outlet name, e.g. Journal du Mali")
        st.segmented_control(
            "Language", options=list(LANGUAGES), format_func=LANGUAGES.get, key="rv_lang", default="auto"
        )
    if st.button("Extract events", key="rv_extract", type="primary"):
        with st.spinner("Reading the article..."):
            extract_article(existing)
    result = st.session_state.get("rv_result")
    if not result:
        return
    if "error" in result:
        st.error(f"Could not read the article: {result['error']}")
        return
    candidates = result["candidates"]
    if not len(candidates):
        st.info("No event found in this article.")
        return
    st.markdown(f"**{len(candidates)} candidate events** from {result['source']}")
    editor_key = f"rv_editor-{st.session_state.get('rv_editor_gen', 0)}"
    edited = st.data_editor(
        result["table"],
        key=editor_key,
        width="stretch",
        column_config={
            review.SAVE: st.column_config.CheckboxColumn(help="Tick to save this event into the store"),
            review.CONFIDENCE: st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f"),
            "Place": st.column_config.TextColumn(help="Type another place: it is looked up in the gazetteer"),
            "Date": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "Until": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "Type": st.column_config.SelectboxColumn(options=list(eventform.EVENT_TYPES)),
            "Sub-type": st.column_config.SelectboxColumn(options=list(review.ALL_SUB_TYPES)),
            "Fatalities": st.column_config.NumberColumn(min_value=0, step=1, format="%d"),
            review.DUPLICATE: st.column_config.TextColumn(width="large"),
        },
        disabled=[review.CONFIDENCE, review.DUPLICATE],
    )
    reviewed, problems = review.apply_review(candidates, edited)
    for cid, text in problems.items():
        st.warning(f"{cid}: {text}")
    try:
        small = mapview.build_map(reviewed, title="Candidate events")
    except AssetError as exc:
        st.error(f"The map cannot be drawn offline: {exc}")
    else:
        st_folium(small, key="review_map", height=360, use_container_width=True, returned_objects=[])
    st.html(REVIEW_COLOURS)
    for position, (cid, row) in enumerate(reviewed.set_index(reviewed["event_id"].astype(str)).iterrows(), 1):
        flag = " · ⚠ likely duplicate" if result["table"].loc[cid, review.DUPLICATE] else ""
        st.markdown(
            f"**{position}.** `{cid}` · confidence {row['confidence']:.2f}{flag}",
        )
        # evidence_html escapes every character of the article; only its own <mark> tags are HTML.
        st.markdown(evidence_html(row), unsafe_allow_html=True)
    for cid, outcome in result["saved"].items():
        st.caption(f"{cid}: {outcome}")
    if st.button("Save accepted", key="rv_save", type="primary"):
        saved = []
        try:
            with open_store() as store:
                for fields in review.accepted_fields(reviewed, edited, source=result["source"]):
                    try:
                        change = store.add_event(fields, reason="taken from an article")
                    except EventValidationError as exc:
                        result["saved"][fields["event_id"]] = f"not saved: {exc}"
                    except DuplicateEventError:
                        result["saved"][fields["event_id"]] = "already in the store"
                    else:
                        saved.append(change.event_id)
                        result["saved"][change.event_id] = "saved"
        except (StoreError, OSError) as exc:
            st.error(f"Nothing was saved: {exc}")
            return
        st.session_state["rv_message"] = f"{len(saved)} events saved into the store (dataset “article”)."
        show_store_changes(saved[0] if saved else None)
        st.rerun()
    if "rv_message" in st.session_state:
        st.success(st.session_state.pop("rv_message"))


# -- the page ------------------------------------------------------------------------------------------------

st.set_page_config(page_title="conflictmap", layout="wide")

try:
    opening = opening_path()
except argparse.ArgumentError as exc:
    st.error(f"Bad command-line option: {exc}")
    st.stop()

sources, opening_key = available_sources(opening)
st.session_state["_sources"] = sources
if st.session_state.pop("_show_store", False) and STORE_KEY in sources:
    # Something was just written to the store: show it.
    shown_now = st.session_state.get("f_sources", [])
    if STORE_KEY not in shown_now:
        st.session_state["f_sources"] = [*shown_now, STORE_KEY]
store_seen = source_label(STORE_KEY) if STORE_KEY in sources else None
if "f_sources" in st.session_state and st.session_state.get("_store_seen", store_seen) != store_seen:
    # The picker knows its choices by their labels, and the store's names its size: setting the
    # choice again sends the new label to the browser, which would otherwise drop the store on its next change.
    st.session_state["f_sources"] = list(st.session_state["f_sources"])
st.session_state["_store_seen"] = store_seen

# The URL wins when it changed from outside: a link opened, the back or forward button.
url_key = query_key(st.query_params)
if st.session_state.get("_url") != url_key:
    state, problems = PageState.from_query_params(st.query_params, [opening_key])
    unknown = [s for s in state.sources if s not in sources]
    problems += [f"dataset {s!r} from the link is not available here" for s in unknown]
    st.session_state["_url"] = url_key
    st.session_state["_url_problems"] = problems
    st.session_state["f_sources"] = [s for s in state.sources if s in sources]
    st.session_state["f_mode"] = state.mode
    st.session_state["_pending_spec"] = state.spec

with st.sidebar:
    st.header("Data")
    st.multiselect(
        "Datasets shown",
        options=list(sources),
        format_func=source_label,
        key="f_sources",
        placeholder="Pick one or more datasets",
        help="Event files in the data folder, the file the page opened on, the event store and your uploads. "
        "Several datasets are drawn together, each with its own marker shape.",
    )
    with st.expander("Add an event file", expanded="upload_result" in st.session_state):
        st.file_uploader(
            "ACLED, UCDP GED or conflictmap file",
            type=UPLOAD_TYPES,
            key="uploader",
            on_change=read_upload,
            help="CSV, Excel, GeoJSON, GeoPackage or GeoParquet. Rows that cannot be read are listed, "
            "with the reason, in the import report; the others are added.",
        )
        result = st.session_state.get("upload_result")
        if result and "error" in result:
            st.error(f"Could not read {result['name']}: {result['error']}")
        elif result:
            upload = st.session_state["uploads"][result["key"]]
            report: ImportReport = upload["report"]
            message = f"{result['name']}: {report.rows_loaded:,} of {report.rows_read:,} rows loaded"
            if report.rows_rejected:
                st.warning(f"{message}, {report.rows_rejected:,} rejected.")
            else:
                st.success(f"{message}.")
            store_entry = sources.get(STORE_KEY)
            if store_entry is None or "error" not in store_entry:
                st.button(
                    "Import into the event store",
                    key="import_to_store",
                    on_click=import_upload,
                    help="Adds the file's events to the event store; a re-import of the same file changes nothing.",
                )
        imported = st.session_state.get("store_import")
        if imported and "error" in imported:
            st.error(f"Could not import {imported['name']} into the event store: {imported['error']}")
        elif imported:
            st.success(f"Imported into the event store: {imported['name']}")
            st.text(imported["summary"])

chosen = [k for k in st.session_state.get("f_sources", []) if k in sources]
store_live(sources.get(STORE_KEY), chosen)
tables, reports, failures = [], {}, {}
# A PostGIS store shown on its own answers every view with a query; anything else is read into memory.
database = None
for key in chosen:
    entry = sources[key]
    if isinstance(entry, dict) and entry.get("store"):
        if "error" in entry:
            failures[key] = entry["error"]
            continue
        if chosen == [STORE_KEY] and entry.get("backend") == "postgis":
            database = entry
            continue
        try:
            tables.append(
                (
                    key,
                    ("store", entry["changed"], entry["events"]),
                    load_store(store_settings(), entry["changed"], entry["events"]),
                )
            )
        except (StoreError, OSError) as exc:
            failures[key] = exc
        continue
    if isinstance(entry, dict):
        tables.append((key, ("upload", entry["id"]), entry["table"]))
        reports[key] = entry["report"]
        continue
    try:
        file = entry if isinstance(entry, catalog.DatasetFile) else catalog.dataset_file(entry, key)
        events_one, report_one = load_file(str(file.path), file.size, file.modified_ns)
    except READ_ERRORS as exc:
        failures[key] = exc
        continue
    tables.append((key, file.version, events_one))
    reports[key] = report_one

st.title("Conflict events")
for key, exc in failures.items():
    st.error(f"Could not open the event store: {exc}" if key == STORE_KEY else f"Could not open the event file: {exc}")
for problem in st.session_state.get("_url_problems", []):
    st.warning(f"Part of the link was left out: {problem}")
if not tables and database is None:
    if not failures:
        st.info("No dataset is shown: pick one in the sidebar, or add a file.")
    st.stop()
for key, report in reports.items():
    if report.rows_rejected:
        st.warning(
            f"{report.rows_rejected:,} of {report.rows_read:,} rows of {Path(report.source).name} could not be "
            "loaded; see the import report."
        )
        with st.expander(f"Import report: {Path(report.source).name}"):
            st.text(report.summary())
            st.download_button(
                "Rejected rows (CSV)", report.rejections_csv(), file_name="rejected_rows.csv", key=f"rej-{key}"
            )


if database is not None:
    data_key = ((STORE_KEY, ("store", database["changed"], database["events"])),)
    try:
        views = database_views(store_settings())
    except (StoreError, OSError) as exc:
        st.error(f"Could not open the event store: {exc}")
        st.stop()
else:
    data_key = tuple((key, version) for key, version, _ in tables)
    views = memory_views(data_key, tuple(t for _, _, t in tables))
info = ask(choices, data_key, views)
total = info["size"]
if info["span"] is None:
    st.warning("The datasets shown hold no events.")
    st.stop()

if "_pending_spec" in st.session_state:
    apply_spec(st.session_state.pop("_pending_spec"), info)
elif any(k not in st.session_state for k in FILTER_KEYS):
    # A control dropped from the page for a run loses its state: give it back its default only.
    current = dict(st.session_state)
    apply_spec(FilterSpec(), info)
    st.session_state.update({k: current[k] for k in FILTER_KEYS if k in current})
if st.session_state["f_period"] == "all":
    st.session_state["f_dates"] = (info["span"].first, info["span"].last)

# -- filters (sidebar) --------------------------------------------------------------------------------------
spec_now = spec_from_controls()
counts = dict(ask(filter_counts, data_key, query_key(spec_now.to_query_params()), views, spec_now))
counts["total"] = total

with st.sidebar:
    head, reset = st.columns([3, 2], vertical_alignment="bottom")
    head.header("Filters")
    reset.button("Reset", on_click=reset_filters, args=(info,), help="Show every event of the datasets shown")
    st.caption(f"Showing {counts['all']:,} of {total:,} events")

    span = info["span"]
    st.selectbox(
        "Dates",
        options=list(facets.DATE_PRESETS),
        format_func=facets.DATE_PRESETS.get,
        key="f_period",
        on_change=on_period,
        args=(info,),
        help=f"Presets count back from the latest event ({info['latest']:%d %b %Y}).",
    )
    picked = tuple(st.session_state["f_dates"])
    st.date_input(
        "Date range",
        key="f_dates",
        min_value=min(span.first, *picked),
        max_value=max(span.last, *picked),
        on_change=on_dates,
        args=(info,),
        format="YYYY-MM-DD",
        label_visibility="collapsed",
    )
    keeps(counts, "dates")

    type_labels = dict(info["types"])
    st.multiselect(
        "Incident types",
        options=list(type_labels),
        format_func=type_labels.get,
        key="f_types",
        placeholder="All types",
        help="Pick a type for all its sub-types, or single sub-types.",
    )
    keeps(counts, "types")

    actor_labels = dict(zip(info["actors"]["key"], info["actors"]["label"], strict=True))
    # Actors named by a link but absent from the data stay choosable, with 0 events.
    absent = [a for a in st.session_state["f_actors"] if a not in actor_labels]
    extra = facets.actor_choices(schema.empty_events(), absent)
    actor_labels.update(zip(extra["key"], extra["label"], strict=True))
    st.multiselect(
        "Actors",
        options=list(actor_labels),
        format_func=actor_labels.get,
        key="f_actors",
        placeholder="All actors (type to search)",
        help="Aliases are merged (FAMa, Malian army and Military Forces of Mali are one actor); "
        "an alliance includes its members. Most active first.",
    )
    keeps(counts, "actors")

    region_labels = facets.count_labels(info["regions"], st.session_state["f_regions"])
    st.multiselect(
        "Region (admin1)",
        options=list(region_labels),
        format_func=region_labels.get,
        key="f_regions",
        placeholder="All regions",
    )
    keeps(counts, "regions")

    st.number_input("Minimum fatalities", min_value=0, step=1, key="f_min_fatalities")
    keeps(counts, "fatalities")

    st.toggle(
        "Precise only",
        key="f_precise",
        help="Only events placed at the named place (location precision 1) on a known day (date precision 1).",
    )
    keeps(counts, "precision")

    st.text_input("Search", key="f_text", placeholder="Words in notes, actors or places")
    keeps(counts, "text")

    if info.get("actor_types") or st.session_state["f_actor_types"]:
        kind_labels = facets.count_labels(info["actor_types"], st.session_state["f_actor_types"])
        st.multiselect(
            "Actor type",
            options=list(kind_labels),
            format_func=kind_labels.get,
            key="f_actor_types",
            placeholder="All actor types",
            help="ACLED's actor types (actor 1 or 2); UCDP's sides where clear (a government: State forces).",
        )
        keeps(counts, "actor_types")
        pair_labels = facets.count_labels(info["interactions"], st.session_state["f_interactions"])
        st.multiselect(
            "Interaction",
            options=list(pair_labels),
            format_func=pair_labels.get,
            key="f_interactions",
            placeholder="All interactions",
            help="Who against whom, as ACLED codes it: e.g. State forces-Civilians.",
        )
        keeps(counts, "interactions")
    if info.get("unclear") or st.session_state["f_clear_only"]:
        st.toggle(
            "Clear events only",
            key="f_clear_only",
            help=f"Leave out the {info.get('unclear', 0):,} events their source marks unclear "
            "(UCDP: event clarity 2, or a code status to check).",
        )
        keeps(counts, "clarity")

    if len(info["datasets"]) > 1 or st.session_state["f_datasets"]:
        dataset_labels = facets.count_labels(info["datasets"], st.session_state["f_datasets"])
        st.multiselect(
            "Source dataset",
            options=list(dataset_labels),
            format_func=dataset_labels.get,
            key="f_datasets",
            placeholder="All",
        )
        keeps(counts, "datasets")
    carried = st.session_state["f_carried"]
    if carried:
        st.caption("From the link: " + FilterSpec(**carried).describe() + ". Reset clears it.")
        keeps(counts, "area")

spec = spec_from_controls()
spec_key = query_key(spec.to_query_params())
page_state = PageState(spec, tuple(chosen), st.session_state.get("f_mode") or "auto")
wanted = page_state.to_query_params([opening_key])
if query_key(wanted) != st.session_state.get("_url"):
    st.query_params.from_dict(wanted)
    st.session_state["_url"] = query_key(wanted)
    st.session_state["_url_problems"] = []

# The filter as it stands now: the sidebar's counts were made before its last change.
count = counts["all"] if spec == spec_now else ask(filter_counts, data_key, spec_key, views, spec)["all"]

# -- headline ------------------------------------------------------------------------------------------------
names = ", ".join(source_name(k) for k in chosen)
st.caption(f"{spec.describe()} · {count:,} of {total:,} events · {names}")
figures, before = ask(headline, data_key, spec_key, views, spec)
numbers = ask(timeline_view, data_key, spec_key, views, spec)
cols = st.columns(4)
for col, (name, label) in zip(
    cols,
    [("events", "Events"), ("fatalities", "Fatalities"), ("actors", "Distinct actors"), ("locations", "Locations")],
    strict=True,
):
    figure = figures[name]
    delta, colour, arrow = None, "off", "auto"
    if before is not None and figure["change"]:
        pct = "" if figure["change_pct"] is None else f" ({figure['change_pct']:+.0f}%)"
        delta, colour = f"{figure['change']:+,}{pct}", "inverse"
    elif before is not None:
        delta, arrow = "no change", "off"
    # Events and fatalities carry their course over the timeline's periods.
    trend = numbers[2][name].tolist() if name in ("events", "fatalities") and len(numbers[2]) > 1 else None
    col.metric(label, f"{figure['value']:,}", delta=delta, delta_color=colour, delta_arrow=arrow, chart_data=trend)
people = ask(people_nearby, data_key, spec_key, views, spec)
if people is not None:
    st.caption(
        f"About {people:,} people live within 5 km of the selected events "
        "(ACLED's estimates, each place counted once; places close together share people)."
    )
if before is not None:
    st.caption(
        f"Changes against the previous {(spec.date_to - spec.date_from).days + 1} days: "
        f"{before[0]:%d %b %Y} – {before[1]:%d %b %Y}."
    )
else:
    st.caption("Pick a date range to compare with the period before it.")

if missing_assets(SERVED_ASSETS):
    st.warning(
        "The map's Leaflet files are missing, so the map cannot draw. "
        "Run `make assets` (or `python -m conflictmap.assets fetch`) once, with access to the npm registry."
    )

st.segmented_control(
    "Map drawing",
    options=list(MODE_LABELS),
    format_func=MODE_LABELS.get,
    key="f_mode",
    required=True,
    help="Auto draws single events up to a thousand and clusters beyond. Large selections are counted per "
    "area on the server, so the page stays quick.",
)


@st.fragment
def map_panel(ctx: dict) -> None:
    """The map and the selected event beside it; panning, zooming and clicking rerun only this part."""
    views, spec = ctx["views"], ctx["spec"]
    mode = st.session_state.get("f_mode") or "auto"
    left, right = st.columns([5, 2], gap="small")
    with left:
        view = viewport.Viewport.from_map_state(st.session_state.get("event_map"))
        layer_key = (ctx["data_key"], ctx["spec_key"], mode)
        previous = st.session_state.get("_extent")
        keep = previous[1] if previous and previous[0] == layer_key else None
        drawn = ask(map_layer, ctx["data_key"], ctx["spec_key"], mode, repr((view, keep)), views, spec, view, keep)
        st.session_state["_extent"] = (layer_key, drawn.plan.extent)
        try:
            base = livemap.base_map()
            layer = livemap.event_layer(
                drawn.rows,
                drawn.plan,
                datasets=ctx["datasets"],
                fit_key=ctx["fit_key"],
                type_counts=drawn.type_counts,
                dataset_counts=drawn.dataset_counts,
                bounds=drawn.bounds,
            )
        except AssetError as exc:
            st.error(f"The map cannot be drawn offline: {exc}")
            return
        picking = bool(st.session_state.get("pick_on_map"))
        returned = st_folium(
            base,
            key="event_map",
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=MAP_RETURNS,
            feature_group_to_add=layer,
        )
        returned = returned or {}
        point = picked_point(returned.get("last_clicked"), picking)
        if point:
            st.session_state["picked_point"] = point
            st.session_state["ev_use_point"] = True
            # The event form, outside this fragment, shows the point.
            st.rerun()
        clicked = (returned.get("last_object_clicked_popup"), returned.get("last_object_clicked_count"))
        if clicked[0] and clicked != st.session_state.get("_clicked"):
            st.session_state["_clicked"] = clicked
            event_id = details.event_id_from_popup(clicked[0], set(drawn.drawn_ids()))
            if event_id and event_id != st.session_state.get("selected_event"):
                st.session_state["selected_event"] = event_id
                # The whole page reruns, so the table marks the row too.
                st.rerun()
    with right, st.container(height=MAP_HEIGHT, border=True):
        selected = st.session_state.get("selected_event")
        event = ask(event_record, ctx["data_key"], selected, views)
        if event is None:
            st.markdown("**Event details**")
            st.caption("Click an event on the map, or a row in the table below, to see its full record here.")
            return
        st.html(details.details_html(event))
        if not spec.mask(pd.DataFrame([event]))[0]:
            st.caption("This event is outside the current filter.")
        st.button("Clear selection", key="clear_selection", on_click=clear_selection)
        if ctx["database"] or eventform.holds_event(ctx["store_events"], selected):
            history_panel(selected)


map_panel(
    {
        "views": views,
        "spec": spec,
        "data_key": data_key,
        "spec_key": spec_key,
        "datasets": [name for name, _ in info["datasets"]],
        "fit_key": "|".join([*chosen, *spec.admin1, *spec.datasets, str(spec.bbox), spec.text]),
        # The store's events, whose history can be shown (``None`` with the database: every event shown).
        "store_events": None if database is not None else next((t for k, _, t in tables if k == STORE_KEY), None),
        "database": database is not None,
    }
)

# -- timeline ------------------------------------------------------------------------------------------------
st.subheader("Timeline")
freq = numbers[0]
chart_key = f"timeline-{st.session_state.get('timeline_gen', 0)}"
st.altair_chart(
    charts.timeline_chart(None, data=numbers),
    width="stretch",
    key=chart_key,
    on_select=lambda: on_timeline(info, chart_key, freq),
    selection_mode=charts.SELECTION,
)

# -- more: one tab per panel -------------------------------------------------------------------------------
# The panels below the actors render only while their tab is open: they do work and hold buttons.
tab_table, tab_actors, tab_data, tab_export, tab_store, tab_review = st.tabs(
    ["Events", "Actors", "Datasets and import reports", "Export", "Event store", "Article review"],
    key="panel",
    on_change="rerun",
)

with tab_table:
    selected = st.session_state.get("selected_event")
    table = ask(event_table, data_key, spec_key, selected, views, spec)
    rows = []
    if selected:
        hits = (table["ID"] == selected).to_numpy().nonzero()[0]
        rows = [int(hits[0])] if len(hits) else []
    if st.session_state.get("event_table", {}).get("selection", {}).get("rows", []) != rows:
        st.session_state["event_table"] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    st.dataframe(
        table,
        key="event_table",
        on_select=lambda: on_table_select(table["ID"]),
        selection_mode="single-row",
        hide_index=True,
        height="auto" if len(table) <= 10 else 420,
        placeholder="",
        column_config={
            "Date": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "Until": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "Fatalities": st.column_config.NumberColumn(format="%d"),
            "Source": st.column_config.TextColumn(width="medium"),
        },
    )
    if count > TABLE_ROWS:
        st.caption(
            f"The {TABLE_ROWS:,} newest of {count:,} events; narrow the filters to list others. "
            "Click a column heading to sort, a row to see its full record."
        )
    else:
        st.caption("Newest first; click a column heading to sort, a row to see its full record.")
    event = ask(event_record, data_key, selected, views)
    if event is not None:
        st.markdown("**Selected event**")
        st.html(details.details_html(event))

with tab_actors:
    activity = ask(actor_view, data_key, spec_key, views, spec)
    ranking = activity[1]
    if len(ranking):
        st.caption(
            "The most active actors among the filtered events, and when they were active. An event counts "
            "once for each actor in it; spellings of one actor (FAMa, Malian army, ...) are merged."
        )
        bars, heat = charts.actor_charts(None, activity=activity)
        left, right = st.columns([2, 5])
        left.altair_chart(bars, width="stretch")
        right.altair_chart(heat, width="stretch")
        st.dataframe(
            ranking.rename(columns={"display_name": "Actor", "events": "Events", "rank": "Rank"})[
                ["Rank", "Actor", "Events"]
            ],
            hide_index=True,
        )
    else:
        st.info("No actor in the filtered events.")

with tab_data:
    for key in chosen:
        report = reports.get(key)
        if report is None:
            continue
        st.markdown(f"**{source_label(key)}**")
        st.text(
            f"{report.format} file: {report.rows_read:,} rows read, {report.rows_loaded:,} loaded, "
            f"{report.rows_rejected:,} rejected"
        )
        if report.rejected:
            st.dataframe(
                pd.DataFrame(
                    [(r.row, r.column, r.value, r.reason) for r in report.rejected],
                    columns=["Row", "Column", "Value", "Reason"],
                ),
                hide_index=True,
            )
            st.download_button(
                "Rejected rows (CSV)", report.rejections_csv(), file_name=f"{key}-rejected.csv", key=f"dl-{key}"
            )
        for note in report.warnings:
            st.caption(note)

if tab_export.open:
    with tab_export:
        export_panel(
            {"views": views, "spec": spec, "data_key": data_key, "spec_key": spec_key, "count": count},
            wanted,
            [reports.get(k) for k in chosen],
            page_state.mode,
        )

if tab_store.open:
    with tab_store:
        store_panel(sources.get(STORE_KEY), info)

if tab_review.open:
    with tab_review:
        review_panel(lambda candidates: events_near(candidates, views, STORE_KEY in chosen))

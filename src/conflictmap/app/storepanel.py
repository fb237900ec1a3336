"""The event store on the page: the form to add or edit an event, the update from ACLED or UCDP, the deleted
events, a stored event's history and deletion, and the live watch for changes others make.

The writes themselves are ``conflictmap.storeactions`` and ``conflictmap.fetch``; this module draws the
controls and shows what each write returned. A read-only store shows why, and no write control.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from conflictmap import changemap, deletions, eventform, fetch, settings, storeactions
from conflictmap.app import cache, state
from conflictmap.app.context import PageContext
from conflictmap.app.datasets import STORE_KEY, read_only_reason, show_store_changes, store_read_only
from conflictmap.app.text import md_escape
from conflictmap.assets import AssetError
from conflictmap.errors import ConflictmapError
from conflictmap.headlines import plural
from conflictmap.store import StoreError, StoreNotFoundError, open_store

#: How the page names each API.
SOURCE_NAMES: dict[str, str] = {"acled": "ACLED", "ucdp": "UCDP GED"}
#: Earlier queries offered for an update, newest first.
RUNS_SHOWN = 5


def _form_inputs() -> dict[str, object]:
    """Every input of the event form by name (``point``: the point picked on the map)."""
    values = {
        k.removeprefix(state.FORM_PREFIX): v
        for k, v in st.session_state.items()
        if str(k).startswith(state.FORM_PREFIX)
    }
    values["point"] = st.session_state.get(state.PICKED_POINT)
    return values


def _editing() -> storeactions.Editing | None:
    return st.session_state.get(state.EDITING)


def edit_stored_event(event_id: str) -> None:
    """Fill the event form with a stored event, to edit it."""
    read = storeactions.read_for_edit(event_id)
    state.clear_outcome("form")
    if read.error:
        state.post_outcome("form", "error", read.error)
        return
    st.session_state[state.EDITING] = read.editing
    for name, value in read.values.items():
        st.session_state[state.form_key(name)] = value
    st.session_state[state.PLACE_PICK] = None
    st.session_state[state.PROBLEMS] = {}
    st.session_state[state.PANEL] = "Event store"


def new_event_form() -> None:
    state.clear_outcome("form")
    for key in [k for k in st.session_state if str(k).startswith(state.FORM_PREFIX)]:
        del st.session_state[key]


def save_event(choices: list) -> None:
    """Check the form's values and add or edit the event in the store (a callback)."""
    values = {name: st.session_state.get(state.form_key(name)) for name in eventform.EDITABLE}
    pick = st.session_state.get(state.PLACE_PICK)
    place = choices[pick] if pick is not None and pick < len(choices) else None
    point = st.session_state.get(state.PICKED_POINT) if st.session_state.get(state.USE_POINT) else None
    result = storeactions.save_event(
        values, place=place, point=point, editing=_editing(), reason=st.session_state.get(state.REASON)
    )
    st.session_state[state.PROBLEMS] = result.problems
    st.session_state[state.PROBLEM_VALUES] = _form_inputs()
    if result.saved and result.editing is not None:
        st.session_state[state.EDITING] = result.editing
    elif result.saved and result.kind == "success":
        # An empty form for the next event: a second click cannot add the same one twice.
        new_event_form()
    state.post_outcome("form", result.kind, result.message)
    if result.saved:
        show_store_changes(result.event_id)


def field_problem(field: str, still: dict[str, str]) -> None:
    message = still.get(field)
    if message:
        st.error(md_escape(message))


def store_panel(ctx: PageContext) -> None:
    """Import into the store, and the form to add or edit one event."""
    store_entry: cache.StoreEntry | None = ctx.data.sources.entries.get(STORE_KEY)
    if store_entry is not None and store_entry.error:
        st.error(f"The event store cannot be opened: {md_escape(store_entry.error)}")
        return
    where = store_entry.where if store_entry else settings.get("CONFLICTMAP_STORE")
    held = plural(store_entry.events, "event") if store_entry else "no events yet; it is created on the first save"
    st.caption(f"Event store: {md_escape(where)} ({held}). Every change is kept in the event's history.")
    locked = read_only_reason(store_entry)
    if locked:
        st.info(f"The event store is read-only: {md_escape(locked)}", icon=":material/lock:")
        st.caption(
            "Its events can be shown and exported; adding, editing, importing, updating, deleting and "
            "restoring are off."
        )
        deleted_panel(store_entry, writable=False)
        return
    event_form(ctx)
    st.divider()
    st.markdown("**Import a file into the store**")
    st.caption(
        "Use the sidebar's “Add an event file”: once a file is read, “Import into the event store” adds "
        "its events (a re-import of the same file changes nothing; newer versions replace older ones and "
        "are kept in the history)."
    )
    update_panel()
    deleted_panel(store_entry)


def event_form(ctx: PageContext) -> None:
    """The form to add an event, or to edit the stored event picked."""
    editing = _editing()
    head, new = st.columns([4, 1], vertical_alignment="bottom")
    head.markdown(f"**Edit event {md_escape(editing.event_id)}**" if editing else "**Add an event**")
    if editing:
        new.button("New event instead", key="ev_new", on_click=new_event_form)
    state.show_outcome("form")
    # A field's message goes once the field is changed: it was about the value it held then.
    still = storeactions.open_problems(
        st.session_state.get(state.PROBLEMS, {}), st.session_state.get(state.PROBLEM_VALUES, {}), _form_inputs()
    )

    left, right = st.columns(2)
    with left:
        st.text_input("Place", key=state.PLACE_TEXT, placeholder="Type a town, quarter or region of Mali")
        choices = eventform.place_choices(st.session_state.get(state.PLACE_TEXT) or "")
        if choices:
            st.selectbox(
                "Matching places",
                options=range(len(choices)),
                format_func=lambda i: choices[i].label,
                key=state.PLACE_PICK,
                index=None if editing else 0,
                placeholder="Keep the event's place" if editing else "Pick a place",
            )
        elif (st.session_state.get(state.PLACE_TEXT) or "").strip() and not editing:
            st.caption("No place of the gazetteer matches; check the spelling, or click the point on the map.")
        st.toggle(
            "Pick the point on the map",
            key=state.PICK_ON_MAP,
            help="Then click the map above: the point refines the place, or places the event on its own.",
        )
        point = st.session_state.get(state.PICKED_POINT)
        if point:
            st.checkbox(f"Use the point clicked: {point[0]:.4f}, {point[1]:.4f}", key=state.USE_POINT, value=True)
        for field in ("place", "latitude", "longitude", "admin1"):
            field_problem(field, still)
        d1, d2 = st.columns(2)
        d1.date_input("Date", key=state.form_key("event_date"), value=None, format="YYYY-MM-DD")
        d2.date_input("Until (optional)", key=state.form_key("date_end"), value=None, format="YYYY-MM-DD")
        field_problem("event_date", still)
        field_problem("date_end", still)
        st.selectbox(
            "Date precision",
            options=list(eventform.TIME_PRECISION_LABELS),
            format_func=eventform.TIME_PRECISION_LABELS.get,
            key=state.form_key("time_precision"),
        )
        field_problem("time_precision", still)
    with right:
        st.selectbox(
            "Type", options=eventform.EVENT_TYPES, key=state.form_key("event_type"), index=None, placeholder="Pick"
        )
        field_problem("event_type", still)
        subs = eventform.sub_types(st.session_state.get(state.form_key("event_type")))
        if st.session_state.get(state.form_key("sub_event_type")) not in subs:
            st.session_state[state.form_key("sub_event_type")] = None
        st.selectbox("Sub-type", options=subs, key=state.form_key("sub_event_type"), index=None, placeholder="Pick")
        field_problem("sub_event_type", still)
        known = eventform.actor_choices(ctx.data.info["actors"]["display_name"])
        for name in ("actor1", "actor2"):
            current = st.session_state.get(state.form_key(name))
            options = known if current in (None, "") or current in known else [current, *known]
            st.selectbox(
                eventform.FIELD_LABELS[name],
                options=options,
                key=state.form_key(name),
                index=None,
                accept_new_options=True,
                placeholder="Pick or type a new name",
            )
            field_problem(name, still)
        st.number_input("Fatalities", min_value=0, step=1, key=state.form_key("fatalities"))
        field_problem("fatalities", still)
    st.text_input("Source (required)", key=state.form_key("source"), placeholder="Who reported it: outlet, date, link")
    field_problem("source", still)
    st.text_area("Notes", key=state.form_key("notes"), height=90)
    field_problem("notes", still)
    st.text_input("Reason for the change (optional, kept in the history)", key=state.REASON)
    st.button(
        "Save changes" if editing else "Add event",
        key="ev_save",
        type="primary",
        on_click=save_event,
        args=(choices,),
    )


# -- updating from ACLED and UCDP ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateShown:
    """What the last update gave, as the page keeps it: no credentials, only counts, message and changed events."""

    what: str
    new: int = 0
    changed: int = 0
    deleted: int = 0
    message: str = ""
    events: gpd.GeoDataFrame | None = None
    error: str | None = None


def _run_label(run: dict[str, object]) -> str:
    name = SOURCE_NAMES.get(str(run["source"]), str(run["source"]))
    release = f" {run['version']}" if run.get("version") else ""
    when = str(run.get("finished_at") or "")[:16].replace("T", " ")
    return f"{name}{release}, country {run['country']} (last run {when} UTC)"


def _previous_runs() -> tuple[list[dict[str, object]], str | None]:
    """The queries fetched into this store before, newest first, and why they cannot be listed."""
    try:
        with open_store(create=False) as store:
            return fetch.last_runs(store)[:RUNS_SHOWN], None
    except StoreNotFoundError:
        return [], None
    except (StoreError, OSError, ValueError) as exc:
        return [], str(exc)


def run_update(source: str, country: str, version: str | None, given: dict[str, str]) -> None:
    """Download what changed and bring the store up to date, with a progress bar; keep what it gave.

    ``given`` holds the credentials typed in the form: used for this one call, then emptied.
    """
    what = f"{SOURCE_NAMES[source]}, country {country}" + (f", release {version}" if version else "")
    bar = st.progress(0.0, text=md_escape(f"Asking {what}..."))

    def told(step: fetch.FetchProgress) -> None:
        # Pages in all are known for UCDP only; ACLED's bar creeps towards the end.
        fraction = step.pages / step.total_pages if step.total_pages else 1 - 1 / (step.pages + 1)
        stage = "deleted events" if step.stage == "deleted" else "events"
        text = f"{stage}: {step.message} ({step.rows:,} rows so far)"
        bar.progress(min(max(fraction, 0.0), 0.99), text=md_escape(text))

    try:
        credentials = fetch.credentials_for(source, given=given)
        with open_store() as store:
            update = fetch.update_store(
                store, source, country=country, version=version, credentials=credentials, progress=told
            )
    except (ConflictmapError, ValueError, OSError) as exc:
        # The fetch's messages name what failed and never a credential.
        shown = UpdateShown(what, error=str(exc))
    else:
        shown = UpdateShown(what, update.new, update.changed, update.deleted, update.message, update.events)
    finally:
        given.clear()
        bar.empty()
    st.session_state[state.STORE_UPDATE] = shown
    if shown.error is None and (shown.new or shown.changed or shown.deleted):
        show_store_changes()


def show_update() -> None:
    """What the last update gave: the counts, its message and a map of the events it changed."""
    shown: UpdateShown | None = st.session_state.get(state.STORE_UPDATE)
    if shown is None:
        return
    if shown.error:
        st.error(f"Could not update from {md_escape(shown.what)}: {md_escape(shown.error)}")
        return
    new, changed, deleted = st.columns(3)
    new.metric("New events", f"{shown.new:,}")
    changed.metric("Changed events", f"{shown.changed:,}")
    deleted.metric("Deleted events", f"{shown.deleted:,}")
    st.success(md_escape(shown.message))
    if shown.events is not None and len(shown.events):
        try:
            small = changemap.change_map(shown.events)
        except (AssetError, ValueError) as exc:
            st.caption(f"The map of the changes cannot be drawn: {md_escape(exc)}")
        else:
            st_folium(small, key="update_map", height=340, use_container_width=True, returned_objects=[])


def update_form(form_key: str, source: str, country: str | None = None, version: str | None = None) -> None:
    """A form asking the credentials the settings lack, and the query when it is a new one; its button updates.

    The form clears on submit, and the credentials' keys are dropped once the update returned: what was
    typed lives in the session for that one call only.
    """
    missing = fetch.missing_credentials(source)
    keys = {name: f"up_{form_key}_{name}" for name, _, _ in missing}
    country_in, version_in = country, version
    with st.form(form_key, clear_on_submit=True, border=country is None):
        if country is None:
            if source == "acled":
                country_in = st.text_input("Country (ACLED's name)", value="Mali", key=f"up_{form_key}_country")
                version_in = None
            else:
                left, right = st.columns(2)
                country_in = left.text_input("Country (Gleditsch-Ward code)", value="432", key=f"up_{form_key}_country")
                version_in = right.text_input("GED release", value="25.1", key=f"up_{form_key}_version")
        for name, label, secret in missing:
            st.text_input(label, type="password" if secret else "default", key=keys[name], autocomplete="off")
        if missing:
            st.caption("Used for this update only: not kept in the page, the settings or any file.")
        button = f"Update from {SOURCE_NAMES[source]}" if country is None else "Update"
        submitted = st.form_submit_button(button, icon=":material/sync:")
    if not submitted:
        return
    given = {name: str(st.session_state.pop(key, "") or "") for name, key in keys.items()}
    run_update(source, str(country_in or "").strip(), str(version_in or "").strip() or None, given)
    st.rerun()


def update_panel() -> None:
    """The section "Update from ACLED/UCDP": the last update's outcome, a button per earlier query, and a new query."""
    st.divider()
    st.markdown("**Update from ACLED/UCDP**")
    st.caption(
        "Downloads what the source added, changed or deleted since the last update of the query (the first "
        "update downloads the whole country) and brings the store up to date; earlier versions stay in the history."
    )
    show_update()
    runs, problem = _previous_runs()
    if problem:
        st.caption(f"The earlier updates cannot be listed: {md_escape(problem)}")
    for number, run in enumerate(runs):
        st.markdown(md_escape(_run_label(run)))
        update_form(f"up_run_{number}", str(run["source"]), str(run["country"]), run.get("version") or None)
    with st.expander("A new query", expanded=not runs):
        source = st.radio(
            "Source", options=list(SOURCE_NAMES), format_func=SOURCE_NAMES.get, key="up_source", horizontal=True
        )
        update_form(f"up_new_{source}", source)


# -- deleting and restoring ----------------------------------------------------------------------------------


def deleted_panel(store_entry: cache.StoreEntry | None, writable: bool = True) -> None:
    """The deleted events, who deleted each, when and why, each with "Restore" (when the store can be written)."""
    st.divider()
    st.markdown("**Deleted events**")
    state.show_messages("deleted")
    if store_entry is None:
        st.caption(deletions.deleted_caption(0, 0))
        return
    try:
        deleted = cache.deleted_list(cache.store_settings(), store_entry.changed)
    except (StoreError, OSError) as exc:
        st.error(f"The deleted events cannot be listed: {md_escape(exc)}")
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
        if not writable:
            continue
        columns[-1].button(
            "Restore",
            key=f"restore-{row.event_id}",
            on_click=restore_stored_event,
            args=(row.event_id, row.version),
            help="Put the event back on the map; its history keeps the deletion and the restoration.",
        )


def restore_stored_event(event_id: str, version: int) -> None:
    """Undelete one event, based on the version the list showed (a callback)."""
    result = storeactions.restore_event(event_id, version)
    state.post("deleted", result.kind, result.message)
    if result.done:
        show_store_changes(event_id)
    else:
        cache.forget_store_state()


def delete_stored_event(event_id: str, version: int, reason: str) -> bool:
    """Delete one event, based on the version the page showed; ``False`` (and why, kept for the page) if not done."""
    result = storeactions.delete_event(event_id, version, reason)
    cache.forget_store_state()
    if result.done:
        state.post("toast", "success", result.message, icon=":material/delete:")
        if st.session_state.get(state.SELECTED) == event_id:
            st.session_state[state.SELECTED] = None
    elif result.still_shown:
        state.post("details", "error", result.message, about=event_id)
    else:
        # Gone from the map once the page looks again: its details, where the message would go, with it.
        state.post("toast", "error", result.message, icon=":material/error:")
    return result.done


def delete_form(event_id: str, version: int) -> None:
    """A reason, a confirmation and the button that deletes the event."""
    st.markdown("**Delete this event?**")
    st.caption(
        "The event leaves the map, the counts and the exports. It is kept, with its history, and can be "
        "restored from the Event store tab."
    )
    reason = st.text_input(
        "Reason (required, kept in the history)", key=f"{state.DELETE_REASON_PREFIX}{event_id}", max_chars=500
    )
    confirmed = st.checkbox("Yes, delete this event", key=f"{state.DELETE_SURE_PREFIX}{event_id}")
    if st.button("Delete", key=f"delete-{event_id}", type="primary", icon=":material/delete:"):
        problem = deletions.delete_problem(reason, confirmed)
        if problem:
            st.error(md_escape(problem))
            return
        if delete_stored_event(event_id, version, reason.strip()):
            for key in (f"{state.DELETE_REASON_PREFIX}{event_id}", f"{state.DELETE_SURE_PREFIX}{event_id}"):
                st.session_state.pop(key, None)
        # The button sits in the map's fragment; the map and the counts are outside it.
        st.rerun(scope="app")


def history_panel(event_id: str) -> None:
    """A stored event's changes, newest first, and buttons to edit or delete it."""
    history = storeactions.event_history(event_id)
    if history.error:
        st.caption(f"No history: {md_escape(history.error)}")
        return
    state.show_messages("details", about=event_id)
    with st.expander(f"Change history ({len(history.table)})"):
        st.dataframe(eventform.history_table(history.table), hide_index=True)
    locked = store_read_only()
    if locked:
        st.caption(f"The event store is read-only, so this event cannot be edited or deleted: {md_escape(locked)}")
        return
    if st.button("Edit this event", key=f"edit-{event_id}", icon=":material/edit:"):
        edit_stored_event(event_id)
        # The button sits in the map's fragment; the form is outside it.
        st.rerun(scope="app")
    # A deletion is based on the version the page showed when the button was drawn, not on what the
    # store holds when the click comes in: someone may have changed the event in between.
    shown = st.session_state.setdefault(state.VERSIONS_SHOWN, {})
    seen, shown[event_id] = shown.get(event_id, history.version), history.version
    with st.popover("Delete this event", icon=":material/delete:"):
        delete_form(event_id, seen)


# -- the live watch ----------------------------------------------------------------------------------------


def store_live(data_sources: dict, chosen: list[str]) -> None:
    """What the store did for this page (as toasts), and, while the store is shown, the watch for others' changes."""
    state.show_messages("toast")
    store_entry = data_sources.get(STORE_KEY)
    shown = STORE_KEY in chosen or st.session_state.get(state.PANEL) == "Event store"
    if store_entry is None or not shown:
        return
    every, problem = cache.refresh_setting()
    with st.sidebar:
        if problem:
            st.warning(md_escape(problem))
        if every:
            st.session_state[state.PAGE_RUN] = True
            try:
                st.fragment(store_watch, run_every=every)(store_entry.changed, every)
            finally:
                st.session_state[state.PAGE_RUN] = False


def store_watch(seen: str, every: float) -> None:
    """Every ``every`` seconds, look whether the store changed since the page read it; if so, show it."""
    st.caption(f"Live: changes others make to the event store show within {every:g} s.")
    # Drawn with the whole page, it only draws: rerunning the page then would drop a button click
    # that page run is carrying. Its own runs look, and the page follows at most one interval later.
    if st.session_state.get(state.PAGE_RUN):
        return
    if cache.read_store_token()[0] != seen:
        cache.forget_store_state()
        st.rerun(scope="app")

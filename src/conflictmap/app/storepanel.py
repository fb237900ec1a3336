"""The event store on the page: the form to add or edit an event, the deleted events, a stored event's history
and deletion, and the live watch for changes others make.

The writes themselves are ``conflictmap.storeactions``; this module draws the
controls and shows what each write returned.
"""

from __future__ import annotations

import streamlit as st

from conflictmap import deletions, eventform, settings, storeactions
from conflictmap.app import cache, state
from conflictmap.app.context import PageContext
from conflictmap.app.datasets import STORE_KEY, show_store_changes
from conflictmap.app.text import md_escape
from conflictmap.headlines import plural
from conflictmap.store import StoreError


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
    if read.error:
        state.post("form", "error", read.error)
        return
    st.session_state[state.EDITING] = read.editing
    for name, value in read.values.items():
        st.session_state[state.form_key(name)] = value
    st.session_state[state.PLACE_PICK] = None
    st.session_state[state.PROBLEMS] = {}
    st.session_state[state.PANEL] = "Event store"


def new_event_form() -> None:
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
    state.post("form", result.kind, result.message)
    if not result.saved:
        return
    if result.editing is not None:
        st.session_state[state.EDITING] = result.editing
    elif result.kind == "success":
        # An empty form for the next event: a second click cannot add the same one twice.
        new_event_form()
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
    editing = _editing()
    head, new = st.columns([4, 1], vertical_alignment="bottom")
    head.markdown(f"**Edit event {md_escape(editing.event_id)}**" if editing else "**Add an event**")
    if editing:
        new.button("New event instead", key="ev_new", on_click=new_event_form)
    state.show_messages("form")
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

    st.divider()
    st.markdown("**Import a file into the store**")
    st.caption(
        "Use the sidebar's “Add an event file”: once a file is read, “Import into the event store” adds "
        "its events (a re-import of the same file changes nothing; newer versions replace older ones and "
        "are kept in the history)."
    )
    deleted_panel(store_entry)


# -- deleting and restoring ----------------------------------------------------------------------------------


def deleted_panel(store_entry: cache.StoreEntry | None) -> None:
    """The deleted events, who deleted each, when and why, each with "Restore"."""
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

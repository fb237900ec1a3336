"""Every session-state key the page uses, and the one queue of messages for the user.

Widgets are keyed by their group's prefix (``f_`` filters, ``ev_`` the event
form, ``rv_`` article review, ``x_`` export); the page's own bookkeeping starts
with ``_``. A callback that has something to say posts it to ``MESSAGES``
with the place it belongs (``show_messages(where)`` draws it there, once);
every message is escaped: it may quote a file name, a value or an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import streamlit as st

from conflictmap import facets
from conflictmap.app.text import md_escape

# -- what the user sees and sets -------------------------------------------------------------------------------
SOURCES = "f_sources"  # the datasets shown
MODE = "f_mode"  # the map's drawing
PERIOD, DATES = "f_period", "f_dates"
TYPES, ACTORS, REGIONS, DATASETS = "f_types", "f_actors", "f_regions", "f_datasets"
CARRIED = "f_carried"  # filters from a link that have no control (the area)
FILTER_KEYS = tuple(f"f_{name}" for name in facets.CONTROLS)
SELECTED = "selected_event"
AREA_MEASURE, AREA_CHANGE = "map_area_measure", "map_area_change"  # the Areas mode: what colours the areas
AREA_LEVEL = "map_area_level"  # the Areas mode: regions (admin1) or cercles (admin2)
AREA_PUBLISHED = "map_area_published"  # the Areas mode colours the uploaded aggregates, not the events
PLAY_STEP, PLAY_MODE = "map_play_step", "map_play_mode"  # playback: day/week/month, window/cumulative
PLAY_REPORT = "x_play_report"  # the frame report taken last (each is taken once)
PLAY_FRAME = "x_play_frame"  # the frame the map's playback control shows: ((step, mode, data, filter), index)
PANEL = "panel"  # the open tab
MAP = "event_map"
TABLE = "event_table"
UPLOADER = "uploader"
UPLOADS = "uploads"  # key -> UploadedTable of this browser tab
AGGREGATES = "aggregates"  # key -> UploadedAggregates of this browser tab (counts without points)
UPLOAD_RESULT = "upload_result"  # what reading the last upload gave
STORE_IMPORT = "store_import"  # what importing it into the store gave
PICK_ON_MAP, PICKED_POINT = "pick_on_map", "picked_point"
MIN_FATALITIES, PRECISE, TEXT = "f_min_fatalities", "f_precise", "f_text"
EXPORT_RESULT = "x_result"
# The export tab's widgets.
EXPORT_KIND, EXPORT_TITLE, EXPORT_DPI, EXPORT_LAYOUT = "x_kind", "x_title", "x_dpi", "x_layout"
EXPORT_PREPARE, EXPORT_DOWNLOAD = "x_prepare", "x_download"
COUNTS_RESULT = "x_counts_result"  # the aggregates-only download prepared
ANIMATION_RESULT = "x_anim_result"  # the animation prepared
UPLOAD_INFO = "upload_info"  # key -> SourceInfo (name, SHA-256, size) of each upload, for provenance
STORE_UPDATE = "store_update"  # what the last update from ACLED/UCDP gave (no credentials); its widgets: ``up_``
TIMELINE_GEN = "timeline_gen"  # a new timeline key clears its drawn interval

# -- the event form (``ev_<field>`` holds each field) ------------------------------------------------------
FORM_PREFIX = "ev_"
EDITING = "ev_edit"  # the stored event being edited: id, version, values before
PROBLEMS = "ev_problems"  # field -> what is wrong with it
PLACE_TEXT, PLACE_PICK, USE_POINT, REASON = "ev_place_text", "ev_place_pick", "ev_use_point", "ev_reason"
PROBLEM_VALUES = "_ev_problem_values"  # the values the problems were found in
# Per stored event: the deletion's reason and confirmation (``<prefix><event id>``).
DELETE_REASON_PREFIX, DELETE_SURE_PREFIX = "del_reason-", "del_sure-"


def form_key(field: str) -> str:
    """The event form's widget for ``field``."""
    return f"{FORM_PREFIX}{field}"


# -- article review ----------------------------------------------------------------------------------------
REVIEW_RESULT = "rv_result"
REVIEW_EDITOR_GEN = "rv_editor_gen"  # a new editor key starts the editor from the new candidates
REVIEW_TEXT, REVIEW_FILE, REVIEW_PUBLISHED = "rv_text", "rv_file", "rv_published"
REVIEW_SOURCE, REVIEW_LANG, REVIEW_EXTRACT, REVIEW_SAVE = "rv_source", "rv_lang", "rv_extract", "rv_save"
REVIEW_EDITOR_PREFIX, REVIEW_MAP = "rv_editor-", "review_map"
PLACE_CHOICE_PREFIX = "rv_place-"  # + editor generation, candidate id and place name: the place picked

# -- the page's bookkeeping --------------------------------------------------------------------------------
URL = "_url"  # the query string the page last wrote or read
URL_PROBLEMS = "_url_problems"
PENDING_SPEC = "_pending_spec"  # a filter from a link, applied once the data's choices are known
DATE_NOTE = "_date_note"  # what was changed in a link's dates beyond the data, and the dates it gave
SOURCE_TABLE = "_sources"  # key -> entry of every dataset offered
STORE_SEEN = "_store_seen"
SHOW_STORE = "_show_store"  # something was just written to the store: show it
PAGE_RUN = "_page_run"
EXTENT = "_extent"  # the map's layer and the extent it was drawn for
CLICKED = "_clicked"  # the last map click handled
AREA_CLICKED = "_area_clicked"  # the last click on an area handled
BOX_DRAWN = "_box_drawn"  # the last box drawn on the map that was taken as the filter
CLICK_BEFORE_PICK = "_click_before_pick"
VERSIONS_SHOWN = "_versions_shown"
MESSAGES = "_messages"
OUTCOMES = "_outcomes"  # where -> the last outcome of a write shown there, until that place is used again

Where = Literal["page", "form", "deleted", "review", "details", "toast"]
Kind = Literal["error", "warning", "info", "success"]


@dataclass(frozen=True)
class Message:
    """One thing to tell the user, where to say it (``about``: the event it concerns), and a toast's icon."""

    where: Where
    kind: Kind
    text: str
    icon: str | None = None
    about: str | None = None


def post(where: Where, kind: Kind, text: str, icon: str | None = None, about: str | None = None) -> None:
    """Queue ``text`` (plain text: it is escaped when shown) for ``where``."""
    st.session_state.setdefault(MESSAGES, []).append(Message(where, kind, text, icon, about))


def take(where: Where, about: str | None = None) -> list[Message]:
    """The messages queued for ``where`` (and ``about``), removed from the queue."""
    queue: list[Message] = st.session_state.get(MESSAGES, [])
    mine = [m for m in queue if m.where == where and m.about == about]
    st.session_state[MESSAGES] = [m for m in queue if m not in mine]
    return mine


def show_messages(where: Where, about: str | None = None) -> None:
    """Draw, once, the messages queued for ``where`` (toasts as toasts)."""
    for message in take(where, about):
        if where == "toast":
            st.toast(md_escape(message.text), icon=message.icon)
        else:
            getattr(st, message.kind)(md_escape(message.text), icon=message.icon)


def get(key: str, default=None):
    """``st.session_state.get``, for the keys above."""
    return st.session_state.get(key, default)


def post_outcome(where: Where, kind: Kind, text: str) -> None:
    """Keep ``text`` as what the last write at ``where`` gave, shown on every run until ``clear_outcome``.

    A write's confirmation must survive the reruns that follow it (the live refresh of the store,
    another control changed), or the user may never see it.
    """
    st.session_state.setdefault(OUTCOMES, {})[where] = Message(where, kind, text)


def show_outcome(where: Where) -> None:
    """Draw the outcome kept for ``where``, if any (it stays)."""
    message: Message | None = st.session_state.get(OUTCOMES, {}).get(where)
    if message is not None:
        getattr(st, message.kind)(md_escape(message.text), icon=message.icon)


def clear_outcome(where: Where) -> None:
    """Forget the outcome kept for ``where``: the place is used for something else now."""
    st.session_state.get(OUTCOMES, {}).pop(where, None)

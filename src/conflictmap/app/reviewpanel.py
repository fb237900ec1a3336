"""The article review tab: paste or upload an article, review its candidate events, save the accepted ones."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from conflictmap import eventform, mapview, nearby, review, reviewing, schema, storeactions
from conflictmap.app import cache, state
from conflictmap.app.context import PageContext
from conflictmap.app.datasets import STORE_KEY, show_store_changes
from conflictmap.app.text import md_escape
from conflictmap.assets import AssetError
from conflictmap.extract import evidence_html
from conflictmap.headlines import plural
from conflictmap.store import open_store

LANGUAGES = {"auto": "Detect", "en": "English", "fr": "French"}
REVIEW_COLOURS = (
    "<style>.evidence mark{padding:0 2px;border-radius:3px}.evidence .ev-place{background:#cde7ff}"
    ".evidence .ev-date{background:#ffe2b8}.evidence .ev-actor{background:#d9f2d0}"
    ".evidence .ev-what{background:#f3d6f0}.evidence .ev-fatalities{background:#ffd0d0}</style>"
)


def _stored_events(window) -> pd.DataFrame:
    """The store's events in ``window`` (for duplicates), when the store is there to ask."""
    entry = cache.store_state(cache.store_settings())
    if entry is None or entry.error:
        return schema.empty_events()
    with open_store(create=False) as store:
        return store.query(window)


def extract_article(ctx: PageContext) -> None:
    """Read the pasted or uploaded article and keep its candidate events for review."""
    uploaded = st.session_state.get(state.REVIEW_FILE)
    shown = ctx.views.events
    stored = None if STORE_KEY in ctx.data.chosen else _stored_events
    st.session_state[state.REVIEW_RESULT] = reviewing.review_article(
        st.session_state.get(state.REVIEW_TEXT) or "",
        file_name=uploaded.name if uploaded is not None else None,
        file_data=uploaded.getvalue() if uploaded is not None else None,
        published=st.session_state.get(state.REVIEW_PUBLISHED),
        source=st.session_state.get(state.REVIEW_SOURCE) or "",
        lang=st.session_state.get(state.REVIEW_LANG) or "auto",
        existing=lambda candidates: nearby.events_near(candidates, shown, stored),
    )
    st.session_state[state.REVIEW_EDITOR_GEN] = st.session_state.get(state.REVIEW_EDITOR_GEN, 0) + 1


def choose_places(reviewed) -> None:
    """Per candidate whose place name stands for several places, a choice of them; the one picked moves it.

    The first choice is where extraction placed the event; the others are the gazetteer's (and the data's)
    places of the same name, nearest first, with their commune, cercle and region.
    """
    ambiguous = []
    for cid, name, lat, lon in zip(
        reviewed["event_id"].astype(str), reviewed["location"], reviewed["latitude"], reviewed["longitude"], strict=True
    ):
        choices = review.place_alternatives(name, lat, lon)
        if choices:
            ambiguous.append((cid, str(name), choices))
    if not ambiguous:
        return
    st.markdown("**Places with several matches**")
    st.caption(
        "Several places share these names. The first is where the event was placed from the article's context; "
        "pick another to move the event there (its region, cercle and point follow)."
    )
    gen = st.session_state.get(state.REVIEW_EDITOR_GEN, 0)
    for cid, name, choices in ambiguous:
        by_key = {c.key: c for c in choices}
        picked = st.selectbox(
            md_escape(f"{cid}: {name} ({len(choices)} places)"),
            options=list(by_key),
            format_func=lambda key, by_key=by_key: by_key[key].label,
            key=f"{state.PLACE_CHOICE_PREFIX}{gen}-{cid}-{name}",
        )
        if picked is not None and picked != choices[0].key:
            review.move_to(reviewed, cid, by_key[picked])


def review_panel(ctx: PageContext) -> None:
    """Paste or upload an article, review its candidate events, save the accepted ones into the store."""
    st.caption(
        "Paste a dispatch about Mali (English or French) or upload a .txt or .html file: the events it reports "
        "are placed with the gazetteer, dated from the publication date and shown here for review. Nothing is "
        "saved until you press “Save accepted”."
    )
    left, right = st.columns([3, 2])
    left.text_area("Article text", key=state.REVIEW_TEXT, height=200, placeholder="Paste the article here")
    with right:
        st.file_uploader("…or upload it", type=["txt", "html", "htm"], key=state.REVIEW_FILE)
        st.date_input("Published on", key=state.REVIEW_PUBLISHED, value=None, format="YYYY-MM-DD")
        st.text_input("Source", key=state.REVIEW_SOURCE, placeholder="Outlet name, e.g. Journal du Mali")
        st.segmented_control(
            "Language", options=list(LANGUAGES), format_func=LANGUAGES.get, key=state.REVIEW_LANG, default="auto"
        )
    if st.button("Extract events", key=state.REVIEW_EXTRACT, type="primary"):
        with st.spinner("Reading the article..."):
            extract_article(ctx)
    result: reviewing.ReviewResult | None = st.session_state.get(state.REVIEW_RESULT)
    if not result:
        return
    if result.error:
        st.error(f"Could not read the article: {md_escape(result.error)}")
        return
    candidates = result.candidates
    if not len(candidates):
        st.info("No event found in this article.")
        return
    st.markdown(f"**{plural(len(candidates), 'candidate event')}** from {md_escape(result.source)}")
    editor_key = f"{state.REVIEW_EDITOR_PREFIX}{st.session_state.get(state.REVIEW_EDITOR_GEN, 0)}"
    edited = st.data_editor(
        result.table,
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
        st.warning(md_escape(f"{cid}: {text}"))
    choose_places(reviewed)
    try:
        small = mapview.build_map(reviewed, title="Candidate events")
    except AssetError as exc:
        st.error(f"The map cannot be drawn offline: {md_escape(exc)}")
    else:
        st_folium(small, key=state.REVIEW_MAP, height=360, use_container_width=True, returned_objects=[])
    st.html(REVIEW_COLOURS)
    for position, (cid, row) in enumerate(reviewed.set_index(reviewed["event_id"].astype(str)).iterrows(), 1):
        flag = " · ⚠ likely duplicate" if result.table.loc[cid, review.DUPLICATE] else ""
        st.markdown(f"**{position}.** {md_escape(cid)} · confidence {row['confidence']:.2f}{flag}")
        # evidence_html escapes every character of the article; only its own <mark> tags are HTML.
        st.markdown(evidence_html(row), unsafe_allow_html=True)
    for cid, outcome in result.saved.items():
        st.caption(md_escape(f"{cid}: {outcome}"))
    if st.button("Save accepted", key=state.REVIEW_SAVE, type="primary"):
        saved = storeactions.save_candidates(review.accepted_fields(reviewed, edited, source=result.source))
        if saved.error:
            st.error(md_escape(saved.message))
            return
        result.saved.update(saved.outcomes)
        state.post("review", "success", saved.message)
        show_store_changes(saved.saved[0] if saved.saved else None)
        st.rerun()
    state.show_messages("review")

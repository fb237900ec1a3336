"""The tabs below the timeline: the events table, the actors, the datasets' import reports, and the panels
(export, event store, article review) that draw only while their tab is open.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from conflictmap import charts, details
from conflictmap.app import cache, datasets, exportpanel, reviewpanel, state, storepanel
from conflictmap.app.context import PageContext
from conflictmap.app.text import md_escape
from conflictmap.filters import FilterSpec
from conflictmap.headlines import plural
from conflictmap.pageviews import DatabaseViews

TABS = ["Events", "Actors", "Datasets and import reports", "Export", "Event store", "Article review"]
#: More filtered events than this in the database are read for the suspect rows only when asked.
SUSPECT_READ_MAX = 50_000
#: The places of datasets up to this size are learned for geocoding (a bigger store would take too long to read).
LEARN_MAX_EVENTS = 250_000
#: What the gazetteer learns from: only these columns of the precisely located events are read.
LEARNED_COLUMNS = (
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "admin1",
    "admin2",
    "admin3",
    "country",
    "dataset",
    "event_id",
)


def learn_places(ctx: PageContext) -> None:
    """Teach the gazetteer the precisely located places of the datasets shown, once per version of them, so the
    article review and the event form find the data's own villages."""
    if ctx.data.total > LEARN_MAX_EVENTS:
        return
    precise = FilterSpec(max_geo_precision=1)
    try:
        cache.learn_places(ctx.data_key, ctx.views.columns(precise, LEARNED_COLUMNS))
    except (ValueError, TypeError, KeyError) as exc:  # a dataset without the columns: nothing learned
        st.caption(md_escape(f"The datasets' places could not be added to the gazetteer: {exc}"))


def on_table_select(ids: pd.Series) -> None:
    rows = st.session_state[state.TABLE]["selection"]["rows"]
    st.session_state[state.SELECTED] = str(ids.iloc[rows[0]]) if rows else None


def tabs(ctx: PageContext) -> None:
    """One tab per panel; the panels after the actors render only while their tab is open (they do work)."""
    tab_table, tab_actors, tab_data, tab_export, tab_store, tab_review = st.tabs(
        TABS, key=state.PANEL, on_change="rerun"
    )
    if tab_store.open or tab_review.open:
        cache.ask(learn_places, ctx)
    with tab_table:
        events_table(ctx)
    with tab_actors:
        actors(ctx)
    with tab_data:
        import_reports(ctx)
        if tab_data.open:
            suspect_view(ctx)
    if tab_export.open:
        with tab_export:
            exportpanel.export_panel(ctx)
    if tab_store.open:
        with tab_store:
            storepanel.store_panel(ctx)
    if tab_review.open:
        with tab_review:
            reviewpanel.review_panel(ctx)


def events_table(ctx: PageContext) -> None:
    """The newest filtered events, the selected one marked; a row clicked selects its event."""
    selected = st.session_state.get(state.SELECTED)
    table = cache.ask(cache.event_table, ctx.data_key, ctx.spec_key, selected, ctx.views, ctx.spec)
    rows = []
    if selected:
        hits = (table["ID"] == selected).to_numpy().nonzero()[0]
        rows = [int(hits[0])] if len(hits) else []
    if st.session_state.get(state.TABLE, {}).get("selection", {}).get("rows", []) != rows:
        st.session_state[state.TABLE] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    st.dataframe(
        table,
        key=state.TABLE,
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
    if ctx.count > cache.TABLE_ROWS:
        st.caption(
            f"The {cache.TABLE_ROWS:,} newest of {ctx.count:,} events; narrow the filters to list others. "
            "Click a column heading to sort, a row to see its full record."
        )
    else:
        st.caption("Newest first; click a column heading to sort, a row to see its full record.")
    event = cache.ask(cache.event_record, ctx.data_key, selected, ctx.views)
    if event is not None:
        st.markdown("**Selected event**")
        st.html(details.details_html(event))


def actors(ctx: PageContext) -> None:
    """The most active actors and when they were active."""
    activity = cache.ask(cache.actor_view, ctx.data_key, ctx.spec_key, ctx.views, ctx.spec)
    ranking = activity[1]
    if not len(ranking):
        st.info("No actor in the filtered events.")
        return
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


def suspect_view(ctx: PageContext) -> None:
    """The filtered events that load but look wrong: a place outside its country, an impossible death toll.

    Drawn while its tab is open; a database holding many filtered events is read only when asked.
    """
    if (
        isinstance(ctx.views, DatabaseViews)
        and ctx.count > SUSPECT_READ_MAX
        and not st.toggle(
            f"Check the {ctx.count:,} filtered events for suspect rows",
            key="suspect_check",
            help="Reads every filtered event from the store's database.",
        )
    ):
        return
    found = cache.ask(cache.suspect_list, ctx.data_key, ctx.spec_key, ctx.views, ctx.spec)
    events = found["event_id"].nunique() if len(found) else 0
    if events:
        title = f"Suspect rows: {plural(events, 'filtered event')} {'looks' if events == 1 else 'look'} wrong"
    else:
        title = "Suspect rows: none among the filtered events"
    with st.expander(title, expanded=bool(events)):
        if not events:
            st.caption("No filtered event lies outside its country or has an implausible death toll.")
            return
        st.caption(
            "These rows are kept as their source wrote them; check them before using them. "
            "Select one in the Events tab to see its full record."
        )
        st.dataframe(
            found.rename(columns={"event_id": "Event", "column": "Column", "value": "Value", "reason": "Why"}),
            hide_index=True,
            column_config={"Why": st.column_config.TextColumn(width="large")},
        )


def import_reports(ctx: PageContext) -> None:
    """Each file's import report: rows read, loaded and rejected, with the rejected rows and the suspect ones."""
    for key in ctx.data.chosen:
        report = ctx.data.reports.get(key)
        if report is None:
            continue
        st.markdown(f"**{md_escape(datasets.source_label(key))}**")
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
        if report.suspect:
            many = len(report.suspect)
            st.caption(f"{plural(many, 'value')} that {'looks' if many == 1 else 'look'} wrong, kept as written:")
            st.dataframe(
                pd.DataFrame(
                    [(r.row, r.column, r.value, r.reason) for r in report.suspect],
                    columns=["Row", "Column", "Value", "Why"],
                ),
                hide_index=True,
            )
        for note in report.warnings:
            st.caption(md_escape(note))

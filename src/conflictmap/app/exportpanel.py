"""The export tab: format, title and options, then "Prepare export" and the download of the current view."""

from __future__ import annotations

import streamlit as st

from conflictmap import downloads
from conflictmap.app import cache, state
from conflictmap.app.context import PageContext
from conflictmap.app.text import md_escape
from conflictmap.assets import AssetError
from conflictmap.export import ExportError, ImageOptionError, export_view
from conflictmap.headlines import plural
from conflictmap.store import StoreError


def export_panel(ctx: PageContext) -> None:
    """Format, title and options, then "Prepare export" and the download of the current view."""
    views, spec, data_key, spec_key = ctx.views, ctx.spec, ctx.data_key, ctx.spec_key
    st.caption(
        f"Exports the current view: {md_escape(spec.describe())} · {plural(ctx.count, 'event')}. Every file records "
        "the filter, the datasets and a link that reopens this view."
    )
    kind = st.selectbox(
        "Format", options=list(downloads.KINDS), format_func=downloads.KIND_NAMES.get, key=state.EXPORT_KIND
    )
    placeholder = cache.ask(cache.export_title, data_key, spec_key, views, spec)
    title = st.text_input("Title (optional)", key=state.EXPORT_TITLE, placeholder=placeholder, max_chars=200)
    dpi = layout = None
    if kind == "png":
        dpi = st.slider(
            "Resolution (dpi)", *downloads.DPI_RANGE, value=downloads.DEFAULT_DPI, step=25, key=state.EXPORT_DPI
        )
    if kind == "csv":
        layout = st.radio(
            "Columns",
            options=list(downloads.CSV_LAYOUT_LABELS),
            format_func=downloads.CSV_LAYOUT_LABELS.get,
            key=state.EXPORT_LAYOUT,
            horizontal=True,
        )
    try:
        options = downloads.export_options(kind, title=title, dpi=dpi, layout=layout or "canonical", mode=ctx.link.mode)
    except ExportError as exc:
        st.error(md_escape(exc))
        return
    key = downloads.view_key(ctx.link_params, data_key, kind, options)
    if st.button("Prepare export", key=state.EXPORT_PREPARE, type="primary"):
        bar = st.progress(0.0, text="Starting the export...")
        try:
            made = export_view(
                views.events(spec),
                spec,
                kind,
                sources=downloads.export_sources([ctx.data.reports.get(k) for k in ctx.data.chosen]),
                view_params=ctx.link_params,
                progress=lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=md_escape(message)),
                **options,
            )
        except (ExportError, ImageOptionError, AssetError, StoreError) as exc:
            st.error(f"Could not export: {md_escape(exc)}")
            return
        finally:
            bar.empty()
        st.session_state[state.EXPORT_RESULT] = (key, made)
    prepared = st.session_state.get(state.EXPORT_RESULT)
    if prepared and prepared[0] == key:
        made = prepared[1]
        st.download_button(
            f"Download {md_escape(made.filename)}",
            made.data,
            file_name=made.filename,
            mime=made.mime_type,
            key=state.EXPORT_DOWNLOAD,
            icon=":material/download:",
        )
        st.caption(f"{len(made.data) / 1e6:,.2f} MB · {plural(made.provenance.events, 'event')}")
    else:
        st.caption("Prepare the file, then download it.")

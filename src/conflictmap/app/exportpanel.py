"""The export tab: format, title and options, then "Prepare export" and the download of the current view;
the counts-only variant ACLED's terms allow sharing, and the view played as an animation.

Before an export of ACLED events is made the panel says what ACLED's terms allow
(``export.sharing_notice``). Every file's provenance names the files shown; an
upload by its name and SHA-256, taken from its bytes when it arrived.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from conflictmap import downloads
from conflictmap.app import cache, state
from conflictmap.app.context import PageContext
from conflictmap.app.datasets import export_source
from conflictmap.app.text import md_escape
from conflictmap.assets import AssetError
from conflictmap.export import (
    AGGREGATE_BY,
    DATA_KINDS,
    ExportError,
    ExportResult,
    ImageOptionError,
    aggregates_view,
    describe_sources,
    export_filename,
    export_view,
    sharing_notice,
)
from conflictmap.export.animate import AnimationError, write_animation
from conflictmap.export.licence import DEFAULT_CELL_DEG
from conflictmap.headlines import plural
from conflictmap.playback import MODES, STEPS, PlaybackError
from conflictmap.store import StoreError

#: What the counts-only export counts by, as the panel names it.
BY_LABELS: dict[str, str] = {"admin1": "region (admin1)", "admin2": "cercle (admin2)", "cell": "grid cell"}
#: The animation's kinds the panel offers, with their labels and media types.
ANIMATION_KINDS: dict[str, tuple[str, str]] = {
    "gif": ("animated image (GIF)", "image/gif"),
    "html": ("playable map (HTML, works offline)", "text/html"),
}
MODE_LABELS: dict[str, str] = {"window": "this frame's events only", "cumulative": "every event so far"}


def _sources(ctx: PageContext) -> list:
    """What the provenance records for the datasets shown: each file's report, an upload's name and SHA-256."""
    return downloads.export_sources([export_source(k, ctx.data.reports.get(k)) for k in ctx.data.chosen])


def _datasets_shown(ctx: PageContext) -> list[str]:
    """The datasets of the events the view holds (the filter's own datasets when it names some)."""
    names = ctx.data.dataset_names
    return [d for d in names if d in ctx.spec.datasets] if ctx.spec.datasets else names


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
    shown = _datasets_shown(ctx)
    notice = sharing_notice(shown, kind="data" if kind in DATA_KINDS else "map")
    if notice:
        st.warning(md_escape(notice), icon=":material/policy:")
    if st.button("Prepare export", key=state.EXPORT_PREPARE, type="primary"):
        bar = st.progress(0.0, text="Starting the export...")
        try:
            made = export_view(
                views.events(spec),
                spec,
                kind,
                sources=_sources(ctx),
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
    counts_export(ctx, title, expanded=bool(notice))
    animation_export(ctx, title)


def _offer(result_key: str, key: str, download_key: str) -> bool:
    """Offer the download prepared under ``result_key`` while ``key`` (the view and options) is unchanged."""
    prepared = st.session_state.get(result_key)
    if not prepared or prepared[0] != key:
        st.caption("Prepare the file, then download it.")
        return False
    made = prepared[1]
    st.download_button(
        f"Download {md_escape(made.filename)}",
        made.data,
        file_name=made.filename,
        mime=made.mime_type,
        key=download_key,
        icon=":material/download:",
    )
    st.caption(f"{len(made.data) / 1e6:,.2f} MB · {plural(made.provenance.events, 'event')}")
    return True


def counts_export(ctx: PageContext, title: str, *, expanded: bool) -> None:
    """Counts per area or grid cell of the view, with no event rows and no notes: what ACLED's terms let be shared."""
    with st.expander("Counts only (aggregates, to share)", expanded=expanded):
        left, middle, right = st.columns(3)
        by = left.selectbox("Count by", options=list(AGGREGATE_BY), format_func=BY_LABELS.get, key="x_counts_by")
        cell = DEFAULT_CELL_DEG
        if by == "cell":
            cell = middle.number_input(
                "Cell size (degrees)", min_value=0.01, max_value=10.0, value=DEFAULT_CELL_DEG, step=0.25, key="x_cell"
            )
        kind = right.radio("File", options=["csv", "geojson"], format_func=str.upper, key="x_counts_kind")
        notice = sharing_notice(_datasets_shown(ctx), kind="aggregates")
        if notice:
            st.caption(md_escape(notice))
        key = downloads.view_key(ctx.link_params, ctx.data_key, f"counts-{kind}", {"by": by, "cell": cell, "t": title})
        if st.button("Prepare counts", key="x_counts_prepare"):
            try:
                with st.spinner("Counting..."):
                    made = aggregates_view(
                        ctx.views.events(ctx.spec),
                        ctx.spec,
                        kind,
                        by=by,
                        cell_deg=float(cell),
                        title=(title or "").strip() or None,
                        sources=_sources(ctx),
                    )
            except (ExportError, StoreError, ValueError) as exc:
                st.error(f"Could not count: {md_escape(exc)}")
                return
            st.session_state[state.COUNTS_RESULT] = (key, made)
        _offer(state.COUNTS_RESULT, key, "x_counts_download")


def animation_export(ctx: PageContext, title: str) -> None:
    """The view played frame by frame (by day, week or month) as a GIF or an offline HTML page."""
    with st.expander("Animation (GIF or playable HTML)"):
        left, middle, right = st.columns(3)
        step = left.selectbox("One frame per", options=list(STEPS), index=1, key="x_anim_step")
        mode = middle.selectbox("Each frame shows", options=list(MODES), format_func=MODE_LABELS.get, key="x_anim_mode")
        kind = right.radio(
            "File", options=list(ANIMATION_KINDS), format_func=lambda k: ANIMATION_KINDS[k][0], key="x_anim_kind"
        )
        notice = sharing_notice(_datasets_shown(ctx), kind="map")
        if notice:
            st.caption(md_escape(notice))
        options = {"step": step, "mode": mode, "title": title}
        key = downloads.view_key(ctx.link_params, ctx.data_key, f"animation-{kind}", options)
        if st.button("Prepare animation", key="x_anim_prepare"):
            try:
                with st.spinner("Drawing the frames..."):
                    made = animation(ctx, kind, step, mode, (title or "").strip() or None)
            except (AnimationError, PlaybackError, ExportError, AssetError, StoreError, OSError) as exc:
                st.error(f"Could not make the animation: {md_escape(exc)}")
                return
            st.session_state[state.ANIMATION_RESULT] = (key, made)
        _offer(state.ANIMATION_RESULT, key, "x_anim_download")


def animation(ctx: PageContext, kind: str, step: str, mode: str, title: str | None) -> ExportResult:
    """The animation of the view as a download (name, media type, bytes and provenance)."""
    name = export_filename(ctx.spec, kind).replace(f".{kind}", f"_by-{step}.{kind}")
    with tempfile.TemporaryDirectory(prefix="conflictmap-animation-") as folder:
        path = Path(folder) / name
        prov = write_animation(
            ctx.views.events(ctx.spec),
            ctx.spec,
            path,
            step=step,
            mode=mode,
            title=title,
            sources=describe_sources(_sources(ctx)),
            view_params=ctx.link_params,
        )
        return ExportResult(name, ANIMATION_KINDS[kind][1], path.read_bytes(), prov)

"""The datasets the page can show (files, the event store, uploads), the sidebar's "Data" section, and reading them.

``offer`` lists what the picker offers and takes a link's state from the URL;
``data_sidebar`` draws the picker and the uploader; ``load`` reads the datasets
picked into one ``PageData`` (or stops the page, saying why, when there is
nothing to show).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
import streamlit as st

from conflictmap import catalog, settings, uploads
from conflictmap.app import cache, state
from conflictmap.app.context import PageData, Sources
from conflictmap.app.text import md_escape
from conflictmap.export import SourceInfo, upload_info
from conflictmap.headlines import plural
from conflictmap.pagelink import PageState, query_key
from conflictmap.pageviews import ColumnarViews
from conflictmap.readers.report import ImportReport
from conflictmap.store import StoreError, StoreNotFoundError, open_store

UPLOAD_TYPES = [s.lstrip(".") for s in catalog.DATA_SUFFIXES]
STORE_KEY = "store"
#: The import report lists this many suspect rows; the count says how many more there are.
SUSPECT_SHOWN = 20


@st.cache_resource(show_spinner=False, max_entries=4)
def _read_only(where: tuple[str, str], changed: str) -> str | None:
    """Why the store cannot be written at one state (its change token is the key), or ``None``."""
    try:
        with open_store(create=False) as store:
            return store.read_only_reason
    except StoreNotFoundError:
        return None


def read_only_reason(store_entry: cache.StoreEntry | None) -> str | None:
    """Why the event store cannot be written (the page then hides its write controls), or ``None`` when it can.

    A store that does not exist yet is created on the first write: not read-only here. A store that
    cannot be opened says why.
    """
    if store_entry is None:
        return None
    if store_entry.error:
        return store_entry.error
    try:
        return _read_only(cache.store_settings(), store_entry.changed)
    except (StoreError, OSError) as exc:
        return str(exc)


def store_read_only() -> str | None:
    """``read_only_reason`` of the store as the page sees it now."""
    return read_only_reason(cache.store_state(cache.store_settings()))


def export_source(key: str, report: ImportReport | None) -> ImportReport | SourceInfo | None:
    """What an export's provenance records for the dataset ``key``: an upload's name and SHA-256, else its report."""
    return st.session_state.get(state.UPLOAD_INFO, {}).get(key, report)


def suspect_lines(report: ImportReport, limit: int = SUSPECT_SHOWN) -> list[str]:
    """The rows of ``report`` that loaded but look wrong, as text lines: at most ``limit``, then how many more."""
    lines = [str(r) for r in report.suspect[:limit]]
    if len(report.suspect) > limit:
        lines.append(f"... and {len(report.suspect) - limit:,} more")
    return lines


def report_text(report: ImportReport, limit: int = SUSPECT_SHOWN) -> str:
    """The import report as plain text: the counts, then at most ``limit`` rejected and suspect rows, then notes."""
    lines = [report.summary().split("\n", 1)[0]]
    lines += [f"  rejected {r}" for r in report.rejected[:limit]]
    if len(report.rejected) > limit:
        lines.append(f"  ... and {len(report.rejected) - limit:,} more rejected (all in the rejected rows CSV)")
    lines += [f"  suspect {line}" for line in suspect_lines(report, limit)]
    lines += [f"  note: {w}" for w in report.warnings[:limit]]
    return "\n".join(lines)


def show_suspects(report: ImportReport) -> None:
    """Say how many rows look wrong but were kept (the import report, beside the map, lists them)."""
    if report.suspect:
        rows = len({r.row for r in report.suspect})
        st.warning(
            f"{plural(rows, 'row')} of {md_escape(Path(report.source).name)} loaded but look wrong: "
            "they are kept, and listed in the import report."
        )


def opening_path(seed: Path | None) -> Path | None:
    """The event file to open: ``--data``, else ``CONFLICTMAP_DATA``, else the seed events (``None``: none)."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--data", default="")
    known, _ = parser.parse_known_args(sys.argv[1:])
    chosen = known.data or settings.get("CONFLICTMAP_DATA")
    return Path(chosen) if chosen else seed


def available_sources(opening: Path | None) -> Sources:
    """Every dataset the picker offers and the key of the opening file.

    Files are ``DatasetFile`` entries (the opening file a ``Path`` when it is not in the data
    folder), uploads ``UploadedTable`` and the event store a ``StoreEntry``.
    """
    listed = {f.key: f for f in catalog.list_datasets()}
    by_path = {f.path.resolve(): f.key for f in listed.values()}
    entries: dict[str, object] = {}
    opening_key = None
    if opening is not None:
        opening_key = by_path.get(opening.resolve()) if opening.exists() else None
        if opening_key is None:
            opening_key = opening.name if opening.name not in listed else f"opened:{opening.name}"
            entries[opening_key] = opening
    entries.update(listed)
    store = cache.store_state(cache.store_settings())
    if store is not None:
        entries[STORE_KEY] = store
    entries.update(st.session_state.get(state.UPLOADS, {}))
    return Sources(entries, opening_key)


def source_label(key: str) -> str:
    """How the picker names a dataset."""
    entry = st.session_state.get(state.SOURCE_TABLE, {}).get(key)
    if isinstance(entry, catalog.DatasetFile):
        return entry.label
    if isinstance(entry, cache.StoreEntry):
        return entry.label
    if isinstance(entry, uploads.UploadedTable):
        return f"{entry.name} (uploaded, {plural(entry.events, 'event')})"
    return key


def source_name(key: str) -> str:
    """A dataset's short name, for captions."""
    entry = st.session_state.get(state.SOURCE_TABLE, {}).get(key)
    if isinstance(entry, catalog.DatasetFile):
        return entry.key
    if isinstance(entry, uploads.UploadedTable):
        return entry.name
    if isinstance(entry, cache.StoreEntry):
        return "Event store"
    return key


def missing_source_problem(key: str) -> str:
    """Why a dataset a link names is not shown."""
    if key.startswith(uploads.UPLOAD_PREFIX):
        name = key.removeprefix(uploads.UPLOAD_PREFIX)
        return (
            f"{name!r} was uploaded in another visit and uploads are not kept: add the file again "
            "(Data → Add an event file) to show it"
        )
    return f"dataset {key!r} from the link is not available here"


def offer(seed: Path | None) -> Sources:
    """What the picker offers, with the store shown after a write and the link's state taken in."""
    try:
        opening = opening_path(seed)
    except argparse.ArgumentError as exc:
        st.error(f"Bad command-line option: {md_escape(exc)}")
        st.stop()
    sources = available_sources(opening)
    entries = sources.entries
    st.session_state[state.SOURCE_TABLE] = entries
    if st.session_state.pop(state.SHOW_STORE, False) and STORE_KEY in entries:
        # Something was just written to the store: show it.
        shown_now = st.session_state.get(state.SOURCES, [])
        if STORE_KEY not in shown_now:
            st.session_state[state.SOURCES] = [*shown_now, STORE_KEY]
    store_seen = source_label(STORE_KEY) if STORE_KEY in entries else None
    if state.SOURCES in st.session_state and st.session_state.get(state.STORE_SEEN, store_seen) != store_seen:
        # The picker knows its choices by their labels, and the store's names its size: setting the
        # choice again sends the new label to the browser, which would otherwise drop the store on its next change.
        st.session_state[state.SOURCES] = list(st.session_state[state.SOURCES])
    st.session_state[state.STORE_SEEN] = store_seen

    # The URL wins when it changed from outside: a link opened, the back or forward button.
    url_key = query_key(st.query_params)
    if st.session_state.get(state.URL) != url_key:
        defaults = [sources.opening_key] if sources.opening_key else []
        link, problems = PageState.from_query_params(st.query_params, defaults)
        problems += [missing_source_problem(s) for s in link.sources if s not in entries]
        st.session_state[state.URL] = url_key
        st.session_state[state.URL_PROBLEMS] = problems
        st.session_state[state.SOURCES] = [s for s in link.sources if s in entries]
        st.session_state[state.MODE] = link.mode
        st.session_state[state.PENDING_SPEC] = link.spec
    return sources


# -- uploads -------------------------------------------------------------------------------------------------


def read_upload() -> None:
    """Read the file just uploaded (one copy on disk) and add it to the datasets this browser tab can show."""
    uploaded = st.session_state.get(state.UPLOADER)
    if uploaded is None:
        return
    data = uploaded.getvalue()
    result = uploads.read_staged(uploads.stage(uploaded.name, data, uploaded.file_id))
    st.session_state[state.UPLOAD_RESULT] = result
    if result.aggregates is not None:
        st.session_state.setdefault(state.AGGREGATES, {})[result.aggregates.key] = result.aggregates
    if result.uploaded is None:
        return
    table = result.uploaded
    st.session_state.setdefault(state.UPLOADS, {})[table.key] = table
    # An upload has no file to hash when it is exported: its name, size and SHA-256 are taken now.
    report = table.report
    st.session_state.setdefault(state.UPLOAD_INFO, {})[table.key] = upload_info(
        table.name, data, format=report.format, rows_read=report.rows_read, rows_loaded=report.rows_loaded
    )
    if table.key not in st.session_state.get(state.SOURCES, []):
        st.session_state[state.SOURCES] = [*st.session_state.get(state.SOURCES, []), table.key]


def import_upload(key: str) -> None:
    """Import the upload read last into the event store, from its one copy (a callback)."""
    table: uploads.UploadedTable | None = st.session_state.get(state.UPLOADS, {}).get(key)
    if table is None:
        return
    result = uploads.import_staged(table.file)
    st.session_state[state.STORE_IMPORT] = result
    if result.error:
        return
    # Its events are now the store's: shown twice, they would be counted twice.
    st.session_state[state.SOURCES] = [k for k in st.session_state.get(state.SOURCES, []) if k != key]
    show_store_changes()


def show_store_changes(event_id: str | None = None) -> None:
    """After a write: look at the store again, show it on the map and select the event written."""
    cache.forget_store_state()
    st.session_state[state.SHOW_STORE] = True
    if event_id:
        st.session_state[state.SELECTED] = event_id


def published_aggregates() -> pd.DataFrame | None:
    """The aggregates uploaded in this browser tab, as one table (``aggregates.AGGREGATE_COLUMNS``), or None."""
    tables = [a.table for a in st.session_state.get(state.AGGREGATES, {}).values()]
    return pd.concat(tables, ignore_index=True) if tables else None


def data_sidebar(sources: Sources) -> None:
    """The sidebar's "Data": the datasets shown, and the uploader with what reading and importing gave."""
    with st.sidebar:
        st.header("Data")
        st.multiselect(
            "Datasets shown",
            options=list(sources.entries),
            format_func=source_label,
            key=state.SOURCES,
            placeholder="Pick one or more datasets",
            help="Event files in the data folder, the file the page opened on, the event store and your uploads. "
            "Several datasets are drawn together, each with its own marker shape.",
        )
        with st.expander("Add an event file", expanded=state.UPLOAD_RESULT in st.session_state):
            st.file_uploader(
                "ACLED, UCDP GED or conflictmap file, or published aggregates",
                type=UPLOAD_TYPES,
                key=state.UPLOADER,
                on_change=read_upload,
                help="CSV, Excel, GeoJSON, GeoPackage or GeoParquet. Rows that cannot be read are listed, "
                "with the reason, in the import report; the others are added. ACLED's aggregated files and "
                "HDX HAPI's conflict events (counts per area and period, no points) go to the Areas drawing "
                "and the timeline.",
            )
            result: uploads.ReadResult | None = st.session_state.get(state.UPLOAD_RESULT)
            if result and result.error:
                st.error(f"Could not read {md_escape(result.name)}: {md_escape(result.error)}")
            elif result and result.aggregates:
                report = result.aggregates.report
                message = md_escape(
                    f"{result.name}: {report.rows_loaded:,} of {plural(report.rows_read, 'row')} of published counts "
                    "loaded. They have no points: the Areas drawing can colour them, and the timeline shows them"
                )
                (st.warning if report.rows_rejected else st.success)(
                    f"{message}" + (f"; {report.rows_rejected:,} rejected." if report.rows_rejected else ".")
                )
            elif result and result.uploaded:
                report = result.uploaded.report
                message = md_escape(
                    f"{result.name}: {report.rows_loaded:,} of {plural(report.rows_read, 'row')} loaded"
                )
                if report.rows_rejected:
                    st.warning(f"{message}, {report.rows_rejected:,} rejected.")
                else:
                    st.success(f"{message}.")
                show_suspects(report)
                store_entry = sources.entries.get(STORE_KEY)
                locked = read_only_reason(store_entry) if store_entry is not None and not store_entry.error else None
                if locked:
                    st.caption(f"The event store is read-only, so nothing can be imported: {md_escape(locked)}")
                elif store_entry is None or not store_entry.error:
                    st.button(
                        "Import into the event store",
                        key="import_to_store",
                        on_click=import_upload,
                        args=(result.uploaded.key,),
                        help="Adds the file's events to the event store; a re-import of the same file changes nothing.",
                    )
            imported: uploads.ImportResult | None = st.session_state.get(state.STORE_IMPORT)
            if imported and imported.error:
                st.error(
                    f"Could not import {md_escape(imported.name)} into the event store: {md_escape(imported.error)}"
                )
            elif imported:
                st.success(f"Imported into the event store: {md_escape(imported.name)}")
                st.text(imported.summary)


# -- reading what is shown -----------------------------------------------------------------------------------


def write_cache_shown(file: catalog.DatasetFile) -> None:
    """Write a file's GeoParquet cache (a CSV file a chunk at a time) under a progress bar when it is missing or
    stale."""
    where = catalog.cache_path(file.path)
    if catalog.cached_report(file, where) is not None:
        return
    bar = st.progress(0.0, text=md_escape(f"Reading {file.path.name}..."))

    def progress(done: int, total: int) -> None:
        fraction = min(max(done / total, 0.0), 1.0) if total else 1.0
        bar.progress(fraction, text=md_escape(f"Reading {file.path.name}: {done:,} of {total:,} lines"))

    try:
        catalog.stream_cache(file, progress=progress)
    except OSError:
        # The cache cannot be written here: the views read the file into memory instead.
        if not file.path.is_file():
            raise
    finally:
        bar.empty()


def open_columnar(file: catalog.DatasetFile, threshold: int):
    """``cache.file_views`` of a large file, its cache written first (``write_cache_shown``)."""
    write_cache_shown(file)
    return cache.file_views(str(file.path), file.size, file.modified_ns, threshold)


def _parts_shown(chosen: list[str], entries: dict) -> list[tuple[tuple, object, int, tuple]] | None:
    """Each dataset picked as ``cache.shown_views`` takes it (its part, its table or file, its size in bytes),
    with the version that keys the page's caches (as the memory path keys it), when
    every one can be found: ``None`` when a file is missing or the store cannot be read (each is then read
    below, and what fails is said of it), or when no file is picked."""
    parts: list[tuple[tuple, object, int, tuple]] = []
    for key in chosen:
        entry = entries[key]
        if isinstance(entry, cache.StoreEntry):
            if entry.error:
                return None
            version = ("store", entry.changed, entry.events)
            parts.append((("store", cache.store_settings(), entry.changed, entry.events), None, 0, version))
            continue
        if isinstance(entry, uploads.UploadedTable):
            info = st.session_state.get(state.UPLOAD_INFO, {}).get(key)
            digest = getattr(info, "sha256", None) or entry.file.file_id
            size = getattr(info, "bytes", None) or _size(entry.file.path)
            parts.append((("upload", entry.name, digest, size), entry.table, size, entry.version))
            continue
        try:
            file = entry if isinstance(entry, catalog.DatasetFile) else catalog.dataset_file(entry, key)
        except uploads.READ_ERRORS:
            return None
        parts.append((("file", str(file.path), file.size, file.modified_ns), file, file.size, file.version))
    if not any(part[0] == "file" for part, *_ in parts):
        return None
    return parts


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def open_shown(parts: list[tuple[tuple, object, int, tuple]], threshold: int) -> cache.ShownViews:
    """``cache.shown_views`` of the datasets shown together; each file's missing cache is written first under
    a progress bar. The views are ``MemoryViews`` when a cache cannot be written."""
    for part, file, *_ in parts:
        if part[0] == "file":
            write_cache_shown(file)
    return cache.shown_views(
        tuple(part for part, *_ in parts),
        threshold,
        tuple(table if part[0] == "upload" else None for part, table, *_ in parts),
    )


def load(sources: Sources) -> PageData:
    """Read every dataset picked; say what could not be read, and stop the page when nothing can be shown."""
    entries = sources.entries
    chosen = [k for k in st.session_state.get(state.SOURCES, []) if k in entries]
    tables, reports, failures = [], {}, {}
    # A PostGIS store shown on its own answers every view with a query; a large file, shown on its own or with
    # other datasets, DuckDB; anything else is read into memory.
    database = None
    columnar = None
    threshold, problem = cache.columnar_setting()
    if problem:
        st.warning(md_escape(problem))
    # Several datasets shown together that are large together, with at least one file: DuckDB answers over
    # every file's cache and a GeoParquet copy of each upload and of the store, one after the other.
    parts = _parts_shown(chosen, entries) if threshold is not None and len(chosen) > 1 else None
    store_ids = None
    if parts and sum(size for _, _, size, _ in parts) >= threshold:
        try:
            opened = open_shown(parts, threshold)
        except (*uploads.READ_ERRORS, StoreError, OSError):
            opened = None  # each dataset is read below, and what fails is said of it
        if opened is not None and isinstance(opened.views, ColumnarViews):
            columnar = (tuple(chosen), tuple(version for *_, version in parts), (opened.views, None))
            for key, report in zip(chosen, opened.reports, strict=True):
                entry = entries[key]
                if isinstance(entry, uploads.UploadedTable):
                    reports[key] = entry.report
                elif report is not None:
                    reports[key] = report
            store_ids = opened.store_ids
    for key in [] if columnar else chosen:
        entry = entries[key]
        if isinstance(entry, cache.StoreEntry):
            if entry.error:
                failures[key] = entry.error
            elif chosen == [STORE_KEY] and entry.backend == "postgis":
                database = entry
            else:
                try:
                    table = cache.load_store(cache.store_settings(), entry.changed, entry.events)
                except (StoreError, OSError) as exc:
                    failures[key] = exc
                else:
                    tables.append((key, ("store", entry.changed, entry.events), table))
            continue
        if isinstance(entry, uploads.UploadedTable):
            tables.append((key, entry.version, entry.table))
            reports[key] = entry.report
            continue
        try:
            file = entry if isinstance(entry, catalog.DatasetFile) else catalog.dataset_file(entry, key)
            if chosen == [key] and threshold is not None and file.size >= threshold:
                # A large file shown alone: DuckDB answers over its GeoParquet cache, the events stay on disk.
                columnar = (key, file.version, open_columnar(file, threshold))
                reports[key] = columnar[2][1]
                continue
            events_one, report_one = cache.load_file(str(file.path), file.size, file.modified_ns)
        except uploads.READ_ERRORS as exc:
            failures[key] = exc
            continue
        tables.append((key, file.version, events_one))
        reports[key] = report_one

    for key, exc in failures.items():
        what = "the event store" if key == STORE_KEY else "the event file"
        st.error(f"Could not open {what}: {md_escape(exc)}")
    for problem in st.session_state.get(state.URL_PROBLEMS, []):
        st.warning(f"Part of the link was left out: {md_escape(problem)}")
    if not tables and database is None and columnar is None:
        if not failures:
            st.info("No dataset is shown: pick one in the sidebar, or add a file.")
        st.stop()
    for key, report in reports.items():
        name = md_escape(Path(report.source).name)
        if report.rows_rejected:
            st.warning(
                f"{report.rows_rejected:,} of {report.rows_read:,} rows of {name} could not be "
                "loaded; see the import report."
            )
        elif report.suspect:
            st.warning(
                f"{plural(len({r.row for r in report.suspect}), 'row')} of {name} loaded but look wrong; "
                "see the import report."
            )
        if report.rows_rejected or report.suspect:
            with st.expander(f"Import report: {name}"):
                st.text(report_text(report))
                if report.rows_rejected:
                    st.download_button(
                        "Rejected rows (CSV)", report.rejections_csv(), file_name="rejected_rows.csv", key=f"rej-{key}"
                    )

    if database is not None:
        data_key = ((STORE_KEY, ("store", database.changed, database.events)),)
        try:
            views = cache.database_views(cache.store_settings())
        except (StoreError, OSError) as exc:
            st.error(f"Could not open the event store: {md_escape(exc)}")
            st.stop()
    elif columnar is not None:
        data_key = ((columnar[0], columnar[1]),)
        views = columnar[2][0]
    else:
        data_key = tuple((key, version) for key, version, _ in tables)
        views = cache.memory_views(data_key, tuple(t for _, _, t in tables))
    info = cache.ask(cache.choices, data_key, views)
    if info["span"] is None:
        st.warning("The datasets shown hold no events.")
        st.stop()
    store_table = None if database is not None else next((t for k, _, t in tables if k == STORE_KEY), store_ids)
    return PageData(sources, chosen, views, data_key, info, reports, database, store_table)

"""Which views answer for an event file: memory for small files, DuckDB over the GeoParquet cache for large ones.

Events already read (an upload, a snapshot of the event store) can be shown beside the files
(``EventTable``): when DuckDB answers, they are written to a GeoParquet file of their own in the
cache's layout, in a temporary folder removed with the views.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyarrow.parquet as pq

from conflictmap import areas, catalog, settings
from conflictmap.pageviews.base import EventViews
from conflictmap.pageviews.columnar import ColumnarViews, ParquetEventsError
from conflictmap.pageviews.memory import MemoryViews
from conflictmap.readers import ImportReport


@dataclass(frozen=True, eq=False)
class EventTable:
    """Events already read, shown beside event files: an upload, or the event store's events.

    Attributes
    ----------
    events : geopandas.GeoDataFrame or callable
        The canonical events, or what reads them (called once, when the views are made: a store's
        events are then held only while they are written out or combined).
    size : int
        The bytes it counts for against ``columnar_min_bytes`` (an upload's size; 0 for the store,
        which is not a file).
    """

    events: gpd.GeoDataFrame | Callable[[], gpd.GeoDataFrame]
    size: int = 0

    def read(self) -> gpd.GeoDataFrame:
        """The events (read now when ``events`` is what reads them)."""
        return self.events() if callable(self.events) else self.events


def write_table(events: gpd.GeoDataFrame, path: Path) -> None:
    """Write ``events`` as a GeoParquet file laid out as an event file's cache (``catalog.cache_table``)."""
    pq.write_table(catalog.cache_table(events), path, row_group_size=catalog.CACHE_ROW_GROUP)


def _memory(events: gpd.GeoDataFrame, regions: gpd.GeoDataFrame | None) -> MemoryViews:
    return MemoryViews(events if regions is None else areas.derive_admin_names(events, regions))


def views_for_file(
    source: str | Path | catalog.DatasetFile,
    *,
    cache_dir: str | Path | None = None,
    columnar_min_bytes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    regions: gpd.GeoDataFrame | None = None,
) -> tuple[EventViews, ImportReport]:
    """The views of an event file, and what reading it reported.

    A file of ``columnar_min_bytes`` or more is answered by ``ColumnarViews`` over
    its GeoParquet cache (``catalog.cache_path``), written first if it is missing or
    stale (``catalog.stream_cache``: a CSV file a chunk at a time); its events are then
    never all held in memory. A smaller file, or one whose cache cannot be written, is
    read into ``MemoryViews`` (``catalog.load_events``).

    Parameters
    ----------
    source : str, pathlib.Path or catalog.DatasetFile
        The event file (any format ``readers.read_events`` takes).
    cache_dir : str or pathlib.Path, optional
        See ``catalog.cache_path``.
    columnar_min_bytes : int, optional
        Default ``settings.columnar_min_bytes()`` (``CONFLICTMAP_COLUMNAR_MIN_MB``).
    progress : callable, optional
        ``progress(done, total)`` while the file itself is read (lines of a CSV file).
    regions : geopandas.GeoDataFrame, optional
        ``admin1`` areas: events whose file gives no region get the one their point lies in
        (``areas.derive_admin_names``), whichever views answer.

    Returns
    -------
    (EventViews, ImportReport)
        ``ColumnarViews`` or ``MemoryViews``; call ``close()`` on a ``ColumnarViews`` when done.

    Raises
    ------
    FileNotFoundError, readers.NotEventDataError
        As ``catalog.load_events``.
    ValueError
        If ``CONFLICTMAP_COLUMNAR_MIN_MB`` is not a number of MB.
    """
    told = None if progress is None else lambda _name, done, total: progress(done, total)
    views, (report,) = views_for_files(
        [source], cache_dir=cache_dir, columnar_min_bytes=columnar_min_bytes, progress=told, regions=regions
    )
    assert report is not None  # a file's, not a table's
    return views, report


def views_for_files(
    sources: Sequence[str | Path | catalog.DatasetFile | EventTable],
    *,
    cache_dir: str | Path | None = None,
    columnar_min_bytes: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    regions: gpd.GeoDataFrame | None = None,
) -> tuple[EventViews, list[ImportReport | None]]:
    """The views of several event files shown together (and events already read beside them), and what
    reading each file reported.

    When the files and tables come to ``columnar_min_bytes`` or more together, one ``ColumnarViews``
    answers over all the files' GeoParquet caches (each written first if missing or stale) and a
    GeoParquet file of each table (written to a temporary folder that goes with the views); the files'
    events are then never all held in memory. Otherwise, or when a cache cannot be written, they are
    read into one ``MemoryViews`` (``catalog.combine``). Either way the events come in the order of
    ``sources``, so both give the same answers.

    Parameters
    ----------
    sources : sequence of str, pathlib.Path, catalog.DatasetFile or EventTable
        The event files, and events already read; at least one file.
    cache_dir, columnar_min_bytes, regions
        As for ``views_for_file``.
    progress : callable, optional
        ``progress(name, done, total)`` while a file itself is read.

    Returns
    -------
    (EventViews, list of ImportReport or None)
        The views, and one report per source in the order given (``None`` for a table).

    Raises
    ------
    FileNotFoundError, readers.NotEventDataError
        As ``catalog.load_events``, for the first file that cannot be read.
    ValueError
        If no file is given, or ``CONFLICTMAP_COLUMNAR_MIN_MB`` is not a number of MB.
    """
    shown = [s if isinstance(s, catalog.DatasetFile | EventTable) else catalog.dataset_file(s) for s in sources]
    if not any(isinstance(s, catalog.DatasetFile) for s in shown):
        raise ValueError("views_for_files needs at least one event file")
    threshold = settings.columnar_min_bytes() if columnar_min_bytes is None else int(columnar_min_bytes)

    def told(file: catalog.DatasetFile) -> Callable[[int, int], None] | None:
        return None if progress is None else lambda done, total: progress(file.path.name, done, total)

    if sum(s.size for s in shown) >= threshold:
        opened = _columnar(shown, cache_dir, told, regions)
        if opened is not None:
            return opened
    events, reports = [], []
    for each in shown:
        if isinstance(each, EventTable):
            events.append(each.read())
            reports.append(None)
        else:
            table, report = catalog.load_events(each, cache_dir=cache_dir, progress=told(each))
            events.append(table)
            reports.append(report)
    return _memory(catalog.combine(events), regions), reports


def _columnar(
    shown: list[catalog.DatasetFile | EventTable],
    cache_dir: str | Path | None,
    told: Callable[[catalog.DatasetFile], Callable[[int, int], None] | None],
    regions: gpd.GeoDataFrame | None,
) -> tuple[ColumnarViews, list[ImportReport | None]] | None:
    """``ColumnarViews`` over every file's cache and a GeoParquet file of each table, or ``None`` when a
    file's cache cannot be written (the caller then reads them into memory)."""
    paths: list[Path] = []
    reports: list[ImportReport | None] = []
    folder: Path | None = None
    views: ColumnarViews | None = None
    try:
        for each in shown:
            if isinstance(each, EventTable):
                if folder is None:
                    folder = Path(tempfile.mkdtemp(prefix="conflictmap-shown-"))
                path = folder / f"{len(paths)}{catalog.CACHE_SUFFIX}"
                write_table(each.read(), path)
                paths.append(path)
                reports.append(None)
                continue
            cache = catalog.cache_path(each.path, cache_dir)
            report = catalog.cached_report(each, cache)
            if report is None:
                try:
                    report = catalog.stream_cache(each, cache_dir=cache_dir, progress=told(each))
                except OSError:
                    if not each.path.is_file():
                        raise
                    return None
            paths.append(cache)
            reports.append(report)
        with contextlib.suppress(ParquetEventsError):
            views = ColumnarViews(paths, regions=regions)
    finally:
        if views is None and folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    if views is None:
        return None
    if folder is not None:
        # The tables' files are read for as long as the views answer: they go with the views (or at exit).
        weakref.finalize(views, shutil.rmtree, folder, ignore_errors=True)
    return views, reports

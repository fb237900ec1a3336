"""Which views answer for an event file: memory for small files, DuckDB over the GeoParquet cache for large ones."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd

from conflictmap import areas, catalog, settings
from conflictmap.pageviews.base import EventViews
from conflictmap.pageviews.columnar import ColumnarViews, ParquetEventsError
from conflictmap.pageviews.memory import MemoryViews
from conflictmap.readers import ImportReport


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
    return views, report


def views_for_files(
    sources: Sequence[str | Path | catalog.DatasetFile],
    *,
    cache_dir: str | Path | None = None,
    columnar_min_bytes: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    regions: gpd.GeoDataFrame | None = None,
) -> tuple[EventViews, list[ImportReport]]:
    """The views of several event files shown together, and what reading each reported.

    When the files come to ``columnar_min_bytes`` or more together, one ``ColumnarViews`` answers over
    all their GeoParquet caches (each written first if missing or stale); their events are then never
    all held in memory. Otherwise, or when a cache cannot be written, they are read into one
    ``MemoryViews`` (``catalog.combine``). Either way the events come in the order of ``sources``.

    Parameters
    ----------
    sources : sequence of str, pathlib.Path or catalog.DatasetFile
        The event files.
    cache_dir, columnar_min_bytes, regions
        As for ``views_for_file``.
    progress : callable, optional
        ``progress(name, done, total)`` while a file itself is read.

    Returns
    -------
    (EventViews, list of ImportReport)
        The views, and one report per file in the order given.

    Raises
    ------
    FileNotFoundError, readers.NotEventDataError
        As ``catalog.load_events``, for the first file that cannot be read.
    ValueError
        If no file is given, or ``CONFLICTMAP_COLUMNAR_MIN_MB`` is not a number of MB.
    """
    files = [s if isinstance(s, catalog.DatasetFile) else catalog.dataset_file(s) for s in sources]
    if not files:
        raise ValueError("views_for_files needs at least one event file")
    threshold = settings.columnar_min_bytes() if columnar_min_bytes is None else int(columnar_min_bytes)

    def told(file: catalog.DatasetFile) -> Callable[[int, int], None] | None:
        return None if progress is None else lambda done, total: progress(file.path.name, done, total)

    if sum(f.size for f in files) >= threshold:
        caches, reports = [], []
        for file in files:
            cache = catalog.cache_path(file.path, cache_dir)
            report = catalog.cached_report(file, cache)
            if report is None:
                try:
                    report = catalog.stream_cache(file, cache_dir=cache_dir, progress=told(file))
                except OSError:
                    if not file.path.is_file():
                        raise
                    break
            caches.append(cache)
            reports.append(report)
        else:
            with contextlib.suppress(ParquetEventsError):
                return ColumnarViews(caches, regions=regions), reports
    loaded = [catalog.load_events(f, cache_dir=cache_dir, progress=told(f)) for f in files]
    return _memory(catalog.combine([events for events, _ in loaded]), regions), [r for _, r in loaded]

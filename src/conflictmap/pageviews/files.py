"""Which views answer for an event file: memory for small files, DuckDB over the GeoParquet cache for large ones."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from conflictmap import catalog, settings
from conflictmap.pageviews.base import EventViews
from conflictmap.pageviews.columnar import ColumnarViews, ParquetEventsError
from conflictmap.pageviews.memory import MemoryViews
from conflictmap.readers import ImportReport


def views_for_file(
    source: str | Path | catalog.DatasetFile,
    *,
    cache_dir: str | Path | None = None,
    columnar_min_bytes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[EventViews, ImportReport]:
    """The views of an event file, and what reading it reported.

    A file of ``columnar_min_bytes`` or more is answered by ``ColumnarViews`` over
    its GeoParquet cache (``catalog.cache_path``), written first if it is missing or
    stale; its events are then never held in memory. A smaller file, or one whose
    cache cannot be written, is read into ``MemoryViews`` (``catalog.load_events``).

    Parameters
    ----------
    source : str, pathlib.Path or catalog.DatasetFile
        The event file (any format ``readers.read_events`` takes).
    cache_dir : str or pathlib.Path, optional
        See ``catalog.cache_path``.
    columnar_min_bytes : int, optional
        Default ``settings.columnar_min_bytes()`` (``CONFLICTMAP_COLUMNAR_MIN_MB``).
    progress : callable, optional
        Passed to ``read_events`` when the file itself is read.

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
    file = source if isinstance(source, catalog.DatasetFile) else catalog.dataset_file(source)
    threshold = settings.columnar_min_bytes() if columnar_min_bytes is None else int(columnar_min_bytes)
    if file.size < threshold:
        events, report = catalog.load_events(file, cache_dir=cache_dir, progress=progress)
        return MemoryViews(events), report
    cache = catalog.cache_path(file.path, cache_dir)
    report = catalog.cached_report(file, cache)
    if report is None:
        events, report = catalog.load_events(file, cache_dir=cache_dir, min_cache_bytes=0, progress=progress)
        if catalog.cached_report(file, cache) is None:
            # The cache could not be written (a read-only place): the events read serve from memory.
            return MemoryViews(events), report
        del events
    with contextlib.suppress(ParquetEventsError):
        return ColumnarViews(cache), report
    events, report = catalog.load_events(file, cache_dir=cache_dir, progress=progress)
    return MemoryViews(events), report

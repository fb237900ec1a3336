"""What each part of the page shows, worked out from events in memory or by the event store's database.

The dashboard asks one ``EventViews`` for everything it shows: the filter
choices and counts, the headline figures, the timeline, the actors, what the
map draws for the area in view, the table's rows, one event's record and the
filtered events for an export. ``MemoryViews`` answers from a table in memory
(event files, uploads, the GeoPackage store); ``DatabaseViews`` asks the store's
database, so a PostGIS store is never read whole: each view receives only what
it shows; ``ColumnarViews`` asks DuckDB the same questions over an event file's
GeoParquet cache, read in place.
"""

from __future__ import annotations

from conflictmap.pageviews.base import EventViews, MapLayer
from conflictmap.pageviews.columnar import ColumnarViews
from conflictmap.pageviews.database import DatabaseViews
from conflictmap.pageviews.files import views_for_file, views_for_files
from conflictmap.pageviews.memory import MemoryViews

__all__ = [
    "ColumnarViews",
    "DatabaseViews",
    "EventViews",
    "MapLayer",
    "MemoryViews",
    "views_for_file",
    "views_for_files",
]

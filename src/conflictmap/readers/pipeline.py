"""One path from rows as read to canonical events, for files and API replies alike."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd

from conflictmap.readers import canonical, rows
from conflictmap.readers.report import ImportReport
from conflictmap.readers.table import RawTable


def events_from_table(
    table: RawTable,
    format: str,
    *,
    source: str,
    dataset: str | None = None,
    default_dataset: str = "manual",
    stage: Callable[[RawTable, ImportReport], rows.Staged] | None = None,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Stage ``table`` as ``format``, check every row and return the canonical events with the report.

    Parameters
    ----------
    table : RawTable
        Rows as read (headers normalised).
    format : {"acled", "ucdp", "canonical"}
        The event format of the rows.
    source : str
        What the rows came from, for the report (a path, "ACLED API reply").
    dataset : str, optional
        Names the dataset of every row.
    default_dataset : str
        For the canonical table: ``dataset`` of rows that do not name one.
    stage : callable, optional
        The format's staging (``acled.stage``, ``ucdp.stage``); the canonical table's by default.
        Passed in, so that the format modules can use this path without importing each other.
    """
    report = ImportReport(source=source, format=format, rows_read=len(table.frame) + len(table.unreadable))
    report.warnings.extend(table.notes)
    for row, reason in table.unreadable:
        report.reject(row, "(whole row)", "", f"cannot be split into the header's columns: {reason}")
    if stage is not None:
        staged = stage(table, report)
    elif format == "canonical":
        staged = canonical.stage(table, report, default_dataset=default_dataset)
    else:
        raise ValueError(f"no staging given for the {format!r} format")
    for position, column, value, reason in table.flagged:
        report.reject(table.rows[position], column, value, reason)
        staged.bad[position] = True
    events = rows.finish(staged, report, dataset=dataset)
    return events, report

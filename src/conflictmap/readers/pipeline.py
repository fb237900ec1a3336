"""One path from rows as read to canonical events, for files and API replies alike."""

from __future__ import annotations

import geopandas as gpd

from conflictmap.readers import acled, canonical, rows, ucdp
from conflictmap.readers.report import ImportReport
from conflictmap.readers.table import RawTable


def events_from_table(
    table: RawTable,
    format: str,
    *,
    source: str,
    dataset: str | None = None,
    default_dataset: str = "manual",
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
    """
    report = ImportReport(source=source, format=format, rows_read=len(table.frame) + len(table.unreadable))
    report.warnings.extend(table.notes)
    for row, reason in table.unreadable:
        report.reject(row, "(whole row)", "", f"cannot be split into the header's columns: {reason}")
    if format == "acled":
        staged = acled.stage(table, report)
    elif format == "ucdp":
        staged = ucdp.stage(table, report)
    else:
        staged = canonical.stage(table, report, default_dataset=default_dataset)
    for position, column, value, reason in table.flagged:
        report.reject(table.rows[position], column, value, reason)
        staged.bad[position] = True
    events = rows.finish(staged, report, dataset=dataset)
    return events, report

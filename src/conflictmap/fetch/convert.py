"""API reply rows -> the canonical event table, through the file readers' own row mapping.

An API row is a JSON object whose keys are the export's column names, so the
rows are laid out as a table read from a file (values as text, as a CSV
gives them) and handed to ``readers.acled.stage`` or ``readers.ucdp.stage``
and ``readers.rows.finish``: an API row and the same row in a downloaded file
become the same event, and a row the readers reject is rejected here with
the same reason, its page and place named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap.readers import acled, rows, ucdp
from conflictmap.readers.report import ImportReport
from conflictmap.readers.table import RawTable, tidy_columns

#: Source name -> the reader module whose mapping applies.
STAGES = {"acled": acled.stage, "ucdp": ucdp.stage}


def _text(value: object) -> object:
    """A JSON value as a CSV cell would hold it: text, or None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def rows_to_events(
    records: Sequence[Mapping[str, object]], source: str, *, label: str
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read API rows as the reader of ``source`` reads a file's rows.

    Parameters
    ----------
    records : sequence of mapping
        The reply rows (``data`` of an ACLED reply, ``Result`` of a UCDP page).
    source : {"acled", "ucdp"}
    label : str
        What the rows came from, for the report (``ACLED API, country=Mali``). Rejections
        number the rows from 1 in the order the pages gave them.

    Returns
    -------
    (geopandas.GeoDataFrame, ImportReport)
    """
    report = ImportReport(source=label, format=source, rows_read=len(records))
    frame = pd.DataFrame.from_records([{k: _text(v) for k, v in r.items()} for r in records])
    if frame.empty:
        frame = pd.DataFrame(columns=list(acled.ACLED_COLUMNS if source == "acled" else ["id", "type_of_violence"]))
    frame = tidy_columns(frame.astype(object), report.warnings)
    # Row numbers as a person counts the rows of the download: 1 for the first.
    table = RawTable(frame, np.arange(1, len(frame) + 1), "json")
    staged = STAGES[source](table, report)
    events = rows.finish(staged, report)
    return events, report

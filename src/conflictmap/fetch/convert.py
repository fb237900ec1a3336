"""API reply rows -> the canonical event table, through the file readers' own row mapping.

An API row is a JSON object whose keys are the export's column names, so the
rows are laid out as a table read from a file (values as text, as a CSV
gives them, ``readers.replies.records_table``) and go down the readers' one
path (``readers.pipeline.events_from_table``): an API row and the same row in
a downloaded file become the same event, and a row the readers reject is
rejected here with the same reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd

from conflictmap.readers import acled, ucdp
from conflictmap.readers.pipeline import events_from_table
from conflictmap.readers.replies import records_table
from conflictmap.readers.report import ImportReport

#: Columns of an empty reply, so the format's mapping finds what it expects.
_EMPTY = {"acled": acled.ACLED_COLUMNS, "ucdp": ("id", "type_of_violence", "date_start")}


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
    if source not in _EMPTY:
        raise ValueError(f"unknown source {source!r}; expected 'acled' or 'ucdp'")
    table = records_table(records)
    if not records:
        table.frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in _EMPTY[source]})
    stage = acled.stage if source == "acled" else ucdp.stage
    return events_from_table(table, source, source=label, stage=stage)

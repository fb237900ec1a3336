"""Event files in: ACLED, UCDP GED and the canonical table, from CSV, XLSX, GeoJSON, GeoPackage or GeoParquet.

``read_events`` works out what a file is (its container from its first
bytes, its format from its columns), reads every row it can and returns the
canonical events with an ``ImportReport`` that says, for every row it left
out, the row number, column, value and reason. ``write_events`` writes the
canonical table back out.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from conflictmap import schema
from conflictmap.csvcells import is_own_csv, restore_frame
from conflictmap.readers import acled, replies, ucdp
from conflictmap.readers.canonical import SUFFIXES, write_events
from conflictmap.readers.detect import (
    FORMATS,
    detect_format,
    file_format,
    sniff_container,
)
from conflictmap.readers.geofile import read_geofile
from conflictmap.readers.pipeline import events_from_table
from conflictmap.readers.report import (
    ImportReport,
    NotEventDataError,
    Rejection,
    UnknownSuffixError,
    UnreadableFileError,
)
from conflictmap.readers.table import Progress, RawTable
from conflictmap.readers.textfile import read_delimited, read_workbook

#: What reading a file the user chose raises on purpose: not event data or not a readable
#: table (``NotEventDataError``, ``UnreadableFileError``), no file there, a folder, no permission.
#: Catch these to tell the user; anything else (a plain ``ValueError`` too) is a bug and keeps its traceback.
READ_ERRORS: tuple[type[Exception], ...] = (NotEventDataError, FileNotFoundError, IsADirectoryError, PermissionError)

__all__ = [
    "FORMATS",
    "READ_ERRORS",
    "SUFFIXES",
    "ImportReport",
    "NotEventDataError",
    "Rejection",
    "UnknownSuffixError",
    "UnreadableFileError",
    "acled",
    "detect_format",
    "read_acled",
    "read_canonical",
    "read_events",
    "read_ucdp",
    "ucdp",
    "write_events",
]


def _load(path: Path, progress: Progress | None) -> tuple[RawTable, str | None]:
    """The file's rows, and the format its container already tells (an API reply)."""
    container = sniff_container(path)
    if container == "csv":
        return read_delimited(path, progress), None
    if container == "xlsx":
        return read_workbook(path, progress), None
    if container == "reply":
        payload = replies.load_json(path)
        kind = replies.reply_kind(payload)
        try:
            if kind == "acled":
                records = replies.parse_acled_reply(payload).records
            elif kind == "ucdp":
                records = replies.parse_ucdp_reply(payload).records
            elif isinstance(payload, list):
                records = replies.records_list(payload, "the list", "the file")
            else:
                return read_geofile(path, "geojson", progress), None
        except replies.ApiReplyError as exc:
            raise replies.ApiReplyError(f"{path.name}: {exc}") from None
        table = replies.records_table(records)
        if progress:
            progress(len(records), len(records))
        return table, kind
    return read_geofile(path, container, progress), None


def read_events(
    path: str | Path,
    format: str | None = None,
    *,
    dataset: str | None = None,
    progress: Progress | None = None,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read an event file into the canonical event table.

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV (any delimiter; UTF-8, UTF-8 with BOM, UTF-16 or cp1252/Latin-1),
        XLSX (first sheet), GeoJSON, GeoPackage or GeoParquet file, or a saved
        ACLED or UCDP API JSON reply (its row numbers are record numbers from 1).
    format : {None, "acled", "ucdp", "canonical"}
        The event format; ``None`` works it out from the columns.
    dataset : str, optional
        Names the dataset of every row loaded. Otherwise ``acled``,
        ``ucdp_ged``, or for the canonical table each row's ``dataset``,
        where blank the file's name without suffix.
    progress : callable, optional
        Called as ``progress(done, total)`` while the file is read: lines of
        a text file, rows of a workbook, features of a geodata file; the
        last call has ``done == total``.

    Returns
    -------
    (geopandas.GeoDataFrame, ImportReport)
        The events that passed every check, and what happened to the others.

    Raises
    ------
    ValueError
        If ``format`` is not one of ``FORMATS``.
    NotEventDataError
        If the file is not event data at all (empty, an image, other columns),
        naming the columns each format needs.
    FileNotFoundError
        If there is no file at ``path``.
    """
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of {list(FORMATS)} or None to detect it")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    table, told = _load(path, progress)
    format = format or told
    if table.container == "csv" and is_own_csv(path, list(table.frame.columns), schema.COLUMNS):
        # Its own file: take off the apostrophes written before would-be formulas (see ``csvcells``).
        table.frame = restore_frame(table.frame)
    format = file_format(path.name, table.frame.columns, format)
    stage = {"acled": acled.stage, "ucdp": ucdp.stage}.get(format)
    return events_from_table(table, format, source=str(path), dataset=dataset, default_dataset=path.stem, stage=stage)


def read_acled(
    path: str | Path, *, dataset: str | None = None, progress: Progress | None = None
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read an ACLED export (any layout, CSV or XLSX); ``read_events(path, "acled", ...)``."""
    return read_events(path, "acled", dataset=dataset, progress=progress)


def read_ucdp(
    path: str | Path, *, dataset: str | None = None, progress: Progress | None = None
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read a UCDP GED file; ``read_events(path, "ucdp", ...)``."""
    return read_events(path, "ucdp", dataset=dataset, progress=progress)


def read_canonical(
    path: str | Path, *, dataset: str | None = None, progress: Progress | None = None
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read a canonical event file (any container); ``read_events(path, "canonical", ...)``."""
    return read_events(path, "canonical", dataset=dataset, progress=progress)

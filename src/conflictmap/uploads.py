"""A file the user uploaded to the page: copied once to a private folder, read, and imported from there.

The page gets an upload's bytes; readers and the store take a path. ``stage``
writes the bytes once, under the upload's own file name (readers tell formats
by suffix), into a folder removed when the ``StagedFile`` is dropped (the
browser tab's session ends, or another file replaces it). ``read_staged`` and
``import_staged`` then work on that one copy.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from conflictmap import aggregates, readers
from conflictmap.errors import ConflictmapError
from conflictmap.readers import read_events
from conflictmap.readers.report import ImportReport, NotEventDataError
from conflictmap.store import StoreError, open_store

#: Problems with a file the user chose (the reading errors, and any error of conflictmap's own
#: with a message for the user); anything else is a bug and keeps its traceback in the log.
READ_ERRORS: tuple[type[BaseException], ...] = (*readers.READ_ERRORS, ConflictmapError)
UPLOAD_PREFIX = "upload:"


def upload_name(name: str | None, default: str = "upload.csv") -> str:
    """The file name an upload is known by: its last path part (a browser may send a path), else ``default``."""
    return Path(name or "").name or default


def upload_key(name: str) -> str:
    """The dataset key of an upload named ``name``."""
    return f"{UPLOAD_PREFIX}{name}"


@dataclass
class StagedFile:
    """One upload's bytes, written once to ``path``; the folder goes when this object does."""

    name: str
    path: Path
    file_id: str
    _folder: tempfile.TemporaryDirectory = field(repr=False)

    def discard(self) -> None:
        """Remove the copy now."""
        self._folder.cleanup()


def stage(name: str | None, data: bytes, file_id: str = "") -> StagedFile:
    """Copy an upload's bytes to a private temporary folder, under its own file name.

    Parameters
    ----------
    name : str or None
        The name the browser sent; only its last part is used.
    data : bytes
        The file's content.
    file_id : str
        What tells this upload from another of the same name.
    """
    clean = upload_name(name)
    folder = tempfile.TemporaryDirectory(prefix="conflictmap-upload-")
    path = Path(folder.name) / clean
    path.write_bytes(data)
    return StagedFile(clean, path, file_id, folder)


@dataclass
class UploadedTable:
    """An upload read into events: what the dataset picker offers for this browser tab."""

    key: str
    name: str
    table: gpd.GeoDataFrame
    report: ImportReport
    file: StagedFile

    @property
    def events(self) -> int:
        """How many events were read."""
        return len(self.table)

    @property
    def version(self) -> tuple[str, str]:
        """What tells this upload's table from another's, for the caches."""
        return ("upload", self.file.file_id)


@dataclass(frozen=True)
class UploadedAggregates:
    """An upload of published counts per area and period (ACLED aggregated, HDX HAPI): no points."""

    key: str
    name: str
    table: pd.DataFrame
    report: ImportReport


@dataclass(frozen=True)
class ReadResult:
    """What reading an upload gave: events, aggregates, or why it could not be read (``error``)."""

    name: str
    uploaded: UploadedTable | None = None
    error: str | None = None
    aggregates: UploadedAggregates | None = None


def read_staged(file: StagedFile) -> ReadResult:
    """Read a staged upload into events, or aggregates; a file that is neither gives ``error``, not an exception."""
    try:
        events, report = read_events(file.path)
    except READ_ERRORS as exc:
        # Only a file read and found to lack events' columns may be aggregates; an unreadable one is not.
        if type(exc) is NotEventDataError and file.path.suffix.lower() in (".csv", ".xlsx"):
            try:
                table, report = aggregates.read_aggregates(file.path)
            except READ_ERRORS:
                return ReadResult(file.name, error=str(exc))
            report.source = file.name
            return ReadResult(file.name, aggregates=UploadedAggregates(upload_key(file.name), file.name, table, report))
        return ReadResult(file.name, error=str(exc))
    report.source = file.name
    return ReadResult(file.name, UploadedTable(upload_key(file.name), file.name, events, report, file))


@dataclass(frozen=True)
class ImportResult:
    """What importing an upload into the event store did (``summary``), or why it did not (``error``)."""

    name: str
    summary: str = ""
    changed: bool = False
    error: str | None = None


def import_staged(file: StagedFile) -> ImportResult:
    """Import a staged upload into the event store (created if need be)."""
    try:
        with open_store() as store:
            outcome = store.import_file(file.path)
    except (*READ_ERRORS, StoreError, OSError) as exc:
        return ImportResult(file.name, error=str(exc))
    return ImportResult(file.name, outcome.summary(), bool(outcome.changed))

"""What an import did: rows read, loaded and rejected, with the reason for each rejection."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from conflictmap.csvcells import neutralise
from conflictmap.errors import ConflictmapError
from conflictmap.messages import quote, shorten


class NotEventDataError(ConflictmapError, ValueError):
    """A file that is not event data at all; the message names the columns expected."""


class UnreadableFileError(NotEventDataError):
    """A file that cannot be read as a table at all: an image, a damaged workbook, an unclosed quote."""


@dataclass(frozen=True)
class Rejection:
    """One row (or one value) a reader could not use.

    ``row`` is the 1-based line number in the file as a spreadsheet shows it
    (the header is row 1), or the feature number for GeoJSON/GeoPackage.
    """

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {quote(self.column, 60)}: {quote(self.value)} - {self.reason}"


@dataclass
class ImportReport:
    """The outcome of reading one file.

    Attributes
    ----------
    source : str
        The file read.
    format : str
        The format used: ``acled``, ``ucdp`` or ``canonical``.
    rows_read : int
        Data rows in the file.
    rows_loaded : int
        Rows in the returned events.
    rejected : list of Rejection
        Rows left out, each with its row number, column, value and reason.
    warnings : list of str
        Things the user should know that did not cost a row (a value
        defaulted, a place placed by the gazetteer, a column not carried).
    suspect : list of Rejection
        Rows loaded but looking wrong (a place outside its country, swapped
        coordinates, an implausible death toll; see ``conflictmap.suspect``).
    """

    source: str
    format: str
    rows_read: int = 0
    rows_loaded: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    suspect: list[Rejection] = field(default_factory=list)

    def flag(self, row: int, column: str, value: object, reason: str) -> None:
        """Record a row loaded but looking wrong (``conflictmap.suspect``); values cut as in ``reject``."""
        text = "" if value is None else str(value)
        self.suspect.append(Rejection(int(row), shorten(str(column), 100), shorten(text), shorten(reason, 400)))

    @property
    def rows_rejected(self) -> int:
        """Number of distinct rows left out."""
        return len({r.row for r in self.rejected})

    def reject(self, row: int, column: str, value: object, reason: str) -> None:
        """Record a row left out; the value and reason kept are cut to ``messages.QUOTE_CHARS`` or so.

        A 10 MB cell must not become a 10 MB message, alert or table cell; the start of it
        and its length say enough to find it in the file.
        """
        text = "" if value is None else str(value)
        self.rejected.append(Rejection(int(row), shorten(str(column), 100), shorten(text), shorten(reason, 400)))

    def summary(self) -> str:
        """A few lines for a person: counts, then each rejection and warning."""
        lines = [
            f"{self.source} ({self.format}): {self.rows_read} rows read, "
            f"{self.rows_loaded} loaded, {self.rows_rejected} rejected"
        ]
        lines += [f"  rejected {r}" for r in self.rejected]
        lines += [f"  suspect {r}" for r in self.suspect]
        lines += [f"  note: {w}" for w in self.warnings]
        return "\n".join(lines)

    def rejections_csv(self) -> str:
        """The rejections as CSV text (row, column, value, reason), for download.

        Text a spreadsheet would run as a formula starts with an apostrophe (``csvcells``).
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["row", "column", "value", "reason"])
        writer.writerows(
            (r.row, neutralise(r.column), neutralise(r.value), neutralise(r.reason)) for r in self.rejected
        )
        return buffer.getvalue()

"""Delimited text and Excel workbooks: encoding, delimiter, the HXL hashtag row and row numbers.

Every value is read as text, exactly as written; the format readers decide
what it means. Row numbers are what a spreadsheet shows: the header is row 1,
a quoted value spanning lines stays one row, blank lines count.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import re
import sys
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from conflictmap.messages import shorten
from conflictmap.readers.archive import check_archive
from conflictmap.readers.detect import expected_columns
from conflictmap.readers.report import NotEventDataError, UnreadableFileError
from conflictmap.readers.table import Progress, RawTable, tidy_columns

#: Rows parsed per step while reading a delimited file (progress is reported after each).
CHUNK_ROWS = 200_000
_BLOCK = 1 << 22
_DELIMITERS = (",", ";", "\t", "|")
_SKIPPED = re.compile(r"Skipping line (\d+): (.*)")


def scan_text(path: Path) -> tuple[str, int]:
    """The text encoding of a file and its number of lines.

    A byte-order mark decides; otherwise UTF-8 if every byte decodes, else
    cp1252 (what Excel and older Windows tools write for French names); bytes
    cp1252 leaves undefined fall back to Latin-1, which decodes anything.
    """
    with open(path, "rb") as fh:
        head = fh.read(4)
        boms = {codecs.BOM_UTF8: "utf-8-sig", codecs.BOM_UTF16_LE: "utf-16", codecs.BOM_UTF16_BE: "utf-16"}
        found = next((enc for bom, enc in boms.items() if head.startswith(bom)), None)
        lines = 0
        for encoding in ("utf-8", "cp1252") if found is None else (found,):
            fh.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            lines = 0
            try:
                while block := fh.read(_BLOCK):
                    lines += block.count(b"\n")
                    if found is None:
                        decoder.decode(block)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding, lines + 1
    return "latin-1", lines + 1


def detect_encoding(path: Path) -> str:
    """The text encoding of a file (see ``scan_text``)."""
    return scan_text(path)[0]


def sniff_delimiter(header: str) -> str:
    """The delimiter of a header line: whichever of ``, ; TAB |`` it holds most (comma on a tie)."""
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


#: Lines looked at for the header: an export tool may write a line or two above it.
_HEAD_LINES = 20


def _head_lines(path: Path, encoding: str) -> list[str]:
    lines = []
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        for _ in range(_HEAD_LINES):
            line = fh.readline()
            if not line:
                break
            lines.append(line)
    return lines


def header_position(widths: list[int]) -> int:
    """Where the header is among the first lines, given how many fields each holds.

    The first line with at least half the fields of the widest; the lines above it
    are a preamble (ACLED's export tool writes "(Sample)" and an empty line).
    """
    widest = max(widths, default=0)
    if widest < 2:
        return 0
    return next(i for i, w in enumerate(widths) if w * 2 >= widest)


def headerless_ged(first: list[str]) -> bool:
    """True for a UCDP GED / Candidate file published without its header: 49 fields, the first an id."""
    from conflictmap.readers.ucdp import GED_COLUMNS

    return len(first) == len(GED_COLUMNS) and first[0].strip().isdigit() and first[5].strip() in ("1", "2", "3")


def _is_hxl_row(values: pd.Series) -> bool:
    """True for HDX's hashtag row (``#event+code``, ``#date+occurred``, ...) under the header."""
    present = [str(v).strip() for v in values if isinstance(v, str) and v.strip()]
    return bool(present) and all(v.startswith("#") for v in present)


def _finish(
    frame: pd.DataFrame, rows: np.ndarray, container: str, unreadable, notes, *, first: bool = True
) -> RawTable:
    """Drop the HXL row (of the ``first`` chunk) and blank rows, normalise headers, keep each row's number."""
    frame = frame.reset_index(drop=True)
    if first and len(frame) and _is_hxl_row(frame.iloc[0]):
        frame = frame.iloc[1:].reset_index(drop=True)
        rows = rows[1:]
        notes.append("skipped the HXL hashtag row under the header (row 2)")
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.any():
        frame = frame.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]
    frame = tidy_columns(frame, notes if first else [])
    return RawTable(frame=frame, rows=rows, container=container, unreadable=unreadable, notes=notes)


@dataclass
class _Layout:
    """How a delimited file is laid out: what ``pandas.read_csv`` is told, and what is noted."""

    encoding: str
    lines: int
    sep: str
    skip: int
    names: list[str] | None
    notes: list[str]

    @property
    def first_row(self) -> int:
        """The spreadsheet row number of the first data row."""
        return 1 if self.names else self.skip + 2


def _layout(path: Path) -> _Layout:
    """Encoding, line count, delimiter, lines above the header and the header of a delimited file."""
    encoding, lines = scan_text(path)
    head = _head_lines(path, encoding)
    widest = max(head, key=lambda line: max(line.count(d) for d in _DELIMITERS), default="")
    sep = sniff_delimiter(widest)
    try:
        parsed = list(csv.reader(head, delimiter=sep))
    except csv.Error:
        # A field longer than the csv module takes: split plainly, only to find the header.
        parsed = [line.rstrip("\r\n").split(sep) for line in head]
    skip = header_position([len([f for f in fields if f.strip()]) for fields in parsed])
    names = None
    notes = []
    if skip:
        notes.append(f"skipped {skip} line(s) above the header (row {skip + 1} is the header)")
    if parsed and headerless_ged(parsed[0]):
        from conflictmap.readers.ucdp import GED_COLUMNS

        names = list(GED_COLUMNS)
        notes.append("no header row: read as UCDP GED/Candidate's documented 49 columns")
    return _Layout(encoding, lines, sep, skip, names, notes)


def _chunks(path: Path, layout: _Layout, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The file's rows as text, ``chunk_rows`` at a time; the parser's errors told in words."""
    try:
        # The path, not an open file: pandas decodes UTF-8 itself, twice as fast.
        reader = pd.read_csv(
            path,
            sep=layout.sep,
            encoding=layout.encoding,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            on_bad_lines="warn",
            skiprows=layout.skip,
            header=None if layout.names else "infer",
            names=layout.names,
            # Never take the first column as the index when rows are longer than the header.
            index_col=False,
            chunksize=chunk_rows,
            engine="c",
        )
        yield from reader
    except pd.errors.EmptyDataError:
        raise NotEventDataError(f"{path.name} has no header row: {expected_columns()}") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).replace("Error tokenizing data. C error: ", "")
        unclosed = re.search(r"EOF inside string starting at row (\d+)", detail)
        if unclosed:
            # The parser counts data lines from 0 after the header; a spreadsheet shows the header as row 1.
            detail = (
                f'a quote (") opened in row {int(unclosed[1]) + 1} is never closed; '
                "expected every quoted value to end with a quote"
            )
        raise UnreadableFileError(f"{shorten(path.name)} cannot be split into rows: {shorten(detail)}") from None
    except UnicodeDecodeError as exc:
        # Only a file whose byte-order mark promises an encoding its bytes break gets here.
        raise UnreadableFileError(f"{path.name} is not valid {layout.encoding} text: {exc.reason}") from None


def _skipped(caught: list) -> list[tuple[int, str]]:
    """``(line, reason)`` of each line the parser skipped, from its warnings."""
    unreadable: list[tuple[int, str]] = []
    for warning in caught:
        for line in str(warning.message).splitlines():
            if match := _SKIPPED.match(line.strip()):
                unreadable.append((int(match.group(1)), match.group(2).strip()))
    return unreadable


def _numbers(first: int, count: int, unreadable: list[tuple[int, str]]) -> np.ndarray:
    """Row numbers of ``count`` rows read from row ``first`` on: skipped lines keep theirs, the rows take the others."""
    skipped = np.array(sorted(r for r, _ in unreadable), dtype=np.int64)
    numbers = np.arange(first, first + count + len(skipped), dtype=np.int64)
    return np.setdiff1d(numbers, skipped, assume_unique=True) if len(skipped) else numbers


def read_delimited(path: Path, progress: Progress | None = None) -> RawTable:
    """Read a CSV (or semicolon / tab separated) file as text, in chunks, reporting lines read.

    Raises
    ------
    NotEventDataError
        If the file has no header.
    UnreadableFileError
        If the text cannot be split into rows (an unclosed quote).
    """
    layout = _layout(path)
    lines, notes = layout.lines, layout.notes
    chunks: list[pd.DataFrame] = []
    done = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        if progress:
            progress(0, lines)
        for chunk in _chunks(path, layout, CHUNK_ROWS):
            chunks.append(chunk)
            done += len(chunk)
            if progress:
                progress(min(done + 1, lines), lines)
    if progress:
        progress(lines, lines)
    if not chunks:
        raise NotEventDataError(f"{path.name} has no header row: {expected_columns()}")
    frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    unreadable = _skipped(caught)
    rows = _numbers(layout.first_row, len(frame), unreadable)
    if layout.encoding not in ("utf-8", "utf-8-sig"):
        notes.insert(0, f"read as {layout.encoding} text (not UTF-8)")
    return _finish(frame, rows, "csv", unreadable, notes)


def iter_delimited(path: Path, chunk_rows: int = CHUNK_ROWS, progress: Progress | None = None) -> Iterator[RawTable]:
    """``read_delimited`` a chunk at a time: each chunk's rows as a ``RawTable`` with their own row numbers.

    The rows, numbers, skipped lines and notes of all chunks together are those ``read_delimited``
    gives (notes, the HXL row and the header's tidying come with the first chunk); at most
    ``chunk_rows`` rows of text are held at once.

    Raises
    ------
    NotEventDataError, UnreadableFileError
        As ``read_delimited``; a file that breaks off in its middle raises when that chunk is read.
    """
    layout = _layout(path)
    lines = layout.lines
    following = layout.first_row
    done = 0
    first = True
    if progress:
        progress(0, lines)
    source = _chunks(path, layout, chunk_rows)
    while True:
        # The parser's warnings caught around each chunk only: the lines skipped while it was read.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            chunk = next(source, None)
        if chunk is None:
            break
        unreadable = _skipped(caught)
        rows = _numbers(following, len(chunk), unreadable)
        following += len(chunk) + len(unreadable)
        notes = list(layout.notes) if first else []
        if first and layout.encoding not in ("utf-8", "utf-8-sig"):
            notes.insert(0, f"read as {layout.encoding} text (not UTF-8)")
        done += len(chunk)
        if progress:
            progress(min(done + 1, lines), lines)
        yield _finish(chunk, rows, "csv", unreadable, notes, first=first)
        first = False
    if first:
        raise NotEventDataError(f"{path.name} has no header row: {expected_columns()}")
    if progress:
        progress(lines, lines)


def _cell_text(value: object) -> str | None:
    """A workbook cell as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _not_a_workbook(path: Path) -> UnreadableFileError:
    # What the library says (no zip file, a missing member) means nothing to a reader of the message.
    return UnreadableFileError(
        f"{shorten(path.name)} is not an Excel workbook that can be opened: it is damaged, or another kind "
        "of file; expected an .xlsx workbook as Excel or LibreOffice saves it"
    )


def iter_workbook(path: Path, chunk_rows: int = CHUNK_ROWS, progress: Progress | None = None) -> Iterator[RawTable]:
    """``read_workbook`` a chunk at a time: each chunk's rows as a ``RawTable`` with the sheet's row numbers.

    The sheet is read as a stream (openpyxl's read-only mode), so at most ``chunk_rows`` rows are
    held at once; the notes and the header's tidying come with the first chunk.

    Raises
    ------
    NotEventDataError, UnreadableFileError
        As ``read_workbook``.
    """
    import openpyxl  # only workbooks need it
    from openpyxl.utils.exceptions import InvalidFileException

    unopenable = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError)
    # Read the archive's directory first: a zip bomb is refused before anything is inflated.
    check_archive(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except unopenable:
        raise _not_a_workbook(path) from None
    try:
        try:
            sheet = book.worksheets[0]
            total = sheet.max_row or 0
            cells = sheet.iter_rows(values_only=True)
            first_rows = [row for _, row in zip(range(_HEAD_LINES), cells, strict=False)]
        except unopenable:
            raise _not_a_workbook(path) from None
        filled = [sum(1 for v in row if v is not None and str(v).strip()) for row in first_rows]
        skip = header_position(filled)
        header = first_rows[skip] if first_rows else ()
        if all(v is None for v in header):
            raise NotEventDataError(f"{path.name}: the first sheet has no header row: {expected_columns()}")
        width = len(header)
        names = [f"column_{i + 1}" if h is None else str(h) for i, h in enumerate(header)]
        notes = [f"skipped {skip} row(s) above the header (row {skip + 1} is the header)"] if skip else []
        source = itertools.chain(first_rows[skip + 1 :], cells)
        following = skip + 2  # the sheet's number of the next row read
        first = True
        while True:
            try:
                batch = list(itertools.islice(source, chunk_rows))
            except unopenable:
                raise _not_a_workbook(path) from None
            if not batch and not first:
                break
            records = []
            for values in batch:
                record = [_cell_text(v) for v in values[:width]]
                records.append(record + [None] * (width - len(record)))
            frame = pd.DataFrame(records, columns=names, dtype=object).astype("str")
            rows = np.arange(following, following + len(frame), dtype=np.int64)
            following += len(frame)
            if progress:
                progress(following - 1, max(total, following - 1))
            yield _finish(frame, rows, "xlsx", [], notes if first else [], first=first)
            first = False
            if len(batch) < chunk_rows:
                break
        if progress:
            progress(following - 1, following - 1)
    finally:
        book.close()


def read_workbook(path: Path, progress: Progress | None = None) -> RawTable:
    """Read the first sheet of an ``.xlsx`` workbook as text; row numbers are the sheet's rows.

    Raises
    ------
    NotEventDataError
        If the first sheet has no header row.
    UnreadableFileError
        If the file is not a workbook openpyxl can open.
    """
    (table,) = iter_workbook(path, chunk_rows=sys.maxsize, progress=progress)
    return table

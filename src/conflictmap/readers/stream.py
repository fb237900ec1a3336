"""A large CSV file or workbook read a chunk at a time: the canonical events of each chunk, and one report.

``EventChunks`` reads a delimited file or the first sheet of a workbook ``chunk_rows``
rows at a time (``textfile.iter_delimited``, ``textfile.iter_workbook``) and puts each chunk through the same checks as
``read_events`` (``pipeline.events_from_table``), so every message names the row a
spreadsheet shows. What one chunk cannot know is settled across chunks:

* the report's warnings that count rows ("N value(s) ...", first five rows named)
  are added up into one warning per kind, as a whole-file read writes it;
* an id repeated in two chunks is resolved afterwards (``resolve_duplicates``) by
  the same rule as within a file: the newest timestamp wins, then the later row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap import schema
from conflictmap.csvcells import is_own_csv, restore_frame
from conflictmap.readers import acled, canonical, rows, ucdp
from conflictmap.readers.detect import file_format, sniff_container
from conflictmap.readers.report import ImportReport, Rejection
from conflictmap.readers.table import Progress
from conflictmap.readers.textfile import iter_delimited, iter_workbook

#: Rows read per chunk: two of the cache's row groups, about 150 MB of text and events at once.
STREAM_ROWS = 131_072
#: At most this many rows of a workbook per chunk: a sheet's rows weigh more in memory than a CSV's
#: (200,000 rows peaked at 960 MB in chunks of 131,072 rows, 437 MB in chunks of 20,000).
WORKBOOK_ROWS = 32_768

# "<what>: <N> <words> (<rows or values>)" and "<what> missing in <N> row(s): <rest>": warnings that count.
_COUNTED = re.compile(r"^(?P<head>[^:(]*?: )(?P<n>\d+)(?P<words> .*?)(?: \((?P<inside>.*)\))?$")
_MISSING = re.compile(r"^(?P<head>\S+ missing in )(?P<n>\d+)(?P<words> row\(s\): .*)$")
_DUPLICATE = "duplicated id; kept row "
_NEWER = "a newer timestamp"
_SAME = "the same or no timestamp and comes later in the file"


def _merge_items(parts: list[str], total: int) -> str:
    """Items of lists ``a, b, c ...`` from several chunks: the first five, then `` ...`` when there are more."""
    items = [i for part in parts for i in part.removesuffix(" ...").split(", ") if i]
    shown = ", ".join(items[:5])
    return shown + (" ..." if total > 5 else "")


def _key(text: str) -> tuple[str, re.Match | None]:
    match = _MISSING.match(text) or _COUNTED.match(text)
    return (text, None) if match is None else (f"{match['head']}#{match['words']}", match)


def _inside(matches: list[re.Match], total: int) -> str:
    """What the brackets of a counted warning hold, over every chunk."""
    insides = [m["inside"] for m in matches if m["inside"] is not None]
    if not insides:
        return ""
    if all("; row(s) " in i for i in insides):
        # ACLED's unknown values: the first five of them sorted, then the rows.
        values = sorted({v for i in insides for v in i.split("; row(s) ")[0].split(", ")})
        rows = _merge_items([i.split("; row(s) ", 1)[1] for i in insides], total)
        return f" ({', '.join(values[:5])}; row(s) {rows})"
    if all(i.startswith("row(s) ") for i in insides):
        return f" (row(s) {_merge_items([i.removeprefix('row(s) ') for i in insides], total)})"
    return f" ({_merge_items(insides, total)})"


def merge_warnings(chunks: list[list[str]]) -> list[str]:
    """The warnings of every chunk as one read of the whole file gives them.

    Identical warnings are told once; warnings that count rows are added up, keeping the
    first five rows (or values) named. A warning first met in a later chunk takes its place
    before the next warning it precedes there, so each chunk's order is kept.
    """
    order: list[str] = []
    found: dict[str, list[re.Match]] = {}
    for warnings in chunks:
        keys = []
        for text in warnings:
            key, match = _key(text)
            keys.append(key)
            found.setdefault(key, [])
            if match is not None:
                found[key].append(match)
        placed = set(order)
        for i, key in enumerate(keys):
            if key in placed:
                continue
            after = next((k for k in keys[i + 1 :] if k in placed), None)
            order.insert(order.index(after) if after is not None else len(order), key)
            placed.add(key)
    out = []
    for key in order:
        matches = found[key]
        if not matches:
            out.append(key)
            continue
        first = matches[0]
        total = sum(int(m["n"]) for m in matches)
        text = f"{first['head']}{total}{first['words']}"
        if "inside" in first.re.groupindex:
            text += _inside(matches, total)
        out.append(text)
    return out


@dataclass
class Loaded:
    """One chunk's events and the row number of each in the file."""

    events: gpd.GeoDataFrame
    rows: np.ndarray


@dataclass
class EventChunks:
    """The canonical events of a delimited event file, a chunk at a time (iterate), and the file's report.

    Parameters
    ----------
    path : pathlib.Path
        A CSV (or other delimited) event file.
    format : {None, "acled", "ucdp", "canonical"}
        As ``read_events``.
    chunk_rows : int
        Rows read at once.
    progress : callable, optional
        ``progress(lines_done, lines)``.
    """

    path: Path
    format: str | None = None
    chunk_rows: int = STREAM_ROWS
    progress: Progress | None = None
    report: ImportReport | None = None
    id_column: str = "event_id"
    _warnings: list[list[str]] = field(default_factory=list)

    def __iter__(self) -> Iterator[Loaded]:
        path = Path(self.path)
        if not path.is_file():
            raise FileNotFoundError(f"no file at {path}")
        merged = ImportReport(source=str(path), format=self.format or "")
        own = None
        fmt = self.format
        if sniff_container(path) == "xlsx":
            tables = iter_workbook(path, min(self.chunk_rows, WORKBOOK_ROWS), self.progress)
        else:
            tables = iter_delimited(path, self.chunk_rows, self.progress)
        for table in tables:
            if own is None:
                own = table.container == "csv" and is_own_csv(path, list(table.frame.columns), schema.COLUMNS)
                fmt = file_format(path.name, table.frame.columns, fmt)
                merged.format = fmt
            if own:
                table.frame = restore_frame(table.frame)
            report = ImportReport(source=str(path), format=fmt, rows_read=len(table.frame) + len(table.unreadable))
            report.warnings.extend(table.notes)
            for row, reason in table.unreadable:
                report.reject(row, "(whole row)", "", f"cannot be split into the header's columns: {reason}")
            if fmt == "acled":
                staged = acled.stage(table, report)
            elif fmt == "ucdp":
                staged = ucdp.stage(table, report)
            else:
                staged = canonical.stage(table, report, default_dataset=path.stem)
            for position, column, value, reason in table.flagged:
                report.reject(table.rows[position], column, value, reason)
                staged.bad[position] = True
            events = rows.finish(staged, report)
            self.id_column = staged.column("event_id")
            loaded = np.asarray(staged.rows)[~staged.bad]
            merged.rows_read += report.rows_read
            merged.rows_loaded += report.rows_loaded
            merged.rejected.extend(report.rejected)
            merged.suspect.extend(report.suspect)
            self._warnings.append(report.warnings)
            yield Loaded(events, loaded)
        merged.warnings = merge_warnings(self._warnings)
        merged.rejected.sort(key=lambda r: r.row)
        self.report = merged


def resolve_duplicates(report: ImportReport, found: pd.DataFrame, column: str = "event_id") -> np.ndarray:
    """Settle ids loaded from more than one chunk, as one read of the whole file would; the positions to drop.

    Parameters
    ----------
    report : ImportReport
        The merged report: gets a rejection for each row dropped, and the rejections of rows
        that lost to a chunk's winner name the file's winner instead.
    found : pandas.DataFrame
        ``event_id``, ``timestamp``, ``row`` (the row number in the file) and ``at`` (the
        position among the events loaded) of every event whose id was loaded more than once.
    column : str
        The file's name of the id column (``EventChunks.id_column``), as the rejections name it.

    Returns
    -------
    numpy.ndarray
        The positions (``at``) of the events to leave out.
    """
    if found.empty:
        return np.empty(0, dtype=np.int64)
    table = found.sort_values(["timestamp", "row"], na_position="first")
    winners = table.groupby("event_id", sort=False).tail(1).set_index("event_id")
    by_row = {r.row: i for i, r in enumerate(report.rejected) if r.reason.startswith(_DUPLICATE)}
    chunk_winner = {int(r): ts for r, ts in zip(found["row"], found["timestamp"], strict=True)}
    drop = []
    for entry in table.itertuples(index=False):
        winner = winners.loc[entry.event_id]
        if entry.row == winner["row"]:
            continue
        newer = pd.notna(winner["timestamp"]) and (pd.isna(entry.timestamp) or winner["timestamp"] > entry.timestamp)
        why = _NEWER if newer else _SAME
        report.reject(int(entry.row), column, entry.event_id, f"{_DUPLICATE}{winner['row']}, which has {why}")
        drop.append(int(entry.at))
    # Rows a chunk's winner beat now name the file's winner: newer when they were, or when it is newer still.
    for i, rejection in list(by_row.items()):
        old = report.rejected[rejection]
        if old.value not in winners.index:
            continue
        winner = winners.loc[old.value]
        kept = int(old.reason[len(_DUPLICATE) :].split(",", 1)[0])
        if kept == winner["row"] or kept not in chunk_winner:
            continue
        beaten = chunk_winner[kept]
        newer = old.reason.endswith(_NEWER) or (
            pd.notna(winner["timestamp"]) and (pd.isna(beaten) or winner["timestamp"] > beaten)
        )
        report.rejected[rejection] = Rejection(
            old.row, old.column, old.value, f"{_DUPLICATE}{winner['row']}, which has {_NEWER if newer else _SAME}"
        )
        del by_row[i]
    report.rejected.sort(key=lambda r: r.row)
    report.rows_loaded -= len(drop)
    return np.array(sorted(drop), dtype=np.int64)

"""The event files the dashboard can open, read once and kept as GeoParquet for next time.

``list_datasets`` lists the event files in the data folder (the
``CONFLICTMAP_DATA_DIR`` setting). ``load_events`` reads one with
``readers.read_events`` and, for files of ``CACHE_MIN_BYTES`` or more, writes
what it read as GeoParquet: ``<name>.cache.parquet`` next to the source when
that folder is writable, else in ``$XDG_CACHE_HOME/conflictmap``, with a
``.cache.json`` note beside it. The note records the source's absolute path, size and modification time (nanoseconds)
and the import report; a source that changes in any of them is read again, and
only its own cache is replaced. Reading a million events from the cache takes
about a second instead of several.

``combine`` puts several loaded tables into one, keeping the categorical
columns categorical, so datasets can be shown together.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pandas.api.types import union_categoricals

from conflictmap import schema, settings
from conflictmap.readers import ImportReport, Rejection, read_events
from conflictmap.readers.detect import sniff_container

#: File name endings the readers take.
DATA_SUFFIXES: tuple[str, ...] = (
    ".csv",
    ".tsv",
    ".txt",
    ".xlsx",
    ".xlsm",
    ".geojson",
    ".json",
    ".gpkg",
    ".parquet",
    ".geoparquet",
)
CACHE_SUFFIX = ".cache.parquet"
#: The note beside each cache: the source's stamp and the import report.
CACHE_NOTE_SUFFIX = ".cache.json"
#: Smaller files are read directly each time: a cache would not be faster.
CACHE_MIN_BYTES = 1_000_000
#: Written into each cache; a cache of another version is not used.
CACHE_VERSION = "3"
#: Events per Parquet row group: DuckDB reads groups on every core and skips those a filter rules out.
CACHE_ROW_GROUP = 65_536


@dataclass(frozen=True)
class DatasetFile:
    """One event file the dashboard can open.

    Attributes
    ----------
    key : str
        How the picker and the page's URL name it: the path relative to the data
        folder (``seed_events.csv``).
    path : pathlib.Path
        Where it is.
    size : int
        Bytes.
    modified_ns : int
        Modification time in nanoseconds.
    """

    key: str
    path: Path
    size: int
    modified_ns: int

    @property
    def label(self) -> str:
        """The name with its size, e.g. ``acled_mali.csv (12.4 MB)``."""
        return f"{self.key} ({human_size(self.size)})"

    @property
    def version(self) -> tuple[str, int, int]:
        """``(absolute path, size, modification time)``: changes whenever the file does."""
        return (str(self.path.resolve()), self.size, self.modified_ns)


def human_size(size: int) -> str:
    """Bytes as a short text: ``512 B``, ``4.2 KB``, ``12.4 MB``."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def data_dir() -> Path:
    """The data folder (``CONFLICTMAP_DATA_DIR``)."""
    return Path(settings.get("CONFLICTMAP_DATA_DIR"))


def dataset_file(path: str | Path, key: str | None = None) -> DatasetFile:
    """Describe the file at ``path``.

    Raises
    ------
    FileNotFoundError
        If there is no file there.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    stat = path.stat()
    return DatasetFile(key or path.name, path, stat.st_size, stat.st_mtime_ns)


def _is_event_file(path: Path, excluded: set[Path]) -> bool:
    name = path.name
    return (
        path.is_file()
        and not name.startswith(".")
        and not name.endswith((CACHE_SUFFIX, CACHE_NOTE_SUFFIX))
        and path.suffix.lower() in DATA_SUFFIXES
        and path.resolve() not in excluded
    )


def list_datasets(folder: str | Path | None = None, *, exclude: Iterable[str | Path] = ()) -> list[DatasetFile]:
    """The event files directly in ``folder`` (default ``data_dir()``), by name.

    Caches, hidden files, files of other kinds and the embedded store
    (``CONFLICTMAP_STORE``) are left out; a missing folder lists nothing.

    Parameters
    ----------
    folder : str or pathlib.Path, optional
        The folder to list.
    exclude : iterable of path
        More files to leave out.

    Returns
    -------
    list of DatasetFile
    """
    root = Path(folder) if folder is not None else data_dir()
    if not root.is_dir():
        return []
    excluded = {Path(p).resolve() for p in (*exclude, settings.get("CONFLICTMAP_STORE"))}
    found = sorted((p for p in root.iterdir() if _is_event_file(p, excluded)), key=lambda p: p.name.casefold())
    return [dataset_file(p, p.name) for p in found]


# -- the cache -----------------------------------------------------------------------------------------


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/conflictmap`` (default ``~/.cache/conflictmap``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "conflictmap"


def cache_path(source: str | Path, cache_dir: str | Path | None = None) -> Path:
    """Where the cache of ``source`` goes.

    Parameters
    ----------
    source : str or pathlib.Path
        The event file.
    cache_dir : str or pathlib.Path, optional
        A folder for caches. By default next to the source when that folder is
        writable, else ``user_cache_dir()``. In a shared folder the name carries a
        hash of the source's absolute path, so two sources never share a cache.
    """
    source = Path(source)
    if cache_dir is None and os.access(source.resolve().parent, os.W_OK):
        return source.with_name(source.name + CACHE_SUFFIX)
    folder = Path(cache_dir) if cache_dir is not None else user_cache_dir()
    digest = hashlib.sha1(str(source.resolve()).encode("utf-8")).hexdigest()[:12]
    return folder / f"{source.name}-{digest}{CACHE_SUFFIX}"


def _report_to_json(report: ImportReport) -> dict[str, object]:
    return {
        "format": report.format,
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rejected": [[r.row, r.column, r.value, r.reason] for r in report.rejected],
        "warnings": list(report.warnings),
        "suspect": [[r.row, r.column, r.value, r.reason] for r in report.suspect],
    }


def _report_from_json(source: Path, data: dict) -> ImportReport:
    report = ImportReport(
        source=str(source),
        format=str(data["format"]),
        rows_read=int(data["rows_read"]),
        rows_loaded=int(data["rows_loaded"]),
    )
    report.rejected.extend(Rejection(int(r), str(c), str(v), str(why)) for r, c, v, why in data["rejected"])
    report.warnings.extend(str(w) for w in data["warnings"])
    report.suspect.extend(Rejection(int(r), str(c), str(v), str(why)) for r, c, v, why in data.get("suspect", []))
    return report


def _stamp(source: DatasetFile) -> dict[str, object]:
    path, size, modified = source.version
    return {"version": CACHE_VERSION, "source": path, "size": size, "modified_ns": modified}


def _canonical_dtypes(frame: pd.DataFrame) -> pd.DataFrame | None:
    """Give a table read back from Parquet the exact canonical dtypes, or ``None`` if it cannot have them."""
    reference = schema.empty_events()
    out: dict[str, pd.Series] = {}
    for column in schema.COLUMNS:
        if column not in frame.columns:
            return None
        values, want = frame[column], reference[column].dtype
        if isinstance(want, pd.CategoricalDtype):
            fixed = len(want.categories) > 0
            if isinstance(values.dtype, pd.CategoricalDtype):
                if fixed:
                    values = values.cat.set_categories(want.categories)
                else:
                    labels = pd.Index(list(values.cat.categories), dtype=object)
                    values = pd.Series(
                        pd.Categorical.from_codes(values.cat.codes, categories=labels), index=frame.index
                    )
            elif values.isna().all():
                codes = np.full(len(values), -1, dtype=np.int8)
                labels = want.categories if fixed else pd.Index([], dtype=object)
                values = pd.Series(pd.Categorical.from_codes(codes, categories=labels), index=frame.index)
            else:
                return None
        elif values.dtype != want:
            try:
                values = values.astype(want)
            except (TypeError, ValueError):
                return None
        out[column] = values
    restored = gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=schema.CRS, index=frame.index)
    return restored


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(CACHE_SUFFIX) + CACHE_NOTE_SUFFIX)


def read_cache(source: DatasetFile, path: Path) -> tuple[gpd.GeoDataFrame, ImportReport] | None:
    """The events and report cached at ``path`` for ``source``, or ``None`` if that cache is missing or stale.

    The cache is the GeoParquet file at ``path`` and, beside it, a small JSON note
    (``CACHE_NOTE_SUFFIX``) with the source's stamp, the size of the GeoParquet
    file it belongs to and the import report.
    """
    try:
        note = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        if {k: note.get(k) for k in ("version", "source", "size", "modified_ns")} != _stamp(source):
            return None
        if path.stat().st_size != note["cache_size"]:
            return None
        # The days are stored as dates (``cache_table``): read back as datetime64, not Python dates.
        frame = gpd.read_parquet(path, to_pandas_kwargs={"date_as_object": False})
        report = _report_from_json(source.path, note["report"])
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException):
        return None
    events = _canonical_dtypes(frame)
    if events is None:
        return None
    return events.reset_index(drop=True), report


def cached_report(source: DatasetFile, path: Path) -> ImportReport | None:
    """The import report of the cache at ``path`` when it is current for ``source``, without reading its events.

    ``None`` when the cache is missing, stale or its note cannot be read (as ``read_cache`` decides).
    """
    try:
        note = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        if {k: note.get(k) for k in ("version", "source", "size", "modified_ns")} != _stamp(source):
            return None
        if path.stat().st_size != note["cache_size"]:
            return None
        return _report_from_json(source.path, note["report"])
    except (OSError, KeyError, TypeError, ValueError):
        return None


def _replace(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cache_table(events: gpd.GeoDataFrame) -> pa.Table:
    """``events`` as the cache holds them: GeoParquet's Arrow table, the days (``schema.DATE_COLUMNS``) as dates.

    Stored as dates, a day needs no cast when DuckDB reads it (``ColumnarViews``), so a date
    condition is checked inside the Parquet scan and can skip row groups by their statistics.
    """
    from geopandas.io.arrow import _geopandas_to_arrow

    table = _geopandas_to_arrow(events.reset_index(drop=True), index=False)
    for column in schema.DATE_COLUMNS:
        at = table.schema.get_field_index(column)
        if at >= 0:
            days = pc.cast(table[column], pa.date32(), safe=False)
            table = table.set_column(at, pa.field(column, pa.date32()), days)
    return table


def write_cache(source: DatasetFile, events: gpd.GeoDataFrame, report: ImportReport, path: Path) -> None:
    """Write ``events`` (GeoParquet) and ``report`` as the cache of ``source`` at ``path``.

    Each file is written under a temporary name and renamed, and the note names the
    size of the GeoParquet file it goes with, so a reader never takes half a cache.

    Raises
    ------
    OSError
        If the folder cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    table = cache_table(events)
    _replace(path, lambda tmp: pq.write_table(table, tmp, row_group_size=CACHE_ROW_GROUP))
    note = {**_stamp(source), "cache_size": path.stat().st_size, "report": _report_to_json(report)}
    _replace(_sidecar(path), lambda tmp: tmp.write_text(json.dumps(note), encoding="utf-8"))


#: Files the cache is written from a chunk at a time (``stream_cache``): delimited text and workbooks.
STREAMED = {"csv": (".csv", ".tsv", ".txt"), "xlsx": (".xlsx", ".xlsm")}


def _temporary(path: Path) -> Path:
    """A temporary name beside ``path`` that says which process writes it; those of ended processes go."""
    for stale in path.parent.glob(f"{glob.escape(path.name)}.*.tmp"):
        pid = stale.name.removeprefix(path.name + ".").removesuffix(".tmp")
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            # Left by an import that was killed: the cache beside it was never touched.
            stale.unlink(missing_ok=True)
        except PermissionError:
            pass
    return path.with_name(f"{path.name}.{os.getpid()}.tmp")


def _arrow_schema(table: pa.Table) -> pa.Schema:
    """The schema every chunk is written with: categories as dictionaries of text with 32-bit indices."""
    fields = []
    for f in table.schema:
        if pa.types.is_dictionary(f.type) or (pa.types.is_null(f.type) and f.name in _CATEGORIES):
            fields.append(pa.field(f.name, pa.dictionary(pa.int32(), pa.string()), nullable=True))
        elif pa.types.is_null(f.type):
            fields.append(pa.field(f.name, _NULL_TYPES.get(f.name, pa.string()), nullable=True))
        else:
            fields.append(f)
    return pa.schema(fields, metadata=table.schema.metadata)


_CATEGORIES = frozenset(c for c in schema.COLUMNS if str(schema.DTYPES[c]) == "category")
_NULL_TYPES = {"timestamp": pa.timestamp("ns", tz="UTC")}


def stream_cache(
    source: str | Path | DatasetFile,
    *,
    cache_dir: str | Path | None = None,
    chunk_rows: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Write the cache of a delimited event file or a workbook a chunk at a time, holding one chunk in memory.

    Each chunk's events are checked as ``read_events`` checks a whole file (``readers.stream``)
    and appended to the GeoParquet file under a temporary name; ids repeated across chunks are
    settled, then the file is renamed over the cache. An import killed on the way leaves the
    previous cache as it was. Other formats are read whole (``read_events``) and cached.

    Parameters
    ----------
    source : str, pathlib.Path or DatasetFile
        The event file.
    cache_dir : str or pathlib.Path, optional
        See ``cache_path``.
    chunk_rows : int, optional
        Rows read at once (default ``readers.stream.STREAM_ROWS``).
    progress : callable, optional
        ``progress(lines_done, lines)`` while the file is read.

    Returns
    -------
    ImportReport
        What ``read_events`` reports of the file.

    Raises
    ------
    FileNotFoundError, readers.NotEventDataError, readers.UnreadableFileError
        As ``read_events``.
    OSError
        If the cache's folder cannot be written.
    """
    import duckdb

    from conflictmap.readers.stream import STREAM_ROWS, EventChunks

    file = source if isinstance(source, DatasetFile) else dataset_file(source)
    where = cache_path(file.path, cache_dir)
    if file.path.suffix.lower() not in STREAMED.get(sniff_container(file.path), ()):
        # Another format, or content its name does not promise (an image named .csv): read whole,
        # with ``read_events``'s messages.
        events, report = read_events(file.path, progress=progress)
        write_cache(file, events, report, where)
        return report
    where.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(where)
    chunks = EventChunks(file.path, chunk_rows=chunk_rows or STREAM_ROWS, progress=progress)
    writer: pq.ParquetWriter | None = None
    target: pa.Schema | None = None
    rows: list[np.ndarray] = []
    try:
        for loaded in chunks:
            table = cache_table(loaded.events)
            if target is None:
                target = _arrow_schema(table)
                writer = pq.ParquetWriter(tmp, target)
            writer.write_table(table.cast(target), row_group_size=CACHE_ROW_GROUP)
            rows.append(loaded.rows)
        if writer is None:
            # A header and no rows: the cache holds none.
            events, report = read_events(file.path)
            pq.write_table(cache_table(events), tmp)
        else:
            writer.close()
            writer = None
            report = chunks.report
            assert report is not None
            numbers = np.concatenate(rows)
            drop = _settle_duplicates(tmp, numbers, report, chunks.id_column, duckdb)
            if len(drop):
                _drop_rows(tmp, drop)
        os.replace(tmp, where)
    except BaseException:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)
        raise
    note = {**_stamp(file), "cache_size": where.stat().st_size, "report": _report_to_json(report)}
    _replace(_sidecar(where), lambda t: t.write_text(json.dumps(note), encoding="utf-8"))
    return report


def _settle_duplicates(path: Path, numbers: np.ndarray, report: ImportReport, column: str, duckdb) -> np.ndarray:
    """Ids loaded from two chunks (each settled its own): the positions to drop (``stream.resolve_duplicates``)."""
    from conflictmap.readers.stream import resolve_duplicates

    literal = str(path).replace("'", "''")
    with duckdb.connect(":memory:") as db:
        found = db.execute(
            f"""
            WITH e AS (SELECT event_id, "timestamp", file_row_number AS pos
                       FROM read_parquet('{literal}', file_row_number = true))
            SELECT event_id, "timestamp", pos AS "at" FROM e
            WHERE event_id IN (SELECT event_id FROM e GROUP BY event_id HAVING count(*) > 1)
            """
        ).df()
    if found.empty:
        return np.empty(0, dtype=np.int64)
    found["row"] = numbers[found["at"].to_numpy()]
    if isinstance(found["timestamp"].dtype, pd.DatetimeTZDtype):
        found["timestamp"] = found["timestamp"].dt.tz_convert("UTC")
    return resolve_duplicates(report, found, column)


def _drop_rows(path: Path, drop: np.ndarray) -> None:
    """Write ``path`` again without the events at positions ``drop``, a row group at a time."""
    tmp = path.with_name(path.name + ".drop.tmp")
    source = pq.ParquetFile(path)
    start = 0
    try:
        with pq.ParquetWriter(tmp, source.schema_arrow) as writer:
            for i in range(source.num_row_groups):
                group = source.read_row_group(i)
                end = start + group.num_rows
                inside = drop[(drop >= start) & (drop < end)] - start
                if len(inside):
                    keep = np.ones(group.num_rows, dtype=bool)
                    keep[inside] = False
                    group = group.filter(pa.array(keep))
                writer.write_table(group, row_group_size=CACHE_ROW_GROUP)
                start = end
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_events(
    source: str | Path | DatasetFile,
    *,
    cache_dir: str | Path | None = None,
    min_cache_bytes: int = CACHE_MIN_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read an event file, from its cache when the cache is current.

    Parameters
    ----------
    source : str, pathlib.Path or DatasetFile
        The event file (any format ``read_events`` takes).
    cache_dir : str or pathlib.Path, optional
        See ``cache_path``.
    min_cache_bytes : int
        Files smaller than this are read directly and not cached.
    progress : callable, optional
        Passed to ``read_events`` when the file itself is read.

    Returns
    -------
    (geopandas.GeoDataFrame, ImportReport)
        As ``read_events`` returns them.

    Raises
    ------
    FileNotFoundError, readers.NotEventDataError
        As ``read_events``.
    """
    file = source if isinstance(source, DatasetFile) else dataset_file(source)
    use_cache = file.size >= min_cache_bytes
    where = cache_path(file.path, cache_dir) if use_cache else None
    if where is not None and where.is_file():
        cached = read_cache(file, where)
        if cached is not None:
            return cached
    events, report = read_events(file.path, progress=progress)
    if where is not None:
        # A cache that cannot be written only costs speed: the next start reads the source again.
        with contextlib.suppress(OSError):
            write_cache(file, events, report, where)
    return events, report


# -- several tables as one -----------------------------------------------------------------------------


def _object_categories(values: pd.Categorical) -> pd.Categorical:
    return values.set_categories(values.categories.astype(object))


def combine(tables: Sequence[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """The rows of several canonical tables in one, categorical columns kept categorical.

    Parameters
    ----------
    tables : sequence of geopandas.GeoDataFrame
        Canonical event tables.

    Returns
    -------
    geopandas.GeoDataFrame
        Their rows in order, index reset; the only table itself when there is one.
    """
    if not tables:
        return schema.empty_events()
    if len(tables) == 1:
        return tables[0]
    columns: dict[str, object] = {}
    for column in schema.COLUMNS:
        parts = [t[column] for t in tables]
        if isinstance(parts[0].dtype, pd.CategoricalDtype):
            fixed = all(p.dtype == parts[0].dtype for p in parts)
            columns[column] = (
                pd.Categorical.from_codes(np.concatenate([p.cat.codes.to_numpy() for p in parts]), dtype=parts[0].dtype)
                if fixed
                # Files read from CSV hold object categories, the store str ones: union needs one dtype.
                else union_categoricals([_object_categories(p.array) for p in parts], ignore_order=True)
            )
        else:
            columns[column] = pd.concat(parts, ignore_index=True).array
    geometry = np.concatenate([t.geometry.values for t in tables])
    return gpd.GeoDataFrame(columns, geometry=gpd.array.GeometryArray(geometry), crs=schema.CRS)

"""The canonical event table as a file: reading its columns and writing CSV, GeoJSON, GeoPackage, GeoParquet.

Writing then reading gives the same table. Text is UTF-8 (CSV: text quoted,
``civilian_targeting`` as ``true``/``false``); dates are written
``YYYY-MM-DD``; ``timestamp`` is an ISO time in UTC (GeoJSON and CSV as text
at full precision, GeoPackage and GeoParquet as their datetime types, which
keep milliseconds and nanoseconds respectively); missing values are empty.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from conflictmap import schema
from conflictmap.csvcells import neutralise_frame
from conflictmap.readers.geofile import LAYER
from conflictmap.readers.report import ImportReport
from conflictmap.readers.rows import Staged
from conflictmap.readers.table import RawTable

#: File suffix -> what ``write_events`` writes.
SUFFIXES: dict[str, str] = {
    ".parquet": "GeoParquet",
    ".csv": "CSV",
    ".geojson": "GeoJSON",
    ".gpkg": "GeoPackage",
}


def stage(table: RawTable, report: ImportReport, default_dataset: str) -> Staged:
    """Canonical rows as they are; other columns listed as not carried.

    Parameters
    ----------
    table : RawTable
        The file as read.
    report : ImportReport
        Receives the list of columns not carried.
    default_dataset : str
        ``dataset`` of rows that do not name one (usually the file's name).
    """
    frame = table.frame
    carried = [c for c in schema.COLUMNS if c in frame.columns]
    skipped = [c for c in frame.columns if c not in schema.COLUMNS]
    if skipped:
        report.warnings.append("columns not carried into the event table: " + ", ".join(skipped))
    return Staged(frame[carried], table.rows, default_dataset=default_dataset)


def _plain(events: gpd.GeoDataFrame, *, text_times: bool) -> pd.DataFrame:
    """Columns in canonical order with types every GDAL driver takes: no categoricals, dates as text."""
    out = pd.DataFrame(events[list(schema.COLUMNS)])
    for col in schema.TEXT_COLUMNS:
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    for col in schema.DATE_COLUMNS:
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    if text_times:
        out["timestamp"] = _iso_times(out["timestamp"])
    return out


def _iso_times(stamps: pd.Series) -> pd.Series:
    """UTC times as ISO text (``2023-09-12T10:00:00Z``), with as many decimals as the values need."""
    present = stamps.dropna()
    if (present.dt.nanosecond != 0).any():
        text = stamps.astype(str).str.replace("+00:00", "Z", regex=False).str.replace(" ", "T", regex=False)
    elif (present.dt.microsecond != 0).any():
        text = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    else:
        text = stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return text.astype(object).where(stamps.notna(), None)


def write_events(events: gpd.GeoDataFrame, path: str | Path) -> None:
    """Write canonical events to a file chosen by its suffix.

    Parameters
    ----------
    events : geopandas.GeoDataFrame
        A canonical event table (``schema.validate_events`` passes).
    path : str or pathlib.Path
        ``.parquet`` (GeoParquet), ``.csv``, ``.geojson`` or ``.gpkg`` (layer ``events``).

    Raises
    ------
    ValueError
        If the suffix is none of these.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        allowed = ", ".join(f"{s} ({k})" for s, k in SUFFIXES.items())
        raise ValueError(f"cannot write events to {path.name!r}: unknown suffix {suffix!r}; expected one of {allowed}")
    if suffix == ".parquet":
        gpd.GeoDataFrame(events[[*schema.COLUMNS, "geometry"]], crs=schema.CRS).to_parquet(path, index=False)
        return
    if suffix == ".csv":
        # Arrow's writer is several times faster than pandas' on large tables; the text is plain RFC 4180 CSV.
        # Text a spreadsheet would run as a formula starts with an apostrophe (see ``csvcells``).
        plain = neutralise_frame(_plain(events, text_times=True), schema.TEXT_COLUMNS)
        table = pa.Table.from_pandas(plain, preserve_index=False)
        pa_csv.write_csv(table, path, write_options=pa_csv.WriteOptions(quoting_style="needed"))
        return
    plain = _plain(events, text_times=suffix == ".geojson")
    frame = gpd.GeoDataFrame(plain, geometry=events.geometry.to_numpy(), crs=schema.CRS)
    if suffix == ".geojson":
        frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    else:
        frame.to_file(path, driver="GPKG", layer=LAYER, engine="pyogrio", use_arrow=True)

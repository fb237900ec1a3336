"""GeoJSON, GeoPackage and (Geo)Parquet files as rows: attributes plus coordinates from each point.

In GeoJSON and GeoPackage, where a feature has a point geometry its
coordinates win over any ``latitude``/``longitude`` attributes (a point moved
in QGIS moves the event); features without geometry keep their attribute
coordinates. A GeoParquet file with ``latitude``/``longitude`` columns is read
from those columns (``write_events`` keeps them equal to the points), else
from its points. Geometries in another CRS are converted to WGS84. Row numbers
are feature numbers: the GeoPackage ``fid``, else the position from 1.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import shapely
from pyarrow import ArrowException

from conflictmap.messages import shorten
from conflictmap.readers.report import UnreadableFileError
from conflictmap.readers.table import Progress, RawTable, normalise_column, tidy_columns

#: The layer ``write_events`` writes and the one read first from a GeoPackage.
LAYER = "events"


def _read_parquet(path: Path) -> pd.DataFrame:
    schema = pq.read_schema(path)
    names = {normalise_column(n) for n in schema.names}
    geo = json.loads((schema.metadata or {}).get(b"geo", b"{}") or b"{}")
    geometry = geo.get("primary_column")
    if {"latitude", "longitude"} <= names or not geometry:
        # The coordinates are columns already: decoding a million points would only repeat them.
        return pd.read_parquet(path, columns=[n for n in schema.names if n != geometry])
    return gpd.read_parquet(path)


def _layer(path: Path) -> str | None:
    layers = [name for name, _ in pyogrio.list_layers(path)]
    return LAYER if LAYER in layers else (layers[0] if layers else None)


def _read_ogr(path: Path, container: str) -> gpd.GeoDataFrame:
    if container == "gpkg":
        return pyogrio.read_dataframe(path, layer=_layer(path), use_arrow=True, fid_as_index=True)
    # Dates stay text so every value is read exactly as written.
    return pyogrio.read_dataframe(path, DATE_AS_STRING="YES")


def _count(path: Path, container: str) -> int:
    """Rows or features in the file, from its metadata."""
    if container == "parquet":
        return pq.read_metadata(path).num_rows
    return max(int(pyogrio.read_info(path, layer=_layer(path) if container == "gpkg" else None)["features"]), 0)


_WHAT = {
    "gpkg": "a GeoPackage",
    "parquet": "a Parquet file",
    "geojson": "GeoJSON",
}
_EXPECTED = {
    "gpkg": "expected a GeoPackage with a layer of event points, as QGIS or `conflictmap export` writes",
    "parquet": "expected a (Geo)Parquet table of events, as `conflictmap export` or GeoPandas writes",
    "geojson": "expected a GeoJSON FeatureCollection of event points",
}
_WHERE = re.compile(r"line (\d+), (?:character|column) (\d+)", re.IGNORECASE)


def plain_error(path: Path, container: str, exc: BaseException) -> str:
    """What a geodata file is not and what was expected, in words: no library jargon, no folder.

    Parameters
    ----------
    path : pathlib.Path
        The file (only its name is said: an upload's temporary folder is nobody's business).
    container : str
        ``gpkg``, ``parquet`` or ``geojson``.
    exc : BaseException
        What the library said; only a line and column position is kept from it.

    Returns
    -------
    str
        E.g. ``"x.gpkg is not a GeoPackage that can be read: it is damaged, or a database of
        another kind; expected a GeoPackage with a layer of event points, ..."``.
    """
    said = str(exc)
    name = shorten(path.name, 100)
    what = _WHAT.get(container, container.upper())
    if container == "gpkg":
        if "not a database" in said or "malformed" in said:
            why = "it is damaged (its database cannot be opened)"
        elif "gpkg_" in said or "GeoPackage" in said:
            why = "it is a database, but not a GeoPackage (it lacks a GeoPackage's tables)"
        elif "no layer" in said.lower() or "layer" in said.lower():
            why = "it has no layer of features"
        else:
            why = "it is damaged, or a database of another kind"
    elif container == "parquet":
        why = "it is damaged or cut short, or not a Parquet file at all"
    else:
        found = _WHERE.search(said)
        why = "its text is not valid JSON" + (f" (line {found[1]}, character {found[2]})" if found else "")
    return f"{name} is not {what} that can be read: {why}; {_EXPECTED.get(container, 'expected event data')}"


def read_geofile(path: Path, container: str, progress: Progress | None = None) -> RawTable:
    """Read a GeoJSON, GeoPackage or Parquet file.

    Raises
    ------
    UnreadableFileError
        If the file cannot be opened as that kind of file.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if progress:
                progress(0, _count(path, container))
            frame = _read_parquet(path) if container == "parquet" else _read_ogr(path, container)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ArrowException, OSError, ValueError) as exc:
        raise UnreadableFileError(plain_error(path, container, exc)) from None
    numbers = (
        frame.index.to_numpy(dtype=np.int64)
        if container == "gpkg" and pd.api.types.is_integer_dtype(frame.index.dtype)
        else np.arange(1, len(frame) + 1, dtype=np.int64)
    )
    table = RawTable(frame=pd.DataFrame(), rows=numbers, container=container)
    frame = _coordinates(frame, table)
    table.frame = tidy_columns(frame, table.notes).reset_index(drop=True)
    if progress:
        progress(len(frame), len(frame))
    return table


def _coordinates(frame: pd.DataFrame, table: RawTable) -> pd.DataFrame:
    """Attributes with ``latitude``/``longitude`` taken from point geometries; the geometry column dropped."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        return pd.DataFrame(frame)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        table.notes.append(f"converted the geometry from {frame.crs.to_string()} to WGS84 (EPSG:4326)")
        frame = frame.to_crs(4326)
    geometry = frame.geometry.to_numpy()
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    kinds = shapely.get_type_id(geometry)
    point = (kinds == shapely.GeometryType.POINT) & ~shapely.is_empty(geometry)
    other = (kinds > 0) & ~shapely.is_empty(geometry)
    for position in np.flatnonzero(other):
        kind = shapely.get_type_id(geometry[position])
        name = shapely.GeometryType(kind).name.title()
        table.flagged.append((int(position), "geometry", name, "expected a Point geometry for one event"))
    if not point.any():
        return attributes
    lookup = {normalise_column(c): c for c in attributes.columns}
    for axis, name in ((shapely.get_x, "longitude"), (shapely.get_y, "latitude")):
        coordinate = pd.Series(np.where(point, axis(geometry), np.nan), index=attributes.index)
        column = lookup.get(name, name)
        if column not in attributes.columns or point.all():
            attributes[column] = coordinate
        else:
            # Features without a point keep their attribute value as written, for the row checks.
            merged = attributes[column].astype(object)
            merged[point] = coordinate[point]
            attributes[column] = merged
    return attributes

"""Events as database rows: the columns a store keeps, and canonical events to and from plain values.

Both backends hold the same row: the canonical columns plus the store's own
(``status``, ``version``, who and when). Values travel as plain Python values:
text or ``None``, ``int``, ``float``, ``bool``, dates as ``YYYY-MM-DD`` and
times as ISO 8601 in UTC with milliseconds (``2024-03-01T10:00:00.000Z``), the
forms GeoPackage prescribes for DATE and DATETIME. Comparing two versions of
an event compares these plain values, so a store and a file agree on what
"unchanged" means.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from conflictmap import schema

#: The store's own columns, after the canonical ones.
STORE_COLUMNS: tuple[str, ...] = (
    "status",
    "version",
    "origin",
    "edited",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "import_id",
)
#: Columns the store derives: the folded notes text search looks in, and a digest of the canonical values.
DERIVED_COLUMNS: tuple[str, ...] = ("notes_search", "content_hash")
#: Every column of the events table that the store writes.
ROW_COLUMNS: tuple[str, ...] = (*schema.COLUMNS, *STORE_COLUMNS, *DERIVED_COLUMNS)
#: ``status``: shown; flagged because a full re-import of its dataset no longer has it; deleted by a person.
STATUSES: tuple[str, ...] = ("active", "missing", "deleted")
#: ``origin``: from an imported file, or added by a person.
ORIGINS: tuple[str, ...] = ("import", "manual")

TEXT_KINDS = ("string", "category")
DATE_FORMAT = "%Y-%m-%d"


def utc_now() -> str:
    """The current UTC time as the store writes it."""
    return format_time(datetime.now(UTC))


def format_time(value: datetime | pd.Timestamp) -> str:
    """A time as ISO 8601 in UTC with milliseconds and ``Z``."""
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def fold(text: str) -> str:
    """Lower case without accents: what free-text search compares ("Ségou" -> "segou").

    The same folding as ``FilterSpec``'s text search: NFKD, combining marks dropped, lower-cased.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M")).lower()


def _times(values: pd.Series) -> np.ndarray:
    out = values.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str.slice(0, 23) + "Z"
    return out.to_numpy(dtype=object, na_value=None)


def encode(events: pd.DataFrame) -> pd.DataFrame:
    """Canonical events as plain values, one object column per canonical column.

    Parameters
    ----------
    events : pandas.DataFrame
        A canonical event table.

    Returns
    -------
    pandas.DataFrame
        Object columns in ``schema.COLUMNS`` order holding ``None``, ``str``,
        ``int``, ``float`` or ``bool``; index ``0..n-1``.
    """
    columns: dict[str, np.ndarray] = {}
    for col in schema.COLUMNS:
        values = events[col].reset_index(drop=True)
        if col in schema.DATE_COLUMNS:
            columns[col] = values.dt.strftime(DATE_FORMAT).to_numpy(dtype=object, na_value=None)
        elif col == "timestamp":
            columns[col] = _times(values)
        else:
            columns[col] = values.to_numpy(dtype=object, na_value=None)
    return pd.DataFrame(columns, dtype=object)


def decode(rows: pd.DataFrame) -> gpd.GeoDataFrame:
    """Rows read from a store (canonical columns, any of the plain forms) as canonical events.

    Dates may be ``YYYY-MM-DD`` text or ``date`` objects, times ISO text or
    ``datetime``; booleans may be 0/1. Columns other than the canonical ones are
    kept after them, unchanged.
    """
    frame = pd.DataFrame(rows).reset_index(drop=True)
    for col in schema.DATE_COLUMNS:
        frame[col] = pd.to_datetime(frame[col], format="ISO8601") if len(frame) else frame[col]
    if len(frame):
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    frame["civilian_targeting"] = frame["civilian_targeting"].astype(object).fillna(False).astype(bool)
    events = schema.to_canonical(frame)
    extra = [c for c in frame.columns if c not in schema.DTYPES]
    for col in extra:
        events[col] = frame[col].to_numpy()
    return events


def differing_columns(new: pd.DataFrame, old: pd.DataFrame, columns: Iterable[str] = schema.COLUMNS) -> pd.DataFrame:
    """Which plain values differ, row by row (``None`` equals ``None``).

    Parameters
    ----------
    new, old : pandas.DataFrame
        Plain rows (see ``encode``) aligned row for row.
    columns : iterable of str
        The columns to compare.

    Returns
    -------
    pandas.DataFrame
        Booleans, one column per compared column.
    """
    out = {}
    for col in columns:
        a = new[col].to_numpy(dtype=object)
        b = old[col].to_numpy(dtype=object)
        a_missing = pd.isna(a)
        b_missing = pd.isna(b)
        same = (a_missing & b_missing) | (~a_missing & ~b_missing & (a == b))
        out[col] = ~same
    return pd.DataFrame(out, index=new.index)


def plain(value: object) -> object:
    """One value as JSON takes it: numpy scalars as Python ones, missing as ``None``, dates as text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp | datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_json(values: Mapping[str, object] | None) -> str | None:
    """A row or a set of changes as JSON text (``None`` stays ``None``)."""
    if values is None:
        return None
    return json.dumps({k: plain(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=False)


def from_json(text: object) -> dict | None:
    """JSON text (or a dict a driver already parsed) back to a dict."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    if isinstance(text, dict):
        return text
    return json.loads(str(text))


def notes_search(notes: np.ndarray) -> list[str | None]:
    """The folded notes the text search looks in (``fold`` of each, computed by Arrow)."""
    source = pa.array(notes, type=pa.string(), from_pandas=True)
    folded = pc.utf8_lower(pc.replace_substring_regex(pc.utf8_normalize(source, "NFKD"), r"\p{M}", ""))
    return folded.to_pylist()


def content_hash(rows: pd.DataFrame, *, extended: bool = True) -> list[str]:
    """A digest of each row's canonical values (plain, see ``encode``): equal digests, equal events.

    An import compares digests instead of reading every stored column back. With
    ``extended=False`` the columns added later (``schema.EXTENDED_COLUMNS``) are left
    out: the digest the row would have had in a store made before them.
    """
    core = [c for c in schema.COLUMNS if c not in schema.EXTENDED_COLUMNS]
    columns = [rows[c].to_numpy(dtype=object).tolist() for c in core]
    # Columns added later count only where they hold a value: an event without any of them has the
    # digest it had before they existed, so stores made then see it unchanged.
    later = schema.EXTENDED_COLUMNS if extended else ()
    extended_values = [(c, rows[c].to_numpy(dtype=object)) for c in later if c in rows.columns]
    extras: list[list[tuple[str, object]]] = [[] for _ in range(len(rows))]
    for col, values in extended_values:
        for i in np.flatnonzero(~pd.isna(values)):
            extras[i].append((col, values[i]))
    return [
        hashlib.blake2b(repr((*values, tuple(extra)) if extra else values).encode(), digest_size=16).hexdigest()
        for values, extra in zip(zip(*columns, strict=True), extras, strict=True)
    ]


def point_blobs(longitude: np.ndarray, latitude: np.ndarray, srs_id: int = 4326) -> list[bytes]:
    """GeoPackage binary points: an 8-byte header (``GP``, version 0, little-endian, no envelope, SRS id) and WKB.

    Parameters
    ----------
    longitude, latitude : numpy.ndarray
        Coordinates in degrees.
    srs_id : int
        The ``gpkg_spatial_ref_sys`` id written in each header.
    """
    layout = np.dtype(
        [
            ("magic", "S2"),
            ("version", "u1"),
            ("flags", "u1"),
            ("srs", "<i4"),
            ("order", "u1"),
            ("kind", "<u4"),
            ("x", "<f8"),
            ("y", "<f8"),
        ]
    )
    blob = np.zeros(len(longitude), dtype=layout)
    blob["magic"] = b"GP"
    blob["flags"] = 0x01  # little-endian, no envelope, not empty
    blob["srs"] = srs_id
    blob["order"] = 1
    blob["kind"] = 1  # WKB Point
    blob["x"] = np.asarray(longitude, dtype="float64")
    blob["y"] = np.asarray(latitude, dtype="float64")
    raw = blob.tobytes()
    size = layout.itemsize
    return [raw[i : i + size] for i in range(0, len(raw), size)]

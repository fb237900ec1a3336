"""The canonical event table: columns, dtypes, the incident taxonomy and validation.

Every reader produces this table and every other part consumes it. It is a
GeoDataFrame in EPSG:4326 with Point geometry built from ``longitude`` and
``latitude``. Dates are calendar dates held as ``datetime64[ns]`` at midnight
(fast to compare and filter); ``timestamp`` is a UTC datetime.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap.errors import ConflictmapError

CRS = "EPSG:4326"

#: ACLED's taxonomy: 6 event types and their 25 sub-event types, in ACLED's order.
TAXONOMY: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}
EVENT_TYPES: tuple[str, ...] = tuple(TAXONOMY)
SUB_EVENT_TYPES: tuple[str, ...] = tuple(s for subs in TAXONOMY.values() for s in subs)
#: sub-event type -> its event type
PARENT_TYPE: dict[str, str] = {s: t for t, subs in TAXONOMY.items() for s in subs}

#: ACLED's actor types (``inter1``/``inter2``), by their code 1-8.
ACTOR_TYPES: tuple[str, ...] = (
    "State forces",
    "Rebel group",
    "Political militia",
    "Identity militia",
    "Rioters",
    "Protesters",
    "Civilians",
    "External/Other forces",
)
#: ACLED's interactions: "<type> only" for a lone actor, else "<type>-<type>" with the lower code first
#: (``interaction`` 17 is "State forces-Civilians", 60 "Protesters only").
INTERACTIONS: tuple[str, ...] = tuple(
    f"{a} only" if b is None else f"{a}-{b}" for i, a in enumerate(ACTOR_TYPES) for b in (None, *ACTOR_TYPES[i:])
)


def interaction_label(type1: str | None, type2: str | None) -> str | None:
    """The interaction of two actor types, as ACLED writes it ("State forces-Civilians", "Protesters only")."""
    if type1 not in ACTOR_TYPES:
        return None
    if type2 is None:
        return f"{type1} only"
    if type2 not in ACTOR_TYPES:
        return None
    first, second = sorted((type1, type2), key=ACTOR_TYPES.index)
    return f"{first}-{second}"


DISORDER_TYPES: tuple[str, ...] = (
    "Political violence",
    "Demonstrations",
    "Strategic developments",
    "Political violence; Demonstrations",
)

#: Where an event came from; a file may also name its own dataset.
KNOWN_DATASETS: tuple[str, ...] = ("acled", "ucdp_ged", "seed", "article", "manual", "synthetic")

TIME_PRECISION = {1: "exact day", 2: "within about a week", 3: "within a month", 4: "vaguer"}
GEO_PRECISION = {
    1: "the named place",
    2: "near the place / part of a region",
    3: "a region, placed at its capital",
    4: "country or vaguer",
}

# Column name -> pandas dtype. The order is the canonical column order.
_CAT = "category"
DTYPES: dict[str, str] = {
    "event_id": "string",
    "dataset": _CAT,
    "event_date": "datetime64[ns]",
    "date_end": "datetime64[ns]",
    "time_precision": "int8",
    "event_type": _CAT,
    "sub_event_type": _CAT,
    "source_event_type": _CAT,
    "disorder_type": _CAT,
    "actor1": _CAT,
    "assoc_actor_1": _CAT,
    "actor2": _CAT,
    "assoc_actor_2": _CAT,
    "civilian_targeting": "bool",
    "fatalities": "int64",
    "fatalities_low": "Int64",
    "fatalities_high": "Int64",
    "country": _CAT,
    "admin1": _CAT,
    "admin2": _CAT,
    "admin3": _CAT,
    "location": _CAT,
    "latitude": "float64",
    "longitude": "float64",
    "geo_precision": "int8",
    "source": "string",
    "source_scale": _CAT,
    "notes": "string",
    "tags": "string",
    "timestamp": "datetime64[ns, UTC]",
    # Added with issue 12: who fought whom, where and how many lived near, and UCDP's quality fields.
    # Missing for rows whose source has no such field. See ``EXTENDED_COLUMNS``.
    "actor1_type": _CAT,
    "actor2_type": _CAT,
    "interaction": _CAT,
    "iso": "Int64",
    "region": _CAT,
    "population_1km": "Int64",
    "population_2km": "Int64",
    "population_5km": "Int64",
    "population_best": "Int64",
    "code_status": _CAT,
    "event_clarity": "Int64",
    "conflict_name": _CAT,
    "dyad_name": _CAT,
    "deaths_a": "Int64",
    "deaths_b": "Int64",
    "deaths_civilians": "Int64",
    "deaths_unknown": "Int64",
    "number_of_sources": "Int64",
    "priogrid_gid": "Int64",
    "source_headline": "string",
    "source_office": "string",
    "source_date": "string",
}
COLUMNS: tuple[str, ...] = tuple(DTYPES)
#: The columns after ``timestamp``: added to the table later, so stores made before them gain them on opening,
#: and a row that has none of them is the same event as it was before they existed.
EXTENDED_COLUMNS: tuple[str, ...] = COLUMNS[COLUMNS.index("timestamp") + 1 :]
#: Whole-number columns that may be missing (never defaulted to 0).
OPTIONAL_COUNT_COLUMNS: tuple[str, ...] = tuple(c for c, t in DTYPES.items() if t == "Int64")
TEXT_COLUMNS: tuple[str, ...] = tuple(c for c, t in DTYPES.items() if t in ("string", _CAT))
ACTOR_COLUMNS: tuple[str, ...] = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")
DATE_COLUMNS: tuple[str, ...] = ("event_date", "date_end")
#: Columns a row cannot do without; the rest default (see ``DEFAULTS``).
REQUIRED: tuple[str, ...] = ("event_date", "event_type", "latitude", "longitude")
DEFAULTS: dict[str, object] = {
    "time_precision": 1,
    "geo_precision": 1,
    "civilian_targeting": False,
    "fatalities": 0,
}

# Fixed categories make codes identical across tables, so concat keeps the dtype.
_FIXED_CATEGORIES: dict[str, tuple[str, ...]] = {
    "event_type": EVENT_TYPES,
    "sub_event_type": SUB_EVENT_TYPES,
}


class SchemaError(ConflictmapError, ValueError):
    """A table does not hold canonical events; the message says which column and value."""


def _as_text(values: pd.Series) -> pd.Series:
    """Strings with surrounding blanks removed; blanks and NaN become missing."""
    s = values.astype("string").str.strip()
    return s.mask(s == "")


def _tidy_categorical(values: pd.Series) -> bool:
    """True when a categorical's labels are already stripped, non-blank, unique strings."""
    labels = values.cat.categories
    if not (pd.api.types.is_string_dtype(labels) or pd.api.types.is_object_dtype(labels)):
        return False
    stripped = pd.Index(labels.astype(str).str.strip())
    return bool((stripped == labels.astype(str)).all() and (stripped != "").all())


def _as_category(values: pd.Series, categories: Iterable[str] | None = None) -> pd.Series:
    # Large tables arrive as categoricals (GeoParquet, the generator): keep their codes.
    if isinstance(values.dtype, pd.CategoricalDtype) and _tidy_categorical(values):
        if categories is None:
            return values.cat.set_categories(values.cat.categories.astype(object))
        allowed = list(categories)
        used = values.cat.categories[np.unique(values.cat.codes[values.cat.codes >= 0])]
        unknown = [c for c in used if c not in allowed]
        if not unknown:
            return values.cat.set_categories(allowed)
    text = _as_text(values)
    if categories is None:
        return text.astype(object).where(text.notna(), None).astype("category")
    allowed = list(categories)
    bad = text.notna() & ~text.isin(allowed)
    if bad.any():
        row = bad.idxmax()
        raise SchemaError(f"row {row}: column {values.name!r} has {text[row]!r}; expected one of {allowed}")
    return pd.Series(pd.Categorical(text.astype(object), categories=allowed), index=values.index)


def _as_date(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return pd.to_datetime(values, errors="raise").astype("datetime64[ns]").dt.normalize()


def _as_utc(values: pd.Series) -> pd.Series:
    # ACLED writes timestamps as Unix seconds.
    if pd.api.types.is_numeric_dtype(values):
        return pd.to_datetime(values, unit="s", utc=True).astype("datetime64[ns, UTC]")
    return pd.to_datetime(values, utc=True, errors="raise", format="mixed").astype("datetime64[ns, UTC]")


def _missing_column(dtype: str, n: int) -> pd.Series:
    """A column of ``n`` missing values of ``dtype``, made directly (cheap at a million rows)."""
    if dtype == _CAT:
        return pd.Series(
            pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), categories=pd.Index([], dtype=object))
        )
    if dtype == "Int64":
        return pd.Series(pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)))
    return pd.Series(pd.NA, index=pd.RangeIndex(n), dtype=dtype)


def stable_event_id(prefix: str, *parts: object) -> str:
    """A deterministic id for a row that carries none: ``PREFIX-`` and 12 hex digits.

    Parameters
    ----------
    prefix : str
        Usually the dataset name.
    *parts : object
        Values that identify the event (date, place, type, actors, notes).
    """
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:12]}"


def to_canonical(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Coerce a table that already holds valid values to the canonical dtypes and column order.

    Missing optional columns are added (text as missing, precisions and counts
    as in ``DEFAULTS``, ``date_end`` as ``event_date``); extra columns are
    dropped. Geometry is rebuilt from ``longitude``/``latitude``. Row-level
    checking belongs to the readers; this raises ``SchemaError`` only when a
    column cannot be converted at all.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of events with at least the ``REQUIRED`` columns.

    Returns
    -------
    geopandas.GeoDataFrame
        The canonical event table, index reset.
    """
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise SchemaError(f"missing required column(s) {missing}; canonical columns are {list(COLUMNS)}")
    df = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    out: dict[str, pd.Series] = {}
    for col, dtype in DTYPES.items():
        # Columns most sources lack: made empty directly, not converted value by value.
        if col in EXTENDED_COLUMNS and (col not in df.columns or not df[col].notna().any()):
            out[col] = _missing_column(dtype, len(df))
            continue
        if col in df.columns:
            values = df[col]
        elif col == "date_end":
            values = df["event_date"]
        elif col in DEFAULTS:
            values = pd.Series(DEFAULTS[col], index=df.index)
        else:
            values = pd.Series(pd.NA, index=df.index, dtype="object")
        try:
            if dtype == _CAT:
                out[col] = _as_category(values.rename(col), _FIXED_CATEGORIES.get(col))
            elif dtype == "string":
                out[col] = _as_text(values)
            elif col in DATE_COLUMNS:
                out[col] = _as_date(values)
            elif col == "timestamp":
                out[col] = _as_utc(values)
            elif dtype == "bool":
                out[col] = values.fillna(False).astype(bool)
            elif dtype == "Int64":
                out[col] = pd.to_numeric(values, errors="raise").astype("Int64")
            else:
                out[col] = pd.to_numeric(values, errors="raise").astype(dtype)
        except SchemaError:
            raise
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"column {col!r} cannot be read as {dtype}: {exc}") from exc
    result = pd.DataFrame(out, index=df.index)
    geometry = gpd.points_from_xy(result["longitude"], result["latitude"], crs=CRS)
    return gpd.GeoDataFrame(result, geometry=geometry, crs=CRS)


@functools.cache
def _empty_events() -> gpd.GeoDataFrame:
    return to_canonical(pd.DataFrame({c: pd.Series([], dtype="object") for c in COLUMNS}))


def empty_events() -> gpd.GeoDataFrame:
    """An empty canonical event table with every column and dtype in place."""
    # Made once (about 30 ms, asked on every map update): each caller gets its own copy to change.
    return _empty_events().copy()


def validate_events(events: gpd.GeoDataFrame) -> None:
    """Check that ``events`` is a canonical event table.

    Raises
    ------
    SchemaError
        Naming the first offending column, row and value.
    """
    if not isinstance(events, gpd.GeoDataFrame):
        raise SchemaError(f"expected a GeoDataFrame, got {type(events).__name__}")
    missing = [c for c in COLUMNS if c not in events.columns]
    if missing:
        raise SchemaError(f"missing column(s) {missing}")
    if events.crs is None or events.crs.to_epsg() != 4326:
        raise SchemaError(f"CRS must be EPSG:4326, got {events.crs}")
    for col, dtype in DTYPES.items():
        if str(events[col].dtype) != dtype and not (dtype == "string" and str(events[col].dtype).startswith("string")):
            raise SchemaError(f"column {col!r} has dtype {events[col].dtype}; expected {dtype}")

    def fail(mask: pd.Series, col: str, expected: str) -> None:
        if mask.any():
            row = mask.to_numpy().nonzero()[0][0]
            raise SchemaError(f"row {row}: column {col!r} has {events[col].iloc[row]!r}; expected {expected}")

    fail(events["event_id"].isna(), "event_id", "an id")
    fail(events["event_id"].duplicated(), "event_id", "a unique id")
    for col in REQUIRED:
        fail(events[col].isna(), col, "a value")
    fail(~events["latitude"].between(-90, 90), "latitude", "a number from -90 to 90")
    fail(~events["longitude"].between(-180, 180), "longitude", "a number from -180 to 180")
    fail(events["date_end"] < events["event_date"], "date_end", "a date on or after event_date")
    for col in ("time_precision", "geo_precision"):
        fail(~events[col].between(1, 4), col, "an integer from 1 to 4")
    fail(events["fatalities"] < 0, "fatalities", "a count of 0 or more")
    sub = events["sub_event_type"].astype(object)
    parent = sub.map(PARENT_TYPE)
    fail(sub.notna() & (parent != events["event_type"].astype(object)), "sub_event_type", "a sub-type of event_type")
    points = events.geometry
    fail(~points.geom_type.eq("Point"), "geometry", "a Point")
    off = ~np.isclose(points.x.to_numpy(), events["longitude"].to_numpy()) | ~np.isclose(
        points.y.to_numpy(), events["latitude"].to_numpy()
    )
    fail(pd.Series(off, index=events.index), "geometry", "the point at longitude/latitude")

"""Row checks shared by every format: rejections with row, column, value and reason, then the canonical table.

A format reader renames its columns to canonical names (``Staged``); ``finish``
checks every value column by column (vectorised), records each bad row once per
problem, places rows that have a location but no coordinates with the
gazetteer, resolves duplicated ids and returns ``schema.to_canonical`` of the
good rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap import schema, suspect
from conflictmap.readers import values as parse
from conflictmap.readers.report import ImportReport

#: A fixed reason, or one made from the row's position in the frame.
Reason = str | Callable[[int], str]


@dataclass
class Staged:
    """A file's rows under canonical column names, values not yet checked.

    Attributes
    ----------
    frame : pandas.DataFrame
        Any of ``schema.COLUMNS``; values as read (text or typed).
    rows : numpy.ndarray
        Each row's number in the file.
    origin : dict
        Canonical column -> the file's column, so rejections name what the user sees.
    default_dataset : str
        ``dataset`` of rows that do not name one.
    bad : numpy.ndarray
        Rows the format reader already rejected.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    origin: dict[str, str] = field(default_factory=dict)
    default_dataset: str = "manual"
    bad: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.bad is None:
            self.bad = np.zeros(len(self.frame), dtype=bool)

    def column(self, name: str) -> str:
        """The file's name for canonical column ``name``."""
        return self.origin.get(name, name)

    def reject(
        self, report: ImportReport, mask: pd.Series | np.ndarray, column: str, raw: pd.Series, reason: Reason
    ) -> None:
        """Record a rejection for each row in ``mask``; ``raw`` holds the values as written."""
        where = np.flatnonzero(np.asarray(mask, dtype=bool))
        for i in where:
            value = raw.iloc[i]
            shown = "" if _missing(value) else str(value).strip()
            report.reject(self.rows[i], self.column(column), shown, reason(i) if callable(reason) else reason)
        self.bad[where] = True


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _raw(staged: Staged, col: str) -> pd.Series:
    frame = staged.frame
    return frame[col] if col in frame.columns else pd.Series(None, index=frame.index, dtype="object")


def _present(raw: pd.Series) -> pd.Series:
    """True where a value was written (not blank)."""
    if pd.api.types.is_numeric_dtype(raw.dtype) or pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return raw.notna()
    if pd.api.types.is_bool_dtype(raw.dtype):
        return pd.Series(True, index=raw.index)
    if isinstance(raw.dtype, pd.CategoricalDtype):
        codes, uniques = parse.distinct(raw)
        table = np.array([u is not None for u in uniques] + [False])
        return pd.Series(table[codes], index=raw.index)
    return parse.text(raw).notna()


def _reject_dates(staged: Staged, report: ImportReport, bad: pd.Series, column: str, raw: pd.Series) -> None:
    """Reject unreadable dates, saying "out of range" for a real date in an implausible year (``9999-12-31``)."""
    beyond = np.zeros(len(raw), dtype=bool)
    where = np.flatnonzero(np.asarray(bad, dtype=bool))
    if len(where):
        beyond[where] = parse.dates_out_of_range(raw.iloc[where]).to_numpy()
    staged.reject(report, beyond, column, raw, parse.DATE_RANGE_TEXT.format(*parse.DATE_YEARS))
    staged.reject(
        report, np.asarray(bad, dtype=bool) & ~beyond, column, raw, f"not a date; expected {parse.DATE_EXAMPLES}"
    )


def _dates(staged: Staged, report: ImportReport, out: dict[str, pd.Series]) -> None:
    raw = _raw(staged, "event_date")
    start = parse.dates(raw)
    given = _present(raw)
    staged.reject(report, ~given, "event_date", raw, f"missing; expected {parse.DATE_EXAMPLES}")
    _reject_dates(staged, report, given & start.isna(), "event_date", raw)
    raw_end = _raw(staged, "date_end")
    end = parse.dates(raw_end)
    end_given = _present(raw_end)
    _reject_dates(staged, report, end_given & end.isna(), "date_end", raw_end)
    before = (end < start).fillna(False)
    staged.reject(
        report,
        before,
        "date_end",
        raw_end,
        lambda i: f"before {staged.column('event_date')} {start.iloc[i]:%Y-%m-%d}; expected the last day of the event",
    )
    out["event_date"] = start
    out["date_end"] = end.fillna(start)


def _whole(
    staged: Staged,
    report: ImportReport,
    col: str,
    low: float | None,
    high: float | None,
    expected: str,
) -> tuple[pd.Series, pd.Series]:
    """A column of whole numbers within [low, high]; returns the numbers and where they were missing."""
    if col not in staged.frame.columns:
        return pd.Series(np.nan, index=staged.frame.index), pd.Series(True, index=staged.frame.index)
    raw = _raw(staged, col)
    given = _present(raw)
    num = parse.numbers(raw)
    staged.reject(report, given & num.isna(), col, raw, f"not a number; expected {expected}")
    out_of_range = num.notna() & ~parse.integers_ok(num)
    if low is not None:
        out_of_range |= num < low
    if high is not None:
        out_of_range |= num > high
    staged.reject(report, out_of_range, col, raw, f"expected {expected}")
    return num, ~given


def _defaulted(
    report: ImportReport, staged: Staged, col: str, missing: pd.Series, default: object, meaning: str
) -> None:
    count = int((missing & ~staged.bad).sum())
    if not count:
        return
    if col not in staged.frame.columns:
        report.warnings.append(f"no {col} column: every row set to {default} ({meaning})")
    else:
        report.warnings.append(f"{col} missing in {count} row(s): set to {default} ({meaning})")


def _counts(staged: Staged, report: ImportReport, out: dict[str, pd.Series]) -> None:
    for col, meaning in (("time_precision", "exact day"), ("geo_precision", "the named place")):
        num, missing = _whole(staged, report, col, 1, 4, "a whole number from 1 to 4")
        _defaulted(report, staged, col, missing, 1, meaning)
        out[col] = num.fillna(1)
    num, missing = _whole(staged, report, "fatalities", 0, None, "a whole number of 0 or more")
    _defaulted(report, staged, "fatalities", missing, 0, "not reported")
    out["fatalities"] = num.fillna(0)
    bounds = {}
    for col in ("fatalities_low", "fatalities_high"):
        bounds[col], _ = _whole(staged, report, col, 0, None, "a whole number of 0 or more, or blank")
        out[col] = bounds[col]
    inverted = (bounds["fatalities_low"] > bounds["fatalities_high"]).fillna(False)
    staged.reject(
        report,
        inverted,
        "fatalities_low",
        _raw(staged, "fatalities_low"),
        lambda i: (
            f"more than {staged.column('fatalities_high')} ({bounds['fatalities_high'].iloc[i]:.0f}); "
            "expected the low estimate"
        ),
    )


def _optional_counts(staged: Staged, report: ImportReport, out: dict[str, pd.Series]) -> None:
    """Whole numbers a source may leave blank (population, UCDP's deaths): a value that is not one is
    left blank with a warning, never a rejection, since the rest of the row stands."""
    for col in schema.OPTIONAL_COUNT_COLUMNS:
        if col in ("fatalities_low", "fatalities_high") or col not in staged.frame.columns:
            continue
        raw = _raw(staged, col)
        num = parse.numbers(raw)
        odd = (_present(raw) & (num.isna() | ~parse.integers_ok(num) | (num < 0))).to_numpy() & ~staged.bad
        if odd.any():
            at = np.flatnonzero(odd)
            shown = ", ".join(f"row {staged.rows[i]} {str(raw.iloc[i]).strip()!r}" for i in at[:5])
            report.warnings.append(
                f"{staged.column(col)}: {len(at)} value(s) left blank, expected a whole number of 0 or more "
                f"({shown}{' ...' if len(at) > 5 else ''})"
            )
            num = num.where(~odd)
        out[col] = num


def _types(staged: Staged, report: ImportReport, out: dict[str, pd.Series]) -> None:
    raw = _raw(staged, "event_type")
    event_type = parse.choices(raw, schema.EVENT_TYPES, categories=schema.EVENT_TYPES)
    given = _present(raw)
    # A type the format reader could not map was rejected there; say it once.
    unmapped = pd.Series(staged.bad.copy(), index=raw.index)
    expected = f"expected one of {list(schema.EVENT_TYPES)}"
    staged.reject(report, ~given & ~unmapped, "event_type", raw, f"missing; {expected}")
    staged.reject(report, given & event_type.isna() & ~unmapped, "event_type", raw, f"unknown event type; {expected}")
    raw_sub = _raw(staged, "sub_event_type")
    sub = parse.choices(raw_sub, schema.SUB_EVENT_TYPES, categories=schema.SUB_EVENT_TYPES)
    unknown_sub = _present(raw_sub) & sub.isna()
    staged.reject(report, unknown_sub, "sub_event_type", raw_sub, "unknown sub-event type; expected one of ACLED's 25")
    # Compare codes: both columns use the schema's fixed category order.
    parent_code = np.array([schema.EVENT_TYPES.index(schema.PARENT_TYPE[s]) for s in schema.SUB_EVENT_TYPES])
    sub_codes, type_codes = sub.cat.codes.to_numpy(), event_type.cat.codes.to_numpy()
    mismatch = (sub_codes >= 0) & (type_codes >= 0) & (parent_code[np.maximum(sub_codes, 0)] != type_codes)
    staged.reject(
        report,
        mismatch,
        "sub_event_type",
        raw_sub,
        lambda i: (
            f"is a sub-type of {schema.PARENT_TYPE[sub.iloc[i]]!r}, not of {event_type.iloc[i]!r}; "
            f"expected one of {list(schema.TAXONOMY[event_type.iloc[i]])}"
        ),
    )
    out["event_type"] = event_type
    out["sub_event_type"] = sub


def _flags(staged: Staged, report: ImportReport, out: dict[str, pd.Series]) -> None:
    raw = _raw(staged, "civilian_targeting")
    flags, unknown = parse.flags(raw)
    staged.reject(
        report, unknown, "civilian_targeting", raw, "expected 'Civilian targeting', yes/no, true/false or blank"
    )
    out["civilian_targeting"] = flags


def _timestamps(staged: Staged, report: ImportReport, out: dict[str, pd.Series]) -> None:
    raw = _raw(staged, "timestamp")
    stamps = parse.timestamps(raw)
    staged.reject(
        report,
        _present(raw) & stamps.isna(),
        "timestamp",
        raw,
        "not a time; expected Unix seconds (1694476800) or an ISO time (2023-09-12T00:00:00Z)",
    )
    out["timestamp"] = stamps


def _coordinates(staged: Staged, report: ImportReport, out: dict[str, pd.Series]) -> pd.Series:
    """Check latitude/longitude; returns the rows to place with the gazetteer."""
    unplaced = pd.Series(True, index=staged.frame.index)
    for col, limit in (("latitude", 90), ("longitude", 180)):
        raw = _raw(staged, col)
        given = _present(raw)
        num = parse.numbers(raw)
        staged.reject(report, given & num.isna(), col, raw, "not a number; expected decimal degrees (WGS84)")
        staged.reject(
            report, num.abs() > limit, col, raw, f"out of range; expected decimal degrees from -{limit} to {limit}"
        )
        unplaced &= ~given
        out[col] = num
    lat_raw, lon_raw = _raw(staged, "latitude"), _raw(staged, "longitude")
    half = _present(lat_raw) ^ _present(lon_raw)
    staged.reject(report, half & ~_present(lat_raw), "latitude", lat_raw, "missing while longitude is given")
    staged.reject(report, half & ~_present(lon_raw), "longitude", lon_raw, "missing while latitude is given")
    location = _raw(staged, "location")
    nameless = unplaced & ~_present(location)
    staged.reject(report, nameless, "latitude", lat_raw, "missing coordinates and no location name to place the event")
    return unplaced & ~nameless


def _place(staged: Staged, report: ImportReport, out: dict[str, pd.Series], todo: pd.Series) -> None:
    """Put rows that name a place but give no coordinates where the gazetteer says."""
    todo = todo & ~pd.Series(staged.bad, index=todo.index)
    if not todo.any():
        return
    from conflictmap.gazetteer import AmbiguousPlaceError, PlaceNotFoundError, UnknownAdmin1Error, resolve

    location = parse.text(_raw(staged, "location"))
    admin1 = parse.text(_raw(staged, "admin1"))
    cache: dict[tuple[str, str | None], object] = {}
    for i in np.flatnonzero(todo.to_numpy()):
        name = location.iloc[i]
        hint = None if pd.isna(admin1.iloc[i]) else admin1.iloc[i]
        key = (name, hint)
        if key not in cache:
            try:
                try:
                    cache[key] = resolve(name, admin1=hint)
                except UnknownAdmin1Error:
                    cache[key] = resolve(name)
            except (AmbiguousPlaceError, PlaceNotFoundError) as exc:
                cache[key] = exc
        found = cache[key]
        row = staged.rows[i]
        if isinstance(found, LookupError):
            report.reject(
                row, staged.column("location"), name, f"no coordinates, and the gazetteer cannot place it: {found}"
            )
            staged.bad[i] = True
            continue
        precision = max(int(out["geo_precision"].iloc[i]), int(found.geo_precision))
        out["latitude"].iloc[i] = found.latitude
        out["longitude"].iloc[i] = found.longitude
        out["geo_precision"].iloc[i] = precision
        report.warnings.append(
            f"row {row}: no coordinates; placed {name!r} at {found.name} ({found.kind}, {found.admin1}) "
            f"{found.latitude:.4f}, {found.longitude:.4f} with geo_precision {precision}"
        )


def _ids(staged: Staged, out: dict[str, pd.Series], dataset: pd.Series) -> pd.Series:
    ids = parse.text(_raw(staged, "event_id"))
    missing = ids.isna() & ~pd.Series(staged.bad, index=ids.index)
    if missing.any():
        at = np.flatnonzero(missing.to_numpy())
        parts = [
            dataset.iloc[at].astype(str),
            out["event_date"].iloc[at].dt.strftime("%Y-%m-%d"),
            out["latitude"].iloc[at].map(repr),
            out["longitude"].iloc[at].map(repr),
            out["event_type"].iloc[at].astype(str),
            out["sub_event_type"].iloc[at].astype(str),
        ] + [
            parse.text(_raw(staged, c)).iloc[at].fillna("").astype(str)
            for c in ("actor1", "actor2", "location", "notes")
        ]
        generated = [schema.stable_event_id(p[0], *p) for p in zip(*(s.tolist() for s in parts), strict=True)]
        ids = ids.copy()
        ids.iloc[at] = generated
    return ids


def _duplicates(staged: Staged, report: ImportReport, ids: pd.Series, stamps: pd.Series) -> None:
    """Keep the row with the newest timestamp of each id (the later row on a tie); reject the others."""
    good = ~staged.bad
    kept_ids = ids[good]
    if not kept_ids.duplicated().any():
        return
    table = pd.DataFrame({"id": kept_ids, "ts": stamps[good], "row": staged.rows[good], "at": np.flatnonzero(good)})
    table = table[table["id"].duplicated(keep=False)].sort_values(["ts", "row"], na_position="first")
    winners = table.groupby("id", sort=False).tail(1).set_index("id")
    for entry in table.itertuples(index=False):
        winner = winners.loc[entry.id]
        if entry.row == winner["row"]:
            continue
        newer = pd.notna(winner["ts"]) and (pd.isna(entry.ts) or winner["ts"] > entry.ts)
        why = "a newer timestamp" if newer else "the same or no timestamp and comes later in the file"
        report.reject(
            entry.row,
            staged.column("event_id"),
            entry.id,
            f"duplicated id; kept row {winner['row']}, which has {why}",
        )
        staged.bad[entry.at] = True


def finish(staged: Staged, report: ImportReport, dataset: str | None = None) -> gpd.GeoDataFrame:
    """Check every row, record the rejections in ``report`` and return the canonical events of the good rows.

    Parameters
    ----------
    staged : Staged
        The rows under canonical names.
    report : ImportReport
        Receives the rejections, warnings and the count of rows loaded.
    dataset : str, optional
        Names the dataset of every row; otherwise a row's own ``dataset``, else
        ``staged.default_dataset``.

    Returns
    -------
    geopandas.GeoDataFrame
        The canonical event table (``schema.to_canonical``).
    """
    frame = staged.frame
    out: dict[str, pd.Series] = {}
    _types(staged, report, out)
    _dates(staged, report, out)
    _counts(staged, report, out)
    _optional_counts(staged, report, out)
    _flags(staged, report, out)
    _timestamps(staged, report, out)
    todo = _coordinates(staged, report, out)
    _place(staged, report, out, todo)
    if dataset is not None:
        names = pd.Series(pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), [dataset]), index=frame.index)
    else:
        names = parse.as_category(parse.text(_raw(staged, "dataset")).fillna(staged.default_dataset))
    out["dataset"] = names
    ids = _ids(staged, out, names)
    _duplicates(staged, report, ids, out["timestamp"])
    out["event_id"] = ids
    for col in schema.COLUMNS:
        if col not in out and col in frame.columns:
            # Repeated names as categoricals: far cheaper for to_canonical than a million strings.
            out[col] = parse.as_category(frame[col]) if schema.DTYPES[col] == "category" else frame[col]
    good = ~staged.bad
    table = pd.DataFrame(out) if good.all() else pd.DataFrame({c: s[good] for c, s in out.items()})
    events = schema.to_canonical(table)
    report.rows_loaded = len(events)
    report.rejected.sort(key=lambda r: r.row)
    # Kept, but told: a place outside its country, swapped coordinates, an implausible toll.
    suspect.flag_in_report(events, staged.rows[good], report)
    return events

"""Timelines and map grids from counts the database grouped, in the shapes ``timeline`` and ``mapview`` give.

A store groups events in SQL (per period and label, per grid cell and type)
and sends only the groups; these functions lay them out exactly as
``timeline.aggregate``, ``timeline.totals`` and ``grid.aggregate_grid`` do
for the same events, so the dashboard can use either.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from conflictmap import schema
from conflictmap.grid import CELL_SIZES_DEG, choose_cell_deg
from conflictmap.timeline import FREQUENCIES, MISSING_LABEL, choose_freq

_STEP = {"D": "D", "W": "7D", "M": "MS"}
#: Columns a timeline may be split by: the text columns.
SPLIT_COLUMNS: tuple[str, ...] = schema.TEXT_COLUMNS
_FIXED = {"event_type": schema.EVENT_TYPES, "sub_event_type": schema.SUB_EVENT_TYPES}


def period_start(days: pd.Series | pd.DatetimeIndex, freq: str) -> pd.Series:
    """The first day of each day's period: the day, its week's Monday, or its month's first day."""
    days = pd.Series(pd.to_datetime(days)).dt.normalize()
    if freq == "W":
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    if freq == "M":
        return days - pd.to_timedelta(days.dt.day - 1, unit="D")
    return days


def check_freq(freq: str | None) -> str | None:
    """``freq`` if it is one of ``timeline.FREQUENCIES`` (or ``None``)."""
    if freq is not None and freq not in FREQUENCIES:
        raise ValueError(f"freq {freq!r}; expected one of {list(FREQUENCIES)}")
    return freq


def check_split(by: str) -> str:
    """``by`` if a timeline can be split by it."""
    if by not in SPLIT_COLUMNS:
        raise ValueError(f"cannot split a timeline by {by!r}; expected one of {list(SPLIT_COLUMNS)}")
    return by


def span(
    first: date | None, last: date | None, start: date | None, end: date | None, freq: str | None
) -> tuple[str, pd.DatetimeIndex] | None:
    """The frequency and every period start of the span, as ``timeline.aggregate`` chooses them."""
    bounds = [pd.Timestamp(d).normalize() for d in (first, last, start, end) if d is not None]
    if not bounds:
        return None
    lo, hi = min(bounds), max(bounds)
    freq = freq or choose_freq(lo, hi)
    edges = period_start(pd.Series([lo, hi]), freq)
    periods = pd.date_range(edges.iloc[0], edges.iloc[1], freq=_STEP[freq])
    return freq, pd.DatetimeIndex(periods.astype("datetime64[ns]"))


def _empty(by: str | None) -> pd.DataFrame:
    columns: dict[str, object] = {"period": pd.Series([], dtype="datetime64[ns]")}
    if by is not None:
        columns[by] = pd.Categorical([])
    columns["events"] = pd.Series([], dtype="int64")
    columns["fatalities"] = pd.Series([], dtype="int64")
    return pd.DataFrame(columns)


def timeline_frame(groups: pd.DataFrame, by: str, periods: pd.DatetimeIndex | None) -> pd.DataFrame:
    """Lay grouped counts out as ``timeline.aggregate`` does.

    Parameters
    ----------
    groups : pandas.DataFrame
        ``period`` (first day), ``label`` (``None`` for missing), ``events``, ``fatalities``.
    by : str
        The column split by (names the output column).
    periods : pandas.DatetimeIndex or None
        Every period of the span (see ``span``); ``None`` when there is nothing to show.
    """
    labels = groups["label"]
    present = sorted({str(x) for x in labels if x is not None})
    if by in _FIXED:
        present = [x for x in _FIXED[by] if x in set(present)]
    chosen = present + ([MISSING_LABEL] if labels.isna().any() else [])
    if periods is None or not chosen:
        return _empty(by)
    width = len(chosen)
    position = {p: i for i, p in enumerate(periods)}
    code = {name: i for i, name in enumerate(present)}
    row = pd.to_datetime(groups["period"]).map(position).to_numpy(dtype=np.int64)
    col = np.array([code[str(x)] if x is not None else width - 1 for x in labels], dtype=np.int64)
    cell = row * width + col
    size = len(periods) * width
    counts = np.bincount(cell, weights=groups["events"].to_numpy(dtype="float64"), minlength=size)
    fatalities = np.bincount(cell, weights=groups["fatalities"].to_numpy(dtype="float64"), minlength=size)
    return pd.DataFrame(
        {
            "period": np.repeat(periods.to_numpy(), width),
            by: pd.Categorical.from_codes(np.tile(np.arange(width), len(periods)), categories=chosen),
            "events": np.rint(counts).astype(np.int64),
            "fatalities": np.rint(fatalities).astype(np.int64),
        }
    )


def totals_frame(groups: pd.DataFrame, periods: pd.DatetimeIndex | None) -> pd.DataFrame:
    """Lay grouped counts (``period``, ``events``, ``fatalities``) out as ``timeline.totals`` does."""
    if periods is None:
        return _empty(None)
    position = {p: i for i, p in enumerate(periods)}
    row = pd.to_datetime(groups["period"]).map(position).to_numpy(dtype=np.int64)
    counts = np.bincount(row, weights=groups["events"].to_numpy(dtype="float64"), minlength=len(periods))
    fatalities = np.bincount(row, weights=groups["fatalities"].to_numpy(dtype="float64"), minlength=len(periods))
    return pd.DataFrame(
        {
            "period": periods.to_numpy(),
            "events": np.rint(counts).astype(np.int64),
            "fatalities": np.rint(fatalities).astype(np.int64),
        }
    )


def cell_size(west: float | None, south: float | None, east: float | None, north: float | None) -> float:
    """The grid cell ``grid.choose_cell_deg`` picks for events spread over this box."""
    if west is None:
        return CELL_SIZES_DEG[-3]
    corners = pd.DataFrame({"longitude": [west, east], "latitude": [south, north]})
    return choose_cell_deg(corners)

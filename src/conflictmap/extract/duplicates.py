"""Likely duplicates: a candidate that matches an event already stored.

A match is the same ``event_type``, a place within ``max_km`` (10 km) and
dates within ``max_days`` (2 days) of each other, counting each event's
whole ``event_date``..``date_end`` range: an event dated "end of August"
(21-31 August) matches a stored event of 30 August. Two region-level
events (``geo_precision`` 3) of the same region match at any distance: one
may sit at the provincial capital and the other at the region's centroid.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Columns of the table ``find_duplicates`` returns.
DUPLICATE_COLUMNS: tuple[str, ...] = (
    "candidate",
    "candidate_id",
    "match_id",
    "match_dataset",
    "match_event_date",
    "match_location",
    "match_event_type",
    "match_sub_event_type",
    "match_actor1",
    "match_actor2",
    "match_fatalities",
    "distance_km",
    "days_apart",
)
_NEEDED = ("event_date", "event_type", "latitude", "longitude")
_EARTH_KM = 6371.0088


def _check(frame: pd.DataFrame, what: str, extra: tuple[str, ...] = ()) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a table of events, got {type(frame).__name__}")
    missing = [c for c in (*_NEEDED, *extra) if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lack the column(s) {missing}; expected canonical events")


def _days(values: pd.Series) -> np.ndarray:
    """Dates as day numbers (NaN for missing)."""
    dates = pd.to_datetime(values, errors="coerce")
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)
    return (dates.dt.normalize() - pd.Timestamp("1970-01-01")).dt.days.to_numpy(dtype="float64", na_value=np.nan)


def _haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def find_duplicates(
    candidates: pd.DataFrame,
    existing_events: pd.DataFrame,
    *,
    max_km: float = 10.0,
    max_days: int = 2,
) -> pd.DataFrame:
    """Stored events that each candidate probably repeats.

    Parameters
    ----------
    candidates : pandas.DataFrame
        Candidate events (``extract_events``) or any canonical events.
    existing_events : pandas.DataFrame
        The events already stored (canonical columns; ``event_id`` names the match).
    max_km : float
        Greatest distance between the two places.
    max_days : int
        Greatest number of days between the two events' date ranges.

    Returns
    -------
    pandas.DataFrame
        One row per (candidate, match), columns ``DUPLICATE_COLUMNS``:
        ``candidate`` is the candidate's index label, ``distance_km`` and
        ``days_apart`` say how close the match is. Sorted by candidate, then
        nearest in time and place. Empty when nothing matches.

    Raises
    ------
    TypeError
        If either argument is not a DataFrame.
    ValueError
        If a table lacks ``event_date``, ``event_type``, ``latitude`` or
        ``longitude`` (or ``event_id`` for the stored events), or a limit is negative.
    """
    _check(candidates, "candidates")
    _check(existing_events, "existing events", ("event_id",))
    if max_km < 0 or max_days < 0:
        raise ValueError(f"max_km and max_days must be 0 or more, got {max_km!r} and {max_days!r}")
    rows: list[dict[str, object]] = []
    if candidates.empty or existing_events.empty:
        return pd.DataFrame({c: pd.Series([], dtype="object") for c in DUPLICATE_COLUMNS})
    old = existing_events
    old_first = _days(old["event_date"])
    old_last = _days(old["date_end"]) if "date_end" in old.columns else old_first.copy()
    old_last = np.where(np.isnan(old_last), old_first, old_last)
    old_types = old["event_type"].astype(object).to_numpy()
    old_lat = pd.to_numeric(old["latitude"], errors="coerce").to_numpy(dtype="float64")
    old_lon = pd.to_numeric(old["longitude"], errors="coerce").to_numpy(dtype="float64")
    new_first = _days(candidates["event_date"])
    new_last = _days(candidates["date_end"]) if "date_end" in candidates.columns else new_first.copy()
    new_last = np.where(np.isnan(new_last), new_first, new_last)
    new_types = candidates["event_type"].astype(object).to_numpy()
    new_lat = pd.to_numeric(candidates["latitude"], errors="coerce").to_numpy(dtype="float64")
    new_lon = pd.to_numeric(candidates["longitude"], errors="coerce").to_numpy(dtype="float64")
    ids = (
        candidates["event_id"].astype(object).to_numpy()
        if "event_id" in candidates.columns
        else [None] * len(candidates)
    )

    def column(name: str) -> np.ndarray:
        return old[name].astype(object).to_numpy() if name in old.columns else np.full(len(old), None, dtype=object)

    match_cols = {
        name: column(name) for name in ("event_id", "dataset", "location", "sub_event_type", "actor1", "actor2")
    }
    match_fatalities = column("fatalities")
    old_admin1, old_gp = column("admin1"), pd.to_numeric(pd.Series(column("geo_precision")), errors="coerce").to_numpy()
    new_admin1 = (
        candidates["admin1"].astype(object).to_numpy() if "admin1" in candidates.columns else [None] * len(candidates)
    )
    new_gp = (
        pd.to_numeric(candidates["geo_precision"], errors="coerce").to_numpy()
        if "geo_precision" in candidates.columns
        else np.full(len(candidates), np.nan)
    )
    for i, label in enumerate(candidates.index):
        if np.isnan(new_first[i]) or np.isnan(new_lat[i]) or np.isnan(new_lon[i]):
            continue
        # Gap between the two date ranges (0 when they overlap).
        gap = np.maximum(old_first - new_last[i], new_first[i] - old_last)
        hit = (old_types == new_types[i]) & (np.maximum(gap, 0) <= max_days)
        idx = np.flatnonzero(hit)
        if idx.size == 0:
            continue
        dist = _haversine_km(new_lat[i], new_lon[i], old_lat[idx], old_lon[idx])
        near = dist <= max_km
        if new_gp[i] == 3 and new_admin1[i] is not None:
            # Two region-level events of one region: one sits at the capital, the other at the centroid.
            near |= (old_gp[idx] == 3) & (old_admin1[idx] == new_admin1[i])
        for j, d in zip(idx[near], dist[near], strict=True):
            rows.append(
                {
                    "candidate": label,
                    "candidate_id": ids[i],
                    "match_id": match_cols["event_id"][j],
                    "match_dataset": match_cols["dataset"][j],
                    "match_event_date": pd.Timestamp(old["event_date"].iloc[j]),
                    "match_location": match_cols["location"][j],
                    "match_event_type": old_types[j],
                    "match_sub_event_type": match_cols["sub_event_type"][j],
                    "match_actor1": match_cols["actor1"][j],
                    "match_actor2": match_cols["actor2"][j],
                    "match_fatalities": match_fatalities[j],
                    "distance_km": round(float(d), 2),
                    "days_apart": int(max(gap[j], 0)),
                }
            )
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype="object") for c in DUPLICATE_COLUMNS})
    order = {label: n for n, label in enumerate(candidates.index)}
    table = pd.DataFrame(rows, columns=list(DUPLICATE_COLUMNS))
    table["_order"] = table["candidate"].map(order)
    table = table.sort_values(["_order", "days_apart", "distance_km"], kind="stable").drop(columns="_order")
    return table.reset_index(drop=True)

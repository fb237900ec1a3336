"""Events and fatalities per period, and the headline figures with their change.

Events are counted in the period of their first day (``event_date``); an event
lasting several days counts once. Periods are labelled by their first day:
days, weeks starting on Monday, or calendar months. Every period between the
first and last one is present, with zeros where nothing happened, so a chart
shows quiet weeks as quiet rather than skipping them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import numpy as np
import pandas as pd

from conflictmap.actors import distinct_actors

FREQUENCIES: tuple[str, ...] = ("D", "W", "M")
#: Longest span (in calendar days, both ends counted) shown per day: two months.
DAILY_MAX_DAYS = 62
#: Longest span shown per week: two years, one of them a leap year.
WEEKLY_MAX_DAYS = 731
#: Label for events with no value in the ``by`` column.
MISSING_LABEL = "Unknown"
# 1970-01-01 was a Thursday: shifting by 3 days puts Mondays on multiples of 7.
_MONDAY_SHIFT = 3


def _day(value: date | pd.Timestamp | np.datetime64 | str) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def choose_freq(start: date | pd.Timestamp | str, end: date | pd.Timestamp | str) -> str:
    """The period length that suits a span of dates.

    Parameters
    ----------
    start, end : date-like
        First and last day of the span.

    Returns
    -------
    str
        ``"D"`` for spans up to ``DAILY_MAX_DAYS`` days (both ends counted), ``"W"`` up to
        ``WEEKLY_MAX_DAYS`` days, ``"M"`` beyond.
    """
    days = (_day(end) - _day(start)).days + 1
    if days <= DAILY_MAX_DAYS:
        return "D"
    if days <= WEEKLY_MAX_DAYS:
        return "W"
    return "M"


def _period_numbers(days: np.ndarray, freq: str) -> np.ndarray:
    """Days since 1970-01-01 -> a running period number for ``freq``."""
    if freq == "D":
        return days
    if freq == "W":
        return (days + _MONDAY_SHIFT) // 7
    months = days.astype("datetime64[D]").astype("datetime64[M]")
    return months.astype(np.int64)


def _period_starts(numbers: np.ndarray, freq: str) -> np.ndarray:
    """Period numbers -> their first day as ``datetime64[ns]``."""
    if freq == "D":
        days = numbers.astype("datetime64[D]")
    elif freq == "W":
        days = (numbers * 7 - _MONDAY_SHIFT).astype("datetime64[D]")
    else:
        days = numbers.astype("datetime64[M]").astype("datetime64[D]")
    return days.astype("datetime64[ns]")


def _check_freq(freq: str) -> str:
    if freq not in FREQUENCIES:
        raise ValueError(f"freq {freq!r}; expected one of {list(FREQUENCIES)}")
    return freq


def _binned(
    events: pd.DataFrame, freq: str | None, start: date | None, end: date | None
) -> tuple[str, np.ndarray, np.ndarray] | None:
    """The frequency, each event's period offset and the first day of every period in the span."""
    if freq is not None:
        _check_freq(freq)
    days = events["event_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    bounds = [int(days.min()), int(days.max())] if len(days) else []
    bounds += [int(np.datetime64(_day(d).date(), "D").astype(np.int64)) for d in (start, end) if d is not None]
    if not bounds:
        return None
    first, last = min(bounds), max(bounds)
    if freq is None:
        freq = choose_freq(pd.Timestamp(first, unit="D"), pd.Timestamp(last, unit="D"))
    numbers = _period_numbers(days, freq)
    lo, hi = _period_numbers(np.array([first, last], dtype=np.int64), freq)
    return freq, numbers - lo, _period_starts(np.arange(lo, hi + 1), freq)


def aggregate(
    events: pd.DataFrame,
    freq: str | None = None,
    by: str = "event_type",
    *,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Events and fatalities per period and per value of ``by``, zeros included.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.
    freq : {"D", "W", "M"}, optional
        Period length; by default ``choose_freq`` over the span.
    by : str, default "event_type"
        Column to split by; events with no value there are counted under ``MISSING_LABEL``.
    start, end : date, optional
        Widen the span to include these days (e.g. the filter's range), so empty
        periods at either end still appear.

    Returns
    -------
    pandas.DataFrame
        Long format ``period, <by>, events, fatalities``: one row for every period of the
        span and every value of ``by`` present in ``events`` (in category order), periods
        labelled by their first day.
    """
    binned = _binned(events, freq, start, end)
    values = events[by]
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.array.codes.astype(np.int64)
        labels = [str(c) for c in values.cat.categories]
    else:
        codes, uniques = pd.factorize(values, sort=True)
        labels = [str(u) for u in uniques]
    present = np.bincount(codes + 1, minlength=len(labels) + 1) > 0
    # Code -1 (missing) moves to the end under MISSING_LABEL; unused categories are dropped.
    keep = np.concatenate([np.flatnonzero(present[1:]), [len(labels)] if present[0] else []]).astype(np.int64)
    names = [*labels, MISSING_LABEL]
    remap = np.full(len(labels) + 1, -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    group = remap[np.where(codes < 0, len(labels), codes)]
    if binned is None or not len(keep):
        return pd.DataFrame(
            {
                "period": pd.Series([], dtype="datetime64[ns]"),
                by: pd.Categorical([]),
                "events": pd.Series([], dtype="int64"),
                "fatalities": pd.Series([], dtype="int64"),
            }
        )
    _, offsets, periods = binned
    width = len(keep)
    cell = offsets * width + group
    size = len(periods) * width
    counts = np.bincount(cell, minlength=size)
    fatalities = np.bincount(cell, weights=events["fatalities"].to_numpy(), minlength=size)
    chosen = [names[i] for i in keep]
    return pd.DataFrame(
        {
            "period": np.repeat(periods, width),
            by: pd.Categorical.from_codes(np.tile(np.arange(width), len(periods)), categories=chosen),
            "events": counts.astype(np.int64),
            "fatalities": np.rint(fatalities).astype(np.int64),
        }
    )


def totals(
    events: pd.DataFrame, freq: str | None = None, *, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    """Events and fatalities per period, zeros included.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.
    freq : {"D", "W", "M"}, optional
        Period length; by default ``choose_freq`` over the span.
    start, end : date, optional
        Widen the span to include these days.

    Returns
    -------
    pandas.DataFrame
        ``period, events, fatalities``, one row per period, labelled by its first day.
    """
    binned = _binned(events, freq, start, end)
    if binned is None:
        return pd.DataFrame(
            {
                "period": pd.Series([], dtype="datetime64[ns]"),
                "events": pd.Series([], dtype="int64"),
                "fatalities": pd.Series([], dtype="int64"),
            }
        )
    _, offsets, periods = binned
    counts = np.bincount(offsets, minlength=len(periods))
    fatalities = np.bincount(offsets, weights=events["fatalities"].to_numpy(), minlength=len(periods))
    return pd.DataFrame(
        {"period": periods, "events": counts.astype(np.int64), "fatalities": np.rint(fatalities).astype(np.int64)}
    )


def _distinct_locations(events: pd.DataFrame) -> int:
    """Named places, plus distinct coordinates (to about 10 m) of events with no place name."""
    location = events["location"]
    named = location.notna().to_numpy()
    unnamed = ~named
    places = location[named].nunique()
    coords = np.round(np.column_stack([events["latitude"].to_numpy(), events["longitude"].to_numpy()])[unnamed], 4)
    return int(places) + (len(np.unique(coords, axis=0)) if len(coords) else 0)


def people_nearby(events: pd.DataFrame) -> int | None:
    """People living within 5 km of the events (ACLED's ``population_5km``), each point counted once.

    ``None`` when no event carries the figure (UCDP, one's own events). Places closer than
    10 km share people, so this is an upper bound.
    """
    if "population_5km" not in events.columns:
        return None
    known = events["population_5km"].notna().to_numpy()
    if not known.any():
        return None
    points = pd.DataFrame(
        {
            "lat": events["latitude"].to_numpy()[known],
            "lon": events["longitude"].to_numpy()[known],
            "people": events["population_5km"].to_numpy(dtype="float64", na_value=np.nan)[known],
        }
    )
    return int(points.groupby(["lat", "lon"], sort=False)["people"].max().sum())


def headline(events: pd.DataFrame, previous_events: pd.DataFrame) -> dict[str, dict[str, float | int | None]]:
    """The headline figures of a selection and their change against the previous period.

    Parameters
    ----------
    events : pandas.DataFrame
        The selected events.
    previous_events : pandas.DataFrame
        The same selection over the previous period (see ``previous_range``).

    Returns
    -------
    dict
        For ``events``, ``fatalities``, ``actors`` (distinct actor keys) and ``locations``
        (distinct place names, plus distinct coordinates where no name is given):
        ``{"value", "previous", "change", "change_pct"}``; ``change_pct`` is ``None``
        when the previous value is 0.
    """

    def figures(frame: pd.DataFrame) -> dict[str, int]:
        return {
            "events": len(frame),
            "fatalities": int(frame["fatalities"].sum()),
            "actors": len(distinct_actors(frame)),
            "locations": _distinct_locations(frame),
        }

    return compare_figures(figures(events), figures(previous_events))


def compare_figures(now: Mapping[str, int], before: Mapping[str, int]) -> dict[str, dict[str, float | int | None]]:
    """Figures counted elsewhere (e.g. by a database) laid out as ``headline`` lays them out.

    Parameters
    ----------
    now, before : mapping
        Figure name -> value for the selection and for the previous period; the names of ``now``.

    Returns
    -------
    dict
        Name -> ``{"value", "previous", "change", "change_pct"}``; ``change_pct`` is ``None`` when
        the previous value is 0.
    """
    return {
        name: {
            "value": now[name],
            "previous": before[name],
            "change": now[name] - before[name],
            "change_pct": round(100 * (now[name] - before[name]) / before[name], 1) if before[name] else None,
        }
        for name in now
    }


def previous_range(date_from: date, date_to: date) -> tuple[date, date]:
    """The range of the same length that ends the day before ``date_from``.

    Parameters
    ----------
    date_from, date_to : date
        The current range, both days included.

    Returns
    -------
    tuple of date
        E.g. 1-31 Oct 2023 -> (31 Aug 2023, 30 Sep 2023).
    """
    start, end = _day(date_from).date(), _day(date_to).date()
    length = end - start + timedelta(days=1)
    return start - length, start - timedelta(days=1)

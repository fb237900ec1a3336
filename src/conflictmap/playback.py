"""Playback: the filtered events frame by frame, by day, week or month.

Two modes:

window
    a frame shows the events of its own period;
cumulative
    a frame shows every event from the first frame up to the end of its period.

Events whose date is imprecise (``time_precision`` 2 or more) are shown for
their whole window, not on the day the file happens to give: precision 2 for
the Monday-to-Sunday week(s) around their dates, 3 for the calendar month(s),
4 for the calendar year(s). Every frame says which of its events are
imprecise, so maps and animations can draw them differently.

``Playback`` works the windows out once for the whole table; a frame is then
two comparisons over integer day numbers, and its grid counts one
``numpy.bincount`` over cell codes worked out once per cell size. At a million
events a frame takes milliseconds (``benchmarks``' playback figures).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from conflictmap.viewport import PointArrays

#: Steps a playback moves by.
STEPS: tuple[str, ...] = ("day", "week", "month")
#: What a frame shows.
MODES: tuple[str, ...] = ("window", "cumulative")
#: At most this many frames (about 11 years of weeks), so a wrong step cannot ask for millions.
MAX_FRAMES = 600
#: At most this many grid cells in one frame's payload (the busiest first); about 40 bytes each.
MAX_CELLS = 20_000
_EPOCH = date(1970, 1, 1)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class PlaybackError(ValueError):
    """A playback that cannot be made: the message names the option and the value."""


@dataclass(frozen=True)
class Frame:
    """One step of a playback.

    Attributes
    ----------
    index : int
        0 for the first frame.
    start, end : datetime.date
        The frame's period, both days included.
    label : str
        The date stamp: ``"3 Jan 2023"``, ``"Week of 2 Jan 2023"`` or ``"Jan 2023"``.
    """

    index: int
    start: date
    end: date
    label: str


def _day_number(d: date) -> int:
    return (d - _EPOCH).days


def _from_day(n: int) -> date:
    return _EPOCH + timedelta(days=int(n))


def _fmt(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def frame_periods(date_from: date, date_to: date, step: str = "week") -> list[Frame]:
    """The frames of a playback from ``date_from`` to ``date_to``.

    Parameters
    ----------
    date_from, date_to : datetime.date
        The period to play; the first and last frames are whole weeks or months
        holding these days.
    step : {"day", "week", "month"}
        Weeks run Monday to Sunday.

    Returns
    -------
    list of Frame

    Raises
    ------
    PlaybackError
        On an unknown step, ``date_from`` after ``date_to``, or more than ``MAX_FRAMES`` frames.
    """
    if step not in STEPS:
        raise PlaybackError(f"step {step!r} is not known; expected one of {list(STEPS)}")
    if date_from > date_to:
        raise PlaybackError(f"the playback starts {date_from} after it ends {date_to}")
    frames: list[Frame] = []
    if step == "day":
        count = (date_to - date_from).days + 1
        _check_count(count, step)
        return [Frame(i, d, d, _fmt(d)) for i, d in enumerate(date_from + timedelta(days=k) for k in range(count))]
    if step == "week":
        first = date_from - timedelta(days=date_from.weekday())
        count = (date_to - first).days // 7 + 1
        _check_count(count, step)
        for i in range(count):
            start = first + timedelta(weeks=i)
            frames.append(Frame(i, start, start + timedelta(days=6), f"Week of {_fmt(start)}"))
        return frames
    months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
    _check_count(months, step)
    for i in range(months):
        year, month = divmod(date_from.month - 1 + i, 12)
        start = date(date_from.year + year, month + 1, 1)
        nxt = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        frames.append(Frame(i, start, nxt - timedelta(days=1), f"{_MONTHS[start.month - 1]} {start.year}"))
    return frames


def _check_count(count: int, step: str) -> None:
    if count > MAX_FRAMES:
        raise PlaybackError(f"{count:,} frames by {step} is more than {MAX_FRAMES}; choose a longer step")


def _days(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def display_windows(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """When each event is shown: first day, last day (day numbers since 1970-01-01) and whether imprecise.

    Parameters
    ----------
    events : pandas.DataFrame
        With ``event_date``, ``date_end`` and ``time_precision``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        First days, last days (int64) and the imprecise flags (bool).
    """
    if len(events) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=bool)
    first = _days(events["event_date"])
    ends = events["date_end"]
    last = np.where(ends.isna().to_numpy(), first, _days(ends.fillna(events["event_date"])))
    last = np.maximum(first, last)
    precision = events["time_precision"].to_numpy(dtype=float, na_value=1.0)
    week = precision == 2
    # 1970-01-01 was a Thursday: (day + 3) % 7 is the weekday, 0 for Monday.
    first = np.where(week, first - (first + 3) % 7, first)
    last = np.where(week, last - (last + 3) % 7 + 6, last)
    for level, unit in ((3, "M"), (4, "Y")):
        chosen = precision >= level if level == 4 else precision == level
        if chosen.any():
            lo = first[chosen].astype("datetime64[D]").astype(f"datetime64[{unit}]")
            hi = last[chosen].astype("datetime64[D]").astype(f"datetime64[{unit}]") + 1
            first[chosen] = lo.astype("datetime64[D]").astype(np.int64)
            last[chosen] = hi.astype("datetime64[D]").astype(np.int64) - 1
    return first, last, precision >= 2


class Playback:
    """The frames of a filtered event table, worked out once and then asked for frame by frame.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events, filtered already.
    step : {"day", "week", "month"}
    mode : {"window", "cumulative"}
    date_from, date_to : datetime.date, optional
        The period to play (the filter's); by default the events' own span.

    Raises
    ------
    PlaybackError
        On an unknown step or mode, or too many frames.
    """

    def __init__(
        self,
        events: pd.DataFrame,
        step: str = "week",
        mode: str = "window",
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> None:
        if mode not in MODES:
            raise PlaybackError(f"mode {mode!r} is not known; expected one of {list(MODES)}")
        self.events = events
        self.step = step
        self.mode = mode
        self.first_day, self.last_day, self.imprecise = display_windows(events)
        if date_from is None or date_to is None:
            if len(events) == 0 and (date_from is None or date_to is None):
                today = date.today()
                date_from, date_to = date_from or date_to or today, date_to or date_from or today
            else:
                date_from = date_from or _from_day(int(_days(events["event_date"]).min()))
                date_to = date_to or _from_day(int(self.last_day.max()))
        self.frames: list[Frame] = frame_periods(date_from, date_to, step)
        self._cells: dict[float, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._points: PointArrays | None = None

    def __len__(self) -> int:
        return len(self.frames)

    def mask(self, index: int) -> np.ndarray:
        """Which events frame ``index`` shows."""
        frame = self.frames[index]
        start = _day_number(self.frames[0].start if self.mode == "cumulative" else frame.start)
        return (self.first_day <= _day_number(frame.end)) & (self.last_day >= start)

    def points(self) -> PointArrays:
        """The map layer's arrays for every event, made once (``viewport.PointArrays``)."""
        if self._points is None:
            self._points = PointArrays.from_events(self.events)
        return self._points

    def frame_points(self, index: int) -> tuple[PointArrays, np.ndarray]:
        """Frame ``index`` for ``viewport.plan_layer``: its events' arrays and which of them are imprecise.

        ``plan_layer(points, mode, view)`` then keeps the map's own rule for each zoom
        (markers up to the budget, cluster bubbles or the density grid above it), so a
        frame sends no more than any other map update.
        """
        shown = self.mask(index)
        every = self.points()
        subset = PointArrays(
            lat=every.lat[shown],
            lon=every.lon[shown],
            type_code=every.type_code[shown],
            fatalities=every.fatalities[shown],
            day=every.day[shown],
        )
        return subset, self.imprecise[shown]

    def frame_events(self, index: int) -> pd.DataFrame:
        """The events of frame ``index``, with an ``imprecise`` column."""
        shown = self.mask(index)
        return self.events[shown].assign(imprecise=self.imprecise[shown])

    def counts(self) -> pd.DataFrame:
        """Events per frame, precise and imprecise: the timeline of the playback.

        Returns
        -------
        pandas.DataFrame
            ``start``, ``end``, ``label``, ``events``, ``imprecise``: one row per frame.
        """
        rows = []
        for i, frame in enumerate(self.frames):
            shown = self.mask(i)
            rows.append((frame.start, frame.end, frame.label, int(shown.sum()), int((shown & self.imprecise).sum())))
        return pd.DataFrame(rows, columns=["start", "end", "label", "events", "imprecise"])

    def _cell_codes(self, cell_deg: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if cell_deg not in self._cells:
            if not cell_deg > 0:
                raise PlaybackError(f"cell size {cell_deg!r} must be a positive number of degrees")
            ix = np.floor(self.events["longitude"].to_numpy(dtype=float) / cell_deg).astype(np.int64)
            iy = np.floor(self.events["latitude"].to_numpy(dtype=float) / cell_deg).astype(np.int64)
            codes, uniques = pd.factorize(ix * 4_000_000 + iy)
            cell_x, cell_y = np.divmod(np.asarray(uniques), 4_000_000)
            self._cells[cell_deg] = (codes, cell_x, cell_y)
        return self._cells[cell_deg]

    def grid(self, index: int, cell_deg: float) -> pd.DataFrame:
        """Frame ``index`` as grid cells: the map's aggregation at one zoom.

        Parameters
        ----------
        index : int
        cell_deg : float
            The cell size the map uses at its zoom.

        Returns
        -------
        pandas.DataFrame
            ``lat``, ``lon`` (cell centres), ``events`` and ``imprecise`` (how many of them
            have imprecise dates), cells with events only, the busiest first.
        """
        codes, cell_x, cell_y = self._cell_codes(cell_deg)
        shown = self.mask(index)
        total = np.bincount(codes[shown], minlength=len(cell_x))
        vague = np.bincount(codes[shown & self.imprecise], minlength=len(cell_x))
        used = np.flatnonzero(total)
        order = used[np.argsort(-total[used], kind="stable")]
        return pd.DataFrame(
            {
                "lat": (cell_y[order] + 0.5) * cell_deg,
                "lon": (cell_x[order] + 0.5) * cell_deg,
                "events": total[order],
                "imprecise": vague[order],
            }
        )

    def payload(self, index: int, cell_deg: float, max_cells: int = MAX_CELLS) -> dict[str, object]:
        """What a map needs to draw frame ``index``: JSON-ready, bounded in size.

        Returns
        -------
        dict
            ``index``, ``label``, ``start``, ``end`` (ISO), ``events``, ``imprecise``,
            ``cell_deg``, ``cells`` (``[lat, lon, events, imprecise]`` rounded to the cell,
            at most ``max_cells``, the busiest first) and ``cells_left_out``.
        """
        frame = self.frames[index]
        cells = self.grid(index, cell_deg)
        kept = cells.head(max_cells)
        digits = max(0, int(np.ceil(-np.log10(cell_deg))) + 1)
        rows = np.column_stack(
            [kept["lat"].round(digits), kept["lon"].round(digits), kept["events"], kept["imprecise"]]
        )
        return {
            "index": frame.index,
            "label": frame.label,
            "start": frame.start.isoformat(),
            "end": frame.end.isoformat(),
            "events": int(cells["events"].sum()),
            "imprecise": int(cells["imprecise"].sum()),
            "cell_deg": cell_deg,
            "cells": [[float(a), float(b), int(c), int(d)] for a, b, c, d in rows],
            "cells_left_out": int(len(cells) - len(kept)),
        }


def frame_labels(frames: Sequence[Frame]) -> list[str]:
    """The date stamps of ``frames``, in order."""
    return [f.label for f in frames]

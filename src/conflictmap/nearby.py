"""The events a candidate from an article could repeat: those over the candidates' days, give or take a few.

The article review compares its candidates with the events the page shows and
the event store's; ``candidate_window`` is the filter that finds them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pandas as pd

from conflictmap import catalog, schema
from conflictmap.filters import FilterSpec
from conflictmap.store import StoreError

#: Days before the first and after the last candidate day still looked at: reports lag and round.
MARGIN_DAYS = 3


def candidate_window(candidates: pd.DataFrame, margin_days: int = MARGIN_DAYS) -> FilterSpec | None:
    """The filter of the candidates' days, widened by ``margin_days``; ``None`` without candidates."""
    if not len(candidates):
        return None
    first = pd.to_datetime(candidates["event_date"]).min()
    last = pd.to_datetime(candidates["date_end"].fillna(candidates["event_date"])).max()
    margin = pd.Timedelta(days=margin_days)
    return FilterSpec(date_from=(first - margin).date(), date_to=(last + margin).date())


def events_near(
    candidates: pd.DataFrame,
    shown: Callable[[FilterSpec], pd.DataFrame],
    stored: Callable[[FilterSpec], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The events the candidates could repeat: those ``shown`` and those ``stored``, over the candidates' window.

    Parameters
    ----------
    candidates : DataFrame
        Candidate events (``event_date``, ``date_end``).
    shown : callable
        The events the page shows that pass a filter.
    stored : callable or None
        The event store's events that pass a filter, when the page does not show the store; a store that
        cannot answer is left out (duplicates are then looked for among the events shown only).
    """
    window = candidate_window(candidates)
    if window is None:
        return schema.empty_events()
    parts = [shown(window)]
    if stored is not None:
        with contextlib.suppress(StoreError, OSError):
            parts.append(stored(window))
    return catalog.combine(parts)

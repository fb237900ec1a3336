"""The headline's figures as the page shows them: value, change against the period before, and the trend.

``headline_metrics`` turns the views' ``headline`` figures and the timeline's
per-period counts into one ``Metric`` per figure; ``comparison_note`` says what
the changes are measured against. ``plural`` words a count ("1 event", "2 events").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from conflictmap.filters import FilterSpec

#: Figure name -> label, in the order the headline shows them.
FIGURES: dict[str, str] = {
    "events": "Events",
    "fatalities": "Fatalities",
    "actors": "Distinct actors",
    "locations": "Locations",
}
#: Figures that carry their course over the timeline's periods.
TRENDED = ("events", "fatalities")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``"1 event"``, ``"2,500 events"``: the count with thousands separators and the word agreeing."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


@dataclass(frozen=True)
class Metric:
    """One headline figure as ``st.metric`` takes it.

    ``delta`` is ``None`` without a period to compare with; ``colour`` and ``arrow`` are
    ``st.metric``'s ``delta_color`` and ``delta_arrow``; ``trend`` the per-period values.
    """

    name: str
    label: str
    value: str
    delta: str | None = None
    colour: str = "off"
    arrow: str = "auto"
    trend: tuple[float, ...] | None = None


def headline_metrics(
    figures: Mapping[str, Mapping[str, object]], compared: bool, trends: pd.DataFrame | None = None
) -> list[Metric]:
    """One ``Metric`` per figure of ``FIGURES``.

    Parameters
    ----------
    figures : mapping
        Figure name -> ``{"value", "change", "change_pct"}`` (``EventViews.headline``).
    compared : bool
        Whether there is a period before to compare with.
    trends : DataFrame or None
        Per-period values by figure name (the timeline's); a trend needs two periods.
    """
    out = []
    for name, label in FIGURES.items():
        figure = figures[name]
        delta, colour, arrow = None, "off", "auto"
        change = figure.get("change")
        if compared and change:
            pct = "" if figure.get("change_pct") is None else f" ({figure['change_pct']:+.0f}%)"
            delta, colour = f"{change:+,}{pct}", "inverse"
        elif compared:
            delta, arrow = "no change", "off"
        trend = None
        if trends is not None and name in TRENDED and name in trends and len(trends) > 1:
            trend = tuple(float(v) for v in trends[name].tolist())
        out.append(Metric(name, label, f"{figure['value']:,}", delta, colour, arrow, trend))
    return out


def comparison_note(spec: FilterSpec, before: tuple[date, date] | None) -> str:
    """What the changes are measured against, or how to get a comparison."""
    if before is None or spec.date_from is None or spec.date_to is None:
        return "Pick a date range to compare with the period before it."
    days = (spec.date_to - spec.date_from).days + 1
    return f"Changes against the previous {plural(days, 'day')}: {before[0]:%d %b %Y} – {before[1]:%d %b %Y}."


@dataclass(frozen=True)
class PeopleNearby:
    """ACLED's ``population_5km`` summed over the selected events that carry it.

    ``people`` is a sum of per-event figures: events close together count the same people
    more than once, so it says how many people live near the violence, not how many distinct ones.
    """

    people: int
    events: int

    @property
    def help(self) -> str:
        """What the figure is, for the metric's tooltip."""
        return (
            f"The sum of ACLED's population estimate within 5 km of each of {plural(self.events, 'selected event')} "
            "that carries one. Events close together count the same people again, so this is a sum of "
            "per-event figures that may overlap, not a count of distinct people."
        )


def people_nearby(values: pd.Series, weights: pd.Series | None = None) -> PeopleNearby | None:
    """Sum ``population_5km`` values (each counted ``weights`` times when grouped); ``None`` when none is known.

    Parameters
    ----------
    values : pandas.Series
        The ``population_5km`` of the selected events (or of groups of them).
    weights : pandas.Series, optional
        How many events each value stands for (a database's grouped answer); default one each.
    """
    numbers = pd.to_numeric(pd.Series(values).reset_index(drop=True), errors="coerce")
    counts = pd.Series(1, index=numbers.index) if weights is None else pd.Series(weights).reset_index(drop=True)
    known = numbers.notna()
    if not known.any():
        return None
    return PeopleNearby(int((numbers[known] * counts[known]).sum()), int(counts[known].sum()))

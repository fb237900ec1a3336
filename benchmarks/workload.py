"""What the benchmark asks of conflictmap: the filter of the targets and the steps each measurement runs."""

from __future__ import annotations

from datetime import date

import pandas as pd

from benchmarks.payload import st_folium_payload

#: Date range + 2 types + 3 actors, as in the targets; all three actors occur in the synthetic data.
FILTER: dict[str, object] = {
    "date_from": date(2018, 1, 1),
    "date_to": date(2023, 12, 31),
    "event_types": ("Battles", "Violence against civilians"),
    "actors": ("JNIM: Group for Support of Islam and Muslims", "Islamic State (Sahel)", "Military Forces of Mali"),
}


def filter_spec():
    """The FilterSpec of the targets."""
    from conflictmap.filters import FilterSpec

    return FilterSpec(**FILTER)


def describe_filter() -> str:
    """The filter in words, for the report."""
    f = FILTER
    return (
        f"{f['date_from']:%Y-%m-%d} to {f['date_to']:%Y-%m-%d}; types {', '.join(f['event_types'])}; "
        f"actors {', '.join(f['actors'])}"
    )


#: A view the analyst zooms to: around Mopti and Sévaré at zoom 10 (about 100 km across).
ZOOMED_VIEW = {"south": 14.2, "west": -4.5, "north": 14.8, "east": -3.6, "zoom": 10}


def map_bytes(shown: pd.DataFrame, view: dict[str, float] | None = None) -> int:
    """Draw ``shown`` the way dashboard.py does and generate what st_folium sends; its size in bytes.

    As on the page: the events' arrays, ``viewport.plan_layer`` for the view (``None``: the
    map has not reported one, so the zoom that fits every event), the fixed ``livemap.base_map``
    and ``livemap.event_layer`` passed to st_folium as ``feature_group_to_add``.
    """
    from conflictmap import livemap, viewport

    points = viewport.PointArrays.from_events(shown)
    where = None if view is None else viewport.Viewport(**view)  # type: ignore[arg-type]
    plan = viewport.plan_layer(points, "auto", where)
    layer = livemap.event_layer(shown, plan, fit_key="bench")
    return st_folium_payload(livemap.base_map(), feature_group_to_add=layer)


def map_update(events: pd.DataFrame, spec) -> int:
    """A filter change: filter, aggregate and build what st_folium sends; bytes sent."""
    return map_bytes(spec.apply(events))


def map_pan(shown: pd.DataFrame) -> int:
    """A zoom into a town with the filter unchanged (the page keeps the filtered table): bytes sent."""
    return map_bytes(shown, ZOOMED_VIEW)


def timeline_of(filtered: pd.DataFrame, spec) -> pd.DataFrame:
    """The timeline of the filtered events over the filter's span."""
    from conflictmap import timeline

    return timeline.aggregate(filtered, start=spec.date_from, end=spec.date_to)

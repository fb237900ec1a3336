"""A small map of what an update from ACLED or UCDP changed: new, changed and deleted events, one colour each.

The event store panel draws it under the counts of ``fetch.StoreUpdate``; it
takes ``StoreUpdate.events`` (canonical columns and ``change``) and needs no
internet: Leaflet loads from the page's own assets, over the offline basemap.
"""

from __future__ import annotations

import html

import folium
import pandas as pd

from conflictmap import basemap
from conflictmap.assets import APP_BASE_URL, use_local_assets
from conflictmap.mapview import FitBounds, Legend, event_bounds

#: Colour of each change (colour-blind safe: Okabe-Ito blue, orange and grey).
CHANGE_COLOURS: dict[str, str] = {"new": "#0072B2", "changed": "#E69F00", "deleted": "#7f7f7f"}
#: What the legend calls each change.
CHANGE_LABELS: dict[str, str] = {"new": "New", "changed": "Changed", "deleted": "Deleted"}
#: At most this many markers per kind of change: a first download of a whole country can be large.
MAX_MARKERS = 2_000


def _legend(counts: dict[str, int], cut: bool) -> str:
    rows = "".join(
        f'<div><span style="display:inline-block;width:10px;height:10px;border-radius:50%;'
        f'background:{CHANGE_COLOURS[k]};margin-right:6px"></span>{CHANGE_LABELS[k]}: {counts[k]:,}</div>'
        for k in CHANGE_COLOURS
        if counts.get(k)
    )
    note = f"<div style='color:#555'>at most {MAX_MARKERS:,} drawn per kind</div>" if cut else ""
    box = "font:12px sans-serif;background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;line-height:1.5"
    return f'<div style="{box}"><b>What the update changed</b>{rows}{note}</div>'


def change_map(events: pd.DataFrame, *, assets_base_url: str = APP_BASE_URL) -> folium.Map:
    """A map of ``events`` coloured by their ``change`` (``new``, ``changed``, ``deleted``), one layer each.

    Parameters
    ----------
    events : pandas.DataFrame
        ``StoreUpdate.events``: canonical columns (``event_id``, ``event_date``, ``event_type``,
        ``latitude``, ``longitude``) and ``change``.
    assets_base_url : str
        Where Leaflet and its plugins are served (the page's ``/app/static/vendor``).

    Returns
    -------
    folium.Map
        Fitted to the events; each marker's tooltip names the event, its date, type and change, as text.

    Raises
    ------
    ValueError
        When ``events`` is empty or has no ``change`` column.
    """
    if "change" not in events.columns or len(events) == 0:
        raise ValueError("a change map needs the events an update changed (a 'change' column), and at least one")
    bounds = event_bounds(events)
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = folium.Map(location=center, zoom_start=5, tiles=None, control_scale=True, minZoom=2, maxZoom=18)
    basemap.add_basemap(m)
    counts: dict[str, int] = {}
    cut = False
    for kind, colour in CHANGE_COLOURS.items():
        rows = events[events["change"] == kind]
        counts[kind] = len(rows)
        if rows.empty:
            continue
        cut = cut or len(rows) > MAX_MARKERS
        layer = folium.FeatureGroup(name=f"{CHANGE_LABELS[kind]} ({len(rows):,})")
        for row in rows.head(MAX_MARKERS).itertuples(index=False):
            day = pd.Timestamp(row.event_date).date().isoformat() if pd.notna(row.event_date) else "no date"
            # Text from the data: escaped, so a name cannot become HTML in the tooltip.
            tip = html.escape(f"{row.event_id} · {day} · {row.event_type} · {kind}")
            folium.CircleMarker(
                location=[float(row.latitude), float(row.longitude)],
                radius=6,
                color="#333" if kind != "deleted" else colour,
                weight=1,
                fill=True,
                fill_color=colour,
                fill_opacity=0.85 if kind != "deleted" else 0.45,
                dash_array="3" if kind == "deleted" else None,
                tooltip=folium.Tooltip(tip),
            ).add_to(layer)
        layer.add_to(m)
    m.add_child(Legend(_legend(counts, cut)))
    folium.LayerControl(collapsed=True).add_to(m)
    m.add_child(FitBounds(bounds))
    return use_local_assets(m, assets_base_url)

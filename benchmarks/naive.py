"""The naive map for comparison: one folium CircleMarker with a popup per event, as the tutorials do it.

Rows are walked with ``iterrows``, each event gets a circle coloured by its
type and a popup with its date, type, actors and notes, and the whole page is
rendered with ``m.get_root().render()``: the HTML a browser (or Streamlit's
``components.html``) would receive.
"""

from __future__ import annotations

import html

import pandas as pd

COLORS = {
    "Battles": "red",
    "Explosions/Remote violence": "orange",
    "Violence against civilians": "purple",
    "Protests": "blue",
    "Riots": "lightblue",
    "Strategic developments": "green",
}


def naive_html(events: pd.DataFrame) -> str:
    """Build and render the one-marker-per-event map; the page's HTML."""
    import folium

    m = folium.Map(location=[17.5, -3.5], zoom_start=6)
    for _, row in events.iterrows():
        popup = html.escape(f"{row['event_date']:%Y-%m-%d} {row['event_type']}: {row['actor1']} vs {row['actor2']}")
        popup += "<br>" + html.escape(str(row["notes"]))
        folium.CircleMarker(
            location=[row["latitude"], row["longitude"]],
            radius=4,
            color=COLORS.get(row["event_type"], "gray"),
            fill=True,
            fill_opacity=0.7,
            popup=folium.Popup(popup, max_width=300),
        ).add_to(m)
    return m.get_root().render()


def naive_bytes(events: pd.DataFrame) -> int:
    """Size in bytes of the naive map's HTML."""
    return len(naive_html(events).encode())

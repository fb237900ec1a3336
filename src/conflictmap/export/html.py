"""The interactive HTML snapshot: one self-contained file that opens offline and says what it shows.

The page is the dashboard's map (``mapview.build_map``: markers, popups,
legend, offline basemap) with every script, style and image inlined
(``assets.inline_html``), under a header stating the title, the filter, the
event count and dates, the datasets with their attribution, and when and with
what it was made, with a link that reopens the view in the dashboard. The
provenance record is in the page as JSON (see ``export.stored``).

Size: up to ``mapview.CLUSTERS_MAX`` events travel as one compact table with
their popups' text; beyond that the map's grid of counts is drawn. When
``auto`` would give a file over ``max_bytes`` (long notes), the grid is used
instead, so 100,000 events take about 0.3 MB.
"""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path

import folium
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from conflictmap import grid, mapview
from conflictmap.assets import inline_html, js_literal
from conflictmap.export.provenance import Provenance, drawing_text
from conflictmap.export.stored import html_block, html_head

#: ``auto`` switches to the grid when the page would be larger than this.
MAX_BYTES = 5_000_000
MODES: tuple[str, ...] = mapview.MODES


class SnapshotHeader(MacroElement):
    """The snapshot's header above the map, its ``<title>``/``<meta>`` tags and the provenance JSON.

    Parameters
    ----------
    prov : Provenance
        What the page shows.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <title>{{ this.page_title }}</title>
            {{ this.meta }}
            <style>
                html, body { height: 100%; margin: 0; }
                body { display: flex; flex-direction: column; }
                .folium-map { flex: 1 1 auto; height: auto !important; min-height: 320px; }
                .cm-snapshot {
                    order: -1; flex: none; padding: 8px 14px 7px; background: #fff;
                    border-bottom: 1px solid #c8c8c8; font: 13px/1.4 sans-serif; color: #222;
                }
                .cm-snapshot h1 { font-size: 19px; margin: 0 0 3px; }
                .cm-snapshot .cm-line { margin: 1px 0; }
                .cm-snapshot .cm-muted { color: #555; font-size: 12px; }
                .cm-snapshot a { color: #0b5cad; }
                @media print { .cm-snapshot { border: none; } }
            </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <header class="cm-snapshot" id="cm-snapshot">{{ this.body }}</header>
            {{ this.block }}
        {% endmacro %}
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.attribution_js }});
        {% endmacro %}
        """
    )

    def __init__(self, prov: Provenance):
        super().__init__()
        self._name = "SnapshotHeader"
        esc = html.escape
        self.page_title = esc(prov.title)
        self.meta = html_head(prov)
        self.block = html_block(prov)
        datasets = []
        for d in prov.datasets:
            extra = [f"{d.events:,} events"]
            if d.version:
                extra.append(f"version {esc(d.version)}")
            if d.latest_update:
                extra.append(f"updated {esc(d.latest_update[:10])}")
            cite = f": {esc(d.attribution)}" if d.attribution else ""
            datasets.append(f"<b>{esc(d.label)}</b> ({', '.join(extra)}){cite}")
        facts = [f'<span class="cm-count">{prov.events:,} event{"" if prov.events == 1 else "s"}</span>']
        if span := prov.date_span():
            facts.append(f'<span class="cm-dates">{esc(span)}</span>')
        facts.append(f"{prov.fatalities:,} fatalities")
        if prov.drawing:
            facts.append(f"drawn as {esc(drawing_text(prov.drawing))}")
        self.body = "".join(
            [
                f"<h1>{esc(prov.title)}</h1>",
                f'<div class="cm-line cm-filter"><b>Filter:</b> {esc(prov.filter_text)}</div>',
                f'<div class="cm-line cm-facts">{" · ".join(facts)}</div>',
                '<div class="cm-line cm-muted cm-sources"><b>Data:</b> '
                + ("; ".join(datasets) if datasets else "no events")
                + "</div>",
                f'<div class="cm-line cm-muted cm-made">{esc(prov.made_line())} · '
                f'<a class="cm-view" href="{esc(prov.view_url)}">open this view in the dashboard</a></div>',
            ]
        )
        credits = "; ".join(esc(a) for a in prov.attributions())
        self.attribution_js = js_literal(("Data: " + credits) if credits else "")


def _drawing(events: pd.DataFrame, mode: str) -> dict[str, object]:
    drawn = mapview.choose_mode(len(events)) if mode == "auto" else mode
    if drawn == "density":
        return {"mode": "density", "cell_deg": grid.choose_cell_deg(events)}
    return {"mode": drawn}


def snapshot_map(events: pd.DataFrame, prov: Provenance, *, mode: str = "auto") -> folium.Map:
    """The snapshot's map: ``build_map`` with the header; assets not yet inlined.

    Parameters
    ----------
    events : pandas.DataFrame
        The canonical events to show (already filtered).
    prov : Provenance
        What the header states; its ``drawing`` should match ``mode``.
    mode : str
        ``auto``, ``points``, ``clusters`` or ``density`` (see ``mapview.build_map``).
    """
    m = mapview.build_map(events, mode=mode)
    m.add_child(SnapshotHeader(prov))
    return m


def render_html(
    events: pd.DataFrame, prov: Provenance, *, mode: str = "auto", max_bytes: int = MAX_BYTES
) -> tuple[str, Provenance]:
    """The self-contained snapshot page and the provenance it holds.

    Parameters
    ----------
    events : pandas.DataFrame
        The canonical events to show (already filtered).
    prov : Provenance
        The record to state and store; its ``drawing`` is filled in here.
    mode : str
        ``auto`` (default), ``points``, ``clusters`` or ``density``. With
        ``auto`` a page over ``max_bytes`` is drawn again as the grid.
    max_bytes : int
        Size limit for ``auto``.

    Returns
    -------
    (str, Provenance)

    Raises
    ------
    ValueError
        If ``mode`` is not one of ``MODES``.
    conflictmap.assets.AssetError
        If the Leaflet files are missing (``make assets`` fetches them).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {list(MODES)}, got {mode!r}")
    prov = dataclasses.replace(prov, drawing=_drawing(events, mode))
    page = inline_html(snapshot_map(events, prov, mode=mode))
    if mode == "auto" and prov.drawing["mode"] != "density" and len(page.encode("utf-8")) > max_bytes:
        prov = dataclasses.replace(prov, drawing=_drawing(events, "density"))
        page = inline_html(snapshot_map(events, prov, mode="density"))
    return page, prov


def write_html(
    events: pd.DataFrame, prov: Provenance, path: str | Path, *, mode: str = "auto", max_bytes: int = MAX_BYTES
) -> Provenance:
    """Write the snapshot page to ``path`` (UTF-8) and return the provenance it holds; see ``render_html``."""
    page, prov = render_html(events, prov, mode=mode, max_bytes=max_bytes)
    Path(path).write_text(page, encoding="utf-8")
    return prov

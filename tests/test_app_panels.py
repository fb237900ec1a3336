"""Panels on their own: each drawn by ``AppTest.from_function`` with only the rooms it needs around it.

Each function is the whole script AppTest runs (its source alone), so it imports what it uses; the
seed events are read from the checkout's ``data/`` (the tests run there).
"""

from __future__ import annotations

from conftest import ROOT
from streamlit.testing.v1 import AppTest

TIMEOUT_S = 60


def headline_panel():
    from pathlib import Path

    from conflictmap.app import datasets, headline, sidebar

    sources = datasets.offer(Path("data/seed_events.csv"))
    datasets.data_sidebar(sources)
    ctx, _ = sidebar.filters(datasets.load(sources))
    top, _ = headline.headline(ctx)
    headline.fill(ctx, top)


def timeline_panel():
    from pathlib import Path

    from conflictmap.app import datasets, sidebar, timeline

    sources = datasets.offer(Path("data/seed_events.csv"))
    datasets.data_sidebar(sources)
    ctx, _ = sidebar.filters(datasets.load(sources))
    timeline.timeline(ctx)


def tables_panel():
    from pathlib import Path

    from conflictmap.app import datasets, sidebar, tables

    sources = datasets.offer(Path("data/seed_events.csv"))
    datasets.data_sidebar(sources)
    ctx, _ = sidebar.filters(datasets.load(sources))
    tables.tabs(ctx)


def _run(monkeypatch, panel, query: dict | None = None) -> AppTest:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("CONFLICTMAP_DATA", raising=False)
    monkeypatch.delenv("CONFLICTMAP_DATA_DIR", raising=False)
    at = AppTest.from_function(panel, default_timeout=TIMEOUT_S)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def test_the_headline_alone_shows_one_row_of_figures_for_the_filter(monkeypatch):
    at = _run(monkeypatch, headline_panel)
    assert not at.exception, at.exception
    assert [m.label for m in at.metric][:4] == ["Events", "Fatalities", "Distinct actors", "Locations"]
    assert at.metric[0].value == "5"
    # A link's filter reaches the figures: the seed's one battle.
    at = _run(monkeypatch, headline_panel, {"type": "Battles"})
    assert at.metric[0].value == "1"


def test_the_timeline_alone_draws_its_chart(monkeypatch):
    at = _run(monkeypatch, timeline_panel)
    assert not at.exception, at.exception
    assert [h.value for h in at.subheader] == ["Timeline"]
    # Altair's chart has no AppTest element of its own: it is the one unnamed element after the heading.
    assert [type(e).__name__ for e in at.main][1:] == ["Subheader", "UnknownElement"]


def test_the_tables_alone_list_the_filtered_events(monkeypatch):
    at = _run(monkeypatch, tables_panel, {"region": "Tombouctou"})
    assert not at.exception, at.exception
    events = at.dataframe[0].value
    assert sorted(events["Place"]) == ["Ber", "Timbuktu region"]
    assert set(events["Region"]) == {"Timbuktu"}

"""Dates beyond what an event table can hold: no crash, no wrap-round, a note to show."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from conflictmap import facets
from conflictmap.filters import TABLE_FIRST_DAY, TABLE_LAST_DAY, FilterError, FilterSpec, clamp_dates
from conflictmap.pageviews import DatabaseViews, MemoryViews
from conflictmap.readers import read_events
from conflictmap.store import GeoPackageStore
from conflictmap.store.postgis import PostGISStore

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seed_events.csv"

# (query parameters, events of the seed file kept)
EDGES = [
    ({"from": "0001-01-01", "to": "9999-12-31"}, 5),
    ({"to": "2262-04-12"}, 5),
    ({"to": "2262-04-11"}, 5),
    ({"from": "1677-09-21"}, 5),
    ({"from": "1677-09-22", "to": "2262-04-11"}, 5),
    ({"from": "9999-01-01"}, 0),
    ({"to": "0001-01-01"}, 0),
    ({"from": "9000-01-01", "to": "9999-12-31"}, 0),
    ({"from": "0001-01-01", "to": "0002-01-01"}, 0),
    ({"from": "2023-01-01", "to": "9999-12-31"}, 4),
    ({"from": "2261-12-31"}, 0),
    ({"to": "1678-01-01"}, 0),
    ({"from": "1700-01-01", "to": "2261-12-31"}, 5),
]


@pytest.fixture(scope="module")
def seed() -> pd.DataFrame:
    events, _ = read_events(SEED)
    return events


@pytest.mark.parametrize(("params", "kept"), EDGES)
def test_a_spec_beyond_the_table_never_wraps_round(seed: pd.DataFrame, params: dict, kept: int) -> None:
    spec = FilterSpec.from_query_params(params)
    assert len(spec.apply(seed)) == kept


@pytest.mark.parametrize(("params", "kept"), EDGES)
def test_views_in_memory_answer_every_edge(seed: pd.DataFrame, params: dict, kept: int) -> None:
    views = MemoryViews(seed)
    clamped = clamp_dates(FilterSpec.from_query_params(params), views.choices()["span"])
    assert clamped.note
    spec = clamped.spec
    assert len(views.events(spec)) == kept
    views.headline(spec)
    views.timeline(spec)
    views.actor_activity(spec, 5)
    assert views.filter_counts(spec)
    for day in (spec.date_from, spec.date_to):
        assert day is None or TABLE_FIRST_DAY <= day <= TABLE_LAST_DAY


def test_the_note_says_which_date_was_dropped(seed: pd.DataFrame) -> None:
    span = facets.date_span(seed)
    clamped = clamp_dates(FilterSpec(date_from="0001-01-01", date_to="9999-12-31"), span)
    assert clamped.spec == FilterSpec()
    assert clamped.note == (
        "1 Jan 1 is before the first event (21 Jun 2022): no start date; "
        "31 Dec 9999 is after the last event (15 Sep 2023): no end date"
    )
    inside = FilterSpec(date_from="2023-01-01", date_to="2023-06-30")
    assert clamp_dates(inside, span).spec == inside
    assert clamp_dates(inside, span).note is None
    # The command line keeps the dates a table can hold, as asked.
    assert clamp_dates(FilterSpec(date_to="2100-01-01"), span, table_only=True).note is None
    assert clamp_dates(FilterSpec(date_to="2300-01-01"), span, table_only=True).spec == FilterSpec()
    # No events: only the table's own limits apply.
    assert clamp_dates(FilterSpec(date_to="9999-12-31"), None).spec == FilterSpec()


def test_a_five_digit_year_is_out_of_range_not_a_non_date() -> None:
    with pytest.raises(FilterError, match="out of range"):
        FilterSpec.from_query_params({"to": "10000-01-01"})
    with pytest.raises(FilterError, match="expected a date as YYYY-MM-DD"):
        FilterSpec.from_query_params({"to": "soon"})


@pytest.fixture(scope="module", params=("geopackage", "postgis"))
def stored(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, seed) -> Iterator:
    if request.param == "geopackage":
        store = GeoPackageStore(tmp_path_factory.mktemp("dates") / "events.gpkg")
        url = None
    else:
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.new_database()
        store = PostGISStore(url)
    store.import_events(seed, source="seed")
    views = DatabaseViews(store)
    yield store, views
    views.close()
    store.close()
    if url is not None:
        request.getfixturevalue("pg_cluster").drop_database(url)


@pytest.mark.parametrize(("params", "kept"), EDGES)
def test_views_never_overflow_even_unclamped(seed: pd.DataFrame, params: dict, kept: int) -> None:
    views = MemoryViews(seed)
    spec = FilterSpec.from_query_params(params)
    views.headline(spec)
    views.timeline(spec)
    views.actor_activity(spec, 5)
    assert len(views.events(spec)) == kept


@pytest.mark.parametrize(("params", "kept"), EDGES)
def test_the_database_answers_every_edge(stored, params: dict, kept: int) -> None:
    store, views = stored
    raw = FilterSpec.from_query_params(params)
    # The SQL conditions alone hold at the edges too, before any clamping.
    assert len(store.query(raw)) == kept
    views.headline(raw)
    views.timeline(raw)
    spec = clamp_dates(raw, views.choices()["span"]).spec
    assert len(views.events(spec)) == kept
    views.headline(spec)
    views.timeline(spec)
    views.actor_activity(spec, 5)


@pytest.mark.parametrize(
    ("args", "written"),
    [(["--to", "9999-12-31"], 5), (["--from", "1677-09-21"], 5), (["--from", "0001-01-01", "--to", "2262-04-12"], 5)],
)
def test_export_on_the_command_line_keeps_every_event(tmp_path: Path, args: list[str], written: int) -> None:
    out = tmp_path / "x.csv"
    run = subprocess.run(
        [sys.executable, "-m", "conflictmap", "export", str(SEED), *args, "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert f"wrote {written} events" in run.stdout
    assert "dates:" in run.stderr
    assert len(pd.read_csv(out)) == written


def test_a_date_the_calendar_cannot_hold_is_out_of_range_on_the_command_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "conflictmap", "export", str(SEED), "--to", "10000-01-01", "-o", f"{tmp_path}/x.csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert "'10000-01-01' is out of range" in run.stderr
    assert "Traceback" not in run.stderr

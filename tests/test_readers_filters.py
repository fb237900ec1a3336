"""Filtering by actor type, interaction and clarity: FilterSpec, URL, sidebar choices, the stores' SQL, the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conflictmap import facets, filters, schema
from conflictmap.filters import FilterError, FilterSpec
from conflictmap.readers import read_events
from conflictmap.store import GeoPackageStore, PostGISStore

FIXTURES = Path(__file__).parent / "fixtures" / "readers"


@pytest.fixture(scope="module")
def events():
    """ACLED 2019 (codes), ACLED 2024 (text) and UCDP Candidate events together."""
    frames = [
        read_events(FIXTURES / f)[0]
        for f in ("acled_2019.csv", "acled_2024_preamble.csv", "ucdp_candidate_noheader.csv")
    ]
    return schema.to_canonical(pd.concat([pd.DataFrame(f) for f in frames], ignore_index=True))


def _ids(frame) -> list[str]:
    return sorted(frame["event_id"])


SPECS = {
    "state forces": FilterSpec(actor_types=["State forces"]),
    "civilians either side": FilterSpec(actor_types=["civilians"]),
    "state forces against civilians": FilterSpec(interactions=["State forces-Civilians"]),
    "code 37 and reversed text": FilterSpec(interactions=["37", "Civilians-Identity militia"]),
    "clear only": FilterSpec(clear_only=True),
    "all three": FilterSpec(actor_types=["Rebel group"], interactions=["State forces-Rebel group"], clear_only=True),
    "crowd size tag": FilterSpec(text="crowd size=around 50"),
}
EXPECTED = {
    "state forces": ["GED-700001", "MLI50002", "MLI9103", "MLI9104", "MLI9108"],
    "civilians either side": [
        "GED-700002",
        "MLI50001",
        "MLI50002",
        "MLI50005",
        "MLI50006",
        "MLI9105",
        "MLI9106",
        "MLI9107",
    ],
    "state forces against civilians": ["MLI50002"],
    "code 37 and reversed text": ["MLI50001", "MLI9105", "MLI9106", "MLI9107"],
    "clear only": None,  # every event but GED-700002
    "all three": ["GED-700001", "MLI9104", "MLI9108"],
    "crowd size tag": ["MLI50003"],
}


@pytest.mark.parametrize("name", list(SPECS))
def test_filterspec_keeps_the_events_of_those_actor_types(events, name):
    kept = _ids(SPECS[name].apply(events))
    expected = EXPECTED[name] or sorted(set(events["event_id"]) - {"GED-700002"})
    assert kept == expected


@pytest.mark.parametrize("name", list(SPECS))
def test_the_url_carries_the_new_filters(name):
    spec = SPECS[name]
    params = spec.to_query_params()
    assert FilterSpec.from_query_params(params) == spec
    assert set(params) <= {"actortype", "interaction", "clear", "q"}


def test_url_parameters_and_messages():
    spec = FilterSpec.from_query_params(
        {"actortype": ["State forces", "Rebel group"], "interaction": "17", "clear": "1"}
    )
    assert spec.actor_types == ("State forces", "Rebel group")
    assert spec.interactions == ("State forces-Civilians",)
    assert spec.clear_only
    assert (
        spec.describe()
        == "actor types: State forces, Rebel group · interaction: State forces-Civilians · clear events only"
    )
    with pytest.raises(FilterError, match="query parameter 'actortype' has unknown actor type 'Army'"):
        FilterSpec.from_query_params({"actortype": "Army"})
    with pytest.raises(FilterError, match="unknown interaction 'Army-Civilians'"):
        FilterSpec(interactions=["Army-Civilians"])
    with pytest.raises(FilterError, match="query parameter 'clear' has 'maybe'; expected 1 or 0"):
        FilterSpec.from_query_params({"clear": "maybe"})


def test_sidebar_choices_count_each_type_once_per_event(events):
    kinds = dict(facets.actor_type_choices(events))
    assert kinds["Civilians"] == 8
    assert kinds["State forces"] == 5
    assert next(iter(kinds)) == "State forces"  # ACLED's order
    pairs = dict(facets.interaction_choices(events))
    assert pairs["Political militia-Civilians"] == 3
    assert facets.unclear_count(events) == 1
    counts = facets.filter_counts(events, SPECS["all three"])
    assert {k: counts[k] for k in ("actor_types", "interactions", "clarity", "all")} == {
        "actor_types": 5,
        "interactions": 3,
        "clarity": len(events) - 1,
        "all": 3,
    }


def test_controls_round_trip_the_new_filters():
    spec = SPECS["all three"]
    span = filters.DateSpan(pd.Timestamp("2019-01-01").date(), pd.Timestamp("2024-12-31").date())
    controls = facets.controls_from_spec(spec, span, span.last)
    assert (controls["actor_types"], controls["interactions"], controls["clear_only"]) == (
        ["Rebel group"],
        ["State forces-Rebel group"],
        True,
    )
    assert facets.spec_from_controls(controls) == spec


@pytest.fixture(scope="module", params=["geopackage", "postgis"])
def stored(request, tmp_path_factory, events):
    if request.param == "geopackage":
        store = GeoPackageStore(tmp_path_factory.mktemp("kinds") / "events.gpkg")
    else:
        store = PostGISStore(request.getfixturevalue("pg_cluster").new_database())
    store.import_events(events, source="fixtures")
    yield store
    store.close()


@pytest.mark.parametrize("name", list(SPECS))
def test_the_stores_sql_keeps_what_filterspec_keeps(stored, events, name):
    assert _ids(stored.query(SPECS[name])) == _ids(SPECS[name].apply(events))
    assert stored.count(SPECS[name]) == len(SPECS[name].apply(events))


def test_cli_export_filters_by_actor_type_and_interaction(run, tmp_path):
    out = tmp_path / "out.csv"
    code, _, err = run(
        "export", FIXTURES / "acled_2024_preamble.csv", "--actor-type", "State forces", "Political militia",
        "--interaction", "State forces-Civilians", "-o", out,
    )  # fmt: skip
    assert code == 0, err
    assert list(read_events(out)[0]["event_id"]) == ["MLI50002"]
    code, _, err = run("export", FIXTURES / "acled_2024_preamble.csv", "--actor-type", "Army", "-o", out)
    assert code != 0 and "unknown actor type 'Army'" in err and "Traceback" not in err


def test_cli_db_export_and_acled_deleted(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("CONFLICTMAP_DB", "CONFLICTMAP_STORE"):
        monkeypatch.delenv(name, raising=False)
    store = ["--store", tmp_path / "s.gpkg"]
    assert run("db", "import", FIXTURES / "ucdp_candidate_noheader.csv", *store)[0] == 0
    out = tmp_path / "clear.csv"
    code, _, err = run("db", "export", out, "--clear-only", "--actor-type", "Civilians", *store)
    assert code == 0, err
    assert list(read_events(out)[0]["event_id"]) == []
    code, _, err = run("db", "export", out, "--actor-type", "State forces", *store)
    assert code == 0 and list(read_events(out)[0]["event_id"]) == ["GED-700001"]
    assert run("db", "import", FIXTURES / "acled_api_reply.json", *store)[0] == 0
    code, stdout, err = run("db", "acled-deleted", FIXTURES / "acled_deleted_reply.json", *store)
    assert code == 0, err
    assert (
        "2 events ACLED deleted; 1 event(s) marked deleted as ACLED deleted them; 0 already deleted; 1 not in the store"
        in stdout
    )
    assert "rejected row 3, column 'event_id_cnty'" in err


def test_both_views_offer_the_same_choices_and_people_nearby(stored, events):
    from conflictmap.pageviews import DatabaseViews, MemoryViews

    db, mem = DatabaseViews(stored), MemoryViews(stored.query())
    try:
        mine, theirs = db.choices(), mem.choices()
        for key in ("actor_types", "interactions", "unclear"):
            assert mine[key] == theirs[key], key
        assert dict(mine["actor_types"])["Civilians"] == 8 and mine["unclear"] == 1
        for spec in (FilterSpec(), FilterSpec(actor_types=["Civilians"]), FilterSpec(datasets=["ucdp_ged"])):
            assert db.people_nearby(spec) == mem.people_nearby(spec)
        # The 2024 events share one point: its people are counted once, the largest estimate (88,000).
        assert mem.people_nearby(FilterSpec()) == 88000
        assert mem.people_nearby(FilterSpec(interactions=["Political militia-Civilians"])) == 5400
        assert mem.people_nearby(FilterSpec(datasets=["ucdp_ged"])) is None
        assert db.filter_counts(SPECS["all three"]) == mem.filter_counts(SPECS["all three"])
    finally:
        db.close()


def test_info_lists_the_interactions(run):
    code, stdout, _ = run("info", FIXTURES / "acled_2019.csv")
    assert code == 0
    listed = [line.split(None, 1) for line in stdout.split("interactions:\n", 1)[1].splitlines()]
    assert ["2", "State forces-Rebel group"] in listed and ["1", "Protesters only"] in listed


def test_the_page_filters_by_actor_type_interaction_and_clarity(monkeypatch, tmp_path):
    from pagetools import event_ids, params, run_page

    from conflictmap.readers import write_events

    frames = [read_events(FIXTURES / f)[0] for f in ("acled_2024_preamble.csv", "ucdp_candidate_noheader.csv")]
    data = tmp_path / "mixed.parquet"
    write_events(schema.to_canonical(pd.concat([pd.DataFrame(f) for f in frames], ignore_index=True)), data)
    at = run_page(monkeypatch, data=data)
    assert not at.exception
    kinds = at.multiselect(key="f_actor_types")
    assert "Civilians (5)" in kinds.options
    kinds.set_value(["State forces"]).run()
    assert event_ids(at) == {"MLI50002", "GED-700001"}
    assert params(at)["actortype"] == ["State forces"]
    at.multiselect(key="f_actor_types").set_value([]).run()
    at.multiselect(key="f_interactions").set_value(["Political militia-Civilians"]).run()
    assert event_ids(at) == {"MLI50001"}
    at.multiselect(key="f_interactions").set_value([]).run()
    at.toggle(key="f_clear_only").set_value(True).run()
    assert "GED-700002" not in event_ids(at) and len(event_ids(at)) == 8
    assert params(at)["clear"] == ["1"]
    assert any(m.label == "People within 5 km (sum)" for m in at.metric)

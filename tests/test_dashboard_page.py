"""The dashboard page under Streamlit's AppTest: data in, filters, the map's script, the numbers and the URL."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SEED_EVENTS
from pagetools import event_ids, folium_args, legend, make_page, metric, params, plain, run_page, tables

from conflictmap import catalog
from conflictmap.filters import FilterSpec
from conflictmap.readers import read_events

FIXTURES = ROOT / "tests" / "fixtures" / "readers"
# A click on an event, the view, the point clicked (for the event form), a click on an area, a box drawn and
# the frame the play control shows.
MAP_RETURNS = [
    "last_object_clicked_popup",
    "last_object_clicked_count",
    "bounds",
    "zoom",
    "last_clicked",
    "last_active_drawing",
    "last_object_clicked",
    "all_drawings",
    "last_object_clicked_tooltip",
]

# Events around Timbuktu and elsewhere, each filter keeping a different, known subset.
PAGE_EVENTS = [
    {
        "event_id": "TIM-BATTLE",
        "event_date": "2023-08-21",
        "date_end": "2023-08-31",
        "time_precision": 3,
        "actor1": "FAMa",
        "assoc_actor_1": "Wagner Group",
        "actor2": "CMA: Coordination of Azawad Movements",
        "fatalities": 4,
        "admin1": "Timbuktu",
        "location": "Ber",
        "latitude": 16.85,
        "longitude": -2.6,
    },
    {
        "event_id": "TIM-ATTACK",
        "event_date": "2023-09-15",
        "event_type": "Violence against civilians",
        "sub_event_type": "Attack",
        "actor1": "JNIM: Group for Support of Islam and Muslims",
        "actor2": "Civilians (Mali)",
        "fatalities": 7,
        "admin1": "Timbuktu",
        "location": "Goundam",
        "latitude": 16.41,
        "longitude": -3.67,
        "notes": "Gunmen attacked a village near Goundam.",
    },
    {
        "event_id": "TIM-REGION",
        "event_date": "2023-09-01",
        "date_end": "2023-09-15",
        "time_precision": 3,
        "event_type": "Strategic developments",
        "sub_event_type": "Other",
        "actor1": "Civilians (Mali)",
        "actor2": None,
        "admin1": "Timbuktu",
        "location": "Timbuktu region",
        "latitude": 17.0,
        "longitude": -3.0,
        "geo_precision": 3,
    },
    {
        "event_id": "GAO-IED",
        "event_date": "2023-10-20",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Remote explosive/landmine/IED",
        "actor1": "JNIM: Group for Support of Islam and Muslims",
        "actor2": "Military Forces of Mali (2021-)",
        "fatalities": 2,
        "admin1": "Gao",
        "location": "Gao",
        "latitude": 16.27,
        "longitude": -0.04,
    },
    {
        "event_id": "BKO-PROTEST",
        "event_date": "2023-06-10",
        "event_type": "Protests",
        "sub_event_type": "Peaceful protest",
        "actor1": "Protesters (Mali)",
        "actor2": None,
        "admin1": "Bamako",
        "location": "Bamako",
        "latitude": 12.64,
        "longitude": -8.0,
    },
    {
        "event_id": "MOP-RIOT",
        "event_date": "2022-12-01",
        "event_type": "Riots",
        "sub_event_type": "Mob violence",
        "actor1": "Rioters (Mali)",
        "actor2": None,
        "fatalities": 1,
    },
    {
        "event_id": "MOP-CLASH",
        "event_date": "2023-10-30",
        "actor1": "Islamic State (Sahel)",
        "actor2": "JNIM: Group for Support of Islam and Muslims",
        "fatalities": 12,
        "geo_precision": 2,
    },
]
ALL_IDS = {e["event_id"] for e in PAGE_EVENTS}


@pytest.fixture(autouse=True)
def no_store(monkeypatch, tmp_path):
    """No event store unless a test makes one: the picker then lists files and uploads only."""
    monkeypatch.delenv("CONFLICTMAP_DB", raising=False)
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "no-store-here.gpkg"))


@pytest.fixture
def page_file(make_events, tmp_path) -> Path:
    path = tmp_path / "page_events.csv"
    # Every row names the columns some rows set, as a real export does.
    rows = [{"time_precision": 1, "date_end": e["event_date"], "assoc_actor_1": None, **e} for e in PAGE_EVENTS]
    make_events(*rows).drop(columns="geometry").to_csv(path, index=False)
    return path


# -- data in -----------------------------------------------------------------------------------------------


def test_seed_events_are_on_the_map(monkeypatch):
    at = run_page(monkeypatch)
    assert not at.exception
    assert not at.error
    seed, _ = read_events(SEED_EVENTS)
    assert event_ids(at) == set(seed["event_id"])
    assert metric(at, "Events") == str(len(seed))
    (args,) = folium_args(at)
    # The base map carries no events: a filter change swaps the layer, the map itself stays.
    assert "SEED-0001" not in args["script"]
    # Leaflet and its plugins come from the app's own static files.
    assert args["js_links"] == [
        "/app/static/vendor/leaflet/leaflet.js",
        "/app/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
        "/app/static/vendor/leaflet.heat/leaflet-heat.js",
        "/app/static/vendor/leaflet-draw/leaflet.draw.js",
    ]
    assert all(link.startswith("/app/static/vendor/") for link in args["css_links"])
    # Only what the page uses comes back from the map.
    assert args["returned_objects"] == MAP_RETURNS
    assert args["height"] == 620
    assert at.multiselect(key="f_sources").value == ["seed_events.csv"]
    assert dict(at.query_params) == {}


def test_data_setting_opens_another_file(monkeypatch, make_events, tmp_path):
    path = tmp_path / "three.csv"
    make_events({}, {"latitude": 15.0}, {"latitude": 16.0}).drop(columns="geometry").to_csv(path, index=False)
    at = run_page(monkeypatch, data=path)
    assert not at.exception
    assert event_ids(at) == {"TEST-00000", "TEST-00001", "TEST-00002"}


def test_data_argument_wins_over_the_setting(monkeypatch, make_events, tmp_path):
    path = tmp_path / "one.csv"
    make_events({}).drop(columns="geometry").to_csv(path, index=False)
    at = run_page(monkeypatch, data=tmp_path / "not-this-one.csv", argv=["--data", str(path)])
    assert not at.exception
    assert not at.error
    assert event_ids(at) == {"TEST-00000"}


def test_a_file_that_is_not_event_data_shows_an_error(monkeypatch, tmp_path):
    path = tmp_path / "people.csv"
    pd.DataFrame({"name": ["Awa", "Moussa"], "age": [31, 45]}).to_csv(path, index=False)
    at = run_page(monkeypatch, data=path)
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("Could not open the event file:")
    assert "people.csv" in error.value
    assert folium_args(at) == []


def test_a_missing_file_shows_an_error(monkeypatch, tmp_path):
    at = run_page(monkeypatch, data=tmp_path / "nowhere.csv")
    assert not at.exception
    (error,) = at.error
    assert "nowhere.csv" in error.value
    assert folium_args(at) == []


def test_rejected_rows_are_reported(monkeypatch, make_events, tmp_path):
    frame = make_events({}, {}, {}).drop(columns="geometry")
    frame["latitude"] = frame["latitude"].astype(object)
    frame.loc[1, "latitude"] = "north of Mopti"
    path = tmp_path / "partly_bad.csv"
    frame.to_csv(path, index=False)
    at = run_page(monkeypatch, data=path)
    assert not at.exception
    (warning,) = at.warning
    assert plain(warning.value).startswith("1 of 3 rows of partly_bad.csv could not be loaded")
    (report,) = [e for e in at.expander if plain(e.label) == "Import report: partly_bad.csv"]
    assert "north of Mopti" in report.text[0].value
    assert len(event_ids(at)) == 2


def test_a_bad_command_line_option_shows_an_error(monkeypatch):
    at = run_page(monkeypatch, argv=["--data"])
    assert not at.exception
    (error,) = at.error
    assert plain(error.value) == "Bad command-line option: argument --data: expected one argument"
    assert folium_args(at) == []


def test_an_uploaded_file_with_bad_rows_shows_its_report_and_joins_the_map(monkeypatch):
    at = run_page(monkeypatch)
    content = (FIXTURES / "acled_bad_rows.csv").read_bytes()
    at.file_uploader(key="uploader").upload("acled_bad_rows.csv", content, "text/csv")
    at.run()
    assert not at.exception
    expected_events, report = read_events(FIXTURES / "acled_bad_rows.csv")
    assert report.rows_rejected > 0
    notice = f"acled_bad_rows.csv: {report.rows_loaded:,} of {report.rows_read:,} rows loaded"
    assert [plain(w.value) for w in at.sidebar.warning] == [f"{notice}, {report.rows_rejected:,} rejected."]
    assert any(
        plain(w.value).startswith(f"{report.rows_rejected:,} of {report.rows_read:,} rows of acled_bad_rows.csv")
        for w in at.warning
    )
    # The report: every rejection with its row and reason, and the rejected rows to download.
    summary = " ".join(t.value for e in at.expander for t in e.text)
    for rejection in report.rejected:
        assert f"row {rejection.row}, column {rejection.column!r}" in summary
    rejected_table = [d.value for d in at.dataframe if list(d.value.columns) == ["Row", "Column", "Value", "Reason"]]
    assert len(rejected_table) == 1 and len(rejected_table[0]) == len(report.rejected)
    assert "upload:acled_bad_rows.csv" in at.multiselect(key="f_sources").value
    seed, _ = read_events(SEED_EVENTS)
    assert event_ids(at) == set(seed["event_id"]) | set(expected_events["event_id"])
    assert metric(at, "Events") == str(len(seed) + len(expected_events))


def test_an_upload_that_is_not_event_data_says_why(monkeypatch):
    at = run_page(monkeypatch)
    at.file_uploader(key="uploader").upload("sales.csv", (FIXTURES / "sales.csv").read_bytes(), "text/csv")
    at.run()
    assert not at.exception
    (error,) = at.sidebar.error
    assert error.value.startswith("Could not read sales.csv:")
    assert at.multiselect(key="f_sources").value == ["seed_events.csv"]


def test_datasets_shown_together_each_recognisable(monkeypatch, tmp_path):
    for name in ("acled_current.csv", "ucdp_ged.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    at = run_page(monkeypatch, data_dir=tmp_path, query={"src": ["acled_current.csv", "ucdp_ged.csv"]})
    assert not at.exception
    acled, _ = read_events(FIXTURES / "acled_current.csv")
    ucdp, _ = read_events(FIXTURES / "ucdp_ged.csv")
    assert event_ids(at) == set(acled["event_id"]) | set(ucdp["event_id"])
    (args,) = folium_args(at)
    (table,) = [t for t in tables(args["feature_group"]) if "fields" in t]
    assert sorted(table["datasets"]) == ["acled", "ucdp_ged"]
    assert len(set(table["shapes"])) == 2
    body = legend(at)
    assert "acled <span" in body and "ucdp_ged <span" in body
    # The dataset filter appears once there are several.
    at.multiselect(key="f_datasets").set_value(["ucdp_ged"]).run()
    assert event_ids(at) == set(ucdp["event_id"])
    assert params(at)["dataset"] == ["ucdp_ged"]


# -- filters: each one changes the map and the numbers ---------------------------------------------------


@pytest.mark.parametrize(
    "widget, key, value, kept",
    [
        ("selectbox", "f_period", "30d", {"GAO-IED", "MOP-CLASH"}),
        (
            "date_input",
            "f_dates",
            (date(2023, 8, 25), date(2023, 9, 10)),
            {"TIM-BATTLE", "TIM-REGION"},
        ),
        ("multiselect", "f_types", ["type:Battles"], {"TIM-BATTLE", "MOP-CLASH"}),
        ("multiselect", "f_types", ["sub:Attack", "type:Riots"], {"TIM-ATTACK", "MOP-RIOT"}),
        ("multiselect", "f_actors", ["jnim"], {"TIM-ATTACK", "GAO-IED", "MOP-CLASH"}),
        ("multiselect", "f_actors", ["mali_armed_forces"], {"TIM-BATTLE", "GAO-IED"}),
        ("multiselect", "f_regions", ["Timbuktu"], {"TIM-BATTLE", "TIM-ATTACK", "TIM-REGION"}),
        ("number_input", "f_min_fatalities", 5, {"TIM-ATTACK", "MOP-CLASH"}),
        ("toggle", "f_precise", True, {"TIM-ATTACK", "GAO-IED", "BKO-PROTEST", "MOP-RIOT"}),
        ("text_input", "f_text", "goundam", {"TIM-ATTACK"}),
    ],
)
def test_each_filter_changes_the_map_and_the_numbers(monkeypatch, page_file, widget, key, value, kept):
    at = run_page(monkeypatch, data=page_file)
    assert event_ids(at) == ALL_IDS
    before = folium_args(at)[0]["feature_group"]
    getattr(at, widget)(key=key).set_value(value).run()
    assert not at.exception
    assert event_ids(at) == kept
    assert folium_args(at)[0]["feature_group"] != before
    fatalities = sum(e.get("fatalities", 0) for e in PAGE_EVENTS if e["event_id"] in kept)
    assert metric(at, "Events") == str(len(kept))
    assert metric(at, "Fatalities") == f"{fatalities:,}"
    assert f"Showing {len(kept):,} of {len(ALL_IDS):,} events" in [c.value for c in at.sidebar.caption]
    # The filter is in the URL, and the URL holds that filter.
    spec = FilterSpec.from_query_params(params(at))
    assert not spec.is_empty()
    events, _ = read_events(page_file)
    assert set(spec.apply(events)["event_id"]) == kept


def test_each_active_filter_says_what_it_keeps(monkeypatch, page_file):
    at = run_page(monkeypatch, data=page_file)
    at.multiselect(key="f_regions").set_value(["Timbuktu"]).run()
    at.number_input(key="f_min_fatalities").set_value(5).run()
    captions = [c.value for c in at.sidebar.caption]
    assert "keeps 3 of 7 events" in captions  # Timbuktu
    assert "keeps 2 of 7 events" in captions  # 5 or more fatalities
    assert "Showing 1 of 7 events" in captions
    assert event_ids(at) == {"TIM-ATTACK"}


def test_the_headline_compares_with_the_period_before(monkeypatch, page_file):
    at = run_page(monkeypatch, data=page_file, query={"from": "2023-09-01", "to": "2023-10-31"})
    # 1 Sep - 31 Oct: TIM-BATTLE reaches no further than 31 Aug; four events, 21 fatalities.
    assert metric(at, "Events") == "4"
    assert metric(at, "Fatalities") == "21"
    # The 61 days before (2 Jul - 31 Aug) hold TIM-BATTLE only.
    (events,) = [m for m in at.metric if m.label == "Events"]
    assert events.delta == "+3 (+300%)"
    assert any("02 Jul 2023 – 31 Aug 2023" in c.value for c in at.caption)


def test_presets_count_back_from_the_latest_event(monkeypatch, page_file):
    at = run_page(monkeypatch, data=page_file)
    at.selectbox(key="f_period").set_value("90d").run()
    # The latest event is on 30 Oct 2023; 90 days, both ends counted.
    assert at.date_input(key="f_dates").value == (date(2023, 8, 2), date(2023, 10, 30))
    assert params(at)["from"] == ["2023-08-02"] and params(at)["to"] == ["2023-10-30"]
    at.selectbox(key="f_period").set_value("all").run()
    assert event_ids(at) == ALL_IDS
    assert "from" not in params(at)


def test_reset_clears_every_filter(monkeypatch, page_file):
    at = run_page(monkeypatch, data=page_file, query={"region": "Gao", "q": "jnim", "minfat": "1"})
    assert event_ids(at) == {"GAO-IED"}
    at.button[0].click().run()
    assert event_ids(at) == ALL_IDS
    assert dict(at.query_params) == {}
    assert at.multiselect(key="f_regions").value == []
    assert at.text_input(key="f_text").value == ""


# -- the URL -------------------------------------------------------------------------------------------------


def test_a_link_opens_the_same_view(monkeypatch, page_file):
    query = {
        "from": "2023-08-01",
        "to": "2023-10-31",
        "region": "Timbuktu",
        "actor": ["jnim", "cma"],
        "view": "clusters",
    }
    at = run_page(monkeypatch, data=page_file, query=query)
    assert not at.exception
    assert not at.warning
    assert event_ids(at) == {"TIM-BATTLE", "TIM-ATTACK"}
    assert at.multiselect(key="f_regions").value == ["Timbuktu"]
    assert at.multiselect(key="f_actors").value == ["jnim", "cma"]
    assert at.selectbox(key="f_period").value == "custom"
    assert at.date_input(key="f_dates").value == (date(2023, 8, 1), date(2023, 10, 31))
    assert at.segmented_control(key="f_mode").value == "clusters"
    assert "group = L.markerClusterGroup(" in folium_args(at)[0]["feature_group"]
    # Nothing changed, so the URL is left as it was: the same view, the same link.
    assert params(at) == {k: v if isinstance(v, list) else [v] for k, v in query.items()}


def test_changing_a_control_writes_the_url_and_it_reads_back(monkeypatch, page_file):
    at = run_page(monkeypatch, data=page_file, query={"region": "Timbuktu"})
    at.multiselect(key="f_types").set_value(["sub:Attack", "type:Strategic developments"]).run()
    at.segmented_control(key="f_mode").set_value("density").run()
    written = params(at)
    assert written["region"] == ["Timbuktu"]
    assert written["type"] == ["Strategic developments"] and written["subtype"] == ["Attack"]
    assert written["view"] == ["density"]
    # A second page opened on that URL shows the same.
    other = run_page(monkeypatch, data=page_file, query=written)
    assert other.segmented_control(key="f_mode").value == "density"
    assert set(other.multiselect(key="f_types").value) == set(at.multiselect(key="f_types").value)
    assert metric(other, "Events") == metric(at, "Events") == "2"
    (args,) = folium_args(other)
    assert [t for t in tables(args["feature_group"]) if "ramp" in t]


def test_a_partly_wrong_link_keeps_what_it_can(monkeypatch, page_file):
    at = run_page(monkeypatch, data=page_file, query={"type": "Skirmish", "region": "Gao", "src": "elsewhere.csv"})
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("'type'" in w and "Skirmish" in w for w in warnings)
    assert any("elsewhere.csv" in w for w in warnings)
    # With no usable dataset named, the page shows none and says so.
    assert at.info and "pick one in the sidebar" in at.info[0].value


def test_a_bad_type_in_a_link_leaves_the_rest(monkeypatch, page_file):
    at = run_page(monkeypatch, data=page_file, query={"type": "Skirmish", "region": "Gao"})
    assert any("Skirmish" in w.value for w in at.warning)
    assert event_ids(at) == {"GAO-IED"}


# -- the selected event --------------------------------------------------------------------------------------


def test_a_selected_event_is_shown_and_marked_in_the_table(monkeypatch, page_file):
    at = make_page(monkeypatch, data=page_file)
    at.session_state["selected_event"] = "TIM-ATTACK"
    at.run()
    assert not at.exception
    record = " ".join(h.proto.body for h in at.html)
    assert "Gunmen attacked a village near Goundam." in record
    assert "2023-09-15 · Violence against civilians › Attack · Goundam" in record
    (table,) = [d for d in at.dataframe if "ID" in d.value.columns]
    rows = at.session_state["event_table"]["selection"]["rows"]
    assert [table.value["ID"].iloc[r] for r in rows] == ["TIM-ATTACK"]
    # Filtered out, it is still described, with a word saying so.
    at.multiselect(key="f_regions").set_value(["Gao"]).run()
    assert "This event is outside the current filter." in [c.value for c in at.caption]
    assert at.session_state["event_table"]["selection"]["rows"] == []


def test_a_file_with_no_good_row_still_shows_its_report(monkeypatch, make_events, tmp_path):
    frame = make_events({}, {}).drop(columns="geometry")
    frame["event_date"] = ["someday", "32/13/2023"]
    path = tmp_path / "all_bad.csv"
    frame.to_csv(path, index=False)
    at = run_page(monkeypatch, data=path)
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert plain(warnings[0]).startswith("2 of 2 rows of all_bad.csv could not be loaded")
    assert "The datasets shown hold no events." in warnings
    (report,) = [e for e in at.expander if plain(e.label) == "Import report: all_bad.csv"]
    assert "someday" in report.text[0].value and "32/13/2023" in report.text[0].value
    assert folium_args(at) == []


def test_the_event_store_is_a_dataset_to_show(monkeypatch, tmp_path):
    from conflictmap.store import open_store

    path = tmp_path / "store.gpkg"
    with open_store(path) as store:
        store.import_file(SEED_EVENTS)
    monkeypatch.setenv("CONFLICTMAP_STORE", str(path))
    at = run_page(monkeypatch)
    seed_label = f"seed_events.csv ({catalog.human_size(SEED_EVENTS.stat().st_size)})"
    assert at.multiselect(key="f_sources").options == [seed_label, "Event store (5 events)"]
    at = run_page(monkeypatch, query={"src": "store"})
    assert not at.exception and not at.error
    seed, _ = read_events(SEED_EVENTS)
    assert event_ids(at) == set(seed["event_id"])
    assert metric(at, "Events") == "5"

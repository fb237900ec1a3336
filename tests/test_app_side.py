"""The side features on the page under AppTest: merged region picker, dates beyond the data, suspect rows,
people living near the events, and the place alternatives of the article review."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from pagetools import folium_args, make_page, metric, plain

from conflictmap import details, gazetteer, headlines, review
from conflictmap.app import state
from conflictmap.app.headline import PEOPLE_LABEL
from conflictmap.store import open_store

# Swapped coordinates: (-4.0, 14.0) is in the Gulf of Guinea, (14.0, -4.0) in Mali.
ROWS = [
    {"admin1": "Ségou", "location": "Ségou", "latitude": 13.43, "longitude": -6.26, "population_5km": 1_000},
    {"admin1": "Segou", "location": "Markala", "latitude": 13.70, "longitude": -6.07, "population_5km": 250},
    {"admin1": "Tombouctou", "location": "Tombouctou", "latitude": 16.77, "longitude": -3.01},
    {"admin1": "Timbuktu", "location": "Ber", "latitude": 16.86, "longitude": -2.47, "population_5km": 40},
    {"admin1": "Mopti", "location": "Mopti", "latitude": -4.0, "longitude": 14.0, "event_date": "2023-09-01"},
]


@pytest.fixture
def side_file(make_events, tmp_path):
    path = tmp_path / "side.csv"
    make_events(*ROWS).drop(columns="geometry").to_csv(path, index=False)
    return path


def region_labels(at) -> list[str]:
    return at.multiselect(key="f_regions").options


def test_region_spellings_are_one_choice_found_without_accents(monkeypatch, side_file):
    at = make_page(monkeypatch, data=side_file).run()
    assert not at.exception
    labels = region_labels(at)
    segou = [label for label in labels if "gou" in label]
    # Ségou and Segou are one region, and its label holds a spelling without accents for the picker's search.
    assert len(segou) == 1 and segou[0].endswith("(2)"), labels
    assert "Seg" in segou[0] and "Ség" in segou[0]
    timbuktu = [label for label in labels if "Timbuktu" in label]
    assert timbuktu == ["Timbuktu / Tombouctou (2)"], labels


def test_a_link_in_another_spelling_selects_the_merged_region(monkeypatch, side_file):
    at = make_page(monkeypatch, data=side_file, query={"region": "Tombouctou"}).run()
    assert not at.exception
    picker = at.multiselect(key="f_regions")
    assert picker.value == ["Timbuktu"]
    assert "Tombouctou" not in [o for o in picker.options if "(" not in o]
    assert picker.indices == [picker.options.index("Timbuktu / Tombouctou (2)")]
    assert metric(at, "Events") == "2"


@pytest.mark.parametrize("query", [{"from": "0001-01-01", "to": "9999-12-31"}, {"to": "2262-04-12"}])
def test_dates_beyond_the_data_are_clamped_with_a_note(monkeypatch, side_file, query):
    at = make_page(monkeypatch, data=side_file, query=query).run()
    assert not at.exception
    notes = [plain(i.value) for i in at.info]
    assert any(n.startswith("Dates from the link: ") and "after the last event" in n for n in notes), notes
    assert metric(at, "Events") == "5"
    assert "from" not in at.query_params and "to" not in at.query_params
    # The note goes once the dates are changed, and does not come back with them.
    at.selectbox(key="f_period").set_value("30d").run()
    assert not any(plain(i.value).startswith("Dates from the link") for i in at.info)
    at.selectbox(key="f_period").set_value("all").run()
    assert not any(plain(i.value).startswith("Dates from the link") for i in at.info)


@pytest.fixture
def postgis_side(pg_cluster, side_file, monkeypatch):
    """The side events in a fresh PostGIS database, which the page's views then ask."""
    url = pg_cluster.new_database()
    with open_store(db=url) as store:
        store.import_file(side_file)
    monkeypatch.setenv("CONFLICTMAP_DB", url)
    yield url
    pg_cluster.drop_database(url)


@pytest.mark.parametrize("query", [{"from": "0001-01-01", "to": "9999-12-31"}, {"to": "2262-04-12"}])
def test_dates_beyond_the_data_in_postgis_are_clamped_with_a_note(monkeypatch, postgis_side, query):
    at = make_page(monkeypatch, query={"src": "store", **query})
    at.session_state["panel"] = "Datasets and import reports"
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    notes = [plain(i.value) for i in at.info]
    assert any(n.startswith("Dates from the link: ") and "after the last event" in n for n in notes), notes
    assert metric(at, "Events") == "5"
    # The database sums the people near the events too, and finds the suspect row.
    assert metric(at, PEOPLE_LABEL) == "1,290"
    assert [e.label for e in at.expander if e.label.startswith("Suspect")] == [
        "Suspect rows: 1 filtered event looks wrong"
    ]


def test_people_within_5_km_sum_the_selected_events(monkeypatch, side_file):
    at = make_page(monkeypatch, data=side_file).run()
    assert metric(at, PEOPLE_LABEL) == "1,290"
    (figure,) = [m for m in at.metric if m.label == PEOPLE_LABEL]
    assert "may overlap" in figure.help
    at = make_page(monkeypatch, data=side_file, query={"region": "Segou"}).run()
    assert metric(at, PEOPLE_LABEL) == "1,250"


def test_no_people_figure_without_population(monkeypatch, make_events, tmp_path):
    path = tmp_path / "plain.csv"
    make_events({}).drop(columns="geometry").to_csv(path, index=False)
    at = make_page(monkeypatch, data=path).run()
    assert not [m for m in at.metric if m.label == PEOPLE_LABEL]


def test_suspect_rows_are_listed_and_explained_in_the_details(monkeypatch, side_file):
    at = make_page(monkeypatch, data=side_file)
    at.session_state["panel"] = "Datasets and import reports"
    at.run()
    assert not at.exception
    assert any(e.label == "Suspect rows: 1 filtered event looks wrong" for e in at.expander)
    frames = [f.value for f in at.dataframe if "Why" in f.value.columns]
    assert any("look swapped" in " ".join(f["Why"]) for f in frames)
    suspect_id = next(f for f in frames if "Event" in f.columns)["Event"].iloc[0]
    at.session_state["selected_event"] = suspect_id
    at.run()
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "Looks wrong" in html and "look swapped" in html
    # ACLED's population figures are in the record too.
    at.session_state["selected_event"] = "TEST-00000"
    at.run()
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "People living nearby" in html and "1,000 within 5 km" in html and "Looks wrong" not in html


# -- article review: places that share a name ------------------------------------------------------------------

TOMORA = (14.05, -5.05)  # not where either of the gazetteer's two Tomoras lies


@pytest.fixture
def forget_places():
    yield
    gazetteer.forget_learned()


def review_page(monkeypatch, tmp_path, data=None):
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "events.gpkg"))
    monkeypatch.delenv("CONFLICTMAP_DB", raising=False)
    at = make_page(monkeypatch, data=data)
    at.session_state["panel"] = "Article review"
    return at.run()


def extract(at, text: str):
    at.text_area(key="rv_text").input(text).run()
    at.date_input(key="rv_published").set_value(date(2024, 3, 12)).run()
    at.text_input(key="rv_source").input("Test wire").run()
    return at.button(key="rv_extract").click().run()


def place_pickers(at):
    return [s for s in at.selectbox if str(s.key).startswith(state.PLACE_CHOICE_PREFIX)]


def review_map_coordinates(at) -> str:
    return " ".join(json.dumps(a) for a in folium_args(at))


def test_an_ambiguous_place_offers_its_alternatives_and_the_pick_moves_the_event(monkeypatch, tmp_path):
    at = review_page(monkeypatch, tmp_path)
    extract(at, "Des hommes armés ont attaqué Niono lundi, tuant trois civils, selon des sources locales.")
    assert not at.exception and not at.error
    (picker,) = place_pickers(at)
    labels = picker.options
    assert labels[0] == "Niono (cercle capital) · commune Niono, cercle Niono, Segou · as placed"
    other = next(i for i, label in enumerate(labels) if "Gao" in label)
    assert "km away" in labels[other]
    drawn = review_map_coordinates(at)
    picker.select_index(other).run()
    assert not at.exception
    (picker,) = place_pickers(at)
    lat = float(picker.value.split(",")[0])
    # The event moved: the review's map draws it at the other Niono, in the Gao region.
    # Markers are written [lat, lon]; the region borders' GeoJSON is [lon, lat], so "[15.80" is the marker only.
    marker = "[" + f"{lat:.4f}"[:5]
    assert marker not in drawn and marker in review_map_coordinates(at)


def test_places_of_the_loaded_data_are_learned_for_the_review(monkeypatch, tmp_path, make_events, forget_places):
    path = tmp_path / "tomora.csv"
    make_events({"location": "Tomora", "admin1": "Segou", "latitude": TOMORA[0], "longitude": TOMORA[1]}).drop(
        columns="geometry"
    ).to_csv(path, index=False)
    at = review_page(monkeypatch, tmp_path, data=path)
    assert any(p.name == "Tomora" for p in gazetteer.learned_places())
    extract(at, "Des hommes armés ont attaqué le village de Tomora lundi, tuant trois civils.")
    assert not at.exception
    table = at.session_state["rv_result"].table
    assert "Tomora" in set(table["Place"])
    (picker,) = place_pickers(at)
    labels = picker.options
    # The data's own Tomora is one of the alternatives (extraction may place the event at a listed namesake).
    assert labels[0].endswith("as placed")
    assert any(label.startswith("Tomora (from the data)") for label in labels)
    assert any("cercle Tenenkou, Mopti" in label for label in labels)
    assert any("cercle Bafoulabe, Kayes" in label for label in labels)


def test_a_link_the_page_would_make_too_long_to_apply_is_flagged(monkeypatch, side_file):
    # Streamlit (and AppTest) drop a query string of more than 1,000 parameters: open with 1,000.
    actors = [f"Actor {i}" for i in range(1_000)]
    at = make_page(monkeypatch, data=side_file, query={"actor": actors}).run()
    assert not at.exception
    assert not any("at most 1,000" in plain(w.value) for w in at.warning)
    picker = at.multiselect(key="f_actors")
    # Two actors of the data more make 1,002 parameters.
    picker.set_value([*picker.value, "jnim", "mali_armed_forces"]).run()
    warnings = [plain(w.value) for w in at.warning]
    assert any(w.startswith("This link has 1,00") and "at most 1,000" in w for w in warnings), warnings
    at.multiselect(key="f_actors").set_value(actors[:3]).run()
    assert not any("at most 1,000" in plain(w.value) for w in at.warning)


# -- the Streamlit-free pieces -----------------------------------------------------------------------------------


def test_people_nearby_sums_known_figures_and_counts_grouped_rows():
    assert headlines.people_nearby(pd.Series([None, None], dtype="Int64")) is None
    found = headlines.people_nearby(pd.Series([100, None, 50], dtype="Int64"))
    assert (found.people, found.events) == (150, 2)
    # A database's grouped answer: one row per distinct figure, with how many events hold it.
    grouped = headlines.people_nearby(pd.Series([100, 50, None]), pd.Series([3, 1, 7]))
    assert (grouped.people, grouped.events) == (350, 4)
    assert "may overlap" in grouped.help and "4 selected events" in grouped.help


def test_place_alternatives_list_homonyms_the_placed_one_first_and_move_to_places_the_row(make_events):
    choices = review.place_alternatives("Tomora", 14.30, -5.27)
    assert len(choices) == 2
    assert [c.admin1 for c in choices] == ["Mopti", "Kayes"]
    assert choices[0].distance_km < choices[1].distance_km
    assert choices[1].label.startswith("Tomora · commune Tomora, cercle Bafoulabe, Kayes · ")
    # A name of one place, or of none, offers no choice; nor does a town named like its region.
    assert review.place_alternatives("Ber", 16.86, -2.47) == []
    assert review.place_alternatives("Nowhere-at-all", 16.0, -2.0) == []
    assert review.place_alternatives("Mopti", 14.49, -4.19) == []
    rows = make_events({"event_id": "c1", "location": "Tomora", "admin1": "Mopti"}, {"event_id": "c2"})
    review.move_to(rows, "c1", choices[1])
    moved = rows.iloc[0]
    assert (moved["location"], moved["admin1"], moved["admin2"]) == ("Tomora", "Kayes", "Bafoulabe")
    assert (moved.geometry.y, moved.geometry.x) == (choices[1].latitude, choices[1].longitude)
    assert rows.iloc[1]["location"] == "Mopti"


def test_details_say_why_a_record_looks_wrong():
    event = {"event_id": "x", "country": "Mali", "latitude": -4.0, "longitude": 14.0, "fatalities": 10**9}
    assert len(details.doubts(event)) == 2
    assert details.doubts({**event, "latitude": 14.0, "longitude": -4.0, "fatalities": 3}) == []
    assert details.doubts({"event_id": "x", "latitude": None}) == []
    html = details.details_html({**event, "event_type": "Battles", "event_date": "2023-01-01"})
    assert html.count(">Looks wrong</dt>") == 2 and "look swapped: -4, 14 is outside Mali" in html

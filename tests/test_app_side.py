"""The side features on the page under AppTest: merged region picker, dates beyond the data, suspect rows,
people living near the events, and the place alternatives of the article review."""

from __future__ import annotations

import pytest
from pagetools import make_page, metric, plain

from conflictmap.app.headline import PEOPLE_LABEL

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
    # The note goes once the dates are changed.
    at.selectbox(key="f_period").set_value("30d").run()
    assert not any(plain(i.value).startswith("Dates from the link") for i in at.info)


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
    assert any(e.label.startswith("Suspect rows: 1 filtered event") for e in at.expander)
    frames = [f.value for f in at.dataframe if "Why" in f.value.columns]
    assert any("look swapped" in " ".join(f["Why"]) for f in frames)
    suspect_id = next(f for f in frames if "Event" in f.columns)["Event"].iloc[0]
    at.session_state["selected_event"] = suspect_id
    at.run()
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "Looks wrong" in html and "look swapped" in html

"""One event's record: the fields in words, escaped HTML, and finding the event a popup belongs to."""

from __future__ import annotations

import html
import re

import pytest
from conftest import HOSTILE_ACTOR, HOSTILE_NOTE, HOSTILE_PLACE, SEED_EVENTS

from conflictmap import details
from conflictmap.readers import read_events


@pytest.fixture(scope="module")
def seed():
    events, _ = read_events(SEED_EVENTS)
    return events.set_index("event_id", drop=False)


def test_the_record_spells_out_dates_actors_place_and_precision(seed):
    record = dict(details.event_record(seed.loc["SEED-0003"]))
    assert record["Date"] == "2023-08-21 to 2023-08-31"
    assert record["Date precision"] == "within a month"
    assert record["Incident type"] == "Battles"
    assert record["Sub-type"] == "Armed clash"
    assert record["Actor 1"] == "Military Forces of Mali (2021-)"
    assert record["With actor 1"] == "Wagner Group"
    assert record["Actor 2"] == "CMA: Coordination of Azawad Movements"
    assert record["Place"] == "Ber, Timbuktu, Mali"
    assert record["Location precision"] == "the named place"
    assert record["Fatalities"] == "0"
    assert record["Notes"].startswith("Malian troops moving into the Ber camp")
    assert record["Source"].startswith("Mali: Military Warns of 'High' Risk")
    assert (record["Dataset"], record["Event ID"]) == ("seed", "SEED-0003")
    # Blank fields are left out.
    assert "With actor 2" not in record
    assert "Civilians targeted" not in record


def test_an_approximate_place_says_how_it_is_drawn(seed):
    record = dict(details.event_record(seed.loc["SEED-0004"]))
    assert record["Location precision"] == "a region, placed at its capital (drawn as a ring of about 50 km)"
    assert record["Date"] == "2023-09-01 to 2023-09-15"


def test_fatality_range_and_targeting(make_events):
    (event,) = [
        r
        for _, r in make_events(
            {"fatalities": 4, "fatalities_low": 2, "fatalities_high": 9, "civilian_targeting": True}
        ).iterrows()
    ]
    record = dict(details.event_record(event))
    assert record["Fatalities"] == "4 (range 2 to 9)"
    assert record["Civilians targeted"] == "yes"


def test_title_and_actor_line(seed):
    event = seed.loc["SEED-0003"]
    assert details.event_title(event) == "2023-08-21 to 2023-08-31 · Battles › Armed clash · Ber"
    assert details.actors_text(event) == (
        "Military Forces of Mali (2021-) (with Wagner Group) vs CMA: Coordination of Azawad Movements"
    )
    assert details.actors_text(seed.loc["SEED-0004"]) == "Civilians (Mali)"


def test_a_plain_dict_works_too():
    record = dict(details.event_record({"event_date": "2023-01-02", "event_type": "Riots", "notes": "a\nb"}))
    # Missing precisions are the canonical defaults (1).
    assert record == {
        "Date": "2023-01-02",
        "Date precision": "exact day",
        "Incident type": "Riots",
        "Location precision": "the named place",
        "Notes": "a\nb",
    }
    assert "a<br>b" in details.details_html({"event_date": "2023-01-02", "event_type": "Riots", "notes": "a\nb"})


def test_html_escapes_every_value(make_events):
    (event,) = [
        r
        for _, r in make_events(
            {"notes": HOSTILE_NOTE, "actor1": HOSTILE_ACTOR, "location": HOSTILE_PLACE, "source": HOSTILE_NOTE}
        ).iterrows()
    ]
    page = details.details_html(event)
    for raw in ("<script", "<img", "<svg"):
        assert raw not in page
    assert not re.search(r"<(script|img|svg)\b", page)
    assert html.escape(HOSTILE_NOTE) in page
    assert html.escape(HOSTILE_ACTOR) in page
    assert html.escape(HOSTILE_PLACE) in page


def test_the_heading_takes_the_type_colour(seed):
    from conflictmap.mapview import EVENT_TYPE_COLORS

    page = details.details_html(seed.loc["SEED-0003"])
    assert f"border-left:5px solid {EVENT_TYPE_COLORS['Battles']}" in page
    assert "<b>2023-08-21 to 2023-08-31 · Battles › Armed clash · Ber</b>" in page


# -- which event a popup belongs to -------------------------------------------------------------------


POPUP = """Battles · Armed clash
2023-08-21 to 2023-08-31 (date: within a month)
Actors: Military Forces of Mali (2021-) (with Wagner Group) vs CMA
Place: Ber, Timbuktu, Mali (location: the named place)
Fatalities: 0 reported
Malian troops moving into the Ber camp, handed over by MINUSMA. Compare SEED-0001.
Source: a newspaper
SEED-0003 · seed"""


def test_the_popup_names_its_event():
    ids = {"SEED-0001", "SEED-0003", "SEED-0004"}
    assert details.event_id_from_popup(POPUP, ids) == "SEED-0003"
    assert details.event_id_from_popup(POPUP.rsplit(" · ", 1)[0], ids) == "SEED-0003"
    assert details.event_id_from_popup(POPUP + "\n\n", ids) == "SEED-0003"


def test_an_id_with_the_separator_in_it_is_still_found():
    text = "Riots\nA · B · acled"
    assert details.event_id_from_popup(text, {"A · B"}) == "A · B"
    assert details.event_id_from_popup("Riots\nA · B", {"A · B"}) == "A · B"


@pytest.mark.parametrize("text", [None, "", "\n \n", "Battles\nSEED-9999 · seed"])
def test_no_event_for_other_text(text):
    assert details.event_id_from_popup(text, {"SEED-0003"}) is None


# -- the table ------------------------------------------------------------------------------------------------


def test_table_rows_newest_first_with_the_selected_one(make_events):
    events = make_events(*({"event_date": f"2023-01-{d:02d}", "event_id": f"E{d}"} for d in (5, 1, 9, 3, 7)))
    table = details.table_rows(events, 3)
    assert list(table.columns) == list(details.TABLE_COLUMNS)
    assert list(table["ID"]) == ["E9", "E7", "E5"]
    assert str(table["Date"].iloc[0])[:10] == "2023-01-09"
    # An older selected event is put first, so it can be marked.
    assert list(details.table_rows(events, 3, "E1")["ID"]) == ["E1", "E9", "E7", "E5"]
    assert list(details.table_rows(events, 3, "E7")["ID"]) == ["E9", "E7", "E5"]
    assert list(details.table_rows(events, 3, "nope")["ID"]) == ["E9", "E7", "E5"]
    assert len(details.table_rows(events.iloc[0:0], 3)) == 0

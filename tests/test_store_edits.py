"""Checking the values of one event entered by hand (``store.check_event``), before any store is involved."""

from __future__ import annotations

from datetime import date

import pytest

from conflictmap import gazetteer, schema
from conflictmap.store import FORM_FIELDS, EventValidationError, check_event

TODAY = date(2024, 6, 1)
BASE = {"place": "Timbuktu", "event_date": "2024-05-02", "event_type": "Battles", "source": "Studio Tamani"}


def problems(fields: dict[str, object]) -> dict[str, str]:
    with pytest.raises(EventValidationError) as caught:
        check_event(fields, today=TODAY)
    return {p.field: p.expected for p in caught.value.problems}


def test_a_complete_event_comes_back_with_every_canonical_column() -> None:
    checked = check_event(
        {
            **BASE,
            "sub_event_type": "armed clash",
            "actor1": " Military Forces of Mali (2021-) ",
            "assoc_actor_1": ["Wagner Group", "", "Dozo Communal Militia (Mali)"],
            "fatalities": 4.0,
            "fatalities_low": "2",
            "fatalities_high": 10,
            "civilian_targeting": "no",
            "time_precision": "2",
            "notes": "Clash at the market.",
        },
        today=TODAY,
    )
    assert set(checked) == set(schema.COLUMNS) - {"timestamp"}
    timbuktu = gazetteer.resolve("Timbuktu")
    assert (checked["latitude"], checked["longitude"]) == (timbuktu.latitude, timbuktu.longitude)
    assert checked["sub_event_type"] == "Armed clash"
    assert checked["actor1"] == "Military Forces of Mali (2021-)"
    assert checked["assoc_actor_1"] == "Wagner Group; Dozo Communal Militia (Mali)"
    assert (checked["fatalities"], checked["fatalities_low"], checked["fatalities_high"]) == (4, 2, 10)
    assert checked["civilian_targeting"] is False and checked["time_precision"] == 2
    assert checked["event_date"] == checked["date_end"] == date(2024, 5, 2)
    assert checked["dataset"] == "manual" and checked["event_id"] is None


def test_a_point_on_the_map_refines_the_named_place() -> None:
    checked = check_event({**BASE, "latitude": "16.80", "longitude": -2.95, "geo_precision": 2}, today=TODAY)
    assert (checked["location"], checked["latitude"], checked["longitude"]) == ("Timbuktu", 16.8, -2.95)
    assert checked["geo_precision"] == 2


def test_a_region_takes_the_region_precision() -> None:
    checked = check_event({**BASE, "place": "Région de Mopti"}, today=TODAY)
    assert checked["geo_precision"] == 3 and checked["admin1"] == "Mopti"


def test_a_point_far_from_any_place_keeps_no_region() -> None:
    checked = check_event(
        {**{k: v for k, v in BASE.items() if k != "place"}, "latitude": 22.5, "longitude": -7.0}, today=TODAY
    )
    assert checked["admin1"] is None and checked["location"] is None


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"place": "Atlantis"}, "place", "a place in the Mali gazetteer, or latitude and longitude"),
        ({"place": "Gao", "admin1": "Provence"}, "admin1", "a region of Mali"),
        ({"place": None}, "place", "a place from the gazetteer, or latitude and longitude"),
        ({"place": None, "latitude": 95, "longitude": 0}, "latitude", "from -90 to 90"),
        ({"place": None, "latitude": 14.0}, "longitude", "from -180 to 180"),
        ({"event_date": "02/05/2024"}, "event_date", "a date as YYYY-MM-DD"),
        ({"event_date": None}, "event_date", "a date as YYYY-MM-DD"),
        ({"event_date": "2024-06-02"}, "event_date", "on or before today (2024-06-01)"),
        ({"date_end": "2024-05-01"}, "date_end", "on or after event_date (2024-05-02)"),
        ({"time_precision": 5}, "time_precision", "a whole number from 1 to 4"),
        ({"event_type": "Picnic"}, "event_type", "one of ['Battles'"),
        ({"sub_event_type": "Mob violence"}, "sub_event_type", "a sub-type of Battles"),
        ({"fatalities": "many"}, "fatalities", "a whole number of 0 or more"),
        ({"fatalities": 2.5}, "fatalities", "a whole number of 0 or more"),
        ({"fatalities": 3, "fatalities_low": 5}, "fatalities_low", "at most fatalities (3)"),
        ({"fatalities": 3, "fatalities_high": 1}, "fatalities_high", "at least fatalities (3)"),
        ({"source": ""}, "source", "a value"),
        ({"civilian_targeting": "perhaps"}, "civilian_targeting", "yes or no"),
        ({"notes": "x" * 10_001}, "notes", "at most 10000 characters"),
        ({"actor1": 42}, "actor1", "text"),
        ({"timestamp": "2024-01-01"}, "timestamp", "timestamp is set by the store"),
        ({"colour": "red"}, "colour", "no such field (unknown)"),
    ],
)
def test_each_bad_value_is_named_with_what_was_expected(changes: dict, field: str, expected: str) -> None:
    found = problems({**BASE, **changes})
    assert field in found and expected in found[field]


def test_every_problem_is_listed_at_once_with_its_value() -> None:
    with pytest.raises(EventValidationError) as caught:
        check_event({"event_type": "Battles", "fatalities": -1, "source": None}, today=TODAY)
    listed = [(p.field, p.value) for p in caught.value.problems]
    assert listed == [("place", None), ("event_date", None), ("fatalities", -1), ("source", None)]
    assert str(caught.value).startswith("field 'place' has None; expected a place from the gazetteer")
    assert isinstance(caught.value, ValueError)


def test_form_fields_are_the_place_and_the_canonical_columns() -> None:
    assert FORM_FIELDS[0] == "place"
    assert set(FORM_FIELDS[1:]) == set(schema.COLUMNS) - {"timestamp"}

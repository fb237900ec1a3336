"""Form values to store fields and back, validation messages per field, readable history; category alignment."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import SEED_EVENTS

from conflictmap import catalog, eventform, facets
from conflictmap.readers import read_events
from conflictmap.store import EventValidationError, check_event, open_store


def test_place_choices_name_the_region_and_kind():
    (kati,) = [c for c in eventform.place_choices("Kati") if c.name == "Kati"]
    assert kati.label == "Kati, Koulikoro (cercle capital)"
    assert (kati.admin1, kati.geo_precision) == ("Koulikoro", 1)
    assert eventform.place_choices("   ") == []


def test_form_fields_from_a_place_or_a_clicked_point(tmp_path):
    (kati,) = [c for c in eventform.place_choices("Kati") if c.name == "Kati"]
    values = {"event_date": date(2023, 9, 7), "event_type": "Battles", "source": " Radio  ", "notes": "  "}
    fields = eventform.form_fields(values, place=kati)
    assert fields == {
        "event_date": date(2023, 9, 7),
        "event_type": "Battles",
        "source": "Radio",
        "place": "Kati",
        "admin1": "Koulikoro",
    }
    clicked = eventform.form_fields(values, point=(14.49412345678, -4.1830))
    assert (clicked["latitude"], clicked["longitude"], clicked["location"]) == (14.494123, -4.183, "14.4941, -4.1830")
    with open_store(tmp_path / "s.gpkg") as store:
        added = store.get_event(store.add_event(clicked).event_id)
    # The region of a clicked point comes from the nearest gazetteer place.
    assert added["admin1"] == "Mopti"


def test_every_problem_gets_a_message_on_its_field():
    with pytest.raises(EventValidationError) as caught:
        check_event(eventform.form_fields({"event_type": "Picnic", "fatalities": -1}))
    messages = eventform.field_messages(caught.value)
    assert messages["source"] == "Source: got nothing; expected a value."
    assert messages["event_date"].startswith("Date: got nothing; expected a date")
    assert messages["event_type"].startswith("Type: got 'Picnic'; expected one of")
    assert messages["place"].startswith("Place: got nothing; expected a place")
    assert set(messages) == {"source", "event_date", "event_type", "place", "fatalities"}


def test_an_edit_sends_only_what_changed_and_the_history_says_it(tmp_path):
    with open_store(tmp_path / "s.gpkg") as store:
        change = store.add_event(
            {"place": "Ber", "event_date": "2023-09-12", "event_type": "Battles", "source": "Studio Tamani"}
        )
        before = eventform.form_values(store.get_event(change.event_id))
        assert before["place_text"] == "Ber" and before["fatalities"] == 0
        edited = {**before, "fatalities": 4, "notes": "Toll revised"}
        changes = eventform.edit_changes(before, eventform.form_fields(edited))
        assert changes == {"fatalities": 4, "notes": "Toll revised"}
        store.edit_event(change.event_id, changes, expected_version=1, reason="new toll")
        table = eventform.history_table(store.history(change.event_id))
    assert table["Version"].tolist() == [2, 1]
    assert table["Change"].tolist() == ["edit", "add"]
    assert table["What changed"].iloc[0] == "fatalities: 0 → 4; notes: – → Toll revised"
    assert table["Reason"].iloc[0] == "new toll"


def test_actor_choices_put_the_loaded_actors_first():
    seed, _ = read_events(SEED_EVENTS)
    ranked = facets.actor_choices(seed)["display_name"]
    names = eventform.actor_choices(ranked)
    assert names[: len(ranked)] == list(ranked)
    assert len(names) == len(set(names))
    assert "Wagner Group" in names and "Malian armed forces" in names
    assert eventform.sub_types("Battles") == [
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ]
    assert eventform.sub_types(None) == []


def test_a_file_and_the_store_can_be_shown_together(tmp_path):
    seed, _ = read_events(SEED_EVENTS)
    with open_store(tmp_path / "s.gpkg") as store:
        store.add_event({"place": "Kati", "event_date": "2023-09-07", "event_type": "Battles", "source": "x"})
        stored = store.query()
    both = catalog.combine([seed, stored])
    assert len(both) == len(seed) + 1
    assert both["admin1"].tolist()[-1] == "Koulikoro"
    assert isinstance(both["admin1"].dtype, pd.CategoricalDtype)


def test_holds_event_tells_the_store_s_events_apart():
    seed, _ = read_events(SEED_EVENTS)
    assert eventform.holds_event(seed, "SEED-0002")
    assert not eventform.holds_event(seed, "SEED-9999")
    assert not eventform.holds_event(seed, None)
    assert not eventform.holds_event(None, "SEED-0002")

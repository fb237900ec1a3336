"""Filter choices with counts, date presets from the latest event, and what each filter keeps."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from conflictmap import facets, filters, schema
from conflictmap.filters import FilterSpec


@pytest.fixture
def events(make_events):
    return make_events(
        {"event_date": "2023-08-21", "date_end": "2023-08-31", "admin1": "Timbuktu", "fatalities": 4},
        {"event_date": "2023-09-07", "actor1": "FAMa", "admin1": "Gao", "geo_precision": 2},
        {
            "event_date": "2023-10-02",
            "event_type": "Violence against civilians",
            "sub_event_type": "Attack",
            "actor1": "Katiba Macina",
            "actor2": "Civilians (Mali)",
            "admin1": "Mopti",
            "notes": "Attack on the market of Ségou road.",
        },
        {"event_date": "2022-01-15", "event_type": "Riots", "sub_event_type": "Mob violence", "actor2": None},
    )


def test_date_span_and_latest_day(events):
    span = filters.date_span(events)
    assert (span.first, span.last) == (date(2022, 1, 15), date(2023, 10, 2))
    assert facets.latest_event_day(events) == date(2023, 10, 2)
    assert filters.date_span(events.iloc[0:0]) is None
    assert facets.latest_event_day(events.iloc[0:0]) is None


def test_a_range_ending_after_the_last_start_is_in_the_span(make_events):
    span = filters.date_span(make_events({"event_date": "2023-09-01", "date_end": "2023-09-15"}))
    assert span.last == date(2023, 9, 15)


def test_presets_count_back_from_the_latest_event():
    presets = facets.date_presets(date(2023, 10, 2))
    assert presets["7d"] == (date(2023, 9, 26), date(2023, 10, 2))
    assert presets["30d"] == (date(2023, 9, 3), date(2023, 10, 2))
    assert presets["90d"] == (date(2023, 7, 5), date(2023, 10, 2))
    assert presets["ytd"] == (date(2023, 1, 1), date(2023, 10, 2))
    assert set(presets) | {"all", "custom"} == set(facets.DATE_PRESETS)


def test_a_range_is_matched_to_its_preset():
    latest = date(2023, 10, 2)
    assert facets.matching_preset(None, None, latest) == "all"
    assert facets.matching_preset(date(2023, 9, 26), latest, latest) == "7d"
    assert facets.matching_preset(date(2023, 1, 1), latest, latest) == "ytd"
    assert facets.matching_preset(date(2023, 9, 25), latest, latest) == "custom"
    assert facets.matching_preset(date(2023, 9, 25), None, latest) == "custom"


def test_types_are_listed_as_a_hierarchy_with_counts(events):
    choices = facets.type_choices(events)
    values = [v for v, _ in choices]
    assert len(values) == len(schema.EVENT_TYPES) + len(schema.SUB_EVENT_TYPES)
    battles = values.index("type:Battles")
    assert values[battles + 1 : battles + 4] == [f"sub:{s}" for s in schema.TAXONOMY["Battles"]]
    labels = dict(choices)
    assert labels["type:Battles"] == "Battles (2)"
    assert labels["sub:Armed clash"] == "Battles › Armed clash (2)"
    assert labels["sub:Attack"] == "Violence against civilians › Attack (1)"
    assert labels["type:Protests"] == "Protests (0)"


def test_type_choices_split_into_the_spec_fields_and_back():
    values = ["type:Battles", "sub:Attack", "sub:Mob violence"]
    types, subs = facets.split_type_choices(values)
    assert (types, subs) == (("Battles",), ("Attack", "Mob violence"))
    assert facets.join_type_choices(types, subs) == values
    spec = FilterSpec(event_types=types, sub_event_types=subs)
    assert spec.event_types == ("Battles",)


def test_actor_choices_merge_aliases_most_active_first(events):
    table = facets.actor_choices(events)
    # FAMa and "Military Forces of Mali (2021-)" are one actor, in three events.
    first = table.iloc[0]
    assert (first["key"], first["events"]) == ("mali_armed_forces", 3)
    assert first["label"] == f"{first['display_name']} (3)"
    assert list(table["events"]) == sorted(table["events"], reverse=True)
    assert "katiba_macina" in set(table["key"])


def test_actors_named_by_a_link_stay_choosable(events):
    table = facets.actor_choices(events, ["wagner", "Nobody Known"])
    rows = table.set_index("key")
    assert rows.loc["wagner", "events"] == 0
    assert rows.loc["Nobody Known", "events"] == 0
    assert rows.loc["Nobody Known", "label"] == "Nobody Known (0)"
    # An actor the data has is not added twice.
    assert (facets.actor_choices(events, ["mali_armed_forces"])["key"] == "mali_armed_forces").sum() == 1


def test_value_choices_by_count_then_name(events):
    pairs = facets.value_choices(events["admin1"])
    counts = dict(pairs)
    assert counts == {"Timbuktu": 1, "Gao": 1, "Mopti": 2}
    assert pairs[0] == ("Mopti", 2)
    assert [p[0] for p in pairs[1:]] == ["Gao", "Timbuktu"]
    assert facets.value_choices(events["admin1"], ["Kidal"])[-1] == ("Kidal", 0)


def test_each_filter_keeps_its_own_count(events):
    spec = FilterSpec(date_from="2023-08-25", admin1=["Mopti", "Gao"], min_fatalities=1, text="ségou")
    counts = facets.filter_counts(events, spec)
    assert counts == {
        "dates": 3,  # the August range reaching into the window, September, October
        "regions": 3,  # Gao, and Mopti twice
        "fatalities": 1,
        "text": 1,
        "all": 0,
    }
    assert facets.active_groups(spec) == ["dates", "regions", "fatalities", "text"]


def test_an_empty_filter_keeps_everything(events):
    assert facets.filter_counts(events, FilterSpec()) == {"all": len(events)}
    assert facets.active_groups(FilterSpec()) == []


def test_precision_and_area_groups(events):
    spec = FilterSpec(max_geo_precision=1, max_time_precision=1, bbox=(-5.0, 14.0, 0.0, 17.0))
    counts = facets.filter_counts(events, spec)
    assert counts["precision"] == 3
    assert counts["area"] == len(events)  # every test event sits at Mopti


# -- the controls -------------------------------------------------------------------------------------------


SPAN = filters.DateSpan(date(2022, 1, 15), date(2023, 10, 2))


@pytest.mark.parametrize(
    "spec",
    [
        FilterSpec(),
        FilterSpec(date_from="2023-09-26", date_to="2023-10-02"),
        FilterSpec(date_from="2023-02-03", date_to="2023-05-06", admin1=["Gao"], actors=["jnim"]),
        FilterSpec(event_types=["Battles"], sub_event_types=["Attack"], min_fatalities=3, text="Ber"),
        FilterSpec(max_geo_precision=1, max_time_precision=1, datasets=["acled"]),
        FilterSpec(max_geo_precision=2, bbox=(-5.0, 14.0, 0.0, 17.0)),
    ],
)
def test_controls_show_the_spec_and_give_it_back(spec):
    controls = facets.controls_from_spec(spec, SPAN, SPAN.last)
    assert set(controls) == set(facets.CONTROLS)
    assert facets.spec_from_controls(controls) == spec


def test_controls_of_presets_and_precision():
    controls = facets.controls_from_spec(FilterSpec(date_from="2023-09-26", date_to="2023-10-02"), SPAN, SPAN.last)
    assert (controls["period"], controls["dates"]) == ("7d", (date(2023, 9, 26), date(2023, 10, 2)))
    everything = facets.controls_from_spec(FilterSpec(), SPAN, SPAN.last)
    assert (everything["period"], everything["dates"]) == ("all", (SPAN.first, SPAN.last))
    assert facets.controls_from_spec(FilterSpec(max_geo_precision=1, max_time_precision=1), SPAN, SPAN.last)["precise"]
    half = facets.controls_from_spec(FilterSpec(max_geo_precision=1), SPAN, SPAN.last)
    assert not half["precise"] and half["carried"] == {"max_geo_precision": 1}


def test_a_range_being_picked_counts_from_its_first_day():
    controls = facets.controls_from_spec(FilterSpec(), SPAN, SPAN.last)
    controls.update(period="custom", dates=(date(2023, 3, 1),))
    assert facets.spec_from_controls(controls) == FilterSpec(date_from="2023-03-01")


def test_choices_from_grouped_rows_with_weights(events):
    weights = [4, 1, 2, 3]
    repeated = events.iloc[np.repeat(np.arange(len(events)), weights)].reset_index(drop=True)
    assert facets.type_choices(events, weights=weights) == facets.type_choices(repeated)
    assert ("type:Battles", "Battles (5)") in facets.type_choices(events, weights=weights)
    assert facets.value_choices(events["admin1"], weights=weights) == facets.value_choices(repeated["admin1"])
    assert facets.value_choices(events["admin1"], ["Kidal"], weights=weights)[-1] == ("Kidal", 0)
    pd.testing.assert_frame_equal(
        facets.actor_choices(events, ["jnim"], weights=weights), facets.actor_choices(repeated, ["jnim"])
    )
    assert facets.type_choices(events, weights=None) == facets.type_choices(events)


def test_weights_must_match_the_rows(events):
    with pytest.raises(ValueError, match="weights has 3 values for 4 rows"):
        facets.value_choices(events["admin1"], weights=[1, 2, 3])


def test_count_labels_name_the_counts_and_keep_chosen_values_without_events():
    labels = facets.count_labels([("Gao", 1234), ("Mopti", 2)], ["Kidal", "Gao"])
    assert labels == {"Gao": "Gao (1,234)", "Mopti": "Mopti (2)", "Kidal": "Kidal"}
    assert list(labels) == ["Gao", "Mopti", "Kidal"]

"""The synthetic event generator: deterministic, canonical, plausibly shaped and clearly labelled."""

from __future__ import annotations

import pandas as pd
import pytest

from conflictmap.schema import validate_events
from conflictmap.synth import synth_events


@pytest.fixture(scope="module")
def events():
    return synth_events(20_000, seed=11)


def test_same_seed_same_table():
    pd.testing.assert_frame_equal(synth_events(500, seed=3), synth_events(500, seed=3))
    assert not synth_events(500, seed=3)["event_date"].equals(synth_events(500, seed=4)["event_date"])


def test_output_is_canonical_and_labelled(events):
    validate_events(events)
    assert len(events) == 20_000
    assert set(events["dataset"]) == {"synthetic"}
    assert events["notes"].str.contains("Synthetic event").all()


def test_dates_span_2012_to_2024_with_later_years_busier(events):
    years = events["event_date"].dt.year
    assert years.min() == 2012 and years.max() == 2024
    assert (events["date_end"] >= events["event_date"]).all()
    per_year = years.value_counts()
    assert per_year[2022] > per_year[2014]


def test_places_cluster_on_the_towns_of_the_fighting(events):
    assert events["latitude"].between(10.0, 25.1).all()
    assert events["longitude"].between(-12.3, 4.3).all()
    by_place = events["location"].value_counts()
    assert by_place["Gao"] > 10 * by_place.get("Kayes", 0)
    assert set(events["geo_precision"]) == {1, 2, 3}
    assert (events["geo_precision"] == 1).mean() > 0.6


def test_fatalities_are_skewed(events):
    fatalities = events["fatalities"]
    assert fatalities.median() == 0
    assert fatalities.max() >= 20
    assert (fatalities == 0).mean() > 0.5


def test_types_and_actor_periods(events):
    assert events["event_type"].nunique() == 6
    mali = events[events["actor1"].astype(str).str.startswith("Military Forces of Mali")]
    early = mali[mali["event_date"] < "2013-09-01"]["actor1"].astype(str)
    late = mali[mali["event_date"] > "2022-01-01"]["actor1"].astype(str)
    assert set(early) <= {"Military Forces of Mali (2012-2013)"}
    assert set(late) == {"Military Forces of Mali (2021-)"}


def test_negative_size_is_refused():
    with pytest.raises(ValueError, match="-1"):
        synth_events(-1)

"""FilterSpec: validation, each field's semantics, combinations, URL round trips and descriptions."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd
import pytest
from builders import BARE_ROW, build_events
from hypothesis import given
from hypothesis import strategies as st

from conflictmap.filters import FilterError, FilterSpec
from conflictmap.schema import EVENT_TYPES, SUB_EVENT_TYPES


def make_events(*rows: dict) -> pd.DataFrame:
    # Bare events: a default actor or region would match the filters under test.
    return build_events(*rows, base=BARE_ROW)


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return make_events(
        {
            "event_id": "clash",
            "event_date": "2023-07-30",
            "date_end": "2023-08-02",
            "sub_event_type": "Armed clash",
            "actor1": "Military Forces of Mali (2021-)",
            "assoc_actor_1": "Military Forces of Russia (2000-) Wagner Group",
            "actor2": "JNIM: Group for Support of Islam and Muslims",
            "fatalities": 12,
            "admin1": "Segou",
            "location": "Ségou",
            "latitude": 13.43,
            "longitude": -6.26,
            "dataset": "acled",
            "notes": "Heavy fighting near the town.",
        },
        {
            "event_id": "attack",
            "event_date": "2023-08-15",
            "event_type": "Violence against civilians",
            "sub_event_type": "Attack",
            "actor1": "Katiba Macina",
            "actor2": "Civilians (Mali)",
            "fatalities": 4,
            "admin1": "Mopti",
            "location": "Djenne",
            "latitude": 13.9,
            "longitude": -4.55,
            "time_precision": 2,
            "dataset": "acled",
            "notes": "Gunmen killed villagers on the road to Ségou.",
        },
        {
            "event_id": "abduction",
            "event_date": "2023-09-10",
            "event_type": "Violence against civilians",
            "sub_event_type": "Abduction/forced disappearance",
            "actor1": "Islamic State (Sahel)",
            "actor2": "Civilians (Mali)",
            "admin1": "Menaka",
            "location": "Ménaka",
            "latitude": 15.92,
            "longitude": 2.4,
            "geo_precision": 2,
            "dataset": "ucdp_ged",
        },
        {
            "event_id": "ied",
            "event_date": "2023-10-31",
            "event_type": "Explosions/Remote violence",
            "sub_event_type": "Remote explosive/landmine/IED",
            "actor1": "Unidentified Armed Group (Mali)",
            "actor2": "MINUSMA",
            "fatalities": 2,
            "admin1": "Kidal",
            "location": "Kidal",
            "latitude": 18.44,
            "longitude": 1.41,
            "geo_precision": 3,
            "time_precision": 3,
            "dataset": "article",
            "notes": "IED hit a convoy.",
        },
        {
            "event_id": "protest",
            "event_date": "2023-11-02",
            "event_type": "Protests",
            "sub_event_type": "Peaceful protest",
            "actor1": "Protesters (Mali)",
            "assoc_actor_1": "Koglweogo Militia (Mali); Students (Mali)",
            "admin1": "Bamako",
            "location": "Bamako",
            "latitude": 12.65,
            "longitude": -8.0,
            "dataset": "manual",
        },
        {
            "event_id": "old",
            "event_date": "2022-01-05",
            "sub_event_type": "Armed clash",
            "actor1": "GATIA: Imghad Tuareg and Allies Self-Defense Group",
            "actor2": "Islamic State (Greater Sahara)",
            "fatalities": 30,
            "admin1": "Gao",
            "location": "Ansongo",
            "latitude": 15.66,
            "longitude": 0.5,
            "time_precision": 4,
            "geo_precision": 4,
            "dataset": "acled",
        },
    )


def selected(spec: FilterSpec, events: pd.DataFrame) -> list[str]:
    return events.loc[spec.mask(events), "event_id"].tolist()


ALL = ["clash", "attack", "abduction", "ied", "protest", "old"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ALL),
        # dates: [event_date, date_end] overlaps [date_from, date_to], ends inclusive
        ({"date_from": "2023-08-01"}, ["clash", "attack", "abduction", "ied", "protest"]),
        ({"date_from": "2023-08-03"}, ["attack", "abduction", "ied", "protest"]),
        ({"date_to": "2023-07-30"}, ["clash", "old"]),
        ({"date_to": "2023-07-29"}, ["old"]),
        ({"date_from": "2023-08-02", "date_to": "2023-08-02"}, ["clash"]),
        ({"date_from": "2023-08-01", "date_to": "2023-10-31"}, ["clash", "attack", "abduction", "ied"]),
        # types OR sub-types
        ({"event_types": ["Battles"]}, ["clash", "old"]),
        ({"sub_event_types": ["Attack"]}, ["attack"]),
        ({"event_types": ["Battles"], "sub_event_types": ["Attack"]}, ["clash", "attack", "old"]),
        ({"event_types": ["Violence against civilians"]}, ["attack", "abduction"]),
        # actors: keys, aliases, members, unknown names
        ({"actors": ["jnim"]}, ["clash", "attack"]),
        ({"actors": ["katiba_macina"]}, ["attack"]),
        ({"actors": ["Malian army"]}, ["clash"]),
        ({"actors": ["Wagner Group"]}, ["clash"]),
        ({"actors": ["islamic_state_sahel"]}, ["abduction", "old"]),
        ({"actors": ["plateforme"]}, ["old"]),
        ({"actors": ["MINUSMA", "civilians"]}, ["attack", "abduction", "ied"]),
        ({"actors": ["Students (Mali)"]}, ["protest"]),
        ({"actors": ["nobody at all"]}, []),
        # regions
        ({"admin1": ["Segou"]}, ["clash"]),
        # Regions match in any spelling: accents, French names, the 2023 regions (San lies in Segou).
        ({"admin1": ["Ségou"]}, ["clash"]),
        ({"admin1": ["segou region"]}, ["clash"]),
        ({"admin1": ["San"]}, ["clash"]),
        ({"admin1": ["Ménaka"]}, ["abduction"]),
        ({"admin1": ["Kidal", "Gao"]}, ["ied", "old"]),
        ({"datasets": ["acled"]}, ["clash", "attack", "old"]),
        ({"datasets": ["article", "manual"]}, ["ied", "protest"]),
        ({"min_fatalities": 4}, ["clash", "attack", "old"]),
        ({"min_fatalities": 13}, ["old"]),
        ({"max_geo_precision": 1}, ["clash", "attack", "protest"]),
        ({"max_geo_precision": 3}, ["clash", "attack", "abduction", "ied", "protest"]),
        ({"max_time_precision": 2}, ["clash", "attack", "abduction", "protest"]),
        # text: case- and accent-insensitive, notes and category columns
        ({"text": "segou"}, ["clash", "attack"]),
        ({"text": "SÉGOU"}, ["clash", "attack"]),
        ({"text": "menaka"}, ["abduction"]),
        ({"text": "convoy"}, ["ied"]),
        ({"text": "wagner"}, ["clash"]),
        ({"text": "koglweogo"}, ["protest"]),
        ({"text": "nothing like this"}, []),
        # bbox edges inclusive
        ({"bbox": (-6.26, 13.43, -4.55, 13.9)}, ["clash", "attack"]),
        ({"bbox": (-6.25, 13.0, 0.0, 14.0)}, ["attack"]),
        ({"bbox": (0.0, 15.0, 3.0, 19.0)}, ["abduction", "ied", "old"]),
        # polygon: on a corner (clash) and on an edge (attack) count; inside its box is not enough
        ({"polygon": "-6.26,13.43;-4,13.43;-4,13.9;-5,13.9"}, ["clash", "attack"]),
        ({"polygon": "0,15;3,15;0,19"}, ["old"]),
        # combinations
        ({"date_from": "2023-08-01", "event_types": ["Violence against civilians"], "actors": ["jnim"]}, ["attack"]),
        ({"actors": ["islamic_state_sahel"], "min_fatalities": 1}, ["old"]),
        ({"datasets": ["acled"], "text": "segou", "max_time_precision": 1}, ["clash"]),
        ({"event_types": ["Battles"], "bbox": (-10.0, 10.0, 0.0, 20.0)}, ["clash"]),
    ],
)
def test_mask(events, kwargs, expected):
    spec = FilterSpec(**kwargs)
    assert selected(spec, events) == expected
    assert spec.apply(events)["event_id"].tolist() == expected


def test_mask_same_on_plain_text_columns(events):
    plain = events.astype({c: object for c in events.columns if str(events[c].dtype) == "category"})
    for spec in (
        FilterSpec(actors=["jnim"], text="segou"),
        FilterSpec(event_types=["Battles"], sub_event_types=["Attack"], admin1=["Kidal", "Segou"]),
        FilterSpec(datasets=["acled"], text="MÉNAKA"),
    ):
        assert np.array_equal(spec.mask(plain), spec.mask(events))


def test_text_search_on_a_subset_and_repeated(events):
    spec = FilterSpec(text="segou")
    assert selected(spec, events) == selected(spec, events)
    subset = events.iloc[[1, 2, 3]]
    assert selected(spec, subset) == ["attack"]
    assert selected(FilterSpec(text="hit a"), subset) == ["ied"]


def test_text_search_sees_notes_written_after_a_search(events):
    table = events.copy()
    spec = FilterSpec(text="ambush")
    assert selected(spec, table) == []
    table.loc[table["event_id"] == "protest", "notes"] = "An AMBUSH at dawn."
    assert selected(spec, table) == ["protest"]
    assert selected(spec, events) == []


def test_apply_keeps_index_and_type(events):
    out = FilterSpec(datasets=["acled"]).apply(events)
    assert type(out) is type(events)
    assert out.index.tolist() == [0, 1, 5]
    assert FilterSpec().apply(events).equals(events)


def test_missing_date_end_counts_as_one_day_event():
    events = make_events({"event_date": "2023-08-01", "date_end": None}, {"event_date": "2023-08-05", "date_end": None})
    assert events["date_end"].isna().all()
    spec = FilterSpec(date_from="2023-08-02", date_to="2023-08-09")
    assert spec.mask(events).tolist() == [False, True]


def test_mask_on_empty_table(events):
    assert FilterSpec(text="x", actors=["jnim"]).mask(events.iloc[:0]).shape == (0,)


# ---------------------------------------------------------------- creation


def test_values_are_normalised():
    spec = FilterSpec(
        date_from="2023-08-01",
        date_to=datetime(2023, 10, 31, 14, 0),
        actors=["JNIM", " JNIM ", "", "FAMa"],
        event_types="battles",
        sub_event_types=["ATTACK"],
        admin1=["Kidal"],
        datasets={"acled": 1},
        min_fatalities="3",
        max_geo_precision="2",
        text="  Ségou ",
        bbox=["-5", 10, "5", 20],
    )
    assert spec.date_from == date(2023, 8, 1)
    assert spec.date_to == date(2023, 10, 31)
    assert spec.actors == ("JNIM", "FAMa")
    assert spec.event_types == ("Battles",)
    assert spec.sub_event_types == ("Attack",)
    assert spec.admin1 == ("Kidal",)
    assert spec.datasets == ("acled",)
    assert spec.min_fatalities == 3
    assert spec.max_geo_precision == 2
    assert spec.text == "Ségou"
    assert spec.bbox == (-5.0, 10.0, 5.0, 20.0)
    assert hash(spec) == hash(FilterSpec(**{f: getattr(spec, f) for f in spec.__dataclass_fields__}))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"event_types": ["Battles", "Skirmish"]}, r"field 'event_types' has unknown event type 'Skirmish'.*'Battles'"),
        ({"sub_event_types": ["Battles"]}, r"unknown sub-event type 'Battles'; expected one of \['Armed clash'"),
        ({"date_from": "2023-09-01", "date_to": "2023-08-01"}, "date_from 2023-09-01 is after date_to 2023-08-01"),
        ({"date_from": "yesterday"}, r"field 'date_from' has 'yesterday'; expected a date"),
        ({"date_to": 20230801}, r"field 'date_to' has 20230801"),
        ({"max_geo_precision": 0}, r"field 'max_geo_precision' has 0; expected an integer from 1 to 4"),
        ({"max_time_precision": 5}, r"field 'max_time_precision' has 5"),
        ({"max_time_precision": True}, r"field 'max_time_precision' has True"),
        ({"min_fatalities": -1}, r"field 'min_fatalities' has -1; expected a whole number of 0 or more"),
        ({"min_fatalities": 2.5}, r"field 'min_fatalities' has 2.5"),
        ({"bbox": (5, 10, -5, 20)}, r"field 'bbox' has \(5, 10, -5, 20\); expected -180 <= west <= east"),
        ({"bbox": (-5, 20, 5, 10)}, r"expected -90 <= south <= north <= 90"),
        ({"bbox": (-5, 10, 5, 95)}, r"expected -90 <= south <= north <= 90"),
        ({"bbox": (-190, 10, 5, 20)}, r"expected -180 <= west"),
        ({"bbox": (1, 2, 3)}, r"expected four numbers"),
        ({"bbox": (1, 2, 3, float("nan"))}, r"expected finite numbers"),
        ({"polygon": "1,2;3,4;1,2"}, r"field 'polygon' has '1,2;3,4;1,2'; expected at least 3 vertices as lon,lat"),
        ({"polygon": [(0, 0), (1, "x"), (1, 1)]}, r"expected at least 3 vertices"),
        ({"polygon": [(0, 0), (1, float("inf")), (1, 1)]}, r"has the vertex '1.0,inf'; expected finite numbers"),
        ({"polygon": "0,0;1,95;1,0"}, r"has the vertex '1,95'; expected -180 <= lon <= 180, -90 <= lat <= 90"),
        ({"polygon": "0,0;2,2;2,0;0,1"}, r"not a simple polygon \(self-intersection\); expected edges that do not"),
        ({"polygon": "0,0;1,1;2,2"}, r"not a simple polygon \(it has no area\)"),
        ({"polygon": [(i / 1000, (i % 2) / 1000) for i in range(202)]}, r"has 202 vertices; .* at most 200"),
        ({"actors": [3]}, r"field 'actors' has 3; expected text"),
        ({"actors": 3}, r"field 'actors' has 3; expected a list"),
        ({"text": 3}, r"field 'text' has 3; expected text"),
    ],
)
def test_invalid_values_raise_filter_error(kwargs, message):
    with pytest.raises(FilterError, match=message):
        FilterSpec(**kwargs)


def test_a_polygon_is_kept_open_to_5_decimals_and_its_link_gives_it_back():
    spec = FilterSpec(polygon=[(-4.5, 14.2), (-3.9000001, 14.2), (-4.123456, 14.8), (-4.5, 14.2)])
    assert spec.polygon == ((-4.5, 14.2), (-3.9, 14.2), (-4.12346, 14.8))
    assert spec.polygon_bbox == (-4.5, 14.2, -3.9, 14.8)
    assert spec.to_query_params() == {"poly": "-4.5,14.2;-3.9,14.2;-4.12346,14.8"}
    assert FilterSpec.from_query_params(spec.to_query_params()) == spec
    assert spec.describe() == "inside a polygon of 3 corners"


def test_filter_error_is_a_value_error():
    assert issubclass(FilterError, ValueError)


def test_is_empty():
    assert FilterSpec().is_empty()
    assert FilterSpec(actors=[" "], text=" ").is_empty()
    assert not FilterSpec(min_fatalities=1).is_empty()
    assert not FilterSpec(bbox=(-1, -1, 1, 1)).is_empty()


# ---------------------------------------------------------------- query parameters


def test_to_query_params():
    spec = FilterSpec(
        date_from="2023-08-01",
        actors=["jnim", "Malian army"],
        event_types=["Battles"],
        sub_event_types=["Attack"],
        admin1=["Timbuktu"],
        datasets=["acled"],
        min_fatalities=5,
        max_geo_precision=2,
        max_time_precision=1,
        text="Ségou",
        bbox=(-5.5, 10, 4.25, 25),
    )
    assert spec.to_query_params() == {
        "from": "2023-08-01",
        "actor": ["jnim", "Malian army"],
        "type": ["Battles"],
        "subtype": ["Attack"],
        "region": ["Timbuktu"],
        "dataset": ["acled"],
        "minfat": "5",
        "geoprec": "2",
        "timeprec": "1",
        "q": "Ségou",
        "bbox": "-5.5,10.0,4.25,25.0",
    }
    assert FilterSpec().to_query_params() == {}


def test_from_query_params_single_strings_and_lists():
    spec = FilterSpec.from_query_params(
        {"from": "2023-08-01", "to": ["2023-10-31"], "actor": "jnim", "type": ["Battles", "Riots"], "minfat": "2"}
    )
    assert spec == FilterSpec(
        date_from=date(2023, 8, 1), date_to=date(2023, 10, 31), actors=("jnim",), event_types=("Battles", "Riots"),
        min_fatalities=2,
    )  # fmt: skip


def test_from_query_params_ignores_other_parameters_and_blanks():
    assert FilterSpec.from_query_params({"page": "map", "from": "", "q": "", "actor": [""]}) == FilterSpec()


class RepeatedParams(dict):
    """Like Streamlit's query params: indexing gives the last value, ``get_all`` every value."""

    def __init__(self, pairs: list[tuple[str, str]]):
        super().__init__(pairs)
        self._pairs = pairs

    def get_all(self, key: str) -> list[str]:
        return [v for k, v in self._pairs if k == key]


def test_from_query_params_reads_repeated_values_through_get_all():
    params = RepeatedParams([("actor", "jnim"), ("actor", "FAMa"), ("region", "Mopti")])
    assert params["actor"] == "FAMa"
    spec = FilterSpec.from_query_params(params)
    assert spec.actors == ("jnim", "FAMa")
    assert spec.admin1 == ("Mopti",)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "01/08/2023"}, r"query parameter 'from' has '01/08/2023'; expected a date"),
        ({"type": ["Battles", "Skirmish"]}, r"query parameter 'type' has unknown event type 'Skirmish'"),
        ({"subtype": "Ambush"}, r"query parameter 'subtype' has unknown sub-event type 'Ambush'"),
        ({"minfat": "-1"}, r"query parameter 'minfat' has '-1'"),
        ({"minfat": "many"}, r"query parameter 'minfat' has 'many'"),
        ({"geoprec": "9"}, r"query parameter 'geoprec' has 9; expected an integer from 1 to 4"),
        ({"timeprec": "x"}, r"query parameter 'timeprec' has 'x'"),
        ({"bbox": "1,2,3"}, r"query parameter 'bbox' has '1,2,3'; expected four numbers"),
        ({"bbox": "a,b,c,d"}, r"query parameter 'bbox' has 'a,b,c,d'"),
        ({"poly": "-4,14;-3,14"}, r"query parameter 'poly' has '-4,14;-3,14'; expected at least 3 vertices"),
        (
            {"from": ["2023-01-01", "2023-02-01"]},
            r"query parameter 'from' has \['2023-01-01', '2023-02-01'\]; expected one",
        ),
        ({"from": "2023-09-01", "to": "2023-08-01"}, r"date_from 2023-09-01 is after date_to 2023-08-01"),
    ],
)
def test_from_query_params_errors_name_the_parameter(params, message):
    with pytest.raises(FilterError, match=message):
        FilterSpec.from_query_params(params)


names = st.text(max_size=20)
finite_lon = st.floats(-180, 180, allow_nan=False)
finite_lat = st.floats(-90, 90, allow_nan=False)


@st.composite
def specs(draw) -> FilterSpec:
    days = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31))
    date_from, date_to = draw(days), draw(days)
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    bbox = None
    if draw(st.booleans()):
        west, east = sorted(draw(st.tuples(finite_lon, finite_lon)))
        south, north = sorted(draw(st.tuples(finite_lat, finite_lat)))
        bbox = (west, south, east, north)
    return FilterSpec(
        date_from=date_from,
        date_to=date_to,
        actors=draw(st.lists(names, max_size=4)),
        event_types=draw(st.lists(st.sampled_from(EVENT_TYPES), max_size=3)),
        sub_event_types=draw(st.lists(st.sampled_from(SUB_EVENT_TYPES), max_size=3)),
        admin1=draw(st.lists(names, max_size=3)),
        datasets=draw(st.lists(names, max_size=2)),
        min_fatalities=draw(st.integers(0, 10_000)),
        max_geo_precision=draw(st.none() | st.integers(1, 4)),
        max_time_precision=draw(st.none() | st.integers(1, 4)),
        text=draw(names),
        bbox=bbox,
    )


@given(specs())
def test_query_params_round_trip(spec):
    assert FilterSpec.from_query_params(spec.to_query_params()) == spec


@given(specs())
def test_query_params_round_trip_through_a_url(spec):
    query = urlencode(spec.to_query_params(), doseq=True)
    assert FilterSpec.from_query_params(parse_qs(query, keep_blank_values=True)) == spec


# ---------------------------------------------------------------- description


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "all events"),
        (
            {
                "date_from": "2023-08-01",
                "date_to": "2023-10-31",
                "event_types": ["Battles", "Violence against civilians"],
                "actors": ["jnim", "FAMa"],
                "admin1": ["Timbuktu"],
            },
            "1 Aug 2023 – 31 Oct 2023 · Battles, Violence against civilians · actors: JNIM, Malian armed forces"
            " · region: Timbuktu",
        ),
        ({"date_from": "2023-08-01"}, "from 1 Aug 2023"),
        ({"date_to": "2024-02-29"}, "until 29 Feb 2024"),
        ({"date_from": "2023-08-01", "date_to": "2023-08-01"}, "1 Aug 2023"),
        ({"actors": ["Malian army", "FAMa", "Koglweogo Militia"]}, "actors: Malian armed forces, Koglweogo Militia"),
        ({"sub_event_types": ["Attack"], "admin1": ["Gao", "Kidal"]}, "Attack · regions: Gao, Kidal"),
        (
            {"datasets": ["acled"], "min_fatalities": 5, "max_geo_precision": 2, "max_time_precision": 1},
            "dataset: acled · ≥ 5 fatalities · location precision ≤ 2 · date precision ≤ 1",
        ),
        ({"text": "Ségou", "bbox": (-5.5, 10, 4, 25)}, "text “Ségou” · area -5.5, 10, 4, 25"),
    ],
)
def test_describe(kwargs, expected):
    assert FilterSpec(**kwargs).describe() == expected

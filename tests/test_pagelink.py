"""The page's state in its URL: filter, datasets and map drawing, and links that are partly wrong."""

from __future__ import annotations

from datetime import date

import pytest

from conflictmap.filters import FilterSpec
from conflictmap.pagelink import SOURCE_PARAM, VIEW_PARAM, PageState, query_key


class QueryParams(dict):
    """A mapping with ``get_all``, shaped like Streamlit's ``st.query_params`` (one string per key)."""

    def __init__(self, pairs: list[tuple[str, str]]):
        super().__init__()
        self._all: dict[str, list[str]] = {}
        for key, value in pairs:
            self._all.setdefault(key, []).append(value)
            self[key] = value

    def get_all(self, key: str) -> list[str]:
        return list(self._all.get(key, []))


def test_round_trip_through_query_params():
    state = PageState(
        FilterSpec(
            date_from=date(2023, 8, 1),
            date_to=date(2023, 10, 31),
            actors=("jnim", "wagner"),
            event_types=("Battles",),
            sub_event_types=("Attack",),
            admin1=("Timbuktu",),
            min_fatalities=2,
            text="Ber",
        ),
        ("acled.csv", "ucdp.csv"),
        "density",
    )
    params = state.to_query_params(["seed_events.csv"])
    assert params[SOURCE_PARAM] == ["acled.csv", "ucdp.csv"]
    assert params[VIEW_PARAM] == "density"
    assert params["actor"] == ["jnim", "wagner"]
    pairs = [(k, v) for k, vs in params.items() for v in ([vs] if isinstance(vs, str) else vs)]
    back, problems = PageState.from_query_params(QueryParams(pairs), ["seed_events.csv"])
    assert problems == []
    assert back == state


def test_defaults_are_left_out():
    assert PageState(FilterSpec(), ("seed_events.csv",), "auto").to_query_params(["seed_events.csv"]) == {}
    state, problems = PageState.from_query_params(QueryParams([]), ["seed_events.csv"])
    assert state == PageState(FilterSpec(), ("seed_events.csv",), "auto")
    assert problems == []


def test_a_bad_parameter_costs_only_itself():
    params = QueryParams([("type", "Battles"), ("minfat", "lots"), ("region", "Gao"), ("view", "sparkles")])
    state, problems = PageState.from_query_params(params, ["seed"])
    assert state.spec == FilterSpec(event_types=("Battles",), admin1=("Gao",))
    assert state.mode == "auto"
    assert len(problems) == 2
    assert "'minfat'" in problems[0] and "'lots'" in problems[0]
    assert "'view'" in problems[1] and "sparkles" in problems[1]


def test_dates_out_of_order_drop_the_dates_only():
    params = QueryParams([("from", "2023-10-01"), ("to", "2023-08-01"), ("q", "Ber")])
    state, problems = PageState.from_query_params(params)
    assert state.spec == FilterSpec(text="Ber")
    assert problems and "2023-10-01" in problems[0]


def test_repeated_sources_keep_their_order_without_repeats():
    params = QueryParams([("src", "b.csv"), ("src", "a.csv"), ("src", "b.csv")])
    state, _ = PageState.from_query_params(params, ["seed"])
    assert state.sources == ("b.csv", "a.csv")


def test_query_key_ignores_parameter_order_not_value_order():
    a = QueryParams([("type", "Battles"), ("actor", "jnim"), ("actor", "wagner")])
    b = QueryParams([("actor", "jnim"), ("actor", "wagner"), ("type", "Battles")])
    c = QueryParams([("actor", "wagner"), ("actor", "jnim"), ("type", "Battles")])
    assert query_key(a) == query_key(b)
    assert query_key(a) != query_key(c)
    assert query_key({"actor": ["jnim", "wagner"], "type": "Battles"}) == query_key(a)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        PageState(mode="sparkles")

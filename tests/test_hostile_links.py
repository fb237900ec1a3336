"""Links too long for the dashboard to apply are told, not silently ignored."""

from __future__ import annotations

from conflictmap.filters import FilterSpec
from conflictmap.pagelink import MAX_QUERY_CHARS, MAX_QUERY_FIELDS, link_too_long


def test_a_link_at_the_limit_is_fine() -> None:
    query = "&".join(f"actor=a{i}" for i in range(MAX_QUERY_FIELDS))
    assert link_too_long(query) is None
    assert link_too_long("") is None
    assert link_too_long("?from=2023-01-01") is None


def test_one_parameter_more_is_told() -> None:
    query = "?" + "&".join(f"actor=a{i}" for i in range(MAX_QUERY_FIELDS + 1))
    said = link_too_long(query)
    assert said is not None and "1,001 parameters" in said and "1,000" in said


def test_too_many_characters_are_told() -> None:
    assert "characters" in (link_too_long("q=" + "x" * MAX_QUERY_CHARS) or "")


def test_parameters_the_page_makes_are_checked_the_same_way() -> None:
    spec = FilterSpec(actors=[f"actor {i}" for i in range(1200)])
    said = link_too_long(spec.to_query_params())
    assert said is not None and "1,200 parameters" in said
    assert link_too_long(FilterSpec(actors=["JNIM"]).to_query_params()) is None

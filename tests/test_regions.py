"""Regions merged by alias across datasets: keys, masks, the filter, the picker's choices and search."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from conflictmap import facets
from conflictmap.filters import FilterSpec
from conflictmap.regions import fold, matches, matching_labels, region_key, region_mask, region_name


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Timbuktu", "timbuktu"),
        ("Tombouctou", "timbuktu"),
        ("TOMBOUCTOU", "timbuktu"),
        ("Région de Tombouctou", "timbuktu"),
        ("Ségou", "segou"),
        ("Segou", "segou"),
        ("  ségou  ", "segou"),
        ("Ménaka", "menaka"),
        # The 2023 regions count as the ones they were carved out of, as ACLED codes them.
        ("Taoudénit", "timbuktu"),
        ("Bandiagara", "mopti"),
        ("Douentza", "mopti"),
        ("San", "segou"),
        ("Nioro du Sahel", "kayes"),
        ("Dioïla", "koulikoro"),
        ("Koutiala", "sikasso"),
        # A region not of Mali keeps a key of its own, spellings still merged.
        ("Tillabéri", "tillaberi"),
        ("Centre-Nord", "centre nord"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_every_spelling_of_a_region_has_its_key(name, key):
    assert region_key(name) == key


def test_region_names_show_both_forms_so_either_is_found():
    assert region_name("timbuktu") == "Timbuktu / Tombouctou"
    assert region_name("segou") == "Segou / Ségou"
    assert region_name("gao") == "Gao"
    assert region_name("tillaberi") == "tillaberi"
    assert fold("Ségou  Région") == "segou region"


@pytest.mark.parametrize("categorical", [False, True])
def test_region_mask_matches_by_key_and_never_matches_missing(categorical):
    values = pd.Series(["Tombouctou", "Timbuktu", "Gao", None, "Ségou", "Taoudeni"])
    if categorical:
        values = values.astype("category")
    assert region_mask(values, ["Timbuktu"]).tolist() == [True, True, False, False, False, True]
    assert region_mask(values, ["segou", "GAO"]).tolist() == [False, False, True, False, True, False]
    assert not region_mask(values, ["nowhere"]).any()
    assert matching_labels(["Tombouctou", "Gao", "Timbuktu"], ["Région de Tombouctou"]) == ["Tombouctou", "Timbuktu"]


def test_the_readme_link_to_timbuktu_keeps_acled_s_tombouctou(make_events):
    events = make_events(
        {"event_id": "seed", "admin1": "Timbuktu"},
        {"event_id": "acled", "admin1": "Tombouctou"},
        {"event_id": "newer", "admin1": "Taoudénit"},
        {"event_id": "other", "admin1": "Gao"},
    )
    spec = FilterSpec.from_query_params({"region": ["Timbuktu"]})
    assert spec.apply(events)["event_id"].tolist() == ["seed", "acled", "newer"]
    assert FilterSpec(admin1=["ségou"]).apply(events).empty


def test_region_choices_merge_spellings_with_counts_and_labels():
    values = pd.Series(["Timbuktu", "Tombouctou", "Tombouctou", "Segou", "Ségou", "Ségou", None, "Gao"])
    table = facets.region_choices(values, selected=["Kidal", "Région de Tombouctou"])
    assert table["value"].tolist() == ["Segou", "Timbuktu", "Gao", "Kidal"]
    assert table["events"].tolist() == [3, 3, 1, 0]
    assert table["label"].tolist()[:3] == ["Segou / Ségou (3)", "Timbuktu / Tombouctou (3)", "Gao (1)"]
    assert {"Tombouctou", "Timbuktu", "Taoudénit"} <= set(table.set_index("key").loc["timbuktu", "spellings"])
    # What the pickers keep: one value per region, whatever spelling the link used.
    assert facets.region_pairs(values) == [("Segou", 3), ("Timbuktu", 3), ("Gao", 1)]
    assert facets.chosen_regions(table, ["Tombouctou", "Timbuktu", "kidal"]) == ["Timbuktu", "Kidal"]


def test_region_choices_count_grouped_rows_by_their_weights():
    table = facets.region_choices(pd.Series(["Tombouctou", "Timbuktu", "Gao"]), weights=[5, 2, 1])
    assert table[["value", "events"]].values.tolist() == [["Timbuktu", 7], ["Gao", 1]]


def test_a_region_of_another_country_is_shown_in_its_most_used_spelling():
    table = facets.region_choices(pd.Series(["Tillaberi", "Tillabéri", "Tillabéri"]))
    assert table[["value", "display_name", "events"]].values.tolist() == [["Tillabéri", "Tillabéri", 3]]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Ség", ["Segou"]),
        ("seg", ["Segou"]),
        ("SEGOU", ["Segou"]),
        ("Tomb", ["Timbuktu"]),
        ("taoudeni", ["Timbuktu"]),
        ("", ["Segou", "Timbuktu", "Gao"]),
        ("nowhere", []),
    ],
)
def test_pickers_search_without_regard_to_accents(query, found):
    table = facets.region_choices(pd.Series(["Segou", "Segou", "Tombouctou", "Tombouctou", "Gao"]))
    assert facets.search_choices(table, query)["value"].tolist() == found


def test_matches_folds_the_query_and_the_texts():
    assert matches("ség", ["SEGOU"]) and matches("", []) and not matches("kid", ["Gao"])


def test_regions_load_without_streamlit_or_folium():
    code = "import sys, conflictmap.regions\nprint(sorted({'streamlit', 'folium'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

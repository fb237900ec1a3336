"""Actor aliases: lookup, membership, masks over the actor columns, counts and mentions in text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import BARE_ROW, build_events

from conflictmap import actors
from conflictmap.schema import ACTOR_COLUMNS


def make_events(*rows: dict) -> pd.DataFrame:
    return build_events(*rows, base=BARE_ROW)


def as_object_columns(events: pd.DataFrame) -> pd.DataFrame:
    return events.astype({c: object for c in ACTOR_COLUMNS})


# ---------------------------------------------------------------- the table


def test_table_columns_and_every_key_resolves_to_itself():
    table = actors.actor_table()
    assert list(table.columns) == list(actors.TABLE_COLUMNS)
    for key in table["key"].unique():
        assert actors.actor_key(key) == key


def test_every_alias_in_the_table_maps_to_its_key():
    table = actors.actor_table()
    wrong = [(a, k, actors.actor_key(a)) for a, k in zip(table["alias"], table["key"], strict=True)]
    assert [w for w in wrong if w[1] != w[2]] == []


def test_actors_returns_a_copy():
    table = actors.actor_table()
    table.loc[0, "key"] = "changed"
    assert actors.actor_table().loc[0, "key"] != "changed"


def _frame(*rows: tuple[str, str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(actors.TABLE_COLUMNS))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((("a", "A", "x", "", "rebels"),), "kind 'rebels'"),
        ((("A-1", "A", "x", "", "civilians"),), "key 'A-1'"),
        ((("a", "A", "x", "", "civilians"), ("b", "B", "X", "", "civilians")), "alias 'X' is already an alias of 'a'"),
        ((("a", "A", "x", "", "civilians"), ("a", "Other", "y", "", "civilians")), "display_name 'Other'"),
        ((("a", "A", "x", "c", "civilians"),), "member_of 'c', which is not a key"),
        ((("a", "A", "x", "b", "civilians"), ("b", "B", "y", "a", "civilians")), "cycle"),
        ((("a", "A", "  ", "", "civilians"),), "empty alias"),
    ],
)
def test_malformed_table_is_rejected(rows, message):
    with pytest.raises(actors.AliasTableError, match=message):
        actors._build(_frame(*rows))


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Forces armées maliennes (FAMa)", "forces armees maliennes fama"),
        ("  The   Malian  army ", "malian army"),
        ("Jama’at Nusrat al-Islam wal-Muslimin", "jama at nusrat al islam wal muslimin"),
        ("mali_armed_forces", "mali armed forces"),
        ("", ""),
    ],
)
def test_normalize_actor(name, expected):
    assert actors.normalize_actor(name) == expected


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Military Forces of Mali (2012-2013)", "mali_armed_forces"),
        ("Military Forces of Mali (2013-2020)", "mali_armed_forces"),
        ("Military Forces of Mali (2020-2021)", "mali_armed_forces"),
        ("Military Forces of Mali (2021-)", "mali_armed_forces"),
        ("Military Forces of Mali (2026-)", "mali_armed_forces"),
        ("FAMa", "mali_armed_forces"),
        ("the Malian army", "mali_armed_forces"),
        ("ARMÉE MALIENNE", "mali_armed_forces"),
        ("Forces armées maliennes (FAMa)", "mali_armed_forces"),
        ("Police Forces of Mali (2021-)", "mali_police"),
        ("Gendarmerie", "mali_gendarmerie"),
        ("National Guard of Mali", "mali_national_guard"),
        ("the junta", "mali_government"),
        ("Military Forces of Russia (2000-) Wagner Group", "wagner"),
        ("Africa Corps", "africa_corps"),
        ("Russian instructors", "russian_forces"),
        ("MNLA: National Movement for the Liberation of Azawad", "mnla"),
        ("Front de Libération de l'Azawad", "fla"),
        ("MAA-Plateforme", "maa_plateforme"),
        ("Movement for the Salvation of Azawad (Daoussahak)", "msa_d"),
        ("JNIM: Group for Support of Islam and Muslims", "jnim"),
        ("Jama’at Nusrat al-Islam wal-Muslimin", "jnim"),
        ("FLM: Macina Liberation Front", "katiba_macina"),
        ("Islamic State (Sahel)", "islamic_state_sahel"),
        ("Islamic State (Greater Sahara)", "islamic_state_sahel"),
        ("EIGS", "islamic_state_sahel"),
        ("MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali (2013-2023)", "minusma"),
        ("Military Forces of France (2017-)", "french_forces"),
        ("Opération Barkhane", "french_forces"),
        ("Dozo Communal Militia (Mali)", "dozo"),
        ("Dan Na Ambassagou", "dan_na_ambassagou"),
        ("Fulani Ethnic Militia (Mali)", "fulani_militia"),
        ("Civilians (Mali)", "civilians"),
        ("Civilians (Burkina Faso)", "civilians"),
        ("Unidentified Armed Group (Mali)", "unidentified_armed_group"),
        ("Protesters (Mali)", "protesters"),
        ("Rioters (Mali)", "rioters"),
        # ACLED's "ABBREVIATION: Full name": either side is enough.
        ("CMA: some new long name", "cma"),
    ],
)
def test_actor_key(name, key):
    assert actors.actor_key(name) == key


@pytest.mark.parametrize("name", ["Koglweogo Militia (Burkina Faso)", "Military Forces of Chad (2021-)", "", "The"])
def test_actor_key_unknown_is_none_and_resolves_to_normalized_self(name):
    assert actors.actor_key(name) is None
    assert actors.resolve_actor(name) == actors.normalize_actor(name)


def test_display_name():
    assert actors.display_name("mali_armed_forces") == "Malian armed forces"
    assert actors.display_name("no such key") == "no such key"


@pytest.mark.parametrize(
    ("key", "expected_in", "expected_out"),
    [
        ("jnim", {"jnim", "katiba_macina", "ansar_dine"}, {"islamic_state_sahel"}),
        ("cma", {"cma", "mnla", "hcua", "maa_cma", "csp_psd", "fla"}, {"maa", "gatia"}),
        ("plateforme", {"gatia", "maa_plateforme", "cmfpr"}, {"maa_cma"}),
        ("msa", {"msa_d", "msa_c"}, set()),
        ("russian_forces", {"wagner", "africa_corps"}, set()),
        (
            "mali_security_forces",
            {"mali_armed_forces", "mali_police", "mali_gendarmerie", "mali_national_guard"},
            set(),
        ),
        ("katiba_macina", {"katiba_macina"}, {"jnim"}),
    ],
)
def test_members(key, expected_in, expected_out):
    found = actors.members(key)
    assert found[0] == key
    assert expected_in <= set(found)
    assert not expected_out & set(found)


def test_members_of_unknown_key_is_itself():
    assert actors.members("some militia") == ("some militia",)


def test_members_are_transitive(monkeypatch):
    table = actors._build(
        pd.DataFrame(
            [("a", "A", "x", "", "civilians"), ("b", "B", "y", "a", "civilians"), ("c", "C", "z", "b", "civilians")],
            columns=list(actors.TABLE_COLUMNS),
        )
    )
    monkeypatch.setattr(actors, "_aliases", lambda: table)
    assert actors.members("a") == ("a", "b", "c")
    assert actors.members("b") == ("b", "c")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("A; B", ["A", "B"]),
        (" A ;B; ;", ["A", "B"]),
        ("Military Forces of Mali (2021-)", ["Military Forces of Mali (2021-)"]),
        ("", []),
        (None, []),
        (pd.NA, []),
        (float("nan"), []),
    ],
)
def test_split_actors(cell, expected):
    assert actors.split_actors(cell) == expected


# ---------------------------------------------------------------- masks and counts


@pytest.fixture
def events() -> pd.DataFrame:
    return make_events(
        {"actor1": "Military Forces of Mali (2021-)", "actor2": "JNIM: Group for Support of Islam and Muslims"},
        {"actor1": "Katiba Macina", "actor2": "Civilians (Mali)"},
        {
            "actor1": "Islamic State (Sahel)",
            "actor2": "Military Forces of Mali (2013-2020)",
            "assoc_actor_2": "Military Forces of Russia (2000-) Wagner Group; Dozo Communal Militia (Mali)",
        },
        {
            "actor1": "Unidentified Armed Group (Mali)",
            "actor2": "Civilians (Mali)",
            "assoc_actor_1": "Koglweogo Militia (Mali)",
        },
        {"actor1": "FAMa", "assoc_actor_1": "Malian army; FAMa", "actor2": "Protesters (Mali)"},
        {"actor1": "MNLA: National Movement for the Liberation of Azawad", "actor2": "GATIA"},
    )


@pytest.mark.parametrize(
    ("keys", "include_members", "rows"),
    [
        (["jnim"], True, [0, 1]),
        (["jnim"], False, [0]),
        (["JNIM: Group for Support of Islam and Muslims"], True, [0, 1]),
        (["katiba_macina"], True, [1]),
        (["mali_armed_forces"], True, [0, 2, 4]),
        (["Malian army"], True, [0, 2, 4]),
        (["wagner"], True, [2]),
        (["russian_forces"], True, [2]),
        (["russian_forces"], False, []),
        (["dozo"], True, [2]),
        (["Koglweogo Militia (Mali)"], True, [3]),
        (["koglweogo militia mali"], True, [3]),
        (["civilians", "protesters"], True, [1, 3, 4]),
        (["cma"], True, [5]),
        (["plateforme"], True, [5]),
        (["plateforme"], False, []),
        ([], True, []),
    ],
)
def test_actor_mask(events, keys, include_members, rows):
    mask = actors.actor_mask(events, keys, include_members=include_members)
    assert mask.dtype == bool
    assert np.flatnonzero(mask).tolist() == rows
    plain = actors.actor_mask(as_object_columns(events), keys, include_members=include_members)
    assert np.array_equal(plain, mask)


def test_actor_mask_ignores_categories_with_no_rows(events):
    subset = events.iloc[[1, 3]]
    assert "Military Forces of Mali (2021-)" in subset["actor1"].cat.categories
    assert not actors.actor_mask(subset, ["mali_armed_forces"]).any()


def test_actor_counts_counts_each_event_once_per_actor(events):
    counts = actors.actor_counts(events)
    assert list(counts.columns) == ["key", "display_name", "events"]
    by_key = dict(zip(counts["key"], counts["events"], strict=True))
    # Row 4 names the armed forces three times; it still counts once.
    assert by_key["mali_armed_forces"] == 3
    assert by_key["civilians"] == 2
    assert by_key["jnim"] == 1
    assert by_key["katiba_macina"] == 1
    assert by_key["koglweogo militia mali"] == 1
    assert counts["events"].is_monotonic_decreasing
    shown = dict(zip(counts["key"], counts["display_name"], strict=True))
    assert shown["mali_armed_forces"] == "Malian armed forces"
    assert shown["koglweogo militia mali"] == "Koglweogo Militia (Mali)"
    assert counts["events"].sum() == sum(len(actors.distinct_actors(events.iloc[[i]])) for i in range(len(events)))


def test_actor_counts_same_for_object_columns(events):
    pd.testing.assert_frame_equal(actors.actor_counts(as_object_columns(events)), actors.actor_counts(events))


def test_actor_counts_of_no_actors():
    counts = actors.actor_counts(make_events({}, {}))
    assert list(counts.columns) == ["key", "display_name", "events"]
    assert counts.empty


def test_actor_counts_of_grouped_rows_with_weights(events):
    # Rows 0 and 4 stand for 3 and 2 events each: the same as the table with those rows repeated.
    weights = [3, 1, 1, 1, 2, 1]
    repeated = events.iloc[np.repeat(np.arange(len(events)), weights)].reset_index(drop=True)
    weighted = actors.actor_counts(events, weights=weights)
    pd.testing.assert_frame_equal(weighted, actors.actor_counts(repeated))
    by_key = dict(zip(weighted["key"], weighted["events"], strict=True))
    assert by_key["mali_armed_forces"] == 3 + 1 + 2
    assert by_key["jnim"] == 3
    # A weight of 0 keeps the row's labels but counts nothing for it.
    zeroed = actors.actor_counts(events, weights=[0, 1, 1, 1, 1, 1])
    assert "jnim" not in set(zeroed["key"])
    ones = actors.actor_counts(events, weights=np.ones(len(events)))
    pd.testing.assert_frame_equal(ones, actors.actor_counts(events))


def test_actor_counts_wants_one_weight_per_row(events):
    with pytest.raises(ValueError, match="weights has 2 values for 6 rows"):
        actors.actor_counts(events, weights=[1, 2])


def test_distinct_actors(events):
    assert actors.distinct_actors(events.iloc[[4]]) == {"mali_armed_forces", "protesters"}
    assert actors.distinct_actors(events.iloc[[2]]) == {"islamic_state_sahel", "mali_armed_forces", "wagner", "dozo"}


# ---------------------------------------------------------------- mentions in text


def test_find_mentions_case_accents_and_offsets():
    text = "Selon l’ARMEE malienne, le Jama’at Nusrat al Islam wal Muslimin et la katiba macina ont attaqué."
    found = actors.find_mentions(text)
    assert [(k, m) for _, _, k, m in found] == [
        ("mali_armed_forces", "ARMEE malienne"),
        ("jnim", "Jama’at Nusrat al Islam wal Muslimin"),
        ("katiba_macina", "katiba macina"),
    ]
    for start, end, _, matched in found:
        assert text[start:end] == matched


def test_find_mentions_decomposed_accents_keep_offsets():
    text = "L'arme\u0301e malienne a riposte\u0301."
    [(start, end, key, matched)] = actors.find_mentions(text)
    assert key == "mali_armed_forces"
    assert matched == "arme\u0301e malienne"
    assert text[start:end] == matched


def test_find_mentions_longest_wins_and_no_overlap():
    text = "Military Forces of Russia (2000-) Wagner Group and JNIM: Group for Support of Islam and Muslims."
    found = actors.find_mentions(text)
    assert [(k, m) for _, _, k, m in found] == [
        ("wagner", "Military Forces of Russia (2000-) Wagner Group"),
        ("jnim", "JNIM: Group for Support of Islam and Muslims"),
    ]


def test_find_mentions_prefers_the_longer_of_overlapping_mentions_that_start_apart():
    # "Wagner Group" starts first, but the longer "Group for Support of Islam and Muslims" overlaps it.
    found = actors.find_mentions("Wagner Group for Support of Islam and Muslims")
    assert [(k, m) for _, _, k, m in found] == [
        ("wagner", "Wagner"),
        ("jnim", "Group for Support of Islam and Muslims"),
    ]


@pytest.mark.parametrize("text", ["The CMAs and FLAGs", "jnimist", "Dozonia", ""])
def test_find_mentions_respects_word_boundaries(text):
    assert actors.find_mentions(text) == []


def test_find_mentions_several_of_one_actor():
    found = actors.find_mentions("FAMa here, FAMa there.")
    assert [(s, e, k) for s, e, k, _ in found] == [(0, 4, "mali_armed_forces"), (11, 15, "mali_armed_forces")]

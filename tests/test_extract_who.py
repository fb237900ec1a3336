"""Actor mentions and who did what to whom."""

from __future__ import annotations

import pytest

from conflictmap.extract.who import acled_name, assign_roles, camp, find_actors, resolve_references


def keys(sentence: str, **kwargs) -> tuple[str | None, list[str], str | None, list[str]]:
    return assign_roles(sentence, find_actors(sentence), **kwargs).keys()


def test_named_and_common_words() -> None:
    text = "The army and FAMa soldiers, the junta, Russian partners, gunmen, des jihadistes et des villageois."
    found = [(m.text, m.key, m.generic) for m in find_actors(text)]
    assert found == [
        ("The army", "mali_armed_forces", True),
        ("FAMa", "mali_armed_forces", False),
        ("soldiers", "mali_armed_forces", True),
        ("junta", "mali_government", False),
        ("Russian partners", "russian_forces", False),
        ("gunmen", "unidentified_armed_group", False),
        ("des jihadistes", "unidentified_armed_group", True),
        ("des villageois", "civilians", True),
    ]


def test_other_countries_soldiers_are_not_the_malian_army() -> None:
    assert [m.key for m in find_actors("French troops and UN soldiers left.")] == ["french_forces"]
    assert [m.key for m in find_actors("les soldats de la paix")] == ["minusma"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "At the end of August, the army clashed with fighters of the Coordination of Azawad Movements (CMA).",
            ("mali_armed_forces", [], "cma", []),
        ),
        (
            "A drone strike by the Malian army killed at least eight civilians near Anefis.",
            ("mali_armed_forces", [], "civilians", []),
        ),
        (
            "On February 14, a Malian army patrol was ambushed near Tessit by gunmen.",
            ("unidentified_armed_group", [], "mali_armed_forces", []),
        ),
        (
            "Une embuscade tendue par des hommes armés contre un groupe de chasseurs dozos a fait des morts.",
            ("unidentified_armed_group", [], "dozo", []),
        ),
        (
            "Des hommes armés non identifiés ont enlevé une dizaine d'habitants du village.",
            ("unidentified_armed_group", [], "civilians", []),
        ),
        (
            "Its fighters had repelled an attack by the army and its Russian partners on their positions.",
            ("mali_armed_forces", ["russian_forces"], None, []),
        ),
        (
            "The general staff ordered all gendarmerie units to step up security.",
            ("mali_armed_forces", ["mali_gendarmerie"], None, []),
        ),
        (
            "Des combattants de la Coordination des mouvements de l'Azawad (CMA) ont affronté des militaires maliens.",
            ("cma", [], "mali_armed_forces", []),
        ),
    ],
)
def test_roles(sentence: str, expected: tuple) -> None:
    assert keys(sentence) == expected


def test_non_participants_are_left_out_with_a_reason() -> None:
    sentence = (
        "A car bomb attack was foiled by the security forces in Kati, the junta's stronghold, "
        "near a camp vacated by the UN mission MINUSMA, according to the CMA."
    )
    roles = assign_roles(sentence, find_actors(sentence))
    assert roles.keys() == ("mali_security_forces", [], None, [])
    assert {(m.text, why) for m, why in roles.left_out} == {
        ("junta", "descriptive"),
        ("the UN mission", "incidental"),
        ("MINUSMA", "incidental"),
        ("CMA", "incidental"),
    }


def test_a_source_is_left_out_unless_it_speaks_of_itself() -> None:
    quoted = "Four soldiers were killed by a mine, the army said."
    roles = assign_roles(quoted, find_actors(quoted))
    assert [why for _, why in roles.left_out] == ["source"]
    itself = "The army said it killed a dozen assailants."
    assert keys(itself)[0] == "mali_armed_forces"
    french = "Le convoi a été attaqué, a indiqué l'armée."
    assert [why for _, why in assign_roles(french, find_actors(french)).left_out] == ["source"]


def test_a_hand_over_makes_the_recipient_the_doer() -> None:
    sentence = "La Minusma a achevé le retrait de ses casques bleus du camp de Ber et l'a rétrocédé à l'armée malienne."
    assert keys(sentence, transfer=True)[0] == "mali_armed_forces"
    assert keys(sentence, transfer=True)[2] == "minusma"


def test_definite_common_words_point_at_the_group_named_before() -> None:
    text = "Des combattants de l'État islamique au Grand Sahara ont attaqué. Samedi, le MSA a affronté les jihadistes."
    mentions = resolve_references(text, find_actors(text))
    assert [(m.text, m.key) for m in mentions if m.generic] == [("les jihadistes", "islamic_state_sahel")]
    # Without a group named before, they stay unidentified.
    alone = "Les assaillants ont pris la fuite."
    assert resolve_references(alone, find_actors(alone))[0].key == "unidentified_armed_group"


def test_camps() -> None:
    assert camp("mali_gendarmerie") == camp("wagner") == camp("mali_government") == "state"
    assert camp("mnla") == camp("csp_psd") == "cma"
    assert camp("katiba_macina") == "jnim"


@pytest.mark.parametrize(
    ("key", "year", "name"),
    [
        ("mali_armed_forces", 2023, "Military Forces of Mali (2021-)"),
        ("mali_armed_forces", 2015, "Military Forces of Mali (2013-2020)"),
        ("cma", 2023, "CMA: Coordination of Azawad Movements"),
        ("civilians", 2023, "Civilians (Mali)"),
        ("unidentified_armed_group", 2023, "Unidentified Armed Group (Mali)"),
        ("mali_gendarmerie", 2023, "Military Forces of Mali (2021-) Gendarmerie"),
        ("dozo", 2022, "Dozo Communal Militia (Mali)"),
    ],
)
def test_acled_names(key: str, year: int, name: str) -> None:
    assert acled_name(key, year) == name

"""Place mentions and what the words around them make of them."""

from __future__ import annotations

import pytest

from conflictmap import gazetteer
from conflictmap.extract.places import best_place, find_foreign, find_places


def roles(text: str, **kwargs) -> list[tuple[str, str, str, int]]:
    return [(m.text, m.name, m.role, m.geo_precision) for m in find_places(text, **kwargs)]


def test_a_landmark_at_a_distance_is_not_the_place() -> None:
    text = "The army clashed with CMA fighters at Ber, a few dozen kilometres from Timbuktu."
    found = find_places(text)
    assert roles(text) == [("Ber", "Ber", "place", 1), ("Timbuktu", "Timbuktu", "reference", 2)]
    timbuktu = found[1]
    assert text[timbuktu.cue[0] : timbuktu.cue[1]] == "a few dozen kilometres from "
    assert best_place(found).name == "Ber"


@pytest.mark.parametrize(
    "text",
    [
        "about 40 kilometres south of Gao",
        "some 60 km (40 miles) north-east of Gao",
        "à 45 km au sud de Gao",
        "à une cinquantaine de kilomètres de Gao",
    ],
)
def test_distance_phrases_make_a_reference(text: str) -> None:
    [(_, name, role, precision)] = roles(text)
    assert (name, role, precision) == ("Gao", "reference", 2)


def test_a_reference_alone_still_locates_the_event_near_it() -> None:
    found = find_places("Gunmen killed five people about 30 km from Gao.")
    assert (best_place(found).name, best_place(found).geo_precision) == ("Gao", 2)


@pytest.mark.parametrize(
    "text",
    [
        "a patrol was ambushed near Tessit",
        "des frappes menées près de Tessit",
        "aux abords de Tessit",
        "not far from Tessit",
        "on the outskirts of Tessit",
        "dans le cercle de Tessit",
    ],
)
def test_near_gives_precision_2(text: str) -> None:
    assert roles(text)[-1][1:] == ("Tessit", "near", 2)


def test_between_two_towns_and_a_road_are_near_both() -> None:
    assert roles("on the road between Gao and Ansongo") == [
        ("Gao", "Gao", "near", 2),
        ("Ansongo", "Ansongo", "near", 2),
    ]
    assert [r[2] for r in roles("sur l'axe Gao-Ansongo")] == ["near", "near"]


def test_regions_and_the_bamako_district() -> None:
    assert roles("displaced in the Timbuktu region") == [("Timbuktu region", "Timbuktu Region", "region", 3)]
    assert roles("dans la région de Ségou")[0][1:] == ("Ségou Region", "region", 3)
    # The Bamako district is the city.
    assert roles("gendarmerie units in the Bamako region") == [("Bamako region", "Bamako", "place", 1)]


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("foiled last Thursday in Kati's Koko-Plateau quarter", "Kati's Koko-Plateau"),
        ("in the Koko-Plateau quarter of Kati", "Koko-Plateau quarter of Kati"),
        ("dans le quartier Koko-Plateau de Kati", "Koko-Plateau de Kati"),
        ("à Kati, quartier Koko-Plateau", "Kati, quartier Koko-Plateau"),
        ("a car bomb in Kati Koko-Plateau on Thursday", "Kati Koko-Plateau"),
    ],
)
def test_a_quarter_the_gazetteer_lacks_is_placed_at_its_town(text: str, mention: str) -> None:
    [m] = find_places(text)
    kati = gazetteer.resolve("Kati")
    assert (m.text, m.name, m.role, m.geo_precision) == (mention, "Kati - Koko-Plateau", "quarter", 2)
    assert (m.latitude, m.longitude) == (kati.latitude, kati.longitude)


def test_a_capitalised_word_after_a_town_is_not_a_quarter() -> None:
    assert roles("in Kati Monday and in Gao Sunday") == [("Kati", "Kati", "place", 1), ("Gao", "Gao", "place", 1)]
    assert roles("in Kati's Sikasso quarter")[0][2] != "quarter"  # a known place is no quarter name


def test_a_quarter_in_the_gazetteer_has_its_own_point(monkeypatch: pytest.MonkeyPatch) -> None:
    table = (
        *gazetteer.places(),
        gazetteer.Place("Koko-Plateau", ("Koko",), "quarter", "Koulikoro", "Kati", "Kati", 12.75, -8.06, "test"),
    )
    mentions = gazetteer._build_mentions(gazetteer._build_index(table))
    monkeypatch.setattr(gazetteer, "find_mentions", lambda text: gazetteer._find_in(text, mentions))
    found = find_places("foiled last Thursday in Kati's Koko-Plateau quarter")
    chosen = best_place(found)
    assert (chosen.name, chosen.role, chosen.geo_precision) == ("Kati - Koko-Plateau", "quarter", 1)
    assert (chosen.latitude, chosen.longitude) == (12.75, -8.06)


def test_skipped_spans_are_not_places() -> None:
    text = "La katiba Macina a revendiqué l'attaque à Niono."
    start = text.index("katiba Macina")
    names = [m.name for m in find_places(text, skip=[(start, start + len("katiba Macina"))])]
    assert names == ["Niono"]


def test_homonyms_choose_the_region_the_article_speaks_of(monkeypatch: pytest.MonkeyPatch) -> None:
    table = (
        gazetteer.Place("Kouna", (), "village", "Mopti", "Mopti", None, 14.1, -4.0, "test"),
        gazetteer.Place("Kouna", (), "village", "Segou", "San", None, 13.2, -5.0, "test"),
        gazetteer.Place("Tominian", (), "cercle_capital", "Segou", "Tominian", None, 13.3, -4.6, "test"),
    )
    mentions = gazetteer._build_mentions(gazetteer._build_index(table))
    monkeypatch.setattr(gazetteer, "find_mentions", lambda text: gazetteer._find_in(text, mentions))
    [_, kouna] = find_places("After Tominian, gunmen attacked Kouna.")
    assert (kouna.admin1, kouna.alternatives) == ("Segou", 2)


def test_foreign_countries_but_not_the_river() -> None:
    text = "The violence spread to Burkina Faso and Niger, while the Niger River and le fleuve Niger rose."
    assert [name for _, _, name in find_foreign(text)] == ["Burkina Faso", "Niger"]

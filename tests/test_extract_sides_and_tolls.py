"""Sides, tolls, spellings and datelines that misled extraction, each on sentences written for this test.

Tolls told with a nationality after the noun, an aside, a figure in brackets or "we lost";
the sides of a clash given by a later sentence; villages spelt with one letter doubled or not;
a region named next to a homonym; datelines further down a page or ended by a colon; incidents
told as "a few days ago"; mine explosions named by the noun; a helicopter's fire.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from conflictmap.extract import REVIEW_THRESHOLD, extract_events
from conflictmap.extract.places import find_places
from conflictmap.extract.text import find_dateline
from conflictmap.extract.what import find_fatalities, find_triggers

PUBLISHED = dt.date(2024, 5, 9)  # a Thursday


def _extract(text: str, published: dt.date = PUBLISHED) -> pd.DataFrame:
    found = extract_events(text, published=published, source="Test Wire")
    return found[found["confidence"] >= REVIEW_THRESHOLD].reset_index(drop=True)


def _counts(text: str) -> list[int]:
    return [f.count for f in find_fatalities(text)]


def test_a_nationality_after_the_noun_keeps_the_toll() -> None:
    assert _counts("Au moins douze soldats nigériens ont été tués mardi près de la frontière.") == [12]
    assert _counts("Trois casques bleus tchadiens ont été tués par une mine.") == [3]


def test_an_aside_on_who_died_keeps_the_toll() -> None:
    assert _counts("At least nine villagers, including four women, were killed in the raid.") == [9]
    assert _counts("Onze civils, dont deux enfants, ont été tués dans l'attaque du marché.") == [11]


def test_one_person_told_with_an_article_is_one_death() -> None:
    assert _counts("Une personne a été tuée lors de l'attaque du village.") == [1]
    assert _counts("Un habitant du hameau a été tué par une balle perdue.") == [1]


def test_a_number_in_words_with_its_figure_in_brackets() -> None:
    assert _counts("Six (6) morts et plusieurs blessés, selon le maire.") == [6]


def test_we_lost_men_is_a_toll_and_how_many_is_no_toll() -> None:
    assert _counts('"Nous avons perdu quatre hommes", a déclaré le porte-parole du mouvement.') == [4]
    assert _counts("There was no word on how many militants were killed.") == []


def test_the_sentence_naming_both_sides_says_which_is_which() -> None:
    text = (
        "Des affrontements impliquant la Coordination des mouvements de l'Azawad (CMA) ont éclaté mardi.\n\n"
        "Les combats, entre le Groupe d'autodéfense touareg Imghad et alliés (Gatia) et la CMA, se sont produits "
        "mardi à Anéfis."
    )
    found = _extract(text)
    assert len(found) == 1
    assert found.loc[0, "actor1"].startswith("GATIA")
    assert found.loc[0, "actor2"].startswith("CMA")


def test_a_headline_participle_makes_the_soldiers_the_target() -> None:
    text = (
        "Five Malian soldiers killed in ambush near Léré\n\n"
        "BAMAKO (Reuters) - Five Malian soldiers were killed on Tuesday in an ambush by rebel fighters near the "
        "town of Léré, a military source said."
    )
    found = _extract(text)
    assert len(found) == 1
    assert found.loc[0, "actor1"].startswith("CMA")
    assert found.loc[0, "actor2"].startswith("Military Forces of Mali")
    assert found.loc[0, "fatalities"] == 5


def test_a_village_spelt_with_a_letter_doubled_or_not_is_found() -> None:
    # The lists write Diallassagou; the press also writes it with one s.
    names = [m.name for m in find_places("Des hommes armés ont attaqué le village de Diallasagou jeudi.")]
    assert names == ["Diallassagou"]


def test_a_region_named_like_its_capital_does_not_choose_among_homonyms() -> None:
    # Two villages are called Bani Bangou; the department seat is the town, far from Tillabéri town.
    text = "Soldiers on patrol in the north of Banibangou department were ambushed, in the region of Tillaberi."
    places = {m.text: m for m in find_places(text)}
    assert round(places["Banibangou"].latitude, 1) == 15.0


def test_a_dateline_further_down_the_page_or_ended_by_a_colon() -> None:
    menus = "Home\n\nWorld\n\nAfrica\n\nNews in brief\n\n"
    line = find_dateline(menus + "BAMAKO (Reuters) - Gunmen killed three traders on Monday near Douentza.")
    assert line is not None and line.place == "BAMAKO"
    line = find_dateline("BAMAKO: Gunmen killed three traders on Monday near Douentza.")
    assert line is not None and line.place == "BAMAKO"


def test_fighting_told_as_a_few_days_ago_is_background() -> None:
    text = (
        "Il y a quelques jours, Bourem et Léré ont été le théâtre de combats meurtriers. "
        "Ce mercredi 8 mai, les FAMa ont repoussé une attaque terroriste à Nara."
    )
    found = _extract(text)
    assert list(found["location"]) == ["Nara"]


def test_a_mine_explosion_named_by_the_noun_is_an_explosion_on_civilians() -> None:
    subs = {t.sub_event_type for t in find_triggers("dans l'explosion d'une mine au passage du car")}
    assert subs == {"Remote explosive/landmine/IED"}
    found = _extract("Mardi, huit civils ont péri dans l'explosion d'une mine près de Boni.")
    assert list(found["sub_event_type"]) == ["Remote explosive/landmine/IED"]
    assert found.loc[0, "actor2"] == "Civilians (Mali)"
    assert found.loc[0, "fatalities"] == 8


def test_a_helicopter_opening_fire_is_a_strike_from_the_air() -> None:
    subs = {t.sub_event_type for t in find_triggers("Witnesses said a low-flying helicopter opened fire on them.")}
    assert "Air/drone strike" in subs


def test_the_state_that_carries_out_the_strikes_is_not_also_their_target() -> None:
    text = (
        "Au moins 12 personnes, dont des enfants, ont été tuées mardi dans des frappes de drones menées par "
        "l'armée malienne à Kidal."
    )
    found = _extract(text)
    assert found.loc[0, "actor1"].startswith("Military Forces of Mali")
    assert found.loc[0, "actor2"] == "Civilians (Mali)"


def test_a_toll_told_place_by_place_for_a_list_of_villages() -> None:
    text = (
        "Les villages de Bankass et Koro ont été attaqués dimanche par des hommes armés. "
        "Huit (8) morts, dont cinq (5) à Bankass et trois (3) à Koro, selon un élu local."
    )
    found = _extract(text).sort_values("location")
    assert list(found["location"]) == ["Bankass", "Koro"]
    assert list(found["fatalities"]) == [5, 3]


def test_the_bodies_of_soldiers_count_and_a_figure_replaces_several() -> None:
    assert _counts("There are the bodies of four soldiers at the hospital.") == [4]
    text = (
        "Gunmen killed several Nigerien soldiers on Tuesday near the border.\n\n"
        '"We have seen the bodies of six Nigerien soldiers", said an official of the Tillaberi region.'
    )
    found = _extract(text)
    assert list(found["fatalities"]) == [6]


def test_the_blast_told_again_with_its_day_and_place() -> None:
    text = (
        "Two peacekeepers were killed when a roadside bomb exploded, officials said on Tuesday.\n\n"
        "The mission was the deadliest even before the last French troops left the country in March.\n\n"
        "The explosion Monday took place near the town of Aguelhok."
    )
    found = _extract(text)
    assert list(found["location"]) == ["Aguelhok"]
    assert list(found["event_date"]) == [pd.Timestamp("2024-05-06")]


def test_a_clause_opening_on_an_unlisted_place_told_by_its_distance_is_another_incident() -> None:
    text = (
        "Ce mercredi 8 mai, les FAMa ont repoussé une attaque terroriste à Nara. "
        "A Tinkarane, située à 40 kilomètres de Tombouctou, une voiture piégée a explosé près d'un poste."
    )
    found = _extract(text).sort_values("location")
    assert list(found["location"]) == ["Nara", "Timbuktu"]
    assert found.set_index("location").loc["Timbuktu", "sub_event_type"] == "Remote explosive/landmine/IED"


def test_a_village_placed_by_the_town_of_the_lead_is_the_same_attack_at_the_village() -> None:
    text = (
        "Un convoi a été attaqué vendredi à Gao par des hommes armés. L'attaque a fait au moins 20 morts.\n\n"
        "Le convoi comptait des dizaines de camions et de bus.\n\n"
        "L'attaque s'est produite près du village de Kobe, à 35 kilomètres de Gao, selon un transporteur."
    )
    found = _extract(text)
    assert list(found["location"]) == ["Kobe"]
    assert list(found["fatalities"]) == [20]


def test_but_that_day_moves_the_fighting_to_another_place() -> None:
    text = (
        "Samedi, les combats étaient concentrés près de Bourem, mais ce lundi, de violents affrontements ont "
        "éclaté à Anéfis entre des groupes armés."
    )
    found = _extract(text)
    assert "Anéfis" in set(found["location"])
    assert found.set_index("location").loc["Anéfis", "event_date"] == pd.Timestamp("2024-05-06")

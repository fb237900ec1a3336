"""Causes read on the fifth blind set, each on sentences written for this test.

Homonyms chosen by the province or cercle the article names, by the spelling written and, for a
unit's name, by its seat; an abduction told with a killing typed as the attack; a thing taken
("un véhicule enlevé") is no abduction; a crowd's "clashes" are the protest's; the attacked camp's
holder is the target of the noun "attack"; a report's tally and "these last months" are background.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

import pandas as pd

from conflictmap import gazetteer
from conflictmap.extract import REVIEW_THRESHOLD, events, extract_events
from conflictmap.extract.places import _choose, find_places
from conflictmap.extract.what import best_trigger, find_triggers
from conflictmap.extract.who import assign_roles, find_actors
from conflictmap.gazetteer import Candidate

PUBLISHED = dt.date(2024, 5, 9)  # a Thursday


def _extract(text: str, published: dt.date = PUBLISHED) -> pd.DataFrame:
    found = extract_events(text, published=published, source="Test Wire")
    return found[found["confidence"] >= REVIEW_THRESHOLD].reset_index(drop=True)


def _best(text: str) -> str:
    trigger = best_trigger(find_triggers(text))
    assert trigger is not None
    return trigger.sub_event_type


def _place_of(text: str, name: str) -> gazetteer.Place:
    return next(m.place for m in find_places(text) if m.name == name or m.place.name == name)


def test_the_province_or_cercle_named_chooses_among_homonyms() -> None:
    kita = _place_of("Des hommes armés ont attaqué lundi le village de Santafara, dans le cercle de Kita.", "Santafara")
    assert kita.admin2 == "Kita"
    other = _place_of("Gunmen raided the village of Santafara, in the Bafoulabe cercle, on Monday.", "Santafara")
    assert other.admin2 == "Bafoulabe"


def test_the_spelling_written_outranks_a_variant_spelling() -> None:
    a = gazetteer.places()[0]
    exact = Candidate(replace(a, name="Tenkoro", alt_names=(), kind="village", admin2="A"), 0.75, "Tenkoro")
    variant = Candidate(replace(a, name="Tenkorro", alt_names=(), kind="town", admin2="B"), 0.8, "Tenkoro")
    chosen = _choose([variant, exact], Counter(), written="Tenkoro")
    assert chosen.place.name == "Tenkoro"


def test_a_unit_named_is_placed_at_its_seat_not_at_the_nearest_homonym() -> None:
    a = gazetteer.places()[0]
    hamlet = Candidate(replace(a, name="Doro", kind="hamlet", latitude=14.0, longitude=1.0), 0.9, "Doro")
    town = Candidate(replace(a, name="Doro", kind="town", latitude=15.5, longitude=2.5), 0.9, "Doro")
    anchors = [(14.1, 1.1)]
    assert _choose([hamlet, town], Counter(), anchors, written="Doro").place.kind == "hamlet"
    assert _choose([hamlet, town], Counter(), anchors, written="Doro", seat=True).place.kind == "town"


def test_an_abduction_told_with_a_killing_is_the_attack() -> None:
    assert _best("Three soldiers were killed and several others abducted when militants stormed the post.") == "generic"
    assert _best("Les assaillants ont tué neuf villageois et enlevé plusieurs femmes.") == "generic"
    # Killed during the abduction: the abduction is the incident.
    assert _best("Ils ont enlevé douze passagers ; un chauffeur a été tué lors de l'enlèvement.") == (
        "Abduction/forced disappearance"
    )
    assert _best("Des hommes armés ont enlevé quatre commerçants sur la route.") == "Abduction/forced disappearance"


def test_a_thing_taken_is_no_abduction() -> None:
    assert all(t.rule.name != "abduction" for t in find_triggers("Un camion a été brûlé et une moto enlevée."))
    assert all(t.rule.name != "abduction" for t in find_triggers("Deux véhicules enlevés et des greniers brûlés."))


def test_clashes_with_a_crowd_are_the_protest() -> None:
    text = "Clashes broke out on Friday after police fired tear gas at hundreds of protesters in the square."
    assert _best(text) == "Peaceful protest"
    assert _best("Clashes between soldiers and militants left four dead near the border.") == "Armed clash"


def test_a_hostage_told_later_does_not_retype_a_deadly_attack() -> None:
    text = (
        "Gunmen attacked an army post in Tessit on Tuesday, killing four soldiers, officials said.\n\n"
        "The attackers then left with several hostages, a resident said."
    )
    found = _extract(text)
    assert len(found) == 1
    assert found.loc[0, "sub_event_type"] == "Armed clash"


def test_the_holder_of_the_attacked_camp_is_the_target() -> None:
    for text in (
        "L'attaque de mardi soir d'un camp de la MINUSMA a fait trois blessés.",
        "The attack on two posts of the Malian army left five dead.",
    ):
        roles = assign_roles(text, find_actors(text))
        assert roles.actor1 is None and roles.actor2 is not None
    text = "L'attaque des jihadistes contre le camp militaire a fait trois morts."
    roles = assign_roles(text, find_actors(text))
    assert roles.actor1 is not None and roles.actor1.key == "unidentified_armed_group"


def test_a_report_tally_over_a_period_is_background() -> None:
    text = (
        "Gunmen killed three herders near Ménaka on Tuesday, local officials said.\n\n"
        "A UN report counted in March 85 civilians killed by explosive devices in the Ménaka region."
    )
    found = _extract(text)
    assert len(found) == 1
    assert found.loc[0, "fatalities"] == 3


def test_these_last_months_is_background() -> None:
    text = (
        "Des hommes armés ont tué deux bergers mardi près de Ménaka, selon des élus locaux.\n\n"
        "Ces derniers mois, le cercle voisin de Tidermène enregistre des attaques contre les civils."
    )
    found = _extract(text)
    assert len(found) == 1


def test_the_wider_area_after_a_place_qualifies_it() -> None:
    for text in (
        "Two soldiers were killed when their patrol hit a mine 20 km north of Tessit in the Gao [...]",
        "Deux soldats ont été tués lundi près de Tessit dans le cercle de Gao.",
    ):
        reading = events.read(text, PUBLISHED)
        assert [p.name for p in events._own_places(reading, 0, len(text))] == ["Tessit"]


def test_a_witness_from_another_town_does_not_place_a_new_incident() -> None:
    text = (
        "Gunmen attacked an army post in Boni on Sunday, killing five soldiers, the army said.\n\n"
        "A resident of Hombori, the nearest town, said the attackers had looted and burned the post."
    )
    found = _extract(text)
    assert list(found["location"]) == ["Boni"]


def test_residents_of_the_place_told_keep_it() -> None:
    text = (
        "Gunmen attacked a market in Boni on Sunday, killing five traders, officials said.\n\n"
        "Residents of Boni said the attackers came on motorbikes and fired on the crowd."
    )
    assert set(_extract(text)["location"]) == {"Boni"}


def test_deaths_of_an_earlier_incident_are_not_this_ones() -> None:
    for text in (
        "This attack on civilians comes weeks after 31 people were killed when their lorry hit a mine.",
        "L'attaque intervient quelques jours après la mort de 12 soldats dans une embuscade.",
    ):
        reading = events.read(text, PUBLISHED)
        assert events._fatalities_in(reading, 0, len(text)) == []
    text = "Three civilians were killed when their bus hit a mine, weeks after a similar blast."
    reading = events.read(text, PUBLISHED)
    assert [f.count for f in events._fatalities_in(reading, 0, len(text))] == [3]


def test_thousands_of_dead_is_the_conflict_told() -> None:
    assert events._BACKGROUND.search("Des incursions qui ont fait de milliers de morts dans la région.")
    assert events._BACKGROUND.search("The insurgency has cost thousands of lives across the Sahel.")


def test_a_determiner_opening_a_sentence_is_no_listed_village() -> None:
    text = "The convoy was hit on Monday. Some reports claim a rocket, while others speak of a mine."
    assert gazetteer.find_mentions(text, lists=True) == []


def test_a_bare_army_of_a_story_placed_abroad_is_that_countrys() -> None:
    text = (
        "Gunmen attacked the military detachment in Titao, in northern Burkina Faso, on Monday, killing ten "
        "soldiers, a source said."
    )
    assert _extract(text).loc[0, "actor2"].startswith("Military Forces of Burkina Faso")
    text = "Gunmen attacked Malian soldiers in Titao on Monday, killing ten of them, a local source said."
    assert _extract(text).loc[0, "actor2"].startswith("Military Forces of Mali")


def test_people_killed_with_no_force_named_are_an_attack_on_civilians() -> None:
    for text in (
        "Une attaque a fait au moins 40 morts dans la nuit de samedi à Tidermène, selon le maire.",
        "An attack left at least 40 dead overnight on Saturday in Tidermène, the mayor said.",
    ):
        found = _extract(text)
        assert found.loc[0, "sub_event_type"] == "Attack"
        assert found.loc[0, "actor2"] == "Civilians (Mali)"
    text = "Une attaque contre un camp militaire a fait au moins 40 morts samedi à Tidermène, selon le maire."
    assert _extract(text).loc[0, "sub_event_type"] == "Armed clash"

"""Wire-copy habits that misled extraction, each on sentences written for this test.

A list of towns told after a lead with no place, a claim or an attribution in
another sentence, datelines, "last January", appositions describing a town,
sources, survivors and occupants, disguises, and tolls that locate a lead.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from conflictmap.extract import REVIEW_THRESHOLD, extract_events
from conflictmap.extract.dates import find_dates
from conflictmap.extract.text import find_dateline

PUBLISHED = dt.date(2024, 5, 9)  # a Thursday


def _extract(text: str, published: dt.date = PUBLISHED) -> pd.DataFrame:
    found = extract_events(text, published=published, source="Test Wire")
    return found[found["confidence"] >= REVIEW_THRESHOLD].reset_index(drop=True)


def test_towns_listed_after_a_lead_are_one_event_each_and_the_later_claim_names_every_attacker() -> None:
    text = (
        "The army said on Wednesday that it had repelled coordinated attacks by gunmen. "
        "These simultaneous raids hit three towns: Nara, Diéma and Kolokani.\n\n"
        "The al-Qaeda-linked group JNIM has claimed responsibility for the attacks."
    )
    found = _extract(text)
    assert sorted(found["location"]) == ["Diéma", "Kolokani", "Nara"]
    assert set(found["actor1"].str.startswith("JNIM")) == {True}
    assert set(found["actor2"].str.startswith("Military Forces of Mali")) == {True}
    # The statement's day and the night before it, not the week before publication.
    assert set(found["event_date"]) == {pd.Timestamp("2024-05-07")}
    assert set(found["date_end"]) == {pd.Timestamp("2024-05-08")}


def test_an_attribution_in_the_next_paragraph_is_said_of_every_town_of_the_list() -> None:
    text = (
        "Des attaques ont visé mardi les positions de l'armée à Nara, Diéma et Kolokani.\n\n"
        "Ces assauts ont été attribués au Groupe de soutien à l'islam et aux musulmans (JNIM)."
    )
    found = _extract(text)
    assert len(found) == 3
    assert set(found["actor1"].str.startswith("JNIM")) == {True}


def test_a_dash_touching_the_text_still_ends_a_wire_dateline() -> None:
    line = find_dateline("BAMAKO (Reuters) -Mali's army said on Tuesday it fought rebels near Bourem.")
    assert line is not None and line.place == "BAMAKO"
    found = _extract("BAMAKO (Reuters) -Mali's army said it fought rebels on Tuesday in the town of Bourem.")
    assert list(found["location"]) == ["Bourem"]


def test_the_date_of_a_dateline_is_the_day_relative_days_count_from() -> None:
    # The page is dated a week after the wire filed the story on Monday 6 May.
    text = "DAKAR, May 6 (Reuters) - Gunmen killed four traders on Sunday near the town of Bandiagara."
    found = _extract(text, published=dt.date(2024, 5, 13))
    assert found.iloc[0]["event_date"] == pd.Timestamp("2024-05-05")


def test_last_january_said_in_january_is_the_year_before() -> None:
    (mention,) = find_dates("Last January, gunmen attacked the camp.", dt.date(2024, 1, 12))
    assert (mention.date, mention.date_end) == (dt.date(2023, 1, 1), dt.date(2023, 1, 31))
    (french,) = find_dates("Le 3 janvier dernier, des hommes armés ont attaqué le camp.", dt.date(2024, 1, 12))
    assert french.date == dt.date(2024, 1, 3)


def test_an_assault_blamed_on_jihadists_and_survived_by_soldiers() -> None:
    text = (
        "An ambush on an army convoy near Diabaly killed 12 soldiers on Sunday, the army said, "
        "blaming the assault on jihadists. Four soldiers escaped the attack."
    )
    row = _extract(text).iloc[0]
    assert row["actor1"].startswith("Unidentified Armed Group")
    assert row["actor2"].startswith("Military Forces of Mali")


def test_the_islamic_state_named_in_english_claims_the_attack() -> None:
    text = (
        "Gunmen attacked an army post near Ansongo on Monday, killing six soldiers.\n\n"
        "The Islamic State group claimed the attack in a statement."
    )
    assert _extract(text).iloc[0]["actor1"] == "Islamic State Sahel"


def test_killings_between_two_days_with_the_number_executed() -> None:
    text = (
        "Soldiers and Russian mercenaries executed around 200 civilian men, a rights group said on Tuesday. "
        "The killings took place between April 20 and 24 in Sofara, a market town of 8,000 inhabitants, "
        "a hotspot of jihadist activity."
    )
    row = _extract(text).iloc[0]
    assert (row["event_date"], row["date_end"]) == (pd.Timestamp("2024-04-20"), pd.Timestamp("2024-04-24"))
    assert row["fatalities"] == 200
    assert row["actor1"].startswith("Military Forces of Mali") and row["actor2"] == "Civilians (Mali)"


def test_a_toll_with_a_place_in_the_next_paragraph_locates_the_lead() -> None:
    text = (
        "At least nine villagers were killed by gunmen on Tuesday, officials said.\n\n"
        '"The toll is now nine dead and many wounded in the village of Sofara," a Mopti official said.'
    )
    found = _extract(text)
    assert list(found["location"]) == ["Sofara"]


def test_occupants_of_a_base_hit_and_a_source_confirming_are_not_the_attackers() -> None:
    text = (
        "Ten peacekeepers have reportedly been wounded in a rocket attack on a base in Tessalit on Tuesday. "
        "The rockets hit a camp housing UN and Malian forces. "
        "The toll has not been confirmed by the Malian authorities."
    )
    row = _extract(text).iloc[0]
    assert row["actor1"].startswith("Unidentified Armed Group")
    assert row["actor2"].startswith("MINUSMA")


def test_gunmen_dressed_as_hunters_are_the_hunters() -> None:
    text = "Des hommes armés habillés en tenue de chasseurs traditionnels ont attaqué lundi le village de Sofara."
    row = _extract(text).iloc[0]
    assert row["actor1"] == "Dozo Communal Militia (Mali)"


def test_a_village_named_like_a_first_name_and_homonyms_read_near_the_town_named() -> None:
    # "Soumaïla" is a listed village and a first name; eight villages are called Farabougou.
    text = (
        "Après la visite de Soumaïla Cissé, des hommes armés ont enlevé mardi dix villageois "
        "à Farabougou, dans le cercle de Niono."
    )
    row = _extract(text).iloc[0]
    assert (row["location"], row["admin2"]) == ("Farabougou", "Niono")


def test_the_army_and_a_rebel_group_told_in_turn_are_two_sides_and_the_attacker_comes_first() -> None:
    text = (
        "The army and the rebels reported heavy fighting on Tuesday in the town of Anéfis.\n\n"
        "The army said five of its soldiers were killed on Tuesday near Anéfis. "
        "The CMA said it had attacked two army positions around the town."
    )
    row = _extract(text).iloc[0]
    assert row["actor1"].startswith("CMA") and row["actor2"].startswith("Military Forces of Mali")


def test_rebels_taking_two_army_camps_overtake_territory() -> None:
    text = '"We attacked and took control of the two military camps in Anéfis on Sunday," a rebel spokesman said.'
    assert _extract(text).iloc[0]["sub_event_type"] == "Non-state actor overtakes territory"


def test_what_an_attack_comes_the_day_after_is_dated_the_day_before_it() -> None:
    text = (
        "Des hommes armés ont tué mercredi six civils dans le village de Sofara. "
        "L'attaque survient au lendemain d'une prise d'otages à Bandiagara, dans la région de Mopti."
    )
    found = extract_events(text, published=PUBLISHED, source="Test Wire")
    hostages = found[found["location"] == "Bandiagara"].iloc[0]
    assert hostages["event_date"] == pd.Timestamp("2024-05-07")


def test_the_story_of_the_conflict_around_the_news_adds_neither_date_nor_toll() -> None:
    text = (
        "BAMAKO (Reuters) - Gunmen have killed at least seven civilians in a village in central Mali, "
        "officials said on Wednesday, in an area rife with jihadist activity.\n\n"
        "The country is fighting an insurgency that took root in its north in 2012.\n\n"
        "Militants have since spread across the region, killing thousands.\n\n"
        "The attack took place on Tuesday in a village of the Bankass Circle, where armed groups regularly "
        "target civilians, the mayor said."
    )
    row = _extract(text).iloc[0]
    assert (row["location"], row["fatalities"]) == ("Bankass", 7)
    assert row["event_date"] == pd.Timestamp("2024-05-07")
    assert (row["actor1"], row["actor2"]) == ("Unidentified Armed Group (Mali)", "Civilians (Mali)")


def test_a_camp_that_was_the_object_of_an_attack_and_the_authorities_reporting_a_shelling() -> None:
    attack = "Le camp des FAMa de Ténenkou a fait l'objet d'une « violente attaque » lundi, a annoncé l'armée."
    row = _extract(attack).iloc[0]
    assert row["actor1"].startswith("Unidentified Armed Group") and row["actor2"].startswith("Military Forces")
    shelling = "Un obus est tombé samedi près du marché de Tombouctou, tuant un enfant, ont indiqué les autorités."
    assert not _extract(shelling).iloc[0]["actor1"].startswith("Government")


def test_where_a_convoy_was_heading_is_not_where_it_was_attacked() -> None:
    text = "Le convoi, qui se dirigeait vers la ville de Gao, a été attaqué mardi à Hombori."
    assert list(_extract(text)["location"]) == ["Hombori"]


def test_a_bare_army_word_in_a_story_about_niger_is_niger_army() -> None:
    text = (
        "Seven Nigerien soldiers died on Tuesday when gunmen on motorbikes attacked an army post "
        "in Tillia, in the Tahoua region."
    )
    found = _extract(text)
    assert list(found["location"]) == ["Tillia"]
    assert found.loc[0, "actor2"] == "Military Forces of Niger (2023-)"
    assert found.loc[0, "fatalities"] == 7


def test_a_military_officer_who_speaks_is_no_side_of_the_massacre() -> None:
    text = (
        "Twelve villagers were killed in Ansongo on Sunday when gunmen stormed their homes, "
        "a military officer and a local official said on Monday."
    )
    found = _extract(text)
    assert list(found["location"]) == ["Ansongo"]
    assert found.loc[0, "actor1"].startswith("Unidentified Armed Group")
    assert found.loc[0, "actor2"].startswith("Civilians")


def test_a_few_kilometres_from_a_town_is_near_it_and_a_mine_that_exploded_is_a_blast() -> None:
    text = (
        "A peacekeeper died on Tuesday when a mine exploded under his truck about 9 km (6 miles) "
        "north of Tessalit in the Kidal region, the mission said."
    )
    found = _extract(text)
    assert list(found["location"]) == ["Tessalit"]
    assert found.loc[0, "geo_precision"] == 2
    assert found.loc[0, "sub_event_type"] == "Remote explosive/landmine/IED"


def test_far_from_a_town_only_says_which_way_and_gunmen_who_stormed_a_camp_attacked_it() -> None:
    text = "Gunmen stormed a gold miners' camp on Tuesday, 140 km east of Gao in the Menaka region."
    found = _extract(text)
    assert len(found) == 1
    assert found.loc[0, "location"] != "Gao"  # the region's seat, not the distant landmark
    assert found.loc[0, "actor1"].startswith("Unidentified Armed Group")


def test_a_raid_dated_last_week_after_the_monday_attack_is_not_the_monday_attack() -> None:
    text = (
        "Gunmen attacked the villages of Ansongo and Bara on Monday, the mayor said. "
        "\u201cThey came on motorbikes and fired on the market in Ansongo,\u201d he said. "
        "Attackers raided a nearby hamlet last week, killing four herders."
    )
    found = _extract(text)
    monday = found[found["event_date"] == pd.Timestamp("2024-05-06")]
    assert sorted(monday["location"]) == ["Ansongo", "Bara"]
    # The quote tells the Monday attack again; it is not dated by the raid told after it.
    quoted = found[found["evidence"].str.contains("market")]
    assert list(quoted["event_date"]) == [pd.Timestamp("2024-05-06")]
    # The raid of last week stays an incident of its own, with its own toll.
    earlier = found[found["date_end"] < pd.Timestamp("2024-05-06")]
    assert list(earlier["fatalities"]) == [4]


def test_the_war_toll_in_thousands_is_no_event() -> None:
    text = (
        "Gunmen killed six traders in Ansongo on Sunday, a local official said. The assailants came on "
        "motorbikes. Thousands of villagers and soldiers have died and hundreds of thousands of people "
        "have fled their homes."
    )
    found = _extract(text)
    assert list(found["location"]) == ["Ansongo"]
    assert list(found["sub_event_type"]) == ["Attack"]


def test_an_air_strike_in_niger_with_no_force_named_is_niger_army() -> None:
    found = _extract("A drone strike hit a fuel depot in Tillia on Sunday, killing four fighters, residents said.")
    assert list(found["location"]) == ["Tillia"]
    assert found.loc[0, "actor1"] == "Military Forces of Niger (2023-)"


def test_a_title_case_dateline_with_the_country_and_an_agency_is_not_the_place() -> None:
    text = (
        "Bamako, Mali (Agence Test) - Un commerçant d'Ansongo a été enlevé lundi soir chez lui "
        "par des hommes armés, a-t-on appris de source locale."
    )
    dateline = find_dateline(text)
    assert dateline is not None and (dateline.place, dateline.detail) == ("Bamako", "Mali")
    found = _extract(text)
    assert list(found["location"]) == ["Ansongo"]


def test_a_lead_with_no_place_is_located_by_the_landmark_told_after_it() -> None:
    text = (
        "Three engineers were kidnapped in western Mali on Saturday, the army said.\n\n"
        "Gunmen stormed their work camp 60 kilometres (37 miles) from Kita and left with the captives."
    )
    found = _extract(text)
    assert list(found["location"]) == ["Kita"]
    assert found.loc[0, "geo_precision"] == 2
    assert found.loc[0, "sub_event_type"] == "Abduction/forced disappearance"


def test_one_death_told_with_an_article_and_a_single_peacekeeper_or_soldier() -> None:
    mine = _extract("A UN peacekeeper was killed on Tuesday when his truck hit a mine near Tessalit, the mission said.")
    assert list(mine["fatalities"]) == [1]
    assert mine.loc[0, "actor2"].startswith("MINUSMA")
    post = _extract("A soldier was killed on Tuesday when gunmen attacked a checkpoint in Ansongo.")
    assert list(post["fatalities"]) == [1]
    assert post.loc[0, "actor2"].startswith("Military Forces of Mali")

"""The failure modes seen on real news, each on sentences written for this test.

Lists of places, background, duplicates, tolls in another sentence, claims,
victims, nearby days, warnings and region-level places; plus the real-set
scorer on a small catalogue of its own.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from benchmarks import realset
from conflictmap.extract import REVIEW_THRESHOLD, extract_events
from conflictmap.extract.text import find_dateline, split_sentences

PUBLISHED = dt.date(2024, 5, 9)  # a Thursday


def _extract(text: str) -> pd.DataFrame:
    found = extract_events(text, published=PUBLISHED, source="Test Wire")
    return found[found["confidence"] >= REVIEW_THRESHOLD].reset_index(drop=True)


def test_one_event_per_place_of_a_list_with_the_toll_shared() -> None:
    text = "Des hommes armés ont attaqué lundi les villages de Ménaka, Andéramboukane et Inékar, tuant 30 civils."
    found = _extract(text)
    assert list(found["location"]) == ["Ménaka", "Andéramboukane", "Inékar"]
    assert list(found["fatalities"]) == [10, 10, 10]
    assert set(found["sub_event_type"]) == {"Attack"}


def test_between_two_towns_is_one_place_not_a_list() -> None:
    found = _extract("Trois soldats ont été tués vendredi dans une embuscade entre Tombouctou et Goundam.")
    assert len(found) == 1


def test_history_sentences_stay_below_the_default_confidence_or_keep_their_date() -> None:
    text = (
        "In 2017, gunmen kidnapped a nun near Koutiala.\n\n"
        "On Tuesday, gunmen attacked a bus near Boni, killing five passengers."
    )
    found = extract_events(text, published=PUBLISHED, source="Test Wire")
    kidnapping = found[found["location"] == "Koutiala"]
    assert (kidnapping["confidence"] < REVIEW_THRESHOLD).all()
    bus = found[found["location"] == "Boni"].iloc[0]
    assert bus["confidence"] >= REVIEW_THRESHOLD and bus["event_date"] == pd.Timestamp("2024-05-07")


def test_a_region_suffering_for_months_is_background() -> None:
    text = "The Mopti region has suffered, since last March, from ethnic violence which has killed 160 civilians."
    assert _extract(text).empty


def test_the_lead_and_the_detail_are_one_event_at_the_town_with_the_lead_toll() -> None:
    text = (
        "At least 16 soldiers were killed in a raid on an army camp in the Mopti region on Saturday night.\n\n"
        "The camp that was attacked is in the village of Dioura, the mayor said."
    )
    found = _extract(text)
    assert len(found) == 1
    event = found.iloc[0]
    assert (event["location"], event["fatalities"]) == ("Dioura", 16)
    assert event["actor2"] == "Military Forces of Mali (2021-)"


def test_a_region_named_with_the_dateline_town_does_not_make_two_events() -> None:
    text = (
        "Bamako - Le gouvernement a confirmé la mort de 40 personnes dans l'attaque d'un village du centre du pays.\n\n"
        "L'assaut a eu lieu lundi dans le village d'Ogossagou, a précisé la même source."
    )
    found = _extract(text)
    assert len(found) <= 1
    assert "Bamako" not in set(found["location"])


def test_deaths_all_among_the_assailants_are_the_toll() -> None:
    text = (
        "The army said it had foiled an attack on its camp in Boni on Monday morning.\n\n"
        "The Malian Armed Forces reported 13 deaths, all among the assailants."
    )
    found = _extract(text)
    assert len(found) == 1
    event = found.iloc[0]
    assert event["sub_event_type"] == "Armed clash"
    assert event["fatalities"] == 13
    assert event["actor2"] == "Military Forces of Mali (2021-)"


@pytest.mark.parametrize(
    "text",
    [
        "The attack on the army post in Boni on Sunday, which left two soldiers dead, has been claimed by the "
        "al-Qaeda-linked group Jama'at Nusrat al-Islam wal Muslimin (JNIM).",
        "L'attaque de dimanche contre le poste de l'armée à Boni a été revendiquée par le JNIM. "
        "Deux soldats ont été tués.",
    ],
)
def test_the_claimant_is_actor_1_and_the_attacked_army_actor_2(text: str) -> None:
    event = _extract(text).iloc[0]
    assert event["actor1"] == "JNIM: Group for Support of Islam and Muslims"
    assert event["actor2"] == "Military Forces of Mali (2021-)"


def test_a_claim_denied_changes_nothing() -> None:
    event = _extract("Gunmen attacked the village of Boni on Sunday. No group has claimed the attack, JNIM denied it.")
    assert event.iloc[0]["actor1"] == "Unidentified Armed Group (Mali)"


def test_attacked_soldiers_are_not_actor_1() -> None:
    event = _extract("Soldiers of the Malian army were attacked in Sokolo on Sunday by unidentified gunmen.").iloc[0]
    assert event["actor1"] == "Unidentified Armed Group (Mali)"
    assert event["actor2"] == "Military Forces of Mali (2021-)"


def test_a_drone_strike_is_the_states_whoever_the_victims_are() -> None:
    text = "At least 12 civilians were killed by drone strikes around the town of Kidal on Tuesday."
    event = _extract(text).iloc[0]
    assert (event["sub_event_type"], event["actor1"], event["actor2"]) == (
        "Air/drone strike",
        "Military Forces of Mali (2021-)",
        "Civilians (Mali)",
    )


def test_that_day_takes_the_day_stated_before() -> None:
    text = (
        "Gunmen attacked the army post at Gossi on Monday, killing four soldiers.\n\n"
        "That day, a roadside bomb also exploded near Gao, wounding two civilians."
    )
    found = _extract(text)
    assert set(found["event_date"]) == {pd.Timestamp("2024-05-06")}
    assert set(found["date_end"]) == {pd.Timestamp("2024-05-06")}


@pytest.mark.parametrize(
    "text",
    [
        "The US embassy warned on Friday of a high risk of terrorist attacks in Bamako.",
        "L'ambassade des États-Unis a mis en garde mardi contre un risque élevé d'attentats à Bamako.",
    ],
)
def test_a_warning_is_not_an_armed_clash(text: str) -> None:
    found = extract_events(text, published=PUBLISHED, source="Test Wire")
    assert not found["event_type"].isin(["Battles", "Explosions/Remote violence", "Violence against civilians"]).any()


def test_a_region_level_event_sits_at_the_provincial_capital() -> None:
    event = _extract("Twelve soldiers were killed on Monday in an attack on an army post in the Mopti region.").iloc[0]
    assert event["geo_precision"] == 3
    assert event["location"] == "Mopti"
    assert (round(event["latitude"], 1), round(event["longitude"], 1)) == (14.5, -4.2)


def test_a_title_line_over_the_body_is_the_headline() -> None:
    text = "Six soldiers killed in Boni\nSix soldiers were killed in an attack on Boni on Monday."
    sentences = split_sentences(text)
    assert [s.headline for s in sentences] == [True, False]
    assert len(_extract(text)) == 1


def test_a_title_case_dateline_is_where_the_story_was_filed() -> None:
    line = find_dateline("Mali: 12 morts\n\nBamako - Douze civils ont été tués lundi à Boni.")
    assert line is not None and line.place == "Bamako"
    assert find_dateline("Mali : Une attaque fait douze morts à Boni.") is None


def _catalogue(tmp_path: Path) -> Path:
    doc = {
        "articles": [
            {
                "id": "mine",
                "language": "en",
                "outlet": "Test Wire",
                "address": "https://example.org/mine",
                "published": "2024-05-09",
                "query": "test query",
                "split": "tune",
                "events": [
                    {
                        "quote": "attacked Boni",
                        "place": "Boni",
                        "latitude": 15.075,
                        "longitude": -2.2211,
                        "geo_precision": 1,
                        "event_date": "2024-05-06",
                        "date_end": "2024-05-06",
                        "event_type": "Battles",
                        "sub_event_type": "Armed clash",
                        "actor1": "unidentified_armed_group",
                        "actor2": "mali_armed_forces",
                        "fatalities": 4,
                    },
                    {"quote": "In 2012", "background": True, "event_date": "2012-01-01", "date_end": "2012-12-31"},
                ],
            },
            {**dict.fromkeys(("id", "language", "address", "query", "split", "events")), "id": "gone"},
        ]
    }
    doc["articles"][1].update(
        language="fr", address="https://example.org/gone", published="2024-05-09", query="q", split="heldout", events=[]
    )
    path = tmp_path / "articles.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "mine.txt").write_text(
        "Gunmen attacked Boni on Monday, killing four soldiers.\n\nIn 2012, rebels took the north.", encoding="utf-8"
    )
    return path


def test_the_real_set_scorer_counts_found_events_and_names_missing_texts(tmp_path: Path) -> None:
    items, missing = realset.real_items(realset.load_catalogue(_catalogue(tmp_path)), tmp_path / "texts")
    assert [i.id for i in items] == ["mine"] and [m["id"] for m in missing] == ["gone"]
    assert "query 'q'" in realset.regather(missing)
    tally = realset.run(items)[("tune", "en")]
    assert (tally.expected, tally.found, tally.background) == (1, 1, 0)
    assert tally.accuracy("place") == 1.0 and tally.accuracy("date") == 1.0


def test_a_catalogue_entry_without_its_split_is_named(tmp_path: Path) -> None:
    path = tmp_path / "articles.json"
    path.write_text(json.dumps({"articles": [{"id": "x", "language": "en"}]}), encoding="utf-8")
    with pytest.raises(realset.CatalogueError, match="article 0 \\(x\\) lacks 'address'"):
        realset.load_catalogue(path)


def test_a_clause_after_the_incident_gives_its_place_and_day() -> None:
    text = "Des hommes armés ont attaqué les villageois, alors que la plupart étaient aux champs à Boni dimanche soir."
    event = _extract(text).iloc[0]
    assert (event["location"], event["event_date"]) == ("Boni", pd.Timestamp("2024-05-05"))


def test_the_mayors_town_is_not_the_place_of_the_attack() -> None:
    text = "Gunmen attacked Gossi on Sunday, killing three herders, the mayor of the nearby town of Boni said."
    assert list(_extract(text)["location"]) == ["Gossi"]


def test_a_commune_around_a_town_and_a_village_in_it_are_one_event() -> None:
    text = (
        "Mercredi, des assaillants ont attaqué des villages dans la commune de Boni, tuant 12 civils.\n\n"
        "Selon un élu, l'attaque la plus meurtrière a visé le village de Boni."
    )
    assert len(_extract(text)) == 1


def test_a_background_paragraph_adds_neither_toll_nor_date_to_the_incident() -> None:
    text = (
        "Gunmen killed at least 12 civilians in an attack on Boni on Thursday, officials said.\n\n"
        "The insurgency took root in the north in 2012 and has killed thousands since."
    )
    event = _extract(text).iloc[0]
    assert (event["fatalities"], event["event_date"]) == (12, pd.Timestamp("2024-05-09"))


def test_an_ambush_defined_by_its_own_clause_is_another_incident() -> None:
    text = (
        "Des hommes armés ont attaqué lundi le camp de l'armée à Gossi, tuant dix soldats. "
        "Ainsi, AQMI a revendiqué l'embuscade qui a coûté la vie à six casques bleus."
    )
    found = _extract(text)
    assert list(found["fatalities"]) == [10]
    assert found.iloc[0]["actor1"] == "Unidentified Armed Group (Mali)"


def test_the_authorities_in_bamako_are_not_a_place() -> None:
    text = "Onze civils ont été tués vendredi à Inékar, et la communauté a invité les autorités de Bamako à agir."
    assert list(_extract(text)["location"]) == ["Inékar"]


def test_a_capture_the_army_says_it_repelled_is_a_clash() -> None:
    text = "JNIM said it took control of the Boni camp on Friday. The Malian army said it had repelled the attack."
    event = _extract(text).iloc[0]
    assert (event["sub_event_type"], event["actor1"]) == ("Armed clash", "JNIM: Group for Support of Islam and Muslims")


def test_armed_men_who_ransack_a_village_are_no_riot() -> None:
    text = "Armed men shot at people, burnt and ransacked the village of Boni on Thursday, killing four."
    assert set(_extract(text)["event_type"]) == {"Violence against civilians"}


@pytest.fixture
def listed_villages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Villages of a built list (not hand-checked) whose names are also words, names or spellings of towns."""
    from conflictmap import gazetteer

    extra = tuple(
        gazetteer.Place(name, (), "village", "Kayes", "Kita", None, 13.0, -9.5, "test list")
        for name in ("Some", "Souleymane", "Tissit")
    )
    mentions = gazetteer._build_mentions(gazetteer._build_index((*gazetteer.places(), *extra)))
    monkeypatch.setattr(gazetteer, "find_mentions", lambda text: gazetteer._find_in(text, mentions))


@pytest.mark.usefixtures("listed_villages")
def test_a_listed_village_needs_words_that_locate_it() -> None:
    found = _extract("Some 20 people were killed in Boni on Monday, Lieutenant-Colonel Souleymane Maiga said.")
    assert list(found["location"]) == ["Boni"]


@pytest.mark.usefixtures("listed_villages")
def test_a_listed_village_one_vowel_off_a_town_is_that_town() -> None:
    found = _extract("Des hommes armés ont attaqué dimanche le camp militaire près de la ville de Tissit.")
    assert list(found["location"]) == ["Tessit"]


def test_the_attack_told_again_the_next_day_at_the_same_place_is_one_event() -> None:
    text = (
        "Des hommes armés ont attaqué mardi un campement près de Ménaka, tuant 24 civils.\n\n"
        "Mercredi, une patrouille de l'armée s'est rendue à Ménaka, sur le lieu de l'attaque, pour le constat."
    )
    assert len(_extract(text)) == 1


def test_a_date_stamp_before_the_dateline_is_neither_a_place_nor_the_day() -> None:
    text = (
        "date 2024-05-09 BAMAKO, Mali (Test Wire) — Gunmen killed six villagers in an attack on Tuesday "
        "in the village of Boni, the mayor said."
    )
    dateline = find_dateline(text)
    assert dateline is not None and dateline.place == "BAMAKO"
    found = _extract(text)
    assert list(found["location"]) == ["Boni"]
    assert found.loc[0, "event_date"] == pd.Timestamp("2024-05-07")


def test_arrests_placed_only_by_the_dateline_stay_below_the_default_confidence() -> None:
    found = extract_events(
        "BAMAKO, May 9 (Test Wire) - Seven suspects were arrested after the raid, the ministry said.",
        published=PUBLISHED,
        source="Test Wire",
    )
    assert not found.empty and (found["confidence"] < REVIEW_THRESHOLD).all()


def test_the_day_a_statement_was_made_is_not_the_day_of_the_strikes() -> None:
    text = (
        "Drone strikes on the town of Kidal killed at least ten civilians, the mayor said. "
        "A few days ago it announced that it had used drones against armed groups around Kidal. "
        "The first drone strike on Tuesday hit children near the school."
    )
    found = _extract(text)
    assert len(found) == 1
    assert found.loc[0, "event_date"] == pd.Timestamp("2024-05-07")


def test_the_dead_named_after_la_mort_de_are_victims_not_attackers() -> None:
    found = _extract(
        "L'armée malienne a annoncé mardi la mort de 12 soldats lors d'une attaque près de la ville de Tessit."
    )
    assert len(found) == 1
    assert found.loc[0, "actor1"] == "Unidentified Armed Group (Mali)"
    assert found.loc[0, "actor2"].startswith("Military Forces of Mali")


def test_the_government_announcing_a_toll_late_in_the_day_is_a_source() -> None:
    found = _extract("L'attaque du village de Boni a fait 20 morts, a indiqué mardi soir le gouvernement malien.")
    assert len(found) == 1 and "Government" not in str(found.loc[0, "actor1"])


def test_artillery_support_does_not_make_an_attack_a_shelling() -> None:
    found = _extract(
        "Militants killed 12 soldiers on Monday in a complex attack on the army camp of Tessit, "
        "benefiting from drone and artillery support, the army said."
    )
    assert list(found["sub_event_type"]) == ["Armed clash"]


def test_an_artisanal_mine_is_an_explosive_device() -> None:
    found = _extract("Three passengers were killed on Monday when their bus drove over an artisanal mine near Boni.")
    assert list(found["sub_event_type"]) == ["Remote explosive/landmine/IED"]


def test_a_commune_no_place_is_named_after_sits_at_its_seat() -> None:
    found = _extract("Des hommes armés ont attaqué lundi le poste de l'armée à Diougani, tuant quatre soldats.")
    assert list(found["location"]) == ["Dioungani-Peulh"]
    assert list(found["geo_precision"]) == [2]


def test_the_sahel_region_is_not_the_commune_of_that_name() -> None:
    found = extract_events(
        "Gunmen killed five herders near Boni on Monday as militants spread across the Sahel region.",
        published=PUBLISHED,
        source="Test Wire",
    )
    assert list(found["location"]) == ["Boni"]

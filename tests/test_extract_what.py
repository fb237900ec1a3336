"""Incident types from wording, and fatalities by ACLED's conservative rules."""

from __future__ import annotations

import pytest

from conflictmap.extract.what import (
    GENERIC,
    best_trigger,
    find_fatalities,
    find_triggers,
    intervention,
    says_no_deaths,
    total_fatalities,
)


def sub_type(text: str) -> str | None:
    t = best_trigger(find_triggers(text))
    return None if t is None else t.sub_event_type


@pytest.mark.parametrize(
    ("text", "sub"),
    [
        ("the army clashed with CMA fighters", "Armed clash"),
        ("des affrontements ont opposé l'armée aux rebelles", "Armed clash"),
        ("a patrol was ambushed near Tessit", "Armed clash"),
        ("une embuscade tendue samedi", "Armed clash"),
        ("a car bomb attack was foiled by the security forces", "Disrupted weapons use"),
        ("un attentat à la voiture piégée a été déjoué à Kati", "Disrupted weapons use"),
        ("a second device was defused by engineers", "Disrupted weapons use"),
        ("a drone strike killed eight civilians", "Air/drone strike"),
        ("des frappes aériennes menées dimanche", "Air/drone strike"),
        ("their vehicle struck an improvised explosive device", "Remote explosive/landmine/IED"),
        ("un engin explosif improvisé a explosé au passage du convoi", "Remote explosive/landmine/IED"),
        ("a suicide bomber blew himself up", "Suicide bomb"),
        ("mortar shells fell on the camp", "Shelling/artillery/missile attack"),
        ("gunmen kidnapped a truck driver", "Abduction/forced disappearance"),
        ("des hommes armés ont enlevé dix habitants", "Abduction/forced disappearance"),
        ("more than 30,000 people had fled their homes", "Other"),
        ("des centaines de personnes déplacées", "Other"),
        ("the military warned of a high risk of suicide attacks", "Other"),
        ("put troops on alert", "Other"),
        ("hundreds protested against power cuts", "Peaceful protest"),
        ("des jeunes ont manifesté à Bankass", "Peaceful protest"),
        ("ils ont saccagé la mairie", "Violent demonstration"),
        ("police arrested twelve people", "Arrests"),
        ("des militaires ont interpellé vingt suspects", "Arrests"),
        ("the camp was handed over to the army", "Non-violent transfer of territory"),
        ("l'a rétrocédé à l'armée malienne", "Non-violent transfer of territory"),
        ("the army retook the town", "Government regains territory"),
        ("its fighters had seized an army outpost", "Non-state actor overtakes territory"),
        ("armed men burned two trucks", "Looting/property destruction"),
        ("la junte a annoncé la fin de l'accord de paix", "Other"),
        ("gunmen attacked the village", GENERIC),
        ("Deux soldats ont été tués", GENERIC),
    ],
)
def test_wording_gives_the_sub_type(text: str, sub: str) -> None:
    assert sub_type(text) == sub


def test_the_strongest_rule_in_a_clause_wins() -> None:
    # A clash during a hand-over is a clash; a foiled car bomb is no car bomb.
    assert sub_type("the army clashed with CMA fighters as it took over a camp") == "Armed clash"
    triggers = find_triggers("a car bomb attack was foiled")
    assert {t.rule.name for t in triggers} >= {"explosive device", "weapons use foiled"}
    assert best_trigger(triggers).rule.name == "weapons use foiled"


@pytest.mark.parametrize(
    "text",
    [
        "warned of a high risk of suicide attacks in Bamako",
        "the threat of car bombs",
        "des mesures pour prévenir les attaques",
        "to denounce the drone strikes",
        "pour dénoncer les bombardements",
    ],
)
def test_risks_plans_and_topics_are_no_incidents(text: str) -> None:
    t = best_trigger(find_triggers(text))
    assert t is None or t.rule.name == "alert"


def test_back_references_are_marked() -> None:
    [t] = find_triggers("L'attaque a été revendiquée par le JNIM")
    assert t.anaphoric
    [t] = find_triggers("Gunmen attacked a convoy")
    assert not t.anaphoric


def test_defensive_wording() -> None:
    t = best_trigger(find_triggers("les FAMa ont repoussé l'assaut"))
    assert t.rule.defensive(t.text)
    t = best_trigger(find_triggers("the army clashed with rebels"))
    assert not t.rule.defensive(t.text)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("killing several soldiers", 3),
        ('killing "several" attackers', 3),
        ("dozens of people were killed", 12),
        ("killed a dozen assailants", 12),
        ("hundreds of civilians were killed", 100),
        ("neutralisé plusieurs terroristes", 3),
        ("a fait des dizaines de morts", 12),
        ("une dizaine de civils ont été tués", 10),
        ("une centaine de personnes ont été tuées", 100),
        ("Four Malian soldiers were killed and six wounded", 4),
        ("at least eight civilians were killed", 8),
        ("Au moins 22 civils ont été tués", 22),
        ("ces frappes ont tué quatre civils", 4),
        ("left 5 dead", 5),
        ("faisant trois morts", 3),
        ("the army said it lost ten men", 10),
    ],
)
def test_fatality_words(text: str, count: int) -> None:
    [f] = find_fatalities(text)
    assert f.count == count


@pytest.mark.parametrize(
    "text",
    [
        "six soldiers were wounded",
        "more than 30,000 people had fled their homes",
        "At least 12 protesters were arrested",
        "kidnapped ten villagers",
        "the army lost ground",
        "left the town at dawn",
        "each side claimed heavy losses",
    ],
)
def test_not_a_death_toll(text: str) -> None:
    assert find_fatalities(text) == []


def test_groups_add_up_and_conflicting_claims_keep_the_lowest() -> None:
    both_sides = find_fatalities("it killed a dozen assailants and lost three soldiers")
    assert total_fatalities(both_sides) == (15, None, None)
    claims = find_fatalities("killing dozens of soldiers. The army said it lost ten men in the fighting.")
    assert total_fatalities(claims) == (10, 10, 12)
    assert total_fatalities(find_fatalities("between 10 and 15 people were killed")) == (10, 10, 15)
    assert total_fatalities([]) == (0, None, None)


def test_no_deaths_and_interventions() -> None:
    assert says_no_deaths("No one was hurt, a security source said.")
    assert says_no_deaths("each side claimed heavy losses, without giving a toll")
    assert says_no_deaths("sans qu'un bilan ne soit communiqué")
    assert not says_no_deaths("Two soldiers were killed.")
    assert intervention("Police fired tear gas to disperse demonstrators")
    assert intervention("les manifestants ont été dispersés au gaz lacrymogène")
    assert not intervention("a peaceful sit-in was held")

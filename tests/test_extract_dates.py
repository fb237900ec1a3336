"""Dates in English and French news text, resolved against the publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from conflictmap.extract.dates import find_dates, full_date

# Thursday 14 September 2023.
PUBLISHED = dt.date(2023, 9, 14)
D = dt.date


def only(text: str, published: dt.date = PUBLISHED):
    found = find_dates(text, published)
    assert len(found) == 1, [f.text for f in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "first", "last", "precision"),
    [
        # absolute
        ("dated September 7th, the staff", D(2023, 9, 7), D(2023, 9, 7), 1),
        ("le 7 septembre 2023 à Bamako", D(2023, 9, 7), D(2023, 9, 7), 1),
        ("le 1er septembre", D(2023, 9, 1), D(2023, 9, 1), 1),
        ("on Sept. 7, 2022", D(2022, 9, 7), D(2022, 9, 7), 1),
        ("on 7/9 on the road", D(2023, 9, 7), D(2023, 9, 7), 1),
        ("le 07/09/2023", D(2023, 9, 7), D(2023, 9, 7), 1),
        ("on 2023-09-07", D(2023, 9, 7), D(2023, 9, 7), 1),
        ("le samedi 9 mars 2024", D(2024, 3, 9), D(2024, 3, 9), 1),
        # a day-month after publication is last year's
        ("on 20 December", D(2022, 12, 20), D(2022, 12, 20), 1),
        # relative days
        ("yesterday", D(2023, 9, 13), D(2023, 9, 13), 1),
        ("hier soir", D(2023, 9, 13), D(2023, 9, 13), 1),
        ("avant-hier", D(2023, 9, 12), D(2023, 9, 12), 1),
        ("on Tuesday", D(2023, 9, 12), D(2023, 9, 12), 1),
        ("jeudi", D(2023, 9, 14), D(2023, 9, 14), 1),
        ("last Thursday", D(2023, 9, 7), D(2023, 9, 7), 2),
        ("jeudi dernier", D(2023, 9, 7), D(2023, 9, 7), 2),
        ("il y a trois jours", D(2023, 9, 11), D(2023, 9, 11), 1),
        ("two days ago", D(2023, 9, 12), D(2023, 9, 12), 1),
        # nights and ranges
        ("dans la nuit du samedi 9 au dimanche 10 septembre", D(2023, 9, 9), D(2023, 9, 10), 1),
        ("in the night of Saturday to Sunday", D(2023, 9, 9), D(2023, 9, 10), 1),
        ("from 5 to 7 September", D(2023, 9, 5), D(2023, 9, 7), 2),
        ("du 5 au 7 septembre", D(2023, 9, 5), D(2023, 9, 7), 2),
        ("between 1 and 7 September", D(2023, 9, 1), D(2023, 9, 7), 2),
        # weeks and months
        ("last week", D(2023, 9, 4), D(2023, 9, 10), 2),
        ("la semaine dernière", D(2023, 9, 4), D(2023, 9, 10), 2),
        ("at the end of August", D(2023, 8, 21), D(2023, 8, 31), 3),
        ("fin août", D(2023, 8, 21), D(2023, 8, 31), 3),
        ("à la fin du mois d'août", D(2023, 8, 21), D(2023, 8, 31), 3),
        ("mid-August", D(2023, 8, 11), D(2023, 8, 20), 3),
        ("by mid-September", D(2023, 9, 1), D(2023, 9, 14), 3),
        ("early this month", D(2023, 9, 1), D(2023, 9, 10), 3),
        ("late last month", D(2023, 8, 21), D(2023, 8, 31), 3),
        ("le mois dernier", D(2023, 8, 1), D(2023, 8, 31), 3),
        ("in August", D(2023, 8, 1), D(2023, 8, 31), 3),
        ("en octobre", D(2022, 10, 1), D(2022, 10, 31), 3),
        # seasons and years
        ("summer 2022", D(2022, 6, 21), D(2022, 9, 22), 4),
        ("l'été dernier", D(2022, 6, 21), D(2022, 9, 22), 4),
        ("last summer", D(2022, 6, 21), D(2022, 9, 22), 4),
        ("en 2021", D(2021, 1, 1), D(2021, 12, 31), 4),
    ],
)
def test_dates(text: str, first: dt.date, last: dt.date, precision: int) -> None:
    d = only(text)
    assert (d.date, d.date_end, d.time_precision) == (first, last, precision)
    assert text[d.start : d.end] == d.text


def test_last_summer_before_the_summer_is_over_is_last_year() -> None:
    d = only("last summer", dt.date(2023, 7, 1))
    assert (d.date, d.date_end) == (D(2022, 6, 21), D(2022, 9, 22))


def test_a_range_ending_after_publication_is_cut_at_publication() -> None:
    d = only("early this month", dt.date(2023, 10, 6))
    assert (d.date, d.date_end, d.time_precision) == (D(2023, 10, 1), D(2023, 10, 6), 3)


def test_since_runs_to_publication_and_is_marked() -> None:
    d = only("since 2012")
    assert (d.date, d.date_end, d.since) == (D(2012, 1, 1), PUBLISHED, True)
    d = only("depuis le début du mois")
    assert (d.date, d.date_end, d.since) == (D(2023, 9, 1), PUBLISHED, True)


def test_reporting_dates_are_marked() -> None:
    said, seen = find_dates("the army said on Monday, in a note seen on Thursday", PUBLISHED)
    assert (said.text, said.report) == ("on Monday", "said")
    assert (seen.text, seen.report) == ("on Thursday", "seen")
    [d] = find_dates("ont indiqué lundi des responsables locaux", PUBLISHED)
    assert d.report == "said"
    [d] = find_dates("The attack took place on Monday.", PUBLISHED)
    assert d.report == ""


def test_plans_and_deadlines_are_future() -> None:
    d = only("doit quitter le Mali d'ici au 31 décembre 2023")
    assert d.future and d.date == D(2023, 12, 31)
    assert only("next Monday").future


@pytest.mark.parametrize(
    ("text", "offset"), [("the same day", 0), ("le lendemain", 1), ("la veille", -1), ("two days later", 2)]
)
def test_anaphoric_dates_resolve_against_the_previous_event(text: str, offset: int) -> None:
    d = only(text)
    assert d.kind == "anaphoric" and d.date is None
    resolved = d.resolved((D(2024, 1, 31), D(2024, 1, 31), 1))
    assert resolved.date == D(2024, 1, 31) + dt.timedelta(days=offset)
    assert resolved.time_precision == 1


def test_a_week_earlier_is_vaguer_than_its_base() -> None:
    d = only("Une semaine plus tôt")
    resolved = d.resolved((D(2023, 3, 4), D(2023, 3, 5), 1))
    assert (resolved.date, resolved.date_end, resolved.time_precision) == (D(2023, 2, 25), D(2023, 2, 26), 2)


@pytest.mark.parametrize(
    "text",
    [
        "Le camp a été la cible d'une attaque",  # "été" the verb, not the season
        "it may be that the army",  # "may" the verb
        "a protest march in the capital",
        "for another three months",
        "pendant trois mois",
        "30,000 people fled",
        "2.5 km away",
        "Mali has 1/3 of its territory",
    ],
)
def test_words_that_are_not_dates(text: str) -> None:
    assert find_dates(text, PUBLISHED) == []


def test_longest_mention_wins() -> None:
    [d] = find_dates("dans la nuit du samedi 9 au dimanche 10 mars 2024", dt.date(2024, 3, 11))
    assert d.kind == "night" and d.text.startswith("dans la nuit")


def test_full_date_needs_a_year() -> None:
    assert full_date("14 août 2023") == D(2023, 8, 14)
    assert full_date("Sept. 14, 2023") == D(2023, 9, 14)
    assert full_date("Sept 14") is None
    assert full_date("Mali, Feb 22") is None

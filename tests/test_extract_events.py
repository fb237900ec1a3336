"""Candidate events from whole articles: the seed story, evidence, confidence, input errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conflictmap.extract import (
    EXTRA_COLUMNS,
    REVIEW_THRESHOLD,
    ExtractError,
    evidence_html,
    extract_events,
    read_article,
)
from conflictmap.schema import COLUMNS, validate_events

ARTICLES = Path(__file__).parent / "articles"
SEED_ARTICLE = ARTICLES / "en_wire_bamako_suicide_alert.txt"
PUBLISHED = dt.date(2023, 9, 14)
NOW = pd.Timestamp("2024-01-01T12:00:00Z")


@pytest.fixture(scope="module")
def seed() -> pd.DataFrame:
    return extract_events(SEED_ARTICLE.read_text(encoding="utf-8"), published=PUBLISHED, source="Sahel Wire", now=NOW)


def test_the_seed_story_gives_its_five_events(seed: pd.DataFrame) -> None:
    proposed = seed[seed["confidence"] >= REVIEW_THRESHOLD]
    got = {
        (
            r.sub_event_type,
            r.location,
            r.geo_precision,
            f"{r.event_date:%Y-%m-%d}",
            f"{r.date_end:%Y-%m-%d}",
            r.time_precision,
        )
        for r in proposed.itertuples()
    }
    assert got == {
        ("Other", "Bamako", 1, "2023-09-07", "2023-09-07", 1),  # the general staff's order
        ("Disrupted weapons use", "Kati - Koko-Plateau", 2, "2023-09-07", "2023-09-07", 2),  # car bomb foiled
        ("Armed clash", "Ber", 1, "2023-08-21", "2023-08-31", 3),  # end of August, not Timbuktu
        ("Other", "Timbuktu", 3, "2023-09-01", "2023-09-14", 3),  # displacement by mid-September: at the capital
        ("Other", "Bamako", 1, "2022-06-21", "2022-09-22", 4),  # summer 2022 alert
    }
    clash = proposed[proposed["sub_event_type"] == "Armed clash"].iloc[0]
    assert clash["actor1"] == "Military Forces of Mali (2021-)"
    assert clash["actor2"] == "CMA: Coordination of Azawad Movements"
    assert "Russia" in clash["assoc_actor_1"]  # "alongside their Russian partners", the next sentence
    assert clash["fatalities"] == 0  # heavy losses claimed, no toll
    order = proposed[proposed["location"] == "Bamako"].sort_values("event_date").iloc[-1]
    assert "Gendarmerie" in order["assoc_actor_1"]


def test_background_is_kept_with_low_confidence(seed: pd.DataFrame) -> None:
    history = seed[seed["evidence_text"].str.contains("since 2012")]
    assert len(history) == 1
    row = history.iloc[0]
    assert row["confidence"] < REVIEW_THRESHOLD
    assert any("background" in part for part in row["confidence_parts"])


def test_candidates_are_canonical_and_sorted(seed: pd.DataFrame) -> None:
    validate_events(seed[[*COLUMNS, "geometry"]])
    assert list(seed.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert all(col in seed.columns for col in EXTRA_COLUMNS)
    assert seed["confidence"].is_monotonic_decreasing
    assert set(seed["dataset"].astype(str)) == {"article"}
    assert set(seed["source"]) == {"Sahel Wire"}
    assert (seed["timestamp"] == NOW).all()
    assert seed["event_id"].is_unique


def test_event_ids_are_stable(seed: pd.DataFrame) -> None:
    again = extract_events(SEED_ARTICLE.read_text(encoding="utf-8"), published=PUBLISHED, source="Sahel Wire")
    assert list(again["event_id"]) == list(seed["event_id"])


def test_evidence_spans_point_at_their_words(seed: pd.DataFrame) -> None:
    for row in seed.itertuples():
        for span in row.evidence_spans:
            assert row.evidence_text[span["start"] : span["end"]] == span["text"]
    kati = seed[seed["location"] == "Kati - Koko-Plateau"].iloc[0]
    labels = {(s["text"], s["label"]) for s in kati["evidence_spans"]}
    assert ("Kati's Koko-Plateau", "place") in labels
    assert ("last Thursday", "date") in labels
    assert ("the security forces", "actor1") in labels
    assert ("junta", "actor: descriptive") in labels
    assert "[[Kati's Koko-Plateau|place]]" in kati["evidence"]
    ber = seed[seed["location"] == "Ber"].iloc[0]
    assert "[[Timbuktu|place: reference]]" in ber["evidence"]


def test_evidence_html_marks_and_escapes() -> None:
    text = (
        'Headline\n\nOn Tuesday, gunmen <b>killed</b> three civilians & a child near Gao. <script>alert("x")</script>'
    )
    candidates = extract_events(text, published=dt.date(2024, 5, 2), source="Test")
    row = candidates.iloc[0]
    html = evidence_html(row)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert '<mark class="ev-place" title="place">Gao</mark>' in html
    assert '<mark class="ev-place" title="place: near">near </mark>' in html
    assert '<mark class="ev-date" title="date">On Tuesday</mark>' in html
    assert '<mark class="ev-actor" title="actor1">gunmen</mark>' in html
    assert html.startswith('<span class="evidence">') and html.endswith("</span>")
    # The spans as read back from a CSV file (JSON text) give the same HTML.
    as_read = {"evidence_text": row["evidence_text"], "evidence_spans": json.dumps(row["evidence_spans"])}
    assert evidence_html(as_read) == html


def test_a_french_article_is_detected_and_read() -> None:
    article = read_article(ARTICLES / "fr_presse_sokolo_enlevement.html")
    candidates = extract_events(article.text, published="2023-05-19", source="L'Écho de Ségou")
    assert set(candidates["language"]) == {"fr"}
    top = candidates.iloc[0]
    assert (top["sub_event_type"], top["location"], f"{top['event_date']:%Y-%m-%d}") == (
        "Abduction/forced disappearance",
        "Sokolo",
        "2023-05-18",
    )
    assert top["actor2"] == "Civilians (Mali)"
    assert bool(top["civilian_targeting"])


def test_the_dateline_place_is_no_event_place_for_fighting() -> None:
    text = "Clashes\n\nBAMAKO, Oct 6 (Sahel Wire) - Clashes between the army and the rebels resumed in August."
    [row] = extract_events(text, published=dt.date(2023, 10, 6), source="Sahel Wire").itertuples()
    assert row.location == "Bamako"
    assert row.confidence <= 0.45
    assert any("dateline" in part for part in row.confidence_parts)


def test_an_event_abroad_gets_no_mali_place() -> None:
    text = "In Burkina Faso, gunmen killed twenty people on Monday."
    [row] = extract_events(text, published=dt.date(2023, 10, 6), source="Test").itertuples()
    assert (row.location, row.geo_precision) == ("Mali", 4)
    assert row.confidence <= 0.35


def test_the_same_day_takes_the_date_of_the_incident_before() -> None:
    text = (
        "Hundreds protested in Sikasso on Wednesday. Police fired tear gas.\n\nA sit-in was held the same day in Kayes."
    )
    candidates = extract_events(text, published=dt.date(2024, 2, 2), source="Test").set_index("location")
    assert candidates.loc["Sikasso", "sub_event_type"] == "Protest with intervention"
    assert candidates.loc["Kayes", "sub_event_type"] == "Peaceful protest"
    assert (
        candidates.loc["Kayes", "event_date"] == candidates.loc["Sikasso", "event_date"] == pd.Timestamp("2024-01-31")
    )


def test_an_article_without_incidents_gives_an_empty_table() -> None:
    candidates = extract_events("Le président a reçu les ambassadeurs à Bamako.", published=PUBLISHED, source="T")
    assert candidates.empty
    assert list(candidates.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert all(col in candidates.columns for col in EXTRA_COLUMNS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "   "}, "no text"),
        ({"text": 42}, "must be a string"),
        ({"published": "14/09/2023"}, "expected YYYY-MM-DD"),
        ({"published": None}, "published must be a date"),
        ({"lang": "de"}, "not supported"),
        ({"source": " "}, "source"),
    ],
)
def test_bad_input_is_refused_with_a_message(kwargs: dict, message: str) -> None:
    args = {"text": "Gunmen attacked Gao.", "published": PUBLISHED, "source": "Test"} | kwargs
    text = args.pop("text")
    with pytest.raises(ExtractError, match=message):
        extract_events(text, **args)


_WORDS = [
    "Gao", "Kati", "killed", "attack", "le", "la", "'s", "quarter", "near", "km", "from", "Thursday", "jeudi",
    "dernier", "fin", "août", "summer", "2022", "(", ")", ";", ".", "\n\n", "FAMa", "JNIM", "by", "par", "gunmen",
    "several", "des", "dizaines", "morts", "«", "»", "BAMAKO,", "Sept", "14", "(AFP)", "-", "7/9", "claimed",
    "the same day", "l'attaque", "a été", "revendiquée", "protesters", "tear gas", "Koko-Plateau", "quartier",
    "région de Tombouctou", "since 2012", "Analysis:", "burned", "trucks", "fled", "<b>", "&amp;",
]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=50), st.dates(dt.date(2015, 1, 1), dt.date(2030, 1, 1)))
def test_any_text_gives_valid_candidates(words: list[str], published: dt.date) -> None:
    text = " ".join(words)
    if not text.strip():
        return
    candidates = extract_events(text, published=published, source="Test")
    if candidates.empty:
        return
    validate_events(candidates[[*COLUMNS, "geometry"]])
    assert candidates["confidence"].between(0, 1).all()
    for row in candidates.itertuples():
        assert row.date_end >= row.event_date
        for span in row.evidence_spans:
            assert row.evidence_text[span["start"] : span["end"]] == span["text"]
        assert "<b>" not in evidence_html(row._asdict())

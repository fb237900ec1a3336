"""Reading articles: sentences, dateline, language, HTML pages and files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conflictmap.extract.text import (
    ArticleError,
    detect_language,
    find_dateline,
    html_to_article,
    paragraph_spans,
    read_article,
    split_sentences,
)

ARTICLES = Path(__file__).parent / "articles"


def test_sentences_keep_offsets_and_skip_abbreviations() -> None:
    text = (
        "Title of the story\n\n"
        'Gen. Oumar Diarra spoke on Sept. 7. He said: "We are ready." Troops moved in.\n\n'
        "Second paragraph, one sentence!"
    )
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Title of the story",
        "Gen. Oumar Diarra spoke on Sept. 7.",
        'He said: "We are ready."',
        "Troops moved in.",
        "Second paragraph, one sentence!",
    ]
    for s in sentences:
        assert text[s.start : s.end] == s.text
    assert [s.paragraph for s in sentences] == [0, 1, 1, 1, 2]
    assert [s.headline for s in sentences] == [True, False, False, False, False]


def test_a_first_paragraph_that_ends_with_a_full_stop_is_no_headline() -> None:
    sentences = split_sentences("Gunmen attacked Gao. Three died.")
    assert not any(s.headline for s in sentences)
    assert len(sentences) == 2


def test_a_line_without_punctuation_inside_a_paragraph_is_its_own_sentence() -> None:
    text = "Headline\n\nBy our correspondent\nGunmen attacked a village on Monday."
    assert [s.text for s in split_sentences(text)][1:] == [
        "By our correspondent",
        "Gunmen attacked a village on Monday.",
    ]


def test_french_quotes_and_decimal_numbers_do_not_split() -> None:
    text = "« Nous avons enterré 14 corps », a affirmé un notable. Le bilan est de 2.5 fois plus élevé."
    assert len(split_sentences(text)) == 2


def test_paragraph_spans_trim_blank_lines() -> None:
    text = "\n\n  First.  \n \n\nSecond.\n"
    assert [text[a:b] for a, b in paragraph_spans(text)] == ["First.", "Second."]


@pytest.mark.parametrize(
    ("text", "place", "detail", "agency"),
    [
        ("BAMAKO, Sept 14 (Sahel Wire) - Mali's army...", "BAMAKO", "Sept 14", "Sahel Wire"),
        ("BAMAKO, 14 août 2023 (AFP) – La mission...", "BAMAKO", "14 août 2023", "AFP"),
        ("GAO, Mali, Feb 22 (Sahel Wire) - Four soldiers", "GAO", "Mali, Feb 22", "Sahel Wire"),
        ("KIDAL - Rebels said...", "KIDAL", None, None),
    ],
)
def test_datelines(text: str, place: str, detail: str | None, agency: str | None) -> None:
    found = find_dateline("Headline\n\n" + text)
    assert found is not None
    assert (found.place, found.detail, found.agency) == (place, detail, agency)


def test_no_dateline_in_ordinary_text() -> None:
    assert find_dateline("Headline\n\nThe army said - in a statement - that it won.") is None
    assert find_dateline("Headline\n\nIn Bamako, Sept 14 (Reuters) - nothing") is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The army said that it had repelled an attack on the camp of Boulkessi.", "en"),
        ("L'armée a indiqué qu'elle avait repoussé une attaque contre le camp de Boulkessi.", "fr"),
        ("Selon des sources locales, les combattants de la CMA ont affronté des militaires.", "fr"),
        ("", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_html_page_keeps_the_article_drops_scripts_and_reads_metadata() -> None:
    page = """<!DOCTYPE html><html lang="fr"><head><title>T | Site</title>
    <meta property="og:site_name" content="L'Écho">
    <meta property="article:published_time" content="2023-05-19T08:30:00+00:00">
    <script>var x = "<p>Gao attaquée</p>";</script><style>p{}</style></head>
    <body><nav><a>Bamako</a><a>Gao</a></nav>
    <article><h1>Un titre</h1><p>Premier &laquo;&nbsp;paragraphe&nbsp;&raquo; à Ségou.</p>
    <p>Second<br>paragraphe.</p></article>
    <aside><p>Kidal : à lire aussi.</p></aside><footer>© 2023</footer></body></html>"""
    article = html_to_article(page)
    assert article.text.split("\n\n") == ["Un titre", "Premier « paragraphe » à Ségou.", "Second", "paragraphe."]
    assert article.published == dt.date(2023, 5, 19)
    assert article.lang == "fr"
    assert article.source == "L'Écho"
    assert article.title == "T | Site"


def test_html_without_article_element_uses_the_body_and_time_element() -> None:
    page = '<html><body><p>Gunmen attacked Gao.</p><time datetime="2024-02-02">Feb 2</time></body></html>'
    article = html_to_article(page)
    assert "Gunmen attacked Gao." in article.text
    assert article.published == dt.date(2024, 2, 2)
    assert article.lang is None


def test_read_article_txt_in_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "depeche.txt"
    path.write_bytes("Des hommes armés ont attaqué Ségou.\r\n".encode("cp1252"))
    article = read_article(path)
    assert article.text == "Des hommes armés ont attaqué Ségou.\n"
    assert article.published is None


def test_read_article_html_test_file() -> None:
    article = read_article(ARTICLES / "fr_presse_sokolo_enlevement.html")
    assert article.published == dt.date(2023, 5, 19)
    assert article.text.startswith("Niono : une dizaine de villageois enlevés")
    assert "Accueil" not in article.text and "droits réservés" not in article.text


def test_read_article_refuses_binary_and_empty_files(tmp_path: Path) -> None:
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"%PDF-1.7\x00\x01\x02")
    with pytest.raises(ArticleError, match="binary"):
        read_article(binary)
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><script>x()</script></body></html>", encoding="utf-8")
    with pytest.raises(ArticleError, match="no article text"):
        read_article(empty)
    with pytest.raises(FileNotFoundError):
        read_article(tmp_path / "missing.txt")

"""An article read for review: its candidate events, the review table with likely duplicates, and its source.

``review_article`` takes what the page's article form holds (pasted text, or an
uploaded file's name and bytes) and returns a ``ReviewResult``; a file that
cannot be read gives ``error``, not an exception.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from conflictmap import review, uploads
from conflictmap.extract import (
    ArticleError,
    ExtractError,
    extract_events,
    find_duplicates,
    html_to_article,
    read_article,
)


@dataclass
class ReviewResult:
    """The candidates of one article and how the review stands.

    Attributes
    ----------
    candidates : DataFrame
        The candidate events (``extract_events``).
    table : DataFrame
        The review table the editor starts from (``review.review_table``), likely duplicates noted.
    source : str
        The article's source line, given to the events saved.
    saved : dict
        Candidate id -> what saving it gave.
    error : str or None
        Why the article could not be read.
    """

    candidates: pd.DataFrame = field(default_factory=pd.DataFrame)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    source: str = ""
    saved: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def review_article(
    text: str,
    *,
    file_name: str | None = None,
    file_data: bytes | None = None,
    published: date | None = None,
    source: str = "",
    lang: str = "auto",
    existing: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> ReviewResult:
    """Read an article (the file when given, else ``text``) and find its candidate events.

    Parameters
    ----------
    text : str
        Pasted article text.
    file_name, file_data
        An uploaded ``.txt`` or ``.html`` file; it wins over ``text``.
    published : date or None
        The publication date; else the file's.
    source : str
        The outlet; else the file's site name, else its file name.
    lang : {"auto", "en", "fr"}
        The language; ``"auto"`` detects it.
    existing : callable or None
        The known events the candidates could repeat (given the candidates).
    """
    title = None
    source = (source or "").strip()
    try:
        if file_data is not None:
            name = uploads.upload_name(file_name, "article.txt")
            if name.lower().endswith((".html", ".htm")):
                article = html_to_article(file_data.decode("utf-8", errors="replace"))
            else:
                staged = uploads.stage(name, file_data)
                try:
                    article = read_article(staged.path)
                finally:
                    staged.discard()
            text, title = article.text, article.title
            published = published or article.published
            source = source or article.source or name
            lang = lang if lang != "auto" else article.lang or "auto"
        candidates = extract_events(text, published=published, lang=None if lang == "auto" else lang, source=source)
    except (ArticleError, ExtractError, UnicodeError, OSError) as exc:
        return ReviewResult(error=str(exc))
    known = existing(candidates) if existing is not None else None
    matches = find_duplicates(candidates, known) if known is not None and len(known) else None
    notes = review.duplicate_notes(matches, candidates) if matches is not None else {}
    return ReviewResult(
        candidates, review.review_table(candidates, notes), review.article_source(source, title, published)
    )

"""From a news article to candidate events: offline rules, the gazetteer and the actor list.

``extract_events(text, published=..., source=...)`` returns candidate events
(canonical columns plus ``confidence`` and ``evidence``); ``find_duplicates``
matches them against events already stored; ``evidence_html`` marks the
evidence for review. The rules live in small modules: ``text`` (reading and
sentences), ``dates``, ``places``, ``who``, ``what``, ``events`` (assembling
incidents), ``candidates`` (the table), ``evidence`` and ``duplicates``.
"""

from conflictmap.extract.candidates import (
    EXTRA_COLUMNS,
    REVIEW_THRESHOLD,
    ExtractError,
    empty_candidates,
    extract_events,
    write_candidates,
)
from conflictmap.extract.duplicates import DUPLICATE_COLUMNS, find_duplicates
from conflictmap.extract.evidence import evidence_html
from conflictmap.extract.text import Article, ArticleError, detect_language, html_to_article, read_article

__all__ = [
    "DUPLICATE_COLUMNS",
    "EXTRA_COLUMNS",
    "REVIEW_THRESHOLD",
    "Article",
    "ArticleError",
    "ExtractError",
    "detect_language",
    "empty_candidates",
    "evidence_html",
    "extract_events",
    "find_duplicates",
    "html_to_article",
    "read_article",
    "write_candidates",
]

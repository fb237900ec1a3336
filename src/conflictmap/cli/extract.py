"""Sub-command ``extract``: candidate events from a news article, to a CSV file for review."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from conflictmap.cli.common import UserError
from conflictmap.extract import REVIEW_THRESHOLD, extract_events, read_article, write_candidates
from conflictmap.extract.dates import full_date
from conflictmap.extract.text import (
    LANGUAGES,
    Article,
    ArticleError,
    detect_language,
    find_dateline,
    html_to_article,
    looks_like_html,
)

_SHOWN = 10


def _published(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; expected YYYY-MM-DD") from None


def _read(path: str) -> Article:
    if path == "-":
        text = sys.stdin.read()
        if not text.strip():
            raise UserError("no article text on standard input")
        return html_to_article(text) if looks_like_html(text) else Article(text=text)
    source = Path(path)
    if not source.exists():
        raise UserError(f"no such file: {path}")
    if source.is_dir():
        raise UserError(f"{path} is a directory; expected an article as .txt or .html")
    try:
        return read_article(source)
    except ArticleError as exc:
        raise UserError(str(exc)) from None


def _dateline_date(article: Article) -> dt.date | None:
    """The date of a dispatch's dateline when it carries the year ("BAMAKO, 14 août 2023 (AFP) -")."""
    dateline = find_dateline(article.text)
    return full_date(dateline.detail) if dateline is not None and dateline.detail else None


def cmd_extract(args: argparse.Namespace) -> int:
    """Write the candidate events of ARTICLE to OUT.csv, most confident first."""
    output = Path(args.output)
    if output.suffix.lower() != ".csv":
        raise UserError(f"output {args.output!r} must be a .csv file")
    article = _read(args.article)
    published = args.published or article.published or _dateline_date(article)
    if published is None:
        raise UserError(
            f"{args.article}: no publication date in the article; give it with --published YYYY-MM-DD "
            "(relative dates like 'last Thursday' are read from it)"
        )
    dateline = find_dateline(article.text)
    agency = dateline.agency if dateline is not None else None
    source = args.source or article.source or agency or (Path(args.article).stem if args.article != "-" else None)
    if not source:
        raise UserError("name the article's source with --source NAME")
    candidates = extract_events(article.text, published=published, lang=args.lang or article.lang, source=source)
    write_candidates(candidates, output)
    confident = int((candidates["confidence"] >= REVIEW_THRESHOLD).sum()) if len(candidates) else 0
    language = (
        candidates["language"].iloc[0]
        if len(candidates)
        else (args.lang or article.lang or detect_language(article.text))
    )
    print(
        f"{len(candidates)} candidate events ({confident} with confidence >= {REVIEW_THRESHOLD}) from {args.article} "
        f"(published {published:%Y-%m-%d}, {language}) written to {output}"
    )
    for row in candidates.head(_SHOWN).itertuples():
        dates = f"{row.event_date:%Y-%m-%d}" + (f"..{row.date_end:%Y-%m-%d}" if row.date_end != row.event_date else "")
        print(f"  {row.confidence:.2f}  {dates:<22}  {row.sub_event_type:<34}  {row.location}")
    if len(candidates) > _SHOWN:
        print(f"  ... and {len(candidates) - _SHOWN} more in {output}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``extract`` to the command line."""
    p = sub.add_parser(
        "extract",
        help="candidate events from a news article (.txt or .html) to a CSV file for review",
        description=(
            "Read a news article about Mali and write candidate events: canonical columns plus confidence (0-1) "
            "and the evidence sentences with place, date, actor and incident words marked [[like this|label]]. "
            "Most confident first. Offline: rules, the gazetteer and the actor list."
        ),
    )
    p.add_argument("article", help="the article: a .txt or .html file, or - for standard input")
    p.add_argument(
        "--published",
        type=_published,
        help="publication date YYYY-MM-DD (default: from the HTML page or the dateline)",
    )
    p.add_argument("--lang", choices=LANGUAGES, help="the article's language (default: detected)")
    p.add_argument(
        "--source",
        help="where the article comes from (default: the page's site name, the dateline's agency or the file name)",
    )
    p.add_argument("-o", "--output", required=True, help="output .csv file")
    p.set_defaults(func=cmd_extract)

"""An article as text: reading .txt and .html files, the dateline, paragraphs, sentences and language.

Offsets are kept everywhere: a ``Sentence`` knows where it starts and ends in
the article, so every mention found later can be marked in the evidence.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from conflictmap.errors import ConflictmapError


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Languages the rules know.
LANGUAGES: tuple[str, ...] = ("en", "fr")

# Frequent words that are (almost) only English or only French.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the of and to in is was were that on with by for said from has have at it its their they "
        "this which after as are been had who not but an or"
    ),
    "fr": _words(
        "le la les des du de et un une est été dans par pour sur au aux qui que selon ont avait "
        "ces cette sont mais ou ne pas avec leur leurs il ils elle après"
    ),
}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = _words(
    "mr mrs ms dr gen col lt capt maj sgt cpl adm cmdt cdt st no nos vol fig sept sep oct nov dec jan feb "
    "aug apr jun jul mar jr sr m mm mme mgr etc vs av bd inc ltd co corp approx dept gov pres prof rep sen"
)
# A sentence ends at . ! ? or … (plus closing quotes or brackets) followed by blanks and a capital,
# a digit or an opening quote.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?\s?[A-ZÀ-Ý0-9])")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# "BAMAKO, Sept 14 (Sahel Wire) - " or "BAMAKO, 14 août 2023 (AFP) – " at the start of a paragraph; after an
# agency the dash may touch the first word ("BAMAKO (Reuters) -Mali's army").
_DATELINE = re.compile(
    r"""(?P<place>[A-ZÀ-Ý][A-ZÀ-Ý'’ .-]{1,40}?)
        (?:,\s*(?P<detail>[^()\n]{1,60}?))?
        \s*(?:\((?P<agency>[^()\n]{1,40})\))?
        \s*[-–—]+(?:\s+|(?(agency)(?=[A-ZÀ-Ý][\w'’])|(?!)))""",
    re.VERBOSE,
)

# "Bamako - Le gouvernement ...", "Bamako: Armed gunmen ...": a one-word place in title case as a dateline.
_TITLE_DATELINE = re.compile(
    r"(?P<place>[A-ZÀ-Ý][a-zà-ÿ’'-]{2,20})"
    # "Bamako, Mali (PANA) - ": the country after the city, when an agency follows.
    r"(?:,\s*(?P<detail>[A-ZÀ-Ý][a-zà-ÿ’'-]+(?:\s+[A-ZÀ-Ý][a-zà-ÿ’'-]+)?)(?=\s*\())?"
    r"\s*(?:\((?P<agency>[^()\n]{1,40})\))?\s*(?:[-–—]+\s+|:\s+(?=[A-ZÀ-Ý]))"
)


_BARE_DATELINE = re.compile(r"(?P<place>[A-ZÀ-Ý]{4,20})\s+(?=[A-ZÀ-Ý][a-zà-ÿ])")
# "GAO: gunmen ...": an upper-case place and a colon.
_COLON_DATELINE = re.compile(r"(?P<place>[A-ZÀ-Ý]{4,20}):\s+(?=[A-ZÀ-Ý])")

# A page's own date stamp before the dateline: "date 2023-11-07 BAMAKO, Mali (AP) — ...".
_DATE_STAMP = re.compile(r"\s*(?:date\s+)?\d{4}-\d{2}(?:-\d{2})?\s+")


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article.

    Attributes
    ----------
    index : int
        Position among the article's sentences.
    start, end : int
        ``article[start:end]`` is the sentence.
    text : str
        The sentence.
    paragraph : int
        Index of its paragraph (the headline, when there is one, is paragraph 0).
    headline : bool
        True for a title line (short, no final punctuation, first paragraph).
    """

    index: int
    start: int
    end: int
    text: str
    paragraph: int
    headline: bool = False


@dataclass(frozen=True)
class Dateline:
    """The dateline opening a dispatch ("BAMAKO, Sept 14 (Sahel Wire) -").

    Attributes
    ----------
    start, end : int
        Its span in the article (the place it names is where the story was filed, not where events happened).
    place : str
        The place as written ("BAMAKO").
    detail : str or None
        What follows the place before the agency: usually a date ("Sept 14", "14 août 2023").
    agency : str or None
        The agency in brackets.
    """

    start: int
    end: int
    place: str
    detail: str | None
    agency: str | None


@dataclass(frozen=True)
class Article:
    """An article read from a file.

    Attributes
    ----------
    text : str
        Plain text, paragraphs separated by a blank line.
    title : str or None
        The title, when the file gives one.
    published : datetime.date or None
        The publication date, when the file gives one (HTML metadata).
    lang : str or None
        The language, when the file declares it (``<html lang="fr">``).
    source : str or None
        The publisher, when the file names it (``og:site_name``).
    """

    text: str
    title: str | None = None
    published: dt.date | None = None
    lang: str | None = None
    source: str | None = None


class ArticleError(ConflictmapError, ValueError):
    """An article that cannot be read or used; the message says why."""


def detect_language(text: str) -> str:
    """English or French, from counts of frequent words.

    Parameters
    ----------
    text : str
        Any amount of text.

    Returns
    -------
    str
        ``"fr"`` when French frequent words outnumber English ones, else ``"en"``.
    """
    counts = dict.fromkeys(LANGUAGES, 0)
    for word in _WORD.findall(text.casefold()):
        word = word.split("'")[0].split("’")[0] if ("'" in word or "’" in word) else word
        for lang, words in _STOPWORDS.items():
            if word in words:
                counts[lang] += 1
    return "fr" if counts["fr"] > counts["en"] else "en"


def date_stamp_end(text: str) -> int:
    """Where a date stamp opening the page ends ("date 2023-11-07 ..."), else 0.

    The stamp is the page's publication date, not the day of anything the article reports.
    """
    m = _DATE_STAMP.match(text)
    return m.end() if m else 0


def find_dateline(text: str) -> Dateline | None:
    """The dateline at the start of the first paragraph that has one (within the first three).

    A dateline is an upper-case place, optionally a date or detail after a
    comma and an agency in brackets, ended by a dash: ``BAMAKO, Sept 14
    (Sahel Wire) - ``. A line in upper case with no date or agency is not
    enough: ``BAMAKO - `` alone also counts, as wires write it.

    Parameters
    ----------
    text : str
        The article.

    Returns
    -------
    Dateline or None
    """
    starts = []
    for number, (start, end) in enumerate(paragraph_spans(text)):
        if number > 2:
            break
        starts.append(start)
        # Under a title line or a byline: "Title\nBy X | AP\nBAMAKO, Mali — ...".
        line_end = text.find("\n", start, end)
        for _ in range(3):
            if line_end == -1:
                break
            starts.append(line_end + 1)
            line_end = text.find("\n", line_end + 1, end)
    for start in starts:
        stamp = _DATE_STAMP.match(text, start)
        if stamp:
            start = stamp.end()
        m = _DATELINE.match(text, start)
        if m and m.group("place").strip(" .-").isupper():
            return Dateline(
                start=m.start(),
                end=m.end(),
                place=m.group("place").strip(" .-"),
                detail=(m.group("detail") or "").strip() or None,
                agency=(m.group("agency") or "").strip() or None,
            )
        m = _BARE_DATELINE.match(text, start) or _COLON_DATELINE.match(text, start)
        if m:  # "BAMAKO Gunmen killed ...": the dash lost with the page's markup
            return Dateline(start=m.start(), end=m.end(), place=m.group("place"), detail=None, agency=None)
        m = _TITLE_DATELINE.match(text, start)
        if m and m.group("place") not in ("Mali", "Sahel"):
            agency = (m.group("agency") or "").strip() or None
            detail = m.group("detail") or None
            return Dateline(start=m.start(), end=m.end(), place=m.group("place"), detail=detail, agency=agency)
    # A page's menus and headings before the story: "BAMAKO (Reuters) - " further down, known by its agency.
    for start, _end in paragraph_spans(text)[3:12]:
        m = _DATELINE.match(text, start)
        if m and m.group("agency") and m.group("place").strip(" .-").isupper():
            return Dateline(
                start=m.start(),
                end=m.end(),
                place=m.group("place").strip(" .-"),
                detail=(m.group("detail") or "").strip() or None,
                agency=m.group("agency").strip(),
            )
    return None


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph: blocks separated by blank lines, blanks trimmed."""
    spans = []
    pos = 0
    for m in [*_PARAGRAPH_BREAK.finditer(text), None]:
        stop = m.start() if m else len(text)
        block = text[pos:stop]
        lead = len(block) - len(block.lstrip())
        body = block.strip()
        if body:
            spans.append((pos + lead, pos + lead + len(body)))
        pos = m.end() if m else len(text)
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the full stop at ``dot`` ends an abbreviation or an initial."""
    if text[dot] != ".":
        return False
    m = re.search(r"([^\W\d_]+)\.?$", text[max(0, dot - 12) : dot])
    if not m:
        return False
    word = m.group(1)
    # Initials ("J. Smith", "U.N.") and known short forms.
    return len(word) == 1 or word.casefold() in _ABBREVIATIONS


def _headline(text: str, start: int, end: int, number: int) -> bool:
    block = text[start:end]
    return number == 0 and "\n" not in block and len(block) <= 200 and block.rstrip()[-1:] not in '.!?…»"”'


def _title_line(text: str, start: int, end: int, p_end: int) -> bool:
    """A first line with no final punctuation that a line break separates from the rest of its paragraph."""
    line = text[start:end]
    ends_line = end < p_end and text[end:p_end].lstrip(" \t")[:1] == "\n"
    return ends_line and "\n" not in line and len(line) <= 200 and line.rstrip()[-1:] not in '.!?…»"”:'


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of an article, in order, with their offsets and paragraph numbers.

    Paragraphs (separated by blank lines) always end a sentence. Inside one,
    a sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by a capital, a
    digit or an opening quote, except after an abbreviation ("Gen.",
    "Sept.") or an initial. A first paragraph that is one short line with no
    final punctuation is the headline. Lines inside a paragraph that end
    without punctuation (a byline, "By our correspondent") are sentences of
    their own.

    Parameters
    ----------
    text : str
        The article.

    Returns
    -------
    list of Sentence
    """
    sentences: list[Sentence] = []
    for number, (p_start, p_end) in enumerate(paragraph_spans(text)):
        headline = _headline(text, p_start, p_end, number)
        cuts = [p_start]
        for m in _SENTENCE_END.finditer(text, p_start, p_end):
            if not _is_abbreviation(text, m.start()):
                cuts.append(m.end())
        # A line break after a line with no final punctuation also ends a sentence.
        for m in re.finditer(r"[^.!?…:;,\"'”’»\s][ \t]*\n", text[p_start:p_end]):
            cuts.append(p_start + m.start() + 1)
        cuts = [*sorted(set(cuts)), p_end]
        for a, b in itertools.pairwise(cuts):
            chunk = text[a:b]
            lead = len(chunk) - len(chunk.lstrip())
            body = chunk.strip()
            if body:
                s = a + lead
                # A page's title line over its first paragraph ("Title\nBody...") is the headline too.
                title = number == 0 and not sentences and _title_line(text, s, s + len(body), p_end)
                sentences.append(Sentence(len(sentences), s, s + len(body), body, number, headline or title))
    return sentences


class _TextCollector(HTMLParser):
    """Collects visible text by blocks, and the metadata an article page carries."""

    _SKIP = _words("script style noscript nav footer aside form template svg iframe figure button select head")
    _BLOCK = _words("p div h1 h2 h3 h4 h5 h6 li ul ol br article section blockquote tr td th header main dd dt pre hr")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_depth = 0
        self.blocks: list[list[str]] = [[]]
        self.article_blocks: list[list[str]] | None = None
        self.article_depth = 0
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.in_title = False
        self.lang: str | None = None
        self.times: list[str] = []

    def _new_block(self) -> None:
        target = self.article_blocks if self.article_depth else self.blocks
        if target is not None and target[-1]:
            target.append([])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html" and values.get("lang"):
            self.lang = values["lang"].split("-")[0].lower()
        if tag == "meta":
            key = values.get("property") or values.get("name") or values.get("itemprop")
            if key and "content" in values:
                self.meta.setdefault(key.lower(), values["content"])
            return
        if tag == "time" and values.get("datetime"):
            self.times.append(values["datetime"])
        if tag == "title":
            self.in_title = True
            return
        if tag in self._SKIP:
            self.skip_depth += 1
            return
        if tag == "article" and not self.skip_depth:
            if self.article_blocks is None:
                self.article_blocks = [[]]
            self.article_depth += 1
        if tag in self._BLOCK:
            self._new_block()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
            return
        if tag in self._SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag in self._BLOCK:
            self._new_block()
        if tag == "article" and self.article_depth:
            self.article_depth -= 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("meta", "br", "hr"):
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
            return
        if self.skip_depth:
            return
        self.blocks[-1].append(data)
        if self.article_depth and self.article_blocks is not None:
            self.article_blocks[-1].append(data)


def _join_blocks(blocks: list[list[str]]) -> str:
    paragraphs = [" ".join("".join(b).split()) for b in blocks]
    return "\n\n".join(p for p in paragraphs if p)


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def html_to_article(html: str) -> Article:
    """The text and metadata of an HTML page.

    Scripts, styles, navigation, asides, footers and forms are dropped; when
    the page has ``<article>`` elements only their text is kept. Each block
    element (paragraph, heading, list item) becomes a paragraph. Entities are
    decoded. The publication date comes from ``article:published_time``,
    ``date``-like meta tags or the first ``<time datetime>``; the language from
    ``<html lang>``; the source from ``og:site_name``.

    Parameters
    ----------
    html : str
        The page.

    Returns
    -------
    Article
    """
    parser = _TextCollector()
    parser.feed(html)
    parser.close()
    blocks = parser.article_blocks if parser.article_blocks and any(parser.article_blocks) else parser.blocks
    meta = parser.meta
    published = None
    for key in ("article:published_time", "datepublished", "date", "dc.date", "pubdate", "og:published_time"):
        published = _parse_date(meta.get(key))
        if published:
            break
    if published is None:
        published = next((d for d in map(_parse_date, parser.times) if d), None)
    title = (meta.get("og:title") or " ".join("".join(parser.title).split()) or "").strip() or None
    lang = parser.lang if parser.lang in LANGUAGES else None
    return Article(
        text=_join_blocks(blocks),
        title=title,
        published=published,
        lang=lang,
        source=(meta.get("og:site_name") or "").strip() or None,
    )


def _decode(raw: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ArticleError(f"{path}: the file is neither UTF-8 nor Windows-1252 text")


def looks_like_html(text: str) -> bool:
    """True when text starts like an HTML document or fragment."""
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<article", "<p>", "<div", "<meta"))


def read_article(path: str | Path) -> Article:
    """Read an article from a ``.txt`` or ``.html`` file.

    Parameters
    ----------
    path : str or pathlib.Path
        A text file (UTF-8 or Windows-1252) or an HTML page (by suffix
        ``.html``/``.htm`` or by its first characters).

    Returns
    -------
    Article

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ArticleError
        If it is not text, or has no text in it.
    """
    path = Path(path)
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise ArticleError(f"{path}: this is a binary file; expected the article as .txt or .html")
    text = _decode(raw, path)
    article = html_to_article(text) if path.suffix.lower() in (".html", ".htm") or looks_like_html(text) else None
    if article is None:
        article = Article(text=text.replace("\r\n", "\n").replace("\r", "\n"))
    if not article.text.strip():
        raise ArticleError(f"{path}: no article text found")
    return article

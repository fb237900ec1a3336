"""Dates in news text, absolute or relative to the publication date, in English and French.

Each mention resolves to a first day, a last day and a ``time_precision``
(1 exact day, 2 within about a week, 3 within a month, 4 vaguer):

- "September 7th", "7 septembre 2023", "le samedi 9 mars", "on 7/9"  -> that day, 1
- "yesterday", "hier", "on Thursday", "jeudi"                          -> that day, 1
- "last Thursday", "jeudi dernier"                                   -> the last such day before publication, 2
  ("last Thursday" may also mean the Thursday of the week before)
- "in the night of Saturday to Sunday", "dans la nuit du 9 au 10 mars" -> both days, 1
- "last week", "this week", "last weekend"                            -> those days, 2
- "at the end of August", "fin août", "early this month", "mid-September"
  -> days 21-31, 1-10 or 11-20 of the month, 3
- "in August", "le mois dernier"                                     -> the month, 3
- "summer 2022", "l'été dernier", "in 2021"                          -> the season or year, 4

A date without a year is the latest one not more than a week after
publication. Numeric dates are read day first ("7/9" is 7 September, as
written in Mali and France) unless only month-first makes sense. A last day
after publication is cut to the publication date. "Since 2012" and "depuis
le début du mois" are marked ``since``: from then until publication. "The
same day", "le lendemain" are ``anaphoric``: they need the date of the event
spoken of before (``offset`` days after it). Dates right after a reporting
verb ("said on Monday", "a indiqué lundi") are marked ``report``: the date of
a statement, not of what happened.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fév": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10,
    "novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
}  # fmt: skip
WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}  # fmt: skip
NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "quelques": 3, "few": 3, "several": 3, "plusieurs": 3,
}  # fmt: skip
#: Seasons as (first month, first day, last month, last day); winter runs into the next year.
SEASONS: dict[str, tuple[int, int, int, int]] = {
    "spring": (3, 20, 6, 20),
    "summer": (6, 21, 9, 22),
    "autumn": (9, 23, 12, 20),
    "winter": (12, 21, 3, 19),
    "rainy": (6, 1, 9, 30),
}
_SEASON_WORDS = {
    "spring": "spring", "printemps": "spring", "summer": "summer", "été": "summer", "ete": "summer",
    "autumn": "autumn", "fall": "autumn", "automne": "autumn", "winter": "winter", "hiver": "winter",
    "rainy season": "rainy", "saison des pluies": "rainy", "hivernage": "rainy",
}  # fmt: skip
_FULL_MONTHS = frozenset(
    k for k in MONTHS if len(k) > 4 or k in ("may", "june", "july", "mai", "juin", "mars", "août", "aout")
)
# Months that are also English words count only with a capital.
_ENGLISH_WORD_MONTHS = frozenset({"may", "march", "mar"})
# A day-month date with no year may be at most this far after publication (announced events).
_FUTURE_SLACK = dt.timedelta(days=7)


@dataclass(frozen=True)
class DateMention:
    """A date found in text.

    Attributes
    ----------
    start, end : int
        ``text[start:end]`` is the mention.
    text : str
        The mention as written.
    date, date_end : datetime.date or None
        First and last day (``None`` for an anaphoric mention until resolved).
    time_precision : int
        1 exact day, 2 within about a week, 3 within a month, 4 vaguer.
    kind : str
        ``day``, ``weekday``, ``night``, ``range``, ``week``, ``month``, ``season``, ``year`` or ``anaphoric``.
    report : str
        ``"said"`` after a verb of saying ("said on Monday", "a indiqué lundi"): when something was
        said, not when it happened; ``"seen"`` when the press saw or published it; else ``""``.
    since : bool
        "since ..." / "depuis ...": a period running up to publication (background, or a running count).
    future : bool
        Starts after publication (a plan, a deadline).
    offset : int
        For an anaphoric mention, days after the event spoken of before.
    """

    start: int
    end: int
    text: str
    date: dt.date | None
    date_end: dt.date | None
    time_precision: int
    kind: str
    report: str = ""
    since: bool = False
    future: bool = False
    offset: int = 0

    def resolved(self, previous: tuple[dt.date, dt.date, int]) -> DateMention:
        """An anaphoric mention placed against the previous event's (date, date_end, time_precision)."""
        if self.kind != "anaphoric":
            return self
        base, base_end, precision = previous
        shift = dt.timedelta(days=self.offset)
        # "a week earlier" is vaguer than the date it counts from.
        return replace(
            self, date=base + shift, date_end=base_end + shift, time_precision=max(precision, self.time_precision)
        )


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_MONTH = rf"(?:{_alternatives(list(MONTHS))})(?:\.(?!\d))?"
_WEEKDAY = rf"(?:{_alternatives(list(WEEKDAYS))})"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|er|e)?(?!\d)"
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_NUMBER = rf"(?:\d{{1,2}}|{_alternatives(list(NUMBER_WORDS))})"
_B = r"(?<![\w-])"  # a word starts here
_E = r"(?![\w])"  # a word ends here
_TIME_OF_DAY = r"(?:\s+(?:morning|evening|night|afternoon|matin|soir|après-midi|soirée|matinée|nuit))?"


def _month(token: str) -> int | None:
    word = token.rstrip(".").casefold()
    if word in _ENGLISH_WORD_MONTHS and not token[:1].isupper():
        return None
    return MONTHS.get(word)


def _day(token: str) -> int:
    return int(re.match(r"\d+", token).group(0))


def _year(token: str | None) -> int | None:
    if not token:
        return None
    value = int(token)
    return value + 2000 if value < 100 else value


def _number(token: str) -> int:
    return int(token) if token.isdigit() else NUMBER_WORDS[token.casefold()]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _infer_year(month: int, day: int, published: dt.date) -> int:
    """The year of a day-month date with no year: the latest not more than a week after publication."""
    candidate = _safe_date(published.year, month, day)
    if candidate is not None and candidate <= published + _FUTURE_SLACK:
        return published.year
    return published.year - 1


def _infer_month_year(month: int, published: dt.date) -> int:
    return published.year if month <= published.month else published.year - 1


def _last_weekday(weekday: int, published: dt.date, *, strictly_before: bool) -> dt.date:
    back = (published.weekday() - weekday) % 7
    if back == 0 and strictly_before:
        back = 7
    return published - dt.timedelta(days=back)


def _precision(first: dt.date, last: dt.date) -> int:
    days = (last - first).days
    if days <= 1:
        return 1
    if days <= 7:
        return 2
    if days <= 31:
        return 3
    return 4


_PART_DAYS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31), "by-mid": (1, 15)}
_PART_WORDS = {
    "early": "early", "earlier": "early", "beginning": "early", "start": "early", "début": "early",
    "debut": "early", "mid": "mid", "middle": "mid", "milieu": "mid", "mi": "mid", "late": "late",
    "later": "late", "end": "late", "close": "late", "fin": "late", "turn": "late",
}  # fmt: skip


def _month_part(year: int, month: int, part: str) -> tuple[dt.date, dt.date]:
    first, last = _PART_DAYS[part]
    end = _month_end(year, month)
    return dt.date(year, month, first), min(end, dt.date(year, month, min(last, end.day)))


# ---------------------------------------------------------------------------
# Rules: each is a pattern and a function from its match to (first, last, precision, kind, flags).

_Result = tuple[dt.date, dt.date, int, str, dict] | None
_Handler = Callable[[re.Match[str], dt.date], _Result]


def _h_night(m: re.Match[str], published: dt.date) -> _Result:
    year = _year(m.group("year"))
    if m.group("d2"):
        month = _month(m.group("m2") or m.group("m1") or "") if (m.group("m2") or m.group("m1")) else None
        if month is None:
            return None
        second = _safe_date(year or _infer_year(month, _day(m.group("d2")), published), month, _day(m.group("d2")))
        if second is None:
            return None
    elif m.group("wd2"):
        second = _last_weekday(WEEKDAYS[m.group("wd2").casefold()], published, strictly_before=False)
    else:
        return None
    return second - dt.timedelta(days=1), second, 1, "night", {}


def _h_range(m: re.Match[str], published: dt.date) -> _Result:
    month = _month(m.group("m2"))
    first_month = _month(m.group("m1")) if m.group("m1") else month
    return _day_range(m, first_month, month, published)


def _day_range(m: re.Match[str], first_month: int | None, month: int | None, published: dt.date) -> _Result:
    """Days ``d1`` of ``first_month`` to ``d2`` of ``month``, in the year written or the one ``published`` implies."""
    if month is None or first_month is None:
        return None
    d1, d2 = _day(m.group("d1")), _day(m.group("d2"))
    year = _year(m.group("year")) or _infer_year(month, d2, published)
    first_year = year - 1 if first_month > month else year
    first, last = _safe_date(first_year, first_month, d1), _safe_date(year, month, d2)
    if first is None or last is None or last < first:
        return None
    return first, last, _precision(first, last), "range", {}


def _h_day_month(m: re.Match[str], published: dt.date) -> _Result:
    month = _month(m.group("month"))
    if month is None:
        return None
    day = _day(m.group("day"))
    year = _year(m.group("year")) or _infer_year(month, day, published)
    date = _safe_date(year, month, day)
    return None if date is None else (date, date, 1, "day", {})


def _h_numeric(m: re.Match[str], published: dt.date) -> _Result:
    a, b = int(m.group("a")), int(m.group("b"))
    year = _year(m.group("year"))
    for day, month in ((a, b), (b, a)):
        if 1 <= month <= 12 and 1 <= day <= 31:
            date = _safe_date(year or _infer_year(month, day, published), month, day)
            if date is not None:
                return date, date, 1, "day", {}
    return None


def _h_iso(m: re.Match[str], published: dt.date) -> _Result:
    date = _safe_date(int(m.group("year")), int(m.group("m")), int(m.group("d")))
    return None if date is None else (date, date, 1, "day", {})


def _h_month_part(m: re.Match[str], published: dt.date) -> _Result:
    month = _month(m.group("month"))
    if month is None:
        return None
    part = _PART_WORDS[m.group("part").casefold()]
    if m.group("by") and part == "mid":
        part = "by-mid"
    year = _year(m.group("year")) or _infer_month_year(month, published)
    first, last = _month_part(year, month, part)
    if m.group("by"):
        first = dt.date(year, month, 1)
    return first, last, 3, "month", {}


def _h_relative_month(m: re.Match[str], published: dt.date) -> _Result:
    text = m.group(0).casefold()
    groups = m.groupdict()
    part_word = (groups.get("part") or groups.get("part2") or "").casefold()
    which = (groups.get("which") or "").casefold()
    if not (part_word or which or "ce " in text or "-ci" in text or "this" in text):
        return None  # a bare "mois" ("trois mois") is a length of time, not a date
    if which.split(" ")[0] in ("last", "dernier", "passé", "passe", "précédent", "precedent"):
        anchor = published.replace(day=1) - dt.timedelta(days=1)
    else:
        anchor = published
    year, month = anchor.year, anchor.month
    if part_word == "earlier":
        return dt.date(year, month, 1), max(dt.date(year, month, 1), published - dt.timedelta(days=1)), 3, "month", {}
    if part_word == "later":
        return None
    flags = {"since": True} if groups.get("since") else {}
    if part_word:
        first, last = _month_part(year, month, _PART_WORDS[part_word])
        return first, last, 3, "month", flags
    return dt.date(year, month, 1), _month_end(year, month), 3, "month", flags


def _h_month(m: re.Match[str], published: dt.date) -> _Result:
    token = m.group("month")
    if token.rstrip(".").casefold() not in _FULL_MONTHS:
        return None  # abbreviations only count next to a day number
    month = _month(token)
    if month is None:
        return None
    year = _year(m.group("year"))
    if year is None and m.group("last"):
        # "last January" said in January is the January of the year before: the last one over
        # (not the French "le 3 août dernier", which may be this month).
        year = published.year if month < published.month else published.year - 1
    year = year or _infer_month_year(month, published)
    flags = {"since": True} if m.group("since") else {}
    return dt.date(year, month, 1), _month_end(year, month), 3, "month", flags


def _season_range(season: str, year: int) -> tuple[dt.date, dt.date]:
    m1, d1, m2, d2 = SEASONS[season]
    if m2 < m1:  # winter: December of the year before to March
        return dt.date(year - 1, m1, d1), dt.date(year, m2, d2)
    return dt.date(year, m1, d1), dt.date(year, m2, d2)


_LAST_WORDS = frozenset({"last", "dernier", "dernière", "derniere", "passé", "passe"})


def _h_season(m: re.Match[str], published: dt.date) -> _Result:
    if not (m.group("pre") or m.group("year") or m.group("which")):
        return None  # "a été tué": "été" is a season only with an article, a preposition or a year
    season = _SEASON_WORDS[" ".join(m.group("season").casefold().split())]
    which = (m.group("which") or m.group("which0") or "").casefold()
    year = _year(m.group("year"))
    if year is None:
        year = published.year
        this_one = which == "this" or m.group(0).casefold().startswith(("cet ", "ce "))
        first, last = _season_range(season, year)
        if not this_one and (which in _LAST_WORDS or first > published):
            # The last such season over before publication.
            while last >= published:
                year -= 1
                first, last = _season_range(season, year)
    first, last = _season_range(season, year)
    flags = {"since": True} if m.group("since") else {}
    return first, last, 4, "season", flags


def _h_year(m: re.Match[str], published: dt.date) -> _Result:
    year = int(m.group("year"))
    flags = {"since": True} if m.group("since") else {}
    return dt.date(year, 1, 1), dt.date(year, 12, 31), 4, "year", flags


def _h_relative_year(m: re.Match[str], published: dt.date) -> _Result:
    text = m.group(0).casefold()
    flags = {"since": True} if re.search(r"since|depuis", text) else {}
    if re.search(r"last|dernière|derniere|dernier|passée|passé|passee", text):
        y = published.year - 1
        return dt.date(y, 1, 1), dt.date(y, 12, 31), 4, "year", flags
    return dt.date(published.year, 1, 1), published, 4, "year", flags


def _h_weekday(m: re.Match[str], published: dt.date) -> _Result:
    weekday = WEEKDAYS[m.group("wd").casefold()]
    if m.group("next") or m.group("next_fr"):
        back = (weekday - published.weekday()) % 7 or 7
        date = published + dt.timedelta(days=back)
        return date, date, 1, "weekday", {"future": True}
    last = bool(m.group("last") or m.group("last_fr"))
    date = _last_weekday(weekday, published, strictly_before=last)
    return date, date, 2 if last else 1, "weekday", {}


def _h_days_ago(m: re.Match[str], published: dt.date) -> _Result:
    n = _number(m.group("n") or m.group("n2"))
    unit = (m.group("unit") or m.group("unit2")).casefold()
    if unit.startswith(("day", "jour")):
        date = published - dt.timedelta(days=n)
        return date, date, 1, "day", {}
    if unit.startswith(("week", "semaine")):
        date = published - dt.timedelta(days=7 * n)
        return date, date, 2, "week", {}
    date = published - dt.timedelta(days=30 * n)
    return date, date, 3, "month", {}


def _fixed(days_back: int, span: int = 0) -> _Handler:
    def handler(m: re.Match[str], published: dt.date) -> _Result:
        first = published - dt.timedelta(days=days_back)
        return first, first + dt.timedelta(days=span), 1, "day", {}

    return handler


def _h_week(m: re.Match[str], published: dt.date) -> _Result:
    text = m.group(0).casefold()
    last = bool(re.search(r"last|dernière|derniere|dernier|passée|passee|précédente", text))
    if "weekend" in text or "week-end" in text:
        saturday = _last_weekday(5, published, strictly_before=False)
        if saturday + dt.timedelta(days=1) > published and last:
            saturday -= dt.timedelta(days=7)
        return saturday, saturday + dt.timedelta(days=1), 2, "week", {}
    monday = published - dt.timedelta(days=published.weekday())
    if last:
        start = monday - dt.timedelta(days=7)
        return start, start + dt.timedelta(days=6), 2, "week", {}
    return monday, published, 2, "week", {}


def _h_anaphoric(offset: int) -> _Handler:
    def handler(m: re.Match[str], published: dt.date) -> _Result:
        return published, published, 1, "anaphoric", {"offset": offset}

    return handler


def _h_days_later(m: re.Match[str], published: dt.date) -> _Result:
    return published, published, 1, "anaphoric", {"offset": _number(m.group("n"))}


def _h_range_month_first(m: re.Match[str], published: dt.date) -> _Result:
    """ "between March 27 and 31", "from March 30 to April 2": the month written before the first day."""
    first_month, month = _month(m.group("m1")), _month(m.group("m2") or m.group("m1"))
    return _day_range(m, first_month, month, published)


_I = re.IGNORECASE
_RULES: list[tuple[re.Pattern[str], _Handler]] = [
    (
        re.compile(
            rf"{_B}(?:dans\s+la\s+nuit|(?:in|on|during)\s+the\s+night|overnight|la\s+nuit)\s+"
            rf"(?:du\s+|de\s+|d['’]\s*|of\s+|from\s+)?(?:(?P<wd1>{_WEEKDAY})\s*)?(?:(?P<d1>{_DAY})\s*)?"
            rf"(?:(?P<m1>{_MONTH})\s*)?(?:au|à|to|into|and)\s+(?:(?P<wd2>{_WEEKDAY})\s*)?(?:(?P<d2>{_DAY})\s*)?"
            rf"(?:(?P<m2>{_MONTH}))?(?:\s+(?P<year>{_YEAR}))?",
            _I,
        ),
        _h_night,
    ),
    (
        re.compile(
            rf"{_B}(?:from|between|du|entre\s+le)\s+(?P<d1>{_DAY})\s+(?:(?P<m1>{_MONTH})\s+)?"
            rf"(?:to|and|au|et\s+le)\s+(?P<d2>{_DAY})\s+(?P<m2>{_MONTH})(?:\s+(?P<year>{_YEAR}))?",
            _I,
        ),
        _h_range,
    ),
    (
        re.compile(
            rf"{_B}(?:from|between)\s+(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})\s+(?:to|and|until|through)\s+"
            rf"(?:(?P<m2>{_MONTH})\s+)?(?P<d2>{_DAY})(?:,?\s+(?P<year>{_YEAR}))?",
            _I,
        ),
        _h_range_month_first,
    ),
    (
        re.compile(
            rf"{_B}(?P<d1>{_DAY})\s*[-–]\s*(?P<d2>{_DAY})\s+(?P<m2>{_MONTH})(?P<m1>)(?:\s+(?P<year>{_YEAR}))?", _I
        ),
        _h_range,
    ),
    (
        re.compile(
            rf"{_B}(?P<m2>{_MONTH})(?P<m1>)\s+(?P<d1>{_DAY})\s*[-–]\s*(?P<d2>{_DAY})(?:,?\s+(?P<year>{_YEAR}))?", _I
        ),
        _h_range,
    ),
    (
        re.compile(
            rf"{_B}(?:(?:(?:on|le)\s+)?(?P<wd>{_WEEKDAY}),?\s+)?(?:the\s+)?(?P<day>{_DAY})(?:\s+of)?\s+"
            rf"(?P<month>{_MONTH})(?:,?\s+(?P<year>{_YEAR}))?{_E}",
            _I,
        ),
        _h_day_month,
    ),
    (
        re.compile(
            rf"{_B}(?:(?P<wd>{_WEEKDAY}),?\s+)?(?P<month>{_MONTH})\s+(?:the\s+)?(?P<day>{_DAY})"
            rf"(?:,?\s+(?P<year>{_YEAR}))?",
            _I,
        ),
        _h_day_month,
    ),
    (re.compile(r"(?<![\d/.-])(?P<year>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d])"), _h_iso),
    (
        re.compile(
            r"(?<![\d/.,])(?P<a>[0-3]?\d)(?P<sep>[/.-])(?P<b>[01]?\d)(?P=sep)(?P<year>(?:19|20)?\d{2})(?![\d/.])"
        ),
        _h_numeric,
    ),
    (
        # "on 7/9", "le 7/9": a numeric day/month with no year needs the preposition to be read as a date.
        re.compile(
            r"\b(?:on|le|du|au|since|depuis|dated|daté|until"
            r"|jusqu'au)\s(?P<a>[0-3]?\d)/(?P<b>[01]?\d)(?P<year>)(?![\d/])",
            _I,
        ),
        _h_numeric,
    ),
    (
        re.compile(
            rf"{_B}(?:(?P<by>by|d['’]ici)\s+)?(?:(?:at|in|towards?|à|au|en|vers)\s+)?(?:the\s+|la\s+)?"
            rf"(?P<part>end|beginning|start|middle|close|turn|fin|début|debut|milieu)\s+(?:of|du|de|d['’])\s*"
            rf"(?:(?:the\s+)?month\s+of\s+|mois\s+(?:de\s+|d['’]\s*))?(?P<month>{_MONTH})(?:\s+(?P<year>{_YEAR}))?",
            _I,
        ),
        _h_month_part,
    ),
    (
        re.compile(
            rf"{_B}(?:(?P<by>by|d['’]ici)\s+)?(?:(?:in|à\s+la|à|au|en|vers\s+la|vers|la)\s+)?"
            rf"(?P<part>early|late|mid|end|fin|début|debut|mi)[-\s]+(?P<month>{_MONTH})(?:\s+(?P<year>{_YEAR}))?",
            _I,
        ),
        _h_month_part,
    ),
    (
        re.compile(
            rf"{_B}(?:(?P<since>since)\s+)?(?:(?:at|in)\s+)?(?:(?P<part>early|earlier|late|later|mid)[-\s]+"
            r"|the\s+(?P<part2>start|beginning|end|middle)\s+of\s+)?(?P<which>this|last)\s+month",
            _I,
        ),
        _h_relative_month,
    ),
    (
        re.compile(r"(?P<since>since)\s+the\s+(?P<part>start|beginning)\s+of\s+the\s+month(?P<which>)", _I),
        _h_relative_month,
    ),
    (
        re.compile(
            r"(?<![\w-])(?:(?P<since>depuis)\s+)?(?:(?:au|en|à\s+la|la|le)\s+)?(?:(?P<part>début|debut|fin|mi"
            r"|milieu)[-\s]+"
            r"(?:du\s+|de\s+)?)?(?:ce\s+)?mois(?:-ci|\s+(?P<which>dernier|passé|passe|précédent|precedent"
            r"|en\s+cours))?",
            _I,
        ),
        _h_relative_month,
    ),
    (
        re.compile(
            rf"{_B}(?:(?P<since>since|depuis)\s+)?(?:(?:in|during|en|courant|durant|pendant|au\s+mois\s+d['e]\s*)\s*)?"
            rf"(?:(?P<last>last|this\s+past)\s+)?(?P<month>{_MONTH})(?:\s+(?P<year>{_YEAR}))?{_E}",
            _I,
        ),
        _h_month,
    ),
    (
        re.compile(
            r"(?<![\w-])(?:(?P<since>since|depuis)\s+)?(?P<pre>(?:in|during|over)\s+(?:the\s+)?"
            r"|(?:à|au\s+cours\s+de|pendant|durant|en)\s+l['’]|l['’]|au\s+|en\s+|durant\s+le\s+|pendant\s+le\s+"
            r"|cet\s+|ce\s+|(?P<which0>last|this)\s+)?(?P<season>summer|spring|autumn|fall|winter|été|printemps|automne"
            r"|hiver|rainy\s+season|saison\s+des\s+pluies|hivernage)(?:\s+of)?"
            rf"(?:\s+(?P<year>{_YEAR})|\s+(?P<which>dernier|dernière|derniere|passé|passe)(?![\w-]))?",
            _I,
        ),
        _h_season,
    ),
    (
        re.compile(
            r"(?<![\w-])(?:(?:since|depuis)\s+)?(?:the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+year"
            r"|le\s+début\s+de\s+(?:l['’]année|cette\s+année)|(?:earlier\s+|early\s+)?(?:last|this)\s+year"
            r"|l['’]année\s+(?:dernière|derniere|passée|passee)|l['’]an\s+(?:dernier|passé)|cette\s+année)(?![\w-])",
            _I,
        ),
        _h_relative_year,
    ),
    (
        re.compile(
            rf"{_B}(?:(?P<since>since|depuis)\s+|(?:in|en|during|durant|pendant|of|de)\s+)(?P<year>{_YEAR})", _I
        ),
        _h_year,
    ),
    (
        re.compile(
            rf"{_B}(?:(?P<last>last|past)\s+|(?P<next>next)\s+|(?:on|this|ce|le)\s+)?(?P<wd>{_WEEKDAY})"
            rf"(?:\s+(?P<last_fr>dernier|passé)|\s+(?P<next_fr>prochain))?{_TIME_OF_DAY}{_E}",
            _I,
        ),
        _h_weekday,
    ),
    (
        re.compile(
            rf"{_B}(?:(?P<n>{_NUMBER})\s+(?P<unit>days?|weeks?|months?)\s+ago|il\s+y\s+a\s+(?P<n2>{_NUMBER})\s+"
            r"(?P<unit2>jours?|semaines?|mois))",
            _I,
        ),
        _h_days_ago,
    ),
    (re.compile(r"(?<![\w-])(?:the\s+day\s+before\s+yesterday|avant-hier|avant\s+hier)" + _TIME_OF_DAY, _I), _fixed(2)),
    (re.compile(r"(?<![\w-])(?:yesterday|hier)" + _TIME_OF_DAY + r"(?![\w-])", _I), _fixed(1)),
    (
        re.compile(r"(?<![\w-])(?:last\s+night|la\s+nuit\s+dernière|la\s+nuit\s+derniere|overnight)(?![\w-])", _I),
        _fixed(1, 1),
    ),
    (
        re.compile(
            r"(?<![\w-])(?:today|tonight|this\s+(?:morning|afternoon|evening)|aujourd['’]hui|ce\s+matin"
            r"|cet\s+après-midi"
            r"|ce\s+soir|cette\s+nuit)(?![\w-])",
            _I,
        ),
        _fixed(0),
    ),
    (
        re.compile(
            r"(?<![\w-])(?:(?:earlier\s+)?this\s+week|last\s+week|(?:la\s+)?semaine\s+(?:dernière|derniere|passée"
            r"|passee"
            r"|précédente)|cette\s+semaine|en\s+début\s+de\s+semaine|(?:last|this)\s+weekend|(?:le|ce)\s+week-end"
            r"(?:\s+dernier)?)(?![\w-])",
            _I,
        ),
        _h_week,
    ),
    (
        re.compile(
            r"(?<![\w-])(?:the\s+same\s+day|that\s+same\s+day|that\s+day|le\s+même\s+jour|ce\s+jour-là"
            r"|le\s+jour\s+même)(?![\w-])",
            _I,
        ),
        _h_anaphoric(0),
    ),
    (
        re.compile(r"(?<![\w-])(?:the\s+(?:next|following)\s+day|le\s+lendemain|the\s+day\s+after)(?![\w-])", _I),
        _h_anaphoric(1),
    ),
    (re.compile(r"(?<![\w-])(?:the\s+(?:day\s+before|previous\s+day)|la\s+veille)(?![\w-])", _I), _h_anaphoric(-1)),
    (
        # "L'attaque survient au lendemain d'une prise d'otages", "a day after a siege": what follows these
        # words happened the day before the incident just told.
        re.compile(
            r"(?<![\w-])(?:au\s+lendemain(?=\s+(?:d['’]|de\s|du\s|des\s))|(?:a|one)\s+day\s+after(?=\s+(?:a|an|the)\s))",
            _I,
        ),
        _h_anaphoric(-1),
    ),
    (
        re.compile(rf"{_B}(?P<n>{_NUMBER})\s+(?:days?\s+later|jours?\s+plus\s+tard)", _I),
        _h_days_later,
    ),
    (
        re.compile(
            rf"{_B}(?P<n>{_NUMBER})\s+(?:days?\s+(?:earlier|before)|jours?\s+plus\s+tôt|jours?\s+auparavant)", _I
        ),
        lambda m, p: (p, p, 1, "anaphoric", {"offset": -_number(m.group("n"))}),
    ),
    (
        re.compile(
            r"(?<![\w-])(?:(?:a|one)\s+week\s+(?:earlier|before)|une\s+semaine\s+(?:plus\s+tôt|auparavant)"
            r"|la\s+semaine\s+précédente|the\s+previous\s+week)(?![\w-])",
            _I,
        ),
        lambda m, p: (p, p, 2, "anaphoric", {"offset": -7}),
    ),
]


_REPORT_BEFORE = re.compile(
    r"(?:\b(?:said|says|told|announced|reported|stated|confirmed|added|declared|claimed|tweeted|warned|ordered)"
    r"(?:\s+in\s+a\s+(?:\w+\s+)?(?:statement|communiqué|note|message|report|video|post))?"
    r"\s+(?:on\s+|late\s+|early\s+)?"
    r"|\b(?:a|ont|avait|avaient)\s+(?:annoncé|déclaré|indiqué|affirmé|précisé|confirmé|rapporté|expliqué|ajouté"
    r"|signalé|dénoncé|revendiqué|ordonné)\s+(?:le\s+|ce\s+)?"
    r"|\ba-t-(?:il|elle|on)\s+(?:annoncé|indiqué|précisé|affirmé)\s+(?:le\s+|ce\s+)?)$",
    re.IGNORECASE,
)
# When the press saw or published something, not when anyone said it.
_SEEN_BEFORE = re.compile(
    r"(?:\b(?:seen|obtained|consulted|published|released|issued|posted|wrote)\s+(?:on\s+|late\s+|early\s+)?"
    r"|\b(?:a|ont)\s+(?:publié|diffusé|consulté|obtenu)\s+(?:le\s+|ce\s+)?"
    r"|\b(?:publiée?s?|diffusée?s?|consultée?s?|rendue?s?\s+publique?s?)\s+(?:le\s+|ce\s+)?"
    r"|\ba-t-on\s+appris\s+(?:le\s+|ce\s+)?)$",
    re.IGNORECASE,
)


# "a few days ago it announced that ...", "mardi, l'armée a indiqué que ...": the day of a statement.
_REPORT_AFTER = re.compile(
    r"^,?\s+(?:it|they|he|she|the\s+(?:army|military|government|ministry|mission|group)|il|elle|ils|l['’]armée"
    r"|le\s+gouvernement)\s+(?:had\s+|has\s+)?(?:announced|said|stated|claimed|reported|declared)\b"
    r"|^,?\s+(?:il|elle|ils|l['’]armée|le\s+gouvernement)\s+(?:a|avait|ont|avaient)\s+(?:annoncé|indiqué|déclaré"
    r"|affirmé|revendiqué)\b",
    re.IGNORECASE,
)


def _report(text: str, start: int, end: int | None = None) -> str:
    """``"said"`` after (or just before) a verb of saying, ``"seen"`` after the press saw it, else ``""``."""
    before = text[max(0, start - 60) : start]
    if _REPORT_BEFORE.search(before):
        return "said"
    if end is not None and _REPORT_AFTER.search(text[end : end + 60]):
        return "said"
    if _SEEN_BEFORE.search(before):
        return "seen"
    return ""


def find_dates(text: str, published: dt.date) -> list[DateMention]:
    """Date mentions in ``text``, resolved against the publication date.

    Where mentions overlap, the longest wins ("dans la nuit du samedi 9 au
    dimanche 10 mars 2024" is one mention, not two days and a year).

    Parameters
    ----------
    text : str
        Article text (English, French or both).
    published : datetime.date
        The publication date; relative dates are counted from it.

    Returns
    -------
    list of DateMention
        In text order.
    """
    found: list[tuple[int, int, DateMention]] = []
    for pattern, handler in _RULES:
        for m in pattern.finditer(text):
            if m.end() == m.start() or not m.group(0).strip():
                continue
            result = handler(m, published)
            if result is None:
                continue
            first, last, precision, kind, flags = result
            since = bool(flags.get("since"))
            future = bool(flags.get("future")) or (kind != "anaphoric" and first > published)
            if since or (not future and last > published):
                last = published
            start, end = m.start(), m.end()
            # Leading blanks a pattern allowed are not part of the mention.
            while start < end and text[start].isspace():
                start += 1
            mention = DateMention(
                start=start,
                end=end,
                text=text[start:end],
                date=None if kind == "anaphoric" else first,
                date_end=None if kind == "anaphoric" else last,
                time_precision=precision if kind == "anaphoric" else max(precision, _precision(first, last)),
                kind=kind,
                report=_report(text, start, end),
                since=since,
                future=future,
                offset=int(flags.get("offset", 0)),
            )
            found.append((start, end, mention))
    found.sort(key=lambda f: (f[0] - f[1], f[0]))
    taken: list[tuple[int, int]] = []
    chosen: list[DateMention] = []
    for start, end, mention in found:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        chosen.append(mention)
    return sorted(chosen, key=lambda d: d.start)


def full_date(text: str) -> dt.date | None:
    """The first date in ``text`` written with day, month and year ("14 août 2023", "Sept. 14, 2023"), else ``None``."""
    for pattern, handler in _RULES:
        if handler is not _h_day_month:
            continue
        for m in pattern.finditer(text):
            if m.group("year"):
                result = handler(m, dt.date(int(m.group("year")), 12, 31))
                if result is not None:
                    return result[0]
    return None

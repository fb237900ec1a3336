"""Vectorised parsing of one column's values: text, numbers, dates, timestamps, yes/no, choices.

Each parser returns the parsed values with missing where a value is absent
or unreadable; the caller tells the two apart (``text(values).notna()``) and
rejects the unreadable ones. Dates and choices repeat a lot, so they are
parsed once per distinct value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

#: Date spellings read, in order; day first where day and month could swap.
#: Two-digit years come before four-digit ones so ``7-Sep-23`` is 2023, not year 23.
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%B %d, %Y",
    "%b %d, %Y",
)
#: What a date out of ``DATE_YEARS`` is told.
DATE_RANGE_TEXT = "out of range; expected a date between the years {} and {}"
#: How date errors describe what they expected.
DATE_EXAMPLES = "a date such as 2023-09-07, 07 September 2023, 7-Sep-23 or 07/09/2023 (day first)"
#: Dates outside these years are taken as typing mistakes.
DATE_YEARS = (1800, 2200)

TRUE_WORDS = frozenset({"true", "yes", "y", "t", "1", "civilian targeting", "civilians targeted"})
FALSE_WORDS = frozenset({"false", "no", "n", "f", "0"})

_ISO_DATE_PREFIX = r"^(\d{4}-\d{1,2}-\d{1,2})(?:[T ].*)?$"
_DECIMAL_COMMA = r"^\s*(-?\d+),(\d+)\s*$"
_WHOLE_FLOAT = r"^(-?\d+)\.0+$"
_NUMBER = r"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?"


def text(values: pd.Series) -> pd.Series:
    """Values as strings with surrounding blanks removed; blanks and NaN become missing."""
    s = values.astype("string").str.strip()
    return s.mask(s == "")


def distinct(values: pd.Series) -> tuple[np.ndarray, list[str | None]]:
    """Codes into the distinct values (-1 for missing) and those values as stripped text (None if blank)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values)
    stripped = [str(u).strip() for u in uniques]
    return np.asarray(codes), [u or None for u in stripped]


def _by_distinct(values: pd.Series, parse: Callable[[pd.Series], pd.Series], dtype: str) -> pd.Series:
    """Apply ``parse`` to each distinct text value once and spread the results back."""
    codes, uniques = distinct(values)
    parsed = parse(pd.Series(uniques, dtype=object)).astype(dtype)
    # One extra missing slot at the end serves code -1.
    table = np.concatenate([parsed.to_numpy(), pd.Series([None], dtype=dtype).to_numpy()])
    return pd.Series(table[codes], index=values.index, dtype=dtype)


def _parse_date_texts(uniques: pd.Series) -> pd.Series:
    iso = uniques.str.extract(_ISO_DATE_PREFIX, expand=False)
    candidates = iso.fillna(uniques)
    parsed = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[s]")
    todo = pd.Series(True, index=uniques.index)
    for fmt in DATE_FORMATS:
        if not todo.any():
            break
        attempt = pd.to_datetime(candidates[todo], format=fmt, errors="coerce").astype("datetime64[s]")
        parsed[todo] = attempt
        todo &= parsed.isna()
    years = parsed.dt.year
    return parsed.mask((years < DATE_YEARS[0]) | (years > DATE_YEARS[1]))


def dates(values: pd.Series) -> pd.Series:
    """Calendar dates (``datetime64[ns]`` at midnight); NaT where missing or not a date.

    Text is read in the spellings of ``DATE_FORMATS``; an ISO date followed by
    a time keeps the date.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _plausible(values).astype("datetime64[ns]").dt.normalize()
    return _by_distinct(values, _parse_date_texts, "datetime64[s]").astype("datetime64[ns]")


_BEYOND_ISO = re.compile(r"^\s*[+-]?(\d{5,}|0000)-\d{1,2}-\d{1,2}\s*$")


def _beyond(text: str | None) -> bool:
    if text is None:
        return False
    if _BEYOND_ISO.match(text):
        return True
    found = re.match(_ISO_DATE_PREFIX, text)
    candidate = found.group(1) if found else text
    for fmt in DATE_FORMATS:
        try:
            day = dt.datetime.strptime(candidate, fmt)
        except ValueError:
            continue
        return not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]
    return False


def dates_out_of_range(values: pd.Series) -> pd.Series:
    """True where a value is a calendar date, but outside ``DATE_YEARS`` (``9999-12-31``, ``0001-01-01``).

    Meant for the values ``dates`` could not read, to tell "out of range" from "not a date";
    it tries each spelling in Python, once per distinct value.
    """
    codes, uniques = distinct(values)
    table = np.array([_beyond(u) for u in uniques] + [False], dtype=bool)
    return pd.Series(table[codes], index=values.index)


def numbers(values: pd.Series) -> pd.Series:
    """Floats; NaN where missing or not a number. A decimal comma (``14,35``) is read as a point."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return pd.to_numeric(values).astype("float64")
    s = text(values)
    try:
        out = s.astype("float64")
    except (TypeError, ValueError):
        out = pd.to_numeric(s, errors="coerce").astype("float64")
        retry = out.isna() & s.str.contains(",", regex=False).fillna(False)
        if retry.any():
            fixed = s[retry].str.replace(_DECIMAL_COMMA, r"\1.\2", regex=True)
            out[retry] = pd.to_numeric(fixed, errors="coerce").astype("float64")
    return out.where(np.isfinite(out))


def _plausible(stamps: pd.Series) -> pd.Series:
    years = stamps.dt.year
    return stamps.mask((years < DATE_YEARS[0]) | (years > DATE_YEARS[1]))


def timestamps(values: pd.Series) -> pd.Series:
    """UTC datetimes; NaT where missing or unreadable. Numbers are Unix seconds (as ACLED writes)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return _plausible(values.dt.tz_convert("UTC")).astype("datetime64[ns, UTC]")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _plausible(values.dt.tz_localize("UTC")).astype("datetime64[ns, UTC]")
    if pd.api.types.is_numeric_dtype(values.dtype):
        seconds = numbers(values)
    else:
        s = text(values)
        seconds = numbers(s.where(s.str.fullmatch(_NUMBER).fillna(False)))
    plausible = seconds.where(seconds.between(0, 7_000_000_000))
    out = pd.to_datetime(plausible, unit="s", utc=True).astype("datetime64[ns, UTC]")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return out
    rest = s.notna() & seconds.isna()
    if rest.any():
        parsed = _plausible(pd.to_datetime(s[rest], format="ISO8601", utc=True, errors="coerce"))
        out[rest] = parsed.astype("datetime64[ns, UTC]")
    return out


def integers_ok(parsed: pd.Series) -> pd.Series:
    """True where a parsed number is a whole number (missing counts as fine)."""
    return parsed.isna() | (parsed == np.floor(parsed))


def whole_ids(values: pd.Series) -> pd.Series:
    """Ids as text, with spreadsheet float ids written back as integers (``2611.0`` -> ``2611``)."""
    s = text(values)
    return s.str.replace(_WHOLE_FLOAT, r"\1", regex=True)


def flags(values: pd.Series, true_words: Iterable[str] = TRUE_WORDS) -> tuple[pd.Series, pd.Series]:
    """Yes/no values as bools (missing is False) and a mask of values that are neither.

    Returns
    -------
    (pandas.Series of bool, pandas.Series of bool)
        The flags, and True where the text is not a yes or no word.
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.fillna(False).astype(bool), pd.Series(False, index=values.index)
    words = {**{w: "no" for w in FALSE_WORDS}, **{w: "yes" for w in true_words}}
    s = text(values)
    parsed = choices(s.str.replace(_WHOLE_FLOAT, r"\1", regex=True), words)
    return (parsed == "yes").to_numpy(), pd.Series(parsed.isna() & s.notna(), index=values.index)


def _fold(value: str) -> str:
    return " ".join(value.split()).casefold()


def choices(
    values: pd.Series, allowed: Mapping[str, str] | Iterable[str], categories: Sequence[str] | None = None
) -> pd.Series:
    """Each value's match among ``allowed``, ignoring case and repeated blanks; missing when none matches.

    Parameters
    ----------
    values : pandas.Series
        Text (or a categorical of text).
    allowed : mapping or iterable of str
        The spellings themselves, or a mapping of spelling -> result.
    categories : sequence of str, optional
        Categories of the result, in this order; by default the results found.

    Returns
    -------
    pandas.Series
        Categorical of the results.
    """
    table = dict(allowed) if isinstance(allowed, Mapping) else {a: a for a in allowed}
    folded = {_fold(k): v for k, v in table.items()}
    codes, uniques = distinct(values)
    matched = [folded.get(_fold(u)) if u else None for u in uniques]
    cats = list(categories) if categories is not None else sorted({m for m in matched if m is not None})
    position = {c: i for i, c in enumerate(cats)}
    lookup = np.array([position.get(m, -1) if m is not None else -1 for m in matched] + [-1], dtype=np.int64)
    result = pd.Categorical.from_codes(lookup[codes], categories=pd.Index(cats, dtype=object))
    return pd.Series(result, index=values.index)


def as_category(values: pd.Series) -> pd.Series:
    """Text as a categorical without touching the values (cheap for repeated names)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values
    codes, uniques = pd.factorize(values)
    return pd.Series(pd.Categorical.from_codes(codes, pd.Index(uniques, dtype=object)), index=values.index)

"""Offline gazetteer for Mali: place name -> coordinates.

The places ship with the package (``data/gazetteer.csv``, admin1 aliases in
``data/admin1.csv``) and are read once per process. Matching ignores accents,
case, hyphens, apostrophes and spaces: ``"tombouctou"``, ``"TIMBUKTU"`` and
``"Ti-n-Essako"`` = ``"Tin Essako"`` all find their place. An exact match on a
name or an alternative spelling scores 1.0; a close spelling scores less (never
above ``FUZZY_MAX``) and only when it is similar enough (``FUZZY_CUTOFF``).

Names may carry their region ("Léré, Tombouctou": looked up in that region)
or their town ("Koko-Plateau, Kati": a quarter of Kati). When only one part of
such a compound name is known, that place is returned with ``PART_SCORE``, so
"Kati - Koko-Plateau" gives Kati at 0.7 while the quarter is not in the data.

``admin1`` follows ACLED's first-level names for Mali: Bamako, Gao, Kayes,
Kidal, Koulikoro, Menaka, Mopti, Segou, Sikasso, Timbuktu (ACLED has no
Taoudenit: its places count as Timbuktu). ``canonical_admin1`` maps French
names, accented forms and "Région de ..." onto these.

A bare region name means its capital town ("Kidal" is the town); the region
itself needs the word: "Kidal region", "Région de Kidal".
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from conflictmap.errors import ConflictmapError

#: Kinds of place in the gazetteer.
KINDS: tuple[str, ...] = ("capital", "region_capital", "cercle_capital", "town", "village", "quarter", "region")
#: ACLED's first-level administrative units for Mali.
ADMIN1: tuple[str, ...] = (
    "Bamako",
    "Gao",
    "Kayes",
    "Kidal",
    "Koulikoro",
    "Menaka",
    "Mopti",
    "Segou",
    "Sikasso",
    "Timbuktu",
)
#: Mali's bounding box (south, west, north, east), used to check every row on load.
MALI_BBOX: tuple[float, float, float, float] = (10.1, -12.3, 25.0, 4.3)
#: Close spellings score ``FUZZY_MAX * similarity`` when similarity >= ``FUZZY_CUTOFF``.
FUZZY_CUTOFF = 0.8
FUZZY_MAX = 0.9
#: Score of a region found by its bare name: below its capital town, which that name usually means.
BARE_REGION_SCORE = 0.85
#: Scores of places outside a hinted admin1 are multiplied by this.
OUTSIDE_HINT_FACTOR = 0.8
#: Score of a place named by one part of a compound name ("Kati - Koko-Plateau" when the quarter is unknown).
PART_SCORE = 0.7
# Scores this close count as a tie.
_TIE = 1e-9

# Ménaka region was carved out of Gao in 2016: files made before then say "Gao" for its places.
_HINT_COVERS: dict[str, frozenset[str]] = {"Gao": frozenset({"Gao", "Menaka"})}

_PART_SEPARATORS = re.compile(r"\s*(?:[,;/()]|\s[-–]\s)\s*")
_REGION_WORD = re.compile(r"\b(?:region|district)\b")
_REGION_WORDS = re.compile(r"^(?:(?:la |the )?region (?:de |du |d |of )?)?(.+?)(?: region)?$")
# Common words that are also place names: in free text they count only when capitalised.
_COMMON_WORDS = frozenset({"dire", "san", "bla", "boni"})


class PlaceNotFoundError(ConflictmapError, LookupError):
    """No place in the gazetteer matches a name."""


class AmbiguousPlaceError(ConflictmapError, LookupError):
    """Several different places match a name equally well; ``candidates`` holds them."""

    def __init__(self, message: str, candidates: Iterable[Candidate]) -> None:
        super().__init__(message)
        self.candidates: tuple[Candidate, ...] = tuple(candidates)


class UnknownAdmin1Error(ConflictmapError, ValueError):
    """An admin1 hint that is not one of Mali's regions."""


class GazetteerDataError(ConflictmapError, ValueError):
    """A row of the gazetteer's own data is invalid (a packaging or editing mistake)."""


@dataclass(frozen=True)
class Place:
    """One place of the gazetteer.

    Attributes
    ----------
    name : str
        Display name: the common English name where it differs, else the official French one.
    alt_names : tuple of str
        Other spellings (French, English, local).
    kind : str
        One of ``KINDS``.
    admin1 : str
        Region, one of ``ADMIN1``.
    admin2 : str or None
        Cercle (``None`` for a region).
    parent : str or None
        For a quarter, the name of the town it belongs to.
    latitude, longitude : float
        WGS84 degrees.
    source : str
        Where the coordinate was checked, e.g. ``geonames:2449067``.
    """

    name: str
    alt_names: tuple[str, ...]
    kind: str
    admin1: str
    admin2: str | None
    parent: str | None
    latitude: float
    longitude: float
    source: str

    @property
    def geo_precision(self) -> int:
        """Canonical ``geo_precision``: 3 for a region's centroid, 1 for a named place."""
        return 3 if self.kind == "region" else 1

    @property
    def names(self) -> tuple[str, ...]:
        """The display name followed by the alternative spellings."""
        return (self.name, *self.alt_names)


@dataclass(frozen=True)
class Candidate:
    """A place proposed for a name, with how well it matched.

    Attributes
    ----------
    place : Place
        The place.
    score : float
        0 to 1; 1.0 is an exact (normalised) match on a name or alternative spelling.
    matched : str
        The spelling of the place that matched.

    ``name``, ``latitude``, ``longitude``, ``admin1``, ``admin2``, ``kind`` and
    ``geo_precision`` read through to ``place``.
    """

    place: Place
    score: float
    matched: str

    @property
    def name(self) -> str:
        return self.place.name

    @property
    def latitude(self) -> float:
        return self.place.latitude

    @property
    def longitude(self) -> float:
        return self.place.longitude

    @property
    def admin1(self) -> str:
        return self.place.admin1

    @property
    def admin2(self) -> str | None:
        return self.place.admin2

    @property
    def kind(self) -> str:
        return self.place.kind

    @property
    def geo_precision(self) -> int:
        return self.place.geo_precision

    def to_dict(self) -> dict[str, object]:
        """Plain values for JSON: name, latitude, longitude, admin1, admin2, kind, score, matched."""
        return {
            "name": self.name,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "kind": self.kind,
            "score": round(self.score, 4),
            "matched": self.matched,
        }


def _fold_char(ch: str) -> str:
    """One character folded: accents dropped, lower case, punctuation as a space."""
    out = []
    for c in unicodedata.normalize("NFKD", ch):
        if unicodedata.combining(c):
            continue
        for f in c.casefold():
            out.append(f if f.isalnum() else " ")
    return "".join(out)


def normalize(text: str) -> str:
    """Fold a name for matching: no accents, lower case, words separated by one space.

    Hyphens, apostrophes and other punctuation count as spaces, so
    ``"Tin-Zaouatene"``, ``"tin zaouatene"`` and ``"TIN ZAOUATENE"`` give the
    same result.

    Parameters
    ----------
    text : str
        Any name or text.

    Returns
    -------
    str
        The folded text.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected a place name as str, got {type(text).__name__}: {text!r}")
    return " ".join("".join(_fold_char(ch) for ch in text).split())


def _key(text: str) -> str:
    """Matching key: the normalised text without spaces (space-insensitive)."""
    return normalize(text).replace(" ", "")


# ---------------------------------------------------------------------------
# Data


def _read_resource(name: str) -> list[dict[str, str]]:
    raw = resources.files("conflictmap").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(raw)))


def _split_names(value: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in value.split("|") if n.strip())


def _parse_place(row: dict[str, str], line: int) -> Place:
    def fail(column: str, expected: str) -> GazetteerDataError:
        return GazetteerDataError(f"gazetteer.csv line {line}: {column}={row.get(column)!r}; expected {expected}")

    name = (row.get("name") or "").strip()
    if not name:
        raise fail("name", "a name")
    kind = (row.get("kind") or "").strip()
    if kind not in KINDS:
        raise fail("kind", f"one of {list(KINDS)}")
    admin1 = (row.get("admin1") or "").strip()
    if admin1 not in ADMIN1:
        raise fail("admin1", f"one of {list(ADMIN1)}")
    admin2 = (row.get("admin2") or "").strip() or None
    if admin2 is None and kind != "region":
        raise fail("admin2", "a cercle")
    parent = (row.get("parent") or "").strip() or None
    if (parent is None) == (kind == "quarter"):
        raise fail("parent", "the town's name for a quarter and nothing otherwise")
    where = f"gazetteer.csv line {line}: latitude, longitude = {row.get('latitude')!r}, {row.get('longitude')!r}"
    try:
        lat, lon = float(row["latitude"]), float(row["longitude"])
    except (KeyError, TypeError, ValueError):
        raise GazetteerDataError(f"{where}; expected decimal degrees") from None
    south, west, north, east = MALI_BBOX
    if not (south <= lat <= north and west <= lon <= east):
        raise GazetteerDataError(f"{where}; expected a point inside Mali (south, west, north, east = {MALI_BBOX})")
    source = (row.get("source") or "").strip()
    if not source:
        raise fail("source", "where the coordinate was checked")
    return Place(
        name=name,
        alt_names=tuple(n for n in _split_names(row.get("alt_names") or "") if n != name),
        kind=kind,
        admin1=admin1,
        admin2=admin2,
        parent=parent,
        latitude=lat,
        longitude=lon,
        source=source,
    )


@cache
def places() -> tuple[Place, ...]:
    """Every place of the gazetteer, in file order (read once per process).

    Returns
    -------
    tuple of Place

    Raises
    ------
    GazetteerDataError
        If a row of the packaged data is invalid (names the line and value).
    """
    result = tuple(_parse_place(row, i) for i, row in enumerate(_read_resource("gazetteer.csv"), start=2))
    names = {p.name for p in result if p.kind != "quarter"}
    for p in result:
        if p.parent is not None and p.parent not in names:
            raise GazetteerDataError(f"quarter {p.name!r}: parent {p.parent!r} is not a place of the gazetteer")
    return result


@dataclass(frozen=True)
class Region:
    """One of ``ADMIN1`` with its names (a row of ``data/admin1.csv``).

    Attributes
    ----------
    admin1 : str
        ACLED's name, one of ``ADMIN1``.
    french : str
        The official French name, with its accents ("Tombouctou", "Ségou").
    aliases : tuple of str
        Other spellings, and the regions created since 2016 that lie within it.
    """

    admin1: str
    french: str
    aliases: tuple[str, ...]


@cache
def regions() -> tuple[Region, ...]:
    """Mali's first-level regions as ACLED names them, with their French names and aliases.

    Raises
    ------
    GazetteerDataError
        If a row of ``admin1.csv`` names no region of ``ADMIN1``.
    """
    out = []
    for line, row in enumerate(_read_resource("admin1.csv"), start=2):
        admin1 = (row.get("admin1") or "").strip()
        if admin1 not in ADMIN1:
            raise GazetteerDataError(f"admin1.csv line {line}: admin1={admin1!r}; expected one of {list(ADMIN1)}")
        french = (row.get("french") or "").strip() or admin1
        out.append(Region(admin1, french, _split_names(row.get("aliases") or "")))
    return tuple(out)


@cache
def _admin1_aliases() -> dict[str, str]:
    """Normalised key of every admin1 name and alias -> ACLED's admin1 name."""
    table: dict[str, str] = {}
    for line, region in enumerate(regions(), start=2):
        for alias in (region.admin1, region.french, *region.aliases):
            key = _key(alias)
            if table.get(key, region.admin1) != region.admin1:
                raise GazetteerDataError(f"admin1.csv line {line}: alias {alias!r} also names {table[key]!r}")
            table[key] = region.admin1
    return table


def canonical_admin1(name: str) -> str | None:
    """ACLED's admin1 name for a region name in any common form.

    ``"Tombouctou"``, ``"Timbuktu region"``, ``"Région de Tombouctou"`` and
    ``"TOMBOUCTOU"`` all give ``"Timbuktu"``. The regions created since 2016
    map onto the ACLED region that holds them (``"Taoudénit"`` ->
    ``"Timbuktu"``, ``"Région de Bandiagara"`` -> ``"Mopti"``).

    Parameters
    ----------
    name : str
        A region name.

    Returns
    -------
    str or None
        One of ``ADMIN1``, or ``None`` when the name is not a region of Mali.
    """
    text = normalize(name)
    if not text:
        return None
    aliases = _admin1_aliases()
    if text.replace(" ", "") in aliases:
        return aliases[text.replace(" ", "")]
    bare = _REGION_WORDS.match(text)
    return aliases.get(bare.group(1).replace(" ", "")) if bare else None


def _check_hint(admin1: str | None) -> str | None:
    if admin1 is None:
        return None
    canonical = canonical_admin1(admin1)
    if canonical is None:
        raise UnknownAdmin1Error(f"unknown admin1 {admin1!r}; expected a region of Mali such as {list(ADMIN1)}")
    return canonical


# ---------------------------------------------------------------------------
# Index


@dataclass(frozen=True)
class _Entry:
    place: Place
    spelling: str
    score: float


@dataclass(frozen=True)
class _Index:
    # Position of each place in its table: ties are listed in file order.
    order: dict[Place, int]
    exact: dict[str, tuple[_Entry, ...]]
    # Spellings used for free-text search: (normalised words, entry).
    phrases: tuple[tuple[str, _Entry], ...]


def _region_spellings(name: str) -> Iterable[str]:
    yield from (f"{name} region", f"region de {name}", f"region of {name}", f"region du {name}")


def _build_index(table: Iterable[Place]) -> _Index:
    table = tuple(table)
    by_name: dict[str, list[Place]] = defaultdict(list)
    for p in table:
        if p.kind != "quarter":
            by_name[p.name].append(p)
    exact: dict[str, dict[Place, _Entry]] = defaultdict(dict)
    phrases: list[tuple[str, _Entry]] = []

    def add(spelling: str, place: Place, score: float, *, in_text: bool = True) -> None:
        key = _key(spelling)
        if not key:
            return
        known = exact[key].get(place)
        if known is None or known.score < score:
            exact[key][place] = _Entry(place, spelling, score)
        if in_text:
            phrases.append((normalize(spelling), _Entry(place, spelling, score)))

    for p in table:
        if p.kind == "region":
            for n in p.names:
                if _REGION_WORD.search(normalize(n)):
                    add(n, p, 1.0)
                    continue
                add(n, p, BARE_REGION_SCORE, in_text=False)
                for spelling in _region_spellings(n):
                    add(spelling, p, 1.0)
            continue
        for n in p.names:
            add(n, p, 1.0)
        if p.parent is not None:
            # "Kati Koko-Plateau", "Koko-Plateau, Kati", "Koko Plateau (Kati)": punctuation folds away.
            for town in by_name.get(p.parent, ()):
                for q in p.names:
                    for t in town.names:
                        add(f"{t} {q}", p, 1.0)
                        add(f"{q} {t}", p, 1.0)
    return _Index(
        order={p: i for i, p in enumerate(table)},
        exact={k: tuple(v.values()) for k, v in exact.items()},
        phrases=tuple(phrases),
    )


@cache
def _index() -> _Index:
    return _build_index(places())


# ---------------------------------------------------------------------------
# Lookup


def _hinted(score: float, place: Place, hint: str | None) -> float:
    if hint is None or place.admin1 in _HINT_COVERS.get(hint, frozenset({hint})):
        return score
    return score * OUTSIDE_HINT_FACTOR


def _similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_CUTOFF or matcher.quick_ratio() < FUZZY_CUTOFF:
        return 0.0
    return matcher.ratio()


def _match(query: str, index: _Index, hint: str | None, *, fuzzy: bool = True) -> dict[Place, Candidate]:
    """Best candidate per place for one query string: exact spellings, then (if ``fuzzy``) close ones."""
    key = _key(query)
    best: dict[Place, Candidate] = {}

    def offer(entry: _Entry, score: float) -> None:
        score = _hinted(score, entry.place, hint)
        known = best.get(entry.place)
        if known is None or score > known.score:
            best[entry.place] = Candidate(entry.place, score, entry.spelling)

    if not key:
        return best
    for entry in index.exact.get(key, ()):
        offer(entry, entry.score)
    if not fuzzy:
        return best
    for other, entries in index.exact.items():
        if other == key:
            continue
        ratio = _similarity(key, other)
        if ratio >= FUZZY_CUTOFF:
            for entry in entries:
                offer(entry, entry.score * FUZZY_MAX * ratio)
    return best


def _qualified_parts(name: str) -> tuple[str, str] | None:
    """Split "Ber, Timbuktu" or "Ber (Tombouctou)" into place and region, when the tail is a region."""
    m = re.match(r"^\s*(.+?)\s*(?:,|\(|\s-\s)\s*([^,()]+?)\s*\)?\s*$", name)
    if not m:
        return None
    region = canonical_admin1(m.group(2))
    return (m.group(1), region) if region else None


def _merge(best: dict[Place, Candidate], more: dict[Place, Candidate]) -> None:
    for place, cand in more.items():
        if place not in best or cand.score > best[place].score:
            best[place] = cand


def _part_matches(name: str, index: _Index, hint: str | None) -> dict[Place, Candidate]:
    """Places named exactly by one part of a compound name, scored ``PART_SCORE``.

    A trailing part that names a region qualifies the others and is not offered itself.
    """
    parts = [p for p in _PART_SEPARATORS.split(name) if p.strip()]
    if len(parts) < 2:
        # "Kati Koko-Plateau": no separator, so try the leading and trailing runs of words.
        words = name.split()
        parts = [" ".join(words[:i]) for i in range(1, len(words))]
        parts += [" ".join(words[i:]) for i in range(1, len(words))]
    if len(parts) < 2:
        return {}
    if canonical_admin1(parts[-1]) is not None:
        parts = parts[:-1]
    found: dict[Place, Candidate] = {}
    for part in parts:
        for entry in index.exact.get(_key(part), ()):
            score = _hinted(entry.score * PART_SCORE, entry.place, hint)
            _merge(found, {entry.place: Candidate(entry.place, score, entry.spelling)})
    return found


def _geocode(name: str, hint: str | None, index: _Index) -> list[Candidate]:
    best = _match(name, index, hint, fuzzy=False)
    if not any(c.score >= 1.0 - _TIE for c in best.values()):
        parts = _qualified_parts(name)
        if parts is None:
            _merge(best, _match(name, index, hint))
        else:
            # "Ber, Timbuktu": look for Ber in that region; the region's name is no candidate itself.
            inner, region = parts
            _merge(best, _match(inner, index, hint or region))
    if not any(c.score >= 1.0 - _TIE for c in best.values()):
        _merge(best, _part_matches(name, index, hint))
    # Best first; among equals, named places before regions, then file order.
    return sorted(best.values(), key=lambda c: (-c.score, c.kind == "region", index.order[c.place]))


def geocode(name: str, *, admin1: str | None = None, limit: int = 5) -> list[Candidate]:
    """Places matching a name, best first.

    Parameters
    ----------
    name : str
        A place name in any common spelling; may carry its region ("Ber, Timbuktu")
        or its town for a quarter ("Koko-Plateau, Kati").
    admin1 : str, optional
        Region hint (any form ``canonical_admin1`` takes). Places outside it
        score ``OUTSIDE_HINT_FACTOR`` times less.
    limit : int
        At most this many candidates.

    Returns
    -------
    list of Candidate
        Ranked by score (0-1), empty when nothing is similar enough.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``limit`` is below 1.
    UnknownAdmin1Error
        If ``admin1`` is given and is not a region of Mali.
    """
    normalize(name)  # type check with the offending value
    if limit < 1:
        raise ValueError(f"limit must be 1 or more, got {limit!r}")
    hint = _check_hint(admin1)
    return _geocode(name, hint, _index())[:limit]


def _resolve(name: str, hint: str | None, index: _Index) -> Candidate:
    candidates = _geocode(name, hint, index)
    if not candidates:
        where = f" in {hint}" if hint else ""
        raise PlaceNotFoundError(f"no place in the Mali gazetteer matches {name!r}{where}")
    top = candidates[0].score
    tied = [c for c in candidates if top - c.score <= _TIE]
    if len(tied) > 1:
        listed = "; ".join(f"{c.name} ({c.kind}, {c.admin2 or '-'}, {c.admin1})" for c in tied)
        raise AmbiguousPlaceError(
            f"{name!r} matches {len(tied)} places equally well: {listed}; give admin1 to choose", tied
        )
    return candidates[0]


def resolve(name: str, *, admin1: str | None = None) -> Candidate:
    """The one place a name stands for.

    Parameters
    ----------
    name : str
        A place name (see ``geocode``).
    admin1 : str, optional
        Region hint; it separates homonyms in different regions.

    Returns
    -------
    Candidate
        The best match; check ``score`` (below 1.0 means a close spelling or a
        place outside the hinted region).

    Raises
    ------
    PlaceNotFoundError
        If nothing matches.
    AmbiguousPlaceError
        If several different places share the best score; ``candidates`` lists them.
    UnknownAdmin1Error
        If ``admin1`` is not a region of Mali.
    """
    normalize(name)
    return _resolve(name, _check_hint(admin1), _index())


# ---------------------------------------------------------------------------
# Free text


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Folded text (as ``normalize`` but keeping every space) and each folded char's offset in ``text``."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        for f in _fold_char(ch):
            chars.append(f)
            offsets.append(i)
    return "".join(chars), offsets


@dataclass(frozen=True)
class _Mentions:
    pattern: re.Pattern[str] | None
    by_phrase: dict[str, tuple[_Entry, ...]]


@cache
def _mentions() -> _Mentions:
    return _build_mentions(_index())


def _build_mentions(index: _Index) -> _Mentions:
    grouped: dict[str, dict[Place, _Entry]] = defaultdict(dict)
    for phrase, entry in index.phrases:
        grouped[phrase.replace(" ", "")].setdefault(entry.place, entry)
    by_phrase = {k: tuple(v.values()) for k, v in grouped.items()}
    spellings = {phrase for phrase, _ in index.phrases}
    if not spellings:
        return _Mentions(None, by_phrase)
    # Longest first so "Gourma-Rharous" wins over "Rharous"; words may be joined or split by blanks.
    alternatives = sorted(spellings, key=len, reverse=True)
    body = "|".join(r"\s*".join(re.escape(w) for w in phrase.split(" ")) for phrase in alternatives)
    return _Mentions(re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])"), by_phrase)


def find_mentions(text: str) -> list[tuple[int, int, Candidate]]:
    """Place names mentioned in free text.

    Matching ignores accents, case, hyphens and apostrophes, takes the longest
    name at each position and respects word boundaries; mentions do not
    overlap. A few names that are also common words ("dire", "san", "bla",
    "boni") count only when capitalised. A name shared by several places
    (homonyms) yields one entry per place with the same span, so the caller
    sees the ambiguity.

    Parameters
    ----------
    text : str
        Free text (an article, a note).

    Returns
    -------
    list of (start, end, Candidate)
        ``text[start:end]`` is the mention as written; in order of position.
    """
    normalize(text)
    return _find_in(text, _mentions())


def _find_in(text: str, m: _Mentions) -> list[tuple[int, int, Candidate]]:
    if m.pattern is None or not text:
        return []
    folded, offsets = _fold_with_offsets(text)
    found: list[tuple[int, int, Candidate]] = []
    for match in m.pattern.finditer(folded):
        start, end = offsets[match.start()], offsets[match.end() - 1] + 1
        key = re.sub(r"\s+", "", match.group(0))
        if key in _COMMON_WORDS and not text[start].isupper():
            continue
        for entry in m.by_phrase.get(key, ()):
            found.append((start, end, Candidate(entry.place, entry.score, text[start:end])))
    return found


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (mean Earth radius 6371.0088 km).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : float
        WGS84 degrees.
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))

"""Where: place mentions from the gazetteer, with what the words around them say.

The gazetteer finds the names (accents, spellings, "Région de Tombouctou");
these rules read the context and set the role and ``geo_precision``:

- "in Kati", "at Ber"                          -> ``place``, 1
- a quarter: "Kati Koko-Plateau", "Kati's Koko-Plateau quarter", "le quartier Koko-Plateau de Kati"
                                               -> ``quarter``, named "Kati - Koko-Plateau": at the quarter
                                                  with 1 when the gazetteer has it, else at the town's
                                                  centre with 2 (part of the town)
- "near Tessit", "aux abords de", "between Gao and Ansongo", "cercle de Niono"
                                               -> ``near``, 2
- "the Timbuktu region", "région de Ségou"     -> ``region``, 3 (at its capital, as ACLED); the Bamako
                                                  district is the city itself: Bamako, 1
- "a few dozen kilometres from Timbuktu", "à 45 km au sud de Gao"
                                               -> ``reference``, 2: a landmark, not the place, used only
                                                  when nothing else is named

Foreign countries ("au Niger", "Burkina Faso") are found separately so a
sentence about elsewhere can be told apart.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from conflictmap import gazetteer
from conflictmap.gazetteer import Candidate, Place

#: Role -> rank when choosing the place of an event (lower is better).
ROLE_RANK: dict[str, int] = {"quarter": 0, "place": 1, "near": 2, "region": 3, "reference": 4}
_KIND_RANK = {"capital": 0, "region_capital": 1, "cercle_capital": 2, "town": 3, "quarter": 4, "village": 5}
_KIND_RANK["region"] = 6

_NAME = r"[A-ZÀ-Ý][\w'’]*(?:[ -][A-ZÀ-Ý][\w'’]*){0,2}"
_QUARTER_WORD = r"(?:quarter|neighbourhood|neighborhood|district)"
# Quarters of a town not (yet) in the gazetteer.
_QUARTER_AFTER = re.compile(
    rf"^(?:['’]s)?\s+(?P<q>{_NAME})\s+{_QUARTER_WORD}\b"  # Kati's Koko-Plateau quarter
    rf"|^,?\s+(?:dans\s+le\s+|au\s+)?quartier\s+(?:de\s+|du\s+|d['’]\s*)?(?P<q2>{_NAME})"  # Kati, quartier Koko
    rf"|^\s+(?P<q3>[A-ZÀ-Ý][\w'’]*-[A-ZÀ-Ý][\w'’-]*)"  # Kati Koko-Plateau
)
_QUARTER_BEFORE = re.compile(
    rf"(?:the\s+)?(?P<q>{_NAME})\s+{_QUARTER_WORD}\s+(?:of|in)\s+$"  # the Koko-Plateau quarter of Kati
    # le quartier Koko-Plateau de Kati
    rf"|quartier\s+(?:de\s+|du\s+|d['’]\s*)?(?P<q2>{_NAME}),?\s+(?:à|de|d['’]|dans)\s*$"
)
_REFERENCE_BEFORE = re.compile(
    r"(?:\bkm|\bkilom[eè]t(?:re|er)s?|\bmiles?)\b[^.;:]{0,30}?\b(?:of|from|outside|de|du|d['’])\s*"
    r"(?:the\s+(?:town|city|village|locality)\s+of\s+|la\s+(?:ville|localité|commune)\s+(?:de\s+|d['’]\s*))?$",
    re.IGNORECASE,
)
_NEAR_BEFORE = re.compile(
    r"(?:\bnear(?:by)?|\bclose\s+to|\b(?:just\s+)?outside|\bon\s+the\s+outskirts\s+of|\bin\s+the\s+outskirts\s+of"
    r"|\bin\s+the\s+vicinity\s+of|\baround|\bnot\s+far\s+from|\bin\s+the\s+(?:area|surroundings)\s+of"
    r"|\bon\s+the\s+(?:road|way)\s+(?:to|from)|\b(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?\s+of"
    r"|\bprès|\bpres|\bnon\s+loin|\b(?:aux|dans\s+les)\s+environs|\bà\s+la\s+périphérie|\ben\s+périphérie"
    r"|\baux\s+abords|\bà\s+proximité|\bdans\s+la\s+zone|\bautour|\bà\s+la\s+sortie|\bà\s+l['’]entrée"
    r"|\bsur\s+la\s+route|\b(?:au\s+|à\s+l['’])?(?:nord|sud|est|ouest)(?:-(?:est|ouest))?)"
    r"\s*(?:de\s+|du\s+|d['’]\s*|des\s+)?"
    r"(?:the\s+(?:town|city|village|locality|commune|municipality)\s+of\s+|la\s+(?:ville|localité|commune)\s+"
    r"(?:de\s+|d['’]\s*)|(?:du\s+)?village\s+(?:de\s+|d['’]\s*))?$",
    re.IGNORECASE,
)
_NEAR_AREA_BEFORE = re.compile(
    r"(?:\bcercle|\bcommune|\barrondissement|\bmunicipality|\bzone)\s+(?:de\s+|du\s+|d['’]\s*|of\s+)$", re.IGNORECASE
)
_NEAR_AREA_AFTER = re.compile(r"^\s+(?:cercle|circle|area|commune|district|municipality|axis)\b", re.IGNORECASE)
_BETWEEN_BEFORE = re.compile(r"(?:\bbetween|\bentre)\s+(?:the\s+towns?\s+of\s+|les\s+localités\s+de\s+)?$", re.I)
_BETWEEN_SECOND = re.compile(r"(?:\bbetween|\bentre)\s+[^,;.]{2,40}?\s+(?:and|et)\s+$", re.IGNORECASE)
_ROAD_BEFORE = re.compile(r"(?:\baxe|\bthe\s+road|\btronçon)\s+(?:routier\s+)?$|\w[-–]$", re.IGNORECASE)
_ROAD_AFTER = re.compile(r"^[-–][A-ZÀ-Ý][\w'’]+(?:\s+(?:road|axis|highway))?")

_FOREIGN = re.compile(
    r"(?<![\w-])(?:Burkina(?:\s+Faso)?|Niger(?!\s+(?:River|Delta|inner))|Algeria|Algérie|Mauritania|Mauritanie"
    r"|Senegal|Sénégal|Guinea|Guinée|Côte\s+d['’]Ivoire|Ivory\s+Coast|Libya|Libye|Chad|Tchad|Nigeria"
    r"|Ouagadougou|Niamey|Nouakchott|Dakar|Conakry|Abidjan|Algiers|Alger)(?![\w-])"
)
# "le fleuve Niger", "the Niger River", "delta intérieur du Niger": the river, not the country.
_RIVER_BEFORE = re.compile(r"(?:fleuve|river|delta(?:\s+intérieur)?\s+du|inner)\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class PlaceMention:
    """A place named in the text, with its role in the sentence.

    Attributes
    ----------
    start, end : int
        Span of the mention in the text (a quarter's span covers town and quarter names).
    text : str
        The mention as written.
    name : str
        The location to record: the gazetteer name, or "Town - Quarter".
    latitude, longitude : float
        Coordinates of the place (its capital for a region, as ACLED places region-level events).
    admin1 : str
        ACLED first-level region.
    admin2 : str or None
        Cercle.
    geo_precision : int
        1 the named place, 2 near it, 3 a region (at its capital).
    role : str
        One of ``ROLE_RANK``.
    place : gazetteer.Place
        The gazetteer entry.
    alternatives : int
        How many gazetteer places share this name (1 = unambiguous).
    cue : tuple of (int, int) or None
        Span of the words that set the role ("near", "a few dozen kilometres from").
    """

    start: int
    end: int
    text: str
    name: str
    latitude: float
    longitude: float
    admin1: str
    admin2: str | None
    geo_precision: int
    role: str
    place: Place
    alternatives: int = 1
    cue: tuple[int, int] | None = None


def _choose(
    candidates: list[Candidate],
    context: Counter[str],
    anchors: list[tuple[float, float]] | None = None,
    *,
    written: str = "",
    folded_text: str = "",
    seat: bool = False,
) -> Candidate:
    """Among homonyms on one span: a town of the hand-checked table before a listed village, then the one
    in the region the article speaks of most, then the one in a province or cercle the article names
    ("in the province of X"), then the one spelt as written (before one reached by a variant spelling),
    then, for a unit's name ("le département de X"), its seat, the biggest place; then the one nearest
    the places the article names without doubt (within 150 km), then the bigger place."""

    def near(c: Candidate) -> float:
        if not anchors:
            return 0.0
        km = min(gazetteer.distance_km(c.latitude, c.longitude, la, lo) for la, lo in anchors)
        return round(km / 25) if km <= 150 else 99.0

    def unit_named(c: Candidate) -> bool:
        unit = c.place.admin2
        return bool(unit and folded_text and f" {gazetteer.normalize(unit)} " in folded_text)

    written_key = gazetteer._key(written) if written else ""

    def spelt(c: Candidate) -> bool:
        # The written word is one of the place's names exactly, not only by the variant key.
        return not written_key or any(gazetteer._key(n) == written_key for n in c.place.names)

    hand = _hand_checked()
    return min(
        candidates,
        key=lambda c: (
            c.place not in hand,
            -context[c.admin1],
            not unit_named(c),
            not spelt(c),
            _KIND_RANK.get(c.kind, 9) if seat else 0,
            near(c),
            _KIND_RANK.get(c.kind, 9),
            -c.score,
        ),
    )


# "le département de X", "the commune of X", "cercle de X": a unit, placed at its seat.
_UNIT_BEFORE = re.compile(
    r"\b(?:département|department|commune|municipality|cercle|préfecture|prefecture|district)\s+(?:de\s+|du\s+|d['’]\s*"
    r"|of\s+)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _hand_checked() -> frozenset[Place]:
    """The gazetteer's hand-checked table: preferred over a listed village of the same name."""
    return frozenset(gazetteer.places())


# A capitalised word before a listed village's name makes it a person's name ("Moussa Diarra").
_NAME_BEFORE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-Ý][a-zà-ÿ'’-]+\s+$")
_NOT_A_FIRST_NAME = frozenset(
    [
        "le",
        "la",
        "les",
        "l",
        "au",
        "aux",
        "à",
        "a",
        "en",
        "de",
        "du",
        "des",
        "d",
        "the",
        "in",
        "at",
        "of",
        "near",
        "from",
        "to",
        "et",
        "and",
        "ou",
        "or",
        "sur",
        "vers",
        "par",
        "dans",
        "entre",
        "village",
        "commune",
        "cercle",
        "région",
        "region",
        "ville",
        "town",
        "localité",
        "camp",
        "poste",
    ]
)


# A village of the built list counts where the words before it locate something ("in", "à", "le village de",
# "between ... and"), or in a list after another place: a bare capitalised word is too often no place.
_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|of|from|outside|around|to|towards|between|and|à|au|aux|de|du|des|d['’]|dans|près\s+de"
    r"|vers|sur|entre|et|ou|or|after|before|après|avant|attacked|attaqué|attaquée|struck|hit|targeted|raided|visé"
    r"|visée|ciblé|ciblée|seized|took|captured|occupied|occupé|repris|left|quitté|reached|atteint)\s+|\bd['’])"
    r"(?:the\s+|la\s+|le\s+|les\s+|l['’]\s*)?"
    r"(?:(?:villages?|towns?|localit(?:y|é|ies|és)|hameaux?|hamlets?|campements?|camps?|communes?|sites?|zones?|areas?"
    r"|secteurs?|lieu-dit|wells?|puits)\s+(?:of\s+|de\s+|d['’]\s*|du\s+|called\s+|appelée?\s+)?)?$",
    re.IGNORECASE,
)
_PERSON_BEFORE = re.compile(
    r"\b(?:colonel|général|general|lieutenant|capitaine|captain|commandant|commander|sergent|maire|mayor|chef"
    r"|président|president|ministre|minister|porte-parole|spokesman|spokesperson|imam|M\.|Mr\.?|Mme)"
    r"(?:-[\w]+)?\s+$",
    re.IGNORECASE,
)


def _hand_checked_spelling(written: str) -> Place | None:
    """The hand-checked place (not a region) whose name differs from ``written`` by one vowel."""
    key = gazetteer.normalize(written)
    if len(key) < 5:
        return None
    for place in _hand_checked():
        if place.kind in ("region", "quarter"):
            continue
        for name in place.names:
            other = gazetteer.normalize(name)
            if other != key and other[:1] == key[:1] and _one_edit(key, other):
                return place
    return None


def _one_edit(a: str, b: str) -> bool:
    """One vowel written for another ("Tissit", "Tessit"): how French and English spellings drift."""
    if len(a) != len(b):
        return False
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(diff) == 1 and all(c in "aeiouy" for c in diff[0])


def _located(text: str, start: int, place_ends: set[int]) -> bool:
    before = text[max(0, start - 45) : start]
    if _LOCATIVE_BEFORE.search(before):
        return True
    # Inside a sentence, after a word in lower case ("infiltrated Gaberi"): a place; at the start of a
    # sentence ("Some 20 people"), or after a capitalised word, only with the cues above.
    word = re.search(r"([\w'’-]+)\s+$", before)
    if word and word.group(1)[:1].islower():
        return True
    # "Gouari, Djimdo, Panga Dougou": in a list right after another place; "Kati's Koko-Plateau".
    if any(start - 4 <= e <= start for e in place_ends):
        return True
    m = re.search(r"[,;:]\s*$", before)
    return bool(m) and any(start - 45 <= e <= start for e in place_ends)


def _person_name(text: str, start: int, place_starts: set[int]) -> bool:
    if _PERSON_BEFORE.search(text[max(0, start - 30) : start]):
        return True
    window = max(0, start - 25)
    m = _NAME_BEFORE.search(text[window:start])
    if not m or window + m.start() in place_starts:  # "Kati's Koko-Plateau": the word before is a place
        return False
    word = m.group(0).strip().casefold()
    return word not in _NOT_A_FIRST_NAME and not word.endswith(("'s", "’s"))


# "Soumaïla Cissé": a listed village's name followed by a surname is a person's first name.
_SURNAME_AFTER = re.compile(r"^\s+[A-ZÀ-Ý][a-zà-ÿ'’-]{2,}\b(?![\s-]+\d)")


def _first_name(text: str, end: int, place_starts: set[int]) -> bool:
    m = _SURNAME_AFTER.match(text[end : end + 30])
    return bool(m) and end + len(m.group(0)) - len(m.group(0).lstrip()) not in place_starts


def _bamako_city() -> Place:
    return next(p for p in gazetteer.places() if p.kind == "capital")


def _from_place(start: int, end: int, text: str, place: Place, alternatives: int) -> PlaceMention:
    if place.kind == "region":
        if place.admin1 == "Bamako":
            # The Bamako district is the capital city: its "region" is the town itself.
            city = _bamako_city()
            return PlaceMention(
                start, end, text, city.name, city.latitude, city.longitude, city.admin1, city.admin2, 1, "place", city
            )
        return PlaceMention(
            start, end, text, place.name, place.latitude, place.longitude, place.admin1, None, 3, "region", place
        )
    if place.kind == "quarter":
        name = f"{place.parent} - {place.name}"
        return PlaceMention(
            start, end, text, name, place.latitude, place.longitude, place.admin1, place.admin2, 1, "quarter", place
        )
    return PlaceMention(
        start,
        end,
        text,
        place.name,
        place.latitude,
        place.longitude,
        place.admin1,
        place.admin2,
        1,
        "place",
        place,
        alternatives,
    )


def _quarter(text: str, m: PlaceMention) -> PlaceMention | None:
    """A quarter of the town ``m`` named around it, when the gazetteer does not have it."""
    if m.place.kind in ("region", "quarter"):
        return None
    after = _QUARTER_AFTER.match(text[m.end : m.end + 80])
    if after:
        group = next(g for g in ("q", "q2", "q3") if after.group(g))
        q = after.group(group)
        if _is_known_or_calendar(q):
            return None
        end = m.end + after.end(group)
        name = f"{m.name} - {q}"
        return replace(m, end=end, text=text[m.start : end], name=name, role="quarter", geo_precision=2)
    before = _QUARTER_BEFORE.search(text[max(0, m.start - 80) : m.start])
    if before:
        group = "q" if before.group("q") else "q2"
        q = before.group(group)
        if _is_known_or_calendar(q):
            return None
        start = max(0, m.start - 80) + before.start(group)
        name = f"{m.name} - {q}"
        return replace(m, start=start, text=text[start : m.end], name=name, role="quarter", geo_precision=2)
    return None


_CALENDAR = re.compile(
    r"^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi|samedi"
    r"|dimanche|january|february|march|april|may|june|july|august|september|october|november|december)\b",
    re.IGNORECASE,
)


def _is_known_or_calendar(name: str) -> bool:
    return bool(_CALENDAR.match(name)) or bool(gazetteer.find_mentions(name))


def _context_role(text: str, m: PlaceMention) -> PlaceMention:
    """Role from the words before and after: reference, near or as found."""
    window_start = max(0, m.start - 90)
    before = text[window_start : m.start]
    after = text[m.end : m.end + 40]
    ref = _REFERENCE_BEFORE.search(before)
    if ref:
        cue = _distance_start(before, ref.start())
        km = _distance_km(before[cue:])
        # "11 km south of Aguelhok": a few kilometres from a place is near it (ACLED codes it there,
        # geo_precision 2); "200 km north of Niamey" only says which way the place lies.
        role = "near" if km is not None and km <= NEAR_KM else "reference"
        return replace(m, role=role, geo_precision=2, cue=(window_start + cue, m.start))
    if m.role == "region":
        return m
    for pattern in (_NEAR_BEFORE, _NEAR_AREA_BEFORE, _BETWEEN_BEFORE, _BETWEEN_SECOND, _ROAD_BEFORE):
        near = pattern.search(before)
        if near:
            if m.role == "quarter":
                return m
            return replace(m, role="near", geo_precision=2, cue=(window_start + near.start(), m.start))
    if (_NEAR_AREA_AFTER.match(after) or _ROAD_AFTER.match(after)) and m.role != "quarter":
        return replace(m, role="near", geo_precision=2, cue=(m.end, m.end + len(after.split()[0]) + 1))
    return m


#: A distance up to this from a named place ("11 km south of X") places an event near X.
NEAR_KM = 30.0
_EN_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    " seventeen eighteen nineteen twenty"
)
_FR_NUMBERS = "zéro un deux trois quatre cinq six sept huit neuf dix"
_NUMBER_WORDS = {w: i for words in (_EN_NUMBERS, _FR_NUMBERS) for i, w in enumerate(words.split())} | {"une": 1}
_DISTANCE_NUMBER = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?|[a-zéèA-Z]+)\s*(?:-\s*)?(?P<unit>km|kilom[eè]t(?:re|er)s?|miles?)\b", re.IGNORECASE
)


def _distance_km(phrase: str) -> float | None:
    """The distance a phrase states, in kilometres ("11 km (7 miles)" -> 11, "two miles" -> 3.2); None if unsaid."""
    m = _DISTANCE_NUMBER.search(phrase)
    if m is None:
        return None
    n = m.group("n").lower()
    value = float(n.replace(",", ".")) if n[0].isdigit() else _NUMBER_WORDS.get(n)
    if value is None:
        return None
    return value * 1.609 if m.group("unit").lower().startswith("mile") else value


_DISTANCE_START = re.compile(
    r"(?:\bà\s+|\bsome\s+|\babout\s+|\baround\s+|\ba\s+few\s+|\bseveral\s+|\bune?\s+|\bquelques\s+)?"
    r"(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def _distance_start(before: str, unit_start: int) -> int:
    """Where the distance phrase starts: back from "km" over the number words ("a few dozen", "une trentaine de")."""
    m = _DISTANCE_START.search(before[:unit_start])
    return m.start() if m else unit_start


_CAPITAL = re.compile(
    r"\b(?:la\s+capitale\s+(?:malienne|du\s+Mali)|the\s+Malian\s+capital|Mali['’]s\s+capital|the\s+capital,\s+(?=Bamako))",
    re.IGNORECASE,
)


def _gazetteer_mentions(text: str) -> list[tuple[int, int, Candidate]]:
    """Every place the gazetteer finds, its built list of villages, hamlets and wells included when it has one."""
    try:
        return gazetteer.find_mentions(text, lists=True)  # type: ignore[call-arg]
    except TypeError:  # a gazetteer without the built list
        return gazetteer.find_mentions(text)


@lru_cache(maxsize=1)
def _commune_seats() -> dict[str, Place]:
    """The seat of each commune of the built list, by the commune's name."""
    seats: dict[str, Place] = {}
    for place in gazetteer.listed_places():
        if place.kind == "commune_seat" and place.admin3:
            seats.setdefault(gazetteer._key(place.admin3), place)
    return seats


#: Names of communes that are first the names of wide areas ("the Sahel region", "le Sahara").
_NOT_COMMUNES = frozenset(gazetteer._key(w) for w in ("Sahel", "Sahara", "Niger", "Mali", "Azawad", "Centre", "Nord"))
# A capitalised word that may name a commune ("attaquées à Diougani").
_CAPITALISED = re.compile(r"\b[A-ZÀ-Ý][\w'’-]{3,}")


def _commune_mentions(text: str, taken: list[tuple[int, int]]) -> dict[tuple[int, int], list[Candidate]]:
    """Communes named by a name no place bears, placed at their seat ("Diougani": Dioungani-Peulh)."""
    seats = _commune_seats()
    found: dict[tuple[int, int], list[Candidate]] = {}
    for m in _CAPITALISED.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        key = gazetteer._key(m.group())
        seat = None if key in _NOT_COMMUNES else seats.get(key)
        if seat is not None:
            found[(m.start(), m.end())] = [Candidate(seat, 0.8, m.group())]
    return found


_REGION_BEFORE = re.compile(
    r"\b(?:region|province|département|department|région|cercle)\s+(?:of|de|d['’]|du)\s*$", re.I
)
_REGION_AFTER = re.compile(r"^\s+(?:region|province|department|area)\b", re.IGNORECASE)


def _names_region(text: str, start: int, end: int) -> bool:
    """ "the region of X", "the X region": the name of a wide area, not a point to read homonyms by."""
    return bool(_REGION_BEFORE.search(text[max(0, start - 30) : start]) or _REGION_AFTER.match(text[end : end + 15]))


@lru_cache(maxsize=1)
def _by_variant() -> dict[str, tuple[Place, ...]]:
    """Every place (hand-checked and listed, not regions) by the variant key of each of its names."""
    index: dict[str, list[Place]] = defaultdict(list)
    for place in gazetteer.all_places():
        if place.kind == "region":
            continue
        for name in place.names:
            key = gazetteer.variant_key(name)
            if len(key) >= 5 and place not in index[key]:
                index[key].append(place)
    return {k: tuple(v) for k, v in index.items()}


def _variant_mentions(text: str, taken: list[tuple[int, int]]) -> dict[tuple[int, int], list[Candidate]]:
    """Villages written another way than the lists write them ("Diallasagou" for Diallassagou, doubled or
    single letters, ou/w, dj/j): a capitalised word after a locative cue whose exact key names no place."""
    found: dict[tuple[int, int], list[Candidate]] = {}
    index = _by_variant()
    for m in _CAPITALISED.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        word = m.group().rstrip("'’-")
        if len(word) < 6 or gazetteer.normalize(word) in gazetteer._NOT_A_PLACE:
            continue
        if not _LOCATIVE_BEFORE.search(text[max(0, m.start() - 45) : m.start()]):
            continue
        if _SURNAME_AFTER.match(text[m.start() + len(word) : m.start() + len(word) + 30]):
            continue  # "la visite de Soumaïla Cissé": a person's first name
        places = index.get(gazetteer.variant_key(word), ())
        if places:
            found[(m.start(), m.start() + len(word))] = [Candidate(p, 0.75, word) for p in places]
    return found


def find_places(text: str, *, skip: Iterable[tuple[int, int]] = ()) -> list[PlaceMention]:
    """Places of Mali mentioned in ``text``, each with its role and precision.

    Parameters
    ----------
    text : str
        The article.
    skip : iterable of (int, int)
        Spans where a name is not a place: actor names ("Katiba Macina"), the dateline.

    Returns
    -------
    list of PlaceMention
        In text order, at most one per span (homonyms resolved towards the region
        the article mentions most; ``alternatives`` counts them).
    """
    skip = list(skip)
    by_span: dict[tuple[int, int], list[Candidate]] = defaultdict(list)
    for start, end, candidate in _gazetteer_mentions(text):
        if any(start < e and s < end for s, e in skip):
            continue
        by_span[(start, end)].append(candidate)
    hand = _hand_checked()
    # A listed village's name that is a person's ("Soumaïla Cissé") says nothing of the region either.
    named = {start for start, _ in by_span}
    for start, end in [span for span, cands in by_span.items() if all(c.place not in hand for c in cands)]:
        if _person_name(text, start, named) or _first_name(text, end, named):
            del by_span[(start, end)]
    context = Counter(cands[0].admin1 for cands in by_span.values() if len(cands) == 1)
    # Places named without doubt (not regions): homonyms are read near them ("Gouari" near Bankass).
    anchors = [
        (cands[0].latitude, cands[0].longitude)
        for (start, end), cands in by_span.items()
        if len({c.place for c in cands}) == 1 and cands[0].kind != "region" and not _names_region(text, start, end)
    ]
    # A town of the hand-checked table among homonyms is the one meant ("Niono"): an anchor too.
    anchors += [
        (h[0].latitude, h[0].longitude)
        for h in ([c for c in cands if c.place in hand] for cands in by_span.values() if len(cands) > 1)
        if len(h) == 1 and h[0].kind != "region"
    ]
    mentions = []
    # "la capitale malienne", "the Malian capital": Bamako.
    for m in _CAPITAL.finditer(text):
        if not any(m.start() < e and s < m.end() for s, e in skip) and (m.start(), m.end()) not in by_span:
            city = _bamako_city()
            by_span[(m.start(), m.end())] = [Candidate(city, 1.0, city.name)]
    by_span.update(_commune_mentions(text, [*skip, *by_span]))
    by_span.update(_variant_mentions(text, [*skip, *by_span]))
    starts = {start for start, _ in by_span}
    ends = {end for _, end in by_span}
    folded = f" {gazetteer.normalize(text)} "
    for (start, end), cands in sorted(by_span.items()):
        if all(c.place not in hand for c in cands):
            if _person_name(text, start, starts) or not _located(text, start, ends):
                continue
            # "Tissit" for Tessit: a town of the hand-checked table spelled one letter off beats a far village.
            twin = _hand_checked_spelling(text[start:end])
            if twin is not None:
                cands = [Candidate(twin, 0.9, text[start:end])]
        chosen = _choose(
            cands,
            context,
            anchors,
            written=text[start:end],
            folded_text=folded,
            seat=bool(_UNIT_BEFORE.search(text[max(0, start - 20) : start])),
        )
        alternatives = len({c.place for c in cands})
        mention = _from_place(start, end, text[start:end], chosen.place, alternatives)
        if chosen.place.kind == "commune_seat" and chosen.place.name != chosen.matched and mention.geo_precision < 2:
            mention = replace(mention, geo_precision=2)  # the commune named, placed at its seat
        mention = _quarter(text, mention) or mention
        mentions.append(_context_role(text, mention))
    # A name inside a longer mention ("Koko" in "Kati's Koko-Plateau quarter") is part of it.
    return [
        m
        for m in mentions
        if not any(
            o is not m and o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start for o in mentions
        )
    ]


def find_foreign(text: str) -> list[tuple[int, int, str]]:
    """Neighbouring countries and capitals named in ``text``: ``(start, end, name)``.

    "Niger" as the river ("le fleuve Niger", "Niger River", "delta intérieur du Niger") does not count.
    """
    found = []
    for m in _FOREIGN.finditer(text):
        if m.group(0).startswith("Niger") and _RIVER_BEFORE.search(text[max(0, m.start() - 30) : m.start()]):
            continue
        found.append((m.start(), m.end(), m.group(0)))
    return found


def provincial_capital(region: Place) -> Place | None:
    """The capital town of a region, where ACLED places an event known only by its region (geo_precision 3).

    The ``region_capital`` of the same region whose name the region's name starts with ("Mopti" for
    "Mopti Region", "Timbuktu" for "Timbuktu Region"), else the first one the gazetteer lists.
    """
    if region.kind != "region":
        return None
    key = gazetteer.normalize(region.name)
    towns = [p for p in gazetteer.places() if p.kind in ("region_capital", "capital") and p.admin1 == region.admin1]
    named = [p for p in towns if any(key.startswith(gazetteer.normalize(n)) for n in p.names)]
    return (named or towns or [None])[0]


def best_place(mentions: Iterable[PlaceMention]) -> PlaceMention | None:
    """The mention that best locates an event: a quarter or named place, then near, region, reference.

    Among equals the first in the text wins.
    """
    ranked = sorted(mentions, key=lambda m: (ROLE_RANK[m.role], m.start))
    return ranked[0] if ranked else None

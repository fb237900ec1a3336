"""Offline gazetteer for Mali and its Liptako-Gourma borders: place name -> ranked candidates.

Two packaged tables are read once per process: ``data/gazetteer.csv`` (about a
hundred hand-checked places: region and cercle capitals, the towns of the
conflict, regions) and ``data/gazetteer_places.csv.gz`` (some 23,000 places
built by ``python -m conflictmap.gazetteer_build`` from the OCHA common
operational dataset of Mali's populated places, OpenStreetMap and Natural
Earth: every commune seat, villages, hamlets and airfields of Mali, and
the villages of Burkina Faso and Niger within 150 km of Mali). Each place has
its admin1 (ACLED's region), admin2 (cercle), admin3 (commune), its region
after the 2023 reform (``region_2023``) and the source of its coordinate;
``Place.licence`` names the licence of that source.

Matching ignores accents, case, hyphens, apostrophes and spaces:
``"tombouctou"``, ``"TIMBUKTU"`` and ``"Ti-n-Essako"`` = ``"Tin Essako"`` all
find their place. An exact match on a name or an alternative spelling scores
1.0 times the place's prominence (1.0 for the hand-checked places and for
region and cercle capitals, less for villages and hamlets, see
``PROMINENCE``); a transliteration variant (``ou``/``u``, ``dj``/``j``, a
final ``e``, doubled letters: ``"Tinzaouatene"`` = ``"Tinzaouaten"``) scores
``VARIANT_SCORE`` times that; a close spelling scores less (never above
``FUZZY_MAX``) and only when it is similar enough (``FUZZY_CUTOFF``).

Ambiguity is stated, never guessed: many names repeat (fourteen "Sokoura").
``geocode`` returns every candidate, ranked by score, then by the distance to
a place named as context (``near=``), and a region hint (``admin1=``, any
spelling, pre- or post-2023) lowers the places outside it. ``resolve`` raises
``AmbiguousPlaceError`` when several places share the best score and the
context does not separate them.

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

Places learned from data: ``learn_places(events)`` adds the location of every
precisely located event (``geo_precision`` 1) of a loaded dataset as a
candidate (kind ``learned``, ``origin`` the dataset), unless the gazetteer
already has that name within ``LEARN_SAME_KM``.
"""

from __future__ import annotations

import csv
import difflib
import functools
import gc
import gzip
import io
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from itertools import chain
from typing import Any, NamedTuple

from conflictmap.errors import ConflictmapError

#: Kinds of place in the gazetteer.
KINDS: tuple[str, ...] = (
    "capital",
    "region_capital",
    "cercle_capital",
    "commune_seat",
    "town",
    "village",
    "hamlet",
    "locality",
    "well",
    "camp",
    "military_camp",
    "border_post",
    "airfield",
    "quarter",
    "region",
    "learned",
)
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
#: The regions after the 2023 reform (19 regions and the Bamako district), as ``region_2023`` spells them.
REGIONS_2023: tuple[str, ...] = (
    "Bamako",
    "Bandiagara",
    "Bougouni",
    "Dioïla",
    "Douentza",
    "Gao",
    "Kayes",
    "Kidal",
    "Kita",
    "Koulikoro",
    "Koutiala",
    "Ménaka",
    "Mopti",
    "Nara",
    "Nioro du Sahel",
    "San",
    "Sikasso",
    "Ségou",
    "Taoudénit",
    "Tombouctou",
)
#: Countries of the packaged places (Mali and its Liptako-Gourma neighbours).
COUNTRIES: tuple[str, ...] = ("Mali", "Burkina Faso", "Niger")
#: Mali's bounding box (south, west, north, east), used to check every Mali row on load.
MALI_BBOX: tuple[float, float, float, float] = (10.1, -12.3, 25.0, 4.3)
#: Box of the packaged neighbour places (Burkina Faso and Niger near Mali).
NEIGHBOUR_BBOX: tuple[float, float, float, float] = (9.3, -6.0, 19.0, 9.0)
#: Close spellings score ``FUZZY_MAX * similarity`` when similarity >= ``FUZZY_CUTOFF``.
FUZZY_CUTOFF = 0.8
FUZZY_MAX = 0.9
#: A transliteration variant of a spelling ("Tinzaouatene" for "Tinzaouaten") scores this.
VARIANT_SCORE = 0.95
#: Score of a region found by its bare name: below its capital town, which that name usually means.
BARE_REGION_SCORE = 0.85
#: Scores of places outside a hinted admin1 are multiplied by this.
OUTSIDE_HINT_FACTOR = 0.8
#: Scores of places outside a hinted admin2 (cercle) are multiplied by this.
OUTSIDE_CERCLE_FACTOR = 0.9
#: Scores of places outside a hinted admin3 (commune) are multiplied by this.
OUTSIDE_COMMUNE_FACTOR = 0.95
#: Score of a place named by one part of a compound name ("Kati - Koko-Plateau" when the quarter is unknown).
PART_SCORE = 0.7
#: Exact-match score of a packaged place by kind: a bare "Gao" is the region capital, not a village
#: of the same name; hand-checked places always score 1.0. Places of Burkina Faso and Niger score
#: ``NEIGHBOUR_FACTOR`` times this, learned places ``LEARNED_SCORE``.
PROMINENCE: Mapping[str, float] = {
    "capital": 1.0,
    "region_capital": 1.0,
    "cercle_capital": 1.0,
    "region": 1.0,
    "quarter": 1.0,
    "commune_seat": 0.97,
    "town": 0.97,
    "village": 0.95,
    "hamlet": 0.93,
    "locality": 0.93,
    "well": 0.93,
    "camp": 0.93,
    "military_camp": 0.93,
    "border_post": 0.93,
    "airfield": 0.93,
}
NEIGHBOUR_FACTOR = 0.97
LEARNED_SCORE = 0.9
#: A learned location is not added when the gazetteer has its name this close (km).
LEARN_SAME_KM = 5.0
#: ``resolve`` with ``near`` picks the nearest of tied places when the next is at least this many times farther.
NEAR_DECISIVE = 2.0
# Scores this close count as a tie.
_TIE = 1e-9

#: Licence of each source prefix (the part of ``Place.source`` before the first ``:``).
LICENCES: Mapping[str, str] = {
    "ocha-cod": "OCHA common operational dataset (HDX; see data/GAZETTEER_SOURCES.md)",
    "osm": "ODbL 1.0 (© OpenStreetMap contributors)",
    "geonames": "CC BY 4.0 (GeoNames)",
    "wikipedia-en": "CC BY-SA 4.0 (Wikipedia)",
    "wikipedia-fr": "CC BY-SA 4.0 (Wikipedia)",
    "wikipedia-de": "CC BY-SA 4.0 (Wikipedia)",
    "wikipedia-fi": "CC BY-SA 4.0 (Wikipedia)",
    "wikipedia-it": "CC BY-SA 4.0 (Wikipedia)",
    "ucdp-ged-20.1": "UCDP GED, free to use with attribution",
    "geo-pko-2.3": "Geo-PKO 2.3, free to use with citation",
    "naturalearth": "public domain (Natural Earth)",
    "derived": "derived here from the sources named in the row",
    "learned": "as the dataset the event came from",
}

# Ménaka region was carved out of Gao in 2016: files made before then say "Gao" for its places.
_HINT_COVERS: dict[str, frozenset[str]] = {"Gao": frozenset({"Gao", "Menaka"})}

_PART_SEPARATORS = re.compile(r"\s*(?:[,;/()]|\s[-–]\s)\s*")
_REGION_WORD = re.compile(r"\b(?:region|district)\b")
_REGION_WORDS = re.compile(r"^(?:(?:la |the )?region (?:de |du |d |of )?)?(.+?)(?: region)?$")
# Common words that are also place names: in free text they count only when capitalised.
_COMMON_WORDS = frozenset({"dire", "san", "bla", "boni"})
_WORDS_NOT_PLACES = """
    a au aux avec ce ces cette dans de des du en et il ils elle elles la le les leur lors mais ou par
    pour sans selon sous sur un une vers apres avant depuis entre contre chez pres the in on at of and
    to for from by with as after before this that these those he she they it we our their its his her
    nord sud est ouest centre north south east west central mali niger burkina faso guinee algerie
    mauritanie senegal france etat armee president ministre gouverneur maire chef general colonel
    capitaine commandant lieutenant sergent soldat police gendarmerie garde douane region cercle
    commune village ville camp base poste force forces mission minusma barkhane takuba famas fama
    janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
    january february march april may june july august september october november december
    lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday
    saturday sunday peul peuls peulh peulhs fulani dogon dogons bambara bambaras bozo bozos touareg
    touaregs tuareg tuaregs arabe arabes songhai songhay sonrai mossi dozo dozos malinke sarakole
    bella maure maures jnim aqmi mnla cma gatia msa eigs isgs daech daesh wagner onu un afp rfi
    dieu allah islam imam cheikh sheikh marche ecole mosquee eglise route fleuve lac mare puits
    some all many several most other others such any each every both few there here
    """
# Capitalised words of French and English news that are also names of villages: never a mention of
# a packaged (non hand-checked) place. Sentence starts, titles, directions, months, peoples, groups.
_NOT_A_PLACE = frozenset(_WORDS_NOT_PLACES.split())
# Free text: longest name first, words joined by blanks, hyphens or apostrophes only.
_WORD = re.compile(r"[^\W_]+")
_JOINER = re.compile(r"[\s\-'’‐‑–]*")
_MAX_WORDS = 8


class PlaceNotFoundError(ConflictmapError, LookupError):
    """No place in the gazetteer matches a name."""


class AmbiguousPlaceError(ConflictmapError, LookupError):
    """Several different places match a name equally well; ``candidates`` holds them."""

    def __init__(self, message: str, candidates: Iterable[Candidate]) -> None:
        super().__init__(message)
        self.candidates: tuple[Candidate, ...] = tuple(candidates)


class UnknownAdmin1Error(ConflictmapError, ValueError):
    """An admin1 hint that is not one of Mali's regions (nor a region of the packaged neighbours)."""


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
        Region: one of ``ADMIN1`` for Mali (ACLED's names, before the 2023 reform); the
        region of Burkina Faso or Niger for their places; as the dataset says for learned places.
    admin2 : str or None
        Cercle (province in Burkina Faso; ``None`` for a region).
    parent : str or None
        For a quarter, the name of the town it belongs to.
    latitude, longitude : float
        WGS84 degrees.
    source : str
        Where the coordinate comes from, e.g. ``ocha-cod:ML050310000``; ``|`` separates the
        checks by other sources (``osm:node/1703671926 0.2km``: an OSM point 0.2 km away).
    admin3 : str or None
        Commune.
    region_2023 : str or None
        Region after the 2023 reform (one of ``REGIONS_2023`` for Mali).
    country : str
        ``Mali``, ``Burkina Faso``, ``Niger`` (learned places: as the dataset says).
    origin : str
        ``checked`` (hand-checked table), ``list`` (built from the public lists) or, for a
        learned place, the dataset it was learned from.
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
    admin3: str | None = None
    region_2023: str | None = None
    country: str = "Mali"
    origin: str = "checked"

    @property
    def geo_precision(self) -> int:
        """Canonical ``geo_precision``: 3 for a region (placed at its capital), 1 for a named place."""
        return 3 if self.kind == "region" else 1

    @property
    def names(self) -> tuple[str, ...]:
        """The display name followed by the alternative spellings."""
        return (self.name, *self.alt_names)

    @property
    def sources(self) -> tuple[str, ...]:
        """Each source of the row (the first gives the coordinate, the others checked it)."""
        return tuple(s.strip() for s in self.source.split("|") if s.strip())

    @property
    def licence(self) -> str:
        """Licence of the source of the coordinate (see ``LICENCES``)."""
        prefix = self.source.split(":", 1)[0].split("|", 1)[0].strip()
        return LICENCES.get(prefix, "unknown")

    @property
    def prominence(self) -> float:
        """Score of an exact match on this place's name (see ``PROMINENCE``)."""
        if self.origin == "checked":
            return 1.0
        if self.origin != "list":
            return LEARNED_SCORE
        base = PROMINENCE.get(self.kind, 0.93)
        return base if self.country == "Mali" else base * NEIGHBOUR_FACTOR


@dataclass(frozen=True)
class Candidate:
    """A place proposed for a name, with how well it matched.

    Attributes
    ----------
    place : Place
        The place.
    score : float
        0 to 1; 1.0 is an exact (normalised) match on a hand-checked place or a capital.
    matched : str
        The spelling of the place that matched.
    distance_km : float or None
        Distance to the context place (``near=``), when one was given.

    ``name``, ``latitude``, ``longitude``, ``admin1``, ``admin2``, ``admin3``,
    ``region_2023``, ``country``, ``kind``, ``source`` and ``geo_precision`` read
    through to ``place``, except that a region's ``latitude`` and ``longitude``
    are those of its capital (``region_capital``): ACLED's codebook places an
    event known only by its region at the provincial capital, with
    ``geo_precision`` 3. The region row's own point (a polygon centroid) stays
    on ``place``.
    """

    place: Place
    score: float
    matched: str
    distance_km: float | None = None

    @property
    def name(self) -> str:
        return self.place.name

    @property
    def latitude(self) -> float:
        return self._point.latitude

    @property
    def longitude(self) -> float:
        return self._point.longitude

    @property
    def _point(self) -> Place:
        # A region is placed at its capital, as ACLED codes an event known only by its region.
        return (region_capital(self.place) or self.place) if self.place.kind == "region" else self.place

    @property
    def admin1(self) -> str:
        return self.place.admin1

    @property
    def admin2(self) -> str | None:
        return self.place.admin2

    @property
    def admin3(self) -> str | None:
        return self.place.admin3

    @property
    def region_2023(self) -> str | None:
        return self.place.region_2023

    @property
    def country(self) -> str:
        return self.place.country

    @property
    def kind(self) -> str:
        return self.place.kind

    @property
    def source(self) -> str:
        return self.place.source

    @property
    def geo_precision(self) -> int:
        return self.place.geo_precision

    def to_dict(self) -> dict[str, object]:
        """Plain values for JSON: name, coordinates, admin names, kind, score, matched, source, origin."""
        out: dict[str, object] = {
            "name": self.name,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "kind": self.kind,
            "score": round(self.score, 4),
            "matched": self.matched,
            "admin3": self.admin3,
            "region_2023": self.region_2023,
            "country": self.country,
            "source": self.source,
            "origin": self.place.origin,
        }
        if self.distance_km is not None:
            out["distance_km"] = round(self.distance_km, 1)
        return out


# ---------------------------------------------------------------------------
# Normalisation


@cache
def _fold_char(ch: str) -> str:
    """One character folded: accents dropped, lower case, punctuation as a space."""
    out = []
    for c in unicodedata.normalize("NFKD", ch):
        if unicodedata.combining(c):
            continue
        for f in c.casefold():
            out.append(f if f.isalnum() else " ")
    return "".join(out)


_ASCII_PUNCT = re.compile(r"[^a-z0-9]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


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
    if not text.isascii():
        # Accented Latin letters lose their marks in C; other scripts take the per-character fold.
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    if text.isascii():
        # Fast path (most names): same result as the per-character fold.
        return _ASCII_PUNCT.sub(" ", text.lower()).strip()
    return " ".join("".join(_fold_char(ch) for ch in text).split())


def _key(text: str) -> str:
    """Matching key: the normalised text without spaces (space-insensitive)."""
    return normalize(text).replace(" ", "")


_VARIANT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters: Tessallit = Tessalit
    (re.compile(r"dj|dy"), "j"),  # Djenné = Jenne
    (re.compile(r"tch|sh"), "ch"),
    (re.compile(r"ou|oo|w"), "u"),  # Tinzaouaten = Tinzawaten, Goundam = Gundam
    (re.compile(r"ph"), "f"),
    (re.compile(r"gn"), "ni"),  # French gn = ny: Gniminiama = Nyiminiama
    (re.compile(r"(?<=[a-z])h(?![aeiou])|y"), lambda m: "i" if m.group(0) == "y" else ""),  # type: ignore[list-item]
    (re.compile(r"q|c(?![eih])"), "k"),  # Aguelhoc = Aguelhok
    (re.compile(r"(?<=[a-z]{3})e$"), ""),  # a final e: Tinzaouatene = Tinzaouaten
    (re.compile(r"(.)\1+"), r"\1"),  # letters doubled by the rules above: Gniminiama = Nyiminiama
)


def variant_key(text: str) -> str:
    """A looser key: transliteration variants of one name give the same result.

    Doubled letters, ``dj``/``j``, ``ou``/``w``/``u``, ``c``/``q``/``k``, ``y``/``i``,
    ``gn``/``ny``, a silent ``h`` and a final ``e`` are folded, so ``"Tin-Zaouatene"``,
    ``"Tinzaouaten"`` and ``"Tinzawaten"`` share one variant key.

    Parameters
    ----------
    text : str
        A name.

    Returns
    -------
    str
    """
    out = _key(text)
    for pattern, repl in _VARIANT_RULES:
        out = pattern.sub(repl, out)  # type: ignore[arg-type]
    return out


# ---------------------------------------------------------------------------
# Data


def _read_resource(name: str) -> list[dict[str, str]]:
    raw = resources.files("conflictmap").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(raw)))


def _split_names(value: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in value.split("|") if n.strip())


def _parse_place(row: Mapping[str, str], line: int, *, file: str = "gazetteer.csv", origin: str = "checked") -> Place:
    def fail(column: str, expected: str) -> GazetteerDataError:
        return GazetteerDataError(f"{file} line {line}: {column}={row.get(column)!r}; expected {expected}")

    name = (row.get("name") or "").strip()
    if not name:
        raise fail("name", "a name")
    kind = (row.get("kind") or "").strip()
    allowed = KINDS if origin == "list" else tuple(k for k in KINDS if k in _CHECKED_KINDS)
    if kind not in allowed:
        raise fail("kind", f"one of {list(allowed)}")
    country = (row.get("country") or "Mali").strip()
    if country not in COUNTRIES:
        raise fail("country", f"one of {list(COUNTRIES)}")
    admin1 = (row.get("admin1") or "").strip()
    if country == "Mali" and admin1 not in ADMIN1:
        raise fail("admin1", f"one of {list(ADMIN1)}")
    if not admin1:
        raise fail("admin1", "a region")
    admin2 = (row.get("admin2") or "").strip() or None
    if admin2 is None and kind != "region" and country == "Mali":
        raise fail("admin2", "a cercle")
    parent = (row.get("parent") or "").strip() or None
    if (parent is None) == (kind == "quarter"):
        raise fail("parent", "the town's name for a quarter and nothing otherwise")
    region_2023 = (row.get("region_2023") or "").strip() or None
    if region_2023 is not None and country == "Mali" and region_2023 not in REGIONS_2023:
        raise fail("region_2023", f"one of {list(REGIONS_2023)}")
    where = f"{file} line {line}: latitude, longitude = {row.get('latitude')!r}, {row.get('longitude')!r}"
    try:
        lat, lon = float(row["latitude"]), float(row["longitude"])
    except (KeyError, TypeError, ValueError):
        raise GazetteerDataError(f"{where}; expected decimal degrees") from None
    box = MALI_BBOX if country == "Mali" else NEIGHBOUR_BBOX
    south, west, north, east = box
    if not (south <= lat <= north and west <= lon <= east):
        raise GazetteerDataError(f"{where}; expected a point inside {country} (south, west, north, east = {box})")
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
        admin3=(row.get("admin3") or "").strip() or None,
        region_2023=region_2023,
        country=country,
        origin=origin,
    )


# The hand-checked table keeps its original kinds.
_CHECKED_KINDS = frozenset({"capital", "region_capital", "cercle_capital", "town", "village", "quarter", "region"})
#: The packaged list built by ``conflictmap.gazetteer_build``.
PLACES_FILE = "gazetteer_places.csv.gz"


def _read_list(data: bytes | None = None) -> list[Place]:
    """The built list (``gazetteer_places.csv.gz``, or ``data``); empty when the package ships without it."""
    if data is None:
        path = resources.files("conflictmap").joinpath("data", PLACES_FILE)
        if not path.is_file():
            return []
        data = path.read_bytes()
    try:
        text = gzip.decompress(data).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise GazetteerDataError(
            f"{PLACES_FILE}: not a gzip-compressed UTF-8 CSV ({exc}); rebuild it with "
            "python -m conflictmap.gazetteer_build"
        ) from None
    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    if tuple(header) != LIST_COLUMNS:
        raise GazetteerDataError(f"{PLACES_FILE} line 1: columns {header}; expected {list(LIST_COLUMNS)}")
    out = []
    new = object.__new__
    mali_box, other_box = MALI_BBOX, NEIGHBOUR_BBOX
    for line, values in enumerate(rows, start=2):
        # Fast path for the 20,000 built rows; any doubt goes through ``_parse_place`` for its message.
        try:
            name, alts, kind, country, admin1, admin2, admin3, region, lat_s, lon_s, source = values
            lat, lon = float(lat_s), float(lon_s)
        except ValueError:
            lat = lon = math.nan
        mali = country == "Mali"
        south, west, north, east = mali_box if mali else other_box
        if not (
            name
            and kind in _LIST_KINDS
            and source
            and admin1
            and (admin1 in ADMIN1 and admin2 and region in _REGIONS_2023_SET if mali else country in COUNTRIES)
            and south <= lat <= north
            and west <= lon <= east
        ):
            _parse_place(dict(zip(header, values, strict=False)), line, file=PLACES_FILE, origin="list")
            raise GazetteerDataError(f"{PLACES_FILE} line {line}: invalid row {values!r}")
        place = new(Place)
        place.__dict__.update(
            name=name,
            alt_names=tuple(a for a in alts.split("|") if a and a != name) if alts else (),
            kind=kind,
            admin1=admin1,
            admin2=admin2 or None,
            parent=None,
            latitude=lat,
            longitude=lon,
            source=source,
            admin3=admin3 or None,
            region_2023=region or None,
            country=country,
            origin="list",
        )
        out.append(place)
    return out


#: Columns of the packaged place list (``gazetteer_places.csv.gz``, written by ``gazetteer_build``).
LIST_COLUMNS: tuple[str, ...] = (
    "name",
    "alt_names",
    "kind",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "region_2023",
    "latitude",
    "longitude",
    "source",
)
_LIST_KINDS = frozenset(KINDS) - {"quarter", "region", "learned"}
_REGIONS_2023_SET = frozenset(REGIONS_2023)


@cache
def places() -> tuple[Place, ...]:
    """The hand-checked places (``data/gazetteer.csv``), in file order (read once per process).

    These are the region and cercle capitals, the towns of the conflict and the
    regions; every lookup also searches the built list (see ``all_places``).

    Returns
    -------
    tuple of Place

    Raises
    ------
    GazetteerDataError
        If a row of the packaged data is invalid (names the line and value).
    """
    checked = tuple(_parse_place(row, i) for i, row in enumerate(_read_resource("gazetteer.csv"), start=2))
    names = {p.name for p in checked if p.kind != "quarter"}
    for p in checked:
        if p.parent is not None and p.parent not in names:
            raise GazetteerDataError(f"quarter {p.name!r}: parent {p.parent!r} is not a place of the gazetteer")
    return checked


@cache
def listed_places() -> tuple[Place, ...]:
    """The places of the built list (``data/gazetteer_places.csv.gz``: villages, hamlets, wells...).

    Raises
    ------
    GazetteerDataError
        If a row is invalid (names the file, line and value).
    """
    with _no_gc():
        return tuple(_read_list())


def all_places() -> tuple[Place, ...]:
    """Every packaged place: the hand-checked table, then the built list (learned places not included)."""
    return places() + listed_places()


def region_capital(region: Place) -> Place | None:
    """The town where an event known only by its region is placed (ACLED: the provincial capital).

    The hand-checked ``region_capital`` (or ``capital``, for the Bamako district) of the same admin1
    whose name the region's name starts with ("Mopti" for "Mopti Region", "Timbuktu" for "Timbuktu
    Region"), else the first one of that admin1. None for a place that is not a region.

    Parameters
    ----------
    region : Place
        A place of kind ``region``.

    Returns
    -------
    Place or None
    """
    if region.kind != "region":
        return None
    return _region_capitals().get(region)


@cache
def _region_capitals() -> dict[Place, Place]:
    out: dict[Place, Place] = {}
    table = places()
    for region in (p for p in table if p.kind == "region"):
        key = normalize(region.name)
        towns = [p for p in table if p.kind in ("region_capital", "capital") and p.admin1 == region.admin1]
        named = [p for p in towns if any(key.startswith(normalize(n)) for n in p.names)]
        if named or towns:
            out[region] = (named or towns)[0]
    return out


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


def _bare_region(text: str) -> str:
    bare = _REGION_WORDS.match(text)
    return (bare.group(1) if bare else text).replace(" ", "")


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
    return aliases.get(_bare_region(text))


@dataclass(frozen=True)
class _Hint:
    """A region hint: ACLED admin1 (Mali), and the 2023 region or foreign region it names, if any."""

    admin1: str | None
    region_2023: str | None = None
    foreign: str | None = None
    admin2: str | None = None
    admin3: str | None = None

    def covers(self, place: Place) -> bool:
        if self.admin1 is None and self.foreign is None:
            return True
        if self.foreign is not None:
            return _key(place.admin1) == self.foreign
        if place.admin1 not in _HINT_COVERS.get(self.admin1 or "", frozenset({self.admin1})):
            return False
        # "Région de Bandiagara": inside Mopti (ACLED), only the 2023 region of Bandiagara.
        return self.region_2023 is None or place.region_2023 is None or _key(place.region_2023) == self.region_2023


@cache
def _regions_2023_keys() -> dict[str, str]:
    return {_key(r): r for r in REGIONS_2023}


def _check_hint(
    admin1: str | None, index: _Index | None = None, admin2: str | None = None, admin3: str | None = None
) -> _Hint | None:
    if admin3 is not None:
        commune = _key(admin3.removeprefix("Commune de ").removeprefix("commune de "))
        if commune not in (index or _index()).admin3_keys:
            raise UnknownAdmin1Error(f"unknown admin3 {admin3!r}; expected a commune of Mali such as 'Sokoura'")
        return replace(_check_hint(admin1, index, admin2) or _Hint(None), admin3=commune)
    if admin2 is not None:
        cercle = _key(admin2.removeprefix("Cercle de ").removeprefix("cercle de "))
        if cercle not in (index or _index()).admin2_keys:
            raise UnknownAdmin1Error(f"unknown admin2 {admin2!r}; expected a cercle of Mali such as 'Bankass'")
        return replace(_check_hint(admin1, index) or _Hint(None), admin2=cercle)
    if admin1 is None:
        return None
    canonical = canonical_admin1(admin1)
    if canonical is not None:
        bare = _bare_region(normalize(admin1))
        new = _regions_2023_keys().get(bare)
        # A 2023 region that is not the whole of its ACLED region narrows the hint.
        narrow = (
            new is not None and _key(new) != _key(canonical) and not (canonical == "Timbuktu" and bare == "tombouctou")
        )
        return _Hint(canonical, _key(new) if narrow and new else None)
    foreign = _bare_region(normalize(admin1))
    if foreign and foreign in (index or _index()).foreign_admin1:
        return _Hint(None, foreign=foreign)
    raise UnknownAdmin1Error(f"unknown admin1 {admin1!r}; expected a region of Mali such as {list(ADMIN1)}")


# ---------------------------------------------------------------------------
# Index


class _Entry(NamedTuple):
    place: Place
    spelling: str
    score: float


def _region_spellings(name: str) -> Iterable[str]:
    yield from (f"{name} region", f"region de {name}", f"region of {name}", f"region du {name}")


class _Index:
    """Spellings of a table of places: exact keys, free-text phrases and (built on first need) looser keys."""

    def __init__(self) -> None:
        self.order: dict[int, int] = {}
        # Key -> {id(place): entry} (ids: hashing 20,000 dataclasses costs more than the rest of the load).
        self.exact: dict[str, dict[int, _Entry]] = defaultdict(dict)
        # Free text: space-free key of a spelling -> entries; ``strict`` entries need a capital letter.
        self.phrases: dict[str, list[tuple[_Entry, bool]]] = defaultdict(list)
        self.max_words = 1
        self.table: list[Place] = []
        self._admin_keys: dict[str, frozenset[str]] = {}
        self._variants: dict[str, list[_Entry]] | None = None
        self._grams: _Grams | None = None

    # -- building

    def add(self, spelling: str, place: Place, score: float, *, in_text: bool = True) -> None:
        folded = normalize(spelling)
        key = folded.replace(" ", "")
        if not key:
            return
        self._variants = None
        self._grams = None
        entry = _Entry(place, spelling, score)
        same = self.exact[key]
        known = same.get(id(place))
        if known is None or known.score < score:
            same[id(place)] = entry
        if in_text:
            strict = place.origin != "checked"
            if strict and (len(key) < 3 or key in _NOT_A_PLACE):
                return
            self.phrases[key].append((entry, strict))
            words = folded.count(" ") + 1
            if words > self.max_words:
                self.max_words = min(_MAX_WORDS, words)

    def add_place(self, p: Place, by_name: Mapping[str, list[Place]]) -> None:
        self.order.setdefault(id(p), len(self.order))
        self.table.append(p)
        self._admin_keys = {}
        top = p.prominence
        if p.origin == "list":
            self._add_listed(p, top)
            return
        if p.kind == "region":
            for n in p.names:
                if _REGION_WORD.search(normalize(n)):
                    self.add(n, p, top)
                    continue
                self.add(n, p, BARE_REGION_SCORE * top, in_text=False)
                for spelling in _region_spellings(n):
                    self.add(spelling, p, top)
            return
        for n in p.names:
            self.add(n, p, top)
        if p.parent is not None:
            # "Kati Koko-Plateau", "Koko-Plateau, Kati", "Koko Plateau (Kati)": punctuation folds away.
            for town in by_name.get(p.parent, ()):
                for q in p.names:
                    for t in town.names:
                        self.add(f"{t} {q}", p, top)
                        self.add(f"{q} {t}", p, top)

    def _add_listed(self, p: Place, top: float) -> None:
        """``add`` for each name of a built-list place, inlined: 20,000 of them are read at every start."""
        exact, phrases, pid = self.exact, self.phrases, id(p)
        make = tuple.__new__
        for n in (p.name, *p.alt_names):
            folded = normalize(n)
            key = folded.replace(" ", "")
            if not key:
                continue
            entry = make(_Entry, (p, n, top))
            same = exact[key]
            if pid not in same:
                same[pid] = entry
            if len(key) >= 3 and key not in _NOT_A_PLACE:
                phrases[key].append((entry, True))
                if " " in folded:
                    words = folded.count(" ") + 1
                    if words > self.max_words:
                        self.max_words = min(_MAX_WORDS, words)
        self._variants = None
        self._grams = None

    # -- admin names known to the table, for checking hints (built on first use)

    def _admin(self, which: str) -> frozenset[str]:
        if which not in self._admin_keys:
            if which == "foreign":
                values = {p.admin1 for p in self.table if p.country != "Mali"}
            else:
                values = {getattr(p, which) for p in self.table}
            self._admin_keys[which] = frozenset(_key(v) for v in values if v)
        return self._admin_keys[which]

    @property
    def foreign_admin1(self) -> frozenset[str]:
        return self._admin("foreign")

    @property
    def admin2_keys(self) -> frozenset[str]:
        return self._admin("admin2")

    @property
    def admin3_keys(self) -> frozenset[str]:
        return self._admin("admin3")

    # -- looser keys, built when an exact match fails

    def variants(self) -> dict[str, list[_Entry]]:
        if self._variants is None:
            table: dict[str, list[_Entry]] = defaultdict(list)
            for key, entries in self.exact.items():
                table[variant_key(key)].extend(entries.values())
            self._variants = table
        return self._variants

    def grams(self) -> _Grams:
        if self._grams is None:
            self._grams = _Grams(list(self.exact))
        return self._grams


class _Grams:
    """Letter pairs of every key, for finding close spellings without comparing against all keys."""

    def __init__(self, keys: list[str]) -> None:
        import numpy as np  # only needed once a spelling is not found exactly

        self.np = np
        self.keys = keys
        self.lengths = np.fromiter((len(k) for k in keys), dtype=np.int32, count=len(keys))
        postings: dict[str, list[int]] = defaultdict(list)
        for i, k in enumerate(keys):
            for g in _bigrams(k):
                postings[g].append(i)
        self.postings = {g: np.asarray(v, dtype=np.int32) for g, v in postings.items()}

    def close(self, key: str, limit: int = 80) -> list[str]:
        """Keys sharing the most letter pairs with ``key`` and of a length that allows ``FUZZY_CUTOFF``."""
        np = self.np
        lists = [self.postings[g] for g in _bigrams(key) if g in self.postings]
        if not lists:
            return []
        counts = np.bincount(np.concatenate(lists), minlength=len(self.keys))
        n = len(key)
        # ratio = 2M / (n + m) >= cutoff needs m within these bounds.
        low, high = n * FUZZY_CUTOFF / (2 - FUZZY_CUTOFF), n * (2 - FUZZY_CUTOFF) / FUZZY_CUTOFF
        counts[(self.lengths < low) | (self.lengths > high)] = 0
        need = max(1, (len(lists) + 1) // 3)
        picked = np.flatnonzero(counts >= need)
        if len(picked) > limit:
            picked = picked[np.argsort(-counts[picked], kind="stable")[:limit]]
        return [self.keys[i] for i in picked]


def _bigrams(key: str) -> set[str]:
    padded = f"^{key}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cycle collector while tens of thousands of acyclic objects are made (a third of the load)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _build_index(table: Iterable[Place]) -> _Index:
    with _no_gc():
        return _build_index_of(tuple(table))


def _build_index_of(table: tuple[Place, ...]) -> _Index:
    by_name: dict[str, list[Place]] = defaultdict(list)
    for p in table:
        if p.kind != "quarter":
            by_name[p.name].append(p)
    index = _Index()
    for p in table:
        index.add_place(p, by_name)
    return index


@cache
def _index() -> _Index:
    # Learned places stay findable if the cache is cleared (they are dropped only by ``forget_learned``).
    return _build_index(all_places() + tuple(_LEARNED))


# ---------------------------------------------------------------------------
# Lookup


def place_names(name: str) -> tuple[str, ...]:
    """Every name of the places ``name`` names exactly, for searching without regard to spelling.

    ``"Tombouctou"`` gives Timbuktu's names ("Timbuktu", "Tombouctou", ...); a name
    the gazetteer does not hold exactly (no close spellings here) gives ``()``.

    Parameters
    ----------
    name : str
        A place name as a dataset writes it (a ``location`` value).
    """
    return _place_names(_key(name))


@functools.lru_cache(maxsize=1 << 14)
def _place_names(key: str) -> tuple[str, ...]:
    out: list[str] = []
    for entry in _index().exact.get(key, {}).values():
        if entry.score >= 1.0:
            out.extend(entry.place.names)
    return tuple(dict.fromkeys(out))


def _hinted(score: float, place: Place, hint: _Hint | str | None) -> float:
    if isinstance(hint, str):
        hint = _Hint(hint)
    if hint is None:
        return score
    if hint.admin2 is not None and _key(place.admin2 or "") != hint.admin2:
        score *= OUTSIDE_CERCLE_FACTOR
    if hint.admin3 is not None and _key(place.admin3 or "") != hint.admin3:
        score *= OUTSIDE_COMMUNE_FACTOR
    return score if hint.covers(place) else score * OUTSIDE_HINT_FACTOR


def _similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_CUTOFF or matcher.quick_ratio() < FUZZY_CUTOFF:
        return 0.0
    return matcher.ratio()


def _close_keys(key: str, index: _Index) -> Iterable[str]:
    """Keys that may be within ``FUZZY_CUTOFF`` of ``key``: those sharing the most letter pairs."""
    return index.grams().close(key)


def _match(query: str, index: _Index, hint: _Hint | str | None, *, fuzzy: bool = True) -> dict[Place, Candidate]:
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
    for entry in index.exact.get(key, {}).values():
        offer(entry, entry.score)
    if not fuzzy:
        return best
    for entry in index.variants().get(variant_key(key), ()):
        offer(entry, entry.score * VARIANT_SCORE)
    for other in _close_keys(key, index):
        if other == key:
            continue
        ratio = _similarity(key, other)
        if ratio >= FUZZY_CUTOFF:
            for entry in index.exact[other].values():
                offer(entry, entry.score * FUZZY_MAX * ratio)
    return best


def _qualified_parts(name: str) -> tuple[str, _Hint] | None:
    """Split "Ber, Timbuktu" or "Ber (Tombouctou)" into place and region, when the tail is a region."""
    m = re.match(r"^\s*(.+?)\s*(?:,|\(|\s-\s)\s*([^,()]+?)\s*\)?\s*$", name)
    if not m:
        return None
    try:
        hint = _check_hint(m.group(2))
    except UnknownAdmin1Error:
        return None
    return (m.group(1), hint) if hint else None


def _merge(best: dict[Place, Candidate], more: dict[Place, Candidate]) -> None:
    for place, cand in more.items():
        if place not in best or cand.score > best[place].score:
            best[place] = cand


def _part_matches(name: str, index: _Index, hint: _Hint | None) -> dict[Place, Candidate]:
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
        for entry in index.exact.get(_key(part), {}).values():
            score = _hinted(entry.score * PART_SCORE, entry.place, hint)
            _merge(found, {entry.place: Candidate(entry.place, score, entry.spelling)})
    return found


def _geocode(
    name: str, hint: _Hint | str | None, index: _Index, near: tuple[float, float] | None = None
) -> list[Candidate]:
    if isinstance(hint, str):
        hint = _Hint(hint)
    best = _match(name, index, hint, fuzzy=False)
    # An exact spelling inside the hinted region (if any) ends the search; else look further.
    exact = any(hint is None or hint.covers(c.place) for c in best.values())
    if not exact:
        parts = _qualified_parts(name)
        if parts is None:
            _merge(best, _match(name, index, hint))
        else:
            # "Ber, Timbuktu": look for Ber in that region; the region's name is no candidate itself.
            inner, region = parts
            _merge(best, _match(inner, index, hint or region))
    if not exact:
        _merge(best, _part_matches(name, index, hint))
    found = list(best.values())
    if near is not None:
        found = [replace(c, distance_km=distance_km(near[0], near[1], c.latitude, c.longitude)) for c in found]
    if near is not None:
        # With a context place, equally good spellings rank nearest first, whatever their kind.
        return sorted(
            found,
            key=lambda c: (-_quality(c), c.distance_km or 0.0, -c.score, index.order.get(id(c.place), 1 << 30)),
        )
    # Best first; among equals named places before regions, then the better attested, then table order.
    return sorted(
        found,
        key=lambda c: (
            -round(c.score, 9),
            c.kind == "region",
            -_checks(c.place),
            index.order.get(id(c.place), 1 << 30),
        ),
    )


def _checks(place: Place) -> int:
    """How many sources agree on a place (a village both OCHA and OSM map is more often the one meant)."""
    return place.source.count("|") + 1


def _quality(c: Candidate) -> float:
    """How well the spelling matched, apart from the place's prominence (1.0: exact)."""
    return round(c.score / c.place.prominence, 6)


def _near_point(
    near: str | tuple[float, float] | None, hint: _Hint | None, index: _Index
) -> tuple[float, float] | None:
    if near is None:
        return None
    if isinstance(near, str):
        found = _geocode(near, hint, index)
        if not found:
            raise PlaceNotFoundError(f"no place in the gazetteer matches the context place {near!r}")
        return (found[0].latitude, found[0].longitude)
    lat, lon = (float(v) for v in near)
    return (lat, lon)


def geocode(
    name: str,
    *,
    admin1: str | None = None,
    limit: int = 5,
    near: str | tuple[float, float] | None = None,
    admin2: str | None = None,
    admin3: str | None = None,
) -> list[Candidate]:
    """Places matching a name, best first.

    Parameters
    ----------
    name : str
        A place name in any common spelling; may carry its region ("Ber, Timbuktu")
        or its town for a quarter ("Koko-Plateau, Kati").
    admin1 : str, optional
        Region hint (any form ``canonical_admin1`` takes, a 2023 region such as
        "Bandiagara", or a region of Burkina Faso or Niger). Places outside it
        score ``OUTSIDE_HINT_FACTOR`` times less.
    limit : int
        At most this many candidates.
    near : str or (float, float), optional
        Context: another place named nearby (its best match is used) or a
        (latitude, longitude). Candidates carry ``distance_km`` to it, and
        equally good spellings are ranked nearest first, before prominence.
    admin2 : str, optional
        Cercle hint ("Bankass", "Cercle de Bankass"): places outside it score
        ``OUTSIDE_CERCLE_FACTOR`` times less.
    admin3 : str, optional
        Commune hint: places outside it score ``OUTSIDE_COMMUNE_FACTOR`` times less.

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
        If ``admin1`` is given and is not a known region.
    PlaceNotFoundError
        If ``near`` names a place the gazetteer does not know.
    """
    normalize(name)  # type check with the offending value
    if limit < 1:
        raise ValueError(f"limit must be 1 or more, got {limit!r}")
    index = _index()
    hint = _check_hint(admin1, index, admin2, admin3)
    return _geocode(name, hint, index, _near_point(near, hint, index))[:limit]


def _resolve(name: str, hint: _Hint | str | None, index: _Index, near: tuple[float, float] | None = None) -> Candidate:
    candidates = _geocode(name, hint, index, near)
    if not candidates:
        where = f" in {hint.admin1 or hint.foreign if isinstance(hint, _Hint) else hint}" if hint else ""
        raise PlaceNotFoundError(f"no place in the gazetteer matches {name!r}{where}")
    if near is not None:
        best = _quality(candidates[0])
        tied = [c for c in candidates if best - _quality(c) <= 1e-6]
        if len(tied) == 1:
            return tied[0]
        first, second = tied[0].distance_km or 0.0, tied[1].distance_km or 0.0
        if second >= NEAR_DECISIVE * first and second - first >= 1.0:
            return tied[0]
    else:
        top = candidates[0].score
        tied = [c for c in candidates if top - c.score <= _TIE]
    if len(tied) > 1:
        listed = "; ".join(
            f"{c.name} ({c.kind}, {', '.join(x for x in (c.admin3, c.admin2, c.admin1) if x) or '-'})"
            + (f", {c.distance_km:.0f} km away" if c.distance_km is not None else "")
            for c in tied[:10]
        )
        more = f" and {len(tied) - 10} more" if len(tied) > 10 else ""
        raise AmbiguousPlaceError(
            f"{name!r} matches {len(tied)} places equally well: {listed}{more}; "
            "give admin1 or a nearby place to choose",
            tied,
        )
    return candidates[0]


def resolve(
    name: str,
    *,
    admin1: str | None = None,
    near: str | tuple[float, float] | None = None,
    admin2: str | None = None,
    admin3: str | None = None,
) -> Candidate:
    """The one place a name stands for.

    Parameters
    ----------
    name : str
        A place name (see ``geocode``).
    admin1 : str, optional
        Region hint; it separates homonyms in different regions.
    near : str or (float, float), optional
        A place named nearby, or a point: among equally good homonyms, the
        nearest wins when the next is at least ``NEAR_DECISIVE`` times farther.
    admin2, admin3 : str, optional
        Cercle and commune hints (see ``geocode``).

    Returns
    -------
    Candidate
        The best match; check ``score`` (below 1.0 means a village-level place,
        a close spelling or a place outside the hinted region).

    Raises
    ------
    PlaceNotFoundError
        If nothing matches.
    AmbiguousPlaceError
        If several different places share the best score; ``candidates`` lists them.
    UnknownAdmin1Error
        If ``admin1`` is not a known region.
    """
    normalize(name)
    index = _index()
    hint = _check_hint(admin1, index, admin2, admin3)
    return _resolve(name, hint, index, _near_point(near, hint, index))


@cache
def _grid() -> dict[tuple[int, int], list[Place]]:
    """Packaged places by 0.1-degree cell, for ``nearest``."""
    cells: dict[tuple[int, int], list[Place]] = defaultdict(list)
    for p in all_places():
        if p.kind != "region":
            cells[(math.floor(p.latitude * 10), math.floor(p.longitude * 10))].append(p)
    return cells


def nearest(
    latitude: float, longitude: float, *, within_km: float = 25.0, kinds: Iterable[str] | None = None
) -> list[Candidate]:
    """Places around a point, nearest first (packaged and learned; regions excluded).

    Parameters
    ----------
    latitude, longitude : float
        WGS84 degrees.
    within_km : float
        Search radius (at most 100 km).
    kinds : iterable of str, optional
        Only these kinds (``KINDS``).

    Returns
    -------
    list of Candidate
        ``distance_km`` set, ``score`` the place's prominence, ``matched`` its name.

    Raises
    ------
    ValueError
        If ``within_km`` is not between 0 and 100.
    """
    if not 0 <= within_km <= 100:
        raise ValueError(f"within_km must be between 0 and 100, got {within_km!r}")
    wanted = None if kinds is None else frozenset(kinds)
    span = int(within_km / 11) + 1
    ci, cj = math.floor(latitude * 10), math.floor(longitude * 10)
    cells = _grid()
    pool = [
        p for di in range(-span, span + 1) for dj in range(-span, span + 1) for p in cells.get((ci + di, cj + dj), ())
    ]
    found = []
    for p in chain(pool, _LEARNED):
        if wanted is not None and p.kind not in wanted:
            continue
        d = distance_km(latitude, longitude, p.latitude, p.longitude)
        if d <= within_km:
            found.append(Candidate(p, p.prominence, p.name, d))
    return sorted(found, key=lambda c: (c.distance_km, -c.score))


# ---------------------------------------------------------------------------
# Places learned from data

_LEARNED: list[Place] = []


def learned_places() -> tuple[Place, ...]:
    """The places learned so far in this process (see ``learn_places``)."""
    return tuple(_LEARNED)


def forget_learned() -> None:
    """Drop every learned place (the packaged ones stay)."""
    if _LEARNED:
        _LEARNED.clear()
        _index.cache_clear()


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text.lower() in ("nan", "none", "<na>") else text


@dataclass(frozen=True)
class LearnReport:
    """What ``learn_places`` did.

    Attributes
    ----------
    added : int
        New candidates (one per distinct location name and point).
    known : int
        Locations the gazetteer already had within ``LEARN_SAME_KM``.
    skipped : int
        Rows not precisely located (``geo_precision`` other than 1) or without name or coordinates.
    """

    added: int
    known: int
    skipped: int


def learn_places(events: Any, *, origin: str | None = None) -> LearnReport:
    """Add the location of every precisely located event as a geocoding candidate.

    Each distinct (location, point) of the rows with ``geo_precision`` 1 becomes
    a place of kind ``learned`` with the rows' admin names and coordinates,
    ``origin`` the dataset and ``source`` ``learned:<dataset>:<event_id>``,
    unless the gazetteer already has that name within ``LEARN_SAME_KM``.
    Learned places score ``LEARNED_SCORE`` on an exact match, so a listed place
    of the same name ranks first; they are found by ``geocode``, ``resolve``
    and ``find_mentions`` until ``forget_learned``.

    Parameters
    ----------
    events : DataFrame, store or iterable of mappings
        Canonical events (columns ``location``, ``latitude``, ``longitude``,
        ``geo_precision``; ``admin1``, ``admin2``, ``admin3``, ``country``,
        ``dataset`` and ``event_id`` when present), or a store (anything with
        ``query()`` returning them: every event it holds).
    origin : str, optional
        Dataset name to record (default: each row's ``dataset``, else ``data``).

    Returns
    -------
    LearnReport
    """
    rows: Iterable[Mapping[str, Any]]
    if not hasattr(events, "columns") and callable(getattr(events, "query", None)):
        events = events.query()
    if hasattr(events, "to_dict") and hasattr(events, "columns"):
        wanted = [c for c in ("location", "latitude", "longitude", "geo_precision", "admin1", "admin2", "admin3",
                              "country", "dataset", "event_id") if c in events.columns]  # fmt: skip
        rows = events[wanted].to_dict("records")
    else:
        rows = events
    index = _index()
    added = known = skipped = 0
    seen: set[tuple[str, float, float]] = set()
    for row in rows:
        name = _text(row.get("location"))
        try:
            precision = int(row.get("geo_precision"))  # type: ignore[arg-type]
            lat, lon = float(row.get("latitude")), float(row.get("longitude"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            skipped += 1
            continue
        if precision != 1 or not name or math.isnan(lat) or math.isnan(lon) or not _key(name):
            skipped += 1
            continue
        mark = (_key(name), round(lat, 3), round(lon, 3))
        if mark in seen:
            continue
        seen.add(mark)
        same = index.exact.get(_key(name), {}).values()
        if any(distance_km(lat, lon, e.place.latitude, e.place.longitude) <= LEARN_SAME_KM for e in same):
            known += 1
            continue
        dataset = origin or _text(row.get("dataset")) or "data"
        event_id = _text(row.get("event_id"))
        place = Place(
            name=name,
            alt_names=(),
            kind="learned",
            admin1=_text(row.get("admin1")),
            admin2=_text(row.get("admin2")) or None,
            parent=None,
            latitude=lat,
            longitude=lon,
            source=f"learned:{dataset}:{event_id}" if event_id else f"learned:{dataset}",
            admin3=_text(row.get("admin3")) or None,
            country=_text(row.get("country")) or "Mali",
            origin=dataset,
        )
        _LEARNED.append(place)
        index.add_place(place, {})
        added += 1
    return LearnReport(added=added, known=known, skipped=skipped)


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
    index: _Index
    lists: bool = False


def _mentions(lists: bool = False) -> _Mentions:
    return _Mentions(_index(), lists)


def _build_mentions(index: _Index, lists: bool = True) -> _Mentions:
    return _Mentions(index, lists)


def find_mentions(text: str, *, lists: bool = False) -> list[tuple[int, int, Candidate]]:
    """Place names mentioned in free text.

    Matching ignores accents, case, hyphens and apostrophes, takes the longest
    name at each position and respects word boundaries; mentions do not
    overlap. A few names that are also common words ("dire", "san", "bla",
    "boni") count only when capitalised. The hand-checked places and the
    learned ones are always looked for; the built list's 23,000 villages
    and hamlets only with ``lists=True``: they then count only when
    capitalised and never match a list of common French and English words
    ("Le", "Nord", "Mars", "Peul"). A name shared by several places
    (homonyms) yields one entry per place with the same span, so the caller
    sees the ambiguity; their scores follow ``PROMINENCE``.

    Parameters
    ----------
    text : str
        Free text (an article, a note).
    lists : bool
        Also look for the places of the built list (``gazetteer_places.csv.gz``).

    Returns
    -------
    list of (start, end, Candidate)
        ``text[start:end]`` is the mention as written; in order of position.
    """
    normalize(text)
    return _find_in(text, _mentions(lists))


def _find_in(text: str, m: _Mentions) -> list[tuple[int, int, Candidate]]:
    index = m.index
    if not index.phrases or not text:
        return []
    folded, offsets = _fold_with_offsets(text)
    words = [(w.group(0), offsets[w.start()], offsets[w.end() - 1] + 1) for w in _WORD.finditer(folded)]
    found: list[tuple[int, int, Candidate]] = []
    i = 0
    while i < len(words):
        hit = None
        # Longest first; a phrase's words may be joined only by blanks, hyphens or apostrophes.
        last = i
        while last + 1 < len(words) and last - i + 1 < index.max_words:
            if not _JOINER.fullmatch(text, words[last][2], words[last + 1][1]):
                break
            last += 1
        for j in range(last, i - 1, -1):
            key = "".join(w for w, _, _ in words[i : j + 1])
            entries = index.phrases.get(key)
            if not entries:
                continue
            start, end = words[i][1], words[j][2]
            capital = text[start].isupper()
            kept = [
                e
                for e, strict in entries
                if (m.lists or e.place.origin != "list") and (capital or not (strict or key in _COMMON_WORDS))
            ]
            if kept:
                hit = (j, start, end, kept)
                break
        if hit is None:
            i += 1
            continue
        j, start, end, kept = hit
        seen: set[int] = set()
        for entry in kept:
            if id(entry.place) in seen:
                continue
            seen.add(id(entry.place))
            found.append((start, end, Candidate(entry.place, entry.score, text[start:end])))
        i = j + 1
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

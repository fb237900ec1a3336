"""The build of the packaged list, on small raw files written here (no download, no real rows)."""

from __future__ import annotations

import csv
import gzip
import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from conflictmap import gazetteer_build as build

COD_COLUMNS = [
    "featureNam",
    "pcode",
    "featureRef",
    "featureAlt",
    "featureA_1",
    "popPlaceCl",
    "admin1Name",
    "admin2Name",
    "admin3Name",
    "latitude",
    "longitude",
]


def _osm(path: Path, nodes: list[tuple]) -> None:
    con = sqlite3.connect(path)
    con.execute(
        "create table NODE (ID integer primary key, LAT double, LON double, NAME text, NAME_EN text,"
        " NAME_DE text, TAG text, VALUE text, POPULATION integer, ELEVATION integer)"
    )
    con.executemany("insert into NODE values (?, ?, ?, ?, ?, ?, ?, ?, null, null)", nodes)
    con.commit()
    con.close()


def _feature_collection(name: str, region: str | None, bounds: tuple[float, float, float, float]) -> dict:
    west, south, east, north = bounds
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    props = {"name": name, "region": region}
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}],
    }


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    root = tmp_path / "raw"
    (root / "ocha" / "mli_admbnda_adm3_gov_ocha").mkdir(parents=True)
    (root / "osm").mkdir()
    (root / "naturalearth").mkdir()
    communes = gpd.GeoDataFrame(
        {
            "admin1Name": ["Mopti", "Tombouctou"],
            "admin2Name": ["Bankass", "Tombouctou"],
            "admin3Name": ["Alphacom", "Salam"],
            "admin3Pcod": ["ML050399", "ML060199"],
        },
        geometry=[box(-3.6, 14.0, -3.4, 14.2), box(-3.0, 18.0, -2.0, 19.0)],
        crs=4326,
    )
    communes.to_file(root / "ocha" / "mli_admbnda_adm3_gov_ocha" / "communes.shp")
    rows = [
        ("Zorgho-Kaya", "ML050399001", "Zorgho-Kaya", "NA", "NA", 5, "Mopti", "Bankass", "Alphacom", 14.1, -3.5),
        ("Zorgho-Kaya", "ML050399000", "Zorgho-Kaya", "NA", "NA", 4, "Mopti", "Bankass", "Alphacom", 14.1001, -3.5001),
        ("Wirlboko", "ML050399002", "Wirlboko", "NA", "NA", 5, "Mopti", "Bankass", "Alphacom", 14.15, -3.45),
        ("Misplacedo", "ML050399003", "Misplacedo", "NA", "NA", 5, "Mopti", "Bankass", "Alphacom", 16.0, -1.0),
        ("Oulad-Testa", "ML060199001", "Oulad-Testa", "NA", "NA", 5, "Tombouctou", "Tombouctou", "Salam", 18.5, -2.5),
        ("Zelbi-Peulh", "ML050399004", "Zelbi-Peulh", "NA", "NA", 5, "Mopti", "Bankass", "Alphacom", 14.03, -3.41),
    ]
    with open(root / "ocha" / "settlements.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COD_COLUMNS)
        writer.writerows(rows)
    _osm(
        root / "osm" / "mali.sqlite",
        [
            (1, 14.102, -3.5, "Zorgho Kaya", None, None, "place", "village"),  # same name, 0.2 km: a check
            (2, 14.151, -3.451, "Wirlboco", None, None, "place", "hamlet"),  # close spelling: an alt name
            (3, 14.05, -3.55, "Newplacia", None, None, "place", "hamlet"),  # new: commune from the polygon
            (4, 20.0, 3.0, "Farawayo", None, None, "place", "village"),  # outside every commune
            (5, 14.06, -3.56, "?", None, None, "place", "hamlet"),  # no name
            (6, 14.07, -3.57, "Ecole A", None, None, "amenity", "school"),  # not a place
        ],
    )
    _osm(root / "osm" / "niger.sqlite", [(7, 14.1, -2.5, "Tillatesta", None, None, "place", "village")])
    _osm(root / "osm" / "burkina-faso.sqlite", [(8, 14.1, -2.3, "Faraway Nord", None, None, "place", "village")])
    ner = _feature_collection("Tillabéri", None, (-2.6, 14.0, -2.4, 14.2))
    bfa = _feature_collection("Soum", "Centre", (-2.35, 14.0, -2.2, 14.2))  # a region not kept
    (root / "naturalearth" / "ner.json").write_text(json.dumps(ner))
    (root / "naturalearth" / "bfa.json").write_text(json.dumps(bfa))
    return root


def _by_name(rows: list[build.Row]) -> dict[str, build.Row]:
    return {r.name: r for r in rows}


def test_build_merges_checks_and_places(raw: Path) -> None:
    rows, curated, stats = build.build(raw)
    names = _by_name(rows)
    assert set(names) == {"Zorgho-Kaya", "Wirlboko", "Oulad-Testa", "Zelbi-Peulh", "Newplacia", "Tillatesta"}
    seat = names["Zorgho-Kaya"]  # listed twice 15 m apart: one row, the seat, both codes
    assert seat.kind == "commune_seat"
    assert seat.source == "ocha-cod:ML050399000"
    assert seat.checks[0] == "ocha-cod:ML050399001" and seat.checks[1].startswith("osm:node/1 0.2km")
    assert "Wirlboco" in names["Wirlboko"].alt_names
    new = names["Newplacia"]
    assert (new.source, new.admin1, new.admin2, new.admin3, new.region_2023) == (
        "osm:node/3",
        "Mopti",
        "Bankass",
        "Alphacom",
        "Bandiagara",
    )
    assert names["Oulad-Testa"].region_2023 == "Taoudénit" and names["Oulad-Testa"].admin1 == "Timbuktu"
    assert (names["Tillatesta"].country, names["Tillatesta"].admin1) == ("Niger", "Tillabéri")
    assert stats["ocha_dropped_outside_their_commune"] == ["Misplacedo (ocha-cod:ML050399003, Alphacom, Bankass)"]
    assert stats["osm_outside_mali"] == 1 and stats["osm_confirming"] == 1 and stats["osm_spellings"] == 1
    assert curated and all("region_2023" in r for r in curated)


def test_written_file_loads_and_is_the_same_bytes_twice(raw: Path, tmp_path: Path) -> None:
    rows, curated, _ = build.build(raw)
    first, second = tmp_path / "a.csv.gz", tmp_path / "b.csv.gz"
    build.write(rows, curated, first, tmp_path / "a.csv")
    rows2, curated2, _ = build.build(raw)
    build.write(rows2, curated2, second, tmp_path / "b.csv")
    assert first.read_bytes() == second.read_bytes()
    from conflictmap import gazetteer

    places = {p.name: p for p in gazetteer._read_list(first.read_bytes())}
    assert places["Zelbi-Peulh"].alt_names == ("Zelbi",)  # the village's name without its people
    assert "Alphacom" in places["Zorgho-Kaya"].alt_names  # the seat answers to its commune's name
    assert places["Zorgho-Kaya"].licence.startswith("OCHA")
    assert places["Newplacia"].licence.startswith("ODbL")
    with gzip.open(first, "rt", encoding="utf-8") as fh:
        assert fh.readline().strip() == ",".join(build.COLUMNS)


def test_missing_raw_files_are_named(tmp_path: Path, capsys) -> None:
    assert build.main([str(tmp_path / "nothing")]) == 2
    assert "settlements.csv" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("cercle", "commune", "lat", "region"),
    [
        ("Bankass", "Sokoura", 13.5, "Bandiagara"),
        ("Kati", "Ouelessebougou", 12.0, "Bougouni"),
        ("Kati", "Siby", 12.4, "Koulikoro"),
        ("Tombouctou", "Salam", 18.4, "Taoudénit"),
        ("Tombouctou", "Ber", 16.8, "Tombouctou"),
        ("Goundam", "Razelma", 21.3, "Taoudénit"),
        ("Menaka", "Inekar", 15.9, "Ménaka"),
    ],
)
def test_region_2023(cercle: str, commune: str, lat: float, region: str) -> None:
    assert build.region_2023(cercle, commune, lat) == region


def test_wells_camps_military_camps_and_border_posts_get_their_kind_and_source(raw: Path) -> None:
    con = sqlite3.connect(raw / "osm" / "mali.sqlite")
    con.executemany(
        "insert into NODE values (?, ?, ?, ?, null, null, ?, ?, null, null)",
        [
            (20, 14.18, -3.42, "Grenzposten", "amenity", "police"),  # says only "border post"
            (21, 14.181, -3.421, "border office", "amenity", "police"),  # the same crossing, 0.16 km away
            (22, 14.12, -3.58, "Camp Militaire de Testa", "amenity", "fire_station"),  # the name says what it is
            (23, 14.13, -3.57, "Police Testa", "amenity", "police"),  # a police station, not a border post
        ],
    )
    con.commit()
    con.close()
    (raw / "ucdp").mkdir()
    (raw / "ucdp" / "ged201.csv").write_text(
        "year,longitude,latitude,where_coordinates,best,deaths_civilians\n"
        "2018,-3.46,14.16,Wirltesta well,3,0\n"
        "2018,-3.47,14.17,Road between Bankass and Wirltesta well,1,0\n"
        "2019,-2.5,14.1,Tillacamp camp,2,2\n"
    )
    (raw / "geopko").mkdir()
    (raw / "geopko" / "FrontMap_v.2.3.csv").write_text(
        "mission,year,country,location,latitude,longitude\n"
        "MINUSMA,2015,Mali,Bankass,14.0780,-3.5160\n"
        "MINUSMA,2017,Mali,Bankass,14.0780,-3.5160\n"
        "MINUSMA,2015,Mali,Bamako,12.65,-8.0\n"
    )
    rows, _, stats = build.build(raw)
    kinds = {r.name: (r.kind, r.country, r.admin3 or r.admin1, r.source) for r in rows if r.kind in build.SITE_KINDS}
    assert kinds == {
        "Poste frontière de Alphacom": ("border_post", "Mali", "Alphacom", "osm:node/20"),
        "Camp Militaire de Testa": ("military_camp", "Mali", "Alphacom", "osm:node/22"),
        "Wirltesta": ("well", "Mali", "Alphacom", "ucdp-ged-20.1:Wirltesta well"),
        "Tillacamp": ("camp", "Niger", "Tillabéri", "ucdp-ged-20.1:Tillacamp camp"),
        "MINUSMA camp Bankass": (
            "military_camp",
            "Mali",
            "Alphacom",
            "geo-pko-2.3:MINUSMA Bankass 2015-2017 (0.1km from the town's row)",
        ),
    }
    post = _by_name(rows)["Poste frontière de Alphacom"]
    assert post.checks == ["osm:node/20 as Grenzposten", "osm:node/21 0.2km as border office"]
    assert "puits de Wirltesta" in _by_name(rows)["Wirltesta"].alt_names
    assert stats["osm_border_nodes_merged"] == 1

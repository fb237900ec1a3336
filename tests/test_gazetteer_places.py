"""The built list of places: size and sources, admin names, spellings, homonyms, context and learned places."""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pytest

from conflictmap import gazetteer as gz
from conflictmap.cli import main as cli_main
from conflictmap.gazetteer import AmbiguousPlaceError, GazetteerDataError, all_places, geocode, places, resolve


@pytest.fixture
def forget():
    yield
    gz.forget_learned()


def _listed() -> list[gz.Place]:
    return [p for p in all_places() if p.origin == "list"]


def test_places_is_the_checked_table_and_all_places_adds_the_list() -> None:
    assert {p.origin for p in places()} == {"checked"}
    assert all_places()[: len(places())] == places()
    assert gz.listed_places() is gz.listed_places()


# --- size, sources, admin names -----------------------------------------------------------------


def test_at_least_3000_sourced_places_in_mali() -> None:
    mali = [p for p in all_places() if p.country == "Mali"]
    assert len(mali) >= 3000
    for p in mali:
        assert p.sources and p.licence != "unknown", p


def test_every_listed_mali_place_has_region_cercle_commune_and_2023_region() -> None:
    for p in _listed():
        if p.country != "Mali":
            continue
        assert p.admin1 in gz.ADMIN1, p
        assert p.admin2 and p.admin3, p
        assert p.region_2023 in gz.REGIONS_2023, p


def test_commune_seats_cover_almost_every_commune() -> None:
    seats = {(p.admin2, p.admin3) for p in all_places() if p.kind == "commune_seat"}
    # 701 communes in OCHA's 2015 table: 650 commune seats, the others are cercle or region capitals.
    assert len(seats) >= 600


def test_neighbours_of_liptako_gourma_are_in_with_their_region() -> None:
    by_country = Counter(p.country for p in _listed())
    assert by_country["Burkina Faso"] >= 500 and by_country["Niger"] >= 500
    regions = {p.admin1 for p in _listed() if p.country != "Mali"}
    assert {"Sahel", "Tillabéri"} <= regions
    assert resolve("Djibo").place.country == "Burkina Faso"


def test_a_commune_name_finds_its_seat_unless_a_village_of_the_commune_bears_it() -> None:
    seat = resolve("Anchawadi")  # the commune of Gao cercle whose seat is Djebock
    assert (seat.name, seat.kind, seat.admin3, seat.matched) == ("Djebock", "commune_seat", "Anchawadi", "Anchawadi")
    assert {c.name for c in geocode("Tomora")} == {"Tomora"}  # Tomora commune's village Tomora, not its seat
    text = "Des hommes armés ont attaqué la commune de Soni Ali Ber, près de Gao."
    assert next(m[2].name for m in gz.find_mentions(text, lists=True)) == "Forgho Sonrhai"  # not Ber


def test_conflict_sites_are_listed_with_their_kind_and_licensed_source() -> None:
    listed = _listed()
    by_kind = Counter(p.kind for p in listed)
    assert by_kind["military_camp"] >= 15 and by_kind["well"] >= 5 and by_kind["camp"] >= 5 and by_kind["border_post"]
    for town in ("Tessalit", "Aguelhok", "Kidal", "Ménaka", "Léré", "Ber"):
        camp = resolve(f"camp de la MINUSMA à {town}")
        assert (camp.kind, camp.place.licence) == ("military_camp", gz.LICENCES["geo-pko-2.3"]), town
        assert gz.distance_km(camp.latitude, camp.longitude, resolve(town).latitude, resolve(town).longitude) < 2
    post, village = resolve("poste frontalier de Labbezanga"), resolve("Labbezanga")
    assert (post.kind, post.latitude, post.longitude) == ("border_post", village.latitude, village.longitude)
    well = resolve("puits de Taringit")
    assert (well.kind, well.admin1, well.source) == ("well", "Menaka", "ucdp-ged-20.1:Taringit well")


@pytest.mark.parametrize(
    ("name", "admin2", "region_2023"),
    [
        ("Sobane Da", "Bandiagara", "Bandiagara"),
        ("Taoudenni", "Timbuktu", "Taoudénit"),
        ("Tidermène", "Tidermene", "Ménaka"),
        ("Diallassagou", "Bankass", "Bandiagara"),
        ("Boni", "Douentza", "Douentza"),
        ("Koutiala", "Koutiala", "Koutiala"),
        ("Yangasso", "Bla", "San"),  # a 2023 cercle carved across the 2015 line
    ],
)
def test_2023_regions(name: str, admin2: str, region_2023: str) -> None:
    place = resolve(name).place
    assert (place.admin2, place.region_2023) == (admin2, region_2023)


def test_listed_rows_are_validated_naming_file_line_and_value() -> None:
    row = {"name": "X", "kind": "village", "country": "Atlantis", "admin1": "Mopti", "admin2": "Mopti"}
    row |= {"latitude": "14.5", "longitude": "-4.2", "source": "osm:node/1"}
    with pytest.raises(GazetteerDataError, match=r"gazetteer_places.csv.gz line 9: country='Atlantis'"):
        gz._parse_place(row, 9, file=gz.PLACES_FILE, origin="list")
    with pytest.raises(GazetteerDataError, match="region_2023='Narnia'"):
        gz._parse_place(row | {"country": "Mali", "region_2023": "Narnia"}, 9, file=gz.PLACES_FILE, origin="list")


# --- spellings and accents ----------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Tin-Zaouatene", "Tinzaouaten", "TIN ZAOUATÈNE", "Tinzawatene", "Ti-n-Zaouatene"])
def test_tin_zaouatene_spellings_find_the_malian_seat(query: str) -> None:
    best = geocode(query)[0]
    assert (best.name, best.kind, best.admin2) == ("Tinzawatène", "commune_seat", "Abeibara")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tin-Zaouatene", "Tinzaouaten"),
        ("Tinzaouaten", "Tinzawaten"),
        ("Djenné", "Jenne"),
        ("Tessallit", "Tessalit"),
        ("Gniminiama", "Nyiminiama"),
    ],
)
def test_variant_keys_join_transliterations(a: str, b: str) -> None:
    assert gz.variant_key(a) == gz.variant_key(b)


def test_variant_spelling_scores_below_exact() -> None:
    best = geocode("Tinzaouatène")[0]  # listed as is: exact
    variant = geocode("Tinzawaatene")[0]  # not listed: a variant of a listed spelling
    assert best.place == variant.place
    assert variant.score == pytest.approx(best.score * gz.VARIANT_SCORE)


def test_accents_and_case_do_not_matter_on_listed_places() -> None:
    assert resolve("Diallassagou").place == resolve("DIALLASSAGOU").place == resolve("Diallassagou ").place
    assert geocode("Ségou")[0].place == geocode("SEGOU")[0].place


def test_people_quarters_answer_to_the_village_name() -> None:
    names = {c.name for c in geocode("Ogossagou", limit=10)}
    assert {"Ogossagou", "Ogossagou-Peulh", "Ogossagou-Dogon"} <= names


# --- homonyms: stated, ranked by context --------------------------------------------------------


def test_homonyms_are_listed_and_resolve_refuses_to_guess() -> None:
    found = geocode("Ogossagou", limit=10)
    assert len(found) >= 4
    with pytest.raises(AmbiguousPlaceError) as err:
        resolve("Ogossagou")
    assert len(err.value.candidates) >= 2
    assert "give admin1 or a nearby place" in str(err.value)


def test_a_capital_outranks_a_village_of_the_same_name() -> None:
    found = geocode("Gao", limit=5)
    assert found[0].kind == "region_capital" and found[0].score == 1.0
    assert any(c.kind == "village" and c.score < 1.0 for c in found[1:])


def test_near_ranks_equal_spellings_nearest_first_and_carries_the_distance() -> None:
    far = geocode("Sokoura", limit=20)
    near = geocode("Sokoura", limit=20, near="Youwarou")
    assert far[0].admin2 == "Bankass"  # the commune seat, without context
    assert near[0].admin2 == "Youwarou"
    distances = [c.distance_km for c in near]
    assert all(d is not None for d in distances)
    assert distances[:3] == sorted(distances[:3])
    assert geocode("Sokoura", near=(15.70, -4.10))[0].distance_km < 1.0


def test_near_decides_only_when_the_next_homonym_is_much_farther() -> None:
    assert resolve("Ogossagou", near=(14.0, -3.88)).admin3 == "Timiri"  # 1 km vs 30 km
    with pytest.raises(AmbiguousPlaceError):
        resolve("Sokoura", near="Youwarou")  # 41 km and 72 km: not decisive


def test_2023_region_hint_narrows_inside_its_acled_region() -> None:
    inside = [c for c in geocode("Sokoura", admin1="Région de Bandiagara", limit=20) if c.score >= 0.95]
    assert inside and all(c.region_2023 == "Bandiagara" for c in inside)
    mopti = [c for c in geocode("Sokoura", admin1="Mopti", limit=20) if c.score >= 0.95]
    assert {c.region_2023 for c in mopti} >= {"Bandiagara", "Mopti"}


def test_a_neighbour_region_is_a_valid_hint() -> None:
    best = geocode("Gao", admin1="Tillabéri")[0]
    assert best.country == "Niger"


def test_unknown_near_place_is_an_error_naming_it() -> None:
    with pytest.raises(gz.PlaceNotFoundError, match="Qwertzuiop"):
        geocode("Sokoura", near="Qwertzuiop")


# --- free text ----------------------------------------------------------------------------------


def test_find_mentions_of_listed_villages_only_on_request_and_capitalised() -> None:
    text = "Des hommes armés ont attaqué Diallassagou et Sokoura, au nord de Bankass."
    plain = {text[s:e] for s, e, _ in gz.find_mentions(text)}
    assert "Sokoura" not in plain
    found = {text[s:e] for s, e, _ in gz.find_mentions(text, lists=True)}
    assert {"Diallassagou", "Sokoura", "Bankass"} <= found
    assert "nord" not in {w.lower() for w in found}
    lower = {text[s:e] for s, e, _ in gz.find_mentions(text.replace("Sokoura", "sokoura"), lists=True)}
    assert "sokoura" not in lower


def test_find_mentions_never_takes_common_words_for_villages() -> None:
    text = "Le Nord et le Centre : Mars, Mai, Peul, Dogon, Bambara, Armée."
    assert gz.find_mentions(text, lists=True) == []


# --- learned places -----------------------------------------------------------------------------


def _events(**over: object) -> pd.DataFrame:
    rows = [
        {"event_id": "A1", "dataset": "acled", "location": "Tamalat-Nouvelle", "latitude": 15.797, "longitude": 3.7095}
        | {"geo_precision": 1, "admin1": "Menaka", "admin2": "Menaka", "admin3": "Anderamboukane", "country": "Mali"},
        {"event_id": "A2", "dataset": "acled", "location": "Zzyzx-Wadi", "latitude": 15.5, "longitude": 1.5}
        | {"geo_precision": 2, "admin1": "Gao", "admin2": "Ansongo", "admin3": "", "country": "Mali"},
        {"event_id": "A3", "dataset": "acled", "location": "Ber", "latitude": 16.835, "longitude": -2.53}
        | {"geo_precision": 1, "admin1": "Timbuktu", "admin2": "Timbuktu", "admin3": "Ber", "country": "Mali"},
    ]
    return pd.DataFrame(rows)


def test_learned_places_are_candidates_marked_with_their_origin(forget) -> None:
    report = gz.learn_places(_events())
    assert (report.added, report.known, report.skipped) == (1, 1, 1)
    [place] = gz.learned_places()
    assert (place.kind, place.origin, place.source) == ("learned", "acled", "learned:acled:A1")
    assert (place.admin1, place.admin2, place.admin3) == ("Menaka", "Menaka", "Anderamboukane")
    best = resolve("Tamalat Nouvelle")
    assert best.place is place and best.score == gz.LEARNED_SCORE
    assert geocode("Zzyzx-Wadi") == []  # not precisely located: not learned
    text = "Une attaque à Tamalat-Nouvelle."
    assert [c.place for _, _, c in gz.find_mentions(text)] == [place]


def test_learning_twice_adds_nothing_and_forget_drops_them(forget) -> None:
    gz.learn_places(_events())
    again = gz.learn_places(_events())
    assert again.added == 0 and len(gz.learned_places()) == 1
    gz.forget_learned()
    assert gz.learned_places() == () and geocode("Tamalat-Nouvelle") == []


def test_learn_accepts_rows_with_missing_values(forget) -> None:
    rows = [
        {"location": None, "latitude": 1, "longitude": 2, "geo_precision": 1},
        {"location": "X", "geo_precision": "?"},
    ]
    assert gz.learn_places(rows, origin="store") == gz.LearnReport(added=0, known=0, skipped=2)


# --- command line -------------------------------------------------------------------------------


def test_cli_geocode_near_and_region(capsys) -> None:
    assert cli_main(["geocode", "Sokoura", "--near", "Youwarou", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "km from Youwarou" in out and "Youwarou" in out.splitlines()[1]
    assert cli_main(["geocode", "Sokoura", "--region", "Narnia"]) == 2
    assert "unknown admin1 'Narnia'" in capsys.readouterr().err


def test_cercle_hint_ranks_the_homonym_of_that_cercle_first() -> None:
    assert geocode("Sokoura", admin2="Youwarou")[0].admin2 == "Youwarou"
    assert geocode("Sokoura", admin1="Mopti", admin2="Cercle de Youwarou")[0].admin2 == "Youwarou"
    with pytest.raises(gz.UnknownAdmin1Error, match="admin2 'Narnia'"):
        geocode("Sokoura", admin2="Narnia")


def test_nearest_lists_places_around_a_point_nearest_first() -> None:
    ber = resolve("Ber").place
    around = gz.nearest(ber.latitude, ber.longitude, within_km=10)
    assert around[0].place == ber and around[0].distance_km == 0
    assert [c.distance_km for c in around] == sorted(c.distance_km for c in around)
    assert all(c.distance_km <= 10 for c in around)
    seats = gz.nearest(14.08, -3.52, within_km=30, kinds=["commune_seat", "cercle_capital"])
    assert seats and {c.kind for c in seats} <= {"commune_seat", "cercle_capital"}
    with pytest.raises(ValueError, match="500"):
        gz.nearest(14.0, -3.5, within_km=500)


def test_learn_from_a_store_reads_all_its_events(forget) -> None:
    class Store:
        def query(self) -> pd.DataFrame:
            return _events()

    assert gz.learn_places(Store()).added == 1
    assert gz.learned_places()[0].name == "Tamalat-Nouvelle"


def test_cli_geocode_learns_from_an_event_file_first(tmp_path, capsys, forget) -> None:
    from conflictmap import synth
    from conflictmap.readers import write_events

    # One canonical event moved to a place the gazetteer does not know.
    frame = synth.synth_events(1, seed=1)
    for column, value in _events().loc[0, ["location", "latitude", "longitude", "geo_precision"]].items():
        frame[column] = value
    path = tmp_path / "events.csv"
    write_events(frame, path)
    assert cli_main(["geocode", "Tamalat-Nouvelle", "--learn", str(path), "--json"]) == 0
    out = capsys.readouterr()
    assert "learned 1 places" in out.err
    [found] = json.loads(out.out)
    assert (found["kind"], found["origin"]) == ("learned", "synthetic")


def test_the_benchmark_writes_its_report(tmp_path, monkeypatch) -> None:
    from benchmarks import gazetteer as bench

    monkeypatch.setattr(bench, "ACLED_DIR", tmp_path / "none")
    monkeypatch.setattr(bench, "UCDP_FILE", tmp_path / "none.csv")
    out = tmp_path / "GAZETTEER.md"
    assert bench.main(["--runs", "1", "--lookups", "40", "--output", str(out)]) == 0
    text = out.read_text()
    assert "| **load** |" in text and "listed names" in text
    assert "Not measured: no raw ACLED export" in text
    figures = json.loads(out.with_suffix(".json").read_text())
    assert figures["load"]["places"] >= 3000 and figures["acled"] is None


def test_learned_places_survive_a_rebuilt_index(forget) -> None:
    gz.learn_places(_events())
    gz._index.cache_clear()
    assert resolve("Tamalat-Nouvelle").place.kind == "learned"


def test_a_broken_list_file_is_reported_naming_the_file_and_line() -> None:
    import gzip

    with pytest.raises(GazetteerDataError, match=r"gazetteer_places\.csv\.gz: not a gzip"):
        gz._read_list(b"not gzip at all")
    header = ",".join(gz.LIST_COLUMNS)
    good = "Koa,,village,Mali,Mopti,Mopti,Konna,Mopti,14.9,-3.9,ocha-cod:ML0501"
    assert [p.name for p in gz._read_list(gzip.compress(f"{header}\n{good}\n".encode()))] == ["Koa"]
    bad = good.replace("14.9", "48.9")
    with pytest.raises(GazetteerDataError, match=r"line 3: latitude, longitude = '48\.9'"):
        gz._read_list(gzip.compress(f"{header}\n{good}\n{bad}\n".encode()))
    with pytest.raises(GazetteerDataError, match="line 1: columns"):
        gz._read_list(gzip.compress(b"name,kind\nKoa,village\n"))


def test_commune_hint_separates_homonyms_of_one_cercle() -> None:
    both = [c for c in geocode("Sokoura", admin2="Bankass", limit=5) if c.admin2 == "Bankass"]
    assert {c.admin3 for c in both} >= {"Sokoura", "Bankass"}
    assert geocode("Sokoura", admin2="Bankass", admin3="Bankass")[0].admin3 == "Bankass"
    assert cli_main(["geocode", "Sokoura", "--cercle", "Bankass", "--commune", "Bankass", "--limit", "1"]) == 0
    with pytest.raises(gz.UnknownAdmin1Error, match="admin3 'Narnia'"):
        geocode("Sokoura", admin3="Narnia")

"""The offline Mali gazetteer: the packaged data, matching, ambiguity and free-text mentions."""

from __future__ import annotations

import pytest

from conflictmap import gazetteer as gz
from conflictmap.gazetteer import (
    AmbiguousPlaceError,
    Candidate,
    GazetteerDataError,
    Place,
    PlaceNotFoundError,
    UnknownAdmin1Error,
    canonical_admin1,
    distance_km,
    find_mentions,
    geocode,
    normalize,
    places,
    resolve,
)

# The 49 cercles of the eight historical regions and their seats, by ACLED admin1,
# plus the Ménaka region's cercles whose seats are in the data.
CERCLE_SEATS: dict[str, dict[str, str]] = {
    "Kayes": {
        "Kayes": "Kayes",
        "Bafoulabe": "Bafoulabé",
        "Diema": "Diéma",
        "Kenieba": "Kéniéba",
        "Kita": "Kita",
        "Nioro": "Nioro du Sahel",
        "Yelimane": "Yélimané",
    },
    "Koulikoro": {
        "Koulikoro": "Koulikoro",
        "Banamba": "Banamba",
        "Dioila": "Dioïla",
        "Kangaba": "Kangaba",
        "Kati": "Kati",
        "Kolokani": "Kolokani",
        "Nara": "Nara",
    },
    "Sikasso": {
        "Sikasso": "Sikasso",
        "Bougouni": "Bougouni",
        "Kadiolo": "Kadiolo",
        "Kolondieba": "Kolondiéba",
        "Koutiala": "Koutiala",
        "Yanfolila": "Yanfolila",
        "Yorosso": "Yorosso",
    },
    "Segou": {
        "Segou": "Ségou",
        "Baroueli": "Barouéli",
        "Bla": "Bla",
        "Macina": "Ké-Macina",
        "Niono": "Niono",
        "San": "San",
        "Tominian": "Tominian",
    },
    "Mopti": {
        "Mopti": "Mopti",
        "Bandiagara": "Bandiagara",
        "Bankass": "Bankass",
        "Djenne": "Djenné",
        "Douentza": "Douentza",
        "Koro": "Koro",
        "Tenenkou": "Ténenkou",
        "Youwarou": "Youwarou",
    },
    "Timbuktu": {
        "Timbuktu": "Timbuktu",
        "Dire": "Diré",
        "Goundam": "Goundam",
        "Gourma-Rharous": "Gourma-Rharous",
        "Niafunke": "Niafunké",
    },
    "Gao": {"Gao": "Gao", "Ansongo": "Ansongo", "Bourem": "Bourem"},
    "Menaka": {
        "Menaka": "Ménaka",
        "Anderamboukane": "Andéramboukane",
        "Inekar": "Inékar",
        "Tidermene": "Tidermène",
    },
    "Kidal": {"Kidal": "Kidal", "Abeibara": "Abeïbara", "Tessalit": "Tessalit", "Tin-Essako": "Tin-Essako"},
}
REGION_CAPITALS = {
    "Kayes",
    "Koulikoro",
    "Sikasso",
    "Ségou",
    "Mopti",
    "Timbuktu",
    "Gao",
    "Kidal",
    "Ménaka",
    "Taoudenni",
    "Nioro du Sahel",
    "Kita",
    "Dioïla",
    "Nara",
    "Bougouni",
    "Koutiala",
    "San",
    "Douentza",
    "Bandiagara",
}


def _place(name: str, admin1: str, admin2: str | None, lat: float, lon: float, **kw: object) -> Place:
    fields: dict[str, object] = {"alt_names": (), "kind": "village", "parent": None, "source": "test"}
    fields.update(kw)
    return Place(name=name, admin1=admin1, admin2=admin2, latitude=lat, longitude=lon, **fields)  # type: ignore[arg-type]


def _km(a: Candidate | Place, b: Candidate | Place) -> float:
    return distance_km(a.latitude, a.longitude, b.latitude, b.longitude)


# --- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ségou", "segou"),
        ("TIMBUKTU", "timbuktu"),
        ("Tin-Zaouatene", "tin zaouatene"),
        ("Aguel'hoc", "aguel hoc"),
        ("Aguel’hoc", "aguel hoc"),
        ("  Gourma   Rharous ", "gourma rharous"),
        ("Koko-Plateau, Kati", "koko plateau kati"),
        ("Dioïla", "dioila"),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_normalize_rejects_non_text_naming_it() -> None:
    with pytest.raises(TypeError, match="12"):
        normalize(12)  # type: ignore[arg-type]


# --- lookup -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Timbuktu", "Timbuktu"),
        ("tombouctou", "Timbuktu"),
        ("TIMBUKTU", "Timbuktu"),
        ("Tumbutu", "Timbuktu"),
        ("Segou", "Ségou"),
        ("segu", "Ségou"),
        ("Sevare", "Sévaré"),
        ("SÉVARÉ", "Sévaré"),
        ("Menaka", "Ménaka"),
        ("Lere", "Léré"),
        ("Niafounké", "Niafunké"),
        ("Aguelhoc", "Aguelhok"),
        ("Aguel'hoc", "Aguelhok"),
        ("Ti-n-Essako", "Tin-Essako"),
        ("Tin Essako", "Tin-Essako"),
        ("Gourma Rharous", "Gourma-Rharous"),
        ("Ke Macina", "Ké-Macina"),
        ("Nioro", "Nioro du Sahel"),
        ("Taoudénit", "Taoudenni"),
        ("Bamako", "Bamako"),
        ("Kati", "Kati"),
    ],
)
def test_exact_spellings_score_one(query: str, name: str) -> None:
    best = resolve(query)
    assert best.name == name
    assert best.score == 1.0


def test_candidate_delegates_to_place_and_serialises() -> None:
    best = resolve("Tombouctou")
    assert (best.latitude, best.longitude) == (best.place.latitude, best.place.longitude)
    assert (best.admin1, best.admin2, best.kind, best.geo_precision) == ("Timbuktu", "Timbuktu", "region_capital", 1)
    assert best.to_dict() == {
        "name": "Timbuktu",
        "latitude": best.latitude,
        "longitude": best.longitude,
        "admin1": "Timbuktu",
        "admin2": "Timbuktu",
        "kind": "region_capital",
        "score": 1.0,
        "matched": "Tombouctou",
        "admin3": "Tombouctou",
        "region_2023": "Tombouctou",
        "country": "Mali",
        "source": best.place.source,
        "origin": "checked",
    }


@pytest.mark.parametrize(
    ("query", "name"),
    [("Timbuctou", "Timbuktu"), ("Tessallit", "Tessalit"), ("Bandiagarra", "Bandiagara"), ("Kidall", "Kidal")],
)
def test_close_spelling_scores_below_exact(query: str, name: str) -> None:
    best = resolve(query)
    assert best.name == name
    assert gz.FUZZY_CUTOFF * gz.FUZZY_MAX <= best.score < 1.0


@pytest.mark.parametrize("query", ["Springfield", "Qwertzuiop", "xyz", "   "])
def test_unknown_name_is_not_found(query: str) -> None:
    assert geocode(query) == []
    with pytest.raises(PlaceNotFoundError, match=repr(query)):
        resolve(query)


def test_bare_region_name_means_the_town_and_region_words_mean_the_region() -> None:
    assert resolve("Tombouctou").kind == "region_capital"
    for query in ("Timbuktu region", "Région de Tombouctou", "region of Timbuktu", "TOMBOUCTOU REGION"):
        region = resolve(query)
        assert (region.name, region.kind, region.geo_precision, region.score) == ("Timbuktu Region", "region", 3, 1.0)
    assert resolve("Bamako District").kind == "region"
    assert resolve("Région de Ménaka").admin1 == "Menaka"


@pytest.mark.parametrize(
    ("query", "capital"),
    [
        ("Timbuktu region", "Timbuktu"),
        ("Région de Ménaka", "Ménaka"),
        ("Gao Region", "Gao"),
        ("Bamako District", "Bamako"),
    ],
)
def test_a_region_is_placed_at_its_capital_with_precision_3(query: str, capital: str) -> None:
    # ACLED's codebook: an event known only by its region sits at the provincial capital, not the centroid.
    region, town = resolve(query), resolve(capital)
    assert (region.kind, region.geo_precision) == ("region", 3)
    assert (region.latitude, region.longitude) == (town.latitude, town.longitude)
    assert distance_km(region.place.latitude, region.place.longitude, town.latitude, town.longitude) > 1
    assert region.to_dict()["latitude"] == town.latitude


def test_geocode_ranks_and_limits() -> None:
    ranked = geocode("Timbuktu", limit=5)
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert [c.kind for c in ranked[:2]] == ["region_capital", "region"]
    assert len(geocode("Timbuktu", limit=1)) == 1
    with pytest.raises(ValueError, match="0"):
        geocode("Timbuktu", limit=0)


def test_admin1_hint_lowers_places_outside_it() -> None:
    inside = resolve("Tessalit", admin1="Kidal")
    outside = resolve("Tessalit", admin1="Kayes")
    assert inside.place == outside.place
    assert inside.score == 1.0
    assert outside.score == pytest.approx(gz.OUTSIDE_HINT_FACTOR)


def test_admin1_hint_accepts_any_spelling_of_the_region() -> None:
    assert resolve("Léré", admin1="Région de Tombouctou").score == 1.0
    assert resolve("Léré", admin1="TIMBUKTU").score == 1.0


def test_gao_hint_covers_the_menaka_region_of_older_files() -> None:
    assert resolve("Ménaka", admin1="Gao").score == 1.0


def test_unknown_admin1_hint_is_an_error_naming_it() -> None:
    with pytest.raises(UnknownAdmin1Error, match="Atlantis"):
        geocode("Gao", admin1="Atlantis")


def test_region_qualified_names() -> None:
    assert resolve("Léré, Tombouctou").name == "Léré"
    assert resolve("Sevare (Mopti)").score == 1.0
    wrong_region = resolve("Konna, Timbuktu")
    assert wrong_region.name == "Konna"
    assert wrong_region.score < 1.0
    assert (resolve("Ber, Timbuktu").name, resolve("Ber, Timbuktu").score) == ("Ber", 1.0)
    assert resolve("Ber, Gao").score == pytest.approx(gz.OUTSIDE_HINT_FACTOR)
    # The qualifier is no candidate itself: an unknown place in a known region is not found.
    with pytest.raises(PlaceNotFoundError):
        resolve("Springfield, Timbuktu")


def test_compound_name_falls_back_to_the_known_part_with_a_lower_score() -> None:
    best = resolve("Kati - Koko-Plateau")
    assert best.name == "Kati"
    assert best.score == pytest.approx(gz.PART_SCORE)
    assert resolve("Koko-Plateau, Kati").name == "Kati"


# --- admin1 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Tombouctou", "Timbuktu"),
        ("Timbuktu region", "Timbuktu"),
        ("Région de Tombouctou", "Timbuktu"),
        ("TOMBOUCTOU", "Timbuktu"),
        ("Ségou", "Segou"),
        ("Segou Region", "Segou"),
        ("Ménaka", "Menaka"),
        ("Taoudénit", "Timbuktu"),
        ("Région de Bandiagara", "Mopti"),
        ("District de Bamako", "Bamako"),
        ("Kidal", "Kidal"),
        ("Atlantis", None),
        ("Kati", None),
        ("", None),
    ],
)
def test_canonical_admin1(name: str, expected: str | None) -> None:
    assert canonical_admin1(name) == expected


def test_every_admin1_alias_maps_into_acled_names() -> None:
    assert set(gz._admin1_aliases().values()) == set(gz.ADMIN1)


# --- ambiguity, quarters and homonyms on tables written for the test ----------------------------


def test_homonyms_raise_with_candidates_and_hint_separates_them() -> None:
    table = [
        _place("Kouna", "Mopti", "Mopti", 14.1, -4.0),
        _place("Kouna", "Segou", "San", 13.2, -5.0),
        _place("Sadia", "Mopti", "Mopti", 14.3, -4.1),
    ]
    index = gz._build_index(table)
    with pytest.raises(AmbiguousPlaceError) as err:
        gz._resolve("kouna", None, index)
    assert {c.admin1 for c in err.value.candidates} == {"Mopti", "Segou"}
    assert "Mopti" in str(err.value) and "Segou" in str(err.value)
    assert isinstance(err.value, LookupError)
    assert gz._resolve("Kouna", "Segou", index).admin2 == "San"
    assert gz._resolve("Sadia", None, index).name == "Sadia"


def test_two_places_sharing_an_alternative_spelling_are_ambiguous() -> None:
    table = [
        _place("Diré", "Timbuktu", "Dire", 16.26, -3.40, alt_names=("Dire",)),
        _place("Dire", "Kayes", "Kenieba", 12.28, -10.97),
    ]
    with pytest.raises(AmbiguousPlaceError) as err:
        gz._resolve("DIRE", None, gz._build_index(table))
    assert len(err.value.candidates) == 2


def test_town_and_region_of_the_same_name_are_not_ambiguous() -> None:
    for name in ("Kidal", "Gao", "Ségou", "Mopti", "Kayes", "Sikasso", "Koulikoro", "Ménaka"):
        assert resolve(name).kind == "region_capital"


def test_quarter_parsing_on_a_test_table() -> None:
    table = [
        _place("Kati", "Koulikoro", "Kati", 12.74, -8.07, kind="cercle_capital"),
        _place("Koko", "Koulikoro", "Kati", 12.75, -8.08, kind="quarter", parent="Kati", alt_names=("Koko-Plateau",)),
    ]
    index = gz._build_index(table)
    for query in ("Kati Koko-Plateau", "Koko-Plateau, Kati", "Koko Plateau (Kati)", "Kati - Koko-Plateau", "Koko"):
        best = gz._resolve(query, None, index)
        assert (best.name, best.kind, best.score) == ("Koko", "quarter", 1.0), query
    assert gz._resolve("Kati", None, index).name == "Kati"


# --- free text ----------------------------------------------------------------------------------


def test_find_mentions_spans_accents_case_and_longest_match() -> None:
    text = "Des combattants ont attaqué SEVARE puis la Région de Tombouctou; à Gourma-Rharous et Timbuktu, calme."
    found = find_mentions(text)
    assert [(text[s:e], c.name, c.matched) for s, e, c in found] == [
        ("SEVARE", "Sévaré", "SEVARE"),
        ("Région de Tombouctou", "Timbuktu Region", "Région de Tombouctou"),
        ("Gourma-Rharous", "Gourma-Rharous", "Gourma-Rharous"),
        ("Timbuktu", "Timbuktu", "Timbuktu"),
    ]
    assert all(c.score == 1.0 for _, _, c in found)


def test_find_mentions_handles_elision_and_apostrophes() -> None:
    text = "Le convoi parti d'Ansongo a rejoint Aguel'hoc."
    assert [text[s:e] for s, e, _ in find_mentions(text)] == ["Ansongo", "Aguel'hoc"]


def test_find_mentions_respects_word_boundaries_and_common_words() -> None:
    assert find_mentions("Gaophone and Bamakois are not places") == []
    text = "Il faut dire que Diré est calme."
    assert [(text[s:e], c.name) for s, e, c in find_mentions(text)] == [("Diré", "Diré")]
    assert find_mentions("") == []


def test_find_mentions_reports_every_homonym_on_the_same_span() -> None:
    table = [_place("Kouna", "Mopti", "Mopti", 14.1, -4.0), _place("Kouna", "Segou", "San", 13.2, -5.0)]
    mentions = gz._build_mentions(gz._build_index(table))
    found = gz._find_in("Attaque à Kouna hier.", mentions)
    assert [(s, e) for s, e, _ in found] == [(10, 15), (10, 15)]
    assert {c.admin1 for _, _, c in found} == {"Mopti", "Segou"}


# --- the packaged data --------------------------------------------------------------------------


def test_places_are_cached_and_valid() -> None:
    table = places()
    assert table is places()
    south, west, north, east = gz.MALI_BBOX
    for p in table:
        assert p.licence != "unknown", p
        if p.origin != "checked":
            continue
        assert p.kind in gz.KINDS
        assert p.admin1 in gz.ADMIN1
        assert south <= p.latitude <= north and west <= p.longitude <= east, p
        assert round(p.latitude, 4) == p.latitude and round(p.longitude, 4) == p.longitude, p
        assert p.source, p
        assert (p.admin2 is None) == (p.kind == "region"), p


def test_each_admin1_has_one_region_row_and_its_places_lie_within_reach_of_it() -> None:
    regions = [p for p in places() if p.kind == "region"]
    assert sorted(p.admin1 for p in regions) == sorted(gz.ADMIN1)
    centre = {p.admin1: p for p in regions}
    for p in places():
        if p.country != "Mali":
            continue
        assert _km(p, centre[p.admin1]) <= 700, p


def test_cercle_seats_are_present_with_their_cercle_and_region() -> None:
    for admin1, cercles in CERCLE_SEATS.items():
        for cercle, seat in cercles.items():
            place = resolve(seat).place
            assert (place.name, place.admin1, place.admin2) == (seat, admin1, cercle)
            assert place.kind in ("region_capital", "cercle_capital")
    historical = sum(len(c) for a1, c in CERCLE_SEATS.items() if a1 != "Menaka") + 1  # Ménaka was a Gao cercle
    assert historical == 49


def test_cercle_capitals_are_one_per_cercle() -> None:
    seats = [p.admin2 for p in places() if p.kind == "cercle_capital"]
    assert len(seats) == len(set(seats))
    known = {cercle for cercles in CERCLE_SEATS.values() for cercle in cercles}
    assert set(seats) <= known


def test_region_capitals() -> None:
    assert {p.name for p in places() if p.kind == "region_capital"} == REGION_CAPITALS
    assert [p.name for p in places() if p.kind == "capital"] == ["Bamako"]


def test_no_duplicate_names_within_one_cercle() -> None:
    # The hand-checked table; the lists hold real homonyms (two "Ogossagou" in Bandiagara cercle).
    seen: dict[tuple[str | None, str], str] = {}
    for p in places():
        if p.origin != "checked":
            continue
        for key in {(p.admin2, gz._key(n)) for n in p.names}:
            assert key not in seen, (p.name, seen.get(key))
            seen[key] = p.name


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("Kati", "Bamako", 10, 20),  # "15 km northwest of Bamako"
        ("Sévaré", "Mopti", 6, 14),  # "about 10 km southeast of Mopti"
        ("Konna", "Mopti", 50, 70),  # "60 km northeast of Mopti"
        ("Ansongo", "Gao", 80, 100),  # "90 km south of Gao"
        ("Tarkint", "Bourem", 60, 85),  # "70 km northeast of Bourem"
        ("Ber", "Timbuktu", 45, 65),  # "53 km east of Timbuktu"; "57 km by road"
        ("Anéfis", "Kidal", 90, 110),  # "about 100 km south of Kidal"
        ("Tessit", "Ansongo", 40, 70),  # "about fifty kilometres" from Ansongo; "65 km south-west"
        ("In-Delimane", "Ansongo", 90, 130),  # "about a hundred kilometres from Ansongo"
        ("Tidermène", "Ménaka", 40, 100),  # "a few dozen kilometres north of Ménaka"
        ("Boulkessi", "Hombori", 55, 85),  # "75 km" to the Hombori market
    ],
)
def test_known_distances(a: str, b: str, low: float, high: float) -> None:
    assert low <= _km(resolve(a), resolve(b)) <= high


def test_distance_km() -> None:
    assert distance_km(0, 0, 0, 1) == pytest.approx(111.19, abs=0.01)
    assert distance_km(16.77, -3.0, 16.77, -3.0) == 0


# --- places added from conflict-event datasets (see data/GAZETTEER_SOURCES.md) ------------------


def test_added_places_lie_where_the_sources_describe_them() -> None:
    ber, timbuktu = resolve("Ber"), resolve("Timbuktu")
    assert ber.longitude > timbuktu.longitude and abs(ber.latitude - timbuktu.latitude) < 0.2  # "east of Timbuktu"
    anefis, kidal = resolve("Anéfis"), resolve("Kidal")
    assert anefis.latitude < kidal.latitude and anefis.longitude < kidal.longitude  # "south-west of Kidal"
    # Tessit is on the right bank, south-west of Ansongo and east of Greenwich: the GeoNames record
    # (15.217, -0.300) has the longitude's sign wrong and lies 64 km further west.
    tessit, ansongo = resolve("Tessit"), resolve("Ansongo")
    assert 0 < tessit.longitude < ansongo.longitude and tessit.latitude < ansongo.latitude
    assert resolve("Tidermène").latitude > resolve("Ménaka").latitude  # "north of Ménaka"
    # Bamba is on the Niger between Gourma-Rharous and Bourem.
    assert resolve("Gourma-Rharous").longitude < resolve("Bamba").longitude < resolve("Bourem").longitude


@pytest.mark.parametrize(
    ("query", "name", "admin1", "admin2"),
    [
        ("Ber", "Ber", "Timbuktu", "Timbuktu"),
        ("Anefif", "Anéfis", "Kidal", "Kidal"),
        ("Telataï", "Talataye", "Gao", "Ansongo"),
        ("Indelimane", "In-Delimane", "Gao", "Ansongo"),
        ("Labézanga", "Labbezanga", "Gao", "Ansongo"),
        ("Tabankort", "Tabankort", "Gao", "Bourem"),
        ("Boulikessi", "Boulkessi", "Mopti", "Douentza"),
        ("DIOURA", "Dioura", "Mopti", "Tenenkou"),
        ("Sobane-Kou", "Sobane Da", "Mopti", "Bandiagara"),
        ("Tidermene", "Tidermène", "Menaka", "Tidermene"),
    ],
)
def test_added_places_resolve_in_their_acled_region(query: str, name: str, admin1: str, admin2: str) -> None:
    best = resolve(query)
    assert (best.name, best.admin1, best.admin2, best.score, best.geo_precision) == (name, admin1, admin2, 1.0, 1)


def test_talataye_is_in_gao_so_a_menaka_hint_lowers_it() -> None:
    assert resolve("Talataye", admin1="Gao").score == 1.0
    assert resolve("Talataye", admin1="Ménaka").score == pytest.approx(gz.OUTSIDE_HINT_FACTOR)


@pytest.mark.parametrize("name", ["Intahaka", "Koko-Plateau"])
def test_places_without_a_coordinate_have_no_exact_match(name: str) -> None:
    assert all(c.score < gz.VARIANT_SCORE * gz.PROMINENCE["hamlet"] for c in geocode(name))


def test_find_mentions_of_added_places() -> None:
    text = "Le camp de Ber, à l'est de Tombouctou, puis Anéfis et Indelimane ont été attaqués."
    assert [(text[s:e], c.name) for s, e, c in find_mentions(text)] == [
        ("Ber", "Ber"),
        ("Tombouctou", "Timbuktu"),
        ("Anéfis", "Anéfis"),
        ("Indelimane", "In-Delimane"),
    ]


# --- validation of the data file ----------------------------------------------------------------


def _row(**kw: str) -> dict[str, str]:
    row = {
        "name": "Testville",
        "alt_names": "",
        "kind": "town",
        "admin1": "Mopti",
        "admin2": "Mopti",
        "parent": "",
        "latitude": "14.5",
        "longitude": "-4.2",
        "source": "test",
    }
    row.update(kw)
    return row


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ({"kind": "hamlet"}, "hamlet"),
        ({"admin1": "Tombouctou"}, "Tombouctou"),
        ({"latitude": "48.85", "longitude": "2.35"}, "48.85"),
        ({"latitude": "north"}, "north"),
        ({"kind": "quarter"}, "parent"),
        ({"parent": "Kati"}, "Kati"),
        ({"admin2": ""}, "admin2"),
        ({"source": ""}, "source"),
        ({"name": " "}, "name"),
    ],
)
def test_invalid_rows_are_rejected_naming_the_value(bad: dict[str, str], named: str) -> None:
    with pytest.raises(GazetteerDataError, match="line 7") as err:
        gz._parse_place(_row(**bad), 7)
    assert named in str(err.value)


def test_a_valid_row_parses() -> None:
    place = gz._parse_place(_row(alt_names="Test-Ville|Testville|Tstvl"), 2)
    assert place.alt_names == ("Test-Ville", "Tstvl")
    assert (place.latitude, place.longitude, place.geo_precision) == (14.5, -4.2, 1)


@pytest.mark.parametrize("name", ["Kati Koko-Plateau", "Kati Koko", "Koko-Plateau Kati"])
def test_unknown_quarter_without_separator_falls_back_to_its_town(name):
    found = geocode(name, limit=10)
    kati = next(c for c in found if c.name == "Kati")
    assert kati.score == gz.PART_SCORE
    assert all(c.score < 1.0 for c in found)

"""The area filter gives the same answers in memory and in both stores (GeoPackage, PostGIS)."""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import pytest

from conflictmap import areas, synth
from conflictmap.filters import FilterSpec
from conflictmap.store import EventStore
from conflictmap.store.gpkg import GeoPackageStore
from conflictmap.store.postgis import PostGISStore

SPECS = {
    "region": FilterSpec(areas=["Mopti"]),
    "region covering another name": FilterSpec(areas=["Gao"]),
    "two regions and a type": FilterSpec(areas=["Kidal", "Timbuktu"], event_types=["Battles"]),
    "cercle": FilterSpec(areas=["Mopti/Bandiagara"]),
    "cercle or region": FilterSpec(areas=["Mopti/Douentza", "Segou"]),
    "unknown area": FilterSpec(areas=["Atlantis"]),
}


@pytest.fixture(scope="module", params=("geopackage", "postgis"))
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[EventStore, gpd.GeoDataFrame]]:
    if request.param == "geopackage":
        store: EventStore = GeoPackageStore(tmp_path_factory.mktemp("areas") / "events.gpkg")
    else:
        store = PostGISStore(request.getfixturevalue("pg_cluster").new_database())
    store.import_events(synth.synth_events(2000, seed=5), source="synthetic.parquet")
    yield store, store.query()
    store.close()
    if isinstance(store, PostGISStore):
        request.getfixturevalue("pg_cluster").drop_database(store.url)


@pytest.mark.parametrize("name", list(SPECS))
def test_area_filter_same_in_memory_and_in_the_store(filled: tuple[EventStore, gpd.GeoDataFrame], name: str) -> None:
    store, everything = filled
    spec = SPECS[name]
    expected = spec.apply(everything)
    got = store.query(spec)
    assert sorted(got["event_id"]) == sorted(expected["event_id"])
    assert store.count(spec) == len(expected)
    if name != "unknown area":
        assert 0 < len(expected) < len(everything)


def test_region_counts_from_the_stores_grouped_names_match_the_names_in_memory(
    filled: tuple[EventStore, gpd.GeoDataFrame],
) -> None:
    from conflictmap import areas

    store, everything = filled
    spec = FilterSpec(event_types=["Battles"])
    grouped = store.timeline(spec, "M", "admin1")
    got = areas.counts_from_names(grouped).set_index("key")
    chosen = spec.apply(everything)
    for key in ("Gao", "Mopti", "Timbuktu"):
        expected = areas.area_mask(chosen, [key]).sum()
        assert got.loc[key, "events"] == expected, key
    assert got["events"].sum() == len(chosen)


def test_a_shipped_cercle_filters_alike_in_memory_and_in_postgis_on_derived_names(pg_cluster) -> None:
    # Cercle names blanked, then filled from the shipped cercles by point in polygon before the import.
    events = synth.synth_events(1500, seed=9)
    events["admin2"] = ""
    events = areas.derive_admin_names(events).drop(columns=[areas.DERIVED_COLUMN])
    events["admin2"] = events["admin2"].astype("category")
    busiest = events.loc[events["admin2"] != "", ["admin1", "admin2"]].value_counts().index[0]
    spec = FilterSpec(areas=["/".join(busiest)])
    store = PostGISStore(pg_cluster.new_database())
    try:
        store.import_events(events, source="synthetic.parquet")
        everything = store.query()
        expected = spec.apply(everything)
        assert 0 < len(expected) < len(everything)
        assert sorted(store.query(spec)["event_id"]) == sorted(expected["event_id"])
        assert store.count(spec) == len(expected)
    finally:
        store.close()
        pg_cluster.drop_database(store.url)


def test_an_area_from_a_link_matches_its_names_whatever_the_accents_and_case(store: EventStore, make_events) -> None:
    events = make_events(
        {"admin1": "Ségou", "admin2": "Niono"},
        {"admin1": "SEGOU", "admin2": "Niono"},
        {"admin1": "Segou", "admin2": "Macina"},
        {"admin1": "Mopti", "admin2": "Djenné"},
        {"admin1": "Mopti", "admin2": "Bandiagara"},
    )
    store.import_events(events, source="spellings")
    everything = store.query()
    for query, expected in (
        ({"area": "Segou"}, 3),
        ({"area": "ségou"}, 3),
        ({"area": "Segou/niono"}, 2),
        ({"area": "Mopti/Djenne"}, 1),
        ({"area": ["Mopti/DJENNÉ", "Ségou/Macina"]}, 2),
    ):
        spec = FilterSpec.from_query_params(query)
        assert len(spec.apply(everything)) == expected, query
        assert sorted(store.query(spec)["event_id"]) == sorted(spec.apply(everything)["event_id"]), query

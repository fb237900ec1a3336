"""The event store, the same tests on both backends: the GeoPackage file and PostGIS (a real PostgreSQL).

The PostGIS store runs against a throwaway cluster the tests start (``pgcluster``),
one fresh database per test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from builders import (
    BACKENDS,
    WEEK1_STAMP,
    WEEK2_STAMP,
    Target,
    acled_row,
    assert_same,
    snapshot,
    week1_rows,
    week2_rows,
    write_acled,
)
from conftest import SEED_EVENTS
from pgcluster import Cluster

from conflictmap import gazetteer, grid, schema, synth, timeline
from conflictmap.filters import FilterSpec
from conflictmap.readers import NotEventDataError, read_events
from conflictmap.store import (
    EditConflictError,
    EventNotFoundError,
    EventStateError,
    EventStore,
    EventValidationError,
    GeoPackageStore,
    StoreError,
    open_store,
)
from conflictmap.store.postgis import PostGISStore


def plain(events: pd.DataFrame) -> list[tuple]:
    """Events as comparable tuples of their canonical values, by event_id."""
    frame = pd.DataFrame(events[list(schema.COLUMNS)]).sort_values("event_id")
    frame = frame.astype(object).where(frame.notna(), None)
    return [tuple(r) for r in frame.itertuples(index=False)]


def ids(events: pd.DataFrame) -> list[str]:
    return events["event_id"].astype(str).tolist()


# -- importing ------------------------------------------------------------------------------------------


def test_store_opens_empty_and_reports_its_place(store: EventStore, target: Target) -> None:
    assert store.backend == target.backend
    assert store.count() == 0
    assert len(store.query()) == 0
    schema.validate_events(store.query())
    assert store.stats()["active"] == 0
    if target.backend == "postgis":
        assert store.location.startswith("postgresql://postgres@127.0.0.1:")
        assert store.location.endswith("(schema conflictmap)")


def test_import_stores_canonical_events_as_read(store: EventStore, tmp_path: Path) -> None:
    path = write_acled(tmp_path / "acled_week1.csv", week1_rows())
    result = store.import_file(path)
    assert (result.inserted, result.updated, result.unchanged, result.flagged_missing) == (12, 0, 0, 0)
    assert result.read is not None and result.read.rows_loaded == 12
    assert result.datasets == ("acled",)
    events = store.query()
    schema.validate_events(events)
    expected, _ = read_events(path)
    assert plain(events) == plain(expected)
    assert events["timestamp"].iloc[0] == pd.Timestamp(WEEK1_STAMP, unit="s", tz="UTC")


def test_reimporting_the_same_file_changes_nothing(store: EventStore, tmp_path: Path) -> None:
    path = write_acled(tmp_path / "acled_week1.csv", week1_rows())
    store.import_file(path)
    before = snapshot(store, imports=False)
    again = store.import_file(path)
    assert (again.inserted, again.updated, again.unchanged, again.flagged_missing) == (0, 0, 12, 0)
    assert not again.changed
    assert_same(before, snapshot(store, imports=False))
    log = store.imports()
    assert len(log) == 2 and int(log["unchanged"].iloc[0]) == 12 and int(log["inserted"].iloc[0]) == 0


def test_newer_timestamp_replaces_the_event_and_keeps_the_old_version(store: EventStore, tmp_path: Path) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    result = store.import_file(write_acled(tmp_path / "week2.csv", week2_rows()))
    assert (result.inserted, result.updated, result.flagged_missing) == (1, 1, 1)
    event = store.get_event("MLI1003")
    assert event["fatalities"] == 9 and event["version"] == 2 and event["status"] == "active"
    history = store.history("MLI1003")
    assert history["change"].tolist() == ["import", "import-update"]
    assert history["file_name"].tolist() == ["week1.csv", "week2.csv"]
    update = history.iloc[1]
    assert update["changes"]["fatalities"] == [3, 9]
    assert update["changes"]["timestamp"][0].startswith("2023-09-12T00:00:00")
    assert update["before"]["fatalities"] == 3
    assert update["before"]["notes"] == "Invented clash number 3 near Mopti."


def test_an_older_or_equal_timestamp_does_not_roll_an_event_back(store: EventStore, tmp_path: Path) -> None:
    rows = week1_rows()
    rows[2] = acled_row(2, timestamp=WEEK2_STAMP, fatalities=7)
    store.import_file(write_acled(tmp_path / "newer.csv", rows))
    older = week1_rows()
    older[2] = acled_row(2, timestamp=WEEK1_STAMP, fatalities=1)
    result = store.import_file(write_acled(tmp_path / "older.csv", older))
    assert (result.updated, result.unchanged) == (0, 12)
    assert store.get_event("MLI1002")["fatalities"] == 7
    assert store.history("MLI1002")["change"].tolist() == ["import"]


def test_an_event_missing_from_a_full_reimport_is_flagged_not_deleted(store: EventStore, tmp_path: Path) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    result = store.import_file(write_acled(tmp_path / "week2.csv", week2_rows()))
    assert result.flagged_missing == 1
    assert any("flagged missing" in note and "acled" in note for note in result.notes)
    shown = store.query(store_columns=True)
    assert "MLI1005" in ids(shown)
    assert shown.loc[shown["event_id"] == "MLI1005", "status"].iloc[0] == "missing"
    assert "MLI1005" not in ids(store.query(include_missing=False))
    assert store.history("MLI1005")["change"].tolist() == ["import", "flag-missing"]
    assert store.datasets().set_index("dataset").loc["acled", "missing"] == 1

    back = store.import_file(write_acled(tmp_path / "week3.csv", [*week2_rows(), acled_row(5)]))
    assert (back.reappeared, back.flagged_missing, back.updated) == (1, 0, 0)
    assert store.get_event("MLI1005")["status"] == "active"
    assert store.history("MLI1005")["change"].tolist() == ["import", "flag-missing", "reappear"]


def test_a_partial_import_flags_nothing(store: EventStore, tmp_path: Path) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    result = store.import_file(write_acled(tmp_path / "extract.csv", week1_rows()[:3]), full=False)
    assert (result.flagged_missing, result.unchanged) == (0, 3)
    assert store.count(include_missing=False) == 12


def test_flagging_stays_within_the_files_reach(store: EventStore, tmp_path: Path) -> None:
    rows = week1_rows()
    burkina = acled_row(
        50, event_id_cnty="BFO50", country="Burkina Faso", admin1="Sahel", latitude=14.0, longitude=-0.1
    )
    earlier = acled_row(51, event_date="2022-01-05")
    store.import_file(write_acled(tmp_path / "all.csv", [*rows, burkina, earlier]))
    by_hand = store.add_event(
        {
            "place": "Mopti",
            "event_date": "2023-09-10",
            "event_type": "Battles",
            "source": "Local radio",
            "dataset": "acled",
        }
    )
    september = [r for r in rows if r["event_id_cnty"] != "MLI1004"]
    result = store.import_file(write_acled(tmp_path / "mali_september.csv", september))
    assert result.flagged_missing == 1
    assert store.get_event("MLI1004")["status"] == "missing"
    assert store.get_event("BFO50")["status"] == "active"
    assert store.get_event("MLI1051")["status"] == "active"
    assert store.get_event(by_hand.event_id)["status"] == "active"
    assert store.count(include_missing=False) == 14 and store.count() == 15


def test_rejected_rows_mean_nothing_is_flagged(store: EventStore, tmp_path: Path) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    rows = week1_rows()
    rows[4] = acled_row(4, latitude="north of Mopti")
    result = store.import_file(write_acled(tmp_path / "damaged.csv", rows))
    assert result.rejected == 1 and result.flagged_missing == 0
    assert any("rejected" in note and "not flagged" in note for note in result.notes)
    assert store.get_event("MLI1004")["status"] == "active"


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, b"name,price\nsoap,2\nrice,5\n"],
    ids=["image", "other-table"],
)
def test_a_malformed_file_changes_nothing(store: EventStore, tmp_path: Path, content: bytes) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    before = snapshot(store)
    bad = tmp_path / "events.csv"
    bad.write_bytes(content)
    with pytest.raises(NotEventDataError):
        store.import_file(bad)
    assert_same(before, snapshot(store))


def test_a_file_with_no_loadable_row_changes_nothing(store: EventStore, tmp_path: Path) -> None:
    before = snapshot(store)
    rows = [acled_row(0, event_type="Picnic"), acled_row(1, latitude="")]
    result = store.import_file(write_acled(tmp_path / "bad_rows.csv", rows))
    assert result.import_id is None and result.rejected == 2
    assert_same(before, snapshot(store))


def test_deleted_events_stay_deleted_when_imported_again(store: EventStore, tmp_path: Path) -> None:
    path = write_acled(tmp_path / "week1.csv", week1_rows())
    store.import_file(path)
    store.delete_event("MLI1001", reason="duplicate of MLI1002")
    result = store.import_file(path)
    assert result.kept_deleted == 1
    assert store.get_event("MLI1001")["status"] == "deleted"
    assert "MLI1001" not in ids(store.query())


def test_a_hand_edit_is_kept_until_a_newer_version_arrives(store: EventStore, tmp_path: Path) -> None:
    path = write_acled(tmp_path / "week1.csv", week1_rows())
    store.import_file(path)
    store.edit_event("MLI1003", {"fatalities": 5}, reason="hospital count")
    again = store.import_file(path)
    assert (again.updated, again.unchanged) == (0, 12)
    assert store.get_event("MLI1003")["fatalities"] == 5
    newer = store.import_file(write_acled(tmp_path / "week2.csv", week2_rows()))
    assert newer.updated == 1 and any("edited here were replaced" in n for n in newer.notes)
    assert store.get_event("MLI1003")["fatalities"] == 9
    history = store.history("MLI1003")
    assert history["change"].tolist() == ["import", "edit", "import-update"]
    assert history.iloc[2]["before"]["fatalities"] == 5 and history.iloc[2]["before"]["edited"] is True


def test_without_timestamps_a_hand_edit_wins_over_the_file(store: EventStore, make_events, tmp_path: Path) -> None:
    path = tmp_path / "team_events.csv"
    make_events({}, {"fatalities": 2}).drop(columns="geometry").to_csv(path, index=False)
    store.import_file(path)
    store.edit_event("TEST-00001", {"fatalities": 4})
    result = store.import_file(path)
    assert result.kept_edits == 1 and result.updated == 0
    assert any("kept as edited" in n for n in result.notes)
    assert store.get_event("TEST-00001")["fatalities"] == 4


def test_import_events_takes_a_table_read_elsewhere(store: EventStore, make_events) -> None:
    events = make_events({}, {"event_type": "Riots", "sub_event_type": "Mob violence"})
    result = store.import_events(events, source="uploaded.csv")
    assert result.inserted == 2
    assert store.imports()["file_name"].iloc[0] == "uploaded.csv"
    assert plain(store.query()) == plain(events)


# -- one event at a time ------------------------------------------------------------------------------------


def test_add_event_places_it_from_the_gazetteer_and_records_who(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFLICTMAP_USER", "Aminata")
    change = store.add_event(
        {
            "place": "Gao",
            "event_date": "2024-02-03",
            "time_precision": 2,
            "event_type": "explosions/remote violence",
            "sub_event_type": "Remote explosive/landmine/IED",
            "actor1": "Unidentified Armed Group (Mali)",
            "fatalities": "2",
            "source": "Radio Naata",
            "notes": "A mine hit a truck on the Gao road.",
        },
        reason="from a phone call",
    )
    assert change.version == 1 and change.change == "add" and change.changed_by == "Aminata"
    assert change.event_id.startswith("manual-")
    gao = gazetteer.resolve("Gao")
    event = store.get_event(change.event_id)
    assert (event["latitude"], event["longitude"]) == (gao.latitude, gao.longitude)
    assert event["location"] == "Gao" and event["admin1"] == "Gao" and event["country"] == "Mali"
    assert event["event_type"] == "Explosions/Remote violence" and event["fatalities"] == 2
    assert event["event_date"] == date(2024, 2, 3) and event["origin"] == "manual"
    assert event["created_by"] == "Aminata" and event["dataset"] == "manual"
    history = store.history(change.event_id)
    assert history[["change", "changed_by", "reason"]].values.tolist() == [["add", "Aminata", "from a phone call"]]
    assert change.event_id in ids(store.query(FilterSpec(datasets=["manual"])))


def test_add_event_at_a_point_takes_its_region_from_the_nearest_place(store: EventStore) -> None:
    mopti = gazetteer.resolve("Mopti")
    change = store.add_event(
        {
            "latitude": mopti.latitude + 0.02,
            "longitude": mopti.longitude,
            "location": "Road north of Mopti",
            "event_date": date(2024, 1, 9),
            "event_type": "Violence against civilians",
            "source": "NGO report",
        }
    )
    event = store.get_event(change.event_id)
    assert event["admin1"] == "Mopti" and event["location"] == "Road north of Mopti"
    assert event["geo_precision"] == 1


def test_add_event_lists_every_problem_and_stores_nothing(store: EventStore) -> None:
    with pytest.raises(EventValidationError) as caught:
        store.add_event(
            {
                "event_date": "2999-01-01",
                "event_type": "Battles",
                "sub_event_type": "Peaceful protest",
                "fatalities": -3,
                "source": "  ",
            }
        )
    problems = {p.field: p for p in caught.value.problems}
    assert set(problems) == {"place", "event_date", "sub_event_type", "fatalities", "source"}
    assert "sub-type of Battles" in problems["sub_event_type"].expected
    assert problems["fatalities"].value == -3
    assert "field 'source'" in str(caught.value)
    assert store.count() == 0


def test_add_event_refuses_an_id_the_store_has(store: EventStore, tmp_path: Path) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    fields = {"place": "Kidal", "event_date": "2024-01-01", "event_type": "Riots", "source": "x", "event_id": "MLI1000"}
    with pytest.raises(StoreError, match="MLI1000"):
        store.add_event(fields)


def test_edit_event_makes_a_new_version_with_the_old_one_in_history(
    store: EventStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    monkeypatch.setenv("CONFLICTMAP_USER", "Moussa")
    change = store.edit_event("MLI1002", {"fatalities": 6, "notes": "Six killed per the hospital."}, expected_version=1)
    assert (change.version, change.change, change.changed_by) == (2, "edit", "Moussa")
    event = store.get_event("MLI1002")
    assert event["fatalities"] == 6 and event["edited"] is True and event["updated_by"] == "Moussa"
    assert event["timestamp"] == pd.Timestamp(WEEK1_STAMP, unit="s", tz="UTC")
    last = store.history("MLI1002").iloc[-1]
    assert last["changes"] == {
        "fatalities": [2, 6],
        "notes": ["Invented clash number 2 near Mopti.", "Six killed per the hospital."],
    }
    assert last["before"]["version"] == 1 and last["before"]["fatalities"] == 2


def test_edit_event_moves_it_to_another_place(store: EventStore, tmp_path: Path) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    store.edit_event("MLI1000", {"place": "Ber"})
    ber = gazetteer.resolve("Ber")
    event = store.get_event("MLI1000")
    assert (event["location"], event["admin1"], event["latitude"]) == ("Ber", ber.admin1, ber.latitude)
    inside = store.query(
        FilterSpec(bbox=(ber.longitude - 0.01, ber.latitude - 0.01, ber.longitude + 0.01, ber.latitude + 0.01))
    )
    assert ids(inside) == ["MLI1000"]


def test_an_edit_based_on_an_old_version_is_refused(store: EventStore, tmp_path: Path) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    store.edit_event("MLI1002", {"fatalities": 6}, expected_version=1, user="Moussa")
    with pytest.raises(EditConflictError, match="Moussa"):
        store.edit_event("MLI1002", {"fatalities": 8}, expected_version=1, user="Awa")
    assert store.get_event("MLI1002")["fatalities"] == 6


def test_an_edit_that_changes_nothing_writes_nothing(store: EventStore, tmp_path: Path) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    before = snapshot(store)
    change = store.edit_event("MLI1002", {"fatalities": 2, "notes": " Invented clash number 2 near Mopti. "})
    assert change.change == "unchanged" and change.version == 1
    assert_same(before, snapshot(store))


def test_edit_event_checks_the_new_values(store: EventStore, tmp_path: Path) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    with pytest.raises(EventValidationError, match="sub_event_type"):
        store.edit_event("MLI1002", {"event_type": "Protests"})
    with pytest.raises(EventNotFoundError):
        store.edit_event("NOPE", {"fatalities": 1})


def test_delete_is_soft_recorded_and_reversible(store: EventStore, tmp_path: Path) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    store.delete_event("MLI1004", reason="duplicate", user="Awa")
    assert "MLI1004" not in ids(store.query())
    deleted = store.query(include_deleted=True, store_columns=True)
    assert deleted.loc[deleted["event_id"] == "MLI1004", "status"].iloc[0] == "deleted"
    last = store.history("MLI1004").iloc[-1]
    assert (last["change"], last["changed_by"], last["reason"]) == ("delete", "Awa", "duplicate")
    assert last["changes"] == {"status": ["active", "deleted"]}
    with pytest.raises(EventStateError):
        store.delete_event("MLI1004")
    with pytest.raises(EventStateError):
        store.edit_event("MLI1004", {"fatalities": 1})
    store.undelete_event("MLI1004")
    assert "MLI1004" in ids(store.query())
    assert store.history("MLI1004")["change"].tolist() == ["import", "delete", "undelete"]


def test_two_sessions_see_each_others_edits(target: Target, tmp_path: Path) -> None:
    first, second = target.open(user="Awa"), target.open(user="Moussa")
    try:
        first.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
        assert second.count() == 12
        second.edit_event("MLI1001", {"fatalities": 3})
        first.add_event({"place": "Kati", "event_date": "2024-03-01", "event_type": "Protests", "source": "AFP"})
        assert first.get_event("MLI1001")["fatalities"] == 3
        assert second.count() == 13
        assert second.history("MLI1001")["changed_by"].tolist() == ["Awa", "Moussa"]
    finally:
        first.close()
        second.close()


# -- reading --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[EventStore, gpd.GeoDataFrame]]:
    """A store holding 3,000 synthetic events (accented places, actor lists, every type), and those events.

    Every third event's region is spelt as another dataset would ("Tombouctou", "Ségou",
    the 2023 region "Bandiagara" in Mopti). Shared by the tests of this module that only read.
    """
    if request.param == "geopackage":
        store: EventStore = GeoPackageStore(tmp_path_factory.mktemp("filled") / "events.gpkg")
    else:
        store = PostGISStore(request.getfixturevalue("pg_cluster").new_database())
    events = synth.synth_events(3000, seed=7)
    region = events["admin1"].astype(object)
    other = {"Timbuktu": "Tombouctou", "Segou": "Ségou", "Mopti": "Bandiagara", "Menaka": "Ménaka"}
    respelt = region.map(other).where(pd.Series(range(len(events)), index=events.index) % 3 == 0)
    events["admin1"] = respelt.fillna(region).astype("category")
    store.import_events(events, source="synthetic.parquet")
    yield store, store.query()
    store.close()
    if isinstance(store, PostGISStore):
        request.getfixturevalue("pg_cluster").drop_database(store.url)


SPECS = {
    "all": FilterSpec(),
    "dates": FilterSpec(date_from="2019-03-01", date_to="2020-06-30"),
    "types": FilterSpec(event_types=["Battles"], sub_event_types=["Attack"]),
    "actor members": FilterSpec(actors=["jnim"]),
    "region and fatalities": FilterSpec(admin1=["Mopti", "Timbuktu"], min_fatalities=3),
    "regions in other spellings": FilterSpec(admin1=["Tombouctou", "segou"]),
    "a 2023 region is the one it was carved out of": FilterSpec(admin1=["Bandiagara"]),
    "precision": FilterSpec(max_geo_precision=1, max_time_precision=1),
    "accent-free text": FilterSpec(text="segou"),
    "text in notes": FilterSpec(text="LANDMINE"),
    "bbox": FilterSpec(bbox=(-5.0, 13.0, -2.0, 16.0)),
    "everything": FilterSpec(date_from="2015-01-01", event_types=["Violence against civilians"], bbox=(-6, 12, 2, 18)),
    "nothing": FilterSpec(datasets=["acled"]),
}


@pytest.mark.parametrize("name", list(SPECS))
def test_query_keeps_what_filterspec_keeps(filled: tuple[EventStore, gpd.GeoDataFrame], name: str) -> None:
    store, everything = filled
    spec = SPECS[name]
    expected = spec.apply(everything)
    got = store.query(spec)
    schema.validate_events(got)
    assert ids(got) == ids(expected)
    assert store.count(spec) == len(expected)
    if name not in ("all", "nothing"):
        assert 0 < len(got) < len(everything)
    if spec.admin1:
        # Every spelling of the region is kept, in the store as in memory.
        assert len(set(got["admin1"])) > len(spec.admin1)


def test_query_returns_events_in_date_order_and_honours_limit(filled: tuple[EventStore, gpd.GeoDataFrame]) -> None:
    store, everything = filled
    assert everything["event_date"].is_monotonic_increasing
    first = store.query(limit=10)
    assert ids(first) == ids(everything)[:10]


@pytest.mark.parametrize(("freq", "by"), [(None, "event_type"), ("W", "admin1"), ("M", "actor1"), ("D", "dataset")])
def test_timeline_counted_in_sql_matches_the_timeline_module(
    filled: tuple[EventStore, gpd.GeoDataFrame], freq: str | None, by: str
) -> None:
    store, everything = filled
    spec = FilterSpec(date_from="2020-01-01", date_to="2020-05-31")
    chosen = spec.apply(everything)
    start, end = date(2019, 12, 1), date(2020, 6, 30)
    got = store.timeline(spec, freq, by, start=start, end=end)
    expected = timeline.aggregate(chosen, freq, by, start=start, end=end)
    pd.testing.assert_frame_equal(got, expected)
    assert got["events"].sum() == len(chosen)
    pd.testing.assert_frame_equal(store.totals(spec, freq), timeline.totals(chosen, freq))


def test_timeline_of_nothing_is_empty(filled: tuple[EventStore, gpd.GeoDataFrame]) -> None:
    store, _ = filled
    nothing = FilterSpec(datasets=["acled"])
    pd.testing.assert_frame_equal(store.timeline(nothing), timeline.aggregate(schema.empty_events()))
    window = {"start": date(2020, 1, 1), "end": date(2020, 1, 10)}
    pd.testing.assert_frame_equal(store.totals(nothing, **window), timeline.totals(schema.empty_events(), **window))


@pytest.mark.parametrize("cell_deg", [None, 0.5, 0.05])
def test_map_grid_counted_in_sql_matches_grid(filled: tuple[EventStore, gpd.GeoDataFrame], cell_deg) -> None:
    store, everything = filled
    spec = FilterSpec(event_types=["Battles", "Riots"])
    chosen = spec.apply(everything)
    got = store.grid(spec, cell_deg)
    size = cell_deg or grid.choose_cell_deg(chosen)
    assert got.attrs["cell_deg"] == size
    expected = grid.aggregate_grid(chosen, size)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True), check_like=False)


def test_grid_refuses_a_bad_cell_size(store: EventStore) -> None:
    with pytest.raises(ValueError, match="cell_deg"):
        store.grid(cell_deg=0)


def test_extent_and_datasets(store: EventStore, tmp_path: Path, make_events) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    store.import_events(make_events({"dataset": "article"}), source="article.txt")
    store.delete_event("MLI1000")
    extent = store.extent()
    assert extent["events"] == 12 and extent["first_date"] == date(2023, 9, 2)
    assert (extent["south"], extent["north"]) == (pytest.approx(14.4843), pytest.approx(14.5943))
    table = store.datasets().set_index("dataset")
    assert table.loc["acled", ["events", "missing", "deleted"]].tolist() == [11, 0, 1]
    assert table.loc["article", "events"] == 1
    assert table["last_import"].notna().all()
    log = store.imports()
    assert table.loc["acled", "last_import"] == log.loc[log["file_name"] == "week1.csv", "finished_at"].iloc[0]


def test_distinct_values_feed_the_pickers(filled: tuple[EventStore, gpd.GeoDataFrame]) -> None:
    store, everything = filled
    actors = store.distinct_values("actor1")
    assert actors == sorted(everything["actor1"].dropna().astype(str).unique())
    in_gao = store.distinct_values("location", FilterSpec(admin1=["Gao"]))
    expected = everything.loc[everything["admin1"] == "Gao", "location"].dropna().astype(str).unique()
    assert in_gao == sorted(expected) and 0 < len(in_gao) < len(store.distinct_values("location"))
    with pytest.raises(ValueError, match="text column"):
        store.distinct_values("fatalities")


def test_export_writes_the_filtered_events(store: EventStore, tmp_path: Path) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    out = tmp_path / "export.gpkg"
    n = store.export(out, FilterSpec(min_fatalities=2))
    back, report = read_events(out)
    assert n == len(back) == 6 and report.rows_rejected == 0
    assert (back["fatalities"] >= 2).all()


# -- backup and restore -----------------------------------------------------------------------------------


def test_backup_and_restore_round_trip_across_backends(
    store: EventStore, tmp_path: Path, pg_cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFLICTMAP_USER", "Awa")
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    store.import_file(write_acled(tmp_path / "week2.csv", week2_rows()))
    store.edit_event("MLI1007", {"notes": "Checked with a second source."})
    store.delete_event("MLI1008", reason="not in Mali")
    original = snapshot(store)
    backup = tmp_path / "backup.gpkg"
    counts = store.backup(backup)
    assert counts == {"events": 13, "history": len(original["history"]), "imports": 2}
    with pytest.raises(StoreError, match="exists"):
        store.backup(backup)
    for other in (GeoPackageStore(tmp_path / "restored.gpkg"), PostGISStore(pg_cluster.new_database())):
        with other:
            assert other.restore(backup) == counts
            assert_same(original, snapshot(other))
            other.edit_event("MLI1009", {"fatalities": 3})
            assert other.history("MLI1009")["change"].tolist()[-1] == "edit"
            assert int(other.history("MLI1009")["version"].iloc[-1]) == 2


def test_restore_asks_before_replacing_events(store: EventStore, tmp_path: Path) -> None:
    store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
    backup = tmp_path / "backup.gpkg"
    store.backup(backup)
    store.delete_event("MLI1000")
    with pytest.raises(StoreError, match="replace"):
        store.restore(backup)
    store.restore(backup, replace=True)
    assert store.get_event("MLI1000")["status"] == "active"


def test_restore_refuses_a_file_that_is_not_a_store(store: EventStore, tmp_path: Path, make_events) -> None:
    exported = tmp_path / "events.gpkg"
    make_events({}).to_file(exported, layer="events", engine="pyogrio")
    with pytest.raises(StoreError, match="not a conflictmap store"):
        store.restore(exported)
    with pytest.raises(StoreError, match="no store"):
        store.restore(tmp_path / "missing.gpkg")


# -- choosing the backend ---------------------------------------------------------------------------------


def test_open_store_follows_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_cluster) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONFLICTMAP_DB", raising=False)
    monkeypatch.delenv("CONFLICTMAP_STORE", raising=False)
    with open_store() as default:
        assert isinstance(default, GeoPackageStore)
        assert Path(default.location) == Path("data/conflictmap.gpkg")
        assert not (tmp_path / "data").exists(), "the file is made on first use"
        assert default.count() == 0
    assert (tmp_path / "data" / "conflictmap.gpkg").exists()
    monkeypatch.setenv("CONFLICTMAP_DB", pg_cluster.new_database())
    with open_store() as team:
        assert isinstance(team, PostGISStore)
    monkeypatch.setenv("CONFLICTMAP_DB", "mysql://somewhere/db")
    with pytest.raises(StoreError, match="postgresql://"):
        open_store()


def test_open_store_without_create_needs_a_store(tmp_path: Path, pg_cluster) -> None:
    with pytest.raises(StoreError, match="db init"):
        open_store(tmp_path / "none.gpkg", db="", create=False)
    assert not (tmp_path / "none.gpkg").exists()
    with pytest.raises(StoreError, match="db init"):
        open_store(db=pg_cluster.new_database(), create=False)


def test_an_unreachable_database_is_one_clear_error() -> None:
    with pytest.raises(
        StoreError, match=re.escape("cannot connect to postgresql://nobody@127.0.0.1:9/nowhere")
    ) as caught:
        open_store(db="postgresql://nobody:secret@127.0.0.1:9/nowhere")
    assert "secret" not in str(caught.value)


def test_history_of_an_unknown_event(store: EventStore) -> None:
    with pytest.raises(EventNotFoundError, match="NOPE"):
        store.history("NOPE")
    with pytest.raises(EventNotFoundError):
        store.get_event("NOPE")


def test_actor_and_text_filters_see_what_a_write_adds(store: EventStore, target: Target) -> None:
    """The values these filters match are kept between queries; a write (here or by another store) renews them."""
    store.import_file(SEED_EVENTS)
    by_actor = FilterSpec(actors=("Dan Na Ambassagou",))
    by_text = FilterSpec(text="bourem")
    assert store.count(by_actor) == 0 and store.count(by_text) == 0
    with store.summaries() as read:
        assert read.count(by_actor) == 0
    fields = {"event_date": "2023-03-01", "event_type": "Battles", "sub_event_type": "Armed clash", "source": "x"}
    store.add_event({**fields, "place": "Bourem", "actor1": "Dan Na Ambassagou"})
    assert store.count(by_actor) == 1 and store.count(by_text) == 1
    with store.summaries() as read:
        assert read.count(by_actor) == 1
    # Another analyst's store object writes: this one sees it too.
    with target.open() as other:
        other.add_event({**fields, "place": "Bourem", "actor1": "Dozo hunters", "notes": "bourem market"})
    assert store.count(by_text) == 2


def test_a_large_import_leaves_the_planner_statistics_of_postgis_fresh(pg_cluster: Cluster) -> None:
    url = pg_cluster.new_database()
    with PostGISStore(url) as store:
        store.import_events(synth.synth_events(1_500, seed=2))
        with store._transaction(write=False) as tx:
            (analysed,) = tx.rows(
                "SELECT COUNT(*) FROM pg_stat_user_tables WHERE schemaname = 'conflictmap' "
                "AND relname IN ('events', 'event_history') AND last_analyze IS NOT NULL"
            )[0]
    pg_cluster.drop_database(url)
    assert analysed == 2

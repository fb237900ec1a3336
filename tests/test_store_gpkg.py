"""The embedded store is a real GeoPackage: what GDAL (and so QGIS) sees when it opens the file.

QGIS reads GeoPackages through GDAL; pyogrio is GDAL too, so these tests open
the store the way QGIS does: the layers it lists, the geometry type and CRS,
field types, features read back as points, and spatial filters through the
R-tree index. The file's own bookkeeping (header, contents, extent, R-tree)
is checked with SQLite directly.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from builders import week1_rows, week2_rows, write_acled

from conflictmap import synth
from conflictmap.filters import FilterSpec
from conflictmap.readers import READ_ERRORS, read_events
from conflictmap.store import EventValidationError, GeoPackageStore, NotAStoreError, StoreError, open_store
from conflictmap.store.gpkg import APPLICATION_ID, USER_VERSION


@pytest.fixture
def gpkg(tmp_path: Path) -> Path:
    """A store file with synthetic events, ACLED imports, an edit and a deletion."""
    path = tmp_path / "conflictmap.gpkg"
    with GeoPackageStore(path) as store:
        store.import_events(synth.synth_events(500, seed=3), source="synthetic.parquet")
        store.import_file(write_acled(tmp_path / "week1.csv", week1_rows()))
        store.import_file(write_acled(tmp_path / "week2.csv", week2_rows()))
        store.edit_event("MLI1001", {"place": "Ber"})
        store.delete_event("MLI1002", reason="duplicate")
    return path


def sql(path: Path, statement: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(statement).fetchall()
    finally:
        conn.close()


def test_gdal_lists_the_layers_qgis_shows(gpkg: Path) -> None:
    layers = {name: kind for name, kind in pyogrio.list_layers(gpkg)}
    assert layers == {"events": "Point", "event_history": None, "imports": None}


def test_the_events_layer_is_points_in_wgs84_with_typed_fields(gpkg: Path) -> None:
    info = pyogrio.read_info(gpkg, layer="events")
    assert info["geometry_type"] == "Point"
    assert info["crs"] == "EPSG:4326"
    assert info["features"] == 513
    assert info["fid_column"] == "fid" and info["geometry_name"] == "geom"
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["event_date"] == types["date_end"] == "datetime64[D]"
    assert types["timestamp"] == types["updated_at"] == "datetime64[ms]"
    assert types["fatalities"] == "int64" and types["latitude"] == "float64"
    assert types["civilian_targeting"] == "bool" and types["time_precision"] == "int16"
    assert info["capabilities"]["fast_spatial_filter"] is True


def test_features_read_back_as_the_events_points(gpkg: Path) -> None:
    frame = pyogrio.read_dataframe(gpkg, layer="events")
    assert frame.crs.to_epsg() == 4326
    assert np.allclose(frame.geometry.x, frame["longitude"]) and np.allclose(frame.geometry.y, frame["latitude"])
    moved = frame[frame["event_id"] == "MLI1001"].iloc[0]
    assert moved["location"] == "Ber" and moved.geometry.y == moved["latitude"]
    assert frame.set_index("event_id").loc["MLI1002", "status"] == "deleted"
    history = pyogrio.read_dataframe(gpkg, layer="event_history", read_geometry=False)
    assert set(history["change"]) == {"import", "import-update", "flag-missing", "edit", "delete"}


def test_the_canonical_reader_takes_the_store_file(gpkg: Path) -> None:
    events, report = read_events(gpkg)
    assert report.format == "canonical" and report.rows_rejected == 0 and len(events) == 513
    assert any("status" in w for w in report.warnings)


def test_gdal_spatial_filter_agrees_with_the_store(gpkg: Path) -> None:
    box = (-4.5, 13.5, -1.0, 16.5)
    with GeoPackageStore(gpkg) as store:
        expected = store.query(FilterSpec(bbox=box), include_deleted=True)
    assert 0 < len(expected) < 513
    found = pyogrio.read_dataframe(gpkg, layer="events", bbox=box)
    assert sorted(found["event_id"]) == sorted(expected["event_id"].astype(str))


def test_header_contents_and_extent(gpkg: Path) -> None:
    assert sql(gpkg, "PRAGMA application_id")[0][0] == APPLICATION_ID
    assert sql(gpkg, "PRAGMA user_version")[0][0] == USER_VERSION
    assert sql(gpkg, "PRAGMA integrity_check")[0][0] == "ok"
    assert sql(gpkg, "PRAGMA foreign_key_check") == []
    contents = {
        r[0]: r[1:]
        for r in sql(gpkg, "SELECT table_name, data_type, srs_id, min_x, min_y, max_x, max_y FROM gpkg_contents")
    }
    assert contents["events"][:2] == ("features", 4326)
    assert contents["event_history"][0] == contents["imports"][0] == "attributes"
    west, south, east, north = sql(
        gpkg, "SELECT MIN(longitude), MIN(latitude), MAX(longitude), MAX(latitude) FROM events"
    )[0]
    assert contents["events"][2:] == (west, south, east, north)
    srs = {r[0] for r in sql(gpkg, "SELECT srs_id FROM gpkg_spatial_ref_sys")}
    assert {-1, 0, 4326} <= srs
    assert sql(gpkg, "SELECT geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns") == [("POINT", 4326, 0, 0)]


def test_the_rtree_holds_every_point(gpkg: Path) -> None:
    rows = sql(
        gpkg,
        "SELECT e.longitude, e.latitude, r.minx, r.maxx, r.miny, r.maxy FROM events e "
        "LEFT JOIN rtree_events_geom r ON r.id = e.fid",
    )
    box = np.array(rows, dtype=float)
    assert len(box) == 513 and not np.isnan(box).any()
    # The R-tree keeps 32-bit floats rounded outwards.
    assert (box[:, 2] <= box[:, 0]).all() and (box[:, 3] >= box[:, 0]).all()
    assert (box[:, 4] <= box[:, 1]).all() and (box[:, 5] >= box[:, 1]).all()
    assert np.allclose(box[:, 2], box[:, 0], atol=1e-4) and np.allclose(box[:, 4], box[:, 1], atol=1e-4)


def test_geometry_blobs_are_geopackage_binary(gpkg: Path) -> None:
    blob, lon, lat = sql(gpkg, "SELECT geom, longitude, latitude FROM events LIMIT 1")[0]
    assert blob[:2] == b"GP" and blob[2] == 0 and blob[3] == 1
    assert int.from_bytes(blob[4:8], "little") == 4326
    assert blob[8] == 1 and int.from_bytes(blob[9:13], "little") == 1
    assert np.frombuffer(blob[13:29], "<f8").tolist() == [lon, lat]


def test_a_closed_store_is_one_file(gpkg: Path) -> None:
    assert not Path(f"{gpkg}-wal").exists() or Path(f"{gpkg}-wal").stat().st_size == 0
    assert sql(gpkg, "PRAGMA journal_mode")[0][0] == "wal"


def test_a_backup_is_a_plain_geopackage_in_one_file(gpkg: Path, tmp_path: Path) -> None:
    out = tmp_path / "backup" / "events-2024-05-01.gpkg"
    with GeoPackageStore(gpkg) as store:
        counts = store.backup(out)
    assert counts["events"] == 513
    assert sql(out, "PRAGMA journal_mode")[0][0] == "delete"
    assert [p.name for p in out.parent.iterdir()] == [out.name]
    assert pyogrio.read_info(out, layer="events")["features"] == 513


def test_other_files_are_not_taken_for_a_store(tmp_path: Path, make_events) -> None:
    exported = tmp_path / "events.gpkg"
    make_events({}).to_file(exported, layer="events", engine="pyogrio")
    with pytest.raises(NotAStoreError, match="not a conflictmap store"):
        GeoPackageStore(exported)
    text = tmp_path / "notes.gpkg"
    text.write_text("just some notes\n")
    with pytest.raises(NotAStoreError, match="not an SQLite file"):
        GeoPackageStore(text)


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.gpkg"
    with GeoPackageStore(path) as store:
        store.count()  # first use: the file is made
    conn = sqlite3.connect(path)
    conn.execute("UPDATE conflictmap_meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer conflictmap"):
        GeoPackageStore(path)


def test_each_thread_has_its_own_connection(tmp_path: Path) -> None:
    with GeoPackageStore(tmp_path / "store.gpkg") as store:
        store.import_events(synth.synth_events(50, seed=1), source="synthetic")

        def count(_: int) -> int:
            return store.count()

        with ThreadPoolExecutor(max_workers=4) as pool:
            assert list(pool.map(count, range(8))) == [50] * 8
        assert len(store._all) >= 2


def test_a_refused_save_into_a_new_store_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "data" / "store.gpkg"
    with open_store(path) as store:
        with pytest.raises(EventValidationError):
            store.add_event({})
        with pytest.raises(EventValidationError):
            store.add_event({"place": "Kati", "event_type": "Battles"})
    assert not path.exists() and not path.parent.exists()
    not_events = tmp_path / "notes.csv"
    not_events.write_text("name,colour\nBamako,red\n")
    with open_store(path) as store, pytest.raises(READ_ERRORS):
        store.import_file(not_events)
    assert not path.exists()
    with open_store(path) as store:
        store.add_event({"place": "Kati", "event_date": "2024-03-01", "event_type": "Protests", "source": "AFP"})
    with open_store(path, create=False) as store:
        assert store.count() == 1

"""Listing event files, reading them through the GeoParquet cache, and putting several tables together."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from builders import BARE_ROW, build_events
from conftest import ROOT

from conflictmap import catalog, schema
from conflictmap.readers import read_events, write_events

FIXTURES = ROOT / "tests" / "fixtures" / "readers"


def write_csv(events: pd.DataFrame, path: Path) -> Path:
    write_events(events, path)
    return path


# -- listing ---------------------------------------------------------------------------------------------


def test_lists_event_files_and_nothing_else(tmp_path, make_events, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "store.gpkg"))
    events = make_events({})
    for name in ("b_events.csv", "A_more.parquet", "c.geojson"):
        write_events(events, tmp_path / name)
    (tmp_path / "store.gpkg").write_bytes(b"SQLite format 3\x00")
    (tmp_path / "b_events.csv.cache.parquet").write_bytes(b"PAR1")
    (tmp_path / "b_events.csv.cache.json").write_text("{}")
    (tmp_path / ".hidden.csv").write_text("x")
    (tmp_path / "README.md").write_text("notes")
    (tmp_path / "folder.csv").mkdir()
    listed = catalog.list_datasets(tmp_path)
    assert [f.key for f in listed] == ["A_more.parquet", "b_events.csv", "c.geojson"]
    first = listed[0]
    assert first.path == tmp_path / "A_more.parquet"
    assert first.size == first.path.stat().st_size
    assert first.label == f"A_more.parquet ({catalog.human_size(first.size)})"


def test_the_data_folder_setting_is_listed(tmp_path, make_events, monkeypatch):
    write_events(make_events({}), tmp_path / "one.csv")
    monkeypatch.setenv("CONFLICTMAP_DATA_DIR", str(tmp_path))
    assert [f.key for f in catalog.list_datasets()] == ["one.csv"]


def test_a_missing_folder_lists_nothing(tmp_path):
    assert catalog.list_datasets(tmp_path / "nowhere") == []


def test_the_bundled_seed_events_are_listed():
    assert "seed_events.csv" in [f.key for f in catalog.list_datasets(ROOT / "data")]


@pytest.mark.parametrize("size, text", [(0, "0 B"), (999, "999 B"), (4_200, "4.2 KB"), (12_400_000, "12.4 MB")])
def test_human_sizes(size, text):
    assert catalog.human_size(size) == text


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nowhere\.csv"):
        catalog.dataset_file(tmp_path / "nowhere.csv")


# -- the cache -------------------------------------------------------------------------------------------


def test_a_cached_read_equals_a_direct_read(tmp_path):
    source = tmp_path / "acled.csv"
    shutil.copy(FIXTURES / "acled_bad_rows.csv", source)
    direct_events, direct_report = read_events(source)
    first_events, first_report = catalog.load_events(source, min_cache_bytes=0)
    cache = catalog.cache_path(source)
    assert cache == tmp_path / "acled.csv.cache.parquet"
    assert cache.is_file()
    cached_events, cached_report = catalog.load_events(source, min_cache_bytes=0)
    for events in (first_events, cached_events):
        pd.testing.assert_frame_equal(pd.DataFrame(events), pd.DataFrame(direct_events))
        assert events.crs == direct_events.crs
    assert cached_report == first_report == direct_report
    assert cached_report.rows_rejected > 0


def test_the_cache_is_what_is_read_while_the_source_is_unchanged(tmp_path, make_events):
    source = write_csv(make_events({}, {"latitude": 15.0}, {"latitude": 16.0}), tmp_path / "three.csv")
    catalog.load_events(source, min_cache_bytes=0)
    cache = catalog.cache_path(source)
    # Put two rows in the cache (and tell its note): a second load must return those two rows.
    events, _ = read_events(source)
    events.iloc[:2].to_parquet(cache, index=False)
    note = cache.with_name("three.csv" + catalog.CACHE_NOTE_SUFFIX)
    stamp = json.loads(note.read_text())
    stamp["cache_size"] = cache.stat().st_size
    note.write_text(json.dumps(stamp))
    loaded, _ = catalog.load_events(source, min_cache_bytes=0)
    assert len(loaded) == 2


def test_a_changed_source_replaces_only_its_own_cache(tmp_path, make_events):
    one = write_csv(make_events({}), tmp_path / "one.csv")
    two = write_csv(make_events({}, {}), tmp_path / "two.csv")
    catalog.load_events(one, min_cache_bytes=0)
    catalog.load_events(two, min_cache_bytes=0)
    two_cache = catalog.cache_path(two).read_bytes()
    two_note = catalog.cache_path(two).with_name("two.csv" + catalog.CACHE_NOTE_SUFFIX).read_text()
    write_csv(make_events({}, {"latitude": 15.0}, {"latitude": 16.0}), one)
    stat = one.stat()
    os.utime(one, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    events, report = catalog.load_events(one, min_cache_bytes=0)
    assert len(events) == 3 and report.rows_loaded == 3
    assert len(catalog.load_events(one, min_cache_bytes=0)[0]) == 3
    assert catalog.cache_path(two).read_bytes() == two_cache
    assert catalog.cache_path(two).with_name("two.csv" + catalog.CACHE_NOTE_SUFFIX).read_text() == two_note


def test_same_size_same_name_new_time_is_read_again(tmp_path, make_events):
    source = write_csv(make_events({"fatalities": 1}), tmp_path / "x.csv")
    catalog.load_events(source, min_cache_bytes=0)
    write_csv(make_events({"fatalities": 2}), source)
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    events, _ = catalog.load_events(source, min_cache_bytes=0)
    assert events["fatalities"].tolist() == [2]


def test_a_cache_of_another_version_is_not_used(tmp_path, make_events):
    source = write_csv(make_events({}), tmp_path / "x.csv")
    catalog.load_events(source, min_cache_bytes=0)
    note = tmp_path / ("x.csv" + catalog.CACHE_NOTE_SUFFIX)
    stamp = json.loads(note.read_text())
    assert catalog.read_cache(catalog.dataset_file(source), catalog.cache_path(source)) is not None
    stamp["version"] = "0"
    note.write_text(json.dumps(stamp))
    assert catalog.read_cache(catalog.dataset_file(source), catalog.cache_path(source)) is None
    note.write_text("not json")
    assert catalog.read_cache(catalog.dataset_file(source), catalog.cache_path(source)) is None
    # Loading still works, and writes a good cache again.
    assert len(catalog.load_events(source, min_cache_bytes=0)[0]) == 1
    assert catalog.read_cache(catalog.dataset_file(source), catalog.cache_path(source)) is not None


def test_small_files_are_not_cached(tmp_path, make_events):
    source = write_csv(make_events({}), tmp_path / "small.csv")
    catalog.load_events(source)
    assert not catalog.cache_path(source).exists()


def test_a_cache_folder_holds_caches_apart_by_path(tmp_path, make_events):
    caches = tmp_path / "caches"
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    a = write_csv(make_events({}), tmp_path / "a" / "events.csv")
    b = write_csv(make_events({}, {}), tmp_path / "b" / "events.csv")
    assert catalog.cache_path(a, caches) != catalog.cache_path(b, caches)
    assert catalog.load_events(a, cache_dir=caches, min_cache_bytes=0)[0].shape[0] == 1
    assert catalog.load_events(b, cache_dir=caches, min_cache_bytes=0)[0].shape[0] == 2
    assert len(list(caches.glob("*.cache.parquet"))) == 2
    assert catalog.load_events(a, cache_dir=caches, min_cache_bytes=0)[0].shape[0] == 1


def test_the_user_cache_folder_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert catalog.user_cache_dir() == tmp_path / "conflictmap"


def test_a_file_that_is_not_event_data_is_refused(tmp_path):
    from conflictmap.readers import NotEventDataError

    source = tmp_path / "sales.csv"
    shutil.copy(FIXTURES / "sales.csv", source)
    with pytest.raises(NotEventDataError):
        catalog.load_events(source, min_cache_bytes=0)
    assert not catalog.cache_path(source).exists()


# -- several tables as one ----------------------------------------------------------------------------


def test_combine_keeps_rows_and_canonical_dtypes():
    acled, _ = read_events(FIXTURES / "acled_current.csv")
    ucdp, _ = read_events(FIXTURES / "ucdp_ged.csv")
    both = catalog.combine([acled, ucdp])
    assert len(both) == len(acled) + len(ucdp)
    assert list(both["event_id"]) == list(acled["event_id"]) + list(ucdp["event_id"])
    assert list(both["actor1"].astype(object)) == list(acled["actor1"].astype(object)) + list(
        ucdp["actor1"].astype(object)
    )
    reference = schema.empty_events()
    for column in schema.COLUMNS:
        assert isinstance(both[column].dtype, pd.CategoricalDtype) == isinstance(
            reference[column].dtype, pd.CategoricalDtype
        ), column
    assert set(both["dataset"].astype(str)) == {"acled", "ucdp_ged"}
    assert both.crs == acled.crs
    assert both.geometry.x.tolist() == pytest.approx(both["longitude"].tolist())
    schema.validate_events(both)


def test_combine_of_one_or_none():
    seed, _ = read_events(ROOT / "data" / "seed_events.csv")
    assert catalog.combine([seed]) is seed
    assert len(catalog.combine([])) == 0


def _one_event(event_id: str, place: str):
    return build_events({"event_id": event_id, "location": place}, base=BARE_ROW)


def test_combine_joins_object_and_str_categories():
    # A file read from CSV holds object categories; the event store's are str.
    a = _one_event("a", "Gao")
    b = _one_event("b", "Kidal")
    a["location"] = a["location"].cat.set_categories(a["location"].cat.categories.astype(object))
    b["location"] = b["location"].cat.set_categories(b["location"].cat.categories.astype("str"))
    both = catalog.combine([a, b])
    assert both["location"].astype(str).tolist() == ["Gao", "Kidal"]
    assert isinstance(both["location"].dtype, pd.CategoricalDtype)

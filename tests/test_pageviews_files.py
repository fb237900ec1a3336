"""Which views answer for an event file: memory below the size setting, DuckDB over the cache above it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictmap import catalog, settings, synth
from conflictmap.filters import FilterSpec
from conflictmap.pageviews import ColumnarViews, MemoryViews, views_for_file


@pytest.fixture
def event_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    synth.synth_events(400, seed=3).drop(columns="geometry").to_csv(path, index=False)
    return path


def test_a_large_file_is_answered_by_duckdb_over_its_cache(event_file: Path, tmp_path: Path) -> None:
    memory, report = views_for_file(event_file, columnar_min_bytes=10**12)
    columnar, again = views_for_file(event_file, cache_dir=tmp_path / "cache", columnar_min_bytes=0)
    try:
        assert isinstance(memory, MemoryViews) and isinstance(columnar, ColumnarViews)
        assert report.rows_loaded == again.rows_loaded == columnar.size() == 400
        assert columnar.path == catalog.cache_path(event_file, tmp_path / "cache")
        spec = FilterSpec(actors=["jnim"])
        assert columnar.filter_counts(spec) == memory.filter_counts(spec)
        # A second open reads the cache's note only.
        reopened, _ = views_for_file(event_file, cache_dir=tmp_path / "cache", columnar_min_bytes=0)
        assert isinstance(reopened, ColumnarViews) and reopened.size() == 400
        reopened.close()
    finally:
        columnar.close()


def test_the_setting_chooses(event_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTMAP_COLUMNAR_MIN_MB", "0")
    assert settings.columnar_min_bytes() == 0
    views, _ = views_for_file(event_file)
    assert isinstance(views, ColumnarViews)
    views.close()
    monkeypatch.setenv("CONFLICTMAP_COLUMNAR_MIN_MB", "lots")
    with pytest.raises(ValueError, match="CONFLICTMAP_COLUMNAR_MIN_MB is 'lots'; expected a number of MB"):
        views_for_file(event_file)


def test_a_cache_that_cannot_be_written_serves_from_memory(event_file: Path) -> None:
    # A cache folder under a file cannot be made: the streamed import fails and the file is read into memory.
    views, report = views_for_file(event_file, cache_dir=event_file / "cache", columnar_min_bytes=0)
    assert isinstance(views, MemoryViews) and views.size() == report.rows_loaded == 400

"""``conflictmap snapshot`` finds its map assets from any folder, or where CONFLICTMAP_ASSETS points."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conflictmap.assets import asset_dir, asset_places, missing_assets

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seed_events.csv"


def _snapshot(cwd: Path, out: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "CONFLICTMAP_ASSETS"}
    clean["PYTHONPATH"] = str(ROOT / "src")
    return subprocess.run(
        [sys.executable, "-m", "conflictmap", "snapshot", str(SEED), "-o", out],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**clean, **env},
    )


@pytest.fixture(scope="module")
def assets() -> Path:
    found = asset_dir()
    if missing_assets(found):
        pytest.skip("run `make assets` to fetch Leaflet from the npm registry")
    return found


def test_a_snapshot_works_from_another_folder(tmp_path: Path, assets: Path) -> None:
    done = _snapshot(tmp_path, "x.html")
    assert done.returncode == 0, done.stderr
    assert "L.map" in (tmp_path / "x.html").read_text(encoding="utf-8")


def test_the_setting_points_elsewhere(tmp_path: Path, assets: Path) -> None:
    copy = tmp_path / "my assets"
    shutil.copytree(assets, copy)
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    done = _snapshot(elsewhere, "x.html", CONFLICTMAP_ASSETS=str(copy))
    assert done.returncode == 0, done.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    done = _snapshot(elsewhere, "y.html", CONFLICTMAP_ASSETS=str(empty))
    assert done.returncode != 0
    assert f"looked in {empty}" in done.stderr and "CONFLICTMAP_ASSETS" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_places_looked_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CONFLICTMAP_ASSETS", raising=False)
    monkeypatch.chdir(tmp_path)
    places = asset_places()
    assert places[0] == tmp_path / "static" / "vendor"
    assert ROOT / "static" / "vendor" in places
    monkeypatch.setenv("CONFLICTMAP_ASSETS", "here")
    assert asset_places() == [tmp_path / "here"]

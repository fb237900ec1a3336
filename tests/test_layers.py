"""The package's layers: what each part may import, checked in fresh interpreters and on the import graph."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conflictmap import grid, mapview


def _imported_by(module: str) -> set[str]:
    """Top-level packages a fresh interpreter holds after importing ``module``."""
    code = f"import importlib, sys\nimportlib.import_module({module!r})\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", ["conflictmap.store", "conflictmap.readers", "conflictmap.filters", "conflictmap"])
def test_the_store_and_the_readers_do_not_import_folium(module):
    loaded = _imported_by(module)
    assert not {"folium", "branca", "streamlit_folium"} & loaded
    assert "conflictmap.grid" in loaded or module != "conflictmap.store"


def test_the_public_names_of_the_map_still_load_on_first_use():
    code = (
        "import sys, conflictmap\n"
        "assert 'folium' not in sys.modules\n"
        "from conflictmap import build_map, write_export\n"
        "print('folium' in sys.modules, callable(build_map), callable(write_export))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True"]


def test_one_grid_colour_per_count_class():
    assert len(mapview.GRID_COLORS) == grid.GRID_CLASSES
    assert len(grid.grid_breaks([1, 10_000])) == grid.GRID_CLASSES

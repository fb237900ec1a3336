"""The package's layers: what each part may import, checked in fresh interpreters and on the import graph."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import conflictmap
from conflictmap import grid, mapview
from conflictmap.errors import ConflictmapError
from conflictmap.filters import FilterError, FilterSpec
from conflictmap.links import page_query
from conflictmap.pagelink import PageState
from conflictmap.readers import READ_ERRORS, read_events
from conflictmap.store import StoreNotFoundError


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


def _package_modules() -> list[str]:
    return [
        m.name for m in pkgutil.walk_packages(conflictmap.__path__, "conflictmap.") if m.name != "conflictmap.__main__"
    ]


def test_every_error_the_package_defines_is_a_conflictmap_error():
    errors = []
    for name in _package_modules():
        module = importlib.import_module(name)
        errors += [
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == name
        ]
    assert len(errors) > 20, "the walk found the package's errors"
    assert [e.__qualname__ for e in errors if not issubclass(e, ConflictmapError)] == []
    assert "ConflictmapError" in conflictmap.__all__


def test_specific_errors_keep_their_builtin_bases():
    # Callers that catch ValueError or FileNotFoundError keep working.
    assert issubclass(FilterError, ValueError) and issubclass(FilterError, ConflictmapError)
    assert issubclass(StoreNotFoundError, FileNotFoundError)
    with pytest.raises(ConflictmapError, match="actor"):
        raise FilterError("unknown actor")


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n" + bytes(64), b"", b"name,colour\nBamako,red\n", b'event_id,"unclosed\n1,2\n'],
    ids=["image", "empty", "other columns", "unclosed quote"],
)
def test_reading_errors_are_the_ones_read_errors_names(tmp_path, content):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(READ_ERRORS) as caught:
        read_events(path)
    assert path.name in str(caught.value)


def test_read_errors_name_missing_files_and_folders_but_not_any_value_error(tmp_path):
    for where in (tmp_path / "missing.csv", tmp_path):
        with pytest.raises(READ_ERRORS):
            read_events(where)
    # A bug inside a reader shows as a bug, not as "this file cannot be read".
    assert not issubclass(ValueError, READ_ERRORS) and not issubclass(KeyError, READ_ERRORS)
    assert not issubclass(TypeError, READ_ERRORS)


# -- the import graph, read from the source (every import, also those inside functions) ------------------

_SRC = Path(conflictmap.__file__).parent


def _import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports; ``from pkg import sub`` points at ``pkg.sub``."""
    files = {}
    for path in _SRC.rglob("*.py"):
        parts = path.relative_to(_SRC.parent).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([node.module] if node.module else []))
                subs = {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in files}
                deps |= subs if len(subs) == len(node.names) else subs | {base}
        graph[name] = {d for d in deps if d in files and d != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_modules_import_each_other_in_a_circle():
    graph = _import_graph()
    assert "conflictmap.store.gpkg" in graph["conflictmap.store.postgis"], "the graph sees the imports"
    assert _cycles(graph) == []


# Modules only the page uses: its URL state, the live map and its viewport, the page's views and panels.
PAGE_MODULES = (
    "conflictmap.app",
    "conflictmap.pagelink",
    "conflictmap.pageviews",
    "conflictmap.livemap",
    "conflictmap.viewport",
    "conflictmap.details",
    "conflictmap.eventform",
    "conflictmap.deletions",
    "conflictmap.review",
    "conflictmap.downloads",
    "conflictmap.charts",
    "conflictmap.facets",
)


def test_the_command_line_loads_no_page_module():
    loaded = _imported_by("conflictmap.cli")
    assert "conflictmap.cli.export" in loaded and "conflictmap.store" in loaded
    page = sorted(m for m in loaded if m.startswith(PAGE_MODULES))
    assert page == []
    assert "streamlit" not in loaded


def test_a_link_from_the_command_line_is_the_page_s_link():
    spec = FilterSpec(event_types=["Battles"], admin1=["Mopti"])
    state = PageState(spec, ("acled.csv", "acled.csv", "ucdp.csv"), "density")
    assert page_query(spec, ("acled.csv", "ucdp.csv"), "density") == state.to_query_params()
    assert PageState.from_query_params(page_query(spec, ("acled.csv",), "points"))[0] == PageState(
        spec, ("acled.csv",), "points"
    )
    assert page_query(spec, ("acled.csv",), default_sources=["acled.csv"]) == spec.to_query_params()

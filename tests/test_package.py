"""Package-wide rules: the public API is explicit and only the page (``conflictmap.app``) imports streamlit."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import conflictmap

PAGE = "conflictmap.app"


def test_nothing_outside_the_page_imports_streamlit():
    # A fresh interpreter, so modules imported by other tests do not count.
    modules = [
        m.name
        for m in pkgutil.walk_packages(conflictmap.__path__, "conflictmap.")
        if m.name != "conflictmap.__main__" and m.name != PAGE and not m.name.startswith(PAGE + ".")
    ]
    code = "import importlib, sys\n"
    code += "".join(f"importlib.import_module({name!r})\n" for name in modules)
    code += "print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_public_api_names_exist():
    assert conflictmap.__all__, "the package lists its public API in __all__"
    missing = [name for name in conflictmap.__all__ if not hasattr(conflictmap, name)]
    assert missing == []


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_page_package_names_streamlit_in_its_imports():
    # Also what a lazy import inside a function would hide from the check above.
    root = Path(conflictmap.__file__).parent
    outside = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "app" not in p.relative_to(root).parts[:1] and _imports(p) & {"streamlit", "streamlit_folium"}
    ]
    assert outside == []
    inside = [p for p in (root / "app").rglob("*.py") if "streamlit" in _imports(p)]
    assert inside, "the page imports streamlit"

"""Package-wide rules: the public API is explicit and the package never imports streamlit."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import conflictmap


def test_package_never_imports_streamlit():
    # A fresh interpreter, so modules imported by other tests do not count.
    modules = [
        m.name for m in pkgutil.walk_packages(conflictmap.__path__, "conflictmap.") if m.name != "conflictmap.__main__"
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

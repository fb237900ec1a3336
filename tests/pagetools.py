"""Running the dashboard under Streamlit's AppTest and reading what it drew (the map's script, metrics, URL)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

TIMEOUT_S = 60


def make_page(
    monkeypatch: pytest.MonkeyPatch,
    data: Path | None = None,
    argv: list[str] | None = None,
    query: dict[str, str | list[str]] | None = None,
    data_dir: Path | None = None,
) -> AppTest:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("CONFLICTMAP_DATA", raising=False)
    monkeypatch.delenv("CONFLICTMAP_DATA_DIR", raising=False)
    if data is not None:
        monkeypatch.setenv("CONFLICTMAP_DATA", str(data))
    if data_dir is not None:
        monkeypatch.setenv("CONFLICTMAP_DATA_DIR", str(data_dir))
    # The page reads `-- --data FILE` from sys.argv, which under pytest holds pytest's own arguments.
    monkeypatch.setattr(sys, "argv", ["dashboard.py", *(argv or [])])
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT_S)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


def run_page(monkeypatch, data=None, argv=None, query=None, data_dir=None) -> AppTest:
    return make_page(monkeypatch, data, argv, query, data_dir).run()


def plain(text: str) -> str:
    """What markdown shows of ``text``: the page escapes every string that is not its own."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace("\u2060", "")


def folium_args(at: AppTest) -> list[dict]:
    """The arguments of every st_folium element on the page."""

    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    found = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if getattr(proto, "component_name", "") == "streamlit_folium.st_folium":
            found.append(json.loads(proto.json_args))
    return found


def tables(script: str) -> list[dict]:
    return [json.loads(t) for t in re.findall(r"var data = (\{[^\n]*\});\n", script)]


def event_ids(at: AppTest) -> set[str]:
    """The events the map's layer carries."""
    (args,) = folium_args(at)
    (table,) = [t for t in tables(args["feature_group"]) if "fields" in t]
    column = table["fields"].index("id")
    return {table["strings"][row[column]] for row in table["rows"]}


def legend(at: AppTest) -> str:
    (args,) = folium_args(at)
    return json.loads(re.search(r"div\.innerHTML = (\"[^\n]*\");\n", args["feature_group"]).group(1))


def metric(at: AppTest, label: str) -> str:
    (found,) = [m for m in at.metric if m.label == label]
    return found.value


def params(at: AppTest) -> dict[str, list[str]]:
    return {k: (v if isinstance(v, list) else [v]) for k, v in at.query_params.items()}

"""The settings table is the one the README shows, and reads the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictmap import settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_lists_every_setting():
    text = README.read_text(encoding="utf-8")
    assert settings.settings_table() in text


def test_get_reads_environment_then_default(monkeypatch):
    monkeypatch.delenv("CONFLICTMAP_STORE", raising=False)
    assert settings.get("CONFLICTMAP_STORE") == "data/conflictmap.gpkg"
    monkeypatch.setenv("CONFLICTMAP_STORE", "/tmp/x.gpkg")
    assert settings.get("CONFLICTMAP_STORE") == "/tmp/x.gpkg"


def test_unknown_setting_is_an_error():
    with pytest.raises(KeyError):
        settings.get("CONFLICTMAP_NOPE")


def test_user_name_prefers_setting(monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_USER", "analyst-7")
    assert settings.user_name() == "analyst-7"
    monkeypatch.setenv("CONFLICTMAP_USER", "")
    assert settings.user_name()

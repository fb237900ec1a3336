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


@pytest.mark.parametrize(("text", "seconds"), [("10", 10.0), (" 2.5 ", 2.5), ("1", 1.0), ("0", 0.0)])
def test_refresh_seconds_reads_the_setting(monkeypatch, text, seconds):
    monkeypatch.setenv("CONFLICTMAP_REFRESH_S", text)
    assert settings.refresh_seconds() == seconds


def test_refresh_seconds_defaults_to_ten(monkeypatch):
    monkeypatch.delenv("CONFLICTMAP_REFRESH_S", raising=False)
    assert settings.refresh_seconds() == 10.0


@pytest.mark.parametrize("text", ["often", "0.2", "-5", "nan", "inf", ""])
def test_a_bad_refresh_interval_is_named_with_what_is_expected(monkeypatch, text):
    monkeypatch.setenv("CONFLICTMAP_REFRESH_S", text)
    with pytest.raises(ValueError, match=r"CONFLICTMAP_REFRESH_S is .*; expected a number of seconds from 1 to 86400"):
        settings.refresh_seconds()

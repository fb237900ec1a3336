"""``conflictmap fetch`` on the command line: progress, messages, and a killed fetch that resumes without duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fakeapis import EMAIL, PASSWORD, UCDP_TOKEN, FakeApis, Fault, acled_row, ucdp_row

from conflictmap.fetch.spool import Spool
from conflictmap.store import open_store

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture
def api(monkeypatch, tmp_path):
    with FakeApis() as fake:
        env = {
            "CONFLICTMAP_ACLED_URL": fake.url,
            "CONFLICTMAP_UCDP_URL": fake.url,
            "CONFLICTMAP_ACLED_EMAIL": EMAIL,
            "CONFLICTMAP_ACLED_PASSWORD": PASSWORD,
            "CONFLICTMAP_UCDP_TOKEN": UCDP_TOKEN,
            "CONFLICTMAP_FETCH_DIR": str(tmp_path / "fetch"),
            "CONFLICTMAP_FETCH_BACKOFF_S": "0",
            "CONFLICTMAP_FETCH_PAGE_SIZE": "4",
            "CONFLICTMAP_STORE": str(tmp_path / "store.gpkg"),
        }
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        fake.env = env
        yield fake


def _stored_ids(path: Path) -> list[str]:
    with open_store(path, create=False) as store:
        return list(store.query(include_deleted=True)["event_id"])


def test_fetch_acled_into_the_store_with_progress(api, run, tmp_path):
    api.acled_events = [acled_row(n) for n in range(10)]
    code, out, err = run("fetch", "acled", "--country", "Mali")
    assert code == 0, err
    assert out.strip() == "ACLED API, country Mali: 10 new, 0 changed, 0 deleted."
    assert "\rACLED Mali events: 3 pages, 10 rows" in err
    assert len(_stored_ids(tmp_path / "store.gpkg")) == 10


def test_fetch_ucdp_shows_a_bar_of_the_pages(api, run, tmp_path):
    api.ucdp_events["25.1"] = [ucdp_row(n) for n in range(9)]
    code, out, err = run("fetch", "ucdp", "--version", "25.1", "--country", "432", "--store", tmp_path / "u.gpkg")
    assert code == 0, err
    assert "9 new" in out
    assert "UCDP GED 25.1 432 events: [" + "#" * 24 + "] 3/3 pages, 9 rows" in err


def test_fetch_to_a_file_says_acleds_licence_first(api, run, tmp_path):
    api.acled_events = [acled_row(n) for n in range(3)]
    code, out, err = run("fetch", "acled", "--country", "Mali", "-o", tmp_path / "mali.gpkg")
    assert code == 0, err
    assert err.startswith("note: ACLED Terms of Use")
    assert "3 events in mali.gpkg" in out


def test_since_asks_acled_for_changes_since_that_day(api, run):
    api.acled_events = [acled_row(1)]
    code, _, err = run("fetch", "acled", "--country", "Mali", "--since", "2024-05-01")
    assert code == 0, err
    assert api.requests("/api/acled/read")[0].params["timestamp"] == "1714521600"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fetch", "acled", "--country", "Mali", "--since", "May"], "'May' is not a date; expected YYYY-MM-DD"),
        (["fetch", "ucdp", "--country", "432"], "the following arguments are required: --version"),
    ],
)
def test_option_mistakes(api, run, argv, message):
    code, _, err = run(*argv)
    assert code == 2 and message in err


def test_missing_credentials_without_a_terminal_name_the_settings(api, run, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_ACLED_PASSWORD", "")
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # noqa: SIM115 - closed with the test
    code, _, err = run("fetch", "acled", "--country", "Mali")
    assert code == 2
    assert "conflictmap: error: no password for ACLED: set CONFLICTMAP_ACLED_PASSWORD" in err
    assert "Traceback" not in err


def test_a_refused_token_is_one_line(api, run, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_UCDP_TOKEN", "wrong-token")
    api.ucdp_events["25.1"] = [ucdp_row(1)]
    code, _, err = run("fetch", "ucdp", "--version", "25.1", "--country", "432")
    assert code == 2
    assert err.strip().splitlines()[-1].startswith("conflictmap: error: UCDP refused the access token (401")
    assert "wrong-token" not in err


def test_a_killed_fetch_resumes_where_it_stopped_and_duplicates_nothing(api, tmp_path):
    api.acled_events = [acled_row(n) for n in range(14)]  # pages of 4: 4 + 4 + 4 + 2
    hang = api.fail("/api/acled/read", 3, Fault(hang=threading.Event()))
    env = {**os.environ, **api.env, "PYTHONPATH": str(SRC)}
    argv = [sys.executable, "-m", "conflictmap", "fetch", "acled", "--country", "Mali", "--store"]
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        assert hang.reached.wait(60), "the fetch never asked for page 3"
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        hang.hang.set()
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    spools = list((tmp_path / "fetch").glob("*.pages.jsonl"))
    assert len(spools) == 1
    assert sorted(Spool(spools[0]).load()["events"]) == [1, 2]
    assert not (tmp_path / "store.gpkg").exists() or _stored_ids(tmp_path / "store.gpkg") == []

    api.log.clear()
    again = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert api.pages_asked("/api/acled/read") == [2, 3, 4]  # page 2 again: ACLED may have moved rows onto it
    assert "14 new, 0 changed, 0 deleted (1 of 4 pages kept from the stopped download)" in again.stdout
    ids = _stored_ids(tmp_path / "store.gpkg")
    assert sorted(ids) == sorted(f"MLI{n}" for n in range(14))
    assert list((tmp_path / "fetch").glob("*.pages.jsonl")) == []
    secrets = [PASSWORD.encode(), b"access-1", b"refresh-1", b"access-2"]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert not any(s in path.read_bytes() for s in secrets), path
    assert not any(s.decode() in again.stdout + again.stderr for s in secrets)


def test_a_half_written_page_is_asked_for_again(tmp_path):
    spool = Spool(tmp_path / "x.pages.jsonl")
    spool.add("events", 1, [{"event_id_cnty": "MLI1"}], last=False)
    spool.add("events", 2, [{"event_id_cnty": "MLI2"}], last=False)
    with open(spool.path, "a", encoding="utf-8") as fh:
        fh.write('{"kind": "events", "page": 3, "last": true, "rows": [{"event_')
    assert sorted(spool.load()["events"]) == [1, 2]


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "CONFLICTMAP_FETCH_BACKOFF_S",
            "fast",
            "CONFLICTMAP_FETCH_BACKOFF_S is 'fast'; expected a number from 0 to 600",
        ),
        ("CONFLICTMAP_FETCH_RETRIES", "-1", "CONFLICTMAP_FETCH_RETRIES is '-1'; expected a number from 0 to 100"),
        (
            "CONFLICTMAP_FETCH_PAGE_SIZE",
            "9000",
            "CONFLICTMAP_FETCH_PAGE_SIZE is '9000'; expected a whole number from 1",
        ),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(api, run, monkeypatch, setting, value, message):
    monkeypatch.setenv(setting, value)
    code, _, err = run("fetch", "acled", "--country", "Mali")
    assert code == 2 and message in err and "Traceback" not in err


def test_full_asks_for_everything_again(api, run):
    api.acled_events = [acled_row(n) for n in range(3)]
    assert run("fetch", "acled", "--country", "Mali")[0] == 0
    api.log.clear()
    code, out, _ = run("fetch", "acled", "--country", "Mali", "--full")
    assert code == 0 and "0 new, 0 changed, 0 deleted" in out
    assert "timestamp" not in api.requests("/api/acled/read")[0].params


def test_ctrl_c_stops_the_fetch_with_a_word_on_how_to_go_on(api, tmp_path):
    api.acled_events = [acled_row(n) for n in range(9)]
    hang = api.fail("/api/acled/read", 2, Fault(hang=threading.Event()))
    env = {**os.environ, **api.env, "PYTHONPATH": str(SRC)}
    argv = [sys.executable, "-m", "conflictmap", "fetch", "acled", "--country", "Mali"]
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert hang.reached.wait(60), "the fetch never asked for page 2"
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=30)
    finally:
        hang.hang.set()
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130
    assert "fetch stopped; run the same command again to go on where it stopped" in err
    assert "Traceback" not in err

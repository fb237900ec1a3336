"""``conflictmap db ...`` end to end on both backends, through the real command line entry point."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from builders import Target, acled_row, week1_rows, week2_rows, write_acled

from conflictmap import cli
from conflictmap.readers import read_events

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def where(target: Target) -> list[str]:
    """The options naming an empty store of each backend."""
    return target.cli_options()


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Run]:
    """``run(*argv)`` -> (exit code, stdout, stderr) of ``conflictmap`` with ``db`` on the command line."""
    monkeypatch.chdir(tmp_path)
    for name in ("CONFLICTMAP_DB", "CONFLICTMAP_STORE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONFLICTMAP_USER", "Awa")

    def call(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    yield call


def test_db_commands_end_to_end(run: Run, where: list[str], tmp_path: Path) -> None:
    week1 = write_acled(tmp_path / "acled_week1.csv", week1_rows())
    week2 = write_acled(tmp_path / "acled_week2.csv", week2_rows())

    code, out, _ = run("db", "init", *where)
    assert code == 0 and "store ready" in out and "0 events" in out

    code, out, _ = run("db", "import", str(week1), *where)
    assert code == 0
    assert "12 rows read, 12 loaded, 0 rejected" in out
    assert "stored: 12 inserted, 0 updated, 0 unchanged, 0 flagged missing, 0 rejected" in out

    code, out, _ = run("db", "import", str(week1), *where)
    assert code == 0 and "stored: 0 inserted, 0 updated, 12 unchanged" in out

    code, out, _ = run("db", "import", str(week2), *where)
    assert code == 0 and "stored: 1 inserted, 1 updated, 10 unchanged, 1 flagged missing" in out
    assert "not in this file: flagged missing, not deleted" in out

    code, out, _ = run("db", "stats", *where)
    assert code == 0
    assert "events: 12 active, 1 flagged missing, 0 deleted" in out
    assert "history records: 15; imports: 3" in out
    assert any(line.split()[:4] == ["acled", "13", "1", "0"] for line in out.splitlines())
    assert "Awa: acled_week2.csv - 1 inserted, 1 updated" in out

    code, out, _ = run("db", "history", "MLI1003", *where)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "event MLI1003 (acled): version 2, active"
    assert "v1" in lines[1] and "Awa" in lines[1] and "import (acled_week1.csv)" in lines[1]
    assert "import-update (acled_week2.csv)" in lines[2] and "fatalities 3 -> 9" in lines[2]

    exported = tmp_path / "battles.csv"
    code, out, _ = run("db", "export", str(exported), "--from", "2023-09-05", "--min-fatalities", "2", *where)
    assert code == 0 and "from 5 Sep 2023" in out
    back, _ = read_events(exported)
    assert len(back) > 0 and (back["fatalities"] >= 2).all()
    assert (back["event_date"] >= pd.Timestamp("2023-09-05")).all()
    assert f"wrote {len(back)} events" in out
    for box in (["--bbox", "-4.2", "14.5", "-4.1", "14.55"], ["--bbox=-4.2,14.5,-4.1,14.55"]):
        code, out, _ = run("db", "export", str(tmp_path / "box.parquet"), *box, *where)
        assert code == 0 and "wrote 5 events" in out

    backup = tmp_path / "backup.gpkg"
    code, out, _ = run("db", "backup", str(backup), *where)
    assert code == 0 and "backed up 13 events, 15 history records and 3 imports" in out

    fresh = ["--store", str(tmp_path / "restored.gpkg")]
    code, out, _ = run("db", "restore", str(backup), *fresh)
    assert code == 0 and "restored 13 events" in out
    code, out, _ = run("db", "stats", *fresh)
    assert "events: 12 active, 1 flagged missing, 0 deleted" in out

    code, _, err = run("db", "restore", str(backup), *where)
    assert code == 2 and err.count("\n") == 1 and "--replace" in err
    code, out, _ = run("db", "restore", str(backup), "--replace", *where)
    assert code == 0


def test_db_uses_the_settings(run: Run, tmp_path: Path, pg_cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    week1 = write_acled(tmp_path / "acled.csv", week1_rows(3))
    code, out, _ = run("db", "import", str(week1))
    assert code == 0 and "store: data/conflictmap.gpkg" in out
    assert (tmp_path / "data" / "conflictmap.gpkg").exists()
    monkeypatch.setenv("CONFLICTMAP_DB", pg_cluster.new_database())
    code, out, _ = run("db", "import", str(week1), "--partial")
    assert code == 0 and "stored: 3 inserted" in out and "postgresql://postgres@127.0.0.1" in out
    # A store named on the command line wins over the setting.
    code, out, _ = run("db", "stats", "--store", "data/conflictmap.gpkg")
    assert code == 0 and "store: data/conflictmap.gpkg (geopackage)" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["db", "history", "NOPE"], "no event 'NOPE' in the store"),
        (["db", "import", "missing.csv"], "no such file: missing.csv"),
        (["db", "export", "out.csv", "--type", "Picnics"], "unknown event type 'Picnics'"),
        (["db", "export", "out.txt"], "unknown suffix '.txt'"),
        (["db", "backup", "acled.csv"], "already exists"),
        (["db", "export", "out.csv", "--bbox", "1", "2"], "expected four numbers"),
        (["db", "restore", "acled.csv"], "holds 2 events"),
    ],
)
def test_db_errors_are_one_line(run: Run, where: list[str], tmp_path: Path, argv: list[str], message: str) -> None:
    write_acled(tmp_path / "acled.csv", week1_rows(2))
    assert run("db", "import", "acled.csv", *where)[0] == 0
    code, out, err = run(*argv, *where)
    assert code == 2
    assert err.startswith("conflictmap: error: ") and err.count("\n") == 1 and message in err
    assert "Traceback" not in out + err


def test_db_import_of_a_file_that_is_not_events(run: Run, where: list[str], tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text("item,price\nrice,5\n")
    code, _, err = run("db", "import", "prices.csv", *where)
    assert code == 2 and "not event data" in err and err.count("\n") == 1


def test_db_import_with_no_loadable_row(run: Run, where: list[str], tmp_path: Path) -> None:
    write_acled(tmp_path / "bad.csv", [acled_row(0, event_type="Picnic")])
    code, out, err = run("db", "import", "bad.csv", *where)
    assert code == 1
    assert "rejected row 2, column 'event_type'" in out
    assert "nothing from bad.csv was stored" in err


def test_db_read_commands_need_a_store(run: Run, tmp_path: Path) -> None:
    code, _, err = run("db", "stats")
    assert code == 2 and "no store at data/conflictmap.gpkg" in err and "db init" in err
    assert not (tmp_path / "data").exists()


def test_db_delete_and_undelete_one_event(run: Run, where: list[str], tmp_path: Path) -> None:
    week1 = write_acled(tmp_path / "acled_week1.csv", week1_rows())
    assert run("db", "import", str(week1), *where)[0] == 0

    code, _, err = run("db", "delete", "MLI1004", "--reason", "  ", *where)
    assert code == 2 and err.count("\n") == 1 and "--reason is required" in err
    code, out, _ = run("db", "delete", "MLI1004", "--reason", "duplicate of MLI1003", *where)
    assert code == 0 and out.strip() == "deleted MLI1004 (version 2, by Awa)"
    assert "events: 11 active, 0 flagged missing, 1 deleted" in run("db", "stats", *where)[1]

    code, out, _ = run("db", "deleted", *where)
    assert code == 0
    assert out.splitlines()[0] == "1 deleted events:"
    assert "MLI1004" in out and "by Awa - duplicate of MLI1003" in out

    code, _, err = run("db", "delete", "MLI1004", "--reason", "again", *where)
    assert code == 2 and err.count("\n") == 1 and "MLI1004" in err
    code, _, err = run("db", "delete", "NO-SUCH-ID", "--reason", "x", *where)
    assert code == 2 and "NO-SUCH-ID" in err

    code, out, _ = run("db", "undelete", "MLI1004", *where)
    assert code == 0 and out.strip() == "restored MLI1004 (version 3, by Awa)"
    assert "events: 12 active, 0 flagged missing, 0 deleted" in run("db", "stats", *where)[1]
    history = run("db", "history", "MLI1004", *where)[1]
    assert "delete: status 'active' -> 'deleted' - duplicate of MLI1003" in history
    assert "undelete: status 'deleted' -> 'active'" in history

"""Faults, on both backends: an import killed half-way, and two processes writing at once.

The writing processes are real ``python`` processes using the store through the
settings. An import reports its progress; the test's progress callback tells
the test (a line on stdout) and then waits on stdin, so the test knows exactly
where the import is when it kills it or lets it go on. Nothing sleeps.
"""

from __future__ import annotations

import selectors
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from builders import WEEK2_STAMP, Target, acled_row, assert_same, snapshot, write_acled

from conflictmap.store import EventStore, GeoPackageStore, StoreBusyError
from conflictmap.store.postgis import PostGISStore

LINE_TIMEOUT_S = 120

IMPORTER = r"""
import sys
from conflictmap.store import open_store

path, chunk = sys.argv[1], int(sys.argv[2])
pause = {"when": sys.argv[3]}
store = open_store()
store.write_chunk = chunk

def progress(stage, done, total):
    when = pause["when"]
    if stage != "storing" or not total:
        return
    if (when == "half" and total // 2 <= done < total) or (when == "end" and done == total):
        print("PAUSED", done, total, flush=True)
        pause["when"] = None
        # The test kills the process here, or sends a line to let it finish.
        if not sys.stdin.readline():
            sys.exit(3)

result = store.import_file(path, progress=progress)
print("DONE", result.inserted, result.updated, result.flagged_missing, flush=True)
"""

ADDER = r"""
import sys
from conflictmap.store import open_store

def waiting(message):
    print("WAITING", flush=True)

store = open_store(on_wait=waiting)
for i in range(int(sys.argv[1])):
    store.add_event(
        {"place": "Kidal", "event_date": "2024-01-0%d" % (i + 1), "event_type": "Protests", "source": "Radio"},
        user="Moussa",
    )
print("DONE", flush=True)
"""


def start(code: str, target: Target, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=target.env(),
    )


def read_line(process: subprocess.Popen[str]) -> str:
    """The next line the process prints; fails with its stderr if it ends or stays silent."""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=LINE_TIMEOUT_S):
            process.kill()
            pytest.fail(f"no output in {LINE_TIMEOUT_S} s; stderr: {process.stderr.read()}")
    line = process.stdout.readline()
    if not line:
        process.wait()
        pytest.fail(f"process ended ({process.returncode}) without a line; stderr: {process.stderr.read()}")
    return line.strip()


def update_rows(n: int) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """A first export of ``n`` events, and a later one: a quarter revised, some withdrawn, a quarter new."""
    first = [acled_row(i, event_date=f"2023-{i % 12 + 1:02d}-{i % 28 + 1:02d}") for i in range(n)]
    later = []
    for i, row in enumerate(first):
        if i % 10 == 5:
            continue  # withdrawn: flagged missing
        if i % 4 == 0:
            row = {**row, "fatalities": 99, "timestamp": WEEK2_STAMP}
        later.append(row)
    later += [acled_row(n + i, event_date=f"2023-06-{i % 28 + 1:02d}") for i in range(n // 4)]
    return first, later


def check_geopackage(path: Path) -> None:
    """The file is sound: integrity, the R-tree trigger in place and one R-tree entry per event."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert "rtree_events_geom_insert" in triggers
        events = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        assert conn.execute("SELECT COUNT(*) FROM rtree_events_geom").fetchone()[0] == events
    finally:
        conn.close()


@pytest.mark.parametrize("when", ["half", "end"])
def test_an_import_killed_half_way_leaves_the_store_as_before(target: Target, tmp_path: Path, when: str) -> None:
    first, later = update_rows(200)
    store = target.open()
    store.import_file(write_acled(tmp_path / "first.csv", first))
    before = snapshot(store)
    importer = start(IMPORTER, target, write_acled(tmp_path / "later.csv", later), 10, when)
    try:
        paused = read_line(importer).split()
        assert paused[0] == "PAUSED" and int(paused[1]) > 0
        # Others keep reading the store as it was while the import is under way.
        assert_same(before, snapshot(store))
    finally:
        importer.kill()
        importer.wait()
    store.close()
    if target.backend == "geopackage":
        check_geopackage(Path(target.location))
    reopened = target.open()
    try:
        assert_same(before, snapshot(reopened))
        # The store is usable at once: the same import now goes through whole.
        result = reopened.import_file(tmp_path / "later.csv")
        assert (result.inserted, result.updated, result.flagged_missing) == (50, 50, 20)
    finally:
        reopened.close()
    if target.backend == "geopackage":
        check_geopackage(Path(target.location))


def test_two_writers_at_once_both_keep_their_writes(target: Target, tmp_path: Path) -> None:
    first, later = update_rows(200)
    store: EventStore = target.open()
    store.import_file(write_acled(tmp_path / "first.csv", first))
    importer = start(IMPORTER, target, write_acled(tmp_path / "later.csv", later), 20, "half")
    adder = None
    try:
        assert read_line(importer).startswith("PAUSED")
        adder = start(ADDER, target, 3)
        # The second writer finds the store taken and says it waits ...
        assert read_line(adder) == "WAITING"
        # ... until the import goes on and commits.
        importer.stdin.write("go\n")
        importer.stdin.flush()
        assert read_line(importer) == "DONE 50 50 20"
        assert read_line(adder) == "DONE"
        assert importer.wait(timeout=LINE_TIMEOUT_S) == 0 and adder.wait(timeout=LINE_TIMEOUT_S) == 0
    finally:
        for process in (importer, adder):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    stats = store.stats()
    assert (stats["active"], stats["missing"]) == (200 - 20 + 50 + 3, 20)
    added = store.query(store_columns=True)
    added = added[added["origin"] == "manual"]
    assert len(added) == 3 and set(added["created_by"]) == {"Moussa"}
    assert store.history("MLI1000")["change"].tolist() == ["import", "import-update"]
    store.close()
    if target.backend == "geopackage":
        check_geopackage(Path(target.location))


def test_a_writer_gives_up_after_its_lock_timeout(target: Target, tmp_path: Path) -> None:
    first, later = update_rows(100)
    store = target.open()
    store.import_file(write_acled(tmp_path / "first.csv", first))
    importer = start(IMPORTER, target, write_acled(tmp_path / "later.csv", later), 10, "half")
    try:
        assert read_line(importer).startswith("PAUSED")
        impatient = (GeoPackageStore if target.backend == "geopackage" else PostGISStore)(
            target.location, lock_timeout=0.5
        )
        with pytest.raises(StoreBusyError, match="locked by another writer"):
            impatient.delete_event("MLI1001")
        impatient.close()
    finally:
        importer.kill()
        importer.wait()
    assert store.get_event("MLI1001")["status"] == "active"
    store.close()

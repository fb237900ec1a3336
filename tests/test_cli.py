"""The `conflictmap` command line, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from builders import acled_row, write_acled

from conflictmap import catalog, synth
from conflictmap.cli import main
from conflictmap.readers import read_events, write_events

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seed_events.csv"


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*argv: str) -> int:
    return main(list(argv))


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".geojson", ".gpkg"])
def test_import_writes_each_format(tmp_path, capsys, suffix):
    out = tmp_path / f"events{suffix}"
    assert run("import", str(SEED), "-o", str(out)) == 0
    printed = capsys.readouterr().out
    assert "5 rows read, 5 loaded, 0 rejected" in printed
    events, report = read_events(out)
    assert len(events) == 5
    assert report.rows_rejected == 0
    assert set(events["event_id"]) == {f"SEED-000{i}" for i in range(1, 6)}


def test_import_reports_bad_rows_and_keeps_good_ones(tmp_path, capsys):
    rows = [acled_row(1), acled_row(2, event_date="not a date"), acled_row(3, latitude="96.0")]
    source = write_acled(tmp_path / "acled.csv", rows)
    out = tmp_path / "out.csv"
    assert run("import", str(source), "-o", str(out)) == 0
    printed = capsys.readouterr().out
    assert "3 rows read, 1 loaded, 2 rejected" in printed
    assert "row 3" in printed and "event_date" in printed and "not a date" in printed
    assert "row 4" in printed and "latitude" in printed
    assert len(pd.read_csv(out)) == 1


def test_import_with_no_good_row_fails_and_writes_nothing(tmp_path, capsys):
    source = write_acled(tmp_path / "acled.csv", [acled_row(1, event_date="31/31/2023")])
    out = tmp_path / "out.parquet"
    assert run("import", str(source), "-o", str(out)) == 1
    assert "nothing written" in capsys.readouterr().err
    assert not out.exists()


def test_not_event_data_is_one_clear_line(tmp_path):
    source = _write(tmp_path / "sales.csv", ["month,product,revenue", "2023-01,tea,120"])
    proc = subprocess.run(
        [sys.executable, "-m", "conflictmap", "import", str(source), "-o", str(tmp_path / "x.csv")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("conflictmap: error:")
    assert "event_date" in proc.stderr  # says which columns were expected


def test_missing_file(tmp_path, capsys):
    assert run("info", str(tmp_path / "nope.csv")) == 2
    assert "no such file" in capsys.readouterr().err


def test_info_summarises_the_seed_events(capsys):
    assert run("info", str(SEED)) == 0
    out = capsys.readouterr().out
    assert "events: 5" in out
    assert "dates: 2022-06-21 to 2023-09-15" in out
    assert "Strategic developments" in out and "Battles" in out
    assert "Ber" in out and "Bamako" in out


def test_geocode_json(capsys):
    assert run("geocode", "Tombouctou", "--json") == 0
    candidates = json.loads(capsys.readouterr().out)
    best = candidates[0]
    assert {"name", "latitude", "longitude", "admin1", "score"} <= set(best)
    assert best["admin1"] == "Timbuktu"
    assert best["latitude"] == pytest.approx(16.77, abs=0.05)
    assert best["longitude"] == pytest.approx(-3.0, abs=0.05)


def test_geocode_unknown_place(capsys):
    assert run("geocode", "Xyzzyville") == 1
    assert "no place matches" in capsys.readouterr().err


def test_synth_is_deterministic(tmp_path, capsys):
    a, b, c = (tmp_path / f"{name}.parquet" for name in "abc")
    assert run("synth", "300", "--seed", "7", "-o", str(a)) == 0
    assert run("synth", "300", "--seed", "7", "-o", str(b)) == 0
    assert run("synth", "300", "--seed", "8", "-o", str(c)) == 0
    first, _ = read_events(a)
    second, _ = read_events(b)
    other, _ = read_events(c)
    pd.testing.assert_frame_equal(first, second)
    assert not first["latitude"].equals(other["latitude"])
    assert set(first["dataset"]) == {"synthetic"}


def test_module_entry_point_help():
    proc = subprocess.run([sys.executable, "-m", "conflictmap", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for command in ("import", "info", "geocode", "synth"):
        assert command in proc.stdout


def test_a_large_file_is_read_once_then_from_its_cache(tmp_path, capsys):
    path = tmp_path / "many.csv"
    write_events(synth.synth_events(6_000, seed=4), path)
    assert path.stat().st_size >= catalog.CACHE_MIN_BYTES
    assert run("info", str(path)) == 0
    first = capsys.readouterr().out
    assert catalog.cache_path(path).is_file()
    # Same size and time, other bytes: only the cache can still give the events.
    stamp = path.stat()
    path.write_bytes(b"x" * stamp.st_size)
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert run("info", str(path)) == 0
    assert capsys.readouterr().out == first
    # A format named on the command line reads the file itself.
    assert run("info", str(path), "--format", "canonical") == 2


def test_output_into_a_closed_pipe_ends_quietly() -> None:
    """``conflictmap info FILE | head -0``: the reader leaves first; no traceback, exit 0."""
    seed = Path(__file__).resolve().parents[1] / "data" / "seed_events.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "conflictmap", "info", str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # before the command has written anything
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr

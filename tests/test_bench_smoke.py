"""``make bench`` as a smoke run at 10,000 events: it finishes and writes its table with every step.

Nothing here looks at how fast anything is; the benchmark measures that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CHROMIUM, ROOT
from pgcluster import ClusterUnavailable, find_bindir

from benchmarks import runner
from benchmarks.steps import BY_ID, STEPS, verdict

N = 10_000
#: Steps whose code is still to come may say "not available yet"; every other step must measure.
MAY_BE_MISSING = {"snapshot"}
BROWSER_STEPS = {"browser_first", "browser_warm", "dashboard_rss"}
COMMITTED = ROOT / "benchmarks" / "RESULTS.md"


def _bench(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CONFLICTMAP_", "BENCH_"))}
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.browser
def test_smoke_run_writes_every_step(tmp_path):
    output = tmp_path / "report" / "RESULTS.md"
    committed_before = COMMITTED.stat().st_mtime_ns if COMMITTED.exists() else None
    done = _bench(
        tmp_path,
        BENCH_N=str(N),
        BENCH_REPEAT="1",
        BENCH_OUTPUT=str(output),
        BENCH_DATA_DIR=str(tmp_path / "data"),
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert str(output) in done.stdout

    text = output.read_text(encoding="utf-8")
    assert "## 10,000 events" in text
    for step in STEPS:
        assert f"| {step.label} |" in text, f"no row for {step.id}"
    assert "## The naive map, measured in the same run" in text
    assert "## Machine" in text

    raw = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))
    (size,) = raw["sizes"]
    assert size["n"] == N
    steps = size["steps"]
    assert set(steps) == {s.id for s in STEPS}
    for step_id, result in steps.items():
        if step_id in MAY_BE_MISSING and result["status"] == "n/a":
            assert "not available yet" in result["note"]
            continue
        if step_id in BROWSER_STEPS and not CHROMIUM.exists():
            continue
        assert result["status"] == "ok", f"{step_id}: {result.get('note')}"
        assert verdict(BY_ID[step_id], result)[0] in ("pass", "MISS", "—")

    # The figures describe this run: every event read, some but not all kept by the filter, a map sent.
    assert steps["open_warm"]["details"]["rows"] == N
    assert 0 < steps["filter"]["details"]["rows"] < N
    assert steps["filter"]["details"]["rows"] == steps["filter_mask"]["details"]["rows"]
    assert steps["map_update"]["bytes"] > 0
    assert steps["naive"]["details"]["rows"] == N
    assert steps["open_cold"]["details"]["cache_bytes"] > 0
    for step_id in ("open_first", "open_cold", "filter", "map_update", "timeline", "page_rerun", "naive"):
        sample = steps[step_id]["sample"]
        assert sample["runs"] >= 1
        assert 0 < sample["min"] <= sample["median"] <= sample["max"]
    assert steps["page_first"]["details"]["maps"] == 1

    # The committed results are left alone.
    assert (COMMITTED.stat().st_mtime_ns if COMMITTED.exists() else None) == committed_before


def test_a_median_over_its_target_is_a_miss():
    step = BY_ID["map_update"]
    within = {"status": "ok", "sample": {"median": 0.25}, "bytes": 900_000}
    slow = {"status": "ok", "sample": {"median": 0.31}, "bytes": 900_000}
    heavy = {"status": "ok", "sample": {"median": 0.25}, "bytes": 1_200_000}
    assert verdict(step, within) == ("pass", [])
    assert verdict(step, slow)[0] == "MISS"
    assert "310 ms" in verdict(step, slow)[1][0]
    assert verdict(step, heavy)[0] == "MISS"
    assert verdict(BY_ID["dashboard_rss"], {"status": "ok", "rss": 1_600_000_000})[0] == "MISS"
    assert verdict(BY_ID["map_all"], slow) == ("—", [])
    assert verdict(step, {"status": "n/a", "note": "not there"}) == ("n/a", [])


def _size(n: int, peak: int) -> dict[str, object]:
    return {"n": n, "steps": {"open_warm": {"status": "ok", "peak_rss": peak}, "filter": {"status": "ok"}}}


def test_memory_need_follows_the_earlier_sizes():
    earlier = [_size(10_000, 300_000_000), _size(1_000_000, 1_290_000_000)]
    # A line through (10k, 0.30 GB) and (1M, 1.29 GB): 1 GB more per million events.
    assert runner.memory_need("open_warm", 10_000_000, earlier) == pytest.approx(10_290_000_000)
    assert runner.memory_need("open_warm", 2_000_000, earlier[1:]) == pytest.approx(2_580_000_000)
    assert runner.memory_need("page_first", 10_000_000, earlier) is None


def test_a_step_that_would_not_fit_in_memory_is_skipped(monkeypatch):
    earlier = [_size(10_000, 300_000_000), _size(1_000_000, 1_290_000_000)]
    monkeypatch.setattr(runner, "available_memory", lambda: 8_000_000_000)
    reason = runner.memory_check("open_warm", 10_000_000, earlier)
    assert reason is not None
    assert "10.29 GB" in reason and "8.00 GB available" in reason
    assert runner.memory_check("open_warm", 5_000_000, earlier) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--sizes", "ten"], "expected whole numbers"), (["--repeat", "0"], "expected a whole number of 1 or more")],
)
def test_bad_settings_are_refused_with_a_message(tmp_path, args, message):
    done = _bench(tmp_path, *args, BENCH_OUTPUT=str(tmp_path / "RESULTS.md"))
    assert done.returncode == 2
    assert message in done.stderr
    assert not (tmp_path / "RESULTS.md").exists()


@pytest.mark.browser
def test_database_smoke_run_writes_every_view(tmp_path):
    try:
        find_bindir()
    except ClusterUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no PostgreSQL with PostGIS for the database benchmark: {exc}")
        pytest.skip(f"no PostgreSQL with PostGIS: {exc}")
    output = tmp_path / "DATABASE.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.database", "--sizes", "3000", "--repeat", "1", "--output", str(output)],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("CONFLICTMAP_", "BENCH_"))},
            "BENCH_DATA_DIR": str(tmp_path / "data"),
        },
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    text = output.read_text(encoding="utf-8")
    assert "## 3,000 events" in text and "Failed" not in text
    assert "Import into PostGIS:" in text
    measured = text.split("## 3,000 events", 1)[1]
    for view in ("`choices`", "`filter_counts`", "`headline`", "`timeline`", "`actor_activity`", "`table`"):
        assert measured.count(view) == 2, view
    assert "Page under AppTest on `?src=store`: first run" in text
    assert "Chromium, open → map drawn" in text
    figures = json.loads(output.with_suffix(".json").read_text())
    (size,) = figures["sizes"]
    assert size["browser"]["status"] == "ok" and size["page"]["status"] == "ok"

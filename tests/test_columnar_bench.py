"""``python -m benchmarks.columnar`` as a smoke run at 2,000 events: it finishes and writes its tables.

The page's part (AppTest and Chromium, ``--no-page`` here) runs the same code as ``make bench``'s page steps,
which ``test_bench_smoke`` runs.

Nothing here looks at how fast anything is; the benchmark measures that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

from benchmarks.columnar import END, FIGURES_HEADING, START


def test_the_columnar_benchmark_writes_its_figures(tmp_path: Path) -> None:
    (tmp_path / "RESULTS.md").write_text("# results\n\nthe rest\n", encoding="utf-8")
    (tmp_path / "COLUMNAR.md").write_text("# engine\n\nwhy DuckDB\n", encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CONFLICTMAP_", "BENCH_"))}
    where = ["--data-dir", str(tmp_path / "data"), "--output-dir", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.columnar", "--sizes", "2000", "--runs", "1", "--no-page", *where],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads((tmp_path / "COLUMNAR.json").read_text(encoding="utf-8"))
    (size,) = figures["sizes"]
    assert size["n"] == size["columnar"]["rows"] == 2000
    assert size["columnar"]["count"]["rows"] == size["memory"]["mask"]["rows"] > 0
    assert size["columnar"]["narrow_error"] is None and size["columnar"]["narrow_s"] > 0
    assert "page" not in size
    report = (tmp_path / "COLUMNAR.md").read_text(encoding="utf-8")
    assert report.startswith("# engine\n\nwhy DuckDB\n\n" + FIGURES_HEADING)
    assert "| filter, choosing and counting | ≤ 15.0 ms |" in report and "### 2,000 events" in report
    assert "| narrow table made (its own thread, after the open) |" in report
    assert "| page rerun after a filter change (AppTest) | ≤ 150 ms | not run |" in report
    results = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert results.startswith("# results\n\nthe rest\n") and results.count(START) == results.count(END) == 1
    assert "#### 2,000 events" in results

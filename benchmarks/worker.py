"""A fresh process for one measurement: ``python -m benchmarks.worker TASK ARGS...``; prints one JSON line.

Tasks
-----
open FILE [CACHE_DIR]         one ``read_events`` in a fresh process (the catalog's open with CACHE_DIR)
open-profile FILE [CACHE_DIR] the same under the sampler
core FILE RUNS QUICK PROFILE  warm open, filter, map updates, timeline
page RUNS PROFILE [QUERY]     dashboard.py under AppTest (``CONFLICTMAP_*`` set by the caller), opened on QUERY
naive FILE N RUNS             the one-marker-per-event map of the first N events
catalog-probe                 which catalog loader the dashboard has, if any
catalog-prime FILE            open FILE through the catalog once, so its default cache is current
snapshot-profile FILE OUT     ``conflictmap snapshot FILE -o OUT`` in this process under the sampler
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _naive(path: Path, n: int, runs: int) -> dict[str, object]:
    from benchmarks.measure import timed
    from benchmarks.naive import naive_bytes
    from conflictmap.readers import read_events

    events, _ = read_events(path)
    events = events.head(n)
    sample, sent, memory = timed(lambda: naive_bytes(events), runs)
    return {"sample": sample.as_dict(), "bytes": sent, "memory": memory, "rows": len(events)}


def main(argv: list[str]) -> dict[str, object]:
    """Run the task named in ``argv`` and return its figures."""
    task, *args = argv
    if task == "open":
        from benchmarks.core import run_open

        return run_open(Path(args[0]), Path(args[1]) if len(args) > 1 else None)
    if task == "open-profile":
        from benchmarks.core import run_open_profiled

        return run_open_profiled(Path(args[0]), Path(args[1]) if len(args) > 1 else None)
    if task == "core":
        from benchmarks.core import run_core

        return run_core(Path(args[0]), int(args[1]), int(args[2]), args[3] == "1")
    if task == "page":
        from benchmarks.page import run_page

        return run_page(int(args[0]), args[1] == "1", args[2] if len(args) > 2 else "")
    if task == "catalog-probe":
        from benchmarks.catalog import probe

        return probe()
    if task == "catalog-prime":
        from benchmarks.catalog import prime

        return prime(Path(args[0]))
    if task == "snapshot-profile":
        from benchmarks.sampler import profile
        from conflictmap.cli import main as cli

        return profile(lambda: cli(["snapshot", args[0], "-o", args[1]]))
    if task == "naive":
        return _naive(Path(args[0]), int(args[1]), int(args[2]))
    raise SystemExit(f"unknown task {task!r}")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])), flush=True)

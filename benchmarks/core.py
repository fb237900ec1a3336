"""The in-process steps, run inside one worker process per size: warm open, filter, map update, timeline."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks import sampler, workload
from benchmarks.measure import proc_status, timed


def step(name: str, sample, memory: dict[str, int], **extra: object) -> dict[str, object]:
    """One step's result as the report reads it."""
    return {"step": name, "status": "ok", "sample": sample.as_dict(), "memory": memory, **extra}


def run_core(path: Path, runs: int, quick_runs: int, profile: bool) -> dict[str, object]:
    """Measure the warm open, the filter, the map updates and the timeline on the events in ``path``.

    The file is opened as the page opens it: through the catalog (its cache beside the
    file), else with ``read_events``.
    """
    started = time.perf_counter()
    from benchmarks.catalog import default_loader

    read_events, loader = default_loader()
    import_s = time.perf_counter() - started
    events, report = read_events(path)
    first_read_s = time.perf_counter() - started - import_s
    table_rss = proc_status().get("VmRSS", 0)
    spec = workload.filter_spec()
    results: list[dict[str, object]] = []

    def profiled(call) -> dict[str, object] | None:
        return sampler.profile(call) if profile else None

    sample, _, memory = timed(lambda: read_events(path), runs)
    results.append(
        step(
            "open_warm",
            sample,
            memory,
            rows=len(events),
            rejected=report.rows_rejected,
            profile=profiled(lambda: read_events(path)),
        )
    )

    sample, mask, memory = timed(lambda: spec.mask(events), quick_runs, warmup=1)
    results.append(
        step("filter_mask", sample, memory, rows=int(mask.sum()), profile=profiled(lambda: spec.mask(events)))
    )

    sample, filtered, memory = timed(lambda: spec.apply(events), quick_runs, warmup=1)
    results.append(step("filter", sample, memory, rows=len(filtered), profile=profiled(lambda: spec.apply(events))))

    sample, sent, memory = timed(lambda: workload.map_update(events, spec), runs * 2, warmup=1)
    results.append(
        step(
            "map_update",
            sample,
            memory,
            bytes=sent,
            rows=len(filtered),
            profile=profiled(lambda: workload.map_update(events, spec)),
        )
    )

    sample, sent, memory = timed(lambda: workload.map_pan(filtered), runs * 2, warmup=1)
    results.append(step("map_pan", sample, memory, bytes=sent, profile=profiled(lambda: workload.map_pan(filtered))))

    sample, sent, memory = timed(lambda: workload.map_bytes(events), runs * 2, warmup=1)
    results.append(
        step(
            "map_all",
            sample,
            memory,
            bytes=sent,
            rows=len(events),
            profile=profiled(lambda: workload.map_bytes(events)),
        )
    )

    sample, table, memory = timed(lambda: workload.timeline_of(filtered, spec), quick_runs, warmup=1)
    results.append(
        step(
            "timeline",
            sample,
            memory,
            rows=len(table),
            profile=profiled(lambda: workload.timeline_of(filtered, spec)),
        )
    )
    return {
        "import_s": import_s,
        "loader": loader,
        "first_read_s": first_read_s,
        "events_rss": table_rss,
        "steps": results,
    }


def _opener(cache_dir: Path | None):
    """The function that opens a file: the catalog's when a cache folder is given, else ``read_events``."""
    if cache_dir is None:
        from conflictmap.readers import read_events

        return read_events
    from benchmarks.catalog import loader_with_cache

    return loader_with_cache(cache_dir)


def run_open(path: Path, cache_dir: Path | None = None) -> dict[str, object]:
    """One open in a fresh process: module import time, then the open's time."""
    started = time.perf_counter()
    opener = _opener(cache_dir)
    import_s = time.perf_counter() - started
    start, cpu = time.perf_counter(), time.process_time()
    events, _ = opener(path)
    read_s, read_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    return {
        "import_s": import_s,
        "read_s": read_s,
        "read_cpu_s": read_cpu_s,
        "rows": len(events),
        "rss": proc_status().get("VmRSS", 0),
    }


def run_open_profiled(path: Path, cache_dir: Path | None = None) -> dict[str, object]:
    """An open in a fresh process under the sampler (the files evicted by the caller)."""
    opener = _opener(cache_dir)
    return sampler.profile(lambda: opener(path))

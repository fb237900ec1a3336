"""Runs every step for every size and hands the figures to the report.

A step that fails is recorded with its error and the run goes on: a broken
page must not hide the figures of the filter, nor a 10-million-event crash
those of one million.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks import datasets, report
from benchmarks.browser import run_browser
from benchmarks.machine import load_average, machine_info
from benchmarks.measure import Sample, evict_from_page_cache, run_with_rusage, run_worker
from benchmarks.steps import BY_ID, fmt_bytes
from benchmarks.workload import describe_filter

#: The naive map is measured at these sizes only (100,000 markers already take half a minute).
NAIVE_SIZES = (10_000, 100_000)
BIG = 1_000_000


@dataclass
class Config:
    """What to run and where to write."""

    sizes: list[int]
    repeat: int
    output: Path
    data_dir: Path
    render_only: bool = False

    @property
    def json_path(self) -> Path:
        """The raw figures, next to the Markdown."""
        return self.output.with_suffix(".json")


_STARTED = time.monotonic()


def log(message: str) -> None:
    """Progress on stderr, with the minutes and seconds since the run started."""
    minutes, seconds = divmod(int(time.monotonic() - _STARTED), 60)
    print(f"[bench {minutes:3d}:{seconds:02d}] {message}", file=sys.stderr, flush=True)


def _failed(exc: BaseException) -> dict[str, object]:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" (at {Path(last[0].filename).name}:{last[0].lineno})" if last else ""
    return {"status": "error", "note": f"{type(exc).__name__}: {str(exc)[:600]}{where}"}


def _guarded(name: str, call: Callable[[], dict[str, dict[str, object]]]) -> dict[str, dict[str, object]]:
    """Run a measurement that yields one or more step results; on an exception, record it in each of its rows."""
    try:
        return call()
    except Exception as exc:  # any failure of the code under test becomes a row saying so
        log(f"{name} failed: {exc}")
        failed = _failed(exc)
        return {step: dict(failed) for step in _rows_of(name)}


def _env_for(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTMAP_")}
    env["CONFLICTMAP_DATA"] = str(data)
    return env


# -- opening ------------------------------------------------------------------------------------------


def _fresh_open(path: Path, cache_dir: Path | None, evict: list[Path]) -> tuple[dict[str, object], int]:
    """One open in a fresh process after evicting ``evict`` from the OS cache; its figures and peak memory."""
    for item in evict:
        evict_from_page_cache(item)
    args = [str(path)] + ([str(cache_dir)] if cache_dir is not None else [])
    child = run_worker("open", *args)
    return child.last_json(), child.peak_rss


def _opened(reads: Sample, imports: Sample, peaks: list[int], **details: object) -> dict[str, object]:
    return {
        "status": "ok",
        "sample": reads.as_dict(),
        "peak_rss": max(peaks),
        "details": {"import_s": imports.as_dict(), **details},
    }


def measure_opens(dataset: datasets.Dataset, runs: int, csv_skipped: str | None = None) -> dict[str, dict[str, object]]:
    """Opening the data as the dashboard does: the CSV export first, then from its GeoParquet cache, cold.

    With the catalog, each run starts from an empty cache folder: the first open reads
    the CSV and writes the cache, the second (another fresh process, cache file evicted)
    reads the cache. Without it, the first open is ``read_events`` on the CSV and the
    cold open ``read_events`` on the GeoParquet file. ``read_events`` on the GeoParquet
    file, cold, is measured either way. When ``csv_skipped`` gives a reason not to read
    the CSV (its memory), the catalog's cache is made from the GeoParquet file instead.
    """
    source = dataset.parquet if csv_skipped else datasets.ensure_csv(dataset)
    loader = run_worker("catalog-probe").last_json().get("loader")
    out: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp:
        first, first_imports, first_peaks = Sample(), Sample(), []
        cold, cold_imports, cold_peaks = Sample(), Sample(), []
        cache_bytes = 0
        for i in range(runs):
            cache_dir = Path(tmp) / f"cache-{i}" if loader else None
            figures, peak = _fresh_open(source, cache_dir, [source])
            first.values.append(figures["read_s"])
            first.cpu.append(figures["read_cpu_s"])
            first_imports.values.append(figures["import_s"])
            first_peaks.append(peak)
            if cache_dir is None:
                continue
            cached = sorted(cache_dir.glob("*"))
            cache_bytes = sum(f.stat().st_size for f in cached)
            figures, peak = _fresh_open(source, cache_dir, [source, *cached])
            cold.values.append(figures["read_s"])
            cold.cpu.append(figures["read_cpu_s"])
            cold_imports.values.append(figures["import_s"])
            cold_peaks.append(peak)
        how = loader or "conflictmap.readers.read_events (no catalog yet)"
        if csv_skipped:
            out["open_first"] = {"status": "skipped", "note": csv_skipped}
        else:
            out["open_first"] = _opened(
                first,
                first_imports,
                first_peaks,
                loader=how,
                file_bytes=source.stat().st_size,
                export_peak=dataset.export_peak,
            )
        if loader:
            made_from = "the GeoParquet file (the CSV was skipped)" if csv_skipped else "the CSV export"
            out["open_cold"] = _opened(
                cold, cold_imports, cold_peaks, loader=loader, cache_bytes=cache_bytes, cache_made_from=made_from
            )
            cached = sorted((Path(tmp) / "cache-0").glob("*"))
            for item in [source, *cached]:
                evict_from_page_cache(item)
            profiled = run_worker("open-profile", str(source), str(Path(tmp) / "cache-0"))
            if profiled.code == 0:
                out["open_cold"]["profile"] = profiled.last_json()
    parquet = _fresh_opens(dataset.parquet, runs)
    out["open_parquet"] = parquet
    if not loader:
        out["open_cold"] = {**parquet, "details": {**parquet["details"], "loader": "conflictmap.readers.read_events"}}
        out["open_parquet"] = {"status": "n/a", "note": "the same as the cold open above: there is no catalog yet"}
    return out


def _fresh_opens(path: Path, runs: int) -> dict[str, object]:
    """``read_events`` on ``path`` in ``runs`` fresh processes, evicted each time, plus one profiled open."""
    reads, imports, peaks = Sample(), Sample(), []
    for _ in range(runs):
        figures, peak = _fresh_open(path, None, [path])
        reads.values.append(figures["read_s"])
        reads.cpu.append(figures["read_cpu_s"])
        imports.values.append(figures["import_s"])
        peaks.append(peak)
    result = _opened(reads, imports, peaks, file_bytes=path.stat().st_size)
    evict_from_page_cache(path)
    profiled = run_worker("open-profile", str(path))
    if profiled.code == 0:
        result["profile"] = profiled.last_json()
    return result


# -- in one process -----------------------------------------------------------------------------------


def measure_core(dataset: datasets.Dataset, runs: int) -> dict[str, dict[str, object]]:
    """Warm open, filter, map updates and timeline in one worker process."""
    child = run_worker("core", str(dataset.parquet), str(runs), str(runs * 4), "1")
    figures = child.last_json()
    out: dict[str, dict[str, object]] = {}
    for item in figures["steps"]:
        memory = item.pop("memory")
        details = {k: item.pop(k) for k in ("rows", "rejected") if k in item}
        details["rss_before"] = memory["rss_before"]
        out[item.pop("step")] = {**item, "peak_rss": memory["peak_rss"], "details": details}
    out["open_warm"]["details"].update(
        import_s=figures["import_s"], table_rss=figures["events_rss"], loader=figures.get("loader")
    )
    return out


def _prime(dataset: datasets.Dataset) -> dict[str, dict[str, object]]:
    """Write the catalog's cache of the GeoParquet file beside it, as the page's first start does."""
    run_worker("catalog-prime", str(dataset.parquet)).last_json()
    return {}


def measure_page(dataset: datasets.Dataset, runs: int) -> dict[str, dict[str, object]]:
    """dashboard.py under AppTest on the N-event file: first run and reruns after a widget change."""
    child = run_worker("page", str(runs), "1", env=_env_for(dataset.parquet))
    figures = child.last_json()
    if figures.get("status") != "ok":
        return {"page_first": figures, "page_rerun": {"status": "error", "note": "the first run failed"}}
    first, rerun = figures["first"], figures["rerun"]
    return {
        "page_first": {
            "status": "ok",
            "sample": first["sample"],
            "bytes": first["bytes"],
            "peak_rss": first["peak_rss"],
            "details": {"folium_bytes": first["folium_bytes"], "maps": first["maps"], "errors": first["errors"]},
        },
        "page_rerun": {
            "status": "ok",
            "sample": rerun["sample"],
            "bytes": rerun["bytes"],
            "peak_rss": rerun["peak_rss"],
            "profile": rerun.get("profile"),
            "details": {
                "folium_bytes": rerun["folium_bytes"],
                "widget": rerun["widget"],
                "values": rerun.get("values", []),
            },
        },
    }


# -- other processes ----------------------------------------------------------------------------------


def measure_snapshot(dataset: datasets.Dataset, runs: int) -> dict[str, dict[str, object]]:
    """``conflictmap snapshot`` of all events, as a user runs it (a fresh process each time)."""
    cli = [sys.executable, "-m", "conflictmap"]
    helped = run_with_rusage([*cli, "snapshot", "--help"], timeout=120)
    if helped.code != 0:
        return {"snapshot": {"status": "n/a", "note": "not available yet: `conflictmap snapshot` does not exist"}}
    with tempfile.TemporaryDirectory(prefix="bench-snapshot-") as tmp:
        out = Path(tmp) / "snapshot.html"
        option = "--output" if "--output" in helped.stdout else "-o"
        command = [*cli, "snapshot", str(dataset.parquet), option, str(out)]
        sample, peaks, size = Sample(), [], 0
        for _ in range(runs):
            out.unlink(missing_ok=True)
            child = run_with_rusage(command)
            if child.code != 0:
                return {"snapshot": {"status": "error", "note": child.failure()}}
            if not out.exists():
                return {"snapshot": {"status": "error", "note": f"{' '.join(command[2:])} wrote no file"}}
            sample.values.append(child.seconds)
            sample.cpu.append(child.cpu_s)
            peaks.append(child.peak_rss)
            size = out.stat().st_size
        result: dict[str, object] = {
            "status": "ok",
            "sample": sample.as_dict(),
            "bytes": size,
            "peak_rss": max(peaks),
            "details": {"command": "conflictmap snapshot FILE " + option + " OUT.html"},
        }
        if sample.median > BY_ID["snapshot"].max_seconds:  # type: ignore[operator]
            # Only a miss is worth one more (long) run under the profiler.
            profiled = run_worker("snapshot-profile", str(dataset.parquet), str(out))
            if profiled.code == 0:
                result["profile"] = profiled.last_json()
    return {"snapshot": result}


def measure_browser(dataset: datasets.Dataset, runs: int, shots: Path) -> dict[str, dict[str, object]]:
    """The dashboard in Chromium: first visit, warm visits, the server's memory."""
    shots.mkdir(parents=True, exist_ok=True)
    timeout = 120 if dataset.n <= BIG else 900
    screenshot = shots / f"page-{dataset.n}.png"
    figures = run_browser(dataset.parquet, runs, shots / "logs", screenshot, timeout)
    if figures["status"] != "ok":
        failed = {"status": figures["status"], "note": figures.get("note")}
        return {"browser_first": failed, "browser_warm": failed, "dashboard_rss": failed}
    visits = figures["visits"]
    memory = figures["memory"]
    rss = max(m.get("VmRSS", 0) for m in memory)
    hwm = max(m.get("VmHWM", 0) for m in memory)
    first = visits[0]
    return {
        "browser_first": {
            "status": "ok",
            "sample": figures["first_sample"],
            "bytes": first["ws_bytes"],
            "peak_rss": memory[0].get("VmHWM"),
            "details": {"marks": first["marks"], "shapes": first["shapes"]},
        },
        "browser_warm": {
            "status": "ok",
            "sample": figures["warm_sample"],
            "bytes": visits[-1]["ws_bytes"],
            "peak_rss": hwm,
            "details": {
                "marks": [v["marks"] for v in visits[1:]],
                "shapes": visits[-1]["shapes"],
                "screenshot": figures["screenshot"],
            },
        },
        "dashboard_rss": {
            "status": "ok",
            "rss": rss,
            "peak_rss": hwm,
            "details": {"after_each_visit": [m.get("VmRSS", 0) for m in memory]},
        },
    }


def measure_naive(dataset: datasets.Dataset, runs: int) -> dict[str, dict[str, object]]:
    """The one-marker-per-event map, in its own process."""
    child = run_worker("naive", str(dataset.parquet), str(dataset.n), str(runs))
    figures = child.last_json()
    return {
        "naive": {
            "status": "ok",
            "sample": figures["sample"],
            "bytes": figures["bytes"],
            "peak_rss": child.peak_rss,
            "details": {"rows": figures["rows"]},
        }
    }


# -- all of it ----------------------------------------------------------------------------------------


#: The rows whose peak memory tells what each measurement needs, for the memory check at larger sizes.
MEMORY_OF: dict[str, tuple[str, ...]] = {
    "open_first": ("open_first",),
    "open_cold": ("open_cold", "open_parquet"),
    "open_warm": ("open_warm", "filter", "filter_mask", "map_update", "map_pan", "map_all", "timeline"),
    "page_first": ("page_first", "page_rerun"),
    "snapshot": ("snapshot",),
    "browser_first": ("browser_first", "browser_warm", "dashboard_rss"),
    "naive": ("naive",),
}
#: Leave this share of the available memory to everything else on the machine.
MEMORY_HEADROOM = 0.8


def _rows_of(name: str) -> tuple[str, ...]:
    """The rows measurement ``name`` fills."""
    return (*MEMORY_OF.get(name, (name,)), *(("open_first",) if name == "open_cold" else ()))


def available_memory() -> int:
    """``MemAvailable`` from /proc/meminfo, in bytes (0 when unknown)."""
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _peak(size: dict[str, object], name: str) -> int:
    """The largest peak memory among the rows of measurement ``name`` (and of writing its CSV) at one size."""
    steps: dict[str, dict[str, object]] = size["steps"]  # type: ignore[assignment]
    peaks = [0]
    for step in MEMORY_OF[name]:
        if step in steps:
            peaks.append(int(steps[step].get("peak_rss") or 0))  # type: ignore[call-overload]
            peaks.append(int((steps[step].get("details") or {}).get("export_peak") or 0))  # type: ignore[union-attr]
    return max(peaks)


def memory_need(name: str, n: int, earlier: list[dict[str, object]]) -> float | None:
    """The peak memory measurement ``name`` should need at ``n`` events, from the sizes measured before.

    A straight line through the smallest and the largest earlier size (the interpreter's own
    share does not grow with the events); through zero when there is only one. None
    without an earlier figure.
    """
    points = [(int(s["n"]), _peak(s, name)) for s in earlier]  # type: ignore[call-overload]
    points = [(k, p) for k, p in points if p]
    if not points:
        return None
    (n0, p0), (n1, p1) = points[0], points[-1]
    if n1 == n0:
        return p1 * n / n1
    return p0 + (p1 - p0) * (n - n0) / (n1 - n0)


def memory_check(name: str, n: int, earlier: list[dict[str, object]]) -> str | None:
    """Why measurement ``name`` at ``n`` events is skipped, or None to run it.

    It is skipped when its expected need (``memory_need``) is more than ``MEMORY_HEADROOM``
    of the memory available now, so a 10-million-event run cannot push the machine out of memory.
    """
    need = memory_need(name, n, earlier)
    free = available_memory()
    if need is None or not free or need <= MEMORY_HEADROOM * free:
        return None
    return f"skipped: would need about {fmt_bytes(need)} of memory, {fmt_bytes(free)} available"


def run_size(n: int, config: Config, earlier: list[dict[str, object]] | None = None) -> dict[str, object]:
    """Every step at size ``n``; the figures of ``earlier`` (smaller) sizes guard the memory."""
    earlier = earlier or []
    repeat = config.repeat
    heavy = repeat if n <= BIG else min(repeat, 2)
    log(f"N = {n:,}: preparing the data")
    dataset = datasets.ensure_parquet(n, config.data_dir)
    result: dict[str, object] = {
        "n": n,
        "file": dataset.parquet.name,
        "file_bytes": dataset.parquet.stat().st_size,
        "generated_s": dataset.generated_s,
        "load_at_start": load_average(),
    }
    steps: dict[str, dict[str, object]] = {}
    plan: list[tuple[str, Callable[[], dict[str, dict[str, object]]]]] = [
        ("open_cold", lambda: measure_opens(dataset, heavy, memory_check("open_first", n, earlier))),
        ("open_warm", lambda: measure_core(dataset, heavy)),
        ("page_first", lambda: measure_page(dataset, heavy)),
        ("snapshot", lambda: measure_snapshot(dataset, min(heavy, 3))),
        ("browser_first", lambda: measure_browser(dataset, heavy, config.data_dir / "screenshots")),
    ]
    if n in NAIVE_SIZES:
        plan.append(("naive", lambda: measure_naive(dataset, min(repeat, 3 if n <= 10_000 else 2))))
    for name, call in plan:
        if name == "open_warm" and not memory_check("open_cold", n, earlier):
            # The page and the worker open the file through the catalog, as after the page's first start.
            steps.update(_guarded("open_warm", lambda: _prime(dataset)))
        skipped = memory_check(name, n, earlier)
        if skipped:
            log(f"N = {n:,}: {name} {skipped}")
            steps.update({s: {"status": "skipped", "note": skipped} for s in _rows_of(name)})
            continue
        log(f"N = {n:,}: {name}")
        steps.update(_guarded(name, call))
    result["steps"] = steps
    result["load_at_end"] = load_average()
    return result


def run(config: Config) -> dict[str, object]:
    """Measure every size, writing the report after each so a late failure keeps the earlier figures."""
    results: dict[str, object] = {
        "machine": machine_info(),
        "config": {"sizes": config.sizes, "repeat": config.repeat, "filter": describe_filter()},
        "sizes": [],
    }
    sizes: list[dict[str, object]] = results["sizes"]  # type: ignore[assignment]
    for n in config.sizes:
        sizes.append(run_size(n, config, list(sizes)))
        report.write(results, config.output, config.json_path)
        log(f"N = {n:,}: written to {config.output}")
    return results

"""``python -m benchmarks.columnar``: the page answered by DuckDB over the GeoParquet cache (``ColumnarViews``).

For each size N (1,000,000; with ``BENCH_FULL=1`` also 3,000,000 and 10,000,000; or
``--sizes``) the synthetic events (``datasets.ensure_parquet``) are written as the
catalog writes a cache (row groups of ``catalog.CACHE_ROW_GROUP``). Then, in a fresh
process with the file evicted from the page cache:

* the open from the cache, cold (``ColumnarViews(path)`` and its first answer);
* the filter of the targets chosen and counted (``SummaryReader.count``);
* every question the page asks (``filter_counts``, ``headline``, ``timeline``,
  ``actor_activity``, ``table``, the map with what st_folium sends, one event by id),
  as ``benchmarks.database`` asks them of PostGIS;
* the process's resident memory after all of them;
* the CSV export of the events written to a cache by the streamed import (``catalog.stream_cache``):
  its peak resident memory (``--no-import`` leaves it out);
* the page on that CSV (its cache written beforehand), as a user meets it: reruns after a change of
  the incident-type filter under AppTest (``benchmarks.page``), and visits in headless Chromium
  (``benchmarks.browser``: the first after the server starts, then warm ones); ``--no-page`` leaves
  them out.

At 1M the in-memory figures of the same filter (``FilterSpec.mask``, ``FilterSpec.apply``)
are measured in the same run, in their own process, for the ratio.

Writes ``benchmarks/COLUMNAR.json``, the figures section of ``benchmarks/COLUMNAR.md``
and the same section into ``benchmarks/RESULTS.md`` (between its columnar markers).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import datasets
from benchmarks.machine import machine_info
from benchmarks.measure import ROOT, evict_from_page_cache, proc_status, timed
from benchmarks.steps import fmt_bytes, fmt_seconds
from benchmarks.workload import describe_filter, filter_spec

OUTPUT = ROOT / "benchmarks" / "COLUMNAR.md"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
START, END = "<!-- columnar:start -->", "<!-- columnar:end -->"
#: The heading above which ``COLUMNAR.md`` keeps its hand-written part (the choice of engine).
FIGURES_HEADING = "## Figures"
#: The issue's targets: figure -> (1M, 3M, 10M) in seconds or bytes.
TARGETS: dict[str, tuple[float, float, float]] = {
    "filter, choosing and counting": (0.015, 0.040, 0.150),
    "map update (built and sent)": (0.100, 0.200, 0.500),
    "dashboard resident memory": (500e6, 800e6, 1.5e9),
    "open from the cache, cold": (0.5, 1.0, 2.0),
    "CSV import peak memory": (1e9, 1.5e9, 3e9),
    "page rerun after a filter change (AppTest)": (0.150, 0.300, 1.0),
    "Chromium: warm visit → map drawn": (2.5, 2.5, 3.0),
}
_COLUMN = {1_000_000: 0, 3_000_000: 1, 10_000_000: 2}


def log(text: str) -> None:
    print(f"[columnar] {text}", file=sys.stderr, flush=True)


def cache_file(n: int, data_dir: Path) -> Path:
    """The synthetic events of size ``n`` as the catalog writes a cache (row groups, days as dates), written once."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from conflictmap import schema
    from conflictmap.catalog import CACHE_ROW_GROUP, CACHE_VERSION

    source = datasets.ensure_parquet(n, data_dir).parquet
    path = source.with_name(source.stem + f".rg{CACHE_ROW_GROUP}.v{CACHE_VERSION}.parquet")
    if not path.exists():
        partial = path.with_name(path.name + ".partial")
        # Row group by row group, so writing 10M events needs a group's memory, not the file's.
        reader = pq.ParquetFile(source)
        days = set(schema.DATE_COLUMNS)
        fields = [pa.field(f.name, pa.date32()) if f.name in days else f for f in reader.schema_arrow]
        target = pa.schema(fields, metadata=reader.schema_arrow.metadata)
        with pq.ParquetWriter(partial, target) as writer:
            for batch in reader.iter_batches(batch_size=CACHE_ROW_GROUP):
                table = pa.Table.from_batches([batch])
                for column in days & set(table.column_names):
                    at = table.schema.get_field_index(column)
                    table = table.set_column(at, target.field(column), pc.cast(table[column], pa.date32(), safe=False))
                writer.write_table(table.cast(target), row_group_size=CACHE_ROW_GROUP)
        partial.rename(path)
    return path


def measure_import(n: int, data_dir: Path) -> dict[str, object]:
    """The CSV export of the ``n`` events written to a GeoParquet cache by the streamed import
    (``catalog.stream_cache``), in a fresh process: its peak resident memory and wall time."""
    import tempfile

    from benchmarks.measure import run_with_rusage

    csv = datasets.ensure_csv(datasets.ensure_parquet(n, data_dir))
    code = (
        "import sys; from conflictmap import catalog; "
        "r = catalog.stream_cache(sys.argv[1], cache_dir=sys.argv[2]); print(r.rows_loaded)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    with tempfile.TemporaryDirectory(prefix="conflictmap-import-", dir=data_dir) as folder:
        done = run_with_rusage([sys.executable, "-c", code, str(csv), folder], env=env)
    if done.code != 0:
        raise RuntimeError(f"the streamed import of {csv.name} failed: {done.failure()}")
    return {"rows": int(done.stdout.strip().splitlines()[-1]), "peak_rss": done.peak_rss, "seconds": done.seconds}


def measure_page(n: int, data_dir: Path, runs: int) -> dict[str, object]:
    """The page on the CSV export of the ``n`` events, answered by DuckDB over its cache (written first).

    Returns the AppTest figures (``benchmarks.page.run_page``: first run, reruns after a filter change)
    and the Chromium visits (``benchmarks.browser.run_browser``), each in processes of their own.
    """
    from benchmarks.browser import run_browser
    from benchmarks.measure import run_worker
    from conflictmap import catalog

    csv = datasets.ensure_csv(datasets.ensure_parquet(n, data_dir))
    # Written once beside the CSV, where the page looks for it: the page then opens it, as on a second start.
    catalog.stream_cache(csv)
    settings = {"CONFLICTMAP_DATA": str(csv), "CONFLICTMAP_COLUMNAR_MIN_MB": "0"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTMAP_")} | settings
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    done = run_worker("page", str(runs), "0", "", env=env)
    page = done.last_json() if done.code == 0 else {"status": "error", "note": done.failure()}
    shots = data_dir / "shots"
    browser = run_browser(
        csv, runs, shots / "logs", shots / f"columnar-{n}.png", 600, settings={"CONFLICTMAP_COLUMNAR_MIN_MB": "0"}
    )
    return {"page": page, "browser": browser}


# -- in the child process ----------------------------------------------------------------------------------


def child_columnar(path: Path, runs: int) -> dict[str, object]:
    """Every figure of ``ColumnarViews`` over ``path``, in this fresh process."""
    from benchmarks.database import _views_figures
    from conflictmap.pageviews import ColumnarViews
    from conflictmap.store.summaries import SummaryReader

    evict_from_page_cache(path)
    start = time.perf_counter()
    views = ColumnarViews(path)
    size = views.size()
    open_s = time.perf_counter() - start
    # The figures are those of the narrow table, made on its own thread after the open.
    views.store.narrow_done.wait()
    spec = filter_spec()
    out: dict[str, object] = {
        "rows": size,
        "open_cold_s": open_s,
        "narrow_s": views.store.narrow_seconds,
        "narrow_error": views.store.narrow_error,
    }
    sample, kept, _ = timed(lambda: views._ask(SummaryReader.count, spec), runs * 2, warmup=1)
    out["count"] = {"sample": sample.as_dict(), "rows": kept}
    out["views"] = _views_figures(views, runs)
    some_id = str(views.table(spec, 1, None)["ID"].iloc[0])
    sample, _, _ = timed(lambda: views.event(some_id), runs, warmup=1)
    out["event"] = {"sample": sample.as_dict()}
    status = proc_status()
    out["rss"], out["peak_rss"] = status.get("VmRSS", 0), status.get("VmHWM", 0)
    views.close()
    return out


def child_memory(path: Path, runs: int) -> dict[str, object]:
    """``FilterSpec.mask`` and ``apply`` of the same filter on the events held in memory, for the ratio."""
    import geopandas as gpd

    from conflictmap import schema

    # The days are stored as dates, as the catalog writes a cache: read back as the canonical datetime64.
    events = gpd.read_parquet(path, to_pandas_kwargs={"date_as_object": False})
    for column in schema.DATE_COLUMNS:
        events[column] = events[column].astype("datetime64[ns]")
    spec = filter_spec()
    out: dict[str, object] = {}
    sample, mask, _ = timed(lambda: spec.mask(events), runs * 2, warmup=1)
    out["mask"] = {"sample": sample.as_dict(), "rows": int(mask.sum())}
    sample, _, _ = timed(lambda: spec.apply(events), runs, warmup=1)
    out["apply"] = {"sample": sample.as_dict()}
    out["rss"] = proc_status().get("VmRSS", 0)
    return out


def run_child(task: str, path: Path, runs: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.columnar", "--child", task, str(path), str(runs)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{task} on {path.name} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the report ---------------------------------------------------------------------------------------------


def _median(row: dict) -> float:
    return float(row["sample"]["median"])


def _server_rss(browser: dict) -> int:
    """The dashboard server's largest resident memory read after a visit."""
    return max((int(m.get("VmRSS", 0)) for m in browser.get("memory", [])), default=0)


def _figures_of(size: dict) -> dict[str, tuple[float, str]]:
    """The targets' figures measured at one size: name -> (value, text)."""
    col = size["columnar"]
    views = col["views"]
    update = views["targets' filter: map update: counts or events + what st_folium sends"]
    out = {
        "filter, choosing and counting": (_median(col["count"]), fmt_seconds(_median(col["count"]))),
        "map update (built and sent)": (
            _median(update),
            f"{fmt_seconds(_median(update))}, {fmt_bytes(update['bytes'])}",
        ),
        "dashboard resident memory": (col["rss"], f"{fmt_bytes(col['rss'])} (views' process)"),
        "open from the cache, cold": (col["open_cold_s"], fmt_seconds(col["open_cold_s"])),
    }
    if "import" in size:
        done = size["import"]
        out["CSV import peak memory"] = (
            done["peak_rss"],
            f"{fmt_bytes(done['peak_rss'])} (streamed, {fmt_seconds(done['seconds'])})",
        )
    page = size.get("page", {}).get("page", {})
    if page.get("status") == "ok":
        rerun = _median(page["rerun"])
        out["page rerun after a filter change (AppTest)"] = (rerun, fmt_seconds(rerun))
    browser = size.get("page", {}).get("browser", {})
    if browser.get("status") == "ok" and browser.get("warm_sample"):
        warm = float(browser["warm_sample"]["median"])
        # The server holds what a user's dashboard holds: its memory is the dashboard's.
        out["dashboard resident memory"] = (_server_rss(browser), f"{fmt_bytes(_server_rss(browser))} (the server)")
        out["Chromium: warm visit → map drawn"] = (
            warm,
            f"{fmt_seconds(warm)} (first visit {fmt_seconds(float(browser['first_sample']['median']))})",
        )
    return out


def render(data: dict) -> str:
    """The figures section (Markdown)."""
    lines = [
        FIGURES_HEADING,
        "",
        f"Written by `python -m benchmarks.columnar` (part of `make bench`); raw figures in `COLUMNAR.json`. "
        f"Measured {data['when']} on {data['machine']}; load average {data['load']} when the run started "
        "(the machine's 2 cores are shared: the medians include waiting for a core).",
        "",
        f"Filter: {describe_filter()}. Medians; every figure is one fresh process per size, the cache "
        "evicted from the page cache before the open.",
        "",
        "### Targets (the issue's table; the rows this engine answers)",
        "",
        "| figure | target 1M | 1M | target 3M | 3M | target 10M | 10M |",
        "|---|---|---|---|---|---|---|",
    ]
    measured = {s["n"]: _figures_of(s) for s in data["sizes"]}
    for name, targets in TARGETS.items():
        cells = [f"| {name}"]
        for n, i in _COLUMN.items():
            target = fmt_bytes(targets[i]) if "memory" in name else fmt_seconds(targets[i])
            got = measured.get(n, {}).get(name)
            mark = "" if got is None else (" ✓" if got[0] <= targets[i] else " ✗")
            cells += [f"≤ {target}", "not run" if got is None else got[1] + mark]
        lines.append(" | ".join(cells) + " |")
    lines += [
        "| PostGIS: a new filter, all views | ≤ 500 ms | see `DATABASE.md` | – | – | ≤ 2 s | see `DATABASE.md` |",
        "",
    ]
    for size in data["sizes"]:
        col = size["columnar"]
        lines += [f"### {size['n']:,} events", "", "| question | median | sent |", "|---|---|---|"]
        lines.append(f"| open from the cache, cold (first answer) | {fmt_seconds(col['open_cold_s'])} | |")
        if col.get("narrow_s") is not None:
            lines.append(f"| narrow table made (its own thread, after the open) | {fmt_seconds(col['narrow_s'])} | |")
        elif col.get("narrow_error"):
            lines.append(f"| narrow table | not made: {col['narrow_error']} | |")
        lines.append(
            f"| filter chosen and counted ({col['count']['rows']:,} kept) | {fmt_seconds(_median(col['count']))} | |"
        )
        for name, row in col["views"].items():
            sent = fmt_bytes(row["bytes"]) if "bytes" in row else ""
            lines.append(f"| {name} | {fmt_seconds(_median(row))} | {sent} |")
        lines.append(f"| one event by id (`event`) | {fmt_seconds(_median(col['event']))} | |")
        lines.append(f"| resident memory after all of these | {fmt_bytes(col['rss'])} | |")
        memory = size.get("memory")
        if memory:
            lines.append(
                f"| in memory, same run: `FilterSpec.mask` ({memory['mask']['rows']:,} kept) | "
                f"{fmt_seconds(_median(memory['mask']))} | |"
            )
            lines.append(f"| in memory, same run: `FilterSpec.apply` | {fmt_seconds(_median(memory['apply']))} | |")
            lines.append(f"| in memory: resident memory holding the table | {fmt_bytes(memory['rss'])} | |")
        page = size.get("page", {}).get("page", {})
        if page.get("status") == "ok":
            rerun = page["rerun"]
            lines.append(
                f"| page under AppTest: first run | {fmt_seconds(_median(page['first']))} | "
                f"{fmt_bytes(page['first']['bytes'])} |"
            )
            lines.append(
                f"| page under AppTest: rerun after a change of {rerun['widget']} | {fmt_seconds(_median(rerun))} | "
                f"{fmt_bytes(rerun['bytes'])} |"
            )
        elif page:
            lines.append(f"| page under AppTest | failed: {str(page.get('note'))[:300]} | |")
        browser = size.get("page", {}).get("browser", {})
        if browser.get("status") == "ok":
            first = browser["first"]["marks"]
            lines.append(f"| Chromium: first visit after the start → map drawn | {fmt_seconds(first['drawn'])} | |")
            if browser.get("warm_sample"):
                lines.append(
                    f"| Chromium: warm visit → map drawn | {fmt_seconds(float(browser['warm_sample']['median']))} | |"
                )
            lines.append(f"| server's resident memory after the visits | {fmt_bytes(_server_rss(browser))} | |")
        elif browser:
            lines.append(f"| Chromium | {browser.get('status')}: {str(browser.get('note'))[:300]} | |")
        lines.append("")
    return "\n".join(lines)


def write_reports(section: str, output: Path = OUTPUT, results_file: Path = RESULTS) -> None:
    """The figures into ``COLUMNAR.md`` (after its hand-written part) and between the markers of ``RESULTS.md``."""
    text = output.read_text(encoding="utf-8") if output.exists() else "# The columnar engine\n\n"
    head = text.split(FIGURES_HEADING)[0].rstrip() + "\n\n"
    output.write_text(head + section, encoding="utf-8")
    block = f"{START}\n## The columnar engine (DuckDB over the cache)\n\n{section.split(chr(10), 1)[1].lstrip()}{END}"
    block = block.replace("\n### ", "\n#### ")
    results = results_file.read_text(encoding="utf-8") if results_file.exists() else ""
    if START in results and END in results:
        before, rest = results.split(START, 1)
        results = before + block + rest.split(END, 1)[1]
    else:
        results = results.rstrip() + "\n\n" + block + "\n"
    results_file.write_text(results, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.columnar", description=__doc__.split("\n")[0])
    full = os.environ.get("BENCH_FULL", "") == "1"
    parser.add_argument("--sizes", default="1000000,3000000,10000000" if full else "1000000")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_REPEAT", "5")))
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("BENCH_DATA_DIR") or ROOT / "benchmarks" / "out")
    )
    parser.add_argument(
        "--output-dir", type=Path, default=OUTPUT.parent, help="where COLUMNAR.md, .json and RESULTS.md are"
    )
    parser.add_argument("--no-import", action="store_true", help="leave out the streamed CSV import")
    parser.add_argument("--no-page", action="store_true", help="leave out the page (AppTest and Chromium)")
    parser.add_argument("--child", nargs=3, metavar=("TASK", "FILE", "RUNS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        task, file, runs = args.child
        call = child_columnar if task == "columnar" else child_memory
        print(json.dumps(call(Path(file), int(runs)), default=str))
        return 0
    machine = machine_info()
    data: dict[str, object] = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{machine['cpu']} ({machine['usable_cores']} cores, commit {machine['commit']})",
        "load": f"{os.getloadavg()[0]:.1f}",
        "sizes": [],
    }
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        path = cache_file(n, args.data_dir)
        log(f"{n:,}: measuring {path.name}")
        size: dict[str, object] = {"n": n, "columnar": run_child("columnar", path, args.runs)}
        if n <= 1_000_000:
            size["memory"] = run_child("memory", path, args.runs)
        if not args.no_import:
            log(f"{n:,}: the streamed CSV import")
            size["import"] = measure_import(n, args.data_dir)
        if not args.no_page:
            log(f"{n:,}: the page under AppTest and in Chromium")
            size["page"] = measure_page(n, args.data_dir, args.runs)
        data["sizes"].append(size)  # type: ignore[union-attr]
    output = args.output_dir / OUTPUT.name
    output.with_suffix(".json").write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    write_reports(render(data), output, args.output_dir / RESULTS.name)
    log(f"wrote {output} and the columnar section of {args.output_dir / RESULTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

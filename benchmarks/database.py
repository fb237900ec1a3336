"""``python -m benchmarks.database``: the page on a PostGIS store, each view asked of the database.

For each size N (default 100,000 and 1,000,000; ``BENCH_DB_N`` or ``--sizes``)
the synthetic events go into a fresh PostGIS database: a throwaway cluster
started here from Debian's PostgreSQL packages, or the server ``BENCH_DB``
names (its database must be empty: the benchmark imports into it). Then:

* the import (``store.import_file``) and a re-import of the same file;
* every question the page asks (``pageviews.DatabaseViews``), with no filter and
  with the filter of the targets, including what st_folium sends for the map;
* the page under AppTest on ``?src=store`` (first run and reruns after a widget change);
* the page in headless Chromium, and the dashboard's resident memory: with
  the database answering, the dashboard holds no copy of the events.

Writes ``benchmarks/DATABASE.md`` and the raw figures to ``DATABASE.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import datasets
from benchmarks.browser import run_browser
from benchmarks.machine import machine_info
from benchmarks.measure import ROOT, Sample, run_worker, timed
from benchmarks.payload import quiet_streamlit, st_folium_payload
from benchmarks.steps import fmt_bytes, fmt_seconds
from benchmarks.workload import ZOOMED_VIEW, describe_filter, filter_spec

DEFAULT_SIZES = "100000,1000000"
OUTPUT = ROOT / "benchmarks" / "DATABASE.md"
#: The targets the in-memory page is held to (issue figures at 1M events), for comparison.
TARGETS = {"map": 0.300, "timeline": 0.100, "rerun": 1.0, "browser": 4.0, "rss": 1.5e9}


#: The views at 1M events with the targets' filter before the changes below (the run of 2026-11-24 01:11 UTC).
BEFORE_1M = {
    "filter controls (`choices`)": 0.432,
    "what each filter keeps (`filter_counts`)": 0.220,
    "headline figures and the period before (`headline`)": 0.844,
    "timeline (`timeline`)": 0.397,
    "actors tab (`actor_activity`)": 0.575,
    "table: the 2,500 newest (`table`)": 0.0488,
    "map update: counts or events + what st_folium sends": 0.586,
}
#: What the plans showed and what each choice bought (EXPLAIN (ANALYZE, BUFFERS) at 1M, the targets' filter).
CHOICES = """## What each choice bought (1,000,000 events, the targets' filter)

The plans (`EXPLAIN (ANALYZE, BUFFERS)` of every statement the views send, on a throwaway cluster):

* Every grouped count is a parallel sequential scan of the whole events table (498 MB, 2 workers), then a
  hash or sort aggregate. The targets' filter keeps about half the events (500,000 of 1,000,000: years
  2018-2023, the two commonest types, the three commonest actors), so no index on dates, types or actors can
  beat the scan; the table's 2,500 newest are the exception (backward scan of the `event_date` index, 17 ms).
* Queries the planner costs above 100,000 were JIT-compiled: 200-330 ms of compiling each (`JIT: Timing ...
  Total 233-326 ms`), in *headline* (2 queries), *actor_activity*, the map's cells and the *choices* kinds.
* With `work_mem` at 4 MB the planner sorted 4-25 MB of rows on disk (`Sort Method: external merge`) for the
  groups of actors, places and map cells.
* *choices* is three full scans (types and regions with their extent, actor combinations, actor kinds); it
  does not depend on the filter, so it is read again only after a write (tested after import, edit, delete).
* *timeline* and *actor_activity* each made a pass for the dates found (`MIN`, `MAX`, `COUNT`) before the
  pass that groups.

Kept:

| choice | what it bought |
|---|---|
| `jit = off` on each connection (`postgis.SESSION_SETTINGS`) | the 200-330 ms of compiling per large query |
| `work_mem = 32MB` on each connection | groups sorted or hashed in memory instead of spilling to disk |
| *choices* kept per store change token (`DatabaseViews.choices`) | 3 scans saved on each call after the first |

The same 1M database, the code before and after these choices run in turn (2026-12-03, medians of 3 per view,
on a machine shared with other work). Runs 1-2 (11:30 UTC) had the per-day timeline below, since taken back;
runs 3-4 (11:37 UTC, the kept code, a busier machine: the *table* view alone took 2-4 times as long) did not.

| view (targets' filter, 1M) | before 1 | after 1 | before 2 | after 2 | before 3 | after 3 | before 4 | after 4 |
|---|---|---|---|---|---|---|---|---|
| *choices* | 1254 ms | 2 ms | 1314 ms | 1 ms | 2338 ms | 1 ms | 2252 ms | 1 ms |
| *filter_counts* | 369 ms | 355 ms | 411 ms | 359 ms | 761 ms | 694 ms | 588 ms | 545 ms |
| *headline* | 1421 ms | 761 ms | 1585 ms | 875 ms | 2885 ms | 1630 ms | 2888 ms | 1742 ms |
| *timeline* | 658 ms | 343 ms | 1056 ms | 481 ms | 1235 ms | 1460 ms | 1223 ms | 1863 ms |
| *actor_activity* | 1034 ms | 691 ms | 1203 ms | 691 ms | 1528 ms | 1543 ms | 2476 ms | 2510 ms |
| *table* | 100 ms | 102 ms | 103 ms | 101 ms | 115 ms | 264 ms | 223 ms | 451 ms |
| map (no view yet) | 964 ms | 770 ms | 1238 ms | 928 ms | 1911 ms | 1312 ms | 2034 ms | 1690 ms |
| all | 5.80 s | 3.02 s | 6.91 s | 3.44 s | 10.77 s | 6.90 s | 11.68 s | 8.80 s |

The per-size tables further down come from the run of 2026-12-03 11:23 UTC, made with the per-day timeline.

Still far from the target then (a new filter, all views, in 500 ms at 1M): about 9 passes over half a gigabyte
remained; the narrow table and fewer passes per view came next (below).

Tried then, and what became of it:

* A narrow table of the 26 columns the views read: built since (below).
* The timeline grouped per day and type, the days added up into periods in Python: thousands of day rows
  left the database, so it was taken back. The days are now added up into periods in SQL (below).
* BRIN on dates and a date condition an index serves: built since (below); they pay for filters of a few
  months, not for the targets' six years.
* Pre-aggregated day x cell x type counts: still not built (below).

## The narrow table and fewer passes (1,000,000 events, 2026-12-03 17:28 UTC)

Built (`store/postgis.py`, `store/summaries.py`, `pageviews/database.py`):

* `conflictmap.events_narrow`: the 26 columns the grouped views filter and group by (`core.VIEW_COLUMNS`), its
  14 text columns as whole-number codes of `conflictmap.events_labels` (`core.CODED_COLUMNS`). Statement
  triggers on `events` with transition tables (insert, update, delete, truncate) keep it equal to `events` in
  the same transaction, whoever writes: import, re-import, add, edit, delete, undelete, restore, the fetch
  update, and another program's SQL (`tests/test_store_narrow.py`, `tests/test_fetch.py`). A store made before
  it gets it on opening, under the writers' lock (the metadata key `events_narrow_columns` names its layout;
  another layout is made again). A role that cannot build it reads the events table as before.
* BRIN indexes on its `event_date` and `date_end`, its rows written in date order; the date condition
  (`(date_end >= ? OR event_date >= ?) AND event_date <= ?`) has no function on the columns, so the plan is a
  bitmap scan of the BRIN ranges.
* The views' grouped questions read it; free text (notes, tags) and areas (region names joined as text) read
  the events table, and so do the table, the details panel and the exports (rows by id or the newest rows).
* Fewer passes per view: the timeline and the actors tab guess their period length from the filter's dates
  and group again only when the days found pick another; weeks and months are added up from the days' groups
  in SQL; the map guesses its zoom from the box of every event (read with the filter controls) and counts the
  cells again only when the filtered events fit another zoom; the headline's places and actors are one
  statement (`GROUPING SETS`); the table reads its 12 columns, not all 50.

What each choice bought (by hand on the same 1M database, `EXPLAIN ANALYZE` and timed statements; the
machine's 2 cores shared, load 5-15):

{narrow_choices}

The code before (f8937b0) and after, on the same 1M database, run in turn three times
(`python -m benchmarks.database --views-of URL --repeat 3`, each view the median of 3 runs after one;
load average 5.0-5.7 on 2 cores throughout):

{narrow_runs}

Still above the target (a new filter, all views, in 500 ms at 1M): 3.0 s (2.5-3.6 s) with the machine's two
cores shared (load 5). Five passes remain over the 127 MB narrow table (*filter_counts*, *headline*, *timeline*,
*actor_activity*, the map's cells), 264 ms-1.42 s each here; the *headline*'s covers both periods (2012-2023,
689,000 events kept of 1,000,000) and groups them by place and by actors. Counting alone, the filter over the
million coded rows took 372 ms on one core at load 6: five passes over a million events stay above 500 ms on
this machine whatever the table's width, so the next steps are fewer rows read, not narrower ones:

* Pre-aggregated counts: not built. The targets' filter names actors, so a table of counts per day, cell and
  type cannot answer it; one per day and every filtered column (types, the four actor columns, regions,
  dataset, precisions) has 226,935 rows per *month* for these synthetic events (39 actor combinations); on
  real ACLED data, with thousands of actors and places, it would come near one row per event (not measured).
* All views of one filter in one pass (one statement with grouping sets for the timeline, the actors, the map's
  cells and the headline): the page asks each view on its own, and would need to ask them together.
"""

#: What each choice of the narrow table bought (the section of ``CHOICES`` on it): choice, what it bought.
NARROW_CHOICES = (
    (
        "narrow table, text labels",
        "498 MB -> 221 MB per pass; all views of the targets' filter 9.47 s -> 7.80 s (load 7, one round)",
    ),
    (
        "text columns as codes",
        "221 MB -> 127 MB; the timeline's pass 718 ms on text, 333-376 ms on a table of its columns coded (load 6)",
    ),
    (
        "weeks and months from the days' groups",
        "`date_trunc` per event: a grouping by month took 641 ms where by day took 391 ms (1M rows, one core)",
    ),
    (
        "period length guessed from the filter",
        "the pass for the dates found (410-476 ms each in *timeline* and *actor_activity*)",
    ),
    ("map zoom guessed from every event's box", "the count-and-box pass before the cells (682 ms)"),
    (
        "headline in one statement (`GROUPING SETS`)",
        "one pass of two: 794-853 ms, the two parallel passes 800-1025 ms (load 15), on one core of three",
    ),
    (
        "the table's 12 columns",
        "*table* 103 ms -> 55 ms (the statement took 34 ms; decoding 50 columns of 2,500 rows the rest)",
    ),
    (
        "BRIN on the dates",
        "a one-month filter counted in 48-54 ms instead of 124 ms (sequential scan); nothing for the targets' years",
    ),
    (
        "the triggers, on import",
        "100,000 events imported in 15.3 s, 8.9 s before and 13.2 s, 8.9 s after (in turn: within the noise)",
    ),
    ("building it on opening", "18.7 s (text labels, load 7) and 30.0 s (codes, load 13) at 1M events, once"),
)
#: Views at 1M events, the code before (f8937b0) and after the narrow table, three rounds run in turn
#: (``--views-of`` on one database, 2026-12-03 17:28-17:32 UTC): seconds, each the median of 3 runs.
NARROW_RUNS = {
    "no filter: filter controls (`choices`)": ([0.0013, 0.001, 0.0007], [0.0006, 0.0009, 0.0006]),
    "no filter: what each filter keeps (`filter_counts`)": ([0.0607, 0.0784, 0.0741], [0.0723, 0.0618, 0.0476]),
    "no filter: headline figures and the period before (`headline`)": (
        [1.536, 1.4818, 1.6746],
        [0.6879, 0.8516, 0.644],
    ),
    "no filter: timeline (`timeline`)": ([0.8198, 0.6801, 0.8709], [0.3697, 0.3864, 0.3089]),
    "no filter: actors tab (`actor_activity`)": ([1.8912, 1.2012, 1.2375], [0.7679, 0.9481, 0.6598]),
    "no filter: table: the 2,500 newest (`table`)": ([0.1973, 0.1029, 0.2137], [0.0411, 0.075, 0.0301]),
    "no filter: map update: counts or events + what st_folium sends": (
        [1.3917, 1.2629, 1.0215],
        [0.3989, 0.7642, 0.5268],
    ),
    "no filter: map after zooming to Mopti (zoom 10)": ([0.8913, 0.8838, 0.9115], [0.5902, 0.7551, 0.5616]),
    "targets' filter: filter controls (`choices`)": ([0.0007, 0.0005, 0.0014], [0.0005, 0.0005, 0.0008]),
    "targets' filter: what each filter keeps (`filter_counts`)": ([0.698, 0.3909, 0.5442], [0.2883, 0.3233, 0.2642]),
    "targets' filter: headline figures and the period before (`headline`)": (
        [1.3617, 1.3811, 1.1544],
        [1.0476, 1.416, 0.896],
    ),
    "targets' filter: timeline (`timeline`)": ([1.1531, 1.1998, 1.0009], [0.4093, 0.3859, 0.3101]),
    "targets' filter: actors tab (`actor_activity`)": ([1.2662, 0.9399, 1.0009], [0.5155, 0.5918, 0.4937]),
    "targets' filter: table: the 2,500 newest (`table`)": ([0.1746, 0.1028, 0.0817], [0.0545, 0.0909, 0.0437]),
    "targets' filter: map update: counts or events + what st_folium sends": (
        [1.5927, 1.1245, 0.8614],
        [0.6989, 0.759, 0.4761],
    ),
    "targets' filter: map after zooming to Mopti (zoom 10)": ([1.0691, 0.7578, 0.7214], [0.7461, 0.7199, 0.586]),
}


def log(message: str) -> None:
    print(f"[bench-db] {message}", file=sys.stderr, flush=True)


@contextmanager
def database() -> Iterator[Callable[[], str]]:
    """A maker of empty PostGIS databases: on ``BENCH_DB``'s server (one only), or on a throwaway cluster."""
    given = os.environ.get("BENCH_DB", "").strip()
    if given:
        used = []

        def on_given() -> str:
            if used:
                raise RuntimeError("BENCH_DB names one database: run one size at a time (--sizes N)")
            used.append(given)
            return given

        yield on_given
        return
    from pgcluster import Cluster

    cluster = Cluster().start()
    try:
        yield cluster.new_database
    finally:
        cluster.stop()


def _views_figures(views, runs: int) -> dict[str, dict[str, object]]:
    """Each question the page asks, timed, with no filter and with the targets' filter."""
    from conflictmap import livemap, viewport
    from conflictmap.filters import FilterSpec

    quiet_streamlit()
    zoomed = viewport.Viewport(**ZOOMED_VIEW)  # type: ignore[arg-type]
    out: dict[str, dict[str, object]] = {}
    for label, spec in (("no filter", FilterSpec()), ("targets' filter", filter_spec())):

        def map_update(view=None, spec=spec) -> int:
            drawn = views.map_layer(spec, "auto", view, None)
            layer = livemap.event_layer(
                drawn.rows,
                drawn.plan,
                fit_key="bench",
                type_counts=drawn.type_counts,
                dataset_counts=drawn.dataset_counts,
                bounds=drawn.bounds,
            )
            return st_folium_payload(livemap.base_map(), feature_group_to_add=layer)

        calls: dict[str, Callable[[], object]] = {
            "filter controls (`choices`)": views.choices,
            "what each filter keeps (`filter_counts`)": lambda spec=spec: views.filter_counts(spec),
            "headline figures and the period before (`headline`)": lambda spec=spec: views.headline(spec),
            "timeline (`timeline`)": lambda spec=spec: views.timeline(spec),
            "actors tab (`actor_activity`)": lambda spec=spec: views.actor_activity(spec, 12),
            "table: the 2,500 newest (`table`)": lambda spec=spec: views.table(spec, 2_500, None),
            "map update: counts or events + what st_folium sends": map_update,
            "map after zooming to Mopti (zoom 10)": lambda: map_update(zoomed),
        }
        for name, call in calls.items():
            sample, result, memory = timed(call, runs, warmup=1)
            row: dict[str, object] = {"sample": sample.as_dict(), "peak_rss": memory["peak_rss"]}
            if name.startswith("map"):
                row["bytes"] = result
            out[f"{label}: {name}"] = row
    return out


def measure_size(n: int, runs: int, new_database: Callable[[], str], data_dir: Path, shots: Path) -> dict[str, object]:
    """Every figure for ``n`` events."""
    from conflictmap.pageviews import DatabaseViews
    from conflictmap.store import open_store

    dataset = datasets.ensure_parquet(n, data_dir)
    url = new_database()
    figures: dict[str, object] = {"n": n}
    with open_store(db=url) as store:
        start = time.perf_counter()
        store.import_file(dataset.parquet)
        figures["import_s"] = time.perf_counter() - start
        start = time.perf_counter()
        store.import_file(dataset.parquet)
        figures["reimport_s"] = time.perf_counter() - start
    log(f"{n:,}: imported in {figures['import_s']:.1f} s")
    with open_store(db=url, create=False) as store:
        figures["views"] = _views_figures(DatabaseViews(store), runs)
    log(f"{n:,}: views measured")
    settings = {"CONFLICTMAP_DB": url}
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTMAP_")} | settings
    figures["page"] = run_worker("page", str(runs), "0", "src=store", env=env).last_json()
    log(f"{n:,}: page measured")
    shots.mkdir(parents=True, exist_ok=True)
    figures["browser"] = run_browser(
        None, runs, shots / "logs", shots / f"database-{n}.png", 300, settings=settings, path="/?src=store"
    )
    log(f"{n:,}: browser measured")
    return figures


def _sample(figures: dict) -> Sample:
    return Sample(list(figures["values"]), list(figures.get("cpu", [])))


def _row(name: str, row: dict[str, object]) -> str:
    sample = _sample(row["sample"])  # type: ignore[arg-type]
    sent = fmt_bytes(row["bytes"]) if row.get("bytes") is not None else ""
    spread = f"{fmt_seconds(sample.low)} – {fmt_seconds(sample.high)}"
    return f"| {name} | {fmt_seconds(sample.median)} | {spread} | {len(sample.values)} | {sent} |"


def _before_after(results: dict[str, object]) -> list[str]:
    """Before and after per view at 1M events with the targets' filter, when this run measured 1M."""
    sizes = [s for s in results["sizes"] if s.get("n") == 1_000_000 and "views" in s]  # type: ignore[union-attr]
    if not sizes:
        return []
    views = sizes[0]["views"]
    table = views.get("targets' filter: table: the 2,500 newest (`table`)")
    slower = _sample(table["sample"]).median / BEFORE_1M["table: the 2,500 newest (`table`)"] if table else 1.0
    lines = [
        "",
        "This run against the run of 2026-11-24 (before): the machine was busier in this one (the *table* view,",
        f"whose SQL did not change, took {slower:.1f} times as long), so compare the runs above, made in turn.",
        "",
        "| view (targets' filter, 1M) | before | after |",
        "|---|---|---|",
    ]
    total_before = total_after = 0.0
    for name, before in BEFORE_1M.items():
        row = views.get(f"targets' filter: {name}")
        if row is None:
            continue
        after = _sample(row["sample"]).median
        total_before, total_after = total_before + before, total_after + after
        lines.append(f"| {name} | {fmt_seconds(before)} | {fmt_seconds(after)} |")
    lines.append(f"| all views of a new filter | {fmt_seconds(total_before)} | {fmt_seconds(total_after)} |")
    return lines


def _narrow_tables() -> dict[str, str]:
    """The tables of ``CHOICES``'s section on the narrow table, from ``NARROW_CHOICES`` and ``NARROW_RUNS``."""
    import statistics

    choices = ["| choice | what it bought |", "|---|---|", *(f"| {a} | {b} |" for a, b in NARROW_CHOICES)]
    runs = [
        "| view | before: rounds 1, 2, 3 | after: rounds 1, 2, 3 | before (median) | after (median) |",
        "|---|---|---|---|---|",
    ]
    totals: list[list[float]] = [[0.0] * 3, [0.0] * 3]

    def cells(values: list[float]) -> str:
        return ", ".join(fmt_seconds(v) for v in values)

    for name, (before, after) in NARROW_RUNS.items():
        runs.append(
            f"| {name} | {cells(before)} | {cells(after)} | {fmt_seconds(statistics.median(before))} | "
            f"{fmt_seconds(statistics.median(after))} |"
        )
        if name.startswith("targets'") and "zooming" not in name:
            for side, values in enumerate((before, after)):
                totals[side] = [t + v for t, v in zip(totals[side], values, strict=True)]
    before, after = totals
    runs.append(
        f"| **targets' filter: all views of a new filter** (the seven above) | {cells(before)} | {cells(after)} | "
        f"**{fmt_seconds(statistics.median(before))}** | **{fmt_seconds(statistics.median(after))}** |"
    )
    return {"narrow_choices": "\n".join(choices), "narrow_runs": "\n".join(runs)}


def render(results: dict[str, object]) -> str:
    """The Markdown report."""
    machine = results["machine"]
    lines = [
        "# conflictmap on a PostGIS store",
        "",
        "Written by `python -m benchmarks.database` (part of `make bench`); raw figures in `DATABASE.json`.",
        f"Measured {results['when']} on {machine.get('cpu', '?')} ({machine.get('cores', '?')} cores).",  # type: ignore[union-attr]
        f"Database: {results['database']}.",
        "",
        f"The targets' filter: {describe_filter()}. Each view is asked of the database with no cache in between;",
        "the page itself keeps answers per filter, so a rerun with the same filter asks nothing again.",
    ]
    lines += ["", CHOICES.format(**_narrow_tables()).rstrip()]
    lines += _before_after(results)
    for size in results["sizes"]:  # type: ignore[union-attr]
        n = size["n"]
        lines += ["", f"## {n:,} events", ""]
        if "error" in size:
            lines.append(f"Failed: {size['error']}")
            continue
        lines.append(
            f"Import into PostGIS: {fmt_seconds(size['import_s'])}; the same file again: "
            f"{fmt_seconds(size['reimport_s'])} (changes nothing)."
        )
        lines += ["", "| view | median | min – max | runs | sent to the browser |", "|---|---|---|---|---|"]
        lines += [_row(name, row) for name, row in size["views"].items()]
        page = size["page"]
        lines.append("")
        if page.get("status") == "ok":
            first, rerun = page["first"], page["rerun"]
            lines.append(
                f"Page under AppTest on `?src=store`: first run {fmt_seconds(_sample(first['sample']).median)}, "
                f"rerun after a change of {rerun['widget']} {fmt_seconds(_sample(rerun['sample']).median)} "
                f"(median of {len(rerun['sample']['values'])}; target 1 s for the page on a file); "
                f"peak memory of that process {fmt_bytes(rerun['peak_rss'])}."
            )
        else:
            lines.append(f"Page under AppTest failed: {page.get('note')}")
        browser = size["browser"]
        if browser.get("status") == "ok":
            warm = _sample(browser["warm_sample"]).median
            rss = max(m.get("VmRSS", 0) for m in browser["memory"])
            lines.append(
                f"Chromium, open → map drawn: first visit {fmt_seconds(_sample(browser['first_sample']).median)}, "
                f"then {fmt_seconds(warm)} (median); the dashboard's resident memory afterwards: {fmt_bytes(rss)} "
                "(it holds no copy of the events)."
            )
        else:
            lines.append(f"Chromium: {browser.get('status')}: {browser.get('note')}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.database", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_DB_N") or DEFAULT_SIZES, help="comma list of N")
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT") or 5), help="runs per step")
    parser.add_argument("--output", type=Path, default=Path(os.environ.get("BENCH_DB_OUTPUT") or OUTPUT))
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("BENCH_DATA_DIR") or ROOT / "benchmarks" / "out")
    )
    parser.add_argument(
        "--views-of",
        metavar="URL",
        help="only time the views of the store already in this database (no import, page or browser); print JSON",
    )
    args = parser.parse_args(argv)
    if args.views_of:
        from conflictmap.pageviews import DatabaseViews
        from conflictmap.store import open_store

        start = time.perf_counter()
        with open_store(db=args.views_of, create=False) as store:
            opened = time.perf_counter() - start
            views = _views_figures(DatabaseViews(store), args.repeat)
        medians = {name: _sample(row["sample"]).median for name, row in views.items()}  # type: ignore[arg-type]
        print(json.dumps({"open_s": opened, "medians": medians, "load": os.getloadavg()}, indent=1))
        return 0
    try:
        sizes = [int(part.replace("_", "")) for part in args.sizes.split(",") if part.strip()]
    except ValueError:
        parser.error(f"--sizes {args.sizes!r}: expected whole numbers separated by commas")
    results: dict[str, object] = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(),
        "database": "BENCH_DB"
        if os.environ.get("BENCH_DB")
        else "a throwaway PostgreSQL cluster (fsync off, shared_buffers 64 MB)",
        "sizes": [],
    }
    with database() as new_database:
        for n in sizes:
            try:
                results["sizes"].append(
                    measure_size(n, args.repeat, new_database, args.data_dir, args.data_dir / "shots")
                )  # type: ignore[union-attr]
            except (RuntimeError, OSError) as exc:
                log(f"{n:,} failed: {exc}")
                results["sizes"].append({"n": n, "error": str(exc)[:600]})  # type: ignore[union-attr]
    args.output.write_text(render(results))
    args.output.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

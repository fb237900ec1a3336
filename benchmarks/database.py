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
    args = parser.parse_args(argv)
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

"""RESULTS.md and the JSON of raw figures from the measurements."""

from __future__ import annotations

import json
import os
from pathlib import Path

from benchmarks.steps import BY_ID, STEPS, fmt_bytes, fmt_seconds, verdict

TARGET_N = 1_000_000
_CORES = len(os.sched_getaffinity(0))
_PROFILE_SHARE_MIN = 0.05


def _spread(sample: dict[str, object]) -> str:
    if int(sample["runs"]) < 2:  # type: ignore[call-overload]
        return "1 run"
    low, high = float(sample["min"]), float(sample["max"])  # type: ignore[arg-type]
    q1, q3 = float(sample["q1"]), float(sample["q3"])  # type: ignore[arg-type]
    return f"{fmt_seconds(low)} – {fmt_seconds(high)} (IQR {fmt_seconds(q1)} – {fmt_seconds(q3)})"


def _cells(step_id: str, result: dict[str, object]) -> list[str]:
    step = BY_ID[step_id]
    status, _ = verdict(step, result)
    sample = result.get("sample")
    if result.get("status") != "ok":
        note = str(result.get("note") or "").replace("|", "/").replace("\n", " ")
        return [step.label, step.target, "", "", note, "", "", "", status]
    median = fmt_seconds(float(sample["median"])) if isinstance(sample, dict) else ""  # type: ignore[index]
    spread = _spread(sample) if isinstance(sample, dict) else ""
    runs = str(sample["runs"]) if isinstance(sample, dict) else ""
    cpu = sample.get("cpu_median") if isinstance(sample, dict) else None
    cpu_text = fmt_seconds(float(cpu)) if cpu is not None else ""
    sent = fmt_bytes(result.get("bytes"))  # type: ignore[arg-type]
    memory = fmt_bytes(result.get("peak_rss"))  # type: ignore[arg-type]
    if step_id == "dashboard_rss":
        median = fmt_bytes(result.get("rss"))  # type: ignore[arg-type]
        memory = f"{memory} peak"
    return [step.label, step.target, median, cpu_text, spread, runs, sent, memory, status]


def _table(size: dict[str, object]) -> list[str]:
    lines = [
        "| step | target (1M) | median | CPU | spread: min – max (IQR) | runs | bytes sent | peak memory | result |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    steps: dict[str, dict[str, object]] = size["steps"]  # type: ignore[assignment]
    for step in STEPS:
        if step.id in steps:
            lines.append("| " + " | ".join(_cells(step.id, steps[step.id])) + " |")
    return lines


def _details(size: dict[str, object]) -> list[str]:
    """Sentences on what was measured at this size: rows, widget used, milestones."""
    steps: dict[str, dict[str, object]] = size["steps"]  # type: ignore[assignment]
    out = []

    def detail(step: str, key: str) -> object:
        return (steps.get(step, {}).get("details") or {}).get(key)  # type: ignore[union-attr]

    rows = detail("open_warm", "rows")
    kept = detail("filter", "rows")
    if rows is not None:
        line = f"- {int(rows):,} events ({fmt_bytes(size['file_bytes'])} GeoParquet)"  # type: ignore[arg-type]
        if kept is not None:
            line += f"; the filter keeps {int(kept):,}"
        table_rss = detail("open_warm", "table_rss")
        if table_rss:
            line += f"; the worker process holds {fmt_bytes(table_rss)} with the table loaded"  # type: ignore[arg-type]
        out.append(line + ".")
    csv_bytes, loader = detail("open_first", "file_bytes"), detail("open_first", "loader")
    if csv_bytes:
        out.append(f"- Opens go through `{loader}`; the CSV export is {fmt_bytes(csv_bytes)}.")  # type: ignore[arg-type]
    cache_bytes = detail("open_cold", "cache_bytes")
    if cache_bytes:
        out.append(f"- The GeoParquet cache it writes: {fmt_bytes(cache_bytes)}.")  # type: ignore[arg-type]
    imports = detail("open_cold", "import_s")
    if isinstance(imports, dict):
        out.append(
            f"- Cold open: importing the modules took {fmt_seconds(float(imports['median']))} more before the"
            " open (not counted in the row)."
        )
    widget = detail("page_rerun", "widget")
    if widget and str(widget).startswith("no widget"):
        out.append("- Page rerun: the page has no widget yet, so the row times a plain rerun.")
    elif widget:
        values = detail("page_rerun", "values") or []
        times = (steps.get("page_rerun", {}).get("sample") or {}).get("values", [])  # type: ignore[union-attr]
        runs = ", ".join(f"{v} {fmt_seconds(float(t))}" for v, t in zip(values, times, strict=False))  # type: ignore[arg-type]
        out.append(f"- Page rerun: changed the {widget}, one new value per rerun: {runs}.")
    marks = detail("browser_first", "marks")
    if isinstance(marks, dict) and marks:
        parts = ", ".join(f"{k} {fmt_seconds(float(v))}" for k, v in marks.items())
        shapes = detail("browser_first", "shapes")
        out.append(f"- Chromium, first visit (seconds from `goto`): {parts}; shapes drawn: {shapes}.")
    warm_marks = detail("browser_warm", "marks")
    if isinstance(warm_marks, list) and warm_marks:
        last = warm_marks[-1]
        parts = ", ".join(f"{k} {fmt_seconds(float(v))}" for k, v in last.items())
        shot = Path(str(detail("browser_warm", "screenshot"))).name
        out.append(f"- Chromium, last warm visit: {parts}; screenshot `{shot}`.")
    after = detail("dashboard_rss", "after_each_visit")
    if isinstance(after, list) and after:
        out.append("- Dashboard VmRSS after each visit: " + ", ".join(fmt_bytes(v) for v in after) + ".")
    return out


def _profile_lines(profile: dict[str, object]) -> list[str]:
    ours = [(n, s) for n, s in profile.get("inclusive", []) if s >= _PROFILE_SHARE_MIN][:5]  # type: ignore[union-attr]
    own = [(n, s) for n, s in profile.get("self", []) if s >= _PROFILE_SHARE_MIN][:4]  # type: ignore[union-attr]
    lines = []
    if ours:
        lines.append(
            "  - in our code (share of the wall time, callees included): "
            + "; ".join(f"`{n}` {s:.0%}" for n, s in ours)
        )
    if own:
        lines.append("  - where the time is spent (own time): " + "; ".join(f"`{n}` {s:.0%}" for n, s in own))
    return lines


def _waiting(result: dict[str, object], size: dict[str, object]) -> str:
    """A sentence when the step's process used much less CPU than wall time (it waited for a core or for I/O)."""
    sample = result.get("sample")
    if not isinstance(sample, dict) or sample.get("cpu_median") is None:
        return ""
    wall, cpu = float(sample["median"]), float(sample["cpu_median"])
    if cpu >= 0.75 * wall:
        return ""
    load = float(size["load_at_start"][0])  # type: ignore[index]
    return (
        f" Its process used {fmt_seconds(cpu)} of CPU: the rest of the time it waited, for a core or for I/O"
        f" (the load average was {load:.1f} on {_CORES} cores when this size started)."
    )


def _copy_share(steps: dict[str, dict[str, object]]) -> str:
    """For the filter: how much of ``apply`` is choosing the rows (``mask``) and how much copying them."""
    chosen, applied = steps.get("filter_mask", {}).get("sample"), steps.get("filter", {}).get("sample")
    if not isinstance(chosen, dict) or not isinstance(applied, dict):
        return ""
    mask, apply = float(chosen["median"]), float(applied["median"])
    return (
        f" Choosing the rows (`FilterSpec.mask`) takes {fmt_seconds(mask)}; the other {fmt_seconds(apply - mask)}"
        " go to copying the chosen rows of every column into a new table."
    )


def _milestones(result: dict[str, object]) -> str:
    marks = (result.get("details") or {}).get("marks")  # type: ignore[union-attr]
    if isinstance(marks, list) and marks:
        marks = marks[-1]
    if not isinstance(marks, dict) or not marks:
        return ""
    return " Seconds from `goto`: " + ", ".join(f"{k} {float(v):.2f}" for k, v in marks.items()) + "."


def _miss_lines(size: dict[str, object], with_profiles: bool) -> tuple[list[str], list[str]]:
    """(the targets missed, the steps not measured) at one size."""
    n = int(size["n"])  # type: ignore[call-overload]
    steps: dict[str, dict[str, object]] = size["steps"]  # type: ignore[assignment]
    missed: list[str] = []
    unmeasured: list[str] = []
    for step in STEPS:
        result = steps.get(step.id)
        if result is None:
            continue
        status, reasons = verdict(step, result)
        if status == "MISS":
            why = "; ".join(reasons) + "." + _waiting(result, size) + _milestones(result)
            if step.id == "filter":
                why += _copy_share(steps)
            missed.append(f"- **{step.label}** at {n:,} events: {why}")
            profile = result.get("profile")
            if with_profiles and isinstance(profile, dict):
                missed.extend(_profile_lines(profile))
        elif status in ("error", "n/a", "skipped"):
            unmeasured.append(f"- {step.label} at {n:,} events: {status}: {result.get('note')}")
    return missed, unmeasured


def _misses(sizes: list[dict[str, object]]) -> list[str]:
    at_target = [s for s in sizes if s["n"] == TARGET_N]
    others = [s for s in sizes if s["n"] != TARGET_N]
    lines: list[str] = []
    unmeasured: list[str] = []
    for size in at_target:
        missed, skipped = _miss_lines(size, with_profiles=True)
        lines += ["### At 1,000,000 events, where the targets apply", "", *(missed or ["- None."]), ""]
        unmeasured += skipped
    if others:
        lines += ["### At the other sizes, against the same figures", ""]
        missed_elsewhere: list[str] = []
        for size in others:
            missed, skipped = _miss_lines(size, with_profiles=int(size["n"]) > TARGET_N)  # type: ignore[call-overload]
            missed_elsewhere += missed
            unmeasured += skipped
        lines += [*(missed_elsewhere or ["- None."]), ""]
    if unmeasured:
        lines += ["### Not measured", "", *unmeasured, ""]
    return lines


def _naive(sizes: list[dict[str, object]]) -> list[str]:
    rows = []
    for size in sizes:
        steps: dict[str, dict[str, object]] = size["steps"]  # type: ignore[assignment]
        naive, ours = steps.get("naive"), steps.get("map_all")
        if not naive or naive.get("status") != "ok" or not ours or ours.get("status") != "ok":
            continue
        nt, ot = float(naive["sample"]["median"]), float(ours["sample"]["median"])  # type: ignore[index]
        nb, ob = int(naive["bytes"]), int(ours["bytes"])  # type: ignore[call-overload]
        rows.append(
            f"| {int(size['n']):,} | {fmt_seconds(nt)} | {fmt_bytes(nb)} | {fmt_seconds(ot)} | {fmt_bytes(ob)} "  # type: ignore[call-overload]
            f"| {nt / ot:,.0f}× | {nb / ob:,.0f}× |"
        )
    if not rows:
        return []
    return [
        "## The naive map, measured in the same run",
        "",
        "One `folium.CircleMarker` with a popup per event, rows walked with `iterrows`, the page rendered with",
        "`m.get_root().render()` (`benchmarks/naive.py`), against the dashboard's map of the same events",
        '(plan, base map, event layer and what st_folium sends: the row "map of all events").',
        "",
        "| events | naive: time | naive: HTML | conflictmap: time | conflictmap: sent | time ratio | bytes ratio |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def _machine(machine: dict[str, object], config: dict[str, object]) -> list[str]:
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items())  # type: ignore[union-attr]
    load = ", ".join(f"{v:.2f}" for v in machine["load_at_start"])  # type: ignore[union-attr]
    return [
        "## Machine",
        "",
        f"- Date: {machine['date']}; code at {machine['commit'] or 'an unknown commit'}",
        f"- CPU: {machine['cpu']}; {machine['cores']} cores ({machine['usable_cores']} usable)",
        f"- Memory: {fmt_bytes(machine['memory_bytes'])}; Linux {machine['kernel']}",  # type: ignore[arg-type]
        f"- Python {machine['python']}; {packages}",
        f"- Browser: {machine['chromium'] or 'none'}",
        f"- Load average when the run started: {load} (1, 5, 15 min)",
        f"- Settings: sizes {', '.join(f'{n:,}' for n in config['sizes'])}; BENCH_REPEAT {config['repeat']}",  # type: ignore[union-attr]
        "",
    ]


HOW = [
    "## How it is measured",
    "",
    "- Data: `conflictmap synth N -o FILE --seed 0` (GeoParquet), kept in `benchmarks/out/`; its canonical CSV",
    "  export comes from `conflictmap import FILE -o FILE.csv`.",
    "- Times are wall-clock (`time.perf_counter`); *median* and *spread* are over the runs shown. Targets are",
    "  judged on the median and are set for 1,000,000 events; other sizes are judged against the same",
    "  figures for reference.",
    "- Opens: every run is a fresh Python process, the files it reads evicted from the OS page cache first",
    "  (`posix_fadvise(DONTNEED)`); the row times the open call, module imports are reported apart. *First",
    "  open*: the dashboard's catalog (`catalog.load_events`) on the CSV with an empty cache folder (it reads",
    "  and checks every row and writes its GeoParquet cache); *from its GeoParquet cache*: the same call",
    "  again in another fresh process, reading that cache.",
    "- Filter, map and timeline run in one process with the table loaded. A map update goes as on the page:",
    "  `viewport.PointArrays` and `viewport.plan_layer` (no view reported yet: the zoom that fits the events;",
    "  the zoomed row: a view around Mopti at zoom 10), `livemap.base_map` and `livemap.event_layer`, then",
    "  streamlit_folium's own generation path (`st_folium` with `feature_group_to_add`, its component",
    "  function replaced by one that keeps the arguments); *bytes sent* is the JSON of those arguments.",
    "- *CPU* is the median CPU time (user + system, every thread) of the process doing the step over the same",
    "  runs: for opens the open call, for the snapshot the whole command. When the machine is busy, wall",
    "  time well above CPU time is time spent waiting for a core.",
    "- *Peak memory* is the peak resident set (VmHWM, reset before the step) of the process doing the step:",
    "  the worker with the whole table loaded, or the fresh process of an open.",
    "- Page: `streamlit.testing.v1.AppTest` on `dashboard.py` with `CONFLICTMAP_DATA` set to the file and",
    "  the catalog's cache of it present, as after the page's first start; bytes are the protobuf sizes of",
    "  every element the page sends.",
    "- Browser: `streamlit run dashboard.py` on 127.0.0.1, Chromium (`/usr/bin/chromium`) through Playwright,",
    "  every request to another host aborted; each visit is a fresh browser context; the time runs from",
    "  `goto` to the first Leaflet shape or marker in the st_folium frame; bytes are what the websocket",
    "  carried. The dashboard's memory is VmRSS/VmHWM of the streamlit process from /proc.",
    "- Profiles: one extra run of a step under a sampling profiler (every thread's stack every 2 ms,",
    "  `benchmarks/sampler.py`); shares are of that run's wall time.",
    "",
]


def render(results: dict[str, object]) -> str:
    """The Markdown report."""
    machine: dict[str, object] = results["machine"]  # type: ignore[assignment]
    config: dict[str, object] = results["config"]  # type: ignore[assignment]
    sizes: list[dict[str, object]] = results["sizes"]  # type: ignore[assignment]
    lines = [
        "# conflictmap benchmark results",
        "",
        "Written by `make bench` (`python -m benchmarks`); raw figures in the JSON file next to this one.",
        f"Measured {machine['date']} on {machine['cpu']} ({machine['cores']} cores, "
        f"{fmt_bytes(machine['memory_bytes'])}).",  # type: ignore[arg-type]
        "",
        f"Filter used throughout: {config['filter']}.",
        "",
    ]
    at_target = [s for s in sizes if s["n"] == TARGET_N]
    if at_target:
        verdicts = [
            verdict(step, at_target[0]["steps"][step.id])
            for step in STEPS
            if step.id in at_target[0]["steps"] and step.has_target
        ]  # type: ignore[index]
        met = sum(1 for v, _ in verdicts if v == "pass")
        lines += [f"**At 1,000,000 events: {met} of {len(verdicts)} targets met.**", ""]
    lines += ["## Missed targets and why", "", *_misses(sizes)]
    for size in sizes:
        n = int(size["n"])  # type: ignore[call-overload]
        load = ", ".join(f"{v:.2f}" for v in size["load_at_start"])  # type: ignore[union-attr]
        lines += [
            f"## {n:,} events",
            "",
            *_table(size),
            "",
            *_details(size),
            f"- Load average at the start: {load}.",
            "",
        ]
    lines += _naive(sizes)
    lines += HOW
    lines += _machine(machine, config)
    return "\n".join(lines)


def write(results: dict[str, object], markdown: Path, raw: Path) -> None:
    """Write the Markdown report and the raw figures."""
    markdown.parent.mkdir(parents=True, exist_ok=True)
    markdown.write_text(render(results), encoding="utf-8")
    raw.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")

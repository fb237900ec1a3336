"""Admin areas and playback at scale: choropleth and frame figures on synthetic events.

    PYTHONPATH=src python -m benchmarks.areas [N ...]     # default 1,000,000

Writes ``benchmarks/AREAS.md`` and ``benchmarks/AREAS.json``. Each figure is the
median of ``REPEATS`` runs in this process (the first run of a cached step is
reported on its own row). Targets are the issue's: a playback frame in
≤ 300 ms and ≤ 1 MB sent; the choropleth inside the map update's 300 ms.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np

from conflictmap import arealayers, areas, livemap, synth, timeline
from conflictmap.export.animate import write_animation
from conflictmap.filters import FilterSpec
from conflictmap.playback import Playback

HERE = Path(__file__).parent
REPEATS = 5
SPEC = FilterSpec(date_from="2023-01-01", date_to="2023-12-31", event_types=["Battles", "Violence against civilians"])


def _time(fn: Callable[[], object], repeats: int = REPEATS) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def measure(n: int) -> list[dict[str, object]]:
    """Every figure for ``n`` synthetic events."""
    rows: list[dict[str, object]] = []

    def add(step: str, seconds: float, target: str = "", size: int | None = None, note: str = "") -> None:
        rows.append(
            {"n": n, "step": step, "ms": round(seconds * 1000, 1), "bytes": size, "target": target, "note": note}
        )
        print(f"{n:>9,}  {step:<60} {seconds * 1000:9.1f} ms" + (f"  {size:,} B" if size else ""), flush=True)

    events = synth.synth_events(n, seed=1)
    regions = areas.load_boundaries("admin1")

    start = time.perf_counter()
    areas.area_index(events, regions)
    add("point in polygon, every event (first time)", time.perf_counter() - start)
    seconds, _ = _time(lambda: areas.area_index(events, regions))
    add("point in polygon again (kept for the table)", seconds)
    seconds, _ = _time(lambda: areas.area_counts(events, "admin1", areas=regions))
    add("`area_counts` all events, by region", seconds)
    seconds, _ = _time(lambda: areas.area_counts(events, "admin1", "week", areas=regions))
    add("`area_counts` all events, by region and week", seconds)

    def choropleth(before: bool, table: gpd.GeoDataFrame = regions) -> tuple[int, int]:
        # As the page does it: the whole table, the filter's mask, the areas kept for the table.
        mask = SPEC.mask(events)
        counts = areas.area_counts(events, areas=table, mask=mask)
        prior = None
        if before:
            start_, end_ = timeline.previous_range(SPEC.date_from, SPEC.date_to)
            earlier = FilterSpec(**{**vars(SPEC), "date_from": start_, "date_to": end_}).mask(events)
            prior = areas.area_counts(events, areas=table, mask=earlier)
        m = folium.Map(location=[17, -4], zoom_start=5)
        arealayers.add_area_layer(m, counts, areas=table, before=prior)
        page = m.get_root().render()
        return int(mask.sum()), len(page.encode())

    seconds, (shown, size) = _time(lambda: choropleth(False))
    add(f"choropleth: filter + counts + Areas layer + HTML ({shown:,} events)", seconds, "≤ 300 ms, ≤ 1 MB", size)
    seconds, (_, size) = _time(lambda: choropleth(True))
    add("choropleth against the period before (two periods counted)", seconds, "≤ 300 ms, ≤ 1 MB", size)

    cercles = areas.load_boundaries("admin2")
    start = time.perf_counter()
    areas.area_index(events, cercles)
    add(f"point in polygon, every event, {len(cercles)} cercles (first time)", time.perf_counter() - start)
    seconds, _ = _time(lambda: areas.area_counts(events, "admin2", "week", areas=cercles))
    add("`area_counts` all events, by cercle and week", seconds)
    seconds, (_, size) = _time(lambda: choropleth(True, cercles))
    add("choropleth by cercle against the period before", seconds, "≤ 300 ms, ≤ 1 MB", size)
    plain = len(livemap.base_map(regions=regions).get_root().render().encode())
    seconds, size = _time(lambda: len(livemap.base_map(regions=regions, cercles=cercles).get_root().render().encode()))
    add("base map with region and cercle borders and names", seconds, "", size, f"cercles add {size - plain:,} B")

    missing = events.copy()
    missing.loc[missing.index[::10], "admin1"] = None
    seconds, _ = _time(lambda: areas.derive_admin_names(missing), repeats=1)
    add("`derive_admin_names` (10% of rows without admin1, spatial join, regions and cercles)", seconds)

    shown = FilterSpec(date_from="2023-01-01", date_to="2023-12-31").apply(events)
    seconds, play = _time(lambda: Playback(shown, "week", "window", date(2023, 1, 1), date(2023, 12, 31)))
    add(f"playback set-up, 2023 by week ({len(shown):,} events, {len(play)} frames)", seconds)
    per_frame, sizes = [], []
    for cell in (0.5, 0.1):
        play.payload(0, cell)  # the cell codes are made once per cell size
    for i in range(len(play)):
        start = time.perf_counter()
        payload = play.payload(i, 0.1)
        per_frame.append(time.perf_counter() - start)
        sizes.append(len(json.dumps(payload)))
    add("playback frame (window, 0.1° cells): median", statistics.median(per_frame), "≤ 300 ms, ≤ 1 MB", max(sizes))
    add("playback frame (window, 0.1° cells): slowest", max(per_frame), "≤ 300 ms, ≤ 1 MB", max(sizes))
    from conflictmap.viewport import plan_layer

    play.points()
    plans = []
    for i in range(len(play)):
        start = time.perf_counter()
        points, _ = play.frame_points(i)
        plan_layer(points, "auto")
        plans.append(time.perf_counter() - start)
    add(
        "playback frame → the map's layer plan (`frame_points` + `plan_layer`): median",
        statistics.median(plans),
        "≤ 300 ms",
    )
    add("playback frame → the map's layer plan: slowest", max(plans), "≤ 300 ms")
    seconds, page = _time(lambda: arealayers.add_playback_control(folium.Map(), play).get_root().render(), repeats=1)
    add(
        f"playback control with all {len(play)} frames in the page (2023 by week)",
        seconds,
        "≤ 5 MB",
        len(page.encode()),
    )
    whole = Playback(events, "month", "cumulative")
    whole.points()
    seconds, _ = _time(lambda: plan_layer(whole.frame_points(len(whole) - 1)[0], "auto"))
    add(f"cumulative last frame → layer plan, all {n:,} events", seconds, "≤ 300 ms")
    whole.payload(0, 0.02)
    seconds, payload = _time(lambda: whole.payload(len(whole) - 1, 0.02))
    add(
        f"playback frame, cumulative, all {n:,} events, 0.02° cells (last of {len(whole)})",
        seconds,
        "≤ 300 ms, ≤ 1 MB",
        len(json.dumps(payload)),
        f"{payload['cells_left_out']:,} cells left out" if payload["cells_left_out"] else "",
    )
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "2023.gif"
        seconds, prov = _time(
            lambda: write_animation(
                events, FilterSpec(date_from="2023-01-01", date_to="2023-12-31"), out, step="month"
            ),
            repeats=1,
        )
        add(f"GIF of 2023 by month ({len(prov.drawing['frames'])} frames)", seconds, "", out.stat().st_size)
        seconds, prov = _time(
            lambda: write_animation(events, FilterSpec(date_from="2023-01-01", date_to="2023-12-31"), out, step="week"),
            repeats=1,
        )
        add(f"GIF of 2023 by week ({len(prov.drawing['frames'])} frames)", seconds, "", out.stat().st_size)
    return rows


def write(rows: list[dict[str, object]]) -> None:
    """``AREAS.json`` and ``AREAS.md`` next to this file."""
    machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    (HERE / "AREAS.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=1) + "\n")
    lines = [
        "# Admin areas and playback: figures",
        "",
        f"`PYTHONPATH=src python -m benchmarks.areas` on synthetic events ({machine}); "
        f"median of {REPEATS} runs unless a row says first. Filter of the choropleth: {SPEC.describe()}. "
        "The machine's 2 cores are shared: the same rows measured up to 3× slower in busier runs.",
        "",
        "| events | step | time | sent | target | note |",
        "|---:|---|---:|---:|---|---|",
    ]
    for r in rows:
        size = (
            f"{r['bytes'] / 1e6:.2f} MB"
            if r["bytes"] and r["bytes"] >= 100_000
            else (f"{r['bytes']:,} B" if r["bytes"] else "")
        )
        lines.append(f"| {r['n']:,} | {r['step']} | {r['ms']:,.1f} ms | {size} | {r['target']} | {r['note']} |")
    (HERE / "AREAS.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str]) -> int:
    sizes = [int(a.replace("_", "")) for a in argv] or [1_000_000]
    rows = [row for n in sizes for row in measure(n)]
    write(rows)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main(sys.argv[1:]))

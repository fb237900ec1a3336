"""What a user waits for on the page, end to end in headless Chromium: open, filter, click, zoom.

    python -m benchmarks.interactions EVENTS_FILE [--root CHECKOUT] [--runs N] [--out FILE.json]

Starts ``streamlit run dashboard.py`` from ``--root`` (default: this checkout) on
the file, visits it once to fill the server's caches, then times, over ``--runs``
fresh browser contexts:

* ``warm_visit``: ``goto`` → the map's first shape drawn;
* ``filter``: a click on "Precise only" → the map's layer replaced (new nodes);
* ``zoom``: a click on the zoom-in button → the layer re-aggregated for the new view;
* ``click``: a click on an event → its details beside the map.

A layer is "replaced" when the map holds a drawn node that was not there before
the action (nodes are marked before it): Leaflet moves its nodes on a zoom, it
never makes new ones, so new nodes come from the server. The click is timed on a
narrower view (``CLICK_QUERY``) so single events are drawn. Prints one JSON line
per action and writes the medians to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from appserver import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DRAWN = ".cm-event, .cm-cell, .cm-cell-icon, .marker-cluster, .leaflet-marker-icon"
#: A view with a few hundred single events (the synthetic data's protests in 2024), to click one.
CLICK_QUERY = "?type=Protests&from=2024-01-01&to=2024-12-31"
TIMEOUT_MS = 120_000


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def start(root: Path, data: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """``streamlit run dashboard.py`` in ``root`` on ``data``; returns once it answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTMAP_")}
    env |= {"CONFLICTMAP_DATA": str(data), "PYTHONPATH": str(root / "src"), "CONFLICTMAP_DATA_DIR": str(log.parent)}
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
    out = log.open("wb")
    process = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while not _healthy(url):
        try:
            process.wait(timeout=0.25)
            raise RuntimeError(log.read_text()[-2000:])
        except subprocess.TimeoutExpired:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("not healthy in 120 s")
    return process, url


def _mark(frame) -> None:
    frame.evaluate("(sel) => document.querySelectorAll(sel).forEach(n => n.setAttribute('data-bench-old', '1'))", DRAWN)


def _wait_new(frame_locator) -> None:
    selector = ", ".join(f"{s}:not([data-bench-old])" for s in DRAWN.split(", "))
    frame_locator.locator(selector).first.wait_for(state="attached", timeout=TIMEOUT_MS)


def _open(page, url: str) -> float:
    began = time.perf_counter()
    page.goto(url)
    fl = page.frame_locator(FRAME)
    fl.locator(DRAWN).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    drawn = time.perf_counter() - began
    fl.locator(".leaflet-container[data-cm-fitted]").wait_for(state="attached", timeout=TIMEOUT_MS)
    return drawn


def _map_frame(page):
    return page.locator(FRAME).element_handle().content_frame()


def measure(url: str, runs: int) -> dict[str, list[float]]:
    """Every action's seconds, ``runs`` times each."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"warm_visit": [], "filter": [], "zoom": [], "click": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        viewport = {"width": 1440, "height": 900}
        # One visit of each view fills the server's caches.
        for query in ("", CLICK_QUERY):
            context = browser.new_context(viewport=viewport)
            _open(context.new_page(), url + "/" + query)
            context.close()
        for _ in range(runs):
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            times["warm_visit"].append(_open(page, url + "/"))
            fl = page.frame_locator(FRAME)
            page.wait_for_load_state("networkidle")

            _mark(_map_frame(page))
            began = time.perf_counter()
            page.locator('[data-testid="stSidebar"]').get_by_text("Precise only").click()
            _wait_new(fl)
            times["filter"].append(time.perf_counter() - began)
            page.wait_for_load_state("networkidle")

            _mark(_map_frame(page))
            began = time.perf_counter()
            fl.locator(".leaflet-control-zoom-in").click()
            _wait_new(fl)
            times["zoom"].append(time.perf_counter() - began)
            context.close()

            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            _open(page, url + "/" + CLICK_QUERY)
            fl = page.frame_locator(FRAME)
            page.wait_for_load_state("networkidle")
            marker = fl.locator("path.cm-event").nth(3)
            # Dispatched on the marker itself: a legend or the page's scroll position cannot take the click.
            began = time.perf_counter()
            marker.dispatch_event("click")
            page.locator(".cm-details").first.wait_for(state="attached", timeout=TIMEOUT_MS)
            times["click"].append(time.perf_counter() - began)
            context.close()
        browser.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.interactions", description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    log = args.data.parent / f"interactions-{args.root.name}.log"
    process, url = start(args.root.resolve(), args.data.resolve(), log)
    try:
        times = measure(url, args.runs)
    finally:
        process.terminate()
        process.wait(timeout=30)
    summary = {
        name: {"median_s": round(statistics.median(v), 3), "min_s": round(min(v), 3), "max_s": round(max(v), 3)}
        for name, v in times.items()
    }
    summary["_runs"] = args.runs
    summary["_root"] = str(args.root)
    print(json.dumps(summary, indent=1))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

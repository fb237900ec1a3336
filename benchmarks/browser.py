"""The page in a real browser: ``streamlit run dashboard.py`` on the N-event file, Debian's Chromium via Playwright.

Each visit opens the URL in a fresh browser context (an empty browser cache,
like a new visitor) and times from ``goto`` to the first Leaflet shape or marker
drawn inside the st_folium frame. Chromium sends every request to any host but
the loopback through a proxy that does not exist (``OFFLINE_ARGS``), so nothing
leaves the machine and each such request is recorded as blocked; requests are
not routed through Playwright, which would add a round trip to Python to each of
the page's requests and measure the benchmark instead of the page. The first
visit finds the server's caches empty; later ones find them filled, which is
the "warm" case of the targets. After each visit the server's resident memory is
read from /proc.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from urllib.parse import urlsplit

from appserver import CHROMIUM, CHROMIUM_ARGS, AppStartError, RunningApp, start_app

from benchmarks.measure import Sample, proc_status

START_TIMEOUT_S = 120
#: No proxy listens on port 9 (discard) of the loopback; Chromium reaches 127.0.0.1 directly.
OFFLINE_ARGS = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"]
#: Streamlit's frontend has started (its scripts loaded and run).
SHELL = '[data-testid="stApp"]'
#: The first element the page's script sent has been drawn.
FIRST_ELEMENT = '[data-testid="stElementContainer"]'
FRAME = 'iframe[title="streamlit_folium.st_folium"]'
# Grid cells, rings and circles are SVG paths; clusters and pins are marker icons.
DRAWN = ".cm-event, .cm-cell, .cm-cell-icon, .marker-cluster, .leaflet-interactive, .leaflet-marker-icon"


class Server:
    """``streamlit run dashboard.py`` on 127.0.0.1 with ``CONFLICTMAP_DATA`` (or ``settings``) set, stopped on exit."""

    def __init__(self, data: Path | None, log_dir: Path, settings: dict[str, str] | None = None) -> None:
        self.data = data
        self.settings = settings or {}
        self.log_dir = log_dir
        self.app: RunningApp | None = None

    def __enter__(self) -> Server:
        settings = {"CONFLICTMAP_DATA": str(self.data)} if self.data is not None else {}
        try:
            self.app = start_app(self.log_dir, settings | self.settings, START_TIMEOUT_S)
        except AppStartError as exc:
            raise RuntimeError(str(exc)[-1500:]) from None
        return self

    @property
    def url(self) -> str:
        assert self.app is not None
        return self.app.url

    def __exit__(self, *exc: object) -> None:
        if self.app is not None:
            self.app.stop()

    def memory(self) -> dict[str, int]:
        assert self.app is not None
        return proc_status(self.app.process.pid)


def _visit(browser, url: str, timeout_s: float, screenshot: Path, keep: bool) -> dict[str, object]:
    """One visit in a fresh context: milestones in seconds from ``goto``, bytes over the websocket, shapes drawn.

    The page is saved to ``screenshot`` when ``keep`` is set or the visit failed.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []
    received = [0]

    def on_request(request) -> None:
        target = request.url
        if not target.startswith(("data:", "blob:")) and urlsplit(target).hostname != "127.0.0.1":
            blocked.append(target)

    def on_websocket(ws) -> None:
        ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))

    context.on("request", on_request)
    page = context.new_page()
    page.on("websocket", on_websocket)
    marks: dict[str, float] = {}
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_selector(SHELL, state="attached", timeout=timeout_s * 1000)
        marks["shell"] = time.perf_counter() - start
        page.wait_for_selector(FIRST_ELEMENT, state="attached", timeout=timeout_s * 1000)
        marks["first element"] = time.perf_counter() - start
        page.wait_for_selector(FRAME, state="attached", timeout=timeout_s * 1000)
        marks["frame"] = time.perf_counter() - start
        frame = page.frame_locator(FRAME)
        frame.locator(".leaflet-container").first.wait_for(state="attached", timeout=timeout_s * 1000)
        marks["leaflet"] = time.perf_counter() - start
        frame.locator(DRAWN).first.wait_for(state="attached", timeout=timeout_s * 1000)
        marks["drawn"] = time.perf_counter() - start
        shapes = frame.locator(DRAWN).count()
        error = None
    except Exception as exc:  # a Playwright timeout or a crashed page: recorded, not raised
        shapes = 0
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
    if keep or error:
        # A screenshot of a page that died is not worth failing the run for.
        with contextlib.suppress(Exception):
            page.screenshot(path=str(screenshot), full_page=True)
    context.close()
    return {"marks": marks, "ws_bytes": received[0], "shapes": shapes, "blocked": blocked, "error": error}


def run_browser(
    data: Path | None,
    visits: int,
    log_dir: Path,
    screenshot: Path,
    timeout_s: float,
    *,
    settings: dict[str, str] | None = None,
    path: str = "",
) -> dict[str, object]:
    """Start the dashboard on ``data`` and time ``visits`` + 1 visits (the first with the server's caches empty).

    ``settings`` are more ``CONFLICTMAP_*`` variables for the server; ``path`` follows the server's
    address in the URL visited (e.g. ``/?src=store``).
    """
    if not CHROMIUM.exists():
        return {"status": "n/a", "note": f"{CHROMIUM} is not installed"}
    from playwright.sync_api import sync_playwright

    log_dir.mkdir(parents=True, exist_ok=True)
    with Server(data, log_dir, settings) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *OFFLINE_ARGS])
        try:
            results = []
            memory = []
            for i in range(visits + 1):
                results.append(_visit(browser, server.url + path, timeout_s, screenshot, keep=i == visits))
                memory.append(server.memory())
                if results[-1]["error"]:
                    break
        finally:
            browser.close()
    first, warm = results[0], results[1:]
    failed = next((r["error"] for r in results if r["error"]), None)
    out: dict[str, object] = {
        "status": "error" if failed else "ok",
        "note": failed,
        "first": first,
        "visits": results,
        "memory": memory,
        "screenshot": str(screenshot),
    }
    if not failed:
        out["first_sample"] = Sample([first["marks"]["drawn"]]).as_dict()  # type: ignore[index]
        out["warm_sample"] = Sample([r["marks"]["drawn"] for r in warm]).as_dict()  # type: ignore[index]
    return out

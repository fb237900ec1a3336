"""Shared fixtures: event tables written for the tests, the running app and a real Chromium.

The app fixtures start ``streamlit run dashboard.py`` on 127.0.0.1 and wait
for ``/_stcore/health``; the browser fixtures drive Debian's chromium through
Playwright with every request to another host aborted and recorded, so a test
proves the page works offline. A failed browser test leaves a screenshot in
``test-artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import appserver
import geopandas as gpd
import pandas as pd
import pytest
from appserver import CHROMIUM, CHROMIUM_ARGS, RunningApp
from builders import BACKENDS, Target, build_events, event_row, synthetic_events
from pgcluster import Cluster, session_cluster

from conflictmap import gazetteer
from conflictmap.store import EventStore

ROOT = Path(__file__).resolve().parents[1]
SEED_EVENTS = ROOT / "data" / "seed_events.csv"
ARTIFACTS = ROOT / "test-artifacts"
APP_START_TIMEOUT_S = 90
LOCAL_HOSTS = ("127.0.0.1",)

#: Text that would run script if it reached the page as HTML.
HOSTILE_NOTE = "<script>alert(1)</script> then <img src=x onerror=alert(2)> & done"
HOSTILE_ACTOR = "<img src=x onerror=alert(3)>"
HOSTILE_PLACE = '"><svg onload=alert(4)>'


@pytest.fixture(autouse=True)
def _no_learned_places_left() -> Iterator[None]:
    """Places one test learned (the page learns a dataset's places) do not reach the next test."""
    yield
    gazetteer.forget_learned()


# -- event tables ------------------------------------------------------------------------------------


@pytest.fixture
def make_events() -> Callable[..., gpd.GeoDataFrame]:
    """Build a canonical event table from row overrides: ``make_events({"fatalities": 3}, {...})``.

    ``builders.build_events``; pass ``base=builders.BARE_ROW`` for events with no actors or places.
    """
    return build_events


@pytest.fixture(scope="session")
def synthetic() -> Callable[[int], gpd.GeoDataFrame]:
    """``synthetic(n)``: ``n`` random canonical events (cached per size)."""
    cache: dict[int, gpd.GeoDataFrame] = {}

    def get(n: int) -> gpd.GeoDataFrame:
        if n not in cache:
            cache[n] = synthetic_events(n)
        return cache[n]

    return get


@pytest.fixture
def hostile_csv(tmp_path: Path) -> Path:
    """A canonical CSV of one event whose notes, actor and place hold HTML that would run script."""
    frame = pd.DataFrame(
        [event_row(0, notes=HOSTILE_NOTE, actor1=HOSTILE_ACTOR, location=HOSTILE_PLACE, event_id="HOSTILE-1")]
    )
    path = tmp_path / "hostile_events.csv"
    frame.to_csv(path, index=False)
    return path


# -- the running app ---------------------------------------------------------------------------------


def start_app(
    log_dir: Path,
    data: Path | None = None,
    data_dir: Path | None = None,
    store: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> RunningApp:
    """Start the dashboard on a free port of 127.0.0.1 and return once it answers its health check.

    Parameters
    ----------
    log_dir : pathlib.Path
        Where the server's output goes (shown if it does not start).
    data : pathlib.Path, optional
        Event file for ``CONFLICTMAP_DATA``; default the seed events.
    data_dir : pathlib.Path, optional
        Folder for ``CONFLICTMAP_DATA_DIR`` (the dataset picker); default ``data/``.
    store : pathlib.Path, optional
        GeoPackage for ``CONFLICTMAP_STORE`` (the event store); default the setting's default.
    env : mapping, optional
        More settings for the server (``CONFLICTMAP_DB``, ``CONFLICTMAP_USER``, ...).
    """
    named = {"CONFLICTMAP_DATA": data, "CONFLICTMAP_DATA_DIR": data_dir, "CONFLICTMAP_STORE": store}
    settings = {name: str(value) for name, value in named.items() if value is not None} | dict(env or {})
    try:
        return appserver.start_app(log_dir, settings, APP_START_TIMEOUT_S)
    except appserver.AppStartError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the dashboard running on the seed events, shared by every test of the run."""
    app = start_app(tmp_path_factory.mktemp("app"))
    yield app.url
    app.stop()


@pytest.fixture
def app_factory(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """``app_factory(data_file, data_dir=None, store=None, env=None)`` starts the dashboard and returns its URL.

    The app is stopped after the test.
    """
    started: list[RunningApp] = []

    def start(
        data: Path | None = None,
        data_dir: Path | None = None,
        store: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> str:
        started.append(start_app(tmp_path, data, data_dir, store, env))
        return started[-1].url

    yield start
    for app in started:
        app.stop()


# -- the browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing; install Debian's chromium package to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class BrowserPage:
    """A page whose requests to any host but 127.0.0.1 are aborted and recorded; dialogs and errors recorded too."""

    page: object
    blocked: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


def offline_page(browser, viewport: Mapping[str, int] | None = None) -> tuple[object, BrowserPage]:
    """A new browser context and its page, whose requests to any host but 127.0.0.1 are aborted and recorded.

    Returns the context (close it when done) and the page with what it recorded.
    """
    from urllib.parse import urlsplit

    context = browser.new_context(viewport=dict(viewport or {"width": 1400, "height": 1000}))
    page = context.new_page()
    state = BrowserPage(page)

    def route(r) -> None:
        url = r.request.url
        state.requested.append(url)
        if url.startswith("file:") or urlsplit(url).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            state.blocked.append(url)
            r.abort()

    def on_dialog(dialog) -> None:
        state.dialogs.append(dialog.message)
        dialog.dismiss()

    context.route("**/*", route)
    page.on("dialog", on_dialog)
    page.on("console", lambda message: message.type == "error" and state.console_errors.append(message.text))
    page.on("pageerror", lambda error: state.page_errors.append(str(error)))
    return context, state


def screenshot_if_failed(request: pytest.FixtureRequest, page, name: str | None = None) -> None:
    """Save a full-page screenshot in ``test-artifacts/`` when the test's call failed."""
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name or request.node.name}.png"), full_page=True)


@pytest.fixture
def browser_page(browser, request: pytest.FixtureRequest) -> Iterator[BrowserPage]:
    """A fresh context and page that cannot reach the internet; screenshot on failure."""
    context, state = offline_page(browser)
    yield state
    screenshot_if_failed(request, state.page)
    context.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests first: they are the longest, and spread over the workers early they end the run sooner."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the test item, so fixtures can see whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The throwaway PostgreSQL + PostGIS cluster (skipped locally, a failure under CI, when not installed)."""
    yield from session_cluster()


# -- stores -----------------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    """Where an empty store of each backend goes: a GeoPackage path (not made yet), or a fresh PostGIS database."""
    if request.param == "geopackage":
        yield Target("geopackage", str(tmp_path / "store" / "events.gpkg"))
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database()
    yield Target("postgis", url)
    cluster.drop_database(url)


@pytest.fixture
def store(target: Target) -> Iterator[EventStore]:
    """An empty store of each backend, open."""
    opened = target.open()
    yield opened
    opened.close()


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``run(*argv)`` -> (exit code, stdout, stderr) through the real command line."""
    from conflictmap import cli

    def call(*argv: object) -> tuple[int, str, str]:
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as exc:  # argparse's own usage errors
            code = exc.code
        out = capsys.readouterr()
        return code, out.out, out.err

    return call

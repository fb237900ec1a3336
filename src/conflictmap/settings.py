"""Every setting in one table: name, default and help. The README lists them.

Settings come from environment variables; ``get`` reads one, falling back to
its default.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass

from conflictmap.errors import ConflictmapError


class SettingError(ConflictmapError, ValueError):
    """A setting whose value cannot be used; the message names it, the value and what is expected."""


@dataclass(frozen=True)
class Setting:
    """One setting: its environment variable, default and a line of help."""

    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "CONFLICTMAP_DATA",
        "",
        "Event file the dashboard opens on (any format the readers take); empty: the seed events.",
    ),
    Setting("CONFLICTMAP_DATA_DIR", "data", "Folder whose event files the dashboard's dataset picker lists."),
    Setting(
        "CONFLICTMAP_ASSETS",
        "static/vendor",
        "Folder holding the Leaflet assets fetched at set-up (served at /app/static/vendor).",
    ),
    Setting("CONFLICTMAP_STORE", "data/conflictmap.gpkg", "Embedded event store (a GeoPackage QGIS opens as it is)."),
    Setting(
        "CONFLICTMAP_DB", "", "PostgreSQL/PostGIS URL (postgresql://...) for a team store; empty: the embedded store."
    ),
    Setting(
        "CONFLICTMAP_PUBLIC_URL",
        "http://127.0.0.1:8501",
        "Address of the dashboard, used for the view link every export records.",
    ),
    Setting("CONFLICTMAP_USER", "", "Name recorded with every change to the store; empty: the OS user."),
    Setting(
        "CONFLICTMAP_REFRESH_S",
        "10",
        "Seconds between the dashboard's looks at the event store, while it is shown, for changes made "
        "elsewhere (other dashboards, imports); 0: only when the page is used.",
    ),
    Setting("CONFLICTMAP_ACLED_URL", "https://acleddata.com", "ACLED's API address (OAuth token and data endpoints)."),
    Setting("CONFLICTMAP_ACLED_EMAIL", "", "myACLED account e-mail for `conflictmap fetch acled`; empty: asked for."),
    Setting(
        "CONFLICTMAP_ACLED_PASSWORD",
        "",
        "myACLED password; empty: asked for. Used only to ask for a token, never written anywhere.",
    ),
    Setting("CONFLICTMAP_UCDP_URL", "https://ucdpapi.pcr.uu.se", "UCDP's API address."),
    Setting(
        "CONFLICTMAP_UCDP_TOKEN",
        "",
        "UCDP API access token (sent as x-ucdp-access-token); empty: asked for. Never written anywhere.",
    ),
    Setting(
        "CONFLICTMAP_FETCH_DIR",
        "data/fetch",
        "Folder where `conflictmap fetch` keeps the pages of an unfinished download and when each query last ran.",
    ),
    Setting(
        "CONFLICTMAP_FETCH_BACKOFF_S",
        "2",
        "Seconds before the first retry of a request the API refused for now (429, 5xx); doubled each time, "
        "unless the API says how long (Retry-After).",
    ),
    Setting("CONFLICTMAP_FETCH_RETRIES", "5", "How many times one request is retried before the fetch stops."),
    Setting(
        "CONFLICTMAP_FETCH_PAGE_SIZE",
        "",
        "Rows asked for per page; empty: each API's largest (ACLED 5000, UCDP 1000).",
    ),
    Setting(
        "CONFLICTMAP_COLUMNAR_MIN_MB",
        "50",
        "Event files of this many MB or more, shown alone or together, are answered by DuckDB over their "
        "GeoParquet caches, read in place, instead of being held in memory; 0: every file.",
    ),
    Setting(
        "CONFLICTMAP_ZIP_MAX_MB",
        "1024",
        "Largest size, in MB, an Excel workbook (or any zip archive read) may unpack to; larger ones are refused.",
    ),
    Setting(
        "CONFLICTMAP_ZIP_MAX_RATIO",
        "100",
        "Largest ratio of unpacked to packed size of any member above 10 MB of a zip archive read "
        "(a zip bomb's is in the thousands); higher ones are refused.",
    ),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """The value of setting ``name``: its environment variable, else its default.

    Raises
    ------
    KeyError
        If ``name`` is not a known setting.
    """
    setting = _BY_NAME[name]
    return os.environ.get(name, setting.default)


#: The shortest interval between two looks at the store: more often would load a shared database for nothing.
MIN_REFRESH_S = 1.0


def refresh_seconds() -> float:
    """The ``CONFLICTMAP_REFRESH_S`` setting as seconds: 0 (live refresh off) or at least ``MIN_REFRESH_S``.

    Raises
    ------
    SettingError
        Naming the setting, the value and what is expected.
    """
    return number(
        "CONFLICTMAP_REFRESH_S",
        lambda seconds: seconds == 0 or MIN_REFRESH_S <= seconds <= 86_400,
        f"a number of seconds from {MIN_REFRESH_S:g} to 86400, or 0 to switch live refresh off",
    )


def page_size(largest: int) -> int:
    """Rows per API page: ``CONFLICTMAP_FETCH_PAGE_SIZE`` if set, else ``largest``; never more than ``largest``.

    Raises
    ------
    SettingError
        Naming the setting, the value and what is expected.
    """
    text = get("CONFLICTMAP_FETCH_PAGE_SIZE").strip()
    if not text:
        return largest
    if not text.isdigit() or not 1 <= int(text) <= largest:
        raise SettingError(f"CONFLICTMAP_FETCH_PAGE_SIZE is {text!r}; expected a whole number from 1 to {largest}")
    return int(text)


def number(name: str, accept: Callable[[float], bool], expected: str) -> float:
    """The setting ``name`` as a number that ``accept`` takes.

    Raises
    ------
    SettingError
        Naming the setting, its value (at most 200 characters) and ``expected``.
    """
    text = get(name).strip()
    try:
        value = float(text)
    except ValueError:
        value = float("nan")  # accepted by no range
    if not accept(value):
        raise SettingError(f"{name} is {text[:200]!r}; expected {expected}")
    return value


def _positive(name: str) -> float:
    return number(name, lambda value: value > 0, "a number above 0")


def columnar_min_bytes() -> int:
    """``CONFLICTMAP_COLUMNAR_MIN_MB`` in bytes: files this large or larger are answered by DuckDB.

    Raises
    ------
    SettingError
        Naming the setting, the value and what is expected.
    """
    megabytes = number("CONFLICTMAP_COLUMNAR_MIN_MB", lambda value: value >= 0, "a number of MB, 0 or more")
    return int(megabytes * 1024 * 1024)


def zip_limits() -> tuple[int, float]:
    """The largest unpacked size (bytes) and ratio a zip archive may have: ``CONFLICTMAP_ZIP_MAX_MB`` and ``_RATIO``.

    Raises
    ------
    ValueError
        Naming the setting, the value and what is expected.
    """
    return int(_positive("CONFLICTMAP_ZIP_MAX_MB") * 1024 * 1024), _positive("CONFLICTMAP_ZIP_MAX_RATIO")


def user_name() -> str:
    """Who is making a change: ``CONFLICTMAP_USER``, else the OS user."""
    return get("CONFLICTMAP_USER") or getpass.getuser()


def settings_table() -> str:
    """The settings as a Markdown table (name, default, help), as the README shows it."""
    rows = ["| name | default | help |", "|---|---|---|"]
    rows += [f"| `{s.name}` | `{s.default}` | {s.help} |" for s in SETTINGS]
    return "\n".join(rows)

"""One download: the pages of a query, resumed where a stopped run left off, as canonical events.

Every page is put on disk (``spool.Spool``) before the next is asked for, so
a download that is killed, loses its connection or meets a malformed page
asks, next time, only for the pages it lacks. Rows are then made one per
event (an event that moved from one page to the next while the download was
stopped is kept once, its newest version) and read by the readers' mapping
(``convert``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import geopandas as gpd

from conflictmap.fetch.acled import AcledApi, Page
from conflictmap.fetch.convert import rows_to_events
from conflictmap.fetch.http import FetchError
from conflictmap.fetch.spool import Spool
from conflictmap.fetch.ucdp import UcdpApi
from conflictmap.readers.deleted import DeletedEvents, deleted_from_reply
from conflictmap.readers.report import ImportReport

SOURCES: tuple[str, ...] = ("acled", "ucdp")
#: The ``dataset`` each source's events carry.
DATASETS: dict[str, str] = {"acled": "acled", "ucdp": "ucdp_ged"}


@dataclass(frozen=True)
class Query:
    """What to download: a source, a country, and for UCDP a release; for ACLED optionally changes since a time.

    Attributes
    ----------
    source : {"acled", "ucdp"}
    country : str
        ACLED's country name (``Mali``) or UCDP's Gleditsch-Ward code (``432``).
    version : str or None
        UCDP GED release (``25.1``).
    since : int or None
        ACLED: only events added or changed at or after this time (Unix seconds).
    """

    source: str
    country: str
    version: str | None = None
    since: int | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"unknown source {self.source!r}; expected one of {list(SOURCES)}")
        if not str(self.country).strip():
            raise FetchError("a country is needed (ACLED: its name, e.g. Mali; UCDP: its code, e.g. 432)")
        if self.source == "ucdp" and not self.version:
            raise FetchError("UCDP needs a GED version, e.g. 25.1")

    def as_dict(self) -> dict[str, object]:
        """The query as plain values (what the run state and the spool's key are made from)."""
        return {"source": self.source, "country": self.country, "version": self.version, "since": self.since}

    def describe(self) -> str:
        """``ACLED API, country Mali, changed since 2024-05-01 00:00 UTC`` / ``UCDP GED 25.1 API, country 432``."""
        if self.source == "ucdp":
            return f"UCDP GED {self.version} API, country {self.country}"
        text = f"ACLED API, country {self.country}"
        if self.since is not None:
            text += f", changed since {datetime.fromtimestamp(self.since, UTC):%Y-%m-%d %H:%M} UTC"
        return text


@dataclass(frozen=True)
class FetchProgress:
    """Where a download is: ``stage`` (``events`` or ``deleted``), pages and rows so far, pages in all if known."""

    stage: str
    pages: int
    rows: int
    total_pages: int | None
    message: str


#: Told after each page.
Progress = Callable[[FetchProgress], None]


@dataclass
class Download:
    """A finished download.

    Attributes
    ----------
    events : geopandas.GeoDataFrame
        The canonical events, one per ``event_id``.
    report : ImportReport
        Rows read, loaded and rejected (row numbers count the downloaded rows from 1).
    deleted : DeletedEvents
        ACLED: the events ACLED deleted since ``query.since`` (``frame``: ``event_id``, ``deleted_at``).
    newest : int or None
        The newest ACLED ``timestamp`` among the rows (Unix seconds).
    pages, resumed : int
        Pages in all, and of them those already on disk from a stopped run.
    """

    query: Query
    events: gpd.GeoDataFrame
    report: ImportReport
    deleted: DeletedEvents = field(default_factory=lambda: _deleted([]))
    newest: int | None = None
    pages: int = 0
    resumed: int = 0


def _collect(
    kind: str,
    first: int,
    pages: Callable[[int], Iterator[Page]],
    spool: Spool,
    have: dict[int, dict[str, object]],
    progress: Progress | None,
    overlap: bool = False,
) -> tuple[list[dict[str, object]], int, int]:
    """All rows of one kind: pages on disk, then the rest asked for; returns rows, pages and pages kept.

    With ``overlap`` a resumed download asks again for the last page it has: rows the source
    deleted meanwhile on earlier pages move later rows up, and the re-asked page catches the
    rows that moved onto it (rows seen twice are made one later).
    """
    number = first
    while number in have:
        number += 1
    kept = number - first
    complete = kept > 0 and bool(have[number - 1]["last"])
    got = {n: have[n] for n in range(first, number)}
    earlier: list[dict[str, object]] = []
    if overlap and kept and not complete:
        number -= 1
        kept -= 1
        earlier = list(got.pop(number)["rows"])  # type: ignore[arg-type]
    rows_so_far = sum(len(p["rows"]) for p in got.values())  # type: ignore[arg-type]
    if progress and kept:
        progress(FetchProgress(kind, kept, rows_so_far, None, f"{kept} pages kept from the stopped download"))
    if not complete:
        for page in pages(number):
            spool.add(kind, page.number, page.rows, page.last)
            got[page.number] = {"rows": page.rows, "last": page.last}
            rows_so_far += len(page.rows)
            if progress:
                total = page.total_pages
                progress(
                    FetchProgress(kind, len(got), rows_so_far, total, f"page {page.number}: {len(page.rows)} rows")
                )
    rows = earlier + [r for n in sorted(got) for r in got[n]["rows"]]  # type: ignore[union-attr]
    return rows, len(got), kept


def _one_per_event(rows: list[dict[str, object]], id_column: str) -> list[dict[str, object]]:
    """One row per id: the one with the newest ``timestamp``, else the later one."""
    best: dict[object, dict[str, object]] = {}
    for row in rows:
        key = row.get(id_column)
        if key is None:
            best[("row", id(row))] = row
            continue
        old = best.get(key)
        if old is None or _stamp(row) >= _stamp(old):
            best[key] = row
    return list(best.values())


def _stamp(row: dict[str, object]) -> float:
    try:
        return float(row.get("timestamp") or 0)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def download(query: Query, api: AcledApi | UcdpApi, spool: Spool, *, progress: Progress | None = None) -> Download:
    """Download ``query``'s pages (resuming from ``spool``) and read them into canonical events.

    Raises
    ------
    conflictmap.fetch.FetchError
        When a page cannot be had; the pages before it stay in the spool for the next run.
    """
    have = spool.load()
    if query.source == "acled":
        assert isinstance(api, AcledApi)
        rows, pages, resumed = _collect(
            "events",
            1,
            lambda start: api.events(query.country, query.since, start),
            spool,
            have.get("events", {}),
            progress,
            overlap=True,  # ACLED's data can change while a download is stopped
        )
        rows = _one_per_event(rows, "event_id_cnty")
        deleted_rows: list[dict[str, object]] = []
        if query.since is not None:
            deleted_rows, more, again = _collect(
                "deleted",
                1,
                lambda start: api.deleted(query.since or 0, start),
                spool,
                have.get("deleted", {}),
                progress,
            )
            pages, resumed = pages + more, resumed + again
    else:
        assert isinstance(api, UcdpApi)
        rows, pages, resumed = _collect(
            "events",
            0,
            lambda start: api.events(query.version or "", query.country, start),
            spool,
            have.get("events", {}),
            progress,
        )
        rows = _one_per_event(rows, "id")
        deleted_rows = []
    events, report = rows_to_events(rows, query.source, label=query.describe())
    stamps = [_stamp(r) for r in rows if r.get("timestamp") not in (None, "")]
    newest = int(max(stamps)) if stamps else None
    return Download(query, events, report, _deleted(deleted_rows), newest, pages, resumed)


def _deleted(rows: list[dict[str, object]]) -> DeletedEvents:
    """ACLED's deletions as the readers read a deleted-events reply."""
    return deleted_from_reply({"status": 200, "success": True, "count": len(rows), "data": rows})

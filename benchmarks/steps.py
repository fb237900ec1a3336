"""Every row of the results table: what it measures and its target (set for 1,000,000 events on this machine)."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1_000_000


@dataclass(frozen=True)
class Step:
    """One measured step; a target of ``None`` means the row is there for context."""

    id: str
    label: str
    max_seconds: float | None = None
    max_bytes: int | None = None
    max_memory: int | None = None

    @property
    def target(self) -> str:
        parts = []
        if self.max_seconds is not None:
            parts.append(f"≤ {self.max_seconds * 1000:.0f} ms" if self.max_seconds < 1 else f"≤ {self.max_seconds:g} s")
        if self.max_bytes is not None:
            parts.append(f"≤ {self.max_bytes / MB:g} MB sent")
        if self.max_memory is not None:
            parts.append(f"≤ {self.max_memory / 1e9:g} GB")
        return ", ".join(parts) or "—"

    @property
    def has_target(self) -> bool:
        return any(v is not None for v in (self.max_seconds, self.max_bytes, self.max_memory))


STEPS: tuple[Step, ...] = (
    Step("open_first", "first open of the CSV export: read, checked, GeoParquet cache written (fresh process)"),
    Step("open_cold", "open the dataset from its GeoParquet cache, cold (fresh process, files evicted)", 2.0),
    Step("open_parquet", "`read_events` on a GeoParquet file, cold (fresh process, file evicted)"),
    Step("open_warm", "open the dataset again in the same process (warm)"),
    Step("filter", "apply a FilterSpec (date range + 2 types + 3 actors): `FilterSpec.apply`", 0.030),
    Step("filter_mask", "… of which `FilterSpec.mask` (choosing the rows, no copy)"),
    Step("map_update", "map update: filter + aggregate + build what st_folium sends", 0.300, 1 * MB),
    Step("map_pan", "map update after zooming to a town (zoom 10), filter unchanged"),
    Step("map_all", "map of all events, no filter: build + what st_folium sends"),
    Step("timeline", "timeline aggregation of the filtered set: `timeline.aggregate`", 0.100),
    Step("page_first", "page: first run under AppTest (empty caches: reads the file)"),
    Step("page_rerun", "whole page rerun after a widget change (AppTest)", 1.0),
    Step("snapshot", "HTML snapshot of all events (`conflictmap snapshot`)", 15.0, 5 * MB),
    Step("browser_first", "page in Chromium: open the URL → map drawn, first visit after the server starts"),
    Step("browser_warm", "page: open the URL → map drawn, headless Chromium (server running)", 4.0),
    Step(
        "dashboard_rss", "resident memory of the dashboard process (after the page is drawn)", max_memory=1_500_000_000
    ),
    Step("naive", "naive map: one folium CircleMarker + popup per event, built and rendered"),
)
BY_ID = {s.id: s for s in STEPS}


def verdict(step: Step, result: dict[str, object]) -> tuple[str, list[str]]:
    """``pass``, ``MISS``, ``—`` (no target), ``n/a`` or ``error``, with the reasons for a miss."""
    status = result.get("status")
    if status != "ok":
        return (str(status), [])
    if not step.has_target:
        return ("—", [])
    reasons = []
    sample = result.get("sample")
    if step.max_seconds is not None and isinstance(sample, dict):
        median = float(sample["median"])
        if median > step.max_seconds:
            reasons.append(f"median {fmt_seconds(median)} > {fmt_seconds(step.max_seconds)}")
    sent = result.get("bytes")
    if step.max_bytes is not None and isinstance(sent, int) and sent > step.max_bytes:
        reasons.append(f"{fmt_bytes(sent)} sent > {fmt_bytes(step.max_bytes)}")
    memory = result.get("rss")
    if step.max_memory is not None and isinstance(memory, int) and memory > step.max_memory:
        reasons.append(f"{fmt_bytes(memory)} resident > {fmt_bytes(step.max_memory)}")
    return ("MISS" if reasons else "pass", reasons)


def fmt_seconds(value: float) -> str:
    """Seconds as ms below one second, else seconds."""
    if value < 1:
        return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def fmt_bytes(value: int | float | None) -> str:
    """Bytes in kB, MB or GB (powers of 1000)."""
    if value is None:
        return ""
    if value >= 1e9:
        return f"{value / 1e9:.2f} GB"
    if value >= 1e6:
        return f"{value / 1e6:.1f} MB"
    return f"{value / 1e3:.0f} kB"

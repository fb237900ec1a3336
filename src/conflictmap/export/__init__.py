"""Exports of a filtered view: map snapshots (HTML, PNG, PDF, SVG) and data (CSV, GeoJSON, GeoPackage).

Every export carries its provenance (``export.provenance``): the filter and
the dashboard URL that restores the view, the datasets with their versions or
update times and attribution, the event count and when it was made, stored
inside the file (``export.stored``); ``read_provenance`` reads it back.

``write_export`` writes a file chosen by its suffix (the command line);
``export_view`` returns a download's name, media type and bytes (the
dashboard).
"""

from __future__ import annotations

import io
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from conflictmap.errors import ConflictmapError
from conflictmap.export.data import CSV_LAYOUTS, DATA_KINDS, write_csv, write_geojson, write_gpkg
from conflictmap.export.html import write_html
from conflictmap.export.licence import (
    AGGREGATE_BY,
    DEFAULT_CELL_DEG,
    LICENCES,
    aggregate_events,
    sharing_notice,
)
from conflictmap.export.options import IMAGE_KINDS, ImageOptionError
from conflictmap.export.provenance import (
    Provenance,
    ProvenanceError,
    SourceInfo,
    make_provenance,
    source_info,
    upload_info,
)
from conflictmap.export.stored import add_geojson_provenance, read_provenance, sidecar_path, write_sidecar
from conflictmap.filters import FilterSpec
from conflictmap.readers.report import ImportReport

#: Snapshot kinds (maps) and data kinds, in menu order.
SNAPSHOT_KINDS: tuple[str, ...] = ("html", *IMAGE_KINDS)
KINDS: tuple[str, ...] = (*SNAPSHOT_KINDS, *DATA_KINDS)
#: File suffix -> kind.
SUFFIX_KINDS: dict[str, str] = {f".{k}": k for k in KINDS} | {".htm": "html"}
MIME_TYPES: dict[str, str] = {
    "html": "text/html",
    "png": "image/png",
    "pdf": "application/pdf",
    "svg": "image/svg+xml",
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "zip": "application/zip",
}
#: What each kind is, for menus and messages.
KIND_NAMES: dict[str, str] = {
    "html": "interactive map (HTML, works offline)",
    "png": "image (PNG)",
    "pdf": "document (PDF)",
    "svg": "vector image (SVG)",
    "csv": "events as CSV",
    "geojson": "events as GeoJSON",
    "gpkg": "events as GeoPackage",
}
#: ``progress(fraction, message)``: 0 to 1 and what is being done.
Progress = Callable[[float, str], None]
_SLUG_MAX = 80


class ExportError(ConflictmapError, ValueError):
    """An export cannot be made as asked (unknown format, option that does not apply); the message says why."""


@dataclass(frozen=True)
class ExportResult:
    """A finished export for download.

    Attributes
    ----------
    filename : str
        Named after the view and the date, e.g. ``conflictmap_battles_timbuktu_2024-05-02.png``.
    mime_type : str
        For the download.
    data : bytes
        The file. A CSV comes as a ZIP holding the CSV and its provenance sidecar.
    provenance : Provenance
        The record stored in it.
    """

    filename: str
    mime_type: str
    data: bytes
    provenance: Provenance


def kind_for_path(path: str | Path, allowed: tuple[str, ...] = KINDS) -> str:
    """The export kind of ``path`` from its suffix.

    Raises
    ------
    ExportError
        If the suffix is not one of ``allowed``'s.
    """
    suffix = Path(path).suffix.lower()
    kind = SUFFIX_KINDS.get(suffix)
    if kind not in allowed:
        wanted = ", ".join(f".{k}" for k in allowed)
        raise ExportError(f"cannot tell what to write from {Path(path).name!r}: expected a name ending in {wanted}")
    return kind


def default_title(events: pd.DataFrame) -> str:
    """``"Conflict events in Mali"`` (the countries of the events, largest first), or ``"Conflict events"``."""
    if len(events) == 0:
        return "Conflict events"
    countries = events["country"].astype(object).dropna().value_counts().index[:3].tolist()
    if not countries:
        return "Conflict events"
    names = countries[0] if len(countries) == 1 else ", ".join(countries[:-1]) + " and " + countries[-1]
    return f"Conflict events in {names}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def export_filename(spec: FilterSpec, kind: str, created: datetime | None = None, *, layout: str = "canonical") -> str:
    """A file name for an export of ``spec``'s view: what is shown, then the date it was made.

    ``conflictmap_battles_timbuktu_2023-08-01-to-2023-10-31_2024-05-02.png``;
    ``conflictmap_all-events_2024-05-02.csv`` for an empty filter. A CSV in ACLED's
    layout says so (``conflictmap_all-events_acled-layout_2024-05-02.csv``), so the two
    layouts of one view never download under the same name.
    """
    parts = [*spec.event_types, *spec.sub_event_types, *spec.admin1, *spec.actors, *spec.datasets]
    if spec.date_from or spec.date_to:
        start = spec.date_from.isoformat() if spec.date_from else "start"
        end = spec.date_to.isoformat() if spec.date_to else "now"
        parts.append(f"{start}-to-{end}")
    if spec.text:
        parts.append(spec.text)
    if spec.min_fatalities:
        parts.append(f"min-{spec.min_fatalities}-fatalities")
    if spec.bbox is not None or spec.polygon is not None:
        parts.append("area")
    view = "_".join(s for s in (_slug(p) for p in parts) if s)[:_SLUG_MAX].strip("-_") or "all-events"
    if kind == "csv" and layout != "canonical":
        view += f"_{_slug(layout)}-layout"
    day = (created or datetime.now(UTC)).astimezone(UTC).date().isoformat()
    return f"conflictmap_{view}_{day}.{kind}"


#: What ``sources`` may list: a described file, a path, or the import report of a file read.
Source = SourceInfo | str | Path | ImportReport


def describe_sources(sources: Sequence[Source]) -> tuple[SourceInfo, ...]:
    """``SourceInfo`` for each source: paths are hashed; reports give their file, format and row counts."""
    out = []
    for item in sources:
        if isinstance(item, SourceInfo):
            out.append(item)
        elif isinstance(item, ImportReport):
            counts = {"format": item.format, "rows_read": item.rows_read, "rows_loaded": item.rows_loaded}
            out.append(source_info(item.source, **counts))
        else:
            out.append(source_info(item))
    return tuple(out)


def write_export(
    events: pd.DataFrame,
    spec: FilterSpec,
    path: str | Path,
    *,
    kind: str | None = None,
    title: str | None = None,
    sources: Sequence[Source] = (),
    versions: Mapping[str, str] | None = None,
    layout: str = "canonical",
    dpi: float | None = None,
    width_px: int | None = None,
    mode: str = "auto",
    base_url: str | None = None,
    view_params: Mapping[str, str | list[str]] | None = None,
    created: datetime | None = None,
    progress: Progress | None = None,
) -> tuple[Provenance, list[Path]]:
    """Filter ``events`` with ``spec`` and write the export to ``path``.

    Parameters
    ----------
    events : pandas.DataFrame
        The whole canonical event table; ``spec`` is applied here.
    spec : FilterSpec
        The view's filter.
    path : str or pathlib.Path
        The file to write; its suffix gives the kind unless ``kind`` is given.
    kind : str, optional
        One of ``KINDS``.
    title : str, optional
        Default ``default_title`` of the filtered events.
    sources : sequence of SourceInfo, path or ImportReport
        The files the events were read from (name, SHA-256, format and row counts go in
        the provenance); an import report stands for its file.
    versions : mapping, optional
        Dataset name -> release, for the provenance.
    layout : {"canonical", "acled"}
        CSV column layout.
    dpi, width_px : optional
        PNG resolution (one of them).
    mode : str
        How maps draw the events: ``auto``, ``points``, ``density`` (and ``clusters`` for HTML).
    base_url : str, optional
        The dashboard's address for the view URL (default ``CONFLICTMAP_PUBLIC_URL``).
    view_params : mapping, optional
        The page's whole state as query parameters (``pagelink.PageState.to_query_params``),
        so the view URL also names the files shown and the drawing; default the filter's.
    created : datetime, optional
        When the export is made (default now).
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    (Provenance, list of pathlib.Path)
        The record stored and the files written (a CSV and its sidecar; otherwise one file).

    Raises
    ------
    ExportError
        If the kind is unknown or an option does not apply to it.
    ImageOptionError
        If an image option is out of range.
    conflictmap.assets.AssetError
        If an HTML snapshot is asked for and the Leaflet files are missing.
    """
    path = Path(path)
    kind = kind or kind_for_path(path)
    if kind not in KINDS:
        raise ExportError(f"unknown export kind {kind!r}; expected one of {list(KINDS)}")
    if layout not in CSV_LAYOUTS:
        raise ExportError(f"layout must be one of {list(CSV_LAYOUTS)}, got {layout!r}")
    if layout != "canonical" and kind != "csv":
        raise ExportError(f"the {layout} layout is for CSV files; {kind} keeps the canonical columns")
    if (dpi is not None or width_px is not None) and kind != "png":
        raise ExportError(f"dpi and width apply to PNG images, not to {kind}")
    if kind in DATA_KINDS and mode != "auto":
        raise ExportError(f"the drawing mode applies to maps, not to {kind}")
    step = progress or (lambda fraction, message: None)
    step(0.0, "selecting events")
    shown = spec.apply(events)
    prov = make_provenance(
        shown,
        spec,
        kind,
        title=title or default_title(shown),
        sources=describe_sources(sources),
        versions=versions,
        layout=layout if kind == "csv" else None,
        base_url=base_url,
        view_params=view_params,
        created=created,
    )
    step(0.15, f"writing {KIND_NAMES[kind]}")
    if kind == "html":
        prov = write_html(shown, prov, path, mode=mode)
        written = [path]
    elif kind in IMAGE_KINDS:
        # matplotlib takes about a second to import: only image exports pay for it.
        from conflictmap.export.image import write_image

        prov = write_image(shown, prov, str(path), kind, dpi=dpi, width_px=width_px, mode=mode)
        written = [path]
    elif kind == "csv":
        written = write_csv(shown, prov, path, layout=layout)
    elif kind == "geojson":
        written = write_geojson(shown, prov, path)
    else:
        written = write_gpkg(shown, prov, path)
    step(1.0, "done")
    return prov, written


def export_view(
    events: pd.DataFrame,
    spec: FilterSpec,
    kind: str,
    *,
    title: str | None = None,
    sources: Sequence[Source] = (),
    versions: Mapping[str, str] | None = None,
    layout: str = "canonical",
    dpi: float | None = None,
    width_px: int | None = None,
    mode: str = "auto",
    base_url: str | None = None,
    view_params: Mapping[str, str | list[str]] | None = None,
    created: datetime | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """An export of the view as a download: file name, media type and bytes.

    Parameters are those of ``write_export``; ``kind`` is one of ``KINDS``. A
    CSV comes as a ZIP holding the CSV and its provenance sidecar, so the
    download carries its provenance like every other kind.

    Returns
    -------
    ExportResult
    """
    if kind not in KINDS:
        raise ExportError(f"unknown export kind {kind!r}; expected one of {list(KINDS)}")
    created = created or datetime.now(UTC)
    name = export_filename(spec, kind, created, layout=layout)
    with tempfile.TemporaryDirectory(prefix="conflictmap-export-") as folder:
        prov, written = write_export(
            events,
            spec,
            Path(folder) / name,
            kind=kind,
            title=title,
            sources=sources,
            versions=versions,
            layout=layout,
            dpi=dpi,
            width_px=width_px,
            mode=mode,
            base_url=base_url,
            view_params=view_params,
            created=created,
            progress=progress,
        )
        return _download(name, kind, written, prov)


def write_aggregates(
    events: pd.DataFrame,
    spec: FilterSpec,
    path: str | Path,
    *,
    by: str = "admin1",
    cell_deg: float = DEFAULT_CELL_DEG,
    title: str | None = None,
    sources: Sequence[Source] = (),
    versions: Mapping[str, str] | None = None,
    base_url: str | None = None,
    created: datetime | None = None,
) -> tuple[Provenance, list[Path]]:
    """Filter ``events`` with ``spec`` and write their counts per area (``aggregate_events``) to ``path``.

    ``.csv`` (the geometry left out; cells keep their edges) with the provenance sidecar, or
    ``.geojson`` (cells as squares, areas as points) with the provenance inside.

    Returns
    -------
    (Provenance, list of pathlib.Path)
        The record stored (``layout`` ``aggregates by admin1`` / ``aggregates by 0.5° cell``) and the files.

    Raises
    ------
    ExportError
        If the suffix is neither ``.csv`` nor ``.geojson``.
    """
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("csv", "geojson"):
        raise ExportError(f"aggregates are written as .csv or .geojson, not {path.name!r}")
    shown = spec.apply(events)
    table = aggregate_events(shown, by=by, cell_deg=cell_deg)
    layout = f"aggregates by {float(cell_deg):g}° cell" if by == "cell" else f"aggregates by {by}"
    prov = make_provenance(
        shown,
        spec,
        kind,
        title=title or default_title(shown),
        sources=describe_sources(sources),
        versions=versions,
        layout=layout,
        base_url=base_url,
        created=created,
    )
    if kind == "csv":
        pd.DataFrame(table.drop(columns="geometry")).to_csv(path, index=False, encoding="utf-8")
        return prov, [path, write_sidecar(path, prov)]
    path.unlink(missing_ok=True)
    table.to_file(path, driver="GeoJSON")
    add_geojson_provenance(path, prov)
    return prov, [path]


def aggregates_view(
    events: pd.DataFrame,
    spec: FilterSpec,
    kind: str = "csv",
    *,
    by: str = "admin1",
    cell_deg: float = DEFAULT_CELL_DEG,
    title: str | None = None,
    sources: Sequence[Source] = (),
    created: datetime | None = None,
) -> ExportResult:
    """The aggregates-only export of the view as a download (the page's "share counts only" button).

    Parameters are those of ``write_aggregates``; ``kind`` is ``csv`` (a ZIP of the CSV and its
    provenance sidecar) or ``geojson``.

    Returns
    -------
    ExportResult
        Named like the view's other exports, with ``_counts-by-<by>`` before the date.
    """
    if kind not in ("csv", "geojson"):
        raise ExportError(f"aggregates are written as csv or geojson, not {kind!r}")
    created = created or datetime.now(UTC)
    stem, _, suffix = export_filename(spec, kind, created).rpartition(".")
    day = stem[-10:]
    name = f"{stem[:-11]}_counts-by-{by}_{day}.{suffix}"
    with tempfile.TemporaryDirectory(prefix="conflictmap-counts-") as folder:
        prov, written = write_aggregates(
            events,
            spec,
            Path(folder) / name,
            by=by,
            cell_deg=cell_deg,
            title=title,
            sources=sources,
            created=created,
        )
        return _download(name, kind, written, prov)


def _download(name: str, kind: str, written: Sequence[Path], prov: Provenance) -> ExportResult:
    """The written files as one download: the file itself, or a CSV zipped with its provenance sidecar."""
    if kind != "csv":
        return ExportResult(name, MIME_TYPES[kind], written[0].read_bytes(), prov)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in written:
            archive.write(file, arcname=file.name)
    return ExportResult(name.removesuffix(".csv") + ".zip", MIME_TYPES["zip"], buffer.getvalue(), prov)


__all__ = [
    "AGGREGATE_BY",
    "DATA_KINDS",
    "KINDS",
    "KIND_NAMES",
    "LICENCES",
    "MIME_TYPES",
    "SNAPSHOT_KINDS",
    "ExportError",
    "ExportResult",
    "ImageOptionError",
    "Provenance",
    "ProvenanceError",
    "SourceInfo",
    "aggregate_events",
    "aggregates_view",
    "default_title",
    "describe_sources",
    "export_filename",
    "export_view",
    "kind_for_path",
    "make_provenance",
    "read_provenance",
    "sharing_notice",
    "sidecar_path",
    "source_info",
    "upload_info",
    "write_aggregates",
    "write_export",
]

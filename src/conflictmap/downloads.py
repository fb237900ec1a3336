"""What the page's export panel asks ``export.export_view`` for: the options that apply to each format.

The panel offers every format with the same few controls; this module keeps
only the options a format takes (resolution for PNG, column layout for CSV,
the drawing mode for maps), so a choice left over from another format never
turns into an export error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from conflictmap.export import DATA_KINDS, KIND_NAMES, KINDS, ExportError, SourceInfo
from conflictmap.export.options import DEFAULT_DPI, DPI_RANGE, IMAGE_KINDS
from conflictmap.readers.report import ImportReport

#: CSV column layouts the panel offers, with their labels.
CSV_LAYOUT_LABELS: dict[str, str] = {
    "canonical": "conflictmap columns",
    "acled": "ACLED-compatible columns",
}
#: Drawing modes the static images know; the page's "clusters" draws as "auto" there.
IMAGE_MODES: tuple[str, ...] = ("auto", "points", "density")
MAX_TITLE = 200

__all__ = [
    "CSV_LAYOUT_LABELS",
    "DEFAULT_DPI",
    "DPI_RANGE",
    "KINDS",
    "KIND_NAMES",
    "export_options",
    "export_sources",
    "view_key",
]


def export_options(
    kind: str,
    *,
    title: str | None = None,
    dpi: int | None = None,
    layout: str = "canonical",
    mode: str = "auto",
) -> dict[str, object]:
    """Keyword arguments for ``export_view`` of ``kind``: only the options that format takes.

    Parameters
    ----------
    kind : str
        One of ``export.KINDS``.
    title : str, optional
        Blank means the export's default title.
    dpi : int, optional
        PNG resolution; ignored for other formats.
    layout : {"canonical", "acled"}
        CSV column layout; ignored for other formats.
    mode : str
        The page's map drawing (``auto``, ``points``, ``clusters``, ``density``); ignored for data.

    Returns
    -------
    dict
        ``title``, ``layout``, ``mode`` and, for PNG, ``dpi``.

    Raises
    ------
    ExportError
        If ``kind`` or ``layout`` is unknown, or the title is too long.
    """
    if kind not in KINDS:
        raise ExportError(f"unknown export format {kind!r}; expected one of {list(KINDS)}")
    if layout not in CSV_LAYOUT_LABELS:
        raise ExportError(f"unknown CSV layout {layout!r}; expected one of {list(CSV_LAYOUT_LABELS)}")
    clean = (title or "").strip() or None
    if clean is not None and len(clean) > MAX_TITLE:
        raise ExportError(f"the title has {len(clean)} characters; at most {MAX_TITLE} fit on a map")
    options: dict[str, object] = {"title": clean, "layout": layout if kind == "csv" else "canonical"}
    if kind in DATA_KINDS:
        options["mode"] = "auto"
    elif kind in IMAGE_KINDS:
        options["mode"] = mode if mode in IMAGE_MODES else "auto"
    else:
        options["mode"] = mode
    if kind == "png":
        options["dpi"] = DEFAULT_DPI if dpi is None else dpi
    return options


def export_sources(reports: Iterable[ImportReport | SourceInfo | None]) -> list[ImportReport | SourceInfo]:
    """The files to record in an export's provenance: the import report of each file shown.

    An upload has no file on disk to hash at export time: pass its ``export.upload_info``
    (made from its bytes when it arrived), which is kept as it is. The event store is named
    by its datasets in the provenance.
    """
    return [r for r in reports if isinstance(r, SourceInfo) or (r is not None and r.source)]


def view_key(view_params: Mapping[str, object], data_key: object, kind: str, options: Mapping[str, object]) -> str:
    """A key naming one export of one view, so a prepared file is offered only while the view is unchanged."""
    params = sorted((k, str(v)) for k, v in view_params.items())
    return repr((params, data_key, kind, sorted((k, str(v)) for k, v in options.items())))

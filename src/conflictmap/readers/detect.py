"""What a file is: its container (CSV, XLSX, GeoJSON, ...) and which event format its columns hold."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from conflictmap.messages import shorten
from conflictmap.readers.report import NotEventDataError, UnreadableFileError
from conflictmap.readers.table import normalise_column

#: The event formats a file may hold.
FORMATS: tuple[str, ...] = ("acled", "ucdp", "canonical")
FORMAT_NAMES: dict[str, str] = {"acled": "ACLED", "ucdp": "UCDP GED", "canonical": "the canonical event table"}

#: Columns a file needs to be read as each format.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "acled": ("event_date", "event_type", "latitude", "longitude"),
    "ucdp": ("id", "type_of_violence", "date_start", "latitude", "longitude", "best"),
    "canonical": ("event_date", "event_type", "latitude", "longitude"),
}
#: Columns only ACLED files carry; one of them tells ACLED from the canonical table.
ACLED_MARKERS: tuple[str, ...] = (
    "event_id_cnty",
    "data_id",
    "event_id_no_cnty",
    "inter1",
    "inter2",
    "iso3",
)

#: File suffixes read as each container when the content does not say.
CONTAINER_SUFFIXES: dict[str, tuple[str, ...]] = {
    "csv": (".csv", ".txt", ".tsv"),
    "xlsx": (".xlsx", ".xlsm"),
    "geojson": (".geojson", ".json"),
    "gpkg": (".gpkg",),
    "parquet": (".parquet", ".geoparquet"),
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PAR1", "parquet"),
    (b"SQLite format 3\x00", "gpkg"),
    (b"PK\x03\x04", "xlsx"),
)
# Files people rename by mistake; named so the message says what the file is.
_NOT_TABLES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word file; save it as .xlsx or .csv"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
)
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# Keys near the start of an ACLED API reply ({"status", "success", "count", "data"}) or a UCDP page.
_REPLY_KEYS = (b'"Result"', b'"TotalCount"', b'"data"', b'"success"', b'"event_id_cnty"')


def expected_columns() -> str:
    """The columns each format needs, as a sentence for error messages."""
    parts = [
        "ACLED (" + ", ".join(REQUIRED_COLUMNS["acled"]) + ", and event_id_cnty or data_id)",
        "UCDP GED (" + ", ".join(REQUIRED_COLUMNS["ucdp"]) + ")",
        "the canonical event table (" + ", ".join(REQUIRED_COLUMNS["canonical"]) + ")",
    ]
    return "expected the columns of " + "; or ".join(parts)


def _listed(columns: Iterable[str], limit: int = 12) -> str:
    # A header may be one 10 MB cell: each name is cut, and the list too.
    names = [shorten(str(n), 40) for n in columns]
    shown = shorten(", ".join(names[:limit]))
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "") if names else "none"


def missing_columns(columns: Iterable[object], format: str) -> list[str]:
    """Columns ``format`` needs that ``columns`` lacks (a GeoJSON/GPKG geometry stands for the coordinates)."""
    have = {normalise_column(c) for c in columns}
    if "geometry" in have:
        have |= {"latitude", "longitude"}
    return [c for c in REQUIRED_COLUMNS[format] if c not in have]


def detect_format(columns: Iterable[object]) -> str:
    """The event format a table's columns hold.

    Parameters
    ----------
    columns : iterable of str
        The header of a file; case, blanks and a byte-order mark do not matter.

    Returns
    -------
    str
        ``"ucdp"``, ``"acled"`` or ``"canonical"``.

    Raises
    ------
    NotEventDataError
        If the columns are none of these, naming the columns each format needs.
    """
    names = [normalise_column(c) for c in columns]
    if not missing_columns(names, "ucdp"):
        return "ucdp"
    if not missing_columns(names, "acled") and any(m in names for m in ACLED_MARKERS):
        return "acled"
    if not missing_columns(names, "canonical"):
        return "canonical"
    raise NotEventDataError(f"this is not event data: {expected_columns()}; found: {_listed(names)}")


def sniff_container(path: Path) -> str:
    """The kind of file at ``path``, from its first bytes, then its suffix.

    ``"reply"`` is a saved ACLED or UCDP API JSON reply; ``"geojson"`` any other JSON object.

    Raises
    ------
    NotEventDataError
        If the file is empty or is a known non-table kind (an image, a PDF).
    """
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        raise NotEventDataError(f"{path.name} is empty: {expected_columns()}")
    for magic, container in _MAGIC:
        if head.startswith(magic):
            return container
    for magic, what in _NOT_TABLES:
        if head.startswith(magic):
            raise UnreadableFileError(f"{path.name} is {what}, not a table of events: {expected_columns()}")
    suffix = path.suffix.lower()
    text = head
    for bom in _TEXT_BOMS:
        text = text.removeprefix(bom)
    start = text.lstrip()[:1]
    if start in (b"{", b"[") and b'"Feature' not in head and any(k in head for k in _REPLY_KEYS):
        return "reply"
    if start == b"{" and (suffix in CONTAINER_SUFFIXES["geojson"] or b"Feature" in head):
        return "geojson"
    if b"\x00" in head and not head.startswith(_TEXT_BOMS[1:]):
        raise UnreadableFileError(f"{path.name} is a binary file, not a table of events: {expected_columns()}")
    for container in ("gpkg", "parquet", "xlsx"):
        if suffix in CONTAINER_SUFFIXES[container]:
            raise UnreadableFileError(
                f"{path.name} is named {suffix} but does not hold a {container.upper()} file: {expected_columns()}"
            )
    return "csv"


def file_format(name: str, columns: Iterable[object], told: str | None) -> str:
    """The format of the file ``name`` with ``columns``: ``told`` when its columns are all there, else detected.

    Raises
    ------
    NotEventDataError
        When no format fits the columns, or ``told`` lacks some of its columns; the message names the file.
    """
    if told is None:
        try:
            return detect_format(columns)
        except NotEventDataError as exc:
            raise NotEventDataError(f"{name}: {exc}") from None
    if missing := missing_columns(columns, told):
        raise NotEventDataError(
            f"{name} is not a {told} file: it lacks the column(s) {', '.join(missing)}; {expected_columns()}"
        )
    return told

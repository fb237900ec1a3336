"""What made an export: the filter, the data, the count and the time, as one record every export carries.

A ``Provenance`` is built from the filtered events and the ``FilterSpec``
that selected them. It holds the filter three ways (the query parameters, the
one-line description, and the dashboard URL that restores the view), each
dataset shown with its event count, date span, latest update time, version
(when known) and required attribution, the source files with their SHA-256, the
event count and span, when the export was made and by which version of
conflictmap. ``conflictmap.export.stored`` writes it into each kind of file
and reads it back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd

from conflictmap import settings
from conflictmap.errors import ConflictmapError
from conflictmap.export.licence import licence
from conflictmap.filters import FilterSpec

#: Version of the record's layout, stored with it.
PROVENANCE_VERSION = 1
#: Where the dashboard is reached when ``CONFLICTMAP_PUBLIC_URL`` is not set.
#: Citations the data providers require, by dataset name.
ATTRIBUTIONS: dict[str, str] = {
    "acled": "Armed Conflict Location & Event Data Project (ACLED); www.acleddata.com",
    "ucdp_ged": "UCDP Georeferenced Event Dataset (GED), Uppsala Conflict Data Program",
    "seed": "conflictmap seed events, coded by hand from news reports",
    "article": "events coded from news articles",
    "manual": "events entered by hand",
    "synthetic": "SYNTHETIC events made by conflictmap's generator; not real events",
}
#: Short names for datasets in captions.
DATASET_LABELS: dict[str, str] = {
    "acled": "ACLED",
    "ucdp_ged": "UCDP GED",
    "seed": "seed events",
    "article": "article events",
    "manual": "manual events",
    "synthetic": "synthetic events",
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_HASH_BLOCK = 1 << 20


class ProvenanceError(ConflictmapError, ValueError):
    """A provenance record in a file cannot be read; the message says which file and why."""


@dataclass(frozen=True)
class DatasetInfo:
    """One dataset among the exported events.

    Attributes
    ----------
    name : str
        The ``dataset`` value (``acled``, ``ucdp_ged``, ...).
    events : int
        Exported events from it.
    first_date, last_date : str or None
        ISO dates: the earliest ``event_date`` and the latest ``date_end``.
    latest_update : str or None
        The newest ``timestamp`` (the provider's last change) as ISO UTC, when the data has one.
    version : str or None
        The dataset's release (e.g. ``GED 24.1``), when the caller knows it.
    attribution : str
        The citation to show with it.
    licence : str
        What its licence allows when it is shared (``export.licence.LICENCES``); empty when unknown.
    """

    name: str
    events: int
    first_date: str | None = None
    last_date: str | None = None
    latest_update: str | None = None
    version: str | None = None
    attribution: str = ""
    licence: str = ""

    @property
    def label(self) -> str:
        """Short name for captions ("ACLED", "UCDP GED", or the name itself)."""
        return DATASET_LABELS.get(self.name, self.name)


@dataclass(frozen=True)
class SourceInfo:
    """The file the events were read from.

    Attributes
    ----------
    file : str
        Its name (without the folder, which means nothing to a receiver).
    sha256 : str or None
        Hash of its bytes, so a receiver can check they hold the same file (None when it is gone).
    bytes : int or None
        Its size.
    modified : str or None
        Its modification time, ISO UTC.
    format : str or None
        The event format it was read as (``acled``, ``ucdp``, ``canonical``).
    rows_read, rows_loaded : int or None
        From the import report, when known.
    """

    file: str
    sha256: str | None = None
    bytes: int | None = None
    modified: str | None = None
    format: str | None = None
    rows_read: int | None = None
    rows_loaded: int | None = None


@dataclass(frozen=True)
class Provenance:
    """What an export shows and how it was made. ``to_dict``/``from_dict`` give its JSON form.

    Attributes
    ----------
    title : str
        The export's title.
    kind : str
        File kind: ``html``, ``png``, ``pdf``, ``svg``, ``csv``, ``geojson`` or ``gpkg``.
    created : str
        When it was made, ISO UTC to the second (``2024-05-02T14:03:11Z``).
    tool : str
        ``conflictmap <version>``.
    filter_params : dict
        ``FilterSpec.to_query_params()``.
    filter_text : str
        ``FilterSpec.describe()``.
    view_url : str
        The dashboard URL that restores the view (the filter, and where known the files shown and the drawing).
    events : int
        Number of events exported.
    fatalities : int
        Their total reported fatalities.
    first_date, last_date : str or None
        ISO dates spanned by the exported events.
    datasets : tuple of DatasetInfo
        Each dataset among them, the largest first.
    sources : tuple of SourceInfo
        The files the events were read from, when known.
    drawing : dict
        For maps: how the events were drawn (``mode``, ``cell_deg``); empty for data.
    layout : str or None
        For CSV: ``canonical`` or ``acled``.
    """

    title: str
    kind: str
    created: str
    tool: str
    filter_params: dict[str, str | list[str]]
    filter_text: str
    view_url: str
    events: int
    fatalities: int
    first_date: str | None
    last_date: str | None
    datasets: tuple[DatasetInfo, ...] = ()
    sources: tuple[SourceInfo, ...] = ()
    drawing: dict[str, object] = field(default_factory=dict)
    layout: str | None = None

    @property
    def spec(self) -> FilterSpec:
        """The filter, rebuilt from its query parameters."""
        return FilterSpec.from_query_params(self.filter_params)

    def attributions(self) -> list[str]:
        """The citations of the datasets shown, in order, without repeats."""
        return list(dict.fromkeys(d.attribution for d in self.datasets if d.attribution))

    def date_span(self) -> str:
        """The events' dates as words: ``"2 Jan 2020 – 31 Dec 2023"``, ``""`` when there are none."""
        if not self.first_date or not self.last_date:
            return ""
        first, last = date.fromisoformat(self.first_date), date.fromisoformat(self.last_date)
        return _day(first) if first == last else f"{_day(first)} – {_day(last)}"

    def summary(self) -> str:
        """One line: count, date span and datasets, e.g. ``"1,234 events · 2 Jan 2020 – ... · ACLED"``."""
        parts = [f"{self.events:,} event{'' if self.events == 1 else 's'}"]
        if span := self.date_span():
            parts.append(span)
        if self.datasets:
            parts.append(", ".join(d.label for d in self.datasets))
        return " · ".join(parts)

    def made_line(self) -> str:
        """``"Made 2024-05-02 14:03 UTC with conflictmap 0.1.0 from mali.csv"``."""
        line = f"Made {self.created[:10]} {self.created[11:16]} UTC with {self.tool}"
        names = [s.file for s in self.sources]
        if names:
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            line += " from " + ", ".join(names[:3]) + more
        return line

    def to_dict(self) -> dict[str, object]:
        """The record as plain JSON values, with its layout version."""
        out: dict[str, object] = {"conflictmap_provenance": PROVENANCE_VERSION}
        out.update(asdict(self))
        out["datasets"] = [asdict(d) for d in self.datasets]
        out["sources"] = [asdict(d) for d in self.sources]
        return out

    def to_json(self, indent: int | None = None) -> str:
        """The record as JSON text (ASCII, so any container can hold it unchanged)."""
        return json.dumps(self.to_dict(), ensure_ascii=True, indent=indent, sort_keys=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Provenance:
        """Rebuild a record from ``to_dict``'s output.

        Raises
        ------
        ProvenanceError
            If it is not a conflictmap provenance record or lacks a field.
        """
        if not isinstance(data, Mapping) or "conflictmap_provenance" not in data:
            raise ProvenanceError("not a conflictmap provenance record")
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        try:
            values["datasets"] = tuple(_build(DatasetInfo, d) for d in values.get("datasets") or ())
            values["sources"] = tuple(_build(SourceInfo, d) for d in values.get("sources") or ())
            values["drawing"] = dict(values.get("drawing") or {})
            values["filter_params"] = dict(values.get("filter_params") or {})
            return cls(**values)
        except TypeError as exc:
            raise ProvenanceError(f"incomplete provenance record: {exc}") from None

    @classmethod
    def from_json(cls, text: str | bytes) -> Provenance:
        """Rebuild a record from ``to_json``'s output.

        Raises
        ------
        ProvenanceError
            If the text is not JSON or not a provenance record.
        """
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ProvenanceError(f"provenance is not valid JSON: {exc}") from None
        return cls.from_dict(data)

    def lines(self) -> list[str]:
        """The record as lines for a terminal (``conflictmap info``)."""
        out = [
            f"title: {self.title}",
            f"made: {self.created} with {self.tool}",
            f"filter: {self.filter_text}",
            f"view: {self.view_url}",
        ]
        span = f" ({self.date_span()})" if self.first_date else ""
        out.append(f"events: {self.events:,}{span}, {self.fatalities:,} fatalities")
        if self.drawing:
            out.append("drawn as: " + drawing_text(self.drawing))
        if self.layout:
            out.append(f"layout: {self.layout}")
        out.append("datasets:" if self.datasets else "datasets: none")
        for d in self.datasets:
            details = [f"{d.events:,} events"]
            if d.version:
                details.append(f"version {d.version}")
            if d.latest_update:
                details.append(f"last updated {d.latest_update}")
            out.append(f"  {d.name}: {', '.join(details)}")
            if d.attribution:
                out.append(f"    {d.attribution}")
            if d.licence:
                out.append(f"    licence: {d.licence}")
        for s in self.sources:
            read = ""
            if s.rows_read is not None and s.rows_loaded is not None and s.rows_read != s.rows_loaded:
                read = f", {s.rows_read - s.rows_loaded:,} of {s.rows_read:,} rows rejected on reading"
            if s.sha256 is None:
                out.append(f"source: {s.file} ({s.format or 'events'}{read}; the file was not found when exporting)")
                continue
            out.append(f"source: {s.file} ({s.format or 'events'}, {s.bytes:,} bytes, modified {s.modified}{read})")
            out.append(f"  sha256 {s.sha256}")
        return out


def _build(kind: type, data: object) -> object:
    if not isinstance(data, Mapping):
        raise TypeError(f"{kind.__name__} should be an object, got {data!r}")
    known = {f.name for f in fields(kind)}
    return kind(**{k: v for k, v in data.items() if k in known})


def _day(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def drawing_text(drawing: Mapping[str, object]) -> str:
    """How a map drew its events, in words: ``"points"``, ``"grid of 0.2° cells"``."""
    mode = str(drawing.get("mode", ""))
    if mode == "density" and drawing.get("cell_deg"):
        return f"grid of {float(drawing['cell_deg']):g}° cells (counts per cell)"
    return {"points": "one marker per event", "clusters": "markers grouped in clusters"}.get(mode, mode)


def tool_version() -> str:
    """``conflictmap <version>`` as installed."""
    try:
        return f"conflictmap {metadata.version('conflictmap')}"
    except metadata.PackageNotFoundError:
        return "conflictmap (version unknown)"


def public_url() -> str:
    """The dashboard's address for links in exports: ``CONFLICTMAP_PUBLIC_URL``."""
    return settings.get("CONFLICTMAP_PUBLIC_URL")


def view_url(spec: FilterSpec, base_url: str | None = None, params: Mapping[str, str | list[str]] | None = None) -> str:
    """The dashboard URL that shows ``spec``'s view.

    Parameters
    ----------
    spec : FilterSpec
        The filter.
    base_url : str, optional
        The dashboard's address; default ``public_url()``.
    params : mapping, optional
        The page's whole state as query parameters (``links.page_query``:
        the filter, the files shown, the drawing); default the filter's.
    """
    base = (base_url if base_url is not None else public_url()).rstrip("/") + "/"
    query = urlencode(dict(params) if params is not None else spec.to_query_params(), doseq=True)
    return f"{base}?{query}" if query else base


def _iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _iso_date(value: object) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def attribution(dataset: str) -> str:
    """The citation to show with ``dataset``; empty for a dataset this project does not know."""
    return ATTRIBUTIONS.get(dataset, "")


def dataset_infos(events: pd.DataFrame, versions: Mapping[str, str] | None = None) -> tuple[DatasetInfo, ...]:
    """One ``DatasetInfo`` per dataset among ``events``, the largest first.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.
    versions : mapping, optional
        Dataset name -> release name, for datasets whose version the caller knows.
    """
    if len(events) == 0:
        return ()
    names = events["dataset"].astype(object).fillna("(none)")
    groups = pd.DataFrame(
        {
            "name": names.to_numpy(),
            "first": events["event_date"].to_numpy(),
            "last": events["date_end"].fillna(events["event_date"]).to_numpy(),
            "stamp": events["timestamp"].to_numpy(),
        }
    ).groupby("name", sort=False)
    table = groups.agg(
        events=("first", "size"), first=("first", "min"), last=("last", "max"), stamp=("stamp", "max")
    ).sort_values("events", ascending=False, kind="stable")
    versions = versions or {}
    infos = []
    for name, row in table.iterrows():
        stamp = row["stamp"]
        infos.append(
            DatasetInfo(
                name=str(name),
                events=int(row["events"]),
                first_date=_iso_date(row["first"]),
                last_date=_iso_date(row["last"]),
                latest_update=None if pd.isna(stamp) else _iso_utc(pd.Timestamp(stamp).to_pydatetime()),
                version=versions.get(str(name)),
                attribution=attribution(str(name)),
                licence=licence(str(name)),
            )
        )
    return tuple(infos)


def source_info(
    path: str | Path, *, format: str | None = None, rows_read: int | None = None, rows_loaded: int | None = None
) -> SourceInfo:
    """Describe the event file at ``path``: name, SHA-256, size and modification time.

    A file that is no longer there is described by its name alone.

    Parameters
    ----------
    path : str or pathlib.Path
        The file the events were read from.
    format : str, optional
        The event format it was read as.
    rows_read, rows_loaded : int, optional
        From its import report.
    """
    path = Path(path)
    counts = {"format": format, "rows_read": rows_read, "rows_loaded": rows_loaded}
    if not path.is_file():
        return SourceInfo(file=path.name, **counts)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_HASH_BLOCK):
            digest.update(block)
    stat = path.stat()
    return SourceInfo(
        file=path.name,
        sha256=digest.hexdigest(),
        bytes=stat.st_size,
        modified=_iso_utc(datetime.fromtimestamp(stat.st_mtime, UTC)),
        **counts,
    )


def upload_info(
    name: str,
    data: bytes,
    *,
    format: str | None = None,
    rows_read: int | None = None,
    rows_loaded: int | None = None,
    received: datetime | None = None,
) -> SourceInfo:
    """Describe a file the user uploaded, from its bytes: an upload has no file on disk to hash later.

    Parameters
    ----------
    name : str
        The uploaded file's name (folders dropped).
    data : bytes
        Its content.
    format : str, optional
        The event format it was read as.
    rows_read, rows_loaded : int, optional
        From its import report.
    received : datetime, optional
        When it was uploaded, recorded as its modification time; default now.

    Returns
    -------
    SourceInfo
        With the SHA-256 and size of ``data``, so a receiver can check they hold the same file.
    """
    return SourceInfo(
        file=Path(name).name or name,
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        modified=_iso_utc(received or datetime.now(UTC)),
        format=format,
        rows_read=rows_read,
        rows_loaded=rows_loaded,
    )


def make_provenance(
    events: pd.DataFrame,
    spec: FilterSpec,
    kind: str,
    *,
    title: str,
    sources: Sequence[SourceInfo] = (),
    versions: Mapping[str, str] | None = None,
    drawing: Mapping[str, object] | None = None,
    layout: str | None = None,
    base_url: str | None = None,
    view_params: Mapping[str, str | list[str]] | None = None,
    created: datetime | None = None,
) -> Provenance:
    """The provenance of an export of ``events`` (already filtered by ``spec``).

    Parameters
    ----------
    events : pandas.DataFrame
        The canonical events the export holds.
    spec : FilterSpec
        The filter that selected them.
    kind : str
        The export's file kind (``png``, ``csv``, ...).
    title : str
        The export's title.
    sources : sequence of SourceInfo
        The files the events came from (see ``source_info``).
    versions : mapping, optional
        Dataset name -> release name.
    drawing : mapping, optional
        For maps: how the events were drawn.
    layout : str, optional
        For CSV: the column layout.
    base_url : str, optional
        The dashboard's address for the view URL; default ``public_url()``.
    view_params : mapping, optional
        The page's state as query parameters, when it holds more than the filter (see ``view_url``).
    created : datetime, optional
        When it was made; default now.
    """
    n = len(events)
    first = _iso_date(events["event_date"].min()) if n else None
    last = _iso_date(events["date_end"].fillna(events["event_date"]).max()) if n else None
    return Provenance(
        title=title,
        kind=kind,
        created=_iso_utc(created or datetime.now(UTC)),
        tool=tool_version(),
        filter_params=spec.to_query_params(),
        filter_text=spec.describe(),
        view_url=view_url(spec, base_url, view_params),
        events=n,
        fatalities=int(events["fatalities"].sum()) if n else 0,
        first_date=first,
        last_date=last,
        datasets=dataset_infos(events, versions),
        sources=tuple(sources),
        drawing=dict(drawing or {}),
        layout=layout,
    )

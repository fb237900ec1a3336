"""API replies as rows: ACLED's ``{"status", "success", "count", "data"}`` and UCDP's ``Result`` pages.

The API writes the same fields as the file exports, as JSON values; each
record becomes one row of text exactly as a CSV export would hold it, so
the format readers check it the same way. A row's number in a report is
the record's position in the reply, from ``first_row`` (1 unless the
caller pages on).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from conflictmap.readers.report import NotEventDataError
from conflictmap.readers.table import RawTable, tidy_columns


class ApiReplyError(NotEventDataError):
    """An API reply that holds no records: an error reply, or not the documented shape."""


@dataclass
class AcledReply:
    """One ACLED API reply (``/api/acled/read`` or ``/api/deleted/read``).

    Attributes
    ----------
    records : list of dict
        The ``data`` records, as sent.
    count : int
        ``count`` as the reply states it (the records in this reply).
    status : int or None
        ``status`` as sent.
    messages : list of str
        Any ``messages`` / ``warning`` the reply carries.
    """

    records: list[dict]
    count: int
    status: int | None = None
    messages: list[str] = field(default_factory=list)


@dataclass
class UcdpPage:
    """One page of a UCDP API reply (``/api/gedevents/<version>``).

    Attributes
    ----------
    records : list of dict
        The ``Result`` records, as sent.
    total_count : int
        ``TotalCount``: records in every page together.
    total_pages : int or None
        ``TotalPages``.
    next_page_url : str or None
        ``NextPageUrl``; ``None`` (or an empty text) on the last page.
    previous_page_url : str or None
        ``PreviousPageUrl``.
    """

    records: list[dict]
    total_count: int
    total_pages: int | None = None
    next_page_url: str | None = None
    previous_page_url: str | None = None


def _whole(value: object, name: str, what: str) -> int:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ApiReplyError(f"{what}: {name} is {value!r}; expected a whole number") from None
    if not np.isfinite(number) or number != int(number) or number < 0:
        raise ApiReplyError(f"{what}: {name} is {value!r}; expected a whole number of 0 or more")
    return int(number)


def records_list(values: object, name: str, what: str) -> list[dict]:
    """``values`` as a list of records (dicts); ``ApiReplyError`` naming ``what`` otherwise."""
    if not isinstance(values, list):
        raise ApiReplyError(f"{what}: {name} is {type(values).__name__}; expected a list of records")
    for i, record in enumerate(values, start=1):
        if not isinstance(record, Mapping):
            raise ApiReplyError(f"{what}: record {i} of {name} is {type(record).__name__}; expected an object")
    return [dict(r) for r in values]


def parse_acled_reply(payload: object) -> AcledReply:
    """The records of an ACLED API JSON reply.

    Raises
    ------
    ApiReplyError
        If the reply reports a failure (``success`` false, an ``error``) or has no ``data`` list,
        with what the reply said.
    """
    what = "ACLED API reply"
    if not isinstance(payload, Mapping):
        raise ApiReplyError(f"{what} is {type(payload).__name__}; expected an object with 'data'")
    error = payload.get("error")
    if payload.get("success") is False or error:
        detail = error.get("message", error) if isinstance(error, Mapping) else error
        status = payload.get("status")
        said = f": {detail}" if detail else ""
        raise ApiReplyError(f"{what} reports a failure (status {status}){said}")
    if "data" not in payload:
        raise ApiReplyError(f"{what} has no 'data'; found the keys {sorted(payload)}")
    records = records_list(payload["data"], "data", what)
    count = _whole(payload.get("count", len(records)), "count", what)
    messages = payload.get("messages") or []
    if isinstance(messages, str):
        messages = [messages]
    status = payload.get("status")
    return AcledReply(
        records=records,
        count=count,
        status=int(status) if isinstance(status, int | float) else None,
        messages=[str(m) for m in messages],
    )


def parse_ucdp_reply(payload: object) -> UcdpPage:
    """The records and paging of a UCDP API JSON page.

    Raises
    ------
    ApiReplyError
        If the page has no ``Result`` list or its counts are not numbers.
    """
    what = "UCDP API page"
    if not isinstance(payload, Mapping):
        raise ApiReplyError(f"{what} is {type(payload).__name__}; expected an object with 'Result'")
    if "Result" not in payload:
        raise ApiReplyError(f"{what} has no 'Result'; found the keys {sorted(payload)}")
    records = records_list(payload["Result"], "Result", what)
    total = _whole(payload.get("TotalCount", len(records)), "TotalCount", what)
    pages = payload.get("TotalPages")

    def url(key: str) -> str | None:
        value = payload.get(key)
        return str(value) if value else None

    return UcdpPage(
        records=records,
        total_count=total,
        total_pages=None if pages is None else _whole(pages, "TotalPages", what),
        next_page_url=url("NextPageUrl"),
        previous_page_url=url("PreviousPageUrl"),
    )


def _cell(value: object) -> str | None:
    """A JSON value as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return repr(value) if np.isfinite(value) else None
    if isinstance(value, Mapping | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def records_table(records: Sequence[Mapping], first_row: int = 1, container: str = "json") -> RawTable:
    """Records (one dict per event) as a ``RawTable`` of text; columns in the order first seen."""
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    columns = list(names)
    values = [[_cell(r.get(c)) for c in columns] for r in records]
    frame = pd.DataFrame(values, columns=columns, dtype=object)
    notes: list[str] = []
    frame = tidy_columns(frame, notes)
    rows = np.arange(first_row, first_row + len(frame), dtype=np.int64)
    return RawTable(frame=frame, rows=rows, container=container, notes=notes)


def reply_kind(payload: object) -> str | None:
    """``"acled"`` or ``"ucdp"`` for an API reply of that shape, else ``None`` (GeoJSON, anything else)."""
    if isinstance(payload, Mapping):
        if "Result" in payload and ("TotalCount" in payload or "NextPageUrl" in payload):
            return "ucdp"
        if "data" in payload and payload.get("type") not in ("FeatureCollection", "Feature"):
            return "acled"
        if payload.get("success") is False and "type" not in payload:
            return "acled"
    return None


def load_json(path: Path) -> object:
    """A JSON file's value.

    Raises
    ------
    NotEventDataError
        If the file is not valid JSON, saying where it breaks.
    """
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except UnicodeDecodeError as exc:
        raise NotEventDataError(f"{path.name} is not UTF-8 JSON text: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise NotEventDataError(f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}") from None

"""One event's full record, for the panel beside the map and under the table.

``event_record`` lists every field a reader of the record needs, in words
(precision codes spelled out, the fatality range, the place with its admin
names); ``details_html`` renders it as HTML with every value escaped, so a note
holding ``<script>`` shows as text. ``event_id_from_popup`` tells which event a
map popup belongs to from the popup's text; ``table_rows`` lists events for the
page's table.
"""

from __future__ import annotations

import html
import math
from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from conflictmap import schema, suspect
from conflictmap.mapview import EVENT_TYPE_COLORS, PRECISION_RING_M, UNKNOWN_TYPE_COLOR

_SEPARATOR = " · "
_DT_STYLE = "font-size:0.75rem;color:#6b6b6b;text-transform:uppercase;letter-spacing:0.03em;margin:0"
_DD_STYLE = "margin:0 0 6px 0;overflow-wrap:anywhere"


def _text(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def _day(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return _text(value)


def _int(value: object) -> int | None:
    text = _text(value)
    return int(float(text)) if text else None


def _when(event: Mapping[str, object]) -> str:
    start, end = _day(event.get("event_date")), _day(event.get("date_end"))
    return start + (f" to {end}" if end and end != start else "")


def _place(event: Mapping[str, object]) -> str:
    names: list[str] = []
    for column in ("location", "admin3", "admin2", "admin1", "country"):
        text = _text(event.get(column))
        if text and text not in names:
            names.append(text)
    return ", ".join(names)


def _with_assoc(actor: object, assoc: object) -> str:
    main, other = _text(actor), _text(assoc)
    if not main:
        return other
    return main + (f" (with {other})" if other else "")


def actors_text(event: Mapping[str, object]) -> str:
    """``"Actor 1 (with associates) vs Actor 2 (with associates)"``, blank sides left out."""
    one = _with_assoc(event.get("actor1"), event.get("assoc_actor_1"))
    two = _with_assoc(event.get("actor2"), event.get("assoc_actor_2"))
    return " vs ".join(p for p in (one, two) if p)


def event_title(event: Mapping[str, object]) -> str:
    """One plain-text line: date (or range), type › sub-type, place."""
    kind = _text(event.get("event_type"))
    sub = _text(event.get("sub_event_type"))
    parts = [_when(event), f"{kind} › {sub}" if sub else kind, _text(event.get("location")) or _place(event)]
    return _SEPARATOR.join(p for p in parts if p)


def event_record(event: Mapping[str, object]) -> list[tuple[str, str]]:
    """The event's fields as (label, plain text) pairs, blanks left out.

    Parameters
    ----------
    event : mapping
        One row of the canonical table (a ``pandas.Series`` or a dict).

    Returns
    -------
    list of (str, str)
        Unescaped text; escape before putting it in HTML (``details_html`` does).
    """
    time_precision = _int(event.get("time_precision")) or 1
    geo_precision = _int(event.get("geo_precision")) or 1
    fatalities = _int(event.get("fatalities"))
    low, high = _int(event.get("fatalities_low")), _int(event.get("fatalities_high"))
    dead = "" if fatalities is None else str(fatalities)
    if low is not None and high is not None:
        dead += f" (range {low} to {high})"
    lat, lon = event.get("latitude"), event.get("longitude")
    where_precision = schema.GEO_PRECISION.get(geo_precision, "")
    if geo_precision > 1 and geo_precision in PRECISION_RING_M:
        where_precision += f" (drawn as a ring of about {PRECISION_RING_M[geo_precision] // 1000} km)"
    targeting = event.get("civilian_targeting")
    stamp = event.get("timestamp")
    rows = [
        ("Date", _when(event)),
        ("Date precision", schema.TIME_PRECISION.get(time_precision, "")),
        ("Incident type", _text(event.get("event_type"))),
        ("Sub-type", _text(event.get("sub_event_type"))),
        ("Type in the source", _text(event.get("source_event_type"))),
        ("Disorder type", _text(event.get("disorder_type"))),
        ("Actor 1", _text(event.get("actor1"))),
        ("With actor 1", _text(event.get("assoc_actor_1"))),
        ("Actor 2", _text(event.get("actor2"))),
        ("With actor 2", _text(event.get("assoc_actor_2"))),
        ("Civilians targeted", "yes" if targeting is True or _text(targeting) == "True" else ""),
        ("Fatalities", dead),
        ("Place", _place(event)),
        (
            "Coordinates",
            f"{float(lat):.4f}, {float(lon):.4f}" if _text(lat) and _text(lon) else "",
        ),
        ("Location precision", where_precision),
        ("Source", _text(event.get("source"))),
        ("Source scale", _text(event.get("source_scale"))),
        ("Notes", _text(event.get("notes"))),
        ("Tags", _text(event.get("tags"))),
        ("Dataset", _text(event.get("dataset"))),
        ("Event ID", _text(event.get("event_id"))),
        ("Recorded", "" if stamp is None or stamp is pd.NaT else _text(stamp)),
    ]
    at = next(i for i, (label, _) in enumerate(rows) if label == "Civilians targeted")
    rows[at:at] = _who_rows(event)
    at = next(i for i, (label, _) in enumerate(rows) if label == "Location precision") + 1
    rows[at:at] = _population_rows(event)
    at = next(i for i, (label, _) in enumerate(rows) if label == "Source scale") + 1
    rows[at:at] = _ucdp_rows(event)
    rows[1:1] = [("Looks wrong", reason) for reason in doubts(event)]
    return [(label, value) for label, value in rows if value]


def doubts(event: Mapping[str, object]) -> list[str]:
    """Why the event looks wrong (``suspect.suspect_reasons``): a place outside its country, an impossible toll.

    Empty when nothing looks wrong, or when the record lacks what the checks need.
    """
    try:
        lat, lon = float(event.get("latitude")), float(event.get("longitude"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return []
    fatalities = _int(event.get("fatalities")) or 0
    row = {"event_id": _text(event.get("event_id")), "country": _text(event.get("country")) or None}
    row.update(latitude=lat, longitude=lon, fatalities=fatalities)
    return suspect.suspect_reasons(pd.Series(row))


def _who_rows(event: Mapping[str, object]) -> list[tuple[str, str]]:
    """Actor types and the interaction (ACLED's labels)."""
    types = [_text(event.get("actor1_type")), _text(event.get("actor2_type"))]
    if not types[1] and not _text(event.get("actor2")):
        types = types[:1]
    return [
        ("Actor types", " / ".join(t or "?" for t in types) if any(types) else ""),
        ("Interaction", _text(event.get("interaction"))),
    ]


def _population_rows(event: Mapping[str, object]) -> list[tuple[str, str]]:
    """ACLED's population estimates around the event."""
    parts = []
    for radius in ("1km", "2km", "5km"):
        number = _int(event.get(f"population_{radius}"))
        if number is not None:
            parts.append(f"{number:,} within {radius.removesuffix('km')} km")
    best = _int(event.get("population_best"))
    return [("People living nearby", "; ".join(parts) or ("" if best is None else f"{best:,} (best estimate)"))]


def _ucdp_rows(event: Mapping[str, object]) -> list[tuple[str, str]]:
    """UCDP's quality and context fields."""
    clarity = _int(event.get("event_clarity"))
    deaths = [(k, _int(event.get(f"deaths_{k}"))) for k in ("a", "b", "civilians", "unknown")]
    named = {"a": "side A", "b": "side B", "civilians": "civilians", "unknown": "unknown"}
    return [
        ("Conflict", _text(event.get("conflict_name"))),
        ("Dyad", _text(event.get("dyad_name"))),
        ("Deaths by side", ", ".join(f"{named[k]} {n}" for k, n in deaths if n is not None)),
        ("Coding status", _text(event.get("code_status"))),
        ("Event clarity", {1: "clear", 2: "unclear (lower certainty)"}.get(clarity, "") if clarity else ""),
        ("Sources", "" if _int(event.get("number_of_sources")) is None else str(_int(event.get("number_of_sources")))),
        ("Headline", _text(event.get("source_headline"))),
        ("Source dates", _text(event.get("source_date"))),
        ("PRIO-GRID cell", _text(event.get("priogrid_gid"))),
    ]


def details_html(event: Mapping[str, object]) -> str:
    """The record as an HTML block: a heading in the incident type's colour, then each field.

    Every value is escaped; line breaks in the notes are kept.
    """
    colour = EVENT_TYPE_COLORS.get(_text(event.get("event_type")), UNKNOWN_TYPE_COLOR)
    rows = "".join(
        f'<dt style="{_DT_STYLE}">{html.escape(label)}</dt>'
        f'<dd class="cm-{label.lower().replace(" ", "-")}" style="{_DD_STYLE}">'
        f"{html.escape(value).replace(chr(10), '<br>')}</dd>"
        for label, value in event_record(event)
    )
    return (
        '<div class="cm-details" style="font-size:0.9rem;line-height:1.35">'
        f'<div class="cm-details-head" style="border-left:5px solid {colour};padding-left:8px;margin-bottom:8px">'
        f"<b>{html.escape(event_title(event))}</b></div>"
        f'<dl style="margin:0">{rows}</dl></div>'
    )


def event_id_from_popup(text: str | None, ids: Collection[str]) -> str | None:
    """The id of the event whose map popup shows ``text``, if it is one of ``ids``.

    The popup's last line is ``"<event id>"`` or ``"<event id> · <dataset>"``
    (see ``mapview.EventMarkers``).

    Parameters
    ----------
    text : str or None
        The popup's text as the browser renders it.
    ids : collection of str
        The ids the popup can belong to (the events on the map).

    Returns
    -------
    str or None
        The event id, or ``None`` when the text names none of ``ids``.
    """
    if not text:
        return None
    lines = [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]
    if not lines:
        return None
    last = lines[-1]
    candidates = [last]
    if _SEPARATOR in last:
        candidates.append(last.rsplit(_SEPARATOR, 1)[0].strip())
    for candidate in candidates:
        if candidate in ids:
            return candidate
    return None


#: The table's columns: heading -> canonical column.
TABLE_COLUMNS: dict[str, str] = {
    "Date": "event_date",
    "Until": "date_end",
    "Type": "event_type",
    "Sub-type": "sub_event_type",
    "Actor 1": "actor1",
    "Actor 2": "actor2",
    "Place": "location",
    "Region": "admin1",
    "Fatalities": "fatalities",
    "Source": "source",
    "Dataset": "dataset",
    "ID": "event_id",
}


def table_rows(events: pd.DataFrame, limit: int, selected: str | None = None) -> pd.DataFrame:
    """The events as the page's table lists them: newest first, at most ``limit``, the selected one always in.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.
    limit : int
        Most rows (the newest).
    selected : str, optional
        An event id; when that event is older than the rows kept, it comes first.

    Returns
    -------
    pandas.DataFrame
        The ``TABLE_COLUMNS``, headed as there, index reset.
    """
    order = events["event_date"].to_numpy().argsort(kind="stable")[::-1][:limit]
    if selected is not None:
        hit = (events["event_id"] == selected).to_numpy().nonzero()[0]
        if len(hit) and hit[0] not in set(order.tolist()):
            order = np.concatenate([hit[:1], order])
    rows = events.iloc[order]
    return pd.DataFrame({heading: rows[column].to_numpy() for heading, column in TABLE_COLUMNS.items()})

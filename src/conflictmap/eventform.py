"""The page's form to add or edit one event: from form values to store fields, and back.

The form offers a place from the gazetteer (type-ahead) or a point clicked on
the map, dates and their precision, type and sub-type from the taxonomy,
actors from the known list or typed in, fatalities, source and notes.
``form_fields`` turns its values into the fields ``EventStore.add_event`` and
``edit_event`` take; ``field_messages`` turns the store's validation problems
into one message per form field; ``history_table`` makes an event's history
readable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from conflictmap import actors as actor_list
from conflictmap import gazetteer, schema
from conflictmap.store import EventValidationError

#: Form fields in display order, with their labels.
FIELD_LABELS: dict[str, str] = {
    "place": "Place",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "admin1": "Region",
    "event_date": "Date",
    "date_end": "Until",
    "time_precision": "Date precision",
    "geo_precision": "Place precision",
    "event_type": "Type",
    "sub_event_type": "Sub-type",
    "actor1": "Actor 1",
    "actor2": "Actor 2",
    "fatalities": "Fatalities",
    "source": "Source",
    "notes": "Notes",
    "event_id": "Event ID",
    "dataset": "Dataset",
}
#: Date precision codes with the words the form shows.
TIME_PRECISION_LABELS: dict[int, str] = dict(schema.TIME_PRECISION)
#: Fields ``form_fields`` writes, so an edit can tell what changed.
EDITABLE: tuple[str, ...] = (
    "event_date",
    "date_end",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "fatalities",
    "source",
    "notes",
)
#: Types in taxonomy order, for the form's select box.
EVENT_TYPES: tuple[str, ...] = tuple(schema.EVENT_TYPES)


@dataclass(frozen=True)
class PlaceChoice:
    """A place the form offers for the text typed: the gazetteer match and how to show it."""

    label: str
    name: str
    admin1: str
    latitude: float
    longitude: float
    geo_precision: int


def place_choices(text: str, limit: int = 8) -> list[PlaceChoice]:
    """Gazetteer places matching ``text``, best first, each with a label naming its kind and region.

    Parameters
    ----------
    text : str
        What the user typed (any common spelling; "Ber, Timbuktu" helps choose a region).
    limit : int
        At most this many places.

    Returns
    -------
    list of PlaceChoice
        Empty for blank text or when nothing matches.
    """
    if not text or not text.strip():
        return []
    out = []
    for found in gazetteer.geocode(text.strip(), limit=limit):
        region = "" if found.kind == "region" else f", {found.admin1}"
        kind = found.kind.replace("_", " ")
        out.append(
            PlaceChoice(
                label=f"{found.name}{region} ({kind})",
                name=found.name,
                admin1=found.admin1,
                latitude=float(found.latitude),
                longitude=float(found.longitude),
                geo_precision=int(found.geo_precision),
            )
        )
    return out


def sub_types(event_type: str | None) -> list[str]:
    """The sub-types of ``event_type`` (none for an unknown type)."""
    return list(schema.TAXONOMY.get(event_type or "", ()))


def actor_choices(active: Iterable[object] = (), limit: int = 400) -> list[str]:
    """Actor names to offer: those of the events shown (most active first), then the alias list's.

    Parameters
    ----------
    active : iterable of str
        Display names of the actors in the events shown, most active first
        (``facets.actor_choices(events)["display_name"]``).
    limit : int
        Most names taken from ``active``.
    """
    names = [str(n) for n in list(active)[:limit]]
    names.extend(actor_list.actor_table()["display_name"].astype(str))
    return list(dict.fromkeys(n for n in names if n and n.strip()))


def form_fields(
    values: Mapping[str, object],
    *,
    place: PlaceChoice | None = None,
    point: tuple[float, float] | None = None,
) -> dict[str, object]:
    """The fields for ``EventStore.add_event`` / ``edit_event`` from the form's values.

    Parameters
    ----------
    values : mapping
        The form's widgets by field name (``event_date``, ``date_end``, ``time_precision``,
        ``event_type``, ``sub_event_type``, ``actor1``, ``actor2``, ``fatalities``,
        ``source``, ``notes``, optionally ``dataset``); blank text counts as not given.
    place : PlaceChoice, optional
        The gazetteer place picked.
    point : (latitude, longitude), optional
        A point clicked on the map; with a place it refines it, alone it places the event
        (the region then comes from the nearest gazetteer place).

    Returns
    -------
    dict
        Store fields; the place as ``place`` + ``admin1`` (a gazetteer name and its region)
        and/or ``latitude``/``longitude``. Nothing is checked here: the store checks.
    """
    fields: dict[str, object] = {}
    for name in (*EDITABLE, "dataset"):
        value = values.get(name)
        if isinstance(value, str):
            value = value.strip() or None
        if isinstance(value, list | tuple) and not value:
            value = None
        if value is not None:
            fields[name] = value
    if place is not None:
        fields["place"] = place.name
        fields["admin1"] = place.admin1
    if point is not None:
        fields["latitude"] = round(float(point[0]), 6)
        fields["longitude"] = round(float(point[1]), 6)
        if place is None:
            fields["location"] = f"{point[0]:.4f}, {point[1]:.4f}"
    return fields


def field_messages(error: EventValidationError) -> dict[str, str]:
    """One message per form field from the store's validation problems: what was given and what is expected."""
    out: dict[str, str] = {}
    for problem in error.problems:
        label = FIELD_LABELS.get(problem.field, problem.field)
        given = "nothing" if problem.value in (None, "") else repr(problem.value)
        message = f"{label}: got {given}; expected {problem.expected}."
        out[problem.field] = f"{out[problem.field]} {message}" if problem.field in out else message
    return out


def form_values(event: Mapping[str, object]) -> dict[str, object]:
    """The form's values for editing a stored event (``EventStore.get_event``)."""
    out: dict[str, object] = {}
    for name in EDITABLE:
        value = event.get(name)
        if name in ("event_date", "date_end") and value is not None and not isinstance(value, date):
            value = pd.Timestamp(value).date()
        out[name] = value
    out["fatalities"] = int(out["fatalities"] or 0)
    out["time_precision"] = int(out["time_precision"] or 1)
    out["place_text"] = str(event.get("location") or "")
    return out


def edit_changes(before: Mapping[str, object], fields: Mapping[str, object]) -> dict[str, object]:
    """The fields of an edit that differ from the form's starting values (cleared fields become ``None``)."""
    changes = {k: v for k, v in fields.items() if k not in EDITABLE}
    for name in EDITABLE:
        new, old = fields.get(name), before.get(name)
        if new != old and not (new is None and old in ("", None)):
            changes[name] = new
    return changes


def _change_text(changes: object) -> str:
    if changes is None or (isinstance(changes, float) and pd.isna(changes)):
        return ""
    if isinstance(changes, str):
        changes = json.loads(changes)
    if not isinstance(changes, Mapping):
        return str(changes)
    parts = []
    for column, pair in changes.items():
        if column == "timestamp":
            # The store's own record time; the history row says when already.
            continue
        old, new = [*pair, None, None][:2] if isinstance(pair, list | tuple) else (None, pair)
        parts.append(f"{column}: {'–' if old in (None, '') else old} → {'–' if new in (None, '') else new}")
    return "; ".join(parts)


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """An event's history (``EventStore.history``) for display: newest first, what changed in words.

    Returns
    -------
    pandas.DataFrame
        ``Version, Change, When, By, What changed, Reason, Import``.
    """
    out = pd.DataFrame(
        {
            "Version": history["version"].astype("int64"),
            "Change": history["change"].astype(str),
            "When": pd.to_datetime(history["changed_at"], utc=True).dt.strftime("%Y-%m-%d %H:%M UTC"),
            "By": history["changed_by"].astype(object).fillna("").astype(str),
            "What changed": [_change_text(c) for c in history["changes"]],
            "Reason": history["reason"].astype(object).fillna("").astype(str),
            "Import": history["file_name"].astype(object).fillna("").astype(str),
        }
    )
    return out.iloc[::-1].reset_index(drop=True)


def holds_event(events: pd.DataFrame | None, event_id: str | None) -> bool:
    """Whether a store's table holds ``event_id`` (to tell whether a selected event comes from the store)."""
    return events is not None and event_id is not None and bool((events["event_id"] == event_id).any())

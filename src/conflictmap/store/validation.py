"""Checking one event a person adds or edits: every problem named by field, value and what was expected.

``check_event`` takes the values of a form (place from the gazetteer or
coordinates, dates and their precision, type and sub-type from the taxonomy,
actors, fatalities, source, notes) and returns the complete canonical values,
or raises ``EventValidationError`` listing every problem at once, so a form
can mark each field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from conflictmap import gazetteer, schema
from conflictmap.errors import ConflictmapError
from conflictmap.messages import quote

#: Fields a form may set, besides the canonical columns: ``place`` is looked up in the gazetteer.
PLACE_FIELD = "place"
#: Columns the store sets itself.
STORE_SET: tuple[str, ...] = ("timestamp",)
#: What a form may give: ``place`` and every canonical column but the store's.
FORM_FIELDS: tuple[str, ...] = (PLACE_FIELD, *(c for c in schema.COLUMNS if c not in STORE_SET))
#: Columns filled from the gazetteer when a place is chosen.
PLACE_COLUMNS: tuple[str, ...] = ("location", "admin1", "admin2", "country", "latitude", "longitude", "geo_precision")
#: The dataset of events added by hand unless the form names another.
MANUAL_DATASET = "manual"
#: A point clicked on the map takes its region from the nearest gazetteer place within this distance.
NEAREST_PLACE_KM = 25.0
MAX_TEXT = 10_000
_TRUE = frozenset({"true", "yes", "1", "y", "oui"})
_FALSE = frozenset({"false", "no", "0", "n", "non", ""})


@dataclass(frozen=True)
class FieldProblem:
    """One value a form cannot take."""

    field: str
    value: object
    expected: str

    def __str__(self) -> str:
        return f"field {self.field!r} has {quote(self.value)}; expected {self.expected}"


class EventValidationError(ConflictmapError, ValueError):
    """An event's values are not acceptable; ``problems`` lists each field, value and what was expected."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def _blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


class _Checker:
    def __init__(self, fields: Mapping[str, object], today: date) -> None:
        self.fields = fields
        self.today = today
        self.problems: list[FieldProblem] = []
        self.out: dict[str, object] = {}

    def fail(self, field: str, expected: str) -> None:
        self.problems.append(FieldProblem(field, self.fields.get(field), expected))

    def text(self, field: str, *, required: bool = False) -> str | None:
        value = self.fields.get(field)
        if _blank(value):
            if required:
                self.fail(field, "a value")
            return None
        if isinstance(value, list | tuple):
            parts = [str(v).strip() for v in value if not _blank(v)]
            if not all(isinstance(v, str) for v in value if not _blank(v)):
                self.fail(field, "text or a list of text")
                return None
            value = "; ".join(parts) if parts else None
            if value is None:
                return None
        if not isinstance(value, str):
            self.fail(field, "text")
            return None
        value = value.strip()
        if len(value) > MAX_TEXT:
            self.fail(field, f"at most {MAX_TEXT} characters")
            return None
        return value

    def day(self, field: str, *, required: bool = False) -> date | None:
        value = self.fields.get(field)
        if _blank(value):
            if required:
                self.fail(field, "a date as YYYY-MM-DD")
            return None
        if isinstance(value, pd.Timestamp | datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(field, "a date as YYYY-MM-DD")
        return None

    def whole(self, field: str, *, low: int = 0, high: int | None = None, default: int | None = None) -> int | None:
        value = self.fields.get(field)
        if _blank(value):
            return default
        number: int | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and value.strip().lstrip("+").isdigit():
            number = int(value.strip())
        elif hasattr(value, "item") and isinstance(value.item(), int):
            number = int(value.item())
        within = number is not None and number >= low and (high is None or number <= high)
        if not within:
            span = f"from {low} to {high}" if high is not None else f"of {low} or more"
            self.fail(field, f"a whole number {span}")
            return None
        return number

    def degrees(self, field: str, limit: float) -> float | None:
        value = self.fields.get(field)
        try:
            number = float(value.strip() if isinstance(value, str) else value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            number = math.nan
        if isinstance(value, bool) or not math.isfinite(number) or abs(number) > limit:
            self.fail(field, f"a number of degrees from -{limit:g} to {limit:g}")
            return None
        return number

    def flag(self, field: str) -> bool:
        value = self.fields.get(field)
        if _blank(value):
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        self.fail(field, "yes or no")
        return False


def _nearest_place(latitude: float, longitude: float) -> gazetteer.Place | None:
    best, best_km = None, NEAREST_PLACE_KM
    for place in gazetteer.places():
        if place.kind == "region":
            continue
        km = gazetteer.distance_km(latitude, longitude, place.latitude, place.longitude)
        if km <= best_km:
            best, best_km = place, km
    return best


def _check_place(c: _Checker) -> None:
    fields = c.fields
    name = fields.get(PLACE_FIELD)
    has_point = not (_blank(fields.get("latitude")) and _blank(fields.get("longitude")))
    admin1 = c.text("admin1")
    out = c.out
    out["location"] = c.text("location")
    out["admin1"] = admin1
    out["admin2"] = c.text("admin2")
    out["admin3"] = c.text("admin3")
    out["country"] = c.text("country")
    if not _blank(name):
        if not isinstance(name, str):
            c.fail(PLACE_FIELD, "a place name")
            return
        try:
            found = gazetteer.resolve(name, admin1=admin1)
        except gazetteer.UnknownAdmin1Error:
            c.fail("admin1", f"a region of Mali such as {list(gazetteer.ADMIN1)}")
            return
        except gazetteer.AmbiguousPlaceError as exc:
            options = "; ".join(f"{p.name} ({p.admin1})" for p in exc.candidates)
            c.fail(PLACE_FIELD, f"one place; it matches {options} - choose a region (admin1)")
            return
        except gazetteer.PlaceNotFoundError:
            c.fail(PLACE_FIELD, "a place in the Mali gazetteer, or latitude and longitude")
            return
        out.update(
            location=found.name,
            admin1=found.admin1,
            admin2=found.admin2,
            country="Mali",
            latitude=found.latitude,
            longitude=found.longitude,
            geo_precision=found.geo_precision,
        )
        if has_point:
            # A point placed on the map refines the named place.
            out["latitude"] = c.degrees("latitude", 90)
            out["longitude"] = c.degrees("longitude", 180)
            out["geo_precision"] = c.whole("geo_precision", low=1, high=4, default=1)
        else:
            out["geo_precision"] = c.whole("geo_precision", low=1, high=4, default=found.geo_precision)
        return
    if not has_point:
        c.problems.append(FieldProblem(PLACE_FIELD, name, "a place from the gazetteer, or latitude and longitude"))
        return
    out["latitude"] = c.degrees("latitude", 90)
    out["longitude"] = c.degrees("longitude", 180)
    out["geo_precision"] = c.whole("geo_precision", low=1, high=4, default=1)
    if admin1 is not None:
        canonical = gazetteer.canonical_admin1(admin1)
        out["admin1"] = canonical or admin1
    elif out["latitude"] is not None and out["longitude"] is not None:
        near = _nearest_place(out["latitude"], out["longitude"])
        if near is not None:
            out["admin1"] = near.admin1
            out["admin2"] = out["admin2"] or near.admin2
            out["country"] = out["country"] or "Mali"


def _check_type(c: _Checker) -> None:
    by_fold = {t.casefold(): t for t in schema.EVENT_TYPES}
    raw = c.text("event_type", required=True)
    event_type = by_fold.get(raw.casefold()) if raw else None
    if raw and event_type is None:
        c.fail("event_type", f"one of {list(schema.EVENT_TYPES)}")
    c.out["event_type"] = event_type
    sub = c.text("sub_event_type")
    c.out["sub_event_type"] = None
    if sub is None or event_type is None:
        return
    subs = {s.casefold(): s for s in schema.TAXONOMY[event_type]}
    if sub.casefold() not in subs:
        c.fail("sub_event_type", f"a sub-type of {event_type}: {list(schema.TAXONOMY[event_type])}")
        return
    c.out["sub_event_type"] = subs[sub.casefold()]


def _check_dates(c: _Checker) -> None:
    start = c.day("event_date", required=True)
    end = c.day("date_end")
    if start is not None and start > c.today:
        c.fail("event_date", f"a date on or before today ({c.today.isoformat()})")
    if start is not None and end is not None and end < start:
        c.fail("date_end", f"a date on or after event_date ({start.isoformat()})")
    c.out["event_date"] = start
    c.out["date_end"] = end if end is not None else start
    c.out["time_precision"] = c.whole("time_precision", low=1, high=4, default=1)


def _check_counts(c: _Checker) -> None:
    best = c.whole("fatalities", default=0)
    low = c.whole("fatalities_low")
    high = c.whole("fatalities_high")
    if low is not None and best is not None and low > best:
        c.fail("fatalities_low", f"at most fatalities ({best})")
    if high is not None and best is not None and high < best:
        c.fail("fatalities_high", f"at least fatalities ({best})")
    c.out.update(fatalities=best, fatalities_low=low, fatalities_high=high)


def check_event(fields: Mapping[str, object], *, today: date | None = None) -> dict[str, object]:
    """Check the values of one event and complete them.

    Parameters
    ----------
    fields : mapping
        Form values: ``place`` (a gazetteer name; ``admin1`` helps choose between
        homonyms) or ``latitude`` and ``longitude`` (both may be given: the point
        refines the place); ``event_date`` (required), ``date_end``,
        ``time_precision`` (1-4); ``event_type`` (required) and ``sub_event_type``
        from the taxonomy; ``actor1``, ``actor2``, ``assoc_actor_1``,
        ``assoc_actor_2`` (text, associated actors may be lists);
        ``fatalities`` (default 0), ``fatalities_low``, ``fatalities_high``;
        ``source`` (required); ``notes``, ``tags``, ``dataset`` (default
        ``manual``), ``event_id`` and the other canonical columns. Blank values
        count as not given.
    today : date, optional
        The last acceptable event date; default today (UTC).

    Returns
    -------
    dict
        Every canonical column but ``timestamp``, with ``date`` objects for dates.
        A point without a region takes its ``admin1``/``admin2`` from the
        nearest gazetteer place within ``NEAREST_PLACE_KM``.

    Raises
    ------
    EventValidationError
        Listing every field whose value is not acceptable.
    """
    c = _Checker(fields, today or datetime.now(UTC).date())
    for name in fields:
        if name not in FORM_FIELDS:
            c.fail(name, f"no such field ({'timestamp is set by the store' if name in STORE_SET else 'unknown'})")
    _check_place(c)
    _check_type(c)
    _check_dates(c)
    _check_counts(c)
    out = c.out
    out["event_id"] = c.text("event_id")
    out["dataset"] = c.text("dataset") or MANUAL_DATASET
    out["source"] = c.text("source", required=True)
    for col in ("source_event_type", "disorder_type", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2"):
        out[col] = c.text(col)
    for col in ("source_scale", "notes", "tags"):
        out[col] = c.text(col)
    out["civilian_targeting"] = c.flag("civilian_targeting")
    # Columns a source carries and the form does not show (actor types, population, UCDP's fields).
    for col in schema.EXTENDED_COLUMNS:
        out[col] = c.whole(col) if schema.DTYPES[col] == "Int64" else c.text(col)
    if c.problems:
        raise EventValidationError(c.problems)
    return {col: out.get(col) for col in schema.COLUMNS if col not in STORE_SET}

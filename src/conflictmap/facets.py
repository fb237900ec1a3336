"""What the filter controls offer: choices with their event counts, date presets, and what each filter keeps.

The dashboard's sidebar shows, next to each filter, how many events that
filter alone keeps (``filter_counts``); lists incident types as a hierarchy
(``type_choices``: a type, then its sub-types) and actors with their event
counts, aliases merged, most active first (``actor_choices``), and regions with
every spelling merged (``region_choices``, searched without regard to accents with
``search_choices``); and offers date
presets counted back from the latest event in the data (``date_presets``), not
from today, so an archive opens on its own recent past.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

from conflictmap import regions, schema
from conflictmap.actors import actor_counts, actor_key, display_name
from conflictmap.filters import DateSpan, FilterSpec

#: Preset name -> label, in the order the date picker lists them.
DATE_PRESETS: dict[str, str] = {
    "all": "All dates",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "ytd": "Year to date",
    "custom": "Custom range",
}
_PRESET_DAYS = {"7d": 7, "30d": 30, "90d": 90}
TYPE_PREFIX, SUB_PREFIX = "type:", "sub:"

#: Filter groups ``filter_counts`` reports on, and the ``FilterSpec`` fields each one covers.
FILTER_GROUPS: dict[str, tuple[str, ...]] = {
    "dates": ("date_from", "date_to"),
    "types": ("event_types", "sub_event_types"),
    "actors": ("actors",),
    "regions": ("admin1",),
    "datasets": ("datasets",),
    "fatalities": ("min_fatalities",),
    "precision": ("max_geo_precision", "max_time_precision"),
    "text": ("text",),
    "area": ("bbox", "polygon"),
    "actor_types": ("actor_types",),
    "interactions": ("interactions",),
    "clarity": ("clear_only",),
}


def latest_event_day(events: pd.DataFrame) -> date | None:
    """The latest ``event_date`` in the table (what the presets count back from)."""
    if len(events) == 0:
        return None
    return pd.Timestamp(events["event_date"].max()).date()


def date_presets(latest: date) -> dict[str, tuple[date, date]]:
    """The ranges of the presets, counted back from ``latest`` (both ends included).

    Parameters
    ----------
    latest : date
        The latest event's day.

    Returns
    -------
    dict
        ``{"7d": (latest - 6 days, latest), "30d": ..., "90d": ..., "ytd": (1 January, latest)}``.
    """
    ranges = {key: (latest - timedelta(days=days - 1), latest) for key, days in _PRESET_DAYS.items()}
    ranges["ytd"] = (date(latest.year, 1, 1), latest)
    return ranges


def matching_preset(date_from: date | None, date_to: date | None, latest: date | None) -> str:
    """The preset a date range is: ``all`` when both ends are open, a preset's key, else ``custom``."""
    if date_from is None and date_to is None:
        return "all"
    if latest is not None:
        for key, span in date_presets(latest).items():
            if span == (date_from, date_to):
                return key
    return "custom"


#: How many events each row of a table stands for: ``None`` (one each) or one whole number per row.
Weights = Sequence[int] | np.ndarray | pd.Series | None


def _value_counts(values: pd.Series, weights: Weights) -> pd.Series:
    """``values.value_counts()``, each row counted ``weights`` times when given (missing values left out)."""
    if weights is None:
        return values.value_counts()
    counts = np.asarray(weights, dtype=np.int64).reshape(-1)
    if len(counts) != len(values):
        raise ValueError(f"weights has {len(counts)} values for {len(values)} rows; expected one per row")
    keys = pd.Series(values.to_numpy(dtype=object), dtype=object)
    return pd.Series(counts).groupby(keys, dropna=True, sort=True).sum()


# -- incident types ---------------------------------------------------------------------------------------


def type_choices(events: pd.DataFrame, weights: Weights = None) -> list[tuple[str, str]]:
    """Incident types and sub-types as one list, each type followed by its sub-types, with event counts.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events, or any table with ``event_type`` and ``sub_event_type``.
    weights : sequence of int, optional
        How many events each row stands for (rows grouped by type, as a database returns
        them); default one each.

    Returns
    -------
    list of (value, label)
        Values are ``"type:<event type>"`` or ``"sub:<sub-event type>"``; labels read
        ``"Battles (12)"`` and ``"Battles › Armed clash (9)"``. Every type and sub-type
        of the taxonomy is listed, with 0 where the data has none.
    """
    types = _value_counts(events["event_type"], weights)
    subs = _value_counts(events["sub_event_type"], weights)
    out = []
    for event_type, sub_types in schema.TAXONOMY.items():
        out.append((TYPE_PREFIX + event_type, f"{event_type} ({int(types.get(event_type, 0)):,})"))
        for sub in sub_types:
            out.append((SUB_PREFIX + sub, f"{event_type} › {sub} ({int(subs.get(sub, 0)):,})"))
    return out


def split_type_choices(values: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``type_choices`` values -> (event types, sub-event types), as ``FilterSpec`` takes them."""
    types, subs = [], []
    for value in values:
        if value.startswith(TYPE_PREFIX):
            types.append(value.removeprefix(TYPE_PREFIX))
        elif value.startswith(SUB_PREFIX):
            subs.append(value.removeprefix(SUB_PREFIX))
    return tuple(types), tuple(subs)


def join_type_choices(event_types: Iterable[str], sub_event_types: Iterable[str]) -> list[str]:
    """The inverse of ``split_type_choices``."""
    return [TYPE_PREFIX + t for t in event_types] + [SUB_PREFIX + s for s in sub_event_types]


# -- actors, regions, datasets ----------------------------------------------------------------------------


def actor_choices(events: pd.DataFrame, selected: Sequence[str] = (), weights: Weights = None) -> pd.DataFrame:
    """Actors to choose from: key, shown name and event count, most active first, aliases merged.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.
    selected : sequence of str
        Actors already chosen (keys or names, e.g. from a link); any the data does not
        hold are added with 0 events, so a choice is never dropped.
    weights : sequence of int, optional
        How many events each row stands for (see ``actors.actor_counts``); default one each.

    Returns
    -------
    pandas.DataFrame
        Columns ``key``, ``display_name``, ``events``, ``label`` (``"JNIM (1,234)"``).
    """
    table = actor_counts(events, weights=weights)[["key", "display_name", "events"]]
    known = set(table["key"])
    extra = []
    for name in selected:
        key = actor_key(name) or name
        if key not in known and name not in known:
            extra.append({"key": name, "display_name": display_name(key) if actor_key(name) else name, "events": 0})
            known.add(name)
    if extra:
        table = pd.concat([table, pd.DataFrame(extra)], ignore_index=True)
    table = table.assign(label=[f"{n} ({c:,})" for n, c in zip(table["display_name"], table["events"], strict=True)])
    return table.reset_index(drop=True)


def value_choices(values: pd.Series, selected: Sequence[str] = (), weights: Weights = None) -> list[tuple[str, int]]:
    """Distinct labels of a column with their counts, most frequent first, then by name; chosen labels kept.

    Parameters
    ----------
    values : pandas.Series
        A text column (``admin1``, ``dataset``).
    selected : sequence of str
        Labels already chosen; kept with 0 when absent.
    weights : sequence of int, optional
        How many events each value stands for (values grouped, as a database returns them);
        default one each.
    """
    counts = _value_counts(values, weights)
    counts = counts[counts > 0]
    pairs = sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0].casefold()))
    present = {k for k, _ in pairs}
    pairs += [(s, 0) for s in selected if s not in present]
    return pairs


def region_choices(values: pd.Series, selected: Sequence[str] = (), weights: Weights = None) -> pd.DataFrame:
    """Regions to choose from, every spelling of a region merged (``regions.region_key``), most events first.

    "Timbuktu" (the seed events) and "Tombouctou" (ACLED) are one choice, and so are
    "Segou" and "Ségou"; the regions created in 2023 count as the ones they were carved out of.

    Parameters
    ----------
    values : pandas.Series
        An ``admin1`` column, or the ``admin1`` of grouped rows (with ``weights``).
    selected : sequence of str
        Regions already chosen (any spelling, e.g. from a link); a region the data does not
        hold is added with 0 events, so a choice is never dropped.
    weights : sequence of int, optional
        How many events each value stands for (values grouped, as a database returns them);
        default one each.

    Returns
    -------
    pandas.DataFrame
        One row per region: ``key``; ``value``, the name to put in ``FilterSpec.admin1`` and
        links (ACLED's name for Mali's regions, else the most used spelling); ``display_name``
        ("Timbuktu / Tombouctou"); ``events``; ``label`` ("Timbuktu / Tombouctou (19)");
        ``spellings``, every spelling known (the data's and the alias table's) for ``search_choices``.
    """
    # Count each spelling first (fast on a categorical column), then merge the few spellings by key.
    spelt = _value_counts(values, weights)
    spelt = spelt[spelt > 0]
    by_key: dict[str, list[tuple[int, str]]] = {}
    for name, count in spelt.items():
        key = regions.region_key(name)
        if key:
            by_key.setdefault(key, []).append((int(count), str(name)))
    rows = []
    for key, names in by_key.items():
        names.sort(key=lambda cn: (-cn[0], cn[1]))
        rows.append(_region_row(key, sum(c for c, _ in names), [n for _, n in names]))
    known = {r["key"] for r in rows}
    for name in selected:
        key = regions.region_key(name)
        if key and key not in known:
            rows.append(_region_row(key, 0, [name]))
            known.add(key)
    rows.sort(key=lambda r: (-r["events"], regions.fold(r["display_name"])))
    columns = ["key", "value", "display_name", "events", "label", "spellings"]
    return pd.DataFrame(rows, columns=columns)


def _region_row(key: str, events: int, spellings: list[str]) -> dict[str, object]:
    known = regions.region_spellings(key)
    value = known[0] if known else spellings[0]
    shown = regions.region_name(key) if known else value
    return {
        "key": key,
        "value": value,
        "display_name": shown,
        "events": events,
        "label": f"{shown} ({events:,})",
        "spellings": tuple(dict.fromkeys([*spellings, *known])),
    }


def region_pairs(values: pd.Series, selected: Sequence[str] = (), weights: Weights = None) -> list[tuple[str, int]]:
    """``region_choices`` as ``(value, events)`` pairs, for ``count_labels``: one pair per region, spellings merged."""
    table = region_choices(values, selected, weights)
    return [(str(v), int(n)) for v, n in zip(table["value"], table["events"], strict=True)]


def chosen_regions(table: pd.DataFrame, selected: Sequence[str]) -> list[str]:
    """The ``region_choices`` values the chosen regions (any spelling) stand for, in order, each once."""
    value_of = dict(zip(table["key"], table["value"], strict=True))
    out = [value_of.get(regions.region_key(name), name) for name in selected if regions.region_key(name)]
    return list(dict.fromkeys(out))


def search_choices(
    table: pd.DataFrame, query: str, columns: Sequence[str] = ("display_name", "spellings")
) -> pd.DataFrame:
    """The rows of a choices table whose names hold ``query``, accents and case ignored.

    For pickers: "ség", "Seg" and "SEGOU" all find Ségou; "Tomb" finds Timbuktu
    through its spelling "Tombouctou"; an empty query keeps every row.

    Parameters
    ----------
    table : pandas.DataFrame
        Choices, e.g. ``region_choices`` or ``actor_choices``.
    query : str
        What was typed.
    columns : sequence of str
        Columns searched; each holds a name or a tuple of names. Missing columns are skipped.
    """
    present = [c for c in columns if c in table.columns]
    keep = []
    for row in table[present].itertuples(index=False):
        texts: list[str] = []
        for cell in row:
            texts.extend(cell if isinstance(cell, (tuple, list)) else [str(cell)])
        keep.append(regions.matches(query, texts))
    return table[np.asarray(keep, dtype=bool)] if len(table) else table


def actor_type_choices(
    events: pd.DataFrame, selected: Sequence[str] = (), weights: Weights = None
) -> list[tuple[str, int]]:
    """ACLED's actor types with how many events have one as actor 1 or 2 (an event counted once), in ACLED's order.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events, or any table with ``actor1_type`` and ``actor2_type``.
    selected : sequence of str
        Types already chosen; kept with 0 when absent.
    weights : sequence of int, optional
        How many events each row stands for (rows grouped, as a database returns them).
    """
    counts = np.zeros(len(schema.ACTOR_TYPES), dtype=np.int64)
    each = np.ones(len(events), dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)
    first = events["actor1_type"].astype(object).to_numpy()
    second = events["actor2_type"].astype(object).to_numpy()
    for i, kind in enumerate(schema.ACTOR_TYPES):
        counts[i] = each[(first == kind) | (second == kind)].sum()
    pairs = [(k, int(n)) for k, n in zip(schema.ACTOR_TYPES, counts, strict=True) if n > 0 or k in selected]
    return pairs + [(s, 0) for s in selected if s not in schema.ACTOR_TYPES]


def interaction_choices(
    events: pd.DataFrame, selected: Sequence[str] = (), weights: Weights = None
) -> list[tuple[str, int]]:
    """The interactions the events have, with their counts, most frequent first; chosen ones kept."""
    return value_choices(events["interaction"], selected, weights)


def unclear_count(events: pd.DataFrame, weights: Weights = None) -> int:
    """How many events "clear events only" leaves out (UCDP's event_clarity 2 or a code_status other than Clear)."""
    each = np.ones(len(events), dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)
    clarity = pd.to_numeric(events["event_clarity"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    status = events["code_status"].astype(object).to_numpy()
    unclear = (clarity == 2) | (pd.notna(status) & (status != "Clear"))
    return int(each[unclear].sum())


def count_labels(pairs: Iterable[tuple[str, int]], selected: Sequence[str] = ()) -> dict[str, str]:
    """Picker labels: ``"Gao (12)"`` for each ``value_choices`` pair, the bare name for chosen values without events.

    A link may name a value the data does not hold; it stays choosable.
    """
    labels = {name: f"{name} ({n:,})" for name, n in pairs}
    labels.update({name: name for name in selected if name not in labels})
    return labels


# -- what each filter keeps -------------------------------------------------------------------------------


def _only(spec: FilterSpec, fields: tuple[str, ...]) -> FilterSpec:
    return dataclasses.replace(FilterSpec(), **{f: getattr(spec, f) for f in fields})


def active_groups(spec: FilterSpec) -> list[str]:
    """The ``FILTER_GROUPS`` that constrain something in ``spec``."""
    return [name for name, fields in FILTER_GROUPS.items() if not _only(spec, fields).is_empty()]


def filter_counts(events: pd.DataFrame, spec: FilterSpec) -> dict[str, int]:
    """How many events each active filter group keeps on its own.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events (before filtering).
    spec : FilterSpec
        The full filter.

    Returns
    -------
    dict
        Group name (see ``FILTER_GROUPS``) -> events that group alone keeps, for the
        active groups only; ``"all"`` -> events the whole filter keeps.
    """
    out: dict[str, int] = {}
    for name in active_groups(spec):
        out[name] = int(np.count_nonzero(_only(spec, FILTER_GROUPS[name]).mask(events)))
    out["all"] = len(events) if spec.is_empty() else int(np.count_nonzero(spec.mask(events)))
    return out


# -- the filter controls and the spec ---------------------------------------------------------------------

#: The filter controls, by name; ``controls_from_spec`` and ``spec_from_controls`` convert between them and a spec.
CONTROLS: tuple[str, ...] = (
    "period",
    "dates",
    "types",
    "actors",
    "regions",
    "datasets",
    "min_fatalities",
    "precise",
    "text",
    "actor_types",
    "interactions",
    "clear_only",
    "carried",
)


def controls_from_spec(spec: FilterSpec, span: DateSpan, latest: date) -> dict[str, object]:
    """The value of each filter control that shows ``spec``.

    Parameters
    ----------
    spec : FilterSpec
        The filter to show.
    span : DateSpan
        The data's dates (the range shown when no date is chosen).
    latest : date
        The latest event's day (for the presets).

    Returns
    -------
    dict
        One value per name in ``CONTROLS``: ``period`` (a ``DATE_PRESETS`` key), ``dates``
        (first, last), ``types`` (``type_choices`` values), ``actors``, ``regions``,
        ``datasets`` (lists), ``min_fatalities``, ``precise`` (location and date precision
        1), ``text``, ``actor_types``, ``interactions`` (lists), ``clear_only``, and
        ``carried``: the fields no control shows (a bounding box or polygon, other precision limits),
        kept as ``FilterSpec`` keyword arguments.
    """
    period = matching_preset(spec.date_from, spec.date_to, latest)
    dates = (span.first, span.last) if period == "all" else (spec.date_from or span.first, spec.date_to or span.last)
    precise = spec.max_geo_precision == 1 and spec.max_time_precision == 1
    carried: dict[str, object] = {"bbox": spec.bbox, "polygon": spec.polygon, "areas": spec.areas or None}
    if not precise:
        carried.update(max_geo_precision=spec.max_geo_precision, max_time_precision=spec.max_time_precision)
    return {
        "period": period,
        "dates": dates,
        "types": join_type_choices(spec.event_types, spec.sub_event_types),
        "actors": list(spec.actors),
        "regions": list(spec.admin1),
        "datasets": list(spec.datasets),
        "min_fatalities": spec.min_fatalities,
        "precise": precise,
        "text": spec.text,
        "actor_types": list(spec.actor_types),
        "interactions": list(spec.interactions),
        "clear_only": spec.clear_only,
        "carried": {k: v for k, v in carried.items() if v is not None},
    }


def spec_from_controls(controls: dict[str, object]) -> FilterSpec:
    """The filter the controls show (the inverse of ``controls_from_spec``).

    A date range still being picked (one day chosen) counts from that day on.

    Raises
    ------
    filters.FilterError
        If a control holds a value the filter refuses.
    """
    date_from = date_to = None
    if controls["period"] != "all":
        picked = tuple(controls["dates"] or ())  # type: ignore[arg-type]
        date_from = picked[0] if picked else None
        date_to = picked[1] if len(picked) > 1 else None
    types, subs = split_type_choices(controls["types"])  # type: ignore[arg-type]
    values: dict[str, object] = {
        "date_from": date_from,
        "date_to": date_to,
        "event_types": types,
        "sub_event_types": subs,
        "actors": controls["actors"],
        "admin1": controls["regions"],
        "datasets": controls["datasets"],
        "min_fatalities": int(controls["min_fatalities"] or 0),  # type: ignore[arg-type]
        "text": controls["text"] or "",
        # Pages made before these controls existed leave them out.
        "actor_types": controls.get("actor_types") or (),
        "interactions": controls.get("interactions") or (),
        "clear_only": bool(controls.get("clear_only")),
        **controls.get("carried", {}),  # type: ignore[dict-item]
    }
    if controls["precise"]:
        values.update(max_geo_precision=1, max_time_precision=1)
    return FilterSpec(**values)

"""Summaries a page asks of the database: counts per group, several filters counted in one pass, the newest events.

``EventStore.summaries()`` opens one read transaction and returns a
``SummaryReader``: every question a view asks of it sees the same snapshot, and
the labels that actor and text filters are matched against are read once. Each
method takes a ``FilterSpec`` with the meaning of ``FilterSpec.mask`` and reads
the events shown (active and flagged missing, as ``query()`` does); only the
aggregates, or the rows asked for, leave the database. The SQL is the same on
both backends apart from the ``Dialect`` and the period expression.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap import schema
from conflictmap.filters import FilterSpec
from conflictmap.store import records, views
from conflictmap.store.core import CODED_SET, VIEW_SET, Tx, column_list, q, rows_frame
from conflictmap.store.reading import Reading
from conflictmap.store.where import build_where

#: Positions are summed in whole millionths of a degree (``floor(x * MICRO + 0.5)``), exact whatever the order.
MICRO = 1e6
#: Columns ``group_counts(..., extent=True)`` adds: the dates and the box of each group's events.
EXTENT_COLUMNS: tuple[str, ...] = ("first_date", "last_date", "last_end", "west", "south", "east", "north")
_EXTENT_SQL = (
    "MIN(e.event_date), MAX(e.event_date), MAX(e.date_end), "
    "MIN(e.longitude), MIN(e.latitude), MAX(e.longitude), MAX(e.latitude)"
)
#: Columns ``group_counts(..., dates=True)`` adds: the first and last day of each group's events.
DATES_COLUMNS: tuple[str, ...] = ("first_date", "last_date")
_DATES_SQL = "MIN(e.event_date), MAX(e.event_date)"
_DATE_OUTPUTS = frozenset({"period", "first_date", "last_date", "last_end", *schema.DATE_COLUMNS})


def _days(values: pd.Series) -> pd.Series:
    """Days as SQLite (``YYYY-MM-DD`` text) or PostgreSQL (``date``) returns them -> ``datetime64[ns]``."""
    text = [None if v is None else str(v)[:10] for v in values.to_numpy(dtype=object)]
    return pd.Series(pd.to_datetime(pd.Series(text, dtype=object), format="%Y-%m-%d"), index=values.index).astype(
        "datetime64[ns]"
    )


def _counts(values: pd.Series) -> np.ndarray:
    return np.array([0 if v is None else int(v) for v in values.to_numpy(dtype=object)], dtype=np.int64)


def _check_columns(columns: Sequence[str]) -> list[str]:
    unknown = [c for c in columns if c not in schema.COLUMNS]
    if unknown:
        raise ValueError(f"cannot group events by {unknown[0]!r}; expected columns of {list(schema.COLUMNS)}")
    return list(columns)


class Summaries(Reading):
    """What a page's views ask of the database, through ``summaries()``."""

    @contextmanager
    def summaries(self) -> Iterator[SummaryReader]:
        """A ``SummaryReader``: the questions of one view asked in one read transaction.

        The answers come from one snapshot of the store, and the labels actor and text
        filters are matched against are read once for all of them.
        """
        with self._transaction(write=False) as tx:
            yield SummaryReader(self, tx)


class SummaryReader:
    """Summaries of the events shown (active and flagged missing), read in one transaction.

    Get one from ``EventStore.summaries()``; use it only inside that ``with`` block.
    """

    #: What orders events of the same day (``query()`` order); a file's readers use its row order.
    order_key = "e.event_id"

    def __init__(self, store: Summaries, tx: Tx) -> None:
        self._store = store
        self._tx = tx
        self._events_table = store._table("events")
        #: The narrow table of ``VIEW_COLUMNS`` kept equal to the events (``None``: the store has none).
        self._narrow: str | None = getattr(store, "_views_table", None)
        self._cache: dict[str, list[str]] = {}

    def _labels(self, column: str) -> list[str]:
        """A column's distinct values, for ``build_where`` (the store keeps them until it changes)."""
        if column not in self._cache:
            self._cache[column] = self._store._labels(self._tx, column)
        return self._cache[column]

    def _conditions(self, spec: FilterSpec | None, narrow: bool = False) -> tuple[list[str], list[object]]:
        dialect = self._store.narrow_dialect if narrow else self._store.dialect
        return build_where(spec, dialect, self._labels)

    def _shown(self, spec: FilterSpec | None, narrow: bool = False) -> tuple[str, list[object]]:
        """The WHERE clause of the events shown that ``spec`` keeps (on the narrow table, when ``narrow``)."""
        conditions, params = self._conditions(spec, narrow)
        conditions.insert(0, self._store._status_condition(True, False))
        return " AND ".join(f"({c})" for c in conditions), params

    def _source(self, specs: Sequence[FilterSpec | None], columns: Sequence[str] = ()) -> tuple[str, bool]:
        """The table a grouped question reads, and whether it is the narrow one.

        The narrow table serves when it holds every column the question groups by and every filter's
        columns: all but the free text, which searches the notes and tags of the events table, and the
        areas, which compare region names joined as text.
        """
        if self._narrow is None or not VIEW_SET.issuperset(columns):
            return self._events_table, False
        if not columns and all(spec is None or spec.is_empty() for spec in specs):
            # A count of every event shown: the events table's status index answers without reading rows.
            return self._events_table, False
        if any(spec is not None and (spec.text or spec.areas) for spec in specs):
            return self._events_table, False
        return self._narrow, True

    def _decoded(self, raw: pd.DataFrame, narrow: bool) -> pd.DataFrame:
        """Rows read from the narrow table with the labels of its coded columns in place of the codes."""
        coded = [c for c in raw.columns if c in CODED_SET] if narrow else []
        if not coded or raw.empty:
            return raw
        codes = {int(v) for c in coded for v in raw[c].to_numpy(dtype=object) if v is not None}
        labels = self._store._code_labels(self._tx, sorted(codes))
        out = raw.copy()
        for col in coded:
            values = np.empty(len(raw), dtype=object)
            values[:] = [None if v is None else labels[int(v)] for v in raw[col].to_numpy(dtype=object)]
            out[col] = values
        return out

    def _from(
        self, spec: FilterSpec | None, columns: Sequence[str] = (), also: Sequence[FilterSpec | None] = ()
    ) -> tuple[str, str, list[object]]:
        """``FROM`` table (aliased ``e`` by the caller), WHERE clause and parameters of a grouped question."""
        table, narrow = self._source([spec, *also], columns)
        where, params = self._shown(spec, narrow)
        return table, where, params

    def change_token(self) -> str | None:
        """The store's change token as this reader's snapshot sees it (see ``Reading.change_token``).

        ``None`` when what is read keeps no token (nothing can be known of its changes).
        """
        token = getattr(self._store, "_change_token", None)
        return None if token is None else token(self._tx)

    def people_nearby(self, spec: FilterSpec | None = None) -> int | None:
        """``timeline.people_nearby`` of the events a filter keeps, summed in the database."""
        table, where, params = self._from(spec, ["population_5km", "latitude", "longitude"])
        sql = (
            f"SELECT SUM(p), COUNT(*) FROM (SELECT MAX(e.population_5km) AS p FROM {table} e "
            f"WHERE {where} AND e.population_5km IS NOT NULL GROUP BY e.latitude, e.longitude) AS points"
        )
        total, points = self._tx.rows(sql, params)[0]
        return int(total) if points else None

    def count(self, spec: FilterSpec | None = None) -> int:
        """How many events a filter keeps (as ``EventStore.count``)."""
        table, where, params = self._from(spec)
        return int(self._tx.rows(f"SELECT COUNT(*) FROM {table} e WHERE {where}", params)[0][0])

    def query(self, spec: FilterSpec | None = None) -> gpd.GeoDataFrame:
        """The canonical events a filter keeps, ordered by ``event_date`` then ``event_id`` (as ``query``)."""
        where, params = self._shown(spec)
        return self._events(f"WHERE {where} ORDER BY e.event_date, {self.order_key}", params)

    def group_counts(
        self,
        spec: FilterSpec | None = None,
        columns: Sequence[str] = (),
        *,
        freq: str | None = None,
        extent: bool = False,
        marks: Mapping[str, FilterSpec] | None = None,
        dates: bool = False,
    ) -> pd.DataFrame:
        """Events and fatalities per distinct combination of ``columns`` among the events a filter keeps.

        Parameters
        ----------
        spec : FilterSpec, optional
            The filter; default every event shown.
        columns : sequence of str
            Canonical columns to group by (none: one row for all the events).
        freq : {"D", "W", "M"}, optional
            Also group by the period of ``event_date`` (days, weeks from Monday, months).
        extent : bool, default False
            Add each group's ``EXTENT_COLUMNS``: first and last ``event_date``, last ``date_end``
            and the box ``west``, ``south``, ``east``, ``north`` of its events.
        marks : mapping, optional
            Name -> filter: a leading column of that name, True for the groups of events the
            filter keeps (so one pass answers for several filters within ``spec``).
        dates : bool, default False
            Add each group's ``DATES_COLUMNS`` (first and last ``event_date``); ``extent`` has them.

        Returns
        -------
        pandas.DataFrame
            ``period`` (its first day, when ``freq`` is given), the columns (plain values,
            ``None`` where missing, dates as ``datetime64[ns]``), ``events`` and ``fatalities``
            (int64), then the extent or dates columns; one row per group with events, in no set order.

        Raises
        ------
        ValueError
            If a column is not canonical or ``freq`` is not one of ``timeline.FREQUENCIES``.
        """
        names = _check_columns(columns)
        views.check_freq(freq)
        table, narrow = self._source([spec, *(marks or {}).values()], columns)
        marked, mark_params = self._marks(marks, narrow)
        where, params = self._shown(spec, narrow)
        params = [*mark_params, *params]
        ends = _EXTENT_SQL if extent else _DATES_SQL if dates else ""
        if freq in ("W", "M"):
            sql = self._by_period(table, where, marked, names, freq, extent, dates)
            names.insert(0, "period")
        else:
            keys = [f"e.{q(c)}" for c in names]
            if freq is not None:
                keys.insert(0, self._store._period_sql(freq))
                names.insert(0, "period")
            keys = [*marked, *keys]
            select = [*keys, "COUNT(*)", "COALESCE(SUM(e.fatalities), 0)"] + ([ends] if ends else [])
            sql = f"SELECT {', '.join(select)} FROM {table} e WHERE {where}"
            if keys:
                sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(keys)))
        names = [*(marks or {}), *names]
        outputs = [*names, "events", "fatalities", *(EXTENT_COLUMNS if extent else DATES_COLUMNS if dates else ())]
        raw = self._decoded(rows_frame(self._tx.rows(sql, params), outputs), narrow)
        frame = raw.copy()
        frame["events"] = _counts(raw["events"])
        frame["fatalities"] = _counts(raw["fatalities"])
        for col in outputs:
            if col in _DATE_OUTPUTS:
                frame[col] = _days(raw[col])
            elif col in ("west", "south", "east", "north", "latitude", "longitude"):
                frame[col] = raw[col].astype("float64")
            elif col in (marks or {}):
                frame[col] = raw[col].astype(int).astype(bool)
        # Without GROUP BY an aggregate answers one row even when nothing matches.
        return frame[frame["events"] > 0].reset_index(drop=True)

    def _by_period(
        self,
        table: str,
        where: str,
        marked: Sequence[str],
        columns: Sequence[str],
        freq: str,
        extent: bool,
        dates: bool,
    ) -> str:
        """A grouping by week or month, made of the groups by day.

        The period of each event's day (``date_trunc`` in PostgreSQL) costs more than the grouping
        itself over a million events; worked out per day group instead, it is counted a few
        thousand times. The extents of the days combine into the periods' (minimum of minima...).
        """
        inner_columns = list(dict.fromkeys(["event_date", *columns]))
        inner = [f"{m} AS mark_{i}" for i, m in enumerate(marked)]
        inner += [f"e.{q(c)} AS {q(c)}" for c in inner_columns]
        keys = [*(f"mark_{i}" for i in range(len(marked))), *inner_columns]
        ends: list[tuple[str, str]] = []
        if extent or dates:
            ends = [("MIN(e.event_date)", "MIN"), ("MAX(e.event_date)", "MAX")]
        if extent:
            ends += [("MAX(e.date_end)", "MAX"), ("MIN(e.longitude)", "MIN"), ("MIN(e.latitude)", "MIN")]
            ends += [("MAX(e.longitude)", "MAX"), ("MAX(e.latitude)", "MAX")]
        inner_sql = f"SELECT {', '.join(inner)}, COUNT(*) AS day_events, SUM(e.fatalities) AS day_fatalities"
        inner_sql += "".join(f", {expr} AS end_{i}" for i, (expr, _) in enumerate(ends))
        inner_sql += f" FROM {table} e WHERE {where} GROUP BY " + ", ".join(str(i + 1) for i in range(len(keys)))
        outer = [*(f"e.mark_{i}" for i in range(len(marked))), self._store._period_sql(freq)]
        outer += [f"e.{q(c)}" for c in columns]
        select = [*outer, "SUM(e.day_events)", "COALESCE(SUM(e.day_fatalities), 0)"]
        select += [f"{how}(e.end_{i})" for i, (_, how) in enumerate(ends)]
        group = ", ".join(str(i + 1) for i in range(len(outer)))
        return f"SELECT {', '.join(select)} FROM ({inner_sql}) e GROUP BY {group}"

    def date_range(self, spec: FilterSpec | None = None) -> tuple[date, date] | None:
        """The first and last ``event_date`` of the events a filter keeps; ``None`` when it keeps none.

        Without a filter the date index answers at once. With one, the events are counted too:
        PostgreSQL would otherwise look for each end along the date index, reading most of a large
        table when the filter's events are not the oldest or newest.
        """
        ends = "MIN(e.event_date), MAX(e.event_date)"
        if spec is not None and not spec.is_empty():
            ends += ", COUNT(*)"
            table, where, params = self._from(spec)
        else:
            # The events table's date index (the narrow table's BRIN cannot find an end at once).
            table = self._events_table
            where, params = self._shown(spec)
        sql = f"SELECT {ends} FROM {table} e WHERE {where}"
        first, last = self._tx.rows(sql, params)[0][:2]
        if first is None:
            return None
        return date.fromisoformat(str(first)[:10]), date.fromisoformat(str(last)[:10])

    def place_counts(
        self, spec: FilterSpec | None = None, *, marks: Mapping[str, FilterSpec] | None = None
    ) -> pd.DataFrame:
        """Events and fatalities per place name, and per coordinate pair for events with no place name.

        Parameters
        ----------
        spec : FilterSpec, optional
            The filter.
        marks : mapping, optional
            As for ``group_counts``.

        Returns
        -------
        pandas.DataFrame
            The marks, ``location``, ``latitude``, ``longitude`` (the coordinates only where
            ``location`` is missing, else NaN), ``events``, ``fatalities``; one row per group.
        """
        unnamed = "CASE WHEN e.location IS NULL THEN e.{} END"
        table, narrow = self._source([spec, *(marks or {}).values()], ["location", "latitude", "longitude"])
        marked, mark_params = self._marks(marks, narrow)
        sql_keys = [*marked, "e.location", unnamed.format("latitude"), unnamed.format("longitude")]
        where, params = self._shown(spec, narrow)
        sql = (
            f"SELECT {', '.join(sql_keys)}, COUNT(*), COALESCE(SUM(e.fatalities), 0) "
            f"FROM {table} e WHERE {where} GROUP BY {', '.join(str(i + 1) for i in range(len(sql_keys)))}"
        )
        names = [*(marks or {}), "location", "latitude", "longitude", "events", "fatalities"]
        raw = self._decoded(rows_frame(self._tx.rows(sql, [*mark_params, *params]), names), narrow)
        return pd.DataFrame(
            {
                **{name: raw[name].astype(int).astype(bool).to_numpy() for name in marks or {}},
                "location": raw["location"].to_numpy(dtype=object),
                "latitude": raw["latitude"].to_numpy(dtype=object).astype("float64"),
                "longitude": raw["longitude"].to_numpy(dtype=object).astype("float64"),
                "events": _counts(raw["events"]),
                "fatalities": _counts(raw["fatalities"]),
            }
        )

    def place_and_actor_counts(
        self, spec: FilterSpec | None, *, marks: Mapping[str, FilterSpec] | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``place_counts(spec, marks=marks)`` and ``group_counts(spec, schema.ACTOR_COLUMNS, marks=marks)``.

        Where the database groups by several sets of columns in one statement, one pass over the
        events answers both.
        """
        table, narrow = self._source([spec, *(marks or {}).values()], ["location", *schema.ACTOR_COLUMNS])
        dialect = self._store.narrow_dialect if narrow else self._store.dialect
        if not dialect.grouping_sets:
            return self.place_counts(spec, marks=marks), self.group_counts(spec, schema.ACTOR_COLUMNS, marks=marks)
        marked, mark_params = self._marks(marks, narrow)
        where, params = self._shown(spec, narrow)
        unnamed = "CASE WHEN e.location IS NULL THEN e.{} END"
        inner = [f"{m} AS mark_{i}" for i, m in enumerate(marked)]
        inner += ["e.location AS location", f"{unnamed.format('latitude')} AS latitude"]
        inner += [f"{unnamed.format('longitude')} AS longitude", *(f"e.{q(c)} AS {q(c)}" for c in schema.ACTOR_COLUMNS)]
        inner.append("e.fatalities AS fatalities")
        mark_keys = [f"mark_{i}" for i in range(len(marked))]
        place_keys = [*mark_keys, "location", "latitude", "longitude"]
        actor_keys = [*mark_keys, *(q(c) for c in schema.ACTOR_COLUMNS)]
        keys = [*mark_keys, "location", "latitude", "longitude", *(q(c) for c in schema.ACTOR_COLUMNS)]
        sql = (
            f"SELECT {', '.join(keys)}, GROUPING(location), COUNT(*), COALESCE(SUM(fatalities), 0) "
            f"FROM (SELECT {', '.join(inner)} FROM {table} e WHERE {where}) AS e "
            f"GROUP BY GROUPING SETS (({', '.join(place_keys)}), ({', '.join(actor_keys)}))"
        )
        names = [*(marks or {}), "location", "latitude", "longitude", *schema.ACTOR_COLUMNS, "by_actor"]
        names += ["events", "fatalities"]
        raw = self._decoded(rows_frame(self._tx.rows(sql, [*mark_params, *params]), names), narrow)
        by_actor = np.array([bool(v) for v in raw["by_actor"].to_numpy(dtype=object)], dtype=bool)
        marked_columns = {name: raw[name].astype(int).astype(bool).to_numpy() for name in marks or {}}
        places = pd.DataFrame(
            {
                **{name: values[~by_actor] for name, values in marked_columns.items()},
                "location": raw["location"].to_numpy(dtype=object)[~by_actor],
                "latitude": raw["latitude"].to_numpy(dtype=object)[~by_actor].astype("float64"),
                "longitude": raw["longitude"].to_numpy(dtype=object)[~by_actor].astype("float64"),
                "events": _counts(raw["events"])[~by_actor],
                "fatalities": _counts(raw["fatalities"])[~by_actor],
            }
        )
        actors = pd.DataFrame(
            {
                **{name: values[by_actor] for name, values in marked_columns.items()},
                **{c: raw[c].to_numpy(dtype=object)[by_actor] for c in schema.ACTOR_COLUMNS},
                "events": _counts(raw["events"])[by_actor],
                "fatalities": _counts(raw["fatalities"])[by_actor],
            }
        )
        return places, actors

    def _marks(self, marks: Mapping[str, FilterSpec] | None, narrow: bool = False) -> tuple[list[str], list[object]]:
        """``CASE WHEN`` columns, 1 for the events each filter keeps, and their parameters."""
        columns: list[str] = []
        params: list[object] = []
        for spec in (marks or {}).values():
            conditions, values = self._conditions(spec, narrow)
            test = " AND ".join(f"({c})" for c in conditions) or "1 = 1"
            columns.append(f"CASE WHEN {test} THEN 1 ELSE 0 END")
            params.extend(values)
        return columns, params

    def count_each(self, specs: Mapping[str, FilterSpec | None]) -> dict[str, int]:
        """How many events each of several filters keeps, counted in one pass over the events.

        Parameters
        ----------
        specs : mapping
            Name -> filter (``None`` or an empty filter: every event shown).

        Returns
        -------
        dict
            Name -> events, in the order of ``specs``.
        """
        if not specs:
            return {}
        parts: list[str] = []
        params: list[object] = []
        table, narrow = self._source(list(specs.values()))
        for spec in specs.values():
            conditions, values = self._conditions(spec, narrow)
            if not conditions:
                parts.append("COUNT(*)")
                continue
            test = " AND ".join(f"({c})" for c in conditions)
            parts.append(f"COALESCE(SUM(CASE WHEN {test} THEN 1 ELSE 0 END), 0)")
            params.extend(values)
        shown = self._store._status_condition(True, False)
        sql = f"SELECT {', '.join(parts)} FROM {table} e WHERE {shown}"
        row = self._tx.rows(sql, params)[0]
        return {name: int(value or 0) for name, value in zip(specs, row, strict=True)}

    def _events(self, sql_tail: str, params: Sequence[object]) -> gpd.GeoDataFrame:
        sql = f"SELECT {column_list(schema.COLUMNS, 'e.')} FROM {self._events_table} e {sql_tail}"
        return records.decode(rows_frame(self._tx.rows(sql, params), schema.COLUMNS))

    def _listed(self, sql_tail: str, params: Sequence[object], columns: Sequence[str]) -> pd.DataFrame:
        """Only ``columns`` of the events (with ``event_id`` and ``event_date``), with their canonical dtypes.

        A table shows a dozen columns: reading and checking only those costs a fraction of a whole
        canonical table (in Parquet, read by column, still less).
        """
        names = list(dict.fromkeys([*columns, "event_id", "event_date"]))
        select = ", ".join(f"e.{q(c)}" for c in names)
        raw = rows_frame(self._tx.rows(f"SELECT {select} FROM {self._events_table} e {sql_tail}", params), names)
        out: dict[str, object] = {}
        for col in names:
            dtype = str(schema.DTYPES[col])
            values = raw[col]
            if col in schema.DATE_COLUMNS:
                out[col] = _days(values)
            elif dtype == "category":
                out[col] = pd.Categorical(values.to_numpy(dtype=object))
            elif dtype == "string":
                out[col] = values.astype("string")
            else:
                out[col] = values.astype(dtype)
        return pd.DataFrame(out)

    def newest_listed(self, spec: FilterSpec | None, limit: int, columns: Sequence[str]) -> pd.DataFrame:
        """``newest`` reading only ``columns`` (see ``_listed``)."""
        where, params = self._shown(spec)
        tail = f"WHERE {where} ORDER BY e.event_date DESC, {self.order_key} DESC LIMIT {max(int(limit), 0)}"
        return self._listed(tail, params, columns)

    def find_listed(self, ids: Sequence[str], spec: FilterSpec | None, columns: Sequence[str]) -> pd.DataFrame:
        """``find_events`` reading only ``columns`` (see ``_listed``)."""
        where, params = self._shown(spec)
        wanted, values = self._store.dialect.one_of("e.event_id", [str(i) for i in ids])
        tail = f"WHERE {where} AND {wanted} ORDER BY e.event_date, {self.order_key}"
        return self._listed(tail, [*params, *values], columns)

    def newest(self, spec: FilterSpec | None = None, limit: int = 100) -> gpd.GeoDataFrame:
        """The ``limit`` most recent events a filter keeps, newest first.

        Returns
        -------
        geopandas.GeoDataFrame
            Canonical events ordered by ``event_date`` then ``event_id``, both descending:
            the last rows of ``query(spec)``, reversed.
        """
        where, params = self._shown(spec)
        tail = f"WHERE {where} ORDER BY e.event_date DESC, {self.order_key} DESC LIMIT {max(int(limit), 0)}"
        return self._events(tail, params)

    def find_events(self, ids: Sequence[str], spec: FilterSpec | None = None) -> gpd.GeoDataFrame:
        """The events shown with these ids (that ``spec`` keeps, when given), as ``query()`` orders them."""
        if not len(ids):
            return schema.empty_events()
        where, params = self._shown(spec)
        wanted, values = self._store.dialect.one_of("e.event_id", [str(i) for i in ids])
        tail = f"WHERE {where} AND {wanted} ORDER BY e.event_date, {self.order_key}"
        return self._events(tail, [*params, *values])

    def first_of(self, spec: FilterSpec | None, column: str, values: Sequence[str]) -> str | None:
        """Which of ``values`` the earliest event (in ``query()`` order) with one of them in ``column`` holds."""
        _check_columns([column])
        if not len(values):
            return None
        where, params = self._shown(spec)
        among, listed = self._store.dialect.one_of(f"e.{q(column)}", [str(v) for v in values])
        sql = (
            f"SELECT e.{q(column)} FROM {self._events_table} e WHERE {where} AND {among} "
            f"ORDER BY e.event_date, {self.order_key} LIMIT 1"
        )
        rows = self._tx.rows(sql, [*params, *listed])
        return None if not rows else str(rows[0][0])

    def cell_counts(
        self, spec: FilterSpec | None, step: float, box: tuple[float, float, float, float] | None = None
    ) -> pd.DataFrame:
        """Events per square map cell, incident type and dataset, with what a legend and a mean position need.

        One pass over the events a filter keeps gives both the counts per cell inside ``box``
        and, with the events outside it, the counts and extent of them all. Cells are aligned
        on multiples of ``step`` degrees, as ``viewport.aggregate_cells`` aligns them.

        Parameters
        ----------
        spec : FilterSpec or None
            The filter.
        step : float
            Cell side in degrees.
        box : tuple of float, optional
            ``(west, south, east, north)``, edges included: only the events inside get a cell.
            Default every event.

        Returns
        -------
        pandas.DataFrame
            ``iy``, ``ix`` (``floor(latitude / step)``, ``floor(longitude / step)`` as float64;
            NaN for the events outside ``box``), ``event_type``, ``dataset``, ``events``,
            ``fatalities`` (int64), ``lat_micro``, ``lon_micro`` (the sums of the positions in whole
            millionths of a degree, ``floor(x * 1e6 + 0.5)``: exact in any order of summation, as float64),
            then ``west``, ``south``, ``east``, ``north`` of each group's events.
        """
        table, narrow = self._source([spec], ["latitude", "longitude", "event_type", "dataset"])
        where, params = self._shown(spec, narrow)
        cell = "floor(e.{} / ?)"
        cell_params: list[object] = [float(step), float(step)]
        if box is not None:
            inside = "e.longitude >= ? AND e.longitude <= ? AND e.latitude >= ? AND e.latitude <= ?"
            cell = f"CASE WHEN {inside} THEN floor(e.{{}} / ?) END"
            west, south, east, north = (float(v) for v in box)
            cell_params = [west, east, south, north, float(step)] * 2
        sql = (
            f"SELECT {cell.format('latitude')}, {cell.format('longitude')}, e.event_type, e.dataset, COUNT(*), "
            "COALESCE(SUM(e.fatalities), 0), SUM(floor(e.latitude * ? + 0.5)), SUM(floor(e.longitude * ? + 0.5)), "
            "MIN(e.longitude), MIN(e.latitude), MAX(e.longitude), MAX(e.latitude) "
            f"FROM {table} e WHERE {where} GROUP BY 1, 2, 3, 4"
        )
        names = ["iy", "ix", "event_type", "dataset", "events", "fatalities", "lat_micro", "lon_micro"]
        names += ["west", "south", "east", "north"]
        raw = self._decoded(rows_frame(self._tx.rows(sql, [*cell_params, MICRO, MICRO, *params]), names), narrow)
        out = {}
        for col in names:
            values = raw[col].to_numpy(dtype=object)
            if col in ("event_type", "dataset"):
                out[col] = values
            elif col in ("events", "fatalities"):
                out[col] = _counts(raw[col])
            else:
                out[col] = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
        return pd.DataFrame(out, columns=names)

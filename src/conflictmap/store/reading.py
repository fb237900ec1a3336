"""Reading: filtered events, counts per period and per map cell worked out in SQL, datasets and the import log."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from conflictmap import schema
from conflictmap.filters import FilterSpec
from conflictmap.grid import aggregate_grid, grid_frame
from conflictmap.readers import write_events
from conflictmap.store import records, views
from conflictmap.store.core import (
    CHANGES_KEY,
    CODED_SET,
    EVENT_COLUMNS,
    IMPORT_COLUMNS,
    IMPORT_COUNTS,
    VIEW_SET,
    StoreCore,
    Tx,
    column_list,
    q,
    rows_frame,
    utc_times,
)
from conflictmap.store.records import STORE_COLUMNS
from conflictmap.store.where import build_where


class Reading(StoreCore):
    """Queries the database answers, so a view only receives what it shows."""

    @staticmethod
    def _status_condition(include_missing: bool, include_deleted: bool) -> str:
        shown = ["active"] + (["missing"] if include_missing else []) + (["deleted"] if include_deleted else [])
        return "e.status IN (" + ", ".join(f"'{s}'" for s in shown) + ")"

    def _where(
        self, tx: Tx, spec: FilterSpec | None, include_missing: bool = True, include_deleted: bool = False
    ) -> tuple[str, list[object]]:
        """The WHERE clause (without the word) for a spec and the statuses shown."""
        conditions, params = build_where(spec, self.dialect, lambda column: self._labels(tx, column))
        conditions.insert(0, self._status_condition(include_missing, include_deleted))
        return " AND ".join(f"({c})" for c in conditions), params

    def query(
        self,
        spec: FilterSpec | None = None,
        *,
        include_missing: bool = True,
        include_deleted: bool = False,
        store_columns: bool = False,
        limit: int | None = None,
    ) -> gpd.GeoDataFrame:
        """The events a filter keeps, worked out by the database.

        Parameters
        ----------
        spec : FilterSpec, optional
            Same meaning as ``FilterSpec.apply``; default all events.
        include_missing : bool, default True
            Keep events flagged missing by a full re-import.
        include_deleted : bool, default False
            Keep deleted events.
        store_columns : bool, default False
            Add the store's columns (``status``, ``version``, ``origin``, ``edited``,
            ``created_at``/``_by``, ``updated_at``/``_by``, ``import_id``) after the canonical ones.
        limit : int, optional
            At most this many events (the earliest first).

        Returns
        -------
        geopandas.GeoDataFrame
            Canonical events ordered by ``event_date`` then ``event_id``.
        """
        with self._transaction(write=False) as tx:
            where, params = self._where(tx, spec, include_missing, include_deleted)
            sql = f"SELECT {column_list(EVENT_COLUMNS, 'e.')} FROM {self._table('events')} e WHERE {where}"
            sql += " ORDER BY e.event_date, e.event_id"
            if limit is not None:
                sql += f" LIMIT {int(limit)}"
            raw = rows_frame(tx.rows(sql, params), EVENT_COLUMNS)
        events = records.decode(raw[list(schema.COLUMNS)])
        if not store_columns:
            return events
        for col in STORE_COLUMNS:
            values = raw[col]
            if col in ("created_at", "updated_at"):
                events[col] = pd.Series(utc_times(values).to_numpy(), dtype="datetime64[ns, UTC]")
            elif col == "version":
                events[col] = values.astype("int64").to_numpy()
            elif col == "import_id":
                events[col] = pd.array([None if pd.isna(v) else int(v) for v in values], dtype="Int64")
            elif col == "edited":
                events[col] = values.astype(bool).to_numpy()
            else:
                events[col] = pd.Categorical(values.to_numpy(dtype=object))
        return events

    def distinct_values(self, column: str, spec: FilterSpec | None = None) -> list[str]:
        """The different values of a text column among the events shown, sorted (for pickers and type-ahead).

        Parameters
        ----------
        column : str
            A text column of the canonical table, e.g. ``actor1``, ``location``, ``dataset``.
        spec : FilterSpec, optional
            Only among the events this filter keeps.

        Raises
        ------
        ValueError
            If ``column`` is not a text column.
        """
        if column not in schema.TEXT_COLUMNS:
            raise ValueError(f"column {column!r}; expected a text column: {list(schema.TEXT_COLUMNS)}")
        with self._transaction(write=False) as tx:
            where, params = self._where(tx, spec)
            name = f"e.{q(column)}"
            sql = f"SELECT DISTINCT {name} FROM {self._table('events')} e WHERE {where} AND {name} IS NOT NULL"
            values = [r[0] for r in tx.rows(sql, params)]
        return sorted(values)

    def count(
        self, spec: FilterSpec | None = None, *, include_missing: bool = True, include_deleted: bool = False
    ) -> int:
        """How many events a filter keeps."""
        with self._transaction(write=False) as tx:
            where, params = self._where(tx, spec, include_missing, include_deleted)
            return int(tx.rows(f"SELECT COUNT(*) FROM {self._table('events')} e WHERE {where}", params)[0][0])

    def extent(self, spec: FilterSpec | None = None, *, include_missing: bool = True) -> dict[str, object]:
        """How many events a filter keeps, their first and last date and their bounding box.

        Returns
        -------
        dict
            ``events``, ``first_date``, ``last_date`` (``datetime.date``), ``west``, ``south``,
            ``east``, ``north``; all but ``events`` ``None`` when no event is kept.
        """
        with self._transaction(write=False) as tx:
            return self._extent(tx, spec, include_missing)

    def _extent(self, tx: Tx, spec: FilterSpec | None, include_missing: bool) -> dict[str, object]:
        where, params = self._where(tx, spec, include_missing)
        sql = (
            "SELECT COUNT(*), MIN(e.event_date), MAX(e.event_date), MIN(e.longitude), MIN(e.latitude), "
            f"MAX(e.longitude), MAX(e.latitude) FROM {self._table('events')} e WHERE {where}"
        )
        n, first, last, west, south, east, north = tx.rows(sql, params)[0]

        def day(value: object) -> date | None:
            return None if value is None else pd.Timestamp(value).date()

        return {
            "events": int(n),
            "first_date": day(first),
            "last_date": day(last),
            "west": west,
            "south": south,
            "east": east,
            "north": north,
        }

    def timeline(
        self,
        spec: FilterSpec | None = None,
        freq: str | None = None,
        by: str = "event_type",
        *,
        start: date | None = None,
        end: date | None = None,
        include_missing: bool = True,
    ) -> pd.DataFrame:
        """Events and fatalities per period and per value of ``by``, counted by the database.

        The same table as ``timeline.aggregate(store.query(spec), freq, by, start=start, end=end)``.

        Parameters
        ----------
        spec : FilterSpec, optional
            The filter.
        freq : {"D", "W", "M"}, optional
            Period length; by default ``timeline.choose_freq`` over the span.
        by : str
            A text column to split by.
        start, end : date, optional
            Widen the span to include these days.
        """
        views.check_freq(freq)
        views.check_split(by)
        with self._transaction(write=False) as tx:
            extent = self._extent(tx, spec, include_missing)
            found = views.span(extent["first_date"], extent["last_date"], start, end, freq)
            groups = pd.DataFrame({"period": [], "label": [], "events": [], "fatalities": []})
            if found is not None and extent["events"]:
                where, params = self._where(tx, spec, include_missing)
                sql = (
                    f"SELECT {self._period_sql(found[0])}, e.{q(by)}, COUNT(*), SUM(e.fatalities) "
                    f"FROM {self._table('events')} e WHERE {where} GROUP BY 1, 2"
                )
                groups = rows_frame(tx.rows(sql, params), ["period", "label", "events", "fatalities"])
        return views.timeline_frame(groups, by, found[1] if found else None)

    def totals(
        self,
        spec: FilterSpec | None = None,
        freq: str | None = None,
        *,
        start: date | None = None,
        end: date | None = None,
        include_missing: bool = True,
    ) -> pd.DataFrame:
        """Events and fatalities per period, counted by the database: ``timeline.totals`` of ``query(spec)``."""
        views.check_freq(freq)
        with self._transaction(write=False) as tx:
            extent = self._extent(tx, spec, include_missing)
            found = views.span(extent["first_date"], extent["last_date"], start, end, freq)
            groups = pd.DataFrame({"period": [], "events": [], "fatalities": []})
            if found is not None and extent["events"]:
                where, params = self._where(tx, spec, include_missing)
                sql = (
                    f"SELECT {self._period_sql(found[0])}, COUNT(*), SUM(e.fatalities) "
                    f"FROM {self._table('events')} e WHERE {where} GROUP BY 1"
                )
                groups = rows_frame(tx.rows(sql, params), ["period", "events", "fatalities"])
        return views.totals_frame(groups, found[1] if found else None)

    def grid(
        self, spec: FilterSpec | None = None, cell_deg: float | None = None, *, include_missing: bool = True
    ) -> pd.DataFrame:
        """Events and fatalities per grid cell, counted by the database: ``grid.aggregate_grid`` of ``query(spec)``.

        Parameters
        ----------
        spec : FilterSpec, optional
            The filter.
        cell_deg : float, optional
            Cell side in degrees; by default what ``grid.choose_cell_deg`` picks for the events.

        Returns
        -------
        pandas.DataFrame
            As ``grid.aggregate_grid``; ``attrs["cell_deg"]`` holds the cell size used.
        """
        if cell_deg is not None:
            aggregate_grid(schema.empty_events(), cell_deg)  # the same check of cell_deg, with its message
        with self._transaction(write=False) as tx:
            if cell_deg is None:
                extent = self._extent(tx, spec, include_missing)
                cell_deg = views.cell_size(extent["west"], extent["south"], extent["east"], extent["north"])
            where, params = self._where(tx, spec, include_missing)
            sql = (
                "SELECT floor(e.latitude / ?), floor(e.longitude / ?), e.event_type, COUNT(*), SUM(e.fatalities) "
                f"FROM {self._table('events')} e WHERE {where} GROUP BY 1, 2, 3"
            )
            rows = tx.rows(sql, [float(cell_deg), float(cell_deg), *params])
        groups = rows_frame(rows, ["iy", "ix", "event_type", "events", "fatalities"])
        return grid_frame(groups, float(cell_deg))

    def datasets(self) -> pd.DataFrame:
        """The datasets in the store.

        Returns
        -------
        pandas.DataFrame
            ``dataset``, ``events`` (shown: active and flagged missing), ``missing``,
            ``deleted``, ``first_date``, ``last_date``, ``last_import`` (UTC, ``NaT`` if
            never imported) and ``last_change`` (UTC), by dataset name.
        """
        events, imports = self._table("events"), self._table("imports")
        sql = (
            "SELECT e.dataset, SUM(CASE WHEN e.status <> 'deleted' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN e.status = 'missing' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN e.status = 'deleted' THEN 1 ELSE 0 END), "
            "MIN(CASE WHEN e.status <> 'deleted' THEN e.event_date END), "
            "MAX(CASE WHEN e.status <> 'deleted' THEN e.event_date END), MAX(e.updated_at) "
            f"FROM {events} e GROUP BY e.dataset ORDER BY e.dataset"
        )
        with self._transaction(write=False) as tx:
            rows = tx.rows(sql)
            log = tx.rows(f"SELECT datasets, finished_at FROM {imports} WHERE finished_at IS NOT NULL")
        names = ["dataset", "events", "missing", "deleted", "first_date", "last_date", "last_change"]
        frame = rows_frame(rows, names)
        last: dict[str, pd.Timestamp] = {}
        for names_json, finished in log:
            stamp = (
                pd.Timestamp(finished).tz_convert("UTC")
                if pd.Timestamp(finished).tzinfo
                else pd.Timestamp(finished, tz="UTC")
            )
            for name in json.loads(names_json or "[]"):
                last[name] = max(last.get(name, stamp), stamp)
        out = pd.DataFrame(
            {
                "dataset": frame["dataset"].astype("string"),
                "events": frame["events"].astype("int64"),
                "missing": frame["missing"].astype("int64"),
                "deleted": frame["deleted"].astype("int64"),
                "first_date": pd.to_datetime(frame["first_date"]).astype("datetime64[ns]"),
                "last_date": pd.to_datetime(frame["last_date"]).astype("datetime64[ns]"),
                "last_import": pd.Series([last.get(d, pd.NaT) for d in frame["dataset"]], dtype="datetime64[ns, UTC]"),
                "last_change": utc_times(frame["last_change"]).astype("datetime64[ns, UTC]"),
            }
        )
        return out

    def imports(self, limit: int | None = None) -> pd.DataFrame:
        """The import log, newest first: when, who, which file, its datasets and what the import did."""
        sql = f"SELECT {column_list(IMPORT_COLUMNS)} FROM {self._table('imports')} ORDER BY import_id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._transaction(write=False) as tx:
            frame = rows_frame(tx.rows(sql), IMPORT_COLUMNS)
        for col in ("started_at", "finished_at"):
            frame[col] = utc_times(frame[col]).astype("datetime64[ns, UTC]")
        frame["datasets"] = frame["datasets"].map(lambda v: tuple(json.loads(v or "[]"))).astype(object)
        frame["full_import"] = frame["full_import"].astype(bool)
        for col in ("import_id", "rows_read", "rows_loaded", "rows_rejected", *IMPORT_COUNTS):
            frame[col] = pd.array([None if pd.isna(v) else int(v) for v in frame[col]], dtype="Int64")
        return frame

    def change_token(self) -> str:
        """A short text that is different after every change to the store: compare two to know whether to read again.

        It names the store's creation and counts its write transactions (every import, add,
        edit, delete, undelete and restore; the count is bumped inside each one), plus, in a
        GeoPackage, the time GDAL-based programs such as QGIS record when they edit the file.
        Reading it is two primary-key lookups: as cheap at a million events as at ten.

        Returns
        -------
        str
            Equal tokens: nothing was written in between. Only equality means something.
        """
        with self._transaction(write=False) as tx:
            return self._change_token(tx)

    def _change_token(self, tx: Tx) -> str:
        meta = self._table("meta")
        found = dict(tx.rows(f"SELECT key, value FROM {meta} WHERE key IN (?, ?)", ["created_at", CHANGES_KEY]))
        elsewhere = self._outside_change(tx)
        token = f"{found.get('created_at', '')}#{found.get(CHANGES_KEY, '0')}"
        return f"{token}#{elsewhere}" if elsewhere else token

    def _labels(self, tx: Tx, column: str) -> list[str]:
        """A text column's distinct values, which actor and text filters are matched against.

        Reading them takes a pass over the table (about 200 ms per column at a million events
        in PostGIS), so they are kept until the store's change token moves.
        """
        token = self._change_token(tx)
        kept = self._labels_read.get(column)
        if kept is not None and kept[0] == token:
            return kept[1]
        # Deleted events' labels count too (as before): the narrow table holds every event, as the events table.
        sql = f"SELECT DISTINCT {q(column)} FROM {self._table('events')} WHERE {q(column)} IS NOT NULL"
        if self._views_table is not None and column in CODED_SET:
            codes = f"SELECT DISTINCT {q(column)} FROM {self._views_table} WHERE {q(column)} IS NOT NULL"
            sql = f"SELECT label FROM {self._labels_table} WHERE code IN ({codes})"
        elif self._views_table is not None and column in VIEW_SET:
            sql = f"SELECT DISTINCT {q(column)} FROM {self._views_table} WHERE {q(column)} IS NOT NULL"
        values = [r[0] for r in tx.rows(sql)]
        self._labels_read[column] = (token, values)
        return values

    def _outside_change(self, tx: Tx) -> str:
        """What another program leaves when it edits the store ("" when nothing can be known)."""
        return ""

    def stats(self) -> dict[str, Any]:
        """Counts for a status line: events by status, history records, imports, the last change."""
        events, history, imports = self._table("events"), self._table("history"), self._table("imports")
        with self._transaction(write=False) as tx:
            by_status = dict(tx.rows(f"SELECT status, COUNT(*) FROM {events} GROUP BY status"))
            n_history = tx.rows(f"SELECT COUNT(*) FROM {history}")[0][0]
            n_imports = tx.rows(f"SELECT COUNT(*) FROM {imports}")[0][0]
            last_change = tx.rows(f"SELECT MAX(changed_at) FROM {history}")[0][0]
        return {
            "backend": self.backend,
            "location": self.location,
            "active": int(by_status.get("active", 0)),
            "missing": int(by_status.get("missing", 0)),
            "deleted": int(by_status.get("deleted", 0)),
            "history": int(n_history),
            "imports": int(n_imports),
            "last_change": None if last_change is None else pd.Timestamp(last_change),
        }

    def export(self, path: str | Path, spec: FilterSpec | None = None, *, include_missing: bool = True) -> int:
        """Write the events a filter keeps to a file (``.parquet``, ``.csv``, ``.geojson`` or ``.gpkg``).

        Returns
        -------
        int
            The number of events written.
        """
        events = self.query(spec, include_missing=include_missing)
        write_events(events, Path(path))
        return len(events)

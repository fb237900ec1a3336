"""Area data without points: ACLED's weekly aggregated files and HDX HAPI's conflict events, as aggregates.

Neither has one row per event: a row is a count of events (and fatalities) in
an area and a period. They are read into one table of ``AGGREGATE_COLUMNS``,
kept apart from the event table and always labelled as aggregates, and turned
into the same per-area counts ``conflictmap.areas.area_counts`` gives, so the
Areas layer and the timeline can show them.

ACLED aggregated (CSV or XLSX)
    ``week`` (the Saturday starting a Saturday-to-Friday week), ``region``,
    ``country``, ``admin1``, ``disorder_type``, ``event_type``,
    ``sub_event_type``, ``events``, ``fatalities``, ``population_best``,
    ``centroid_longitude``, ``centroid_latitude``.
HDX HAPI conflict events (CSV, with or without HXL's ``#`` tag row)
    ``location_code``, ``location_name``, ``admin1_name`` (or
    ``provider_admin1_name``), ``admin2_name`` (or ``provider_admin2_name``),
    ``event_type`` (``political_violence``, ``civilian_targeting``,
    ``demonstration``), ``events``, ``fatalities``, ``reference_period_start``,
    ``reference_period_end``; monthly, by admin2, no coordinates.

A row that cannot be used is reported with its row number, column and what was
expected; the other rows still load.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from conflictmap import areas as area_data
from conflictmap.gazetteer import canonical_admin1
from conflictmap.readers.report import ImportReport, NotEventDataError, Rejection

#: Columns of an aggregates table.
AGGREGATE_COLUMNS: tuple[str, ...] = (
    "source",
    "period_start",
    "period_end",
    "country",
    "admin1",
    "admin2",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "events",
    "fatalities",
    "population_best",
    "latitude",
    "longitude",
)
#: ``source`` values, and how each is named for people.
SOURCES: dict[str, str] = {
    "acled_aggregated": "ACLED aggregated data (weekly, by admin1)",
    "hdx_hapi": "HDX HAPI conflict events (monthly, by admin2; from ACLED)",
}
ACLED_REQUIRED = ("week", "country", "admin1", "event_type", "events", "fatalities")
HAPI_REQUIRED = ("event_type", "events", "reference_period_start")
HAPI_EVENT_TYPES = ("political_violence", "civilian_targeting", "demonstration")


class AggregateDataError(NotEventDataError):
    """A file that is not an aggregates table: the message names the columns expected."""


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xls"):
        frame = pd.read_excel(path, dtype=str)
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    return frame


def detect(columns: Sequence[str]) -> str | None:
    """``acled_aggregated``, ``hdx_hapi`` or ``None`` from a file's column names."""
    names = {c.strip().lower().replace(" ", "_") for c in columns}
    if {"week", "events"} <= names and ("admin1" in names or "admin_1" in names):
        return "acled_aggregated"
    if {"reference_period_start", "events", "event_type"} <= names:
        return "hdx_hapi"
    return None


def _dates(values: pd.Series, column: str, offset: int, bad: list[Rejection]) -> pd.Series:
    parsed = pd.to_datetime(values.str.strip().str[:10], errors="coerce", format="%Y-%m-%d")
    # ACLED's workbooks may hold Excel dates or day-first text: try those where ISO failed.
    retry = parsed.isna() & values.str.strip().ne("")
    if retry.any():
        parsed[retry] = pd.to_datetime(values[retry], errors="coerce", dayfirst=True)
    for i in np.flatnonzero(parsed.isna().to_numpy()):
        bad.append(Rejection(int(i) + offset, column, str(values.iat[i]), "expected a date as YYYY-MM-DD"))
    return parsed.dt.date


def _counts(values: pd.Series, column: str, offset: int, bad: list[Rejection], *, required: bool) -> pd.Series:
    text = values.fillna("").astype(str).str.strip().str.replace(",", "", regex=False)
    number = pd.to_numeric(text, errors="coerce")
    wrong = (number.isna() & (text != "")) | (number < 0) | (number.notna() & (number % 1 != 0))
    if required:
        wrong |= text == ""
    for i in np.flatnonzero(wrong.to_numpy()):
        bad.append(Rejection(int(i) + offset, column, str(values.iat[i]), "expected a whole number of 0 or more"))
    return number.where(~wrong)


def read_aggregates(path: str | Path) -> tuple[pd.DataFrame, ImportReport]:
    """Read an ACLED aggregated file or an HDX HAPI conflict-events file.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV (either source) or XLSX (ACLED).

    Returns
    -------
    (pandas.DataFrame, ImportReport)
        The aggregates (``AGGREGATE_COLUMNS``), and the report of rows read, loaded and
        rejected (row numbers as a spreadsheet shows them).

    Raises
    ------
    AggregateDataError
        When the file has neither layout's columns.
    FileNotFoundError
        When there is no such file.
    """
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"no such file: {source}")
    frame = _read_table(source)
    kind = detect(frame.columns)
    if kind is None:
        raise AggregateDataError(
            f"{source.name} is not an aggregates file: expected ACLED's aggregated columns "
            f"({', '.join(ACLED_REQUIRED)}) or HDX HAPI's conflict-event columns ({', '.join(HAPI_REQUIRED)})"
        )
    offset = 2  # the header is row 1
    if len(frame) and str(frame.iloc[0, 0]).startswith("#"):
        frame = frame.iloc[1:].reset_index(drop=True)  # HXL's hashtag row
        offset = 3
    frame = frame.fillna("")
    bad: list[Rejection] = []
    report = ImportReport(source=str(source), format=kind, rows_read=len(frame))
    if kind == "acled_aggregated":
        admin1 = frame["admin1"] if "admin1" in frame else frame["admin_1"]
        start = _dates(frame["week"], "week", offset, bad)
        out = pd.DataFrame(
            {
                "period_start": start,
                "period_end": [d + timedelta(days=6) if isinstance(d, date) else None for d in start],
                "country": frame["country"].str.strip(),
                "admin1": admin1.str.strip(),
                "admin2": "",
                "disorder_type": frame.get("disorder_type", pd.Series("", index=frame.index)).str.strip(),
                "event_type": frame["event_type"].str.strip(),
                "sub_event_type": frame.get("sub_event_type", pd.Series("", index=frame.index)).str.strip(),
            }
        )
        out["population_best"] = _counts(
            frame.get("population_best", pd.Series("", index=frame.index)),
            "population_best",
            offset,
            bad,
            required=False,
        )
        out["latitude"] = pd.to_numeric(frame.get("centroid_latitude", ""), errors="coerce")
        out["longitude"] = pd.to_numeric(frame.get("centroid_longitude", ""), errors="coerce")
    else:

        def pick(*names: str) -> pd.Series:
            for name in names:
                if name in frame and frame[name].str.strip().ne("").any():
                    return frame[name].str.strip()
            return pd.Series("", index=frame.index)

        start = _dates(frame["reference_period_start"], "reference_period_start", offset, bad)
        end_text = pick("reference_period_end")
        end = pd.to_datetime(end_text.str[:10], errors="coerce").dt.date
        types = frame["event_type"].str.strip().str.lower()
        for i in np.flatnonzero(~types.isin(HAPI_EVENT_TYPES).to_numpy()):
            bad.append(
                Rejection(
                    int(i) + offset,
                    "event_type",
                    str(frame["event_type"].iat[i]),
                    f"expected one of {list(HAPI_EVENT_TYPES)}",
                )
            )
        out = pd.DataFrame(
            {
                "period_start": start,
                "period_end": [e if isinstance(e, date) else s for s, e in zip(start, end, strict=True)],
                "country": pick("location_name", "location_code"),
                "admin1": pick("admin1_name", "provider_admin1_name"),
                "admin2": pick("admin2_name", "provider_admin2_name"),
                "disorder_type": "",
                "event_type": types,
                "sub_event_type": "",
                "population_best": np.nan,
                "latitude": np.nan,
                "longitude": np.nan,
            }
        )
    out["events"] = _counts(frame["events"], "events", offset, bad, required=True)
    out["fatalities"] = _counts(frame["fatalities"], "fatalities", offset, bad, required=False).fillna(0)
    out["source"] = kind
    rejected_rows = sorted({r.row - offset for r in bad})
    keep = np.ones(len(out), dtype=bool)
    keep[rejected_rows] = False
    out = out[keep].reset_index(drop=True)
    out["events"] = out["events"].astype(np.int64)
    out["fatalities"] = out["fatalities"].astype(np.int64)
    out["population_best"] = out["population_best"].astype("Int64")
    report.rows_loaded = len(out)
    report.rejected.extend(bad)
    return out[list(AGGREGATE_COLUMNS)], report


def select(
    aggregates: pd.DataFrame,
    date_from: date | None = None,
    date_to: date | None = None,
    event_types: Sequence[str] = (),
) -> pd.DataFrame:
    """The aggregate rows whose period overlaps ``[date_from, date_to]`` and whose type is chosen.

    A week or month that runs past either end is kept whole: an aggregate cannot be split.
    """
    keep = np.ones(len(aggregates), dtype=bool)
    if date_from is not None:
        keep &= (aggregates["period_end"] >= date_from).to_numpy()
    if date_to is not None:
        keep &= (aggregates["period_start"] <= date_to).to_numpy()
    if event_types:
        keep &= aggregates["event_type"].isin(event_types).to_numpy()
    return aggregates[keep]


def _region_key(name: str, keys: set[str]) -> str:
    """The shipped region a file's admin1 name falls in ("Ménaka" -> Gao, which covers Menaka)."""
    acled = canonical_admin1(name) or name
    if acled in keys:
        return acled
    for key in keys:
        if acled in area_data.covered_names(key):
            return key
    return ""


def aggregate_area_counts(
    aggregates: pd.DataFrame,
    level: str = "admin1",
    by: str | None = None,
    *,
    areas: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Aggregates as per-area counts, in the shape of ``areas.area_counts`` (for the Areas layer).

    Parameters
    ----------
    aggregates : pandas.DataFrame
        From ``read_aggregates`` (and ``select``).
    level : {"admin1", "admin2"}
        Cercle rows need cercle boundaries (``areas``); region rows add up HAPI's cercles.
    by : {None, "week", "month"}
        Split by the period's start (ACLED's weeks start on Saturday: they are kept as they are).
    areas : geopandas.GeoDataFrame, optional
        The boundaries; the shipped ones of ``level`` by default.

    Returns
    -------
    pandas.DataFrame
        ``key``, ``name``, ``admin1``, ``admin2``, (``period``), ``events``, ``fatalities``;
        rows whose area is not among the boundaries come last with key ``""``.
    """
    if areas is None:
        areas = area_data.load_boundaries(level)
    regions = set(areas["admin1"]) if level == "admin2" else set(areas["key"])
    region = aggregates["admin1"].map(lambda n: _region_key(str(n), regions))
    if level == "admin1":
        key = region
    else:
        pairs = region + area_data.KEY_SEP + aggregates["admin2"].astype(str)
        known = set(areas["key"])
        key = pairs.where(pairs.isin(known), "")
    frame = pd.DataFrame({"key": key, "events": aggregates["events"], "fatalities": aggregates["fatalities"]})
    groups = ["key"]
    if by is not None:
        starts = pd.to_datetime(aggregates["period_start"])
        frame["period"] = starts.dt.to_period("M").dt.start_time.dt.date if by == "month" else starts.dt.date
        groups.append("period")
    summed = frame.groupby(groups, sort=True)[["events", "fatalities"]].sum().reset_index()
    labels = areas.set_index("key")[["name", "admin1", "admin2"]]
    if by is None:
        summed = pd.DataFrame({"key": areas["key"]}).merge(summed, on="key", how="left").fillna(0)
        extra = frame[frame["key"] == ""]
        if len(extra):
            summed.loc[len(summed)] = ["", extra["events"].sum(), extra["fatalities"].sum()]
    out = summed.join(labels, on="key")
    out["name"] = out["name"].fillna(area_data.OUTSIDE_NAME)
    out[["admin1", "admin2"]] = out[["admin1", "admin2"]].fillna("")
    out["events"] = out["events"].astype(np.int64)
    out["fatalities"] = out["fatalities"].astype(np.int64)
    columns = ["key", "name", "admin1", "admin2", *(["period"] if by else []), "events", "fatalities"]
    return out[columns].reset_index(drop=True)


def aggregate_note(aggregates: pd.DataFrame) -> str:
    """The words that mark a view of ``aggregates`` as such, for legends and captions."""
    names = [SOURCES[s] for s in dict.fromkeys(aggregates["source"]) if s in SOURCES]
    return "Aggregates, not events: " + ("; ".join(names) or "no rows")


def aggregate_timeline(aggregates: pd.DataFrame, by: str = "week") -> pd.DataFrame:
    """Events and fatalities per period of the aggregates, for the timeline, marked as aggregates.

    Returns
    -------
    pandas.DataFrame
        ``period`` (start), ``events``, ``fatalities``, ``source`` and ``aggregate`` (always True).
    """
    if by not in ("week", "month"):
        raise area_data.AreaDataError(f"by {by!r} is not known; expected 'week' or 'month'")
    starts = pd.to_datetime(aggregates["period_start"])
    period = starts.dt.to_period("M").dt.start_time.dt.date if by == "month" else starts.dt.date
    frame = pd.DataFrame(
        {
            "period": period,
            "source": aggregates["source"],
            "events": aggregates["events"],
            "fatalities": aggregates["fatalities"],
        }
    )
    out = frame.groupby(["period", "source"], sort=True)[["events", "fatalities"]].sum().reset_index()
    out["aggregate"] = True
    return out

"""Reviewing the candidate events of an article before they go into the store.

The page shows ``review_table`` in an editable table: the reviewer fixes the
place (looked up again in the gazetteer when its text changes), dates, type,
sub-type, actors and fatalities, and ticks the rows to save. ``apply_review``
carries those edits back onto the candidates, ``accepted_fields`` makes the
fields ``EventStore.add_event`` takes for each ticked row (``dataset =
article``, the article as source).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from conflictmap import gazetteer, schema
from conflictmap.extract import REVIEW_THRESHOLD

#: The review table's columns: candidate column -> label.
COLUMNS: dict[str, str] = {
    "location": "Place",
    "event_date": "Date",
    "date_end": "Until",
    "event_type": "Type",
    "sub_event_type": "Sub-type",
    "actor1": "Actor 1",
    "actor2": "Actor 2",
    "fatalities": "Fatalities",
}
SAVE = "Save"
CONFIDENCE = "Confidence"
DUPLICATE = "Likely duplicate of"
ARTICLE_DATASET = "article"
#: Every sub-type, for the table's sub-type column (the store checks it belongs to the type).
ALL_SUB_TYPES: tuple[str, ...] = tuple(s for t in schema.EVENT_TYPES for s in schema.TAXONOMY[t])
#: What goes from a reviewed candidate into the store.
STORE_COLUMNS: tuple[str, ...] = (
    "event_id",
    "event_date",
    "date_end",
    "time_precision",
    "event_type",
    "sub_event_type",
    "disorder_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "civilian_targeting",
    "fatalities",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
)


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _day(value: object) -> date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def duplicate_notes(duplicates: pd.DataFrame, candidates: pd.DataFrame) -> dict[str, str]:
    """For each candidate id with a likely duplicate, the nearest match in words.

    Parameters
    ----------
    duplicates : pandas.DataFrame
        ``extract.find_duplicates(candidates, existing)``.
    candidates : pandas.DataFrame
        The candidates (their index labels are the ``candidate`` column of ``duplicates``).
    """
    notes: dict[str, str] = {}
    for _, match in duplicates.iterrows():
        cid = str(candidates.loc[match["candidate"], "event_id"])
        if cid in notes:
            continue
        when = _day(match["match_event_date"])
        notes[cid] = (
            f"{match['match_id']} ({match['match_dataset']}): {match['match_event_type']} at "
            f"{match['match_location']} on {when}, {float(match['distance_km']):.1f} km and "
            f"{int(match['days_apart'])} days apart"
        )
    return notes


def review_table(candidates: pd.DataFrame, duplicates: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The table the reviewer edits: one row per candidate, indexed by its event id.

    Rows start ticked when the candidate is at least ``REVIEW_THRESHOLD`` confident
    and matches no event already loaded or stored.

    Returns
    -------
    pandas.DataFrame
        ``Save``, ``Confidence``, the ``COLUMNS`` labels and ``Likely duplicate of``.
    """
    duplicates = duplicates or {}
    ids = candidates["event_id"].astype(str).tolist()
    table = pd.DataFrame(index=pd.Index(ids, name="Candidate"))
    table[SAVE] = [
        bool(c >= REVIEW_THRESHOLD and i not in duplicates) for c, i in zip(candidates["confidence"], ids, strict=True)
    ]
    table[CONFIDENCE] = candidates["confidence"].to_numpy(dtype="float64")
    for column, label in COLUMNS.items():
        values = candidates[column]
        if column in ("event_date", "date_end"):
            table[label] = [_day(v) for v in values]
        elif column == "fatalities":
            table[label] = values.fillna(0).astype("int64").to_numpy()
        else:
            table[label] = pd.Series([_text(v) for v in values], index=table.index, dtype=object)
    table[DUPLICATE] = [duplicates.get(i, "") for i in ids]
    return table


def apply_review(candidates: gpd.GeoDataFrame, edited: pd.DataFrame) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """The candidates with the reviewer's edits, and a problem per row that cannot be taken as edited.

    A changed place is looked up in the gazetteer (the best match: its name, region,
    coordinates and precision); a place the gazetteer does not know keeps the old
    point and is reported.

    Parameters
    ----------
    candidates : geopandas.GeoDataFrame
        From ``extract_events``.
    edited : pandas.DataFrame
        ``review_table`` after editing (same index).

    Returns
    -------
    (geopandas.GeoDataFrame, dict)
        The candidates, updated; ``{event_id: problem}``.
    """
    out = candidates.copy()
    for col in ("location", "admin1", "admin2", "actor1", "actor2", "event_type", "sub_event_type", "country"):
        out[col] = out[col].astype(object)
    problems: dict[str, str] = {}
    position = {str(e): i for i, e in enumerate(out["event_id"].astype(str))}
    for cid, row in edited.iterrows():
        i = position.get(str(cid))
        if i is None:
            continue
        old_place = _text(out["location"].iloc[i])
        new_place = _text(row[COLUMNS["location"]])
        if new_place and new_place != old_place:
            found = gazetteer.geocode(new_place, limit=1)
            if not found:
                problems[str(cid)] = f"place {new_place!r} is not in the gazetteer; the event keeps {old_place!r}"
            else:
                best = found[0]
                at = out.index[i]
                out.loc[at, ["location", "admin1", "admin2", "country"]] = [best.name, best.admin1, best.admin2, "Mali"]
                out.loc[at, ["latitude", "longitude"]] = [float(best.latitude), float(best.longitude)]
                out.loc[at, "geo_precision"] = int(best.geo_precision)
                out.loc[at, "geometry"] = Point(float(best.longitude), float(best.latitude))
        at = out.index[i]
        start, end = row[COLUMNS["event_date"]], row[COLUMNS["date_end"]]
        if _day(start) is not None:
            out.loc[at, "event_date"] = pd.Timestamp(_day(start))
        if _day(end) is not None:
            out.loc[at, "date_end"] = pd.Timestamp(_day(end))
        for column in ("event_type", "sub_event_type", "actor1", "actor2"):
            out.loc[at, column] = _text(row[COLUMNS[column]])
        fatalities = row[COLUMNS["fatalities"]]
        if fatalities is not None and not pd.isna(fatalities):
            out.loc[at, "fatalities"] = int(fatalities)
    return out, problems


def article_source(source: str, title: str | None = None, published: date | None = None) -> str:
    """The ``source`` of events taken from an article: outlet, headline and date."""
    parts = [source.strip()]
    if title and title.strip():
        parts.append(f"“{title.strip()}”")
    if published is not None:
        parts.append(published.isoformat())
    return ", ".join(parts)


def accepted_fields(
    reviewed: pd.DataFrame, edited: pd.DataFrame, *, source: str, dataset: str = ARTICLE_DATASET
) -> list[dict[str, object]]:
    """``EventStore.add_event`` fields for every ticked row, in table order.

    The evidence sentences become the notes; ``source`` names the article.
    """
    by_id = {str(e): i for i, e in enumerate(reviewed["event_id"].astype(str))}
    out = []
    for cid, row in edited.iterrows():
        if not bool(row[SAVE]) or str(cid) not in by_id:
            continue
        event = reviewed.iloc[by_id[str(cid)]]
        fields: dict[str, object] = {}
        for column in STORE_COLUMNS:
            value = event[column]
            if column in ("event_date", "date_end"):
                value = _day(value)
            elif column in ("latitude", "longitude"):
                value = float(value)
            elif column in ("time_precision", "geo_precision", "fatalities"):
                value = int(value)
            elif column == "civilian_targeting":
                value = bool(value)
            else:
                value = _text(value)
            if value is not None:
                fields[column] = value
        fields["dataset"] = dataset
        fields["source"] = source
        fields["notes"] = _text(event.get("evidence_text"))
        out.append(fields)
    return out

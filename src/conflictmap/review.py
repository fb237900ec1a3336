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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class PlaceChoice:
    """One place a reviewed row's place name may stand for (``place_alternatives``).

    ``key`` names it steadily across reruns (its point); ``distance_km`` is how far it lies
    from the point the row has now (0 for the place the row was given).
    """

    key: str
    name: str
    admin1: str
    admin2: str | None
    admin3: str | None
    country: str
    latitude: float
    longitude: float
    geo_precision: int
    distance_km: float
    kind: str

    @property
    def label(self) -> str:
        """``"Sokoura · commune Sokoura, cercle Bankass, Mopti · 89 km away"``."""
        where = [f"commune {self.admin3}" if self.admin3 else "", f"cercle {self.admin2}" if self.admin2 else ""]
        where.append(self.admin1 if self.country in ("Mali", "") else f"{self.admin1}, {self.country}")
        far = "as placed" if self.distance_km < 0.5 else f"{self.distance_km:,.0f} km away"
        kind = _KIND_WORDS.get(self.kind, self.kind.replace("_", " "))
        kind = f" ({kind})" if kind else ""
        return f"{self.name}{kind} · {', '.join(w for w in where if w)} · {far}"


#: How a place's kind is named beside it (none for the common ones).
_KIND_WORDS = {
    "village": "",
    "town": "",
    "hamlet": "",
    "locality": "",
    "learned": "from the data",
    "commune_seat": "commune seat",
    "cercle_capital": "cercle capital",
    "region_capital": "regional capital",
}
#: At most this many places are offered for one name.
ALTERNATIVES = 12


def place_alternatives(location: str, latitude: float, longitude: float) -> list[PlaceChoice]:
    """The places that share a reviewed row's place name, the one it has first, then nearest first.

    Several Malian villages share a name ("Sokoura", "Tomora"): extraction picks one from the article's
    context and says so in the confidence; the reviewer chooses among them here. Regions named like a
    town (Mopti) are left out unless the row is placed at a region.

    Parameters
    ----------
    location : str
        The row's place name.
    latitude, longitude : float
        Where the row is placed now.

    Returns
    -------
    list of PlaceChoice
        Empty when the name stands for one place only, or for none the gazetteer knows.
    """
    name = _text(location)
    if not name:
        return []
    wanted = gazetteer.normalize(name)
    found = gazetteer.geocode(name, limit=ALTERNATIVES * 2, near=(float(latitude), float(longitude)))
    same = [c for c in found if gazetteer.normalize(c.matched) == wanted]
    at_region = any(
        c.kind == "region" and gazetteer.distance_km(latitude, longitude, c.latitude, c.longitude) < 1 for c in same
    )
    choices: dict[str, PlaceChoice] = {}
    for c in same:
        if c.kind == "region" and not at_region:
            continue
        key = f"{c.latitude:.4f},{c.longitude:.4f}"
        far = gazetteer.distance_km(float(latitude), float(longitude), c.latitude, c.longitude)
        choices.setdefault(
            key,
            PlaceChoice(
                key,
                c.name,
                c.admin1,
                c.admin2,
                c.admin3,
                c.country,
                float(c.latitude),
                float(c.longitude),
                int(c.geo_precision),
                far,
                c.kind,
            ),
        )
    ranked = sorted(choices.values(), key=lambda p: p.distance_km)[:ALTERNATIVES]
    return ranked if len(ranked) > 1 else []


def move_to(reviewed: gpd.GeoDataFrame, event_id: str, choice: PlaceChoice) -> None:
    """Place the candidate ``event_id`` of ``reviewed`` at ``choice`` (name, admin names, point, precision)."""
    hits = (reviewed["event_id"].astype(str) == str(event_id)).to_numpy().nonzero()[0]
    if not len(hits):
        return
    at = reviewed.index[hits[0]]
    for column in ("location", "admin1", "admin2", "country"):
        reviewed[column] = reviewed[column].astype(object)
    reviewed.loc[at, ["location", "admin1", "admin2", "country"]] = [
        choice.name,
        choice.admin1,
        choice.admin2,
        choice.country or "Mali",
    ]
    if "admin3" in reviewed.columns:
        reviewed["admin3"] = reviewed["admin3"].astype(object)
        reviewed.loc[at, "admin3"] = choice.admin3
    reviewed.loc[at, ["latitude", "longitude"]] = [choice.latitude, choice.longitude]
    reviewed.loc[at, "geo_precision"] = choice.geo_precision
    reviewed.loc[at, "geometry"] = Point(choice.longitude, choice.latitude)


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

"""ACLED exports, every layout in circulation, onto canonical names.

- the current export (31 columns, ``event_id_cnty`` ... ``timestamp``);
- the 2020 HDX layout (``data_id``, ``event_id_no_cnty``, ``iso3``; no
  ``disorder_type``, ``civilian_targeting`` or ``tags``), often with HXL's
  hashtag row under the header (skipped when the file is read);
- exports made before 2020, without ``sub_event_type`` and with the nine old
  event types, mapped as ``OLD_EVENT_TYPES`` says, the original kept in
  ``source_event_type``.

``event_id_cnty`` (``MLI2611``) is the event id; where it is missing the
row's ``data_id`` gives ``ACLED-<data_id>``. Ids a spreadsheet turned into
floats (``2611.0``) are written back as ``2611``. ``inter1`` may be a code
(5) or its label ("Rioters"). Where a file has no ``civilian_targeting``
column, violence against civilians counts as civilian targeting, as ACLED
codes it.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from conflictmap import schema
from conflictmap.readers import replies
from conflictmap.readers import values as parse
from conflictmap.readers.report import ImportReport
from conflictmap.readers.rows import Staged
from conflictmap.readers.table import RawTable

DATASET = "acled"

#: ACLED's current export columns, in its order.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

#: ACLED columns carried under the same name.
DIRECT: tuple[str, ...] = tuple(c for c in ACLED_COLUMNS if c in schema.COLUMNS)

#: ACLED's pre-2020 event types -> (event_type, sub_event_type or None for unknown).
OLD_EVENT_TYPES: dict[str, tuple[str, str | None]] = {
    "Battle-No change of territory": ("Battles", "Armed clash"),
    "Battle-Government regains territory": ("Battles", "Government regains territory"),
    "Battle-Non-state actor overtakes territory": ("Battles", "Non-state actor overtakes territory"),
    "Headquarters or base established": ("Strategic developments", "Headquarters or base established"),
    "Strategic development": ("Strategic developments", "Other"),
    "Non-violent transfer of territory": ("Strategic developments", "Non-violent transfer of territory"),
    "Remote violence": ("Explosions/Remote violence", None),
    "Riots/Protests": ("Riots/Protests", None),  # Riots or Protests, by inter1
    "Violence against civilians": ("Violence against civilians", None),
}
RIOTS_PROTESTS = "Riots/Protests"

#: Older names of today's columns.
ALIASES: dict[str, str] = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}

#: ACLED's actor-type codes (``inter1``/``inter2``) and their labels, singular and plural.
INTER_CODES: dict[str, int] = {
    "state forces": 1,
    "rebel group": 2,
    "rebel groups": 2,
    "political militia": 3,
    "political militias": 3,
    "identity militia": 4,
    "identity militias": 4,
    "rioters": 5,
    "protesters": 6,
    "civilians": 7,
    "external/other forces": 8,
    "other forces": 8,
}


def _inter_codes(values: pd.Series) -> pd.Series:
    """``inter1`` as codes, whether written as numbers or labels."""
    codes = parse.numbers(values)
    labels = parse.choices(values, {k: str(v) for k, v in INTER_CODES.items()})
    return codes.fillna(pd.to_numeric(labels, errors="coerce"))


def _ids(frame: pd.DataFrame) -> pd.Series:
    ids = pd.Series(pd.NA, index=frame.index, dtype="string")
    if "event_id_cnty" in frame.columns:
        ids = parse.whole_ids(frame["event_id_cnty"])
    if "data_id" in frame.columns:
        ids = ids.fillna("ACLED-" + parse.whole_ids(frame["data_id"]))
    return ids


def stage(table: RawTable, report: ImportReport) -> Staged:
    """ACLED rows under canonical names; old event types mapped, rows that cannot be mapped rejected.

    Parameters
    ----------
    table : RawTable
        The file as read.
    report : ImportReport
        Receives rejections and the list of columns not carried.
    """
    frame = table.frame.rename(columns={o: n for o, n in ALIASES.items() if n not in table.frame.columns})
    staged_frame = pd.DataFrame({c: frame[c] for c in DIRECT if c in frame.columns}, index=frame.index)
    staged_frame["event_id"] = _ids(frame)
    origin = {n: o for o, n in ALIASES.items() if o in table.frame.columns and n not in table.frame.columns}
    origin["event_id"] = "event_id_cnty" if "event_id_cnty" in frame.columns else "data_id"
    staged = Staged(staged_frame, table.rows, origin=origin, default_dataset=DATASET)

    old = parse.choices(frame["event_type"], {k: k for k in OLD_EVENT_TYPES}).astype(object)
    # Without a sub_event_type column every type is an old one; with it, only the names today's list lacks.
    if "sub_event_type" in frame.columns:
        old = old.where(old != "Violence against civilians")
    is_old = old.notna()
    if is_old.any():
        today = old.map({name: mapped[0] for name, mapped in OLD_EVENT_TYPES.items()})
        event_type = staged_frame["event_type"].astype(object).where(~is_old, today)
        sub = old.map({name: mapped[1] for name, mapped in OLD_EVENT_TYPES.items()})
        current_sub = staged_frame["sub_event_type"].astype(object) if "sub_event_type" in frame.columns else None
        staged_frame["sub_event_type"] = sub if current_sub is None else current_sub.where(~is_old, sub)
        riots = (old == RIOTS_PROTESTS).to_numpy()
        if riots.any():
            raw_inter = frame["inter1"] if "inter1" in frame.columns else pd.Series(None, index=frame.index)
            inter = _inter_codes(raw_inter)
            event_type = event_type.where(~(riots & (inter == 5)), "Riots").where(~(riots & (inter == 6)), "Protests")
            staged.reject(
                report,
                riots & ~inter.isin([5, 6]),
                "inter1",
                raw_inter,
                "the old type 'Riots/Protests' needs inter1 5 (rioters) or 6 (protesters) to tell Riots from Protests",
            )
        staged_frame["event_type"] = event_type
        staged_frame["source_event_type"] = parse.text(frame["event_type"]).where(is_old)
    if "civilian_targeting" not in frame.columns:
        mapped = parse.choices(staged_frame["event_type"], ["Violence against civilians"])
        staged_frame["civilian_targeting"] = mapped.notna().to_numpy()

    used = {*DIRECT, "event_id_cnty"}
    if "event_id_cnty" not in frame.columns:
        used.add("data_id")
    skipped = [c for c in frame.columns if c not in used]
    if skipped:
        report.warnings.append("columns not carried into the event table: " + ", ".join(skipped))
    return staged


# --- API replies -----------------------------------------------------------------

#: ``parse_reply(payload)``: the records of an ACLED API JSON reply (``AcledReply``); ``ApiReplyError`` otherwise.
parse_reply = replies.parse_acled_reply


def events_from_reply(
    payload: object, *, dataset: str | None = None, first_row: int = 1, source: str = "ACLED API reply"
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Canonical events from one ACLED API JSON reply (``{"status", "success", "count", "data": [...]}``).

    Every record is checked as a row of an export file is; the report's row
    numbers are record numbers from ``first_row``.

    Parameters
    ----------
    payload : dict
        The reply as ``json.loads`` gives it.
    dataset : str, optional
        Names the dataset of every event (default ``acled``).
    first_row : int
        The number of the first record, so that pages read one by one number their rows on.
    source : str
        What the report names as the source.

    Returns
    -------
    (geopandas.GeoDataFrame, ImportReport)

    Raises
    ------
    ApiReplyError
        If the reply reports a failure or has no ``data`` list.
    """
    from conflictmap.readers.pipeline import events_from_table

    reply = parse_reply(payload)
    table = replies.records_table(reply.records, first_row=first_row)
    if not reply.records:
        table.frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in ACLED_COLUMNS})
    events, report = events_from_table(table, "acled", source=source, dataset=dataset, default_dataset=DATASET)
    report.warnings.extend(reply.messages)
    return events, report


from conflictmap.readers.deleted import (  # noqa: E402  (re-exported: ACLED's deleted events)
    DeletedEvents,
    DeletionOutcome,
    apply_deleted,
    deleted_from_reply,
    read_deleted,
)

__all__ = [
    "ACLED_COLUMNS",
    "DeletedEvents",
    "DeletionOutcome",
    "apply_deleted",
    "deleted_from_reply",
    "events_from_reply",
    "parse_reply",
    "read_deleted",
    "stage",
]

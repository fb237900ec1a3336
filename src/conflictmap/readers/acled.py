"""ACLED exports, every layout in circulation, onto canonical names.

- the current export (31 columns, ``event_id_cnty`` ... ``timestamp``), text
  actor types since 2023, the ``population_*`` columns after ``timestamp``
  when asked for, and the export tool's "(Sample)" and empty lines above the
  header (skipped when the file is read);
- API replies: ``events_from_reply`` for the JSON ``{"status", "success",
  "count", "data"}`` (the CSV reply is the export layout); ACLED's deleted
  events through ``read_deleted`` / ``deleted_from_reply`` and ``apply_deleted``;
- the 2020 HDX layout (``data_id``, ``event_id_no_cnty``, ``iso3``; no
  ``disorder_type``, ``civilian_targeting`` or ``tags``), often with HXL's
  hashtag row under the header (skipped when the file is read);
- exports made before 2020, without ``sub_event_type`` and with the nine old
  event types, mapped as ``OLD_EVENT_TYPES`` says, the original kept in
  ``source_event_type``.

``event_id_cnty`` (``MLI2611``) is the event id; where it is missing the
row's ``data_id`` gives ``ACLED-<data_id>``. Ids a spreadsheet turned into
floats (``2611.0``) are written back as ``2611``. ``inter1`` may be a code
(5) or its label ("Rioters"), and so may ``interaction`` (17 or
"State forces-Civilians"): both become ``actor1_type``, ``actor2_type`` and
``interaction`` as ACLED's labels (see ``actortypes``). The old
``Riots/Protests`` type is Riots when either actor is rioters, else
Protests when either is protesters. ``year`` is checked against
``event_date`` (a warning when they differ) and not kept: the export writes
it from the date. Where a file has no ``civilian_targeting``
column, violence against civilians counts as civilian targeting, as ACLED
codes it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap import schema
from conflictmap.readers import actortypes, replies
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

#: Written after ``timestamp`` when an export or API call asks for population figures.
POPULATION_COLUMNS: tuple[str, ...] = ("population_1km", "population_2km", "population_5km", "population_best")
#: Columns read into actor types and interactions (``actortypes``), not carried as written.
ACTOR_TYPE_COLUMNS: tuple[str, ...] = ("inter1", "inter2", "interaction")

#: ACLED columns carried under the same name.
DIRECT: tuple[str, ...] = tuple(
    c for c in (*ACLED_COLUMNS, *POPULATION_COLUMNS) if c in schema.COLUMNS and c not in ACTOR_TYPE_COLUMNS
)

#: ACLED's pre-2020 event types -> (event_type, sub_event_type or None for unknown).
OLD_EVENT_TYPES: dict[str, tuple[str, str | None]] = {
    "Battle-No change of territory": ("Battles", "Armed clash"),
    "Battle-Government regains territory": ("Battles", "Government regains territory"),
    "Battle-Non-state actor overtakes territory": ("Battles", "Non-state actor overtakes territory"),
    "Headquarters or base established": ("Strategic developments", "Headquarters or base established"),
    "Strategic development": ("Strategic developments", "Other"),
    "Non-violent transfer of territory": ("Strategic developments", "Non-violent transfer of territory"),
    "Remote violence": ("Explosions/Remote violence", None),
    "Riots/Protests": ("Riots/Protests", None),  # Riots or Protests, by either actor's type
    "Violence against civilians": ("Violence against civilians", None),
}
RIOTS_PROTESTS = "Riots/Protests"

#: Older names of today's columns.
ALIASES: dict[str, str] = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}


def _unknown_note(report: ImportReport, column: str, raw: pd.Series, unknown: pd.Series, rows, expected: str) -> None:
    """One warning for the values of ``column`` not understood (kept as written)."""
    if not unknown.any():
        return
    at = np.flatnonzero(unknown.to_numpy())
    shown = sorted({str(raw.iloc[i]).strip() for i in at})[:5]
    where = ", ".join(str(rows[i]) for i in at[:5]) + (" ..." if len(at) > 5 else "")
    report.warnings.append(
        f"{column}: {len(at)} value(s) kept as written but not one of ACLED's {expected} "
        f"({', '.join(map(repr, shown))}; row(s) {where})"
    )


def _actor_types(frame: pd.DataFrame, report: ImportReport, rows: np.ndarray) -> dict[str, pd.Series]:
    """``actor1_type``, ``actor2_type`` and ``interaction`` as labels, from codes or text.

    Values that are not an actor type or interaction are kept as written (the report says which).
    Where the file has no interaction, it is made from the two actor types.
    """
    none = pd.Series(None, index=frame.index, dtype=object)
    out: dict[str, pd.Series] = {}
    for column, name in (("inter1", "actor1_type"), ("inter2", "actor2_type")):
        raw = frame[column] if column in frame.columns else none
        labels, unknown = actortypes.actor_types(raw)
        out[name] = labels.where(~unknown, parse.text(raw).astype(object))
        _unknown_note(report, column, raw, unknown, rows, "actor types (codes 1-8 or their labels)")
    raw = frame["interaction"] if "interaction" in frame.columns else none
    labels, unknown = actortypes.interactions(raw)
    _unknown_note(report, "interaction", raw, unknown, rows, "interactions (codes such as 17 or their labels)")
    written = labels.where(~unknown, parse.text(raw).astype(object))
    blank = np.flatnonzero(written.isna().to_numpy())
    if len(blank):
        # Pairs repeat: work each one out once.
        first = out["actor1_type"].iloc[blank].to_numpy(dtype=object)
        second = out["actor2_type"].iloc[blank].to_numpy(dtype=object)
        keys = [
            (a if isinstance(a, str) else None, b if isinstance(b, str) else None)
            for a, b in zip(first, second, strict=True)
        ]
        codes, uniques = pd.factorize(pd.Series(keys, dtype=object))
        made = np.array([schema.interaction_label(a, b) for a, b in uniques] + [None], dtype=object)
        written = written.copy()
        written.iloc[blank] = made[codes]
    out["interaction"] = written
    return out


def _check_year(frame: pd.DataFrame, report: ImportReport, rows) -> None:
    """Warn where ``year`` is not the year of ``event_date`` (the date wins; ``year`` is not kept)."""
    if "year" not in frame.columns or "event_date" not in frame.columns:
        return
    year = parse.numbers(frame["year"])
    dates = parse.dates(frame["event_date"])
    off = (year.notna() & dates.notna() & (year != dates.dt.year)).to_numpy()
    if off.any():
        at = np.flatnonzero(off)
        where = ", ".join(str(rows[i]) for i in at[:5]) + (" ..." if len(at) > 5 else "")
        report.warnings.append(
            f"year: {len(at)} row(s) give a year other than their event_date's; the event_date is used (row(s) {where})"
        )


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
    types = _actor_types(frame, report, table.rows)
    for col, values in types.items():
        staged_frame[col] = values
    _check_year(frame, report, table.rows)

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
            # Either actor decides: rioters make it Riots, else protesters make it Protests (ACLED's 2019 recoding).
            either = (types["actor1_type"].to_numpy(), types["actor2_type"].to_numpy())
            rioters = riots & ((either[0] == "Rioters") | (either[1] == "Rioters"))
            protesters = riots & ~rioters & ((either[0] == "Protesters") | (either[1] == "Protesters"))
            event_type = event_type.where(~rioters, "Riots").where(~protesters, "Protests")
            raw_inter = frame["inter1"] if "inter1" in frame.columns else pd.Series(None, index=frame.index)
            staged.reject(
                report,
                riots & ~rioters & ~protesters,
                "inter1",
                raw_inter,
                "the old type 'Riots/Protests' needs rioters (5) or protesters (6) as inter1 or inter2 "
                "to tell Riots from Protests",
            )
        staged_frame["event_type"] = event_type
        staged_frame["source_event_type"] = parse.text(frame["event_type"]).where(is_old)
    if "civilian_targeting" not in frame.columns:
        mapped = parse.choices(staged_frame["event_type"], ["Violence against civilians"])
        staged_frame["civilian_targeting"] = mapped.notna().to_numpy()

    used = {*DIRECT, *ACTOR_TYPE_COLUMNS, "year", "event_id_cnty"}
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
    events, report = events_from_table(
        table, "acled", source=source, dataset=dataset, default_dataset=DATASET, stage=stage
    )
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

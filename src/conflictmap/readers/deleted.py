"""ACLED's deleted events: which events ACLED withdrew and when, from a file or an API reply.

ACLED publishes the events it removed (``event_id_cnty``, ``deleted_timestamp``
in Unix seconds) as a CSV/XLSX download and through ``/api/deleted/read``.
``apply_deleted`` marks each of them deleted in an event store, with a reason
that says ACLED deleted it and when; the stored event and its history stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from conflictmap.readers import replies
from conflictmap.readers import values as parse
from conflictmap.readers.detect import sniff_container
from conflictmap.readers.report import NotEventDataError, Rejection
from conflictmap.readers.table import RawTable
from conflictmap.readers.textfile import read_delimited, read_workbook

#: The columns a deleted-events file needs.
DELETED_COLUMNS: tuple[str, ...] = ("event_id_cnty", "deleted_timestamp")


@dataclass
class DeletedEvents:
    """Events ACLED deleted.

    Attributes
    ----------
    frame : pandas.DataFrame
        ``event_id`` (text) and ``deleted_at`` (UTC datetime), one row per event (the latest deletion kept).
    source : str
        The file or reply read.
    rejected : list of Rejection
        Rows left out (no id, a time that is not a time), with row, column, value and reason.
    """

    frame: pd.DataFrame
    source: str
    rejected: list[Rejection] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def event_ids(self) -> list[str]:
        """The deleted events' ids, in the order read."""
        return self.frame["event_id"].tolist()

    def reason(self, event_id: str) -> str:
        """What the store records as the reason for deleting ``event_id``."""
        stamps = self.frame.loc[self.frame["event_id"] == event_id, "deleted_at"]
        if stamps.empty or pd.isna(stamps.iloc[-1]):
            return "deleted by ACLED"
        when = stamps.iloc[-1]
        return f"deleted by ACLED on {when:%Y-%m-%d %H:%M} UTC (deleted_timestamp {int(when.timestamp())})"


def _from_table(table: RawTable, source: str) -> DeletedEvents:
    frame = table.frame
    missing = [c for c in DELETED_COLUMNS if c not in frame.columns]
    if "event_id_cnty" in missing:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise NotEventDataError(
            f"{source} is not a list of ACLED's deleted events: it lacks {', '.join(missing)}; "
            f"expected the columns {', '.join(DELETED_COLUMNS)}; found: {found}"
        )
    rejected: list[Rejection] = []
    ids = parse.whole_ids(frame["event_id_cnty"])
    raw_time = (
        frame["deleted_timestamp"] if "deleted_timestamp" in frame.columns else pd.Series(None, index=frame.index)
    )
    stamps = parse.timestamps(raw_time)
    bad = np.zeros(len(frame), dtype=bool)
    for i in np.flatnonzero(ids.isna().to_numpy()):
        rejected.append(Rejection(int(table.rows[i]), "event_id_cnty", "", "missing; expected an ACLED event id"))
        bad[i] = True
    written = parse.text(raw_time).notna()
    for i in np.flatnonzero((written & stamps.isna()).to_numpy()):
        value = str(raw_time.iloc[i]).strip()
        reason = "not a time; expected Unix seconds (1709251200) or an ISO time"
        rejected.append(Rejection(int(table.rows[i]), "deleted_timestamp", value, reason))
        bad[i] = True
    out = pd.DataFrame({"event_id": ids.astype(object), "deleted_at": stamps})[~bad]
    # An event deleted twice (re-added, deleted again) keeps its latest deletion.
    out = out.sort_values("deleted_at", kind="stable", na_position="first").drop_duplicates("event_id", keep="last")
    out = out.sort_index().reset_index(drop=True)
    return DeletedEvents(frame=out, source=source, rejected=sorted(rejected, key=lambda r: r.row))


def deleted_from_reply(payload: object, *, first_row: int = 1) -> DeletedEvents:
    """ACLED's deleted events from an ``/api/deleted/read`` JSON reply.

    Raises
    ------
    ApiReplyError
        If the reply is an error or lacks ``data``.
    NotEventDataError
        If its records are not deleted events.
    """
    reply = replies.parse_acled_reply(payload)
    table = replies.records_table(reply.records, first_row=first_row)
    if not reply.records:
        table.frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in DELETED_COLUMNS})
    return _from_table(table, "ACLED deleted-events reply")


def read_deleted(path: str | Path) -> DeletedEvents:
    """ACLED's deleted events from a CSV, XLSX or saved JSON reply.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    NotEventDataError
        If the file is not a list of deleted events, naming the columns expected.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    container = sniff_container(path)
    if container in ("reply", "geojson"):
        found = deleted_from_reply(replies.load_json(path))
        found.source = str(path)
        return found
    table = read_workbook(path) if container == "xlsx" else read_delimited(path)
    return _from_table(table, str(path))


@dataclass
class DeletionOutcome:
    """What ``apply_deleted`` did: ids deleted now, already deleted, and not in the store."""

    deleted: list[str] = field(default_factory=list)
    already_deleted: list[str] = field(default_factory=list)
    not_in_store: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for a person."""
        return (
            f"{len(self.deleted)} event(s) marked deleted as ACLED deleted them; "
            f"{len(self.already_deleted)} already deleted; {len(self.not_in_store)} not in the store"
        )


def apply_deleted(store, deleted: DeletedEvents, *, user: str | None = None) -> DeletionOutcome:
    """Mark every event of ``deleted`` deleted in ``store``, each with ``deleted.reason(id)``.

    Parameters
    ----------
    store : conflictmap.store.EventStore
        The store to change; events stay there with their history, hidden from views.
    deleted : DeletedEvents
        The events ACLED deleted.
    user : str, optional
        Who made the change (the store's default user otherwise).
    """
    from conflictmap.store.report import EventNotFoundError, EventStateError

    outcome = DeletionOutcome()
    for event_id in deleted.event_ids:
        try:
            store.delete_event(event_id, reason=deleted.reason(event_id), user=user)
        except EventNotFoundError:
            outcome.not_in_store.append(event_id)
        except EventStateError:
            outcome.already_deleted.append(event_id)
        else:
            outcome.deleted.append(event_id)
    return outcome

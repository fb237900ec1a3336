"""The import rules: what a file does to the events already stored, worked out before anything is written.

For each event of the file, matched on ``event_id``:

* not stored yet: inserted;
* deleted by a person: stays deleted (``kept_deleted``);
* the same values: unchanged (an event flagged missing comes back: ``reappeared``);
* other values, and both versions carry an ACLED ``timestamp``: the newer one
  wins; an older or equal timestamp in the file changes nothing;
* other values without timestamps to compare: the file wins, unless a person
  edited the event since it was imported (``kept_edits``);
* the same values save for columns the store did not keep when it was made
  (``schema.EXTENDED_COLUMNS``): the event gains them, whatever its timestamp.

A full import also flags the stored events of its datasets that the file no
longer has (``flagged_missing``), within the file's reach: the same dataset and
country, dated between the file's first and last date, imported rather than
added by hand. Flagged events are kept and shown; an import that has them again
unflags them. Every replaced version goes to the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: History ``change`` values.
CHANGE_IMPORT = "import"
CHANGE_IMPORT_UPDATE = "import-update"
CHANGE_REAPPEAR = "reappear"
CHANGE_FLAG_MISSING = "flag-missing"
CHANGE_ADD = "add"
CHANGE_EDIT = "edit"
CHANGE_DELETE = "delete"
CHANGE_UNDELETE = "undelete"
CHANGES: tuple[str, ...] = (
    CHANGE_IMPORT,
    CHANGE_IMPORT_UPDATE,
    CHANGE_REAPPEAR,
    CHANGE_FLAG_MISSING,
    CHANGE_ADD,
    CHANGE_EDIT,
    CHANGE_DELETE,
    CHANGE_UNDELETE,
)


@dataclass(frozen=True)
class Scope:
    """Where a full import speaks for its dataset: stored events there that the file lacks are flagged."""

    dataset: str
    countries: tuple[str | None, ...]
    first_date: str
    last_date: str

    def describe(self) -> str:
        """E.g. ``dataset acled, Mali, 2012-01-01 to 2024-12-31``."""
        names = ", ".join(c or "(no country)" for c in self.countries)
        return f"dataset {self.dataset}, {names}, {self.first_date} to {self.last_date}"


def scopes(incoming: pd.DataFrame) -> list[Scope]:
    """The reach of a full import, one scope per dataset of the file (plain rows, see ``records.encode``)."""
    out = []
    for dataset, rows in incoming.groupby(incoming["dataset"].astype(str), sort=True):
        countries = tuple(sorted(set(rows["country"]), key=lambda c: (c is None, c or "")))
        out.append(Scope(str(dataset), countries, min(rows["event_date"]), max(rows["event_date"])))
    return out


@dataclass
class Plan:
    """What an import will write, decided from the stored events' versions and content digests.

    Attributes
    ----------
    inserts : pandas.DataFrame
        Plain rows of the file (canonical columns and ``content_hash``) new to the store.
    replace : pandas.DataFrame
        Plain rows of the file that replace the stored version (history change ``import-update``).
    reappear : list of str
        Ids flagged missing before that the file has again, unchanged (``reappear``).
    flag : pandas.DataFrame
        ``event_id`` and ``scope`` of the stored events a full import flags missing (``flag-missing``).
    """

    inserts: pd.DataFrame
    replace: pd.DataFrame
    reappear: list[str]
    flag: pd.DataFrame
    unchanged: int = 0
    kept_deleted: int = 0
    kept_edits: list[str] = field(default_factory=list)
    replaced_edits: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> dict[Scope, int]:
        """Events flagged missing per scope."""
        return self.flag["scope"].value_counts(sort=False).to_dict() if len(self.flag) else {}

    def changed_ids(self) -> list[str]:
        """Every stored event this import changes, in the order ``replace``, ``reappear``, ``flag``."""
        return [*self.replace["event_id"], *self.reappear, *self.flag["event_id"]]


def plan_import(incoming: pd.DataFrame, stored: pd.DataFrame, flag: pd.DataFrame | None = None) -> Plan:
    """Apply the import rules.

    Parameters
    ----------
    incoming : pandas.DataFrame
        Plain rows of the file (canonical columns and ``content_hash``; unique ``event_id``).
    stored : pandas.DataFrame
        For the stored events with those ids: ``event_id``, ``status``, ``edited``,
        ``timestamp`` (plain text) and ``content_hash``.
    flag : pandas.DataFrame, optional
        ``event_id`` and ``scope`` of stored events within a full import's reach that the file lacks.

    Returns
    -------
    Plan
    """
    stored = stored.set_index("event_id", drop=False)
    known = incoming["event_id"].isin(stored.index).to_numpy()
    new = incoming[known].reset_index(drop=True)
    old = stored.loc[new["event_id"]].reset_index(drop=True)

    deleted = (old["status"] == "deleted").to_numpy()
    differs = (new["content_hash"].to_numpy(dtype=object) != old["content_hash"].to_numpy(dtype=object)).astype(bool)
    new_ts, old_ts = new["timestamp"], old["timestamp"]
    stamped = (new_ts.notna() & old_ts.notna()).to_numpy()
    newer = stamped & (new_ts.fillna("").to_numpy(dtype=object) > old_ts.fillna("").to_numpy(dtype=object))
    edited = old["edited"].astype(bool).to_numpy()
    was_missing = (old["status"] == "missing").to_numpy()

    replace = ~deleted & differs & np.where(stamped, newer, ~edited)
    # Stored by a conflictmap that did not keep the later columns: the same event (its digest without
    # them is the stored one) gains them, whatever its timestamp.
    maybe = ~deleted & differs & ~replace & ~edited
    if maybe.any():
        from conflictmap.store.records import content_hash

        core = np.array(content_hash(new[maybe], extended=False), dtype=object)
        replace[np.flatnonzero(maybe)[core == old["content_hash"].to_numpy(dtype=object)[maybe]]] = True
    kept_edits = ~deleted & differs & ~stamped & edited
    reappear = ~deleted & ~replace & was_missing
    return Plan(
        inserts=incoming[~known].reset_index(drop=True),
        replace=new[replace].reset_index(drop=True),
        reappear=new.loc[reappear, "event_id"].tolist(),
        flag=flag.reset_index(drop=True) if flag is not None else pd.DataFrame({"event_id": [], "scope": []}),
        unchanged=int((~deleted & ~replace & ~reappear).sum()),
        kept_deleted=int(deleted.sum()),
        kept_edits=new.loc[kept_edits, "event_id"].tolist(),
        replaced_edits=new.loc[replace & edited, "event_id"].tolist(),
    )

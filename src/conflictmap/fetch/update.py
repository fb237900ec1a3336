"""Keeping a store or a file current against ACLED's or UCDP's API: what the page and the command line call.

``update_store`` downloads what changed since the last run into the event
store: new events are added, a later version of a stored event replaces it
(the earlier one goes to its history; see ``store.upsert``), and events ACLED
deleted are deleted in the store with the reason. ``update_file`` does the
same for an event file. Both return a ``StoreUpdate``.

ACLED: the first run of a query downloads every event of the country; each
later run asks only for events added or changed since the newest
``timestamp`` the last run stored, and for ACLED's deletions since then.
UCDP: a GED release does not change, so a run asks for a release only once
(``full=True`` asks again); a later release replaces the events it changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from conflictmap import schema
from conflictmap.fetch.acled import AcledApi
from conflictmap.fetch.credentials import Ask, Credentials, credentials_for
from conflictmap.fetch.download import DATASETS, Download, Progress, Query, download
from conflictmap.fetch.http import FetchError, Http
from conflictmap.fetch.spool import Spool, fetch_dir, query_key, read_state, write_state
from conflictmap.fetch.ucdp import UcdpApi
from conflictmap.filters import FilterSpec
from conflictmap.readers import read_events, write_events
from conflictmap.readers.canonical import SUFFIXES
from conflictmap.readers.deleted import apply_deleted
from conflictmap.readers.report import ImportReport
from conflictmap.store import EventStore, StoreImport, records

#: The ``change`` of each event in ``StoreUpdate.events``.
CHANGE_KINDS: tuple[str, ...] = ("new", "changed", "deleted")


def _empty_events() -> gpd.GeoDataFrame:
    frame = schema.empty_events()
    frame["change"] = pd.Series([], dtype=object)
    return frame


@dataclass
class StoreUpdate:
    """What an update did.

    Attributes
    ----------
    new, changed, deleted : int
        Events added, replaced by a later version, and deleted because the source deleted them.
    message : str
        One or two sentences for the user: the counts, and anything to know (rows rejected, nothing asked).
    events : geopandas.GeoDataFrame
        The new, changed and deleted events (canonical columns and ``change``: one of ``CHANGE_KINDS``),
        for a map layer of what changed.
    query : str
        What was asked for (``Query.describe``).
    report : ImportReport or None
        How the downloaded rows were read (rejected rows with row, column, value and reason).
    stored : StoreImport or None
        The store's import summary (``update_store``).
    pages, resumed : int
        Pages downloaded, and of them those kept from a stopped run.
    """

    new: int = 0
    changed: int = 0
    deleted: int = 0
    message: str = ""
    events: gpd.GeoDataFrame = field(default_factory=_empty_events)
    query: str = ""
    report: ImportReport | None = None
    stored: StoreImport | None = None
    pages: int = 0
    resumed: int = 0


def _api(source: str, credentials: Credentials, http: Http | None) -> AcledApi | UcdpApi:
    if source == "acled":
        return AcledApi(credentials, http=http)
    return UcdpApi(credentials, http=http)


def _since(value: date | datetime | int | str | None) -> int | None:
    """``since`` as Unix seconds: a date is its midnight UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise FetchError(f"since {value!r} is not a date; expected YYYY-MM-DD") from None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return int(moment.timestamp())


def _state_key(source: str, country: str, target: str) -> str:
    """One run state per source, country and target: a later UCDP release updates what an earlier one stored."""
    return query_key({"source": source, "country": country}, target)


@dataclass
class _Plan:
    query: Query
    state_key: str
    previous: dict[str, object] | None
    folder: Path
    skip: str = ""


def _plan(
    source: str,
    target: str,
    country: str,
    version: str | None,
    since: date | datetime | int | str | None,
    full: bool,
    folder: str | Path | None,
) -> _Plan:
    country = str(country).strip()
    Query(source, country, version)  # checks the arguments before anything is read
    where = fetch_dir(folder)
    state_key = _state_key(source, country, target)
    previous = None if full else read_state(where).get(state_key)
    asked = _since(since)
    if source == "acled" and asked is None and previous and previous.get("newest") is not None:
        asked = int(previous["newest"])  # type: ignore[arg-type]
    query = Query(source, country, version, asked if source == "acled" else None)
    plan = _Plan(query, state_key, previous, where)
    if source == "ucdp" and previous and previous.get("version") == version:
        plan.skip = (
            f"{query.describe()} was stored on {str(previous.get('finished_at', ''))[:10]}; a release does not "
            "change, so nothing was asked (ask again with full=True / --full)"
        )
    return plan


def _get(
    plan: _Plan,
    target: str,
    credentials: Credentials | None,
    ask: Ask | None,
    http: Http | None,
    progress: Progress | None,
) -> tuple[Download, Spool]:
    creds = credentials or credentials_for(plan.query.source, ask)
    # Named after the whole query (a UCDP release, ACLED's since): a resumed run asks exactly what the stopped one did.
    spool = Spool(plan.folder / f"{plan.state_key}.{query_key(plan.query.as_dict(), target)}.pages.jsonl")
    return download(plan.query, _api(plan.query.source, creds, http), spool, progress=progress), spool


def _finish(plan: _Plan, spool: Spool, got: Download) -> None:
    """Remember the run (for the next one's ``since``) and drop the pages on disk."""
    previous = plan.previous or {}
    newest = got.newest
    if previous.get("newest") is not None:
        newest = max(int(previous["newest"]), newest or 0)  # type: ignore[arg-type]
    entry = {
        **plan.query.as_dict(),
        "since": None,
        "newest": newest,
        "finished_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    }
    write_state(plan.folder, plan.state_key, entry)
    spool.remove()
    for stale in plan.folder.glob(f"{plan.state_key}.*.pages.jsonl"):
        stale.unlink(missing_ok=True)  # pages of an earlier stopped run of this query, asked differently


def _rejected(report: ImportReport | None) -> str:
    if report is None or not report.rows_rejected:
        return ""
    first = report.rejected[0]
    return (
        f" {report.rows_rejected:,} of {report.rows_read:,} downloaded rows could not be read and were left out "
        f"(first: row {first.row}, {first.column} {first.value!r}: {first.reason})."
    )


def _message(update: StoreUpdate, what: str) -> str:
    counts = f"{update.new:,} new, {update.changed:,} changed, {update.deleted:,} deleted"
    resumed = f" ({update.resumed} of {update.pages} pages kept from the stopped download)" if update.resumed else ""
    return f"{what}: {counts}{resumed}.{_rejected(update.report)}"


def _store_place(store: EventStore) -> str:
    """The store's place, the same from any working folder (a GeoPackage's absolute path)."""
    place = store.location
    return str(Path(place).resolve()) if Path(place).exists() else place


def update_store(
    store: EventStore,
    source: str,
    *,
    country: str,
    version: str | None = None,
    since: date | datetime | int | str | None = None,
    full: bool = False,
    credentials: Credentials | None = None,
    ask: Ask | None = None,
    progress: Progress | None = None,
    http: Http | None = None,
    folder: str | Path | None = None,
    user: str | None = None,
) -> StoreUpdate:
    """Bring the store's events of one source and country up to date with the source's API.

    Parameters
    ----------
    store : EventStore
        The store to update (``open_store()``).
    source : {"acled", "ucdp"}
    country : str
        ACLED's country name (``Mali``) or UCDP's Gleditsch-Ward code (``432``).
    version : str, optional
        UCDP GED release (``25.1``); needed for UCDP.
    since : date, datetime, int or str, optional
        ACLED: ask for events changed since then (a date is its midnight UTC); default since the last run.
    full : bool, default False
        Ignore the last run: download every event again.
    credentials : Credentials, optional
        Default from the settings (``CONFLICTMAP_ACLED_EMAIL``/``_PASSWORD``, ``CONFLICTMAP_UCDP_TOKEN``),
        then ``ask``.
    ask : callable, optional
        ``ask(prompt, secret)`` for a credential the settings lack.
    progress : callable, optional
        Told after every page (``FetchProgress``).
    http : Http, optional
        The requests' retry policy (tests pass one that does not sleep).
    folder : str or pathlib.Path, optional
        Where pages and run state are kept; default ``CONFLICTMAP_FETCH_DIR``.
    user : str, optional
        Recorded with the changes; default the store's user.

    Returns
    -------
    StoreUpdate

    Raises
    ------
    conflictmap.fetch.FetchError
        When the API cannot be used (AuthError: credentials refused). Pages already received are kept and
        the next call resumes after them; the store is not changed.
    """
    target = f"store:{_store_place(store)}"
    plan = _plan(source, target, country, version, since, full, folder)
    dataset = DATASETS[source]
    if plan.previous and not store.count(FilterSpec(datasets=(dataset,)), include_deleted=True):
        # The last run's events are not here (a new or restored store): changes alone would leave it incomplete.
        plan = _plan(source, target, country, version, since, True, folder)
    if plan.skip:
        return StoreUpdate(message=plan.skip, query=plan.query.describe())
    got, spool = _get(plan, target, credentials, ask, http, progress)
    # A download of every event speaks for the whole country (events it lacks are flagged missing); changes do not.
    imported = store.import_events(
        got.events, source=got.query.describe(), read=got.report, full=plan.query.since is None, user=user
    )
    deleted = _delete_in_store(store, got, user)
    update = StoreUpdate(
        new=imported.inserted,
        changed=imported.updated,
        deleted=len(deleted),
        query=got.query.describe(),
        report=got.report,
        stored=imported,
        pages=got.pages,
        resumed=got.resumed,
    )
    if imported.updated == 0 and imported.inserted == len(got.events) and not deleted:
        # Every event fetched is new (a first run): the layer is the download itself, no need to ask the store.
        update.events = got.events.assign(change="new")
    elif imported.updated == 0 and imported.inserted == 0 and not deleted:
        update.events = _empty_events()
    else:
        update.events = _store_changes(store, dataset, imported.import_id, got.events, deleted)
    update.message = _message(update, got.query.describe())
    if imported.notes:
        update.message += " " + " ".join(n[0].upper() + n[1:] + "." for n in imported.notes)
    _finish(plan, spool, got)
    return update


def _delete_in_store(store: EventStore, got: Download, user: str | None) -> list[str]:
    """Delete in the store the events ACLED deleted (those stored here and not deleted yet)."""
    return apply_deleted(store, got.deleted, user=user).deleted if len(got.deleted) else []


def _store_changes(
    store: EventStore, dataset: str, import_id: int | None, fetched: gpd.GeoDataFrame, deleted: list[str]
) -> gpd.GeoDataFrame:
    """The events this update added, replaced or deleted, as the store now holds them, with their ``change``."""
    if import_id is None and not deleted:
        return _empty_events()
    # Ask the store only for the dates the changes fall on, not for the whole dataset.
    days = [pd.Timestamp(d).date() for d in fetched["event_date"].dropna()] if len(fetched) else []
    for event_id in deleted:
        day = store.get_event(event_id).get("event_date")
        if day is not None:
            days.append(day)
    spec = FilterSpec(datasets=(dataset,), date_from=min(days), date_to=max(days)) if days else None
    rows = store.query(spec or FilterSpec(datasets=(dataset,)), include_deleted=True, store_columns=True)
    ids = set(fetched["event_id"])
    mine = rows["event_id"].isin(ids).to_numpy() & (rows["import_id"] == import_id).fillna(False).to_numpy()
    gone = rows["event_id"].isin(deleted).to_numpy()
    picked = rows[mine | gone].copy()
    change = pd.Series("changed", index=picked.index, dtype=object)
    change[(picked["version"] == 1).to_numpy()] = "new"
    change[picked["event_id"].isin(deleted).to_numpy()] = "deleted"
    out = picked[[*schema.COLUMNS, "geometry"]].copy()
    out["change"] = change.to_numpy()
    return out.reset_index(drop=True)


def _digests(events: gpd.GeoDataFrame) -> list[str]:
    return records.content_hash(records.encode(events)) if len(events) else []


def last_runs(store: EventStore | None = None, *, folder: str | Path | None = None) -> list[dict[str, object]]:
    """The queries fetched before (into ``store`` only, if given), newest first: what "Update" can ask again.

    Returns
    -------
    list of dict
        ``source``, ``country``, ``version`` (UCDP), ``newest`` (ACLED: Unix seconds of the newest
        ``timestamp`` stored) and ``finished_at`` (ISO UTC) of each query's last finished run.
    """
    where = fetch_dir(folder)
    runs = read_state(where)
    if store is not None:
        place = f"store:{_store_place(store)}"
        keep = {_state_key(str(r["source"]), str(r["country"]), place) for r in runs.values()}  # type: ignore[arg-type]
        runs = {k: v for k, v in runs.items() if k in keep}
    out = [{k: r.get(k) for k in ("source", "country", "version", "newest", "finished_at")} for r in runs.values()]
    return sorted(out, key=lambda r: str(r["finished_at"] or ""), reverse=True)


def update_file(
    path: str | Path,
    source: str,
    *,
    country: str,
    version: str | None = None,
    since: date | datetime | int | str | None = None,
    full: bool = False,
    credentials: Credentials | None = None,
    ask: Ask | None = None,
    progress: Progress | None = None,
    http: Http | None = None,
    folder: str | Path | None = None,
) -> StoreUpdate:
    """Write, or bring up to date, an event file of one source and country (parameters as ``update_store``).

    The file is canonical events (``.csv``, ``.geojson``, ``.gpkg`` or ``.parquet``), replaced in one
    step once the download is complete. A later run of the same query changes it: new events added,
    changed ones replaced, deleted ones removed.

    Raises
    ------
    FetchError
        As ``update_store``; and when ``path`` exists but was not written by an earlier run of this query
        (it is not overwritten).
    ValueError
        When the suffix is not one the readers write.
    """
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise FetchError(f"cannot write events to {path.name!r}: expected a name ending in {', '.join(SUFFIXES)}")
    target = f"file:{path.resolve()}"
    plan = _plan(source, target, country, version, since, full, folder)
    if path.exists() and plan.previous is None and not full:
        raise FetchError(
            f"{path} exists and was not written by an earlier `fetch` of {plan.query.describe()}; "
            "choose another name, remove it, or ask again with full=True / --full to replace it"
        )
    if plan.skip and path.exists():
        return StoreUpdate(message=plan.skip, query=plan.query.describe())
    if not path.exists():
        plan = _plan(source, target, country, version, since, True, folder)  # nothing to bring up to date
    got, spool = _get(plan, target, credentials, ask, http, progress)
    before = read_events(path, "canonical")[0] if path.exists() else None
    fresh = got.events[~got.events["event_id"].isin(set(got.deleted.event_ids))].copy()
    if before is not None:
        digests = dict(zip(before["event_id"], _digests(before), strict=True))
        same = fresh["event_id"].isin(digests.keys()).to_numpy()
        differs = [digests.get(i) not in (None, d) for i, d in zip(fresh["event_id"], _digests(fresh), strict=True)]
        changed = fresh[same & pd.Series(differs, dtype=bool).to_numpy()]
        is_new = ~same
        if plan.query.since is None:
            # A whole download (first run, --full, a UCDP release) is the dataset: what it lacks is gone.
            gone = set(before["event_id"]) - set(fresh["event_id"])
            merged = fresh
        else:
            gone = set(got.deleted.event_ids) & set(before["event_id"])
            keep = before[~before["event_id"].isin(set(fresh["event_id"]) | gone)]
            merged = pd.concat([keep, fresh], ignore_index=True)
        deleted_rows = before[before["event_id"].isin(gone)]
    else:
        merged, changed, is_new = fresh, fresh.iloc[0:0], pd.Series(True, index=fresh.index).to_numpy()
        deleted_rows = fresh.iloc[0:0]
    merged = gpd.GeoDataFrame(merged, geometry="geometry", crs=schema.CRS).sort_values(["event_date", "event_id"])
    partial = path.with_name(path.stem + ".partial" + path.suffix)
    write_events(merged.reset_index(drop=True), partial)
    os.replace(partial, path)
    layer = pd.concat(
        [
            fresh[is_new].assign(change="new"),
            changed.assign(change="changed"),
            deleted_rows.assign(change="deleted"),
        ],
        ignore_index=True,
    )
    update = StoreUpdate(
        new=int(is_new.sum()),
        changed=len(changed),
        deleted=len(deleted_rows),
        events=gpd.GeoDataFrame(layer, geometry="geometry", crs=schema.CRS),
        query=got.query.describe(),
        report=got.report,
        pages=got.pages,
        resumed=got.resumed,
    )
    update.message = _message(update, got.query.describe()) + f" {len(merged):,} events in {path.name}."
    _finish(plan, spool, got)
    return update

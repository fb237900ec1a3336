"""``conflictmap db``: the event store from the command line (the GeoPackage file, or ``CONFLICTMAP_DB``).

``db init | import FILE [--dataset NAME] | stats | export OUT [filters] | history EVENT_ID | delete EVENT_ID
--reason TEXT | undelete EVENT_ID | deleted | acled-deleted FILE | backup OUT | restore FILE``
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from conflictmap.cli.common import UserError, add_actor_type_options, progress_printer
from conflictmap.cli.filtering import add_polygon_option
from conflictmap.export.licence import sharing_notice
from conflictmap.filters import FilterSpec
from conflictmap.readers import FORMATS, SUFFIXES
from conflictmap.store import EventStore, StoreError, open_store
from conflictmap.store.base import Progress


def _open(args: argparse.Namespace, *, create: bool = False) -> EventStore:
    def waiting(message: str) -> None:
        print(f"conflictmap: {message}", file=sys.stderr, flush=True)

    return open_store(args.store, args.db, create=create, user=args.user, on_wait=waiting)


def _store_errors(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Report the store's errors as one line, like every other user error."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except StoreError as exc:
            raise UserError(str(exc)) from None

    return run


def _progress(path: Path) -> Progress | None:
    reading = progress_printer(path)
    if reading is None:
        return None
    last = [-1]

    def report(stage: str, done: int, total: int) -> None:
        if stage == "reading":
            reading(done, total)
            return
        percent = int(100 * done / total) if total else 100
        if percent != last[0]:
            last[0] = percent
            end = "\n" if percent >= 100 else ""
            print(f"\rstoring: {percent:3d}%", end=end, file=sys.stderr, flush=True)

    return report


@_store_errors
def cmd_init(args: argparse.Namespace) -> int:
    """Create the store if there is none, and say where it is."""
    with _open(args, create=True) as store:
        stats = store.stats()
        print(f"store ready: {store.location} ({store.backend}, {stats['active']} events)")
    return 0


@_store_errors
def cmd_import(args: argparse.Namespace) -> int:
    """Import an event file into the store and print what happened to each row."""
    path = Path(args.file)
    if not path.exists():
        raise UserError(f"no such file: {args.file}")
    with _open(args, create=True) as store:
        result = store.import_file(
            path, args.dataset, format=args.format, full=not args.partial, progress=_progress(path)
        )
        if result.read is not None:
            print(result.read.summary())
        print(result.summary())
        print(f"store: {store.location}")
    if result.import_id is None:
        print(f"conflictmap: error: nothing from {args.file} was stored", file=sys.stderr)
        return 1
    return 0


def _table(frame: pd.DataFrame) -> list[str]:
    return ["  " + line for line in frame.to_string(index=False).splitlines()]


def _when(value: object) -> str:
    return "-" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M UTC")


@_store_errors
def cmd_stats(args: argparse.Namespace) -> int:
    """Print the store's counts, datasets and latest imports."""
    with _open(args) as store:
        stats = store.stats()
        datasets = store.datasets()
        imports = store.imports(limit=args.imports)
    print(f"store: {stats['location']} ({stats['backend']})")
    print(f"events: {stats['active']} active, {stats['missing']} flagged missing, {stats['deleted']} deleted")
    print(
        f"history records: {stats['history']}; imports: {stats['imports']}; last change: {_when(stats['last_change'])}"
    )
    if len(datasets):
        shown = datasets.assign(
            first_date=datasets["first_date"].dt.strftime("%Y-%m-%d"),
            last_date=datasets["last_date"].dt.strftime("%Y-%m-%d"),
            last_import=datasets["last_import"].map(_when),
        ).drop(columns="last_change")
        print("datasets:")
        print("\n".join(_table(shown.fillna("-"))))
    if len(imports):
        print("latest imports:")
        for row in imports.itertuples():
            print(
                f"  #{row.import_id} {_when(row.finished_at)} {row.user_name}: {row.file_name} - "
                f"{row.inserted} inserted, {row.updated} updated, {row.unchanged} unchanged, "
                f"{row.flagged_missing} flagged missing, {row.rows_rejected} rejected"
            )
    return 0


def _spec(args: argparse.Namespace) -> FilterSpec:
    return FilterSpec(
        date_from=args.date_from,
        date_to=args.date_to,
        actors=args.actor or (),
        event_types=args.type or (),
        sub_event_types=args.subtype or (),
        admin1=args.region or (),
        datasets=args.dataset or (),
        min_fatalities=args.min_fatalities,
        max_geo_precision=args.geo_precision,
        max_time_precision=args.time_precision,
        text=args.text or "",
        bbox=_bbox(args.bbox),
        polygon=args.polygon,
        actor_types=args.actor_types or (),
        interactions=args.interactions or (),
        clear_only=bool(args.clear_only),
    )


@_store_errors
def cmd_export(args: argparse.Namespace) -> int:
    """Write the events a filter keeps to a file."""
    spec = _spec(args)
    with _open(args) as store:
        known = Path(args.output).suffix.lower() in SUFFIXES  # a wrong name is the only line, not the note
        if known and (notice := sharing_notice(store.distinct_values("dataset", spec))):
            print(f"note: {notice}", file=sys.stderr)  # before anything is written
        n = store.export(Path(args.output), spec, include_missing=not args.no_missing)
    print(f"wrote {n} events ({spec.describe()}) to {args.output}")
    return 0


def _change_text(changes: dict | None) -> str:
    if not changes:
        return ""
    parts = []
    for column, (old, new) in changes.items():
        if column == "notes":
            parts.append("notes changed")
        else:
            parts.append(f"{column} {old!r} -> {new!r}")
    return ": " + "; ".join(parts)


@_store_errors
def cmd_history(args: argparse.Namespace) -> int:
    """Print every version of one event."""
    with _open(args) as store:
        history = store.history(args.event_id)
        try:
            current = store.get_event(args.event_id)
        except StoreError:
            current = None
    if args.json:
        records = history.assign(changed_at=history["changed_at"].map(lambda t: t.isoformat()))
        records = records.astype(object).where(records.notna(), None)
        print(json.dumps(records.to_dict(orient="records"), ensure_ascii=False, indent=2, default=str))
        return 0
    if current is not None:
        print(f"event {args.event_id} ({current['dataset']}): version {current['version']}, {current['status']}")
    for row in history.itertuples():
        source = f" ({row.file_name})" if isinstance(row.file_name, str) else ""
        reason = f" - {row.reason}" if isinstance(row.reason, str) else ""
        line = f"  v{row.version}  {_when(row.changed_at)}  {row.changed_by}  {row.change}{source}"
        print(line + _change_text(row.changes) + reason)
    return 0


@_store_errors
def cmd_delete(args: argparse.Namespace) -> int:
    """Delete one event (kept, hidden, with the deletion in its history), or bring a deleted one back."""
    reason = (args.reason or "").strip() or None
    if args.action == "delete" and reason is None:
        raise UserError("--reason is required: say why the event is deleted (it is kept in its history)")
    with _open(args) as store:
        if args.action == "delete":
            change = store.delete_event(args.event_id, reason=reason)
        else:
            change = store.undelete_event(args.event_id, reason=reason)
    done = "deleted" if args.action == "delete" else "restored"
    print(f"{done} {change.event_id} (version {change.version}, by {change.changed_by})")
    return 0


@_store_errors
def cmd_deleted(args: argparse.Namespace) -> int:
    """List the deleted events, the most recently deleted first."""
    with _open(args) as store:
        deleted = store.deleted_events(limit=args.limit)
    total = deleted.attrs.get("total", len(deleted))
    print(f"{total} deleted events" + (f"; the {len(deleted)} most recent:" if total > len(deleted) else ":"))
    for row in deleted.itertuples():
        who = row.deleted_by if isinstance(row.deleted_by, str) else "outside conflictmap"
        when = _when(row.deleted_at)
        reason = f" - {row.reason}" if isinstance(row.reason, str) else ""
        print(f"  {row.event_id}  {row.event_date:%Y-%m-%d}  {row.location}  deleted {when} by {who}{reason}")
    return 0


@_store_errors
def cmd_acled_deleted(args: argparse.Namespace) -> int:
    """Mark deleted the events of ACLED's deleted-events file (CSV, XLSX or an API reply), each with its reason."""
    from conflictmap.readers.acled import apply_deleted, read_deleted
    from conflictmap.readers.report import NotEventDataError

    try:
        deleted = read_deleted(args.file)
    except (FileNotFoundError, NotEventDataError) as exc:
        raise UserError(str(exc)) from None
    for rejection in deleted.rejected:
        print(f"  rejected {rejection}", file=sys.stderr)
    with _open(args) as store:
        outcome = apply_deleted(store, deleted)
    print(f"{args.file}: {len(deleted)} events ACLED deleted; {outcome.summary()}")
    return 0


@_store_errors
def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the whole store to a new GeoPackage file."""
    with _open(args) as store:
        counts = store.backup(Path(args.output))
    print(
        f"backed up {counts['events']} events, {counts['history']} history records and "
        f"{counts['imports']} imports to {args.output}"
    )
    return 0


@_store_errors
def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the store's content with a backup."""
    if not Path(args.file).exists():
        raise UserError(f"no such file: {args.file}")
    with _open(args, create=True) as store:
        held = store.count(include_deleted=True)
        if held and not args.replace:
            raise UserError(
                f"the store at {store.location} holds {held} events, and restoring replaces them all; "
                "run again with --replace to confirm (`conflictmap db backup OUT` keeps a copy first)"
            )
        counts = store.restore(Path(args.file), replace=args.replace)
        where = store.location
    print(
        f"restored {counts['events']} events, {counts['history']} history records and "
        f"{counts['imports']} imports into {where}"
    )
    return 0


def _bbox(values: list[str] | None) -> tuple[float, ...] | None:
    """``--bbox W S E N`` or ``--bbox=W,S,E,N`` as four numbers."""
    if not values:
        return None
    parts = [p for v in values for p in v.split(",") if p.strip()]
    try:
        numbers = tuple(float(p) for p in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 4:
        raise UserError(f"--bbox has {' '.join(values)!r}; expected four numbers: west south east north")
    return numbers


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``db`` and its actions to the command line."""
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_argument_group("which store")
    where.add_argument("--store", help="GeoPackage store file (default: the setting CONFLICTMAP_STORE)")
    where.add_argument("--db", help="PostgreSQL URL postgresql://... (default: the setting CONFLICTMAP_DB)")
    where.add_argument("--user", help="name recorded with the changes (default: CONFLICTMAP_USER, else the OS user)")

    parser = sub.add_parser(
        "db",
        help="the event store: init, import, stats, export, history, delete, undelete, deleted, backup, restore",
        description="The event store: the GeoPackage file CONFLICTMAP_STORE, or the PostGIS database CONFLICTMAP_DB.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    p = actions.add_parser("init", parents=[common], help="create the store if there is none")
    p.set_defaults(func=cmd_init)

    p = actions.add_parser("import", parents=[common], help="import an event file (upsert by event_id)")
    p.add_argument("file", help="ACLED, UCDP GED or canonical file: CSV, XLSX, GeoJSON, GeoPackage or GeoParquet")
    p.add_argument("--dataset", help="dataset name to record (default: from the format or the file)")
    p.add_argument("--format", choices=FORMATS, help="skip detection and read as this format")
    p.add_argument(
        "--partial",
        action="store_true",
        help="the file is an extract, not the whole dataset over its dates: flag nothing as missing",
    )
    p.set_defaults(func=cmd_import)

    p = actions.add_parser("stats", parents=[common], help="counts, datasets and the latest imports")
    p.add_argument("--imports", type=int, default=5, metavar="N", help="how many recent imports to list")
    p.set_defaults(func=cmd_stats)

    p = actions.add_parser("export", parents=[common], help="write the events a filter keeps to a file")
    p.add_argument("output", metavar="OUT", help="output file: .parquet, .csv, .geojson or .gpkg")
    filters = p.add_argument_group("filters (combined with AND)")
    filters.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="events on or after this day")
    filters.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="events on or before this day")
    filters.add_argument("--type", action="append", metavar="TYPE", help="event type (repeatable)")
    filters.add_argument("--subtype", action="append", metavar="SUBTYPE", help="sub-event type (repeatable)")
    filters.add_argument("--actor", action="append", metavar="NAME", help="actor name or key (repeatable)")
    filters.add_argument("--region", action="append", metavar="ADMIN1", help="admin1 region (repeatable)")
    filters.add_argument("--dataset", action="append", metavar="NAME", help="dataset (repeatable)")
    filters.add_argument("--min-fatalities", type=int, default=0, metavar="N")
    filters.add_argument("--geo-precision", type=int, metavar="1-4", help="at most this location precision")
    filters.add_argument("--time-precision", type=int, metavar="1-4", help="at most this date precision")
    filters.add_argument("--text", metavar="PHRASE", help="in notes, actors and places (accents ignored)")
    filters.add_argument(
        "--bbox",
        nargs="+",
        metavar="W S E N",
        help="bounding box in degrees: --bbox -12.3 10.1 4.3 25 (or --bbox=-12.3,10.1,4.3,25)",
    )
    add_polygon_option(filters)
    add_actor_type_options(filters)
    filters.add_argument("--no-missing", action="store_true", help="leave out events flagged missing")
    p.set_defaults(func=cmd_export)

    p = actions.add_parser("history", parents=[common], help="every version of one event: who, when, what")
    p.add_argument("event_id", metavar="EVENT_ID")
    p.add_argument("--json", action="store_true", help="print the history as JSON, with each replaced version")
    p.set_defaults(func=cmd_history)

    p = actions.add_parser("delete", parents=[common], help="delete one event (kept in its history, restorable)")
    p.add_argument("event_id", metavar="EVENT_ID")
    p.add_argument("--reason", required=True, help="why: kept in the event's history")
    p.set_defaults(func=cmd_delete)

    p = actions.add_parser("undelete", parents=[common], help="bring a deleted event back")
    p.add_argument("event_id", metavar="EVENT_ID")
    p.add_argument("--reason", help="why: kept in the event's history")
    p.set_defaults(func=cmd_delete)

    p = actions.add_parser("deleted", parents=[common], help="the deleted events, most recent first")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="how many to list (default 50)")
    p.set_defaults(func=cmd_deleted)

    p = actions.add_parser(
        "acled-deleted", parents=[common], help="mark deleted the events of ACLED's deleted-events file"
    )
    p.add_argument("file", metavar="FILE", help="event_id_cnty and deleted_timestamp: CSV, XLSX or an API reply")
    p.set_defaults(func=cmd_acled_deleted)

    p = actions.add_parser("backup", parents=[common], help="copy the whole store to a new GeoPackage file")
    p.add_argument("output", metavar="OUT", help="the backup file to create (.gpkg)")
    p.set_defaults(func=cmd_backup)

    p = actions.add_parser("restore", parents=[common], help="replace the store's content with a backup")
    p.add_argument("file", metavar="FILE", help="a backup written by `conflictmap db backup`")
    p.add_argument("--replace", action="store_true", help="confirm replacing the events the store holds")
    p.set_defaults(func=cmd_restore)

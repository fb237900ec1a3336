"""``conflictmap fetch acled|ucdp``: download from the API into the event store or a file, then keep it current.

``fetch acled --country Mali [--since DATE] [-o FILE | --store [PATH]]``
``fetch ucdp --version 25.1 --country 432 [-o FILE | --store [PATH]]``

Credentials come from the settings or are asked for on the terminal; a
stopped fetch resumes where it stopped when run again.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from conflictmap.cli.common import UserError
from conflictmap.fetch import FetchError, FetchProgress, StoreUpdate, terminal_ask, update_file, update_store
from conflictmap.store import StoreError, open_store

_BAR = 24


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; expected YYYY-MM-DD") from None


def progress_bar(label: str):
    """A progress callback drawing one line on stderr: a bar when the pages in all are known, else a count."""

    width = [0]

    def show(step: FetchProgress) -> None:
        what = "deleted events" if step.stage == "deleted" else "events"
        rows = f"{step.rows:,} row{'' if step.rows == 1 else 's'}"
        if step.total_pages:
            filled = int(_BAR * step.pages / step.total_pages)
            bar = "#" * filled + "-" * (_BAR - filled)
            line = f"{label} {what}: [{bar}] {step.pages}/{step.total_pages} pages, {rows}"
        else:
            line = f"{label} {what}: {step.pages} page{'' if step.pages == 1 else 's'}, {rows}"
        # Padded to the longest line so far, so a shorter line leaves nothing of the one before.
        width[0] = max(width[0], len(line))
        print(f"\r{line:<{width[0]}}", end="", file=sys.stderr, flush=True)

    return show


def _ask():
    """Ask on the terminal only when there is one (a script with no terminal gets the settings' message)."""
    return terminal_ask if sys.stdin.isatty() else None


def cmd_fetch(args: argparse.Namespace) -> int:
    """Fetch, then print what changed."""
    if args.source == "ucdp" and args.since is not None:
        raise UserError("--since is for ACLED; a UCDP release is fetched whole (use --version)")
    label = "ACLED" if args.source == "acled" else f"UCDP GED {args.version}"
    options = {
        "country": args.country,
        "version": getattr(args, "version", None),
        "since": args.since,
        "full": args.full,
        "ask": _ask(),
        "progress": progress_bar(f"{label} {args.country}"),
    }
    try:
        if args.output:
            if args.source == "acled":
                print(_licence_line(), file=sys.stderr)
            update = update_file(args.output, args.source, **options)
        else:
            store = open_store(args.store or None, args.db, user=args.user)
            try:
                update = update_store(store, args.source, user=args.user, **options)
            finally:
                store.close()
    except (FetchError, StoreError) as exc:
        print(file=sys.stderr)
        raise UserError(str(exc)) from None
    except KeyboardInterrupt:
        print("\nconflictmap: fetch stopped; run the same command again to go on where it stopped", file=sys.stderr)
        return 130
    if update.pages:
        print(file=sys.stderr)
    _print(update)
    return 0


def _licence_line() -> str:
    from conflictmap.export import sharing_notice

    return "note: " + sharing_notice(["acled"])


def _print(update: StoreUpdate) -> None:
    print(update.message)
    report = update.report
    if report is not None and report.rows_rejected:
        for r in report.rejected[:10]:
            print(f"  row {r.row}: {r.column} {r.value!r}: {r.reason}", file=sys.stderr)
        if report.rows_rejected > 10:
            print(f"  ... and {report.rows_rejected - 10:,} more", file=sys.stderr)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``fetch`` to the command line."""
    parser = sub.add_parser(
        "fetch",
        help="download ACLED or UCDP events from their API into the store or a file, and keep them current",
        description="Download events from ACLED's or UCDP's API. The first run takes every event of the country; "
        "each later run asks only for what changed since (ACLED) or for a new release (UCDP). Credentials: "
        "CONFLICTMAP_ACLED_EMAIL and CONFLICTMAP_ACLED_PASSWORD, CONFLICTMAP_UCDP_TOKEN, or asked for.",
    )
    sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--full", action="store_true", help="ignore the last run and download every event again")
        into = p.add_mutually_exclusive_group()
        into.add_argument(
            "-o", "--output", metavar="FILE", help="write events to FILE (.csv, .geojson, .gpkg, .parquet)"
        )
        into.add_argument(
            "--store",
            nargs="?",
            const="",
            metavar="PATH",
            help="into the event store (the default): CONFLICTMAP_STORE, or the GeoPackage PATH",
        )
        p.add_argument("--db", help="PostgreSQL URL postgresql://... (default: the setting CONFLICTMAP_DB)")
        p.add_argument("--user", help="name recorded with the changes (default: CONFLICTMAP_USER, else the OS user)")
        p.set_defaults(func=cmd_fetch)

    p = sources.add_parser("acled", help="ACLED events of one country (OAuth: e-mail and password)")
    p.add_argument("--country", required=True, help="ACLED's country name, e.g. Mali")
    p.add_argument(
        "--since",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="only events added or changed since that day (default: since the last run)",
    )
    common(p)

    p = sources.add_parser("ucdp", help="UCDP GED events of one country and release (access token)")
    p.add_argument("--version", required=True, help="GED release, e.g. 25.1")
    p.add_argument("--country", required=True, help="Gleditsch-Ward country code, e.g. 432 for Mali")
    p.set_defaults(since=None)
    common(p)

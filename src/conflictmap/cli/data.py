"""Sub-commands on event files: import, info, geocode and synth."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from conflictmap import actors, gazetteer, synth
from conflictmap.cli.common import UserError, read
from conflictmap.export import SNAPSHOT_KINDS, ProvenanceError, read_provenance
from conflictmap.export.stored import SIDECAR_SUFFIX
from conflictmap.readers import FORMATS, write_events


def cmd_import(args: argparse.Namespace) -> int:
    """Read FILE, write the canonical table to OUT and print the import report."""
    events, report = read(args.file, args.format, args.dataset)
    print(report.summary())
    if report.rows_loaded == 0:
        print(f"conflictmap: error: no row of {args.file} could be loaded; nothing written", file=sys.stderr)
        return 1
    write_events(events, Path(args.output))
    print(f"wrote {len(events)} events to {args.output}")
    return 0


def summarize(events: pd.DataFrame, top: int = 10) -> list[str]:
    """Lines describing an event table: rows, date span, datasets, types, actors, places and interactions.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.
    top : int
        How many actors and places to list.
    """
    lines = [f"events: {len(events)}"]
    if events.empty:
        return lines
    lines.append(f"dates: {events['event_date'].min():%Y-%m-%d} to {events['date_end'].max():%Y-%m-%d}")
    lines.append(f"fatalities: {int(events['fatalities'].sum())}")

    def counts(title: str, series: pd.Series) -> None:
        values = series.value_counts()
        values = values[values > 0].head(top)
        lines.append(f"{title}:")
        lines.extend(f"  {count:>8}  {name}" for name, count in values.items())

    counts("datasets", events["dataset"].astype(object).fillna("(none)"))
    counts("event types", events["event_type"].astype(object))
    table = actors.actor_counts(events).head(top)
    lines.append("actors:")
    lines.extend(f"  {row.events:>8}  {row.display_name}" for row in table.itertuples())
    counts("places", events["location"].astype(object).fillna("(unnamed)"))
    # Who against whom, where the source says (ACLED; UCDP where clear).
    if events["interaction"].notna().any():
        counts("interactions", events["interaction"].astype(object).dropna())
    return lines


def _provenance_lines(path: Path) -> tuple[list[str], bool]:
    """Lines describing the provenance an export carries, and whether the file holds no events to summarise."""
    try:
        prov = read_provenance(path)
    except ProvenanceError as exc:
        return [f"provenance: cannot be read ({exc})"], False
    if prov is None:
        return [], False
    record_only = prov.kind in SNAPSHOT_KINDS or path.name.endswith(SIDECAR_SUFFIX)
    return ["provenance:"] + [f"  {line}" for line in prov.lines()], record_only


def cmd_info(args: argparse.Namespace) -> int:
    """Summarise an event file; for an export, also what made it (a map export: only that)."""
    path = Path(args.file)
    if not path.exists():
        raise UserError(f"no such file: {args.file}")
    provenance, is_map = _provenance_lines(path) if path.is_file() else ([], False)
    if is_map:
        print(f"file: {args.file} ({'provenance record' if path.name.endswith(SIDECAR_SUFFIX) else 'map export'})")
        print("\n".join(provenance))
        return 0
    events, report = read(args.file, args.format)
    print(f"file: {args.file} ({report.format})")
    if report.rows_rejected:
        print(f"rows rejected on reading: {report.rows_rejected} (run `conflictmap import` for the details)")
    print("\n".join(summarize(events)))
    if provenance:
        print("\n".join(provenance))
    return 0


def cmd_geocode(args: argparse.Namespace) -> int:
    """Print the ranked gazetteer candidates for a place name (homonyms stated, with their context)."""
    if args.learn:
        events, _ = read(args.learn, None)
        learned = gazetteer.learn_places(events)
        print(f"learned {learned.added} places from {args.learn} ({learned.known} already known)", file=sys.stderr)
    try:
        candidates = gazetteer.geocode(
            args.name, admin1=args.admin1, admin2=args.cercle, admin3=args.commune, limit=args.limit, near=args.near
        )
    except (gazetteer.UnknownAdmin1Error, gazetteer.PlaceNotFoundError) as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print(json.dumps([c.to_dict() for c in candidates], ensure_ascii=False, indent=2))
        return 0 if candidates else 1
    if not candidates:
        print(f"conflictmap: no place matches {args.name!r}", file=sys.stderr)
        return 1
    top = candidates[0].score
    tied = sum(1 for c in candidates if abs(c.score - top) < 1e-9)
    if tied > 1:
        hint = "" if args.near else "; --near PLACE or --region R ranks them"
        print(f"ambiguous: {args.name!r} matches {tied} places equally well{hint}")
    for c in candidates:
        where = ", ".join(p for p in (c.admin3, c.admin2, c.admin1) if p)
        extra = f", {c.region_2023} since 2023" if c.region_2023 and c.country == "Mali" else ""
        country = "" if c.country == "Mali" else f", {c.country}"
        away = f"  {c.distance_km:.0f} km from {args.near}" if c.distance_km is not None else ""
        print(
            f"{c.score:.2f}  {c.name} ({c.kind}, {where}{extra}{country})  {c.latitude:.4f}, {c.longitude:.4f}"
            f"{away}  [{c.place.sources[0]}]"
        )
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    """Write N synthetic events (``dataset = synthetic``) to OUT."""
    if args.n < 0:
        raise UserError(f"N must be 0 or more, got {args.n}")
    events = synth.synth_events(args.n, seed=args.seed)
    write_events(events, Path(args.output))
    print(f"wrote {len(events)} synthetic events (seed {args.seed}) to {args.output}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add import, info, geocode and synth to the command line."""
    p = sub.add_parser("import", help="read an ACLED, UCDP GED or canonical file and write canonical events")
    p.add_argument("file", help="CSV, XLSX, GeoJSON, GeoPackage or GeoParquet file")
    p.add_argument("--format", choices=FORMATS, help="skip detection and read as this format")
    p.add_argument("--dataset", help="dataset name to record (default: from the format)")
    p.add_argument("-o", "--output", required=True, help="output file: .parquet, .csv, .geojson or .gpkg")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("info", help="summarise an event file: rows, dates, types, actors, places")
    p.add_argument("file")
    p.add_argument("--format", choices=FORMATS)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("geocode", help="look a Mali place name up in the offline gazetteer")
    p.add_argument("name")
    p.add_argument("--admin1", "--region", dest="admin1", help="region hint, e.g. Timbuktu, Bandiagara, Tillabéri")
    p.add_argument("--cercle", metavar="C", help="cercle hint, e.g. Bankass")
    p.add_argument("--commune", metavar="C", help="commune hint, e.g. Sokoura")
    p.add_argument("--near", metavar="PLACE", help="a place named nearby: equal candidates are ranked nearest first")
    p.add_argument("--learn", metavar="FILE", help="first add the precisely located events of an event file")
    p.add_argument("--limit", type=int, default=5)
    p.add_argument("--json", action="store_true", help="print a JSON list of candidates")
    p.set_defaults(func=cmd_geocode)

    p = sub.add_parser("synth", help="write N synthetic events around Mali towns (for benchmarks and demos)")
    p.add_argument("n", metavar="N", type=int)
    p.add_argument("-o", "--output", required=True, help="output file: .parquet, .csv, .geojson or .gpkg")
    p.add_argument("--seed", type=int, default=0, help="random seed; the same N and seed give the same events")
    p.set_defaults(func=cmd_synth)

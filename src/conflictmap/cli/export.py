"""Sub-commands writing exports of a filtered view: ``snapshot`` (maps) and ``export`` (data).

The filter options build a ``FilterSpec``, so they mean what the dashboard's
filters mean; ``--view`` takes a dashboard URL (as stored in every export's
provenance) and starts from its filter.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conflictmap.assets import AssetError
from conflictmap.cli.areas import add_animate_options
from conflictmap.cli.common import UserError, check_output, read
from conflictmap.cli.filtering import add_filter_options, filter_spec, page_params
from conflictmap.export import (
    AGGREGATE_BY,
    DATA_KINDS,
    SNAPSHOT_KINDS,
    kind_for_path,
    sharing_notice,
    write_aggregates,
    write_export,
)
from conflictmap.export.options import DEFAULT_DPI, DPI_RANGE, IMAGE_KINDS, WIDTH_RANGE
from conflictmap.filters import clamp_dates, date_span
from conflictmap.readers import FORMATS


def _run(args: argparse.Namespace, kinds: tuple[str, ...]) -> int:
    out = check_output(args.data, args.output)
    aggregates = getattr(args, "aggregates_only", False)
    is_map = kinds == SNAPSHOT_KINDS
    if aggregates and is_map:
        # A map of counts per grid cell: no marker, no popup, no note of any event.
        if args.mode not in ("auto", "density"):
            raise UserError(f"--aggregates-only draws counts per grid cell; it cannot be drawn as {args.mode}")
        args.mode = "density"
    kind = kind_for_path(out, ("csv", "geojson") if aggregates and not is_map else kinds)
    spec = filter_spec(args)
    events, report = read(args.data, args.format)
    clamped = clamp_dates(spec, date_span(events), table_only=True)
    if clamped.note:
        print(f"dates: {clamped.note}", file=sys.stderr)
    spec = clamped.spec
    if report.rows_rejected:
        print(
            f"{report.rows_rejected:,} of {report.rows_read:,} rows of {args.data} could not be read "
            "and are left out (run `conflictmap import` for the details)",
            file=sys.stderr,
        )
    # The licence note comes before anything is written (once the options are known to be good).
    counts_only = aggregates or (is_map and args.mode == "density")
    notice_kind = "aggregates" if counts_only else ("map" if is_map else "data")
    notice = sharing_notice(spec.apply(events), kind=notice_kind)
    told = [not notice]

    def tell(fraction: float, message: str) -> None:
        if not told[0]:
            told[0] = True
            print(f"note: {notice}", file=sys.stderr)

    if kind in IMAGE_KINDS and notice:
        # Options the renderer checks late are checked before the note, so a mistake is the only line.
        from conflictmap.export.image import choose_mode, resolve_dpi

        if kind == "png":
            resolve_dpi(args.dpi, args.width)
        choose_mode(0, args.mode)
    if aggregates and not is_map:
        tell(0.0, "")
        prov, written = write_aggregates(
            events, spec, out, by=args.by, cell_deg=args.cell_deg, title=args.title, sources=[report]
        )
        also = f" (provenance in {written[1].name})" if len(written) > 1 else ""
        print(f"wrote counts of {prov.events:,} events ({prov.layout}; {prov.filter_text}) to {out}{also}")
        return 0
    options = {
        "title": args.title,
        "sources": [report],
        "base_url": args.base_url,
        "view_params": page_params(spec, Path(args.data), args.mode if kind in SNAPSHOT_KINDS else "auto"),
    }
    if kind in SNAPSHOT_KINDS:
        options |= {"dpi": args.dpi, "width_px": args.width, "mode": args.mode}
    else:
        options |= {"layout": args.layout}
    try:
        prov, written = write_export(events, spec, out, kind=kind, progress=tell, **options)
    except AssetError as exc:
        raise UserError(str(exc)) from None
    if prov.events == 0:
        print(
            f"no event of {args.data} matches the filter ({prov.filter_text}); wrote an empty {kind}", file=sys.stderr
        )
    size = out.stat().st_size
    also = f" (provenance in {written[1].name})" if len(written) > 1 else ""
    print(f"wrote {prov.events:,} events ({prov.filter_text}) to {out} [{size:,} bytes]{also}")
    return 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    """Write a map of the filtered events: .html (interactive, offline), .png, .pdf or .svg; or animated."""
    if args.animate or Path(args.output).suffix.lower() in (".gif", ".mp4"):
        if not args.animate:
            raise UserError(f"{args.output}: an animation needs --animate day, week or month")
        from conflictmap.cli.areas import cmd_animate

        return cmd_animate(args)
    return _run(args, SNAPSHOT_KINDS)


def cmd_export(args: argparse.Namespace) -> int:
    """Write the filtered events: .csv (canonical or ACLED layout), .geojson or .gpkg."""
    return _run(args, DATA_KINDS)


def register(sub: argparse._SubParsersAction) -> None:
    """Add snapshot and export to the command line."""
    p = sub.add_parser(
        "snapshot",
        help="write a map of filtered events: .html (offline, interactive), .png, .pdf or .svg",
        description="Write a map of the filtered events with title, filter line, legend and attribution; "
        "the file records what made it (see `conflictmap info OUT`).",
    )
    p.add_argument("data", metavar="DATA", help="event file (any format `conflictmap import` reads)")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output: .html, .png, .pdf or .svg")
    p.add_argument("--title", help="title on the map (default: Conflict events in <countries>)")
    resolution = p.add_mutually_exclusive_group()
    resolution.add_argument(
        "--dpi", type=float, help=f"PNG resolution, {DPI_RANGE[0]}-{DPI_RANGE[1]} (default {DEFAULT_DPI}; A4 page)"
    )
    resolution.add_argument(
        "--width", type=int, metavar="PX", help=f"PNG width in pixels, {WIDTH_RANGE[0]}-{WIDTH_RANGE[1]}"
    )
    p.add_argument(
        "--mode",
        choices=("auto", "points", "clusters", "density"),
        default="auto",
        help="markers, clusters (HTML only) or a grid of counts; auto: markers up to 20,000 events",
    )
    p.add_argument(
        "--aggregates-only",
        action="store_true",
        help="draw counts per grid cell only (no markers, no event details): what ACLED's terms let you share",
    )
    _common(p)
    add_animate_options(p)
    p.set_defaults(func=cmd_snapshot)

    p = sub.add_parser(
        "export",
        help="write filtered events: .csv, .geojson or .gpkg, with their provenance",
        description="Write the filtered events as data with their provenance (a .provenance.json next to "
        "a CSV; inside GeoJSON and GeoPackage files).",
    )
    p.add_argument("data", metavar="DATA", help="event file (any format `conflictmap import` reads)")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output: .csv, .geojson or .gpkg")
    p.add_argument(
        "--layout",
        choices=("canonical", "acled"),
        default="canonical",
        help="CSV columns: canonical (default) or ACLED's export layout",
    )
    p.add_argument("--title", help="title recorded in the provenance")
    p.add_argument(
        "--aggregates-only",
        action="store_true",
        help="write counts per area or grid cell (no event rows, no notes): what ACLED's terms let you share; "
        ".csv or .geojson",
    )
    p.add_argument("--by", choices=AGGREGATE_BY, default="admin1", help="with --aggregates-only: count per (admin1)")
    p.add_argument("--cell-deg", type=float, default=0.5, metavar="DEG", help="with --by cell: cell size (0.5)")
    _common(p)
    p.set_defaults(func=cmd_export)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, help="read DATA as this format instead of detecting it")
    p.add_argument("--base-url", metavar="URL", help="the dashboard's address for the view link")
    add_filter_options(p)

"""Sub-commands writing exports of a filtered view: ``snapshot`` (maps) and ``export`` (data).

The filter options build a ``FilterSpec``, so they mean what the dashboard's
filters mean; ``--view`` takes a dashboard URL (as stored in every export's
provenance) and starts from its filter.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from conflictmap import catalog
from conflictmap.assets import AssetError
from conflictmap.cli.common import UserError, read
from conflictmap.export import DATA_KINDS, SNAPSHOT_KINDS, kind_for_path, write_export
from conflictmap.export.options import DEFAULT_DPI, DPI_RANGE, WIDTH_RANGE
from conflictmap.facets import date_span
from conflictmap.filters import QUERY_PARAMS, FilterError, FilterSpec, clamp_dates
from conflictmap.messages import quote
from conflictmap.pagelink import PageState
from conflictmap.readers import FORMATS


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    # The same words as a link's dates: "out of range" for 10000-01-01, "not a date" for "soon".
    try:
        FilterSpec(date_from=text)
    except FilterError as exc:
        if "out of range" in str(exc):
            raise argparse.ArgumentTypeError(
                f"{quote(text)} is out of range; expected a date from 0001-01-01 to 9999-12-31"
            ) from None
    raise argparse.ArgumentTypeError(f"{quote(text)} is not a date; expected YYYY-MM-DD")


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    """The filter options shared by ``snapshot`` and ``export`` (the dashboard's filters)."""
    group = parser.add_argument_group("filter (combined with AND; as in the dashboard)")
    group.add_argument("--view", metavar="URL", help="start from the filter of a dashboard URL or query string")
    group.add_argument("--from", dest="date_from", type=_iso_date, metavar="YYYY-MM-DD", help="events on or after")
    group.add_argument("--to", dest="date_to", type=_iso_date, metavar="YYYY-MM-DD", help="events on or before")
    multi = {"action": "extend", "nargs": "+", "default": None}
    group.add_argument("--actor", dest="actors", metavar="A", help="actor name or alias (members included)", **multi)
    group.add_argument("--type", dest="event_types", metavar="T", help="event type, e.g. Battles", **multi)
    group.add_argument("--subtype", dest="sub_event_types", metavar="S", help="sub-event type", **multi)
    group.add_argument("--region", dest="admin1", metavar="R", help="admin1 region as in the data", **multi)
    group.add_argument("--dataset", dest="datasets", metavar="D", help="dataset, e.g. acled", **multi)
    group.add_argument("--min-fatalities", dest="min_fatalities", type=int, metavar="N")
    group.add_argument("--text", metavar="PHRASE", help="found in notes, actors or places (accents ignored)")
    group.add_argument("--bbox", metavar="W,S,E,N", help="area in degrees")


def filter_spec(args: argparse.Namespace) -> FilterSpec:
    """The ``FilterSpec`` of the filter options: ``--view``'s filter, then each option given over it.

    Raises
    ------
    conflictmap.filters.FilterError
        On a value the filter does not accept, naming it.
    """
    values: dict[str, object] = {}
    if args.view:
        query = urlsplit(args.view).query if "?" in args.view or "://" in args.view else args.view
        params = parse_qs(query.lstrip("?"), keep_blank_values=False)
        values.update(vars(FilterSpec.from_query_params(params)))
    for name in QUERY_PARAMS:
        value = getattr(args, name, None)
        if value is not None:
            values[name] = value
    return FilterSpec(**values)


def page_params(spec: FilterSpec, data: Path, mode: str) -> dict[str, str | list[str]]:
    """The dashboard URL's query for this view: the filter, the file when the dashboard lists it, the drawing."""
    listed = data.resolve().parent == catalog.data_dir().resolve()
    return PageState(spec, (data.name,) if listed else (), mode).to_query_params()


def _check_output(data: str, output: str) -> Path:
    out = Path(output)
    if not out.parent.is_dir():
        raise UserError(f"the folder {out.parent} does not exist")
    if out.exists() and Path(data).exists() and out.resolve() == Path(data).resolve():
        raise UserError(f"{output} is the input file; choose another output name")
    return out


def _run(args: argparse.Namespace, kinds: tuple[str, ...]) -> int:
    out = _check_output(args.data, args.output)
    kind = kind_for_path(out, kinds)
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
        prov, written = write_export(events, spec, out, kind=kind, **options)
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
    """Write a map of the filtered events: .html (interactive, offline), .png, .pdf or .svg."""
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
    _common(p)
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
    _common(p)
    p.set_defaults(func=cmd_export)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, help="read DATA as this format instead of detecting it")
    p.add_argument("--base-url", metavar="URL", help="the dashboard's address for the view link")
    add_filter_options(p)

"""Sub-commands on admin areas and time: ``areas`` (counts per area and period) and ``snapshot --animate``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conflictmap import aggregates, areas
from conflictmap.assets import AssetError
from conflictmap.cli.common import UserError, check_output, read
from conflictmap.cli.filtering import add_filter_options, filter_spec, page_params
from conflictmap.export import describe_sources
from conflictmap.filters import FilterSpec
from conflictmap.readers import FORMATS


def _filter(args: argparse.Namespace) -> FilterSpec:
    # The filter options live with snapshot and export; imported here to keep one definition.
    return filter_spec(args)


#: Filter fields an aggregates file can answer (it has periods and event types, not actors or points).
AGGREGATE_FILTERS = frozenset({"date_from", "date_to", "event_types"})


def _aggregate_kind(path: str) -> str | None:
    """``acled_aggregated`` / ``hdx_hapi`` when DATA is an aggregates file, else ``None``."""
    source = Path(path)
    if not source.is_file() or source.suffix.lower() not in (".csv", ".xlsx"):
        return None
    try:
        if source.suffix.lower() == ".xlsx":
            import pandas as pd

            header = list(pd.read_excel(source, nrows=0).columns)
        else:
            with open(source, encoding="utf-8-sig", errors="replace") as fh:
                header = fh.readline().split(",")
    except (OSError, ValueError):
        return None
    return aggregates.detect([h.strip() for h in header])


def _aggregate_counts(args: argparse.Namespace, spec: FilterSpec, table) -> tuple[object, int, str]:
    used = {f for f, v in vars(spec).items() if v not in ((), None, "", 0)}
    extra = sorted(used - AGGREGATE_FILTERS)
    if extra:
        raise UserError(
            f"{args.data} holds aggregates (counts per area and period): it can be filtered by dates and "
            f"event types only, not by {', '.join(extra)}"
        )
    rows, report = aggregates.read_aggregates(args.data)
    if report.rows_rejected:
        print(report.summary(), file=sys.stderr)
    chosen = aggregates.select(rows, spec.date_from, spec.date_to, spec.event_types)
    counts = aggregates.aggregate_area_counts(chosen, args.level, args.by, areas=table)
    return counts, int(chosen["events"].sum()), aggregates.SOURCES[report.format]


def cmd_areas(args: argparse.Namespace) -> int:
    """Write events and fatalities per admin area (and per week or month) as CSV."""
    out = check_output(args.data, args.output, (".csv",))
    spec = _filter(args)
    table = areas.load_boundaries(args.level, args.boundaries)
    if _aggregate_kind(args.data):
        counts, total, label = _aggregate_counts(args, spec, table)
        counts.to_csv(out, index=False)
        print(f"wrote {len(counts):,} rows for {total:,} events of {label}, aggregates ({spec.describe()}) to {out}")
        return 0
    events, report = read(args.data, args.format)
    if report.rows_rejected:
        skipped = f"{report.rows_rejected:,} of {report.rows_read:,} rows of {args.data} could not be read"
        print(skipped, file=sys.stderr)
    # The area filter reads admin names: rows without them get the region their point lies in.
    if spec.areas:
        events = areas.derive_admin_names(events, admin2=table if args.level == "admin2" else None)
    shown = spec.apply(events)
    counts = areas.area_counts(shown, args.level, args.by, areas=table)
    counts.to_csv(out, index=False)
    outside = int(counts.loc[counts["key"] == areas.OUTSIDE_KEY, "events"].sum())
    per = f" by {args.by}" if args.by else ""
    print(
        f"wrote {len(counts):,} rows ({len(table)} areas{per}) for {len(shown):,} events "
        f"({spec.describe()}) to {out}" + (f"; {outside:,} events lie outside every area" if outside else "")
    )
    return 0


def cmd_animate(args: argparse.Namespace) -> int:
    """``snapshot --animate STEP``: write the filtered events as an animated GIF (or MP4 with ffmpeg)."""
    from conflictmap.export.animate import ANIMATION_KINDS

    out = check_output(args.data, args.output, tuple(f".{k}" for k in ANIMATION_KINDS))
    spec = _filter(args)
    events, report = read(args.data, args.format)
    try:
        prov = _animate(args, events, report, spec, out)
    except AssetError as exc:
        raise UserError(str(exc)) from None
    frames = len(prov.drawing.get("frames", []))
    print(
        f"wrote {frames} frames ({args.animate}, {args.animate_mode}) of {prov.events:,} events "
        f"({prov.filter_text}) to {out} [{out.stat().st_size:,} bytes]"
    )
    return 0


def _animate(args: argparse.Namespace, events, report, spec: FilterSpec, out: Path):
    from conflictmap.export.animate import write_animation

    return write_animation(
        events,
        spec,
        out,
        step=args.animate,
        mode=args.animate_mode,
        title=args.title,
        sources=describe_sources([report]),
        base_url=args.base_url,
        view_params=page_params(spec, Path(args.data), "auto"),
        fps=args.fps,
    )


def add_animate_options(parser: argparse.ArgumentParser) -> None:
    """``--animate``, ``--animate-mode`` and ``--fps`` on ``snapshot``."""
    group = parser.add_argument_group("animation (output .gif, or .mp4 when ffmpeg is installed)")
    # Animations need the frame and drawing modules: loaded when a command is set up or run, not on import.
    from conflictmap.export.animate import DEFAULT_FPS
    from conflictmap.playback import MODES, STEPS

    group.add_argument("--animate", choices=STEPS, help="one frame per day, week or month of the filtered period")
    group.add_argument(
        "--animate-mode", choices=MODES, default="window", help="window: the period's events; cumulative: all so far"
    )
    group.add_argument("--fps", type=float, default=DEFAULT_FPS, help=f"frames per second (default {DEFAULT_FPS:g})")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``areas`` to the command line."""
    p = sub.add_parser(
        "areas",
        help="write events and fatalities per admin area (and week or month) as CSV",
        description="Count the filtered events in each admin area by point in polygon (Mali's regions and "
        "cercles ship with conflictmap; other countries come from a boundaries file).",
    )
    p.add_argument("data", metavar="DATA", help="event file (any format `conflictmap import` reads)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.csv", help="the CSV to write")
    p.add_argument("--level", choices=areas.LEVELS, default="admin1", help="regions (admin1) or cercles (admin2)")
    p.add_argument("--by", choices=tuple(areas.PERIODS), help="one row per area and week (from Monday) or month")
    p.add_argument("--boundaries", metavar="FILE", help="areas from this GeoJSON/GeoPackage, not the shipped ones")
    p.add_argument("--format", choices=FORMATS, help="read DATA as this format instead of detecting it")
    add_filter_options(p)
    p.set_defaults(func=cmd_areas)

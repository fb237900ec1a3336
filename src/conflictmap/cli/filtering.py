"""The filter options every filtered sub-command shares, as a ``FilterSpec``.

They mean what the dashboard's filters mean; ``--view`` takes a dashboard URL
(as stored in every export's provenance) and starts from its filter.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from conflictmap import catalog
from conflictmap.cli.common import add_actor_type_options
from conflictmap.filters import QUERY_PARAMS, FilterError, FilterSpec
from conflictmap.links import page_query
from conflictmap.messages import quote


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


def polygon_arg(text: str) -> str | list[list[float]]:
    """``--within-polygon``: ``lon,lat;lon,lat;...``, or a GeoJSON file of one polygon (its outer ring).

    The vertices are checked by ``FilterSpec`` (count, range, crossing edges); here only the file is read.
    """
    path = Path(text)
    if ";" in text or not (path.suffix.lower() in (".geojson", ".json") or path.is_file()):
        return text
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"{text}: cannot be read as GeoJSON ({exc})") from None
    features = data.get("features") if isinstance(data, dict) else None
    if isinstance(features, list):
        shapes = [f.get("geometry") for f in features if isinstance(f, dict)]
    else:
        shapes = [data.get("geometry") if isinstance(data, dict) and data.get("type") == "Feature" else data]
    polygons = [g for g in shapes if isinstance(g, dict) and g.get("type") == "Polygon"]
    if len(polygons) != 1 or len(shapes) != 1:
        found = ", ".join(str(g.get("type")) if isinstance(g, dict) else "no geometry" for g in shapes) or "nothing"
        raise argparse.ArgumentTypeError(f"{text}: holds {found}; expected one Polygon (a Feature or a geometry)")
    rings = polygons[0].get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise argparse.ArgumentTypeError(f"{text}: the Polygon has no coordinates")
    if len(rings) > 1:
        raise argparse.ArgumentTypeError(f"{text}: the Polygon has holes; expected an outer ring only")
    return rings[0]


def add_polygon_option(group: argparse._ArgumentGroup) -> None:
    """``--within-polygon``, the same for every command that filters."""
    group.add_argument(
        "--within-polygon",
        dest="polygon",
        type=polygon_arg,
        metavar="LON,LAT;... or FILE",
        help="inside a polygon (edges included): a GeoJSON file of one polygon, or its vertices "
        "as --within-polygon=LON,LAT;LON,LAT;...",
    )


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
    group.add_argument(
        "--region", dest="admin1", metavar="R", help="admin1 region, any spelling (Tombouctou = Timbuktu)", **multi
    )
    group.add_argument("--dataset", dest="datasets", metavar="D", help="dataset, e.g. acled", **multi)
    group.add_argument("--min-fatalities", dest="min_fatalities", type=int, metavar="N")
    group.add_argument("--text", metavar="PHRASE", help="found in notes, actors or places (accents ignored)")
    group.add_argument("--bbox", metavar="W,S,E,N", help="area in degrees")
    add_polygon_option(group)
    add_actor_type_options(group)
    group.add_argument("--area", dest="areas", metavar="KEY", help="admin area: Mopti, Mopti/Bandiagara", **multi)


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
    return page_query(spec, (data.name,) if listed else (), mode)

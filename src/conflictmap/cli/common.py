"""What every sub-command shares: user errors, reading an event file with progress."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd

from conflictmap import catalog
from conflictmap.errors import ConflictmapError
from conflictmap.readers import READ_ERRORS, read_events
from conflictmap.readers.report import ImportReport

#: Errors that come from what the user gave; they are printed as one line. Anything else
#: (a plain ``ValueError`` too) is a bug and keeps its traceback.
USER_ERRORS: tuple[type[Exception], ...] = (ConflictmapError, *READ_ERRORS)
_PROGRESS_MIN_BYTES = 5_000_000


class UserError(ConflictmapError):
    """A problem with the command's input, reported as one line."""


def progress_printer(path: Path) -> Callable[[int, int], None] | None:
    """A progress callback for large files, printing a percentage on stderr."""
    if not path.exists() or path.stat().st_size < _PROGRESS_MIN_BYTES:
        return None
    last = [-1]

    def report(done: int, total: int) -> None:
        percent = int(100 * done / total) if total else 0
        if percent != last[0]:
            last[0] = percent
            end = "\n" if percent >= 100 else ""
            print(f"\rreading {path.name}: {percent:3d}%", end=end, file=sys.stderr, flush=True)

    return report


def read(path: str, fmt: str | None = None, dataset: str | None = None) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read an event file the user named, with progress for large files.

    Read as it is (no format or dataset forced), a file of 1 MB or more goes through the
    GeoParquet cache the dashboard keeps (``catalog.load_events``): read once, then from its cache.

    Raises
    ------
    UserError
        When the file does not exist.
    """
    source = Path(path)
    if not source.exists():
        raise UserError(f"no such file: {path}")
    if fmt is None and dataset is None and source.is_file():
        return catalog.load_events(source, progress=progress_printer(source))
    return read_events(source, fmt, dataset=dataset, progress=progress_printer(source))


def add_actor_type_options(group: argparse._ArgumentGroup) -> None:
    """``--actor-type``, ``--interaction`` and ``--clear-only`` (FilterSpec's actor_types, interactions, clear_only)."""
    multi = {"action": "extend", "nargs": "+", "default": None}
    group.add_argument(
        "--actor-type", dest="actor_types", metavar="T", help="actor 1 or 2 of this type, e.g. 'State forces'", **multi
    )
    group.add_argument(
        "--interaction",
        dest="interactions",
        metavar="I",
        help="ACLED interaction, e.g. 'State forces-Civilians' or its code 17",
        **multi,
    )
    group.add_argument(
        "--clear-only",
        dest="clear_only",
        action="store_const",
        const=True,
        default=None,
        help="leave out events their source marks unclear (UCDP event_clarity 2, code_status other than Clear)",
    )


def check_output(data: str, output: str, suffixes: tuple[str, ...] = ()) -> Path:
    """The output path of a command reading ``data``: in an existing folder, not the input, of ``suffixes`` if given.

    Raises
    ------
    UserError
        Saying which of these the output name breaks.
    """
    out = Path(output)
    if suffixes and out.suffix.lower() not in suffixes:
        raise UserError(f"{output}: expected a {' or '.join(suffixes)} file")
    if not out.parent.is_dir():
        raise UserError(f"the folder {out.parent} does not exist")
    if out.exists() and Path(data).exists() and out.resolve() == Path(data).resolve():
        raise UserError(f"{output} is the input file; choose another output name")
    return out

"""The ``conflictmap`` command line.

Each module here registers its sub-commands on the shared parser; a
sub-command is a small function taking the parsed arguments and returning an
exit code. Errors the user can fix are printed as one line on stderr
(``conflictmap: error: ...``) with exit code 2; no traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from conflictmap.cli import areas, data, db, export, extract, fetch
from conflictmap.cli.common import USER_ERRORS, UserError

#: Modules whose ``register(subparsers)`` adds sub-commands, in help order.
COMMAND_MODULES = (data, db, export, extract, fetch, areas)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(prog="conflictmap", description="Conflict events: import, inspect, map, export.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at interpreter exit
        return code
    except (UserError, *USER_ERRORS) as exc:
        print(f"conflictmap: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("conflictmap: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (``| head``) left: stop quietly, and keep Python's exit flush from raising again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


__all__ = ["build_parser", "main"]

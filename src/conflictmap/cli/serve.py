"""``conflictmap serve``: the dashboard from the installed package, from any folder.

Streamlit serves ``static/`` beside the script it runs. ``serve`` writes a
two-line page script into a private folder, copies the fetched Leaflet files
(``CONFLICTMAP_ASSETS``) under its ``static/vendor``, and runs Streamlit on it;
the page itself is ``conflictmap.app``, the one ``dashboard.py`` runs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from conflictmap.assets import asset_dir, missing_assets
from conflictmap.cli.common import UserError

PAGE_SCRIPT = '''"""The conflictmap page, as ``conflictmap serve`` runs it."""

from pathlib import Path

from conflictmap.app.page import main

main(Path(__file__).parent)
'''
#: Streamlit settings the checkout's .streamlit/config.toml holds, for a run from any folder.
STREAMLIT_OPTIONS = (
    "--server.headless=true",
    "--server.enableStaticServing=true",
    "--server.maxUploadSize=1000",
    "--browser.gatherUsageStats=false",
    "--client.toolbarMode=minimal",
    "--theme.primaryColor=#2f5d8a",
    "--global.maxCachedMessageAge=16",
)


def page_folder(folder: Path, assets: Path) -> Path:
    """Write the page script into ``folder`` with a copy of ``assets`` under ``static/vendor``; the script's path."""
    script = folder / "conflictmap_page.py"
    script.write_text(PAGE_SCRIPT)
    if assets.is_dir():
        shutil.copytree(assets, folder / "static" / "vendor")
    return script


def streamlit_command(script: Path, *, port: int, address: str, data: Path | None) -> list[str]:
    """The ``streamlit run`` command line of the page."""
    command = [sys.executable, "-m", "streamlit", "run", str(script), *STREAMLIT_OPTIONS]
    command += [f"--server.port={port}", f"--server.address={address}"]
    if data is not None:
        command += ["--", "--data", str(data)]
    return command


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the page until interrupted."""
    data = Path(args.data).expanduser().absolute() if args.data else None
    if data is not None and not data.is_file():
        raise UserError(f"--data {args.data}: no such file")
    assets = asset_dir()
    if missing_assets(assets):
        print(
            f"conflictmap: warning: the map's Leaflet files are missing from {assets}; the map cannot draw. "
            "Run `python -m conflictmap.assets fetch` once, with access to the npm registry.",
            file=sys.stderr,
        )
    with tempfile.TemporaryDirectory(prefix="conflictmap-serve-") as folder:
        script = page_folder(Path(folder), assets)
        command = streamlit_command(script, port=args.port, address=args.address, data=data)
        print(f"conflictmap: serving on http://{args.address}:{args.port}", file=sys.stderr, flush=True)
        return subprocess.call(command)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``serve`` to the command line."""
    p = sub.add_parser(
        "serve",
        help="start the dashboard in the browser",
        description="Start the conflictmap dashboard (Streamlit) on ADDRESS:PORT, opened on FILE if given.",
    )
    p.add_argument("--data", metavar="FILE", default="", help="event file the page opens on")
    p.add_argument("--port", type=int, default=8501, help="port to listen on (default 8501)")
    p.add_argument("--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.set_defaults(func=cmd_serve)

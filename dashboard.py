"""The conflictmap page: events on an offline map.

    streamlit run dashboard.py [-- --data FILE]

The file comes from ``--data``, else the ``CONFLICTMAP_DATA`` setting, else
the seed events in ``data/seed_events.csv``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from conflictmap import settings
from conflictmap.assets import AssetError, missing_assets
from conflictmap.mapview import build_map
from conflictmap.readers import read_events
from conflictmap.readers.report import NotEventDataError

SEED_EVENTS = Path(__file__).parent / "data" / "seed_events.csv"
# Streamlit serves <app folder>/static at /app/static, wherever it was started from.
SERVED_ASSETS = Path(__file__).parent / "static" / "vendor"
# Problems with the file the user chose; anything else is a bug and keeps its traceback in the log.
READ_ERRORS = (NotEventDataError, ValueError, LookupError, FileNotFoundError, IsADirectoryError, PermissionError)


def data_path() -> Path:
    """The event file to open: ``--data``, else ``CONFLICTMAP_DATA``, else the seed events."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--data", default="")
    known, _ = parser.parse_known_args(sys.argv[1:])
    return Path(known.data or settings.get("CONFLICTMAP_DATA") or SEED_EVENTS)


@st.cache_data(show_spinner="Reading events...", max_entries=4)
def load_events(path: str, modified: float):
    """Read ``path`` once per version of the file (``modified`` is its mtime, part of the cache key)."""
    return read_events(path)


st.set_page_config(page_title="conflictmap", layout="wide")
st.title("Conflict events")

try:
    path = data_path()
    events, report = load_events(str(path), path.stat().st_mtime)
except argparse.ArgumentError as exc:
    st.error(f"Bad command-line option: {exc}")
    st.stop()
except READ_ERRORS as exc:
    st.error(f"Could not open the event file: {exc}")
    st.stop()

count, source = st.columns([1, 4])
count.metric("Events", f"{len(events):,}")
source.text(f"Source file: {path}")
if report.rows_rejected:
    st.warning(f"{report.rows_rejected:,} of {report.rows_read:,} rows could not be loaded; see the import report.")
    with st.expander("Import report"):
        st.text(report.summary())
        st.download_button("Rejected rows (CSV)", report.rejections_csv(), file_name="rejected_rows.csv")

if missing_assets(SERVED_ASSETS):
    st.warning(
        "The map's Leaflet files are missing, so the map cannot draw. "
        "Run `make assets` (or `python -m conflictmap.assets fetch`) once, with access to the npm registry."
    )

try:
    event_map = build_map(events)
except AssetError as exc:
    st.error(f"The map cannot be drawn offline: {exc}")
    st.stop()
st_folium(event_map, height=600, use_container_width=True, returned_objects=[], key="event_map")

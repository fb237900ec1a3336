"""The filtered events as data files: CSV (canonical or ACLED layout), GeoJSON and GeoPackage, with provenance.

Canonical CSV, GeoJSON and GeoPackage are written by ``readers.write_events``
and read back into the same events. The ACLED layout has the 31 columns of
ACLED's current export, in its order, so tools built for ACLED files take it;
``readers.read_events`` detects it as ACLED. What that layout cannot hold is
lost in it: ``dataset`` (reading it back says ``acled``, unless a dataset is
named), ``date_end``, ``fatalities_low``/``fatalities_high`` and
``source_event_type``; ``inter1``, ``inter2``, ``interaction``, ``iso`` and
``region`` are left empty because the canonical table does not carry them.
``timestamp`` is written as Unix seconds and ``civilian_targeting`` as
"Civilian targeting" or empty, as ACLED writes them.

Provenance: a sidecar ``<name>.csv.provenance.json`` for CSV, the member
``_provenance`` in GeoJSON, the table ``provenance`` in the GeoPackage (see
``export.stored``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from conflictmap.csvcells import neutralise_frame
from conflictmap.export.provenance import Provenance
from conflictmap.export.stored import add_geojson_provenance, add_gpkg_provenance, write_sidecar
from conflictmap.readers import write_events
from conflictmap.readers.acled import ACLED_COLUMNS

#: ACLED columns with no canonical counterpart, written empty.
ACLED_EMPTY: tuple[str, ...] = ("inter1", "inter2", "interaction", "iso", "region")
CSV_LAYOUTS: tuple[str, ...] = ("canonical", "acled")
DATA_KINDS: tuple[str, ...] = ("csv", "geojson", "gpkg")


def acled_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Canonical events in ACLED's export layout (text ready for CSV).

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.

    Returns
    -------
    pandas.DataFrame
        The columns of ``ACLED_COLUMNS``, in order.
    """
    out = pd.DataFrame(index=events.index)
    stamps = events["timestamp"]
    seconds = pd.Series(pd.NA, index=events.index, dtype="Int64")
    known = stamps.notna().to_numpy()
    if known.any():
        seconds[known] = (stamps[known].astype("int64") // 1_000_000_000).to_numpy()
    for column in ACLED_COLUMNS:
        if column == "event_id_cnty":
            out[column] = events["event_id"]
        elif column == "event_date":
            out[column] = events["event_date"].dt.strftime("%Y-%m-%d")
        elif column == "year":
            out[column] = events["event_date"].dt.year.astype("Int64")
        elif column == "civilian_targeting":
            out[column] = np.where(events["civilian_targeting"].to_numpy(dtype=bool), "Civilian targeting", "")
        elif column == "timestamp":
            out[column] = seconds
        elif column in ACLED_EMPTY:
            out[column] = ""
        else:
            out[column] = events[column]
    return out


def write_csv(events: pd.DataFrame, prov: Provenance, path: str | Path, *, layout: str = "canonical") -> list[Path]:
    """Write events as CSV (UTF-8) in ``layout``, and the provenance sidecar next to it.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events (already filtered).
    prov : Provenance
        The record for the sidecar.
    path : str or pathlib.Path
        The CSV file.
    layout : {"canonical", "acled"}
        Canonical columns, or ACLED's export layout.

    Returns
    -------
    list of pathlib.Path
        The CSV and its sidecar.

    Raises
    ------
    ValueError
        If ``layout`` is unknown.
    """
    if layout not in CSV_LAYOUTS:
        raise ValueError(f"CSV layout must be one of {list(CSV_LAYOUTS)}, got {layout!r}")
    path = Path(path)
    if layout == "acled":
        # Text a spreadsheet would run as a formula starts with an apostrophe (see ``csvcells``).
        neutralise_frame(acled_frame(events)).to_csv(path, index=False, encoding="utf-8")
    else:
        write_events(events, path)
    return [path, write_sidecar(path, prov)]


def write_geojson(events: pd.DataFrame, prov: Provenance, path: str | Path) -> list[Path]:
    """Write events as a GeoJSON FeatureCollection with the member ``_provenance``; returns ``[path]``."""
    write_events(events, path)
    add_geojson_provenance(path, prov)
    return [Path(path)]


def write_gpkg(events: pd.DataFrame, prov: Provenance, path: str | Path) -> list[Path]:
    """Write events as a GeoPackage (layer ``events``) with the table ``provenance``; returns ``[path]``."""
    path = Path(path)
    # The driver would add a layer to an existing file; an export replaces it.
    path.unlink(missing_ok=True)
    write_events(events, path)
    add_gpkg_provenance(path, prov)
    return [path]

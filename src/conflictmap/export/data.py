"""The filtered events as data files: CSV (canonical or ACLED layout), GeoJSON and GeoPackage, with provenance.

Canonical CSV, GeoJSON and GeoPackage are written by ``readers.write_events``
and read back into the same events. The ACLED layout has the 31 columns of
ACLED's current export, in its order, so tools built for ACLED files take it;
``readers.read_events`` detects it as ACLED. What that layout cannot hold is
lost in it: ``dataset`` (reading it back says ``acled``, unless a dataset is
named), ``date_end``, ``fatalities_low``/``fatalities_high`` and
``source_event_type``. The canonical table does not carry ``inter1``,
``inter2``, ``interaction``, ``iso`` and ``region``; they are taken from a
column of that name when the events have one, else worked out from what they
do carry: ``inter1``/``inter2`` from the actor's kind in the alias table
(``INTER_BY_KIND``; empty for an actor not in it), ``interaction`` from the two
as ACLED writes it (the lower code first, ``10`` for a sole actor), ``iso``
and ``region`` from ``country`` (``COUNTRIES``; empty for a country not listed).
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

from conflictmap import actors
from conflictmap.export.provenance import Provenance
from conflictmap.export.stored import add_geojson_provenance, add_gpkg_provenance, write_sidecar
from conflictmap.readers import write_events
from conflictmap.readers.acled import ACLED_COLUMNS

#: ACLED columns with no canonical counterpart: taken from the events when present, else worked out.
ACLED_DERIVED: tuple[str, ...] = ("inter1", "inter2", "interaction", "iso", "region")
#: ACLED's actor-type ("inter") code of each kind of actor in ``data/actors.csv`` (ACLED codebook:
#: 1 state forces, 2 rebel groups, 3 political militias, 4 identity militias, 5 rioters,
#: 6 protesters, 7 civilians, 8 external/other forces).
INTER_BY_KIND: dict[str, int] = {
    "state_forces": 1,
    "government": 1,
    "armed_movement": 2,
    "jihadist_group": 2,
    "pro_government_armed_group": 3,
    "unidentified": 3,
    "communal_militia": 4,
    "rioters": 5,
    "protesters": 6,
    "civilians": 7,
    "foreign_forces": 8,
    "international_mission": 8,
}
#: ISO 3166-1 numeric code and ACLED region of the countries of the Sahel and around it.
COUNTRIES: dict[str, tuple[int, str]] = {
    "Mali": (466, "Western Africa"),
    "Burkina Faso": (854, "Western Africa"),
    "Niger": (562, "Western Africa"),
    "Mauritania": (478, "Western Africa"),
    "Senegal": (686, "Western Africa"),
    "Guinea": (324, "Western Africa"),
    "Ivory Coast": (384, "Western Africa"),
    "Côte d'Ivoire": (384, "Western Africa"),
    "Ghana": (288, "Western Africa"),
    "Togo": (768, "Western Africa"),
    "Benin": (204, "Western Africa"),
    "Nigeria": (566, "Western Africa"),
    "Gambia": (270, "Western Africa"),
    "Guinea-Bissau": (624, "Western Africa"),
    "Sierra Leone": (694, "Western Africa"),
    "Liberia": (430, "Western Africa"),
    "Algeria": (12, "Northern Africa"),
    "Libya": (434, "Northern Africa"),
    "Chad": (148, "Middle Africa"),
    "Cameroon": (120, "Middle Africa"),
}
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
    derived = acled_codes(events)
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
        elif column in ACLED_DERIVED:
            out[column] = derived[column]
        else:
            out[column] = events[column]
    return out


def _inter(names: pd.Series) -> pd.Series:
    """ACLED's inter code of each actor name, worked out once per distinct name; missing where unknown."""
    codes, labels = pd.factorize(names.astype(object))
    per_label = [INTER_BY_KIND.get(actors.actor_kind(str(n)) or "") for n in labels]
    table = pd.array([*per_label, None], dtype="Int64")
    return pd.Series(table[codes], index=names.index, dtype="Int64")


def acled_codes(events: pd.DataFrame) -> pd.DataFrame:
    """``inter1``, ``inter2``, ``interaction``, ``iso`` and ``region`` for each event (see the module's notes).

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events, perhaps with some of these columns already (kept where they hold a value).

    Returns
    -------
    pandas.DataFrame
        The five columns; codes as nullable integers, ``region`` as text (empty where unknown).
    """
    out = pd.DataFrame(index=events.index)
    out["inter1"] = _inter(events["actor1"])
    out["inter2"] = _inter(events["actor2"])
    first = out["inter1"].to_numpy("float64", na_value=np.nan)
    second = out["inter2"].to_numpy("float64", na_value=np.nan)
    actor2 = events["actor2"].astype(object)
    alone = (actor2.isna() | (actor2.astype(str).str.strip() == "")).to_numpy()
    # ACLED: the two codes, lower first (17: state forces and civilians); a sole actor's code, then 0 (10).
    pair = np.minimum(first, second) * 10 + np.maximum(first, second)
    interaction = np.where(alone, first * 10, pair)
    out["interaction"] = pd.Series(interaction, index=events.index).astype("Int64")
    country = events["country"].astype(object)
    out["iso"] = country.map({name: iso for name, (iso, _) in COUNTRIES.items()}).astype("Int64")
    out["region"] = country.map({name: region for name, (_, region) in COUNTRIES.items()}).fillna("")
    for column in ACLED_DERIVED:
        if column in events.columns:
            given = events[column]
            kept = given.notna() & (given.astype(str).str.strip() != "")
            out[column] = out[column].astype(object).where(~kept.to_numpy(), given.astype(object))
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
        acled_frame(events).to_csv(path, index=False, encoding="utf-8")
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

"""The filtered events as data files: CSV (canonical or ACLED layout), GeoJSON and GeoPackage, with provenance.

Canonical CSV, GeoJSON and GeoPackage are written by ``readers.write_events``
and read back into the same events. The ACLED layout has the 31 columns of
ACLED's current export, in its order, so tools built for ACLED files take it;
``readers.read_events`` detects it as ACLED. What that layout cannot hold is
lost in it: ``dataset`` (reading it back says ``acled``, unless a dataset is
named), ``date_end``, ``fatalities_low``/``fatalities_high`` and
``source_event_type`` and UCDP's own fields. ``inter1``/``inter2`` are the actor
types and ``interaction`` the interaction, as labels (as ACLED writes them since
2023); ``iso``, ``region`` and ``year`` (from ``event_date``) are written back, and
the ``population_*`` columns after ``timestamp`` when any event has them.
Where the events carry no actor type, it is worked out from the actor's kind
in the alias table (``INTER_BY_KIND``; empty for an actor not in it), and the
interaction from the two types; ``iso`` and ``region`` missing from the events
come from ``country`` (``COUNTRIES``; empty for a country not listed).
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

from conflictmap import actors, schema
from conflictmap.csvcells import neutralise_frame
from conflictmap.export.provenance import Provenance
from conflictmap.export.stored import add_geojson_provenance, add_gpkg_provenance, write_sidecar
from conflictmap.readers import write_events
from conflictmap.readers.acled import ACLED_COLUMNS, POPULATION_COLUMNS

#: ACLED columns written from a canonical column of another name.
ACLED_FROM: dict[str, str] = {"inter1": "actor1_type", "inter2": "actor2_type"}
#: ACLED columns worked out where the events carry no value (see the module's notes).
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
    for column in POPULATION_COLUMNS:
        if events[column].notna().any():
            out[column] = events[column]
    return out


def _inter(names: pd.Series) -> pd.Series:
    """ACLED's actor type of each actor name, worked out once per distinct name; missing where unknown."""
    codes, labels = pd.factorize(names.astype(object))
    per_label = []
    for name in labels:
        code = INTER_BY_KIND.get(actors.actor_kind(str(name)) or "")
        per_label.append(schema.ACTOR_TYPES[code - 1] if code else None)
    table = np.array([*per_label, None], dtype=object)
    return pd.Series(table[codes], index=names.index, dtype=object)


def _given(events: pd.DataFrame, column: str) -> pd.Series | None:
    """The events' own values of ``column`` (missing where blank), or None without the column."""
    if column not in events.columns:
        return None
    given = events[column].astype(object)
    blank = given.isna() | (given.astype(str).str.strip() == "")
    return given.where(~blank, None)


def acled_codes(events: pd.DataFrame) -> pd.DataFrame:
    """``inter1``, ``inter2``, ``interaction``, ``iso`` and ``region`` for each event (see the module's notes).

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events; their own actor types, interaction, iso and region win where they hold a value.

    Returns
    -------
    pandas.DataFrame
        The five columns: actor types and interaction as ACLED's labels, ``iso`` as a nullable
        integer, ``region`` as text (empty where unknown).
    """
    out = pd.DataFrame(index=events.index)
    for column, name, actor in (("inter1", "actor1_type", "actor1"), ("inter2", "actor2_type", "actor2")):
        worked_out = _inter(events[actor])
        given = _given(events, name)
        out[column] = worked_out if given is None else given.where(given.notna(), worked_out)
    actor2 = events["actor2"].astype(object)
    alone = (actor2.isna() | (actor2.astype(str).str.strip() == "")).to_numpy()
    pairs = zip(out["inter1"].tolist(), out["inter2"].tolist(), alone, strict=True)
    worked = [schema.interaction_label(a, None if lone else b) for a, b, lone in pairs]
    worked_out = pd.Series(worked, index=events.index, dtype=object)
    given = _given(events, "interaction")
    out["interaction"] = worked_out if given is None else given.where(given.notna(), worked_out)
    country = events["country"].astype(object)
    iso = country.map({name: iso for name, (iso, _) in COUNTRIES.items()}).astype("Int64")
    given = _given(events, "iso")
    if given is not None:
        iso = pd.to_numeric(given, errors="coerce").astype("Int64").fillna(iso)
    out["iso"] = iso
    region = country.map({name: region for name, (_, region) in COUNTRIES.items()}).astype(object)
    given = _given(events, "region")
    out["region"] = (region if given is None else given.where(given.notna(), region)).fillna("")
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

"""What each source's licence allows when events are shared, and exports that share counts instead of events.

ACLED's terms of use do not allow its event rows to be passed on to others:
a snapshot or data export holding ACLED events says so before it is written
(``sharing_notice``), and ``aggregate_events`` (written by
``export.write_aggregates`` and ``export.aggregates_view``) gives the variant
that can be shared: counts per area or per grid cell, with no
event rows and no notes. Every export's provenance records each dataset's
licence note (``LICENCES``).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

from conflictmap import schema

#: Licence note per dataset, as the providers state their terms (in short).
LICENCES: dict[str, str] = {
    "acled": (
        "ACLED Terms of Use: the event data may be used, with attribution, but not redistributed to others, "
        "in whole or in part; share counts, maps and analysis derived from it (acleddata.com/terms-of-use)"
    ),
    "ucdp_ged": "UCDP GED: Creative Commons Attribution 4.0 (CC BY 4.0); share with credit to UCDP",
}
#: Datasets whose event rows may not be passed on.
RESTRICTED: tuple[str, ...] = ("acled",)
#: What an aggregate export counts by.
AGGREGATE_BY: tuple[str, ...] = ("admin1", "admin2", "cell")
DEFAULT_CELL_DEG = 0.5


def licence(dataset: str) -> str:
    """The licence note of ``dataset``; empty when this project does not know one."""
    return LICENCES.get(dataset, "")


def _datasets(events: pd.DataFrame | Iterable[str]) -> list[str]:
    if isinstance(events, pd.DataFrame):
        if len(events) == 0:
            return []
        return sorted({str(d) for d in events["dataset"].astype(object).dropna()})
    return sorted({str(d) for d in events})


#: What a notice can be about: event rows, a map of events, or counts only.
NOTICE_KINDS: tuple[str, ...] = ("data", "map", "aggregates")


def sharing_notice(events: pd.DataFrame | Iterable[str], *, kind: str = "data") -> str:
    """What to tell before an export of ``events`` is written: empty when their licences allow sharing them.

    Parameters
    ----------
    events : pandas.DataFrame or iterable of str
        The events to be exported (their ``dataset`` column), or dataset names.
    kind : {"data", "map", "aggregates"}
        A data export (event rows), a map snapshot, or counts only (``write_aggregates``).

    Returns
    -------
    str
        One paragraph, or ``""``.

    Raises
    ------
    ValueError
        On an unknown ``kind``.
    """
    if kind not in NOTICE_KINDS:
        raise ValueError(f"kind must be one of {list(NOTICE_KINDS)}, got {kind!r}")
    restricted = [d for d in _datasets(events) if d in RESTRICTED]
    if not restricted:
        return ""
    notes = " ".join(LICENCES[d] + "." for d in restricted)
    if kind == "aggregates":
        return notes + " This export holds counts per area only: no event rows and no notes."
    if kind == "map":
        return (
            notes + " This map draws ACLED events with their attribution; to share counts only, draw them "
            "as a grid of counts (density) or export the aggregates."
        )
    return (
        notes + " This export holds ACLED event rows: keep it for your own use, or share the aggregates-only "
        "variant (counts per area or grid cell, no event rows, no notes)."
    )


def _cell_edges(values: np.ndarray, size: float) -> np.ndarray:
    return np.floor(values / size) * size


def aggregate_events(
    events: pd.DataFrame, *, by: str = "admin1", cell_deg: float = DEFAULT_CELL_DEG
) -> gpd.GeoDataFrame:
    """Counts per area or grid cell, with no event rows and no text from the events but place names.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.
    by : {"admin1", "admin2", "cell"}
        ``admin1``/``admin2``: per country and region (events without one count under "(unknown)");
        ``cell``: per square cell of ``cell_deg`` degrees.
    cell_deg : float
        Cell size in degrees, from 0.01 to 10.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per area: ``country`` (and ``admin1``, ``admin2``) or the cell's ``west``, ``south``,
        ``east``, ``north``; then ``events``, ``fatalities``, ``first_date``, ``last_date``, one count column
        per event type, and ``datasets``. Geometry: the cell, or the mean place of the area's events.

    Raises
    ------
    ValueError
        On an unknown ``by`` or a cell size out of range.
    """
    if by not in AGGREGATE_BY:
        raise ValueError(f"aggregates are by one of {list(AGGREGATE_BY)}, got {by!r}")
    if by == "cell" and not 0.01 <= float(cell_deg) <= 10:
        raise ValueError(f"cell size {cell_deg!r}; expected degrees from 0.01 to 10")
    frame = pd.DataFrame(
        {
            "country": events["country"].astype(object).fillna("(unknown)").to_numpy(),
            "admin1": events["admin1"].astype(object).fillna("(unknown)").to_numpy(),
            "admin2": events["admin2"].astype(object).fillna("(unknown)").to_numpy(),
            "event_type": events["event_type"].astype(object).to_numpy(),
            "fatalities": events["fatalities"].to_numpy(dtype="int64"),
            "event_date": events["event_date"].to_numpy(),
            "date_end": events["date_end"].fillna(events["event_date"]).to_numpy(),
            "dataset": events["dataset"].astype(object).to_numpy(),
            "latitude": events["latitude"].to_numpy(dtype="float64"),
            "longitude": events["longitude"].to_numpy(dtype="float64"),
        }
    )
    if by == "cell":
        size = float(cell_deg)
        frame["west"] = np.round(_cell_edges(frame["longitude"].to_numpy(), size), 6)
        frame["south"] = np.round(_cell_edges(frame["latitude"].to_numpy(), size), 6)
        keys = ["west", "south"]
    else:
        keys = ["country", "admin1"] if by == "admin1" else ["country", "admin1", "admin2"]
    groups = frame.groupby(keys, sort=True)
    out = groups.agg(
        events=("fatalities", "size"),
        fatalities=("fatalities", "sum"),
        first_date=("event_date", "min"),
        last_date=("date_end", "max"),
        latitude=("latitude", "mean"),
        longitude=("longitude", "mean"),
    )
    types = pd.crosstab([frame[k] for k in keys], frame["event_type"]).reindex(columns=list(schema.EVENT_TYPES))
    out = out.join(types.fillna(0).astype("int64"))
    out["datasets"] = groups["dataset"].agg(lambda d: ", ".join(sorted({str(x) for x in d if x is not None})))
    out = out.reset_index()
    out["first_date"] = pd.to_datetime(out["first_date"]).dt.date.astype(str)
    out["last_date"] = pd.to_datetime(out["last_date"]).dt.date.astype(str)
    if by == "cell":
        out["east"] = np.round(out["west"] + size, 6)
        out["north"] = np.round(out["south"] + size, 6)
        geometry = [
            box(w, s, e, n) for w, s, e, n in zip(out["west"], out["south"], out["east"], out["north"], strict=True)
        ]
        out = out[
            ["west", "south", "east", "north", *[c for c in out.columns if c not in ("west", "south", "east", "north")]]
        ]
    else:
        geometry = [Point(x, y) for x, y in zip(out["longitude"], out["latitude"], strict=True)]
    out = out.drop(columns=["latitude", "longitude"])
    return gpd.GeoDataFrame(out, geometry=geometry, crs=schema.CRS)

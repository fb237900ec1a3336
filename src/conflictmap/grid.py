"""Grid maths for the density map: cell sizes, counts per cell and count classes.

Plain pandas and numpy, no folium: the map (``mapview``, ``livemap``), the
image export and the store (which counts cells in SQL and lays them out with
``grid_frame``) all share it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from conflictmap import schema

#: Grid cell sizes ``choose_cell_deg`` picks from, in degrees.
CELL_SIZES_DEG: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0)
_CELLS_ACROSS = 80
#: How many count classes ``grid_breaks`` makes (one colour each on the map).
GRID_CLASSES = 5


def choose_cell_deg(events: pd.DataFrame) -> float:
    """A grid cell size giving about 80 cells across the events' longer side, from ``CELL_SIZES_DEG``."""
    if len(events) == 0:
        return CELL_SIZES_DEG[-3]
    span = max(np.ptp(events["longitude"].to_numpy()), np.ptp(events["latitude"].to_numpy()))
    wanted = span / _CELLS_ACROSS
    return next((s for s in CELL_SIZES_DEG if s >= wanted), CELL_SIZES_DEG[-1])


def aggregate_grid(events: pd.DataFrame, cell_deg: float) -> pd.DataFrame:
    """Count events and fatalities per square grid cell.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events (``latitude``, ``longitude``, ``fatalities``, ``event_type``).
    cell_deg : float
        Cell side in degrees; cells are aligned on multiples of it.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty cell: ``lat_min``, ``lon_min``, ``lat_max``,
        ``lon_max``, ``events``, ``fatalities`` and one count column per event
        type (named as in ``schema.EVENT_TYPES``), sorted by ``lat_min``, ``lon_min``.
        The ``events`` and ``fatalities`` columns sum to the input's row count and
        fatalities.

    Raises
    ------
    ValueError
        If ``cell_deg`` is not a positive number.
    """
    if not (isinstance(cell_deg, (int, float)) and math.isfinite(cell_deg) and cell_deg > 0):
        raise ValueError(f"cell_deg must be a positive number of degrees, got {cell_deg!r}")
    iy = np.floor(events["latitude"].to_numpy(dtype="float64") / cell_deg).astype("int64")
    ix = np.floor(events["longitude"].to_numpy(dtype="float64") / cell_deg).astype("int64")
    frame = pd.DataFrame(
        {
            "iy": iy,
            "ix": ix,
            "fatalities": events["fatalities"].to_numpy(dtype="int64"),
            "event_type": pd.Categorical(events["event_type"].astype(object), categories=list(schema.EVENT_TYPES)),
        }
    )
    groups = (
        frame.groupby(["iy", "ix", "event_type"], observed=True, sort=False)
        .agg(events=("fatalities", "size"), fatalities=("fatalities", "sum"))
        .reset_index()
    )
    return grid_frame(groups, cell_deg)


def grid_frame(groups: pd.DataFrame, cell_deg: float) -> pd.DataFrame:
    """Lay per-cell, per-type counts out as ``aggregate_grid`` returns them (the store computes them in SQL).

    Parameters
    ----------
    groups : pandas.DataFrame
        ``iy``, ``ix`` (cell numbers: ``floor(degrees / cell_deg)``), ``event_type``, ``events``, ``fatalities``.
    cell_deg : float
        Cell side in degrees.
    """
    frame = groups.astype({"iy": "int64", "ix": "int64", "events": "int64", "fatalities": "int64"})
    cells = frame.groupby(["iy", "ix"], sort=True)[["events", "fatalities"]].sum()
    kinds = pd.Categorical(frame["event_type"].astype(object), categories=list(schema.EVENT_TYPES))
    by_type = pd.pivot_table(
        frame.assign(event_type=kinds),
        index=["iy", "ix"],
        columns="event_type",
        values="events",
        aggfunc="sum",
        observed=False,
        fill_value=0,
    )
    by_type = by_type.reindex(index=cells.index, columns=list(schema.EVENT_TYPES), fill_value=0).astype("int64")
    out = pd.concat([cells, by_type], axis=1).reset_index()
    out.columns = [str(c) for c in out.columns]
    out.insert(0, "lat_min", (out["iy"] * cell_deg).round(6))
    out.insert(1, "lon_min", (out["ix"] * cell_deg).round(6))
    out.insert(2, "lat_max", ((out["iy"] + 1) * cell_deg).round(6))
    out.insert(3, "lon_max", ((out["ix"] + 1) * cell_deg).round(6))
    out = out.drop(columns=["iy", "ix"])
    out["events"] = out["events"].astype("int64")
    out["fatalities"] = out["fatalities"].astype("int64")
    out.attrs["cell_deg"] = cell_deg
    return out


def grid_breaks(counts: pd.Series | np.ndarray) -> list[int]:
    """Lower bounds of up to ``GRID_CLASSES`` count classes, evenly spaced on a log scale from 1 to the maximum."""
    top = int(np.max(counts)) if len(counts) else 1
    edges = np.unique(np.floor(np.geomspace(1, max(top, 1) + 1, GRID_CLASSES + 1)[:-1]).astype(int))
    return [int(e) for e in edges]

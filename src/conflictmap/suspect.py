"""Rows that load but look wrong: a place outside its country, swapped coordinates, an impossible death toll.

Such rows are kept (the source may be right, and a person decides), but they
are flagged: in the import report (``ImportReport.suspect``), in an event's
details (``suspect_reasons``) and as a list (``suspect_rows``).

A place is checked against its country when the country is one of the
packaged outlines (``data/basemap_countries.geojson``: West Africa and the Sahel, Natural
Earth 1:110m). Those outlines are coarse, so a point counts as inside when it
lies within ``BORDER_TOLERANCE_DEG`` of them; a point outside that is flagged,
and when swapping its latitude and longitude puts it inside, the flag says so.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from importlib import resources

import numpy as np
import pandas as pd
import shapely
import shapely.geometry

#: The packaged country outlines (``basemap.COUNTRIES_RESOURCE``).
COUNTRIES_RESOURCE = "basemap_countries.geojson"

#: More deaths than this in one event is taken as a typing mistake (the largest single events recorded are far below).
FATALITIES_CAP = 50_000
#: How far (degrees, about 25 km) outside the coarse outline of its country a point may lie and pass.
BORDER_TOLERANCE_DEG = 0.25
#: Other spellings of the outlines' names.
_ALIASES = {
    "central african republic": "central african rep.",
    "car": "central african rep.",
    "ivory coast": "cote d'ivoire",
    "western sahara": "w. sahara",
    "the gambia": "gambia",
}
SUSPECT_COLUMNS: tuple[str, ...] = ("event_id", "column", "value", "reason")


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().strip().replace("’", "'")
    return _ALIASES.get(text, text)


@functools.cache
def _outlines() -> dict[str, object]:
    """Folded country name (and ISO code) -> its outline widened by the tolerance, prepared for tests."""
    # Read as plain JSON: the basemap module would bring the whole map stack into every reader.
    text = (resources.files("conflictmap") / "data" / COUNTRIES_RESOURCE).read_text(encoding="utf-8")
    out: dict[str, object] = {}
    for feature in json.loads(text)["features"]:
        name, iso = feature["properties"]["name"], feature["properties"]["iso_a3"]
        shape = shapely.geometry.shape(feature["geometry"])
        wide = shapely.buffer(shape, BORDER_TOLERANCE_DEG)
        shapely.prepare(wide)
        out[_fold(name)] = wide
        out[_fold(iso)] = wide
    return out


def _flags(events: pd.DataFrame) -> list[tuple[int, str, str, str]]:
    """``(position, column, value, reason)`` for each suspect value, in row order."""
    found: list[tuple[int, str, str, str]] = []
    if not len(events):
        return found
    outlines = _outlines()
    lat = events["latitude"].to_numpy(dtype="float64")
    lon = events["longitude"].to_numpy(dtype="float64")
    codes, names = pd.factorize(events["country"].astype(object))
    for code, name in enumerate(names):
        shape = outlines.get(_fold(name)) if isinstance(name, str) else None
        if shape is None:
            continue
        where = np.flatnonzero(codes == code)
        outside = ~shapely.contains_xy(shape, lon[where], lat[where])
        if not outside.any():
            continue
        positions = where[outside]
        swapped = shapely.contains_xy(shape, lat[positions], lon[positions])
        for position, swap in zip(positions, swapped, strict=True):
            value = f"{lat[position]:g}, {lon[position]:g}"
            if swap:
                reason = f"latitude and longitude look swapped: {value} is outside {name}, {lon[position]:g}, "
                reason += f"{lat[position]:g} is inside; kept as written"
            else:
                reason = f"{value} (latitude, longitude) is outside {name}; kept as written"
            found.append((int(position), "latitude, longitude", value, reason))
    deaths = events["fatalities"].to_numpy()
    for position in np.flatnonzero(deaths > FATALITIES_CAP):
        reason = f"more than {FATALITIES_CAP:,} deaths in one event looks like a typing mistake; kept as written"
        found.append((int(position), "fatalities", f"{int(deaths[position]):,}", reason))
    found.sort(key=lambda f: f[0])
    return found


def suspect_rows(events: pd.DataFrame) -> pd.DataFrame:
    """The events that look wrong, one row per doubt, for a "suspect rows" list.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events (a file's, or a store's ``query()``).

    Returns
    -------
    pandas.DataFrame
        ``event_id``, ``column``, ``value``, ``reason``; indexed like ``events``.
    """
    flags = _flags(events)
    if not flags:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SUSPECT_COLUMNS})
    positions = [f[0] for f in flags]
    return pd.DataFrame(
        {
            "event_id": events["event_id"].astype(object).to_numpy()[positions],
            "column": [f[1] for f in flags],
            "value": [f[2] for f in flags],
            "reason": [f[3] for f in flags],
        },
        index=events.index[positions],
    )


def suspect_reasons(event: pd.Series) -> list[str]:
    """Why one event looks wrong (empty when it does not), for its details panel.

    Parameters
    ----------
    event : pandas.Series
        One canonical event.

    Returns
    -------
    list of str
    """
    frame = pd.DataFrame({c: [event[c]] for c in ("event_id", "country", "latitude", "longitude", "fatalities")})
    return [f[3] for f in _flags(frame)]


def flag_in_report(events: pd.DataFrame, rows: np.ndarray, report) -> None:
    """Add the suspect values of ``events`` to ``report.suspect``; ``rows`` are their row numbers in the file."""
    for position, column, value, reason in _flags(events):
        report.flag(int(rows[position]), column, value, reason)

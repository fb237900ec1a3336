"""Synthetic canonical events at any size, for benchmarks and demonstrations.

Every row has ``dataset = "synthetic"`` and notes that say so: nobody can take
them for real events. The same ``n`` and ``seed`` give the same table.

The shape follows what real Mali data looks like, not any real event: events
gather around the towns where fighting concentrated (weights below), most are
placed at the town itself (geo_precision 1), some near it (2) and some at
their region's centre (3); incident types come with plausible actor pairs and
the years those actors were active; dates run from 2012 to 2024 with a few
bursts; fatalities are mostly zero with a long tail.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap import gazetteer
from conflictmap.schema import to_canonical

START = pd.Timestamp("2012-01-01")
END = pd.Timestamp("2024-12-31")

#: Relative weight of the towns where fighting concentrated; other gazetteer towns weigh 1.
TOWN_WEIGHTS: dict[str, float] = {
    "Gao": 40,
    "Ménaka": 35,
    "Mopti": 25,
    "Timbuktu": 25,
    "Kidal": 20,
    "Bandiagara": 25,
    "Douentza": 20,
    "Bankass": 20,
    "Koro": 20,
    "Djenné": 12,
    "Niono": 15,
    "Ségou": 10,
    "Ansongo": 15,
    "Tessalit": 10,
    "Aguelhok": 10,
    "Boni": 10,
    "Hombori": 8,
    "Ber": 8,
    "Léré": 8,
    "Niafunké": 8,
    "Diafarabé": 6,
    "Sévaré": 8,
    "Bamako": 10,
    "Kati": 4,
    "Ténenkou": 8,
    "Macina": 8,
    "Bourem": 8,
    "Gossi": 6,
    "Talataye": 6,
    "Andéramboukane": 6,
    "Tin-Zaouatene": 4,
    "Goundam": 6,
}


@dataclass(frozen=True)
class Scenario:
    """An incident type with who does it to whom, and the years it is seen."""

    event_type: str
    sub_event_type: str
    actor1: str
    actor2: str | None
    weight: float
    fatality_mean: float
    first_year: int = 2012
    last_year: int = 2024
    assoc_actor_1: str | None = None


_MALI = "Military Forces of Mali"
_JNIM = "JNIM: Group for Support of Islam and Muslims"
_ISS = "Islamic State (Sahel)"
_CIV = "Civilians (Mali)"
SCENARIOS: tuple[Scenario, ...] = (
    # The first scenario is valid in every year: it replaces any drawn out of its years.
    Scenario("Battles", "Armed clash", _MALI, "Unidentified Armed Group (Mali)", 4, 3),
    Scenario("Battles", "Armed clash", _MALI, _JNIM, 14, 6, 2017),
    Scenario("Battles", "Armed clash", _MALI, "AQIM: Al Qaeda in the Islamic Maghreb", 3, 6, 2012, 2017),
    Scenario("Battles", "Armed clash", _MALI, "MUJAO: Movement for Unity and Jihad in West Africa", 3, 6, 2012, 2015),
    Scenario("Battles", "Armed clash", _MALI, "Ansar Dine", 2, 6, 2012, 2016),
    Scenario("Battles", "Armed clash", _MALI, _ISS, 6, 8, 2017),
    Scenario("Battles", "Armed clash", _JNIM, _ISS, 5, 7, 2020),
    Scenario("Battles", "Armed clash", _MALI, "CMA: Coordination of Azawad Movements", 3, 5, 2012, 2014),
    Scenario("Battles", "Armed clash", _MALI, "CSP-PSD: Permanent Strategic Framework", 3, 5, 2023),
    Scenario("Battles", "Armed clash", "Dozo Communal Militia (Mali)", _JNIM, 4, 4, 2018),
    Scenario("Battles", "Non-state actor overtakes territory", _JNIM, _MALI, 1, 10, 2017),
    Scenario("Battles", "Government regains territory", _MALI, _JNIM, 1, 6, 2013),
    Scenario("Violence against civilians", "Attack", _JNIM, _CIV, 9, 3, 2017),
    Scenario("Violence against civilians", "Attack", _ISS, _CIV, 7, 5, 2017),
    Scenario("Violence against civilians", "Attack", "Dozo Communal Militia (Mali)", _CIV, 5, 4, 2018),
    Scenario("Violence against civilians", "Attack", _MALI, _CIV, 5, 4, 2018, assoc_actor_1="Wagner Group"),
    Scenario("Violence against civilians", "Abduction/forced disappearance", _JNIM, _CIV, 5, 0.2, 2017),
    Scenario("Explosions/Remote violence", "Remote explosive/landmine/IED", _JNIM, _MALI, 6, 2, 2017),
    Scenario("Explosions/Remote violence", "Air/drone strike", _MALI, _JNIM, 4, 5, 2021),
    Scenario(
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        _JNIM,
        "MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali (2013-2023)",
        2,
        0.5,
        2017,
        2023,
    ),
    Scenario("Explosions/Remote violence", "Air/drone strike", "Military Forces of France", _JNIM, 2, 6, 2017, 2022),
    Scenario("Protests", "Peaceful protest", "Protesters (Mali)", None, 4, 0.01, 2012),
    Scenario("Riots", "Violent demonstration", "Rioters (Mali)", None, 1, 0.3, 2012),
    Scenario("Strategic developments", "Looting/property destruction", _JNIM, _CIV, 3, 0, 2017),
    Scenario("Strategic developments", "Arrests", _MALI, _CIV, 2, 0, 2012),
    Scenario("Strategic developments", "Disrupted weapons use", _MALI, _JNIM, 1, 0, 2017),
)

# Periods ACLED writes after the Malian forces' name; which one follows the date.
_MALI_PERIODS = (
    (pd.Timestamp("2013-09-04"), "(2012-2013)"),
    (pd.Timestamp("2020-08-18"), "(2013-2020)"),
    (pd.Timestamp("2021-05-24"), "(2020-2021)"),
    (pd.Timestamp("2100-01-01"), "(2021-)"),
)
# Bursts of fighting: (centre, spread in days, share of events).
_BURSTS = (
    ("2012-04-01", 60, 0.05),
    ("2013-01-20", 30, 0.04),
    ("2019-06-15", 120, 0.08),
    ("2022-03-15", 90, 0.10),
    ("2023-09-15", 60, 0.08),
)


def _towns() -> pd.DataFrame:
    rows = [
        (p.name, p.admin1, p.admin2, p.latitude, p.longitude, TOWN_WEIGHTS.get(p.name, 1.0))
        for p in gazetteer.places()
        if p.kind not in ("region", "quarter")
    ]
    towns = pd.DataFrame(rows, columns=["name", "admin1", "admin2", "latitude", "longitude", "weight"])
    return towns.drop_duplicates("name").reset_index(drop=True)


def _region_centres() -> dict[str, tuple[float, float]]:
    return {p.admin1: (p.latitude, p.longitude) for p in gazetteer.places() if p.kind == "region"}


def _dates(rng: np.random.Generator, n: int) -> np.ndarray:
    span = (END - START).days
    # Background intensity grows over the years, as it did.
    background = START.value + (rng.power(2.2, n) * span).astype("int64") * 86_400 * 10**9
    days = background.astype("datetime64[ns]")
    pick = rng.random(n)
    edge = 0.0
    for centre, spread, share in _BURSTS:
        chosen = (pick >= edge) & (pick < edge + share)
        offsets = np.rint(rng.normal(0, spread, int(chosen.sum()))).astype("int64")
        days[chosen] = (np.datetime64(centre, "D") + offsets).astype("datetime64[ns]")
        edge += share
    return np.clip(days, START.to_datetime64(), END.to_datetime64())


def _categorical(labels: list[str | None], codes: np.ndarray) -> pd.Categorical:
    present = list(dict.fromkeys(label for label in labels if label is not None))
    mapping = np.array([present.index(label) if label is not None else -1 for label in labels], dtype="int32")
    return pd.Categorical.from_codes(mapping[codes], categories=present)


def synth_events(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """Generate ``n`` synthetic canonical events.

    Parameters
    ----------
    n : int
        Number of events (0 or more).
    seed : int
        Random seed; the same ``n`` and ``seed`` give the same table.

    Returns
    -------
    geopandas.GeoDataFrame
        Canonical events, every row ``dataset = "synthetic"``.
    """
    if n < 0:
        raise ValueError(f"n must be 0 or more, got {n}")
    rng = np.random.default_rng(seed)
    towns = _towns()
    centres = _region_centres()

    dates = pd.DatetimeIndex(_dates(rng, n))
    years = dates.year.to_numpy()

    # Scenario per event, limited to the scenarios active in that event's year.
    weights = np.array([s.weight for s in SCENARIOS])
    scenario = rng.choice(len(SCENARIOS), size=n, p=weights / weights.sum())
    first = np.array([s.first_year for s in SCENARIOS])[scenario]
    last = np.array([s.last_year for s in SCENARIOS])[scenario]
    inactive = (years < first) | (years > last)
    scenario[inactive] = 0

    town = rng.choice(len(towns), size=n, p=(towns["weight"] / towns["weight"].sum()).to_numpy())
    lat = towns["latitude"].to_numpy()[town]
    lon = towns["longitude"].to_numpy()[town]
    geo_precision = rng.choice([1, 2, 3], size=n, p=[0.72, 0.2, 0.08]).astype("int8")
    scatter_km = np.where(geo_precision == 1, 1.5, 12.0)
    lat = lat + rng.normal(0, 1, n) * scatter_km / 111.0
    lon = lon + rng.normal(0, 1, n) * scatter_km / (111.0 * np.cos(np.radians(lat)))
    admin1 = towns["admin1"].to_numpy()[town]
    at_centre = geo_precision == 3
    centre_lat = np.array([centres.get(a, (np.nan, np.nan))[0] for a in admin1[at_centre]])
    centre_lon = np.array([centres.get(a, (np.nan, np.nan))[1] for a in admin1[at_centre]])
    has_centre = ~np.isnan(centre_lat)
    idx = np.flatnonzero(at_centre)
    lat[idx[has_centre]] = centre_lat[has_centre]
    lon[idx[has_centre]] = centre_lon[has_centre]
    geo_precision[idx[~has_centre]] = 2

    time_precision = rng.choice([1, 2, 3], size=n, p=[0.82, 0.13, 0.05]).astype("int8")
    span = np.select([time_precision == 2, time_precision == 3], [6, 29], 0)
    date_end = np.minimum(dates.to_numpy() + span.astype("timedelta64[D]"), END.to_datetime64())

    mean = np.array([s.fatality_mean for s in SCENARIOS])[scenario]
    zero = rng.random(n) < 0.55
    fatalities = np.where(zero, 0, rng.negative_binomial(0.6, 0.6 / (0.6 + np.maximum(mean, 0.01)), n))
    fatalities = np.where(mean == 0, 0, fatalities).astype("int64")

    # ACLED names the Malian forces by period.
    period = np.searchsorted(np.array([p[0].to_datetime64() for p in _MALI_PERIODS]), dates.to_numpy())
    actor_labels: list[str | None] = []
    for s in SCENARIOS:
        actor_labels.extend([s.actor1, s.actor2])
    mali_names = [f"{_MALI} {suffix}" for _, suffix in _MALI_PERIODS]
    labels = [*actor_labels, *mali_names]
    actor1_codes = scenario * 2
    actor2_codes = scenario * 2 + 1
    mali1 = np.array([s.actor1 == _MALI for s in SCENARIOS])[scenario]
    mali2 = np.array([s.actor2 == _MALI for s in SCENARIOS])[scenario]
    actor1_codes = np.where(mali1, len(actor_labels) + period, actor1_codes)
    actor2_codes = np.where(mali2, len(actor_labels) + period, actor2_codes)
    assoc_labels = [s.assoc_actor_1 for s in SCENARIOS]

    towns_names = towns["name"].tolist()
    location = np.where(at_centre & (geo_precision == 3), -1, town)
    event_types = [s.event_type for s in SCENARIOS]
    sub_types = [s.sub_event_type for s in SCENARIOS]
    notes = [f"Synthetic event (not real): {s.sub_event_type.lower()} generated for testing." for s in SCENARIOS]
    civilian = np.array([s.actor2 == _CIV and s.event_type == "Violence against civilians" for s in SCENARIOS])

    frame = pd.DataFrame(
        {
            "event_id": pd.array([f"SYN{seed}-{i:09d}" for i in range(n)], dtype="string"),
            "dataset": pd.Categorical.from_codes(np.zeros(n, dtype="int8"), categories=["synthetic"]),
            "event_date": dates.to_numpy(),
            "date_end": date_end,
            "time_precision": time_precision,
            "event_type": _categorical(event_types, scenario),
            "sub_event_type": _categorical(sub_types, scenario),
            "actor1": _categorical(labels, actor1_codes),
            "assoc_actor_1": _categorical(assoc_labels, scenario),
            "actor2": _categorical(labels, actor2_codes),
            "civilian_targeting": civilian[scenario],
            "fatalities": fatalities,
            "country": pd.Categorical.from_codes(np.zeros(n, dtype="int8"), categories=["Mali"]),
            "admin1": pd.Categorical(admin1),
            "admin2": pd.Categorical(towns["admin2"].to_numpy()[town]),
            "location": pd.Categorical.from_codes(location, categories=towns_names),
            "latitude": np.round(lat, 4),
            "longitude": np.round(lon, 4),
            "geo_precision": geo_precision,
            "source": pd.array(["conflictmap synth"] * n, dtype="string"),
            "notes": _categorical(notes, scenario),
            "timestamp": pd.Timestamp("2025-01-01", tz="UTC"),
        }
    )
    frame["notes"] = frame["notes"].astype("string")
    return to_canonical(frame)

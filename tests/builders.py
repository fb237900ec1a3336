"""The one event builder the test modules share, and the store of each backend.

``build_events(*rows)`` lays each row's few values over a full default event
(``DEFAULT_ROW``: a battle at Mopti) or over ``BARE_ROW`` (date, type and
point only) when the defaults would get in the way of what a test checks.
``synthetic_events(n)`` gives many random events over Mali, and ``acled_row``,
``week1_rows`` and ``write_acled`` ACLED export files as ACLED writes them. ``Target`` names a
store of one backend, to open it here or in another process; the fixtures in
``conftest.py`` make one of each backend.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from conflictmap import schema
from conflictmap.readers.acled import ACLED_COLUMNS
from conflictmap.store import EventStore, GeoPackageStore
from conflictmap.store.core import CODED_COLUMNS, VIEW_COLUMNS
from conflictmap.store.postgis import LABELS_TABLE, NARROW_TABLE, PostGISStore

#: The store backends every store test runs on.
BACKENDS: tuple[str, ...] = ("geopackage", "postgis")

#: A whole event: what each row of ``build_events`` starts from unless told otherwise.
DEFAULT_ROW: dict[str, object] = {
    "dataset": "test",
    "event_date": "2023-09-07",
    "event_type": "Battles",
    "sub_event_type": "Armed clash",
    "actor1": "Military Forces of Mali (2021-)",
    "actor2": "JNIM: Jamaah Nusrat al-Islam wal Muslimin",
    "fatalities": 0,
    "country": "Mali",
    "admin1": "Mopti",
    "location": "Mopti",
    "latitude": 14.4843,
    "longitude": -4.1830,
    "geo_precision": 1,
    "source": "Test source",
}
#: The least an event needs: for tests where default actors or places would match a filter.
BARE_ROW: dict[str, object] = {
    "event_date": "2023-08-01",
    "event_type": "Battles",
    "latitude": 14.0,
    "longitude": -4.0,
    # Given in every row, so a row that sets one of these does not leave the others empty.
    "fatalities": 0,
    "time_precision": 1,
    "geo_precision": 1,
}


def event_row(i: int, base: Mapping[str, object] = DEFAULT_ROW, **values: object) -> dict[str, object]:
    """Row ``i`` of a test table: ``base`` with ``values`` over it, id ``TEST-0000i`` unless given."""
    row: dict[str, object] = {"event_id": f"TEST-{i:05d}", **base}
    if base is DEFAULT_ROW:
        row["notes"] = f"Invented event {i} for the tests."
    row.update(values)
    return row


def build_events(*rows: Mapping[str, object], base: Mapping[str, object] = DEFAULT_ROW) -> gpd.GeoDataFrame:
    """A canonical event table, one event per row of overrides (``date_end`` follows ``event_date``)."""
    return schema.to_canonical(pd.DataFrame([event_row(i, base, **r) for i, r in enumerate(rows)]))


def synthetic_events(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` random canonical events over Mali: every type, precision and a spread of fatalities."""
    rng = np.random.default_rng(seed)
    types = np.array(schema.EVENT_TYPES)[rng.integers(0, len(schema.EVENT_TYPES), n)]
    frame = pd.DataFrame(
        {
            "event_id": [f"SYN-{i}" for i in range(n)],
            "dataset": "synthetic",
            "event_date": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D"),
            "event_type": types,
            "sub_event_type": [schema.TAXONOMY[t][0] for t in types],
            "actor1": rng.choice(["Military Forces of Mali (2021-)", "JNIM", "ISGS", "Dozo militia"], n),
            "fatalities": rng.poisson(2, n) * rng.integers(0, 2, n),
            "country": "Mali",
            "admin1": rng.choice(["Mopti", "Gao", "Timbuktu", "Segou"], n),
            "location": [f"Place {i % 500}" for i in range(n)],
            "latitude": rng.uniform(10.5, 24.5, n),
            "longitude": rng.uniform(-12.0, 4.0, n),
            "geo_precision": rng.integers(1, 5, n),
            "notes": [f"Synthetic event {i}." for i in range(n)],
        }
    )
    return schema.to_canonical(frame)


@dataclass
class Target:
    """Where a store of one backend lives, to open it again (in this process or another)."""

    backend: str
    location: str

    def open(self, **options: object) -> EventStore:
        """The store, opened (``GeoPackageStore`` or ``PostGISStore`` options)."""
        if self.backend == "geopackage":
            return GeoPackageStore(self.location, **options)
        return PostGISStore(self.location, **options)

    def env(self) -> dict[str, str]:
        """Environment for a process that should use this store through the settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTMAP_")}
        env["CONFLICTMAP_STORE" if self.backend == "geopackage" else "CONFLICTMAP_DB"] = self.location
        return env

    def cli_options(self) -> list[str]:
        """The ``conflictmap db`` options naming this store."""
        return ["--store", self.location] if self.backend == "geopackage" else ["--db", self.location]


def snapshot(store: EventStore, *, imports: bool = True) -> dict[str, pd.DataFrame]:
    """Every row the store holds (events with their store columns, history, imports)."""
    dump = store._dump()
    if not imports:
        dump.pop("imports")
    return dump


def assert_same(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> None:
    assert before.keys() == after.keys()
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)


# -- ACLED files as ACLED writes them -----------------------------------------------------------------

#: 2023-09-12 00:00 UTC, as ACLED writes it (Unix seconds).
WEEK1_STAMP = 1694476800
WEEK2_STAMP = WEEK1_STAMP + 7 * 86400


def acled_row(i: int, **values: object) -> dict[str, object]:
    """One invented ACLED row: a clash near Mopti on a September 2023 day."""
    row: dict[str, object] = {
        "event_id_cnty": f"MLI{1000 + i}",
        "event_date": f"2023-09-{i % 28 + 1:02d}",
        "year": 2023,
        "time_precision": 1,
        "disorder_type": "Political violence",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Mali (2021-)",
        "assoc_actor_1": "",
        "inter1": "State forces",
        "actor2": "JNIM: Group for Support of Islam and Muslims",
        "assoc_actor_2": "",
        "inter2": "Rebel group",
        "interaction": "State forces-Rebel group",
        "civilian_targeting": "",
        "iso": 466,
        "region": "Western Africa",
        "country": "Mali",
        "admin1": "Mopti",
        "admin2": "Mopti",
        "admin3": "",
        "location": "Mopti",
        "latitude": round(14.4843 + i * 0.01, 4),
        "longitude": -4.1830,
        "geo_precision": 1,
        "source": "Invented wire",
        "source_scale": "National",
        "notes": f"Invented clash number {i} near Mopti.",
        "fatalities": i % 4,
        "tags": "",
        "timestamp": WEEK1_STAMP,
    }
    row.update(values)
    return row


def write_acled(path: Path, rows: list[dict[str, object]]) -> Path:
    """An ACLED CSV export of these rows."""
    pd.DataFrame(rows, columns=ACLED_COLUMNS).to_csv(path, index=False)
    return path


def week1_rows(n: int = 12) -> list[dict[str, object]]:
    return [acled_row(i) for i in range(n)]


def week2_rows() -> list[dict[str, object]]:
    """Week 1 re-downloaded: MLI1003 revised (newer timestamp), MLI1005 withdrawn, MLI1012 new."""
    rows = [acled_row(i) for i in range(13) if i != 5]
    rows[3] = acled_row(3, fatalities=9, notes="Revised: nine killed.", timestamp=WEEK2_STAMP)
    rows[-1] = acled_row(12, timestamp=WEEK2_STAMP)
    return rows


# -- stores ---------------------------------------------------------------------------------------------


def narrow_differences(store: PostGISStore) -> list[tuple]:
    """Rows of the events table's view columns missing from the narrow table, and the other way round."""
    columns = ", ".join(f'"{c}"' for c in VIEW_COLUMNS)
    labels = f"{store.schema_name}.{LABELS_TABLE}"
    # The narrow table's coded columns read back as their labels.
    decoded = ", ".join(
        f'(SELECT label FROM {labels} l WHERE l.code = n."{c}")' if c in CODED_COLUMNS else f'n."{c}"'
        for c in VIEW_COLUMNS
    )
    events, narrow = store._table("events"), f"{store.schema_name}.{NARROW_TABLE} n"
    conn = store._conn()
    missing = conn.execute(f"SELECT {columns} FROM {events} EXCEPT ALL SELECT {decoded} FROM {narrow}").fetchall()
    extra = conn.execute(f"SELECT {decoded} FROM {narrow} EXCEPT ALL SELECT {columns} FROM {events}").fetchall()
    return [("missing", *r) for r in missing] + [("extra", *r) for r in extra]

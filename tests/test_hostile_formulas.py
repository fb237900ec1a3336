"""Cells a spreadsheet would run as formulas: neutralised in every CSV written, restored on reading back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from conflictmap import schema
from conflictmap.csvcells import FORMULA_STARTS, neutralise, restore
from conflictmap.export import write_export
from conflictmap.extract import extract_events, write_candidates
from conflictmap.filters import FilterSpec
from conflictmap.readers import ImportReport, read_events, write_events
from conflictmap.store import GeoPackageStore

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seed_events.csv"
LINK = '=HYPERLINK("http://example.invalid/","click")'
# (column, hostile text); each would run, or hide a start that runs, in a spreadsheet.
HOSTILE = [
    ("notes", LINK),
    ("actor1", "+cmd|' /C calc'!A0"),
    ("actor2", "-2+3"),
    ("location", "@SUM(1+1)"),
    ("source", "\t=1+1"),
    ("admin2", "\r=1+1"),
    ("admin3", "'=already quoted"),
    ("assoc_actor_1", "''-two apostrophes"),
    ("tags", "'plain apostrophe"),
]


@pytest.mark.parametrize("text", [v for _, v in HOSTILE] + ["", "'", "''", "a=b", "-", "'-", "\t"])
def test_neutralise_then_restore_is_exact(text: str) -> None:
    written = neutralise(text)
    assert restore(written) == text
    assert not written.startswith(FORMULA_STARTS)


@pytest.fixture(scope="module")
def hostile() -> pd.DataFrame:
    events, _ = read_events(SEED)
    events = events.copy()
    for i, (column, text) in enumerate(HOSTILE):
        values = events[column].astype(object)
        values.iloc[i % len(events)] = text
        events[column] = values
    # Negative coordinates must stay numbers.
    events["longitude"] = events["longitude"].where(events.index != events.index[0], -3.99)
    return schema.to_canonical(events)


def _cells(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _assert_neutral(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column, cell in row.items():
            if column in ("longitude", "latitude"):
                float(cell)  # a number, not text
                continue
            assert not (cell or "").startswith(FORMULA_STARTS), (column, cell)


def _assert_same_text(read: pd.DataFrame, original: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        got = read[column].astype(object).where(read[column].notna(), None).tolist()
        want = original[column].astype(object).where(original[column].notna(), None).tolist()
        assert got == want, column


def test_the_canonical_csv_round_trip_is_exact(tmp_path: Path, hostile: pd.DataFrame) -> None:
    path = tmp_path / "events.csv"
    write_events(hostile, path)
    rows = _cells(path)
    _assert_neutral(rows)
    assert rows[0]["notes"] == "'" + LINK
    assert rows[0]["longitude"] == "-3.99"
    back, report = read_events(path)
    assert report.rows_loaded == len(hostile)
    _assert_same_text(back, hostile, [c for c, _ in HOSTILE])
    assert back["longitude"].iloc[0] == -3.99


@pytest.mark.parametrize("layout", ["canonical", "acled"])
def test_exported_csv_round_trip_is_exact(tmp_path: Path, hostile: pd.DataFrame, layout: str) -> None:
    path = tmp_path / f"{layout}.csv"
    write_export(hostile, FilterSpec(), path, kind="csv", layout=layout)
    _assert_neutral(_cells(path))
    back, _ = read_events(path)
    # The ACLED layout has no assoc_actor / admin3 / tags for all rows alike; compare what it carries.
    carried = [c for c, _ in HOSTILE if layout == "canonical" or c not in ("tags",)]
    _assert_same_text(back.sort_values("event_id"), hostile.sort_values("event_id"), carried)


def test_a_foreign_acled_file_keeps_its_apostrophes(tmp_path: Path, hostile: pd.DataFrame) -> None:
    path = tmp_path / "acled.csv"
    write_export(hostile, FilterSpec(), path, kind="csv", layout="acled")
    path.with_name(path.name + ".provenance.json").unlink()
    back, _ = read_events(path)
    # Without its provenance the file is not known to be ours: the cells are read as written.
    assert ("'" + LINK) in set(back["notes"].astype(str))


def test_db_export_round_trip_is_exact(tmp_path: Path, hostile: pd.DataFrame) -> None:
    store = GeoPackageStore(tmp_path / "events.gpkg")
    store.import_events(hostile, source="hostile")
    path = tmp_path / "db.csv"
    store.export(path)
    store.close()
    _assert_neutral(_cells(path))
    back, _ = read_events(path)
    _assert_same_text(back.sort_values("event_id"), hostile.sort_values("event_id"), [c for c, _ in HOSTILE])


def test_the_rejected_rows_csv_is_neutral() -> None:
    report = ImportReport(source="x.csv", format="acled", rows_read=1)
    report.reject(2, "event_date", LINK, "not a date")
    report.reject(3, "=cmd", "-1", "@reason")
    rows = list(csv.reader(io.StringIO(report.rejections_csv())))
    assert rows[1] == ["2", "event_date", "'" + LINK, "not a date"]
    assert rows[2] == ["3", "'=cmd", "'-1", "'@reason"]


def test_extracted_candidates_are_neutral(tmp_path: Path) -> None:
    text = "=HYPERLINK(1) Gunmen killed 5 civilians in Gao on 7 September 2023, said the mayor."
    candidates = extract_events(text, published="2023-09-08", lang="en", source="@source")
    path = tmp_path / "candidates.csv"
    assert len(candidates)
    write_candidates(candidates, path)
    rows = _cells(path)
    _assert_neutral(rows)
    assert rows[0]["source"] == "'@source"
    back, _ = read_events(path)
    assert back["notes"].iloc[0].startswith("=HYPERLINK(1)")

"""Messages about bad input quote at most about 200 characters of it, and speak in words, not library jargon."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from conflictmap.filters import FilterError, FilterSpec
from conflictmap.messages import QUOTE_CHARS, quote, shorten
from conflictmap.readers import NotEventDataError, UnreadableFileError, read_events

HEADER = "event_id,event_date,event_type,latitude,longitude,country,dataset\n"


def test_quote_cuts_long_values_and_says_how_long() -> None:
    assert quote("abc") == "'abc'"
    long = quote("x" * 10_000_000)
    assert len(long) < QUOTE_CHARS + 40 and "10,000,000 characters" in long
    assert shorten("y" * 500).endswith("… (500 characters)")


def test_a_ten_megabyte_header_gives_a_short_message(tmp_path: Path) -> None:
    path = tmp_path / "one-line.csv"
    path.write_text("a" * 10_000_000 + "\n", encoding="utf-8")
    with pytest.raises(NotEventDataError) as caught:
        read_events(path)
    assert len(str(caught.value)) < 1000


def test_huge_cells_are_quoted_briefly_in_the_report(tmp_path: Path) -> None:
    path = tmp_path / "cells.csv"
    rows = ["x," + "9" * 5_000_000 + ",Battles,1,2,Mali,seed", "z,2023-01-01," + "B" * 3_000_000 + ",1,2,Mali,s"]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    _, report = read_events(path)
    assert report.rows_rejected == 2
    for rejection in report.rejected:
        assert len(str(rejection)) < 800
        assert len(rejection.value) < QUOTE_CHARS + 40
    assert len(report.summary()) < 2000
    assert len(report.rejections_csv()) < 2000


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "31/12/9999"])
def test_a_real_date_in_an_implausible_year_is_out_of_range(tmp_path: Path, day: str) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(HEADER + f"x,{day},Battles,1,2,Mali,seed\ny,soon,Battles,1,2,Mali,seed\n", encoding="utf-8")
    _, report = read_events(path)
    reasons = {r.value: r.reason for r in report.rejected}
    assert reasons[day].startswith("out of range")
    assert reasons["soon"].startswith("not a date")


def test_a_long_link_value_gives_a_short_filter_error() -> None:
    with pytest.raises(FilterError) as caught:
        FilterSpec.from_query_params({"minfat": "x" * 1_000_000})
    assert len(str(caught.value)) < 400


JARGON = ("sqlite3_prepare", "thrift", "footer", "GDAL", "OGR", "SELECT", "pyogrio", "Arrow")


def _garbage(folder: Path) -> dict[str, Path]:
    damaged = folder / "damaged.gpkg"
    damaged.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    other = folder / "other.gpkg"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (a)")
    conn.commit()
    conn.close()
    parquet = folder / "cut.parquet"
    parquet.write_bytes(b"PAR1" + os.urandom(5000) + b"PAR1")
    geojson = folder / "broken.geojson"
    geojson.write_text('{"type": "FeatureCollection", "features": [garbage', encoding="utf-8")
    return {"damaged": damaged, "other": other, "parquet": parquet, "geojson": geojson}


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("damaged", "is not a GeoPackage that can be read: it is damaged"),
        ("other", "is a database, but not a GeoPackage"),
        ("parquet", "is not a Parquet file that can be read"),
        ("geojson", "is not GeoJSON that can be read: its text is not valid JSON (line 1, character 12)"),
    ],
)
def test_garbage_geodata_is_told_in_words(tmp_path: Path, kind: str, said: str) -> None:
    upload = tmp_path / "conflictmap-upload-x9"
    upload.mkdir()
    path = _garbage(upload)[kind]
    with pytest.raises(UnreadableFileError) as caught:
        read_events(path)
    message = str(caught.value)
    assert said in message
    assert "expected" in message
    assert str(upload) not in message and "conflictmap-upload" not in message
    for word in JARGON:
        assert word not in message, word


def test_an_unclosed_quote_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('event_id,event_date\n"x,2023\n', encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"a quote \(\"\) opened in row 2 is never closed"):
        read_events(path)


def test_a_damaged_workbook_is_told_in_words(tmp_path: Path) -> None:
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(200))
    with pytest.raises(UnreadableFileError) as caught:
        read_events(path)
    assert "is not an Excel workbook that can be opened: it is damaged" in str(caught.value)
    assert "zip" not in str(caught.value).lower()

"""Zip bombs dressed as Excel workbooks: refused from the archive's directory, in one line, at once."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conflictmap.readers import UnreadableFileError, read_events
from conflictmap.readers.archive import check_archive

SHEET = "xl/worksheets/sheet1.xml"
HEADER = ["event_id", "event_date", "event_type", "latitude", "longitude", "country"]


def _workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["x-1", "2023-09-07", "Battles", 16.27, -0.04, "Mali"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rows_xml(megabytes: int) -> bytes:
    """A sheet of one repeated row, ``megabytes`` long: it packs about a thousand times."""
    row = b'<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>'
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    return head + b"<sheetData>" + row * (megabytes * 1024 * 1024 // len(row)) + b"</sheetData></worksheet>"


def _bomb(path: Path, sheet: bytes) -> Path:
    """A real workbook whose first sheet is replaced by ``sheet``."""
    with zipfile.ZipFile(io.BytesIO(_workbook_bytes())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item.filename, sheet if item.filename == SHEET else src.read(item.filename))
    return path


def _lie_about_size(path: Path, member: str, declared: int) -> None:
    """Write ``declared`` as the member's unpacked size in the central directory (its data stay as they are)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into("<I", data, at + 24, declared)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 60 MB sheet in a workbook of about 220 KB."""
    return _bomb(tmp_path_factory.mktemp("bombs") / "bomb.xlsx", _rows_xml(60))


def test_a_bomb_is_refused_in_one_line_before_anything_is_inflated(bomb: Path) -> None:
    assert bomb.stat().st_size < 300_000
    started = time.perf_counter()
    with pytest.raises(UnreadableFileError) as caught:
        read_events(bomb)
    elapsed = time.perf_counter() - started
    message = str(caught.value)
    assert "zip bomb" in message and "CONFLICTMAP_ZIP_MAX_RATIO" in message
    assert "\n" not in message and len(message) < 400
    # Reading the whole sheet takes seconds; the directory alone, milliseconds.
    assert elapsed < 1.0


def test_the_absolute_cap_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = _bomb(tmp_path / "big.xlsx", _rows_xml(3))
    monkeypatch.setenv("CONFLICTMAP_ZIP_MAX_MB", "2")
    with pytest.raises(UnreadableFileError, match="more than the 2 MB allowed"):
        check_archive(book)
    monkeypatch.setenv("CONFLICTMAP_ZIP_MAX_MB", "1024")
    check_archive(book)  # 3 MB is under the ratio floor: a small sheet may pack well


def test_a_member_lying_about_its_size_is_stopped_at_the_size_it_declares(tmp_path: Path) -> None:
    book = _bomb(tmp_path / "liar.xlsx", _rows_xml(60))
    _lie_about_size(book, SHEET, 1000)
    check_archive(book)  # the directory looks harmless ...
    with pytest.raises(UnreadableFileError) as caught:
        read_events(book)  # ... but no more than the declared 1,000 bytes are inflated
    assert "is not an Excel workbook that can be opened" in str(caught.value)
    assert len(str(caught.value)) < 500


def test_a_real_workbook_still_reads(tmp_path: Path) -> None:
    book = tmp_path / "ok.xlsx"
    book.write_bytes(_workbook_bytes())
    check_archive(book)


def test_the_command_line_refuses_a_bomb_in_one_line(bomb: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "conflictmap", "import", str(bomb), "-o", str(bomb.with_suffix(".csv"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "zip bomb" in lines[0], run.stderr
    assert "Traceback" not in run.stderr

"""A large CSV file written to its GeoParquet cache a chunk at a time: the same events and report as one whole
read, with bad rows on either side of the chunks' edges, and a killed import that leaves the old cache as it was."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conflictmap import catalog, synth
from conflictmap.readers import read_events, write_events
from conflictmap.readers.stream import EventChunks, merge_warnings
from conflictmap.uploads import READ_ERRORS

ROOT = Path(__file__).resolve().parents[1]
#: Rows per chunk in these tests: the file's 3,000 rows make seven chunks, the last one short.
CHUNK = 450


def _edit(lines: list[str], columns: list[str], line: int, column: str, value: str) -> None:
    fields = next(csv.reader([lines[line]]))
    fields[columns.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    lines[line] = out.getvalue()


@pytest.fixture(scope="module")
def bad_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 synthetic events as CSV, with bad and doubtful rows at the edges of the 450-row chunks."""
    path = tmp_path_factory.mktemp("stream") / "events.csv"
    write_events(synth.synth_events(3000, seed=5), path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    columns = next(csv.reader([lines[0]]))
    # Line i holds spreadsheet row i + 1; the chunks end after lines 450, 900, 1350, ...
    for line in (450, 451, 1800):
        _edit(lines, columns, line, "event_date", "not a date")
    _edit(lines, columns, 449, "latitude", "95")
    _edit(lines, columns, 452, "fatalities", "-3")
    for line in (30, 40, 449, 451, 899, 900, 901, 1351, 2999):
        _edit(lines, columns, line, "population_1km", "many")
    for line in (70, 900, 2300):
        _edit(lines, columns, line, "geo_precision", "")
    # A line with too many fields just before an edge and one just after (the parser skips them).
    lines[899] = lines[899].rstrip("\n") + ",extra,fields\n"
    lines[1352] = lines[1352].rstrip("\n") + ",extra\n"
    lines[1700] = "\n"
    # One id three times: twice in one chunk, once in a later one (the last, with the same timestamp, wins).
    lines[20] = lines[10]
    lines[2500] = lines[10]
    # One id twice across chunks, the earlier row with the newer timestamp.
    _edit(lines, columns, 1200, "event_id", "SAME-ID")
    _edit(lines, columns, 1200, "timestamp", "2030-01-01T00:00:00Z")
    _edit(lines, columns, 2600, "event_id", "SAME-ID")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_the_chunked_cache_holds_what_one_whole_read_gives(bad_file: Path, tmp_path: Path) -> None:
    whole, expected = read_events(bad_file)
    seen: list[tuple[int, int]] = []
    report = catalog.stream_cache(
        bad_file, cache_dir=tmp_path, chunk_rows=CHUNK, progress=lambda d, t: seen.append((d, t))
    )
    cached = catalog.read_cache(catalog.dataset_file(bad_file), catalog.cache_path(bad_file, tmp_path))
    assert cached is not None
    events, note = cached
    pd.testing.assert_frame_equal(pd.DataFrame(events), pd.DataFrame(whole))
    for got in (report, note):
        assert (got.format, got.rows_read, got.rows_loaded) == (
            expected.format,
            expected.rows_read,
            expected.rows_loaded,
        )
        assert [str(r) for r in got.rejected] == [str(r) for r in expected.rejected]
        assert got.warnings == expected.warnings
    assert [str(r) for r in report.suspect] == [str(r) for r in expected.suspect]
    # The file's bad rows are all there, with the rows a spreadsheet shows.
    rows = {r.row for r in expected.rejected}
    assert {451, 452, 1801, 450, 453, 900, 1353, 11, 21, 2601} <= rows
    # Progress rose chunk by chunk to the whole file.
    assert len(seen) > 3 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_the_columnar_views_of_a_streamed_cache_answer_as_memory(bad_file: Path, tmp_path: Path) -> None:
    from conflictmap.filters import FilterSpec
    from conflictmap.pageviews import ColumnarViews, MemoryViews

    catalog.stream_cache(bad_file, cache_dir=tmp_path, chunk_rows=CHUNK)
    views = ColumnarViews(catalog.cache_path(bad_file, tmp_path))
    memory = MemoryViews(read_events(bad_file)[0])
    try:
        for spec in (FilterSpec(), FilterSpec(event_types=["Battles"], min_fatalities=1)):
            assert views.filter_counts(spec) == memory.filter_counts(spec)
            assert views.headline(spec) == memory.headline(spec)
    finally:
        views.close()


def test_counted_warnings_add_up_across_chunks() -> None:
    merged = merge_warnings(
        [
            ["a note", "x: 2 value(s) left blank (row 1 'a', row 2 'b')", "row 3: placed"],
            ["a note", "x: 4 value(s) left blank (row 7 'c', row 8 'd', row 9 'e', row 10 'f')", "row 9: placed"],
            ["only here", "row 12: placed"],
        ]
    )
    assert merged == [
        "a note",
        "x: 6 value(s) left blank (row 1 'a', row 2 'b', row 7 'c', row 8 'd', row 9 'e' ...)",
        "row 3: placed",
        "row 9: placed",
        "only here",
        "row 12: placed",
    ]


_KILLED_IMPORT = """
import sys
from conflictmap import catalog

calls = []

def progress(done, total):
    calls.append(done)
    if len(calls) == 3 and done < total:  # the second chunk read: the first is written
        print("reading", flush=True)
        sys.stdin.readline()  # held here, mid-file, until the test kills this process

catalog.stream_cache(sys.argv[1], cache_dir=sys.argv[2], chunk_rows=int(sys.argv[3]), progress=progress)
"""


def test_a_killed_import_leaves_the_previous_cache_usable(bad_file: Path, tmp_path: Path) -> None:
    source = tmp_path / "events.csv"
    source.write_bytes(bad_file.read_bytes())
    caches = tmp_path / "caches"
    catalog.stream_cache(source, cache_dir=caches, chunk_rows=CHUNK)
    file = catalog.dataset_file(source)
    where = catalog.cache_path(source, caches)
    before = catalog.read_cache(file, where)
    assert before is not None

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_IMPORT, str(source), str(caches), str(CHUNK)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "reading"
        # Mid-way: the first chunks are in the temporary file beside the cache.
        assert list(caches.glob(f"{where.name}.{child.pid}.tmp"))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL

    after = catalog.read_cache(file, where)
    assert after is not None
    pd.testing.assert_frame_equal(pd.DataFrame(after[0]), pd.DataFrame(before[0]))
    assert catalog.cached_report(file, where) is not None
    # The next import clears what the killed one left.
    catalog.stream_cache(source, cache_dir=caches, chunk_rows=CHUNK)
    assert not list(caches.glob("*.tmp"))


FIXTURES = ROOT / "tests" / "fixtures" / "readers"


@pytest.mark.parametrize(
    "name",
    sorted(f.name for f in FIXTURES.iterdir() if any(f.suffix.lower() in s for s in catalog.STREAMED.values())),
)
def test_every_reader_fixture_streams_two_rows_at_a_time_as_one_whole_read(name: str, tmp_path: Path) -> None:
    assert_streams_as_one_whole_read(FIXTURES / name, tmp_path)


def _cell(text: str) -> object:
    """A CSV field as a spreadsheet holds it: numbers as numbers."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text or None


@pytest.mark.parametrize("name", ["acled_bad_rows.csv", "acled_2024_preamble.csv"])
def test_a_workbook_streams_two_rows_at_a_time_as_one_whole_read(name: str, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    with open(FIXTURES / name, newline="", encoding="utf-8-sig") as fh:
        for record in csv.reader(fh):
            book.active.append([_cell(v) for v in record])
    path = tmp_path / f"{Path(name).stem}.xlsx"
    book.save(path)
    whole = len(read_events(path)[0])
    chunks = [len(c.events) for c in EventChunks(path, chunk_rows=2)]
    assert len(chunks) > 1 and sum(chunks) >= whole, "the sheet is read two rows at a time"
    assert_streams_as_one_whole_read(path, tmp_path)


def assert_streams_as_one_whole_read(path: Path, tmp_path: Path) -> None:
    """``stream_cache`` two rows at a time gives the events, rejections and warnings of ``read_events``."""
    try:
        whole, expected = read_events(path)
    except READ_ERRORS as exc:  # the same refusal, word for word, is what is checked
        with pytest.raises(type(exc)) as refused:
            catalog.stream_cache(path, cache_dir=tmp_path, chunk_rows=2)
        assert str(refused.value) == str(exc)
        return
    report = catalog.stream_cache(path, cache_dir=tmp_path, chunk_rows=2)
    cached = catalog.read_cache(catalog.dataset_file(path), catalog.cache_path(path, tmp_path))
    assert cached is not None
    ours, theirs = pd.DataFrame(cached[0]), pd.DataFrame(whole)
    # The values are the same; a whole read's categories also hold labels only rejected rows used.
    for column in theirs.columns:
        if isinstance(theirs[column].dtype, pd.CategoricalDtype):
            ours[column], theirs[column] = ours[column].astype(object), theirs[column].astype(object)
    pd.testing.assert_frame_equal(ours, theirs)
    assert [str(r) for r in report.rejected] == [str(r) for r in expected.rejected]
    assert report.warnings == expected.warnings
    assert [str(r) for r in report.suspect] == [str(r) for r in expected.suspect]

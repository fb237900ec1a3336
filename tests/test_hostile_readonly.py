"""A store this user may read but not write: it opens read-only, reads and exports, and refuses writes in one line.

CI runs as root, which writes any file whatever its mode; the commands here run
with every capability dropped (``setpriv --bounding-set=-all``), so root meets
the file's mode like anyone else.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from conflictmap.readers import read_events
from conflictmap.store import GeoPackageStore, StoreReadOnlyError
from conflictmap.store.postgis import DEFAULT_SCHEMA, PostGISStore

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seed_events.csv"


def _unprivileged() -> list[str]:
    """The command prefix that runs a process without the right to ignore file modes."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot drop the right to write read-only files")
    probe = subprocess.run(["setpriv", "--bounding-set=-all", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot drop capabilities here: {probe.stderr.decode(errors='replace')[:200]}")
    return ["setpriv", "--bounding-set=-all"]


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store of the seed events in WAL mode, the file mode 444 in a folder of mode 555."""
    folder = tmp_path_factory.mktemp("readonly")
    path = folder / "events.gpkg"
    store = GeoPackageStore(path)
    events, _ = read_events(SEED)
    store.import_events(events, source="seed")
    store.close()
    for extra in folder.iterdir():
        if extra != path:
            extra.unlink()
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(0o555)
    yield path
    folder.chmod(0o755)
    path.chmod(0o644)


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [*_unprivileged(), sys.executable, *args], capture_output=True, text=True, check=False, env=env, cwd=cwd
    )


def test_stats_and_export_work(sealed: Path, tmp_path: Path) -> None:
    stats = _run("-m", "conflictmap", "db", "stats", "--store", str(sealed))
    assert stats.returncode == 0, stats.stderr
    assert "events: 5 active" in stats.stdout
    tmp_path.chmod(0o777)
    out = tmp_path / "out.csv"
    export = _run("-m", "conflictmap", "db", "export", str(out), "--store", str(sealed))
    assert export.returncode == 0, export.stderr
    assert len(pd.read_csv(out)) == 5


@pytest.mark.parametrize(
    "command",
    [["db", "import", str(SEED)], ["db", "delete", "ML-SEED-1", "--reason", "test"]],
    ids=["import", "delete"],
)
def test_writes_are_refused_in_one_line(sealed: Path, command: list[str]) -> None:
    done = _run("-m", "conflictmap", *command, "--store", str(sealed))
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "read-only" in lines[0] and "refused" in lines[0]
    assert "Traceback" not in done.stderr and "sqlite3" not in done.stderr


def test_the_store_says_it_is_read_only(sealed: Path) -> None:
    script = (
        "import sys\n"
        "from conflictmap.store import GeoPackageStore, StoreReadOnlyError\n"
        f"store = GeoPackageStore({str(sealed)!r})\n"
        "print(store.writable, len(store.query()))\n"
        "print(store.read_only_reason)\n"
        "try:\n"
        "    store.delete_event('x', reason='y')\n"
        "except StoreReadOnlyError as exc:\n"
        "    print('refused')\n"
    )
    done = _run("-c", script)
    assert done.returncode == 0, done.stderr
    first, reason, refused = done.stdout.strip().splitlines()
    assert first == "False 5"
    assert "read-only" in reason
    assert refused == "refused"


def test_a_writable_store_says_so(tmp_path: Path) -> None:
    store = GeoPackageStore(tmp_path / "events.gpkg")
    assert store.writable and store.read_only_reason is None
    store.close()


@pytest.fixture
def reader_url(pg_cluster) -> Iterator[str]:
    url = pg_cluster.new_database()
    store = PostGISStore(url)
    events, _ = read_events(SEED)
    store.import_events(events, source="seed")
    store.close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS cm_reader")
        conn.execute("CREATE ROLE cm_reader LOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA {DEFAULT_SCHEMA} TO cm_reader")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {DEFAULT_SCHEMA} TO cm_reader")
    yield url.replace("postgres@", "cm_reader@")
    pg_cluster.drop_database(url)
    with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS cm_reader")


def test_a_role_that_may_only_read_gets_a_read_only_store(reader_url: str) -> None:
    store = PostGISStore(reader_url, create=False)
    try:
        assert not store.writable
        assert "read-only for this role" in store.read_only_reason
        assert len(store.query()) == 5
        with pytest.raises(StoreReadOnlyError, match="refused"):
            store.import_file(SEED)
    finally:
        store.close()


def test_the_page_views_read_a_read_only_store(sealed: Path) -> None:
    script = (
        "from conflictmap.filters import FilterSpec\n"
        "from conflictmap.pageviews import DatabaseViews\n"
        "from conflictmap.store import GeoPackageStore\n"
        f"store = GeoPackageStore({str(sealed)!r})\n"
        "views = DatabaseViews(store)\n"
        "spec = FilterSpec()\n"
        "views.choices(); views.headline(spec); views.timeline(spec)\n"
        "layer = views.map_layer(spec, 'auto', None, None)\n"
        "print(views.size(), len(views.table(spec, 10, None)), store.writable)\n"
        "views.close()\n"
    )
    done = _run("-c", script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["5", "5", "False"]

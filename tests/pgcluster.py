"""A throwaway PostgreSQL + PostGIS cluster for the tests: initdb into a temporary folder, serve on 127.0.0.1.

``Cluster.start()`` runs ``initdb`` and ``pg_ctl start`` (which waits until the
server accepts connections), creates a template database with PostGIS, and
``new_database()`` clones it for each test. PostgreSQL refuses to run as root,
so when the tests run as root the cluster runs as the ``postgres`` OS user
(Debian's packages create it) through ``runuser``.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from appserver import free_port

#: Where Debian's packages put the server programs; the newest version with PostGIS wins.
PG_ROOT = Path("/usr/lib/postgresql")
EXTENSION_DIR = Path("/usr/share/postgresql")
TEMPLATE = "conflictmap_template"
SERVER_SETTINGS = (
    # A test cluster needs no durability: skipping fsync makes CREATE DATABASE and commits cheap.
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=40 -c shared_buffers=64MB -c listen_addresses=127.0.0.1"
)


class ClusterUnavailable(RuntimeError):
    """The PostgreSQL server programs or the PostGIS extension are not installed."""


def find_bindir() -> Path:
    """The ``bin`` folder of the newest installed PostgreSQL that has PostGIS.

    Raises
    ------
    ClusterUnavailable
        Naming what is missing and the Debian packages that provide it.
    """
    versions = sorted(
        (p for p in PG_ROOT.glob("*") if p.name.isdigit() and (p / "bin" / "initdb").exists()),
        key=lambda p: int(p.name),
        reverse=True,
    )
    if not versions:
        raise ClusterUnavailable(f"no PostgreSQL server under {PG_ROOT} (Debian packages postgresql-15)")
    for version in versions:
        if (EXTENSION_DIR / version.name / "extension" / "postgis.control").exists():
            return version / "bin"
    raise ClusterUnavailable(
        f"PostgreSQL {versions[0].name} has no PostGIS (Debian package postgresql-{versions[0].name}-postgis-3)"
    )


@dataclass
class Cluster:
    """One PostgreSQL server on 127.0.0.1 serving from a temporary folder."""

    bindir: Path = field(default_factory=find_bindir)
    root: Path | None = None
    port: int = 0
    running: bool = False
    _count: int = 0

    def _as_server_user(self, *command: str) -> list[str]:
        if os.geteuid() != 0:
            return list(command)
        return ["runuser", "-u", "postgres", "--", *command]

    def _run(self, *command: str) -> None:
        done = subprocess.run(self._as_server_user(*command), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = self.root / "server.log" if self.root else None
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}{done.stdout}\n{tail}")

    def start(self) -> Cluster:
        """Create the cluster, start it and make the PostGIS template database."""
        self.root = Path(tempfile.mkdtemp(prefix="conflictmap-pg-"))
        if os.geteuid() == 0:
            server_user = pwd.getpwnam("postgres")
            os.chown(self.root, server_user.pw_uid, server_user.pw_gid)
        data = self.root / "data"
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self.port = free_port()
        options = f"{SERVER_SETTINGS} -p {self.port} -k {self.root}"
        log = str(self.root / "server.log")
        # -w: pg_ctl returns once the server accepts connections.
        self._run(str(self.bindir / "pg_ctl"), "-D", str(data), "-l", log, "-o", options, "-w", "-t", "60", "start")
        self.running = True
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        with psycopg.connect(self.url(TEMPLATE), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
        return self

    def url(self, database: str) -> str:
        """The connection URL of ``database`` on this cluster."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh database with PostGIS installed; returns its URL."""
        self._count += 1
        name = f"test_{self._count}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by ``new_database`` (its connections are closed first)."""
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        """Stop the server at once and delete its folder."""
        if self.running:
            data = str(self.root / "data")
            self._run(str(self.bindir / "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
            self.running = False
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None


_shared: Cluster | None = None
_users = 0


def require_cluster() -> Cluster:
    """The cluster of this test run, started on first use.

    Skips (locally) or fails (under ``CI=true``) with the reason when PostgreSQL or PostGIS is not installed.
    """
    global _shared
    if _shared is None:
        try:
            cluster = Cluster()
        except ClusterUnavailable as exc:
            reason = f"no PostgreSQL with PostGIS to test against: {exc}"
            if os.environ.get("CI") == "true":
                pytest.fail(reason)
            pytest.skip(reason)
        _shared = cluster.start()
        atexit.register(_shared.stop)
    return _shared


def session_cluster() -> Iterator[Cluster]:
    """Body of a session fixture: the shared cluster, stopped after the last module using it is done.

    The ``pg_cluster`` fixture of conftest.py is ``yield from session_cluster()``.
    """
    global _shared, _users
    cluster = require_cluster()
    _users += 1
    yield cluster
    _users -= 1
    if _users == 0:
        cluster.stop()
        _shared = None

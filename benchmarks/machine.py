"""The machine and software a run measured: CPU, cores, memory, versions, the code's commit, the load."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata

from benchmarks.measure import ROOT

PACKAGES = ("pandas", "numpy", "pyarrow", "geopandas", "shapely", "folium", "streamlit", "streamlit-folium")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_bytes() -> int:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _command(*args: str) -> str:
    try:
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages."""
    return os.getloadavg()


def machine_info() -> dict[str, object]:
    """Everything the report says about where and on what it ran."""
    commit = _command("git", "rev-parse", "--short", "HEAD")
    dirty = bool(_command("git", "status", "--porcelain", "--untracked-files=no"))
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "memory_bytes": _memory_bytes(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": {p: _version(p) for p in PACKAGES},
        "chromium": _command("/usr/bin/chromium", "--version"),
        "commit": commit + (" with uncommitted changes" if dirty else ""),
        "load_at_start": load_average(),
    }

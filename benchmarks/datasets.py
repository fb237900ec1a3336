"""The synthetic event files the benchmark runs on, made with the ``conflictmap`` command line and kept between runs.

A file's name carries N, the seed and a fingerprint of the generator's source,
so a changed generator makes new files instead of reusing stale ones.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import ROOT, run_with_rusage

SEED = 0
GENERATOR = ROOT / "src" / "conflictmap" / "synth.py"


@dataclass
class Dataset:
    """The files for one size: GeoParquet always, the CSV export on demand."""

    n: int
    parquet: Path
    generated_s: float | None = None
    #: Peak memory of ``conflictmap import`` writing the CSV, when this run wrote it.
    export_peak: int | None = None

    @property
    def csv(self) -> Path:
        return self.parquet.with_suffix(".csv")


def _fingerprint() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:10]


def _cli(*args: str) -> int:
    """Run ``conflictmap ARGS``; its peak memory."""
    result = run_with_rusage([sys.executable, "-m", "conflictmap", *args])
    if result.code != 0:
        raise RuntimeError(f"conflictmap {' '.join(args)} failed: {result.failure()}")
    return result.peak_rss


def ensure_parquet(n: int, data_dir: Path, seed: int = SEED) -> Dataset:
    """The GeoParquet file of ``n`` synthetic events, written with ``conflictmap synth`` if it is not there yet."""
    data_dir.mkdir(parents=True, exist_ok=True)
    stem = f"synth-{n}-s{seed}"
    path = data_dir / f"{stem}-{_fingerprint()}.parquet"
    if path.exists():
        return Dataset(n, path)
    for stale in data_dir.glob(f"{stem}-*"):
        stale.unlink()
    partial = path.with_name(path.stem + ".partial.parquet")
    result = run_with_rusage(
        [sys.executable, "-m", "conflictmap", "synth", str(n), "-o", str(partial), "--seed", str(seed)]
    )
    if result.code != 0:
        raise RuntimeError(f"conflictmap synth {n} failed: {result.failure()}")
    partial.rename(path)
    return Dataset(n, path, generated_s=result.seconds)


def ensure_csv(dataset: Dataset) -> Path:
    """The same events as a canonical CSV (``conflictmap import``), the file a user would start from."""
    if not dataset.csv.exists():
        partial = dataset.csv.with_name(dataset.csv.stem + ".partial.csv")
        dataset.export_peak = _cli("import", str(dataset.parquet), "-o", str(partial))
        partial.rename(dataset.csv)
    return dataset.csv

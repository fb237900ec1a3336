"""Timing statistics, memory readings from /proc, child processes with their peak memory, and file eviction."""

from __future__ import annotations

import json
import os
import selectors
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


@dataclass
class Sample:
    """Repeated measurements of a wall time (seconds), with the CPU time each run used where known."""

    values: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def quartiles(self) -> tuple[float, float]:
        """First and third quartile (both the single value when there is one run)."""
        if len(self.values) < 2:
            return (self.values[0], self.values[0])
        q = statistics.quantiles(self.values, n=4, method="inclusive")
        return (q[0], q[2])

    def as_dict(self) -> dict[str, object]:
        q1, q3 = self.quartiles()
        return {
            "runs": len(self.values),
            "median": self.median,
            "min": self.low,
            "max": self.high,
            "q1": q1,
            "q3": q3,
            "values": self.values,
            "cpu_median": statistics.median(self.cpu) if self.cpu else None,
            "cpu": self.cpu,
        }


def proc_status(pid: int | str = "self") -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` (peak resident memory) of a process, in bytes; empty if it is gone."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(value.split()[0]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        return {}
    return out


def reset_peak_memory() -> bool:
    """Reset this process's peak resident memory to the current one (Linux 4.0+); whether it worked."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def timed(call: Callable[[], object], runs: int, warmup: int = 0) -> tuple[Sample, object, dict[str, int]]:
    """Run ``call`` ``warmup`` times untimed, then ``runs`` times timed (wall and CPU time of this process).

    Returns
    -------
    (Sample, last result, memory)
        ``memory`` holds ``rss_before`` and ``peak_rss`` (bytes) over the timed runs.
    """
    result = None
    for _ in range(warmup):
        result = call()
    result = None
    reset_peak_memory()
    before = proc_status().get("VmRSS", 0)
    sample = Sample()
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        result = call()
        sample.values.append(time.perf_counter() - start)
        sample.cpu.append(time.process_time() - cpu)
    return sample, result, {"rss_before": before, "peak_rss": proc_status().get("VmHWM", 0)}


def evict_from_page_cache(path: Path) -> None:
    """Ask the kernel to drop ``path``'s pages from its cache, so the next read comes from disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


@dataclass
class ChildResult:
    """What a child process printed, how it ended and its peak resident memory."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int
    cpu_s: float = 0.0

    def last_json(self) -> dict:
        """The JSON object on the child's last non-empty output line."""
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        if self.code != 0 or not lines:
            raise RuntimeError(self.failure())
        return json.loads(lines[-1])

    def failure(self) -> str:
        """A one-paragraph account of a failed child."""
        tail = (self.stderr.strip() or self.stdout.strip()).splitlines()[-8:]
        return f"exit code {self.code}: " + " | ".join(tail)


def run_worker(task: str, *args: str, env: dict[str, str] | None = None, timeout: float = 3600) -> ChildResult:
    """Run ``python -m benchmarks.worker TASK ARGS...`` and return its result with its peak memory."""
    command = [sys.executable, "-m", "benchmarks.worker", task, *args]
    return run_with_rusage(command, env=env, timeout=timeout)


def run_with_rusage(command: Sequence[str], env: dict[str, str] | None = None, timeout: float = 3600) -> ChildResult:
    """Run a command to the end: its output, wall time and peak resident memory (``ru_maxrss`` from ``os.wait4``)."""
    start = time.perf_counter()
    process = subprocess.Popen(list(command), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        stdout, stderr = _communicate_without_reaping(process, timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = _communicate_without_reaping(process, None)
        stderr += f"\ntimed out after {timeout:.0f} s"
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return ChildResult(process.returncode, stdout, stderr, seconds, usage.ru_maxrss * 1024, cpu)


def _communicate_without_reaping(process: subprocess.Popen[bytes], timeout: float | None) -> tuple[str, str]:
    """Read the child's output until it closes its pipes (it then exits); leave the exit status to ``wait4``."""
    deadline = None if timeout is None else time.monotonic() + timeout
    chunks: dict[int, list[bytes]] = {1: [], 2: []}
    with selectors.DefaultSelector() as selector:
        assert process.stdout is not None and process.stderr is not None
        selector.register(process.stdout, selectors.EVENT_READ, 1)
        selector.register(process.stderr, selectors.EVENT_READ, 2)
        while selector.get_map():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(process.args, timeout or 0)
            for key, _ in selector.select(left):
                data = os.read(key.fileobj.fileno(), 1 << 16)  # type: ignore[union-attr]
                if not data:
                    selector.unregister(key.fileobj)
                    continue
                chunks[key.data].append(data)
    return (b"".join(chunks[1]).decode(errors="replace"), b"".join(chunks[2]).decode(errors="replace"))

"""A small sampling profiler: which functions a step spends its time in, across every thread.

cProfile sees only the thread that starts it, while Streamlit's AppTest runs
the page in a thread of its own; sampling every thread's stack covers both.
Each function gets its *inclusive* share (the share of sampling ticks with it
anywhere on a busy thread's stack, about its share of the wall time) and its
*self* share (ticks with it on top).
"""

from __future__ import annotations

import collections
import functools
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from benchmarks.measure import ROOT

INTERVAL_S = 0.002
_SITE = "site-packages/"


def _where(frame: FrameType) -> str:
    code = frame.f_code
    return _name(code.co_filename, code.co_firstlineno, code.co_name)


@functools.lru_cache(maxsize=1 << 14)
def _name(path: str, line: int, function: str) -> str:
    """``file:line(function)``, the file relative to site-packages or the project."""
    if _SITE in path:
        path = path.split(_SITE, 1)[1]
    else:
        try:
            path = str(Path(path).resolve().relative_to(ROOT))
        except ValueError:
            path = Path(path).name
    return f"{path}:{line}({function})"


class Sampler:
    """Samples the stacks of every thread but its own while running; use as a context manager."""

    def __init__(self, interval: float = INTERVAL_S) -> None:
        self.interval = interval
        self.samples = 0
        self.ticks = 0
        self.inclusive: collections.Counter[str] = collections.Counter()
        self.own: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.is_set():
            self.ticks += 1
            for ident, frame in sys._current_frames().items():
                if ident == me or _idle(frame):
                    continue
                self.samples += 1
                self.own[_where(frame)] += 1
                seen: set[str] = set()
                node: FrameType | None = frame
                while node is not None:
                    name = _where(node)
                    if name not in seen:
                        seen.add(name)
                        self.inclusive[name] += 1
                    node = node.f_back
            time.sleep(self.interval)

    def top(self, limit: int = 8, only: tuple[str, ...] = ()) -> dict[str, list[tuple[str, float]]]:
        """The busiest functions: ``{"self": [...], "inclusive": [...]}`` as (function, share of samples).

        ``only`` keeps inclusive entries whose location contains one of its strings.
        """
        total = max(self.ticks, 1)
        skip = ("benchmarks/", "threading.py", "<string>")
        inclusive = [
            (name, count / total)
            for name, count in self.inclusive.most_common()
            if not any(s in name for s in skip) and (not only or any(o in name for o in only))
        ]
        own = [(name, count / total) for name, count in self.own.most_common(limit)]
        return {"self": own, "inclusive": inclusive[:limit]}


_WAITING = frozenset(
    # AppTest's main thread polls for the script thread in require_widgets_deltas.
    ("wait", "select", "poll", "_wait_for_tstate_lock", "accept", "epoll", "sleep", "require_widgets_deltas")
)


def _idle(frame: FrameType) -> bool:
    """Threads parked in a wait (server loops, pools) are not doing the work being measured."""
    code = frame.f_code
    return code.co_name in _WAITING or (code.co_name == "run" and "asyncio" in code.co_filename)


#: Where our own code lives: the package and the page.
OURS = ("src/conflictmap/", "dashboard.py")


def summary(sampler: Sampler, seconds: float) -> dict[str, object]:
    """What the report keeps of a profile: wall time, busiest functions overall (self) and of ours (inclusive)."""
    return {
        "seconds": seconds,
        "samples": sampler.samples,
        "self": sampler.top()["self"],
        "inclusive": sampler.top(only=OURS)["inclusive"],
        "inclusive_all": sampler.top()["inclusive"],
    }


def profile(call: Callable[[], object]) -> dict[str, object]:
    """Run ``call`` once under the sampler; its wall time and busiest functions."""
    with Sampler() as sampler:
        start = time.perf_counter()
        call()
        seconds = time.perf_counter() - start
    return summary(sampler, seconds)

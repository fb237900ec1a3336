"""The dashboard served on 127.0.0.1 and the headless Chromium that visits it, for the browser tests and the benchmark.

``start_app`` runs ``streamlit run dashboard.py`` on a free port with the given
``CONFLICTMAP_*`` settings (none of the caller's own) and returns once its health
check answers; ``CHROMIUM`` and ``CHROMIUM_ARGS`` launch Debian's Chromium with
nothing that would reach the internet on its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class AppStartError(RuntimeError):
    """The dashboard exited or did not answer in time; the message ends with its output."""


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    """Whether the Streamlit server at ``url`` answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@dataclass
class RunningApp:
    """A ``streamlit run dashboard.py`` process and its URL."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self, timeout_s: float = 20) -> None:
        """Terminate the server, then kill it if it does not exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout_s)


def start_app(log_dir: Path, settings: Mapping[str, str], timeout_s: float) -> RunningApp:
    """Start the dashboard on a free port with ``settings`` and return once it answers.

    Raises
    ------
    AppStartError
        If it exits or is not healthy after ``timeout_s`` seconds (it is stopped then).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTMAP_")} | dict(settings)
    log = log_dir / f"streamlit-{port}.log"
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py"]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    app = RunningApp(url, process, log)
    deadline = time.monotonic() + timeout_s
    while not healthy(url):
        try:
            # Waiting on the process both paces the polling and notices if it died.
            code = process.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None or time.monotonic() > deadline:
            app.stop()
            reason = f"exited with {code}" if code is not None else f"not healthy after {timeout_s:g} s"
            raise AppStartError(f"streamlit {reason}; its output:\n{log.read_text(errors='replace')[-3000:]}")
    return app

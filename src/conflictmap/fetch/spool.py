"""What a download keeps on disk: the pages received so far (to resume) and when each query last ran.

Both live in ``CONFLICTMAP_FETCH_DIR``:

- ``<query key>.since-<since>.pages.jsonl``: one line per page received, written and
  flushed to disk before the next page is asked for. A download that is
  killed resumes after the last whole line; a half-written last line is
  dropped (its page is asked for again). The file is removed once the pages
  are stored.
- ``last-runs.json``: per query and target, the newest ACLED ``timestamp``
  (or UCDP version) the last finished run stored, so the next run asks only
  for what changed since.

Neither holds a credential: only the query (source, country, version, since)
and the rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from conflictmap import settings

STATE_FILE = "last-runs.json"


def fetch_dir(folder: str | Path | None = None) -> Path:
    """The folder for pages and run state: ``folder`` or ``CONFLICTMAP_FETCH_DIR``, created if needed."""
    path = Path(folder if folder is not None else settings.get("CONFLICTMAP_FETCH_DIR"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def query_key(query: Mapping[str, object], target: str) -> str:
    """A file-name-safe key for one query into one target (store or file)."""
    text = json.dumps({"query": dict(query), "target": target}, sort_keys=True)
    words = "-".join(str(query.get(k)) for k in ("source", "country", "version") if query.get(k))
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", words).strip("-")[:60]
    return f"{slug}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


@dataclass
class Spool:
    """The pages of one download received so far, by kind (``events``, ``deleted``)."""

    path: Path

    def load(self) -> dict[str, dict[int, dict[str, object]]]:
        """``{kind: {page number: {"rows": [...], "last": bool}}}`` from the whole lines on disk."""
        out: dict[str, dict[int, dict[str, object]]] = {}
        if not self.path.exists():
            return out
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                if not line.endswith("\n"):
                    break  # the page being written when the download stopped
                try:
                    item = json.loads(line)
                except json.JSONDecodeError:
                    break
                out.setdefault(item["kind"], {})[int(item["page"])] = {"rows": item["rows"], "last": item["last"]}
        return out

    def add(self, kind: str, page: int, rows: list[dict[str, object]], last: bool) -> None:
        """Append one page and make sure it is on disk before going on."""
        line = json.dumps({"kind": kind, "page": page, "last": last, "rows": rows}, ensure_ascii=False)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def remove(self) -> None:
        """Forget the pages (they are stored)."""
        self.path.unlink(missing_ok=True)


def read_state(folder: Path) -> dict[str, dict[str, object]]:
    """Every query's last finished run; an unreadable state file counts as none (a full download follows)."""
    path = folder / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(folder: Path, key: str, entry: Mapping[str, object]) -> None:
    """Record one query's finished run (written to a new file, then moved over the old one)."""
    state = read_state(folder)
    state[key] = dict(entry)
    tmp = folder / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder / STATE_FILE)

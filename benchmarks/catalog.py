"""The dashboard's dataset catalog, when the package has one: opening a file through it, first and cached.

The catalog keeps a GeoParquet cache of each imported file; opening the same
file again reads the cache. Its cache folder is pointed at a temporary one so
a run never touches the user's (or leaves a cache beside the benchmark's data).
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

MODULE = "conflictmap.catalog"
#: Names the loader may have, in the order they are tried.
LOADERS = ("open_events", "load_events", "open_dataset", "load_dataset", "load")


def _loader():
    try:
        module = importlib.import_module(MODULE)
    except ImportError:
        return None, f"not available yet: {MODULE} does not exist"
    for name in LOADERS:
        found = getattr(module, name, None)
        if callable(found):
            return found, f"{MODULE}.{name}"
    return None, f"{MODULE} has none of {', '.join(LOADERS)}"


def probe() -> dict[str, object]:
    """Which loader would be measured (``loader`` is None when there is none, with a ``note`` saying why)."""
    loader, what = _loader()
    if loader is None:
        return {"loader": None, "note": what}
    return {"loader": what, "signature": str(inspect.signature(loader))}


def loader_with_cache(cache_dir: Path):
    """The catalog's open with its cache in ``cache_dir``: ``open(path) -> (events, report)``.

    Raises
    ------
    RuntimeError
        If there is no catalog loader.
    """
    loader, what = _loader()
    if loader is None:
        raise RuntimeError(what)
    parameters = inspect.signature(loader).parameters
    kwargs = {name: cache_dir for name in ("cache_dir", "cache") if name in parameters}
    return lambda path: loader(path, **kwargs)


def default_loader():
    """``(open, name)``: the catalog's open with its cache beside the file, else ``readers.read_events``."""
    loader, what = _loader()
    if loader is None:
        from conflictmap.readers import read_events

        return read_events, "conflictmap.readers.read_events"
    return loader, what


def prime(path: Path) -> dict[str, object]:
    """Open ``path`` through the catalog with its default cache, as the page's first start leaves it.

    Returns ``{"loader": None, ...}`` when there is no catalog.
    """
    loader, what = _loader()
    if loader is None:
        return {"loader": None, "note": what}
    loader(path)
    return {"loader": what}

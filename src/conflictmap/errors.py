"""The root of every error conflictmap raises on purpose.

``except ConflictmapError`` catches them all: bad input files, filters,
store problems, exports. Each specific error also keeps the built-in base it
has always had (``ValueError``, ``LookupError`` ...), so code that catches
those still works. This module imports nothing from the package, so any
module can use it.
"""

from __future__ import annotations

__all__ = ["ConflictmapError"]


class ConflictmapError(Exception):
    """Base class of conflictmap's own errors; its message is meant for the user."""

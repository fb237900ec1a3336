"""Image export options, kept apart from the renderer so that reading them does not load matplotlib."""

from __future__ import annotations

from conflictmap.errors import ConflictmapError

#: Resolution of a PNG when neither ``dpi`` nor ``width_px`` is given (1754 x 1240 pixels).
DEFAULT_DPI = 150
#: Accepted PNG resolutions.
DPI_RANGE: tuple[int, int] = (50, 600)
WIDTH_RANGE: tuple[int, int] = (400, 8000)
IMAGE_KINDS: tuple[str, ...] = ("png", "pdf", "svg")


class ImageOptionError(ConflictmapError, ValueError):
    """An image option (resolution, mode, format) is out of range; the message gives the range."""

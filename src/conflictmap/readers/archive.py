"""Zip archives (Excel workbooks) checked before anything is unpacked: no zip bomb gets inflated.

A workbook is a zip archive of XML files. A small one can unpack to gigabytes
(a "zip bomb"); reading it would take minutes and all the memory. Before a
workbook is opened, its directory is read (instant, whatever the size) and the
archive is refused when the members' declared sizes add up to more than
``CONFLICTMAP_ZIP_MAX_MB``, or a large member packs better than
``CONFLICTMAP_ZIP_MAX_RATIO`` (real sheets pack 5-30 times; bombs thousands).

A member whose header declares a small size but whose data inflate to more
cannot slip through: Python's ``zipfile`` stops every member at its declared
size (and then fails its checksum), so the declared sizes bound what is read.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from conflictmap import settings
from conflictmap.messages import shorten
from conflictmap.readers.report import UnreadableFileError

#: Members smaller than this are not held to the ratio: they cannot exhaust anything.
RATIO_FLOOR = 10 * 1024 * 1024
#: More members than this is no workbook (a real one has tens).
MAX_MEMBERS = 10_000


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB"


def check_archive(path: Path, what: str = "workbook") -> None:
    """Refuse a zip archive that would unpack to too much, from its directory alone.

    Parameters
    ----------
    path : pathlib.Path
        The archive.
    what : str
        What the archive is, for the message.

    Raises
    ------
    UnreadableFileError
        One line naming the file, its size and the limit it passes, e.g. ``"book.xlsx
        would unpack from 262 KB to 256 MB (1,000 times); refused as a zip bomb ..."``.
    """
    max_bytes, max_ratio = settings.zip_limits()
    name = shorten(path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFileError(
            f"{name} is not an Excel {what} that can be opened: it is damaged, or another kind of file; "
            "expected an .xlsx workbook as Excel or LibreOffice saves it"
        ) from None
    if len(members) > MAX_MEMBERS:
        raise UnreadableFileError(f"{name} holds {len(members):,} files; an Excel {what} holds tens. Refused.")
    packed = sum(m.compress_size for m in members)
    unpacked = sum(m.file_size for m in members)
    if unpacked > max_bytes:
        raise UnreadableFileError(
            f"{name} would unpack from {_mb(packed)} to {_mb(unpacked)}, more than the {_mb(max_bytes)} "
            "allowed (setting CONFLICTMAP_ZIP_MAX_MB); refused"
        )
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > max_ratio * max(member.compress_size, 1):
            ratio = member.file_size / max(member.compress_size, 1)
            raise UnreadableFileError(
                f"{name} would unpack {shorten(member.filename, 60)} from {member.compress_size:,} bytes to "
                f"{_mb(member.file_size)} ({ratio:,.0f} times; real sheets pack less than {max_ratio:g} times, "
                "setting CONFLICTMAP_ZIP_MAX_RATIO): refused as a zip bomb"
            )

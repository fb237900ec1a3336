"""A file's rows as read, before any format is applied: values, row numbers, container."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: ``progress(done, total)``: lines of a text file, rows of a workbook, features of a geodata file.
Progress = Callable[[int, int], None]

_BLANKS = re.compile(r"\s+")


def normalise_column(name: object) -> str:
    """A header as the readers compare it: no BOM, no surrounding blanks, lower case, ``_`` for blanks."""
    text = str(name).replace("\ufeff", "").strip().lower()
    return _BLANKS.sub("_", text)


def tidy_columns(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """``frame`` with normalised headers; of two columns that normalise alike the first is kept (and noted)."""
    names = pd.Index([normalise_column(c) for c in frame.columns])
    twice = names.duplicated()
    for original, name in zip(frame.columns[twice], names[twice], strict=True):
        notes.append(f"column {original!r} repeats {name!r}: the first of them is used")
    frame = frame.loc[:, ~twice]
    frame.columns = names[~twice]
    return frame


@dataclass
class RawTable:
    """The rows of a file as read.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per data row, headers normalised (``normalise_column``). Values
        are text for CSV and XLSX, typed as stored for GeoJSON, GeoPackage and
        GeoParquet.
    rows : numpy.ndarray
        The row number a person sees for each row of ``frame``: the spreadsheet
        row (header = 1) or the feature number.
    container : str
        ``csv``, ``xlsx``, ``geojson``, ``gpkg`` or ``parquet``.
    unreadable : list of tuple
        ``(row, reason)`` for rows the file itself could not split into
        values (a line with too many fields); they are not in ``frame``.
    flagged : list of tuple
        ``(position, column, value, reason)`` for rows of ``frame`` already
        unusable (a feature whose geometry is not a point).
    notes : list of str
        Things worth telling about how the file was read (encoding, CRS).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    container: str
    unreadable: list[tuple[int, str]] = field(default_factory=list)
    flagged: list[tuple[int, str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

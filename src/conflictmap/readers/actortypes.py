"""ACLED's actor types and interactions, written as codes or as text, onto one set of labels.

``inter1``/``inter2`` are codes 1-8 in files made before 2023 and labels
("Political militia") since; ``interaction`` is a two-digit code (17, 60)
or text ("State forces-Civilians", "Protesters only"). Both become the
labels of ``schema.ACTOR_TYPES`` and ``schema.INTERACTIONS``. Older
spellings ("Rebel groups", "Communal militia", "Other forces") are read too.
A value that is none of these is kept as written and the report says so:
no row is lost over an actor type.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from conflictmap import schema
from conflictmap.readers import values as parse

#: Spellings of each actor type (case and blanks do not matter), besides the label and its code.
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "State forces": ("state force",),
    "Rebel group": ("rebel groups", "rebels", "rebel"),
    "Political militia": ("political militias",),
    "Identity militia": (
        "identity militias",
        "communal militia",
        "communal militias",
        "ethnic militia",
        "ethnic militias",
        "communal/identity militia",
        "identity/communal militia",
    ),
    "Rioters": ("rioter",),
    "Protesters": ("protester", "protestors", "protestor"),
    "Civilians": ("civilian",),
    "External/Other forces": (
        "other forces",
        "external forces",
        "external/other force",
        "outside/external force",
        "outside/external forces",
    ),
}
WORDS: dict[str, str] = {}
for _code, _label in enumerate(schema.ACTOR_TYPES, start=1):
    WORDS[_label.casefold()] = _label
    WORDS[str(_code)] = _label
    for _spelling in _SPELLINGS[_label]:
        WORDS[_spelling] = _label
#: Written for "no second actor".
_NONE = frozenset({"0", "none", "no actor", ""})
_CODE = re.compile(r"^(\d)(\d)(?:\.0+)?$")
_ONE_CODE = re.compile(r"^(\d)(?:\.0+)?$")


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def actor_type(text: str | None) -> tuple[str | None, bool]:
    """One written actor type as its label; ``(label or None, understood)``."""
    if text is None:
        return None, True
    folded = _fold(text)
    if match := _ONE_CODE.match(folded):
        folded = match.group(1)
    if folded in _NONE:
        return None, True
    label = WORDS.get(folded)
    return (label, True) if label else (None, False)


def interaction(text: str | None) -> tuple[str | None, bool]:
    """One written interaction as its label; ``(label or None, understood)``."""
    if text is None:
        return None, True
    folded = _fold(text)
    if folded in _NONE:
        return None, True
    if match := _CODE.match(folded):
        first, second = (int(d) for d in match.groups())
        if not 1 <= first <= 8 or second > 8:
            return None, False
        types = [schema.ACTOR_TYPES[first - 1], None if second == 0 else schema.ACTOR_TYPES[second - 1]]
        return schema.interaction_label(*types), True
    if folded.endswith(" only"):
        label, known = actor_type(folded.removesuffix(" only"))
        return (f"{label} only", True) if known and label else (None, False)
    # The codebook writes an en dash ("Rebel group – Civilians"); exports a hyphen.
    for sep in ("\u2013", "\u2014", " - ", "-", " vs ", " versus "):
        if sep in folded:
            left, right = folded.split(sep, 1)
            a, known_a = actor_type(left)
            b, known_b = actor_type(right)
            if known_a and known_b and a and b:
                return schema.interaction_label(a, b), True
    return None, False


def _by_distinct(values: pd.Series, read) -> tuple[pd.Series, pd.Series]:
    """``read`` applied once per distinct text; labels (object) and True where the text was not understood."""
    codes, uniques = parse.distinct(values)
    results = [read(u) for u in uniques]
    labels = np.array([r[0] for r in results] + [None], dtype=object)
    unknown = np.array([not r[1] for r in results] + [False])
    return pd.Series(labels[codes], index=values.index), pd.Series(unknown[codes], index=values.index)


def actor_types(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Labels of a column of actor types (codes or text), and where a written value is not one."""
    return _by_distinct(values, actor_type)


def interactions(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Labels of a column of interactions (codes or text), and where a written value is not one."""
    return _by_distinct(values, interaction)

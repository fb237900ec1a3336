"""Region names merged across datasets: one region key for every spelling of a region.

ACLED writes "Tombouctou" and "Segou", the seed events and the gazetteer
"Timbuktu", a French source "Ségou" or "Région de Ségou", and a file made after
Mali's 2023 reform names the new regions ("Taoudénit", "Bandiagara", "San").
All of them are one region: ``region_key`` gives each spelling the key of the
region ACLED uses (``gazetteer.canonical_admin1``, from ``data/admin1.csv``:
the new regions count as the region they were carved out of, as ACLED codes
them). A name that is no region of Mali (another country's, or one missing from
the table) keeps a key of its own, its folded form, so "Tillabéri" and
"Tillaberi" still merge.

``fold`` is the accent-free, case-free form names are compared in; pickers use
``matches`` with it, so typing "seg" or "Ség" finds Ségou.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from conflictmap import gazetteer


def fold(text: str) -> str:
    """A name for comparing: accents dropped, case folded, runs of blanks as one space.

    Parameters
    ----------
    text : str
        Any name.

    Returns
    -------
    str
        ``"Ségou "`` -> ``"segou"``, ``"TOMBOUCTOU"`` -> ``"tombouctou"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


@functools.cache
def _names() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Region key -> (shown name, every spelling to search) for Mali's regions."""
    out = {}
    for region in gazetteer.regions():
        # "Timbuktu / Tombouctou", "Segou / Ségou": a picker's own search then finds either form.
        shown = region.admin1 if region.french == region.admin1 else f"{region.admin1} / {region.french}"
        out[fold(region.admin1)] = (shown, (region.admin1, region.french, *region.aliases))
    return out


@functools.lru_cache(maxsize=1 << 14)
def region_key(name: object) -> str | None:
    """The region key of a region name in any spelling; ``None`` for a missing or blank name.

    Parameters
    ----------
    name : str
        An ``admin1`` value or a name typed or linked (``?region=Timbuktu``).

    Returns
    -------
    str or None
        ``"timbuktu"`` for "Tombouctou", "Timbuktu", "Région de Tombouctou" or "Taoudénit";
        the folded name (punctuation as spaces) for a region not of Mali.
    """
    if name is None or not isinstance(name, str):
        return None
    # The gazetteer's folding: punctuation counts as a space too ("Centre-Nord" = "Centre Nord").
    folded = gazetteer.normalize(name)
    if not folded:
        return None
    canonical = gazetteer.canonical_admin1(name)
    return fold(canonical) if canonical else folded


def region_name(key: str) -> str:
    """How a region key is shown: ACLED's name with the French one when it differs ("Timbuktu / Tombouctou").

    A key of no Mali region is shown as it is; give ``region_choices`` the data to show its spelling.
    """
    known = _names().get(key)
    return known[0] if known else key


def region_spellings(key: str) -> tuple[str, ...]:
    """Every spelling the alias table knows for a region key (empty for a region not of Mali)."""
    known = _names().get(key)
    return known[1] if known else ()


def _codes_and_labels(values: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Integer codes (-1 for missing) and the label of each code."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return np.asarray(values.array.codes), list(values.cat.categories)
    codes, uniques = pd.factorize(values)
    return codes, list(uniques)


def region_keys(values: pd.Series) -> pd.Series:
    """The region key of each value (``None`` where missing), worked out once per distinct value."""
    codes, labels = _codes_and_labels(values)
    per_label = np.array([region_key(x) for x in labels] + [None], dtype=object)
    return pd.Series(per_label[codes], index=values.index, dtype=object)


def region_mask(values: pd.Series, wanted: Iterable[str]) -> np.ndarray:
    """Which values name one of the wanted regions, in any spelling.

    Parameters
    ----------
    values : pandas.Series
        An ``admin1`` column (plain or categorical).
    wanted : iterable of str
        Region names in any spelling, or region keys.

    Returns
    -------
    numpy.ndarray of bool
        One value per row; missing values never match.
    """
    keys = {k for k in (region_key(w) for w in wanted) if k}
    codes, labels = _codes_and_labels(values)
    per_label = np.zeros(len(labels) + 1, dtype=bool)
    for i, label in enumerate(labels):
        per_label[i] = region_key(label) in keys
    return per_label[codes]


def matching_labels(labels: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """The labels (distinct ``admin1`` values, as a database lists them) that name one of the wanted regions."""
    keys = {k for k in (region_key(w) for w in wanted) if k}
    return [label for label in labels if region_key(label) in keys]


def matches(query: str, texts: Iterable[str]) -> bool:
    """Whether a typed query is found in any of ``texts``, accents and case ignored ("Ség" finds "Segou")."""
    needle = fold(query)
    return not needle or any(needle in fold(t) for t in texts)

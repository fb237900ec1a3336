"""Actor names and their aliases, mapped to one actor key.

ACLED writes "Military Forces of Mali (2021-)", the news writes "FAMa" or
"Malian army"; all of them are the actor key ``mali_armed_forces``. The alias
table ``data/actors.csv`` holds one row per spelling:

``key``
    the actor key, lower case ``a-z``, ``0-9`` and ``_``
``display_name``
    how the actor is shown (the same on every row of a key)
``alias``
    one spelling found in ACLED, UCDP or the press (English and French)
``member_of``
    the key of the actor this one belongs to, or blank (the same on every row of a key)
``kind``
    one of ``KINDS``

Matching
--------
Names are compared after ``normalize_actor``: accents removed, case folded,
every run of punctuation or blanks made one space, a leading "the" dropped.
``actor_key`` tries the name as written, then without ACLED's period suffixes
("(2013-2020)", "(2021-)", anywhere in the name), then without a trailing
parenthesised qualifier such as the country ("(Mali)", "(Burkina Faso)"), then
each side of ACLED's "ABBREVIATION: Full name" pattern. So "Civilians (Niger)"
is ``civilians`` and "Military Forces of Mali (2024-)" is still the Malian
armed forces. A name matching nothing keeps a key of its own: its normalised
form, so an actor missing from the table can still be filtered by name.

Membership
----------
``member_of`` means "a filter on the parent includes this actor"
(``members``): Katiba Macina, Ansar Dine and Al Mourabitoune are in JNIM;
MNLA, HCUA and MAA-CMA are in the CMA, and so are its successor coalitions
CSP-PSD (2021-2024) and FLA (2024-), so that a CMA filter follows the movement
through its renamings; GATIA, MAA-Plateforme and CMFPR are in the Plateforme;
MSA-D and MSA-C in the MSA; Dan Na Ambassagou in the Dogon militias; Wagner
Group and Africa Corps in ``russian_forces`` (which also takes the press's
"Russian partners / instructors / paramilitaries", who cannot be told apart);
the armed forces, police, gendarmerie and national guard each have a key and
are all in ``mali_security_forces``. "MAA" with no faction is its own key.

"The junta" and "transitional authorities" are the Government of Mali, not
the armed forces: ACLED codes fighting by the Military Forces, and the press
uses "junta" for political decisions.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from conflictmap.errors import ConflictmapError
from conflictmap.schema import ACTOR_COLUMNS

KINDS: tuple[str, ...] = (
    "state_forces",
    "government",
    "foreign_forces",
    "international_mission",
    "armed_movement",
    "pro_government_armed_group",
    "jihadist_group",
    "communal_militia",
    "unidentified",
    "civilians",
    "protesters",
    "rioters",
)
TABLE_COLUMNS: tuple[str, ...] = ("key", "display_name", "alias", "member_of", "kind")
#: Separator of actor lists in ``assoc_actor_1`` / ``assoc_actor_2`` cells.
LIST_SEPARATOR = ";"

_KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
_NON_WORD = re.compile(r"[\W_]+")
_PERIOD = re.compile(r"\s*\(\s*\d{4}\s*-\s*(?:\d{4})?\s*\)")
_QUALIFIER = re.compile(r"\s*\([^()\d]+\)\s*$")
_WORD = re.compile(r"[^ ]+")


class AliasTableError(ConflictmapError, ValueError):
    """The alias table is malformed; the message names the row and value."""


@dataclass(frozen=True)
class _Aliases:
    frame: pd.DataFrame
    by_alias: dict[str, str]
    display: dict[str, str]
    parent: dict[str, str]
    children: dict[str, tuple[str, ...]]
    kind: dict[str, str]


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))


def normalize_actor(name: str) -> str:
    """The form actor names are compared in.

    Accents are removed, case is folded, every run of punctuation, underscores
    or blanks becomes one space and a leading "the" is dropped.

    Parameters
    ----------
    name : str
        An actor name as written.

    Returns
    -------
    str
        E.g. ``"Forces armées maliennes (FAMa)"`` -> ``"forces armees maliennes fama"``.
    """
    folded = _NON_WORD.sub(" ", _strip_marks(name).casefold()).strip()
    return folded[4:] if folded.startswith("the ") else folded


def _read_table() -> pd.DataFrame:
    text = resources.files("conflictmap").joinpath("data/actors.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or tuple(rows[0]) != TABLE_COLUMNS:
        found = tuple(rows[0]) if rows else ()
        raise AliasTableError(f"actors.csv must have the columns {list(TABLE_COLUMNS)}, found {list(found)}")
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS)).apply(lambda col: col.str.strip())


def _build(frame: pd.DataFrame) -> _Aliases:
    by_alias: dict[str, str] = {}
    display: dict[str, str] = {}
    parent: dict[str, str] = {}
    kind: dict[str, str] = {}
    for line, row in enumerate(frame.itertuples(index=False), start=2):
        where = f"actors.csv line {line}"
        if not _KEY_PATTERN.fullmatch(row.key):
            raise AliasTableError(f"{where}: key {row.key!r} must be lower case a-z, 0-9 and _")
        if row.kind not in KINDS:
            raise AliasTableError(f"{where}: kind {row.kind!r}; expected one of {list(KINDS)}")
        for field, seen, value in (("display_name", display, row.display_name), ("member_of", parent, row.member_of)):
            if seen.setdefault(row.key, value) != value:
                raise AliasTableError(f"{where}: {field} {value!r} differs from {seen[row.key]!r} for key {row.key!r}")
        if kind.setdefault(row.key, row.kind) != row.kind:
            raise AliasTableError(f"{where}: kind {row.kind!r} differs from {kind[row.key]!r} for key {row.key!r}")
        alias = normalize_actor(row.alias)
        if not alias:
            raise AliasTableError(f"{where}: empty alias for key {row.key!r}")
        if by_alias.setdefault(alias, row.key) != row.key:
            raise AliasTableError(f"{where}: alias {row.alias!r} is already an alias of {by_alias[alias]!r}")
    for key in display:
        # A key also stands for itself, so callers may pass keys where names are expected.
        if by_alias.setdefault(normalize_actor(key), key) != key:
            raise AliasTableError(f"actors.csv: key {key!r} is also an alias of {by_alias[normalize_actor(key)]!r}")
    parent = {k: p for k, p in parent.items() if p}
    children: dict[str, list[str]] = {}
    for key, up in parent.items():
        if up not in display:
            raise AliasTableError(f"actors.csv: key {key!r} is member_of {up!r}, which is not a key")
        children.setdefault(up, []).append(key)
    for key in parent:
        chain = [key]
        while chain[-1] in parent:
            chain.append(parent[chain[-1]])
            if chain[-1] == key:
                raise AliasTableError(f"actors.csv: member_of forms a cycle: {' -> '.join(chain)}")
    return _Aliases(
        frame=frame,
        by_alias=by_alias,
        display=display,
        parent=parent,
        children={k: tuple(v) for k, v in children.items()},
        kind=kind,
    )


@functools.cache
def _aliases() -> _Aliases:
    return _build(_read_table())


def actor_table() -> pd.DataFrame:
    """The alias table: one row per alias with ``key, display_name, alias, member_of, kind``.

    Returns
    -------
    pandas.DataFrame
        A copy; ``member_of`` is ``""`` for actors that belong to no other.
    """
    return _aliases().frame.copy()


def _candidates(name: str) -> list[str]:
    no_period = _PERIOD.sub("", name).strip()
    bases = [name, no_period, _QUALIFIER.sub("", no_period).strip()]
    out = list(bases)
    for base in bases:
        head, colon, tail = base.partition(":")
        if colon:
            out += [head, tail, _QUALIFIER.sub("", tail).strip()]
    return out


@functools.lru_cache(maxsize=1 << 16)
def actor_key(name: str) -> str | None:
    """The actor key of a name found in the alias table, else ``None``.

    Parameters
    ----------
    name : str
        An actor name as written in a source, e.g. ``"Military Forces of Mali (2021-)"``.

    Returns
    -------
    str or None
        E.g. ``"mali_armed_forces"``; ``None`` when no spelling of the name is in the table.
    """
    by_alias = _aliases().by_alias
    for candidate in _candidates(name):
        key = by_alias.get(normalize_actor(candidate))
        if key is not None:
            return key
    return None


def resolve_actor(name: str) -> str:
    """The actor key of a name, or, for a name not in the alias table, its normalised form.

    Parameters
    ----------
    name : str
        An actor key, an alias or any other actor name.

    Returns
    -------
    str
        ``actor_key(name)`` if found, else ``normalize_actor(name)``.
    """
    return actor_key(name) or normalize_actor(name)


def display_name(key: str) -> str:
    """How actor ``key`` is shown; a key not in the table is returned unchanged.

    Parameters
    ----------
    key : str
        An actor key.

    Returns
    -------
    str
        E.g. ``"mali_armed_forces"`` -> ``"Malian armed forces"``.
    """
    return _aliases().display.get(key, key)


def actor_kind(name: str) -> str | None:
    """The kind (one of ``KINDS``) of an actor key or name in the alias table; ``None`` for one not in it.

    ``"Military Forces of Mali (2021-)"`` -> ``"state_forces"``, ``"JNIM"`` -> ``"jihadist_group"``.
    """
    key = actor_key(name)
    return _aliases().kind.get(key) if key else None


def members(key: str) -> tuple[str, ...]:
    """The key itself followed by every actor that belongs to it, directly or through another.

    Parameters
    ----------
    key : str
        An actor key.

    Returns
    -------
    tuple of str
        E.g. ``members("jnim")`` starts ``("jnim", "katiba_macina", ...)``; ``(key,)`` for a key
        with no members or not in the table.
    """
    children = _aliases().children
    out = [key]
    for current in out:
        out.extend(children.get(current, ()))
    return tuple(out)


def split_actors(cell: object) -> list[str]:
    """The actor names in one cell: associated-actor columns hold lists like ``"A; B"``.

    Parameters
    ----------
    cell : object
        A cell value; missing values give an empty list.

    Returns
    -------
    list of str
        The names, stripped, blanks dropped.
    """
    if cell is None or cell is pd.NA or (isinstance(cell, float) and np.isnan(cell)):
        return []
    return [part.strip() for part in str(cell).split(LIST_SEPARATOR) if part.strip()]


@functools.lru_cache(maxsize=1 << 17)
def _label_keys(label: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(resolve_actor(name) for name in split_actors(label)))


def _codes_and_labels(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 for missing) and the label of each code."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.array.codes, [str(c) for c in values.cat.categories]
    codes, uniques = pd.factorize(values)
    return codes, [str(u) for u in uniques]


def actor_mask(events: pd.DataFrame, keys: Iterable[str], *, include_members: bool = True) -> np.ndarray:
    """Which events involve one of the given actors.

    An event matches when any name in ``actor1``, ``actor2``, ``assoc_actor_1`` or
    ``assoc_actor_2`` (lists split) resolves to one of the keys. Work is done once
    per category label, then indexed by the category codes.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.
    keys : iterable of str
        Actor keys, aliases or other names (each is passed through ``resolve_actor``).
    include_members : bool, default True
        Also match the members of each actor (``members``): JNIM takes in Katiba Macina.

    Returns
    -------
    numpy.ndarray of bool
        One value per event.
    """
    wanted: set[str] = set()
    for name in keys:
        key = resolve_actor(name)
        wanted.update(members(key) if include_members else (key,))
    mask = np.zeros(len(events), dtype=bool)
    if not wanted:
        return mask
    for column in ACTOR_COLUMNS:
        codes, labels = _codes_and_labels(events[column])
        hit = np.array([not wanted.isdisjoint(_label_keys(label)) for label in labels] + [False], dtype=bool)
        if hit.any():
            mask |= hit[codes]
    return mask


def distinct_actors(events: pd.DataFrame) -> frozenset[str]:
    """The actor keys appearing in any actor column of ``events``.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events.

    Returns
    -------
    frozenset of str
    """
    found: set[str] = set()
    for column in ACTOR_COLUMNS:
        codes, labels = _codes_and_labels(events[column])
        used = np.flatnonzero(np.bincount(codes + 1, minlength=len(labels) + 1)[1:])
        for code in used:
            found.update(_label_keys(labels[code]))
    return frozenset(found)


def actor_counts(events: pd.DataFrame, weights: Sequence[int] | np.ndarray | pd.Series | None = None) -> pd.DataFrame:
    """How many events each actor takes part in, most first.

    An event counts once for each distinct actor key in its four actor columns,
    however many times that actor appears in them.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events, or any table with the four actor columns.
    weights : sequence of int, optional
        How many events each row stands for (rows grouped by their actor columns, as a
        database returns them); default one each.

    Returns
    -------
    pandas.DataFrame
        Columns ``key, display_name, events``; ties ordered by display name. Actors
        not in the alias table are shown under their first spelling.
    """
    row_weights = None
    if weights is not None:
        row_weights = np.asarray(weights, dtype=np.float64).reshape(-1)
        if len(row_weights) != len(events):
            raise ValueError(f"weights has {len(row_weights)} values for {len(events)} rows; expected one per row")
    ids: dict[str, int] = {}
    shown: dict[str, str] = {}
    blocks = []
    for column in ACTOR_COLUMNS:
        codes, labels = _codes_and_labels(events[column])
        per_label = []
        for label in labels:
            names = split_actors(label)
            label_ids = []
            for name, key in zip(names, (resolve_actor(n) for n in names), strict=True):
                shown.setdefault(key, name)
                label_ids.append(ids.setdefault(key, len(ids)))
            per_label.append(label_ids)
        width = max((len(x) for x in per_label), default=0)
        if width == 0:
            continue
        # One row per category (plus a last one for missing), padded with -1.
        table = np.full((len(labels) + 1, width), -1, dtype=np.int32)
        for row, label_ids in enumerate(per_label):
            table[row, : len(label_ids)] = label_ids
        blocks.append(table[codes])
    if not blocks or not ids:
        return pd.DataFrame(
            {"key": pd.Series([], dtype=str), "display_name": pd.Series([], dtype=str), "events": []}
        ).astype({"events": "int64"})
    matrix = np.hstack(blocks)
    matrix.sort(axis=1)
    # After sorting each row, a key is counted where it differs from its left neighbour.
    first = np.ones(matrix.shape, dtype=bool)
    first[:, 1:] = matrix[:, 1:] != matrix[:, :-1]
    first &= matrix >= 0
    if row_weights is None:
        counts = np.bincount(matrix[first], minlength=len(ids))
    else:
        per_row = np.broadcast_to(row_weights[:, None], matrix.shape)
        counts = np.rint(np.bincount(matrix[first], weights=per_row[first], minlength=len(ids)))
    keys = list(ids)
    known = _aliases().display
    result = pd.DataFrame(
        {
            "key": keys,
            "display_name": [known.get(k, shown[k]) for k in keys],
            "events": counts.astype("int64"),
        }
    )
    result = result[result["events"] > 0]
    return result.sort_values(["events", "display_name"], ascending=[False, True], kind="stable").reset_index(drop=True)


@functools.cache
def _mention_trie() -> dict:
    """Aliases as a trie of their normalised words; the key ``None`` marks an alias end."""
    by_alias = _aliases().by_alias
    trie: dict = {}
    # Keys are not written in prose; only aliases are looked for.
    for alias in _aliases().frame["alias"]:
        words = normalize_actor(alias)
        node = trie
        for word in words.split(" "):
            node = node.setdefault(word, {})
        node[None] = by_alias[words]
    return trie


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """``text`` folded like ``normalize_actor`` char by char, with each folded char's index in ``text``."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = _strip_marks(ch).casefold()
        for f in folded:
            out.append(f if f.isalnum() else " ")
            origin.append(i)
    return "".join(out), origin


def find_mentions(text: str) -> list[tuple[int, int, str, str]]:
    """Mentions of known actors in free text.

    Matching ignores case and accents and respects word boundaries. Where
    mentions overlap the longest wins (then the earliest).

    Parameters
    ----------
    text : str
        Article or report text.

    Returns
    -------
    list of (start, end, key, matched_text)
        Offsets into ``text`` (``text[start:end] == matched_text``), in text order.
    """
    trie = _mention_trie()
    folded, origin = _fold_with_offsets(text)
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
    found = []
    for i, (start, _, _) in enumerate(words):
        node = trie
        for j in range(i, len(words)):
            _, end, word = words[j]
            node = node.get(word)
            if node is None:
                break
            if None in node:
                found.append((start, end, node[None]))
    found.sort(key=lambda m: (m[0] - m[1], m[0]))
    taken = np.zeros(len(folded) + 1, dtype=bool)
    chosen = []
    for start, end, key in found:
        if not taken[start:end].any():
            taken[start:end] = True
            chosen.append((origin[start], origin[end - 1] + 1, key))
    return [(s, e, k, text[s:e]) for s, e, k in sorted(chosen)]

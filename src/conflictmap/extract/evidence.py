"""Evidence: the sentences an event came from, with its place, date, actors and wording marked.

Marks are character spans into the evidence text, each with a ``kind``
(``place``, ``date``, ``actor``, ``what``, ``fatalities``) and a ``label``
saying what the rules made of it ("actor1", "place: reference", "date:
report"). The same marks give a readable string for CSV files
(``[[Kati's Koko-Plateau|place]]``) and escaped HTML for review.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass

#: Kinds of mark, in the order they win when two overlap.
KINDS: tuple[str, ...] = ("place", "date", "actor", "fatalities", "what")


@dataclass(frozen=True)
class Mark:
    """A marked span of the evidence text.

    Attributes
    ----------
    start, end : int
        Offsets into the evidence text.
    kind : str
        One of ``KINDS``.
    label : str
        What the rules made of the words.
    """

    start: int
    end: int
    kind: str
    label: str

    def to_dict(self, text: str) -> dict[str, object]:
        """Plain values (JSON): start, end, kind, label and the marked text."""
        return {
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "label": self.label,
            "text": text[self.start : self.end],
        }


def assemble(pieces: list[tuple[int, int, str]], marks: list[tuple[int, int, str, str]]) -> tuple[str, list[Mark]]:
    """Join sentences into one evidence text and move article-wide marks onto it.

    Parameters
    ----------
    pieces : list of (int, int, str)
        ``(start, end, text)`` of each sentence in the article, in order; sentences
        that do not follow each other are joined by " … ".
    marks : list of (int, int, str, str)
        ``(start, end, kind, label)`` with article offsets; marks outside the
        sentences are dropped.

    Returns
    -------
    (str, list of Mark)
    """
    text = ""
    where: list[tuple[int, int, int]] = []  # article start, article end, evidence start
    previous_end = None
    for start, end, sentence in pieces:
        if text:
            # Sentences that follow each other are joined by a blank, others by an ellipsis.
            text += " " if previous_end is not None and start - previous_end <= 3 else " … "
        where.append((start, end, len(text)))
        text += sentence
        previous_end = end
    out = []
    for start, end, kind, label in marks:
        for a, b, at in where:
            if a <= start and end <= b:
                out.append(Mark(start - a + at, end - a + at, kind, label))
                break
    unique = {(m.start, m.end, m.kind, m.label): m for m in out}
    return text, sorted(unique.values(), key=lambda m: (m.start, -m.end))


def _non_overlapping(marks: list[Mark]) -> list[Mark]:
    """Marks that do not overlap: place, date and actor before counts and wording, longer first."""
    chosen: list[Mark] = []
    for m in sorted(marks, key=lambda m: (KINDS.index(m.kind) if m.kind in KINDS else 9, m.start - m.end, m.start)):
        if all(m.end <= c.start or c.end <= m.start for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


def marked_text(text: str, marks: list[Mark]) -> str:
    """The evidence with marks written in: ``[[words|label]]`` (overlapping marks keep the strongest).

    Parameters
    ----------
    text : str
        Evidence text.
    marks : list of Mark
    """
    out, pos = [], 0
    for m in _non_overlapping(marks):
        out.append(text[pos : m.start])
        out.append(f"[[{text[m.start : m.end]}|{m.label}]]")
        pos = m.end
    out.append(text[pos:])
    return "".join(out)


def _marks_of(spans: object) -> list[Mark]:
    if isinstance(spans, str):
        spans = json.loads(spans) if spans.strip() else []
    if spans is None:
        return []
    marks = []
    for s in spans:  # type: ignore[union-attr]
        if isinstance(s, Mark):
            marks.append(s)
        else:
            marks.append(Mark(int(s["start"]), int(s["end"]), str(s["kind"]), str(s["label"])))
    return marks


def evidence_html(candidate: Mapping[str, object]) -> str:
    """The evidence of one candidate as HTML with ``<mark>`` elements, all text escaped.

    Each mark has the class ``ev-<kind>`` (``ev-place``, ``ev-date``,
    ``ev-actor``, ``ev-what``, ``ev-fatalities``) and its label as ``title``,
    so a page can colour them and show the label on hover.

    Parameters
    ----------
    candidate : mapping
        A candidate row (``pandas.Series`` or dict) with ``evidence_text`` and
        ``evidence_spans`` (a list of span dicts, or their JSON).

    Returns
    -------
    str
        ``<span class="evidence">...</span>``.

    Raises
    ------
    KeyError
        If the row has no ``evidence_text``.
    """
    text = str(candidate["evidence_text"])
    marks = _non_overlapping(_marks_of(candidate.get("evidence_spans")))
    out, pos = ['<span class="evidence">'], 0
    for m in marks:
        out.append(html.escape(text[pos : m.start]))
        out.append(
            f'<mark class="ev-{html.escape(m.kind)}" title="{html.escape(m.label)}">'
            f"{html.escape(text[m.start : m.end])}</mark>"
        )
        pos = m.end
    out.append(html.escape(text[pos:]))
    out.append("</span>")
    return "".join(out)

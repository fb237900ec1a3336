"""Precision and recall of the extraction rules over articles with known events.

A directory holds articles (``.txt`` or ``.html``) and, for each, an
``NAME.expected.json`` file::

    {"article": "NAME.txt", "published": "2023-09-14", "source": "...", "lang": "en",
     "events": [{"quote": "words of the sentence telling it", "event_type": "...", "sub_event_type": "...",
                 "place": "a gazetteer name, or Mali", "geo_precision": 1,
                 "event_date": "2023-09-07", "date_end": "2023-09-07", "time_precision": 2,
                 "actor1": "actor key or name", "assoc_actor_1": [], "actor2": null, "assoc_actor_2": [],
                 "fatalities": 0}]}

Candidates at or above the threshold are the proposals. A proposal matches
an expected event when its evidence contains the quote (one proposal per
event, the most confident). Then, per field:

- precision = correct values / proposals (an unmatched proposal is wrong in every field)
- recall = correct values / expected events

with ``place`` correct within 5 km of the expected place, ``date`` correct
when first and last day are each within a day, ``type`` when type and
sub-type both agree, and ``actors`` counted actor by actor on each side (a
member counts for its group: Wagner for "Russian partners").

Run ``python -m conflictmap.extract.evaluate tests/articles`` to print the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from conflictmap import actors, gazetteer
from conflictmap.errors import ConflictmapError
from conflictmap.extract import places as place_rules
from conflictmap.extract import who
from conflictmap.extract.candidates import REVIEW_THRESHOLD, extract_events
from conflictmap.extract.events import MALI_CENTRE
from conflictmap.extract.text import read_article

#: Fields scored, in the order they are printed.
FIELDS: tuple[str, ...] = ("event", "place", "geo_precision", "date", "time_precision", "type", "actors", "fatalities")
#: A place this close to the expected one is correct.
PLACE_KM = 5.0


class ExpectedFileError(ConflictmapError, ValueError):
    """An expected-events file that cannot be used; the message names the file and the field."""


@dataclass
class Case:
    """One article and the events it should give."""

    name: str
    article: Path
    published: dt.date
    source: str
    lang: str | None
    events: list[dict]


@dataclass
class Tally:
    """Counts for one field: correct values, values proposed, values expected."""

    correct: int = 0
    proposed: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


@dataclass
class Scores:
    """Tallies per field over a set of articles, and notes on every miss."""

    tallies: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FIELDS})
    misses: list[str] = field(default_factory=list)
    articles: int = 0

    def table(self) -> pd.DataFrame:
        """One row per field: correct, proposed, expected, precision, recall."""
        rows = [
            {
                "field": name,
                "correct": t.correct,
                "proposed": t.proposed,
                "expected": t.expected,
                "precision": round(t.precision, 3),
                "recall": round(t.recall, 3),
            }
            for name, t in self.tallies.items()
        ]
        return pd.DataFrame(rows)


def load_cases(directory: str | Path) -> list[Case]:
    """The articles of a directory that have an expected-events file.

    Raises
    ------
    ExpectedFileError
        If a file is not valid JSON or lacks a field; the message names both.
    """
    cases = []
    for path in sorted(Path(directory).glob("*.expected.json")):
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ExpectedFileError(f"{path}: not valid JSON ({exc})") from None
        for key in ("article", "published", "source", "events"):
            if key not in spec:
                raise ExpectedFileError(f"{path}: missing {key!r}")
        try:
            published = dt.date.fromisoformat(spec["published"])
        except ValueError:
            raise ExpectedFileError(f"{path}: published {spec['published']!r} is not YYYY-MM-DD") from None
        cases.append(
            Case(
                name=path.name.removesuffix(".expected.json"),
                article=path.parent / spec["article"],
                published=published,
                source=spec["source"],
                lang=spec.get("lang"),
                events=spec["events"],
            )
        )
    return cases


def _key(name: str | None) -> str | None:
    return actors.resolve_actor(name) if name else None


def _side(first: str | None, others: Sequence[str] | str | None) -> list[str]:
    if isinstance(others, str):
        others = actors.split_actors(others)
    keys = [_key(first)] + [_key(o) for o in (others or [])]
    return [k for k in keys if k]


def _actor_matches(got: list[str], want: list[str]) -> int:
    left = list(want)
    hits = 0
    for key in got:
        match = next((w for w in left if who.related(w, key)), None)
        if match is not None:
            left.remove(match)
            hits += 1
    return hits


def _expected_point(name: str) -> tuple[float, float]:
    if name.strip().lower() == "mali":
        return MALI_CENTRE
    place = gazetteer.resolve(name)
    capital = place_rules.provincial_capital(place.place)
    if capital is not None:
        # A region-level event sits at its provincial capital (ACLED's rule).
        return capital.latitude, capital.longitude
    return place.latitude, place.longitude


def _cell(value: object) -> object:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def score_case(case: Case, candidates: pd.DataFrame, scores: Scores, threshold: float = REVIEW_THRESHOLD) -> None:
    """Add one article's results to ``scores``."""
    proposals = candidates[candidates["confidence"] >= threshold].reset_index(drop=True)
    used: set[int] = set()
    t = scores.tallies
    n = len(proposals)
    for name in ("event", "place", "geo_precision", "date", "time_precision", "type", "fatalities"):
        t[name].proposed += n
        t[name].expected += len(case.events)
    for _, row in proposals.iterrows():
        t["actors"].proposed += len(_side(_cell(row["actor1"]), _cell(row["assoc_actor_1"])))
        t["actors"].proposed += len(_side(_cell(row["actor2"]), _cell(row["assoc_actor_2"])))
    for event in case.events:
        want1 = _side(event.get("actor1"), event.get("assoc_actor_1"))
        want2 = _side(event.get("actor2"), event.get("assoc_actor_2"))
        t["actors"].expected += len(want1) + len(want2)
        quote = " ".join(event["quote"].split())
        matches = [
            i for i in range(n) if i not in used and quote in " ".join(str(proposals.at[i, "evidence_text"]).split())
        ]
        if not matches:
            scores.misses.append(f"{case.name}: no proposal for {event['quote']!r}")
            continue
        i = matches[0]
        used.add(i)
        row = proposals.iloc[i]
        t["event"].correct += 1
        lat, lon = _expected_point(event["place"])
        checks = {
            "place": gazetteer.distance_km(lat, lon, row["latitude"], row["longitude"]) <= PLACE_KM,
            "geo_precision": int(row["geo_precision"]) == int(event["geo_precision"]),
            "date": abs((row["event_date"].date() - dt.date.fromisoformat(event["event_date"])).days) <= 1
            and abs((row["date_end"].date() - dt.date.fromisoformat(event["date_end"])).days) <= 1,
            "time_precision": int(row["time_precision"]) == int(event["time_precision"]),
            "type": row["event_type"] == event["event_type"] and row["sub_event_type"] == event["sub_event_type"],
            "fatalities": int(row["fatalities"]) == int(event.get("fatalities", 0)),
        }
        got = {
            "place": f"{row['location']} ({row['latitude']:.3f}, {row['longitude']:.3f})",
            "geo_precision": row["geo_precision"],
            "date": f"{row['event_date']:%Y-%m-%d}..{row['date_end']:%Y-%m-%d}",
            "time_precision": row["time_precision"],
            "type": f"{row['event_type']} / {row['sub_event_type']}",
            "fatalities": row["fatalities"],
        }
        wanted = {
            "place": event["place"],
            "geo_precision": event["geo_precision"],
            "date": f"{event['event_date']}..{event['date_end']}",
            "time_precision": event["time_precision"],
            "type": f"{event['event_type']} / {event['sub_event_type']}",
            "fatalities": event.get("fatalities", 0),
        }
        for name, ok in checks.items():
            if ok:
                t[name].correct += 1
            else:
                scores.misses.append(f"{case.name} [{event['quote'][:40]}]: {name} {got[name]!s} != {wanted[name]!s}")
        got1 = _side(_cell(row["actor1"]), _cell(row["assoc_actor_1"]))
        got2 = _side(_cell(row["actor2"]), _cell(row["assoc_actor_2"]))
        hits = _actor_matches(got1, want1) + _actor_matches(got2, want2)
        t["actors"].correct += hits
        if hits < max(len(want1) + len(want2), len(got1) + len(got2)):
            scores.misses.append(f"{case.name} [{event['quote'][:40]}]: actors {got1} vs {got2} != {want1} vs {want2}")
    for i in range(n):
        if i not in used:
            row = proposals.iloc[i]
            scores.misses.append(
                f"{case.name}: extra proposal {row['sub_event_type']} at {row['location']} "
                f"({row['confidence']:.2f}): {str(row['evidence_text'])[:80]!r}"
            )
    scores.articles += 1


def evaluate(directories: str | Path | Sequence[str | Path], *, threshold: float = REVIEW_THRESHOLD) -> Scores:
    """Run the extraction on every article of the directories and score it against its expected events.

    Parameters
    ----------
    directories : str, pathlib.Path or a sequence of them
        Directories of articles with ``.expected.json`` files (counted together).
    threshold : float
        Candidates at or above this confidence count as proposals.

    Returns
    -------
    Scores
    """
    if isinstance(directories, str | Path):
        directories = [directories]
    scores = Scores()
    for case in (c for d in directories for c in load_cases(d)):
        article = read_article(case.article)
        candidates = extract_events(article.text, published=case.published, source=case.source)
        score_case(case, candidates, scores, threshold)
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    """Print the precision/recall table (and, with ``--misses``, every miss)."""
    parser = argparse.ArgumentParser(prog="python -m conflictmap.extract.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("directory", nargs="+", help="directories of articles with .expected.json files")
    parser.add_argument("--together", action="store_true", help="one table for all directories")
    parser.add_argument("--threshold", type=float, default=REVIEW_THRESHOLD, help="lowest confidence counted")
    parser.add_argument("--misses", action="store_true", help="also list every miss")
    args = parser.parse_args(argv)
    groups = [args.directory] if args.together else [[d] for d in args.directory]
    for directories in groups:
        scores = evaluate(directories, threshold=args.threshold)
        print(f"{', '.join(directories)}: {scores.articles} articles, threshold {args.threshold}")
        print(scores.table().to_string(index=False))
        if args.misses:
            print("\n".join(scores.misses))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

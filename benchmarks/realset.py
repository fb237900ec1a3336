"""``python -m benchmarks.realset``: article extraction scored on real published articles and on the own set.

The catalogue ``benchmarks/real/articles.json`` lists real articles about
incidents in Mali (address, outlet, date, language, the search query that
finds the page again, a fixed tune/held-out split) and the events each one
reports, coded from its own words. Their texts are not in the repository: they
live in the git-ignored ``benchmarks/real/texts/<id>.txt``. When they are
missing (a fresh clone) the real set is skipped and the command says how to
gather them again; the own set (``tests/articles``) is always scored.

Scoring, per set and language, at the default confidence:

- an expected event is found by the proposal whose evidence holds its quote,
  or else by the proposal within 25 km and 3 days of it;
- precision = found / proposals counted, recall = found / expected events; a
  proposal from a sentence listed as unscored counts for nothing; one from a
  background sentence counts for nothing when it carries the date that
  sentence names, and is a false proposal (and a "background" fault) otherwise;
- over the events found: date (first and last day each within a day, or the
  proposal's range inside the expected one), place (within 25 km of the place
  or a stated alternative; skipped when the place has no known coordinates),
  type (type and sub-type), actors (actor 1 and actor 2 both right, a member
  counting for its group), toll (equal to the stated figure or an accepted one;
  skipped when the article gives none).

Options: ``--misses tune`` (or ``own``, ``heldout``, ``fresh``, ``blind2``, ``blind3``, ``blind4``) lists what
went wrong on that set; a blind set's misses are not read while the rules are tuned.
``--sets`` limits the run to some sets (``--sets tune heldout fresh own`` keeps the blind
sets out of sight). ``--write`` puts the table into
``benchmarks/EXTRACTION.md`` between its markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from conflictmap import gazetteer
from conflictmap.extract import evaluate
from conflictmap.extract.candidates import REVIEW_THRESHOLD, extract_events
from conflictmap.extract.text import read_article

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "benchmarks" / "real" / "articles.json"
TEXTS = ROOT / "benchmarks" / "real" / "texts"
OWN_DIRS = (ROOT / "tests" / "articles", ROOT / "tests" / "articles" / "holdout", ROOT / "tests" / "articles" / "blind")
REPORT = ROOT / "benchmarks" / "EXTRACTION.md"
#: A place this close to the expected one is right.
PLACE_KM = 25.0
#: A proposal this close in space and time finds an event whose quote it lacks.
FALLBACK_DAYS = 3
BEGIN, END = "<!-- realset:begin -->", "<!-- realset:end -->"
#: The catalogue's sets: rules are tuned on "tune" only; "heldout" was split off before tuning,
#: "fresh" gathered after the first held-out run, "blind2" after every other set had been read,
#: "blind3" and "blind4" gathered and coded by someone who never read the rules or ran the extractor on them.
SPLITS = ("tune", "heldout", "fresh", "blind2", "blind3", "blind4", "blind5", "blind6")


class CatalogueError(ValueError):
    """A catalogue entry that cannot be used; the message names the article and the field."""


@dataclass
class Item:
    """One article to score: its text, publication date and the events it should give."""

    id: str
    set: str
    language: str
    text: str
    published: dt.date
    source: str
    events: list[dict]
    unscored: list[str] = field(default_factory=list)


@dataclass
class Tally:
    """Counts for one set and language."""

    articles: int = 0
    expected: int = 0
    proposed: int = 0
    found: int = 0
    background: int = 0
    seconds: list[float] = field(default_factory=list)
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    checked: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.found / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float | None:
        return self.right[name] / self.checked[name] if self.checked[name] else None


FIELDS = ("date", "place", "type", "actors", "toll")


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


def _day(value: object, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CatalogueError(f"{where}: {value!r} is not a YYYY-MM-DD date") from None


def load_catalogue(path: Path = CATALOGUE) -> list[dict]:
    """The catalogue's articles, checked.

    Raises
    ------
    CatalogueError
        If the file is not valid JSON or an article lacks a field; the message names both.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot be read ({exc})") from None
    articles = doc.get("articles")
    if not isinstance(articles, list):
        raise CatalogueError(f"{path}: expected a list under 'articles'")
    for n, art in enumerate(articles):
        for key in ("id", "language", "address", "published", "query", "split", "events"):
            if key not in art:
                raise CatalogueError(f"{path}: article {n} ({art.get('id', '?')}) lacks {key!r}")
        if art["split"] not in SPLITS:
            raise CatalogueError(f"{path}: article {art['id']}: split {art['split']!r}, expected one of {SPLITS}")
        _day(art["published"], f"{path}: article {art['id']} published")
    return articles


def real_items(articles: Iterable[dict], texts: Path = TEXTS) -> tuple[list[Item], list[dict]]:
    """The articles whose text is on disk, and the catalogue entries whose text is missing."""
    items, missing = [], []
    for art in articles:
        path = texts / f"{art['id']}.txt"
        if not path.is_file():
            missing.append(art)
            continue
        items.append(
            Item(
                id=art["id"],
                set=art["split"],
                language=art["language"],
                text=path.read_text(encoding="utf-8"),
                published=dt.date.fromisoformat(art["published"]),
                source=art.get("outlet", art["address"]),
                events=art["events"],
                unscored=art.get("unscored_quotes", []),
            )
        )
    return items, missing


def own_items(directories: Sequence[Path] = OWN_DIRS) -> list[Item]:
    """The team's own articles (``tests/articles``), their expected events in the real set's form."""
    items = []
    for directory in directories:
        for case in evaluate.load_cases(directory):
            events = []
            for e in case.events:
                lat, lon = evaluate._expected_point(e["place"])
                events.append(
                    {
                        **e,
                        "latitude": lat,
                        "longitude": lon,
                        "actor1": e.get("actor1"),
                        "actor2": e.get("actor2"),
                        "fatalities": e.get("fatalities", 0),
                    }
                )
            article = read_article(case.article)
            lang = case.lang or ("fr" if case.name.startswith("fr") else "en")
            items.append(Item(case.name, "own", lang, article.text, case.published, case.source, events))
    return items


def _date_ok(row: pd.Series, event: dict) -> bool:
    start, end = row["event_date"].date(), row["date_end"].date()
    want_start, want_end = dt.date.fromisoformat(event["event_date"]), dt.date.fromisoformat(event["date_end"])
    close = abs((start - want_start).days) <= 1 and abs((end - want_end).days) <= 1
    return close or (want_start <= start and end <= want_end)


def _points(event: dict) -> list[tuple[float, float]]:
    points = [(event.get("latitude"), event.get("longitude"))]
    points += [(a.get("latitude"), a.get("longitude")) for a in event.get("alternative_places", [])]
    return [(la, lo) for la, lo in points if la is not None and lo is not None]


def _km(row: pd.Series, event: dict) -> float | None:
    points = _points(event)
    if not points:
        return None
    return min(gazetteer.distance_km(la, lo, row["latitude"], row["longitude"]) for la, lo in points)


def _actor_ok(got: object, want: object) -> bool:
    got, want = evaluate._cell(got), evaluate._cell(want)
    if not want:
        return not got
    if not got:
        return False
    a, b = evaluate._key(str(got)), evaluate._key(str(want))
    return bool(a and b and evaluate.who.related(b, a))


def _toll_ok(row: pd.Series, event: dict) -> bool | None:
    if event.get("fatalities") is None:
        return None
    accepted = {int(event["fatalities"]), *(int(x) for x in event.get("fatalities_accepted", []))}
    return int(row["fatalities"]) in accepted


def _find(proposals: pd.DataFrame, event: dict, used: set[int]) -> int | None:
    quote = _norm(event["quote"])
    free = [i for i in range(len(proposals)) if i not in used]
    by_quote = [i for i in free if quote in _norm(str(proposals.at[i, "evidence_text"]))]
    if by_quote:
        # One sentence naming several places gives several proposals with the same evidence:
        # the one nearest the expected place is the one meant.
        return min(by_quote, key=lambda i: _km(proposals.iloc[i], event) or 0.0)
    want = dt.date.fromisoformat(event["event_date"])
    for i in free:
        row = proposals.iloc[i]
        km = _km(row, event)
        if km is not None and km <= PLACE_KM and abs((row["event_date"].date() - want).days) <= FALLBACK_DAYS:
            return i
    return None


def score(item: Item, candidates: pd.DataFrame, tally: Tally, threshold: float = REVIEW_THRESHOLD) -> None:
    """Add one article's proposals to ``tally``."""
    proposals = candidates[candidates["confidence"] >= threshold].reset_index(drop=True)
    incidents = [e for e in item.events if not e.get("background")]
    background = [e for e in item.events if e.get("background")]
    tally.articles += 1
    tally.expected += len(incidents)
    used: set[int] = set()
    for event in incidents:
        i = _find(proposals, event, used)
        label = f"{item.id} [{event['quote'][:40]}]"
        if i is None:
            tally.misses.append(f"{label}: not found")
            continue
        used.add(i)
        tally.found += 1
        row = proposals.iloc[i]
        km = _km(row, event)
        checks = {
            "date": _date_ok(row, event),
            "place": None if km is None else km <= PLACE_KM,
            "type": row["event_type"] == event["event_type"] and row["sub_event_type"] == event["sub_event_type"],
            "actors": any(_actor_ok(row["actor1"], a) for a in (event.get("actor1"), *event.get("actor1_accepted", [])))
            and _actor_ok(row["actor2"], event.get("actor2")),
            "toll": _toll_ok(row, event),
        }
        got = {
            "date": f"{row['event_date']:%Y-%m-%d}..{row['date_end']:%Y-%m-%d}",
            "place": f"{row['location']} ({km:.0f} km)" if km is not None else row["location"],
            "type": f"{row['event_type']} / {row['sub_event_type']}",
            "actors": f"{row['actor1']} vs {row['actor2']}",
            "toll": row["fatalities"],
        }
        wanted = {
            "date": f"{event['event_date']}..{event['date_end']}",
            "place": event.get("place"),
            "type": f"{event['event_type']} / {event['sub_event_type']}",
            "actors": f"{event.get('actor1')} vs {event.get('actor2')}",
            "toll": event.get("fatalities"),
        }
        for name, ok in checks.items():
            if ok is None:
                continue
            tally.checked[name] += 1
            tally.right[name] += int(ok)
            if not ok:
                tally.misses.append(f"{label}: {name} {got[name]} != {wanted[name]}")
    for i in range(len(proposals)):
        if i in used:
            continue
        row = proposals.iloc[i]
        evidence = _norm(str(row["evidence_text"]))
        if any(_norm(q) in evidence for q in item.unscored):
            continue
        context = next((b for b in background if _norm(b["quote"]) in evidence), None)
        where = f"{row['sub_event_type']} at {row['location']} {row['event_date']:%Y-%m-%d} ({row['confidence']:.2f})"
        if context is not None:
            if context.get("event_date") and _date_ok(row, context):
                continue
            tally.background += 1
            tally.misses.append(f"{item.id}: background above threshold: {where}: {str(row['evidence_text'])[:90]!r}")
        else:
            tally.misses.append(f"{item.id}: extra {where}: {str(row['evidence_text'])[:90]!r}")
        tally.proposed += 1
    tally.proposed += len(used)


def run(items: Iterable[Item], threshold: float = REVIEW_THRESHOLD) -> dict[tuple[str, str], Tally]:
    """Extract and score every item; tallies by (set, language) and (set, "all")."""
    tallies: dict[tuple[str, str], Tally] = {}
    for item in items:
        start = time.perf_counter()
        candidates = extract_events(item.text, published=item.published, source=item.source, lang=item.language)
        seconds = time.perf_counter() - start
        for key in ((item.set, item.language), (item.set, "all")):
            tally = tallies.setdefault(key, Tally())
            score(item, candidates, tally, threshold)
            tally.seconds.append(seconds)
    return tallies


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def table(tallies: dict[tuple[str, str], Tally]) -> str:
    """The figures as a Markdown table, held-out first."""
    order = {"blind4": 0, "blind3": 1, "blind2": 2, "heldout": 3, "fresh": 4, "tune": 5, "own": 6}
    lines = [
        "| set | lang | articles | events | proposed | precision | recall | F1 | date | place ≤25 km | type "
        "| actors | toll | background > thr | s/article (max) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def rank(key: tuple[str, str]) -> tuple[int, bool, str]:
        return order.get(key[0], 9), key[1] != "all", key[1]

    for (name, lang), t in sorted(tallies.items(), key=lambda kv: rank(kv[0])):
        lines.append(
            f"| {name} | {lang} | {t.articles} | {t.expected} | {t.proposed} | {t.precision:.2f} | {t.recall:.2f} "
            f"| {t.f1:.2f} | " + " | ".join(_pct(t.accuracy(f)) for f in FIELDS) + f" | {t.background} "
            f"| {sum(t.seconds) / len(t.seconds):.2f} ({max(t.seconds):.2f}) |"
        )
    return "\n".join(lines)


def regather(missing: Sequence[dict]) -> str:
    """How to gather the missing texts again with the search tool."""
    lines = [
        f"{len(missing)} real article text(s) missing from {TEXTS.relative_to(ROOT)}/; the real set is skipped.",
        "Gather them again with the search tool (corpus 'pages'), saving the page text as <id>.txt:",
    ]
    lines += [f"  {a['id']}.txt  query {a['query']!r}  address {a['address']}" for a in missing]
    return "\n".join(lines)


def write_report(text: str, path: Path = REPORT) -> None:
    """Put ``text`` between the markers of ``path`` (appended with markers when they are absent)."""
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in old and END in old:
        new = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, old, flags=re.S)
    else:
        new = old + ("\n" if old else "") + block + "\n"
    path.write_text(new, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table (and misses on request); exit 1 with a message when the catalogue cannot be used."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.realset", description=__doc__.split("\n")[0])
    parser.add_argument("--threshold", type=float, default=REVIEW_THRESHOLD, help="lowest confidence counted")
    parser.add_argument("--misses", choices=(*SPLITS, "own"), help="list what went wrong on this set")
    parser.add_argument("--write", action="store_true", help=f"write the table into {REPORT.relative_to(ROOT)}")
    parser.add_argument("--sets", nargs="+", choices=(*SPLITS, "own"), help="score only these sets (default: all)")
    args = parser.parse_args(argv)
    try:
        items, missing = real_items(load_catalogue())
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if missing:
        print(regather(missing))
    chosen = [*items, *own_items()]
    if args.sets:
        chosen = [item for item in chosen if item.set in args.sets]
    tallies = run(chosen, threshold=args.threshold)
    text = table(tallies)
    print(f"threshold {args.threshold}\n{text}")
    if args.misses:
        for (name, lang), t in tallies.items():
            if name == args.misses and lang == "all":
                print("\n".join(t.misses))
    if args.write:
        write_report(f"threshold {args.threshold}, {dt.date.today():%Y-%m-%d}\n\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

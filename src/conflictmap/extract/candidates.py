"""Candidate events: finished drafts as canonical event rows with confidence and evidence.

``extract_events`` is the entry point: article text in, a GeoDataFrame of
candidate events out (canonical columns, ``dataset = "article"``), most
confident first, each with the columns of ``EXTRA_COLUMNS``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from conflictmap import schema
from conflictmap.csvcells import neutralise_frame
from conflictmap.errors import ConflictmapError
from conflictmap.extract import evidence as ev
from conflictmap.extract import places as place_rules
from conflictmap.extract import what as what_rules
from conflictmap.extract import who as who_rules
from conflictmap.extract.events import MALI_CENTRE, Draft, Reading, read, resolve
from conflictmap.extract.text import LANGUAGES, detect_language

#: Columns a candidate has besides the canonical ones.
EXTRA_COLUMNS: tuple[str, ...] = (
    "confidence",
    "evidence",
    "evidence_text",
    "evidence_spans",
    "confidence_parts",
    "language",
)
#: Below this confidence a candidate is shown as doubtful (the evaluation counts candidates from here up).
REVIEW_THRESHOLD = 0.5

_DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
_DEFAULT_ACTOR1 = {
    "Disrupted weapons use": "mali_armed_forces",
    "Air/drone strike": "mali_armed_forces",
    "Remote explosive/landmine/IED": "unidentified_armed_group",
    "Suicide bomb": "unidentified_armed_group",
    "Shelling/artillery/missile attack": "unidentified_armed_group",
    "Grenade": "unidentified_armed_group",
    "Attack": "unidentified_armed_group",
    "Abduction/forced disappearance": "unidentified_armed_group",
    "Looting/property destruction": "unidentified_armed_group",
    "Arrests": "mali_security_forces",
    "Armed clash": "unidentified_armed_group",
}
_DEFAULT_ACTOR2 = {
    "Disrupted weapons use": "unidentified_armed_group",
    "Attack": "civilians",
    "Abduction/forced disappearance": "civilians",
    "Looting/property destruction": "civilians",
    "Arrests": "civilians",
}


class ExtractError(ConflictmapError, ValueError):
    """Extraction input that cannot be used (no text, a bad date or language); the message names it."""


def _check_inputs(
    text: object, published: object, lang: object, source: object
) -> tuple[str, dt.date, str | None, str]:
    if not isinstance(text, str):
        raise ExtractError(f"article text must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ExtractError("the article has no text")
    if isinstance(published, str):
        try:
            published = dt.date.fromisoformat(published.strip())
        except ValueError:
            raise ExtractError(f"published date {published!r} is not a date; expected YYYY-MM-DD") from None
    if isinstance(published, dt.datetime):
        published = published.date()
    if not isinstance(published, dt.date):
        raise ExtractError(f"published must be a date (YYYY-MM-DD), got {published!r}")
    if lang is not None and lang not in LANGUAGES:
        raise ExtractError(f"language {lang!r} is not supported; expected one of {list(LANGUAGES)}")
    if not isinstance(source, str) or not source.strip():
        raise ExtractError(f"source must name where the article comes from, got {source!r}")
    return text, published, lang, source.strip()  # type: ignore[return-value]


def _state(key: str | None) -> bool:
    return key is not None and who_rules.camp(key) == "state"


_ATTACK = ("Violence against civilians", "Attack")
_CIVILIAN_TARGET = re.compile(
    r"\b(?:villages?|villagers|civilians|residents|inhabitants|villageois|civils|habitants|hameaux|campements?)\b",
    re.IGNORECASE,
)


_SOLDIERS = re.compile(
    r"\b(?:soldiers?|troops|army|military|soldats?|militaires|armée|gendarmes?|police|policiers|peacekeepers"
    r"|casques\s+bleus|militants|fighters|combattants|jihadistes|djihadistes|rebels?|rebelles?)\b",
    re.IGNORECASE,
)


_ATTACKED = re.compile(
    r"\b(?:was|were|have\s+been|has\s+been|had\s+been|ont\s+été|a\s+été|avaient\s+été|avait\s+été)\s+"
    r"(?:\w+\s+)?(?:attacked|ambushed|targeted|attaqu\w+|visée?s?|pris\s+pour\s+cible|ciblée?s?)"
    r"|\bcame\s+under\s+(?:attack|fire)|\bfell\s+into\s+an\s+ambush|\btomb\w+\s+dans\s+une\s+embuscade"
    r"|\b(?:attack|raid|assault)s?\s+on\s+(?:an?\s+|the\s+|its\s+|their\s+)?(?:army\s+|military\s+)?"
    r"(?:camp|base|post|outpost|position)s?"
    r"|\b(?:attaque|assaut)s?\s+(?:contre|visant|du|de\s+la|de\s+leur)\s+(?:le\s+|la\s+|les\s+|un\s+|une\s+)?"
    r"(?:camp|base|poste|position|emprise)s?"
    r"|\bembuscade\s+tendue\s+par|\b(?:a|ont)\s+été\s+(?:la\s+)?(?:cible|victimes?)\s+d['’]"
    r"|\b(?:was|were)\s+the\s+target\s+of|\bvictime\s+d['’]une\s+embuscade"
    r"|\b(?:a|ont|avait)\s+visé[^.;]{0,40}?\b(?:camp|base|poste|position|convoi|patrouille)s?\b"
    r"|\b(?:targeted|targeting|attacked|attacking)\s+(?:an?\s+|the\s+)?(?:\w+\s+)?(?:army|military)\s+"
    r"(?:camp|base|post|convoy|patrol|position)"
    # "le camp des FAMa de Boulkessi ... ont fait l'objet d'une « violente attaque »"
    r"|\b(?:a|ont|avait|avaient)\s+fait\s+l['’]objet\s+d['’]\s*(?:une?\s+)?(?:[«\"]\s*)?(?:\w+\s+)?"
    r"(?:attaques?|assauts?|embuscades?|tirs)",
    re.IGNORECASE,
)


_REPELLED = re.compile(r"\b(?:repel+ed|repulsed|defended\s+against|repouss\w+|déjou\w+|fought\s+off)", re.I)
_CHILDREN = re.compile(r"\b(?:children|child|enfants?|women|femmes|civilians|civils)\b", re.IGNORECASE)
_MILITARY_TARGET = re.compile(
    r"\b(?:army|military)\s+(?:camp|base|post|outpost|position|barracks)s?"
    r"|\b(?:camp|base|poste|position|caserne)s?\s+(?:militaires?|de\s+l['’]armée)"
    r"|\b(?:base|camp|poste)\s+(?:des\s+)?FAMa\b",
    re.IGNORECASE,
)


def _finish_type(draft: Draft, text: str) -> tuple[str, str]:
    event_type, sub = draft.event_type, draft.sub_event_type
    a1, _, a2, _ = draft.roles.keys()
    if a1 == "civilians" and a2 not in (None, "civilians"):
        a1, a2 = a2, a1  # victims named first are still the target (``_final_actors`` swaps them too)
    if sub == what_rules.GENERIC:
        groups = {f.group for f in draft.fatalities}
        # "More than a hundred people killed by terrorists": people of no side, and no force or fighters
        # named against the attackers, are the attack's civilian victims.
        people = a2 is None and bool(groups) and groups <= {"civilians", "unknown"} and not _state(a1)
        unopposed = people and not _MILITARY_TARGET.search(text) and not _SOLDIERS.search(text)
        if "state" not in groups and (a2 == "civilians" or (a2 is None and groups == {"civilians"}) or unopposed):
            event_type, sub = "Violence against civilians", "Attack"
        else:
            event_type, sub = "Battles", "Armed clash"
    if sub == "Arrests" and a1 is not None and not _state(a1):
        event_type, sub = "Violence against civilians", "Abduction/forced disappearance"
    killed = what_rules.total_fatalities(draft.fatalities)[0]
    groups = {f.group for f in draft.fatalities}
    if sub == "Looting/property destruction" and killed > 0:
        # Houses burned and people killed: the killing is the event.
        event_type, sub = ("Battles", "Armed clash") if groups & {"state", "armed"} else _ATTACK
    # Armed men against a village and no force fighting back: an attack on civilians.
    no_opponent = (a2 is None or a2 == "civilians") and not _state(a1) and not groups & {"state", "armed"}
    if sub == "Armed clash" and no_opponent and (a2 == "civilians" or _CIVILIAN_TARGET.search(text)):
        event_type, sub = _ATTACK
    if sub == "Non-state actor overtakes territory" and _REPELLED.search(text):
        # One side says it took the camp, the other that it held it: a clash, not a change of hands.
        event_type, sub = "Battles", "Armed clash"
    if event_type == "Riots" and a1 is not None and who_rules.camp(a1) not in ("rioters", "protesters", "civilians"):
        # Armed men who burn and ransack a village are no crowd.
        event_type, sub = _ATTACK if not groups & {"state", "armed"} else ("Battles", "Armed clash")
    if event_type == "Protests":
        if what_rules.total_fatalities(draft.fatalities)[0] > 0 and what_rules.live_fire(text):
            sub = "Excessive force against protesters"
        elif what_rules.intervention(text):
            sub = "Protest with intervention"
    return event_type, sub


# Malian forces named as such: a bare "army" of a story placed abroad is not theirs then.
_MALIAN = re.compile(r"\b(?:malian|malien(?:ne)?s?|FAMa|Mali['’]s)\b", re.IGNORECASE)

_COUNTRY_NAMED = {
    "burkina_armed_forces": re.compile(r"\bburkina|\bburkinab", re.IGNORECASE),
    "niger_armed_forces": re.compile(r"\bniger(?:ien|iens|ienne|iennes)?\b(?!\s+river)|\bnigérien", re.IGNORECASE),
}

#: The army of each country the gazetteer holds places of.
_ARMY_OF = {"Mali": "mali_armed_forces", "Niger": "niger_armed_forces", "Burkina Faso": "burkina_armed_forces"}


def _national_army(draft: Draft) -> str:
    """The army an air strike or an attacked camp is the state's of: the country of the place, else Mali's."""
    country = getattr(getattr(draft.place, "place", None), "country", None) if draft.place is not None else None
    return _ARMY_OF.get(country or "Mali", "mali_armed_forces")


def _final_actors(
    draft: Draft, sub: str, event_type: str, article: str = ""
) -> tuple[str | None, list[str], str | None, list[str], list[str]]:
    """Actor keys by role after the rules of each sub-type; the last list names defaults used.

    ``article`` is the whole text, where the country a story is about is named.
    """
    a1, assoc1, a2, assoc2 = draft.roles.keys()
    defaults: list[str] = []
    text = draft.text()
    violent = event_type in ("Battles", "Violence against civilians", "Explosions/Remote violence")
    if violent and a1 == "civilians" and a2 is not None and a2 != "civilians":
        # Victims are not actor 1.
        a1, assoc1, a2, assoc2 = a2, assoc2, a1, assoc1
    if a1 is not None and a2 is not None and who_rules.related(a1, a2):
        # One actor on both sides ("the army's drones ... the army has not commented"): no opponent is named.
        a2, assoc2 = None, []
    if sub == "Armed clash" and _state(a1) and (a2 is None or not _state(a2)) and _ATTACKED.search(text):
        # "soldiers were attacked by gunmen", "the camp came under attack": the attackers are actor 1.
        a1, assoc1, a2, assoc2 = a2, assoc2, a1, assoc1
        assoc1 = [k for k in assoc1 if not _state(k)]
        assoc2 = [k for k in assoc2 if _state(k)]
    if sub in ("Remote explosive/landmine/IED", "Suicide bomb") and _state(a1) and a2 is None:
        # "the army vehicle struck a mine": the forces are the target of whoever laid it.
        a1, a2 = None, a1
    if sub in ("Remote explosive/landmine/IED", "Suicide bomb", "Grenade") and a1 == "civilians" and a2 is None:
        # "26 civilians died in a mine explosion": the dead are the target of whoever laid it.
        a1, a2, assoc1 = None, "civilians", []
    if sub == "Remote explosive/landmine/IED" and _state(a1) and a2 == "civilians":
        # "a bus struck a mine, police said": the forces who report a blast on civilians did not lay the mine.
        a1, assoc1 = None, [k for k in assoc1 if not _state(k)]
    if sub == "Air/drone strike" and not _state(a1):
        # Drones and aircraft over Mali are the state's (or its partners'); who was struck is the target.
        if a1 is not None and a1 != "civilians" and (a2 is None or a2 == "unidentified_armed_group"):
            a2 = a1
        a1 = None
    if sub == "Air/drone strike" and a2 in (None, "unidentified_armed_group") and _CHILDREN.search(text):
        groups = {f.group for f in draft.fatalities}
        if groups <= {"civilians"} and groups:
            a2 = "civilians"  # children among the dead: the strike killed civilians
    armed = [k for k in (a1, a2) if k and not _state(k) and k != "civilians"]
    loose = a2 is None or "unidentified_armed_group" in (a1, a2)
    if sub == "Armed clash" and len(armed) == 2 - (a2 is None) and loose and _MILITARY_TARGET.search(text):
        # Armed men against an army camp: the army is the other side ("suspected" groups are no target).
        a2 = _national_army(draft)
    army = _national_army(draft)
    country = _COUNTRY_NAMED.get(army)
    if country is not None and country.search(article) and not _MALIAN.search(text):
        # "the military detachment" of a story placed in Burkina Faso or Niger, and naming that country
        # (a variant spelling may place a Malian village abroad), Mali's forces never named: that army.
        a1, a2 = (army if k == "mali_armed_forces" else k for k in (a1, a2))
        assoc1, assoc2 = ([army if k == "mali_armed_forces" else k for k in side] for side in (assoc1, assoc2))
    if violent and a1 == "mali_government":
        # The government (or "the authorities") speaks of the killing or the shelling; it is not the killer.
        a1 = None
    everyone = [k for k in (a1, *assoc1, a2, *assoc2) if k]
    if draft.rule == "displacement":
        return "civilians", [], None, [], ([] if a1 == "civilians" else ["actor1"])
    if draft.rule == "alert":
        state = [k for k in everyone if _state(k)]
        if a1 is None or not _state(a1):
            a1 = state[0] if state else a1
        assoc1 = [k for k in assoc1 + state if k != a1 and _state(k)]
        return a1, list(dict.fromkeys(assoc1)), None, [], defaults
    if event_type in ("Protests", "Riots"):
        crowd = "rioters" if event_type == "Riots" else "protesters"
        state = [k for k in everyone if _state(k)]
        opponent = state[0] if state and (sub != "Peaceful protest") else None
        return crowd, [], opponent, [], ([] if crowd in everyone else ["actor1"])
    if sub == "Air/drone strike" and a1 is None and _state(a2):
        # "strikes carried out by the army" read as its target: the state struck, the target is unnamed.
        a1, assoc1, a2, assoc2 = a2, assoc2, None, []
    groups = {f.group for f in draft.fatalities}
    civilian_dead = groups <= {"civilians"} or (groups <= {"civilians", "unknown"} and _CHILDREN.search(text))
    if violent and a2 is None and a1 != "civilians" and groups and civilian_dead:
        a2 = "civilians"  # "an explosion killed eleven people on a bus": the dead are the target
    if a1 is None and sub in _DEFAULT_ACTOR1:
        a1 = _DEFAULT_ACTOR1[sub]
        if a1 == "mali_armed_forces":
            a1 = _national_army(draft)
        defaults.append("actor1")
    if a2 is None and sub in _DEFAULT_ACTOR2 and a1 != _DEFAULT_ACTOR2[sub]:
        a2 = _DEFAULT_ACTOR2[sub]
        defaults.append("actor2")
    if sub == "Armed clash" and a2 is None and a1 is not None and _state(a1):
        a2 = "unidentified_armed_group"
        defaults.append("actor2")
    return a1, assoc1, a2, assoc2, defaults


def _stated(draft: Draft) -> bool:
    """A development that happens where statements are made, so the dateline may place it.

    Arrests, looting and bases are made on the ground, not in the city a dispatch is filed from.
    """
    return draft.event_type == "Strategic developments" and draft.sub_event_type not in _GROUND_DEVELOPMENTS


_GROUND_DEVELOPMENTS = frozenset(
    {"Arrests", "Looting/property destruction", "Disrupted weapons use", "Headquarters or base established"}
)


def _confidence(reading: Reading, draft: Draft, defaults: list[str]) -> tuple[float, list[str]]:
    parts: list[tuple[str, float]] = [("incident wording", 0.35)]
    specific = draft.sub_event_type != what_rules.GENERIC and draft.rule not in ("alert", "displacement")
    parts.append(("specific incident type" if specific else "general incident type", 0.25 if specific else 0.15))
    place_scores = {"quarter": 0.2, "place": 0.2, "near": 0.15, "region": 0.1, "reference": 0.05, "dateline": 0.05}
    if draft.place is not None:
        if draft.place_source == "sentence":
            parts.append((f"place named ({draft.place.role})", place_scores.get(draft.place.role, 0.1)))
        elif draft.place_source == "reference":
            parts.append(("place only as a landmark", 0.05))
        elif draft.place_source == "context":
            parts.append(("place from the sentences before", 0.1))
        elif _stated(draft):
            parts.append(("place from the dateline (where statements are made)", 0.05))
    if draft.date_source == "sentence":
        parts.append(("date given", 0.15 if draft.date.time_precision <= 2 else 0.1))
    elif draft.date_source in ("anaphoric", "context"):
        parts.append(("date from the sentences before", 0.08))
    elif draft.date_source == "report":
        parts.append(("date of the report only", 0.03))
    if len(defaults) < 2 and draft.roles.participants():
        parts.append(("actors named", 0.05))
    score = sum(v for _, v in parts)
    notes = [f"+{v:.2f} {name}" for name, v in parts]
    factors: list[tuple[str, float]] = []
    if draft.background:
        factors.append(("background: " + "; ".join(draft.background), 0.35))
    period = draft.period
    if period and (reading.published - period[1]).days > 365:
        factors.append(("more than a year before publication: history, not news", 0.45))
    if draft.foreign:
        factors.append(("the sentence is about another country", 0.3))
    if draft.place is not None and draft.place.alternatives > 1:
        factors.append(("several places share the name", 0.9))
    for name, factor in factors:
        score *= factor
        notes.append(f"x{factor:g} {name}")
    if draft.place is None:
        score = min(score, 0.35)
        notes.append("at most 0.35: no place of Mali")
    elif draft.place_source == "dateline" and not _stated(draft):
        score = min(score, 0.45)
        notes.append("at most 0.45: placed only by the dateline")
    return round(max(0.0, min(1.0, score)), 2), notes


def _marks(reading: Reading, draft: Draft, roles_used: dict[int, str]) -> list[tuple[int, int, str, str]]:
    marks: list[tuple[int, int, str, str]] = []
    for t in draft.triggers:
        marks.append((t.start, t.end, "what", t.rule.name))
    for s in draft.sentences:
        for p in reading.places_in(s.start, s.end):
            chosen = draft.place is not None and p.start == draft.place.start and draft.place_source == "sentence"
            marks.append((p.start, p.end, "place", "place" if chosen else f"place: {p.role}"))
            if p.cue and chosen:
                marks.append((p.cue[0], p.cue[1], "place", f"place: {p.role}"))
        for d in reading.dates_in(s.start, s.end):
            chosen = draft.date is not None and d.start == draft.date.start and draft.date.text == d.text
            if chosen:
                label = "date"
            elif d.report:
                label = "date: report"
            elif d.since:
                label = "date: since"
            else:
                label = "date: other"
            marks.append((d.start, d.end, "date", label))
        for a in reading.actors_in(s.start, s.end):
            marks.append((a.start, a.end, "actor", roles_used.get(a.start, "actor: not a participant")))
    for f in draft.fatalities:
        marks.append((f.start, f.end, "fatalities", f"fatalities: {f.count}"))
    return marks


def _actor_labels(
    reading: Reading, draft: Draft, final: tuple[str | None, list[str], str | None, list[str]]
) -> dict[int, str]:
    """Label of every actor mention in the evidence: its role in the event, or why it has none."""
    a1, assoc1, a2, assoc2 = final
    by_role = [("actor1", [a1]), ("actor2", [a2]), ("assoc_actor_1", assoc1), ("assoc_actor_2", assoc2)]
    left_out = {m.start: why for m, why in draft.roles.left_out}
    labels: dict[int, str] = {}
    for s in draft.sentences:
        for m in reading.actors_in(s.start, s.end):
            if m.start in left_out:
                labels[m.start] = f"actor: {left_out[m.start]}"
                continue
            role = next((r for r, keys in by_role if any(k and who_rules.related(k, m.key) for k in keys)), None)
            labels[m.start] = role or "actor: not a participant"
    return labels


def _row(reading: Reading, draft: Draft, source: str, lang: str, now: pd.Timestamp) -> dict[str, object]:
    text = draft.text()
    event_type, sub = _finish_type(draft, text)
    draft.event_type, draft.sub_event_type = event_type, sub
    a1, assoc1, a2, assoc2, defaults = _final_actors(draft, sub, event_type, reading.text)
    period = draft.period or (reading.published, reading.published, 2)
    year = period[0].year
    fatalities, low, high = what_rules.total_fatalities(draft.fatalities)
    roles_used = _actor_labels(reading, draft, (a1, assoc1, a2, assoc2))
    evidence_text, marks = ev.assemble(
        [(s.start, s.end, s.text) for s in draft.sentences], _marks(reading, draft, roles_used)
    )
    confidence, parts = _confidence(reading, draft, defaults)
    place = draft.place
    if place is None:
        lat, lon, location, admin1, admin2, geo_precision = *MALI_CENTRE, "Mali", None, None, 4
    else:
        lat, lon, location = place.latitude, place.longitude, place.name
        admin1, admin2, geo_precision = place.admin1, place.admin2, place.geo_precision
        capital = place_rules.provincial_capital(place.place) if place.role == "region" else None
        if capital is not None:
            # Known only by its region: at the provincial capital with geo_precision 3, as ACLED codes it.
            lat, lon, location, admin2 = capital.latitude, capital.longitude, capital.name, capital.admin2

    def name(key: str | None) -> str | None:
        return who_rules.acled_name(key, year) if key else None

    def names(keys: list[str]) -> str | None:
        return "; ".join(dict.fromkeys(who_rules.acled_name(k, year) for k in keys)) or None

    civilian_targeting = event_type == "Violence against civilians" or (
        event_type == "Explosions/Remote violence" and a2 == "civilians"
    )
    return {
        "event_id": schema.stable_event_id("article", source, reading.published.isoformat(), evidence_text, sub),
        "dataset": "article",
        "event_date": pd.Timestamp(period[0]),
        "date_end": pd.Timestamp(max(period[0], period[1])),
        "time_precision": period[2],
        "event_type": event_type,
        "sub_event_type": sub,
        "source_event_type": None,
        "disorder_type": _DISORDER[event_type],
        "actor1": name(a1),
        "assoc_actor_1": names(assoc1),
        "actor2": name(a2),
        "assoc_actor_2": names(assoc2),
        "civilian_targeting": civilian_targeting,
        "fatalities": fatalities,
        "fatalities_low": low,
        "fatalities_high": high,
        "country": "Mali",
        "admin1": admin1,
        "admin2": admin2,
        "admin3": None,
        "location": location,
        "latitude": lat,
        "longitude": lon,
        "geo_precision": geo_precision,
        "source": source,
        "source_scale": None,
        "notes": evidence_text,
        "tags": None,
        "timestamp": now,
        "confidence": confidence,
        "evidence": ev.marked_text(evidence_text, marks),
        "evidence_text": evidence_text,
        "evidence_spans": [m.to_dict(evidence_text) for m in marks],
        "confidence_parts": parts,
        "language": lang,
    }


def empty_candidates() -> gpd.GeoDataFrame:
    """A candidate table with no rows: canonical columns plus ``EXTRA_COLUMNS``."""
    table = schema.empty_events()
    for col in EXTRA_COLUMNS:
        table[col] = pd.Series([], dtype="float64" if col == "confidence" else "object")
    return table


def extract_events(
    text: str,
    *,
    published: dt.date,
    lang: str | None = None,
    source: str,
    now: pd.Timestamp | None = None,
) -> gpd.GeoDataFrame:
    """Candidate events from a news article about Mali.

    Parameters
    ----------
    text : str
        The article as plain text, paragraphs separated by blank lines (use
        ``text.html_to_article`` for a web page).
    published : datetime.date
        Publication date; relative dates ("last Thursday", "fin août") are read from it.
        A ``"YYYY-MM-DD"`` string is accepted.
    lang : {"en", "fr"}, optional
        The article's language, recorded in ``language``; detected when not given. The rules
        read English and French in any text, so a wrong or mixed language loses nothing.
    source : str
        Where the article comes from (written to ``source``).
    now : pandas.Timestamp, optional
        The ``timestamp`` to record (UTC); the current time by default.

    Returns
    -------
    geopandas.GeoDataFrame
        Canonical columns (``dataset = "article"``) plus ``confidence`` (0-1),
        ``evidence`` (the sentences with ``[[words|label]]`` marks),
        ``evidence_text``, ``evidence_spans`` (list of dicts: start, end, kind,
        label, text into ``evidence_text``), ``confidence_parts`` (what added
        to or cut the score) and ``language``. Most confident first.

    Raises
    ------
    ExtractError
        If the text is empty, the date is not a date, the language is not
        supported or the source is blank.
    """
    text, published, lang, source = _check_inputs(text, published, lang, source)
    language = lang or detect_language(text)
    stamp = pd.Timestamp(now if now is not None else pd.Timestamp.now(tz="UTC"))
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    reading = read(text, published)
    drafts = resolve(reading)
    rows = [_row(reading, d, source, language, stamp) for d in drafts]
    if not rows:
        return empty_candidates()
    order = sorted(range(len(rows)), key=lambda i: (-rows[i]["confidence"], i))
    rows = [rows[i] for i in order]
    seen: dict[str, int] = {}
    for row in rows:
        # Two identical sentences in one article make the same id; number the repeats.
        n = seen.get(row["event_id"], 0)
        seen[row["event_id"]] = n + 1
        if n:
            row["event_id"] = f"{row['event_id']}-{n}"
    table = schema.to_canonical(pd.DataFrame(rows))
    for col in EXTRA_COLUMNS:
        table[col] = pd.Series(
            [r[col] for r in rows], index=table.index, dtype="float64" if col == "confidence" else "object"
        )
    return table


def write_candidates(candidates: gpd.GeoDataFrame, path: str | Path) -> None:
    """Write candidates to CSV: canonical columns, then confidence, evidence and the other extra columns.

    ``evidence_spans`` and ``confidence_parts`` are written as JSON. The file
    reads back with ``conflictmap import`` (the extra columns are reported as
    not carried).

    Parameters
    ----------
    candidates : geopandas.GeoDataFrame
        From ``extract_events``.
    path : str or pathlib.Path
        A ``.csv`` file.

    Raises
    ------
    ValueError
        If the file name does not end in ``.csv``.
    """
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise ValueError(f"cannot write candidates to {path.name!r}: expected a .csv file")
    plain = pd.DataFrame(candidates[list(schema.COLUMNS)])
    for col in schema.TEXT_COLUMNS:
        plain[col] = plain[col].astype(object).where(plain[col].notna(), None)
    for col in schema.DATE_COLUMNS:
        plain[col] = plain[col].dt.strftime("%Y-%m-%d")
    stamps = plain["timestamp"]
    plain["timestamp"] = stamps.map(lambda t: t.isoformat().replace("+00:00", "Z"), na_action="ignore").astype(object)
    for col in EXTRA_COLUMNS:
        values = candidates[col]
        if col in ("evidence_spans", "confidence_parts"):
            values = values.map(lambda v: json.dumps(v, ensure_ascii=False))
        plain[col] = values.to_numpy()
    # Text a spreadsheet would run as a formula starts with an apostrophe (see ``csvcells``).
    neutralise_frame(plain, [*schema.TEXT_COLUMNS, *EXTRA_COLUMNS]).to_csv(path, index=False, encoding="utf-8")

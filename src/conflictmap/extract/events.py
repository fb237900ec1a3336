"""From an article to candidate events: one draft per incident, then place, date, actors, type and confidence.

How an article is read:

1. Sentences are split (the headline is skipped; the dateline's place and
   date are where and when the story was filed, not events).
2. In each clause the strongest incident word (``what.best_trigger``) opens
   a draft, unless the clause has no place and no date of its own and goes
   on telling the incident before it: the same paragraph and a compatible
   type ("Two soldiers were killed"), the same sub-type in the next
   paragraph, or a back reference ("the attack was claimed by JNIM"). Then
   it adds its actors, deaths and words to that draft.
3. A sentence with no incident word that follows a draft in its paragraph
   adds the actors and tolls it names ("alongside their Russian partners").
4. A draft with no place of its own takes one from a back reference ("in
   the area", "aux abords de la ville"), the sentence before it, the
   dateline, or the country (``geo_precision`` 4). A draft with no date
   takes "the same day" from the draft before, the date of the sentence
   before, or the days just before the statement or the publication (``time_precision`` 2).
5. Drafts telling the same incident twice (the lead and the detail) merge.

Each draft also records what makes it doubtful (background wording,
"since 2012", an analysis piece, a plan, a sentence about another country);
``candidates`` turns that into the confidence score.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field, replace

from conflictmap import gazetteer
from conflictmap.extract import dates as date_rules
from conflictmap.extract import places as place_rules
from conflictmap.extract import what as what_rules
from conflictmap.extract import who as who_rules
from conflictmap.extract.dates import DateMention
from conflictmap.extract.places import PlaceMention
from conflictmap.extract.text import Dateline, Sentence, date_stamp_end, find_dateline, split_sentences
from conflictmap.extract.what import FatalityMention, Trigger
from conflictmap.extract.who import ActorMention, Roles

#: Where an event with no place of Mali lands: the country's centre.
MALI_CENTRE = (17.57, -3.99)
#: Incidents that are statements (orders, warnings, announcements): when they were said is when they happened.
STATEMENT_RULES = frozenset({"alert", "agreement ended"})
_VIOLENT = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
_DEMONSTRATION = frozenset({"Protests", "Riots"})

# "..., mais ce lundi, les affrontements ont éclaté vers Anéfis": a contrast that moves to another time or place.
_CLAUSE_BREAK = re.compile(
    r";\s+|\s+(?:while|whereas|tandis\s+qu['’]?e?|alors\s+qu['’]?e?)\s+"
    r"|,?\s+(?:mais|but)\s+(?=(?:ce|cette|on|this|le|la|les|l['’])\s*(?:\w+\s+)?(?:lundi|mardi|mercredi|jeudi|vendredi"
    r"|samedi|dimanche|matin|soir|jour|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|morning|day)\b)",
    re.IGNORECASE,
)
_PLACE_BACK_REFERENCE = re.compile(
    r"\b(?:the\s+same\s+(?:road|area|town|village|locality|axis|place)|the\s+(?:area|town|city|village|locality|camp)"
    r"|there|at\s+the\s+scene|la\s+(?:ville|localité|zone|commune)|le\s+(?:village|secteur|camp)|(?:même|le\s+même)"
    r"\s+(?:axe|route|zone|secteur)|sur\s+place|sur\s+les\s+lieux)\b",
    re.IGNORECASE,
)
_NEAR_BACK_REFERENCE = re.compile(
    r"\b(?:near|outside|around|on\s+the\s+outskirts\s+of|aux\s+abords\s+de|près\s+de|autour\s+de|aux\s+environs\s+de"
    r"|dans\s+les\s+environs\s+de|non\s+loin\s+de)\s+(?:the\s+|la\s+|le\s+)?$",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(
    r"\b(?:for\s+(?:years|decades|a\s+decade|more\s+than\s+a\s+decade)|in\s+recent\s+years|has\s+long|have\s+long"
    r"|regularly|often|frequently|routinely|historically|analysts?|experts?|observers|is\s+seen\s+as|are\s+seen\s+as"
    r"|has\s+been\s+(?:battling|waging|facing|plagued|ruled|hit|struggling|grappling)|have\s+been\s+(?:battling|waging"
    r"|facing|plagued)|already|depuis\s+(?:des\s+années|plus\s+de\s+\w+\s+ans|une\s+décennie|plusieurs\s+années)"
    r"|en\s+proie\s+à|est\s+le\s+théâtre|sont\s+le\s+théâtre|régulièrement|souvent|fréquemment|de\s+plus\s+en\s+plus"
    r"|avait\s+déjà|avaient\s+déjà|a\s+déjà|ont\s+déjà|déjà|selon\s+les\s+analystes|les\s+experts"
    r"|(?:have|has|had)\s+continued\s+to|continue[sd]?\s+to|ont\s+continué\s+(?:à|de)|continuent\s+(?:à|de)"
    r"|across\s+the\s+(?:country|north|centre|center|south|region|sahel)|à\s+travers\s+le\s+pays"
    r"|dans\s+tout\s+le\s+pays|ha(?:s|ve)\s+suffered|(?:a|ont)\s+culminé"
    r"|depuis\s+(?:\w+\s+)?(?:ans|années|mois)|ces\s+dernières\s+années|(?:is|are)\s+present\s+in"
    r"|several\s+(?:towns|villages|localities|regions)|plusieurs\s+(?:villes|localités|régions)"
    r"|dozens\s+of\s+(?:attacks|incidents)|des\s+dizaines\s+d['’]attaques"
    # "Militants have since spread ..., killing thousands": the story of the conflict, not the incident.
    r"|(?:have|has|had)\s+since|(?:killing|killed|kill)\s+thousands|des?\s+milliers\s+de\s+(?:morts|victimes)|thousands\s+of\s+(?:dead|deaths|lives)"
    # "Thousands of civilians and troops have died", "hundreds of thousands have fled": the war's toll.
    r"|(?:thousands|milliers)\s+(?:of|de|d['’])\s*[\w\s'’]{0,40}?\b(?:have|had|ont|avaient)\s+(?:died|been\s+killed"
    r"|fled|been\s+(?:displaced|forced)|péri|fui|été\s+(?:tués|déplacés|contraints))"
    r"|hundreds\s+of\s+thousands|des\s+centaines\s+de\s+milliers"
    # "as of August 31, mines had caused 72 deaths": a running count, not an incident.
    r"|as\s+of\s+(?:the\s+end\s+of\s+)?(?:\w+\s+\d{1,2}|\d{1,2}\s+\w+|\w+\s+\d{4}))\b",
    re.IGNORECASE,
)
# ", a region regularly rocked by violence": words describing a place, not the incident.
_APPOSITION = re.compile(
    r",\s+(?:a|an|une?)\s+(?:[\w-]+\s+){0,2}?(?:region|area|zone|country|town|city|state|région|ville|pays"
    r"|localité)\s+[^,.;]*"
    # "..., where ethnic militias regularly slaughter civilians": what the place is known for.
    r"|,\s+(?:where|où)\s+[^.;]*",
    re.IGNORECASE,
)
# "in Burkina Faso", "au Niger": the sentence is about another country (not "hostility from Algeria").
_IN_COUNTRY = re.compile(
    r"(?:\bin|\binto|\binside|\bacross|\bau|\ben|\bà)\s+(?:the\s+|neighbouring\s+|neighboring\s+|northern\s+"
    r"|southern\s+|eastern\s+|western\s+)?$",
    re.IGNORECASE,
)
_SURROUNDINGS = re.compile(
    r"\b(?:surrounding|nearby|neighbouring|neighboring)\s+(?:villages|area|localities|hamlets)"
    r"|villages\s+(?:environnants"
    r"|voisins|alentour|de\s+la\s+zone)|villages\s+in\s+the\s+area|\balentours\b|localités\s+environnantes",
    re.IGNORECASE,
)
# The place of a statement or of the person quoted is not an event's place.
_STATEMENT_PLACE = re.compile(
    r"(?:statement|communiqué|press\s+conference|conférence\s+de\s+presse)\s+(?:in|à)\s+$"
    # "les autorités de Bamako", "the junta in Bamako": the state, not a place where something happened.
    r"|\b(?:autorités|authorities|gouvernement|government|junte|junta|pouvoir|régime|regime|officials)"
    r"\s+(?:au\s+pouvoir\s+)?(?:de|à|in|of)\s+$"
    # "the mayor of Bankass said", "le maire de la ville de Bankass": where the speaker holds office.
    r"|\b(?:maire|mayor|gouverneur|governor|préfet|prefect|élu|councill?or|conseiller)s?\s+(?:\w+\s+){0,2}?"
    r"(?:de\s+la\s+(?:ville|commune|localité)\s+(?:de\s+|d['’])|of\s+the\s+(?:nearby\s+|nearest\s+)?(?:town|city"
    r"|village|commune)\s+of\s+|du\s+village\s+de\s+|de\s+|d['’]|of\s+|du\s+)$"
    r"|(?:\bselon|\baccording\s+to|\bd['’]après|\bquoted\s+by|\bjoint\s+par)\s+[^,.;:]{0,40}?"
    r"(?:\bde\s+la\s+région\s+de|\bof\s+the|\bin|\bfrom|\bof|\bde|\bdu|\bà|\bd['’])\s*(?:la\s+|le\s+|l['’]\s*)?$",
    re.IGNORECASE,
)


@dataclass
class Draft:
    """An incident being assembled from the sentences that tell it.

    Attributes are filled step by step; ``candidates`` turns a finished draft into a table row.
    """

    sentences: list[Sentence]
    trigger: Trigger
    event_type: str
    sub_event_type: str
    rule: str
    paragraph: int
    place: PlaceMention | None = None
    place_source: str = "none"
    date: DateMention | None = None
    date_source: str = "none"
    roles: Roles = field(default_factory=Roles)
    fatalities: list[FatalityMention] = field(default_factory=list)
    no_deaths: bool = False
    triggers: list[Trigger] = field(default_factory=list)
    background: list[str] = field(default_factory=list)
    foreign: bool = False
    own_place: bool = False
    own_date: bool = False
    #: The date came from a clause with no incident word ("... pulled its troops out in August").
    date_aside: bool = False
    intervened: bool = False
    area: bool = False  # the place is an area around a town ("la commune de Bankass", "the Bankass Circle")
    group: int = 0  # drafts split from one list of places share a number (0: none)

    @property
    def period(self) -> tuple[dt.date, dt.date, int] | None:
        if self.date is None or self.date.date is None:
            return None
        return self.date.date, self.date.date_end, self.date.time_precision

    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


@dataclass
class Reading:
    """Everything found in an article, with offsets into its text."""

    text: str
    published: dt.date
    sentences: list[Sentence]
    dateline: Dateline | None
    actors: list[ActorMention]
    places: list[PlaceMention]
    dates: list[DateMention]
    foreign: list[tuple[int, int, str]]
    drafts: list[Draft] = field(default_factory=list)

    def places_in(self, start: int, end: int) -> list[PlaceMention]:
        return [p for p in self.places if start <= p.start < end]

    def dates_in(self, start: int, end: int) -> list[DateMention]:
        return [d for d in self.dates if start <= d.start < end]

    def actors_in(self, start: int, end: int) -> list[ActorMention]:
        return [a for a in self.actors if start <= a.start and a.end <= end]


# Actor names that are also common words when written in lower case ("its media platform").
_COMMON_WORD_ACTOR = re.compile(r"platform|plateforme|coordination|movement|mouvement")


def read(text: str, published: dt.date) -> Reading:
    """Find every sentence, place, date and actor of an article.

    Parameters
    ----------
    text : str
        The article.
    published : datetime.date
        Its publication date.
    """
    dateline = find_dateline(text)
    if dateline is not None and dateline.detail:
        # "DAKAR, Jan 5 (Reuters) -": the day the story was filed is the day "on Tuesday" counts from.
        filed = [d for d in date_rules.find_dates(dateline.detail, published) if d.kind == "day" and d.date]
        if filed and 0 <= (published - filed[0].date).days <= 10:
            published = filed[0].date
    actors = [a for a in who_rules.find_actors(text) if not _COMMON_WORD_ACTOR.fullmatch(a.text)]
    actors = who_rules.resolve_references(text, actors)
    skip = [(a.start, a.end) for a in actors]
    if dateline:
        skip.append((dateline.start, dateline.end))
    places = place_rules.find_places(text, skip=skip)
    found_dates = date_rules.find_dates(text, published)
    stamp_end = date_stamp_end(text)
    found_dates = [d for d in found_dates if d.start >= stamp_end]
    if dateline:
        found_dates = [d for d in found_dates if not (dateline.start <= d.start < dateline.end)]
        actors = [a for a in actors if not (dateline.start <= a.start < dateline.end)]
    return Reading(
        text=text,
        published=published,
        sentences=split_sentences(text),
        dateline=dateline,
        actors=actors,
        places=places,
        dates=found_dates,
        foreign=place_rules.find_foreign(text),
    )


def _clauses(s: Sentence) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for m in _CLAUSE_BREAK.finditer(s.text):
        spans.append((s.start + pos, s.start + m.start()))
        pos = m.end()
    spans.append((s.start + pos, s.end))
    return [(a, b) for a, b in spans if b > a]


def _shift_trigger(t: Trigger, offset: int) -> Trigger:
    return replace(t, start=t.start + offset, end=t.end + offset)


def _shift_actor(m: ActorMention, offset: int) -> ActorMention:
    return ActorMention(m.start + offset, m.end + offset, m.text, m.key, m.generic)


def _event_dates(
    reading: Reading, start: int, end: int, near: int | None = None, *, statement: bool = False
) -> list[DateMention]:
    """Dates of what happened in a span, the one nearest ``near`` first.

    Report dates (unless the incident is itself a ``statement``: an order, a warning, an
    announcement), plans and back references ("the same day") are left out; "since ..." counts only
    for a running count within the last year ("depuis le début du mois"), after any other date.
    """
    found = [
        d
        for d in reading.dates_in(start, end)
        if (not d.report or (statement and d.report == "said"))
        and not d.future
        and d.kind != "anaphoric"
        and not (d.since and _long_ago(reading, d))
    ]
    if near is None:
        return sorted(found, key=lambda d: (d.since, d.start))
    # The date in the incident's own stretch of words (between commas) first, then the nearest.
    text = reading.text
    left = max(text.rfind(c, start, near) for c in ",;()—–")
    right = min((i for i in (text.find(c, near, end) for c in ",;()—–") if i != -1), default=end)

    def distance(d: DateMention) -> tuple[bool, bool, int]:
        inside = left < d.start and d.end <= right
        return d.since, not inside, min(abs(d.start - near), abs(d.end - near))

    return sorted(found, key=distance)


def _long_ago(reading: Reading, d: DateMention) -> bool:
    return d.date is not None and (reading.published - d.date).days > 365


def _roles(reading: Reading, start: int, end: int, trigger: Trigger) -> Roles:
    clause = reading.text[start:end]
    local = [_shift_actor(a, -start) for a in reading.actors_in(start, end)]
    roles = who_rules.assign_roles(
        clause, local, transfer=trigger.sub_event_type == "Non-violent transfer of territory"
    )
    # "the army repelled an attack": the subject was attacked.
    if roles.actor1 is not None and trigger.rule.defensive(trigger.text):
        before = clause[max(0, roles.actor1.start - 70) : roles.actor1.start]
        if not re.search(r"\b(?:by|par)\s+(?:\w+\s+){0,3}$", before, re.IGNORECASE):
            roles.actor1, roles.actor2 = roles.actor2, roles.actor1
            roles.assoc1, roles.assoc2 = roles.assoc2, roles.assoc1
    for attr in ("actor1", "actor2"):
        m = getattr(roles, attr)
        if m is not None:
            setattr(roles, attr, _shift_actor(m, start))
    roles.assoc1 = [_shift_actor(m, start) for m in roles.assoc1]
    roles.assoc2 = [_shift_actor(m, start) for m in roles.assoc2]
    roles.left_out = [(_shift_actor(m, start), why) for m, why in roles.left_out]
    return roles


def _compatible_type(draft: Draft, trigger: Trigger) -> bool:
    if trigger.sub_event_type == what_rules.GENERIC:
        return draft.event_type in _VIOLENT
    if draft.event_type in _VIOLENT and trigger.event_type in _VIOLENT:
        return True
    if draft.event_type in _DEMONSTRATION and trigger.event_type in _DEMONSTRATION:
        return True
    return draft.rule == trigger.rule.name


def _own_places(reading: Reading, start: int, end: int, *, keep_reference: bool = False) -> list[PlaceMention]:
    """Places a clause locates something at: not landmarks (unless asked), not where a source speaks from,
    not the wider area that qualifies the place before it ("north of A in the B ...", "à A dans le cercle de B")."""
    mentions = reading.places_in(start, end)
    qualifiers = {
        id(p)
        for before, p in itertools.pairwise(mentions)
        if before.role != "reference" and _QUALIFIER_GAP.match(reading.text[before.end : p.start])
    }
    return [
        p
        for p in mentions
        if id(p) not in qualifiers
        if (keep_reference or p.role != "reference")
        and not (
            _STATEMENT_PLACE.search(reading.text[max(start, p.start - 70) : p.start])
            and not _WHERE_AFTER.match(reading.text[p.end : p.end + 12])
        )
        and not (p.role in ("place", "near") and _in_brackets(reading.text, p, start, end))
        and not _SPEAKER_AFTER.match(reading.text[p.end : p.end + 30])
        and not _witness_elsewhere(reading, p, end)
        and not _DESTINATION_BEFORE.search(reading.text[max(start, p.start - 40) : p.start])
    ]


# "A resident of A, the town near the base, said ...", "un habitant de A a confié ...": where a witness
# lives, not where the incident happened.
_RESIDENT_BEFORE = re.compile(
    r"\b(?:residents?|inhabitants?|witness(?:es)?|habitants?|témoins?|ressortissants?)\s+(?:of|from|in|de|du|d['’])"
    r"\s*(?:the\s+(?:town|city|village)\s+of\s+|la\s+(?:ville|commune|localité)\s+de\s+)?$",
    re.IGNORECASE,
)
_SAID_AFTER = re.compile(
    r"^[^.;:]{0,70}?\b(?:said|says|told|explained|recounted|reported|a\s+(?:déclaré|confié|indiqué|expliqué|raconté"
    r"|témoigné|affirmé|rapporté|ajouté)|ont\s+(?:déclaré|confié|indiqué|expliqué|raconté|témoigné|affirmé))\b",
    re.IGNORECASE,
)


def _witness_elsewhere(reading: Reading, p: PlaceMention, end: int) -> bool:
    """ "A resident of A said ..." after an incident placed elsewhere: A is where the witness lives.

    Residents of the place already told ("Residents of B said a helicopter opened fire", after B) stay there.
    """
    if not (
        _RESIDENT_BEFORE.search(reading.text[max(0, p.start - 40) : p.start])
        and _SAID_AFTER.match(reading.text[p.end : min(end, p.end + 90)])
    ):
        return False
    told = {d.place.name for d in reading.drafts if d.own_place and d.place is not None}
    return bool(told) and p.name not in told and p.place.name not in told


# What joins a place to the wider area it lies in: "A in the B", "A dans la région de B", "A, dans le cercle de B".
_QUALIFIER_GAP = re.compile(
    r"^,?\s+(?:in|dans|within)\s+(?:the|la|le|l['’])\s*(?:(?:region|province|cercle|circle|district|area|région"
    r"|commune|zone|département|department)\s+(?:of|de|du|d['’])\s*)?$",
    re.IGNORECASE,
)


# "le groupe se dirigeait vers la ville de Gao", "a bus bound for Gao": where they were going, not where it happened.
_DESTINATION_BEFORE = re.compile(
    r"(?:\bse\s+dirigeai(?:t|ent)\s+vers|\ben\s+route\s+(?:pour|vers|to|for)|\bbound\s+for|\bheading\s+(?:to|for)"
    r"|\bà\s+destination\s+de|\bon\s+(?:its|their)\s+way\s+to)\s+(?:la\s+ville\s+de\s+|the\s+(?:town|city)\s+of\s+)?$",
    re.IGNORECASE,
)


# "another Gao official claimed": the town a speaker comes from, not where anything happened.
_SPEAKER_AFTER = re.compile(
    r"^\s+(?:officials?|mayor|governor|residents?|elders?|notables?|councill?ors?|lawmakers?|MPs?|deputies"
    r"|spokes(?:man|woman|person))\b",
    re.IGNORECASE,
)


_AREA_WORDS = re.compile(r"\b(?:commune|cercle|circle|district|arrondissement|municipality|zone|area)\b", re.I)
_WHERE_AFTER = re.compile(r"^,?\s+(?:where|où)\b", re.IGNORECASE)


def _in_brackets(text: str, p: PlaceMention, start: int, end: int) -> bool:
    """A town in brackets qualifies the name before it ("poste de Diankabou (commune de Mopti)"): not the place."""
    opened = text.rfind("(", max(start, p.start - 60), p.start)
    if opened == -1 or ")" in text[opened : p.start]:
        return False
    closed = text.find(")", p.end, min(end, p.end + 60))
    if closed == -1 or opened < start + 2 or text[opened - 1] != " ":
        return False
    # After a name ("Diankabou (commune de Mopti)"), not after a common word ("la capitale malienne (Bamako)").
    word = re.search(r"([\w'’-]+)\s*$", text[max(start, opened - 30) : opened])
    return bool(word) and word.group(1)[:1].isupper()


_RELATIVE_AFTER = re.compile(r"^\s*(?:qui|that|which|dont|ayant|où|where)\b", re.IGNORECASE)
_DEFINITE_SUBJECT = re.compile(r"^\W*(?:the|these|les|ces)\s+\w+", re.IGNORECASE)


def _continues(reading: Reading, s: Sentence, start: int, end: int, trigger: Trigger) -> Draft | None:
    """The draft this clause goes on telling, if any."""
    if not reading.drafts:
        return None
    own_place = _own_places(reading, start, end)
    own_date = _event_dates(reading, start, end)
    anaphoric_date = any(d.kind == "anaphoric" for d in reading.dates_in(start, end))
    last = reading.drafts[-1]
    clause = reading.text[start:end]
    old_dates = [d for d in reading.dates_in(start, end) if d.date and (reading.published - d.date).days > 365]
    if s.paragraph != last.paragraph and (_BACKGROUND.search(clause) or old_dates):
        return None  # a paragraph of background ("the insurgency took root in 2012") is no more of the incident
    # Arrests of protesters belong to the protest.
    if trigger.sub_event_type == "Arrests" and last.event_type in _DEMONSTRATION and not own_place:
        keys = {a.key for a in reading.actors_in(start, end)}
        if "protesters" in keys:
            return last
    if anaphoric_date:
        return None  # "the same day": another incident on that day
    if _UNLISTED_PLACE_START.match(clause):
        return None  # "A Acharane, située à 35 km de Tombouctou, ...": another place, so another incident
    if trigger.anaphoric and _RELATIVE_AFTER.match(reading.text[trigger.end : trigger.end + 12]):
        return None  # "l'embuscade qui a coûté la vie à six casques bleus": a new incident defined on the spot
    # "The attackers ... burned granaries": a clause about the actors of the last violent incident.
    subject = [
        a
        for a in reading.actors_in(start, min(end, start + 40))
        if _DEFINITE_SUBJECT.match(reading.text[start : a.end])
    ]
    recent_violence = last.event_type in _VIOLENT and s.paragraph - last.paragraph <= 1
    if subject and not own_date and recent_violence:
        known = any(who_rules.related(a.key, p.key) for a in subject for p in last.roles.participants())
        if known or (last.roles.actor1 is None and subject[0].key == "unidentified_armed_group"):
            return last
    # "Cette attaque aurait été commise par ...": the attack just told, whatever else the clause dates.
    subject_reference = trigger.anaphoric and trigger.start - start < 70 and not own_place
    if (own_place or own_date) and not subject_reference:
        same_story = last.paragraph == s.paragraph and last.rule == trigger.rule.name and not trigger.anaphoric
        # "These assaults targeted A, B and C": the incident just told, given the places it lacked.
        retold = (
            trigger.anaphoric
            and trigger.start - start < 70
            and last.paragraph == s.paragraph
            and _compatible_type(last, trigger)
        )
        if own_date and not own_place and _dated_elsewhere(reading, last, own_date[0]):
            return None  # "raided a village last week" after the Monday attack retold: another incident
        return last if (same_story or retold) and _fills_gap(last, own_place, own_date) else None
    if trigger.anaphoric:
        candidates = [
            d for d in reversed(reading.drafts) if _compatible_type(d, trigger) and s.paragraph - d.paragraph <= 3
        ]
        # "the attack" refers to an attack before an air strike told after it.
        preferred = [d for d in candidates if d.event_type in ("Battles", "Violence against civilians")]
        if trigger.sub_event_type == what_rules.GENERIC and preferred:
            return preferred[0]
        return candidates[0] if candidates else None
    if last.paragraph == s.paragraph and _compatible_type(last, trigger):
        return last
    if s.paragraph - last.paragraph == 1 and last.rule == trigger.rule.name:
        return last
    return None


# A clause opening on a place the lists lack, told by its distance from a town ("À X, située à 35 km de Y").
_UNLISTED_PLACE_START = re.compile(
    r"^\W*(?:à|a|au|in|at|near|près\s+de)\s+(?:the\s+village\s+of\s+|le\s+village\s+de\s+)?[A-ZÀ-Ý][\w'’-]+,?\s+"
    r"(?:située?|situé|located|situated|some|about|environ|à)\s+(?:à\s+|about\s+|some\s+)?(?:une\s+)?"
    r"(?:\d+|[a-z]+aine)\s*(?:km|kilom)",
    re.IGNORECASE,
)


def _dated_elsewhere(reading: Reading, draft: Draft, date: DateMention) -> bool:
    """An earlier draft at the undated draft's place has a day of its own that ``date`` contradicts."""
    if draft.own_date or draft.place is None or date.date is None:
        return False
    end = date.date_end or date.date
    return any(
        d is not draft
        and d.own_date
        and d.place is not None
        and d.place.name == draft.place.name
        and (end < d.date.date or d.date.date_end < date.date)
        for d in reading.drafts
    )


def _fills_gap(draft: Draft, own_place: list[PlaceMention], own_date: list[DateMention]) -> bool:
    """True when a clause gives what the draft lacks and contradicts nothing it has."""
    if own_place and draft.own_place and place_rules.best_place(own_place).name != draft.place.name:
        return False
    if own_date and draft.own_date:
        first, last = own_date[0].date, own_date[0].date_end
        if last < draft.date.date or draft.date.date_end < first:
            return False
    return bool((own_place and not draft.own_place) or (own_date and not draft.own_date))


def _merge_roles(draft: Draft, roles: Roles, strong_agent: bool) -> None:
    """Add the actors of a later clause to a draft, keeping sides consistent."""
    target = draft.roles
    incoming = [(roles.actor1, 1), *[(m, 1) for m in roles.assoc1], (roles.actor2, 2), *[(m, 2) for m in roles.assoc2]]
    if target.actor1 is None and target.actor2 is None and not target.assoc1:
        draft.roles = Roles(roles.actor1, roles.actor2, list(roles.assoc1), list(roles.assoc2), list(roles.left_out))
        return
    _orient(target, roles)
    for m, side in incoming:
        if m is None:
            continue
        _place_actor(target, m, side, strong_agent and m is roles.actor1)
    target.left_out.extend(roles.left_out)


def _orient(target: Roles, incoming: Roles) -> None:
    """Turn a one-sided draft to the sides a clause that names both gives.

    "Clashes involving the CMA" then "clashes between Gatia and the CMA": the clause naming both sides
    says which is which, so the side told first becomes the opponent.
    """
    if (
        target.actor2 is None
        and target.actor1 is not None
        and incoming.actor1 is not None
        and incoming.actor2 is not None
        and who_rules.related(target.actor1.key, incoming.actor2.key)
        and not who_rules.related(target.actor1.key, incoming.actor1.key)
    ):
        target.actor1, target.actor2 = None, target.actor1
        target.assoc1, target.assoc2 = target.assoc2, target.assoc1


def _place_actor(target: Roles, m: ActorMention, side: int, claimant: bool) -> None:
    leads = {1: target.actor1, 2: target.actor2}
    for number, lead in leads.items():
        if lead is None:
            continue
        if who_rules.related(lead.key, m.key):
            if who_rules.more_specific(m, lead):
                setattr(target, f"actor{number}", m)
            return
    # A claimant names the unidentified attackers ("claimed by JNIM").
    for number, lead in leads.items():
        if claimant and lead is not None and lead.key == "unidentified_armed_group":
            setattr(target, f"actor{number}", m)
            side_list = target.assoc1 if number == 1 else target.assoc2
            side_list[:] = [o for o in side_list if not who_rules.related(o.key, m.key)]
            return
    for number, lead in leads.items():
        if lead is not None and who_rules.camp(lead.key) == who_rules.camp(m.key):
            side_list = target.assoc1 if number == 1 else target.assoc2
            if not any(who_rules.related(o.key, m.key) for o in side_list):
                side_list.append(m)
            return
    if claimant and target.actor1 is not None and target.actor2 is None:
        target.actor2, target.actor1 = target.actor1, m
        return
    slot = "actor1" if side == 1 else "actor2"
    if getattr(target, slot) is None:
        setattr(target, slot, m)
        return
    # "Terrorists" adds nothing to a side that already has an actor.
    if m.generic and m.key == "unidentified_armed_group":
        return
    # The state's forces and a named armed group are two sides ("the military ... the CMA"), not one.
    lead = getattr(target, slot)
    other = "actor2" if side == 1 else "actor1"
    if getattr(target, other) is None and _opposed(lead, m):
        setattr(target, other, m)
        return
    side_list = target.assoc1 if side == 1 else target.assoc2
    if not any(who_rules.related(o.key, m.key) for o in side_list):
        side_list.append(m)


def _opposed(a: ActorMention, b: ActorMention) -> bool:
    """One is the state's and the other a named non-state armed group."""
    kinds, _ = who_rules._kinds_and_parents()
    armed = {"jihadist_group", "armed_movement", "communal_militia"}

    def named_armed(m: ActorMention) -> bool:
        return m.key != "unidentified_armed_group" and kinds.get(m.key) in armed

    state_a, state_b = who_rules.camp(a.key) == "state", who_rules.camp(b.key) == "state"
    return (state_a and named_armed(b)) or (state_b and named_armed(a))


_CLAIM_AFTER = re.compile(
    r"^\s*(?:\([^)]{0,40}\)\s*)?,?\s*(?:has\s+|have\s+|had\s+)?claimed\s+(?:responsibility|the\s+attack)"
    r"|^\s*(?:\([^)]{0,40}\)\s*)?,?\s*(?:a|ont|avait)\s+revendiqué",
    re.IGNORECASE,
)
_CLAIM_BEFORE = re.compile(
    r"(?:claimed\s+by|revendiquée?s?\s+par)\s+(?:the\s+|la\s+|le\s+|l['’]\s*|les\s+)?(?:[\w-]+\s+){0,3}?$",
    re.IGNORECASE,
)
_NEGATED_CLAIM = re.compile(r"\b(?:no|not|never|nobody|aucune?|n['’]a\s+(?:pas\s+)?été|pas\s+été)\b", re.IGNORECASE)


def _claimant(reading: Reading, start: int, end: int) -> ActorMention | None:
    """The actor a clause says claimed the attack ("claimed by JNIM", "JNIM claimed responsibility"), if any."""
    clause = reading.text[start:end]
    for m in reading.actors_in(start, end):
        before = reading.text[max(start, m.start - 60) : m.start]
        after = reading.text[m.end : end]
        if _CLAIM_BEFORE.search(before) or _CLAIM_AFTER.match(after):
            claim_at = clause.lower().find("claim") if "claim" in clause.lower() else clause.lower().find("revendiqu")
            if not _NEGATED_CLAIM.search(clause[: max(claim_at, 0)]):
                return m
    return None


def _fatalities_in(reading: Reading, start: int, end: int) -> list[FatalityMention]:
    """Deaths told in a clause, less those of an earlier incident it is set against ("This attack comes
    weeks after 26 people were killed ...", "intervient quelques jours après la mort de 12 soldats")."""
    clause = reading.text[start:end]
    earlier = _EARLIER_INCIDENT.search(clause)
    cut = earlier.end() if earlier else len(clause)
    found = [f for f in what_rules.find_fatalities(clause) if f.start < cut]
    return [FatalityMention(f.start + start, f.end + start, f.text, f.count, f.high, f.group) for f in found]


# What sets an incident against an earlier one: the deaths told after it are that one's.
_EARLIER_INCIDENT = re.compile(
    r"\b(?:comes?|came|coming|follows?|followed|intervient|survient|arrive|fait\s+suite)\s+(?:[\w'’-]+\s+){0,3}?"
    r"(?:after|à|après)\b|\b(?:days|weeks|months|jours|semaines|mois)\s+(?:after|après)\b",
    re.IGNORECASE,
)


def _add_sentence(draft: Draft, s: Sentence) -> None:
    if all(x.index != s.index for x in draft.sentences):
        draft.sentences.append(s)
        draft.sentences.sort(key=lambda x: x.index)


def _extend(reading: Reading, draft: Draft, s: Sentence, start: int, end: int, trigger: Trigger | None) -> None:
    """Add a clause to a draft: sentence, actors, deaths, a stronger type, a missing place or date."""
    _add_sentence(draft, s)
    clause = reading.text[start:end]
    if trigger is not None:
        draft.triggers.append(trigger)
        roles = _roles(reading, start, end, trigger)
        claimant = _claimant(reading, start, end)
        if claimant is not None:
            _place_actor(draft.roles, claimant, 1, True)
        _merge_roles(draft, roles, False)
        upgrade = trigger.rule.priority > draft.trigger.rule.priority and trigger.sub_event_type != what_rules.GENERIC
        if trigger.rule.name == "abduction" and _deadly(draft):
            # "The jihadists left with hostages" after the killing: an attack with hostages taken.
            upgrade = False
        same_family = (draft.event_type in _DEMONSTRATION and trigger.event_type in _DEMONSTRATION) or (
            draft.sub_event_type == what_rules.GENERIC and trigger.event_type in _VIOLENT
        )
        if upgrade and same_family:
            draft.trigger, draft.event_type, draft.sub_event_type = trigger, trigger.event_type, trigger.sub_event_type
            draft.rule = trigger.rule.name
    else:
        local = [_shift_actor(a, -start) for a in reading.actors_in(start, end)]
        roles = who_rules.assign_roles(clause, local)
        for attr in ("actor1", "actor2"):
            m = getattr(roles, attr)
            if m is not None:
                setattr(roles, attr, _shift_actor(m, start))
        roles.assoc1 = [_shift_actor(m, start) for m in roles.assoc1]
        roles.assoc2 = [_shift_actor(m, start) for m in roles.assoc2]
        roles.left_out = [(_shift_actor(m, start), why) for m, why in roles.left_out]
        # Without an incident word, only allies ("alongside ...") and claimants count.
        allies = [
            m
            for m in (roles.actor1, *roles.assoc1, roles.actor2, *roles.assoc2)
            if m is not None and who_rules.ALLY_BEFORE.search(reading.text[max(0, m.start - 70) : m.start])
        ]
        for m in allies:
            _place_actor(draft.roles, m, 1, False)
        claimant = _claimant(reading, start, end) or _loose_claimant(reading, start, end)
        if claimant is not None:
            _place_actor(draft.roles, claimant, 1, True)
        if draft.event_type in _DEMONSTRATION and what_rules.intervention(clause):
            # "Police fired tear gas": the forces that broke up the crowd.
            for m in (roles.actor1, *roles.assoc1, roles.actor2, *roles.assoc2):
                if m is not None and who_rules.camp(m.key) == "state":
                    _place_actor(draft.roles, m, 2, False)
            draft.intervened = True
    draft.fatalities.extend(_fatalities_in(reading, start, end))
    draft.no_deaths = draft.no_deaths or what_rules.says_no_deaths(clause)
    own_places = _own_places(reading, start, end)
    region = draft.place is not None and draft.place.role == "region"
    if region:
        # "in the Kidal region" ... "9 miles outside of Aguelhok": the landmark in that region says more.
        finer = [p for p in _own_places(reading, start, end, keep_reference=True) if p.admin1 == draft.place.admin1]
        own_places = [p for p in finer if p.role != "region"] or own_places
    if own_places and (draft.place_source != "sentence" or (region and own_places[0].role != "region")):
        draft.place, draft.place_source, draft.own_place = place_rules.best_place(own_places), "sentence", True
    own_dates = _event_dates(reading, start, end)
    if trigger is None:
        # A sentence with no incident word dating something years back ("The UN sent a mission in 2013")
        # is background to the incident, not its date; so is the day of what came "before" or "after" it
        # ("... even before the French military pulled out in August").
        own_dates = [
            d
            for d in own_dates
            if not _long_ago(reading, d)
            and not _RELATIVE_CLAUSE_BEFORE.search(reading.text[max(start, d.start - 90) : d.start])
        ]
    # A date said with the incident word ("the explosion Monday") beats one from a clause without it.
    if own_dates and (draft.date_source != "sentence" or (draft.date_aside and trigger is not None)):
        draft.date, draft.date_source, draft.own_date = own_dates[0], "sentence", True
        draft.date_aside = trigger is None


def _deadly(draft: Draft) -> bool:
    """The draft tells people killed: a killing word among its triggers or a death toll."""
    return any(what_rules.kills(t) for t in draft.triggers) or any(f.count > 0 for f in draft.fatalities)


_FOILED_ATTACK = re.compile(r"\b(?:attacks?|assaults?|attaques?|assauts?)\b", re.IGNORECASE)
_BOMB = re.compile(r"bomb|explosi|IED|engin|piégé|mine|kamikaze|suicide", re.IGNORECASE)


def _open(reading: Reading, s: Sentence, start: int, end: int, trigger: Trigger) -> Draft:
    draft = Draft(
        sentences=[s],
        trigger=trigger,
        event_type=trigger.event_type,
        sub_event_type=trigger.sub_event_type,
        rule=trigger.rule.name,
        paragraph=s.paragraph,
        triggers=[trigger],
    )
    draft.roles = _roles(reading, start, end, trigger)
    draft.fatalities = _fatalities_in(reading, start, end)
    draft.no_deaths = what_rules.says_no_deaths(reading.text[start:end])
    places = _own_places(reading, start, end, keep_reference=True)
    if places:
        draft.place = place_rules.best_place(places)
        draft.place_source = "sentence" if draft.place.role != "reference" else "reference"
        draft.own_place = draft.place.role != "reference"
        if _SURROUNDINGS.search(reading.text[start:end]) and draft.place.geo_precision < 2:
            # "the surrounding villages ... Niono": around the place, not in it.
            draft.place = replace(draft.place, geo_precision=2, role="near")
    foiled = trigger.rule.name == "weapons use foiled"
    if foiled and _FOILED_ATTACK.search(trigger.text) and not _BOMB.search(trigger.text):
        # "the army foiled an attack on its camp": the attack happened and was fought off.
        draft.event_type, draft.sub_event_type, draft.rule = "Battles", "Armed clash", "armed clash"
        r = draft.roles
        if r.actor1 is not None and who_rules.camp(r.actor1.key) == "state":
            r.actor1, r.actor2, r.assoc1, r.assoc2 = r.actor2, r.actor1, r.assoc2, r.assoc1
    statement = trigger.rule.name in STATEMENT_RULES
    event_dates = _event_dates(reading, start, end, near=trigger.start, statement=statement)
    if not event_dates:
        event_dates = _event_dates(reading, s.start, s.end, near=trigger.start, statement=statement)
    if event_dates:
        draft.date, draft.date_source, draft.own_date = event_dates[0], "sentence", True
    return draft


# What joins the places of a list: "A, B and C", "à A, à B et à C", "in A and in B".
_LIST_GAP = re.compile(
    # "Ségué, chef-lieu de la commune de Ségué, et Sonfounou": an apposition on the place before.
    r"^(?:,\s*(?:chef-lieu|capitale|capital|seat|headquarters)\b[^,;.]{0,60})?"
    r"\s*(?:,|,?\s*(?:and|et|ou|or|as\s+well\s+as|ainsi\s+qu['’]?e?))\s*"
    r"(?:(?:in|at|à|a|de|d['’]|du|dans)\s+)?(?:(?:the\s+)?(?:villages?|towns?|localités?|camps?)\s+(?:of\s+|de\s+|d['’])?)?"
    r"(?:(?:le|la|les|l['’])\s*)?$",
    re.IGNORECASE,
)


_RELATIVE_CLAUSE_BEFORE = re.compile(
    r"\b(?:before|after|since|until|avant\s+(?:que|qu['’]|de)|après\s+(?:que|qu['’])|depuis\s+que|jusqu['’]à\s+ce\s+que)"
    r"\s+(?:the\s+|la\s+|le\s+|les\s+|l['’]\s*)?[\w'’-]+\s+[^.;]*$",
    re.IGNORECASE,
)


def _fill_gaps(reading: Reading, draft: Draft, start: int, end: int) -> None:
    """A clause with no incident word after one with it ("..., while most were in their fields in Dembo on
    Sunday") gives the incident the place, the date and the toll it lacks."""
    places = _own_places(reading, start, end)
    if places and not draft.own_place:
        draft.place, draft.place_source, draft.own_place = place_rules.best_place(places), "sentence", True
    dates = _event_dates(reading, start, end)
    if dates and not draft.own_date:
        draft.date, draft.date_source, draft.own_date = dates[0], "sentence", True
    if not draft.fatalities:
        draft.fatalities.extend(_fatalities_in(reading, start, end))


def _place_list(reading: Reading, start: int, end: int) -> list[PlaceMention]:
    """The first list of two or more places in a span ("Niono, Molodo and Kayes"), else one place or none.

    "Between A and B" is one place (a stretch of road), not a list.
    """
    places = sorted(
        (p for p in _own_places(reading, start, end) if p.role in ("place", "near", "quarter")), key=lambda p: p.start
    )
    chain = places[:1]
    for p in places[1:]:
        if p.name == chain[-1].name:
            continue  # the place named again in an apposition on it
        if _LIST_GAP.match(reading.text[chain[-1].end : p.start]) and p.name not in {c.name for c in chain}:
            chain.append(p)
        elif len(chain) < 2:
            chain = [p]
        else:
            break
    if len(chain) >= 2 and _BETWEEN_WORDS.search(reading.text[max(start, chain[0].start - 40) : chain[0].start]):
        return chain[:1]
    return chain


def _split_on_list(reading: Reading, draft: Draft, start: int, end: int) -> Draft:
    """A draft with no place of its own given a list by a later clause ("The assaults targeted A, B and C"):
    one draft per place, in place of the draft. Returns the last of them."""
    chain = _place_list(reading, start, end)
    if len(chain) < 2 or draft not in reading.drafts:
        return draft
    draft.place = chain[0]
    index = reading.drafts.index(draft)
    split = _split_list(reading, draft, start, end)
    reading.drafts[index : index + 1] = split
    return split[-1]


def _split_list(reading: Reading, draft: Draft, start: int, end: int) -> list[Draft]:
    """One draft per place of a list ("attacks on A, B and C"), the toll shared out evenly.

    "Between A and B" is one place (a stretch of road), not a list.
    """
    chain = _place_list(reading, start, end)
    if len(chain) < 2 or draft.place is None or draft.place.start != chain[0].start:
        return [draft]
    total = what_rules.total_fatalities(draft.fatalities)[0]
    share, rest = divmod(total, len(chain))
    drafts = []
    for n, place in enumerate(chain):
        copy = replace(
            draft, roles=replace(draft.roles), triggers=list(draft.triggers), sentences=list(draft.sentences)
        )
        copy.place, copy.place_source, copy.own_place = place, "sentence", True
        count = share + (rest if n == 0 else 0)
        first = draft.fatalities[0] if draft.fatalities else None
        copy.fatalities = (
            [FatalityMention(first.start, first.end, first.text, count, None, first.group)] if first and count else []
        )
        copy.group = id(draft)
        drafts.append(copy)
    return drafts


_BETWEEN_WORDS = re.compile(r"\b(?:between|entre)\b[^,;.]*$", re.IGNORECASE)


def build_drafts(reading: Reading) -> list[Draft]:
    """Read the sentences of an article into drafts of incidents (steps 2 and 3)."""
    reading.drafts = []
    for s in reading.sentences:
        if s.headline:
            continue
        found = False
        current: Draft | None = None
        for start, end in _clauses(s):
            triggers = [_shift_trigger(t, start) for t in what_rules.find_triggers(reading.text[start:end])]
            trigger = what_rules.best_trigger(triggers)
            if trigger is None:
                if current is not None:
                    _fill_gaps(reading, current, start, end)
                continue
            found = True
            draft = _continues(reading, s, start, end, trigger)
            if draft is not None:
                placed = draft.own_place
                _extend(reading, draft, s, start, end, trigger)
                current = draft if placed else _split_on_list(reading, draft, start, end)
                # "Ces assauts ont été attribués au JNIM": who did it is said of every place of the list.
                for sibling in (d for d in reading.drafts if draft.group and d.group == draft.group and d is not draft):
                    _merge_roles(sibling, _roles(reading, start, end, trigger), False)
            else:
                reading.drafts.extend(_split_list(reading, _open(reading, s, start, end, trigger), start, end))
                current = reading.drafts[-1]
        # A sentence with no incident word adds to the incident before it: in its paragraph, or in the
        # next one when it names no other place ("The army reported 13 deaths, all among the assailants").
        # A toll with a place after a lead with none ('"The toll is now 13 dead ... in the Gabero area"')
        # locates that lead.
        told = reading.drafts[-1].sentences[-1].paragraph if reading.drafts else 0
        near = reading.drafts and (
            told == s.paragraph
            or (
                s.paragraph - told == 1
                and (
                    (not _own_places(reading, s.start, s.end) and not _BACKGROUND.search(s.text))
                    or (not reading.drafts[-1].own_place and bool(_fatalities_in(reading, s.start, s.end)))
                )
                and not any(d.since for d in reading.dates_in(s.start, s.end))
            )
        )
        if not found and near:
            draft = reading.drafts[-1]
            before = (len(draft.roles.participants()), len(draft.fatalities), draft.intervened)
            placed = draft.own_place
            _extend(reading, draft, s, s.start, s.end, None)
            if (len(draft.roles.participants()), len(draft.fatalities), draft.intervened) == before:
                draft.sentences = [x for x in draft.sentences if x.index != s.index]
            elif not placed:
                _split_on_list(reading, draft, s.start, s.end)
    _tolls_by_place(reading)
    return reading.drafts


def _tolls_by_place(reading: Reading) -> None:
    """A toll told place by place for the places of a list ("neuf morts, dont sept à A et deux à B"):
    each place's draft takes its own count rather than a share of the total."""
    groups: dict[int, list[Draft]] = {}
    for d in reading.drafts:
        if d.group and d.place is not None:
            groups.setdefault(d.group, []).append(d)
    for members in groups.values():
        if len(members) < 2:
            continue
        text = " ".join(dict.fromkeys(s.text for d in members for s in d.sentences))
        counts = {}
        for d in members:
            pattern = (
                rf"(?<![\w-])(?P<n>{what_rules._NUM})(?:\s*\(\d+\))?\s+(?:[\w'’-]+\s+){{0,3}}?(?:à|au|in|at)\s+"
                rf"{re.escape(d.place.text)}(?![\w-])"
            )
            m = re.search(pattern, text, re.IGNORECASE)
            value = what_rules._value(m.group("n")) if m else None
            if value is not None:
                counts[id(d)] = (value, m.group(0))
        if len(counts) < 2:
            continue
        for d in members:
            group = d.fatalities[0].group if d.fatalities else "unknown"
            if id(d) in counts:
                value, said = counts[id(d)]
                d.fatalities = [FatalityMention(0, 0, said, value, None, group)]
            else:
                d.fatalities = []


def _previous_sentence_place(reading: Reading, draft: Draft) -> PlaceMention | None:
    first = draft.sentences[0]
    for s in reversed(reading.sentences[: first.index]):
        if s.paragraph != first.paragraph or s.headline:
            break
        places = [p for p in reading.places_in(s.start, s.end) if p.role != "reference"]
        if places:
            return place_rules.best_place(places)
    return None


def _dateline_place(reading: Reading) -> PlaceMention | None:
    if reading.dateline is None:
        return None
    found = place_rules.find_places(reading.dateline.place)
    if not found:
        return None
    m = found[0]
    start = reading.dateline.start
    return PlaceMention(
        start + m.start, start + m.end, m.text, m.name, m.latitude, m.longitude, m.admin1, m.admin2,
        m.geo_precision, "dateline", m.place,
    )  # fmt: skip


def _resolve_place(reading: Reading, draft: Draft, index: int) -> None:
    if draft.place is not None and draft.place_source == "sentence":
        return
    evidence = draft.text()
    back = _PLACE_BACK_REFERENCE.search(evidence)
    earlier = [d for d in reading.drafts[:index] if d.place is not None and d.place_source == "sentence"]
    if back and earlier:
        source = earlier[-1].place
        near = bool(_NEAR_BACK_REFERENCE.search(evidence[: back.start()]))
        precision = max(source.geo_precision, 2) if near else source.geo_precision
        role = "near" if near else source.role
        draft.place = PlaceMention(
            source.start, source.end, source.text, source.name, source.latitude, source.longitude, source.admin1,
            source.admin2, precision, role, source.place,
        )  # fmt: skip
        draft.place_source = "context"
        return
    if draft.place is not None:  # a reference landmark only ("30 km from Gao")
        return
    previous = _previous_sentence_place(reading, draft)
    if previous is not None:
        draft.place, draft.place_source = previous, "context"
        return
    dateline = _dateline_place(reading)
    if dateline is not None:
        draft.place, draft.place_source = dateline, "dateline"


def _resolve_date(reading: Reading, draft: Draft, index: int) -> None:
    if draft.date is not None and draft.date_source == "sentence":
        return
    anaphoric = [d for s in draft.sentences for d in reading.dates_in(s.start, s.end) if d.kind == "anaphoric"]
    earlier = [d.period for d in reading.drafts[:index] if d.period is not None]
    if anaphoric and earlier:
        draft.date, draft.date_source = anaphoric[0].resolved(earlier[-1]), "anaphoric"
        return
    first = draft.sentences[0]
    for s in reversed(reading.sentences[: first.index]):
        if s.paragraph != first.paragraph or s.headline:
            break
        found = _event_dates(reading, s.start, s.end)
        if found:
            draft.date, draft.date_source = found[0], "context"
            return
    reports = [d for s in draft.sentences for d in reading.dates_in(s.start, s.end) if d.report and d.date]
    end = reports[0].date if reports else reading.published
    # "The army announced on Tuesday ... following attacks": a statement on a named day tells of that
    # day or the night before; news with no day of its own, of the days just before publication.
    days = 1 if reports and reports[0].time_precision == 1 else 2
    window = DateMention(0, 0, "", end - dt.timedelta(days=days), end, 2, "week")
    draft.date, draft.date_source = window, "report" if reports else "published"


def _dated_apart(a: Draft, b: Draft) -> bool:
    """Either has a date of its own, and the two periods are more than a week apart."""
    pa, pb = a.period, b.period
    if not pa or not pb or not (a.own_date or b.own_date):
        return False
    week = dt.timedelta(days=7)
    return pa[1] < pb[0] - week or pb[1] < pa[0] - week


def _same_incident(a: Draft, b: Draft) -> bool:
    if a.foreign != b.foreign:
        return False  # a sentence about another country is not the Malian incident told again
    if bool(a.background) != bool(b.background) and _dated_apart(a, b):
        return False  # background dated elsewhere ("in 2012") is not the incident told again
    vague = a if a.background else b if b.background else None
    if vague is not None and not (a.background and b.background) and not (vague.own_place or vague.own_date):
        return False  # "militants have since spread, killing thousands": no toll or actor for the incident
    if a.rule != b.rule and not (
        a.event_type in _VIOLENT and b.event_type in _VIOLENT and a.sub_event_type == b.sub_event_type
    ):
        return False
    if a.place is not None and b.place is not None and a.own_place and b.own_place and a.place.name != b.place.name:
        return False
    pa, pb = a.period, b.period
    if pa and pb and a.own_date and b.own_date and (pa[1] < pb[0] or pb[1] < pa[0]):
        return False
    if (
        not (a.own_date and b.own_date)
        and pa
        and pb
        and (pa[1] < pb[0] - dt.timedelta(days=7) or pb[1] < pa[0] - dt.timedelta(days=7))
    ):
        return False
    keys_a = {m.key for m in a.roles.participants()}
    keys_b = {m.key for m in b.roles.participants()}
    return not keys_a or not keys_b or bool(keys_a & keys_b)


def _absorb(into: Draft, other: Draft) -> None:
    for s in other.sentences:
        _add_sentence(into, s)
    _orient(into.roles, other.roles)
    for m, side in [
        (other.roles.actor1, 1),
        *[(x, 1) for x in other.roles.assoc1],
        (other.roles.actor2, 2),
        *[(x, 2) for x in other.roles.assoc2],
    ]:
        if m is not None:
            _place_actor(into.roles, m, side, False)
    into.fatalities.extend(other.fatalities)
    into.no_deaths = into.no_deaths or other.no_deaths
    into.triggers.extend(other.triggers)
    better_place = (
        other.own_place
        and into.own_place
        and other.place is not None
        and into.place is not None
        and place_rules.ROLE_RANK[other.place.role] < place_rules.ROLE_RANK[into.place.role]
    )
    landmark = into.place is None or into.place_source in ("none", "dateline")
    # "près du village de Kobe, à 35 km de Gao" told after the attack "à Gao": the village is where it was.
    better_place = better_place or (into.place is not None and other.place is not None and _landmark_of(into, other))
    if (other.own_place and not into.own_place) or better_place:
        into.place, into.place_source, into.own_place = other.place, other.place_source, other.own_place
    elif landmark and other.place is not None and other.place_source == "reference":
        # A lead with no place told again "55 km from Kwala": the landmark locates it.
        into.place, into.place_source, into.own_place = other.place, other.place_source, False
    if other.own_date and (not into.own_date or other.date.time_precision < into.date.time_precision):
        into.date, into.date_source, into.own_date = other.date, other.date_source, True


#: Sub-types that are a part of an attack told around it (houses burned, attackers arrested), not an incident.
_PART_OF_ATTACK = frozenset({"Looting/property destruction", "Arrests", "Headquarters or base established"})


def _violent_family(d: Draft) -> bool:
    return d.event_type in _VIOLENT or d.sub_event_type in _PART_OF_ATTACK or d.sub_event_type == what_rules.GENERIC


def _loose_place(d: Draft) -> bool:
    """A place that does not pin the incident: none, from context or dateline, a region, a landmark, a commune."""
    return d.place is None or not d.own_place or d.place.role in ("region", "reference") or d.area


def _places_agree(a: Draft, b: Draft) -> bool:
    if a.place is not None and b.place is not None and a.place.name == b.place.name:
        return True
    if a.place is not None and b.place is not None and (_landmark_of(a, b) or _landmark_of(b, a)):
        return True
    if not (_loose_place(a) or _loose_place(b)):
        return False
    loose, firm = (a, b) if _loose_place(a) else (b, a)
    if loose.place is None or firm.place is None or loose.place_source in ("dateline", "context", "none"):
        return True
    # The region named in the lead and the town in the detail ("in the Mopti region" ... "in Dioura").
    return loose.place.admin1 == firm.place.admin1


def _landmark_of(a: Draft, b: Draft) -> bool:
    """``b`` places its incident by ``a``'s town ("près du village de Kobe, à 35 kilomètres de Gao"), close by."""
    said = " ".join(s.text for s in b.sentences)
    near_town = re.search(
        rf"\b(?:\d+|[a-z]+aine)\s*(?:km|kilom\w+|miles?)\s+(?:\w+\s+){{0,3}}?(?:de|d['’]|from|of)\s+{re.escape(a.place.text)}\b",
        said,
        re.IGNORECASE,
    )
    if not near_town:
        return False
    pa, pb = a.place, b.place
    return gazetteer.distance_km(pa.latitude, pa.longitude, pb.latitude, pb.longitude) <= 60


def _dates_agree(a: Draft, b: Draft) -> bool:
    pa, pb = a.period, b.period
    if not pa or not pb:
        return True
    if not (a.own_date and b.own_date):
        # One is dated only by the report: the other's date must fall near that week, not in 2012.
        week = dt.timedelta(days=7)
        return not (pa[1] < pb[0] - week or pb[1] < pa[0] - week)
    return not (pa[1] < pb[0] or pb[1] < pa[0])


def _rivals(a: Draft, b: Draft) -> bool:
    """Two drafts whose attackers are different named armed groups (JNIM here, the Islamic State there)."""
    ta, tb = a.roles.actor2, b.roles.actor2
    forces = ("state", "minusma")
    if ta is not None and tb is not None and not who_rules.related(ta.key, tb.key):
        # Different forces attacked: peacekeepers fired on, soldiers fought the same day.
        return who_rules.camp(ta.key) in forces and who_rules.camp(tb.key) in forces
    x, y = a.roles.actor1, b.roles.actor1
    if x is None or y is None or who_rules.related(x.key, y.key):
        return False
    armed = {who_rules.camp(x.key), who_rules.camp(y.key)}
    vague = {"unidentified_armed_group", "civilians"}
    return "state" not in armed and not vague & {x.key, y.key}


_SEPARATELY = re.compile(
    r"^\W*(?:separately|elsewhere|in\s+another|par\s+ailleurs|ailleurs|dans\s+une?\s+autre|en\s+outre)\b", re.I
)


def _same_story(a: Draft, b: Draft, first: Draft | None = None) -> bool:
    """One violent incident told twice in a report: the lead and the detail, the town and its region.

    Both are violent (or one is a part of an attack: houses burned, attackers arrested), the places do
    not contradict (one at most is pinned to a named place, or both name the same), nor do the dates,
    nor the attackers.
    """
    if not (_violent_family(a) and _violent_family(b)):
        return False
    if a.sub_event_type in _PART_OF_ATTACK and b.sub_event_type in _PART_OF_ATTACK:
        return False
    if a.background or b.background or a.foreign or b.foreign or _SEPARATELY.match(b.sentences[0].text):
        return False
    # The same town on the same day, or with no date of its own, told again further down.
    same_day = a.period is not None and a.period == b.period and a.own_date and b.own_date
    # "sur le lieu de l'attaque" the next day, "attacked early this morning" in a quote: the attack told again.
    retold = a.trigger.anaphoric or b.trigger.anaphoric or b.sub_event_type in _PART_OF_ATTACK
    if retold and a.period is not None and b.period is not None:
        same_day = same_day or abs((a.period[0] - b.period[0]).days) <= 2
    undated = not (a.own_date and b.own_date)
    if (same_day or undated) and a.place is not None and b.place is not None and a.place.name == b.place.name:
        return not _rivals(a, b)
    loose, firm = (a, b) if _loose_place(a) else (b, a)
    # The article's first incident, told loosely in the lead, is often told again with its place;
    # "the first drone strike" with no place goes on telling the drone strikes named before.
    lead = (first in (loose, firm) and min(loose.paragraph, firm.paragraph) <= 1) or (
        loose.place is None and loose.sub_event_type == firm.sub_event_type != what_rules.GENERIC
    )
    if abs(loose.paragraph - firm.paragraph) > 1 and not lead:
        return False
    return _places_agree(a, b) and _dates_agree(a, b) and not _rivals(a, b)


def _rank(d: Draft) -> tuple[int, int, int]:
    """Which of two twins carries the event: a named place first, then a specific type."""
    role = place_rules.ROLE_RANK[d.place.role] if d.place is not None and d.own_place else 9
    return role, int(d.sub_event_type in _PART_OF_ATTACK), int(d.sub_event_type == what_rules.GENERIC)


def _keep_specific_type(into: Draft, other: Draft) -> None:
    """A merged event keeps the specific type one of its tellings gives ("drone strikes" over "killed")."""
    if other.rule == "abduction" and _deadly(into):
        return  # the hostages taken in a deadly attack: still the attack
    if into.sub_event_type == what_rules.GENERIC and other.sub_event_type != what_rules.GENERIC:
        into.trigger, into.event_type, into.sub_event_type, into.rule = (
            other.trigger,
            other.event_type,
            other.sub_event_type,
            other.rule,
        )


def merge_duplicates(drafts: list[Draft]) -> list[Draft]:
    """Merge drafts that tell the same incident (step 5)."""
    kept: list[Draft] = []
    first = drafts[0] if drafts else None
    for draft in drafts:
        twin = next((k for k in kept if _same_incident(k, draft)), None)
        if twin is None:
            twin = next((k for k in kept if _same_story(k, draft, first)), None)
            if twin is not None and _rank(draft) < _rank(twin):
                # The detail with the named place carries the event; the lead adds to it.
                index = kept.index(twin)
                _absorb(draft, twin)
                _keep_specific_type(draft, twin)
                kept[index] = draft
                continue
            if twin is not None:
                _absorb(twin, draft)
                _keep_specific_type(twin, draft)
                continue
        if twin is None:
            kept.append(draft)
        else:
            _absorb(twin, draft)
    return kept


# "Ainsi, AQMI a revendiqué l'embuscade qui ...": an example of what was just said, not the news.
_EXAMPLE_START = re.compile(r"^\W*(?:ainsi|par\s+exemple|for\s+example|for\s+instance)\s*,", re.IGNORECASE)
# Headlines of pieces that look back or argue rather than report.
_COMMENT_HEADLINE = re.compile(
    r"^\W*(?:analysis|analyse|opinion|comment(?:ary)?|editorial|éditorial|tribune|décryptage|explainer|feature"
    r"|chronique|point\s+de\s+vue|interview|entretien)\b",
    re.IGNORECASE,
)


def _flag_background(reading: Reading, draft: Draft) -> None:
    main = draft.sentences[0]
    headline = next((s for s in reading.sentences if s.headline), None)
    if headline is not None and _COMMENT_HEADLINE.match(headline.text):
        draft.background.append(f"the article is {headline.text.split(':')[0].strip().lower()}, not a report")
    if _EXAMPLE_START.match(main.text):
        draft.background.append("an example given in passing, not the report")
    if _VAGUE_PAST.search(main.text):
        # "Il y a quelques jours, A et B ont été le théâtre de combats": what came before the news, undated.
        draft.background.append("told as some days before the news, with no day of its own")
    coarse = draft.date is None or draft.date.time_precision >= 2
    if coarse and _REPORT_FIGURE.search(main.text):
        # "A UN report counted 110 civilians killed by mines last October": a tally, not an incident.
        draft.background.append("a report's tally over a period, with no day of its own")
    words = _BACKGROUND.findall(_APPOSITION.sub(",", main.text))
    if words:
        draft.background.append("background wording: " + ", ".join(dict.fromkeys(w.lower() for w in words)))
    since = [
        d
        for d in reading.dates_in(main.start, main.end)
        if d.since and d.date and (reading.published - d.date).days > 365
    ]
    if since:
        draft.background.append(f"a long period: {since[0].text!r}")
    elif draft.own_date and draft.date is not None and (reading.published - draft.date.date_end).days > 365:
        # "that took root in 2012": history told around the news.
        draft.background.append(f"dated over a year before publication: {draft.date.text!r}")
    future = [d for d in reading.dates_in(main.start, main.end) if d.future] and not draft.own_date
    if future:
        draft.background.append("a plan or deadline, not an incident")
    foreign = [
        f
        for f in reading.foreign
        if main.start <= f[0] < main.end and _IN_COUNTRY.search(reading.text[max(main.start, f[0] - 30) : f[0]])
    ]
    if foreign and not draft.own_place:
        draft.foreign = True


_VAGUE_PAST = re.compile(
    r"\b(?:il\s+y\s+a\s+quelques\s+(?:jours|semaines)|(?:a\s+few|several)\s+(?:days|weeks)\s+(?:ago|earlier|before)"
    r"|quelques\s+(?:jours|semaines)\s+(?:plus\s+tôt|auparavant|avant)|ces\s+derniers\s+(?:jours|mois)"
    r"|ces\s+dernières\s+semaines|in\s+recent\s+(?:days|weeks|months)|(?:over\s+|in\s+)?the\s+(?:past|last)\s+(?:few\s+)?months)\b",
    re.IGNORECASE,
)
# A report's count of victims: "un rapport de l'ONU a fait état de 110 civils tués", "a report documented".
_REPORT_FIGURE = re.compile(
    r"\b(?:rapports?|reports?|bilan\s+annuel|annual\s+toll)\b[^.;]{0,60}?\b(?:fait\s+état|faisait\s+état"
    r"|recens\w*|dénombr\w*|documented|recorded|counted|tallied|listed|found\s+that)",
    re.IGNORECASE,
)
_CLAIM_WORD = re.compile(r"\bclaim(?:ed|s|ing)?\b|\brevendiqu\w*|\brevendication", re.IGNORECASE)
_NO_CLAIM = re.compile(
    r"\b(?:no|not|never|nobody|yet\s+to|aucune?|n['’]a\s+(?:pas\s+)?(?:encore\s+)?été|pas\s+(?:encore\s+)?été"
    r"|n['’]a\s+(?:encore\s+)?revendiqué|sans\s+revendication)\b",
    re.IGNORECASE,
)


def _loose_claimant(reading: Reading, start: int, end: int) -> ActorMention | None:
    """The named armed group nearest a claim word in a span ("claimed by Al-Qaeda affiliate ... (JNIM)")."""
    for w in _CLAIM_WORD.finditer(reading.text, start, end):
        if _NO_CLAIM.search(reading.text[max(start, w.start() - 40) : w.start()]):
            continue
        named = [
            a
            for a in reading.actors_in(start, end)
            if not a.generic
            and a.key not in ("unidentified_armed_group", "civilians")
            and who_rules.camp(a.key) != "state"
        ]
        if named:
            return min(named, key=lambda a: min(abs(a.start - w.end()), abs(w.start() - a.end)))
    return None


def _apply_claim(reading: Reading, draft: Draft, shared: list[Sentence] | None = None) -> None:
    """A claim of responsibility ("claimed by JNIM", "revendiquée par le JNIM") makes the claimant actor 1.

    The claimant is the named armed group nearest the claim word in the same sentence; the side it
    replaces as actor 1 (unidentified attackers, or the attacked forces named first) moves to actor 2.
    ``shared`` adds sentences told of the other drafts split from the same list of places.
    """
    sentences = {s.index: s for s in [*draft.sentences, *(shared or [])]}
    for s in sorted(sentences.values(), key=lambda x: x.index):
        claimant = _loose_claimant(reading, s.start, s.end)
        if claimant is not None:
            roles = draft.roles
            old = roles.actor1
            if old is not None and who_rules.related(old.key, claimant.key):
                return
            roles.actor1 = claimant
            if roles.actor2 is not None and who_rules.related(roles.actor2.key, claimant.key):
                roles.actor2 = None
            if old is not None and who_rules.camp(old.key) == "state" and roles.actor2 is None:
                roles.actor2 = old
            elif old is not None and roles.actor2 is not None and roles.actor2.key == "unidentified_armed_group":
                roles.actor2 = old if who_rules.camp(old.key) == "state" else roles.actor2
            return


def resolve(reading: Reading) -> list[Draft]:
    """Build, complete and merge the drafts of an article."""
    drafts = build_drafts(reading)
    for i, draft in enumerate(drafts):
        _resolve_place(reading, draft, i)
        _resolve_date(reading, draft, i)
        p = draft.place
        if p is not None and p.role == "near" and p.cue is not None:
            words = reading.text[min(p.cue[0], p.start) : max(p.cue[1], p.end)]
            draft.area = bool(_AREA_WORDS.search(words))
    for draft in drafts:
        _flag_background(reading, draft)  # so that a background sentence is not merged into an incident
    drafts = merge_duplicates(drafts)
    for draft in drafts:
        draft.background, draft.foreign = [], False
        _flag_background(reading, draft)
        if draft.event_type in _VIOLENT:
            # "The group claimed the attacks" told after a list of places claims each place's attack.
            siblings = [d for d in drafts if draft.group and d.group == draft.group]
            _apply_claim(reading, draft, [x for d in siblings for x in d.sentences])
    reading.drafts = drafts
    return drafts

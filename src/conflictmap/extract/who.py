"""Who: actor mentions from the alias table and common phrases, and who did what to whom.

``find_actors`` takes the names of ``conflictmap.actors`` ("FAMa", "Russian
partners", "the junta", "Coordination des mouvements de l'Azawad") and adds
the words the press uses without a name: "the army", "l'armée", "soldiers",
"the security forces", "gunmen", "jihadists", "villagers", "protesters".

``assign_roles`` reads one sentence around the incident word:

- the doer is ``actor1``: the agent of a passive ("by gunmen", "par des
  hommes armés", "claimed by JNIM"), else the first actor named;
- the target or opponent is ``actor2``: after "against", "on", "with" (a
  clash), "contre", "avec", after a violent verb ("killed civilians"), or
  the subject of a passive ("a patrol was ambushed");
- "alongside", "backed by", "and its Russian partners", "aux côtés de" add
  an associated actor on the doer's side; actors of the same camp as a side
  (the gendarmerie with the army) join it as associated actors;
- actors only described or quoted are left out: "a camp vacated by
  MINUSMA", "the junta's stronghold", "the CMA said", "selon l'armée", "a town of
  10,000 inhabitants, a hotspot of jihadist activity".
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from conflictmap import actors as actor_table

# Common words for actors with no name; longest first where they overlap.
_GENERIC: list[tuple[str, str]] = [
    (
        r"(?:les\s+|des\s+)?soldats\s+de\s+la\s+paix|(?:UN\s+)?peacekeeping\s+(?:troops|soldiers|forces)"
        r"|(?:(?:a|an|one|the)\s+)?(?:United\s+Nations\s+|UN\s+|U\.N\.\s+)?(?:peacekeeper|blue\s+helmet)s?"
        r"|(?:un\s+)?casque\s+bleu",
        "minusma",
    ),
    (r"(?:the\s+)?(?:defen[cs]e\s+and\s+)?security\s+forces", "mali_security_forces"),
    (r"(?:les\s+)?forces\s+de\s+(?:défense\s+et\s+de\s+)?sécurité", "mali_security_forces"),
    (r"(?:the\s+)?(?:general\s+staff|army\s+chief|army|military|armed\s+forces|air\s+force)", "mali_armed_forces"),
    (r"(?:the\s+|its\s+|their\s+)?(?:soldiers?|troops|servicem[ae]n)", "mali_armed_forces"),
    (r"(?:l['’]\s*)?(?:état-major(?:\s+général)?(?:\s+des\s+armées)?|armée(?:\s+de\s+l['’]air)?)", "mali_armed_forces"),
    (r"(?:les\s+|des\s+)?(?:militaires|soldats|forces\s+armées)", "mali_armed_forces"),
    (r"(?:les\s+)?vecteurs\s+aériens", "mali_armed_forces"),
    (r"(?:the\s+)?(?:police(?:\s+officers|men)?|policemen)", "mali_police"),
    (r"(?:la\s+|les\s+|des\s+)?(?:police|policiers)", "mali_police"),
    (r"(?:the\s+)?(?:UN|U\.N\.)\s+mission", "minusma"),
    (r"(?:la\s+)?mission\s+(?:de\s+l['’]\s*ONU|des\s+Nations\s+unies)", "minusma"),
    (
        r"(?:the\s+)?(?:former\s+|ex-)?(?:separatist\s+|Tuareg\s+|Touareg\s+)?(?:rebels|separatists|rebel\s+fighters)"
        r"|(?:les\s+|des\s+)?(?:ex-)?(?:rebelles|séparatistes|indépendantistes)(?:\s+touaregs)?"
        r"|(?:les\s+)?groupes\s+(?:indépendantistes|séparatistes|rebelles)",
        "cma",
    ),
    (
        r"(?:suspected\s+)?(?:jihadists?|jihadist\s+fighters|terrorists?|assailants|attackers|insurgents|militants"
        r"|extremists|kidnappers)",
        "unidentified_armed_group",
    ),
    (
        r"(?:les\s+|des\s+)?(?:jihadistes|terroristes|assaillants|ravisseurs|groupes\s+jihadistes)",
        "unidentified_armed_group",
    ),
    (
        r"(?:residents|inhabitants|passengers|women\s+and\s+children|children|worshippers|traders|herders|farmers"
        r"|displaced\s+people|suspects|truck\s+drivers?)",
        "civilians",
    ),
    (
        r"(?:les\s+|des\s+)?(?:habitants|villageois|passagers|femmes\s+et\s+enfants|enfants|fidèles|commerçants"
        r"|éleveurs|cultivateurs|suspects|otages|personnes\s+déplacées)",
        "civilians",
    ),
    (r"(?:the\s+)?(?:governor|prefect|authorities|transitional\s+government|(?:\w+\s+)?minister)", "mali_government"),
    (
        r"(?:le\s+|la\s+|les\s+)?(?:gouverneur|préfet|autorités|gouvernement\s+de\s+transition|ministre(?:\s+de\s+la"
        r"\s+\w+|\s+de\s+l['’]\w+|\s+des\s+\w+)?)",
        "mali_government",
    ),
    (r"(?:youths?|young\s+people)", "protesters"),
    (r"(?:des\s+|les\s+)?jeunes(?:\s+en\s+colère)?", "protesters"),
]
_GENERIC_PATTERN = re.compile(
    "|".join(f"(?P<g{i}>(?<![\\w-]){p}(?![\\w-]))" for i, (p, _) in enumerate(_GENERIC)), re.IGNORECASE
)

# Words right before a mention that make it a non-participant.
_INCIDENTAL_BEFORE = re.compile(
    r"(?:\b(?:vacated|left|abandoned|ceded|evacuated|used|occupied|run|held)\s+by|\b(?:withdrawal|departure|exit)\s+of"
    r"|\bquitté\s+par|\blaissée?\s+par|\bévacuée?\s+par|\b(?:retrait|départ)\s+(?:de\s+la|du|des)"
    r"|\bseat\s+of|\bstronghold\s+of|\bheadquarters\s+of|\bfief\s+(?:de\s+la|du|de)|\bsiège\s+(?:de\s+la|du|de)"
    r"|\b(?:according\s+to|selon|d['’]après|quoted\s+by|cité\s+par)|\bà\s+la\s+demande\s+de"
    r"|\bwith\s+the\s+(?:government|junta)|\bavec\s+le\s+gouvernement|\bsigned\s+with"
    r"|\bruled\s+by|\bdirigée?\s+par|\bgouvernée?\s+par)"
    r"[\s\w'’-]{0,30}$",
    re.IGNORECASE,
)
# ", a rural town of 10,000 inhabitants, a hotspot of jihadist activity": words describing a place, not actors.
_PLACE_APPOSITION_BEFORE = re.compile(
    r",\s+(?:a|an|une?|la|le|the)\s+(?:[\w'’-]+\s+){0,3}?(?:hotspot|hotbed|stronghold|town|city|village|region|area"
    r"|zone|locality|home|foyer|bastion|fief|ville|localité|région|commune)\s+(?:[\w'’-]+\s+){0,3}?"
    r"(?:of|for|with|de|d['’]|du|des|where|où)\s+(?:[\w,'’-]+\s+){0,4}?$"
    # "..., where militias regularly slaughter civilians": who is usually found there.
    r"|,\s+(?:where|où)\s+[^.;]*\b(?:regularly|often|frequently|routinely|régulièrement|souvent)\b[^.;]*$",
    re.IGNORECASE,
)
# "Des hommes armés, habillés en tenue de chasseurs dozos": the gunmen are the hunters named after them.
_DRESSED_AS_AFTER = re.compile(
    r"^[\s,«»\"“”]*(?:\w+\s+){0,2}?(?:habillée?s?\s+en|vêtue?s?\s+(?:en|comme)|en\s+tenue\s+de|dressed\s+(?:as|like|in))\b",
    re.IGNORECASE,
)
_ACTIVITY_AFTER = re.compile(
    r"^\s+(?:activity|activities|presence|insurgency|insurgencies|threat|expansion|violence|activité|présence"
    r"|menace|insurrection)\b",
    re.IGNORECASE,
)
_DESCRIPTIVE_AFTER = re.compile(
    r"^['’]s\s+(?:\w+\s+){0,2}?(?:stronghold|headquarters|seat|garrison|fief|base|home|capital)\b",
    re.IGNORECASE,
)
# "a military officer", "an army spokesman", "une source militaire": a speaker described by the force he serves.
_SPEAKER_AFTER = re.compile(
    r"^\s+(?:officers?|officials?|sources?|spokes(?:man|woman|person)|commanders?\s+(?:said|told))\b"
    r"(?!\s+(?:were|was|have\s+been|had\s+been)\s+(?:killed|wounded|injured|kidnapped|abducted))",
    re.IGNORECASE,
)
# "the army said", "a indiqué l'armée": the actor is the source of the report.
_SOURCE_AFTER = re.compile(
    r"^\)?\s*(?:\([^)]{0,40}\)\s*)?(?:said|says|told|reported|announced|stated|claimed(?!\s+responsibility)"
    r"|added|confirmed|denied|a\s+(?:indiqué|annoncé|affirmé|déclaré|précisé|dénoncé)|ont\s+(?:indiqué|affirmé))\b",
    re.IGNORECASE,
)
_SOURCE_BEFORE = re.compile(
    r"(?:\b(?:said|told|(?:a|ont)\s+(?:indiqué|annoncé|affirmé|déclaré|précisé)|a-t-(?:il|elle|on)\s+\w+)"
    r"(?:\s+(?:on\s+)?(?:\w+day|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|yesterday|soir|matin)){0,2}"
    r"\s*(?:the\s+|la\s+|le\s+|l['’]\s*|les\s+|des\s+)?)$",
    re.IGNORECASE,
)
# "has not been confirmed by Mali's authorities", "a statement by the mission": a source, not an agent.
_REPORTED_BY = re.compile(
    r"\b(?:confirmed|denied|reported|announced|verified|stated|statement|communiqué|report|confirmée?s?|annoncée?s?"
    r"|démentie?s?|rapportée?s?)\s+(?:\w+\s+)?(?:by|par)\s+(?:the\s+|la\s+|le\s+|les\s+|l['’]\s*)?"
    r"(?:[\w'’-]+\s+){0,2}?$",
    re.IGNORECASE,
)
# After a source, "it had", "its fighters", "ses hommes" make it the doer again.
_SELF_REFERENCE = re.compile(r"\b(?:it|its|they|their|il|ils|ses|leurs|sa|son)\b|\bavoir\s+\w+", re.IGNORECASE)
_AGENT_BEFORE = re.compile(
    r"(?:\bby|\bpar|\bde\s+la\s+part\s+(?:de|du|des)|\bclaimed\s+by|\brevendiquée?\s+par"
    # "blaming the assault on jihadists", "an attack blamed on", "imputée aux jihadistes": who did it.
    r"|\bblam(?:e|es|ed|ing)\s+(?:[\w-]+\s+){0,3}?on|\battributed\s+to|\bimputée?s?\s+(?:aux?|à)"
    r"|\battribuée?s?\s+(?:aux?|à)"
    # "des hommes armés habillés en tenue de chasseurs dozos", "gunmen dressed as hunters": who they were.
    r"|\bhabillée?s?\s+en|\bvêtue?s?\s+(?:en|comme)|\ben\s+tenue\s+de|\bdressed\s+(?:as|like|in))\s+"
    r"(?:the\s+|a\s+|an\s+|les?\s+|la\s+|l['’]\s*|des\s+|du\s+|un\s+|une\s+)?(?:[\w-]+\s+){0,4}?(?:of\s+|de\s+|du\s+"
    r"|des\s+)?"
    r"(?:the\s+|la\s+|le\s+|l['’]\s*)?$",
    re.IGNORECASE,
)
_AGENT_AFTER = re.compile(r"^\s+(?:claimed\s+responsibility|a\s+revendiqué|ont\s+revendiqué)", re.IGNORECASE)
ALLY_BEFORE = re.compile(
    r"(?:\balongside|\btogether\s+with|\bwith\s+the\s+(?:support|help|backing)\s+of|\bbacked\s+by|\bsupported\s+by"
    r"|\baccompanied\s+by|\bassisted\s+by|\baided\s+by|\baux\s+côtés\s+(?:de|des|du)|\bavec\s+l['’]appui\s+(?:de|des"
    r"|du)"
    r"|\bappuyée?s?\s+par|\bsoutenue?s?\s+par|\baccompagnée?s?\s+(?:de|par|des)|\bépaulée?s?\s+par"
    r"|\band\s+(?:its|their)|\bet\s+(?:de\s+)?(?:ses|leurs))"
    r"\s*(?:the\s+|its\s+|their\s+|leurs?\s+|ses\s+|des\s+|les\s+|la\s+|l['’]\s*)?(?:\w+\s+){0,1}?$",
    re.IGNORECASE,
)
_TARGET_BEFORE = re.compile(
    r"(?:\bagainst|\btargeting|\bon|\bwith|\bat|\bcontre|\bvisant|\bavec|\bciblant|\bsur"
    r"|\b(?:killed|killing|kidnapped|abducted|attacked|attacking|ambushed|targeted|fought|struck|hit|executed"
    r"|arrested|detained|dispersed|shot|wounded|wounding|injuring|neutrali[sz]ed|blessant|tué|tuant|enlevé|attaqué"
    r"|ciblé|affronté|frappé|interpellé|arrêté|dispersé|exécuté|abattu|blessé|visé|pris\s+pour\s+cible|neutralisé"
    # "la mort de 17 soldats", "the deaths of two peacekeepers", "coûté la vie à six casques bleus": the dead.
    r"|(?:la\s+)?mort\s+de|décès\s+de|deaths?\s+of|lives\s+of|la\s+vie\s+à"
    # "l'attaque de ce lundi d'un camp de la MINUSMA", "the attack on two army posts of": the noun with
    # the place hit, whose holder was attacked (the tail below asks for that place).
    r"|(?:attacks?|attaques?|assauts?|assaults?|raids?)(?=(?:\s+[\w'’-]+){0,6}?\s+(?:on|against|contre|d['’]|de|du|des)"
    r"\s*(?:the\s+|a\s+|an\s+|two\s+|three\s+|un\s+|une\s+|deux\s+|trois\s+|la\s+|le\s+|les\s+|l['’]\s*)?"
    r"(?:positions?|camps?|bases?|convoys?|patrols?|posts?|checkpoints?|convois?|patrouilles?|postes?)\s))"
    r"(?:\s+(?:at\s+least|au\s+moins|more\s+than|plus\s+de))?(?:\s+[\w-]+){0,5}?)"
    r"\s*(?:the\s+|a\s+|an\s+|les?\s+|la\s+|l['’]\s*|des\s+|du\s+|un\s+|une\s+|d['’]\s*une?\s+|their\s+|its\s+)?"
    r"(?:(?:positions?|camps?|bases?|convoys?|patrols?|posts?|checkpoints?|vehicles?|fighters|members|elements|unit"
    r"|units|combattants|éléments|convois?|patrouilles?|postes?|véhicules?|campements?)\s+(?:of|de|du|des|d['’])\s*"
    r"(?:the\s+|la\s+|le\s+|l['’]\s*)?)?$",
    re.IGNORECASE,
)
_PASSIVE_TARGET_AFTER = re.compile(
    r"^,?(?:\s+[\w-]+){0,3}?\s+(?:(?:was|were|been|had\s+been|have\s+been|has\s+been)\s+(?:\w+\s+)?"
    r"(?:killed|wounded|injured|attacked|ambushed|targeted|kidnapped|abducted|taken|arrested|detained|executed|shot"
    r"|hit|struck|the\s+target)|(?:a|ont|avait|avaient)\s+été\s+(?:\w+\s+)?(?:tués?|blessés?|attaqués?|visés?"
    r"|pris\s+pour\s+cible|enlevés?|interpellés?|arrêtés?|exécutés?|ciblés?|la\s+cible)"
    r"|came\s+under|(?:a|ont|avait|avaient)\s+essuyé"
    # "eight soldiers escaped the attack": those who survived it were its target.
    r"|escaped|survived|(?:a|ont)\s+(?:pu\s+)?(?:échappé|survécu))"
    # "six soldats maliens tués dans une attaque": the French plural participle agrees with the dead.
    r"|^(?:\s+(?!(?:ont|a|avait|avaient|sont)\b)[\w-]+)?\s+tué(?:e)?s\b"
    # A headline's bare participle right after the mention: "Malian soldiers killed in ambush".
    r"|^\s+(?:killed|wounded|injured|kidnapped|abducted)\s+(?:in|during|near|after|while)\s",
    re.IGNORECASE,
)
# "a base housing UN, French and Malian forces", "le camp abritant des casques bleus": who was in what was hit.
_OCCUPANT_BEFORE = re.compile(
    r"\b(?:housing|hosting|home\s+to|abritant|qui\s+abrite)\s+(?:[\w-]+,?\s+){0,4}?(?:and\s+|et\s+)?"
    r"(?:the\s+|les\s+|des\s+)?$",
    re.IGNORECASE,
)
_RECIPIENT_BEFORE = re.compile(
    r"(?:\bhanded\s+(?:\w+\s+)?over\s+to|\bto|\bà|\baux)\s*(?:the\s+|la\s+|le\s+|l['’]\s*|les\s+)?$", re.IGNORECASE
)

#: Kinds of actor that fight on the state's side.
_STATE_KINDS = frozenset({"state_forces", "government", "foreign_forces"})


@dataclass(frozen=True)
class ActorMention:
    """An actor named or described in the text.

    Attributes
    ----------
    start, end : int
        ``text[start:end]`` is the mention.
    text : str
        The mention as written.
    key : str
        Actor key (``conflictmap.actors``).
    generic : bool
        Found from a common word ("the army") rather than a name.
    """

    start: int
    end: int
    text: str
    key: str
    generic: bool = False


@dataclass
class Roles:
    """Who did what to whom in one incident.

    Attributes
    ----------
    actor1, actor2 : ActorMention or None
        The doer and the target or opponent.
    assoc1, assoc2 : list of ActorMention
        Associated actors on each side.
    left_out : list of (ActorMention, str)
        Mentions that are no participants, with the reason ("source", "incidental", "descriptive").
    """

    actor1: ActorMention | None = None
    actor2: ActorMention | None = None
    assoc1: list[ActorMention] = field(default_factory=list)
    assoc2: list[ActorMention] = field(default_factory=list)
    left_out: list[tuple[ActorMention, str]] = field(default_factory=list)

    def keys(self) -> tuple[str | None, list[str], str | None, list[str]]:
        """``(actor1, assoc1, actor2, assoc2)`` as actor keys."""
        return (
            self.actor1.key if self.actor1 else None,
            [m.key for m in self.assoc1],
            self.actor2.key if self.actor2 else None,
            [m.key for m in self.assoc2],
        )

    def participants(self) -> list[ActorMention]:
        """Every mention with a role."""
        return [m for m in (self.actor1, *self.assoc1, self.actor2, *self.assoc2) if m is not None]


def find_actors(text: str) -> list[ActorMention]:
    """Actors named in ``text`` (the alias table) or described by a common word.

    Parameters
    ----------
    text : str
        Article text.

    Returns
    -------
    list of ActorMention
        In text order, not overlapping; names win over common words.
    """
    named = [ActorMention(s, e, t, k) for s, e, k, t in actor_table.find_mentions(text)]
    taken = [(m.start, m.end) for m in named]
    generic = []
    for m in _GENERIC_PATTERN.finditer(text):
        start, end = m.span()
        if any(start < e and s < end for s, e in taken):
            continue
        # "UN soldiers", "French troops": someone else's soldiers.
        if re.search(
            r"(?:UN|French|Russian|foreign|peacekeeping|Chadian|Nigerien|Burkinabe)\s+$",
            text[max(0, start - 25) : start],
        ):
            continue
        key = next(_GENERIC[i][1] for i in range(len(_GENERIC)) if m.group(f"g{i}"))
        generic.append(ActorMention(start, end, text[start:end], key, generic=True))
        taken.append((start, end))
    generic = [_national_army(m, named) for m in generic]
    return sorted(named + generic, key=lambda a: a.start)


# National armies a bare "the army", "soldiers" may stand for; Mali's unless another is named.
_ARMIES = ("mali_armed_forces", "niger_armed_forces", "burkina_armed_forces")


def _national_army(m: ActorMention, named: list[ActorMention]) -> ActorMention:
    """A bare army word of a story about Niger or Burkina Faso ("Nigerien soldiers ... the army") is that army.

    The army named last before the word counts, else the first named after it; Mali's by default.
    """
    if m.key != "mali_armed_forces":
        return m
    armies = [a for a in named if a.key in _ARMIES]
    before = [a for a in armies if a.end <= m.start]
    chosen = before[-1] if before else (armies[0] if armies else None)
    if chosen is None or chosen.key == m.key:
        return m
    return ActorMention(m.start, m.end, m.text, chosen.key, generic=True)


@functools.cache
def _kinds_and_parents() -> tuple[dict[str, str], dict[str, str]]:
    table = actor_table.actor_table()
    return dict(zip(table["key"], table["kind"], strict=True)), dict(zip(table["key"], table["member_of"], strict=True))


_DEFINITE_BEFORE = re.compile(r"(?:\bthe|\bthese|\bles|\bces|\bl['’])\s*$", re.IGNORECASE)
_DEFINITE_START = re.compile(r"(?:the|these|les|ces)\s", re.IGNORECASE)
_ARMED_KINDS = frozenset({"jihadist_group", "armed_movement"})


def resolve_references(text: str, mentions: list[ActorMention]) -> list[ActorMention]:
    """Point "the jihadists", "les assaillants" at the armed group the article named before them.

    A definite common word for an armed group ("the attackers", "ces jihadistes") stands for the
    last non-state armed group named earlier in the text (a jihadist group for "jihadists").

    Parameters
    ----------
    text : str
        The article.
    mentions : list of ActorMention
        From ``find_actors``.
    """
    kinds, _ = _kinds_and_parents()
    out = []
    for i, m in enumerate(mentions):
        definite = bool(_DEFINITE_START.match(m.text) or _DEFINITE_BEFORE.search(text[max(0, m.start - 8) : m.start]))
        if m.generic and m.key == "unidentified_armed_group" and definite:
            wanted = {"jihadist_group"} if re.search(r"jihad", m.text, re.IGNORECASE) else _ARMED_KINDS
            named = [p for p in mentions[:i] if not p.generic and kinds.get(p.key) in wanted]
            if named:
                out.append(ActorMention(m.start, m.end, m.text, named[-1].key, generic=True))
                continue
        out.append(m)
    return out


def camp(key: str) -> str:
    """The side an actor is on, for grouping associated actors.

    The state's forces, its government and foreign forces fighting with it
    are one camp (``"state"``); any other actor's camp is the top of its
    ``member_of`` chain (MNLA and CSP-PSD are in the CMA's camp).

    Parameters
    ----------
    key : str
        Actor key.
    """
    kinds, parents = _kinds_and_parents()
    if kinds.get(key) in _STATE_KINDS:
        return "state"
    top = key
    while parents.get(top):
        top = parents[top]
    return top


def related(a: str, b: str) -> bool:
    """Same actor, or one belongs to the other."""
    return a == b or b in actor_table.members(a) or a in actor_table.members(b)


def _why_left_out(sentence: str, m: ActorMention) -> str | None:
    before = sentence[max(0, m.start - 60) : m.start]
    after = sentence[m.end : m.end + 60]
    if _DESCRIPTIVE_AFTER.match(after) or (m.generic and _PLACE_APPOSITION_BEFORE.search(before)):
        return "descriptive"
    if m.key == "unidentified_armed_group" and _DRESSED_AS_AFTER.match(after):
        return "descriptive"
    if m.generic and _ACTIVITY_AFTER.match(after):
        return "descriptive"  # "an area rife with jihadist activity": a description, not an actor
    if _INCIDENTAL_BEFORE.search(before):
        return "incidental"
    if m.generic and _SPEAKER_AFTER.match(after):
        return "source"  # "a military officer said": whom the speaker works for, not a side
    if m.start > 0 and (_SOURCE_BEFORE.search(before) or _REPORTED_BY.search(before)):
        return "source"
    if _SOURCE_AFTER.match(after):
        # "the army said it killed...": the source speaks of itself and is a participant.
        return None if _SELF_REFERENCE.search(sentence[m.end :]) else "source"
    return None


def more_specific(new: ActorMention, old: ActorMention) -> bool:
    """A name beats a common word; a member beats its group ("FAMa" over "security forces")."""
    if old.generic and not new.generic:
        return True
    return new.key != old.key and new.key in actor_table.members(old.key) and new.generic == old.generic


def _classify(sentence: str, m: ActorMention, transfer: bool) -> str:
    before = sentence[max(0, m.start - 70) : m.start]
    after = sentence[m.end : m.end + 60]
    if transfer:
        return "agent" if _RECIPIENT_BEFORE.search(before) else "target"
    if ALLY_BEFORE.search(before):
        return "ally"
    if _AGENT_BEFORE.search(before) or _AGENT_AFTER.match(after):
        return "agent"
    if _TARGET_BEFORE.search(before) or _PASSIVE_TARGET_AFTER.match(after) or _OCCUPANT_BEFORE.search(before):
        return "target"
    return "other"


def _placeholder(m: ActorMention) -> bool:
    """A common word for an unnamed armed group ("gunmen", "assailants"): it adds nothing next to a name."""
    return m.generic and m.key == "unidentified_armed_group"


def assign_roles(sentence: str, mentions: list[ActorMention], *, transfer: bool = False) -> Roles:
    """Give the actors of one sentence their roles.

    Parameters
    ----------
    sentence : str
        The sentence (or clause); mention offsets are relative to it.
    mentions : list of ActorMention
        Actors found in it, in order.
    transfer : bool
        The incident is a hand-over: the recipient ("to the army", "à l'armée") is the doer.

    Returns
    -------
    Roles
    """
    roles = Roles()
    kept: list[tuple[ActorMention, str]] = []
    for m in mentions:
        reason = _why_left_out(sentence, m)
        if reason:
            roles.left_out.append((m, reason))
        else:
            kept.append((m, _classify(sentence, m, transfer)))
    targets = [m for m, c in kept if c == "target"]
    # A name said again after a target is that target ("a convoy of peacekeepers ... wounding three peacekeepers").
    kept = [(m, "target" if c == "other" and any(related(t.key, m.key) for t in targets) else c) for m, c in kept]
    by_kind = {k: [m for m, c in kept if c == k] for k in ("agent", "other", "ally", "target")}
    first = by_kind["agent"] or by_kind["other"] or by_kind["ally"]
    roles.actor1 = first[0] if first else None

    def differs(m: ActorMention) -> bool:
        return roles.actor1 is None or camp(m.key) != camp(roles.actor1.key)

    opponents = [m for m in by_kind["target"] if differs(m)] + [m for m in by_kind["other"] if differs(m)]
    # A named opponent before "attackers", "gunmen" (often the same people told again).
    opponents.sort(key=_placeholder)
    roles.actor2 = opponents[0] if opponents else None
    for m, kind in kept:
        if m is roles.actor1 or m is roles.actor2:
            continue
        on_side1 = kind == "ally" or (roles.actor1 is not None and camp(m.key) == camp(roles.actor1.key))
        if not on_side1 and roles.actor2 is None:
            roles.actor2 = m
            continue
        lead_attr = "actor1" if on_side1 else "actor2"
        side = roles.assoc1 if on_side1 else roles.assoc2
        lead = getattr(roles, lead_attr)
        if lead is None:
            setattr(roles, lead_attr, m)
        elif _placeholder(m):
            continue
        elif related(lead.key, m.key):
            if more_specific(m, lead):
                setattr(roles, lead_attr, m)
        elif not any(related(o.key, m.key) for o in side):
            side.append(m)
    return roles


def acled_name(key: str, year: int) -> str:
    """The name ACLED would write for an actor key in a given year.

    The alias with a period covering ``year`` ("Military Forces of Mali
    (2021-)"), else the "ABBR: Full name" alias ("CMA: Coordination of Azawad
    Movements"), else the "(Mali)" alias ("Civilians (Mali)"), else the
    display name.

    Parameters
    ----------
    key : str
        Actor key.
    year : int
        The year of the event.
    """
    table = actor_table.actor_table()
    aliases = list(table.loc[table["key"] == key, "alias"])
    covering = []
    for alias in aliases:
        m = re.search(r"\((\d{4})-(\d{4})?\)", alias)
        if m and int(m.group(1)) <= year <= int(m.group(2) or 9999):
            # The latest period that covers the year, a closed one before an open one.
            covering.append((int(m.group(1)), m.group(2) is not None, -len(alias), alias))
    if covering:
        return max(covering)[3]
    for alias in aliases:
        if ":" in alias and not re.search(r"\(\d{4}", alias):
            return alias
    for alias in aliases:
        if alias.endswith("(Mali)"):
            return alias
    return actor_table.display_name(key)

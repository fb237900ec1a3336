"""What: the incident's ACLED type and sub-type from its wording, and the fatalities stated.

Each rule is a pattern (English and French) for one sub-type with a
priority; in a clause the strongest rule wins, so "a car bomb attack was
foiled" is *Disrupted weapons use*, not a car bomb, and "clashed ... as it
took over a camp" is an *Armed clash*, not a hand-over. Words for an attack
that did not happen ("risk of suicide attacks", "pourrait", "to prevent")
are hypothetical and do not count. A bare "attack"/"killed" is ``generic``:
the events module decides between *Armed clash* and *Attack* on civilians
from who the target is.

Fatalities follow ACLED's conservative reading: a number tied to a word of
death ("killed", "dead", "tués", "morts", "neutralised"); words count as
"several"/"plusieurs"/"a few" -> 3, "a dozen"/"une douzaine" -> 12, "une
dizaine" -> 10, "dozens"/"des dizaines" -> 12, "hundreds"/"des centaines"
-> 100; "at least 8" -> 8; "between 10 and 15" -> 10 (high 15); "heavy
losses", "no toll" -> 0. Counts of different groups (soldiers, assailants,
civilians) add up; different counts of the same group keep the lowest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

#: The generic sub-type: an attack whose type depends on its target.
GENERIC = "generic"


@dataclass(frozen=True)
class Rule:
    """One wording rule.

    Attributes
    ----------
    name : str
        Short name shown in the evidence ("car bomb foiled", "clash").
    pattern : re.Pattern
        Case-insensitive pattern.
    event_type, sub_event_type : str
        ACLED's type and sub-type (``sub_event_type`` is ``GENERIC`` for a bare attack).
    priority : int
        Higher wins within a clause.
    can_be_hypothetical : bool
        Whether "risk of ...", "could ..." before it makes it a non-event.
    """

    name: str
    pattern: re.Pattern[str]
    event_type: str
    sub_event_type: str
    priority: int
    can_be_hypothetical: bool = True

    def defensive(self, words: str) -> bool:
        """True when the subject of these words was attacked ("repelled an attack", "a repoussé l'assaut")."""
        return bool(_DEFENSIVE.search(words))


@dataclass(frozen=True)
class Trigger:
    """A rule matched in text.

    Attributes
    ----------
    start, end : int
        Span of the matched words.
    text : str
        The words.
    rule : Rule
        The rule.
    hypothetical : bool
        Spoken of as a risk, a threat or a plan.
    anaphoric : bool
        Refers back to an incident already told ("the attack", "l'attaque", "cette embuscade").
    before : str
        The words just before it (up to 30 characters), where a frame such as "during the" is read.
    """

    start: int
    end: int
    text: str
    rule: Rule
    hypothetical: bool = False
    anaphoric: bool = False
    before: str = ""

    @property
    def event_type(self) -> str:
        return self.rule.event_type

    @property
    def sub_event_type(self) -> str:
        return self.rule.sub_event_type


def _rule(name: str, pattern: str, event_type: str, sub: str, priority: int, hypothetical: bool = True) -> Rule:
    return Rule(
        name, re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE), event_type, sub, priority, hypothetical
    )


_SD = "Strategic developments"
_EXP = "Explosions/Remote violence"
_VAC = "Violence against civilians"
_W = r"(?:[\w'’-]+\s+)"  # one word and its blank

RULES: tuple[Rule, ...] = (
    _rule(
        "weapons use foiled",
        rf"(?:foil(?:ed|s)?|thwart(?:ed|s)?|defus(?:ed|ing)|disarm(?:ed)?|dismantl(?:ed|ing)"
        rf"|prevent(?:ed)?)\s+{_W}{{0,4}}"
        r"(?:car\s+bombs?|bombs?|IEDs?|explosives?|devices?|attacks?|attempts?|plots?|mines?)"
        rf"|(?:attack|bomb(?:ing)?|IED|device|mine|explosives?|plot|attempt)s?\s+{_W}{{0,2}}(?:was|were|had\s+been"
        rf"|has\s+been"
        r"|have\s+been)\s+(?:\w+\s+)?(?:foiled|thwarted|defused|disarmed|dismantled|prevented)"
        rf"|(?:attentat|attaque|engin|explosif|mine|voiture\s+piégée|véhicule\s+piégé|projet)s?\s+{_W}{{0,4}}"
        r"(?:a\s+été\s+|ont\s+été\s+|avait\s+été\s+)?(?:déjoué|désamorcé|neutralisé|désactivé)e?s?"
        r"|déjou(?:é|ée|és|er|ent)|désamorc(?:é|ée|és|er)|weapons?\s+caches?|arms\s+caches?|caches?\s+d['’]armes"
        r"|saisie\s+d['’]armes|seized\s+(?:\w+\s+)?(?:weapons|arms|explosives)",
        _SD,
        "Disrupted weapons use",
        100,
        hypothetical=False,
    ),
    _rule(
        "suicide bombing",
        r"suicide\s+(?:bomb(?:er|ers|ing|ings)?|attacks?|attackers?|car\s+bombs?|vehicles?)|kamikazes?"
        r"|attentats?[-\s]suicides?",
        _EXP,
        "Suicide bomb",
        80,
    ),
    _rule(
        "air or drone strike",
        r"(?:drone|air|aerial)\s*[-]?\s*(?:strikes?|raids?|attacks?|bombardments?|bombings?)|airstrikes?"
        r"|bombed\s+from\s+the\s+air|(?:drones?|aircraft|helicopters?|warplanes?|jets?)\s+(?:struck|bombed|targeted"
        r"|fired)"
        # "a low-flying helicopter opened fire on the crowd", "un hélicoptère a ouvert le feu": fire from the air.
        r"|(?:helicopters?|aircraft|drones?|hélicoptères?|avions?|aéronefs?)\s+(?:[\w-]+\s+){0,3}?(?:opened\s+fire"
        r"|(?:a|ont)\s+ouvert\s+le\s+feu|(?:a|ont)\s+tiré)"
        r"|frappes?\s+(?:aériennes?|de\s+drones?|par\s+drones?)|raids?\s+aériens?|bombardements?\s+aériens?"
        r"|bombardements?|vecteurs\s+aériens",
        _EXP,
        "Air/drone strike",
        75,
    ),
    _rule(
        "shelling",
        # "an attack benefiting from drone and artillery support": how an attack was fought, not a shelling.
        r"shell(?:ing|ed|s)|mortars?(?:\s+(?:fire|rounds|shells))?|rockets?|artillery(?!\s+support)|obus"
        r"|tirs?\s+de\s+(?:mortiers?"
        r"|roquettes?|obus)"
        r"|roquettes?",
        _EXP,
        "Shelling/artillery/missile attack",
        70,
    ),
    _rule(
        "explosive device",
        r"improvised\s+explosive\s+devices?|IEDs?|roadside\s+bombs?|land\s*mines?|explosive\s+devices?|car\s+bombs?"
        r"|(?:artisanal|homemade|home-made|makeshift|road)\s+mines?"
        r"|(?:struck|hit|ran\s+over|drove\s+over)\s+(?:an?\s+|the\s+)?(?:mine|IED|explosive)"
        # "another mine exploded near a convoy", "hit by a mine", "a bomb went off"
        r"|(?:mines?|bombs?)\s+(?:exploded|went\s+off|detonated|blew\s+up)"
        r"|(?:struck|hit|killed|wounded)\s+by\s+(?:an?\s+|the\s+)?(?:mine|IED|bomb)"
        r"|engins?\s+explosifs?(?:\s+improvisés?)?|EEI|mines?\s+artisanales?|voitures?\s+piégées?|véhicules?\s+piégés?"
        r"|(?:a|ont)\s+sauté\s+sur\s+une\s+mine"
        # "l'explosion d'une mine", "dans l'explosion de mines", "a mine explosion", "the explosion of a mine".
        r"|explosions?\s+(?:d['’]\s*une?|de|des|of\s+(?:an?|the))\s+(?:mines?|engins?|bombes?|IEDs?)"
        r"|(?:mine|IED)\s+explosions?|(?:mines?|bombes?)\s+(?:a|ont)\s+explosé",
        _EXP,
        "Remote explosive/landmine/IED",
        65,
    ),
    # "The explosion took place near the town", "l'explosion": a blast told again, below any
    # other incident word of its sentence ("une embuscade, après l'explosion d'un engin").
    _rule(
        "blast told again",
        r"(?:(?<=the\s)|(?<=The\s)|(?<=l')|(?<=L')|(?<=l’)|(?<=L’))(?:blast|explosion)(?![\w-])",
        _EXP,
        "Remote explosive/landmine/IED",
        30,
    ),
    _rule("grenade", r"grenades?", _EXP, "Grenade", 64),
    _rule(
        "abduction",
        r"kidnap(?:ped|ping|pings|pers)?|abduct(?:ed|ion|ions|ing)?|taken\s+hostage|held\s+hostage|hostages?"
        r"|enlev(?:é|ée|és|ées|er|ement|ements)|enlèvements?|kidnapp(?:é|ée|és|ées)|rapts?|pris\s+en\s+otages?|otages?",
        _VAC,
        "Abduction/forced disappearance",
        60,
    ),
    _rule(
        "armed clash",
        r"clash(?:es|ed)?|fight(?:ing)?|fought|battl(?:e|es|ed|ing)|gunfights?|exchanges?\s+of\s+fire|firefights?"
        r"|ambush(?:ed|es)?|repel(?:led|s)?|repulsed|came\s+under\s+fire|affront(?:ements?|é|és|èrent|ent)"
        r"|combats?|accrochages?|embuscades?|(?:a|ont)\s+repoussé|repoussé(?:e|s)?|essuyé\s+des\s+tirs"
        r"|échanges?\s+de\s+tirs|attaques?\s+terroristes?|assauts?",
        "Battles",
        "Armed clash",
        55,
    ),
    _rule(
        "territory retaken",
        r"recaptur(?:ed|e|ing)|retook|retaken|retake|regained\s+control|reconquis|reprise\s+de\s+(?:la\s+ville|Kidal)"
        r"|repris\s+(?:le\s+contrôle|la\s+ville|la\s+localité|le\s+camp|la\s+base)",
        "Battles",
        "Government regains territory",
        57,
    ),
    _rule(
        "territory seized",
        r"(?:seized|captured|overran|took)\s+(?:control\s+of\s+)?(?:the\s+)?(?:[A-ZÀ-Ý][\w'’-]+\s+)?"
        r"(?:town|city|camp|base|village|locality)"
        # "took control of the two military camps", "seized three army bases"
        r"|(?:seized|captured|overran|took)\s+(?:control\s+of\s+)?(?:an?\s+|the\s+)?(?:(?:two|three|four|several|\d+)\s+)?"
        r"(?:army\s+|military\s+)?(?:outposts?|posts?|positions?|garrisons?|bases?|barracks|camps)"
        r"|s['’](?:est|sont)\s+emparés?|(?:ont|a)\s+pris\s+le\s+contrôle",
        "Battles",
        "Non-state actor overtakes territory",
        56,
    ),
    _rule(
        "riot",
        r"riot(?:s|ers|ing)?|violent\s+(?:protests?|demonstrations?)|threw\s+stones"
        r"|hurled\s+stones|pelted|émeutes?|émeutiers|jets?\s+de\s+pierres"
        r"|manifestations?\s+violentes?|saccag(?:é|ée|és|er|e)|ransack(?:ed)?|vandali[sz]ed",
        "Riots",
        "Violent demonstration",
        45,
    ),
    _rule(
        "protest",
        r"protest(?:s|ed|ers|ing)?|demonstrat(?:ion|ions|ors|ed)|rall(?:y|ies|ied)|marched|sit-ins?"
        r"|took\s+to\s+the\s+streets"
        r"|manifest(?:ation|ations|é|ants|er|aient|ent)|marches?\s+de\s+protestation|rassemblements?|rassemblés"
        r"|grèves?",
        "Protests",
        "Peaceful protest",
        40,
    ),
    _rule(
        "looting or destruction",
        r"loot(?:ed|ing)|pillag(?:e|ed|é|és|ée)|set\s+fire\s+to|torched|burn(?:ed|t)\s+(?:down\s+)?(?:\w+\s+){0,2}"
        r"(?:houses|homes|granaries|shops|market|village|trucks|lorries|vehicles|cars|buses)"
        r"|incendi(?:é|ée|és|ées)|emporté\s+du\s+bétail",
        _SD,
        "Looting/property destruction",
        38,
    ),
    _rule(
        "arrest",
        r"arrest(?:ed|s)?|detain(?:ed)?|rounded\s+up|taken\s+into\s+custody|apprehended|interpell(?:é|és|ée|ées|ation"
        r"|ations)"
        r"|arrêt(?:é|és|ée|ées)|arrestations?|placés?\s+en\s+garde\s+à\s+vue|écroués?",
        _SD,
        "Arrests",
        35,
    ),
    _rule(
        "agreement",
        r"(?:signed|reached|agreed)\s+(?:an?\s+|the\s+)?(?:\w+\s+){0,2}(?:agreement|deal|accord|ceasefire|truce)"
        r"|cease-?fire|truce|accords?\s+de\s+paix|cessez-le-feu|trêve|(?:ont|a)\s+signé\s+(?:un|une|l['’])",
        _SD,
        "Agreement",
        30,
    ),
    _rule(
        "agreement ended",
        r"(?:end(?:ed|s)?|terminat(?:ed|es)|withdr(?:ew|awn)\s+from|suspend(?:ed|s)?|pull(?:ed)?\s+out\s+of"
        r"|scrapp(?:ed)?)"
        r"\s+(?:\w+\s+){0,3}(?:agreement|accord|deal|ceasefire)"
        r"|(?:la\s+)?(?:fin|suspension|dénonciation|retrait)\s+(?:\S+\s+){0,6}?(?:de\s+l['’]|des?\s+)(?:accords?"
        r"|cessez-le-feu)",
        _SD,
        "Other",
        32,
    ),
    _rule(
        "base established",
        r"set\s+up\s+(?:a\s+)?(?:new\s+)?(?:military\s+)?(?:base|camp|post)|established\s+(?:a\s+)?(?:\w+\s+)?(?:base"
        r"|camp)"
        r"|install(?:é|és|ée)\s+(?:une?\s+)?(?:nouvelle\s+|nouveau\s+)?(?:base|camp|poste)",
        _SD,
        "Headquarters or base established",
        30,
    ),
    _rule(
        "hand-over",
        r"handed\s+(?:\w+\s+)?over|handover|hand-over|took\s+over|taken\s+over|takeover|took\s+control|taken\s+control"
        r"|rétrocéd(?:é|ée|er|ant)|rétrocession|remis\s+(?:aux|à\s+l)|(?:en\s+)?prend\s+le\s+contrôle"
        r"|pris\s+possession",
        _SD,
        "Non-violent transfer of territory",
        28,
    ),
    _rule(
        "displacement",
        r"displaced|displacement|fled\s+(?:their\s+)?(?:homes|the\s+(?:town|village|area)|villages?)|forced\s+to\s+flee"
        r"|have\s+fled|had\s+fled|refugees|sought\s+refuge|déplacée?s|déplacements?\s+(?:de\s+)?(?:populations?"
        r"|massifs?)"
        r"|(?:ont|avaient)\s+fui|(?:ont|avaient)\s+quitté\s+(?:leurs?|les)\s+(?:villages?|foyers|maisons|localités)"
        r"|se\s+réfugier|réfugiés|exode",
        _SD,
        "Other",
        25,
        hypothetical=False,
    ),
    _rule(
        "alert",
        r"warn(?:s|ed|ing)?|on\s+(?:high\s+|maximum\s+)?alert|state\s+of\s+alert|raised\s+the\s+alert"
        r"|tighten(?:ed|ing)?\s+security|step(?:ped)?\s+up\s+security|heightened\s+security"
        r"|reinforc(?:e|ed|ing|ement)\s+(?:\w+\s+){0,3}(?:security|forces|checkpoints)"
        r"|renforc(?:er|é|ée|ement)\s+(?:\w+\s+){0,3}(?:sécuri\w*|dispositif)"
        r"|security\s+(?:was\s+|has\s+been\s+)?(?:tightened|stepped\s+up|reinforced)|curfew"
        r"|ban\s+on\s+(?:\w+\s+){0,2}traffic"
        r"|mis(?:e)?\s+en\s+garde|met\s+en\s+garde|alerte|renforcer\s+la\s+sécurité|renforcement\s+(?:de\s+la"
        r"|des\s+mesures\s+de)\s+sécurité"
        r"|vigilance|sécurité\s+renforcée|couvre-feu|interdiction\s+de\s+(?:la\s+)?circulation",
        _SD,
        "Other",
        20,
        hypothetical=False,
    ),
    _rule(
        "attack",
        r"attack(?:s|ed|ing)?|raid(?:s|ed)?|assault(?:s|ed)?|killed|killings?|massacre[ds]?|executed|shot\s+dead"
        r"|gunned\s+down"
        # "gunmen stormed the village", "opened fire on the market": violence by its manner.
        r"|storm(?:ed|ing)|opened\s+fire|fired\s+(?:on|upon|at|into)|shot\s+at|slaughter(?:ed|ing)?|murder(?:ed|s)?"
        r"|butcher(?:ed|ing)|mowed\s+down|set\s+upon"
        r"|attaqu(?:e|es|er|ent|é|ée|és|ées)|tué(?:s|e|es)?|tuant|massacres?|exécut(?:é|és|ée|ées)|abattu(?:s|e|es)?"
        r"|neutralis(?:ed|é|és|ée|ées|er)|neutraliz(?:ed)?",
        "Battles",
        GENERIC,
        10,
    ),
)

_DEFENSIVE = re.compile(r"repel|repuls|repouss|ripost|fought\s+off|beat\s+back", re.IGNORECASE)
_HYPOTHETICAL_BEFORE = re.compile(
    r"(?:\brisks?|\bthreats?|\bfears?|\bdanger|\bpossib(?:le|ility)|\bpotential|\bplann(?:ed|ing)|\bplott(?:ed|ing)"
    r"|\bprevent|\bavoid|\bcould|\bwould|\bmight|\bmay|\bagainst\s+(?:an?|any)|\brisques?|\bmenaces?|\bcraintes?"
    r"|\béventuel(?:le)?s?|\bpourrai(?:t|ent)|\bprévenir|\béviter|\bcontre\s+(?:une?|toute?)|\bpréparai(?:t|ent)"
    r"|\bwarn(?:ed|ing|s)?\s+(?:of|that|against)|\bmettre\s+en\s+garde\s+contre)"
    r"(?:\s+[\w'’-]+){0,5}?\s*(?:of\s+|d['’]\s*|de\s+|des\s+|du\s+)?$",
    re.IGNORECASE,
)
# What a crowd or a statement is about: "to denounce the bombings", "a condamné l'attaque".
_TOPIC_BEFORE = re.compile(
    r"(?:\bdénoncer|\bdénoncent|\bprotester\s+contre|\bcondamn\w*|\bdenounc\w*|\bcondemn\w*|\bto\s+protest"
    r"|\bin\s+protest\s+(?:at|against)|\bagainst|\bcontre|\bdemand\w*\s+an\s+end\s+to|\bréclamer\s+la\s+fin\s+des?)"
    r"\s+(?:the\s+|les?\s+|la\s+|l['’]\s*|des\s+|recent\s+|récents?\s+)?(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
_ANAPHORIC_BEFORE = re.compile(
    r"(?:\bthe|\bthis|\bthat|\bl['’]|\bla|\ble|\bcette|\bcet|\bce)\s*(?:same\s+|même\s+|latest\s+|deadly\s+)?$"
    # "These simultaneous assaults", "ces attaques": the incidents just told.
    r"|\b(?:these|those|ces)\s+(?:[\w-]+\s+)?$",
    re.IGNORECASE,
)


def find_triggers(text: str) -> list[Trigger]:
    """Every rule matched in ``text``, in text order (overlaps between rules are kept).

    Parameters
    ----------
    text : str
        A sentence or clause.

    Returns
    -------
    list of Trigger
    """
    found = []
    for rule in RULES:
        for m in rule.pattern.finditer(text):
            before = text[max(0, m.start() - 60) : m.start()]
            if rule.name == "abduction" and _GOODS_BEFORE.search(before):
                # "un véhicule enlevé": a thing taken is theft told with the attack, not an abduction.
                continue
            hypothetical = rule.can_be_hypothetical and bool(_HYPOTHETICAL_BEFORE.search(before))
            # A topic is no incident here, unless the words are a protest's own ("protest against").
            hypothetical = hypothetical or (rule.event_type != "Protests" and bool(_TOPIC_BEFORE.search(before)))
            anaphoric = bool(_ANAPHORIC_BEFORE.search(before[-30:])) and rule.sub_event_type != "Other"
            found.append(Trigger(m.start(), m.end(), m.group(0), rule, hypothetical, anaphoric, before[-30:]))
    return sorted(found, key=lambda t: (t.start, -t.rule.priority))


# Words of a killing among the bare attack words: "were killed", "ont tué", "tuant".
_KILLING = re.compile(r"kill|slaughter|massacr|executed|shot\s+dead|gunned|tu[éea]|tuant|exécut|abattu", re.IGNORECASE)
# "Clashes" and "affrontements" are bare words for a fight: with a crowd they are a protest's.
_BARE_CLASH = re.compile(r"clash|affront|heurts?", re.IGNORECASE)
# "killed during the abduction", "tué lors de l'enlèvement": the abduction is the incident, the death within it.
_FRAME_BEFORE = re.compile(
    r"\b(?:during|in|amid|lors\s+de|pendant|au\s+cours\s+de)\s+(?:the\s+|l['’]\s*|les?\s+|la\s+)?$", re.IGNORECASE
)
# What is taken when it is not people: "un véhicule enlevé", "vehicles taken".
_GOODS_BEFORE = re.compile(
    r"\b(?:véhicules?|motos?|voitures?|camions?|bétail|animaux|biens|vivres|armes|matériels?|vehicles?|cars?"
    r"|trucks?|motorbikes?|motorcycles?|cattle|livestock|goods|weapons)\s+(?:ont\s+été\s+|a\s+été\s+)?$",
    re.IGNORECASE,
)


def best_trigger(triggers: list[Trigger]) -> Trigger | None:
    """The trigger that names the incident: the highest priority that is not hypothetical; earliest among equals.

    Two bare words give way to what the rest of the clause says. An abduction told with a killing ("two
    soldiers were killed and others abducted", "ont tué 16 personnes ... et enlevé") is typed by the
    killing, as ACLED types an attack with hostages taken. A bare "clashes" with a crowd in the clause
    ("clashes began after police fired tear gas at protesters") is the protest's, not an armed clash.
    """
    real = [t for t in triggers if not t.hypothetical]
    if not real:
        return None
    killing = any(kills(t) for t in real)
    framed = any(t.rule.name == "abduction" and _FRAME_BEFORE.search(t.before) for t in real)
    crowd = next((t.rule for t in real if t.rule.name == "protest"), None)
    kept = []
    for t in real:
        if t.rule.name == "abduction" and killing and not framed:
            continue
        if t.rule.name == "armed clash" and crowd is not None and _BARE_CLASH.match(t.text):
            # The crowd's clash, where it is told (its day is the one said with "clashes").
            t = replace(t, rule=crowd)
        kept.append(t)
    return max(kept or real, key=lambda t: (t.rule.priority, -t.start))


def kills(trigger: Trigger) -> bool:
    """True for a bare attack word that tells a killing ("were killed", "ont tué 16 personnes")."""
    return trigger.rule.name == "attack" and bool(_KILLING.search(trigger.text)) and not trigger.hypothetical


# ---------------------------------------------------------------------------
# Fatalities

#: Words for an unstated number, read the way ACLED reads them.
VAGUE_NUMBERS: dict[str, int] = {
    "several": 3, "a few": 3, "few": 3, "some": 3, "many": 3, "numerous": 3, "plusieurs": 3, "quelques": 3,
    "de nombreux": 3, "de nombreuses": 3, "a dozen": 12, "dozen": 12, "une douzaine": 12, "une dizaine": 10,
    "dozens": 12, "dozens of": 12, "scores of": 12, "des dizaines": 12, "des dizaines de": 12,
    "une vingtaine": 20, "une trentaine": 30, "une quarantaine": 40, "une cinquantaine": 50,
    "une soixantaine": 60, "une centaine": 100, "a hundred": 100, "hundreds": 100, "hundreds of": 100,
    "des centaines": 100, "des centaines de": 100, "thousands": 1000, "des milliers": 1000,
}  # fmt: skip
NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "hundred": 100, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "seize": 16, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100,
}  # fmt: skip
_NUMBER_ALTS = "|".join(
    re.escape(w).replace(r"\ ", r"\s+")
    for w in sorted([*VAGUE_NUMBERS, *(k.strip() for k in NUMBER_WORDS)], key=len, reverse=True)
)
_NUM = rf"(?:\d{{1,3}}(?:[ ,.\u202f]\d{{3}})*|\d+|{_NUMBER_ALTS})"
_QUALIFIER = (
    r"(?:(?P<qual>at\s+least|more\s+than|over|nearly|almost|about|around|some|up\s+to|au\s+moins|plus\s+de|près\s+de"
    r"|environ|une\s+quinzaine\s+de|jusqu['’]à)\s+)?"
)
# "Neuf (9) morts": a number in words with its figure in brackets after it.
_RANGE = (
    rf"(?:between\s+|entre\s+)?[\"“«]?\s?(?P<n>{_NUM})(?:\s*\(\d+\))?\s?[\"”»]?"
    r"(?:\s*(?:-|–|to|and|à|et)\s*(?P<n2>\d+))?"
)
_GROUP = (
    r"(?P<group>(?:[\w'’-]+\s+){0,2}?(?:soldiers?|troops|servicemen|militaires|soldats|gendarmes?|policemen"
    r"|police\s+officers"
    r"|policiers|men|hommes|peacekeepers|blue\s+helmets|casques\s+bleus|assailants?|attackers?|terrorists?|jihadists?|militants?"
    r"|fighters?|gunmen|rebels?|insurgents?|assaillants|terroristes|jihadistes|combattants|ennemis?|civilians?"
    r"|villagers"
    r"|people|persons|passengers|children|women|residents|civils|villageois|personnes|passagers|enfants|femmes"
    r"|habitants|victimes|victims|dead|bodies|corps)"
    # A nationality after the noun, as French puts it ("onze soldats nigériens", "des casques bleus tchadiens").
    r"(?:\s+(?:maliens?|maliennes?|malian|nigériens?|nigériennes?|nigerien|burkinabès?|burkinabés?|tchadiens?"
    r"|tchadiennes?|chadian|togolais|guinéens?|égyptiens?|sénégalais|ivoiriens?|français|russes))?"
    r"(?:\s+(?:from|de|du)\s+[A-ZÀ-Ý][\w'’-]+)?)?"  # "peacekeepers from Chad"
)
_DEATH_AFTER = (
    # "eight civilians, including six children, had been killed": an aside on who they were.
    r"(?:,\s*(?:including|among\s+them|of\s+whom|dont|parmi\s+lesquels|y\s+compris)\s+[^,.;]{1,50},)?"
    r"(?:\s+(?:were|have\s+been|had\s+been|was|are|ont\s+été|avaient\s+été|a\s+été|sont)?\s*"
    r"(?:\w+ment\s+)?(?:y\s+|en\s+)?"  # "froidement tués", "y ont perdu la vie"
    r"(?:killed|dead|died|slain|massacred|executed|lost\s+their\s+lives|tués?|tuées?|morts?|décédés?|péri|ont\s+péri"
    r"|ont\s+perdu\s+la\s+vie|ont\s+trouvé\s+la\s+mort|neutralisés?|abattus?|exécutés?))"
)
_FATALITY_PATTERNS = (
    re.compile(rf"(?<![\w-]){_QUALIFIER}{_RANGE}\s+(?:of\s+|d['’]\s*|de\s+)?{_GROUP}{_DEATH_AFTER}", re.IGNORECASE),
    re.compile(
        r"(?<![\w-])(?:killing|killed|kills|executed|executing|massacred|shot\s+dead|leaving|left|claimed\s+the\s+lives\s+of"
        r"|death\s+toll\s+(?:of|at|rose\s+to"
        r"|to)"
        r"|toll\s+of|neutralis(?:ed|ing)|neutraliz(?:ed|ing)|lost|tuant|faisant|a\s+fait|ont\s+fait|avons\s+perdu"
        r"|bilan\s+(?:provisoire\s+)?de"
        r"|neutralisé|coûté\s+la\s+vie\s+à|a\s+perdu|ont\s+perdu|enterré|(?:a|ont|avait|avaient)\s+tué)"
        rf"\s+{_QUALIFIER}{_RANGE}\s*(?:of\s+|d['’]\s*|de\s+)?{_GROUP}",
        re.IGNORECASE,
    ),
    # "la mort de 95 personnes", "the deaths of 12 soldiers"
    re.compile(
        # "the bodies of five soldiers", "les corps de six civils": the dead counted where they lie.
        rf"(?<![\w-])(?:la\s+mort\s+de|the\s+deaths?\s+of|(?:the\s+)?bodies\s+of|les\s+(?:corps|dépouilles)\s+de)"
        rf"\s+{_QUALIFIER}{_RANGE}\s+(?:of\s+)?{_GROUP}",
        re.IGNORECASE,
    ),
    # "95 morts", "13 deaths, all among the assailants", "11 morts, tous des civils"
    re.compile(
        rf"(?<![\w-]){_QUALIFIER}{_RANGE}\s+(?:deaths|dead|fatalities|morts?|tués)\b"
        r"(?:,?\s*(?:all|tous|toutes)\s+(?:among\s+(?:the\s+)?|parmi\s+les\s+|des\s+|dans\s+les\s+rangs\s+des?\s+)?"
        r"(?P<group>[\w'’-]+))?",
        re.IGNORECASE,
    ),
    # "A peacekeeper was killed", "un soldat a été tué": one death told with an article.
    re.compile(
        r"(?<![\w-])(?P<n>an?|un|une)\s+(?:[\w'’-]+\s+){0,3}?(?P<group>soldier|peacekeeper|blue\s+helmet|civilian"
        r"|villager|policeman|police\s+officer|gendarme|serviceman|soldat|militaire|casque\s+bleu|civil|policier"
        r"|person|resident|child|woman|personne|habitant|villageois|enfant|femme)"
        # "un habitant du village a été tué": where the one dead came from.
        r"(?:\s+(?:du|de\s+la|of\s+the|from\s+the)\s+[\w'’-]+)?"
        r"\s+(?:was|has\s+been|had\s+been|a\s+été|avait\s+été)\s+(?:\w+ly\s+)?(?:killed|shot\s+dead|slain|tuée?|abattue?)\b",
        re.IGNORECASE,
    ),
)
_DEATH_NOUN_AFTER = re.compile(
    r"^\s*(?:and\s+[\w-]+\s+others?\s+)?(?:of\s+|de\s+|d['’]\s*)?(?:dead|deaths|fatalities|morts|tués|victimes|bodies"
    r"|corps)\b",
    re.IGNORECASE,
)
# Verbs that give a toll only with a word of death after the number ("left 5 dead", "faisant 3 morts").
_NEEDS_DEATH_NOUN = re.compile(r"^(?:leaving|left|faisant|a\s+fait|ont\s+fait)\b", re.IGNORECASE)
# Verbs that give a toll only with people after the number ("lost ten men", not "lost 3 vehicles").
_NEEDS_PEOPLE = re.compile(r"^(?:lost|a\s+perdu|ont\s+perdu|avons\s+perdu)\b", re.IGNORECASE)
_NO_DEATHS = re.compile(
    r"no\s+(?:one|body|casualties|deaths|fatalities)\s+(?:was|were)?|no\s+casualties|without\s+(?:casualties|loss)"
    r"|aucune\s+victime|pas\s+de\s+victimes?|sans\s+faire\s+de\s+victimes?|no\s+toll|without\s+giving\s+a\s+toll"
    r"|sans\s+(?:donner\s+de|qu['’]un)\s+bilan|heavy\s+losses|lourdes\s+pertes",
    re.IGNORECASE,
)
_GROUPS = {
    "state": r"soldier|troop|servicem|militaire|soldat|gendarme|police|policier|men\b|hommes|peacekeeper"
    r"|casques",
    "armed": r"assailant|attacker|terroris|jihadist|militant|fighter|gunmen|rebel|insurgent|assaillant|combattant"
    r"|ennemi",
    "civilians": r"civil|villager|people|person|passenger|child|women|resident|villageois|personne|passager"
    r"|enfant|femme|habitant",
}


@dataclass(frozen=True)
class FatalityMention:
    """A stated number of dead.

    Attributes
    ----------
    start, end : int
        Span of the statement.
    text : str
        The statement.
    count : int
        The number ACLED would code.
    high : int or None
        Upper bound when a range is given.
    group : str
        Who died: ``state``, ``armed``, ``civilians`` or ``unknown``.
    """

    start: int
    end: int
    text: str
    count: int
    high: int | None
    group: str


def _value(token: str) -> int | None:
    token = " ".join(token.casefold().split())
    digits = re.sub(r"[ ,.\u202f]", "", token)
    if digits.isdigit():
        return int(digits)
    if token in VAGUE_NUMBERS:
        return VAGUE_NUMBERS[token]
    return NUMBER_WORDS.get(token)


def _group(words: str) -> str:
    for name, pattern in _GROUPS.items():
        if re.search(pattern, words, re.IGNORECASE):
            return name
    return "unknown"


_HOW_MANY_BEFORE = re.compile(r"\b(?:how|combien(?:\s+de)?)\s*$", re.IGNORECASE)


def find_fatalities(text: str) -> list[FatalityMention]:
    """Statements of how many died, in text order.

    Parameters
    ----------
    text : str
        A sentence or more.

    Returns
    -------
    list of FatalityMention
        Wounded are not counted; a count of displaced or abducted people is not a death toll.
    """
    found: list[FatalityMention] = []
    for pattern in _FATALITY_PATTERNS:
        for m in pattern.finditer(text):
            group_words = m.group("group") or ""
            if pattern is _FATALITY_PATTERNS[3] and _value(m.group("n")) is None:
                continue
            if pattern is _FATALITY_PATTERNS[1]:
                dead_after = _DEATH_NOUN_AFTER.match(text[m.end("n") :]) or (
                    m.group("group") and _DEATH_NOUN_AFTER.match(text[m.end() :])  # "left 19 soldiers dead"
                )
                if _NEEDS_DEATH_NOUN.match(m.group(0)) and not dead_after:
                    continue
                if _NEEDS_PEOPLE.match(m.group(0)) and _group(group_words) == "unknown":
                    continue
            if _HOW_MANY_BEFORE.search(text[max(0, m.start() - 12) : m.start("n")]):
                continue  # "no mention of how many rebels were killed": a question, not a toll
            value = 1 if pattern is _FATALITY_PATTERNS[4] else _value(m.group("n"))
            if value is None or value > 100_000:
                continue
            high = int(m.group("n2")) if "n2" in pattern.groupindex and m.group("n2") else None
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            found.append(FatalityMention(m.start(), m.end(), m.group(0), value, high, _group(group_words)))
    return sorted(found, key=lambda f: f.start)


_VAGUE_WORD = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(VAGUE_NUMBERS, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)


_FLOOR = re.compile(r"\b(?:at\s+least|more\s+than|au\s+moins|plus\s+de)\b", re.IGNORECASE)


def total_fatalities(mentions: list[FatalityMention]) -> tuple[int, int | None, int | None]:
    """``(fatalities, low, high)`` from the statements about one event.

    Different groups add up (soldiers and assailants); several counts for one
    group keep the lowest (conflicting claims, ACLED's conservative rule).
    ``low``/``high`` are given only when a range or conflicting counts were stated.
    """
    if not mentions:
        return 0, None, None
    by_group: dict[str, list[FatalityMention]] = {}
    for f in mentions:
        by_group.setdefault(f.group, []).append(f)
    # A count that does not say who died ("95 morts") repeats a count that does ("95 personnes tuées"),
    # except next to attackers only: "10 morts" officially, "15 of its fighters" by the group's own count.
    unknown = by_group.pop("unknown", []) if len(by_group) > 1 else []
    if unknown and set(by_group) == {"armed"}:
        by_group["unknown"] = unknown
        unknown = []
    total = low = high = 0
    spread = False
    for group in by_group.values():
        # "dozens of people" next to "at least 23 people": a floor above the vague word's figure wins.
        floors = [f.count for f in group if _FLOOR.search(f.text) and not _VAGUE_WORD.search(f.text)]
        if floors:
            group = [f for f in group if not (_VAGUE_WORD.search(f.text) and f.count < max(floors))] or group
        # "several soldiers" then "the bodies of five soldiers": a higher figure replaces the word that
        # stands for a few ("dozens" against a figure stays a conflicting claim).
        exact = [f.count for f in group if not _VAGUE_WORD.search(f.text)]
        if exact:
            group = [
                f for f in group if not (_VAGUE_WORD.search(f.text) and f.count <= 3 and f.count < max(exact))
            ] or group
        counts = [f.count for f in group]
        highs = [f.high or f.count for f in group]
        total += min(counts)
        low += min(counts)
        high += max(highs)
        spread = spread or len(set(counts)) > 1 or any(f.high for f in group)
    if unknown and min(f.count for f in unknown) > total:
        extra = min(f.count for f in unknown) - total
        total, low, high = total + extra, low + extra, high + extra
    return total, (low if spread else None), (high if spread else None)


def says_no_deaths(text: str) -> bool:
    """True when the text says nobody died, or that losses were claimed without a toll."""
    return bool(_NO_DEATHS.search(text))


_INTERVENTION = re.compile(
    r"tear\s*-?gas|dispers(?:e|ed|ing)|batons?|water\s+cannons?|gaz\s+lacrymogènes?|dispers(?:é|és|ée|er)|matraqu",
    re.IGNORECASE,
)
_LIVE_FIRE = re.compile(r"live\s+(?:fire|ammunition|rounds)|balles\s+réelles|opened\s+fire\s+on", re.IGNORECASE)


def intervention(text: str) -> bool:
    """True when forces broke up a crowd (tear gas, dispersal, batons): a protest *with intervention*."""
    return bool(_INTERVENTION.search(text))


def live_fire(text: str) -> bool:
    """True when forces fired on a crowd (with deaths, *excessive force against protesters*)."""
    return bool(_LIVE_FIRE.search(text))

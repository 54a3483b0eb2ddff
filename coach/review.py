"""The outreach coach (SPEC §6): reviews a first message from a mentee to a mentor, and fingerprints it.

Pure: no Flask, no database. The service adapts its rows to `Party`, answers `History` with two indexed queries,
and passes the gates it decided itself (profile_not_ready, mentor_unavailable, too_many_pending) as codes and params.
Every text is worded by coach/wording.py in the message's language (English or Chinese); lengths are counted by
coach/length.py (a CJK character counts 3).

Each check is one entry of CHECKS (code -> function of a Draft returning a Finding or None): a new check is one new
entry. Blocking: cold_referral_ask, payment_offer, templated_message, not_personalized, too_short. Warnings:
no_purpose, no_question, too_long.
"""
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Protocol

from . import aliases, phrases, wording
from . import similarity as sim
from .length import latin_length
from .similarity import Fingerprint, similarities
from .skeleton import skeleton, views

MIN_CHARS, MAX_CHARS = 120, 1500  # Latin-equivalent characters (coach/length.py): a CJK character counts 3
OWN_THRESHOLD = 0.5  # estimated Jaccard of masked 3-shingles with one of this mentee's earlier intros
CIRCULATING_THRESHOLD = 0.4  # … with intros of other mentees in the tenant (3 senders needed: a lower bar is safe)
CIRCULATING_MENTEES = 3  # a script is circulating once at least this many other mentees sent it
PERSONAL = 1.0  # weight of profile terms a message must mention (a company or a skill: 1; a bio word alone: ⅓–½)
BLOCK_PENALTY, WARN_PENALTY = 35, 8


@dataclass(frozen=True)
class Party:
    """What the coach knows of a member."""

    id: int
    name: str
    headline: str | None = None
    bio: str | None = None
    company: str | None = None
    title: str | None = None
    school: str | None = None
    skills: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()  # slugs like "finance/credit-risk"
    goals: tuple[str, ...] = ()


class History(Protocol):
    def own(self) -> Iterable[Fingerprint]:
        """This mentee's earlier intros."""

    def circulating(self, band_keys) -> Iterable[tuple[int, Fingerprint]]:
        """(mentee_id, fingerprint) of other mentees' intros in the tenant sharing at least one band key."""


def terms_of(party) -> sim.ProfileTerms:
    """What a mentor's profile offers to mention; cached for hashable (frozen) Party objects."""
    try:
        return _cached_terms(party)
    except TypeError:  # a Party holding lists: not hashable, so not cached
        return _terms(party)


def _terms(party) -> sim.ProfileTerms:
    names = frozenset(sim.latin_words(party.name))
    org_names = aliases.names_of(party.company) + aliases.names_of(party.school)
    found = (sim.organisation_terms(party.company, names) + sim.organisation_terms(party.school, names)
             + [t for alias in org_names if not sim.cjk_runs(alias) for t in sim.organisation_terms(alias, names)]
             + sim.prose_terms(party.title, names, role=True) + sim.skill_and_domain_terms(party, names)
             + sim.prose_terms(party.headline, names) + sim.prose_terms(party.bio, names)
             + sim.prose_terms(aliases.glossed(f"{party.title or ''} {party.headline or ''} {party.bio or ''}"), names))
    terms: dict[tuple[str, bool], sim.Term] = {}
    for term in found:  # one term per phrase: the heaviest
        kept = terms.get((term.key, term.raw))
        if kept is None or (term.weight, term.alone or term.weight) > (kept.weight, kept.alone or kept.weight):
            terms[(term.key, term.raw)] = term
    profile = " ".join(filter(None, (party.company, party.school, party.title, party.headline, party.bio,
                                     " ".join(party.skills or ()), " ".join(party.domains or ()))))
    name_chars = set("".join(sim.cjk_runs(party.name)))
    cjk = frozenset(g for g in sim.cjk_bigrams(profile) if not set(g) & name_chars)
    known = frozenset(sim.latin_words(profile.replace("/", " ").replace("-", " ")))
    masks = names | frozenset(sim.latin_words(f"{party.company or ''} {party.school or ''}")) | {
        t for t in known if not sim.is_generic(t)}
    cjk_masks = tuple(sorted(set(sim.cjk_runs(party.name, party.company, party.school, party.title)), key=len,
                             reverse=True))
    orgs = tuple(dict.fromkeys(sim.cjk_runs(party.company, party.school, *org_names)))
    return sim.ProfileTerms(tuple(terms.values()), cjk, orgs, masks, cjk_masks, known)


_cached_terms = lru_cache(maxsize=4096)(_terms)


def fingerprint(message: str, mentee: Party, mentor: Party | None = None) -> Fingerprint:
    """The message's MinHash fingerprint, the same whoever it is addressed to. Same in every process.

    Read from the skeleton (so a disguised copy is still a copy). Masked: the sender's name and school, the names a
    message fills into a script (capitalised words inside a sentence, acronyms, any employer or university of the
    alias table in either script, a Chinese name before 老师/先生/女士…) and numbers. Nothing of the recipient's
    profile is used: an identical text sent to two mentors has one fingerprint, and a script re-addressed with
    another name and company differs only in masked words. `mentor` is accepted for symmetry and not read."""
    del mentor
    own = frozenset(sim.latin_words(f"{mentee.name} {mentee.school or ''}"))
    own_cjk = tuple(sim.cjk_runs(mentee.name, mentee.school))
    seq = sim.masked_tokens(skeleton(message), own | sim.proper_nouns(message), own_cjk + aliases.CJK_NAMES,
                            honorifics=True)
    return sim.from_shingles(sim.shingles(seq))


_AFFILIATION = re.compile(  # "your work at X", "you joined X": where the message places the mentor
    r"\b(?:[Yy]our\s+(?:\w+\s+){0,3}?(?:work|role|time|team|job|position|career|experience|years|journey|tenure|"
    r"group|projects?)|[Yy]ou\s+(?:\w+\s+){0,2}?(?:work|worked|are|were|joined|lead|led|built|build|moved|started|"
    r"spent))\s+(?:\w+\s+){0,3}?(?:at|@)\s+([A-Z][\w&.'-]*(?:\s+(?:&\s+)?[A-Z][\w&.'-]*){0,3})")


def foreign_affiliation(text: str, terms: sim.ProfileTerms) -> str | None:
    """An organisation the message places the mentor at that their profile never mentions: written for another.
    Read from the text as written (a capitalised name), and from its skeleton when the writer disguised it (a name of
    the alias table: the skeleton has no capitals left)."""
    for match in _AFFILIATION.finditer(unicodedata.normalize("NFKC", text).replace("’", "'")):
        org = match.group(1).rstrip(".'")
        stems = [t for t in sim.tokens(skeleton(org)) if not sim.is_generic(t)]
        if stems and not any(t in terms.known for t in stems):
            return org
    for view in views(text)[1:]:
        for match in _AFFILIATION_BARE.finditer(view):
            org = match.group(1)
            stems = [t for t in sim.tokens(org) if not sim.is_generic(t)]
            if org in aliases.LATIN_NAMES and stems and not any(t in terms.known for t in stems):
                return org
    return None


_AFFILIATION_BARE = re.compile(
    r"\b(?:your\s+(?:\w+\s+){0,3}?(?:work|role|time|team|job|position|career|experience|years|journey|tenure|group|"
    r"projects?)|you\s+(?:\w+\s+){0,2}?(?:work|worked|are|were|joined|lead|led|built|build|moved|started|spent))\s+"
    r"(?:\w+\s+){0,3}?(?:at|@)\s+((?:[a-z][\w&.'-]*)(?:\s+[a-z][\w&.'-]*){0,2}?)(?=\s*[,.;:!?)]|\s+(?:and|where|on|in|"
    r"for|with|especially|as|since|to|is|was)\b|$)")


def first_name(name: str) -> str:
    name = (name or "").strip()
    return name if not name or any("\u3400" <= c <= "\u9fff" for c in name) else name.split()[0]


def hooks(mentor: Party, lang: str = "en") -> tuple[str, ...]:
    """Concrete things of the mentor's profile a message could mention, worded in `lang` ("en" or "zh")."""
    return wording.hooks(mentor, lang)


def quote(text: str, phrase: str) -> str:
    """`phrase` (found in the normalised text) as the mentee wrote it, when it can be found again."""
    folded = "".join(unicodedata.normalize("NFKD", c)[:1] or c for c in text.replace("’", "'"))  # same length
    found = re.search(r"\W+".join(re.escape(word) for word in phrase.split()), folded, re.IGNORECASE)
    return text[found.start():found.end()] if found else phrase


def area(mentor: Party) -> str:
    return wording.leaf(mentor.domains[0]) if mentor.domains else (mentor.title or "their field")


@dataclass(frozen=True)
class Finding:
    severity: str  # "block" | "warn"
    message: str
    suggestion: str


class Draft:
    """One message under review, with what the checks compute lazily and share."""

    def __init__(self, message: str, mentee: Party, mentor: Party, history: History | None):
        self.text, self.mentee, self.mentor, self.history = message or "", mentee, mentor, history
        # whitespace collapsed, a CJK character counting 3; invisible characters and spelled-out letters not counted
        self.length = min(latin_length(self.text), latin_length(skeleton(self.text)))
        self.lang = wording.language(skeleton(self.text))  # the coach answers in the message's language
        self.terms = terms_of(mentor)
        self.first = first_name(mentor.name)
        self.hooks = hooks(mentor, self.lang)

    @cached_property
    def fingerprint(self) -> Fingerprint:
        return fingerprint(self.text, self.mentee, self.mentor)

    @cached_property
    def evidence(self) -> tuple[float, tuple[str, ...]]:
        return phrases.evidence(self.text, self.terms)

    def hook(self) -> str:
        return self.hooks[0] if self.hooks else wording.any_hook(self.lang)

    @property
    def at(self) -> str:
        return f" at {self.mentor.company}" if self.mentor.company else ""


def _cold_referral(d: Draft) -> Finding | None:
    asks = phrases.referral_asks(d.text)
    if not asks:
        return None
    return Finding("block", *wording.cold_referral(d.lang, d.first, quote(d.text, asks[0]), d.mentor.company))


def _payment(d: Draft) -> Finding | None:
    offers = phrases.payment_offers(d.text)
    if not offers:
        return None
    return Finding("block", *wording.payment_offer(d.lang, quote(d.text, offers[0])))


def _templated(d: Draft) -> Finding | None:
    if d.history is None:
        return None
    own = list(d.history.own())
    scores = similarities(d.fingerprint, own)
    if len(scores) and scores.max() >= OWN_THRESHOLD:
        own_percent = round(100 * float(scores.max()))
    else:
        candidates = [(m, fp) for m, fp in d.history.circulating(d.fingerprint.band_keys) if m != d.mentee.id]
        close = similarities(d.fingerprint, [fp for _, fp in candidates]) >= CIRCULATING_THRESHOLD
        senders = {m for (m, _), near in zip(candidates, close, strict=True) if near}
        if len(senders) < CIRCULATING_MENTEES:
            return None
        own_percent = None
    return Finding("block", *wording.templated(d.lang, d.first, d.hook(), own_percent))


def _not_personalized(d: Draft) -> Finding | None:
    weight, mentioned = d.evidence
    # placing the mentor at an organisation their profile never names, without naming theirs: written for another
    foreign = None if not d.mentor.company or d.mentor.company in mentioned else foreign_affiliation(d.text, d.terms)
    if not d.hooks or (weight >= PERSONAL and not foreign):
        return None
    return Finding("block", *wording.not_personalized(d.lang, d.first, d.hooks[:3], foreign, d.mentor.company))


def _too_short(d: Draft) -> Finding | None:
    if d.length >= MIN_CHARS:
        return None
    return Finding("block", *wording.too_short(d.lang, d.length, MIN_CHARS, d.first, d.hook()))


def _no_purpose(d: Draft) -> Finding | None:
    if phrases.states_purpose(d.text):
        return None
    domain = d.mentor.domains[0] if d.mentor.domains else None
    return Finding("warn", *wording.no_purpose(d.lang, domain, d.mentor.title, d.mentor.company))


def _no_question(d: Draft) -> Finding | None:
    if phrases.asks_question(d.text):
        return None
    return Finding("warn", *wording.no_question(d.lang, d.first, d.mentor.company))


def _too_long(d: Draft) -> Finding | None:
    if d.length <= MAX_CHARS:
        return None
    return Finding("warn", *wording.too_long(d.lang, d.length, MAX_CHARS, d.first))


CHECKS: dict[str, Callable[[Draft], Finding | None]] = {
    "cold_referral_ask": _cold_referral,
    "payment_offer": _payment,
    "templated_message": _templated,
    "not_personalized": _not_personalized,
    "too_short": _too_short,
    "no_purpose": _no_purpose,
    "no_question": _no_question,
    "too_long": _too_long,
}


def review_with_fingerprint(message: str, mentee: Party, mentor: Party, history: History | None = None,
                            gates: Sequence[dict] = ()) -> tuple[dict, Fingerprint]:
    """The SPEC §6 preview object, and the message's fingerprint (to store with the intro)."""
    draft = Draft(message, mentee, mentor, history)
    # a gate carries its code and params (worded here, in the message's language) or a ready "message"
    issues = [{"code": g["code"], "severity": g.get("severity", "block"),
               "message": g.get("message") or wording.gate(g["code"], g.get("params"), draft.lang)} for g in gates]
    suggestions: list[str] = []
    for code, check in CHECKS.items():
        found = check(draft)
        if found is not None:
            issues.append({"code": code, "severity": found.severity, "message": found.message})
            if found.suggestion not in suggestions:
                suggestions.append(found.suggestion)
    blocks = sum(1 for i in issues if i["severity"] == "block")
    score = max(0, 100 - BLOCK_PENALTY * blocks - WARN_PENALTY * (len(issues) - blocks))
    return {"ok": blocks == 0, "score": score, "issues": issues, "suggestions": suggestions}, draft.fingerprint


def review(message: str, mentee: Party, mentor: Party, history: History | None = None,
           gates: Sequence[dict] = ()) -> dict:
    """The SPEC §6 preview object: {"ok", "score", "issues", "suggestions"}."""
    return review_with_fingerprint(message, mentee, mentor, history, gates)[0]

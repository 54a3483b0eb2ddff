"""The outreach coach (SPEC §6): reviews a first message from a mentee to a mentor, and fingerprints it.

Pure: no Flask, no database. The service adapts its rows to `Party`, answers `History` with two indexed queries,
and passes the gates it decided itself (profile_not_ready, mentor_unavailable, too_many_pending).

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

from . import phrases
from . import similarity as sim
from .length import latin_length
from .similarity import Fingerprint, similarities

MIN_CHARS, MAX_CHARS = 120, 1500  # Latin-equivalent characters (coach/length.py): a CJK character counts 3
OWN_THRESHOLD = 0.5  # estimated Jaccard of masked 3-shingles with one of this mentee's earlier intros
CIRCULATING_THRESHOLD = 0.5  # … with intros of other mentees in the tenant
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
    found = (sim.organisation_terms(party.company, names) + sim.organisation_terms(party.school, names)
             + sim.prose_terms(party.title, names, role=True) + sim.skill_and_domain_terms(party, names)
             + sim.prose_terms(party.headline, names) + sim.prose_terms(party.bio, names))
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
    orgs = tuple(sim.cjk_runs(party.company, party.school))
    return sim.ProfileTerms(tuple(terms.values()), cjk, orgs, masks, cjk_masks, known)


_cached_terms = lru_cache(maxsize=4096)(_terms)


def fingerprint(message: str, mentee: Party, mentor: Party) -> Fingerprint:
    """The message's MinHash fingerprint, names and mentor-specific words masked. Same in every process.

    Masked: both names, the mentee's school, the mentor's company, school, title, skills, domains and distinctive
    words of their headline and bio (Chinese names and organisations as strings, the mentor's Chinese bigrams)."""
    terms = terms_of(mentor)
    own = frozenset(sim.latin_words(f"{mentee.name} {mentee.school or ''}"))
    own_cjk = tuple(sim.cjk_runs(mentee.name, mentee.school))
    seq = sim.masked_tokens(message, terms.masks | own, terms.cjk_masks + own_cjk, terms.cjk)
    return sim.from_shingles(sim.shingles(seq))


_AFFILIATION = re.compile(  # "your work at X", "you joined X": where the message places the mentor
    r"\b(?:[Yy]our\s+(?:\w+\s+){0,3}?(?:work|role|time|team|job|position|career|experience|years|journey|tenure|"
    r"group|projects?)|[Yy]ou\s+(?:\w+\s+){0,2}?(?:work|worked|are|were|joined|lead|led|built|build|moved|started|"
    r"spent))\s+(?:\w+\s+){0,3}?(?:at|@)\s+([A-Z][\w&.'-]*(?:\s+(?:&\s+)?[A-Z][\w&.'-]*){0,3})")


def foreign_affiliation(text: str, terms: sim.ProfileTerms) -> str | None:
    """An organisation the message places the mentor at that their profile never mentions: written for another."""
    for match in _AFFILIATION.finditer(unicodedata.normalize("NFKC", text).replace("’", "'")):
        org = match.group(1).rstrip(".'")
        stems = [t for t in sim.tokens(org) if not sim.is_generic(t)]
        if stems and not any(t in terms.known for t in stems):
            return org
    return None


def first_name(name: str) -> str:
    name = (name or "").strip()
    return name if not name or any("\u3400" <= c <= "\u9fff" for c in name) else name.split()[0]


def _leaf(slug: str) -> str:
    return slug.rsplit("/", 1)[-1].replace("-", " ")


def hooks(mentor: Party) -> tuple[str, ...]:
    """Concrete things of the mentor's profile a message could mention."""
    found = [f"their work at {mentor.company}"] if mentor.company else []
    found += [f"their experience with {mentor.skills[0]}"] if mentor.skills else []
    found += [f"their focus on {_leaf(mentor.domains[0])}"] if mentor.domains else []
    if mentor.headline:
        headline = mentor.headline if len(mentor.headline) <= 80 else mentor.headline[:77].rstrip() + "…"
        found.append(f"what they wrote in their headline, “{headline}”")
    found += [f"that they studied at {mentor.school}"] if mentor.school else []
    return tuple(found)


def quote(text: str, phrase: str) -> str:
    """`phrase` (found in the normalised text) as the mentee wrote it, when it can be found again."""
    folded = "".join(unicodedata.normalize("NFKD", c)[:1] or c for c in text.replace("’", "'"))  # same length
    found = re.search(r"\W+".join(re.escape(word) for word in phrase.split()), folded, re.IGNORECASE)
    return text[found.start():found.end()] if found else phrase


def area(mentor: Party) -> str:
    return _leaf(mentor.domains[0]) if mentor.domains else (mentor.title or "their field")


@dataclass(frozen=True)
class Finding:
    severity: str  # "block" | "warn"
    message: str
    suggestion: str


class Draft:
    """One message under review, with what the checks compute lazily and share."""

    def __init__(self, message: str, mentee: Party, mentor: Party, history: History | None):
        self.text, self.mentee, self.mentor, self.history = message or "", mentee, mentor, history
        self.length = latin_length(self.text)  # whitespace collapsed, a CJK character counting 3
        self.terms = terms_of(mentor)
        self.first = first_name(mentor.name)
        self.hooks = hooks(mentor)

    @cached_property
    def fingerprint(self) -> Fingerprint:
        return fingerprint(self.text, self.mentee, self.mentor)

    @cached_property
    def evidence(self) -> tuple[float, tuple[str, ...]]:
        return phrases.evidence(self.text, self.terms)

    def hook(self) -> str:
        return self.hooks[0] if self.hooks else "something they wrote in their profile"

    @property
    def at(self) -> str:
        return f" at {self.mentor.company}" if self.mentor.company else ""


def _cold_referral(d: Draft) -> Finding | None:
    asks = phrases.referral_asks(d.text)
    if not asks:
        return None
    return Finding("block", f"Your message asks {d.first} for a referral (“{quote(d.text, asks[0])}”). In a first "
                            "message this usually ends the conversation: a referral is something a mentor offers "
                            "later, once they know you and your work.",
                   f"Leave the referral out. Ask to learn instead, for example: “Could I ask you two or three "
                   f"questions about your work{d.at}?” If the relationship grows, {d.first} can offer to "
                   "refer you later.")


def _payment(d: Draft) -> Finding | None:
    offers = phrases.payment_offers(d.text)
    if not offers:
        return None
    return Finding("block", f"Your message offers money or a gift (“{quote(d.text, offers[0])}”). Mentors here "
                            "give their time freely, and an offer of payment can read as buying a referral.",
                   "Remove the offer. A sincere thank-you and a short follow-up after your chat are the best way to "
                   "show appreciation (offering to buy a coffee at a coffee chat is fine).")


def _templated(d: Draft) -> Finding | None:
    if d.history is None:
        return None
    own = list(d.history.own())
    scores = similarities(d.fingerprint, own)
    if len(scores) and scores.max() >= OWN_THRESHOLD:
        why = (f"This message is almost the same as one you already sent to another mentor (about "
               f"{round(100 * float(scores.max()))}% the same once names and companies are set aside).")
    else:
        candidates = [(m, fp) for m, fp in d.history.circulating(d.fingerprint.band_keys) if m != d.mentee.id]
        close = similarities(d.fingerprint, [fp for _, fp in candidates]) >= CIRCULATING_THRESHOLD
        senders = {m for (m, _), near in zip(candidates, close, strict=True) if near}
        if len(senders) < CIRCULATING_MENTEES:
            return None
        why = "This text is almost the same as messages other students have already sent to mentors here."
    return Finding("block", why + " Mentors notice copied messages and rarely answer them.",
                   f"Write this one for {d.first} alone: say in your own words why you chose them (for example "
                   f"{d.hook()}) and what you want to learn from them.")


def _not_personalized(d: Draft) -> Finding | None:
    weight, mentioned = d.evidence
    # placing the mentor at an organisation their profile never names, without naming theirs: written for another
    foreign = None if not d.mentor.company or d.mentor.company in mentioned else foreign_affiliation(d.text, d.terms)
    if not d.hooks or (weight >= PERSONAL and not foreign):
        return None
    if foreign:
        msg = (f"Your message mentions {foreign}, but {d.first} is{d.at}: it reads as written for a different "
               "mentor.")
    else:
        msg = f"Your message says nothing specific about {d.first} beyond their name."
    examples = d.hooks[:3]
    examples = ", ".join(examples[:-1]) + f" or {examples[-1]}" if len(examples) > 1 else examples[0]
    return Finding("block", msg, f"Mention one thing from {d.first}'s profile and why it matters to you, for "
                                 f"example {examples}.")


def _too_short(d: Draft) -> Finding | None:
    if d.length >= MIN_CHARS:
        return None
    return Finding("block", f"Your message is {d.length} characters; at least {MIN_CHARS} are needed to say who you "
                            "are, why this mentor, and what you hope to learn.",
                   f"Add two or three sentences: who you are (your program and your goal), why you chose "
                   f"{d.first} ({d.hook()}), and one specific question.")


def _no_purpose(d: Draft) -> Finding | None:
    if phrases.states_purpose(d.text):
        return None
    return Finding("warn", "Your message does not say why you want to connect or what you hope to learn.",
                   f"Say what you hope to learn, for example: “I'd love to learn how you approach {area(d.mentor)}"
                   f"{d.at}, and what helped you get there.”")


def _no_question(d: Draft) -> Finding | None:
    if phrases.asks_question(d.text):
        return None
    return Finding("warn", f"Your message has no question for {d.first} to answer.",
                   f"End with one specific question, for example: “What helped you most in your first year"
                   f"{d.at}?”")


def _too_long(d: Draft) -> Finding | None:
    if d.length <= MAX_CHARS:
        return None
    return Finding("warn", f"Your message is {d.length} characters; mentors read many messages, and more than "
                           f"{MAX_CHARS:,} is a lot for a first one.",
                   f"Keep it to four to six sentences: who you are, why {d.first}, what you hope to learn, and one "
                   "question.")


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
    issues = [{"code": g["code"], "severity": g.get("severity", "block"), "message": g["message"]} for g in gates]
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

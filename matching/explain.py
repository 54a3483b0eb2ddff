"""Reasons for a score, read off the same component values that made it (never a separate judgement).

A reason is given when its component clears the threshold below; the profiles only supply the words (which domain,
which goals). Reasons come in order of their weighted contribution to the score, biggest first.

`reasons` explains one pair; `reasons_many` explains one mentee against several mentors (recommend's top k) and
`reasons_of_pairs` many pairs (a match run's), with the same result as calling `reasons` for each. All read the
profiles through a _Side (normalised domains and languages, goal bits; a mentor's is kept) and cache each detail on
what it is made of (a shared set, a goal mask, a value), since those repeat across pairs where the pairs themselves
rarely do.
"""
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import repeat
from typing import NamedTuple

import numpy as np

from .features import Profile
from .profile import families, goal_mask, goal_names, normalise_slug
from .scoring import AVAILABILITY_FULL_SLOTS, DOMAIN_EXACT, resolve_weights

TEXT_THRESHOLD = 0.15          # TF-IDF cosine above which backgrounds read as similar
RESPONSIVE_THRESHOLD = 0.80


@lru_cache(maxsize=1 << 14)
def _normalised(values: tuple[str, ...], slugs: bool) -> frozenset[str]:
    # Cached: the same few domain and language lists recur across many profiles.
    fold = normalise_slug if slugs else (lambda code: code.strip().lower())
    return frozenset(value for value in map(fold, values) if value)


class _Side(NamedTuple):
    """One profile's side of the details: normalised domains and languages, goal bits, the same_school detail."""

    slugs: frozenset[str]
    languages: frozenset[str]
    goals: int
    same_school: str


# What the reasons read of a profile (_side): a profile made of these fields alone (and the id) gives the same reasons.
SIDE_FIELDS = ("domains", "languages", "goals", "school")


def _side(profile: Profile) -> _Side:
    return _Side(_normalised(tuple(profile.domains), True), _normalised(tuple(profile.languages), False),
                 goal_mask(profile.goals), f"Both from {profile.school}")


_MENTOR_SIDES: dict[int, tuple[Profile, _Side]] = {}
_MENTOR_SIDES_MAX = 1 << 15


def _mentor_side(mentor: Profile) -> _Side:
    """_side(mentor), cached by identity: index.profile(slot) returns the same frozen Profile until the mentor is
    upserted. Each entry keeps its profile alive, so an id is not reused while its entry is there."""
    entry = _MENTOR_SIDES.get(id(mentor))
    if entry is not None and entry[0] is mentor:
        return entry[1]
    if len(_MENTOR_SIDES) >= _MENTOR_SIDES_MAX:
        _MENTOR_SIDES.clear()  # crude but bounded, and refilling is cheap (the _normalised cache stays)
    side = _side(mentor)
    _MENTOR_SIDES[id(mentor)] = (mentor, side)
    return side


@lru_cache(maxsize=1 << 12)
def _shared_domain(shared: frozenset[str]) -> str:
    return f"Both work in {', '.join(sorted(shared))}"


@lru_cache(maxsize=1 << 14)
def _related_domain(wanted: frozenset[str], offered: frozenset[str]) -> str:
    for slug in sorted(wanted):
        for other in sorted(offered):
            if set(families(slug)) & set(families(other)):
                return f"Works in {other}, close to {slug}"
    return "Works in a related field"


@lru_cache(maxsize=1 << 10)
def _shared_language(shared: frozenset[str]) -> str:
    return f"Both speak {', '.join(sorted(shared))}"


@lru_cache(maxsize=1 << 10)
def _goal_match(mask: int) -> str:
    return "Offers " + ", ".join(goal_names(mask))


@lru_cache(maxsize=1 << 10)
def _availability(value: float) -> str:
    hours = value * AVAILABILITY_FULL_SLOTS / 2
    if value >= 1:
        return f"At least {hours:g} hours a week free at the same time"
    return f"{hours:g} hour{'s' if hours != 1 else ''} a week free at the same time"


# code -> (component, threshold: reason iff value >= threshold, detail(mentee side, mentor side, value))
REASONS = {
    "shared_domain": ("domain", DOMAIN_EXACT, lambda e, m, v: _shared_domain(e.slugs & m.slugs)),
    "related_domain": ("domain", 1e-9, lambda e, m, v: _related_domain(e.slugs, m.slugs)),
    "goal_match": ("goals", 1e-9, lambda e, m, v: _goal_match(e.goals & m.goals)),
    "same_school": ("school", 1.0, lambda e, m, v: m.same_school),
    "shared_language": ("language", 1.0, lambda e, m, v: _shared_language(e.languages & m.languages)),
    "international_experience": ("international", 1.0, lambda e, m, v: "Was an international student too"),
    "visa_sponsorship": ("visa", 1.0, lambda e, m, v: "Employer sponsors work visas"),
    "availability_overlap": ("availability", 1e-9, lambda e, m, v: _availability(v)),
    "similar_background": ("text", TEXT_THRESHOLD, lambda e, m, v: "Similar headline, bio and skills"),
    "responsive": ("responsiveness", RESPONSIVE_THRESHOLD, lambda e, m, v: "Answers intros and shows up to meetings"),
}


_ORDERED = [(order, code, *spec) for order, (code, spec) in enumerate(REASONS.items())]


def reasons(components: Mapping[str, float], mentee: Profile, mentor: Profile, weights=None) -> list[dict]:
    """[{"code", "detail"}] for one mentee-mentor pair from its component values, biggest contribution first."""
    weights = resolve_weights(weights)
    found = []
    for order, code, component, threshold, detail in _ORDERED:
        value = float(components[component])
        if value >= threshold and not (code == "related_domain" and value >= DOMAIN_EXACT):
            found.append((-weights[component] * value, order, code, detail, value))
    found.sort(key=lambda item: item[:2])
    mentee_side, mentor_side = _side(mentee), _mentor_side(mentor)
    return [{"code": code, "detail": detail(mentee_side, mentor_side, value)} for *_, code, detail, value in found]


# reasons_many's tables, one row per code in REASONS order.
_CODES = list(REASONS)
_DETAILS = [detail for _, _, detail in REASONS.values()]
_COMPONENT_OF = [component for component, _, _ in REASONS.values()]
_THRESHOLDS = np.array([[threshold] for _, threshold, _ in REASONS.values()])
_RELATED = _CODES.index("related_domain")
_DEFAULT_WEIGHTS = resolve_weights(None)  # resolve_weights hands back this same mapping for the defaults
_DEFAULT_NEGATED = np.array([[-_DEFAULT_WEIGHTS[name]] for name in _COMPONENT_OF])


def reasons_many(components: Mapping[str, np.ndarray], mentee: Profile, mentors: Sequence[Profile],
                 weights=None) -> list[list[dict]]:
    """[reasons({name: values[i] for ...}, mentee, mentors[i], weights) for each i], for finite components of shape
    (len(mentors),): thresholds and order for all pairs in a few numpy operations, the mentee's side derived once."""
    return _explained(components, repeat(_side(mentee), len(mentors)), map(_mentor_side, mentors), weights)


def reasons_of_pairs(components: Mapping[str, np.ndarray], mentees: Sequence[Profile], mentors: Sequence[Profile],
                     weights=None) -> list[list[dict]]:
    """[reasons({name: values[i] for ...}, mentees[i], mentors[i], weights) for each i] (a match run's pairs), the
    same way as reasons_many."""
    return _explained(components, map(_side, mentees), map(_mentor_side, mentors), weights)


def _explained(components, mentee_sides, mentor_sides, weights) -> list[list[dict]]:
    weights = resolve_weights(weights)
    values = np.array([components[name] for name in _COMPONENT_OF], dtype=float)  # (codes, pairs)
    if not values.shape[1]:
        return []
    found = values >= _THRESHOLDS
    found[_RELATED] &= ~(values[_RELATED] >= DOMAIN_EXACT)  # an exact domain is a shared, not a related, one
    # reasons' order, by (-weight · value, code order): a stable sort down each pair's column, codes not found
    # last (a found code's key is finite).
    negated = _DEFAULT_NEGATED if weights is _DEFAULT_WEIGHTS else np.array([[-weights[name]]
                                                                             for name in _COMPONENT_OF])
    ranked = np.argsort(np.where(found, negated * values, np.inf), axis=0, kind="stable")
    codes, details = _CODES, _DETAILS
    return [[{"code": codes[code], "detail": details[code](mentee_side, mentor_side, column[code])}
             for code in order[:count]]
            for mentee_side, mentor_side, order, count, column in zip(
                mentee_sides, mentor_sides, ranked.T.tolist(), np.count_nonzero(found, axis=0).tolist(),
                values.T.tolist(), strict=True)]

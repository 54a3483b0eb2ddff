"""Reasons for a score, read off the same component values that made it (never a separate judgement).

A reason is given when its component clears the threshold below; the profiles only supply the words (which domain,
which goals). Reasons come in order of their weighted contribution to the score, biggest first.
"""
from collections.abc import Mapping
from functools import lru_cache

from .features import Profile
from .profile import families, goal_mask, goal_names, normalise_slug
from .scoring import AVAILABILITY_FULL_SLOTS, DOMAIN_EXACT, resolve_weights

TEXT_THRESHOLD = 0.15          # TF-IDF cosine above which backgrounds read as similar
RESPONSIVE_THRESHOLD = 0.80


@lru_cache(maxsize=1 << 14)
def _normalised(values: tuple[str, ...], slugs: bool) -> tuple[str, ...]:
    # Cached: the same mentor's domains are explained against many mentees.
    fold = normalise_slug if slugs else (lambda code: code.strip().lower())
    return tuple(sorted({value for value in map(fold, values) if value}))


def _slugs(profile: Profile) -> tuple[str, ...]:
    return _normalised(tuple(profile.domains), True)


def _shared_domain(mentee: Profile, mentor: Profile, value: float) -> str:
    shared = sorted(set(_slugs(mentee)) & set(_slugs(mentor)))
    return f"Both work in {', '.join(shared)}"


def _related_domain(mentee: Profile, mentor: Profile, value: float) -> str:
    for wanted in _slugs(mentee):
        for offered in _slugs(mentor):
            if set(families(wanted)) & set(families(offered)):
                return f"Works in {offered}, close to {wanted}"
    return "Works in a related field"


def _availability(mentee: Profile, mentor: Profile, value: float) -> str:
    hours = value * AVAILABILITY_FULL_SLOTS / 2
    if value >= 1:
        return f"At least {hours:g} hours a week free at the same time"
    return f"{hours:g} hour{'s' if hours != 1 else ''} a week free at the same time"


def _languages(mentee: Profile, mentor: Profile, value: float) -> str:
    shared = sorted(set(_normalised(tuple(mentee.languages), False)) & set(_normalised(tuple(mentor.languages), False)))
    return f"Both speak {', '.join(shared)}"


# code -> (component, threshold: reason iff value >= threshold, detail(mentee, mentor, value))
REASONS = {
    "shared_domain": ("domain", DOMAIN_EXACT, _shared_domain),
    "related_domain": ("domain", 1e-9, _related_domain),
    "goal_match": ("goals", 1e-9, lambda e, m, v: "Offers " + ", ".join(goal_names(goal_mask(e.goals)
                                                                                    & goal_mask(m.goals)))),
    "same_school": ("school", 1.0, lambda e, m, v: f"Both from {m.school}"),
    "shared_language": ("language", 1.0, _languages),
    "international_experience": ("international", 1.0, lambda e, m, v: "Was an international student too"),
    "visa_sponsorship": ("visa", 1.0, lambda e, m, v: "Employer sponsors work visas"),
    "availability_overlap": ("availability", 1e-9, _availability),
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
    return [{"code": code, "detail": detail(mentee, mentor, value)} for *_, code, detail, value in found]


"""The plain-data member profile the engine works on, and the normalisations shared by mentors and mentees."""
import re
import unicodedata
from dataclasses import MISSING, dataclass, fields
from functools import lru_cache

GOALS = (
    "domain-knowledge", "career-plan", "interview-prep", "resume-review", "industry-switch",
    "visa-guidance", "networking", "leadership", "job-search",
)
_GOAL_BIT = {goal: 1 << i for i, goal in enumerate(GOALS)}


@dataclass(frozen=True)
class Profile:
    """One member as the engine sees it; the service builds it from a member row (see README of matching)."""

    id: int
    role: str                      # "mentee" | "mentor"
    domains: tuple[str, ...] = ()  # slugs with "/" hierarchy, e.g. "finance/credit-risk"
    goals: tuple[str, ...] = ()    # SPEC §3 vocabulary (mentee: wants; mentor: offers)
    school: str | None = None
    languages: tuple[str, ...] = ()  # ISO 639-1
    international: bool = False
    needs_visa_sponsorship: bool = False   # mentee
    company_sponsors_visa: bool = False    # mentor
    timezone: str = "UTC"          # IANA
    availability: tuple[tuple[int, str, str], ...] = ()  # (weekday 0=Mon, "HH:MM", "HH:MM" or "24:00"), own tz
    text: str = ""                 # headline + bio + skills, for text similarity
    free_capacity: int = 0         # mentor: capacity - active mentorships - pending intros
    responsiveness: float = 1.0    # mentor: 0..1 (1 = answers intros, shows up)
    prefers_domains: tuple[str, ...] = ()   # mentor's optional preferences (SPEC §3 `prefers`)
    prefers_schools: tuple[str, ...] = ()
    prefers_international: bool | None = None


_DEFAULTS = {field.name: field.default for field in fields(Profile) if field.default is not MISSING}


def profile_of_fields(values) -> Profile:
    """The Profile of these (name, value) pairs (a mapping or an iterable of pairs), the other fields at their
    defaults, made without Profile.__init__: its frozen field-by-field setattr is most of the cost of making a
    Profile, and the values here come from a Profile already made (as they are, or through profiles.to_json)."""
    profile = object.__new__(Profile)
    state = profile.__dict__
    state.update(_DEFAULTS)
    state.update(values)
    return profile


def goal_mask(goals) -> int:
    """The goals as a bit set over GOALS (unknown goals are ignored)."""
    return _goal_mask(tuple(goals))


@lru_cache(maxsize=1 << 12)
def _goal_mask(goals: tuple[str, ...]) -> int:
    mask = 0
    for goal in goals:
        mask |= _GOAL_BIT.get(goal, 0)
    return mask


def goal_names(mask: int) -> list[str]:
    """The goals in a bit set, in GOALS order."""
    return [goal for goal, bit in _GOAL_BIT.items() if mask & bit]


@lru_cache(maxsize=1 << 12)
def normalise_school(name: str | None) -> str | None:
    """Case, accents, punctuation and spacing folded away: "Université de Montréal" == "universite de montreal"."""
    if not name:
        return None
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    folded = " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())
    return folded or None


@lru_cache(maxsize=1 << 14)
def normalise_slug(slug: str) -> str:
    """Lower case, no empty segments: " Finance//Credit-Risk/ " -> "finance/credit-risk"."""
    return "/".join(part for part in slug.strip().lower().split("/") if part)


@lru_cache(maxsize=1 << 14)
def prefixes(slug: str) -> tuple[str, ...]:
    """The slug and its ancestors: "a/b/c" -> ["a", "a/b", "a/b/c"]."""
    parts = slug.split("/")
    return tuple("/".join(parts[: i + 1]) for i in range(len(parts)))


@lru_cache(maxsize=1 << 14)
def families(slug: str) -> tuple[str, ...]:
    """What makes two slugs related: their proper ancestors, or the slug itself at the top level.

    "finance/credit-risk" and "finance/market-risk" share "finance"; so does a mentor listed under plain "finance".
    """
    found = prefixes(slug)
    return found if len(found) == 1 else found[:-1]

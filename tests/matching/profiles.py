"""Hypothesis strategies and small builders for matching tests: small vocabularies so that features collide."""
from datetime import datetime

from hypothesis import strategies as st

from matching import Profile
from matching.profile import GOALS

WEEK = datetime(2025, 3, 3)  # a Monday in a week with no DST change anywhere we use
DOMAINS = ["finance/credit-risk", "finance/market-risk", "software/backend", "software/frontend", "data", "data/ml"]
SCHOOLS = [None, "MIT", "UT Dallas", "ut  dallas", "Université de Montréal"]
ZONES = ["UTC", "America/New_York", "Europe/London", "Asia/Kolkata"]
WORDS = ["credit", "risk", "python", "sql", "trading", "react", "backend", "models", "team", "research", "cloud"]
SLOTS = [(0, "09:00", "11:00"), (0, "13:00", "15:30"), (2, "18:00", "20:00"), (4, "08:30", "09:30"),
         (6, "22:00", "24:00")]


@st.composite
def profiles(draw, role: str, member_id: int) -> Profile:
    """A random mentee or mentor over the small vocabularies above."""
    mentor = role == "mentor"
    return Profile(
        id=member_id,
        role=role,
        domains=tuple(draw(st.lists(st.sampled_from(DOMAINS), max_size=2, unique=True))),
        goals=tuple(draw(st.lists(st.sampled_from(GOALS[:5]), max_size=3, unique=True))),
        school=draw(st.sampled_from(SCHOOLS)),
        languages=tuple(draw(st.lists(st.sampled_from(["en", "zh", "es"]), max_size=2, unique=True))),
        international=draw(st.booleans()),
        needs_visa_sponsorship=not mentor and draw(st.booleans()),
        company_sponsors_visa=mentor and draw(st.booleans()),
        timezone=draw(st.sampled_from(ZONES)),
        availability=tuple(draw(st.lists(st.sampled_from(SLOTS), max_size=2, unique=True))),
        text=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=6))),
        free_capacity=draw(st.integers(0, 2)) if mentor else 0,
        responsiveness=draw(st.sampled_from([0.3, 0.8, 1.0])) if mentor else 1.0,
        prefers_domains=tuple(draw(st.lists(st.sampled_from(["finance", "data/ml"]), max_size=1))) if mentor else (),
        prefers_schools=tuple(draw(st.lists(st.sampled_from(["MIT", "UT Dallas"]), max_size=1))) if mentor else (),
        prefers_international=draw(st.sampled_from([None, True, False])) if mentor else None,
    )


@st.composite
def cohorts(draw, max_mentees: int = 5, max_mentors: int = 4, min_mentees: int = 1, min_mentors: int = 1):
    """(mentees, mentors) with ids 1.. and 101.. ."""
    n_mentees = draw(st.integers(min_mentees, max_mentees))
    n_mentors = draw(st.integers(min_mentors, max_mentors))
    mentees = [draw(profiles("mentee", 1 + i)) for i in range(n_mentees)]
    mentors = [draw(profiles("mentor", 101 + i)) for i in range(n_mentors)]
    return mentees, mentors

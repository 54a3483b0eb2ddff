"""Mentor matching engine: plain data in, ranked mentors and cohort assignments out.

A pure library (numpy, scipy, OR-Tools): it never imports Flask or SQLAlchemy, so it can be used and tested alone.

    index = MentorIndex.build(mentor_profiles, week_of=some_datetime)
    recommend(mentee_profile, index, k=10, exclude={...})      -> [Recommendation]
    assign(mentee_profiles, index, strategy="optimal")           -> Assignment
"""
from .assign import STRATEGIES, Assignment, Pair, assign
from .explain import reasons
from .features import MentorIndex, Profile
from .recommend import Recommendation, recommend
from .scoring import WEIGHTS, Scored, score_mentee

__all__ = [
    "STRATEGIES", "WEIGHTS", "Assignment", "MentorIndex", "Pair", "Profile", "Recommendation", "Scored", "assign",
    "reasons", "recommend", "score_mentee",
]

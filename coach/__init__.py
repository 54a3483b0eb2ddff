"""Outreach coach: plain data in, coaching out.

A pure library (numpy, datasketch): it imports neither Flask nor SQLAlchemy nor mentorship, so it can be used and
tested alone. The service adapts its rows to `Party` and its intros to a `History`.

    review(message, mentee, mentor, history=None, gates=())                  -> {"ok", "score", "issues", ...}
    review_with_fingerprint(message, mentee, mentor, history=None, gates=()) -> (review, Fingerprint)
    fingerprint(message, mentee, mentor)                                     -> Fingerprint
    similarity(a, b), similarities(new, others)                              -> estimated Jaccard
    latin_length(text)                                                       -> Latin-equivalent length (CJK: 3)
    language(text)                                                           -> "en" | "zh", the coach's answer

Gates (the service's own blocking checks) are passed as {"code", "params"} and worded by coach/wording.py in the
message's language, or as {"code", "message"} used as given.
"""
# `review` before `similarity`: its modules take the submodule `similarity`, which the function of the same name
# then shadows here.
from .length import latin_length
from .review import CHECKS, Finding, History, Party, fingerprint, review, review_with_fingerprint
from .similarity import Fingerprint, similarities, similarity
from .wording import language

__all__ = [
    "CHECKS", "Finding", "Fingerprint", "History", "Party", "fingerprint", "language", "latin_length", "review",
    "review_with_fingerprint", "similarities", "similarity",
]

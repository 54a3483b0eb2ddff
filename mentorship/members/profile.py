"""Profile score and gaps (SPEC §3): what a mentor needs to see before a first message is worth reading."""
import re

from sqlalchemy import Text, and_, cast, not_

from coach import latin_length

# points for each part of a profile; a gap is a part that earned nothing
MENTEE_PARTS = {
    "photo_missing": 15,
    "headline_missing": 10,
    "bio_too_short": 25,
    "bio_lists_courses": 10,
    "domains_missing": 15,
    "goals_missing": 15,
    "availability_missing": 10,
}
MENTOR_PARTS = {**MENTEE_PARTS, "company_missing": 10, "capacity_zero": 5}
BLOCKING_GAPS = frozenset({"bio_lists_courses", "domains_missing", "goals_missing"})
MIN_BIO = 150  # Latin-equivalent characters (coach.latin_length): a CJK character counts 3

COURSE_CODE = re.compile(r"\b[A-Z]{2,5}[ \-]?\d{3,4}[A-Z]?\b")
COURSE_WORDS = re.compile(
    r"\b(courses?|coursework|classes|modules?|intro(?:duction)? to|principles of|fundamentals of|"
    r"advanced|seminar|lab|I{1,3}|calculus|algebra|statistics|econometrics|accounting|microeconomics|"
    r"macroeconomics|programming|data structures|algorithms)\b", re.IGNORECASE)
FIRST_PERSON = re.compile(r"\b(I|I'm|I've|my|me|we|our)\b|我", re.IGNORECASE)
SEPARATORS = re.compile(r"[,;|•·\n/]+|\s-\s")


def lists_courses(bio):
    """True when the intro is mostly a list of courses rather than who the person is."""
    bio = (bio or "").strip()
    if not bio:
        return False
    if len(COURSE_CODE.findall(bio)) >= 3 and _course_share(bio) >= 0.5:
        return True
    return _course_share(bio) >= 0.6


def _course_share(bio):
    """Share of the text's characters in list items that read as courses (codes or short course-like names)."""
    items = [i.strip(" .:") for i in SEPARATORS.split(bio) if i.strip(" .:")]
    if len(items) < 3:
        return 0.0
    course_chars = sum(len(i) for i in items if _is_course(i))
    return course_chars / max(1, sum(len(i) for i in items))


def _is_course(item):
    if COURSE_CODE.search(item) and len(item.split()) <= 8:
        return True
    words = item.split()
    return len(words) <= 6 and not FIRST_PERSON.search(item) and bool(COURSE_WORDS.search(item))


def assess(member):
    """(score 0..100, gaps) for a member-like object."""
    parts = MENTOR_PARTS if member.role == "mentor" else MENTEE_PARTS
    bio = (member.bio or "").strip()
    failing = {
        "photo_missing": not member.photo_url,
        "headline_missing": not (member.headline or "").strip(),
        "bio_too_short": latin_length(bio) < MIN_BIO,
        "bio_lists_courses": lists_courses(bio),
        "domains_missing": not member.domains,
        "goals_missing": not member.goals,
        "availability_missing": not member.availability,
        "company_missing": not (member.company or "").strip(),
        "capacity_zero": not member.capacity,
    }
    gaps = [code for code in parts if failing[code]]
    earned = sum(points for code, points in parts.items() if code not in gaps)
    return round(100 * earned / sum(parts.values())), gaps


def is_ready(score, gaps, min_score):
    return score >= min_score and not BLOCKING_GAPS.intersection(gaps)


def ready_clause(score, gaps, min_score):
    """is_ready as a SQL condition on a score column and a JSON list column of gaps (lists filter by it). Gap codes
    hold no quotes or LIKE wildcards, so '%"code"%' on the list's JSON text finds exactly that code."""
    text = cast(gaps, Text)
    return and_(score >= min_score, *(not_(text.like(f'%"{code}"%')) for code in sorted(BLOCKING_GAPS)))

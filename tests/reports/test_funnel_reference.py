"""The funnel counted by the database equals the funnel of the rows read one by one (funnel_reference.py: the code
before counting moved into SQL, which applies mentorships/trust.py's Python rules to every mentorship), on random
tenants: every count, every breakdown, every period, and the medians to the hundredth.

The tenants are written straight into the tables (no API), with what the API would never make on purpose too:
meetings finished at the same moment, mentorships without an intro, members without a school or a domain,
erased members, times on both sides of every threshold of health and eligibility.
"""
import random
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.mentorships.models import Mentorship, Milestone
from mentorship.outreach.models import STATUSES as INTRO_STATUSES
from mentorship.outreach.models import BlockedIntro, Intro
from mentorship.referrals.models import OUTCOMES, ReferralRequest
from mentorship.reports.funnel import BREAKDOWNS, funnel
from mentorship.scheduling.models import STATUSES as MEETING_STATUSES
from mentorship.scheduling.models import Meeting
from mentorship.tenancy.policy import MILESTONE_KEYS
from mentorship.tenancy.scope import tenant_scope
from tests.reports import funnel_reference

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
SCHOOLS = ("Columbia", "NYU", "Baruch", None)
DOMAINS = ([], ["finance/credit-risk"], ["finance"], ["tech/data", "finance/x"], ["tech/ml"], ["health/bio"])


def _moment(rng, days=70):
    """A time around NOW, on whole hours often enough that two meetings finish at the same moment."""
    moment = NOW - timedelta(days=rng.uniform(-10, days))
    return moment.replace(minute=0, second=0, microsecond=0) if rng.random() < 0.5 else moment


def _members(rng, n):
    members = []
    for i in range(n):
        role = "mentor" if i % 4 == 0 else "mentee"
        members.append(Member(
            role=role, name=f"M{i}", email=f"m{i}@example.edu", timezone="UTC", domains=rng.choice(DOMAINS),
            school=rng.choice(SCHOOLS), profile_score=rng.randint(50, 100), capacity=3 if role == "mentor" else None,
            profile_gaps=rng.choice([[], [], ["goals_missing"], ["photo_missing"], ["bio_lists_courses"]]),
            erased_at=NOW if rng.random() < 0.05 else None))
    db.session.add_all(members)
    db.session.flush()
    return [m for m in members if m.role == "mentee"], [m for m in members if m.role == "mentor"]


def _intros(rng, mentees, mentors, n):
    intros, pending = [], set()
    for _ in range(n):
        mentee, mentor = rng.choice(mentees), rng.choice(mentors)
        status = rng.choices(INTRO_STATUSES, weights=(1, 3, 2, 1, 1))[0]
        if status == "pending" and (mentee.id, mentor.id) in pending:
            status = "expired"
        pending.add((mentee.id, mentor.id)) if status == "pending" else None
        created = _moment(rng)
        answered = status in ("accepted", "declined") and rng.random() < 0.9
        intros.append(Intro(mentee_id=mentee.id, mentor_id=mentor.id, source=rng.choice(("mentee", "career_office")),
                            status=status, message="Hello", created_at=created, expires_at=created + timedelta(days=14),
                            responded_at=created + timedelta(hours=rng.uniform(0, 200)) if answered else None))
    db.session.add_all(intros)
    db.session.add_all(BlockedIntro(mentee_id=rng.choice(mentees).id, mentor_id=rng.choice(mentors).id,
                                    codes=["generic"], at=_moment(rng)) for _ in range(n // 5))
    db.session.flush()
    return [i for i in intros if i.status == "accepted"]


def _mentorship(rng, intro, mentee, mentor):
    started = _moment(rng, days=60)
    pair = Mentorship(mentee_id=mentee.id, mentor_id=mentor.id, intro_id=intro.id if intro else None,
                      status=rng.choice(("active", "active", "closed")), started_at=started,
                      last_activity_at=started + timedelta(days=rng.uniform(0, 60)))
    for position, key in enumerate(MILESTONE_KEYS):
        done = rng.random() < 0.8
        pair.milestones.append(Milestone(key=key, position=position, status="completed" if done else "pending",
                                         completed_at=started + timedelta(days=rng.uniform(0, 50)) if done else None))
    db.session.add(pair)
    db.session.flush()
    moments = [_moment(rng, days=40) for _ in range(2)]  # few moments: meetings finished at the same time
    for _ in range(rng.randint(0, 5)):
        status = rng.choices(MEETING_STATUSES, weights=(1, 3, 3, 2, 1))[0]
        start = NOW + timedelta(hours=rng.choice((-30, -1, 1, 30))) if rng.random() < 0.5 else rng.choice(moments)
        db.session.add(Meeting(
            mentorship_id=pair.id, mentee_id=mentee.id, mentor_id=mentor.id, status=status, start=start,
            created_at=_moment(rng), finished_at=rng.choice(moments) if status in ("completed", "missed") else None,
            no_show_member_ids=rng.choice([[mentee.id], [mentor.id], [mentee.id, mentor.id]])
            if status == "missed" else []))
    if rng.random() < 0.4:
        db.session.add(ReferralRequest(
            mentorship_id=pair.id, mentee_id=mentee.id, mentor_id=mentor.id, company="Example", job_title="Analyst",
            status=rng.choice(("requested", "approved", "declined")), created_at=_moment(rng),
            outcome=rng.choice((None, *OUTCOMES))))


def _tenant(rng):
    mentees, mentors = _members(rng, rng.randint(8, 40))
    by_id = {m.id: m for m in mentees + mentors}
    for intro in _intros(rng, mentees, mentors, rng.randint(20, 120)):
        _mentorship(rng, intro, by_id[intro.mentee_id], by_id[intro.mentor_id])
    for _ in range(rng.randint(0, 2)):  # made by hand, without an intro
        _mentorship(rng, None, rng.choice(mentees), rng.choice(mentors))
    db.session.flush()


def _same(new, old, path="funnel"):
    """Equal, medians to the hundredth (the databases' and Python's time arithmetic round differently)."""
    if isinstance(old, dict):
        assert isinstance(new, dict) and list(new) == list(old), f"{path}: {list(new)} != {list(old)}"
        for key in old:
            _same(new[key], old[key], f"{path}.{key}")
    elif isinstance(old, list):
        assert len(new) == len(old), f"{path}: {len(new)} groups != {len(old)}"
        for i, (a, b) in enumerate(zip(new, old, strict=True)):
            _same(a, b, f"{path}[{i}]")
    elif isinstance(old, float) or isinstance(new, float):
        assert new is not None and old is not None and abs(new - old) <= 0.0101, f"{path}: {new} != {old}"
    else:
        assert new == old, f"{path}: {new} != {old}"


POLICIES = ({}, {"referral_requires": [], "min_weeks": 0, "min_meetings": 0},
            {"referral_requires": ["intro_accepted", "first_meeting_completed"], "min_weeks": 2, "min_meetings": 1})
PERIODS = ((None, None), (NOW - timedelta(days=30), None), (None, NOW - timedelta(days=20)),
           (NOW - timedelta(days=45), NOW - timedelta(days=5)), (NOW + timedelta(days=30), None))


@pytest.mark.parametrize("seed", range(6))
def test_the_database_counts_what_the_rows_say(app, admin, tenant, other_tenant, seed):
    rng = random.Random(seed)
    assert admin.patch("/api/v1/tenant/policy", json=POLICIES[seed % len(POLICIES)]).status_code == 200
    with time_machine.travel(NOW, tick=False), app.app_context():
        with tenant_scope(other_tenant.id):  # another tenant's rows, which must not count
            _tenant(random.Random(seed + 100))
        with tenant_scope(tenant.id):
            _tenant(rng)
            for start, end in PERIODS:
                for by in (None, *BREAKDOWNS):
                    _same(funnel(start, end, by), funnel_reference.funnel(start, end, by),
                          f"funnel(from={start}, to={end}, by={by})")

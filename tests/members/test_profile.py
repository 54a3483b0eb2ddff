from types import SimpleNamespace

import pytest

from mentorship.members.profile import assess, is_ready, lists_courses

COURSE_LISTS = [
    "Courses: FIN 6301, CS 101, STAT-2110, ECON 4410, MATH 2030.",
    "Relevant coursework: Intro to Finance; Linear Algebra; Econometrics; Data Structures; Accounting I",
    "CS 3110\nCS 4820\nORIE 3500\nINFO 2950\nECON 1110",
    "Coursework - Corporate Finance, Financial Accounting, Statistics II, Calculus III, Programming in Python, "
    "Microeconomics",
]
GENUINE = [
    ("I moved from Chengdu to New York two years ago. Before grad school I spent a year building loan-default "
     "models at a regional bank, which is where I found that I enjoy explaining model risk to business people."),
    ("I'm a second-year CS student from Lagos. I took CS 101 on a whim and ended up loving systems; this summer "
     "I built a small key-value store, and I want to learn how backend teams decide what to build next."),
    "我来自成都，在纽约读金融工程。I spent a year on loan-default models and want to understand credit risk teams.",
]


@pytest.mark.parametrize("bio", COURSE_LISTS)
def test_course_lists_are_flagged(bio):
    assert lists_courses(bio)


@pytest.mark.parametrize("bio", GENUINE)
def test_genuine_intros_are_not_flagged(bio):
    assert not lists_courses(bio)


def _member(**kw):
    base = dict(role="mentee", photo_url="https://x.example/p.jpg", headline="Student", bio=GENUINE[0],
                domains=["finance"], goals=["career-plan"], availability=[{"weekday": 0}], company=None,
                capacity=None)
    base.update(kw)
    return SimpleNamespace(**base)


def test_complete_mentee_scores_100():
    assert assess(_member()) == (100, [])


def test_each_gap_costs_points_and_is_named():
    score, gaps = assess(_member(photo_url=None, goals=[]))
    assert gaps == ["photo_missing", "goals_missing"]
    assert score == 70


def test_mentor_gaps():
    score, gaps = assess(_member(role="mentor", company="", capacity=0))
    assert gaps == ["company_missing", "capacity_zero"]
    assert 0 < score < 100


def test_ready_needs_score_and_no_blocking_gap():
    assert is_ready(90, ["photo_missing"], 70)
    assert not is_ready(69, [], 70)
    assert not is_ready(90, ["bio_lists_courses"], 70)
    assert not is_ready(95, ["domains_missing"], 0)


CHINESE_BIO = ("我来自成都，本科读会计，毕业后在一家城商行做了一年贷款审批。现在在纽约读金融工程，"
               "想转做信用风险建模，也想认识走过这条路的前辈。")


def test_a_chinese_bio_is_measured_in_latin_equivalent_characters():
    """SPEC §3, §6: a CJK character counts 3, so 60 Chinese characters (180) are not too short; 40 (120) are."""
    bio = CHINESE_BIO[:60]
    assert len(bio) == 60 and "bio_too_short" not in assess(_member(bio=bio))[1]
    assert "bio_too_short" in assess(_member(bio=CHINESE_BIO[:40]))[1]
    assert "bio_too_short" in assess(_member(bio="x" * 149))[1]
    assert "bio_too_short" not in assess(_member(bio="x" * 150))[1]


def test_readiness_in_sql_is_the_same_rule(app, tenant):
    """Match runs decide readiness in SQL (ready_clause, eligibility._members); lists filter by it too: on stored
    rows it answers what is_ready answers, for every blocking gap, alone or among others, around the threshold."""
    from sqlalchemy import select, update

    from mentorship.extensions import db
    from mentorship.members.models import Member
    from mentorship.members.profile import BLOCKING_GAPS, ready_clause
    from mentorship.tenancy.scope import tenant_scope
    from tests.factories import make_member

    others = ["photo_missing", "headline_missing", "bio_too_short", "company_missing"]
    gap_lists = [[], others, *([gap] for gap in sorted(BLOCKING_GAPS)), [others[0], sorted(BLOCKING_GAPS)[0]],
                 sorted(BLOCKING_GAPS) + others]
    cases = [(score, gaps) for score in (59, 60, 100) for gaps in gap_lists]
    ids = [make_member(app, tenant) for _ in cases]
    with app.app_context(), tenant_scope(tenant.id):
        for member_id, (score, gaps) in zip(ids, cases, strict=True):
            db.session.execute(update(Member).where(Member.id == member_id)
                               .values(profile_score=score, profile_gaps=gaps))
        ready = dict(db.session.execute(select(Member.id, ready_clause(Member.profile_score, Member.profile_gaps, 60))
                                        .where(Member.id.in_(ids))).all())
        db.session.commit()
    assert [bool(ready[member_id]) for member_id in ids] == [is_ready(score, gaps, 60) for score, gaps in cases]
    assert any(bool(ready[member_id]) for member_id in ids) and not all(bool(ready[m]) for m in ids)

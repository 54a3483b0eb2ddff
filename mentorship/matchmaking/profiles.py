"""Members as the matching library sees them: plain `matching.Profile` values, with how responsive mentors are."""
import dataclasses
import json

from sqlalchemy import bindparam, func, select

from matching.features import Profile
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.outreach.models import Intro
from mentorship.scheduling.models import Meeting


def _count_by(column, *conditions):
    return dict(db.session.execute(select(column, func.count()).where(*conditions).group_by(column)).all())


def responsiveness(mentor_ids=None):
    """{mentor id: 0..1} for mentors who let an intro expire or missed a meeting (everyone else: 1.0):
    (answered+1)/(answered+expired+1) x (met+1)/(meetings+1). It lowers their rank (SPEC §4). Only those of
    `mentor_ids` when given (a few changed mentors: their rows only)."""
    if mentor_ids is not None and not mentor_ids:
        return {}
    intro_of = [Intro.mentor_id.in_(mentor_ids)] if mentor_ids is not None else []
    meeting_of = [Meeting.mentor_id.in_(mentor_ids)] if mentor_ids is not None else []
    answered = _count_by(Intro.mentor_id, Intro.status.in_(("accepted", "declined")), *intro_of)
    expired = _count_by(Intro.mentor_id, Intro.status == "expired", *intro_of)
    finished = db.session.execute(select(Meeting.mentor_id, Meeting.no_show_member_ids).where(
        Meeting.status.in_(("completed", "missed")), *meeting_of)).all()
    meetings, missed = {}, {}
    for mentor_id, no_shows in finished:
        meetings[mentor_id] = meetings.get(mentor_id, 0) + 1
        missed[mentor_id] = missed.get(mentor_id, 0) + (mentor_id in (no_shows or []))
    scores = {}
    for mentor_id in set(expired) | set(missed):
        a, e = answered.get(mentor_id, 0), expired.get(mentor_id, 0)
        m, n = meetings.get(mentor_id, 0), missed.get(mentor_id, 0)
        scores[mentor_id] = (a + 1) / (a + e + 1) * (m - n + 1) / (m + 1)
    return scores


def _text(member):
    return " ".join(filter(None, [member.headline, member.bio, " ".join(member.skills or [])]))


def profile_of(member, free_capacity=0, responsive=1.0):
    """The matching library's view of a member row."""
    prefers = member.prefers or {}
    return Profile(
        id=member.id, role=member.role, domains=tuple(member.domains or ()), goals=tuple(member.goals or ()),
        school=member.school, languages=tuple(member.languages or ()), international=bool(member.international),
        needs_visa_sponsorship=bool(member.needs_visa_sponsorship),
        company_sponsors_visa=bool(member.company_sponsors_visa), timezone=member.timezone,
        availability=tuple((w["weekday"], w["start"], w["end"]) for w in member.availability or ()),
        text=_text(member), free_capacity=max(0, free_capacity), responsiveness=responsive,
        prefers_domains=tuple(prefers.get("domains") or ()), prefers_schools=tuple(prefers.get("schools") or ()),
        prefers_international=prefers.get("international"),
    )


# What profile_of reads of a member, selected as columns rather than loaded as objects: a cohort of 60,000 members
# reads several times faster, and a row answers profile_of like the member object would.
PROFILE_COLUMNS = (Member.id, Member.role, Member.domains, Member.goals, Member.school, Member.languages,
                   Member.international, Member.needs_visa_sponsorship, Member.company_sponsors_visa, Member.timezone,
                   Member.availability, Member.headline, Member.bio, Member.skills, Member.prefers)
_BY_IDS = select(*PROFILE_COLUMNS).where(Member.id.in_(bindparam("ids", expanding=True)), Member.erased_at.is_(None))
READ_CHUNK = 5000  # ids per statement (SQLite's bound-parameter limit is 32,766)


def profiles_of(member_ids) -> list[Profile]:
    """The profiles of these members (erased ones left out), in the order of `member_ids`."""
    rows = {}
    member_ids = list(member_ids)
    for start in range(0, len(member_ids), READ_CHUNK):
        rows.update((row.id, row) for row in db.session.execute(
            _BY_IDS, {"ids": member_ids[start:start + READ_CHUNK]}))
    return [profile_of(rows[member_id]) for member_id in member_ids if member_id in rows]


_TUPLES = {field.name for field in dataclasses.fields(Profile) if str(field.type).startswith("tuple")}


def to_json(profiles) -> bytes:
    """Profiles as JSON (a list of field lists), for another process to score against exactly the same ones."""
    return json.dumps([dataclasses.astuple(profile) for profile in profiles], separators=(",", ":")).encode()


def from_json(data: bytes) -> list[Profile]:
    names = [field.name for field in dataclasses.fields(Profile)]
    out = []
    for values in json.loads(data):
        fields = dict(zip(names, values, strict=True))
        for name in _TUPLES:
            fields[name] = tuple(tuple(v) if isinstance(v, list) else v for v in fields[name])
        out.append(Profile(**fields))
    return out

"""Members as the matching library sees them: plain `matching.Profile` values, with how responsive mentors are."""
import dataclasses
import functools

from sqlalchemy import String, Text, bindparam, cast, func, literal, select

from matching.features import Profile
from matching.profile import profile_of_fields
from mentorship.common.json_codec import dumps_bytes, loads
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


def profile_of(member, free_capacity=0, responsive=1.0):
    """The matching library's view of a member row."""
    return _profile(member, member.domains, member.goals, member.skills, member.languages, member.availability,
                    member.prefers, free_capacity, responsive)


def _profile(member, domains, goals, skills, languages, availability, prefers, free_capacity=0, responsive=1.0):
    prefers = prefers or {}
    return Profile(
        id=member.id, role=member.role, domains=tuple(domains or ()), goals=tuple(goals or ()),
        school=member.school, languages=tuple(languages or ()), international=bool(member.international),
        needs_visa_sponsorship=bool(member.needs_visa_sponsorship),
        company_sponsors_visa=bool(member.company_sponsors_visa), timezone=member.timezone,
        availability=tuple((w["weekday"], w["start"], w["end"]) for w in availability or ()),
        text=" ".join(filter(None, [member.headline, member.bio, " ".join(skills or [])])),
        free_capacity=max(0, free_capacity), responsiveness=responsive,
        prefers_domains=tuple(prefers.get("domains") or ()), prefers_schools=tuple(prefers.get("schools") or ()),
        prefers_international=prefers.get("international"),
    )


# What profile_of reads of a member, selected as columns rather than loaded as member objects, with the six JSON
# columns as ONE JSON text (`packed`): the driver decoded each JSON column of each row on its own (six json decodes a
# row), which was most of the time a 60,000-member cohort took to read. Rows of these columns go to profile_of_row,
# or many at once to profiles_of_rows (one decode for all).
_JSON_COLUMNS = (Member.domains, Member.goals, Member.skills, Member.languages, Member.availability, Member.prefers)
_PACKED = literal("[", String)
for _n, _column in enumerate(_JSON_COLUMNS):
    _PACKED = _PACKED + (literal(",", String) if _n else literal("", String)) + func.coalesce(
        cast(_column, Text), literal("null", String))
PROFILE_COLUMNS = (Member.id, Member.role, Member.school, Member.international, Member.needs_visa_sponsorship,
                   Member.company_sponsors_visa, Member.timezone, Member.headline, Member.bio,
                   (_PACKED + literal("]", String)).label("packed"))
_BY_IDS = select(*PROFILE_COLUMNS).where(Member.id.in_(bindparam("ids", expanding=True)), Member.erased_at.is_(None))
READ_CHUNK = 5000  # ids per statement (SQLite's bound-parameter limit is 32,766)


def profile_of_row(row, free_capacity=0, responsive=1.0):
    """profile_of for a row of PROFILE_COLUMNS."""
    return _profile(row, *loads(row.packed), free_capacity, responsive)


def profiles_of_rows(rows):
    """[profile_of_row(row) for row in rows], the JSON of all the rows parsed at once."""
    packed = loads("[" + ",".join(row.packed for row in rows) + "]")
    return [_profile(row, *values) for row, values in zip(rows, packed, strict=True)]


def profiles_of(member_ids) -> list[Profile]:
    """The profiles of these members (erased ones left out), in the order of `member_ids`."""
    rows = {}
    member_ids = list(member_ids)
    for start in range(0, len(member_ids), READ_CHUNK):
        rows.update((row.id, row) for row in db.session.execute(
            _BY_IDS, {"ids": member_ids[start:start + READ_CHUNK]}))
    return profiles_of_rows([rows[member_id] for member_id in member_ids if member_id in rows])


_TUPLES = {field.name for field in dataclasses.fields(Profile) if str(field.type).startswith("tuple")}
_NESTED = {"availability"}  # a tuple of tuples; the other tuples hold strings


_FIELDS = tuple(field.name for field in dataclasses.fields(Profile))


def to_json(profiles, fields=_FIELDS) -> bytes:
    """Profiles as JSON (a list of lists of the values of `fields`), for another process to score against exactly
    the same ones. (Fields read one by one: dataclasses.astuple deep-copies every tuple, ten times slower.)"""
    return dumps_bytes([[getattr(profile, name) for name in fields] for profile in profiles])


def from_json(data: bytes, fields=_FIELDS) -> list[Profile]:
    return [profile_of_values(values, fields) for values in loads(data)]


@functools.cache
def _tuples_at(fields):
    """(positions of the tuples of strings, positions of the tuples of tuples) among `fields`."""
    return (tuple(n for n, name in enumerate(fields) if name in _TUPLES - _NESTED),
            tuple(n for n, name in enumerate(fields) if name in _NESTED))


def profile_of_values(values: list, fields=_FIELDS) -> Profile:
    """The Profile of one entry of to_json's list (the values of `fields` in order; the other fields keep
    Profile's defaults; matching.profile.profile_of_fields: a helper of a split run reads the run's 10,000 mentors
    this way)."""
    flat, nested = _tuples_at(fields)
    for n in flat:
        values[n] = tuple(values[n])
    for n in nested:
        values[n] = tuple(map(tuple, values[n]))
    return profile_of_fields(zip(fields, values, strict=True))


class LazyProfiles:
    """The profiles of consecutive blocks of mentees, indexed 0.. across them in order: each block a list of
    Profiles or a to_json document of `fields` (the first of them `id`), whose profiles are made when first asked
    for (a run needs the profiles of its chosen mentees only); `ids` without making any."""

    def __init__(self, blocks, fields=_FIELDS):
        self.values = [item for block in blocks
                       for item in (loads(block) if isinstance(block, bytes | str) else block)]
        self.fields, self.made = fields, {}

    @property
    def ids(self) -> list[int]:
        return [item.id if isinstance(item, Profile) else item[0] for item in self.values]

    def __len__(self):
        return len(self.values)

    def __getitem__(self, n):
        n = int(n)
        item = self.values[n]
        if isinstance(item, Profile):
            return item
        if n not in self.made:
            self.made[n] = profile_of_values(list(item), self.fields)
        return self.made[n]

"""Members as the matching library sees them: plain `matching.Profile` values."""
from matching.features import Profile

# Contributions to a mentor's load (active mentorships, pending intros) registered by later domains:
# each is a function(tenant_id) -> {mentor_id: count}. Free capacity = capacity - their sum.
LOAD_SOURCES = []
# Each function(tenant_id) -> {mentor_id: 0..1} lowers responsiveness (expired intros, no-shows).
RESPONSIVENESS_SOURCES = []
# Each function(tenant_id, mentee_id) -> set of mentor ids never to recommend to this mentee
# (pending intro, active mentorship, declined before).
EXCLUSION_SOURCES = []
# Each function(tenant_id) -> set of mentee ids that are not looking (active mentorship or pending intro).
BUSY_MENTEE_SOURCES = []


def mentor_loads(tenant_id):
    loads = {}
    for source in LOAD_SOURCES:
        for mentor_id, count in source(tenant_id).items():
            loads[mentor_id] = loads.get(mentor_id, 0) + count
    return loads


def responsiveness(tenant_id):
    scores = {}
    for source in RESPONSIVENESS_SOURCES:
        for mentor_id, value in source(tenant_id).items():
            scores[mentor_id] = min(scores.get(mentor_id, 1.0), value)
    return scores


def excluded_for(tenant_id, mentee_id):
    excluded = set()
    for source in EXCLUSION_SOURCES:
        excluded |= source(tenant_id, mentee_id)
    return excluded


def busy_mentees(tenant_id):
    busy = set()
    for source in BUSY_MENTEE_SOURCES:
        busy |= source(tenant_id)
    return busy


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

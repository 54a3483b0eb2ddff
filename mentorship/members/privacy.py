"""What the service holds about a member, and erasing it (SPEC §10).

Export: the member, their tokens and audit trail from here; every other domain adds its own section (receivers of
`member_exporting`). Erasure: every domain first ends what the member takes part in through its own operations,
the other side being told, and removes the personal data it holds (receivers of `member_erasing`); then the
member's row keeps nothing personal, their tokens are revoked, and stored API answers that carry them are dropped.
Anonymous rows stay, for counts.
"""
from sqlalchemy import select

from mentorship import events
from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.tenancy import idempotency
from mentorship.tenancy import operations as tenancy
from mentorship.tenancy.audit import AuditEvent, record
from mentorship.tenancy.credentials import principals

PERSONAL = ("email", "headline", "bio", "photo_url", "school", "company", "title", "graduation_year",
            "years_experience", "prefers")
PERSONAL_LISTS = ("skills", "languages", "availability", "goals", "domains")
ERASED_NAME = "Erased member"


def export(member):
    """Everything held about the member: their record, tokens, audit trail, then one section per domain."""
    events_about = db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "members", AuditEvent.object_id == member.id).order_by(AuditEvent.id)).all()
    data = {"member": member, "exported_at": utcnow(), "tokens": tenancy.member_tokens(member.id),
            "audit_events": [{"at": e.at.isoformat(), "action": e.action, "actor": e.actor, "data": e.data}
                             for e in events_about]}
    for _, (section, content) in sorted(events.member_exporting.send(member), key=lambda result: result[1][0]):
        data[section] = content
    return data


def erase(member):
    """Erase the member wherever their personal data is held; the anonymous row stays for counts."""
    traces = (member.name, member.email)
    events.member_erasing.send(member)
    for name in PERSONAL:
        setattr(member, name, None)
    for name in PERSONAL_LISTS:
        setattr(member, name, [])
    member.name, member.erased_at = ERASED_NAME, utcnow()
    credentials = tenancy.revoke_member_tokens(member.id)
    idempotency.forget(credentials, traces, member.id)
    record("member.erased", member)
    db.session.commit()
    principals.clear()

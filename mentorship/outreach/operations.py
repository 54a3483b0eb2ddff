"""Intros (SPEC §6): preview, send, accept, decline, withdraw, expire. Every write audits and notifies."""
from datetime import timedelta

from sqlalchemy import exists, insert, or_, select
from sqlalchemy.exc import IntegrityError

import coach
from mentorship import events
from mentorship.common.clock import utcnow
from mentorship.database import guarded_update, lock_rows
from mentorship.errors import ApiError, Conflict, Invalid
from mentorship.extensions import db
from mentorship.members import cards
from mentorship.members.models import Member
from mentorship.mentorships.operations import start_mentorship
from mentorship.notifications.outbox import cancel_pending, notify, notify_each
from mentorship.outreach import capacity
from mentorship.outreach.gates import gates
from mentorship.outreach.history import IntroHistory, party, signature_bytes, store_bands
from mentorship.outreach.models import BlockedIntro, Intro
from mentorship.tenancy.access import ensure
from mentorship.tenancy.audit import AuditEvent, audit_rows, record
from mentorship.tenancy.credentials import current_principal
from mentorship.tenancy.policy import for_tenant
from mentorship.tenancy.visibility import get_visible

ROLES = (("mentee_id", "mentee"), ("mentor_id", "mentor"))


def _pair(data):
    """The mentee and the mentor of a request body (one query); 422 unless they are what the fields say."""
    ids = {data["mentee_id"], data["mentor_id"]}
    found = {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_(ids),
                                                                       Member.erased_at.is_(None)))}
    errors = {field: [f"No such {role} in this tenant."] for field, role in ROLES
              if getattr(found.get(data[field]), "role", None) != role}
    if errors:
        raise Invalid("The ids must name a mentee and a mentor of this tenant.", errors=errors)
    mentee, mentor = found[data["mentee_id"]], found[data["mentor_id"]]
    ensure(lambda p: not p.is_member or p.member_id == mentee.id, "A member sends intros only as the mentee they are.")
    return mentee, mentor


def _review(data, mentee, mentor, known=None):
    return coach.review_with_fingerprint(data["message"], party(mentee), party(mentor), IntroHistory(mentee.id),
                                         gates=gates(mentee, mentor, known))


def preview(data):
    """The coach's review of a draft; writes nothing."""
    mentee, mentor = _pair(data)
    return _review(data, mentee, mentor)[0]


def create_intro(data):
    """Send an intro the coach lets through; a blocked one is counted and answered with the coaching."""
    mentee, mentor = _pair(data)
    # the mentee's pending-intro limit and the mentor's capacity hold under concurrent sends
    db.session.scalars(lock_rows(Member, [mentee.id, mentor.id])).all()
    known = capacity.contacts(mentee.id)
    if capacity.pending_with(known, mentor.id):
        raise Conflict("An intro to this mentor is already pending.", code="intro_exists")
    coaching, fingerprint = _review(data, mentee, mentor, known)
    if not coaching["ok"]:
        blocked = BlockedIntro(mentee_id=mentee.id, mentor_id=mentor.id,
                               codes=[i["code"] for i in coaching["issues"] if i["severity"] == "block"])
        db.session.add(blocked)
        db.session.flush()
        record("intro.blocked", blocked, codes=blocked.codes)
        db.session.commit()  # the funnel counts blocked attempts: kept although the answer is an error
        raise ApiError("The coach blocked this message; see `coaching` for what to change.", status=422,
                       code="outreach_blocked", coaching=coaching)
    intro = _insert(mentee, mentor, data["message"], coaching=coaching, fingerprint=signature_bytes(fingerprint))
    store_bands(intro, fingerprint)
    db.session.commit()
    return intro


def _insert(mentee, mentor, message, *, coaching=None, fingerprint=None, source="mentee", match_run_id=None):
    """One new pending intro (_insert_all of one)."""
    return _insert_all([(mentee, mentor, message, coaching, fingerprint)], source, match_run_id)[0]


def send_warm_intro(mentee, mentor, message, match_run_id):
    """An intro from the career office (send_warm_intros of one pair); not coached, not committed here."""
    return send_warm_intros([(mentee, mentor, message)], match_run_id)[0]


def send_warm_intros(pairs, match_run_id):
    """Intros from the career office, one for each (mentee, mentor, message) of a match run's assignments; not
    coached, not committed here."""
    return _insert_all([(mentee, mentor, message, None, None) for mentee, mentor, message in pairs],
                       "career_office", match_run_id)


def _insert_all(rows, source, match_run_id):
    """New pending intros, one for each (mentee, mentor, message, coaching, fingerprint) of one tenant, expiring
    after its intro_expiry_days: each audited, its mentor notified, and intro.created announced for all of them
    at once (events.intros_created). Each kind written in batched statements: one intro at a time took four
    statements an intro, and a 50,000-mentee run's apply (29,944 intros) 75 s, past any request timeout."""
    if not rows:
        return []
    now = utcnow()
    expires_at = now + timedelta(days=for_tenant(rows[0][0].tenant_id)["intro_expiry_days"])
    intros = [Intro(mentee_id=mentee.id, mentor_id=mentor.id, message=message, coaching=coaching, source=source,
                    fingerprint=fingerprint, match_run_id=match_run_id, status="pending", created_at=now,
                    expires_at=expires_at)
              for mentee, mentor, message, coaching, fingerprint in rows]
    db.session.add_all(intros)
    try:
        db.session.flush()  # PostgreSQL: multi-row INSERTs, each returning its rows' ids
    except IntegrityError:
        db.session.rollback()
        raise Conflict("An intro to this mentor is already pending.", code="intro_exists") from None
    tenant_id = intros[0].tenant_id
    db.session.execute(insert(AuditEvent), audit_rows("intro.created", "intros", [i.id for i in intros], tenant_id,
                                                      source=source))
    notify_each("intro.received", [(intro.mentor_id, intro) for intro in intros])
    events.intros_created.send(tenant_id, intros=intros)
    return intros


@cards.relation
def intro_between(viewer, other):
    """SPEC §3: the two sides of an intro (any status) read each other's cards."""
    return bool(db.session.scalar(select(exists().where(or_(
        (Intro.mentee_id == viewer.id) & (Intro.mentor_id == other.id),
        (Intro.mentee_id == other.id) & (Intro.mentor_id == viewer.id))))))


def get_intro(intro_id):
    """The intro, if the credential may see it (a member sees only intros they are part of)."""
    return get_visible(Intro, intro_id, "intro")


def intros_query(args):
    """Intros filtered by status, mentee and mentor; a member token lists only its own."""
    query = select(Intro).order_by(Intro.id.desc())
    principal = current_principal()
    if principal.is_member:
        query = query.where((Intro.mentee_id == principal.member_id) | (Intro.mentor_id == principal.member_id))
    for name in ("status", "mentee_id", "mentor_id", "source"):
        if name in args:
            query = query.where(getattr(Intro, name) == args[name])
    return query


def _acting_as(intro, party_field, action):
    """Admin, or the member token of the party the action belongs to; everyone else is 403."""
    who = "mentor" if party_field == "mentor_id" else "mentee"
    return ensure(lambda p: p.kind == "admin" or (p.is_member and p.member_id == getattr(intro, party_field)),
                  f"Only the {who} (or the career office) can {action} this intro.")


def _transition(intro, status, **values):
    """pending -> `status` in one guarded statement: of simultaneous answers exactly one wins, the rest are 409."""
    if not guarded_update(intro, Intro.status == "pending", status=status, responded_at=utcnow(), **values):
        raise Conflict(f"The intro is {intro.status}; it cannot become {status}.", code="invalid_transition")


def accept(intro):
    """The mentor says yes: a mentorship starts, unless the mentor is at capacity (also under concurrency)."""
    _acting_as(intro, "mentor_id", "accept")
    mentor_capacity = capacity.lock_mentor(intro.mentor_id)
    _transition(intro, "accepted")
    capacity.ensure_room_to_accept(intro.mentor_id, mentor_capacity)  # a 409 here rolls the transition back
    mentorship = start_mentorship(intro)
    intro.mentorship_id = mentorship.id
    record("intro.accepted", intro, mentorship_id=mentorship.id)
    notify(intro.mentee_id, "intro.accepted", intro)
    events.intro_accepted.send(intro)
    db.session.commit()
    return intro


def decline(intro, reason=None):
    """The mentor says no, kindly; the mentee hears it with fresh recommendations (matchmaking's receiver)."""
    _acting_as(intro, "mentor_id", "decline")
    _transition(intro, "declined", decline_reason=reason)
    record("intro.declined", intro)
    events.intro_declined.send(intro)
    db.session.commit()
    return intro


def withdraw(intro):
    """The mentee takes the intro back."""
    _acting_as(intro, "mentee_id", "withdraw")
    _withdraw(intro)
    db.session.commit()
    return intro


def end_for_departure(intro, member_id):
    """A party left the service (erasure): the pending intro is withdrawn and the other party told it ended.
    The caller commits."""
    _withdraw(intro, departed=True)
    notify(intro.mentor_id if member_id == intro.mentee_id else intro.mentee_id, "intro.ended", intro)


def _withdraw(intro, departed=False):
    _transition(intro, "withdrawn")
    cancel_pending("intros", intro.id, ["intro.received", "intro.reminder"])  # the mentor is not asked any more
    record("intro.withdrawn", intro, **({"reason": "member_erased"} if departed else {}))

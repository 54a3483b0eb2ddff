"""The webhook outbox: each SPEC §10 event becomes one delivery row per endpoint subscribed to it, written by a
receiver of the domain event, so inside the transaction of its cause (it commits or rolls back with it).

Body: {"type", "timestamp", "data"}, `data` holding the ids involved and the changed object as the API shows it
(for a match run: its summary, without the assignment lists). Written once, so every retry sends the same bytes.
A CSV import's new members (`members.imported`, one event per INSERT batch) get the `member.created` rows of all of
them in one statement, each body as a single create writes it.
"""
import json
import uuid

from sqlalchemy import insert, select

from mentorship import events
from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.matchmaking.schemas import MatchRunSchema
from mentorship.members.operations import member_documents
from mentorship.members.schemas import MemberSchema
from mentorship.mentorships.operations import describe
from mentorship.mentorships.schemas import MentorshipSchema
from mentorship.outreach.schemas import IntroSchema
from mentorship.referrals.schemas import ReferralSchema
from mentorship.scheduling.schemas import MeetingSchema
from mentorship.webhooks.delivery import drain
from mentorship.webhooks.models import Webhook, WebhookDelivery

_RUN_SUMMARY = ("id", "status", "strategy", "min_score", "stats", "created_at", "started_at", "finished_at")


def _member_data(member_id, document):
    return {"member_id": member_id, "member": document}


def _member(member, **_):
    return _member_data(member.id, MemberSchema().dump(member))


def _intro(intro, **_):
    return {"intro_id": intro.id, "mentee_id": intro.mentee_id, "mentor_id": intro.mentor_id,
            "mentorship_id": intro.mentorship_id, "intro": IntroSchema().dump(intro)}


def _meeting(meeting, **_):
    return {"meeting_id": meeting.id, "mentorship_id": meeting.mentorship_id, "mentee_id": meeting.mentee_id,
            "mentor_id": meeting.mentor_id, "meeting": MeetingSchema().dump(meeting)}


def _milestone(mentorship, key=None, by=None, **_):
    return {"mentorship_id": mentorship.id, "mentee_id": mentorship.mentee_id, "mentor_id": mentorship.mentor_id,
            "milestone": key, "completed_by": by, "mentorship": MentorshipSchema().dump(describe(mentorship))}


def _referral(referral, **_):
    return {"referral_request_id": referral.id, "mentorship_id": referral.mentorship_id,
            "mentee_id": referral.mentee_id, "mentor_id": referral.mentor_id,
            "referral_request": ReferralSchema().dump(referral)}


def _match_run(run, **_):
    return {"match_run_id": run.id, "match_run": MatchRunSchema(only=_RUN_SUMMARY).dump(run)}


# SPEC §10's webhook events, each with what its `data` holds
PAYLOADS = {
    events.member_created: _member,
    events.intro_created: _intro,
    events.intro_accepted: _intro,
    events.intro_declined: _intro,
    events.intro_expired: _intro,
    events.meeting_scheduled: _meeting,
    events.meeting_completed: _meeting,
    events.milestone_completed: _milestone,
    events.referral_requested: _referral,
    events.referral_decided: _referral,
    events.match_run_succeeded: _match_run,
}
EVENT_NAMES = tuple(signal.name for signal in PAYLOADS)


def _subscribed(tenant_id, event):
    hooks = db.session.scalars(select(Webhook).where(Webhook.tenant_id == tenant_id,
                                                     Webhook.disabled_at.is_(None)).order_by(Webhook.id)).all()
    return [hook for hook in hooks if hook.wants(event)]


def _body(event, now, data):
    return json.dumps({"type": event, "timestamp": now.isoformat(), "data": data},
                      separators=(",", ":"), ensure_ascii=False, default=str)


def _row(tenant_id, hook, event, body, now):
    return {"tenant_id": tenant_id, "webhook_id": hook.id, "msg_id": f"msg_{uuid.uuid4().hex}", "event": event,
            "body": body, "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}


def _receiver(signal):
    build = PAYLOADS[signal]

    def write_deliveries(sender, **kwargs):
        hooks = _subscribed(sender.tenant_id, signal.name)
        if not hooks:
            return
        now = utcnow()
        body = _body(signal.name, now, build(sender, **kwargs))
        for hook in hooks:
            row = WebhookDelivery(**_row(sender.tenant_id, hook, signal.name, body, now))
            db.session.add(row)
            drain.enqueue_after_commit(sender.tenant_id, hook.id, once=True)

    write_deliveries.__name__ = f"write_{signal.name.replace('.', '_')}_deliveries"
    return write_deliveries


def write_imported_deliveries(tenant_id, member_ids=(), **_):
    """members.imported: the `member.created` delivery of each imported member, the body as a single create writes
    it, every row in one executemany INSERT."""
    event = events.member_created.name
    hooks = _subscribed(tenant_id, event)
    if not hooks or not member_ids:
        return
    now = utcnow()
    rows = [_row(tenant_id, hook, event, _body(event, now, _member_data(member_id, document)), now)
            for member_id, document in member_documents(tenant_id, member_ids) for hook in hooks]
    db.session.execute(insert(WebhookDelivery), rows)
    for hook in hooks:  # one drain job per endpoint sends them all, oldest first
        drain.enqueue_after_commit(tenant_id, hook.id, once=True)


def write_intro_batch_deliveries(tenant_id, intros=(), **_):
    """intros.created (a match run's apply): the `intro.created` delivery of each intro, the body as a single
    intro's event writes it, every row in one executemany INSERT."""
    event = events.intro_created.name
    hooks = _subscribed(tenant_id, event)
    if not hooks or not intros:
        return
    now = utcnow()
    rows = [_row(tenant_id, hook, event, _body(event, now, _intro(intro)), now) for intro in intros for hook in hooks]
    db.session.execute(insert(WebhookDelivery), rows)
    for hook in hooks:
        drain.enqueue_after_commit(tenant_id, hook.id, once=True)


_RECEIVERS = {signal: _receiver(signal) for signal in PAYLOADS}  # blinker keeps weak references: hold them here


def connect():
    for signal, receiver in _RECEIVERS.items():
        signal.connect(receiver)
    events.members_imported.connect(write_imported_deliveries)
    events.intros_created.connect(write_intro_batch_deliveries)

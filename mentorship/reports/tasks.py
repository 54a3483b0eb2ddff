"""The career office's weekly digest (SPEC §9): last week's funnel and the mentorships at risk now, by e-mail to
the tenant's contact address. A periodic task of the sweep: once per tenant and week (the notification's key
names the week), so running it again, or on several schedulers, sends nothing twice."""
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.jobs.schedule import periodic
from mentorship.mentorships.models import Mentorship
from mentorship.mentorships.operations import describe_many
from mentorship.notifications.models import Notification
from mentorship.notifications.outbox import notify_office
from mentorship.reports.funnel import funnel
from mentorship.tenancy.models import Tenant
from mentorship.tenancy.scope import tenant_scope

DIGEST = "office.weekly_digest"


def last_week(now):
    """[Monday 00:00 UTC, the next Monday) of the last whole week before `now`."""
    this_monday = datetime.combine(now.date() - timedelta(days=now.weekday()), time(), tzinfo=UTC)
    return this_monday - timedelta(weeks=1), this_monday


def digest_of(start, end):
    """What the digest says, in the current tenant: the period's counts and the mentorships at risk now."""
    data = funnel(start, end)
    counts = {f"{section}.{name}": value for section in ("intros", "meetings", "referrals")
              for name, value in data[section].items() if isinstance(value, int)}
    counts["mentorships.started"] = data["mentorships"]["active"] + data["mentorships"]["closed"]
    counts["referrals.hired"] = data["referrals"]["outcomes"]["hired"]
    active = db.session.scalars(select(Mentorship).options(selectinload(Mentorship.milestones))
                                .where(Mentorship.status == "active").order_by(Mentorship.id)).all()
    at_risk = [{"id": d["id"], "mentee_id": d["mentee_id"], "mentor_id": d["mentor_id"]}
               for d in describe_many(active) if d["health"] == "at_risk"]
    return {"from": start.isoformat(), "through": (end - timedelta(days=1)).isoformat(), "funnel": counts,
            "at_risk": at_risk}


@periodic(every_seconds=3600)
def send_weekly_digests():
    """Across tenants with a contact address: last week's digest, once (the key names the week)."""
    start, end = last_week(utcnow())
    written = 0
    for tenant in db.session.scalars(select(Tenant).where(Tenant.contact_email.is_not(None)).order_by(Tenant.id)):
        key = f"{DIGEST}:{start.date().isoformat()}"
        if db.session.scalar(select(Notification.id).where(Notification.tenant_id == tenant.id,
                                                           Notification.key == key)):
            continue  # this week's is written: no need to count again
        with tenant_scope(tenant.id):
            written += notify_office(tenant, DIGEST, key=key, **digest_of(start, end)) is not None
    db.session.commit()
    return written

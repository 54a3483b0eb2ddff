"""A referral request: asked by the mentee inside an eligible mentorship, decided by the mentor alone."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.common.clock import utcnow
from mentorship.common.types import UtcDateTime
from mentorship.extensions import db
from mentorship.tenancy.scope import TenantScoped

STATUSES = ("requested", "approved", "declined")
DECISIONS = {"approve": "approved", "decline": "declined"}
OUTCOMES = ("submitted", "interviewing", "offer", "hired", "not_selected")


class ReferralRequest(TenantScoped, db.Model):
    __tablename__ = "referral_requests"
    __table_args__ = (
        # one open request per mentorship, also under simultaneous requests (409 referral_exists)
        Index("uq_referral_requests_open", "mentorship_id", unique=True,
              sqlite_where=text("status = 'requested'"), postgresql_where=text("status = 'requested'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    company: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str] = mapped_column(String(160))
    job_url: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="requested")
    decision_note: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

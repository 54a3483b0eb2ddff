"""A cohort match run: which mentees and mentors, the strategy, and — once a worker ran it — the result."""
from datetime import datetime

from sqlalchemy import JSON, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.common.clock import utcnow
from mentorship.common.types import UtcDateTime
from mentorship.extensions import db
from mentorship.tenancy.scope import TenantScoped

STATUSES = ("queued", "running", "succeeded", "failed")


class MatchRun(TenantScoped, db.Model):
    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    strategy: Mapped[str] = mapped_column(String(20))
    min_score: Mapped[float] = mapped_column(Float)
    requested_mentee_ids: Mapped[list | None] = mapped_column(JSON)  # None: the default cohort (SPEC §5)
    requested_mentor_ids: Mapped[list | None] = mapped_column(JSON)
    stats: Mapped[dict | None] = mapped_column(JSON)
    assignments: Mapped[list | None] = mapped_column(JSON)
    unmatched_mentee_ids: Mapped[list | None] = mapped_column(JSON)
    unmatched: Mapped[list | None] = mapped_column(JSON)  # [{mentee_id, reason}], the same mentees with why
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # its worker's last sign of life
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

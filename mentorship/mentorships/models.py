"""A mentorship (an accepted intro) and its milestones toward an earned referral."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorship.common.clock import utcnow
from mentorship.common.types import UtcDateTime
from mentorship.extensions import db
from mentorship.tenancy.scope import TenantScoped

CLOSE_REASONS = ("goals_met", "no_time", "not_a_fit", "other")


class Mentorship(TenantScoped, db.Model):
    __tablename__ = "mentorships"
    __table_args__ = (
        Index("ix_mentorships_tenant_mentor_status", "tenant_id", "mentor_id", "status"),
        Index("ix_mentorships_tenant_mentee_status", "tenant_id", "mentee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    intro_id: Mapped[int | None] = mapped_column(ForeignKey("intros.id", ondelete="SET NULL"), unique=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="active")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    close_reason: Mapped[str | None] = mapped_column(String(12))
    close_note: Mapped[str | None] = mapped_column(Text)
    milestones: Mapped[list["Milestone"]] = relationship(
        order_by="Milestone.position", cascade="all, delete-orphan")  # lists load them with selectinload


class Milestone(TenantScoped, db.Model):
    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("mentorship_id", "key", name="uq_milestones_mentorship_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default="pending")
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    evidence: Mapped[dict | None] = mapped_column(JSON)
    completed_by: Mapped[str | None] = mapped_column(String(40))

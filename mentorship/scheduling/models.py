"""Meetings of a mentorship and each party's check-in afterwards."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorship.common.clock import utcnow
from mentorship.common.types import UtcDateTime
from mentorship.extensions import db
from mentorship.tenancy.scope import TenantScoped

STATUSES = ("proposed", "scheduled", "completed", "missed", "cancelled")
MODES = ("video", "phone", "in_person")


class Meeting(TenantScoped, db.Model):
    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_tenant_status_start", "tenant_id", "status", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    proposed_by: Mapped[int | None] = mapped_column()  # member id, NULL when staff proposed it
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    mode: Mapped[str] = mapped_column(String(10), default="video")
    duration_minutes: Mapped[int] = mapped_column(default=30)
    proposed_slots: Mapped[list] = mapped_column(JSON, default=list)
    start: Mapped[datetime | None] = mapped_column(UtcDateTime())
    end: Mapped[datetime | None] = mapped_column(UtcDateTime())
    no_show_member_ids: Mapped[list] = mapped_column(JSON, default=list)
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE: bumped on each change
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    scheduled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    check_ins: Mapped[list["CheckIn"]] = relationship(order_by="CheckIn.id", lazy="selectin",
                                                      cascade="all, delete-orphan")


class CheckIn(TenantScoped, db.Model):
    __tablename__ = "meeting_check_ins"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_check_ins_meeting_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))
    happened: Mapped[bool] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

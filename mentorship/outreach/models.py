"""Intros: a mentee's (or the career office's) first message to a mentor, and what the coach kept of it."""
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.common.clock import utcnow
from mentorship.common.types import UtcDateTime
from mentorship.extensions import db
from mentorship.tenancy.scope import TenantScoped

STATUSES = ("pending", "accepted", "declined", "withdrawn", "expired")
SOURCES = ("mentee", "career_office")


class Intro(TenantScoped, db.Model):
    __tablename__ = "intros"
    __table_args__ = (
        # one pending intro per pair, also under concurrent requests (409 intro_exists)
        Index("uq_intros_pending_pair", "tenant_id", "mentee_id", "mentor_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
        Index("ix_intros_tenant_mentee_status", "tenant_id", "mentee_id", "status"),
        Index("ix_intros_tenant_mentor_status", "tenant_id", "mentor_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16), default="mentee")
    status: Mapped[str] = mapped_column(String(12), default="pending")
    message: Mapped[str | None] = mapped_column(Text)  # NULL once a party is erased
    coaching: Mapped[dict | None] = mapped_column(JSON)
    # the coach's MinHash signature (128 little-endian uint32), compared with later messages (templated_message)
    fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary)
    match_run_id: Mapped[int | None] = mapped_column(ForeignKey("match_runs.id", ondelete="SET NULL"))
    mentorship_id: Mapped[int | None] = mapped_column()  # set on accept (mentorships point back with intro_id)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class IntroBand(TenantScoped, db.Model):
    """LSH band keys of each intro's fingerprint: finding a circulating script is an indexed lookup."""

    __tablename__ = "intro_bands"
    __table_args__ = (Index("ix_intro_bands_key", "tenant_id", "band_key"),)

    intro_id: Mapped[int] = mapped_column(ForeignKey("intros.id", ondelete="CASCADE"), primary_key=True)
    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    mentee_id: Mapped[int] = mapped_column()


class BlockedIntro(TenantScoped, db.Model):
    """A first message the coach blocked: counted in the funnel; the text itself is not kept."""

    __tablename__ = "blocked_intros"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    codes: Mapped[list] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

"""Outbox rows: one per (event, recipient), written in the transaction of the change that causes it."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.common.clock import utcnow
from mentorship.common.types import UtcDateTime
from mentorship.extensions import db
from mentorship.tenancy.scope import TenantScoped

# pending -> sending -> sent; a `sending` row whose worker died goes back out after the lease (see delivery.py);
# cancelled: no longer relevant (a reminder for a meeting that was cancelled); failed: gave up after retries
STATUSES = ("pending", "sending", "sent", "cancelled", "failed")


class Notification(TenantScoped, db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # the unique key per (event, recipient) that makes a second send impossible
        UniqueConstraint("tenant_id", "key", name="uq_notifications_key"),
        Index("ix_notifications_due", "status", "due_at"),
        Index("ix_notifications_tenant_member", "tenant_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL: to the career office (its tenant's contact_email), e.g. the weekly digest
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(200))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column()
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    subject: Mapped[str | None] = mapped_column(String(200))  # as rendered when sent
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

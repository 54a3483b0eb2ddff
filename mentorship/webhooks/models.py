"""Webhook endpoints and their deliveries: one delivery row per (event, subscribed endpoint), written in the
transaction of the change that causes it (the outbox), sent by jobs (delivery.py)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.common.clock import utcnow
from mentorship.common.types import UtcDateTime
from mentorship.extensions import db
from mentorship.tenancy.scope import TenantScoped

# pending -> sending -> delivered; `sending` whose worker died goes back out after the lease (delivery.py);
# a failed attempt goes back to pending with next_attempt_at; failed: gave up after the retry window
STATUSES = ("pending", "sending", "delivered", "failed")


class Webhook(TenantScoped, db.Model):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list] = mapped_column(JSON, default=list)  # event names, or ["*"]
    sealed_secret: Mapped[str] = mapped_column(Text)  # common/sealing.py: needed in clear to sign
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # since when every attempt has failed (None after a 2xx); disabled once that lasts DISABLE_AFTER (delivery.py)
    failing_since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(200))

    def wants(self, event):
        return "*" in self.events or event in self.events


class WebhookDelivery(TenantScoped, db.Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook", "tenant_id", "webhook_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    msg_id: Mapped[str] = mapped_column(String(40), unique=True)  # the webhook-id header, the same on every retry
    event: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)  # the JSON body exactly as signed and sent, the same on every retry
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

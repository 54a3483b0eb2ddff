"""Who changed what, when: one row per change, written in the change's own transaction."""
from datetime import datetime

from flask import g, has_app_context
from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.common.clock import utcnow
from mentorship.common.types import UtcDateTime
from mentorship.extensions import db
from mentorship.tenancy.scope import TenantScoped, current_tenant_id


class AuditEvent(TenantScoped, db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "tenant_id", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column()
    # Field names and non-personal values only: erasure must not leave personal data behind here.
    data: Mapped[dict] = mapped_column(JSON, default=dict)


def actor():
    principal = g.get("principal") if has_app_context() else None
    return principal.credential if principal else g.get("actor", "system") if has_app_context() else "system"


def record(action, obj, **data):
    """Add the audit event for a change to `obj` (flushed with the change)."""
    event = AuditEvent(actor=actor(), action=action, object_type=type(obj).__tablename__, object_id=obj.id,
                       data=data, tenant_id=getattr(obj, "tenant_id", None) or current_tenant_id())
    db.session.add(event)
    return event


def audit_rows(action, table, ids, tenant_id, **data):
    """Audit rows for a bulk change, as dicts for one INSERT (CSV import)."""
    now, who = utcnow(), actor()
    return [dict(tenant_id=tenant_id, at=now, actor=who, action=action, object_type=table, object_id=i, data=data)
            for i in ids]

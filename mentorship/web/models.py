"""Invites (a link that lets one person join as a mentee or mentor) and sign-in links (a member's way back in).

Both are bearer secrets in a URL: stored only as a SHA-256 hash, single use (`used_at`, set by one guarded UPDATE)
and expiring. A sign-in link also keeps its secret sealed (common/sealing.py) until it is used, because the e-mail
that carries it is rendered when the outbox row is sent, after the request that made it has answered.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.common.clock import utcnow
from mentorship.common.types import UtcDateTime
from mentorship.extensions import db
from mentorship.tenancy.scope import TenantScoped


class Invite(TenantScoped, db.Model):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    email: Mapped[str | None] = mapped_column(String(254))  # when given, the member joins with this address only
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(40))  # the credential, as audit events name it
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class SignInLink(TenantScoped, db.Model):
    __tablename__ = "signin_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sealed_token: Mapped[str | None] = mapped_column(Text)  # for the e-mail; cleared once used
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

"""Members: mentees and mentors, with the profile that gates outreach."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.common.clock import utcnow
from mentorship.common.types import UtcDateTime
from mentorship.extensions import db
from mentorship.members import profile
from mentorship.tenancy.policy import for_tenant
from mentorship.tenancy.scope import TenantScoped

# a new mentor takes this many mentorships at once unless they say otherwise (SPEC §3); outreach/capacity.py counts
# what is spent of it
DEFAULT_CAPACITY = 3


class Member(TenantScoped, db.Model):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email", name="uq_members_tenant_email"),
        Index("ix_members_tenant_role", "tenant_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))  # NULL once erased, freeing the address
    headline: Mapped[str | None] = mapped_column(String(160))
    bio: Mapped[str | None] = mapped_column(Text)
    photo_url: Mapped[str | None] = mapped_column(String(500))
    domains: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    goals: Mapped[list] = mapped_column(JSON, default=list)
    skills: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64))
    availability: Mapped[list] = mapped_column(JSON, default=list)
    international: Mapped[bool] = mapped_column(Boolean, default=False)
    school: Mapped[str | None] = mapped_column(String(120))
    graduation_year: Mapped[int | None] = mapped_column(Integer)
    company: Mapped[str | None] = mapped_column(String(120))
    title: Mapped[str | None] = mapped_column(String(120))
    years_experience: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    company_sponsors_visa: Mapped[bool | None] = mapped_column(Boolean)
    prefers: Mapped[dict | None] = mapped_column(JSON)
    needs_visa_sponsorship: Mapped[bool | None] = mapped_column(Boolean)
    # score and gaps depend only on the profile, so they are kept current on every flush (see below)
    profile_score: Mapped[int] = mapped_column(Integer, default=0)
    profile_gaps: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    @property
    def profile(self):
        """Score and gaps as stored; `ready` against the tenant's current policy."""
        return profile_of(self.tenant_id, self.profile_score, self.profile_gaps)

    def refresh_profile(self):
        self.profile_score, self.profile_gaps = profile.assess(self)


def profile_of(tenant_id, score, gaps):
    """A member's `profile` from its stored score and gaps: `ready` against the tenant's current policy."""
    minimum = for_tenant(tenant_id)["min_profile_score"]
    return {"score": score, "ready": profile.is_ready(score, gaps, minimum), "gaps": gaps}


@event.listens_for(Member, "before_insert")
@event.listens_for(Member, "before_update")
def _refresh_profile(mapper, connection, member):
    member.refresh_profile()


class MemberImport(TenantScoped, db.Model):
    """A CSV import too big to answer in one request, run as a job (import_jobs.py); pollers read its progress."""

    __tablename__ = "member_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)  # queued|running|succeeded|failed
    phase: Mapped[str | None] = mapped_column(String(12))  # while running: validating, then writing
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int | None] = mapped_column(Integer)
    updated: Mapped[int | None] = mapped_column(Integer)
    errors: Mapped[list | None] = mapped_column(JSON)  # [{row, field, message}], as the synchronous 422 has them
    errors_total: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # last sign of life: queued, claimed, or a progress commit; the sweep re-queues an import silent too long
    heartbeat_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class MemberImportUpload(TenantScoped, db.Model):
    """The uploaded file until its import finishes: in the database, so any worker on any machine can read it.

    A table of its own: progress updates rewrite the import's row, which must not carry megabytes each time."""

    __tablename__ = "member_import_uploads"

    import_id: Mapped[int] = mapped_column(ForeignKey("member_imports.id", ondelete="CASCADE"), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)

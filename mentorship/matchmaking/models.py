"""A cohort match run: which mentees and mentors, the strategy, and — once a worker ran it — the result."""
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

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
    # a run split across workers (split.py): how many blocks of mentees, how many are in, and the mentor snapshot
    # every worker scores against (JSON profiles; read only by the workers, never with the run)
    blocks: Mapped[int | None] = mapped_column()
    blocks_done: Mapped[int | None] = mapped_column()
    block_workers: Mapped[int | None] = mapped_column()  # how many workers computed blocks, once all are in
    mentor_snapshot: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    @property
    def progress(self):
        """A split run's blocks of mentees and how many are in (None for a run computed in one piece)."""
        return None if self.blocks is None else {"blocks": self.blocks, "blocks_done": self.blocks_done or 0,
                                                 "workers": self.block_workers}


class MatchRunBlock(TenantScoped, db.Model):
    """One block of a split run's mentees (split.py): pending, claimed by a worker, or done with its edges. Rows
    belong to one attempt of the run and go when it finishes."""

    __tablename__ = "match_run_blocks"

    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id", ondelete="CASCADE"), primary_key=True)
    attempt: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    block: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    mentee_ids: Mapped[list] = mapped_column(JSON)  # those to score (one erased meanwhile is left out)
    status: Mapped[str] = mapped_column(String(8), default="pending")  # pending | claimed | done
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    edges: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # matching.candidates.BlockEdges.to_bytes
    # what the pairs' reasons read of the scored mentees (profiles.to_json of matching.assign.PAIR_MENTEE_FIELDS)
    profiles: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))


class MentorIndexVersion(TenantScoped, db.Model):
    """The tenant's mentor index version: bumped, in the same transaction, by every change to a member; a
    process's cached index is current while its version equals this one (matchmaking/index.py)."""

    __tablename__ = "mentor_index_versions"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    # bumped at commit by every transaction that wrote a member, intro, mentorship or the tenant (freshness.py)
    recommendations_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class MentorIndexChange(TenantScoped, db.Model):
    """The version at which a member last changed: an index at an older version re-reads that member."""

    __tablename__ = "mentor_index_changes"
    __table_args__ = (Index("ix_mentor_index_changes_version", "tenant_id", "version"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)

"""CSV imports too big for one request (more than IMPORT_SYNC_MAX_ROWS rows) run as a job with progress.

The upload waits in the database (any worker on any machine can read it) and is dropped when the import ends.
The job is atomic as SPEC §3 says, in two phases:
- `validating`: every row checked (importer.check_rows), `rows_done` committed every IMPORT_BATCH_ROWS rows, so
  pollers see progress; any invalid row -> `failed` with the rows' errors, nothing imported;
- `writing`: all rows upserted in batches inside one transaction, which also sets `succeeded` and the counts.
  Progress cannot be committed inside that transaction; pollers see `phase: "writing"` until it commits.
A worker that dies leaves the import `running` with a stale heartbeat: the sweep queues it again (at most
MAX_ATTEMPTS claims). Every state change is one guarded UPDATE on (status, attempts): of two runs of one import,
only the one holding the latest claim can write progress or finish it; the other rolls back.
"""
import io
import tempfile
from datetime import timedelta

from flask import current_app
from sqlalchemy import LargeBinary, and_, delete, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from mentorship.common.clock import utcnow
from mentorship.errors import Invalid, NotFound
from mentorship.extensions import db
from mentorship.jobs import job
from mentorship.jobs.schedule import periodic
from mentorship.members import importer
from mentorship.members.models import MemberImport, MemberImportUpload
from mentorship.tenancy.audit import record

STALE_QUEUED = timedelta(minutes=2)  # queued this long: the queue lost it (Redis restarted)
# running with no progress commit this long: its worker died. Above the longest writing phase expected (a
# 32 MB file, ~380,000 rows, writes in well under a minute here), which commits nothing until it ends.
STALE_RUNNING = timedelta(minutes=10)
MAX_ATTEMPTS = 3


class _Upload(io.RawIOBase):
    """The upload read from the database a megabyte at a time: never the whole file (nor PostgreSQL's hex text of
    it, twice its size) in memory at once. Each read ends its transaction: on SQLite every transaction holds the
    database's write lock, which pollers must get between the job's progress commits."""

    SLICE = 1 << 20

    def __init__(self, import_id):
        super().__init__()
        self.import_id, self.offset, self.pending = import_id, 0, memoryview(b"")

    def readable(self):
        return True

    def readinto(self, buffer):
        if not self.pending:  # callers ask for 8 KB at a time: one query per slice, not per call
            piece = func.substr(MemberImportUpload.body, self.offset + 1, self.SLICE, type_=LargeBinary)
            data = db.session.scalar(select(piece).where(MemberImportUpload.import_id == self.import_id)) or b""
            db.session.commit()
            self.offset, self.pending = self.offset + len(data), memoryview(data)
        size = min(len(buffer), len(self.pending))
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        return size


class _Superseded(Exception):
    """The import was claimed again (the sweep thought this run dead): this run must not write."""


def import_csv(text):
    """Import a small file now ({created, updated}, or 422), or queue a big one and return its MemberImport."""
    limit = current_app.config["IMPORT_SYNC_MAX_ROWS"]
    if text.count("\n") > limit:  # fewer lines than that cannot hold more rows: no need to count them
        rows = importer.count_rows(text)  # also the synchronous 422 for a bad header or unreadable row
        if rows > limit:
            return queue_import(text, rows)
    return importer.import_members(text)


def queue_import(text, rows):
    """Store the upload and queue the job; returns the queued MemberImport."""
    run = MemberImport(status="queued", rows_total=rows, rows_done=0)
    db.session.add(run)
    db.session.flush()
    db.session.add(MemberImportUpload(import_id=run.id, body=text.encode()))
    record("member_import.queued", run, rows=rows)
    # after commit: a Redis outage then costs a log line and the sweep's next pass, not the request
    run_import.enqueue_after_commit(run.tenant_id, run.id, job_id=job_id(run.tenant_id, run.id))
    db.session.commit()
    return run


def get_import(import_id):
    """The import with this id in the current tenant, or 404."""
    run = db.session.scalar(select(MemberImport).where(MemberImport.id == import_id))
    if run is None:
        raise NotFound("No such import.")
    return run


def job_id(tenant_id, import_id):
    return f"member-import-{tenant_id}-{import_id}"


@job(queue="low", timeout=3600)
def run_import(tenant_id, import_id):
    """Idempotent: an import that is not `queued` any more is left alone."""
    attempt = _claim(import_id)
    if attempt is None:
        return "skipped"
    try:
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spill:
            return _run(import_id, attempt, spill)
    except _Superseded:
        db.session.rollback()
        return "superseded"
    except SQLAlchemyError:  # the database went away: leave it `running`, the sweep runs it again
        db.session.rollback()
        raise


def _run(import_id, attempt, spill):
    config = current_app.config
    # newline="\n": lines end where the synchronous import ends them (a bare CR is no line end)
    stream = io.TextIOWrapper(io.BufferedReader(_Upload(import_id)), encoding="utf-8", newline="\n")
    try:
        _, errors, total = importer.check_rows(stream, spill, lambda rows: _update(import_id, attempt, rows_done=rows),
                                               config["IMPORT_BATCH_ROWS"], config["IMPORT_MAX_ERRORS"])
        if errors:
            return _finish(import_id, attempt, "failed", errors=errors, errors_total=total)
        _update(import_id, attempt, rows_done=_rows_total(import_id), phase="writing")
        return _finish(import_id, attempt, "succeeded", **importer.write_rows(spill, config["IMPORT_BATCH_ROWS"]))
    except Invalid as exc:  # a member changed since the first pass (write_rows), or a row csv cannot read
        db.session.rollback()
        errors = exc.extensions.get("errors") or []
        return _finish(import_id, attempt, "failed", errors=errors, errors_total=len(errors))


def _claim(import_id):
    """queued -> running, one claim per attempt; returns the attempt number, or None when not queued."""
    now = utcnow()
    claimed = db.session.execute(
        update(MemberImport).where(MemberImport.id == import_id, MemberImport.status == "queued")
        .values(status="running", phase="validating", rows_done=0, started_at=now, heartbeat_at=now,
                attempts=MemberImport.attempts + 1))
    attempt = None
    if claimed.rowcount == 1:
        attempt = db.session.scalar(select(MemberImport.attempts).where(MemberImport.id == import_id))
    db.session.commit()
    return attempt


def _guarded(import_id, attempt):
    return update(MemberImport).where(MemberImport.id == import_id, MemberImport.status == "running",
                                      MemberImport.attempts == attempt)


def _update(import_id, attempt, **values):
    """Commit progress (and the heartbeat) in a short transaction of its own."""
    done = db.session.execute(_guarded(import_id, attempt).values(heartbeat_at=utcnow(), **values))
    if done.rowcount != 1:
        raise _Superseded
    db.session.commit()


def _rows_total(import_id):
    return db.session.scalar(select(MemberImport.rows_total).where(MemberImport.id == import_id))


def _finish(import_id, attempt, status, **values):
    """The end, in the same transaction as the writes: status, counts or errors; the upload is dropped."""
    now = utcnow()
    done = db.session.execute(_guarded(import_id, attempt).values(status=status, phase=None, finished_at=now,
                                                                  heartbeat_at=now, **values))
    if done.rowcount != 1:
        raise _Superseded
    db.session.execute(delete(MemberImportUpload).where(MemberImportUpload.import_id == import_id))
    record(f"member_import.{status}", get_import(import_id), created=values.get("created"),
           updated=values.get("updated"), errors=values.get("errors_total"))
    db.session.commit()
    return status


@periodic(every_seconds=60)
def requeue_stale_imports():
    """Across tenants: queued imports a lost Redis dropped, running ones whose worker died (given up after
    MAX_ATTEMPTS claims). Each is moved by a guarded UPDATE on its heartbeat, so two sweeps queue it once."""
    now = utcnow()
    stale = db.session.execute(select(
        MemberImport.id, MemberImport.tenant_id, MemberImport.status, MemberImport.attempts, MemberImport.heartbeat_at)
        .where(or_(and_(MemberImport.status == "queued", MemberImport.heartbeat_at < now - STALE_QUEUED),
                   and_(MemberImport.status == "running", MemberImport.heartbeat_at < now - STALE_RUNNING)))).all()
    requeued = []
    for import_id, tenant_id, status, attempts, heartbeat in stale:
        give_up = status == "running" and attempts >= MAX_ATTEMPTS
        values = ({"status": "failed", "finished_at": now, "errors_total": 1, "errors": [
                      {"row": None, "field": None,
                       "message": f"The import stopped {attempts} times without finishing; nothing was imported."}]}
                  if give_up else {"status": "queued"})
        moved = db.session.execute(update(MemberImport).where(
            MemberImport.id == import_id, MemberImport.status == status, MemberImport.heartbeat_at == heartbeat)
            .values(phase=None, heartbeat_at=now, **values))
        if moved.rowcount == 1 and give_up:
            db.session.execute(delete(MemberImportUpload).where(MemberImportUpload.import_id == import_id))
        elif moved.rowcount == 1:
            requeued.append((tenant_id, import_id))
        db.session.commit()
    for tenant_id, import_id in requeued:
        run_import.enqueue(tenant_id, import_id, job_id=job_id(tenant_id, import_id))
    return len(requeued)

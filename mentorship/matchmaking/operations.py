"""Cohort match runs (SPEC §5): queue a run for a worker (tasks.py), read the result."""
from flask import current_app
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import defer

from mentorship.errors import Invalid, NotFound
from mentorship.extensions import db
from mentorship.matchmaking.models import MatchRun
from mentorship.matchmaking.schemas import MatchRunSchema
from mentorship.matchmaking.tasks import job_id, run_match
from mentorship.members.models import Member
from mentorship.tenancy.audit import record


def _check_ids(ids, role, field):
    if ids is None:
        return None
    ids = list(dict.fromkeys(ids))
    found = set()
    for i in range(0, len(ids), 1000):
        chunk = ids[i:i + 1000]
        found.update(db.session.scalars(select(Member.id).where(
            Member.id.in_(chunk), Member.role == role, Member.erased_at.is_(None))))
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise Invalid(f"Some ids are not {role}s of this tenant.",
                      errors={field: [f"Not a {role} of this tenant: {unknown[:20]}"]})
    return ids


def queue_match_run(data):
    """Record a queued run and hand it to a worker; returns the run."""
    run = MatchRun(strategy=data["strategy"], min_score=data["min_score"], status="queued",
                   requested_mentee_ids=_check_ids(data.get("mentee_ids"), "mentee", "mentee_ids"),
                   requested_mentor_ids=_check_ids(data.get("mentor_ids"), "mentor", "mentor_ids"))
    db.session.add(run)
    db.session.flush()
    record("match_run.queued", run, strategy=run.strategy)
    db.session.commit()
    run_match.enqueue_or_leave_for_sweep(run.tenant_id, run.id, job_id=job_id(run))  # still queued if not
    return run


def get_match_run(run_id):
    run = db.session.scalar(select(MatchRun).where(MatchRun.id == run_id))
    if run is None:
        raise NotFound("No such match run.")
    return run


# a run's lists that tasks._finish stores in MatchRunSchema's shape (StoredList): tens of thousands of entries
STORED_LISTS = ("assignments", "unmatched_mentee_ids", "unmatched")


def match_run_body(run_id) -> str:
    """GET /match-runs/{id}'s JSON: MatchRunSchema's dump of the run, with the stored lists spliced in as the JSON
    text the database holds: a run of 50,000 mentees holds 17 MB of them, which the driver would parse and Flask
    write again (half a second of the request). One statement, so the lists are those of the status read with them.
    """
    lists = [getattr(MatchRun, name) for name in STORED_LISTS]
    row = db.session.execute(select(MatchRun, *(cast(column, Text) for column in lists))
                             .options(*(defer(column, raiseload=True) for column in lists))
                             .where(MatchRun.id == run_id)).first()
    if row is None:
        raise NotFound("No such match run.")
    run, *texts = row
    rest = MatchRunSchema(exclude=STORED_LISTS).dump(run)
    for name in STORED_LISTS:
        rest.pop(name, None)  # (the schema's post_dump puts [] back)
    head = current_app.json.dumps(rest)
    texts = ("[]" if text in (None, "null") else text for text in texts)  # SQL or JSON null: none yet
    return head[:-1] + "".join(f', "{name}": {text}' for name, text in zip(STORED_LISTS, texts, strict=True)) + "}"


def match_runs_query(args):
    """The tenant's runs, newest first, by status."""
    query = select(MatchRun).order_by(MatchRun.id.desc())
    if "status" in args:
        query = query.where(MatchRun.status == args["status"])
    return query


def recent_match_runs(limit=20):
    """The newest runs first (the career office's dashboard), without their assignments and unmatched lists: a run
    of 50,000 mentees holds ~17 MB of them, and the dashboard shows each run's stats only."""
    return db.session.scalars(select(MatchRun).options(*(defer(column, raiseload=True) for column in (
        MatchRun.assignments, MatchRun.unmatched, MatchRun.unmatched_mentee_ids)))
        .order_by(MatchRun.id.desc()).limit(limit)).all()

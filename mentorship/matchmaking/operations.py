"""Cohort match runs (SPEC §5): queue a run for a worker (tasks.py), read the result."""
from flask import current_app
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import defer

from mentorship.database import page_select
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
    row = db.session.execute(_with_stored_texts(select(MatchRun)).where(MatchRun.id == run_id)).first()
    if row is None:
        raise NotFound("No such match run.")
    run, *texts = row
    return _spliced(_head(run), texts)


def match_runs_page(args):
    """GET /match-runs' JSON, as pieces of text to send one after another: the SPEC's page envelope around the runs,
    each written as match_run_body writes it. Dumped by the schema, a page of twelve 50,000-mentee runs took 6.2 s
    and 1.5 GB of memory (their lists parsed, then written again; bench/RESULTS.md §25). Everything is read here,
    in the request; the pieces only join text, each run's as it is sent."""
    total, page = page_select(match_runs_query(args), args)
    rows = db.session.execute(_with_stored_texts(page)).all()
    heads, texts = [_head(run) for run, *_ in rows], [lists for _, *lists in rows]
    del rows
    tail = "], " + current_app.json.dumps({"page": args["page"], "per_page": args["per_page"], "total": total})[1:]

    def pieces():
        yield '{"items": ['
        for n, head in enumerate(heads):
            lists, texts[n] = texts[n], None  # each run's text is let go once sent
            yield (", " if n else "") + _spliced(head, lists)
        yield tail

    return pieces()


def _with_stored_texts(query):
    """A SELECT of MatchRun rows with, beside each, its STORED_LISTS as the database's JSON text (not loaded)."""
    lists = [getattr(MatchRun, name) for name in STORED_LISTS]
    return query.add_columns(*(cast(column, Text) for column in lists)).options(
        *(defer(column, raiseload=True) for column in lists))


def _head(run) -> str:
    """The schema's JSON of the run without its stored lists."""
    rest = MatchRunSchema(exclude=STORED_LISTS).dump(run)
    for name in STORED_LISTS:
        rest.pop(name, None)  # (the schema's post_dump puts [] back)
    return current_app.json.dumps(rest)


def _spliced(head, texts) -> str:
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

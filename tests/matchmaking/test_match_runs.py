from datetime import timedelta

import pytest
from sqlalchemy import update

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.jobs.runner import LocalBackend
from mentorship.jobs.schedule import sweep
from mentorship.matchmaking.models import MatchRun
from mentorship.tenancy.scope import tenant_scope
from tests.factories import ApiClient, make_member, run_worker, wait_local_jobs, wipe_redis

DOMAINS = ["finance/credit-risk", "software/backend", "data/analytics"]


def _cohort(app, tenant):
    mentors = [make_member(app, tenant, role="mentor", domains=[d], capacity=c, school=f"School {i}")
               for i, (d, c) in enumerate(zip(DOMAINS, (1, 2, 1), strict=True))]
    mentees = [make_member(app, tenant, domains=[DOMAINS[i % 3]], school=f"School {i % 2}") for i in range(6)]
    return mentees, mentors


def _check(run, mentees, mentors):
    assert run["status"] == "succeeded", run
    pairs = run["assignments"]
    assert {p["mentee_id"] for p in pairs} | set(run["unmatched_mentee_ids"]) == set(mentees)
    per_mentor = {}
    for p in pairs:
        per_mentor[p["mentor_id"]] = per_mentor.get(p["mentor_id"], 0) + 1
        assert p["score"] >= 0.2 and p["reasons"]
    assert per_mentor.get(mentors[0], 0) <= 1 and per_mentor.get(mentors[1], 0) <= 2
    assert run["stats"]["matched"] == len(pairs) <= 4
    assert run["stats"]["mentees"] == 6 and run["stats"]["mentors"] == 3


def test_match_run_through_rq_worker_and_in_process_give_the_same_assignments(app, admin, tenant, rq_backend):
    mentees, mentors = _cohort(app, tenant)
    queued = admin.post("/api/v1/match-runs", json={"strategy": "optimal", "min_score": 0.2})
    assert queued.status_code == 202 and queued.json["status"] == "queued"
    assert admin.get(f"/api/v1/match-runs/{queued.json['id']}").json["status"] == "queued"
    run_worker(rq_backend)
    via_rq = admin.get(f"/api/v1/match-runs/{queued.json['id']}").json
    _check(via_rq, mentees, mentors)

    app.extensions["jobs"] = LocalBackend(autostart=False)
    try:
        second = admin.post("/api/v1/match-runs", json={"strategy": "optimal", "min_score": 0.2}).json
        wait_local_jobs(app)
    finally:
        app.extensions["jobs"] = rq_backend
    in_process = admin.get(f"/api/v1/match-runs/{second['id']}").json
    _check(in_process, mentees, mentors)
    assert in_process["assignments"] == via_rq["assignments"]


def test_stable_strategy_and_explicit_cohort(app, admin, tenant):
    mentees, mentors = _cohort(app, tenant)
    run = admin.post("/api/v1/match-runs", json={"strategy": "stable", "mentee_ids": mentees[:3],
                                                 "mentor_ids": mentors[:2]}).json
    wait_local_jobs(app)
    got = admin.get(f"/api/v1/match-runs/{run['id']}").json
    assert got["status"] == "succeeded" and got["strategy"] == "stable"
    assert {p["mentor_id"] for p in got["assignments"]} <= set(mentors[:2])
    assert {p["mentee_id"] for p in got["assignments"]} | set(got["unmatched_mentee_ids"]) == set(mentees[:3])


def test_stored_lists_are_served_as_the_schema_would_build_them(app, admin, tenant):
    """assignments and unmatched are dumped as stored (StoredList): what is stored must already be the documented
    shape, element by element, or clients would see fields the schema does not describe."""
    from mentorship.matchmaking.schemas import AssignmentSchema, UnmatchedSchema

    _cohort(app, tenant)
    run = admin.post("/api/v1/match-runs", json={}).json  # 6 mentees, room for 4: some unmatched
    wait_local_jobs(app)
    got = admin.get(f"/api/v1/match-runs/{run['id']}").json
    assert got["status"] == "succeeded" and got["assignments"] and got["unmatched"]
    assert got["assignments"] == AssignmentSchema(many=True).dump(got["assignments"])
    assert got["unmatched"] == UnmatchedSchema(many=True).dump(got["unmatched"])
    assert got["unmatched_mentee_ids"] == [u["mentee_id"] for u in got["unmatched"]]
    listed = admin.get("/api/v1/match-runs").json["items"]
    assert [r for r in listed if r["id"] == run["id"]] == [got]


def _schema_page(app, tenant, **args):
    """What GET /match-runs served before its runs were spliced in as stored text: the page schema's dump of the
    page of MatchRun objects."""
    from mentorship.common.schemas import page_of
    from mentorship.database import paginate
    from mentorship.matchmaking.operations import match_runs_query
    from mentorship.matchmaking.schemas import MatchRunSchema

    args = {"page": 1, "per_page": 20, **args}
    with app.app_context(), tenant_scope(tenant.id):
        return page_of(MatchRunSchema)().dump(paginate(match_runs_query(args), args))


def test_a_run_read_alone_or_listed_is_the_schema_dump_in_every_status(app, admin, tenant, monkeypatch):
    """GET /match-runs/{id} and GET /match-runs splice the stored lists' JSON text into the schema's dump of the
    rest: the same JSON as the schema's dump of the whole run, queued (no lists yet), succeeded and failed, on every
    page and filter of the list."""
    import mentorship.matchmaking.tasks as tasks

    _cohort(app, tenant)

    def same_as_listed(run_id):
        got = admin.get(f"/api/v1/match-runs/{run_id}")
        assert got.status_code == 200 and got.mimetype == "application/json"
        listed = admin.get("/api/v1/match-runs")
        assert listed.status_code == 200 and listed.mimetype == "application/json"
        assert [r for r in listed.json["items"] if r["id"] == run_id] == [got.json]
        assert listed.json == _schema_page(app, tenant)
        return got.json

    queued = admin.post("/api/v1/match-runs", json={}).json
    got = same_as_listed(queued["id"])
    assert got["status"] == "queued" and got["assignments"] == got["unmatched"] == got["unmatched_mentee_ids"] == []
    wait_local_jobs(app)
    got = same_as_listed(queued["id"])
    assert got["status"] == "succeeded" and got["assignments"] and got["unmatched"]
    monkeypatch.setattr(tasks, "candidate_graph", lambda *args, **kwargs: 1 / 0)
    failed = admin.post("/api/v1/match-runs", json={}).json
    wait_local_jobs(app)
    got = same_as_listed(failed["id"])
    assert got["status"] == "failed" and got["assignments"] == [] and "ZeroDivisionError" in got["error"]
    for query in ({"per_page": 1}, {"per_page": 1, "page": 2}, {"per_page": 2, "page": 2}, {"page": 9},
                  {"status": "succeeded"}, {"status": "failed", "per_page": 1}, {"status": "running"}):
        listed = admin.get("/api/v1/match-runs", query_string=query)
        assert listed.status_code == 200 and listed.json == _schema_page(app, tenant, **query), query
    assert admin.get(f"/api/v1/match-runs/{failed['id'] + 1000}").status_code == 404


def test_failed_run_says_why(app, admin, tenant, monkeypatch):
    import mentorship.matchmaking.tasks as tasks

    _cohort(app, tenant)

    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(tasks, "candidate_graph", broken)
    run = admin.post("/api/v1/match-runs", json={}).json
    wait_local_jobs(app)
    got = admin.get(f"/api/v1/match-runs/{run['id']}").json
    assert got["status"] == "failed"
    assert "solver exploded" in got["error"]


def test_job_is_idempotent(app, admin, tenant):
    from mentorship.matchmaking.tasks import run_match

    _cohort(app, tenant)
    run = admin.post("/api/v1/match-runs", json={}).json
    wait_local_jobs(app)
    first = admin.get(f"/api/v1/match-runs/{run['id']}").json
    from mentorship.jobs.runner import execute

    assert execute(run_match.name, tenant.id, run["id"]) == "skipped"
    assert admin.get(f"/api/v1/match-runs/{run['id']}").json == first


def test_sweep_requeues_a_run_that_redis_lost(app, admin, tenant, rq_backend):
    _cohort(app, tenant)
    run = admin.post("/api/v1/match-runs", json={}).json
    wipe_redis(rq_backend)  # Redis restarted: the queued job is gone
    run_worker(rq_backend)
    assert admin.get(f"/api/v1/match-runs/{run['id']}").json["status"] == "queued"
    with app.app_context(), tenant_scope(tenant.id):
        db.session.execute(update(MatchRun).values(created_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
    with app.app_context():
        assert sweep()["requeue_stale_match_runs"] == 1
    run_worker(rq_backend)
    assert admin.get(f"/api/v1/match-runs/{run['id']}").json["status"] == "succeeded"


@pytest.mark.parametrize("body, field", [
    ({"strategy": "random"}, "strategy"),
    ({"min_score": 1.5}, "min_score"),
    ({"mentee_ids": []}, "mentee_ids"),
    ({"mentee_ids": [999999]}, "mentee_ids"),
    ({"surprise": True}, "surprise"),
])
def test_match_run_validation(admin, body, field):
    r = admin.post("/api/v1/match-runs", json=body)
    assert r.status_code == 422
    assert field in r.json["errors"]


def test_mentor_ids_given_as_mentees_are_refused(app, admin, tenant):
    mentor = make_member(app, tenant, role="mentor")
    r = admin.post("/api/v1/match-runs", json={"mentee_ids": [mentor]})
    assert r.status_code == 422 and "mentee_ids" in r.json["errors"]


def test_match_runs_are_for_the_career_office(app, admin, tenant):
    partner = ApiClient(app.test_client(), admin.post("/api/v1/api-keys", json={"name": "p", "kind": "partner"})
                        .json["secret"])
    assert partner.post("/api/v1/match-runs", json={}).status_code == 403
    run = admin.post("/api/v1/match-runs", json={}).json
    wait_local_jobs(app)
    assert partner.get(f"/api/v1/match-runs/{run['id']}").status_code == 403


def test_a_cohort_of_many_ids_loads_without_one_huge_in_list(app, tenant):
    """70,000 ids (the API allows 100,000) exceed PostgreSQL's 65,535 bound parameters as an IN list."""
    from mentorship.matchmaking.eligibility import READINESS_COLUMNS, _members
    from mentorship.matchmaking.profiles import profiles_of

    wanted = make_member(app, tenant)
    make_member(app, tenant)
    many = [wanted, *range(10**6, 10**6 + 70_000)]
    with app.app_context(), tenant_scope(tenant.id):
        assert [m.id for m in _members("mentee", many, READINESS_COLUMNS, 0)] == [wanted]
        assert [profile.id for profile in profiles_of(many)] == [wanted]  # read in chunks

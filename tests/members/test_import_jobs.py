"""CSV imports over IMPORT_SYNC_MAX_ROWS run as jobs: 202, progress while polling, atomic, idempotent, swept."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.jobs.runner import execute
from mentorship.jobs.schedule import sweep
from mentorship.members import import_jobs
from mentorship.members.models import MemberImport, MemberImportUpload
from mentorship.tenancy.scope import tenant_scope
from tests.factories import ApiClient, make_member, run_worker, wait_local_jobs, wipe_redis
from tests.members.test_import import HEADER, _csv, _post, _row


@pytest.fixture(autouse=True)
def small_limits(app, monkeypatch):
    """Jobs from 6 rows on, progress every 2 rows, so a test's file makes several batches."""
    monkeypatch.setitem(app.config, "IMPORT_SYNC_MAX_ROWS", 5)
    monkeypatch.setitem(app.config, "IMPORT_BATCH_ROWS", 2)


def _rows(n, **kw):
    return [_row(email=f"m{i}@example.com", name=f"Mentor {i}", **kw) for i in range(n)]


def _total(admin):
    return admin.get("/api/v1/members").json["total"]


def _uploads(app, tenant):
    with app.app_context(), tenant_scope(tenant.id):
        return db.session.scalar(select(func.count()).select_from(MemberImportUpload))


def test_big_file_is_a_job_and_polling_shows_progress(app, admin, tenant, monkeypatch):
    queued = _post(admin, _csv(_rows(7)))
    assert queued.status_code == 202, queued.json
    body = queued.json
    assert body["status"] == "queued" and body["rows_total"] == 7 and body["rows_done"] == 0
    assert queued.headers["Location"] == f"/api/v1/members/imports/{body['id']}"
    assert admin.get(queued.headers["Location"]).json == body
    assert _total(admin) == 0 and _uploads(app, tenant) == 1

    seen, commit = [], import_jobs._update

    def poll_after_commit(*args, **kwargs):  # what a client polling meanwhile gets, after each progress commit
        commit(*args, **kwargs)
        got = admin.get(queued.headers["Location"]).json
        seen.append((got["status"], got["phase"], got["rows_done"]))

    monkeypatch.setattr(import_jobs, "_update", poll_after_commit)
    wait_local_jobs(app)
    assert seen == [("running", "validating", 2), ("running", "validating", 4), ("running", "validating", 6),
                    ("running", "writing", 7)]
    done = admin.get(queued.headers["Location"]).json
    assert done["status"] == "succeeded" and done["phase"] is None and done["errors"] is None
    assert (done["created"], done["updated"], done["rows_done"]) == (7, 0, 7)
    assert _total(admin) == 7 and _uploads(app, tenant) == 0

    again = _post(admin, _csv(_rows(7, headline="Head of risk") + [_row(email="new@example.com")]))
    wait_local_jobs(app)
    got = admin.get(again.headers["Location"]).json
    assert (got["status"], got["created"], got["updated"]) == ("succeeded", 1, 7)
    members = admin.get("/api/v1/members?per_page=100").json["items"]
    assert {m["headline"] for m in members if m["email"].startswith("m")} == {"Head of risk"}
    audit = admin.get("/api/v1/audit-events?object_type=members&per_page=100").json["items"]
    assert sum(e["action"] == "member.created" for e in audit) == 8
    assert sum(e["action"] == "member.updated" for e in audit) == 7


def test_an_invalid_row_anywhere_fails_the_job_and_imports_nothing(app, admin, tenant):
    make_member(app, tenant, email="mentee@example.com")  # an existing mentee; the file says mentor
    rows = _rows(9) + [_row(email="mentee@example.com"), _row(email="bad-address")] + _rows(3)
    r = _post(admin, _csv(rows))
    assert r.status_code == 202
    wait_local_jobs(app)
    got = admin.get(r.headers["Location"]).json
    assert got["status"] == "failed" and got["created"] is None and got["rows_done"] == 14
    assert {(e["row"], e["field"]) for e in got["errors"]} == {(11, "role"), (12, "email"), (13, "email"),
                                                               (14, "email"), (15, "email")}
    assert "Same e-mail as row 2" in next(e["message"] for e in got["errors"] if e["row"] == 13)
    assert got["errors_total"] == 5
    assert _total(admin) == 1 and _uploads(app, tenant) == 0


def test_errors_kept_are_capped_and_counted(app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ERRORS", 3)
    r = _post(admin, _csv([_row(email=f"bad{i}", timezone="Mars/Base") for i in range(8)]))
    wait_local_jobs(app)
    got = admin.get(r.headers["Location"]).json
    assert got["status"] == "failed" and got["errors_total"] == 16
    assert [e["row"] for e in got["errors"]] == [2, 2, 3]


def test_running_the_job_again_does_nothing(app, admin, tenant):
    r = _post(admin, _csv(_rows(6)))
    wait_local_jobs(app)
    first = admin.get(r.headers["Location"]).json
    assert first["status"] == "succeeded"
    assert execute(import_jobs.run_import.name, tenant.id, r.json["id"]) == "skipped"
    assert admin.get(r.headers["Location"]).json == first
    assert _total(admin) == 6


def test_a_superseded_run_writes_nothing(app, admin, tenant, monkeypatch):
    """The sweep re-queued the import while its first run was still alive: only the latest claim may finish."""
    r = _post(admin, _csv(_rows(6)))
    stale_claim = import_jobs._claim

    def claim_then_lose_it(import_id):
        attempt = stale_claim(import_id)
        db.session.execute(update(MemberImport).values(attempts=MemberImport.attempts + 1))
        return attempt

    monkeypatch.setattr(import_jobs, "_claim", claim_then_lose_it)
    with app.app_context(), tenant_scope(tenant.id):
        assert import_jobs.run_import(tenant.id, r.json["id"]) == "superseded"
    assert admin.get(r.headers["Location"]).json["status"] == "running" and _total(admin) == 0


def test_sweep_requeues_an_import_whose_worker_died_once(app, admin, tenant):
    r = _post(admin, _csv(_rows(6)))
    app.extensions["jobs"].items.get()  # the worker took the job, claimed it and died
    app.extensions["jobs"].items.task_done()
    with app.app_context(), tenant_scope(tenant.id):
        assert import_jobs._claim(r.json["id"]) == 1
        with app.app_context():
            assert sweep()["requeue_stale_imports"] == 0  # alive as far as anyone can tell
        db.session.execute(update(MemberImport).values(heartbeat_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
    with app.app_context():
        assert sweep()["requeue_stale_imports"] == 1
        assert sweep()["requeue_stale_imports"] == 0
    assert admin.get(r.headers["Location"]).json["status"] == "queued"
    wait_local_jobs(app)
    got = admin.get(r.headers["Location"]).json
    assert (got["status"], got["created"]) == ("succeeded", 6) and _total(admin) == 6
    with app.app_context(), tenant_scope(tenant.id):
        assert db.session.scalar(select(MemberImport.attempts)) == 2


def test_sweep_gives_up_after_max_attempts(app, admin, tenant):
    r = _post(admin, _csv(_rows(6)))
    with app.app_context(), tenant_scope(tenant.id):
        db.session.execute(update(MemberImport).values(status="running", attempts=import_jobs.MAX_ATTEMPTS,
                                                       heartbeat_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    with app.app_context():
        assert sweep()["requeue_stale_imports"] == 0
    got = admin.get(r.headers["Location"]).json
    assert got["status"] == "failed" and "stopped 3 times" in got["errors"][0]["message"]
    assert _uploads(app, tenant) == 0 and _total(admin) == 0


def test_import_job_through_a_real_rq_worker(app, admin, tenant, rq_backend):
    r = _post(admin, _csv(_rows(6)))
    assert r.status_code == 202
    run_worker(rq_backend)
    got = admin.get(r.headers["Location"]).json
    assert (got["status"], got["created"], got["rows_done"]) == ("succeeded", 6, 6)


def test_sweep_requeues_an_import_redis_lost(app, admin, tenant, rq_backend):
    r = _post(admin, _csv(_rows(6)))
    wipe_redis(rq_backend)
    run_worker(rq_backend)
    assert admin.get(r.headers["Location"]).json["status"] == "queued"
    with app.app_context(), tenant_scope(tenant.id):
        db.session.execute(update(MemberImport).values(heartbeat_at=utcnow() - timedelta(minutes=3)))
        db.session.commit()
    with app.app_context():
        assert sweep()["requeue_stale_imports"] == 1
    run_worker(rq_backend)
    assert admin.get(r.headers["Location"]).json["status"] == "succeeded" and _total(admin) == 6


def test_at_the_threshold_and_bad_files_stay_synchronous(admin):
    r = _post(admin, _csv(_rows(5)))
    assert r.status_code == 200 and r.json == {"created": 5, "updated": 0}
    r = _post(admin, _csv(_rows(8), header=[h if h != "title" else "titel" for h in HEADER]))
    assert r.status_code == 422 and r.json["errors"][0] == {"row": 1, "field": "titel", "message": "Unknown column."}
    r = _post(admin, "role,name,email,timezone\n" + "mentor,A,a@example.com,UTC\n" * 6 + "mentor,B\rx,b,UTC\n")
    assert r.status_code == 422 and r.json["errors"][0]["row"] == 8
    assert _total(admin) == 5


def test_import_jobs_are_the_tenants_own(app, admin, other_admin, tenant):
    r = _post(admin, _csv(_rows(6)))
    assert other_admin.get(r.headers["Location"]).status_code == 404
    assert admin.get("/api/v1/members/imports/999999").status_code == 404
    partner = ApiClient(app.test_client(), admin.post("/api/v1/api-keys", json={"name": "portal", "kind": "partner"})
                        .json["secret"])
    assert partner.get(r.headers["Location"]).status_code == 200  # the same credentials as the import itself
    mentor = make_member(app, tenant, role="mentor")
    token = ApiClient(app.test_client(), admin.post(f"/api/v1/members/{mentor}/tokens", json={}).json["token"])
    assert token.get(r.headers["Location"]).status_code == 403
    assert _post(token, _csv(_rows(6))).status_code == 403


def test_the_upload_is_read_in_slices_across_multibyte_characters(app, admin, monkeypatch):
    monkeypatch.setattr(import_jobs._Upload, "SLICE", 7)  # splits "é" and "中" between slices
    r = _post(admin, _csv([_row(email=f"m{i}@example.com", name=f"Zoé 中文 {i}") for i in range(6)]))
    wait_local_jobs(app)
    assert admin.get(r.headers["Location"]).json["status"] == "succeeded"
    names = {m["name"] for m in admin.get("/api/v1/members?per_page=100").json["items"]}
    assert names == {f"Zoé 中文 {i}" for i in range(6)}

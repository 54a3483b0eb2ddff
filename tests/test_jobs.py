import threading

from mentorship.jobs import JOBS, job
from mentorship.jobs.runner import LocalBackend, execute
from tests.factories import run_worker

RAN = []


@job(queue="high")
def record_thread(tenant_id, value):
    RAN.append((tenant_id, value, threading.current_thread().name))


def test_local_backend_runs_jobs_on_a_background_thread(app):
    RAN.clear()
    backend = LocalBackend(autostart=True)
    spec = JOBS[record_thread.name]
    with app.app_context():
        backend.enqueue(spec, 7, (41,), None)
        assert backend.wait(timeout=10)
    assert RAN == [(7, 41, "mentorship-jobs")]


def test_the_same_job_runs_on_a_real_rq_worker(app, rq_backend):
    RAN.clear()
    with app.app_context():
        record_thread.enqueue(3, 99)
    assert rq_backend.queue("high").count == 1
    run_worker(rq_backend)
    assert RAN and RAN[0][:2] == (3, 99)


def test_rq_jobs_carry_a_retry(app, rq_backend):
    with app.app_context():
        enqueued = record_thread.enqueue(3, 1)
    assert enqueued.retries_left == 4


def test_execute_scopes_to_the_tenant(app, tenant):
    from flask import g

    seen = []

    @job()
    def which_tenant(tenant_id):
        seen.append(g.tenant_id)

    execute(which_tenant.name, tenant.id)
    assert seen == [tenant.id]

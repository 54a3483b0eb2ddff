"""Callable factories; the tenant is always a required argument."""
import itertools
from contextlib import contextmanager
from dataclasses import dataclass

from mentorship.tenancy import operations as tenancy_ops
from mentorship.tenancy.scope import tenant_scope, unscoped

_seq = itertools.count(1)

WEEK = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)]


@contextmanager
def sql_statements(app):
    """The SQL statements the app's engine sends while the block runs, as a list filled in meanwhile."""
    from sqlalchemy import event

    from mentorship.extensions import db

    seen = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


@dataclass
class TenantFixture:
    id: int
    slug: str
    admin_key: str


class ApiClient:
    """A test client that sends one credential and JSON."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, path, **kw):
        return self.client.get(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path, json=None, **kw):
        if json is None and "data" not in kw:
            json = {}
        return self.client.post(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, path, **kw):
        return self.client.delete(path, headers=self._headers(kw.pop("headers", None)), **kw)


def make_tenant(app, slug):
    with app.app_context(), unscoped():
        tenant, secret = tenancy_ops.create_tenant(f"{slug}-{next(_seq)}", slug.title())
        return TenantFixture(tenant.id, tenant.slug, secret)


BIO = ("I grew up in Lagos and came to study analytics because I like turning messy data into decisions. "
       "Last summer I interned on a pricing team and learned how much context matters behind every number.")


def mentee_payload(**overrides):
    n = next(_seq)
    data = {
        "role": "mentee", "name": f"Mentee {n}", "email": f"mentee{n}@example.edu",
        "headline": "MS Business Analytics student interested in pricing", "bio": BIO,
        "photo_url": f"https://example.edu/p/{n}.jpg", "domains": ["finance/credit-risk"],
        "goals": ["domain-knowledge", "career-plan"], "skills": ["python", "sql"], "languages": ["en"],
        "timezone": "America/New_York", "availability": WEEK, "international": True,
        "school": "Columbia University", "graduation_year": 2026, "needs_visa_sponsorship": True,
    }
    data.update(overrides)
    return data


def mentor_payload(**overrides):
    n = next(_seq)
    data = {
        "role": "mentor", "name": f"Mentor {n}", "email": f"mentor{n}@example.com",
        "headline": "Credit risk analyst at a commercial bank", "bio": BIO.replace("study analytics", "work in risk"),
        "photo_url": f"https://example.com/p/{n}.jpg", "domains": ["finance/credit-risk"],
        "goals": ["domain-knowledge", "career-plan", "visa-guidance"], "skills": ["sas", "python"],
        "languages": ["en", "zh"], "timezone": "America/New_York", "availability": WEEK, "international": True,
        "school": "Columbia University", "company": "Example Bank", "title": "Credit Risk Analyst",
        "years_experience": 5, "capacity": 3, "company_sponsors_visa": True,
    }
    data.update(overrides)
    return data


def make_member(app, tenant, **overrides):
    """Create a member in `tenant` through the operations layer; returns its id."""
    from mentorship.members.operations import create_member
    from mentorship.members.schemas import MemberInSchema

    role = overrides.pop("role", "mentee")
    payload = (mentor_payload if role == "mentor" else mentee_payload)(**overrides)
    with app.app_context(), tenant_scope(tenant.id):
        return create_member(MemberInSchema().load(payload)).id


def run_worker(backend):
    """A real RQ worker (SimpleWorker) in this process until the queues are empty."""
    from rq import SimpleWorker

    from mentorship.jobs.registry import QUEUES

    SimpleWorker([backend.queue(name) for name in QUEUES], connection=backend.redis).work(burst=True)


def wait_local_jobs(app):
    """Wait for the in-process job thread to finish what is queued."""
    assert app.extensions["jobs"].wait(timeout=60), "in-process jobs did not finish"


def wipe_redis(backend):
    """What a Redis restart without persistence does, limited to this test run's keys: every queue, registry
    and job of our queue prefix is gone. (Other test runs on the same machine share the Redis database.)"""
    from rq.job import Job

    from mentorship.jobs.registry import QUEUES

    job_ids = set()
    for name in QUEUES:
        queue = backend.queue(name)
        job_ids.update(queue.job_ids)
        for registry in (queue.started_job_registry, queue.failed_job_registry, queue.scheduled_job_registry,
                         queue.finished_job_registry, queue.deferred_job_registry):
            job_ids.update(registry.get_job_ids())
    keys = [Job.key_for(job_id) for job_id in job_ids] + list(backend.redis.scan_iter(f"*{backend.prefix}*"))
    if keys:
        backend.redis.delete(*keys)


@contextmanager
def smtp_server(app, handler, **config):
    """A real SMTP server (aiosmtpd) on a free local port running `handler`; MAIL_URL (and `config`) point the app
    at it until the block ends."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings = {"MAIL_URL": f"smtp://127.0.0.1:{port}", **config}
    previous = {name: app.config[name] for name in settings}
    app.config.update(settings)
    try:
        yield handler
    finally:
        app.config.update(previous)
        controller.stop()


@contextmanager
def committed_tenant(app, label):
    """A tenant committed for real (a worker process must see its rows), deleted afterwards with everything it holds:
    (tenant id, an admin ApiClient)."""
    import os
    import time

    from mentorship.extensions import db
    from mentorship.tenancy.models import Tenant

    with app.app_context(), unscoped():
        tenant, secret = tenancy_ops.create_tenant(f"{label}-{os.getpid()}-{time.monotonic_ns()}", label)
        tenant_id = tenant.id
    try:
        yield tenant_id, ApiClient(app.test_client(), secret)
    finally:
        with app.app_context(), unscoped():
            db.session.delete(db.session.get(Tenant, tenant_id))
            db.session.commit()
            db.session.remove()

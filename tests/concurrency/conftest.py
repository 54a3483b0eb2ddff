"""Real parallel requests (SPEC §2 "Concurrency"): the app served over HTTP by a threaded server on PostgreSQL, and
N clients released together by a barrier, each on its own connection. These tests commit for real (not the suite's
rolled-back connection) and delete their tenant afterwards."""
import http.client
import json
import os
import random
import string
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from mentorship import create_app
from mentorship.config import TestConfig
from mentorship.extensions import db
from mentorship.tenancy.models import Tenant
from mentorship.tenancy.operations import create_tenant
from mentorship.tenancy.scope import unscoped
from tests.factories import mentee_payload, mentor_payload

URL = os.environ.get("TEST_DATABASE_URL", "")
N = 20  # simultaneous requests per race
ROUNDS = 5


def pytest_collection_modifyitems(config, items):
    if not URL.startswith("postgresql"):
        skip = pytest.mark.skip(reason="parallel transactions need PostgreSQL (TEST_DATABASE_URL)")
        for item in items:
            if "tests/concurrency/" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture
def _rolled_back():
    """Overrides the suite's shared rolled-back connection: every request here has its own."""
    yield


@dataclass
class Served:
    app: object
    port: int

    def call(self, method, path, secret, body=None):
        """(status, JSON body) of one request on a connection of its own."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            payload = None if body is None else json.dumps(body)
            headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None)
        finally:
            connection.close()


@pytest.fixture(scope="module")
def served(app):  # `app` ran the migrations on this database
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = URL
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": N + 5, "max_overflow": 10, "pool_pre_ping": True}

    live = create_app(Config)
    server = make_server("127.0.0.1", 0, live, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(live, server.server_port)
    server.shutdown()
    thread.join(10)
    with live.app_context():
        db.session.remove()
        db.engine.dispose()


@dataclass
class Office:
    """A tenant of its own, driven over HTTP with its admin key."""

    served: Served
    tenant_id: int
    secret: str

    def ok(self, method, path, body=None, secret=None, status=(200, 201, 202)):
        got, answer = self.served.call(method, path, secret or self.secret, body)
        assert got in ((status,) if isinstance(status, int) else status), (method, path, got, answer)
        return answer

    def member(self, role="mentee", **fields):
        payload = (mentor_payload if role == "mentor" else mentee_payload)(**fields)
        return self.ok("POST", "/api/v1/members", payload)

    def token(self, member):
        return self.ok("POST", f"/api/v1/members/{member['id']}/tokens")["token"]

    def mentorship(self, mentee, mentor, mentor_token):
        intro = self.ok("POST", "/api/v1/intros", {"mentee_id": mentee["id"], "mentor_id": mentor["id"],
                                                   "message": message(mentee, mentor)})
        return self.ok("POST", f"/api/v1/intros/{intro['id']}/accept", secret=mentor_token)["mentorship_id"]

    def notifications(self, member_id):
        items = self.ok("GET", f"/api/v1/notifications?member_id={member_id}&per_page=100")["items"]
        return [n["event"] for n in items]


@pytest.fixture
def office(served):
    with served.app.app_context(), unscoped():
        tenant, secret = create_tenant(f"race-{os.getpid()}-{random.randrange(10**9)}", "Race Office")
        tenant_id = tenant.id
    yield Office(served, tenant_id, secret)
    with served.app.app_context(), unscoped():
        db.session.delete(db.session.get(Tenant, tenant_id))
        db.session.commit()


def message(mentee, mentor):
    """A first message the coach lets through, unlike any other (so no script is suspected): personal to the mentor,
    with a long run of words drawn for this pair."""
    draw = random.Random(f"{mentee['id']}-{mentor['id']}")
    words = " ".join("".join(draw.choices(string.ascii_lowercase, k=draw.randint(4, 9))) for _ in range(45))
    return (f"Hi {mentor['name']}, your work as a {mentor['title']} at {mentor['company']} with "
            f"{mentor['skills'][0]} is why I write. My notes from this term read: {words}. "
            "How does your team decide when a model is good enough?")


def race(n, request):
    """Run request(i) for i in range(n) on n threads released together; returns their results in order."""
    barrier, results = threading.Barrier(n), [None] * n

    def run(i):
        barrier.wait()
        results[i] = request(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all(result is not None for result in results), "a request did not finish"
    return results


def codes(results):
    """(status, problem code) of each (status, body) result."""
    return [(status, (body or {}).get("code") if status >= 400 else None) for status, body in results]

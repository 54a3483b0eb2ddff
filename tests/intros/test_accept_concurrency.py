"""Issue 4: capacity is never exceeded, also under concurrency (PostgreSQL: real parallel transactions).

These tests commit for real through their own app (not the rolled-back test connection) and delete their tenant
afterwards.
"""
import os
import threading

import pytest

from mentorship import create_app
from mentorship.config import TestConfig
from mentorship.extensions import db
from mentorship.tenancy.scope import tenant_scope, unscoped
from tests.factories import ApiClient, mentee_payload, mentor_payload

PG = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
pytestmark = pytest.mark.skipif(not PG, reason="parallel transactions need PostgreSQL (TEST_DATABASE_URL)")


@pytest.fixture
def _rolled_back():
    """Overrides the suite's shared rolled-back connection: each request here needs its own connection."""
    yield


@pytest.fixture
def live_app(app):  # `app` ran the migrations on this database
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = os.environ["TEST_DATABASE_URL"]
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 35, "max_overflow": 0}

    live = create_app(Config)
    yield live
    with live.app_context():
        db.session.remove()
        db.engine.dispose()


def _seed(live, mentees):
    from mentorship.members.operations import create_member, get_member
    from mentorship.members.schemas import MemberInSchema
    from mentorship.outreach.operations import send_warm_intro
    from mentorship.tenancy.operations import create_tenant

    with live.app_context():
        with unscoped():
            tenant, secret = create_tenant(f"race-{os.getpid()}-{threading.get_ident()}", "Race")
        with tenant_scope(tenant.id):
            mentor = create_member(MemberInSchema().load(mentor_payload(capacity=3)))
            intro_ids = []
            for _ in range(mentees):
                mentee = create_member(MemberInSchema().load(mentee_payload()))
                intro_ids.append(send_warm_intro(get_member(mentee.id), get_member(mentor.id), "Warm intro.", None).id)
            db.session.commit()
            return tenant.id, secret, mentor.id, intro_ids  # in the scope: reading mentor.id reloads the row


def _drop(live, tenant_id):
    from mentorship.tenancy.models import Tenant

    with live.app_context(), unscoped():
        db.session.delete(db.session.get(Tenant, tenant_id))
        db.session.commit()


def test_thirty_concurrent_accepts_never_exceed_capacity(live_app):
    tenant_id, secret, mentor_id, intro_ids = _seed(live_app, 30)
    try:
        barrier, results = threading.Barrier(30), []

        def accept(intro_id):
            client = ApiClient(live_app.test_client(), secret)
            barrier.wait()
            r = client.post(f"/api/v1/intros/{intro_id}/accept")
            results.append((r.status_code, (r.get_json() or {}).get("code")))

        threads = [threading.Thread(target=accept, args=(i,)) for i in intro_ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert sorted(results).count((200, None)) == 3, results
        assert results.count((409, "mentor_at_capacity")) == 27, results
        admin = ApiClient(live_app.test_client(), secret)
        active = admin.get(f"/api/v1/mentorships?member_id={mentor_id}&status=active&per_page=100").json
        assert active["total"] == 3
        assert admin.get("/api/v1/intros?status=accepted").json["total"] == 3
        assert admin.get("/api/v1/intros?status=pending").json["total"] == 27
    finally:
        _drop(live_app, tenant_id)

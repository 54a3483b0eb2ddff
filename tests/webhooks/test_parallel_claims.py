"""A claim is one guarded statement: two workers claiming an endpoint's deliveries at the same moment, on
PostgreSQL (FOR UPDATE SKIP LOCKED), with real threads and a connection each, never get the same row. Rows are
committed for real (each thread has its own connection); the tenant is deleted afterwards."""
import threading
import time

import pytest
from sqlalchemy import select

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.tenancy.scope import tenant_scope
from mentorship.webhooks import delivery
from mentorship.webhooks.models import WebhookDelivery
from tests.factories import committed_tenant


@pytest.fixture
def _rolled_back():
    """Committed for real: the claiming threads each use a connection of their own."""
    yield


def _register(admin, url):
    r = admin.post("/api/v1/webhooks", json={"url": url, "events": ["member.created"]})
    assert r.status_code == 201, r.json
    return r.json


def test_two_workers_claiming_at_once_never_get_the_same_delivery(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite runs one writer at a time: the race is PostgreSQL's (FOR UPDATE SKIP LOCKED)")
    with committed_tenant(app, "claims") as (tenant_id, admin):
        hook = _register(admin, "http://127.0.0.1:9/x")
        with app.app_context(), tenant_scope(tenant_id):
            now = utcnow()
            db.session.add_all(WebhookDelivery(webhook_id=hook["id"], msg_id=f"msg_claim_{tenant_id}_{i}",
                                               event="member.created", body="{}", status="pending", attempts=0,
                                               next_attempt_at=now, created_at=now) for i in range(300))
            db.session.commit()
            # with statistics PostgreSQL plans the claim as it would on a table in use (the plan that once let one
            # claim take every row); ANALYZE runs outside a transaction block
            db.session.connection().exec_driver_sql("COMMIT")
            db.session.connection().exec_driver_sql("ANALYZE webhook_deliveries")
            db.session.remove()
        claimed, start = [[], []], threading.Barrier(2)
        holding = [threading.Event(), threading.Event()]
        errors = []

        def worker(me):
            mine = claimed[me]
            with app.app_context(), tenant_scope(tenant_id):
                db.session.connection()  # connected before the start: neither waits for a new connection
                start.wait()
                try:
                    while batch := delivery._claim(hook["id"], limit=7):
                        assert len(batch) <= 7, f"a claim of 7 took {len(batch)}"
                        mine.extend(row.id for row in batch)
                        # the first batches are held locked until the other worker holds one too: its claim had
                        # to skip locked rows (without SKIP LOCKED it would wait on them, and this would time out)
                        holding[me].set()
                        holding[1 - me].wait(20)
                        time.sleep(0.01)
                        db.session.commit()
                    db.session.commit()
                except Exception as exc:  # shown by the assertion below, not lost in the thread
                    errors.append(repr(exc))
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=worker, args=(me,)) for me in (0, 1)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors
        assert claimed[0] and claimed[1], "both workers claimed some"
        assert holding[0].is_set() and holding[1].is_set()
        assert time.monotonic() - began < 15, "a claim waited on the other worker's locked rows"
        assert not set(claimed[0]) & set(claimed[1]) and len(claimed[0]) + len(claimed[1]) == 300
        with app.app_context(), tenant_scope(tenant_id):
            statuses = set(db.session.scalars(select(WebhookDelivery.status)))
            db.session.remove()
        assert statuses == {"sending"}

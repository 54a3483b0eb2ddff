"""Deliveries drained per endpoint: one job sends every due delivery of an endpoint, oldest first, over one
kept-alive connection; a failed one does not hold back the others; a batch whose lease runs short hands the rest
back; queued `once`, a burst of events waits as one job."""
import json
import socket
import threading
import time

from mentorship.webhooks import delivery, sender, ssrf
from tests.factories import mentee_payload, run_worker, wait_local_jobs
from tests.webhooks.receiver import receiving


def _register(admin, url):
    r = admin.post("/api/v1/webhooks", json={"url": url, "events": ["member.created"]})
    assert r.status_code == 201, r.json
    return r.json


def _deliveries(admin, hook_id):
    return sorted(admin.get(f"/api/v1/webhooks/{hook_id}/deliveries").json["items"], key=lambda d: d["id"])


def test_one_job_sends_an_endpoints_deliveries_in_order_over_one_connection(app, admin):
    with receiving(keep_alive=True) as receiver:
        receiver.answer = lambda request, earlier: 500 if len(receiver.requests) == 2 else 200
        hook = _register(admin, receiver.url)
        members = [admin.post("/api/v1/members", json=mentee_payload()).json["id"] for _ in range(5)]
        # five events, one drain job waiting (jobs other tests left in the in-process queue are not counted)
        drains = [item for item in app.extensions["jobs"].items.queue if item[0] == delivery.drain.name]
        assert len(drains) == 1
        wait_local_jobs(app)
        sent = [json.loads(r.body)["data"]["member_id"] for r in receiver.requests]
        assert sent == members  # oldest first
        assert receiver.connections == 2  # kept alive; dropped after the 500, the rest went over a new one
        listed = _deliveries(admin, hook["id"])
        assert [(d["status"], d["attempts"]) for d in listed] == [("delivered", 1)] + [("pending", 1)] + [
            ("delivered", 1)] * 3  # the failed one holds back neither the sending nor the recording of the others


def test_a_batch_whose_lease_runs_short_hands_the_rest_back(app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_LEASE_SECONDS", 1)  # shorter than an answer may take
    with receiving() as receiver:
        receiver.answer = lambda request, earlier: 200
        hook = _register(admin, receiver.url)
        for _ in range(3):
            admin.post("/api/v1/members", json=mentee_payload())
        wait_local_jobs(app)  # each job sends one and queues a successor for the rest
        assert len(receiver.requests) == len(receiver.by_id()) == 3
        assert [(d["status"], d["attempts"]) for d in _deliveries(admin, hook["id"])] == [("delivered", 1)] * 3


def test_a_burst_of_events_waits_as_one_job_and_later_ones_get_their_own(app, admin, rq_backend):
    with receiving() as receiver:
        receiver.answer = lambda request, earlier: 200
        hook = _register(admin, receiver.url)
        for _ in range(4):
            admin.post("/api/v1/members", json=mentee_payload())
        queued = [job for job in rq_backend.queue("default").jobs if job.args[0].endswith(".drain")]
        assert len(queued) == 1 and queued[0].args[2] == hook["id"]
        run_worker(rq_backend)
        assert len(receiver.requests) == 4
        admin.post("/api/v1/members", json=mentee_payload())  # the waiting job has started: a new one is queued
        run_worker(rq_backend)
        assert len(receiver.requests) == len(receiver.by_id()) == 5
        assert {d["status"] for d in _deliveries(admin, hook["id"])} == {"delivered"}


def test_a_kept_connection_is_used_again_and_the_name_checked_again_when_resolved_again(monkeypatch):
    with receiving(keep_alive=True) as receiver:
        receiver.answer = lambda request, earlier: 204
        calls = []
        real_resolve = ssrf.resolve
        monkeypatch.setattr(ssrf, "resolve", lambda *a: calls.append(a) or real_resolve(*a))
        with sender.Session(allow_private=True) as session:
            outcomes = [session.post(receiver.url, "{}", {"webhook-id": f"msg_{i}"}) for i in range(3)]
            assert [o.status_code for o in outcomes] == [204] * 3
            assert receiver.connections == 1 and len(calls) == 1
            monkeypatch.setattr(sender, "KEEPALIVE_SECONDS", 0)  # kept too long: resolved, and checked, again
            assert session.post(receiver.url, "{}", {"webhook-id": "msg_3"}).ok
            assert receiver.connections == 2 and len(calls) == 2
        with sender.Session(allow_private=False) as session:  # the check applies on every resolution
            outcome = session.post(receiver.url, "{}", {"webhook-id": "msg_4"})
            assert not outcome.ok and outcome.error.startswith("refused:") and "loopback" in outcome.error


class _RawServer:
    """A loopback server answering each request with `answer` (bytes) and then, with `close_after`, closing the
    connection without saying so (as a receiver's idle timeout does); counts connections and requests."""

    def __init__(self, answer, close_after=False):
        self.answer, self.close_after = answer, close_after
        self.connections = self.requests = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/hook"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn):
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except ConnectionResetError:  # the client closed with our answer's body unread: it ends the talk
                    return
                if not data:
                    return
                self.requests += data.count(b"POST ")
                conn.sendall(self.answer)
                if self.close_after:
                    time.sleep(0.05)
                    return


def test_a_kept_connection_closed_by_the_receiver_is_replaced_without_sending_twice():
    raw = _RawServer(b"HTTP/1.1 204 No Content\r\n\r\n", close_after=True)
    with sender.Session(allow_private=True) as session:
        assert session.post(raw.url, "{}", {"webhook-id": "msg_1"}).ok
        time.sleep(0.2)  # the receiver has closed the idle connection
        assert session.post(raw.url, "{}", {"webhook-id": "msg_2"}).ok
    raw.server.close()
    assert (raw.connections, raw.requests) == (2, 2)


def test_a_204_announcing_a_body_is_not_followed_on_the_same_connection():
    raw = _RawServer(b"HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\nok")
    with sender.Session(allow_private=True) as session:
        assert all(session.post(raw.url, "{}", {"webhook-id": f"msg_{i}"}).ok for i in range(3))
    raw.server.close()
    assert (raw.connections, raw.requests) == (3, 3)


def test_a_failure_that_disables_the_endpoint_ends_its_batch(app, admin, tenant):
    from datetime import timedelta

    from sqlalchemy import update

    from mentorship.common.clock import utcnow
    from mentorship.extensions import db
    from mentorship.tenancy.scope import tenant_scope
    from mentorship.webhooks.models import Webhook

    with receiving() as receiver:
        receiver.answer = lambda request, earlier: 500
        hook = _register(admin, receiver.url)
        with app.app_context(), tenant_scope(tenant.id):  # failing for three days already
            db.session.execute(update(Webhook).values(failing_since=utcnow() - timedelta(days=3, minutes=1)))
            db.session.commit()
        for _ in range(3):
            admin.post("/api/v1/members", json=mentee_payload())
        wait_local_jobs(app)
        assert len(receiver.requests) == 1  # that failure disabled it; the other two were not sent
        assert admin.get("/api/v1/webhooks").json["items"][0]["disabled_at"] is not None
        listed = _deliveries(admin, hook["id"])
        assert [(d["status"], d["attempts"]) for d in listed] == [("failed", 1)] * 3
        assert [d["last_error"] for d in listed[1:]] == ["the endpoint is disabled"] * 2

"""Webhook delivery throughput (issue 14): N signed deliveries to a local HTTP receiver by W worker processes,
against the same workers running no-op jobs, interleaved in one session.

Per database (a fresh PostgreSQL database or SQLite file, migrated by `flask db upgrade`): one tenant, one endpoint
on a ThreadingHTTPServer on loopback in this process (answers 204 at once over HTTP/1.1 keep-alive, counts each
webhook-id), W worker processes (`flask --app wsgi worker`, RQ SimpleWorker) on Redis under a queue prefix of this
run. Each round:
- webhooks: N fresh `pending` delivery rows (the body of a real `member.created`, ~1.3 KB), then what the outbox
  does for each: `drain.enqueue(tenant, endpoint, once=True)` — one job per endpoint while one waits, so a few
  jobs; each claims batches of due rows (one UPDATE each), signs with standardwebhooks, POSTs over a kept-alive
  connection, records each answer (a commit each); the run ends when every row is delivered and no job is left;
- skipped: N `drain` jobs queued without `once`: the job path (app context, tenant scope, the claim's UPDATE,
  commit) finds nothing due and does nothing else — the service's own no-op job;
- rq-noop: N RQ jobs of `builtins.abs` — RQ's own cost per job, no app at all.
Rate = N / (last job's end - first job's start) over every job of the series, from RQ's job timestamps (worker
start-up and the enqueueing are outside it). Checked: every delivery `delivered`, each webhook-id received once.
With `--endpoints K` the rows are spread over K endpoints (same receiver): K = N is the worst case, one delivery
per job.
Usage: .venv/bin/python bench/bench_webhooks.py [--deliveries 1000] [--workers 2] [--rounds 3] [--endpoints 1]
       [--databases postgresql,sqlite] [--json out.json]
"""
import argparse
import os
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import _common
import _workers
from bench_import_job import Database

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


class Receiver:
    def __init__(self):
        self.ids, self.lock = {}, threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver.lock:
                    key = self.headers["webhook-id"]
                    receiver.ids[key] = receiver.ids.get(key, 0) + 1
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"


def _app(database_url, prefix):
    from mentorship import create_app
    from mentorship.config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        REDIS_URL = globals()["REDIS_URL"]
        JOBS_QUEUE_PREFIX = prefix
        WEBHOOK_ALLOW_PRIVATE = True
        SWEEP_IN_PROCESS = False
        RATELIMIT_STORAGE_URI = "local://"

    return create_app(BenchConfig)


def _setup(app, url, endpoints=1):
    """A tenant, its endpoints (all to `url`) and one real member.created body; returns (tenant id, webhook ids,
    body)."""
    from sqlalchemy import delete, select

    from mentorship.extensions import db
    from mentorship.members.operations import create_member
    from mentorship.members.schemas import MemberInSchema
    from mentorship.tenancy.operations import create_tenant
    from mentorship.tenancy.scope import tenant_scope, unscoped
    from mentorship.webhooks.models import WebhookDelivery
    from mentorship.webhooks.operations import create_webhook
    from tests.factories import mentee_payload

    with app.app_context():
        with unscoped():
            tenant, _ = create_tenant(f"bench-hooks-{uuid.uuid4().hex[:8]}", "Bench")
        with tenant_scope(tenant.id):
            hooks = [create_webhook(url, ["member.created"])[0].id for _ in range(endpoints)]
            create_member(MemberInSchema().load(mentee_payload()))
            body = db.session.scalar(select(WebhookDelivery.body))
            db.session.execute(delete(WebhookDelivery))
            db.session.commit()
            return tenant.id, hooks, body


def _rows(app, tenant_id, hooks, body, n):
    """n pending deliveries, spread over the endpoints in turn; returns [(delivery id, webhook id)]."""
    from mentorship.common.clock import utcnow
    from mentorship.extensions import db
    from mentorship.tenancy.scope import tenant_scope
    from mentorship.webhooks.models import WebhookDelivery

    with app.app_context(), tenant_scope(tenant_id):
        now = utcnow()
        rows = [WebhookDelivery(tenant_id=tenant_id, webhook_id=hooks[i % len(hooks)], msg_id=f"msg_{uuid.uuid4().hex}",
                                event="member.created", body=body, status="pending", attempts=0,
                                next_attempt_at=now, created_at=now) for i in range(n)]
        db.session.add_all(rows)
        db.session.commit()
        return [(row.id, row.webhook_id) for row in rows]


def _delivered(app, tenant_id, ids):
    from sqlalchemy import func, select

    from mentorship.extensions import db
    from mentorship.tenancy.scope import tenant_scope
    from mentorship.webhooks.models import WebhookDelivery

    with app.app_context(), tenant_scope(tenant_id):
        return db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(
            WebhookDelivery.id.in_(ids), WebhookDelivery.status == "delivered"))


def _one_database(kind, args):
    from mentorship.jobs.runner import RqBackend
    from mentorship.webhooks.delivery import drain

    prefix = f"bench-hooks-{uuid.uuid4().hex[:8]}:"
    receiver = Receiver()
    with Database(kind) as database:
        env = _workers.migrated_env(database.url, REDIS_URL, prefix, WEBHOOK_ALLOW_PRIVATE="true")
        app = _app(database.url, prefix)
        backend = RqBackend(REDIS_URL, prefix)
        tenant_id, hooks, body = _setup(app, receiver.url, args.endpoints)
        series = {"webhooks": [], "skipped": [], "rq-noop": []}
        n = args.deliveries
        try:
            with _workers.workers(env, args.workers, "default", backend, prefix):
                for _ in range(args.rounds):
                    rows = _rows(app, tenant_id, hooks, body, args.deliveries)
                    ids = [delivery_id for delivery_id, _ in rows]

                    def enqueue_deliveries(queue, rows=rows):
                        with app.app_context():
                            for _, webhook_id in rows:  # as the outbox does after each event's commit
                                drain.enqueue(tenant_id, webhook_id, once=True)

                    def enqueue_drains(queue, rows=rows):
                        with app.app_context():
                            for _, webhook_id in rows:
                                drain.enqueue(tenant_id, webhook_id)

                    series["webhooks"].append(_workers.run_jobs(
                        backend, enqueue_deliveries, n, done=lambda ids=ids: _delivered(app, tenant_id, ids) == n))
                    series["skipped"].append(_workers.run_jobs(backend, enqueue_drains, n))
                    series["rq-noop"].append(_workers.run_jobs(backend, _workers.rq_noop(n), n))
                    print(f"{kind} round: " + ", ".join(f"{k} {v[-1][0]:,.0f}/s ({v[-1][2]} jobs)"
                                                         for k, v in series.items()), flush=True)
            counts = set(receiver.ids.values())
            assert len(receiver.ids) == args.deliveries * args.rounds and counts == {1}, counts
        finally:
            receiver.server.shutdown()
    result = _workers.summarise(series)
    result["webhooks_vs_skipped"] = result["webhooks"]["median"] / result["skipped"]["median"]
    result["webhooks_vs_rq_noop"] = result["webhooks"]["median"] / result["rq-noop"]["median"]
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--endpoints", type=int, default=1, help="deliveries spread over this many endpoints")
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--json")
    args = parser.parse_args()
    summary = {"deliveries": args.deliveries, "workers": args.workers, "rounds": args.rounds,
               "endpoints": args.endpoints, "machine": _common.machine(), "load_average": os.getloadavg()}
    for kind in args.databases.split(","):
        summary[kind] = _one_database(kind, args)
        figures = summary[kind]
        print(f"{kind}: {args.deliveries} deliveries x {args.rounds} rounds, {args.workers} workers: "
              f"webhooks {figures['webhooks']['median']:,.0f}/s, skipped job {figures['skipped']['median']:,.0f}/s, "
              f"RQ no-op {figures['rq-noop']['median']:,.0f}/s (webhooks = {figures['webhooks_vs_skipped']:.0%} of "
              f"the skipped job, {figures['webhooks_vs_rq_noop']:.0%} of RQ's no-op)", flush=True)
    if args.json:
        _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()

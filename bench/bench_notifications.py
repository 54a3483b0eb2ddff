"""Notification delivery throughput (issue 16): N e-mails to a local SMTP sink by W worker processes, against the
same workers running no-op jobs, interleaved in one session.

Per database (a fresh PostgreSQL database or SQLite file, migrated by `flask db upgrade`): one tenant with a mentee,
a mentor and an intro between them; an SMTP sink (aiosmtpd) on loopback in this process that counts each
Message-ID; W worker processes (`flask --app wsgi worker --queues high`, RQ SimpleWorker) on Redis under a queue
prefix of this run, MAIL_URL pointing at the sink. Each round:
- e-mails: N fresh `pending` `intro.received` rows for the mentor (rendered from the intro as sent: text, HTML),
  then what the outbox of the code under test queues for each: `drain.enqueue(tenant, once=True)` (per-tenant
  drains, this branch) or `deliver.enqueue(tenant, id, job_id=...)` (one job per row, before); the run ends when
  every row is `sent` and no job is left;
- rq-noop: N RQ jobs of `builtins.abs`, RQ's own cost per job, no app at all.
Rate = N / (last job's end - first job's start) over every job of the series, from RQ's job timestamps (worker
start-up and the enqueueing are outside it). Checked: every row `sent`, each Message-ID received exactly once.
Usage: .venv/bin/python bench/bench_notifications.py [--emails 1000] [--workers 2] [--rounds 3]
       [--databases postgresql,sqlite] [--json out.json]
"""
import argparse
import logging
import os
import re
import threading
import uuid

import _common
import _workers
from bench_import_job import Database

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
logging.getLogger("mail.log").setLevel(logging.WARNING)
_MESSAGE_ID = re.compile(rb"^Message-ID: *(\S+)", re.MULTILINE | re.IGNORECASE)


class Sink:
    """aiosmtpd on a free loopback port: every Message-ID received, counted."""

    def __init__(self):
        import socket

        from aiosmtpd.controller import Controller

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.ids, self.lock = {}, threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{port}"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        key = _MESSAGE_ID.search(envelope.content).group(1)  # not a whole parse: the sink shares the CPUs
        with self.lock:
            self.ids[key] = self.ids.get(key, 0) + 1
        return "250 OK"


def _app(database_url, prefix, mail_url):
    from mentorship import create_app
    from mentorship.config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        REDIS_URL = globals()["REDIS_URL"]
        JOBS_QUEUE_PREFIX = prefix
        MAIL_URL = mail_url
        SWEEP_IN_PROCESS = False
        RATELIMIT_STORAGE_URI = "local://"

    return create_app(BenchConfig)


def _setup(app):
    """A tenant, a mentee, a mentor and an intro (its own notification removed); returns (tenant id, intro)."""
    from sqlalchemy import delete

    from mentorship.extensions import db
    from mentorship.members.operations import create_member, get_member
    from mentorship.members.schemas import MemberInSchema
    from mentorship.notifications.models import Notification
    from mentorship.outreach.operations import send_warm_intro
    from mentorship.tenancy.operations import create_tenant
    from mentorship.tenancy.scope import tenant_scope, unscoped
    from tests.factories import mentee_payload, mentor_payload

    with app.app_context():
        with unscoped():
            tenant, _ = create_tenant(f"bench-mail-{uuid.uuid4().hex[:8]}", "Bench")
        with tenant_scope(tenant.id):
            mentee = create_member(MemberInSchema().load(mentee_payload()))
            mentor = create_member(MemberInSchema().load(mentor_payload()))
            intro = send_warm_intro(get_member(mentee.id), get_member(mentor.id), "Warm intro from the bench.", None)
            db.session.execute(delete(Notification))
            db.session.commit()
            return tenant.id, (intro.id, intro.mentor_id)


def _rows(app, tenant_id, intro, n):
    """n pending intro.received notifications for the mentor; returns their ids."""
    from mentorship.common.clock import utcnow
    from mentorship.extensions import db
    from mentorship.notifications.models import Notification
    from mentorship.tenancy.scope import tenant_scope

    intro_id, mentor_id = intro
    with app.app_context(), tenant_scope(tenant_id):
        now = utcnow()
        rows = [Notification(tenant_id=tenant_id, member_id=mentor_id, event="intro.received",
                             key=f"bench:{uuid.uuid4().hex}", object_type="intros", object_id=intro_id, data={},
                             status="pending", due_at=now, attempts=0, created_at=now) for _ in range(n)]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def _sent(app, tenant_id, ids):
    from sqlalchemy import func, select

    from mentorship.extensions import db
    from mentorship.notifications.models import Notification
    from mentorship.tenancy.scope import tenant_scope

    with app.app_context(), tenant_scope(tenant_id):
        count = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.id.in_(ids), Notification.status == "sent"))
        db.session.remove()
        return count


def _enqueue_as_the_outbox_does(app, tenant_id, ids):
    from mentorship.notifications import delivery

    with app.app_context():
        for notification_id in ids:
            if hasattr(delivery, "drain"):
                delivery.drain.enqueue(tenant_id, once=True)
            else:
                delivery.deliver.enqueue(tenant_id, notification_id, job_id=delivery.job_id(tenant_id, notification_id))


def _one_database(kind, args):
    from mentorship.jobs.runner import RqBackend

    prefix = f"bench-mail-{uuid.uuid4().hex[:8]}:"
    sink = Sink()
    with Database(kind) as database:
        env = _workers.migrated_env(database.url, REDIS_URL, prefix, MAIL_URL=sink.url)
        app = _app(database.url, prefix, sink.url)
        backend = RqBackend(REDIS_URL, prefix)
        tenant_id, intro = _setup(app)
        series = {"e-mails": [], "rq-noop": []}
        n = args.emails
        try:
            with _workers.workers(env, args.workers, "high", backend, prefix):
                for _ in range(args.rounds):
                    ids = _rows(app, tenant_id, intro, n)
                    series["e-mails"].append(_workers.run_jobs(
                        backend, lambda queue, ids=ids: _enqueue_as_the_outbox_does(app, tenant_id, ids), n,
                        done=lambda ids=ids: _sent(app, tenant_id, ids) == n, queue_name="high"))
                    series["rq-noop"].append(_workers.run_jobs(backend, _workers.rq_noop(n), n, queue_name="high"))
                    print(f"{kind} round: " + ", ".join(f"{k} {v[-1][0]:,.0f}/s ({v[-1][2]} jobs)"
                                                         for k, v in series.items()), flush=True)
            counts = set(sink.ids.values())
            assert len(sink.ids) == n * args.rounds and counts == {1}, (len(sink.ids), counts)
        finally:
            sink.controller.stop()
    result = _workers.summarise(series)
    result["emails_vs_rq_noop"] = result["e-mails"]["median"] / result["rq-noop"]["median"]
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--json")
    args = parser.parse_args()
    summary = {"emails": args.emails, "workers": args.workers, "rounds": args.rounds,
               "machine": _common.machine(), "load_average": os.getloadavg()}
    for kind in args.databases.split(","):
        summary[kind] = _one_database(kind, args)
        figures = summary[kind]
        print(f"{kind}: {args.emails} e-mails x {args.rounds} rounds, {args.workers} workers: e-mails "
              f"{figures['e-mails']['median']:,.0f}/s, RQ no-op {figures['rq-noop']['median']:,.0f}/s "
              f"(e-mails = {figures['emails_vs_rq_noop']:.0%} of RQ's no-op); load {os.getloadavg()[0]:.1f}",
              flush=True)
    if args.json:
        _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()

"""Issue 16: notifications drained per tenant in batches claimed by one statement, over one kept SMTP connection."""
import socket
from email import message_from_bytes

from sqlalchemy import select

from mentorship.extensions import db
from mentorship.jobs.schedule import sweep
from mentorship.notifications import delivery, mailer
from mentorship.notifications.models import Notification
from mentorship.tenancy.scope import tenant_scope
from tests.factories import smtp_server, wait_local_jobs
from tests.pairs import make_pair


def _copies(app, tenant_id, n):
    """n more pending rows like the intro's notification (other keys), committed in the test's transaction."""
    with app.app_context(), tenant_scope(tenant_id):
        row = db.session.scalar(select(Notification).where(Notification.event == "intro.received"))
        db.session.add_all(Notification(tenant_id=tenant_id, member_id=row.member_id, event=row.event,
                                        key=f"copy-{i}", object_type=row.object_type, object_id=row.object_id,
                                        data={}, status="pending", due_at=row.due_at, attempts=0)
                           for i in range(n))
        db.session.commit()


def test_a_claim_takes_one_batch_and_claims_never_overlap(app, admin, tenant):
    assert make_pair(app, admin).intro().status_code == 201
    _copies(app, tenant.id, 2 * delivery.BATCH_SIZE + 4)  # with the intro's own: 2 full batches and 5 rows
    with app.app_context(), tenant_scope(tenant.id):
        batches = [delivery._claim(tenant.id) for _ in range(4)]
        claimed = [row.id for batch in batches for row in batch]
        assert [len(b) for b in batches] == [delivery.BATCH_SIZE, delivery.BATCH_SIZE, 5, 0]
        assert len(set(claimed)) == len(claimed)
        statuses = db.session.scalars(select(Notification.status).where(Notification.id.in_(claimed))).all()
        assert set(statuses) == {"sending"}
        db.session.rollback()


def test_one_connection_for_many_e_mails_and_one_closed_meanwhile_is_reopened(app, admin, tenant, smtp_sink):
    assert make_pair(app, admin).intro().status_code == 201
    _copies(app, tenant.id, 3)
    wait_local_jobs(app)
    assert len(smtp_sink.messages) == 4
    kept = mailer._kept.client
    assert kept is not None and kept.sock is not None  # all four went over it, and it stays open
    kept.sock.shutdown(socket.SHUT_RDWR)  # as when the server closed it while idle
    assert make_pair(app, admin).intro().status_code == 201
    wait_local_jobs(app)
    assert len(smtp_sink.messages) == 5  # sent once, on a new connection
    assert len({m["Message-ID"] for m in smtp_sink.messages}) == 5
    assert mailer._kept.client is not kept
    mailer.close()


class _RefusesFirst:
    """Refuses the first message's data (554), takes the rest."""

    def __init__(self):
        self.ids = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        if not self.ids:
            self.ids.append(None)
            return "554 no thanks"
        self.ids.append(message_from_bytes(envelope.content)["Message-ID"])
        return "250 OK"


def test_a_refused_message_waits_for_its_retry_and_the_others_go_on(app, admin, tenant):
    with smtp_server(app, _RefusesFirst()) as sink:
        assert make_pair(app, admin).intro().status_code == 201
        _copies(app, tenant.id, 3)
        wait_local_jobs(app)
        assert len(sink.ids) == 4 and len(set(sink.ids[1:])) == 3  # one refused, three sent, none twice
        with app.app_context(), tenant_scope(tenant.id):
            rows = db.session.execute(select(Notification.status, Notification.last_error)).all()
            assert sorted(status for status, _ in rows) == ["pending", "sent", "sent", "sent"]
            assert [error for status, error in rows if status == "pending"] == ["SMTPDataError: (554, b'no thanks')"]
            sweep()  # the next sweep: a drain sends it
        wait_local_jobs(app)
        assert len(sink.ids) == 5 and len(set(sink.ids[1:])) == 4
    mailer.close()

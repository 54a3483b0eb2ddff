"""A reminder that falls due while no sweep ran is dropped once the call has begun, not sent late (it was, before:
"In one hour: call with ..." days after the call, found by the erasure test)."""
from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import run_worker
from tests.pairs import make_pair

START = datetime(2026, 9, 7, 13, 0, tzinfo=UTC)


def test_a_reminder_due_before_the_call_is_not_sent_after_it_began(app, admin, rq_backend, smtp_sink):
    with time_machine.travel(START, tick=True) as traveller:
        pair = make_pair(app, admin)
        ms_id = pair.mentorship()
        begins = START + timedelta(hours=2)
        booked = pair.mentee_client.post(f"/api/v1/mentorships/{ms_id}/meetings", json={
            "duration_minutes": 30, "mode": "video", "start": begins.isoformat()})
        assert booked.status_code == 201
        run_worker(rq_backend)
        traveller.move_to(begins + timedelta(minutes=10))  # the 1 h reminder fell due 70 minutes ago; no sweep ran
        assert app.test_cli_runner().invoke(args=["sweep"]).exit_code == 0
        run_worker(rq_backend)
        to_mentee = smtp_sink.subjects(to=pair.mentee["email"])
        assert not [s for s in to_mentee if s.startswith("In one hour")], to_mentee
        reminders = pair.admin.get(f"/api/v1/notifications?member_id={pair.mentee['id']}").json["items"]
        assert [n["status"] for n in reminders if n["event"] == "meeting.reminder_1h"] == ["cancelled"]
        traveller.move_to(begins + timedelta(minutes=45))  # the check-in request still applies after the call
        assert app.test_cli_runner().invoke(args=["sweep"]).exit_code == 0
        run_worker(rq_backend)
        assert any(s.startswith("Did your call") for s in smtp_sink.subjects(to=pair.mentee["email"]))

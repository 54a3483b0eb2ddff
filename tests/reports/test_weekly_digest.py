"""The career office's weekly digest (SPEC §9): last week's funnel and the mentorships at risk, e-mailed to the
tenant's contact address by the sweep, once per week, with the clock moved."""
from datetime import UTC, datetime, timedelta

import time_machine

from mentorship.jobs.schedule import PERIODIC, sweep
from tests.factories import wait_local_jobs
from tests.pairs import make_pair, varied_message

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # a Monday
OFFICE = "careers@example.edu"


def _sweep(app):
    with app.app_context():
        result = sweep()
    wait_local_jobs(app)
    return result["send_weekly_digests"]


def _digests(smtp_sink):
    return [m for m in smtp_sink.messages if m["To"] == OFFICE]


def test_the_contact_address_is_a_setting_of_the_tenant(admin, other_admin):
    assert admin.get("/api/v1/tenant/policy").json["contact_email"] is None
    r = admin.patch("/api/v1/tenant/policy", json={"contact_email": OFFICE})
    assert r.status_code == 200 and r.json["contact_email"] == OFFICE and r.json["min_weeks"] == 4
    assert admin.get("/api/v1/tenant/policy").json["contact_email"] == OFFICE
    assert other_admin.get("/api/v1/tenant/policy").json["contact_email"] is None
    bad = admin.patch("/api/v1/tenant/policy", json={"contact_email": "not an address"})
    assert bad.status_code == 422 and bad.json["code"] == "validation_error"
    assert admin.patch("/api/v1/tenant/policy", json={"contact_email": None}).json["contact_email"] is None


def test_weekly_digest_with_the_clock_moved(app, admin, other_admin, smtp_sink):
    assert "send_weekly_digests" in PERIODIC  # in the one list of periodic work
    with time_machine.travel(T0, tick=False) as clock:
        admin.patch("/api/v1/tenant/policy", json={"contact_email": OFFICE})
        first, second = make_pair(app, admin), make_pair(app, admin)
        ms = first.mentorship()
        intro = second.intro(varied_message(second.mentor, 1)).json
        second.mentor_client.post(f"/api/v1/intros/{intro['id']}/decline", json={})
        make_pair(app, other_admin).intro()  # another tenant (no contact address): no digest, not counted

        assert _sweep(app) == 1  # the week before T0's, empty: an office hears every week
        clock.move_to(T0 + timedelta(days=7, minutes=30))  # the next Monday
        assert _sweep(app) == 1
        assert _sweep(app) == 0  # once per week
        digests = _digests(smtp_sink)
        assert len(digests) == 2 and len(smtp_sink.messages) == len([m for m in smtp_sink.messages
                                                                     if m["To"] != OFFICE]) + 2
        assert digests[1]["Subject"] == "Your weekly mentorship digest: 2026-06-01 to 2026-06-07"
        text = smtp_sink.text(digests[1]).replace("\r\n", "\n")
        assert "Intros sent: 2" in text and "  accepted: 1" in text and "  declined: 1" in text
        assert "Mentorships started: 1" in text and "No mentorship is at risk now." in text
        slug = admin.get("/api/v1/tenant").json["slug"]
        assert f"/t/{slug}/office" in text
        # the link opens the office's page (its sign-in first, for someone not signed in): never a 404
        assert app.test_client().get(f"/t/{slug}/office", follow_redirects=True).status_code == 200
        assert "Intros sent: 0" in smtp_sink.text(digests[0]).replace("\r\n", "\n")

        clock.move_to(T0 + timedelta(days=43))  # six weeks without a meeting: at risk
        assert _sweep(app) == 1
        text = smtp_sink.text(_digests(smtp_sink)[2]).replace("\r\n", "\n")
        assert "2026-07-06 to 2026-07-12" in _digests(smtp_sink)[2]["Subject"] and "Intros sent: 0" in text
        assert f"Mentorships at risk now (1):\n- {first.mentee['name']} with {first.mentor['name']} " \
               f"(mentorship {ms})" in text

        # no contact address: no digest
        admin.patch("/api/v1/tenant/policy", json={"contact_email": None})
        clock.move_to(T0 + timedelta(days=50))
        assert _sweep(app) == 0

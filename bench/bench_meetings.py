"""POST /api/v1/mentorships/{id}/meetings (slot proposal through the service), members with dense availability
and 200 scheduled meetings each, in-process (WSGI test client, SQLite file). Issue 5's target: p95 ≤ 20 ms.

Each member has three windows every day in their own zone (New York and Berlin); each has 200 scheduled meetings
(with other partners) spread over 60 days back and 60 days ahead, so the 14-day window holds about 45 of them.
Proposed meetings are not busy time, so the requests do not change what the next one sees.
Usage: .venv/bin/python bench/bench_meetings.py [--requests 300] [--json PATH]
"""
import argparse
import random
import statistics
import time
from datetime import timedelta

import _common

DENSE = [{"weekday": d, "start": s, "end": e} for d in range(7)
         for s, e in (("07:00", "09:00"), ("12:00", "13:30"), ("18:00", "22:00"))]


def seed(app, tenant_id, rng):
    """A mentorship between two busy members; returns its id."""
    from sqlalchemy import insert

    from mentorship.common.clock import utcnow
    from mentorship.extensions import db
    from mentorship.members.operations import create_member, get_member
    from mentorship.members.schemas import MemberInSchema
    from mentorship.mentorships.operations import start_mentorship
    from mentorship.outreach.operations import send_warm_intro
    from mentorship.scheduling.models import Meeting
    from mentorship.tenancy.scope import tenant_scope
    from tests.factories import mentee_payload, mentor_payload

    with app.app_context(), tenant_scope(tenant_id):
        mentee = create_member(MemberInSchema().load(mentee_payload(availability=DENSE)))
        mentor = create_member(MemberInSchema().load(mentor_payload(availability=DENSE, timezone="Europe/Berlin",
                                                                    capacity=20)))
        intro = send_warm_intro(get_member(mentee.id), get_member(mentor.id), "Warm intro.", None)
        intro.status = "accepted"
        mentorship = start_mentorship(intro)
        others = [create_member(MemberInSchema().load(mentee_payload())) for _ in range(20)]
        now, rows = utcnow().replace(second=0, microsecond=0), []
        for member, field in ((mentee, "mentee_id"), (mentor, "mentor_id")):
            for n in range(200):
                start = now + timedelta(minutes=15 * rng.randint(-60 * 96, 60 * 96))
                partner = others[n % len(others)].id if field == "mentor_id" else mentor.id
                ids = {"mentee_id": member.id, "mentor_id": partner} if field == "mentee_id" else \
                    {"mentee_id": partner, "mentor_id": member.id}
                rows.append(dict(tenant_id=tenant_id, mentorship_id=mentorship.id, status="scheduled", mode="video",
                                 duration_minutes=30, proposed_slots=[], start=start, end=start + timedelta(minutes=30),
                                 no_show_member_ids=[], sequence=1, created_at=now, **ids))
        db.session.execute(insert(Meeting), rows)
        db.session.commit()
        return mentorship.id


def run(requests=300, seed_value=4):
    rng = random.Random(seed_value)
    with _common.FreshDatabase() as fresh:
        app = _common.make_app(fresh.url)
        tenant_id, secret = _common.make_tenant(app, "bench-meetings")
        mentorship_id = seed(app, tenant_id, rng)
        client, headers = app.test_client(), {"Authorization": f"Bearer {secret}"}
        times, slots = [], []
        for i in range(requests + 20):
            t0 = time.perf_counter()
            r = client.post(f"/api/v1/mentorships/{mentorship_id}/meetings", json={"duration_minutes": 30},
                            headers=headers)
            elapsed = (time.perf_counter() - t0) * 1000
            if r.status_code != 201:
                raise SystemExit(f"{r.status_code} {r.get_data(as_text=True)[:300]}")
            if i >= 20:
                times.append(elapsed)
                slots.append(len(r.get_json()["proposed_slots"]))
        ordered = sorted(times)
        p95 = ordered[int(round(0.95 * (len(ordered) - 1)))]
        return {"requests": requests, "p50_ms": round(statistics.median(times), 2), "p95_ms": round(p95, 2),
                "max_ms": round(max(times), 2), "slots_per_proposal": round(statistics.mean(slots), 2),
                "target_p95_ms": 20, "met": p95 <= 20}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--json", help="write the summary here")
    args = parser.parse_args(argv)
    result = run(args.requests)
    result["machine"] = _common.machine()
    print({k: v for k, v in result.items() if k != "machine"})
    _common.write_json(args.json, result)


if __name__ == "__main__":
    main()

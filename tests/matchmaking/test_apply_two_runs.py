"""Applying two runs over the same cohort (SPEC §5): a pair whose mentee or mentor changed since its run is skipped
and listed, so no mentee gets two intros from them and no mentor is offered more than their free capacity."""
from collections import Counter

from tests.factories import mentee_payload, mentor_payload, wait_local_jobs
from tests.pairs import good_message


def _ok(r, status=200):
    assert r.status_code == status, (r.status_code, r.json)
    return r.json


def _run(app, admin, **body):
    run = _ok(admin.post("/api/v1/match-runs", json={"min_score": 0.0, **body}), 202)
    wait_local_jobs(app)
    return _ok(admin.get(f"/api/v1/match-runs/{run['id']}"))


def test_two_runs_over_one_cohort_never_double_book(app, admin):
    mentees = [_ok(admin.post("/api/v1/members", json=mentee_payload()), 201)["id"] for _ in range(6)]
    m1, m2, m3 = (_ok(admin.post("/api/v1/members", json=mentor_payload(capacity=2)), 201)["id"] for _ in range(3))
    # both runs are made before either is applied: each sees the cohort as it was
    first = _run(app, admin, strategy="optimal", mentee_ids=mentees[:4], mentor_ids=[m1, m2])
    second = _run(app, admin, strategy="stable", mentee_ids=mentees, mentor_ids=[m1, m3])
    assert len(first["assignments"]) == 4 and len(second["assignments"]) == 4
    assert {a["mentee_id"] for a in second["assignments"]} & set(mentees[:4])  # the runs overlap

    applied = _ok(admin.post(f"/api/v1/match-runs/{first['id']}/apply"))
    assert len(applied["intro_ids"]) == 4 and applied["skipped"] == []
    again = _ok(admin.post(f"/api/v1/match-runs/{second['id']}/apply"))

    # the second apply lists what it skipped, with why; everything else became an intro
    assert len(again["intro_ids"]) + len(again["skipped"]) == len(second["assignments"])
    for skip in again["skipped"]:
        if skip["mentee_id"] in mentees[:4]:
            assert skip["reason"] in ("mentee_busy", "intro_exists")  # got an intro from the first run
        else:
            assert (skip["mentor_id"], skip["reason"]) == (m1, "mentor_at_capacity")  # m1 filled by the first
    assert len(again["skipped"]) >= 2
    intros = _ok(admin.get("/api/v1/intros?source=career_office&per_page=100"))["items"]
    assert len(intros) == 4 + len(again["intro_ids"])
    assert max(Counter(i["mentee_id"] for i in intros).values()) == 1
    for mentor, load in Counter(i["mentor_id"] for i in intros).items():
        assert load <= 2, (mentor, load)
    assert {i["mentee_id"] for i in intros if i["match_run_id"] == second["id"]} <= set(mentees[4:])


def test_named_mentees_who_may_not_be_matched_come_back_with_why(app, admin):
    ready = _ok(admin.post("/api/v1/members", json=mentee_payload()), 201)["id"]
    unready = _ok(admin.post("/api/v1/members", json=mentee_payload(bio="Short.", photo_url=None)), 201)["id"]
    busy = _ok(admin.post("/api/v1/members", json=mentee_payload()), 201)["id"]
    mentor = _ok(admin.post("/api/v1/members", json=mentor_payload(capacity=1)), 201)
    _ok(admin.post("/api/v1/members", json=mentor_payload(capacity=3)), 201)
    _ok(admin.post("/api/v1/intros", json={"mentee_id": busy, "mentor_id": mentor["id"],
                                           "message": good_message(mentor)}), 201)
    run = _run(app, admin, mentee_ids=[ready, unready, busy])
    assert [a["mentee_id"] for a in run["assignments"]] == [ready]
    assert run["unmatched"] == [{"mentee_id": unready, "reason": "not_ready"},
                                {"mentee_id": busy, "reason": "busy"}]
    assert run["unmatched_mentee_ids"] == [unready, busy]
    assert run["stats"]["mentees"] == 1

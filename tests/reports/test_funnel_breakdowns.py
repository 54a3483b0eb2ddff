"""Acceptance 5: the funnel and its breakdowns (school, domain, source) agree with counts made by hand after a
scripted scenario, in JSON and in CSV.

The scenario, all through the API with the clock held: mentees in two schools and two domains, intros from both
sources (a match run applied), accepted, declined, pending and one blocked, three meetings (completed, missed,
still to come) and an approved referral.
"""
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import mentee_payload, mentor_payload, wait_local_jobs
from tests.pairs import token_client, varied_message

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # a Monday
COLUMBIA, NYU = "Columbia University", "New York University"


def _member(admin, payload):
    r = admin.post("/api/v1/members", json=payload)
    assert r.status_code == 201, r.json
    return r.json


def _ok(r, status=200):
    assert r.status_code == status, r.json
    return r.json


@pytest.fixture
def scenario(app, admin):
    with time_machine.travel(T0, tick=False) as clock:
        m1 = _member(admin, mentor_payload(school=COLUMBIA, domains=["finance/credit-risk"]))
        m2 = _member(admin, mentor_payload(school=NYU, domains=["tech/data"], company="Example Tech",
                                           title="Data Scientist", skills=["python", "spark"]))
        a = _member(admin, mentee_payload(school=COLUMBIA, domains=["finance/credit-risk"]))
        b = _member(admin, mentee_payload(school=COLUMBIA, domains=["tech/data"]))
        c = _member(admin, mentee_payload(school=NYU, domains=["finance/asset-management"]))
        d = _member(admin, mentee_payload(school=NYU, domains=["tech/data", "finance/credit-risk"]))
        e = _member(admin, mentee_payload(school=NYU, domains=["tech/ml"]))
        clients = {x["id"]: token_client(app, admin, x["id"]) for x in (m1, m2, a, b, c, d, e)}

        def intro(mentee, mentor, n):
            return _ok(admin.post("/api/v1/intros", json={"mentee_id": mentee["id"], "mentor_id": mentor["id"],
                                                          "message": varied_message(mentor, n)}), 201)

        ia, ib, ic = intro(a, m1, 0), intro(b, m2, 1), intro(c, m2, 2)
        intro(d, m1, 3)  # stays pending
        blocked = admin.post("/api/v1/intros", json={"mentee_id": d["id"], "mentor_id": m2["id"], "message": "Hi!"})
        assert blocked.json["code"] == "outreach_blocked"
        ma = _ok(clients[m1["id"]].post(f"/api/v1/intros/{ia['id']}/accept"))["mentorship_id"]
        _ok(clients[m2["id"]].post(f"/api/v1/intros/{ib['id']}/decline", json={}))
        mc = _ok(clients[m2["id"]].post(f"/api/v1/intros/{ic['id']}/accept"))["mentorship_id"]
        # the career office's warm intro: a match run for e, applied, accepted
        run = _ok(admin.post("/api/v1/match-runs", json={"mentee_ids": [e["id"]], "mentor_ids": [m2["id"]],
                                                         "strategy": "optimal", "min_score": 0.0}), 202)
        wait_local_jobs(app)
        warm = _ok(admin.post(f"/api/v1/match-runs/{run['id']}/apply"))["intro_ids"]
        me = _ok(clients[m2["id"]].post(f"/api/v1/intros/{warm[0]}/accept"))["mentorship_id"]

        start = T0 + timedelta(days=1, hours=2)
        book = {"start": start.isoformat()}
        done = _ok(clients[a["id"]].post(f"/api/v1/mentorships/{ma}/meetings", json=book), 201)
        missed = _ok(clients[c["id"]].post(f"/api/v1/mentorships/{mc}/meetings",
                                           json={"start": (start + timedelta(hours=1)).isoformat()}), 201)
        _ok(clients[e["id"]].post(f"/api/v1/mentorships/{me}/meetings",
                                  json={"start": (start + timedelta(days=7)).isoformat()}), 201)
        clock.move_to(start + timedelta(hours=3))
        for who in (a, m1):
            _ok(clients[who["id"]].post(f"/api/v1/meetings/{done['id']}/check-ins", json={"happened": True}), 201)
        _ok(clients[c["id"]].post(f"/api/v1/meetings/{missed['id']}/check-ins", json={"happened": False}), 201)

        _ok(admin.patch("/api/v1/tenant/policy", json={"referral_requires": [], "min_weeks": 0, "min_meetings": 0}))
        rid = _ok(clients[a["id"]].post(f"/api/v1/mentorships/{ma}/referral-requests",
                                        json={"company": "Example Bank", "job_title": "Risk Analyst"}), 201)["id"]
        _ok(clients[m1["id"]].post(f"/api/v1/referral-requests/{rid}/decide", json={"decision": "approve"}))
        yield {"members": [m1, m2, a, b, c, d, e], "no_show": m2["id"]}


def _counts(members=(0, 0), intros=(0, 0, 0, 0, 0), meetings=(0, 0, 0), mentorships=(0, 0, 0, 0, 0),
            referrals=(0, 0, 0, 0)):
    """A funnel's counts, in SPEC §11's order, as counted by hand (members: mentees, mentors; all are ready)."""
    return {
        "members": None if members is None else {"mentees": members[0], "mentors": members[1],
                                                 "ready": sum(members)},
        "intros": dict(zip(("blocked", "sent", "accepted", "declined", "expired"), intros, strict=True)),
        "meetings": dict(zip(("scheduled", "completed", "missed"), meetings, strict=True)),
        "mentorships": dict(zip(("active", "closed", "on_track", "needs_check_in", "at_risk"), mentorships,
                                strict=True)),
        "referrals": dict(zip(("eligible", "requested", "approved", "declined"), referrals, strict=True)),
    }


# Counted by hand from the scenario above. Intros: a->m1 accepted, b->m2 declined, c->m2 accepted, d->m1 pending,
# d->m2 blocked, e->m2 (career office) accepted. Meetings: a's completed, c's missed (m2 did not come), e's ahead.
# Mentorships: a's on track, c's at risk (a missed meeting), e's on track (a meeting ahead); all eligible under the
# relaxed policy; a's referral approved.
TOTAL = _counts((5, 2), (1, 5, 3, 1, 0), (3, 1, 1), (3, 0, 2, 0, 1), (3, 1, 1, 0))
BY = {
    "school": {
        COLUMBIA: _counts((2, 1), (0, 2, 1, 1, 0), (1, 1, 0), (1, 0, 1, 0, 0), (1, 1, 1, 0)),
        NYU: _counts((3, 1), (1, 3, 2, 0, 0), (2, 0, 1), (2, 0, 1, 0, 1), (2, 0, 0, 0)),
    },
    "domain": {  # the top-level segment of the mentee's first domain (d: tech)
        "finance": _counts((2, 1), (0, 2, 2, 0, 0), (2, 1, 1), (2, 0, 1, 0, 1), (2, 1, 1, 0)),
        "tech": _counts((3, 1), (1, 3, 1, 1, 0), (1, 0, 0), (1, 0, 1, 0, 0), (1, 0, 0, 0)),
    },
    "source": {
        "mentee": _counts(None, (1, 4, 2, 1, 0), (2, 1, 1), (2, 0, 1, 0, 1), (2, 1, 1, 0)),
        "career_office": _counts(None, (0, 1, 1, 0, 0), (1, 0, 0), (1, 0, 1, 0, 0), (1, 0, 0, 0)),
    },
}


def _counts_of(data):
    referrals = {k: data["referrals"][k] for k in ("eligible", "requested", "approved", "declined")}
    meetings = {k: data["meetings"][k] for k in ("scheduled", "completed", "missed")}
    return {"members": data["members"], "intros": data["intros"], "meetings": meetings,
            "mentorships": data["mentorships"], "referrals": referrals}


def _csv(admin, query):
    r = admin.get(f"/api/v1/reports/funnel{query}", headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(r.get_data(as_text=True))))


def _number(text):
    return None if text == "" else float(text) if "." in text else int(text)


def test_the_funnel_agrees_with_counts_by_hand(admin, scenario):
    data = admin.get("/api/v1/reports/funnel").json
    assert _counts_of(data) == TOTAL
    assert data["meetings"]["no_shows"] == {str(scenario["no_show"]): 1}
    assert data["referrals"]["outcomes"]["hired"] == 0
    assert "by" not in data and "groups" not in data
    rows = _csv(admin, "")
    assert rows[0] == ["metric", "value"]
    assert {metric: _number(value) for metric, value in rows[1:]} == {
        **{f"{section}.{key}": value for section, values in TOTAL.items() for key, value in values.items()},
        **{f"{section}.{key}": _number(str(value)) if value is not None else None
           for section in ("medians",) for key, value in data["medians"].items()},
        **{f"referrals.outcomes.{key}": value for key, value in data["referrals"]["outcomes"].items()},
        f"meetings.no_shows.{scenario['no_show']}": 1,
    }


@pytest.mark.parametrize("by", ["school", "domain", "source"])
def test_each_breakdown_agrees_with_counts_by_hand_in_json_and_csv(admin, scenario, by):
    data = admin.get(f"/api/v1/reports/funnel?by={by}").json
    assert data["by"] == by and _counts_of(data) == TOTAL  # the total is the same with a breakdown
    groups = {group["key"]: _counts_of(group) for group in data["groups"]}
    assert groups == BY[by]
    # the groups of a breakdown add up to the total
    for section in ("intros", "meetings", "mentorships", "referrals"):
        for key, value in TOTAL[section].items():
            assert sum(g[section][key] for g in groups.values()) == value, (section, key)

    rows = _csv(admin, f"?by={by}")
    header, body = rows[0], {row[0]: row[1:] for row in rows[1:]}
    assert header == ["metric", "all", *BY[by]]
    for column, expected in enumerate([TOTAL, *BY[by].values()]):
        for section, values in expected.items():
            for key, value in (values or {}).items():
                assert _number(body[f"{section}.{key}"][column]) == value, (column, section, key)
        if expected["members"] is None:
            assert body["members.mentees"][column] == ""


def test_dates_are_whole_days_and_times_are_exact(admin, scenario):
    day = T0.date().isoformat()  # everything was created on T0's day or the next
    assert admin.get(f"/api/v1/reports/funnel?from={day}&to={day}").json["intros"]["sent"] == 5
    before = (T0 - timedelta(days=1)).date().isoformat()
    assert admin.get(f"/api/v1/reports/funnel?to={before}").json["intros"]["sent"] == 0
    assert admin.get("/api/v1/reports/funnel?to=2026-06-01T12:00:00Z").json["intros"]["sent"] == 0  # exclusive
    assert admin.get("/api/v1/reports/funnel?from=2026-06-01T12:00:00Z").json["intros"]["sent"] == 5
    for bad in ("from=2026-06-02&to=2026-06-01", "from=yesterday", "to=2026-06-01T12:00:00", "by=country"):
        r = admin.get(f"/api/v1/reports/funnel?{bad}")
        assert r.status_code == 422 and r.json["code"] == "validation_error", bad

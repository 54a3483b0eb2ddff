"""The career office's pages: staff sign in with the tenant's admin key, and the dashboard."""
from tests.factories import ApiClient
from tests.pairs import make_pair
from tests.web.helpers import csrf_from
from tests.web.test_signin import _signed_in


def _signin(client, slug, key):
    page = client.get(f"/t/{slug}/office/signin")
    return client.post(f"/t/{slug}/office/signin", data={"key": key, "csrf_token": csrf_from(page)})


def _staff(app, tenant):
    client = app.test_client()
    r = _signin(client, tenant.slug, tenant.admin_key)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/t/{tenant.slug}/office")
    return client


def _key(admin, kind):
    r = admin.post("/api/v1/api-keys", json={"name": f"a {kind} key", "kind": kind})
    assert r.status_code == 201, r.json
    return r.json


def test_the_admin_key_signs_staff_in_and_out(app, tenant):
    client = _staff(app, tenant)
    page = client.get(f"/t/{tenant.slug}/office")
    assert page.status_code == 200 and 'class="chart chart-funnel"' in page.get_data(as_text=True)
    r = client.post(f"/t/{tenant.slug}/office/signout", data={"csrf_token": csrf_from(page)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/office/signin")
    assert client.get(f"/t/{tenant.slug}/office").status_code == 302


def test_partner_keys_member_tokens_wrong_and_other_tenants_keys_sign_nobody_in(app, tenant, other_tenant, admin):
    pair = make_pair(app, admin)
    refused = [_key(admin, "partner")["secret"], pair.mentee_client.token, tenant.admin_key + "x", "",
               other_tenant.admin_key]
    for key in refused:
        client = app.test_client()
        r = _signin(client, tenant.slug, key)
        assert r.status_code == 422 and "not an active admin key" in r.get_data(as_text=True)
        assert client.get(f"/t/{tenant.slug}/office").status_code == 302
        with client.session_transaction() as session:
            assert "staff" not in session


def test_the_forms_need_their_csrf_token(app, tenant):
    client = app.test_client()
    r = client.post(f"/t/{tenant.slug}/office/signin", data={"key": tenant.admin_key})
    assert r.status_code == 400
    assert client.get(f"/t/{tenant.slug}/office").status_code == 302  # not signed in
    staff = _staff(app, tenant)
    assert staff.post(f"/t/{tenant.slug}/office/signout").status_code == 400
    assert staff.post(f"/t/{tenant.slug}/office/signout", data={"csrf_token": "wrong"}).status_code == 400
    assert staff.get(f"/t/{tenant.slug}/office").status_code == 200  # still signed in


def test_a_revoked_key_ends_the_staff_session_on_the_next_request(app, tenant, admin):
    spare = _key(admin, "admin")
    client = app.test_client()
    assert _signin(client, tenant.slug, spare["secret"]).status_code == 302
    assert client.get(f"/t/{tenant.slug}/office").status_code == 200
    assert admin.delete(f"/api/v1/api-keys/{spare['id']}").status_code in (200, 204)
    assert client.get(f"/t/{tenant.slug}/office").status_code == 302
    with client.session_transaction() as session:
        assert "staff" not in session


def test_the_dashboard_draws_the_tenants_funnel(app, tenant, admin, other_tenant, other_admin):
    pair = make_pair(app, admin)
    pair.mentorship()
    assert make_pair(app, admin).intro().status_code == 201
    make_pair(app, other_admin).mentorship()  # another tenant's numbers stay out
    html = _staff(app, tenant).get(f"/t/{tenant.slug}/office").get_data(as_text=True)
    assert '<g data-stage="intros.sent">' in html
    assert "Intros sent: 2" not in html  # the counts are beside the bars, and in the description
    assert "Intros sent 2; Intros accepted 1 (50% of previous)" in html
    assert "No mentor is near capacity." in html and pair.mentor["name"] not in html  # 2 of 3 places free
    assert "On track 1 (100%)" in html or "Needs a check-in 1 (100%)" in html


def test_a_period_in_the_future_counts_nothing_and_a_wrong_date_is_said(app, tenant, admin):
    make_pair(app, admin).mentorship()
    client = _staff(app, tenant)
    html = client.get(f"/t/{tenant.slug}/office?from=2999-01-01").get_data(as_text=True)
    assert "Intros sent 0" in html
    r = client.get(f"/t/{tenant.slug}/office?from=2024-13-01")
    assert r.status_code == 422 and "YYYY-MM-DD" in r.get_data(as_text=True)
    r = client.get(f"/t/{tenant.slug}/office?from=2024-02-01&to=2024-01-01")
    assert r.status_code == 422 and "must not be before" in r.get_data(as_text=True)


def test_mentors_near_capacity_are_listed(app, tenant, admin):
    pair = make_pair(app, admin, mentor={"capacity": 2})
    pair.mentorship()
    html = _staff(app, tenant).get(f"/t/{tenant.slug}/office").get_data(as_text=True)
    assert pair.mentor["name"] in html


def test_another_tenants_staff_gets_404_and_a_member_no_dashboard(app, tenant, other_tenant):
    staff_b = _staff(app, other_tenant)
    assert staff_b.get(f"/t/{tenant.slug}/office").status_code == 404
    assert staff_b.post(f"/t/{tenant.slug}/office/match-runs/1/apply",
                        data={"csrf_token": csrf_from(staff_b.get(f"/t/{other_tenant.slug}/office"))}
                        ).status_code == 404
    member = _signed_in(app, tenant)
    r = member.get(f"/t/{tenant.slug}/office")
    assert r.status_code == 302 and r.headers["Location"].endswith("/office/signin")


def test_the_dashboard_in_chinese(app, tenant, admin):
    make_pair(app, admin).mentorship()
    client = _staff(app, tenant)
    html = client.get(f"/t/{tenant.slug}/office?lang=zh").get_data(as_text=True)
    assert "职业发展中心" in html and "已发送的介绍" in html and "导师关系健康状况" in html
    assert "Intros sent" not in html and "Mentorship health" not in html


def test_a_succeeded_run_is_applied_from_the_dashboard_once(app, tenant, admin):
    from tests.factories import mentee_payload, mentor_payload, wait_local_jobs

    for payload in (mentee_payload(), mentor_payload()):
        assert admin.post("/api/v1/members", json=payload).status_code == 201
    run = admin.post("/api/v1/match-runs", json={"strategy": "optimal", "min_score": 0.0}).json
    wait_local_jobs(app)
    client = _staff(app, tenant)
    page = client.get(f"/t/{tenant.slug}/office")
    assert f"/office/match-runs/{run['id']}/apply" in page.get_data(as_text=True)
    r = client.post(f"/t/{tenant.slug}/office/match-runs/{run['id']}/apply", data={"csrf_token": csrf_from(page)})
    assert r.status_code == 302
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert f"Match run {run['id']} applied: 1 intros sent, 0 pairs skipped." in html
    assert ApiClient(app.test_client(), tenant.admin_key).get("/api/v1/intros?source=career_office").json["total"] == 1
    again = client.post(f"/t/{tenant.slug}/office/match-runs/{run['id']}/apply", data={"csrf_token": csrf_from(page)})
    assert "was not applied" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_the_dashboard_lists_runs_without_loading_their_assignments(app, tenant, admin):
    """A big run holds megabytes of assignments; the dashboard shows stats and an Apply button only (a run whose
    assignments the page touched would fail here: they are deferred with raiseload)."""
    from tests.factories import mentee_payload, mentor_payload, sql_statements, wait_local_jobs

    for payload in (mentee_payload(), mentor_payload()):
        assert admin.post("/api/v1/members", json=payload).status_code == 201
    empty = admin.post("/api/v1/match-runs", json={"strategy": "optimal", "min_score": 1.0}).json  # nobody matched
    run = admin.post("/api/v1/match-runs", json={"strategy": "optimal", "min_score": 0.0}).json
    wait_local_jobs(app)
    client = _staff(app, tenant)
    with sql_statements(app) as statements:
        html = client.get(f"/t/{tenant.slug}/office").get_data(as_text=True)
    assert f"/office/match-runs/{run['id']}/apply" in html and f"/office/match-runs/{empty['id']}/apply" not in html
    runs = [s for s in statements if "FROM match_runs" in s]
    assert runs and not any("assignments" in s or "unmatched" in s for s in runs)

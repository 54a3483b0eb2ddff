"""The member's profile page (issue 13): every field of their role, saved through the API's own PATCH schema and
operation, the weekly availability grid, the live score of a draft, and only ever the signed-in member's record."""
import pytest

from tests.factories import ApiClient, mentee_payload, mentor_payload
from tests.web.helpers import csrf_from, signed_in

LONG_BIO = ("I grew up in Chengdu and moved to New York to study analytics. I want to work on credit risk at a bank, "
            "and I would love to hear how people in the field chose their first team and what they wish they had "
            "known.")
COURSES = "FIN 6301, CS 101, STAT-2110, ECON 3000"


def _text(r):
    return r.get_data(as_text=True)


@pytest.fixture
def mentee(app, admin, tenant):
    """A mentee with gaps (a course list for an intro, no availability), signed in: (member as the API shows it,
    client)."""
    r = admin.post("/api/v1/members", json=mentee_payload(
        name="Lin Wei", bio=COURSES, availability=[], timezone="Asia/Shanghai", languages=["en", "fr"],
        skills=["python", "sql"]))
    assert r.status_code == 201, r.json
    return r.json, signed_in(app, tenant.slug, r.json["email"])


@pytest.fixture
def mentor(app, admin, tenant):
    r = admin.post("/api/v1/members", json=mentor_payload(name="Grace Hopper"))
    assert r.status_code == 201, r.json
    return r.json, signed_in(app, tenant.slug, r.json["email"])


def mentee_form(**overrides):
    """A complete, valid mentee profile form as the page posts it (checkboxes: present when ticked)."""
    form = {"name": "Lin Wei", "headline": "MS Business Analytics student", "bio": LONG_BIO,
            "photo_url": "https://example.edu/lin.jpg", "domains": "finance/credit-risk, finance/pricing",
            "goals": ["career-plan", "interview-prep"], "skills": "python, sql, excel", "languages": ["en"],
            "other_languages": "fr", "timezone": "Asia/Shanghai", "slot": ["0 09:00-12:00", "2 18:00-21:00"],
            "international": "on", "school": "Columbia University", "graduation_year": "2027"}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def mentor_form(**overrides):
    form = {"name": "Grace Hopper", "headline": "Credit risk analyst", "bio": LONG_BIO,
            "photo_url": "https://example.com/grace.jpg", "domains": "finance/credit-risk", "goals": ["career-plan"],
            "skills": "sas", "languages": ["en"], "timezone": "America/New_York", "slot": ["1 18:00-21:00"],
            "company": "Example Bank", "title": "Analyst", "years_experience": "6", "capacity": "2"}
    form.update(overrides)
    return form


def save(client, tenant, form):
    path = f"/t/{tenant.slug}/profile"
    return client.post(path, data={**form, "csrf_token": csrf_from(client.get(path))})


def test_the_page_shows_the_members_own_values(mentee, tenant):
    member, client = mentee
    r = client.get(f"/t/{tenant.slug}/profile")
    assert r.status_code == 200
    html = _text(r)
    assert 'value="Lin Wei"' in html and member["headline"] in html and COURSES in html
    assert member["email"] in html and 'name="email"' not in html  # shown, not offered for change
    assert "<option selected>Asia/Shanghai</option>" in html
    assert 'value="finance/credit-risk"' in html and 'value="python, sql"' in html
    assert 'name="goals" value="domain-knowledge" checked' in html and 'value="interview-prep" checked' not in html
    assert 'name="languages" value="en" checked' in html and 'name="languages" value="zh" checked' not in html
    assert 'id="other_languages" name="other_languages" type="text" value="fr"' in html
    assert 'value="2026"' in html and 'name="needs_visa_sponsorship" id="needs_visa_sponsorship" checked' in html
    assert 'name="capacity"' not in html and 'name="company"' not in html  # a mentee's page
    assert "your intro reads as a list of courses" in html  # the gaps in plain words (coach/wording.py)
    assert '<script src="/assets/profile.js" defer>' in html and "<script>" not in html


def test_a_mentor_page_asks_mentor_questions(mentor, tenant):
    member, client = mentor
    html = _text(client.get(f"/t/{tenant.slug}/profile"))
    for name in ("company", "title", "years_experience", "capacity", "company_sponsors_visa", "school"):
        assert f'name="{name}"' in html
    assert 'name="graduation_year"' not in html and 'name="needs_visa_sponsorship"' not in html
    assert 'value="Example Bank"' in html and 'min="0" max="20"' in html


def test_the_members_page_links_to_the_profile(mentee, tenant):
    _, client = mentee
    assert f'href="/t/{tenant.slug}/profile"' in _text(client.get(f"/t/{tenant.slug}/me"))


def test_saving_changes_the_member_as_the_api_shows_it(mentee, admin, tenant):
    member, client = mentee
    r = save(client, tenant, mentee_form(needs_visa_sponsorship=None, headline="Analytics student, credit risk"))
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/t/{tenant.slug}/profile")
    page = _text(client.get(r.headers["Location"]))
    assert "Saved. Your profile score is now 100 of 100." in page
    after = admin.get(f"/api/v1/members/{member['id']}").json
    assert after["headline"] == "Analytics student, credit risk" and after["bio"] == LONG_BIO
    assert after["domains"] == ["finance/credit-risk", "finance/pricing"]
    assert after["goals"] == ["career-plan", "interview-prep"] and after["skills"] == ["python", "sql", "excel"]
    assert after["languages"] == ["en", "fr"] and after["graduation_year"] == 2027
    assert after["needs_visa_sponsorship"] is False and after["international"] is True  # unticked, ticked
    assert after["email"] == member["email"] and after["role"] == "mentee"
    audit = admin.get("/api/v1/audit-events?action=member.updated").json["items"]
    assert len(audit) == 1 and audit[0]["actor"] == f"session:{member['id']}"
    assert "name" not in audit[0]["data"]["fields"] and "headline" in audit[0]["data"]["fields"]  # what changed
    assert save(client, tenant, mentee_form(needs_visa_sponsorship=None,
                                            headline="Analytics student, credit risk")).status_code == 303
    assert len(admin.get("/api/v1/audit-events?action=member.updated").json["items"]) == 1  # nothing changed


def test_clearing_an_optional_field_clears_it(mentee, admin, tenant):
    member, client = mentee
    assert save(client, tenant, mentee_form(headline="", photo_url="", graduation_year="")).status_code == 303
    after = admin.get(f"/api/v1/members/{member['id']}").json
    assert after["headline"] is None and after["photo_url"] is None and after["graduation_year"] is None
    assert {"headline_missing", "photo_missing"} <= set(after["profile"]["gaps"])


def test_a_mentee_fixes_gaps_and_the_score_rises(mentee, admin, tenant):
    member, client = mentee
    before = member["profile"]
    assert {"bio_lists_courses", "bio_too_short", "availability_missing"} <= set(before["gaps"])
    assert save(client, tenant, mentee_form()).status_code == 303
    after = admin.get(f"/api/v1/members/{member['id']}").json["profile"]
    assert after["score"] > before["score"] and after["score"] == 100
    assert not {"bio_lists_courses", "bio_too_short", "availability_missing"} & set(after["gaps"])
    assert after["ready"] is True
    html = _text(client.get(f"/t/{tenant.slug}/profile"))
    assert "your intro reads as a list of courses" not in html and "when you are free to talk" not in html


def test_a_bio_written_with_windows_line_ends_is_saved(mentee, admin, tenant):
    member, client = mentee
    assert save(client, tenant, mentee_form(bio=LONG_BIO + "\r\n\r\nThank you!")).status_code == 303
    assert admin.get(f"/api/v1/members/{member['id']}").json["bio"] == LONG_BIO + "\n\nThank you!"


@pytest.mark.parametrize(("field", "value", "hint"), [
    ("capacity", "99", "A whole number from 0 to 20."),
    ("domains", "Finance/Credit Risk", "Use lowercase words joined by"),
    ("photo_url", "ftp://example.com/me.jpg", "starting with https://"),
    ("timezone", "Mars/Olympus", "Pick your time zone."),
    ("other_languages", "klingon", "two-letter language codes"),
    ("name", "", "Enter your name"),
])
def test_an_invalid_value_is_422_next_to_its_field_and_changes_nothing(mentor, admin, tenant, field, value, hint):
    member, client = mentor
    r = save(client, tenant, mentor_form(**{field: value, "headline": "Changed in the same form"}))
    assert r.status_code == 422
    html = _text(r)
    shown = "languages" if field == "other_languages" else field
    assert f'id="{shown}-error"' in html and hint in html and 'aria-invalid="true"' in html
    assert "Changed in the same form" in html  # the form is re-shown with what was typed
    if field != "timezone":  # a select shows only its own options
        assert value in html
    after = admin.get(f"/api/v1/members/{member['id']}").json
    assert after == {**member, "updated_at": after["updated_at"]} and after["updated_at"] == member["updated_at"]


def test_the_hint_is_in_the_pages_language(mentor, tenant):
    _, client = mentor
    path = f"/t/{tenant.slug}/profile?lang=zh"
    r = client.post(path, data={**mentor_form(capacity="99"), "csrf_token": csrf_from(client.get(path))})
    assert r.status_code == 422 and 'id="capacity-error"' in _text(r)
    assert "A whole number from 0 to 20." not in _text(r)


def test_the_availability_grid_round_trips_in_the_members_own_zone(admin, app, tenant):
    custom = {"weekday": 4, "start": "07:30", "end": "08:30"}
    r = admin.post("/api/v1/members", json=mentee_payload(timezone="Asia/Shanghai", availability=[custom]))
    member, client = r.json, signed_in(app, tenant.slug, r.json["email"])
    html = _text(client.get(f"/t/{tenant.slug}/profile"))
    assert 'name="slot" value="4 07:30-08:30" checked' in html  # kept: a window outside the grid's blocks
    slots = ["6 18:00-21:00", "0 09:00-12:00", "2 12:00-17:00", "4 07:30-08:30"]
    assert save(client, tenant, mentee_form(slot=slots)).status_code == 303
    after = admin.get(f"/api/v1/members/{member['id']}").json
    assert after["timezone"] == "Asia/Shanghai"
    assert after["availability"] == [
        {"weekday": 0, "start": "09:00", "end": "12:00"}, {"weekday": 2, "start": "12:00", "end": "17:00"},
        {"weekday": 4, "start": "07:30", "end": "08:30"}, {"weekday": 6, "start": "18:00", "end": "21:00"}]
    html = _text(client.get(f"/t/{tenant.slug}/profile"))
    for value in slots:
        assert f'value="{value}" checked' in html
    assert 'value="1 09:00-12:00" checked' not in html
    # unticking the custom window removes it; a forged value is refused next to the grid
    assert save(client, tenant, mentee_form(slot=["0 09:00-12:00"])).status_code == 303
    assert admin.get(f"/api/v1/members/{member['id']}").json["availability"] == [
        {"weekday": 0, "start": "09:00", "end": "12:00"}]
    r = save(client, tenant, mentee_form(slot=["7 09:00-12:00", "1 12:00-09:00"]))
    assert r.status_code == 422 and 'id="availability-error"' in _text(r)


def test_the_score_endpoint_scores_a_draft_without_saving(mentee, admin, tenant):
    member, client = mentee
    token = csrf_from(client.get(f"/t/{tenant.slug}/profile"))
    r = client.post(f"/t/{tenant.slug}/profile/score", data=mentee_form(), headers={"X-CSRFToken": token})
    assert r.status_code == 200
    assert r.json["score"] == 100 and r.json["gaps"] == [] and r.json["ready"] is True
    assert r.json["score_words"] == "Profile score: 100 of 100"
    assert admin.get(f"/api/v1/members/{member['id']}").json == member  # nothing saved
    r = client.post(f"/t/{tenant.slug}/profile/score", data=mentee_form(bio=COURSES, slot=[], goals=[]),
                    headers={"X-CSRFToken": token})
    assert {"bio_lists_courses", "availability_missing", "goals_missing"} <= set(r.json["gaps"])
    assert r.json["ready"] is False and r.json["score"] < 100
    assert "you have not said when you are free to talk" in r.json["gap_words"]
    # an invalid field is named, and the rest of the draft still scored
    r = client.post(f"/t/{tenant.slug}/profile/score", data=mentee_form(domains="Bad Domain"),
                    headers={"X-CSRFToken": token})
    assert r.status_code == 200 and "domains" in r.json["errors"] and r.json["gaps"] == []


def test_the_score_endpoint_refuses_a_missing_or_wrong_csrf_token(mentee, tenant):
    _, client = mentee
    client.get(f"/t/{tenant.slug}/profile")
    assert client.post(f"/t/{tenant.slug}/profile/score", data=mentee_form()).status_code == 400
    r = client.post(f"/t/{tenant.slug}/profile/score", data=mentee_form(), headers={"X-CSRFToken": "forged"})
    assert r.status_code == 400


def test_saving_without_a_csrf_token_is_refused(mentee, admin, tenant):
    member, client = mentee
    assert client.post(f"/t/{tenant.slug}/profile", data=mentee_form()).status_code == 400
    assert admin.get(f"/api/v1/members/{member['id']}").json == member


def test_not_signed_in_goes_to_sign_in(client, tenant):
    r = client.get(f"/t/{tenant.slug}/profile")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/t/{tenant.slug}/signin")


def test_the_chinese_page_has_chinese_labels(mentee, tenant):
    _, client = mentee
    html = _text(client.get(f"/t/{tenant.slug}/profile?lang=zh"))
    assert 'lang="zh-Hans"' in html and "编辑个人资料" in html and "时区" in html and "星期一" in html
    for english in ("Edit your profile", "Time zone", "Headline", "Skills", "Morning", "Monday", "Save"):
        assert english not in html, english
    html = _text(client.get(f"/t/{tenant.slug}/profile", headers={"Accept-Language": "zh-CN"}))
    assert "编辑个人资料" in html


def test_another_members_data_never_appears_nor_changes(mentee, mentor, admin, tenant):
    member, client = mentee
    other, _ = mentor
    html = _text(client.get(f"/t/{tenant.slug}/profile"))
    for secret in (other["name"], other["email"], other["headline"], "Example Bank"):
        assert secret not in html
    # fields naming another member or changing the e-mail or role are not the page's to take
    r = save(client, tenant, mentee_form(id=str(other["id"]), member_id=str(other["id"]),
                                         email="taken@example.com", role="mentor"))
    assert r.status_code == 303
    mine = admin.get(f"/api/v1/members/{member['id']}").json
    assert mine["email"] == member["email"] and mine["role"] == "mentee"
    assert admin.get(f"/api/v1/members/{other['id']}").json == other


def test_a_session_of_another_tenant_finds_nothing(app, tenant, other_tenant):
    admin_b = ApiClient(app.test_client(), other_tenant.admin_key)
    elsewhere = signed_in(app, other_tenant.slug, admin_b.post("/api/v1/members", json=mentee_payload()).json["email"])
    assert elsewhere.get(f"/t/{tenant.slug}/profile").status_code == 404


def test_the_domain_picker_offers_this_tenants_domains_only(mentee, admin, app, tenant, other_tenant):
    _, client = mentee
    assert admin.post("/api/v1/members", json=mentor_payload(domains=["software/backend"])).status_code == 201
    admin_b = ApiClient(app.test_client(), other_tenant.admin_key)
    assert admin_b.post("/api/v1/members", json=mentor_payload(domains=["law/secret-practice"])).status_code == 201
    html = _text(client.get(f"/t/{tenant.slug}/profile"))
    assert '<option value="software/backend">' in html and '<option value="finance/credit-risk">' in html
    assert "law/secret-practice" not in html


def test_the_score_script_is_served(client):
    r = client.get("/assets/profile.js")
    body = r.get_data(as_text=True)
    r.close()
    assert r.status_code == 200 and "javascript" in r.content_type and "X-CSRFToken" in body

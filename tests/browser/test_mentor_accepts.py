"""A mentor signs in from the link e-mailed to them (read from a real SMTP sink) and accepts an intro in the
browser; the mentee, signed in the same way in a browser of their own, finds the mentorship on their page."""
from tests.browser.helpers import api as _api
from tests.browser.helpers import sign_in as _sign_in
from tests.factories import mentee_payload, mentor_payload

MESSAGE = ("Hi, I'm a first-year MS student in financial engineering at Columbia. Your work on credit risk models and "
           "stress testing at a commercial bank is exactly what I want to learn about; how did you get started, and "
           "what should I read first?")


def test_the_mentor_signs_in_from_the_e_mailed_link_and_accepts(site, browser, watched, inbox):
    mentee = _api(site, "POST", "/api/v1/members", mentee_payload(email="flow-mentee@example.edu"))
    mentor = _api(site, "POST", "/api/v1/members", mentor_payload(email="flow-mentor@example.com"))
    _api(site, "POST", "/api/v1/intros", {"mentee_id": mentee["id"], "mentor_id": mentor["id"], "message": MESSAGE})

    _sign_in(site, watched, inbox, "flow-mentor@example.com")
    page = watched.page
    page.click(f"a:has-text('{mentee['name']}')")
    assert "credit risk models" in page.inner_text("main")
    watched.shoot("intro-mentor")
    page.click("button:has-text('Accept')")
    page.wait_for_load_state()
    [intro] = _api(site, "GET", f"/api/v1/intros?mentor_id={mentor['id']}")["items"]
    assert intro["status"] == "accepted" and intro["mentorship_id"]
    watched.shoot("intro-accepted")

    context = browser.new_context()
    try:
        mentee_page = context.new_page()
        mentee_view = type(watched)(mentee_page)
        _sign_in(site, mentee_view, inbox, "flow-mentee@example.edu")
        mentee_page.click(f"a:has-text('{mentor['name']}') >> nth=0")
        mentee_page.wait_for_load_state()
        assert mentor["name"] in mentee_page.inner_text("main")
    finally:
        context.close()

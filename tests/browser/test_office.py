"""The career office signs in with its admin key and reads the funnel drawn on the server, in English and Chinese;
an intro sent through the API moves it."""
import re

import pytest

from tests.browser.helpers import api as _api
from tests.browser.helpers import office_sign_in


def _sent(page):
    """The count the funnel chart shows for intros sent (its first bar's text)."""
    desc = page.locator("figure.chart svg desc").first.text_content()
    return int(re.search(r"\d+", desc).group(0))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_office_signs_in_and_sees_the_funnel_move(site, watched, lang):
    office_sign_in(site, watched, lang)
    page = watched.page
    assert page.locator("figure.chart svg").count() >= 1
    before = _sent(page)
    watched.shoot(f"office-{lang}")

    from tests.factories import mentee_payload, mentor_payload

    mentee = _api(site, "POST", "/api/v1/members", mentee_payload(email=f"office-mentee-{lang}@example.edu"))
    mentor = _api(site, "POST", "/api/v1/members", mentor_payload(email=f"office-mentor-{lang}@example.edu"))
    message = ("Hi, I'm a first-year MS student in financial engineering. Your work on credit risk models and stress "
               "testing is what I want to learn; how did you get started, and what should I read first?")
    _api(site, "POST", "/api/v1/intros", {"mentee_id": mentee["id"], "mentor_id": mentor["id"], "message": message})
    page.reload()
    assert _sent(page) == before + 1

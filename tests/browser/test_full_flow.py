"""Issue 13's whole path in a real browser, once with the pages in English and once in Chinese: a mentee joins from
an invite, fixes a profile gap, reads a mentor's card, types a cold referral ask and sees it blocked with advice,
sends a genuine intro; the mentor signs in from the e-mailed link (read from a real SMTP sink) and accepts; they
propose and confirm a meeting; both check in after the meeting's time (the clock of the whole process moved past
it); the career office sees the funnel move. Screenshots of every step, desktop and 375 px, in tests/artifacts/."""
import re
from datetime import datetime, timedelta

import pytest
import time_machine

from tests.browser.helpers import api, office_sign_in, sign_in
from tests.factories import mentor_payload

TEXT = {
    "en": {
        "bio": "I grew up in Chengdu and came to New York to study financial engineering. I build small credit risk "
               "models in Python for class and want to learn how banks test them against a real downturn.",
        "cold": "Hi, I am applying to your company. Can you refer me for the analyst job? Thanks.",
        "genuine": "Hi {first}, your work on credit risk models at Northwind Bank, and the SAS and Python stress "
                   "tests you describe, is exactly what I hope to learn. This term I compare default models across "
                   "two recessions for my thesis. How did you learn to explain a model's limits to people outside "
                   "the risk team, and what would you read first in my place?",
        "blocked": "The coach would stop this message",
        "gap": "tell people who you are",
    },
    "zh": {
        "bio": "我在成都长大，来纽约读金融工程。课上我用 Python 做小型信用风险模型，"
               "很想知道银行如何用真实的经济下行情景来检验模型，也想了解风险团队的日常工作。",
        "cold": "你好，我正在申请贵公司的分析师职位，能帮我内推一下吗？谢谢！",
        "genuine": "{first}您好！看到您在 Northwind Bank 做信用风险建模，也用 SAS 和 Python 做压力测试，"
                   "这正是我最想学的方向。这学期我的论文在比较两次经济衰退中的违约模型。"
                   "想请教您：您是怎么学会向风险团队以外的同事解释模型局限的？如果您是我，会先读哪些资料？",
        "blocked": "写作教练会拦下这条消息",
        "gap": "",
    },
}


def _funnel(page):
    """The counts the funnel chart's description gives (percentages left out), in stage order: sent, accepted,
    meetings scheduled, completed…"""
    desc = page.locator("figure.chart svg desc").first.text_content()
    return [int(n) for n in re.findall(r"\b(\d+)\b(?!\s*%)", desc)]


def _office(site, watched, lang):
    office_sign_in(site, watched, lang)
    return _funnel(watched.page)


def _meeting_id(page):
    """The newest meeting linked from a mentorship page (meetings are listed newest first)."""
    return int(re.search(r"/meetings/(\d+)", page.locator("a[href*='/meetings/']").first.get_attribute("href"))
               .group(1))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_whole_path_from_invite_to_a_completed_meeting(site, watched, another_browser, inbox, lang):
    words = TEXT[lang]
    domain = f"finance/stress-testing-{lang}"
    mentor = api(site, "POST", "/api/v1/members", mentor_payload(
        name=f"Grace Wang{lang.upper()}", email=f"whole-mentor-{lang}@example.com", company="Northwind Bank",
        domains=[domain], skills=["sas", "python"], school="Columbia University"))
    funnel_before = _office(site, watched, lang)

    # the mentee joins from an invite, in a browser of their own
    mentee = another_browser()
    page = mentee.page
    email = f"whole-mentee-{lang}@example.edu"
    url = api(site, "POST", "/api/v1/invites", {"role": "mentee", "email": email})["url"]
    page.goto(f"{url}?lang={lang}")
    page.fill("#name", "Lin Wei" if lang == "en" else "林伟")
    page.fill("#headline", "MS Financial Engineering student")
    page.fill("#bio", "Columbia MSFE student." if lang == "en" else "哥大金融工程学生。")
    page.select_option("#timezone", "America/New_York")
    page.fill("#domains", domain)
    page.check("input[name=goals][value=domain-knowledge]")
    page.check("input[name=goals][value=career-plan]")
    page.check(f"input[name=languages][value={lang}]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/t/{site.slug}/me**")
    mentee.shoot(f"flow-{lang}-1-joined")

    # fixes the gaps: a bio that says who they are, a photo, the weekly availability grid
    page.click(f"a[href$='/t/{site.slug}/profile']")
    page.wait_for_url(f"**/t/{site.slug}/profile**")
    gaps_before = page.locator("#profile-score").inner_text()
    page.fill("#bio", words["bio"])
    page.fill("#photo_url", "https://example.edu/photos/lin.jpg")
    for day in range(5):
        for block in ("09:00-12:00", "12:00-17:00"):
            page.check(f"input[name=slot][value='{day} {block}']")
    page.wait_for_timeout(700)  # the live score (profile.js, debounced) catches up
    mentee.shoot(f"flow-{lang}-2-profile")
    page.click("#profile-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#profile-score").inner_text() != gaps_before
    [record] = [m for m in api(site, "GET", "/api/v1/members?role=mentee&per_page=100")["items"]
                if m["email"] == email]
    assert record["profile"]["ready"], record["profile"]
    assert not {"bio_too_short", "availability_missing", "photo_missing"} & set(record["profile"]["gaps"])

    # reads a recommended mentor's card; the coach stops a cold ask, live and on sending; a genuine intro goes
    page.goto(site.url(f"/t/{site.slug}/me"))
    page.click(f"a:has-text('{mentor['name']}')")
    page.wait_for_url(re.compile(rf"/t/{site.slug}/mentors/{mentor['id']}"))
    assert "Northwind Bank" in page.inner_text("main")
    page.fill("#message", words["cold"])
    page.locator("#coaching-body .error").wait_for()  # the coach, live, as it was typed
    assert words["blocked"] in page.inner_text("#coaching")
    page.click("#composer button[value=send]")
    page.wait_for_load_state()
    assert words["blocked"] in page.inner_text("#coaching")  # refused by the server too, with the advice
    mentee.shoot(f"flow-{lang}-3-blocked")
    page.fill("#message", words["genuine"].format(first=mentor["name"].split()[0]))
    page.click("#composer button[value=send]")
    page.wait_for_url(re.compile(rf"/t/{site.slug}/intros/\d+"))
    mentee.shoot(f"flow-{lang}-4-sent")
    intro_id = int(re.search(r"/intros/(\d+)", page.url).group(1))

    # the mentor signs in from the e-mailed link and accepts from the inbox
    mentor_view = another_browser()
    sign_in(site, mentor_view, inbox, mentor["email"], lang)
    mpage = mentor_view.page
    mentor_view.shoot(f"flow-{lang}-5-inbox")
    mpage.click(f"form[action$='/intros/{intro_id}/accept'] button")
    mpage.wait_for_load_state()
    intro = api(site, "GET", f"/api/v1/intros/{intro_id}")
    assert intro["status"] == "accepted", intro

    # the mentee proposes a call at times both are free; the mentor picks one from their page
    page.goto(site.url(f"/t/{site.slug}/mentorships/{intro['mentorship_id']}"))
    page.click("form[action$='/meetings'] button[type=submit]")
    page.wait_for_load_state()
    meeting_id = _meeting_id(page)
    mpage.goto(site.url(f"/t/{site.slug}/me"))
    mpage.click(f"a[href$='/meetings/{meeting_id}']")
    mpage.click("form[action$='/confirm'] button")
    mpage.wait_for_load_state()
    mentor_view.shoot(f"flow-{lang}-6-confirmed")
    meeting = api(site, "GET", f"/api/v1/meetings/{meeting_id}")
    assert meeting["status"] == "scheduled", meeting

    # the call's time comes (the clock of the whole process, server included, moves past it); both check in
    with time_machine.travel(datetime.fromisoformat(meeting["end"]) + timedelta(minutes=5), tick=True):
        for view, name in ((mentee, "mentee"), (mentor_view, "mentor")):
            view.page.goto(site.url(f"/t/{site.slug}/me"))
            view.page.click(f"a[href$='/meetings/{meeting_id}']")  # "did your call happen?"
            view.page.click("form[action$='/check-in'] button[value=yes]")
            view.page.wait_for_load_state()
            view.shoot(f"flow-{lang}-7-checked-in-{name}")
        assert api(site, "GET", f"/api/v1/meetings/{meeting_id}")["status"] == "completed"

        # the career office sees the funnel move: one more intro sent, accepted, meeting scheduled, completed
        watched.page.reload()
        funnel_after = _funnel(watched.page)
        assert [a - b for a, b in zip(funnel_after[:4], funnel_before[:4], strict=True)] == [1, 1, 1, 1], \
            (funnel_before, funnel_after)
        watched.shoot(f"flow-{lang}-8-office")

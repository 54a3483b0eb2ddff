"""A mentee joins from an invite in a real browser, in English and in Chinese (the first steps of issue 13's
end-to-end flow; the rest of it follows as its pages land)."""
import json
import urllib.request

import pytest


def _invite(site, role, email=None):
    body = {"role": role, **({"email": email} if email else {})}
    request = urllib.request.Request(site.url("/api/v1/invites"), data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {site.admin_key}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return json.load(response)["url"]


@pytest.mark.parametrize(("lang", "joined", "gap"), [
    ("en", "Your profile", "photo"),
    ("zh", "你的资料", "照片"),
])
def test_a_mentee_joins_from_an_invite_and_sees_their_gaps_in_words(site, watched, lang, joined, gap):
    page = watched.page
    url = _invite(site, "mentee", f"joiner-{lang}@example.edu")
    page.goto(f"{url}?lang={lang}")
    watched.shoot(f"join-{lang}")
    page.fill("#name", "Lin Wei" if lang == "en" else "林伟")
    page.fill("#headline", "MS Financial Engineering student")
    page.fill("#bio", "I build credit risk models in Python for class and want to learn how banks stress test."
              if lang == "en" else "我在哥大读金融工程，课上用 Python 做信用风险模型，想了解银行是怎么做压力测试的。")
    page.select_option("#timezone", "America/New_York")
    page.fill("#domains", "finance/credit-risk")
    page.check("input[name=goals][value=domain-knowledge]")
    page.check(f"input[name=languages][value={lang}]")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/t/{site.slug}/me**")
    text = page.inner_text("main")
    assert joined in text and gap in text, text
    assert "photo_missing" not in text  # gaps in words, never codes
    watched.shoot(f"me-{lang}")


def test_the_sign_in_page_works_by_keyboard(site, watched):
    page = watched.page
    page.goto(site.url(f"/t/{site.slug}/signin"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement && document.activeElement.tagName")
    assert focused in ("A", "INPUT", "BUTTON", "SELECT")
    page.fill("input[type=email]", "nobody@example.edu")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("main").inner_text()
    watched.shoot("signin-sent")

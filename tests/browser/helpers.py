"""What the browser tests share: the admin API over real HTTP, the SMTP sink, signing in from an e-mailed link."""
import json
import re
import time
import urllib.request


def api(site, method, path, body=None):
    """The API over HTTP with the tenant's admin key; the JSON answer."""
    request = urllib.request.Request(site.url(path), method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {site.admin_key}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def mail_to(site, inbox, email, pattern, seen=0):
    """The first link matching `pattern` in an e-mail to `email` after the first `seen` of them (waits for the
    in-process job thread to send it)."""
    for _ in range(60):
        assert site.app.extensions["jobs"].wait(timeout=60)
        for message in [m for m in inbox.messages if m["To"] == email][seen:]:
            found = re.search(pattern, inbox.text(message))
            if found:
                return found.group(0)
        time.sleep(0.5)
    raise AssertionError(f"no e-mail to {email} with {pattern}")


def sign_in(site, watched, inbox, email, lang=None):
    """Ask for a link on the sign-in page, read it from the e-mail, confirm it: the session starts."""
    page = watched.page
    before = len([m for m in inbox.messages if m["To"] == email])
    page.goto(site.url(f"/t/{site.slug}/signin" + (f"?lang={lang}" if lang else "")))
    page.fill("input[type=email]", email)
    with page.expect_navigation():
        page.click("button[type=submit]")
    link = mail_to(site, inbox, email, r"https?://\S+/signin/\S+", seen=before)
    page.goto(link)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(rf"/t/{site.slug}/me"))


def office_sign_in(site, watched, lang):
    """The career office signs in with the tenant's admin key (the key form), pages in `lang`."""
    page = watched.page
    page.goto(site.url(f"/t/{site.slug}/office/signin?lang={lang}"))
    page.fill("#key", site.admin_key)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/t/{site.slug}/office(\?.*)?$"))

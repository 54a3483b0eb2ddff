"""End-to-end tests in a real headless Chromium (issue 13): Debian's `chromium` driven by Playwright from PyPI with
`executable_path`, never a downloaded browser. The app is served over HTTP by a threaded server on a SQLite file of
its own (the pages are the same on PostgreSQL; the database-specific behaviour is tested elsewhere), so these run
once, in the SQLite pass of `make test`. Every page load is watched: a console error or a failed request fails the
test. Screenshots go to tests/artifacts/ (git-ignored), desktop and 375 px wide."""
import os
import shutil
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from mentorship import create_app
from mentorship.config import TestConfig
from mentorship.extensions import db
from mentorship.tenancy.operations import create_tenant
from mentorship.tenancy.scope import unscoped
from tests.conftest import _Inbox
from tests.factories import smtp_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}


def pytest_collection_modifyitems(config, items):
    reason = None
    if os.environ.get("TEST_DATABASE_URL"):
        reason = "browser tests run once, in the SQLite pass"
    elif not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        reason = f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)"
    if reason:
        for item in items:
            if "tests/browser/" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def _rolled_back():
    """Overrides the suite's shared rolled-back connection: the served app commits to its own file."""
    yield


@dataclass
class Site:
    app: object
    base: str
    slug: str
    admin_key: str

    def url(self, path):
        return self.base + path


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """One served app for every browser test (the in-process job runner belongs to the first app a process
    starts, so a second served app would not get its e-mails out)."""
    from flask_migrate import upgrade

    port = _free_port()
    path = tmp_path_factory.mktemp("browser") / "site.db"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        PUBLIC_URL = f"http://127.0.0.1:{port}"
        JOBS_LOCAL_AUTOSTART = True

    app = create_app(Config)
    with app.app_context():
        upgrade()
        with unscoped():
            tenant, secret = create_tenant("uni", "University Career Office")
            slug = tenant.slug
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(app, f"http://127.0.0.1:{port}", slug, secret)
    server.shutdown()
    thread.join(10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def inbox(site):
    """A real SMTP sink the served app's e-mails go to."""
    with smtp_server(site.app, _Inbox()) as received:
        yield received


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists()
                                              else shutil.which("chromium"), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """A page whose console errors, failed requests and 4xx/5xx assets are collected."""

    page: object
    problems: list = field(default_factory=list)
    refused_pages: set = field(default_factory=set)  # pages (documents) that answered 4xx: a 5xx is a problem

    def shoot(self, name):
        """Screenshots of the current page, desktop and 375 px wide."""
        ARTIFACTS.mkdir(exist_ok=True)
        for label, size in VIEWPORTS.items():
            self.page.set_viewport_size(size)
            self.page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        self.page.set_viewport_size(VIEWPORTS["desktop"])


def _watch(seen):
    """Collect the page's console errors, uncaught errors, failed requests and 4xx/5xx assets into seen.problems."""
    page = seen.page
    page.on("console", lambda msg: msg.type == "error"
            and seen.problems.append(f"console: {msg.text} ({msg.location.get('url')})"))
    page.on("pageerror", lambda error: seen.problems.append(f"page error: {error}"))
    # a request cut short because the page moved on (net::ERR_ABORTED: a click right after a load) is not a failure
    page.on("requestfailed", lambda request: "ERR_ABORTED" not in (request.failure or "")
            and seen.problems.append(f"failed: {request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400 and (
        seen.refused_pages.add(response.url) if response.request.resource_type == "document" and response.status < 500
        else seen.problems.append(f"{response.status}: {response.url}")))
    return seen


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    seen = _watch(Watched(context.new_page()))
    yield seen
    context.close()
    # Chromium also logs a page answered 4xx as a console error: a form shown again with what to change (422, 409)
    # is the page working; its assets and scripts' requests are still checked (the response handler)
    problems = [p for p in seen.problems if not any(p.startswith("console: Failed to load resource") and f"({url})"
                                                    in p for url in seen.refused_pages)]
    assert not problems, problems


@pytest.fixture
def another_browser(browser, watched):
    """More people, each in a browser context of their own (their own cookies), watched like `watched` (their
    problems fail the test too)."""
    contexts = []

    def open_one():
        context = browser.new_context(viewport=VIEWPORTS["desktop"])
        contexts.append(context)
        return _watch(Watched(context.new_page(), watched.problems, watched.refused_pages))

    yield open_one
    for context in contexts:
        context.close()

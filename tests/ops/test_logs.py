"""Logging: JSON lines (LOG_FORMAT=json) or plain ones, each with the request id and tenant id when there is one;
the request id made per request (or taken from a proxy's X-Request-Id) and sent back; configured outside tests."""
import io
import json
import logging
import re

import pytest

from mentorship import create_app
from mentorship.config import TestConfig
from mentorship.ops import logs
from mentorship.tenancy.scope import tenant_scope
from tests.factories import wait_local_jobs
from tests.pairs import make_pair


@pytest.fixture
def root_logger():
    """The root logger as pytest set it up, restored after a test that configures logging as the app does."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def _log_in_a_request(app, stream_format, root_logger):
    stream = io.StringIO()
    logs.configure(stream_format, "INFO", stream=stream)
    with app.test_request_context(headers={"X-Request-Id": "req-42"}), tenant_scope(7):
        logs.assign_request_id()
        logging.getLogger("mentorship.somewhere").warning("something %s", "happened")
    with app.app_context():
        logging.getLogger("mentorship.elsewhere").info("outside a request")
    return stream.getvalue().splitlines()


def test_json_lines_carry_request_id_and_tenant_id(app, root_logger):
    in_request, outside = [json.loads(line) for line in _log_in_a_request(app, "json", root_logger)]
    assert in_request["message"] == "something happened" and in_request["level"] == "WARNING"
    assert in_request["logger"] == "mentorship.somewhere" and in_request["timestamp"].endswith("+00:00")
    assert (in_request["request_id"], in_request["tenant_id"]) == ("req-42", 7)
    assert outside["message"] == "outside a request" and "request_id" not in outside and "tenant_id" not in outside


def test_plain_lines_for_a_console(app, root_logger):
    in_request, outside = _log_in_a_request(app, "plain", root_logger)
    assert re.fullmatch(r"\S+ \S+ WARNING mentorship.somewhere \[request_id=req-42 tenant_id=7\]: something happened",
                        in_request)
    assert outside.endswith("INFO mentorship.elsewhere: outside a request")


def test_unknown_log_format_is_refused(root_logger):
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logs.configure("xml")


def test_request_id_is_made_or_taken_and_sent_back(client):
    made = client.get("/healthz").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made) and made != client.get("/healthz").headers["X-Request-Id"]
    assert client.get("/healthz", headers={"X-Request-Id": "edge-abc.1"}).headers["X-Request-Id"] == "edge-abc.1"
    hostile = client.get("/healthz", headers={"X-Request-Id": "x" * 200}).headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", hostile)
    assert client.get("/no-such-page").headers["X-Request-Id"]


def test_outside_tests_the_app_configures_the_root_logger(root_logger):
    class Config(TestConfig):
        TESTING = False
        LOG_FORMAT = "json"
        SQLALCHEMY_DATABASE_URI = "sqlite://"  # never connected to here

    create_app(Config)
    [handler] = [h for h in root_logger.handlers if getattr(h, "mentorship", False)]
    assert root_logger.level == logging.INFO
    assert logging.getLogger("mentorship.mail").getEffectiveLevel() == logging.INFO  # `make run` shows e-mails
    create_app(Config)  # a second app replaces the handler instead of doubling every line
    assert [h for h in root_logger.handlers if getattr(h, "mentorship", False)] != [handler]
    assert len([h for h in root_logger.handlers if getattr(h, "mentorship", False)]) == 1


def test_an_email_not_sent_for_want_of_mail_url_is_a_warning(app, admin, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_URL", "")
    caplog.set_level(logging.INFO, logger="mentorship.mail")
    pair = make_pair(app, admin)
    assert pair.intro().status_code == 201
    wait_local_jobs(app)
    warnings = [r for r in caplog.records if r.name == "mentorship.mail" and r.levelno == logging.WARNING]
    assert warnings and all("not sent: MAIL_URL is not set" in r.getMessage() for r in warnings)

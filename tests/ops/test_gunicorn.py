"""Issue 15, acceptance 1: under real gunicorn with 3 workers, /metrics counts every request once whichever worker
answers the scrape (prometheus_client's multiprocess mode, gunicorn.conf.py), also after a worker exits, with one
Content-Type value; the access log is one JSON object per line with the request id."""
import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from flask_migrate import upgrade

from mentorship import create_app
from mentorship.config import TestConfig
from tests.faults.services import ROOT, free_port, wait_until

# The server runs on SQLite whatever the suite's database: the PostgreSQL run would only repeat it.
pytestmark = [pytest.mark.serial, pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                                                     reason="run once, in the SQLite run")]
N = 60
COUNTER = 'mentorship_http_requests_total{endpoint="/healthz",method="GET",status="200"}'


class Gunicorn:
    def __init__(self, tmp_path):
        database = f"sqlite:///{tmp_path}/app.db"

        class Config(TestConfig):
            SQLALCHEMY_DATABASE_URI = database

        with create_app(Config).app_context():
            upgrade()  # what `flask db upgrade` runs, without starting a second interpreter
        drop = {"REDIS_URL", "TEST_DATABASE_URL", "WEB_CONCURRENCY", "LOG_FORMAT"}
        env = {k: v for k, v in os.environ.items() if k not in drop}
        # a metrics directory with a previous run's file in it: gunicorn.conf.py empties it at start
        self.metrics_dir = tmp_path / "metrics"
        self.metrics_dir.mkdir()
        (self.metrics_dir / "counter_1.db").write_bytes(b"\0" * 8)
        env.update(DATABASE_URL=database, SECRET_KEY="gunicorn-test", SWEEP_IN_PROCESS="false",
                   PROMETHEUS_MULTIPROC_DIR=str(self.metrics_dir))
        self.base, self.log = f"http://127.0.0.1:{free_port()}", tmp_path / "gunicorn.log"
        # --preload: the app is imported once and forked, so three workers are ready in seconds on a busy machine
        command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-c", "gunicorn.conf.py", "--preload",
                   "-w", "3", "-b", self.base.removeprefix("http://")]
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def lines(self):
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")]

    def ready_workers(self):
        return [line["process"] for line in self.lines() if line["message"].endswith(" ready")]

    def access(self, path):
        return [line for line in self.lines() if line["logger"] == "gunicorn.access" and line["path"] == path]

    def stop(self):
        # the master and its workers at once: a graceful stop waits seconds for each worker's interpreter to tear
        # down numpy, SciPy and OR-Tools, and tells this test nothing
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the module: starting one costs seconds."""
    server = Gunicorn(tmp_path_factory.mktemp("gunicorn"))
    try:
        wait_until(lambda: len(server.ready_workers()) == 3, 60, "3 gunicorn workers")
        yield server
    finally:
        server.stop()


def _get(url):
    # a new connection each time (requests.get opens its own session): the kernel hands it to any worker
    return requests.get(url, timeout=10, headers={"Connection": "close"})


def _scrapes(server, count):
    with ThreadPoolExecutor(3) as pool:
        return list(pool.map(_get, [f"{server.base}/metrics"] * count))


def _counter(response):
    [line] = [x for x in response.text.splitlines() if x.startswith(COUNTER + " ")]
    return float(line.rsplit(" ", 1)[1])


def test_metrics_count_every_request_once_across_three_workers(server):
    with ThreadPoolExecutor(6) as pool:
        assert {r.status_code for r in pool.map(_get, [f"{server.base}/healthz"] * N)} == {200}
    wait_until(lambda: len(server.access("/healthz")) == N, 10, "the access log")
    assert not (server.metrics_dir / "counter_1.db").exists()
    answered_by = {line["process"] for line in server.access("/healthz")}
    assert len(answered_by) > 1, "one worker answered every request: the test proves nothing about aggregation"

    for scrape in _scrapes(server, 9):
        assert scrape.status_code == 200
        assert scrape.raw.headers.getlist("Content-Type") == ["text/plain; version=0.0.4; charset=utf-8"]
        assert _counter(scrape) == N
    wait_until(lambda: len(server.access("/metrics")) == 9, 10, "the access log")
    assert len({line["process"] for line in server.access("/metrics")}) > 1

    # a worker that exits takes nothing with it: its counts stay in the sum (child_exit only drops live gauges)
    gone = sorted(answered_by)[0]
    os.kill(gone, signal.SIGTERM)
    wait_until(lambda: len(server.ready_workers()) == 4, 30, "a replacement worker")
    assert all(_counter(scrape) == N for scrape in _scrapes(server, 6))


def test_access_log_is_json_with_the_request_id(server):
    answer = _get(f"{server.base}/readyz?probe=1")  # not /healthz, whose count the other test reads
    wait_until(lambda: server.access("/readyz"), 10, "the access log")
    [line] = server.access("/readyz")
    assert line["request_id"] == answer.headers["X-Request-Id"]
    assert (line["method"], line["status"], line["query"]) == ("GET", 200, "probe=1")
    assert line["duration_ms"] >= 0 and line["timestamp"] and line["level"] == "INFO"


def test_access_log_leaves_out_the_tokens_of_sign_in_and_invitation_links(server):
    for path in ("/t/nowhere/signin/sign-in-secret-1", "/t/nowhere/join/invite-secret-2"):
        _get(f"{server.base}{path}")
    wait_until(lambda: len([x for x in server.lines() if x["logger"] == "gunicorn.access"
                            and "[redacted]" in x["path"]]) == 2, 10, "the access log")
    assert "secret" not in server.log.read_text()

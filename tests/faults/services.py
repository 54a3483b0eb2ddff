"""Private, throwaway instances for the fault tests: a Redis and a PostgreSQL this test run starts, kills and
restarts (never the shared ones on 6379/5432), the app served by gunicorn, and a bounded loop of HTTP requests."""
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(probe, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if probe():
                return
        except Exception:  # not up yet
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} not ready within {timeout} s")


def redis_missing():
    return None if shutil.which("redis-server") else "redis-server is not installed"


def postgres_missing():
    if not PG_BIN or not Path(PG_BIN, "initdb").exists():
        return "the PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: cannot start PostgreSQL as the postgres user"
    return None


class PrivateRedis:
    """redis-server on a free port, no persistence: a restart comes back empty, as the outage test wants."""

    def __init__(self):
        self.port, self.dir = free_port(), tempfile.mkdtemp(prefix="mentorship-redis-")
        self.url, self.process = f"redis://127.0.0.1:{self.port}/0", None

    def start(self):
        log = open(Path(self.dir, "redis.log"), "ab")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", self.dir], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_until(lambda: self.client().ping(), 10, "private Redis")

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=2)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def close(self):
        if self.process and self.process.poll() is None:
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivatePostgres:
    """A cluster of its own (initdb into a temp dir, as the postgres user when run as root) on a free port."""

    def __init__(self):
        self.port, self.dir = free_port(), tempfile.mkdtemp(prefix="mentorship-pg-")
        self.data = Path(self.dir, "data")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool, *args):
        command = [str(Path(PG_BIN, tool)), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)

    def start(self):
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(Path(self.dir, "pg.log")), "-w", "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def close(self):
        try:
            self.stop("immediate")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass  # not running
        shutil.rmtree(self.dir, ignore_errors=True)


def app_env(**settings):
    """The environment of a served app, worker or CLI command: the test's settings, nothing from a developer's."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "MAIL_URL", "FLASK_APP"}}
    env.update({"SECRET_KEY": "faults-not-secret", "RATELIMIT_DEFAULT": "100000 per minute", "FLASK_APP": "wsgi",
                "PYTHONUNBUFFERED": "1"})
    env.update({k: str(v) for k, v in settings.items() if v is not None})
    return env


def flask(env, *args, timeout=120):
    """`flask --app wsgi <args>`; returns its stdout."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def create_tenant(env, slug):
    """A tenant through the operator command: (tenant id, admin key)."""
    out = json.loads(flask(env, "tenants", "create", "--slug", slug, "--name", slug.title()).strip().splitlines()[-1])
    return out["tenant"]["id"], out["api_key"]


class Process:
    """A child process (gunicorn, a worker) whose output goes to a file, shown when a test fails."""

    def __init__(self, args, env, name):
        self.log_path = Path(tempfile.mkdtemp(prefix=f"mentorship-{name}-"), "out.log")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def alive(self):
        return self.process.poll() is None

    def output(self, tail=4000):
        return self.log_path.read_text(errors="replace")[-tail:]

    def stop(self):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.log_path.parent, ignore_errors=True)


def serve(env, workers=2, threads=2):
    """The app under gunicorn on a free port, as in production; returns (process, base URL)."""
    port = free_port()
    server = Process([sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
                      "-b", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"], env, "gunicorn")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(f"{base}/healthz", timeout=2).ok, 60, "gunicorn")
    except AssertionError:
        server.stop()
        raise
    return server, base


def start_worker(env, redis):
    """`flask --app wsgi worker`, returned once it has registered with `redis` (a PrivateRedis)."""
    worker = Process([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], env, "worker")
    from rq import Worker

    try:
        wait_until(lambda: Worker.all(connection=redis.client()), 60, "the RQ worker")
    except AssertionError:
        worker.stop()
        raise
    return worker


@dataclass
class Answer:
    action: str
    started: float  # time.monotonic()
    seconds: float
    status: int | None  # None: no answer (connection error or client timeout)
    content_type: str
    body: object


class Load:
    """`threads` clients running `actions` (callables session -> (name, response)) in turn until stopped."""

    def __init__(self, actions, threads=4, timeout=10):
        self.actions, self.timeout, self.answers = actions, timeout, []
        self.stopping, self.lock = threading.Event(), threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(threads)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)

    def _client(self, index):
        session, n = requests.Session(), index
        while not self.stopping.is_set():
            action = self.actions[n % len(self.actions)]
            n += 1
            started = time.monotonic()
            try:
                name, response = action(session, self.timeout)
                body = response.json() if "json" in response.headers.get("Content-Type", "") else response.text
                answer = Answer(name, started, time.monotonic() - started, response.status_code,
                                response.headers.get("Content-Type", ""), body)
            except requests.RequestException as exc:
                answer = Answer(getattr(action, "__name__", "?"), started, time.monotonic() - started, None, "",
                                repr(exc))
            with self.lock:
                self.answers.append(answer)


WORDS = ("river ledger bridge harvest lantern orbit maple canvas pebble signal meadow copper thistle harbor cobalt "
         "willow quartz ember saddle falcon prairie citrus tundra velvet marble beacon glacier anchor cinder dune "
         "kettle meteor nutmeg oasis parcel quiver ripple saffron timber umber vessel walnut yarrow zephyr alder "
         "basalt cedar delta fjord garnet hazel indigo juniper kelp lotus mica nectar onyx pewter quince rowan sable "
         "tamarind umbra vale wren yucca zinc almond birch clover dahlia elm fennel ginger heron iris jasper kiwi "
         "lilac mango nettle olive poppy radish sorrel tulip violet wasabi yew acorn bramble cactus daisy").split()


def personal_message(mentor, rng):
    """A first message the coach lets through and never finds templated: personal, and mostly words of its own."""
    notes = " ".join(rng.choice(WORDS) for _ in range(40))
    return (f"Hi {mentor['name']}, your work as a {mentor['title']} at {mentor['company']} caught my eye because I "
            f"have been learning {mentor['skills'][0].upper()} this year. My notes from a class project: {notes}. "
            "What skills should I build this year to be useful on a team like yours?")

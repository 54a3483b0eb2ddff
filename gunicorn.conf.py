"""gunicorn settings for the web process: `gunicorn -c gunicorn.conf.py` (wsgi:app). Command-line flags win.

Environment: WEB_CONCURRENCY (workers; default 2 per CPU + 1), GUNICORN_BIND (0.0.0.0:8000), GUNICORN_TIMEOUT
(30 s per request), GUNICORN_GRACEFUL_TIMEOUT (30 s to finish requests on shutdown), LOG_FORMAT (json here),
PROMETHEUS_MULTIPROC_DIR (a fresh temporary directory when unset; emptied at start either way).
"""
import os
import re
import shutil
import tempfile
from pathlib import Path

from pythonjsonlogger.json import JsonFormatter

# Before the app (and so prometheus_client) is imported: prometheus_client chooses per-process files at import.
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="mentorship-metrics-")
METRICS_DIR = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
os.environ.setdefault("LOG_FORMAT", "json")  # the app's own lines (mentorship/ops/logs.py)


def _cpus():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


wsgi_app = "wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cpus() + 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# GUNICORN_PRELOAD=1: import the app once in the master and fork it (quicker start, pages shared between workers);
# safe here because creating the app opens no database or Redis connection
preload_app = os.environ.get("GUNICORN_PRELOAD", "").lower() in {"1", "true", "yes", "on"}
# the workers' heartbeat files in memory: a read-only root filesystem (Kubernetes) has no writable /tmp otherwise
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
access_log_format = '%(m)s %(U)s %(s)s'  # the message of a JSON access line; its fields come from AccessFormatter


class AccessFormatter(JsonFormatter):
    """gunicorn's access line as JSON: its atoms (the record's args; gunicorn escaped their quotes) become fields."""

    FIELDS = {"method": "m", "path": "U", "query": "q", "bytes": "B", "request_id": "{x-request-id}o",
              "remote_addr": "h", "user_agent": "{user-agent}i"}

    # invitation and sign-in links carry their token in the path (mentorship/web/views.py): never in a log
    SECRET_IN_PATH = re.compile(r"(/(?:join|signin)/)[^/]+")

    def add_fields(self, log_record, record, message_dict):
        super().add_fields(log_record, record, message_dict)
        atoms = record.args if isinstance(record.args, dict) else {}
        for field, atom in self.FIELDS.items():
            value = atoms.get(atom)
            log_record[field] = value.replace('\\"', '"') if isinstance(value, str) else value
        log_record["path"] = self.SECRET_IN_PATH.sub(r"\1[redacted]", log_record["path"] or "")
        log_record["message"] = self.SECRET_IN_PATH.sub(r"\1[redacted]", log_record.get("message", ""))
        status = str(atoms.get("s", ""))
        log_record["status"] = int(status) if status.isdigit() else status
        log_record["duration_ms"] = round(atoms.get("D", 0) / 1000, 3)


def _json(cls=JsonFormatter):
    return {"()": cls, "fmt": "%(levelname)s %(name)s %(message)s %(process)d", "timestamp": True,
            "rename_fields": {"levelname": "level", "name": "logger"}}


if os.environ["LOG_FORMAT"] == "json":
    # gunicorn's own loggers, JSON, not propagated: the app puts its own handler on the root logger
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
        "handlers": {
            "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "formatters": {"json": _json(), "access": _json(AccessFormatter)},
    }


def on_starting(server):
    """A fresh start counts from zero: the files of a previous run (same directory) are removed."""
    METRICS_DIR.mkdir(parents=True, exist_ok=True)
    for path in METRICS_DIR.glob("*.db"):
        path.unlink()


def post_worker_init(worker):
    worker.log.info("worker %s ready", worker.pid)


def child_exit(server, worker):
    """A worker that exited: its live gauges go; its counters stay in the sum (a counter never goes back)."""
    # imported here, not at the top: prometheus_client must first see PROMETHEUS_MULTIPROC_DIR (set above)
    from prometheus_client import multiprocess  # noqa: PLC0415

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)



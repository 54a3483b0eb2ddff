"""/metrics: request counts and latency by endpoint, and the scrape itself (prometheus-client).

Without PROMETHEUS_MULTIPROC_DIR (flask run, tests) a scrape reads this process's registry; with it (gunicorn,
gunicorn.conf.py) it sums the files of every worker with MultiProcessCollector. The outbox backlog is counted by
the database at scrape time, one query per outbox, in whichever process answers the scrape.
"""
import logging
import os
import time

from flask import Response, current_app, g, request
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.exc import SQLAlchemyError

from mentorship.common.metrics import LATENCY, REQUESTS
from mentorship.extensions import db

log = logging.getLogger(__name__)
# One value, the text format generate_latest writes (Flask's `mimetype=` would append a second charset)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# (method, endpoint, status) -> (request counter, latency histogram): `labels()` validates and locks on every call,
# and the set of label values is small (the URL rules times methods times statuses), so each pair is looked up once.
# The children live as long as their parents keep them (nothing here ever removes labels).
_children = {}


def init_app(app, backlog):
    """`backlog`: {outbox name: function() -> rows due and not sent}, each one cheap query across tenants."""
    app.extensions["metrics_backlog"] = dict(backlog)
    app.before_request(start_timer)
    app.after_request(observe)


def _children_for(method, endpoint, status):
    key = (method, endpoint, status)
    pair = _children.get(key)
    if pair is None:
        pair = _children[key] = (REQUESTS.labels(method, endpoint, str(status)), LATENCY.labels(method, endpoint))
    return pair


def start_timer():
    g.request_started = time.perf_counter()


def observe(response):
    started = g.pop("request_started", None)
    rule = request.url_rule
    count, latency = _children_for(request.method, rule.rule if rule else "unmatched", response.status_code)
    count.inc()
    if started is not None:
        latency.observe(time.perf_counter() - started)
    return response


class BacklogCollector:
    """`mentorship_outbox_backlog{outbox}`: a gauge read from the database when scraped (no process holds it)."""

    def __init__(self, counters):
        self.counters = counters

    def collect(self):
        gauge = GaugeMetricFamily("mentorship_outbox_backlog", "Outbox rows due and not sent yet, by outbox",
                                  labels=["outbox"])
        for name, count in self.counters.items():
            try:
                gauge.add_metric([name], count())
            except SQLAlchemyError as exc:  # the database is down: the other metrics are still worth a scrape
                db.session.rollback()
                log.warning("outbox backlog of %s not counted: %s", name, type(exc).__name__)
        yield gauge


class _Scrape:
    """What one scrape reads: the process's (or every worker's) metrics, then the backlog."""

    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


def _process_metrics():
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


def metrics_response():
    backlog = BacklogCollector(current_app.extensions.get("metrics_backlog", {}))
    return Response(generate_latest(_Scrape(_process_metrics(), backlog)), headers={"Content-Type": CONTENT_TYPE})

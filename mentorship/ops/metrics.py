"""Prometheus metrics: request counts and latency by endpoint (prometheus-client)."""
import time

from flask import Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("mentorship_http_requests_total", "HTTP requests", ["method", "endpoint", "status"])
LATENCY = Histogram("mentorship_http_request_seconds", "HTTP request latency", ["method", "endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

# (method, endpoint, status) -> (request counter, latency histogram): `labels()` validates and locks on every call,
# and the set of label values is small (the URL rules times methods times statuses), so each pair is looked up once.
# The children live as long as their parents keep them (nothing here ever removes labels).
_children = {}


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


def metrics_response():
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

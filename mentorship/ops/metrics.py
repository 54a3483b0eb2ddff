"""Prometheus metrics: request counts and latency by endpoint (prometheus-client)."""
import time

from flask import Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("mentorship_http_requests_total", "HTTP requests", ["method", "endpoint", "status"])
LATENCY = Histogram("mentorship_http_request_seconds", "HTTP request latency", ["method", "endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def start_timer():
    g.request_started = time.perf_counter()


def observe(response):
    started = g.pop("request_started", None)
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    if started is not None:
        LATENCY.labels(request.method, endpoint).observe(time.perf_counter() - started)
    return response


def metrics_response():
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

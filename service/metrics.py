"""Prometheus metrics at ``GET /metrics``.

Under gunicorn every worker is a process: ``raqib serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a
fresh directory before the workers fork (and its delivery worker inherits it), and the endpoint
merges every process's samples. Queue sizes are read from Redis at scrape time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

REQUESTS = Counter(
    "raqib_http_requests_total", "HTTP requests by route, method and status", ["route", "method", "status"]
)
LATENCY = Histogram("raqib_http_request_seconds", "HTTP request latency", ["route", "method"], buckets=LATENCY_BUCKETS)
REPORTS = Counter("raqib_reports_total", "Reports by item type and outcome", ["item_type", "outcome"])
AUTO_HIDES = Counter(
    "raqib_auto_hides_total", "Items hidden automatically, by the rule that set the threshold", ["rule"]
)
CLASSIFIER_SECONDS = Histogram("raqib_classifier_seconds", "Time to score one call's texts", buckets=LATENCY_BUCKETS)
CLASSIFIER_BATCH = Histogram(
    "raqib_classifier_batch_size", "Texts per classifier call", buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
)
DELIVERIES = Counter("raqib_webhook_deliveries_total", "Webhook delivery attempts by resulting state", ["state"])
IMAGE_JOBS = Counter("raqib_image_jobs_total", "Image analyses by outcome", ["outcome"])
DELIVERY_LAG = Histogram(
    "raqib_webhook_delivery_lag_seconds",
    "From the event to its successful delivery",
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 1800, 7200, 86_400),
)


class QueueCollector(Collector):
    """The review queue's size, read at scrape time."""

    def __init__(self, count: Any) -> None:
        self.count = count

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("raqib_review_queue_items", "Items awaiting a moderator's decision")
        family.add_metric([], self.count())
        yield family


def _route() -> str:
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def observe(route: str, method: str, status: int, seconds: float | None) -> None:
    """Count one answered request and, when its start is known, its latency."""
    _requests(route, method, status).inc()
    if seconds is not None:
        _latency(route, method).observe(seconds)


# A labelled child looked up once per label set (``labels()`` takes a lock and builds a key per call).
@lru_cache(maxsize=4096)
def _requests(route: str, method: str, status: int) -> Any:
    return REQUESTS.labels(route, method, str(status))


@lru_cache(maxsize=1024)
def _latency(route: str, method: str) -> Any:
    return LATENCY.labels(route, method)


def render(queue_size: Any) -> Response:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY  # one process: the default registry already holds every metric
    body = generate_latest(registry) + generate_latest(_queue_registry(queue_size))
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def _queue_registry(queue_size: Any) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(QueueCollector(queue_size))
    return registry


def init_app(app: Flask) -> None:
    @app.before_request
    def started() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def observed(response: Response) -> Response:
        seconds = time.perf_counter() - g.started if "started" in g else None
        observe(_route(), request.method, response.status_code, seconds)
        return response

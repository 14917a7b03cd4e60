"""The listener's Prometheus metrics, and its /healthz and /metrics HTTP endpoints.

Transitions are counted by the worker that posts them (shared Redis counters); the
listener's page shows them next to its own counters so one scrape sees the whole path.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import redis
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from workers.platform.telemetry import read_counters

_SHARED = {
    "alert_transitions": ("cachewarden_alert_transitions", "Finding transitions found by kind"),
    "alerts_posted": ("cachewarden_alerts_posted", "Alert messages posted by kind"),
}
LAG_BUCKETS = (0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600)


class _SharedCounters(Collector):
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def collect(self) -> Iterator[CounterMetricFamily]:
        try:
            rows = read_counters(self._redis)
        except redis.RedisError:
            return
        families: dict[str, CounterMetricFamily] = {}
        for name, labels, value in rows:
            if name not in _SHARED:
                continue
            metric, doc = _SHARED[name]
            family = families.setdefault(name, CounterMetricFamily(metric, doc, labels=["kind"]))
            family.add_metric([labels.get("kind", "")], float(value))
        yield from families.values()


class ListenerMetrics:
    def __init__(self, connection: redis.Redis | None = None, *, stale_after: float = 60.0) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.received = Counter(
            "cachewarden_alert_events_received", "SQS messages received", registry=r
        )
        self.deduplicated = Counter(
            "cachewarden_alert_events_deduplicated",
            "Events already seen (same eventID)",
            registry=r,
        )
        self.outcomes = Counter(
            "cachewarden_alert_events", "Messages by outcome", labelnames=["result"], registry=r
        )
        self.lag = Histogram(
            "cachewarden_alert_lag_seconds",
            "Receive time minus the CloudTrail eventTime",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.handled_after = Histogram(
            "cachewarden_alert_handled_seconds",
            "Handled (alerts posted) time minus the CloudTrail eventTime",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.oldest_age = Gauge(
            "cachewarden_alert_oldest_message_age_seconds",
            "Age of the oldest message in the last batch (now - SentTimestamp)",
            registry=r,
        )
        self.dlq_depth = Gauge(
            "cachewarden_alert_dlq_depth", "Messages waiting in the dead-letter queue", registry=r
        )
        self.poll_errors = Counter("cachewarden_alert_poll_errors", "Failed polls", registry=r)
        self.extensions = Counter(
            "cachewarden_alert_visibility_extensions", "Visibility extensions sent", registry=r
        )
        if connection is not None:
            r.register(_SharedCounters(connection))
        self._last_poll = 0.0
        self._stale_after = stale_after

    def polled(self, at: float) -> None:
        self._last_poll = at

    def healthy(self, now: float) -> bool:
        """A poll finished recently (long polls take up to 20 s)."""
        return now - self._last_poll <= self._stale_after


def serve_health(
    metrics: ListenerMetrics, host: str, port: int, *, clock: Callable[[], float] = time.time
) -> ThreadingHTTPServer:
    """Start /healthz and /metrics on a daemon thread; returns the server (call shutdown())."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/healthz":
                ok = metrics.healthy(clock())
                body = json.dumps({"ok": ok}).encode()
                self._answer(200 if ok else 503, "application/json", body)
            elif self.path == "/metrics":
                self._answer(200, "text/plain; version=0.0.4", generate_latest(metrics.registry))
            else:
                self._answer(404, "application/json", b'{"error": "not found"}')

        def _answer(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="listen-health", daemon=True).start()
    return server

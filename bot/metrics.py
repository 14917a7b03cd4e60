"""Prometheus metrics for the web process: its own counters plus what workers counted in Redis."""

from __future__ import annotations

from collections.abc import Iterator

import redis
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from rq import Queue

from workers.platform.telemetry import read_counters

SHARED_COUNTERS = {
    "jobs": ("cachewarden_jobs_total", "RQ jobs by function and outcome"),
    "aws_errors": ("cachewarden_aws_errors_total", "AWS calls that failed, by service and code"),
    "remediation_calls": (
        "cachewarden_remediation_calls_total",
        "AWS calls made with the remediation role, by service and operation",
    ),
    "slack_errors": (
        "cachewarden_slack_errors_total",
        "Slack Web API failures, by method and error",
    ),
}


class _RedisCollector(Collector):
    def __init__(self, connection: redis.Redis, queue_names: tuple[str, ...]) -> None:
        self._redis = connection
        self._queues = queue_names

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "cachewarden_queue_depth", "Jobs waiting per RQ queue", labels=["queue"]
        )
        families: dict[str, CounterMetricFamily] = {}
        try:
            for name in self._queues:
                depth.add_metric([name], float(Queue(name, connection=self._redis).count))
            rows = read_counters(self._redis)
        except redis.RedisError:
            return
        yield depth
        for name, labels, value in rows:
            if name not in SHARED_COUNTERS:
                continue
            metric_name, doc = SHARED_COUNTERS[name]
            family = families.get(name)
            if family is None:
                family = CounterMetricFamily(
                    metric_name.removesuffix("_total"), doc, labels=sorted(labels)
                )
                families[name] = family
            family.add_metric([labels[k] for k in sorted(labels)], float(value))
        yield from families.values()


class BotMetrics:
    def __init__(self, connection: redis.Redis, queue_names: tuple[str, ...]) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "cachewarden_commands",
            "Slash commands and clicks by name and outcome",
            ["command", "outcome"],
            registry=self.registry,
        )
        self.registry.register(_RedisCollector(connection, queue_names))

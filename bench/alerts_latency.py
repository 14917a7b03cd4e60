"""Real-time alerts: event-to-post latency and sustained events per second, on loopback.

The real pipeline (sandbox.alert_stack): moto's EventBridge delivers each event to SQS,
one `cachewarden listen` process reads it, re-reads the replication group from the fake
AWS, compares, and posts to the Slack emulator; one RQ worker runs beside it (re-checks).
Latency: one change at a time (break a group's backups, then restore them), from the
PutEvents call to the alert (or the "fixed" reply) appearing in the emulator.
Throughput: a burst of events about several groups with no state change, timed from the
first PutEvents until the listener has handled them all. Events about the same resources
that arrive in one SQS batch share one re-read, which this burst benefits from.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from typing import Any

from bench.report import format_table, machine_info, percentile, write_result
from sandbox.alert_stack import ALERTS, REGION, AlertStack, healthy_group, text_of, wait_for
from sandbox.fake_aws.events import api_call_detail, emit_api_call, emit_api_calls

GROUPS = ("bench-a", "bench-b", "bench-c", "bench-d")


def _set_backups(alerts: AlertStack, group: str, days: int) -> float:
    alerts.elasticache().modify_replication_group(
        ReplicationGroupId=group, SnapshotRetentionLimit=days, ApplyImmediately=True
    )
    params = {"replicationGroupId": group, "snapshotRetentionLimit": days}
    started = time.monotonic()
    emit_api_call(alerts.url, api_call_detail("ModifyReplicationGroup", params, region=REGION))
    return started


def _latencies(alerts: AlertStack, rounds: int) -> list[float]:
    samples: list[float] = []
    for n, group in zip(range(rounds), itertools.cycle(GROUPS), strict=False):
        seen = len(alerts.messages())
        started = _set_backups(alerts, group, 0)
        alert = wait_for(
            lambda seen=seen: next(  # type: ignore[misc]
                (m for m in alerts.messages()[seen:] if "New risk" in text_of(m)), None
            ),
            60, f"alert {n}",
        )  # fmt: skip
        samples.append(time.monotonic() - started)
        started = _set_backups(alerts, group, 7)
        wait_for(
            lambda ts=alert["ts"]: any(  # type: ignore[misc]
                "Fixed" in text_of(m) for m in alerts.stack.emulator.thread(ALERTS, ts)
            ),
            60, f"fixed reply {n}",
        )  # fmt: skip
        samples.append(time.monotonic() - started)
    return samples


def _throughput(alerts: AlertStack, count: int) -> float:
    events = [
        api_call_detail("ModifyReplicationGroup", {"replicationGroupId": g}, region=REGION)
        for g, _ in zip(itertools.cycle(GROUPS), range(count), strict=False)
    ]
    handled = alerts.metric('cachewarden_alert_events_total{result="handled"}')
    started = time.monotonic()
    emit_api_calls(alerts.url, events)
    wait_for(
        lambda: alerts.metric('cachewarden_alert_events_total{result="handled"}') >= handled + count,
        600, "the burst to be handled",
    )  # fmt: skip
    return count / (time.monotonic() - started)


def run(quick: bool = False) -> int:
    rounds, burst = (5, 100) if quick else (25, 500)
    with AlertStack(rate_limit_per_minute=600) as alerts:
        alerts.command("alerts on", ALERTS)
        for group in GROUPS:
            healthy_group(alerts.elasticache(), group)
        emit_api_calls(alerts.url, [
            api_call_detail("CreateReplicationGroup", {"replicationGroupId": g}, region=REGION) for g in GROUPS
        ])  # fmt: skip
        alerts.settle()
        latencies = _latencies(alerts, rounds)
        per_second = _throughput(alerts, burst)
    result: dict[str, Any] = {
        "samples": len(latencies),
        "p50_s": round(percentile(latencies, 0.50), 3),
        "p99_s": round(percentile(latencies, 0.99), 3),
        "max_s": round(max(latencies), 3),
        "goal_p99_s": 5.0,
        "burst_events": burst,
        "events_per_second": round(per_second, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "machine": machine_info(),
    }
    print(format_table(["samples", "p50 s", "p99 s", "max s", "burst", "events/s"],
                       [[result["samples"], result["p50_s"], result["p99_s"], result["max_s"],
                         burst, result["events_per_second"]]]))  # fmt: skip
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}))
    write_result("alerts_latency", result)
    return 0 if result["p99_s"] < result["goal_p99_s"] else 1


if __name__ == "__main__":
    raise SystemExit(run())

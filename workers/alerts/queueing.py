"""Typed enqueue functions for alert jobs: ids and redacted events only, never secrets."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import redis
from rq import Retry
from rq.exceptions import DuplicateJobError

from posture.alerts import ApiCallEvent
from workers.platform.enqueue import SCANS_QUEUE
from workers.platform.enqueue import queue as rq_queue
from workers.platform.telemetry import current_correlation_id

EVENT_JOB = "workers.alerts.jobs.handle_alert_event"
ROLLUP_JOB = "workers.alerts.jobs.post_alert_rollup"


def event_job_id(event_id: str, attempt: int) -> str:
    return f"alert-{event_id}-{attempt}"


def enqueue_event(
    connection: redis.Redis,
    event: ApiCallEvent,
    *,
    attempt: int = 0,
    delay: timedelta | None = None,
) -> bool:
    """Queue one event's handling (later, for a re-check); False when it is already queued."""
    queue = rq_queue(connection, SCANS_QUEUE)
    options = {
        "job_id": event_job_id(event.event_id, attempt),
        "unique": True,
        "result_ttl": 0,
        "failure_ttl": 86400,
        "job_timeout": 300,
        "retry": Retry(max=3, interval=[5, 30, 120]),  # Slack or AWS hiccups; marks keep it once
        "meta": {"correlation_id": current_correlation_id()},
    }
    payload = event.model_dump_json()  # already redacted: ids, names and safe values only
    try:
        if delay is None:
            queue.enqueue(EVENT_JOB, payload, attempt, **options)
        else:
            queue.enqueue_in(delay, EVENT_JOB, payload, attempt, **options)
    except DuplicateJobError:
        return False
    return True


def enqueue_rollup(connection: redis.Redis, channel: str, window: int, delay: timedelta) -> None:
    with contextlib.suppress(DuplicateJobError):
        queue(connection, SCANS_QUEUE).enqueue_in(
            max(delay, timedelta(seconds=1)),
            ROLLUP_JOB,
            channel,
            window,
            job_id=f"alert-rollup-{channel}-{window}",
            unique=True,
            result_ttl=0,
            failure_ttl=86400,
        )

"""Typed enqueue functions for alert jobs: ids and redacted events only, never secrets."""

from __future__ import annotations

from datetime import timedelta

import redis

from posture.alerts import ApiCallEvent
from workers.platform.enqueue import enqueue_alert_event, enqueue_alert_rollup


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
    payload = event.model_dump_json()  # already redacted: ids, names and safe values only
    return enqueue_alert_event(
        connection, payload, attempt, event_job_id(event.event_id, attempt), delay
    )


def enqueue_rollup(connection: redis.Redis, channel: str, window: int, delay: timedelta) -> None:
    enqueue_alert_rollup(connection, channel, window, delay)

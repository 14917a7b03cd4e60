"""RQ jobs for real-time alerts: thin, take ids or a redacted event, safe to run twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from posture.alert_transitions import AlertRollup
from posture.alerts import ApiCallEvent
from workers.alerts.flow import AccountSessions, event_age_seconds, handle_event
from workers.alerts.posting import HELD_EXAMPLES, RATE_WINDOW_SECONDS, alert_notifier
from workers.alerts.queueing import enqueue_event
from workers.alerts.store import AlertStore
from workers.platform.runtime import JobEnvironment, environment

log = logging.getLogger(__name__)


def handle_alert_event(event_json: str, attempt: int = 0) -> None:
    """A re-check of an event whose cache was still modifying (the listener handles attempt 0)."""
    run_event(environment(), ApiCallEvent.model_validate_json(event_json), attempt)


def run_events(
    env: JobEnvironment, events: list[ApiCallEvent], sessions: AccountSessions | None = None
) -> None:
    """Events about the same resources: one re-read answers all; the newest is named."""
    newest = max(events, key=lambda e: (e.event_time, e.event_id))
    run_event(env, newest, 0, sessions)


def run_event(
    env: JobEnvironment, event: ApiCallEvent, attempt: int, sessions: AccountSessions | None = None
) -> None:
    handled = handle_event(env, event, attempt, sessions)
    if handled.recheck:
        delay = timedelta(seconds=env.config.alerts.recheck_seconds)
        enqueue_event(env.connection, event, attempt=attempt + 1, delay=delay)
    log.info(
        "alert event handled",
        extra={
            "event_id": event.event_id,
            "event_name": event.event_name,
            "posted": handled.posted,
            "recheck": handled.recheck,
            "age_seconds": round(event_age_seconds(event, env.clock()), 3),
        },
    )


def post_alert_rollup(channel: str, window: int) -> None:
    env = environment()
    store = AlertStore(env.connection)
    held = store.held(channel, window)
    if not held or store.posted(f"rollup-{window}", channel):
        return
    rollup = AlertRollup(
        held=len(held), window_seconds=RATE_WINDOW_SECONDS, examples=tuple(held[:HELD_EXAMPLES])
    )
    ts = alert_notifier(env, channel).post_alert_rollup(channel, rollup)
    store.mark_posted(f"rollup-{window}", channel, ts)

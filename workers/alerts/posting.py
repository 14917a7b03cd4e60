"""Posting one outbox item to its channels: gate, rate-limit, post, mark posted."""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from posture.alert_transitions import (
    AlertFollowUp,
    TransitionKind,
    parse_quiet_hours,
    risk_alert,
    worth_posting,
)
from posture.alerts import ApiCallEvent
from posture.base import Severity
from posture.findings import Finding
from posture.history import FindingKey
from posture.report import finding_actions, finding_id
from workers.alerts.notifier import AlertNotifier
from workers.alerts.store import AlertStore
from workers.audit.publish import fixable_rules
from workers.audit.store import AuditStore
from workers.platform.notifier import NotifyError
from workers.platform.runtime import JobEnvironment
from workers.platform.telemetry import count

log = logging.getLogger(__name__)
RATE_WINDOW_SECONDS = 60
HELD_EXAMPLES = 5


def alert_notifier(env: JobEnvironment, channel: str) -> AlertNotifier:
    """The front end of the conversation that turned alerts on (stored with its subscription)."""
    found = env.notifiers.to(AlertStore(env.connection).conversation(channel))
    if not isinstance(found, AlertNotifier):
        raise NotifyError("this chat platform cannot post real-time alerts")
    return found


def post_item(
    env: JobEnvironment, store: AlertStore, event: ApiCallEvent, item_id: str, item: dict[str, Any]
) -> int:
    """Posts made for one item across its channels (already-posted channels are skipped)."""
    posts = 0
    for channel in item.get("channels", []):
        if store.posted(item_id, channel):
            continue
        try:
            ts = _post_one(env, store, event, item, channel)
        except NotifyError as exc:
            log.warning("alert not posted", extra={"channel": channel, "problem": str(exc)})
            raise  # the job fails and RQ's retry posts what is left; the marks keep it once
        store.mark_posted(item_id, channel, ts or "held")
        if ts:
            posts += 1
            count(env.connection, "alerts_posted", kind=str(item["kind"]))
    return posts


def _post_one(
    env: JobEnvironment, store: AlertStore, event: ApiCallEvent, item: dict[str, Any], channel: str
) -> str | None:
    kind = TransitionKind(item["kind"])
    notifier = alert_notifier(env, channel)
    if kind is TransitionKind.DELETED:
        _resource_kind, resource_id = item["resource"]
        follow = AlertFollowUp(
            kind=kind,
            rule_id="",
            failure="",
            resource_id=resource_id,
            account=event.account,
            region=event.region,
            event_name=event.event_name,
            event_time=event.event_time,
            actor=event.actor,
        )
        return notifier.post_alert_follow_up(channel, follow)
    key: FindingKey = tuple(item["key"])
    finding = Finding.model_validate(item["finding"])
    if kind is TransitionKind.RESOLVED:
        thread = store.thread(key, channel)
        if thread is None:
            return None  # no alert was posted here, so there is nothing to close
        follow = AlertFollowUp(
            kind=kind,
            rule_id=finding.rule_id,
            failure=finding.failure,
            resource_id=finding.resource_id,
            account=finding.account,
            region=finding.region,
            event_name=event.event_name,
            event_time=event.event_time,
            actor=event.actor,
        )
        return notifier.post_alert_follow_up(channel, follow, thread_ts=thread)
    return _post_opened(env, store, event, finding, key, channel)


def _post_opened(
    env: JobEnvironment,
    store: AlertStore,
    event: ApiCallEvent,
    finding: Finding,
    key: FindingKey,
    channel: str,
) -> str | None:
    config = env.config.alerts
    now = env.clock()
    local = now.astimezone(zoneinfo.ZoneInfo(config.quiet_timezone)).time()
    if not worth_posting(
        Severity(finding.severity),
        minimum=config.minimum_severity,
        quiet=parse_quiet_hours(config.quiet_hours),
        quiet_below=config.quiet_spares,
        local_time=local,
    ):
        return None
    window = int(now.timestamp()) // RATE_WINDOW_SECONDS
    ttl = RATE_WINDOW_SECONDS * 10
    if not store.take_rate_slot(channel, window, config.rate_limit_per_minute, ttl):
        if store.hold(channel, window, f"{finding.rule_id} on {finding.resource_id}", ttl):
            _schedule_rollup(env, channel, window)
        return None
    run_id = f"alert-{event.event_id}"
    value = finding_id(run_id, finding)
    AuditStore(env.connection).save_finding_refs({value: finding})
    actions = finding_actions(finding.rule_id, fixable_rules())
    ts = alert_notifier(env, channel).post_alert(
        channel, risk_alert(event, finding, value, actions)
    )
    store.remember_thread(key, channel, ts)
    return ts


def _schedule_rollup(env: JobEnvironment, channel: str, window: int) -> None:
    from workers.alerts.queueing import enqueue_rollup

    window_end = datetime.fromtimestamp((window + 1) * RATE_WINDOW_SECONDS, env.clock().tzinfo)
    enqueue_rollup(env.connection, channel, window, window_end - env.clock() + timedelta(seconds=1))

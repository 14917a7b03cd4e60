"""The flow behind `/cache-audit alerts on|off [scope]`, for any chat front end."""

from __future__ import annotations

import redis

from commands.requests import AlertsRequest
from posture.conversations import ConversationRef
from posture.messages import Notice
from workers.alerts.store import AlertStore
from workers.platform.config import AlertsConfig


def switch_alerts(
    connection: redis.Redis, config: AlertsConfig, where: ConversationRef, request: AlertsRequest
) -> Notice:
    store = AlertStore(connection)
    if not request.enabled:
        if store.unsubscribe(where.channel):
            return Notice(text="Real-time alerts are off in this channel.")
        return Notice(text="Real-time alerts were not on in this channel; nothing changed.")
    store.subscribe(where, request.scope)
    quiet = (
        f" Between {config.quiet_hours} ({config.quiet_timezone}) only "
        f"{config.quiet_spares.value} and more severe alerts are posted."
        if config.quiet_hours
        else ""
    )
    missing = (
        ""
        if config.queue_url
        else " Note: no [alerts] queue_url is configured, so no events arrive until one is."
    )
    return Notice(
        text=(
            f"Real-time alerts are on here for {request.scope.describe()}: a change that makes "
            f"a {config.minimum_severity.value} or more severe finding fail is posted within "
            f"seconds of its event, at most {config.rate_limit_per_minute} a minute.{quiet}{missing}"
        ),
        detail="Events come from CloudTrail through EventBridge; delivery is best effort, "
        "so audits and digests stay the backstop.",
    )

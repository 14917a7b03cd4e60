"""App Home: answer `app_home_opened` by publishing the user's tab with views.publish.

The tab is rebuilt from Redis on every open; publishing twice is harmless, so a retried
event needs no de-duplication.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import redis
from rq.cron import CronScheduler
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.approvers import resolve_approvers
from bot.render.slack_home import render_home
from posture.digest import PendingApproval, shown
from posture.history import posture_score
from posture.home import HomePage, ScanLine, SubscriptionLine
from workers.config import AppConfig
from workers.digest_sources import read_pending_approvals
from workers.history_store import HistoryStore, StoredScan
from workers.subscriptions import SubscriptionStore, next_run

if TYPE_CHECKING:
    from bot.app import BotDeps

log = logging.getLogger(__name__)
SHOWN = 8


def _scan_line(scan: StoredScan) -> ScanLine:
    return ScanLine(
        at=scan.at,
        scope=scan.meta.scope_text,
        channel=scan.meta.channel,
        requested_by=scan.meta.user,
        source=scan.meta.source,
        failing=scan.failing,
        score=posture_score(scan.failing, scan.passing),
    )


def scheduler_heartbeat(connection: redis.Redis) -> datetime | None:
    beats = [s.last_heartbeat for s in CronScheduler.all(connection)]
    return max((b for b in beats if b is not None), default=None)


def build_home_page(
    connection: redis.Redis, config: AppConfig, user: str, is_approver: bool, now: datetime
) -> HomePage:
    history = HistoryStore(connection, retention_days=config.digest.retention_days)
    pending: list[PendingApproval] = read_pending_approvals(connection)
    subscriptions = [
        SubscriptionLine(
            channel=s.channel,
            schedule=s.describe(),
            scope=s.scope_text,
            next_run=next_run(s, now),
            last_day=s.last_day,
        )
        for s in SubscriptionStore(connection).all()
    ]
    return HomePage(
        user=user,
        generated_at=now,
        is_approver=is_approver,
        pending_approvals=shown([p for p in pending if p.requester != user], SHOWN)
        if is_approver
        else shown([], SHOWN),
        my_requests=shown([p for p in pending if p.requester == user], SHOWN),
        my_scans=shown([_scan_line(s) for s in history.recent_scans(SHOWN, user=user)], SHOWN),
        recent_scans=shown([_scan_line(s) for s in history.recent_scans(SHOWN)], SHOWN),
        subscriptions=shown(subscriptions, SHOWN),
        scheduler_seen=scheduler_heartbeat(connection),
    )


def publish_home(client: WebClient, user: str, deps: BotDeps) -> None:
    is_approver = resolve_approvers(client, deps.connection, deps.config.bot).allows(user)
    page = build_home_page(deps.connection, deps.config, user, is_approver, datetime.now(UTC))
    client.views_publish(user_id=user, view=render_home(page))


def handle_home_opened(event: dict[str, Any], client: WebClient, deps: BotDeps) -> None:
    user = str(event.get("user", ""))
    if event.get("tab", "home") != "home" or not user:
        return
    try:
        publish_home(client, user, deps)
    except (redis.RedisError, SlackApiError):
        log.exception("could not publish the home tab", extra={"user": user})


def register(app: App, deps: BotDeps) -> None:
    def on_home_opened(event: dict[str, Any], client: WebClient) -> None:
        handle_home_opened(event, client, deps)

    app.event("app_home_opened")(on_home_opened)

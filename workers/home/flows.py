"""The home page (Slack's App Home tab, a Teams personal tab next) for one user, from Redis."""

from __future__ import annotations

from datetime import datetime

import redis
from rq.cron import CronScheduler

from posture.conversations import Actor
from posture.digest import PendingApproval, shown
from posture.history import posture_score
from posture.home import HomePage, ScanLine, SubscriptionLine
from workers.audit.history_store import HistoryStore, StoredScan
from workers.digest.sources import read_pending_approvals
from workers.digest.subscriptions import SubscriptionStore, next_run
from workers.platform.config import AppConfig
from workers.platform.context import FlowContext

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


def home_page(ctx: FlowContext, actor: Actor) -> HomePage | None:
    """The user's page; None for a user of another workspace (nothing is shown)."""
    if ctx.workspace and actor.workspace != ctx.workspace:
        return None
    is_approver = ctx.directory.approvers().allows(actor.user)
    return build_home_page(ctx.connection, ctx.config, actor.user, is_approver, ctx.clock())

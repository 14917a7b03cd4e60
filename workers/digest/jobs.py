"""Digest jobs: the cron tick that finds due subscriptions, and the digest itself.

RQ's cron has no leader lock, and RQ retries a job whose worker died, so both jobs are
safe to run twice: the tick enqueues with a per-channel-per-day job id and only moves a
channel's last day forward; the digest claims `cw:digest:claim:<channel>:<day>` with
HSETNX before it posts and records the posted message, so a re-run updates that
message instead of posting another.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import redis
from rq import get_current_job

from commands.scope import Scope
from posture.conversations import ConversationRef, legacy_conversation
from posture.digest import ScheduleNote, lateness
from posture.messages import Notice
from workers.audit.history_store import HistoryStore
from workers.digest.build import DigestRequest, assemble_digest, scan_scope_now
from workers.digest.subscriptions import (
    DueRun,
    Subscription,
    SubscriptionStore,
    due_run,
)
from workers.platform.enqueue import enqueue_digest
from workers.platform.notifier import ReportFile
from workers.platform.runtime import environment
from workers.platform.telemetry import count

log = logging.getLogger(__name__)
CLAIM_TTL_SECONDS = 3 * 24 * 3600


@dataclass(frozen=True)
class Claim:
    key: str
    ts: str  # the message an earlier attempt posted, or ""


class DigestClaims:
    """Who posts a channel's digest for a day; a posted digest is never posted again."""

    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def claim(self, channel: str, day_id: str, owner: str) -> Claim | None:
        key = f"cw:digest:claim:{channel}:{day_id}"
        pipe = self._redis.pipeline()
        pipe.hsetnx(key, "owner", owner)
        pipe.expire(key, CLAIM_TTL_SECONDS)
        pipe.hgetall(key)
        fields = {_text(k): _text(v) for k, v in pipe.execute()[-1].items()}
        if fields.get("posted") or fields.get("owner") != owner:
            return None
        return Claim(key=key, ts=fields.get("ts", ""))

    def note_message(self, claim: Claim, ts: str) -> None:
        self._redis.hset(claim.key, "ts", ts)

    def mark_posted(self, claim: Claim) -> None:
        self._redis.hset(claim.key, "posted", "1")

    def release(self, channel: str, day_id: str) -> None:
        """Give up an unposted claim so a later attempt may post."""
        key = f"cw:digest:claim:{channel}:{day_id}"
        if not self._redis.hget(key, "posted"):
            self._redis.delete(key)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def schedule_note(subscription: Subscription, due: DueRun) -> ScheduleNote:
    return ScheduleNote(
        trigger="schedule",
        scheduled_for=f"{subscription.at} {subscription.timezone}",
        scheduled_at=due.scheduled_at,
        missed_days=due.missed_days,
    )


def dispatch_due_digests() -> int:
    """The cron tick: queue every digest that is due now; returns how many were queued."""
    env = environment()
    now = env.clock()
    store = SubscriptionStore(env.connection)
    queued = 0
    allowed = env.config.bot.allowed_channels
    for subscription in store.all():
        due = due_run(subscription, now)
        if due is None:
            continue
        if allowed and subscription.channel not in allowed:
            log.warning(
                "digest skipped: channel no longer allowed", extra={"channel": subscription.channel}
            )
            continue
        note = schedule_note(subscription, due)
        if enqueue_digest(env.connection, subscription.where, due.day, note):
            queued += 1
            log.info("digest queued", extra={"channel": subscription.channel, "day": str(due.day)})
        store.mark_day(subscription.channel, due.day)
    count(env.connection, "jobs", job="digest_tick", outcome="ok")
    return queued


def _claim_id(day: str, note: ScheduleNote) -> str:
    """One claim per scheduled day; each manual request has its own (a retry keeps it)."""
    if note.trigger == "schedule":
        return day
    return f"{day}-manual-{note.request_id or uuid.uuid4().hex[:12]}"


def destination(channel: str, where: dict[str, Any] | None) -> ConversationRef:
    """Where a digest job posts; a job queued before the platform was passed is Slack's."""
    if where is None:
        return legacy_conversation(channel)
    return ConversationRef.model_validate(where)


def run_digest(
    channel: str,
    day: str,
    note: dict[str, Any],
    scope: dict[str, Any] | None = None,
    where: dict[str, Any] | None = None,
) -> None:
    """Scan the channel's scope, record it, post the digest with its chart and report."""
    env = environment()
    conversation = destination(channel, where)
    now = env.clock()
    schedule = lateness(
        ScheduleNote.model_validate(note), now, env.config.digest.late_after_minutes
    )
    job = get_current_job()
    claims = DigestClaims(env.connection)
    claim = claims.claim(channel, _claim_id(day, schedule), job.id if job else "inline")
    if claim is None:
        log.info("digest already posted or owned", extra={"channel": channel, "day": day})
        return
    subscription = SubscriptionStore(env.connection).get(channel)
    request = _request(channel, date.fromisoformat(day), schedule, subscription, scope, now)
    outcome = scan_scope_now(request.scope, env.config, env.endpoint_url)
    built = assemble_digest(env.connection, env.config, request, outcome, record=True)
    files = [
        ReportFile(
            built.digest.chart_filename, built.chart_png, "30-day trend of failing findings"
        ),
        ReportFile(
            built.digest.report_filename, built.report_csv, "All findings of this digest (CSV)"
        ),
    ]
    ts = env.notifiers.to(conversation).post_digest(
        channel, built.digest, files, ts=claim.ts or None
    )
    claims.note_message(claim, ts)
    if built.scan_id:
        HistoryStore(
            env.connection, retention_days=env.config.digest.retention_days
        ).set_digest_baseline(channel, built.scan_id)
    claims.mark_posted(claim)
    count(env.connection, "jobs", job="digest", outcome="ok")


def _request(
    channel: str,
    day: date,
    schedule: ScheduleNote,
    subscription: Subscription | None,
    scope: dict[str, Any] | None,
    now: datetime,
) -> DigestRequest:
    env = environment()
    if scope is not None:
        chosen = Scope.model_validate(scope)
    elif subscription is not None:
        chosen = Scope.model_validate(subscription.scope)
    else:
        chosen = Scope()
    zone = subscription.timezone if subscription else env.config.digest.default_timezone
    user = subscription.created_by if subscription else ""
    return DigestRequest(channel, chosen, zone, day, now, user=user, schedule=schedule)


def on_digest_failed(job: Any, connection: Any, exc_type: Any, exc: Any, tb: Any) -> None:
    """A digest that cannot be built is said so in its channel, never skipped silently."""
    if job.retries_left:
        count(connection, "jobs", job="digest", outcome="retried")
        return
    count(connection, "jobs", job="digest", outcome="failed")
    channel, day, note = job.args[0], job.args[1], ScheduleNote.model_validate(job.args[2])
    where = destination(channel, job.args[4] if len(job.args) > 4 else None)
    if note.trigger == "schedule":
        DigestClaims(connection).release(channel, day)
    log.error("digest failed", extra={"channel": channel, "day": day})
    with contextlib.suppress(Exception):  # never raise from a failure callback
        environment().notifiers.to(where).post_notice(
            channel,
            Notice(
                text=f"The cachewarden digest for {day} could not be built ({exc_type.__name__}). "
                "Run `/cache-audit digest now` to try again.",
                detail=f"correlation id {job.meta.get('correlation_id', job.id)}",
            ),
        )

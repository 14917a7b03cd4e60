"""Answers to `/cache-audit subscribe | unsubscribe | subscriptions | digest now`.

Each answer is one ephemeral acknowledgement; subscribing only writes Redis, and
`digest now` only enqueues: the digest itself is built by a worker.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.listeners.replies import notice_payload
from commands.requests import (
    DigestNowRequest,
    SubscribeRequest,
    SubscriptionRequest,
    SubscriptionsRequest,
    UnsubscribeRequest,
)
from posture.digest import ScheduleNote
from workers.enqueue import enqueue_digest
from workers.subscriptions import (
    Subscription,
    SubscriptionStore,
    next_run,
)

if TYPE_CHECKING:
    from bot.app import BotDeps


def _local(moment: datetime, subscription: Subscription) -> str:
    return moment.astimezone(subscription.zone).strftime("%Y-%m-%d %H:%M ") + subscription.timezone


def answer_subscribe(
    request: SubscribeRequest, channel: str, user: str, deps: BotDeps
) -> dict[str, Any]:
    now = datetime.now(UTC)
    subscription = Subscription(
        channel=channel,
        at=request.at,
        timezone=request.timezone or deps.config.digest.default_timezone,
        scope=request.scope.model_dump(mode="json"),
        scope_text=request.scope.describe(),
        created_by=user,
        created_at=now,
    )
    previous = SubscriptionStore(deps.connection).subscribe(subscription)
    text = (
        f"Subscribed: a digest of {subscription.scope_text} will be posted here daily at "
        f"{subscription.at} {subscription.timezone}. Next: {_local(next_run(subscription, now), subscription)}."
    )
    if previous is not None:
        text += f" This replaces the previous subscription ({previous.describe()}, {previous.scope_text})."
    return notice_payload(text)


def answer_subscriptions(channel: str, deps: BotDeps) -> dict[str, Any]:
    every = SubscriptionStore(deps.connection).all()
    here = next((s for s in every if s.channel == channel), None)
    others = len(every) - (1 if here else 0)
    elsewhere = f" {others} other channel{'s have' if others != 1 else ' has'} a digest (see the App Home tab)."
    if here is None:
        return notice_payload(
            "This channel has no digest subscription." + (elsewhere if others else "")
        )
    last = here.last_day.isoformat() if here.last_day else "none yet"
    text = (
        f"This channel gets a digest of {here.scope_text} {here.describe()}. "
        f"Next: {_local(next_run(here, datetime.now(UTC)), here)}. Last digest: {last}."
    )
    return notice_payload(text + (elsewhere if others else ""))


def answer_digest_now(request: DigestNowRequest, channel: str, deps: BotDeps) -> dict[str, Any]:
    subscription = SubscriptionStore(deps.connection).get(channel)
    zone = subscription.zone if subscription else None
    today = datetime.now(zone or UTC).date()
    note = ScheduleNote(trigger="manual", request_id=uuid.uuid4().hex[:12])
    queued = enqueue_digest(deps.connection, channel, today, note, scope=request.scope)
    if not queued:
        return notice_payload(
            "A digest for this channel is already being built; it will appear here."
        )
    scope = (
        request.scope.describe()
        if request.scope
        else (subscription.scope_text if subscription else "everything")
    )
    return notice_payload(
        f"Building today's digest of {scope}; it will be posted here in a moment."
    )


def answer_subscription(
    request: SubscriptionRequest, body: dict[str, Any], deps: BotDeps
) -> dict[str, Any]:
    channel, user = str(body.get("channel_id", "")), str(body.get("user_id", ""))
    if isinstance(request, SubscribeRequest):
        return answer_subscribe(request, channel, user, deps)
    if isinstance(request, UnsubscribeRequest):
        removed = SubscriptionStore(deps.connection).unsubscribe(channel)
        if removed is None:
            return notice_payload("This channel has no digest subscription; nothing changed.")
        return notice_payload(
            f"Unsubscribed: no more daily digests here (was {removed.describe()})."
        )
    if isinstance(request, SubscriptionsRequest):
        return answer_subscriptions(channel, deps)
    return answer_digest_now(request, channel, deps)

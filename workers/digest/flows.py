"""Digest subscriptions any front end calls: subscribe, unsubscribe, list, build one now.

Subscribing only writes Redis, and `digest now` only enqueues: the digest itself is
built by a worker.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from commands.requests import (
    DigestNowRequest,
    SubscribeRequest,
    SubscriptionRequest,
    SubscriptionsRequest,
    UnsubscribeRequest,
)
from posture.conversations import Actor
from posture.digest import ScheduleNote
from posture.messages import Notice
from workers.digest.subscriptions import Subscription, SubscriptionStore, next_run
from workers.platform.context import FlowContext, command_refusal
from workers.platform.enqueue import enqueue_digest


def _local(moment: datetime, subscription: Subscription) -> str:
    return moment.astimezone(subscription.zone).strftime("%Y-%m-%d %H:%M ") + subscription.timezone


def subscribe(ctx: FlowContext, actor: Actor, request: SubscribeRequest) -> Notice:
    now = ctx.clock()
    subscription = Subscription(
        channel=actor.channel,
        at=request.at,
        timezone=request.timezone or ctx.config.digest.default_timezone,
        scope=request.scope.model_dump(mode="json"),
        scope_text=request.scope.describe(),
        created_by=actor.user,
        created_at=now,
    )
    previous = SubscriptionStore(ctx.connection).subscribe(subscription)
    text = (
        f"Subscribed: a digest of {subscription.scope_text} will be posted here daily at "
        f"{subscription.at} {subscription.timezone}. Next: {_local(next_run(subscription, now), subscription)}."
    )
    if previous is not None:
        text += f" This replaces the previous subscription ({previous.describe()}, {previous.scope_text})."
    return Notice(text=text)


def unsubscribe(ctx: FlowContext, actor: Actor) -> Notice:
    removed = SubscriptionStore(ctx.connection).unsubscribe(actor.channel)
    if removed is None:
        return Notice(text="This channel has no digest subscription; nothing changed.")
    return Notice(text=f"Unsubscribed: no more daily digests here (was {removed.describe()}).")


def describe_subscriptions(ctx: FlowContext, actor: Actor) -> Notice:
    every = SubscriptionStore(ctx.connection).all()
    here = next((s for s in every if s.channel == actor.channel), None)
    others = len(every) - (1 if here else 0)
    elsewhere = f" {others} other channel{'s have' if others != 1 else ' has'} a digest (see the App Home tab)."
    if here is None:
        return Notice(
            text="This channel has no digest subscription." + (elsewhere if others else "")
        )
    last = here.last_day.isoformat() if here.last_day else "none yet"
    text = (
        f"This channel gets a digest of {here.scope_text} {here.describe()}. "
        f"Next: {_local(next_run(here, ctx.clock()), here)}. Last digest: {last}."
    )
    return Notice(text=text + (elsewhere if others else ""))


def digest_now(ctx: FlowContext, actor: Actor, request: DigestNowRequest) -> Notice:
    subscription = SubscriptionStore(ctx.connection).get(actor.channel)
    now = ctx.clock()
    today = now.astimezone(subscription.zone).date() if subscription else now.date()
    note = ScheduleNote(trigger="manual", request_id=uuid.uuid4().hex[:12])
    queued = enqueue_digest(ctx.connection, actor.channel, today, note, scope=request.scope)
    if not queued:
        return Notice(text="A digest for this channel is already being built; it will appear here.")
    scope = (
        request.scope.describe()
        if request.scope
        else (subscription.scope_text if subscription else "everything")
    )
    return Notice(text=f"Building today's digest of {scope}; it will be posted here in a moment.")


def answer_subscription(ctx: FlowContext, actor: Actor, request: SubscriptionRequest) -> Notice:
    refused = command_refusal(ctx, actor)
    if refused:
        return Notice(text=refused)
    if isinstance(request, SubscribeRequest):
        return subscribe(ctx, actor, request)
    if isinstance(request, UnsubscribeRequest):
        return unsubscribe(ctx, actor)
    if isinstance(request, SubscriptionsRequest):
        return describe_subscriptions(ctx, actor)
    return digest_now(ctx, actor, request)

"""Digest subscriptions any front end calls: subscribe, unsubscribe, list, build one now.

Subscribing only writes Redis, and `digest now` only enqueues: the digest itself is
built by a worker.

Who may change a subscription: anyone in an allowed channel may start one where none
exists; replacing or removing it takes an approver or the person who created it; in the
security channel only approvers may subscribe or unsubscribe at all. Every change is
announced in the channel (a public message) and written to the audit log; refusals are
logged too, collapsed like refused clicks.
"""

from __future__ import annotations

import logging
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
from workers.approvals.refusals import record_refusal
from workers.digest.subscriptions import Subscription, SubscriptionStore, next_run
from workers.platform.context import FlowContext, command_refusal
from workers.platform.enqueue import enqueue_digest
from workers.platform.notifier import NotifyError
from workers.trail.log import AuditLog

log = logging.getLogger(__name__)


def _local(moment: datetime, subscription: Subscription) -> str:
    return moment.astimezone(subscription.zone).strftime("%Y-%m-%d %H:%M ") + subscription.timezone


def change_refusal(ctx: FlowContext, actor: Actor, current: Subscription | None) -> str | None:
    """Why `actor` may not subscribe or unsubscribe this channel now, or None."""
    if ctx.directory.approvers().allows(actor.user):
        return None
    if ctx.bot.security_channel and actor.channel == ctx.bot.security_channel:
        return (
            "Only approvers can change the security channel's digest subscription; nothing changed."
        )
    if current is not None and current.created_by != actor.user:
        return (
            "This channel's digest subscription can be changed only by the person who set it "
            f"up ({current.created_by or 'unknown'}) or an approver; nothing changed."
        )
    return None


def _refuse(ctx: FlowContext, actor: Actor, change: str, reason: str) -> Notice:
    record_refusal(
        ctx.connection,
        actor=actor.user,
        reason=reason,
        fields={"channel": actor.channel, "change": change},
        now=ctx.clock(),
        window_seconds=ctx.config.limits.refusal_log_window_seconds,
        event="subscription.refused",
    )
    return Notice(text=reason)


def _announce(ctx: FlowContext, actor: Actor, text: str) -> None:
    """Everyone in the channel sees who changed its digest (never only the changer)."""
    where = actor.conversation.top_level()
    try:
        ctx.notifiers.to(where).say(where, Notice(text=text, by=actor.user))
    except NotifyError:  # the change stands and is in the audit log; the answer says so
        log.warning("could not announce a subscription change", extra={"channel": where.channel})


def subscribe(ctx: FlowContext, actor: Actor, request: SubscribeRequest) -> Notice:
    now = ctx.clock()
    store = SubscriptionStore(ctx.connection)
    refused = change_refusal(ctx, actor, store.get(actor.channel))
    if refused:
        return _refuse(ctx, actor, "subscribe", refused)
    subscription = Subscription(
        where=actor.conversation,
        at=request.at,
        timezone=request.timezone or ctx.config.digest.default_timezone,
        scope=request.scope.model_dump(mode="json"),
        scope_text=request.scope.describe(),
        created_by=actor.user,
        created_at=now,
    )
    previous = store.subscribe(subscription)
    AuditLog(ctx.connection).append(
        "subscription.replaced" if previous else "subscription.created",
        actor=actor.user,
        channel=actor.channel,
        schedule=subscription.describe(),
        scope=subscription.scope_text,
        previous=f"{previous.describe()}, {previous.scope_text}" if previous else None,
        previous_owner=previous.created_by if previous else None,
    )
    text = (
        f"Subscribed: a digest of {subscription.scope_text} will be posted here daily at "
        f"{subscription.at} {subscription.timezone}. Next: {_local(next_run(subscription, now), subscription)}."
    )
    if previous is not None:
        text += f" This replaces the previous subscription ({previous.describe()}, {previous.scope_text})."
    _announce(
        ctx,
        actor,
        f"{actor.user} subscribed this channel to a daily digest of {subscription.scope_text} "
        f"at {subscription.at} {subscription.timezone}"
        + (f" (replacing {previous.describe()})." if previous else "."),
    )
    return Notice(text=text)


def unsubscribe(ctx: FlowContext, actor: Actor) -> Notice:
    store = SubscriptionStore(ctx.connection)
    current = store.get(actor.channel)
    if current is None:
        return Notice(text="This channel has no digest subscription; nothing changed.")
    refused = change_refusal(ctx, actor, current)
    if refused:
        return _refuse(ctx, actor, "unsubscribe", refused)
    removed = store.unsubscribe(actor.channel) or current
    AuditLog(ctx.connection).append(
        "subscription.removed",
        actor=actor.user,
        channel=actor.channel,
        schedule=removed.describe(),
        scope=removed.scope_text,
        previous_owner=removed.created_by,
    )
    _announce(
        ctx, actor, f"{actor.user} removed this channel's daily digest ({removed.describe()})."
    )
    return Notice(text=f"Unsubscribed: no more daily digests here (was {removed.describe()}).")


def describe_subscriptions(ctx: FlowContext, actor: Actor) -> Notice:
    every = SubscriptionStore(ctx.connection).all()
    here = next((s for s in every if s.where.same_channel(actor.conversation)), None)
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
    queued = enqueue_digest(ctx.connection, actor.conversation, today, note, scope=request.scope)
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

"""Answers to `/cache-audit subscribe | unsubscribe | subscriptions | digest now`: one
ephemeral acknowledgement rendered from `workers.digest.flows.answer_subscription`."""

from __future__ import annotations

from typing import Any

from bot.slack.listeners.replies import notice_payload
from commands.requests import SubscriptionRequest
from posture.conversations import Actor
from workers.digest.flows import answer_subscription as subscription_flow
from workers.platform.context import FlowContext


def answer_subscription(
    request: SubscriptionRequest, actor: Actor, ctx: FlowContext
) -> dict[str, Any]:
    notice = subscription_flow(ctx, actor, request)
    return notice_payload(notice.text, detail=notice.detail)

"""The "Apply anyway (the stack will drift)" button under a template change. Never calls AWS."""

from __future__ import annotations

import logging
from typing import Any

import redis
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.actions import ActionId
from bot.slack.deps import BotDeps
from bot.slack.listeners.replies import notice_payload
from bot.slack.listeners.slack_input import click_actor, finding_thread, flow_context
from posture.messages import Notice
from workers.fixes.drift import apply_anyway
from workers.platform.telemetry import correlation, new_correlation_id

log = logging.getLogger(__name__)


def handle_apply_anyway(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    deps: BotDeps,
    context: BoltContext | None = None,
) -> None:
    ack()
    value = str(((body.get("actions") or [{}])[0]).get("value", ""))
    with correlation(new_correlation_id()) as cid:
        outcome = "ok"
        try:
            ctx = flow_context(client, deps, context)
            notice = apply_anyway(ctx, click_actor(body), value, finding_thread(body))
        except redis.RedisError:
            log.exception("apply-anyway click failed: redis")
            outcome = "error"
            notice = Notice(text=f"The bot's store is not reachable; nothing changed ({cid}).")
        deps.metrics.commands.labels(command=str(ActionId.APPLY_ANYWAY), outcome=outcome).inc()
        payload = notice_payload(notice.text, detail=notice.detail)
        payload["replace_original"] = False
        respond(**payload)


def register(app: App, deps: BotDeps) -> None:
    def on_click(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        handle_apply_anyway(ack, body, respond, client, deps, context)

    app.action(str(ActionId.APPLY_ANYWAY))(on_click)

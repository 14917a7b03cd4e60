"""The rebuild card's buttons: Delete the old cache and Cancel rebuild. Never calls AWS.

Parse, call `workers.rebuilds.chat`, render. The flows hold the rules: Delete opens a
second approval that someone other than the asker approves; Cancel needs an approver who
is not the rebuild's requester. The value is only the rebuild id.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.actions import ActionId
from bot.slack.deps import BotDeps
from bot.slack.listeners.replies import notice_payload
from bot.slack.listeners.slack_input import click_actor, flow_context
from posture.messages import Notice
from workers.platform.telemetry import correlation, new_correlation_id
from workers.rebuilds.chat import ask_source_delete, cancel_from_chat

log = logging.getLogger(__name__)
FLOWS = {
    str(ActionId.REBUILD_DELETE_SOURCE): ask_source_delete,
    str(ActionId.REBUILD_CANCEL): cancel_from_chat,
}


def handle_rebuild_click(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    deps: BotDeps,
    context: BoltContext | None = None,
) -> None:
    ack()
    action = (body.get("actions") or [{}])[0]
    action_id, value = str(action.get("action_id", "")), str(action.get("value", ""))
    with correlation(new_correlation_id()) as cid:
        outcome = "ok"
        try:
            ctx = flow_context(client, deps, context)
            notice = FLOWS[action_id](ctx, click_actor(body), value)
        except redis.RedisError:
            log.exception("rebuild click failed: redis")
            outcome = "error"
            notice = Notice(text=f"The bot's store is not reachable; nothing changed ({cid}).")
        deps.metrics.commands.labels(command=action_id, outcome=outcome).inc()
        payload = notice_payload(notice.text, detail=notice.detail)
        payload["replace_original"] = False
        respond(**payload)


def register(app: App, deps: BotDeps) -> None:
    def on_click(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        handle_rebuild_click(ack, body, respond, client, deps, context)

    for action_id in FLOWS:
        app.action(action_id)(on_click)

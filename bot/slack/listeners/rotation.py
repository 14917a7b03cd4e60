"""/cache-rotate-token and the rotation's Finalize and Cancel buttons. Never calls AWS.

Parse, call `workers.rotation.flows`, render. The flows hold the rules: Finalize opens a
FINALIZE approval request someone else approves; Cancel needs an approver who is not the
rotation's requester.
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
from bot.slack.listeners.slack_input import (
    click_actor,
    clicked_message,
    command_actor,
    flow_context,
)
from bot.slack.render.slack_rotation import render_rotation_closed
from commands.requests import RotateTokenRequest
from posture.rotation import RotationAction
from workers.platform.context import FlowContext
from workers.platform.telemetry import correlation, new_correlation_id
from workers.rotation.flows import RotationClickOutcome, request_rotation, rotation_click

log = logging.getLogger(__name__)
ACTIONS = {
    str(ActionId.FINALIZE): RotationAction.FINALIZE,
    str(ActionId.CANCEL): RotationAction.CANCEL,
}


def answer_rotate(
    request: RotateTokenRequest, body: dict[str, Any], ctx: FlowContext, cid: str
) -> dict[str, Any]:
    notice = request_rotation(ctx, command_actor(body), request, cid)
    return notice_payload(notice.text, detail=notice.detail)


def _private(text: str) -> dict[str, Any]:
    payload = notice_payload(text)
    payload["replace_original"] = False
    return payload


def handle_rotation_click(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    deps: BotDeps,
    context: BoltContext | None = None,
) -> None:
    ack()
    action = (body.get("actions") or [{}])[0]
    action_id = str(action.get("action_id", ""))
    actor = click_actor(body)
    with correlation(new_correlation_id()) as cid:
        outcome = "ok"
        try:
            answer = rotation_click(
                flow_context(client, deps, context),
                actor,
                ACTIONS[action_id],
                str(action.get("value", "")),
                clicked_message(body),
            )
        except redis.RedisError:
            log.exception("rotation click failed: redis")
            outcome = "error"
            answer = RotationClickOutcome(
                text=f"The bot's store is not reachable; nothing changed ({cid})."
            )
        if answer.closed is not None:
            text, blocks = render_rotation_closed(answer.closed, actor.user, answer.closed_label)
            respond(text=text, blocks=blocks, replace_original=True)
        deps.metrics.commands.labels(command=action_id, outcome=outcome).inc()
        respond(**_private(answer.text))


def register(app: App, deps: BotDeps) -> None:
    def on_click(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        handle_rotation_click(ack, body, respond, client, deps, context)

    for action_id in ACTIONS:
        app.action(str(action_id))(on_click)

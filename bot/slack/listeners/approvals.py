"""Approve and Deny on any approval request (fix, accepted risk, token rotation).

Parse the click, call `workers.approvals.flows.decide_request`, render its answer as an
ephemeral line. The flow checks the clicker's rights (four-eyes, approvers, expiry,
workspace, channel, message) and changes the state by compare-and-set.
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
from bot.slack.listeners.slack_input import click_actor, clicked_message, flow_context
from bot.slack.render.mrkdwn import user_mention
from posture.approvals import Decision
from posture.conversations import Actor, MessageRef
from workers.approvals.flows import DecisionOutcome, DecisionResult, decide_request
from workers.platform.context import FlowContext
from workers.platform.telemetry import correlation, new_correlation_id

log = logging.getLogger(__name__)


def _private(text: str) -> dict[str, Any]:
    payload = notice_payload(text)
    payload["replace_original"] = False
    return payload


def decision_text(outcome: DecisionOutcome) -> str:
    if outcome.result is not DecisionResult.LOST or outcome.state is None:
        return outcome.text
    who = f" by {user_mention(outcome.decided_by)}" if outcome.decided_by else ""
    return f"{outcome.text[:-1]}: the request is {outcome.state}{who}. Nothing more was changed."


def decide_click(
    ctx: FlowContext, actor: Actor, request_id: str, decision: Decision, clicked: MessageRef
) -> dict[str, Any]:
    """Apply one click; returns the ephemeral answer for the clicker."""
    return _private(decision_text(decide_request(ctx, actor, request_id, decision, clicked)))


def handle_decision(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    deps: BotDeps,
    context: BoltContext | None = None,
) -> None:
    ack()
    action = (body.get("actions") or [{}])[0]
    decision = Decision.APPROVE if action.get("action_id") == ActionId.APPROVE else Decision.DENY
    with correlation(new_correlation_id()) as cid:
        outcome = "ok"
        try:
            payload = decide_click(
                flow_context(client, deps, context),
                click_actor(body),
                str(action.get("value", "")),
                decision,
                clicked_message(body),
            )
        except redis.RedisError:
            log.exception("decision failed: redis")
            outcome = "error"
            payload = _private(
                "The bot's store is not reachable, so nothing was decided; try again in a minute."
            )
            payload["blocks"].append(
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": f"correlation id {cid}"}],
                }
            )
        deps.metrics.commands.labels(command=str(decision), outcome=outcome).inc()
        respond(**payload)


def register(app: App, deps: BotDeps) -> None:
    def on_decision(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        handle_decision(ack, body, respond, client, deps, context)

    for action_id in (ActionId.APPROVE, ActionId.DENY):
        app.action(str(action_id))(on_decision)

"""Approve and Deny on any approval request (fix, accepted risk, token rotation).

Approve: parse the click, call `workers.approvals.flows.decide_request`, render its answer.
Deny: a modal asks why (see `listeners.deny`), then the same flow decides. The buttons sit
on the request's messages and, for approvers, in App Home; the flow checks the clicker's
rights in both places (four-eyes, approvers, expiry, workspace, channel, message) and
changes the state by compare-and-set.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.actions import ActionId
from bot.slack.deps import BotDeps
from bot.slack.listeners.deny import ask_deny_reason
from bot.slack.listeners.home import publish_home
from bot.slack.listeners.replies import notice_payload
from bot.slack.listeners.slack_input import click_actor, clicked_message, flow_context
from bot.slack.render.mrkdwn import user_mention
from posture.approvals import Decision
from posture.conversations import Actor, MessageRef
from workers.approvals.flows import DecisionOutcome, DecisionResult, decide_request
from workers.platform.context import FlowContext
from workers.platform.telemetry import correlation, new_correlation_id

log = logging.getLogger(__name__)
STORE_DOWN = "The bot's store is not reachable, so nothing was decided; try again in a minute."


def _private(text: str) -> dict[str, Any]:
    payload = notice_payload(text)
    payload["replace_original"] = False
    return payload


def decision_text(outcome: DecisionOutcome) -> str:
    if outcome.result is not DecisionResult.LOST or outcome.state is None:
        return outcome.text
    who = f" by {user_mention(outcome.decided_by)}" if outcome.decided_by else ""
    return f"{outcome.text[:-1]}: the request is {outcome.state}{who}. Nothing more was changed."


def from_home(body: dict[str, Any]) -> bool:
    """The button was on the clicker's App Home, not on a message."""
    return str((body.get("view") or {}).get("type", "")) == "home"


def decide_click(
    ctx: FlowContext,
    actor: Actor,
    request_id: str,
    decision: Decision,
    clicked: MessageRef | None,
) -> dict[str, Any]:
    """Apply one click; returns the ephemeral answer for the clicker."""
    return _private(decision_text(decide_request(ctx, actor, request_id, decision, clicked)))


def answer(
    body: dict[str, Any],
    text: str,
    respond: Respond,
    client: WebClient,
    deps: BotDeps,
    context: BoltContext | None,
) -> None:
    """On a message: an ephemeral line. In App Home (no response_url): the page, redrawn
    with the answer at its top, so a decided request also loses its buttons there."""
    if from_home(body):
        publish_home(client, click_actor(body).user, deps, context, notice=text)
    else:
        respond(**_private(text))


def _approve(body: dict[str, Any], ctx: FlowContext, request_id: str) -> str:
    clicked = None if from_home(body) else clicked_message(body)
    outcome = decide_request(ctx, click_actor(body), request_id, Decision.APPROVE, clicked)
    return decision_text(outcome)


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
    request_id = str(action.get("value", ""))
    with correlation(new_correlation_id()) as cid:
        outcome = "ok"
        try:
            ctx = flow_context(client, deps, context)
            if decision is Decision.DENY:
                text = ask_deny_reason(ctx, body, request_id, client)
            else:
                text = _approve(body, ctx, request_id)
        except redis.RedisError:
            log.exception("decision failed: redis")
            outcome, text = "error", f"{STORE_DOWN} (correlation id {cid})"
        deps.metrics.commands.labels(command=str(decision), outcome=outcome).inc()
        if text:
            answer(body, text, respond, client, deps, context)


def register(app: App, deps: BotDeps) -> None:
    def on_decision(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        handle_decision(ack, body, respond, client, deps, context)

    for action_id in (ActionId.APPROVE, ActionId.DENY):
        app.action(str(action_id))(on_decision)

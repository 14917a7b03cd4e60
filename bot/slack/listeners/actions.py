"""Button clicks on findings. The value is only an opaque finding id; state lives in Redis.

Explain answers at once. Request fix calls `workers.approvals.flows.request_fix`, which
hands the finding to a job that reads the resource and posts the approval request in
the thread. Accept risk opens a modal (listeners.risk).
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.actions import ActionId
from bot.slack.deps import BotDeps
from bot.slack.listeners import risk
from bot.slack.listeners.explain_modal import open_explain_modal
from bot.slack.listeners.replies import notice_payload
from bot.slack.listeners.slack_input import click_actor, finding_thread, flow_context
from bot.slack.render.blocks import render_explain
from posture.catalog import get_rule
from posture.explain import explain_document
from posture.findings import Finding
from posture.messages import Notice
from workers.approvals.flows import finding_for_click, request_fix
from workers.platform.context import FlowContext
from workers.platform.telemetry import correlation, new_correlation_id

log = logging.getLogger(__name__)


def _private(text: str, detail: str | None = None) -> dict[str, Any]:
    payload = notice_payload(text, detail=detail)
    payload["replace_original"] = False
    return payload


def explain_finding(finding: Finding) -> dict[str, Any]:
    text, blocks = render_explain(explain_document(get_rule(finding.rule_id)))
    return {"text": text, "blocks": blocks, "response_type": "ephemeral", "replace_original": False}


def answer_click(
    action_id: str, value: str, body: dict[str, Any], client: WebClient, ctx: FlowContext
) -> dict[str, Any] | None:
    """The clicker's ephemeral answer; None when the answer is a modal instead."""
    actor = click_actor(body)
    if action_id in (ActionId.REQUEST_FIX, ActionId.REQUEST_REBUILD):  # one job plans both
        return _private(request_fix(ctx, actor, value, finding_thread(body)).text)
    found = finding_for_click(ctx, actor, value)
    if isinstance(found, Notice):
        return _private(found.text)
    if action_id == ActionId.EXPLAIN:  # a modal with this resource's values; ephemeral if refused
        return None if open_explain_modal(found, body, client) else explain_finding(found)
    problem = risk.open_accept_risk(value, found, body, client)
    return _private(problem) if problem else None


def handle_finding_click(
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
            payload = answer_click(
                action_id, value, body, client, flow_context(client, deps, context)
            )
        except redis.RedisError:
            log.exception("click failed: redis")
            outcome = "error"
            payload = _private(
                "The bot's store is not reachable; try again in a minute.", f"correlation id {cid}"
            )
        deps.metrics.commands.labels(command=action_id, outcome=outcome).inc()
        if payload is not None:
            respond(**payload)


def register(app: App, deps: BotDeps) -> None:
    def on_click(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        handle_finding_click(ack, body, respond, client, deps, context)

    for action_id in (
        ActionId.EXPLAIN,
        ActionId.REQUEST_FIX,
        ActionId.ACCEPT_RISK,
        ActionId.REQUEST_REBUILD,
    ):
        app.action(str(action_id))(on_click)

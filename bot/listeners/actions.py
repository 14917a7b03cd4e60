"""Button clicks on findings. The value is only an opaque finding id; state lives in Redis.

Explain answers at once. Request fix hands the finding to a job that reads the resource
and posts the approval request in the thread. Accept risk opens a modal (listeners.risk).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import redis
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.actions import ActionId
from bot.listeners import risk
from bot.listeners.explain_modal import open_explain_modal
from bot.listeners.replies import notice_payload
from bot.render.blocks import render_explain
from posture.catalog import get_rule
from posture.explain import explain_document
from posture.findings import Finding
from workers.approval_flow import enqueue_prepare_fix
from workers.audit_store import AuditStore
from workers.telemetry import correlation, new_correlation_id

if TYPE_CHECKING:
    from bot.app import BotDeps

log = logging.getLogger(__name__)
_FINDING_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")
EXPIRED = "That finding has expired; run the audit again to get fresh buttons."


def _private(text: str, detail: str | None = None) -> dict[str, Any]:
    payload = notice_payload(text, detail=detail)
    payload["replace_original"] = False
    return payload


def explain_finding(finding: Finding) -> dict[str, Any]:
    text, blocks = render_explain(explain_document(get_rule(finding.rule_id)))
    return {"text": text, "blocks": blocks, "response_type": "ephemeral", "replace_original": False}


def request_fix(
    value: str, finding: Finding, body: dict[str, Any], deps: BotDeps
) -> dict[str, Any]:
    channel, thread_ts = risk.where_clicked(body)
    user = str((body.get("user") or {}).get("id", ""))
    if not enqueue_prepare_fix(deps.connection, value, user, channel, thread_ts):
        return _private(
            "A fix request for this finding is already being prepared; it will appear in this thread."
        )
    return _private(
        f"Preparing a fix for {finding.rule_id} on {finding.resource_id}: cachewarden reads it "
        "as it is now and posts the exact change in this thread for an approver."
    )


def answer_click(
    action_id: str, value: str, body: dict[str, Any], client: WebClient, deps: BotDeps
) -> dict[str, Any] | None:
    """The clicker's ephemeral answer; None when the answer is a modal instead."""
    if not _FINDING_ID.match(value):
        return _private("That button is not one of ours.")
    finding = AuditStore(deps.connection).get_finding(value)
    if finding is None:
        return _private(EXPIRED)
    if action_id == ActionId.EXPLAIN:  # a modal with this resource's values; ephemeral if refused
        return None if open_explain_modal(finding, body, client) else explain_finding(finding)
    if action_id == ActionId.REQUEST_FIX:
        return request_fix(value, finding, body, deps)
    problem = risk.open_accept_risk(value, finding, body, client)
    return _private(problem) if problem else None


def handle_finding_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: BotDeps
) -> None:
    ack()
    action = (body.get("actions") or [{}])[0]
    action_id, value = str(action.get("action_id", "")), str(action.get("value", ""))
    with correlation(new_correlation_id()) as cid:
        outcome = "ok"
        try:
            payload = answer_click(action_id, value, body, client, deps)
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
    def on_click(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        handle_finding_click(ack, body, respond, client, deps)

    for action_id in (ActionId.EXPLAIN, ActionId.REQUEST_FIX, ActionId.ACCEPT_RISK):
        app.action(str(action_id))(on_click)

"""Approve and Deny on any approval request (fix, accepted risk, token rotation).

The button value is only the request id. The clicker's right is checked here against the
configured approvers (users and user-group members, never the requester); the state
changes by compare-and-set, so of many simultaneous clicks exactly one wins and only that
one starts a job. Everyone else gets an ephemeral line saying why nothing happened.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import redis
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.actions import ActionId
from bot.approvers import resolve_approvers
from bot.listeners.replies import notice_payload
from bot.render.mrkdwn import user_mention
from bot.slack_notifier import SlackNotifier
from posture.approvals import ApprovalRequest, Decision, Refusal, State, decide
from workers.approval_flow import ApprovalFlow, request_fields
from workers.enqueue import enqueue_approved
from workers.telemetry import correlation, new_correlation_id

if TYPE_CHECKING:
    from bot.app import BotDeps

log = logging.getLogger(__name__)
REQUEST_ID = re.compile(r"^[a-z0-9]{8,32}$")
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def approval_flow(client: WebClient, deps: BotDeps, clock: Clock = _utcnow) -> ApprovalFlow:
    notifier = SlackNotifier(client, deps.connection)
    return ApprovalFlow(
        deps.connection, notifier, security_channel=deps.config.bot.security_channel, clock=clock
    )


def _private(text: str) -> dict[str, Any]:
    payload = notice_payload(text)
    payload["replace_original"] = False
    return payload


def _lost(current: ApprovalRequest | None) -> str:
    if current is None:
        return "This request no longer exists."
    who = f" by {user_mention(current.decided_by)}" if current.decided_by else ""
    return f"Someone else decided first: the request is {current.state}{who}. Nothing more was changed."


def decide_click(
    request_id: str,
    actor: str,
    decision: Decision,
    client: WebClient,
    deps: BotDeps,
    clock: Clock = _utcnow,
) -> dict[str, Any]:
    """Apply one click; returns the ephemeral answer for the clicker."""
    if not REQUEST_ID.match(request_id):
        return _private("That button is not one of ours.")
    flow = approval_flow(client, deps, clock)
    request = flow.store.get(request_id)
    if request is None:
        return _private("This request is no longer known; ask for a new one.")
    approvers = resolve_approvers(client, deps.connection, deps.config.bot)
    outcome = decide(request, actor, decision, clock(), approvers)
    if isinstance(outcome, Refusal):
        flow.audit.append(
            "decision.refused",
            actor=actor,
            **request_fields(request),
            decision=str(decision),
            reason=outcome.message,
        )
        if outcome.expire is not None:
            flow.apply(request, outcome.expire)
        return _private(outcome.message)
    won, current = flow.apply(request, outcome, actor=actor)
    if not won or current is None:
        return _private(_lost(current))
    if current.state is State.APPROVED:
        enqueue_approved(deps.connection, current)
        return _private(
            "Approved. The job starts now; its progress and result appear on the request."
        )
    return _private("Denied. The requester sees your decision on the request; nothing was changed.")


def handle_decision(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: BotDeps
) -> None:
    ack()
    action = (body.get("actions") or [{}])[0]
    decision = Decision.APPROVE if action.get("action_id") == ActionId.APPROVE else Decision.DENY
    actor = str((body.get("user") or {}).get("id", ""))
    with correlation(new_correlation_id()) as cid:
        outcome = "ok"
        try:
            payload = decide_click(str(action.get("value", "")), actor, decision, client, deps)
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
    def on_decision(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        handle_decision(ack, body, respond, client, deps)

    for action_id in (ActionId.APPROVE, ActionId.DENY):
        app.action(str(action_id))(on_decision)

"""Deny asks why: the Deny button opens a modal, and its submission denies the request with
the reason (shown on the request, kept in the audit log) through the same flow as Approve.

The modal carries where the click happened (the message, or App Home), so the submission
is held to the same checks as a click in that place.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.deps import BotDeps
from bot.slack.listeners.home import publish_home
from bot.slack.listeners.slack_input import click_actor, clicked_message, flow_context
from bot.slack.render.slack_deny import (
    DENY_CALLBACK,
    DENY_REASON_BLOCK,
    DENY_REASON_INPUT,
    render_deny_modal,
)
from posture.approvals import Decision
from posture.conversations import Actor, MessageRef
from workers.approvals.flows import (
    DecisionResult,
    decide_request,
    decision_refusal,
    deny_reason,
    deny_reason_problem,
)
from workers.platform.context import FlowContext
from workers.platform.telemetry import correlation, new_correlation_id

log = logging.getLogger(__name__)
NOT_OPENED = "Slack did not open the form (the click may have been too slow); click Deny again."


def _is_home(body: dict[str, Any]) -> bool:
    return str((body.get("view") or {}).get("type", "")) == "home"


def ask_deny_reason(
    ctx: FlowContext, body: dict[str, Any], request_id: str, client: WebClient
) -> str | None:
    """Open the reason modal; returns a line for the clicker when no modal is opened
    (the decision would be refused anyway, or Slack would not open it)."""
    actor = click_actor(body)
    clicked = None if _is_home(body) else clicked_message(body)
    request, refused = decision_refusal(ctx, actor, request_id, Decision.DENY, clicked)
    if refused or request is None:
        return refused
    metadata = json.dumps(
        {
            "request_id": request_id,
            "channel": actor.channel,
            "clicked": clicked.model_dump(mode="json") if clicked else None,
        }
    )
    try:
        client.views_open(
            trigger_id=str(body.get("trigger_id", "")), view=render_deny_modal(request, metadata)
        )
    except SlackApiError as exc:
        log.warning("deny modal not opened", extra={"slack_error": exc.response.get("error")})
        return NOT_OPENED
    return None


def _reason(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    typed = ((values.get(DENY_REASON_BLOCK) or {}).get(DENY_REASON_INPUT) or {}).get("value")
    return deny_reason(str(typed or ""))


def handle_deny_submission(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    deps: BotDeps,
    context: BoltContext | None = None,
) -> None:
    """Deny with the reason; a refusal stays in the modal, where the approver is looking."""
    view = body.get("view") or {}
    reason = _reason(view)
    problem = deny_reason_problem(reason)
    if problem:
        ack(response_action="errors", errors={DENY_REASON_BLOCK: problem})
        return
    meta = json.loads(view.get("private_metadata") or "{}")
    clicked_doc = meta.get("clicked")
    clicked = MessageRef.model_validate(clicked_doc) if isinstance(clicked_doc, dict) else None
    submitter = click_actor(body)  # a view submission names no channel: the form's own counts
    actor = Actor(
        platform=submitter.platform,
        workspace=submitter.workspace,
        user=submitter.user,
        channel=str(meta.get("channel", "")),
    )
    with correlation(new_correlation_id()):
        try:
            ctx = flow_context(client, deps, context)
            outcome = decide_request(
                ctx, actor, str(meta.get("request_id", "")), Decision.DENY, clicked, reason=reason
            )
        except redis.RedisError:
            log.exception("deny failed: redis")
            ack(response_action="errors", errors={DENY_REASON_BLOCK: "The bot's store is not reachable; nothing was decided."})  # fmt: skip
            return
        if outcome.result is not DecisionResult.DENIED:
            ack(response_action="errors", errors={DENY_REASON_BLOCK: outcome.text})
            return
        ack()
        if clicked is None:
            publish_home(client, actor.user, deps, context, notice=outcome.text)


def register(app: App, deps: BotDeps) -> None:
    def on_submit(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        handle_deny_submission(ack, body, client, deps, context)

    app.view(DENY_CALLBACK)(on_submit)

"""Accept risk: a modal asks why and until when; submitting it calls
`workers.approvals.flows.request_accept_risk`, which opens an approval request.

Nothing is suppressed until an approver approves the request (see listeners.approvals);
then `workers.approvals.suppression_jobs.record_acceptance` records it.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.deps import BotDeps
from bot.slack.listeners.slack_input import click_actor, finding_thread, flow_context
from bot.slack.render.slack_approval import (
    ACCEPT_RISK_CALLBACK,
    REASON_BLOCK,
    REASON_INPUT,
    UNTIL_BLOCK,
    UNTIL_INPUT,
    render_accept_risk_modal,
)
from posture.conversations import Actor, ConversationRef
from posture.findings import Finding
from posture.suppressions import read_acceptance
from workers.approvals.flows import AcceptRiskInput, request_accept_risk
from workers.platform.telemetry import correlation, new_correlation_id

log = logging.getLogger(__name__)
DEFAULT_ACCEPT_DAYS = 90


def open_accept_risk(
    value: str, finding: Finding, body: dict[str, Any], client: WebClient
) -> str | None:
    """Open the modal; returns a line for the clicker when Slack would not open it.

    The modal carries where the click happened (who, which workspace, which thread), so
    the submission is held to the same place."""
    where, actor = finding_thread(body), click_actor(body)
    metadata = json.dumps(
        {"finding_id": value, "where": where.model_dump(mode="json"), "channel": actor.channel}
    )
    default_until = (datetime.now(UTC) + timedelta(days=DEFAULT_ACCEPT_DAYS)).date()
    try:
        client.views_open(
            trigger_id=str(body.get("trigger_id", "")),
            view=render_accept_risk_modal(finding, metadata, default_until),
        )
    except SlackApiError as exc:
        log.warning("modal not opened", extra={"slack_error": exc.response.get("error")})
        return "Slack did not open the form (the click may have been too slow); click Accept risk again."
    return None


def _values(view: dict[str, Any]) -> tuple[str, str]:
    state = (view.get("state") or {}).get("values") or {}
    reason = ((state.get(REASON_BLOCK) or {}).get(REASON_INPUT) or {}).get("value") or ""
    until = ((state.get(UNTIL_BLOCK) or {}).get(UNTIL_INPUT) or {}).get("value") or ""
    return str(reason), str(until)


def _form(meta: dict[str, Any], read: tuple[str, datetime]) -> AcceptRiskInput:
    where = meta.get("where")
    if isinstance(where, dict):
        conversation = ConversationRef.model_validate(where)
    else:  # a modal opened before conversation references existed
        conversation = ConversationRef(
            channel=str(meta.get("channel", "")), thread=str(meta.get("thread_ts", ""))
        )
    reason, until = read
    return AcceptRiskInput(
        finding_id=str(meta.get("finding_id", "")), where=conversation, reason=reason, until=until
    )


def handle_submission(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    deps: BotDeps,
    context: BoltContext | None = None,
) -> None:
    """Validate, then ack (closing the modal) and open the request in the finding's thread."""
    view = body.get("view") or {}
    reason, until_text = _values(view)
    read = read_acceptance(reason, until_text, datetime.now(UTC))
    if isinstance(read, dict):
        ack(response_action="errors", errors=read)
        return
    ack()
    form = _form(json.loads(view.get("private_metadata") or "{}"), read)
    submitter = click_actor(body)  # a view submission names no channel: the form's own counts
    actor = Actor(
        platform=submitter.platform,
        workspace=submitter.workspace,
        user=submitter.user,
        channel=form.where.channel,
    )
    with correlation(new_correlation_id()):
        problem = request_accept_risk(flow_context(client, deps, context), actor, form)
        if problem is not None:
            client.chat_postEphemeral(channel=actor.channel, user=actor.user, text=problem.text)


def register(app: App, deps: BotDeps) -> None:
    def on_submit(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        handle_submission(ack, body, client, deps, context)

    app.view(ACCEPT_RISK_CALLBACK)(on_submit)

"""Accept risk: a modal asks why and until when; submitting it opens an approval request.

Nothing is suppressed until an approver approves the request (see listeners.approvals);
then `workers.jobs.suppression.record_acceptance` records it.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.listeners.approvals import approval_flow
from bot.render.slack_approval import (
    ACCEPT_RISK_CALLBACK,
    REASON_BLOCK,
    REASON_INPUT,
    UNTIL_BLOCK,
    UNTIL_INPUT,
    render_accept_risk_modal,
)
from posture.approvals import RequestKind
from posture.findings import Finding
from posture.remediation import Asked
from posture.suppressions import accept_risk_request, read_acceptance
from workers.approval_flow import subject_of
from workers.audit_store import AuditStore
from workers.telemetry import correlation, current_correlation_id, new_correlation_id

if TYPE_CHECKING:
    from bot.app import BotDeps

log = logging.getLogger(__name__)
DEFAULT_ACCEPT_DAYS = 90


def where_clicked(body: dict[str, Any]) -> tuple[str, str]:
    """(channel, thread ts) of a clicked finding: its thread's parent, or the message itself."""
    container = body.get("container") or {}
    channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
    thread_ts = str(container.get("thread_ts") or container.get("message_ts") or "")
    return channel, thread_ts


def open_accept_risk(
    value: str, finding: Finding, body: dict[str, Any], client: WebClient
) -> str | None:
    """Open the modal; returns a line for the clicker when Slack would not open it."""
    channel, thread_ts = where_clicked(body)
    metadata = json.dumps({"finding_id": value, "channel": channel, "thread_ts": thread_ts})
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


def handle_submission(ack: Ack, body: dict[str, Any], client: WebClient, deps: BotDeps) -> None:
    """Validate, then ack (closing the modal) and open the request in the finding's thread."""
    view = body.get("view") or {}
    user = str((body.get("user") or {}).get("id", ""))
    reason, until_text = _values(view)
    read = read_acceptance(reason, until_text, datetime.now(UTC))
    if isinstance(read, dict):
        ack(response_action="errors", errors=read)
        return
    ack()
    with correlation(new_correlation_id()):
        _open_request(json.loads(view.get("private_metadata") or "{}"), user, read, client, deps)


def _open_request(
    meta: dict[str, Any], user: str, read: tuple[str, datetime], client: WebClient, deps: BotDeps
) -> None:
    channel, thread_ts = str(meta.get("channel", "")), str(meta.get("thread_ts", ""))
    finding = AuditStore(deps.connection).get_finding(str(meta.get("finding_id", "")))
    flow = approval_flow(client, deps)
    if finding is None:
        client.chat_postEphemeral(
            channel=channel, user=user, text="That finding has expired; run the audit again."
        )
        return
    request_id = uuid.uuid4().hex[:16]
    ttl_hours = deps.config.bot.approval_ttl_hours
    existing = flow.claim_open(
        subject_of(finding, RequestKind.ACCEPT_RISK), request_id, ttl_hours * 3600
    )
    if existing:
        client.chat_postEphemeral(
            channel=channel,
            user=user,
            text=f"An accept-risk request for this finding is already open (request {existing}).",
        )
        return
    asked = Asked(
        request_id=request_id,
        requester=user,
        finding_id=str(meta.get("finding_id", "")),
        channel=channel,
        thread_ts=thread_ts,
        now=datetime.now(UTC),
        ttl_hours=ttl_hours,
        correlation_id=current_correlation_id(),
    )
    reason, until = read
    flow.open(accept_risk_request(finding, asked, reason=reason, until=until))


def register(app: App, deps: BotDeps) -> None:
    def on_submit(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_submission(ack, body, client, deps)

    app.view(ACCEPT_RISK_CALLBACK)(on_submit)

"""Slash commands: check the channel, parse, enqueue, and acknowledge within 3 seconds.

The web process never calls AWS: audits are enqueued, explanations are pure rendering.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import redis
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.listeners.audit_log import answer_audit_log
from bot.listeners.replies import notice_payload, usage_payload
from bot.listeners.rotation import answer_rotate
from bot.listeners.subscriptions import answer_subscription
from bot.render.blocks import render_explain
from commands.errors import UsageError
from commands.help import help_text
from commands.requests import (
    AlertsRequest,
    AuditLogRequest,
    AuditRequest,
    ExplainRequest,
    HelpRequest,
    Request,
    RotateTokenRequest,
    SubscriptionRequest,
    parse_command,
)
from posture.catalog import resolve
from posture.explain import explain_document
from workers.alerts.subscriptions import switch_alerts
from workers.queueing import AlreadyQueued, enqueue_audit, workers_alive
from workers.telemetry import correlation, new_correlation_id

if TYPE_CHECKING:
    from bot.app import BotDeps

log = logging.getLogger(__name__)
COMMANDS = ("/cache-audit", "/cache-explain", "/cache-help", "/cache-rotate-token")


def _channel_allowed(deps: BotDeps, channel: str) -> bool:
    allowed = deps.config.bot.allowed_channels
    return not allowed or channel in allowed


def answer_audit(
    request: AuditRequest, body: dict[str, Any], deps: BotDeps, cid: str
) -> dict[str, Any]:
    try:
        ticket = enqueue_audit(
            deps.connection,
            channel=body["channel_id"],
            user=body["user_id"],
            scope=request.scope,
            config=deps.config,
            correlation_id=cid,
        )
    except AlreadyQueued:
        return notice_payload(
            f"An audit of {request.scope.describe()} is already queued or running in this channel; "
            "its results will appear here."
        )
    log.info("audit enqueued", extra={"run_id": ticket.run_id, "job_id": ticket.job_id})
    waiting = (
        ""
        if workers_alive(deps.connection)
        else (
            " No worker is running right now, so it will start when one does; "
            "if this persists, ask whoever runs cachewarden to start `cachewarden worker`."
        )
    )
    return notice_payload(
        f"Audit {ticket.run_id} queued for {ticket.accounts_text}, {ticket.regions_text} "
        f"(scope: {request.scope.describe()}). Results will be posted in this channel.{waiting}",
        detail=f"correlation id {cid}",
    )


def answer_request(
    request: Request,
    body: dict[str, Any],
    deps: BotDeps,
    cid: str,
    client: WebClient | None = None,
) -> dict[str, Any]:
    if isinstance(request, AuditRequest):
        return answer_audit(request, body, deps, cid)
    if isinstance(request, ExplainRequest):
        text, blocks = render_explain(explain_document(resolve(request.target_id)))
        return {"text": text, "blocks": blocks, "response_type": "ephemeral"}
    if isinstance(request, HelpRequest):
        return notice_payload(help_text(request.topic))
    if isinstance(request, RotateTokenRequest):
        return answer_rotate(request, body, deps, cid)
    if isinstance(request, AuditLogRequest):  # approvers only (issue 6)
        return answer_audit_log(request, str(body.get("user_id", "")), client, deps)
    if isinstance(request, SubscriptionRequest):  # subscribe, unsubscribe, subscriptions, digest
        return answer_subscription(request, body, deps)
    if isinstance(request, AlertsRequest):  # real-time alerts (issue 16)
        notice = switch_alerts(deps.connection, deps.config.alerts, body["channel_id"], request)
        return notice_payload(notice.text, detail=notice.detail)
    return notice_payload("That request is not supported.")


def handle_command(
    ack: Ack, body: dict[str, Any], deps: BotDeps, client: WebClient | None = None
) -> None:
    """Every outcome, including an internal failure, is one ephemeral acknowledgement."""
    name = str(body.get("command", ""))
    cid = new_correlation_id()
    with correlation(cid):
        outcome = "ok"
        try:
            if not _channel_allowed(deps, str(body.get("channel_id", ""))):
                outcome, payload = (
                    "refused",
                    notice_payload(
                        "cachewarden is not enabled in this channel. Ask an admin to add it to "
                        "`allowed_channels`, or use one of the enabled channels."
                    ),
                )
            else:
                request = parse_command(name, str(body.get("text", "")))
                payload = answer_request(request, body, deps, cid, client)
        except UsageError as exc:
            outcome, payload = "usage", usage_payload(exc)
        except redis.RedisError:
            log.exception("queue unavailable")
            outcome, payload = (
                "error",
                notice_payload(
                    "The job queue is not reachable right now, so nothing was started. "
                    "Please try again in a minute.",
                    detail=f"correlation id {cid}",
                ),
            )
        except Exception:  # last resort: the user gets an answer, the log gets the details
            log.exception("command failed")
            outcome, payload = (
                "error",
                notice_payload(
                    "Something went wrong on our side and nothing was started.",
                    detail=f"correlation id {cid}",
                ),
            )
        deps.metrics.commands.labels(command=name, outcome=outcome).inc()
        ack(**payload)


def _bind(deps: BotDeps) -> Callable[..., None]:
    def on_command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_command(ack, body, deps, client)

    return on_command


def register(app: App, deps: BotDeps) -> None:
    listener = _bind(deps)
    for name in COMMANDS:
        app.command(name)(listener)

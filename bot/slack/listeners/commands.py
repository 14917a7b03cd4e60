"""Slash commands: check the channel, parse, enqueue, and acknowledge within 3 seconds.

The web process never calls AWS: audits are enqueued, explanations are pure rendering.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack.deps import BotDeps
from bot.slack.listeners.audit_log import answer_audit_log
from bot.slack.listeners.replies import notice_payload, scope_problem_payload, usage_payload
from bot.slack.listeners.rotation import answer_rotate
from bot.slack.listeners.slack_input import command_actor, flow_context
from bot.slack.listeners.subscriptions import answer_subscription
from bot.slack.render.blocks import render_explain
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
from commands.scope_check import ScopeProblem
from posture.catalog import resolve
from posture.explain import explain_document
from workers.alerts.subscriptions import switch_alerts
from workers.audit.flows import request_audit
from workers.platform.context import NOT_ENABLED, FlowContext, channel_allowed
from workers.platform.telemetry import correlation, new_correlation_id

log = logging.getLogger(__name__)
SKIP_SCOPE_CHECK = "cachewarden_skip_scope_check"
COMMANDS = ("/cache-audit", "/cache-explain", "/cache-help", "/cache-rotate-token")


def answer_request(
    request: Request, body: dict[str, Any], ctx: FlowContext, cid: str
) -> dict[str, Any]:
    actor = command_actor(body)
    if isinstance(request, AuditRequest):
        answer = request_audit(ctx, actor, request, cid, check_names=not body.get(SKIP_SCOPE_CHECK))
        if isinstance(answer, ScopeProblem):
            return scope_problem_payload(answer, request.scope)
        return notice_payload(answer.text, detail=answer.detail)
    if isinstance(request, ExplainRequest):
        text, blocks = render_explain(explain_document(resolve(request.target_id)))
        return {"text": text, "blocks": blocks, "response_type": "ephemeral"}
    if isinstance(request, HelpRequest):
        return notice_payload(help_text(request.topic))
    if isinstance(request, RotateTokenRequest):
        return answer_rotate(request, body, ctx, cid)
    if isinstance(request, AuditLogRequest):  # approvers only (issue 6)
        return answer_audit_log(request, actor, ctx)
    if isinstance(request, SubscriptionRequest):  # subscribe, unsubscribe, subscriptions, digest
        return answer_subscription(request, actor, ctx)
    if isinstance(request, AlertsRequest):  # real-time alerts (issue 16)
        notice = switch_alerts(ctx.connection, ctx.config.alerts, actor.conversation, request)
        return notice_payload(notice.text, detail=notice.detail)
    return notice_payload("That request is not supported.")


def handle_command(
    ack: Ack,
    body: dict[str, Any],
    deps: BotDeps,
    client: WebClient,
    context: BoltContext | None = None,
) -> None:
    """Every outcome, including an internal failure, is one ephemeral acknowledgement."""
    name = str(body.get("command", ""))
    cid = new_correlation_id()
    with correlation(cid):
        outcome = "ok"
        try:
            if not channel_allowed(deps.config.bot, str(body.get("channel_id", ""))):
                outcome, payload = "refused", notice_payload(NOT_ENABLED)
            else:
                request = parse_command(name, str(body.get("text", "")))
                ctx = flow_context(client, deps, context)
                payload = answer_request(request, body, ctx, cid)
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
    def on_command(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        handle_command(ack, body, deps, client, context)

    return on_command


def register(app: App, deps: BotDeps) -> None:
    listener = _bind(deps)
    for name in COMMANDS:
        app.command(name)(listener)

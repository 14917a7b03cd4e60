"""`/cache-audit log [n]`: the latest audit-log entries, shown only to approvers."""

from __future__ import annotations

from typing import Any

from bot.slack.listeners.replies import notice_payload
from bot.slack.render.audit_log import render_audit_log_reply
from commands.requests import AuditLogRequest
from posture.conversations import Actor
from posture.messages import Notice
from workers.platform.context import FlowContext
from workers.trail.flows import view_audit_log


def answer_audit_log(request: AuditLogRequest, actor: Actor, ctx: FlowContext) -> dict[str, Any]:
    view = view_audit_log(ctx, actor, request)
    if isinstance(view, Notice):
        return notice_payload(view.text, detail=view.detail)
    text, blocks = render_audit_log_reply(view.entries, view.limit)
    return {"text": text, "blocks": blocks, "response_type": "ephemeral"}

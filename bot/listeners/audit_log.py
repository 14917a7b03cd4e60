"""`/cache-audit log [n]`: the latest audit-log entries, shown only to approvers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from bot.approvers import resolve_approvers
from bot.listeners.replies import notice_payload
from bot.render.audit_log import render_audit_log_reply
from commands.requests import AuditLogRequest
from workers.audit_log import AuditLog

if TYPE_CHECKING:
    from bot.app import BotDeps


def answer_audit_log(
    request: AuditLogRequest, user: str, client: WebClient | None, deps: BotDeps
) -> dict[str, Any]:
    if client is None or not resolve_approvers(client, deps.connection, deps.config.bot).allows(
        user
    ):
        return notice_payload(
            "The audit log is shown to approvers only. Ask one of them, or whoever runs "
            "cachewarden (`cachewarden audit-log`)."
        )
    entries = AuditLog(deps.connection).latest(request.limit)
    text, blocks = render_audit_log_reply(entries, request.limit)
    return {"text": text, "blocks": blocks, "response_type": "ephemeral"}

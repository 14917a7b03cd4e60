"""The audit trail (who asked, approved and changed what) as any front end shows it."""

from __future__ import annotations

from dataclasses import dataclass

from commands.requests import AuditLogRequest
from posture.conversations import Actor
from posture.messages import Notice
from workers.platform.context import FlowContext, command_refusal
from workers.trail.log import AuditEntry, AuditLog

APPROVERS_ONLY = (
    "The audit log is shown to approvers only. Ask one of them, or whoever runs "
    "cachewarden (`cachewarden audit-log`)."
)


@dataclass(frozen=True)
class AuditLogView:
    entries: list[AuditEntry]
    limit: int


def view_audit_log(
    ctx: FlowContext, actor: Actor, request: AuditLogRequest
) -> AuditLogView | Notice:
    """The latest entries, for approvers only."""
    refused = command_refusal(ctx, actor)
    if refused:
        return Notice(text=refused)
    if not ctx.directory.approvers().allows(actor.user):
        return Notice(text=APPROVERS_ONLY)
    return AuditLogView(entries=AuditLog(ctx.connection).latest(request.limit), limit=request.limit)

"""The audit (scan) request any front end calls: queue a scan of a scope, say where results go."""

from __future__ import annotations

import logging

from commands.requests import AuditRequest
from commands.scope_check import ScopeProblem, check_scope
from posture.conversations import Actor
from posture.messages import Notice
from workers.audit.known_resources import known_scope
from workers.platform.context import FlowContext, command_refusal
from workers.platform.queueing import AlreadyQueued, enqueue_audit, workers_alive

log = logging.getLogger(__name__)


def request_audit(
    ctx: FlowContext,
    actor: Actor,
    request: AuditRequest,
    correlation_id: str,
    *,
    check_names: bool = True,
) -> Notice | ScopeProblem:
    """Queue the scan, or say privately what in the scope names nothing (nothing is queued).

    `check_names=False` only for an explicit "scan anyway": the index of known caches can be
    older than a cache created since the last scan.
    """
    refused = command_refusal(ctx, actor)
    if refused:
        return Notice(text=refused)
    if check_names:
        problem = check_scope(request.scope, known_scope(ctx.connection, ctx.config))
        if problem is not None:
            return problem
    try:
        ticket = enqueue_audit(
            ctx.connection,
            channel=actor.channel,
            user=actor.user,
            scope=request.scope,
            config=ctx.config,
            correlation_id=correlation_id,
        )
    except AlreadyQueued:
        return Notice(
            text=f"An audit of {request.scope.describe()} is already queued or running in this "
            "channel; its results will appear here."
        )
    log.info("audit enqueued", extra={"run_id": ticket.run_id, "job_id": ticket.job_id})
    waiting = (
        ""
        if workers_alive(ctx.connection)
        else (
            " No worker is running right now, so it will start when one does; "
            "if this persists, ask whoever runs cachewarden to start `cachewarden worker`."
        )
    )
    return Notice(
        text=f"Audit {ticket.run_id} queued for {ticket.accounts_text}, {ticket.regions_text} "
        f"(scope: {request.scope.describe()}). Results will be posted in this channel.{waiting}",
        detail=f"correlation id {correlation_id}",
    )

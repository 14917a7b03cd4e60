"""The audit (scan) request any front end calls: queue a scan of a scope, say where results go."""

from __future__ import annotations

import logging

from commands.requests import AuditRequest
from commands.scope_check import ScopeProblem, check_scope
from posture.conversations import Actor
from posture.messages import Notice
from workers.audit.known_resources import known_scope
from workers.platform.context import FlowContext, command_refusal
from workers.platform.enqueue import SCANS_QUEUE
from workers.platform.enqueue import queue as rq_queue
from workers.platform.limits import hit, in_words, scans_in_flight
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
    if check_names:  # before the rate limit: a scope naming nothing queues nothing
        problem = check_scope(request.scope, known_scope(ctx.connection, ctx.config))
        if problem is not None:
            return problem
    limited = _over_limit(ctx, actor)
    if limited:
        return Notice(text=limited)
    try:
        ticket = enqueue_audit(
            ctx.connection,
            where=actor.conversation,
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


def queued_scans(ctx: FlowContext) -> int:
    queue = rq_queue(ctx.connection, SCANS_QUEUE)
    return scans_in_flight(queue.get_job_ids() + queue.started_job_registry.get_job_ids())


def _over_limit(ctx: FlowContext, actor: Actor) -> str | None:
    """Per-user and per-channel rate limits, then the cap on scans queued at once."""
    limits, now = ctx.config.limits, ctx.clock()
    window = limits.audit_window_seconds
    mine = hit(
        ctx.connection,
        "audit-user",
        actor.user,
        limit=limits.audits_per_user,
        seconds=window,
        now=now,
    )
    if not mine.allowed:
        log.info("audit refused: user rate limit", extra={"count": mine.count})
        return (
            f"You have asked for {limits.audits_per_user} audits in the last "
            f"{in_words(window)}, which is as many as cachewarden takes from one person. "
            f"Please try again in {in_words(mine.retry_after)}; the audits you asked for "
            "still run."
        )
    here = hit(
        ctx.connection,
        "audit-channel",
        actor.channel,
        limit=limits.audits_per_channel,
        seconds=window,
        now=now,
    )
    if not here.allowed:
        log.info("audit refused: channel rate limit", extra={"count": here.count})
        return (
            f"This channel has asked for {limits.audits_per_channel} audits in the last "
            f"{in_words(window)}. Please try again in {in_words(here.retry_after)}."
        )
    in_flight = queued_scans(ctx)
    if in_flight >= limits.max_queued_scans:
        log.info("audit refused: scan queue full", extra={"count": in_flight})
        return (
            f"{in_flight} scans are queued or running, the most cachewarden runs at once. "
            "Please try again in a few minutes, when some have finished (the cap keeps the "
            "queue short, so approved fixes never wait behind a flood of scans)."
        )
    return None

"""Jobs every kind of approval request shares: expiry, and the last word on a failed job."""

from __future__ import annotations

import logging
from typing import Any

from posture.approvals import State, Transition, expiry_sweep, start
from workers.approvals.flow import ApprovalFlow
from workers.platform.runtime import environment

log = logging.getLogger(__name__)


def flow() -> ApprovalFlow:
    env = environment()
    return ApprovalFlow(
        env.connection,
        env.notifiers,
        security_channel=env.config.bot.security_channel,
        clock=env.clock,
    )


def expire_request(request_id: str) -> None:
    """Runs at the request's expiry: a request still pending becomes expired, for everyone to see."""
    approvals = flow()
    request = approvals.store.get(request_id)
    if request is None:
        return
    transition = expiry_sweep(request, approvals.clock())
    if transition is not None:
        approvals.apply(request, transition)


def on_approved_job_failed(job: Any, connection: Any, exc_type: Any, exc: Any, tb: Any) -> None:
    """The job for an approved request gave up: the request fails with a message, never hangs."""
    if job.retries_left:
        return  # RQ runs it again; only the last failure decides
    approvals = flow()
    request = approvals.store.get(str(job.args[0]))
    if request is None or request.is_final:
        return
    begun = start(request) if request.state is State.APPROVED else None
    if isinstance(begun, Transition):
        request = approvals.apply(request, begun)[1]
    if request is not None and request.state is State.RUNNING:
        outcome = (
            f"the job stopped with {exc_type.__name__}; AWS may or may not have been changed, "
            f"check the resource and the audit log (correlation id {request.correlation_id or '-'})"
        )
        approvals.finish(request, ok=False, outcome=outcome)

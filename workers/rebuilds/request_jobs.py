"""Jobs that connect rebuilds to the approval flow.

    open_rebuild_request(...)   called by `prepare_fix` when a finding's fix is a rebuild
    start_rebuild(request_id)   the approved REBUILD request's job (id approved-<id>)
    run_rebuild_delete(id)      the approved REBUILD_DELETE request's job

All take ids and reload state; each is safe to run twice (the rebuild moves by
compare-and-set, its steps are unique jobs, a closed request stays closed).
"""

from __future__ import annotations

import logging

from posture.approvals import RequestKind
from posture.findings import Finding
from posture.rebuild_messages import rebuild_request
from posture.rebuilds import RebuildRefused
from posture.remediation import Asked, FixPlan
from posture.remediation.rebuild_params import RebuildInputError
from workers.approvals.flow import ApprovalFlow
from workers.approvals.jobs import flow
from workers.aws.errors import AWS_FAILURES
from workers.fixes.reads import UnreachableAccount, remediation_session
from workers.platform.runtime import JobEnvironment, environment
from workers.rebuilds.chat import (
    release_if_abandoned,
    start_approved_delete,
    start_approved_rebuild,
)
from workers.rebuilds.flows import RebuildAsk, plan_rebuild, store_rebuild
from workers.rebuilds.store import active_key

log = logging.getLogger(__name__)


def _holder(env: JobEnvironment, plan: FixPlan) -> str:
    raw = env.connection.get(active_key(plan.account, plan.region, plan.resource_id))
    return raw.decode() if isinstance(raw, bytes) else str(raw or "")


def open_rebuild_request(
    env: JobEnvironment, approvals: ApprovalFlow, plan: FixPlan, finding: Finding, asked: Asked
) -> str:
    """Plan the copy from a fresh read and post its approval; '' when posted, else why not."""
    holder = _holder(env, plan)
    if holder and not release_if_abandoned(env.connection, approvals, holder):
        return f"{plan.resource_id} already has a rebuild under way (rebuild {holder})."
    ask = RebuildAsk(finding.account, finding.region, plan.rule_id, plan.resource_id)
    try:
        session = remediation_session(env, finding.account)
        rebuild = plan_rebuild(
            env.config.policy, env.clock(), asked.requester, ask, session,
            where=asked.where, finding_id=asked.finding_id,
        )  # fmt: skip
        rebuild = store_rebuild(env.connection, rebuild)
    except (RebuildRefused, RebuildInputError) as exc:
        return str(exc)
    except (UnreachableAccount, *AWS_FAILURES) as exc:
        log.warning("rebuild not planned", extra={"error": type(exc).__name__})
        return f"cachewarden could not read {plan.resource_id} to plan the rebuild."
    request = rebuild_request(
        rebuild,
        request_id=rebuild.rebuild_id,
        where=asked.where,
        now=asked.now,
        ttl_hours=asked.ttl_hours,
        correlation_id=asked.correlation_id,
    )
    approvals.open(request)
    return ""


def _approved(request_id: str, kind: RequestKind) -> tuple[ApprovalFlow, JobEnvironment] | None:
    approvals, env = flow(), environment()
    request = approvals.store.get(request_id)
    if request is None or request.kind is not kind or request.is_final:
        log.info("rebuild request not runnable", extra={"request_id": request_id})
        return None
    return approvals, env


def start_rebuild(request_id: str) -> None:
    found = _approved(request_id, RequestKind.REBUILD)
    if found is None:
        return
    approvals, env = found
    request = approvals.store.get(request_id)
    if request is not None:
        start_approved_rebuild(approvals, env.notifiers, request)


def run_rebuild_delete(request_id: str) -> None:
    found = _approved(request_id, RequestKind.REBUILD_DELETE)
    if found is None:
        return
    approvals, env = found
    request = approvals.store.get(request_id)
    if request is not None:
        start_approved_delete(approvals, env.notifiers, request)

"""Jobs that connect rebuilds to the approval flow.

    open_rebuild_request(...)   called by `prepare_fix` when a finding's fix is a rebuild
    start_rebuild(request_id)   the approved REBUILD request's job (id approved-<id>)
    run_rebuild_delete(id)      the approved REBUILD_DELETE request's job

All take ids and reload state; each is safe to run twice (the rebuild moves by
compare-and-set, its steps are unique jobs, a closed request stays closed).
"""

from __future__ import annotations

import logging
import uuid

from posture.approvals import RequestKind
from posture.base import ResourceKind
from posture.conversations import ConversationRef
from posture.findings import Finding
from posture.messages import Notice
from posture.rebuild_messages import rebuild_request
from posture.rebuilds import RebuildRefused
from posture.remediation import Asked
from posture.remediation.rebuild_params import RebuildInputError, RebuildInputs, read_inputs
from workers.approvals.flow import ApprovalFlow
from workers.approvals.jobs import flow
from workers.audit.store import AuditStore
from workers.aws.errors import AWS_FAILURES
from workers.fixes.reads import UnreachableAccount, remediation_session
from workers.platform.runtime import JobEnvironment, environment
from workers.platform.telemetry import current_correlation_id
from workers.rebuilds.chat import (
    release_if_abandoned,
    start_approved_delete,
    start_approved_rebuild,
)
from workers.rebuilds.flows import RebuildAsk, plan_rebuild, store_rebuild
from workers.rebuilds.store import active_key

log = logging.getLogger(__name__)
REBUILT_KINDS = (
    ResourceKind.REPLICATION_GROUP,
    ResourceKind.CACHE_CLUSTER,
    ResourceKind.SERVERLESS_CACHE,
)


def _holder(env: JobEnvironment, finding: Finding) -> str:
    key = active_key(finding.account, finding.region, finding.resource_id)
    raw = env.connection.get(key)
    return raw.decode() if isinstance(raw, bytes) else str(raw or "")


def open_rebuild_request(
    env: JobEnvironment,
    approvals: ApprovalFlow,
    finding: Finding,
    asked: Asked,
    inputs: RebuildInputs | None = None,
) -> str:
    """Plan the copy from a fresh read and post its approval; '' when posted, else why not."""
    holder = _holder(env, finding)
    if holder and not release_if_abandoned(env.connection, approvals, holder):
        return f"{finding.resource_id} already has a rebuild under way (rebuild {holder})."
    ask = RebuildAsk(
        finding.account, finding.region, finding.rule_id, finding.resource_id,
        inputs=inputs or RebuildInputs(), kind=finding.resource_kind,
    )  # fmt: skip
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
        return f"cachewarden could not read {finding.resource_id} to plan the rebuild."
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


def prepare_rebuild(
    finding_id: str,
    requester: str,
    where: dict[str, str],
    inputs: dict[str, str | int],
) -> None:
    """A rebuild whose values (KMS key, subnet group, port) a person chose in a form.

    Args are plain JSON (RQ); `inputs` were validated by the front end and are read again."""
    env, approvals = environment(), flow()
    place = ConversationRef.model_validate(where)
    finding = AuditStore(env.connection).get_finding(finding_id)
    notifier = env.notifiers.to(place)
    if finding is None or finding.resource_kind not in REBUILT_KINDS:
        notifier.say(
            place, Notice(text="That finding has expired; run the audit again."), user=requester
        )
        return
    raw = {k: str(v) for k, v in inputs.items()}
    read = read_inputs(finding.rule_id, raw, finding.resource_kind)
    if isinstance(read, dict):
        notifier.say(place, Notice(text=" ".join(read.values())), user=requester)
        return
    asked = Asked(
        request_id=uuid.uuid4().hex[:16], requester=requester, finding_id=finding_id, where=place,
        now=env.clock(), ttl_hours=env.config.bot.approval_ttl_hours,
        correlation_id=current_correlation_id(),
    )  # fmt: skip
    why_not = open_rebuild_request(env, approvals, finding, asked, read)
    if why_not:
        notifier.say(place, Notice(text=f"No rebuild request opened: {why_not}"))


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

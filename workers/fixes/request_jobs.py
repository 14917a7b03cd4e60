"""`prepare_fix`: from a Request-fix click to an approval request built on a fresh read.

The listener never calls AWS, so it enqueues this job with plain ids. The job reads the
resource as it is now, re-evaluates the rule, builds the plan and then either opens an
approval request (in-place fixes), or posts the runbook (rebuilds, manual fixes), or says
why nothing can run yet, all in the finding's thread.
"""

from __future__ import annotations

import logging
import uuid

from posture.approvals import RequestKind
from posture.conversations import ConversationRef, Platform
from posture.findings import Finding, Status
from posture.messages import Notice
from posture.remediation import (
    CACHE_KINDS,
    Asked,
    FixPlan,
    PlanKind,
    catalog_plan,
    current_finding,
    fix_request,
    plan_fix,
)
from posture.remediation.rebuild_params import needs_inputs, rebuild_refusal, rebuilds_from_chat
from workers.approvals.flow import ApprovalFlow, subject_of
from workers.approvals.jobs import flow
from workers.audit.store import AuditStore
from workers.aws.errors import AWS_FAILURES
from workers.fixes.reads import UnreachableAccount, read_for_fix, remediation_session
from workers.fixes.store import FixStore
from workers.platform.runtime import JobEnvironment, environment
from workers.platform.telemetry import current_correlation_id
from workers.rebuilds.request_jobs import REBUILT_KINDS, open_rebuild_request

log = logging.getLogger(__name__)


class _Reply:
    """Answers of this job: to the clicker only, or to everyone in the finding's thread."""

    def __init__(self, env: JobEnvironment, where: ConversationRef, user: str) -> None:
        self.env, self.where, self.user = env, where, user

    def privately(self, text: str) -> None:
        notice = Notice(text=text, detail=f"correlation id {current_correlation_id()}")
        self.env.notifiers.to(self.where).say(self.where, notice, user=self.user)

    def in_thread(self, text: str) -> None:
        self.env.notifiers.to(self.where).say(self.where, Notice(text=text))


def prepare_fix(
    finding_id: str,
    requester: str,
    channel: str,
    thread: str,
    platform: str = Platform.SLACK,
    workspace: str = "",
    allow_drift: bool = False,
) -> None:
    """Args are plain strings (RQ's JSON); jobs queued before `platform` existed were Slack's.

    `allow_drift`: the requester chose "apply anyway, the stack will drift" for a resource
    a template manages; the choice goes to the audit log with the request.
    """
    env, approvals = environment(), flow()
    where = ConversationRef(
        platform=Platform(platform), workspace=workspace, channel=channel, thread=thread
    )
    reply = _Reply(env, where, requester)
    finding = AuditStore(env.connection).get_finding(finding_id)
    if finding is None:
        reply.privately("That finding has expired; run the audit again to get fresh buttons.")
        return
    plan = _plan_for(env, finding, reply, allow_drift)
    if plan is None:
        return
    if not plan.runs_calls:  # a runbook, a manual fix, or why nothing can run yet
        env.notifiers.to(where).post_plan(where, plan.model_copy(update={"finding_id": finding_id}))
        approvals.audit.append(
            "plan.posted",
            actor=requester,
            rule_id=plan.rule_id,
            plan=str(plan.kind),
            target=f"{plan.resource_kind}/{plan.resource_id}",
            account=plan.account,
            region=plan.region,
        )
        _offer_rebuild(env, approvals, plan, finding, finding_id, where, reply, requester)
        return
    asked = Asked(
        request_id=uuid.uuid4().hex[:16],
        requester=requester,
        finding_id=finding_id,
        where=where,
        now=env.clock(),
        ttl_hours=env.config.bot.approval_ttl_hours,
        correlation_id=current_correlation_id(),
    )
    if plan.drift_accepted:
        approvals.audit.append(
            "fix.drift_accepted",
            actor=requester,
            request_id=asked.request_id,
            rule_id=plan.rule_id,
            target=f"{plan.resource_kind}/{plan.resource_id}",
            warning=plan.warning,
        )
    _open_request(env, approvals, plan, asked, finding, reply)


def _offer_rebuild(
    env: JobEnvironment,
    approvals: ApprovalFlow,
    plan: FixPlan,
    finding: Finding,
    finding_id: str,
    where: ConversationRef,
    reply: _Reply,
    requester: str,
) -> None:
    """After the runbook, a rebuild cachewarden can run itself (issue 17): its approval.

    When it cannot run yet (a value to choose, a rebuild under way), say why."""
    if plan.kind is not PlanKind.REBUILD or plan.resource_kind not in REBUILT_KINDS:
        return
    kind, engine = plan.resource_kind, finding.engine or ""
    refusal = rebuild_refusal(plan.rule_id, kind, engine)
    if refusal:
        reply.in_thread(refusal)
        return
    if not rebuilds_from_chat(plan.rule_id, kind, engine):
        needs = ", ".join(needs_inputs(plan.rule_id, kind))
        reply.in_thread(
            f"The new cache needs a value you choose ({needs}): choose it with Request rebuild "
            "under the runbook (Slack), or follow the runbook by hand."
        )
        return
    asked = Asked(
        request_id=uuid.uuid4().hex[:16], requester=requester, finding_id=finding_id, where=where,
        now=env.clock(), ttl_hours=env.config.bot.approval_ttl_hours,
        correlation_id=current_correlation_id(),
    )  # fmt: skip
    why_not = open_rebuild_request(env, approvals, finding, asked)
    if why_not:
        reply.in_thread(f"No rebuild request opened: {why_not} The runbook above does it by hand.")


def _plan_for(
    env: JobEnvironment, finding: Finding, reply: _Reply, allow_drift: bool = False
) -> FixPlan | None:
    """Snapshots and the like get the catalog's steps; caches a plan from a fresh read."""
    if finding.resource_kind not in CACHE_KINDS:
        where = (finding.rule_id, finding.resource_kind, finding.resource_id)
        return catalog_plan(*where, finding.account, finding.region)
    try:
        return _fresh_plan(env, finding, reply, allow_drift)
    except (UnreachableAccount, *AWS_FAILURES) as exc:
        log.warning(
            "fix not prepared", extra={"finding": finding.rule_id, "error": type(exc).__name__}
        )
        reply.privately(
            f"cachewarden could not read {finding.resource_id} to plan the fix: {type(exc).__name__}."
        )
        return None


def _fresh_plan(
    env: JobEnvironment, finding: Finding, reply: _Reply, allow_drift: bool = False
) -> FixPlan | None:
    """The plan from a fresh read, or None after telling the user why there is none."""
    session = remediation_session(env, finding.account)
    now, policy = env.clock(), env.config.policy
    inventory = read_for_fix(
        session, finding.account, finding.region, finding.resource_kind, finding.resource_id,
        now=now, user_groups=policy.auth.allowed_user_groups[:1],
    )  # fmt: skip
    current = current_finding(
        finding.rule_id, finding.resource_kind, finding.resource_id, inventory, policy, now
    )
    if current is None:
        reply.in_thread(
            f"{finding.rule_id} no longer applies to {finding.resource_id}; nothing to fix."
        )
        return None
    if current.status is Status.PASS:
        reply.in_thread(
            f"{finding.rule_id} already passes on {finding.resource_id}: {current.evidence}. Nothing to fix."
        )
        return None
    if current.status is not Status.FAIL:
        reply.privately(
            f"{finding.rule_id} on {finding.resource_id} cannot be assessed right now: {current.evidence}"
        )
        return None
    return plan_fix(
        finding.rule_id, finding.resource_kind, finding.resource_id, inventory, policy, now,
        allow_drift=allow_drift,
    )  # fmt: skip


def _open_request(
    env: JobEnvironment,
    approvals: ApprovalFlow,
    plan: FixPlan,
    asked: Asked,
    finding: Finding,
    reply: _Reply,
) -> None:
    ttl = env.config.bot.approval_ttl_hours * 3600
    existing = approvals.claim_open(subject_of(finding, RequestKind.FIX), asked.request_id, ttl)
    if existing:
        reply.privately(
            f"A fix for {finding.rule_id} on {finding.resource_id} is already open (request {existing}); see the thread."
        )
        return
    request = fix_request(plan, asked)
    FixStore(env.connection).save_plan(request.request_id, plan)
    approvals.open(request)

"""Fix jobs: run an approved fix once, check it later without holding a worker, verify it.

    run_fix(request_id)            enqueued by the Approve click (job id approved-<id>)
    check_fix(request_id, n)       enqueued with enqueue_in until AWS reads `available`

Both take only ids. The request's state (Redis, compare-and-set) and the fix's phase make
every step safe to run twice; a killed work horse is retried by RQ and picks up there.
"""

from __future__ import annotations

import logging

from posture.approvals import RequestKind, State
from posture.findings import Status
from posture.remediation import (
    IN_PLACE_REFUSALS,
    FixResult,
    rebuild_fallback,
)
from posture.remediation.words import dry_run_text, gone_text, refusal_text, timeout_text
from posture.report import finding_id
from posture.resources import Inventory
from workers.approvals.jobs import flow
from workers.audit.publish import refresh_cards
from workers.audit.store import AuditStore
from workers.aws.apply import AwsRefusal, apply_call
from workers.aws.session import AccountSession
from workers.fixes.reads import AVAILABLE, resource_status
from workers.fixes.steps import MAX_CHECKS, FixRun, calls_to_send, endpoints_after, schedule_check
from workers.fixes.store import FixStore, Phase
from workers.platform.runtime import environment
from workers.platform.telemetry import count

log = logging.getLogger(__name__)
SETTLE_CHECKS = 3  # AWS can read `available` a moment before the new value reads back
FOLLOW_UPS = {"CW-101": "CW-102"}  # step 1 of TLS leads to step 2
TLS_RULES = frozenset({"CW-101", "CW-102"})


def _load(request_id: str) -> FixRun | None:
    env, approvals = environment(), flow()
    request = approvals.store.get(request_id)
    fixes = FixStore(env.connection)
    plan = fixes.plan(request_id)
    if request is None or request.kind is not RequestKind.FIX or plan is None:
        log.warning("fix request or plan not found", extra={"request_id": request_id})
        return None
    return FixRun(env=env, flow=approvals, fixes=fixes, request=request, plan=plan)


def run_fix(request_id: str) -> None:
    run = _load(request_id)
    if run is None:
        return
    running = run.flow.start(run.request)
    if running is None:
        log.info(
            "fix not runnable", extra={"request_id": request_id, "state": str(run.request.state)}
        )
        return
    run = FixRun(run.env, run.flow, run.fixes, running, run.plan)
    run.fixes.note_executor(request_id)
    if run.env.config.bot.dry_run:
        run.audit("aws.call.skipped", reason="dry run", calls=run.plan.api_call_text[:500])
        run.say(dry_run_text(run.plan))
        run.flow.finish(run.request, ok=True, outcome="dry run: AWS was not called")
        return
    if not run.fixes.take_lease(request_id):
        raise RuntimeError(f"another job is applying fix {request_id}")  # RQ retries later
    try:
        applied = apply_fix(run)
    finally:
        run.fixes.release_lease(request_id)
    if applied:
        run.flow.note_progress(run.request, "the change was sent; waiting for AWS to apply it")
        look(run, 1)  # a change AWS applies at once is verified now; others are checked later
    count(run.env.connection, "jobs", job="run_fix", outcome="ok")


def apply_fix(run: FixRun) -> bool:
    """Send the approved calls once; True when verification should follow."""
    phase = run.fixes.phase(run.request.request_id)
    if phase is Phase.APPLIED:
        return True
    session = run.session
    inventory = run.read(session)
    plan = calls_to_send(run, inventory, phase is Phase.APPLYING)
    if plan is None:
        return False
    run.fixes.mark(run.request.request_id, Phase.APPLYING)
    for call in plan.calls:
        run.audit("aws.call", operation=f"{call.service}:{call.operation}", call_target=call.target)
        try:
            answer = apply_call(session, plan.region, call, rule_id=plan.rule_id)
        except AwsRefusal as refusal:
            run.audit(
                "aws.refused",
                operation=refusal.operation,
                code=refusal.code,
                message=refusal.message,
            )
            handle_refusal(run, refusal, inventory)
            return False
        run.audit(
            "aws.result",
            operation=f"{call.service}:{call.operation}",
            answer=_answer_summary(answer),
        )
    run.fixes.mark(run.request.request_id, Phase.APPLIED)
    return True


def _answer_summary(answer: dict[str, object]) -> str:
    """Status fields only: AWS answers can echo settings, never worth logging whole."""
    for key in ("ReplicationGroup", "CacheCluster", "ServerlessCache"):
        body = answer.get(key)
        if isinstance(body, dict):
            status = body.get("Status") or body.get("CacheClusterStatus")
            pending = sorted((body.get("PendingModifiedValues") or {}).keys())
            return f"status {status}; pending {', '.join(pending) or 'nothing'}"
    return "ok" if answer.get("Return", True) else "AWS answered false"


def handle_refusal(run: FixRun, refusal: AwsRefusal, inventory: Inventory) -> None:
    """Say what AWS said and what to do; TLS refused in place falls back to the rebuild runbook."""
    text = refusal_text(run.plan, refusal.operation, refusal.code, refusal.message)
    fallback = None
    if refusal.code in IN_PLACE_REFUSALS and run.plan.rule_id in TLS_RULES:
        why = f"AWS refused TLS in place ({refusal.code}: {refusal.message})."
        fallback = rebuild_fallback(
            run.plan, inventory, run.env.config.policy, run.env.clock(), why
        )
    run.say(text)
    outcome = f"AWS refused: {refusal.code}"
    if fallback is not None:
        run.env.notifiers.to(run.request.origin).post_plan(run.request.origin, fallback)
        run.audit("plan.posted", plan="rebuild", reason=refusal.code)
        outcome += "; the rebuild runbook is in the thread"
    run.flow.finish(run.request, ok=False, outcome=outcome)


def check_fix(request_id: str, attempt: int) -> None:
    """Wait for AWS without sleeping: look once, then either verify or look again later."""
    run = _load(request_id)
    if run is None or run.request.state is not State.RUNNING:
        return
    look(run, attempt)


def look(run: FixRun, attempt: int) -> None:
    """One look at the resource: verify when AWS reads `available`, else look again later."""
    session = run.session
    status = resource_status(
        session, run.plan.account, run.plan.region, run.plan.resource_kind, run.plan.resource_id
    )
    if status is None:
        run.fail(gone_text(run.plan), "the resource disappeared while the change applied")
        return
    if status != AVAILABLE:
        if attempt >= MAX_CHECKS:
            run.fail(timeout_text(run.plan, status), f"still {status} after {attempt} checks")
        else:
            schedule_check(run, attempt + 1)
        return
    verify_fix(run, session, attempt)


def verify_fix(run: FixRun, session: AccountSession, attempt: int) -> None:
    """Re-collect the resource, re-evaluate the rule, and post what the fresh scan says."""
    inventory = run.read(session)
    verdict = run.verdict(inventory)
    verified = verdict is not None and verdict.status is Status.PASS
    if not verified and attempt < SETTLE_CHECKS:
        schedule_check(run, attempt + 1)
        return
    if not run.fixes.claim_report(run.request.request_id):
        return  # another job (a resumed one) already reported this fix
    evidence = (
        verdict.evidence if verdict is not None else "the rule no longer applies to the resource"
    )
    result = FixResult(
        request_id=run.request.request_id,
        rule_id=run.plan.rule_id,
        resource_kind=run.plan.resource_kind,
        resource_id=run.plan.resource_id,
        verified=verified,
        evidence=evidence,
        next_step=run.plan.next_step if verified else "",
        next_finding_id=_follow_up(run, inventory) if verified else "",
        endpoints=endpoints_after(run.plan, inventory),
    )
    run.env.notifiers.to(run.request.origin).post_fix_result(run.request.origin, result)
    run.audit("fix.verified" if verified else "fix.not_verified", evidence=evidence[:300])
    outcome = (
        "verified by a fresh scan"
        if verified
        else "AWS accepted the change, but a fresh scan still fails"
    )
    run.flow.finish(run.request, ok=verified, outcome=outcome)
    if verified and run.request.finding_id:
        refresh_cards(run.request.finding_id, fixed_by=run.request.requester)  # issue 13 item 4
    count(run.env.connection, "jobs", job="verify_fix", outcome="pass" if verified else "fail")


def _follow_up(run: FixRun, inventory: Inventory) -> str:
    """A button id for the next step's finding (TLS required after TLS preferred), if it fails now."""
    next_rule = FOLLOW_UPS.get(run.plan.rule_id)
    if next_rule is None:
        return ""
    step_two = FixRun(
        run.env,
        run.flow,
        run.fixes,
        run.request,
        run.plan.model_copy(update={"rule_id": next_rule}),
    )
    finding = step_two.verdict(inventory)
    if finding is None or finding.status is not Status.FAIL:
        return ""
    ref = finding_id(f"fix-{run.request.request_id}", finding)
    AuditStore(run.env.connection).save_finding_refs({ref: finding})
    return ref

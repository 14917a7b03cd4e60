"""Turning stored findings into the parent message, the thread and the report files."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from posture.base import ResourceKind, Severity
from posture.catalog import FixKind, get_rule
from posture.export import to_csv, to_json
from posture.findings import Finding, Status
from posture.messages import AuditState, AuditSummary, FindingsThread
from posture.remediation import AUTOMATED_RULES
from posture.report import Resolved, build_findings_thread, finding_id, summarise
from posture.suppressions import AcceptedRisk, apply_suppressions
from workers.approvals.suppressions_store import SuppressionStore
from workers.audit.cards_store import AuditCardStore
from workers.audit.history_store import record_audit_history
from workers.audit.store import AuditRun, AuditStore
from workers.aws.targets import ScanError
from workers.platform.notifier import NotifyError
from workers.platform.runtime import environment

log = logging.getLogger(__name__)
SCAN_RULE_ID = "SCAN"  # not a rule: marks an account or region that could not be assessed


def fixable_rules() -> frozenset[str]:
    """Rules whose Request fix leads to an approved call: an in-place fix with a planner.

    Rebuild and manual rules have no Request fix: their runbook is in Explain.
    """
    return frozenset(
        rule_id
        for rule_id in AUTOMATED_RULES
        if get_rule(rule_id).remediation.fix_kind is FixKind.MODIFY
    )


@dataclass(frozen=True)
class RunState:
    """A run's findings with what happened since: accepted risks applied, verified fixes."""

    findings: list[Finding]
    accepted: list[AcceptedRisk]
    resolved: Resolved

    def thread(self, run_id: str) -> FindingsThread:
        return build_findings_thread(
            run_id,
            self.findings,
            fixable_rules=fixable_rules(),
            accepted=self.accepted,
            resolved=self.resolved,
        )


def load_state(store: AuditStore, run_id: str) -> RunState:
    env = environment()
    accepted = SuppressionStore(env.connection).active(env.clock())
    findings = apply_suppressions(store.load_findings(run_id), accepted, env.clock())
    return RunState(findings, accepted, AuditCardStore(env.connection).resolved(run_id))


def error_findings(errors: Iterable[ScanError]) -> list[Finding]:
    """Accounts or regions that could not be reached, as `error` findings that say why."""
    findings = []
    for error in errors:
        where = "/".join(part for part in (error.account_id, error.region) if part) or "unknown"
        findings.append(
            Finding(
                rule_id=SCAN_RULE_ID,
                title="Scan coverage",
                aliases={},
                severity=Severity.HIGH,
                status=Status.ERROR,
                resource_kind=ResourceKind.ACCOUNT_REGION if error.region else ResourceKind.ACCOUNT,
                resource_id=where,
                resource_arn="",
                account=error.account_id or "",
                region=error.region or "",
                engine=None,
                evidence=(
                    f"{where} could not be assessed: {error.operation} answered {error.code}"
                    f" ({error.message[:200]})"
                ),
            )
        )
    return findings


def summary_for(
    run: AuditRun,
    findings: list[Finding],
    state: AuditState,
    *,
    since: RunState | None = None,
    duration: float | None = None,
) -> AuditSummary:
    env = environment()
    parts_done = AuditStore(env.connection).parts_done(run.run_id)
    if duration is None and state in (AuditState.DONE, AuditState.FAILED):
        duration = time.time() - run.started
    problem = run.problem or _partial_problem(run)
    return summarise(
        run.run_id,
        findings,
        accepted=since.accepted if since else (),
        resolved=since.resolved if since else None,
        scope=run.scope_text,
        state=state,
        requested_by=run.user,
        parts_done=parts_done,
        parts_total=run.parts_total,
        accounts=run.accounts,
        regions=run.regions,
        duration_seconds=duration,
        correlation_id=run.correlation_id,
        problem=problem or None,
    )


def _partial_problem(run: AuditRun) -> str:
    if not run.part_failures:
        return ""
    failed = AuditStore(environment().connection).part_failure_count(run.run_id)
    noun = "part" if failed == 1 else "parts"
    return f"{failed} {noun} of the scan failed (first: {run.part_failures}); their results are missing."


def publish_results(store: AuditStore, run: AuditRun) -> None:
    """Update the parent, post the thread, attach the full report. Called once per run."""
    env = environment()
    state_now = load_state(store, run.run_id)
    findings = state_now.findings
    fresh = store.get_run(run.run_id) or run
    state = AuditState.FAILED if fresh.problem else AuditState.DONE
    store.update_run(run.run_id, state=str(state))
    summary = summary_for(fresh, findings, state, since=state_now)
    parent_ts = env.notifiers.to(fresh.where).post_summary(
        fresh.channel, summary, ts=fresh.parent_ts or None
    )
    refs = {
        finding_id(run.run_id, f): f
        for f in findings
        if f.status in (Status.FAIL, Status.SUPPRESSED)
    }
    store.save_finding_refs(refs)
    posted = env.notifiers.to(fresh.where).post_thread(
        fresh.channel, parent_ts, state_now.thread(run.run_id)
    )
    AuditCardStore(env.connection).save_posted(run.run_id, posted, refs, summary.duration_seconds)
    record_audit_history(  # issue 8: first/last seen per finding for digests and the Home tab
        env.connection,
        fresh,
        findings,
        at=env.clock(),
        retention_days=env.config.digest.retention_days,
    )
    scan_meta = {
        "run_id": run.run_id,
        "scope": fresh.scope_text,
        "accounts": fresh.accounts,
        "regions": fresh.regions,
        "duration_seconds": summary.duration_seconds,
        "correlation_id": fresh.correlation_id,
    }
    env.notifiers.to(fresh.where).upload_report(
        fresh.channel,
        parent_ts,
        f"cachewarden-{run.run_id}.csv",
        to_csv(findings).encode(),
        f"Audit {run.run_id}: all findings (CSV)",
    )
    env.notifiers.to(fresh.where).upload_report(
        fresh.channel,
        parent_ts,
        f"cachewarden-{run.run_id}.json",
        to_json(findings, scan_meta).encode(),
        f"Audit {run.run_id}: all findings (JSON)",
    )


def refresh_cards(finding_id_: str, *, fixed_by: str | None = None) -> bool:
    """Redraw the summary and the reply that show this finding, from stored state.

    `fixed_by` marks the finding resolved first (its fix was verified). Safe to run twice:
    every write is keyed, and the messages are drawn again from what Redis holds.
    Returns False when the finding belongs to no posted audit (nothing to redraw).
    """
    env = environment()
    cards, store = AuditCardStore(env.connection), AuditStore(env.connection)
    run_id = cards.run_of(finding_id_)
    run = store.get_run(run_id) if run_id else None
    if run is None or not run.parent_ts:
        return False
    finding = store.get_finding(finding_id_)
    if fixed_by is not None and finding is not None:
        cards.mark_resolved(run.run_id, finding, fixed_by)
    state_now = load_state(store, run.run_id)
    state = AuditState(run.state) if run.state in set(AuditState) else AuditState.DONE
    summary = summary_for(
        run, state_now.findings, state, since=state_now, duration=cards.duration(run.run_id)
    )
    thread = state_now.thread(run.run_id)
    try:
        env.notifiers.to(run.where).post_summary(run.channel, summary, ts=run.parent_ts)
        for reply in cards.replies(run.run_id):
            if finding_id_ in reply.finding_ids:
                env.notifiers.to(run.where).update_thread_reply(run.channel, reply, thread)
    except NotifyError:  # the change itself is recorded; the next refresh draws it
        log.warning("audit cards not redrawn", extra={"run_id": run.run_id})
        return False
    return True

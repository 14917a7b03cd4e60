"""Turning stored findings into the parent message, the thread and the report files."""

from __future__ import annotations

import time
from collections.abc import Iterable

from posture.base import ResourceKind, Severity
from posture.catalog import FixKind, all_rules
from posture.export import to_csv, to_json
from posture.findings import Finding, Status
from posture.messages import AuditState, AuditSummary
from posture.report import build_findings_thread, finding_id, summarise
from workers.audit_store import AuditRun, AuditStore
from workers.aws.targets import ScanError
from workers.history_store import record_audit_history
from workers.runtime import environment
from workers.suppressions_store import with_accepted_risks

SCAN_RULE_ID = "SCAN"  # not a rule: marks an account or region that could not be assessed


def fixable_rules() -> frozenset[str]:
    """Rules whose Request fix leads somewhere: an approved call, or a rebuild runbook."""
    return frozenset(
        rule.id for rule in all_rules() if rule.remediation.fix_kind is not FixKind.MANUAL
    )


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


def summary_for(run: AuditRun, findings: list[Finding], state: AuditState) -> AuditSummary:
    env = environment()
    parts_done = AuditStore(env.connection).parts_done(run.run_id)
    duration = time.time() - run.started if state in (AuditState.DONE, AuditState.FAILED) else None
    problem = run.problem or _partial_problem(run)
    return summarise(
        run.run_id,
        findings,
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
    findings = with_accepted_risks(env.connection, store.load_findings(run.run_id), env.clock())
    fresh = store.get_run(run.run_id) or run
    state = AuditState.FAILED if fresh.problem else AuditState.DONE
    store.update_run(run.run_id, state=str(state))
    summary = summary_for(fresh, findings, state)
    parent_ts = env.notifier.post_summary(fresh.channel, summary, ts=fresh.parent_ts or None)
    thread = build_findings_thread(run.run_id, findings, fixable_rules=fixable_rules())
    store.save_finding_refs(
        {finding_id(run.run_id, f): f for f in findings if f.status is Status.FAIL}
    )
    env.notifier.post_thread(fresh.channel, parent_ts, thread)
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
    env.notifier.upload_report(
        fresh.channel,
        parent_ts,
        f"cachewarden-{run.run_id}.csv",
        to_csv(findings).encode(),
        f"Audit {run.run_id}: all findings (CSV)",
    )
    env.notifier.upload_report(
        fresh.channel,
        parent_ts,
        f"cachewarden-{run.run_id}.json",
        to_json(findings, scan_meta).encode(),
        f"Audit {run.run_id}: all findings (JSON)",
    )

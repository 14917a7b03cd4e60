"""Audit jobs: start (plan and fan out), one part per account and region, finish (publish).

Every job takes ids and plain values, reloads state from Redis and is safe to run twice:
the parent message is claimed once, parts are a set, and publishing is claimed once.
"""

from __future__ import annotations

import logging
from typing import Any

from commands.scope import Scope
from posture.findings import Finding
from posture.messages import AuditState, Notice
from workers.audit.known_resources import cache_ids, record_seen
from workers.audit.publish import error_findings, publish_results, summary_for
from workers.audit.scanning import (
    account_allowed,
    findings_for,
    scan_filters,
    scan_scope,
    session_for,
)
from workers.audit.store import AuditRun, AuditStore
from workers.aws.collect import collect_inventory
from workers.aws.session import AccountSession, CallCounter
from workers.aws.targets import ScanError, resolve_targets
from workers.platform.enqueue import enqueue_finish_audit, enqueue_scan_part
from workers.platform.runtime import JobEnvironment, environment
from workers.platform.telemetry import count

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 2
# AWS refused the credentials themselves: a cached session must be rebuilt, not reused.
CREDENTIAL_ERRORS = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException"}
)


def _load(run_id: str) -> tuple[AuditStore, AuditRun] | None:
    env = environment()
    store = AuditStore(env.connection)
    run = store.get_run(run_id)
    if run is None:
        log.warning("audit run not found (expired?)", extra={"run_id": run_id})
        return None
    return store, run


def _ensure_parent(store: AuditStore, run: AuditRun) -> str:
    """Post the parent message once, even if this job runs twice."""
    if run.parent_ts:
        return run.parent_ts
    env = environment()
    ts = env.notifiers.to(run.where).post_summary(
        run.channel, summary_for(run, [], AuditState.RUNNING)
    )
    if not store.claim_parent(run.run_id, ts):
        return store.get_run(run.run_id).parent_ts  # type: ignore[union-attr]
    return ts


def start_audit(run_id: str) -> None:
    loaded = _load(run_id)
    if loaded is None:
        return
    store, run = loaded
    env = environment()
    store.update_run(run_id, state="running")
    parent_ts = _ensure_parent(store, run)
    scope = Scope.model_validate(run.scope)
    resolved = resolve_targets(scan_scope(scope, env.config), _session(env, None))
    targets = [t for t in resolved.targets if account_allowed(t.account_id, scope)]
    first_region = {t.account_id: t.region for t in reversed(targets)}
    accounts = {t.account_id for t in targets}
    regions = {t.region for t in targets}
    store.update_run(run_id, parts_total=len(targets), accounts=len(accounts), regions=len(regions))
    if resolved.errors:
        store.save_extra(run_id, "targets", error_findings(resolved.errors))
    if not targets:
        problem = "no account and region could be reached for this scope"
        if resolved.errors:
            problem += f": {resolved.errors[0].code} ({resolved.errors[0].operation})"
        store.update_run(run_id, parts_total=0, problem=problem)
        _enqueue_finish(run_id)
        return
    for target in targets:
        if not enqueue_scan_part(
            env.connection,
            run_id,
            target.account_id,
            target.region,
            target.session.role_arn or "",
            first_region[target.account_id] == target.region,
        ):
            log.info("part already queued", extra={"part": f"{target.account_id}/{target.region}"})
    log.info(
        "audit fanned out", extra={"run_id": run_id, "parts": len(targets), "parent_ts": parent_ts}
    )


def scan_part(run_id: str, account: str, region: str, role_arn: str, account_facts: bool) -> None:
    loaded = _load(run_id)
    if loaded is None:
        return
    store, run = loaded
    env = environment()
    scope = Scope.model_validate(run.scope)
    counter = CallCounter()
    sessions = env.sessions
    session = _session(env, role_arn or None, counter)
    now = env.clock()
    inventory = collect_inventory(
        session,
        account,
        region,
        scan_filters(scope),
        counter=counter,
        now=now,
        lookback=env.config.policy.nodes.idle_window,
        include_account_facts=account_facts,
        cache=sessions.scan_cache(run_id) if sessions is not None else None,
    )
    if sessions is not None and any(e.code in CREDENTIAL_ERRORS for e in inventory.errors):
        sessions.forget(role_arn or None, endpoint_url=env.endpoint_url)
    for error in inventory.errors:
        count(env.connection, "aws_errors", service=error.operation, code=error.code)
    record_seen(  # the index /cache-audit checks a scope against before queueing
        env.connection,
        account,
        region,
        cache_ids(inventory),
        complete=scan_filters(scope).is_empty and not inventory.errors,
        at=now,
    )
    findings = findings_for(inventory, scope, env.config.policy, now)
    _part_done(store, run, f"{account}/{region}", findings)
    count(env.connection, "jobs", job="scan_part", outcome="ok")


def _session(
    env: JobEnvironment, role_arn: str | None, counter: CallCounter | None = None
) -> AccountSession:
    """The account's session: reused when the worker runs parts in-process, else built anew."""
    if env.sessions is None:
        return session_for(role_arn, endpoint_url=env.endpoint_url, counter=counter)
    return env.sessions.session(role_arn, endpoint_url=env.endpoint_url, counter=counter)


def _part_done(store: AuditStore, run: AuditRun, part: str, findings: list[Finding]) -> None:
    done = store.save_part(run.run_id, part, findings)
    fresh = store.get_run(run.run_id) or run
    total = fresh.parts_total
    if done >= total:
        _enqueue_finish(run.run_id)
    elif _progress_due(run.run_id):
        env = environment()
        summary = summary_for(fresh, store.load_findings(run.run_id), AuditState.RUNNING)
        env.notifiers.to(fresh.where).post_summary(
            fresh.channel, summary, ts=fresh.parent_ts or None
        )


def _progress_due(run_id: str) -> bool:
    """At most one progress update every few seconds per audit (chat.update is rate limited)."""
    env = environment()
    return bool(
        env.connection.set(f"cw:run:{run_id}:progress", "1", nx=True, ex=PROGRESS_EVERY_SECONDS)
    )


def _enqueue_finish(run_id: str) -> None:
    enqueue_finish_audit(environment().connection, run_id)


def finish_audit(run_id: str) -> None:
    loaded = _load(run_id)
    if loaded is None:
        return
    store, run = loaded
    if not store.claim_finish(run_id):
        log.info("results already published", extra={"run_id": run_id})
        return
    publish_results(store, run)
    count(environment().connection, "jobs", job="finish_audit", outcome="ok")


# Failure callbacks: RQ calls these with (job, connection, type, value, traceback).


def on_part_failed(job: Any, connection: Any, exc_type: Any, exc: Any, tb: Any) -> None:
    run_id, account, region = job.args[0], job.args[1], job.args[2]
    if job.retries_left:  # RQ will run it again; only the last failure counts as the result
        count(connection, "jobs", job="scan_part", outcome="retried")
        return
    count(connection, "jobs", job="scan_part", outcome="failed")
    loaded = _load(run_id)
    if loaded is None:
        return
    store, run = loaded
    reason = f"{exc_type.__name__} while scanning {account}/{region}"
    store.note_part_failure(run_id, reason)
    log.error("scan part failed", extra={"run_id": run_id, "part": f"{account}/{region}"})
    _part_done(store, run, f"{account}/{region}", error_findings_for_part(account, region, reason))


def error_findings_for_part(account: str, region: str, reason: str) -> list[Finding]:
    return error_findings(
        [
            ScanError(
                account_id=account,
                region=region,
                operation="scan",
                code="JobFailed",
                message=reason,
            )
        ]
    )


def on_start_failed(job: Any, connection: Any, exc_type: Any, exc: Any, tb: Any) -> None:
    count(connection, "jobs", job="start_audit", outcome="failed")
    _report_failure(job.args[0], f"the audit could not start ({exc_type.__name__})")


def on_finish_failed(job: Any, connection: Any, exc_type: Any, exc: Any, tb: Any) -> None:
    count(connection, "jobs", job="finish_audit", outcome="failed")
    _report_failure(job.args[0], f"results could not be published ({exc_type.__name__})")


def _report_failure(run_id: str, problem: str) -> None:
    loaded = _load(run_id)
    if loaded is None:
        return
    store, run = loaded
    store.update_run(run_id, state="failed", problem=problem)
    env = environment()
    failed = store.get_run(run_id) or run
    summary = summary_for(failed, store.load_findings(run_id), AuditState.FAILED)
    try:
        env.notifiers.to(run.where).post_summary(run.channel, summary, ts=failed.parent_ts or None)
    except Exception:  # the failure is already logged; never raise from a failure callback
        log.exception("could not report the failure", extra={"run_id": run_id})
        env.notifiers.to(run.where).post_notice(
            run.channel,
            Notice(text=f"Audit {run_id} failed: {problem}.", detail=run.correlation_id),
        )

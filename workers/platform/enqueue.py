"""Every RQ job cachewarden queues, in one place: its path, queue, id, timeout, TTLs, retries.

Callers (listeners, jobs, cron, CLI) use the typed `enqueue_*` functions below and never
name a job path or a timeout themselves. Arguments are ids and plain values, never secrets.

Two queues, served in this order by every worker (RQ takes the first non-empty queue):
- ACTIONS_QUEUE: what people approved or what an approved change waits on (the fix, its
  verification, rotation steps and cancel, accept-risk, request expiry);
- SCANS_QUEUE: scans, fix planning, rotation checks and digests.
So a fleet-wide scan never delays an approved change.

Every id that must not run twice is `unique=True` (`DuplicateJobError` while the job
exists); each function returns False or ignores the duplicate as its callers expect.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any

import redis
from rq import Callback, Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer

from commands.scope import Scope
from posture.approvals import ApprovalRequest, RequestKind
from posture.conversations import ConversationRef
from posture.digest import ScheduleNote
from workers.platform.telemetry import current_correlation_id

ACTIONS_QUEUE = "cachewarden-actions"
SCANS_QUEUE = "cachewarden-scans"
# Jobs queued by a release before the split; drained last. Remove once no deployment has any.
LEGACY_QUEUE = "cachewarden-audit"
WORKER_QUEUES = (ACTIONS_QUEUE, SCANS_QUEUE, LEGACY_QUEUE)
QUEUES = (ACTIONS_QUEUE, SCANS_QUEUE)  # the ones jobs are put on (and /metrics reports)

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class JobSpec:
    """How one job runs: RQ's defaults are 180 s timeout, 500 s result TTL, one year failure TTL."""

    path: str
    queue: str
    timeout: int | None = None
    result_ttl: int | None = 0  # a finished job must not block the next job with the same id
    failure_ttl: int = HOUR
    retries: int = 0
    on_failure: str | None = None

    def options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"failure_ttl": self.failure_ttl}
        if self.result_ttl is not None:
            options["result_ttl"] = self.result_ttl
        if self.timeout is not None:
            options["job_timeout"] = self.timeout
        if self.retries:
            options["retry"] = Retry(max=self.retries)
        if self.on_failure:
            options["on_failure"] = Callback(self.on_failure)
        return options


_APPROVED_FAILED = "workers.approvals.jobs.on_approved_job_failed"


def _approved(path: str) -> JobSpec:
    """The job an Approve click starts: a failure is kept a week for the audit trail."""
    return JobSpec(
        path,
        ACTIONS_QUEUE,
        timeout=600,
        result_ttl=None,
        failure_ttl=7 * DAY,
        retries=2,
        on_failure=_APPROVED_FAILED,
    )


JOBS: Mapping[str, JobSpec] = MappingProxyType(
    {
        # An approved rebuild's steps (issue 17): approved actions, served before scans.
        "advance_rebuild": JobSpec(
            "workers.rebuilds.jobs.advance_rebuild", ACTIONS_QUEUE, failure_ttl=DAY
        ),
        # The janitor (issue 14): stuck fixes fail with a message, stalled rotations resume;
        # and the audit log's retention once a day.
        "sweep_stuck": JobSpec(
            "workers.platform.janitor_jobs.sweep_stuck", SCANS_QUEUE, timeout=300, failure_ttl=DAY
        ),
        "trim_audit_log": JobSpec(
            "workers.platform.janitor_jobs.trim_audit_log",
            SCANS_QUEUE,
            timeout=1800,
            failure_ttl=7 * DAY,
        ),
        # Real-time alerts (issue 16): a delayed re-check while a cache is modifying, and
        # the per-channel roll-up. Retries: Slack or AWS hiccups; the alert marks keep it once.
        "handle_alert_event": JobSpec(
            "workers.alerts.jobs.handle_alert_event",
            SCANS_QUEUE,
            timeout=300,
            failure_ttl=DAY,
            retries=3,
        ),
        "post_alert_rollup": JobSpec(
            "workers.alerts.jobs.post_alert_rollup", SCANS_QUEUE, failure_ttl=DAY
        ),
        "start_audit": JobSpec(
            "workers.audit.jobs.start_audit",
            SCANS_QUEUE,
            timeout=600,
            failure_ttl=60,
            on_failure="workers.audit.jobs.on_start_failed",
        ),
        # Retried at once: botocore already backs off on throttling.
        "scan_part": JobSpec(
            "workers.audit.jobs.scan_part",
            SCANS_QUEUE,
            timeout=900,
            retries=2,
            on_failure="workers.audit.jobs.on_part_failed",
        ),
        "finish_audit": JobSpec(
            "workers.audit.jobs.finish_audit",
            SCANS_QUEUE,
            timeout=900,
            result_ttl=None,
            on_failure="workers.audit.jobs.on_finish_failed",
        ),
        "prepare_fix": JobSpec("workers.fixes.request_jobs.prepare_fix", SCANS_QUEUE, timeout=300),
        # A rebuild whose value (KMS key, subnet group, port) a person chose (issue 17).
        "prepare_rebuild": JobSpec(
            "workers.rebuilds.request_jobs.prepare_rebuild", SCANS_QUEUE, timeout=300
        ),
        "run_fix": _approved("workers.fixes.jobs.run_fix"),
        "record_acceptance": _approved("workers.approvals.suppression_jobs.record_acceptance"),
        "run_rotate_phase": _approved("workers.rotation.jobs.run_rotate_phase"),
        "run_finalize_phase": _approved("workers.rotation.jobs.run_finalize_phase"),
        # An approved rebuild (issue 17): start the migration; delete its source.
        "start_rebuild": _approved("workers.rebuilds.request_jobs.start_rebuild"),
        "run_rebuild_delete": _approved("workers.rebuilds.request_jobs.run_rebuild_delete"),
        "check_fix": JobSpec(
            "workers.fixes.jobs.check_fix",
            ACTIONS_QUEUE,
            retries=2,
            failure_ttl=7 * DAY,
            on_failure=_APPROVED_FAILED,
        ),
        "expire_request": JobSpec(
            "workers.approvals.jobs.expire_request", ACTIONS_QUEUE, failure_ttl=7 * DAY
        ),
        "check_rotation_request": JobSpec(
            "workers.rotation.check_jobs.check_rotation_request",
            SCANS_QUEUE,
            timeout=300,
            failure_ttl=DAY,
        ),
        "advance_rotation": JobSpec(
            "workers.rotation.jobs.advance_rotation", ACTIONS_QUEUE, failure_ttl=DAY
        ),
        # Scheduled rotation (issue 17): once a day, requests for credentials past their age.
        "request_due_rotations": JobSpec(
            "workers.rotation.schedule.request_due_rotations",
            SCANS_QUEUE,
            timeout=900,
            failure_ttl=DAY,
        ),
        "run_cancel_phase": JobSpec(
            "workers.rotation.jobs.run_cancel_phase", ACTIONS_QUEUE, failure_ttl=DAY
        ),
        "run_digest": JobSpec(
            "workers.digest.jobs.run_digest",
            SCANS_QUEUE,
            timeout=1800,
            retries=1,
            failure_ttl=DAY,
            on_failure="workers.digest.jobs.on_digest_failed",
        ),
        # Scheduled by `cachewarden cron` (RQ cron), not by a function here: see digest_tick_options.
        "dispatch_due_digests": JobSpec(
            "workers.digest.jobs.dispatch_due_digests", SCANS_QUEUE, timeout=120
        ),
    }
)
APPROVED_JOBS: Mapping[RequestKind, str] = MappingProxyType(
    {
        RequestKind.FIX: "run_fix",
        RequestKind.ACCEPT_RISK: "record_acceptance",
        RequestKind.ROTATE: "run_rotate_phase",
        RequestKind.FINALIZE: "run_finalize_phase",
        RequestKind.REBUILD: "start_rebuild",
        RequestKind.REBUILD_DELETE: "run_rebuild_delete",
    }
)
TICK_TTL_SECONDS = 300  # a digest tick not started within 5 minutes is dropped; the next catches up


def queue(connection: redis.Redis, name: str) -> Queue:
    return Queue(name, connection=connection, serializer=JSONSerializer)


def worker_queues(connection: redis.Redis) -> list[Queue]:
    """The queues a worker listens on, in the order it serves them."""
    return [queue(connection, name) for name in WORKER_QUEUES]


def _meta(correlation_id: str | None = None, **extra: str) -> dict[str, str]:
    return {"correlation_id": correlation_id or current_correlation_id(), **extra}


def _put(
    connection: redis.Redis,
    name: str,
    *args: Any,
    job_id: str,
    meta: dict[str, str],
    at: datetime | None = None,
    after: timedelta | None = None,
    unique: bool = True,
) -> bool:
    """Queue job `name` under a unique id; False when a job with that id already exists."""
    spec = JOBS[name]
    target = queue(connection, spec.queue)
    options = {"job_id": job_id, "unique": unique, "meta": meta, **spec.options()}
    try:
        if at is not None:
            target.enqueue_at(at, spec.path, *args, **options)
        elif after is not None:
            target.enqueue_in(after, spec.path, *args, **options)
        else:
            target.enqueue(spec.path, *args, **options)
    except DuplicateJobError:
        return False
    return True


# Scans


def audit_job_id(channel: str, scope: Scope) -> str:
    """Same channel and scope -> same id, so a double submit collapses into one job."""
    digest = hashlib.sha256(f"{channel}|{scope.canonical()}".encode()).hexdigest()[:20]
    return f"audit-{digest}"


def enqueue_start_audit(
    connection: redis.Redis, run_id: str, *, channel: str, scope: Scope, correlation_id: str
) -> bool:
    """Plan and fan out an audit; False while the same channel's same scope is queued."""
    return _put(
        connection,
        "start_audit",
        run_id,
        job_id=audit_job_id(channel, scope),
        meta=_meta(correlation_id),
    )


def enqueue_scan_part(
    connection: redis.Redis,
    run_id: str,
    account: str,
    region: str,
    role_arn: str,
    account_facts: bool,
) -> bool:
    return _put(
        connection,
        "scan_part",
        run_id,
        account,
        region,
        role_arn,
        account_facts,
        job_id=f"part-{run_id}-{account}-{region}",
        meta=_meta(part=f"{account}/{region}"),
    )


def enqueue_finish_audit(connection: redis.Redis, run_id: str) -> bool:
    return _put(connection, "finish_audit", run_id, job_id=f"finish-{run_id}", meta=_meta())


# Fixes and approvals


def enqueue_prepare_fix(
    connection: redis.Redis,
    finding_id: str,
    requester: str,
    channel: str,
    thread: str,
    *,
    platform: str = "slack",
    workspace: str = "",
) -> bool:
    """Plan a fix from a fresh read (a job: listeners never call AWS); False on a double click."""
    return _put(
        connection,
        "prepare_fix",
        finding_id,
        requester,
        channel,
        thread,
        str(platform),
        workspace,
        job_id=f"prepare-{finding_id}",
        meta=_meta(),
    )


def enqueue_prepare_fix_anyway(
    connection: redis.Redis,
    finding_id: str,
    requester: str,
    where: tuple[str, str, str, str],
) -> bool:
    """Plan the live fix of a template-managed resource (the stack will drift); `where` is
    (platform, workspace, channel, thread). False on a double click."""
    platform, workspace, channel, thread = where
    return _put(
        connection,
        "prepare_fix",
        finding_id,
        requester,
        channel,
        thread,
        platform,
        workspace,
        True,
        job_id=f"prepare-anyway-{finding_id}",
        meta=_meta(),
    )


def enqueue_prepare_rebuild(
    connection: redis.Redis,
    finding_id: str,
    requester: str,
    where: dict[str, str],
    inputs: dict[str, str | int],
) -> bool:
    """Plan a rebuild with the values a person chose (ids, names, a port: never secrets)."""
    return _put(
        connection,
        "prepare_rebuild",
        finding_id,
        requester,
        where,
        inputs,
        job_id=f"prepare-rebuild-{finding_id}",
        meta=_meta(),
    )


def enqueue_approved(connection: redis.Redis, request: ApprovalRequest) -> bool:
    """Start the job for an approved request; False when it is already queued (a double click)."""
    return _put(
        connection,
        APPROVED_JOBS[request.kind],
        request.request_id,
        job_id=f"approved-{request.request_id}",
        meta=_meta(request.correlation_id),
    )


def enqueue_expiry(connection: redis.Redis, request: ApprovalRequest) -> bool:
    """Expire the request at its deadline (needs a worker started --with-scheduler)."""
    return _put(
        connection,
        "expire_request",
        request.request_id,
        job_id=f"expire-{request.request_id}",
        meta=_meta(),
        at=request.expires_at,
    )


def enqueue_fix_check(
    connection: redis.Redis, request_id: str, attempt: int, delay_seconds: int
) -> bool:
    """Verify an applied fix later, so no worker waits for AWS."""
    return _put(
        connection,
        "check_fix",
        request_id,
        attempt,
        job_id=f"check-{request_id}-{attempt}",
        meta=_meta(),
        after=timedelta(seconds=delay_seconds),
    )


# Token rotation


def enqueue_rotation_check(connection: redis.Redis, ticket_id: str, correlation_id: str) -> bool:
    return _put(
        connection,
        "check_rotation_request",
        ticket_id,
        job_id=f"rotation-check-{ticket_id}",
        meta=_meta(correlation_id),
        unique=False,  # a fresh ticket per ask: nothing to collapse
    )


def enqueue_rotation_step(
    connection: redis.Redis, rotation_id: str, seq: int, seconds: int, attempt: int = 0
) -> bool:
    """The rotation's next step in `seconds`; one id per (seq, attempt), so re-enqueues collapse."""
    job_id = f"rotation-{rotation_id}-{seq}" + (f"-r{attempt}" if attempt else "")
    return _put(
        connection,
        "advance_rotation",
        rotation_id,
        seq,
        attempt,
        job_id=job_id,
        meta=_meta(),
        after=timedelta(seconds=seconds),
    )


def enqueue_rotation_cancel(connection: redis.Redis, rotation_id: str, correlation_id: str) -> bool:
    return _put(
        connection,
        "run_cancel_phase",
        rotation_id,
        job_id=f"rotation-cancel-{rotation_id}",
        meta=_meta(correlation_id),
    )


# Digests


def digest_job_id(channel: str, day: date, manual: bool) -> str:
    """Same channel and day -> same job id; job ids allow letters, digits, _ and - only."""
    safe = "".join(c if c.isalnum() else "_" for c in channel)
    return f"digest-now-{safe}" if manual else f"digest-{safe}-{day:%Y%m%d}"


def enqueue_digest(
    connection: redis.Redis,
    where: ConversationRef,
    day: date,
    note: ScheduleNote,
    *,
    scope: Scope | None = None,
) -> bool:
    """Queue one digest for the conversation `where` (its platform picks the front end);
    False if the same one is already queued or running."""
    return _put(
        connection,
        "run_digest",
        where.channel,
        day.isoformat(),
        note.model_dump(mode="json"),
        scope.model_dump(mode="json") if scope else None,
        where.model_dump(mode="json"),
        job_id=digest_job_id(where.channel, day, note.trigger == "manual"),
        meta=_meta(),
    )


def cron_options(
    job: str, name: str, cron: str, *, every_seconds: int = 0, ttl: int = TICK_TTL_SECONDS
) -> dict[str, Any]:
    """RQ cron options for a scheduled job: `cron`, or every `every_seconds` (tests, demos)."""
    spec = JOBS[job]
    timing: dict[str, Any] = {"interval": every_seconds} if every_seconds > 0 else {"cron": cron}
    return {
        "queue_name": spec.queue,
        "job_timeout": spec.timeout,
        "result_ttl": spec.result_ttl,
        "ttl": ttl,
        "failure_ttl": spec.failure_ttl,
        "name": name,
        **timing,
    }


def digest_tick_options(tick_seconds: int = 0) -> dict[str, Any]:
    """The digest tick: every minute, or every `tick_seconds` (tests and demos)."""
    return cron_options(
        "dispatch_due_digests", "cachewarden-digest-tick", "* * * * *", every_seconds=tick_seconds
    )


def janitor_options(every_seconds: int = 0) -> dict[str, Any]:
    return cron_options(
        "sweep_stuck", "cachewarden-janitor", "*/5 * * * *", every_seconds=every_seconds
    )


def enqueue_due_rotations(connection: redis.Redis) -> bool:
    """Run the scheduled-rotation check now (the CLI, tests); cron runs it daily."""
    day = datetime.now().strftime("%Y%m%d%H%M%S")
    return _put(connection, "request_due_rotations", job_id=f"due-rotations-{day}", meta=_meta())


def rotation_schedule_options(every_seconds: int = 0) -> dict[str, Any]:
    # daily, off the hour, after the audit log's retention
    return cron_options(
        "request_due_rotations",
        "cachewarden-scheduled-rotation",
        "41 4 * * *",
        every_seconds=every_seconds,
        ttl=HOUR,
    )


def retention_options() -> dict[str, Any]:
    # daily, off the hour
    return cron_options("trim_audit_log", "cachewarden-audit-log-retention", "17 3 * * *", ttl=HOUR)


# Real-time alerts


def enqueue_alert_event(
    connection: redis.Redis, payload: str, attempt: int, job_id: str, delay: timedelta | None
) -> bool:
    """One event's handling (later, for a re-check); False when it is already queued."""
    return _put(
        connection, "handle_alert_event", payload, attempt, job_id=job_id, meta=_meta(), after=delay
    )


def enqueue_alert_rollup(
    connection: redis.Redis, channel: str, window: int, delay: timedelta
) -> bool:
    return _put(
        connection,
        "post_alert_rollup",
        channel,
        window,
        job_id=f"alert-rollup-{channel}-{window}",
        meta=_meta(),
        after=max(delay, timedelta(seconds=1)),
    )


# Rebuilds


def enqueue_rebuild_step(
    connection: redis.Redis, rebuild_id: str, version: int, seconds: int, attempt: int = 0
) -> bool:
    """One job per (rebuild, version, attempt): scheduling the same one twice is a no-op."""
    return _put(
        connection,
        "advance_rebuild",
        rebuild_id,
        version,
        attempt,
        job_id=f"rebuild-{rebuild_id}-{version}-{attempt}",
        meta=_meta(),
        after=timedelta(seconds=seconds),
    )

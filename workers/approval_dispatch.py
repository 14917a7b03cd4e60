"""Which job runs an approved request, by kind. The listener enqueues; it never runs AWS calls.

Job functions take only the request id and reload everything from Redis.
"""

from __future__ import annotations

from posture.approvals import RequestKind

JOB_FOR_KIND: dict[RequestKind, str] = {
    RequestKind.FIX: "workers.jobs.remediation.run_fix",
    RequestKind.ACCEPT_RISK: "workers.jobs.suppression.record_acceptance",
    RequestKind.ROTATE: "workers.jobs.rotation.run_rotate_phase",
    RequestKind.FINALIZE: "workers.jobs.rotation.run_finalize_phase",
}


def job_for(kind: RequestKind) -> str:
    return JOB_FOR_KIND[kind]

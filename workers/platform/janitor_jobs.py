"""The janitor's cron jobs: sweep stuck work, flush collapsed refusals, trim the audit log.

Both are safe to run twice or concurrently (every change is a compare-and-set, a
`unique` enqueue or an idempotent delete), which RQ cron's missing leader lock needs.
"""

from __future__ import annotations

import logging

from workers.approvals.refusals import flush_refusals
from workers.platform.janitor import Janitor
from workers.platform.runtime import environment
from workers.trail.log import AuditLog

log = logging.getLogger(__name__)


def sweep_stuck() -> dict[str, int]:
    """Every few minutes: fail fixes whose job is gone, resume rotations, flush refusals."""
    env = environment()
    report = Janitor(env).sweep()
    flushed = flush_refusals(env.connection, env.clock())
    counts = {
        "failed": len(report.failed),
        "requeued": len(report.requeued),
        "resumed": len(report.resumed),
        "attention": len(report.attention),
        "refusals_flushed": flushed,
    }
    log.info("janitor sweep", extra=counts)
    return counts


def trim_audit_log() -> dict[str, int]:
    """Daily: the audit log's retention policy ([limits] audit_log_keep_days, refusals_keep_days)."""
    env = environment()
    limits = env.config.limits
    aged, refusals = AuditLog(env.connection).trim(
        env.clock(),
        keep_days=limits.audit_log_keep_days,
        refusals_keep_days=limits.refusals_keep_days,
    )
    log.info("audit log trimmed", extra={"aged": aged, "refusals": refusals})
    return {"aged": aged, "refusals": refusals}

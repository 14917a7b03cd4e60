"""The schedule for `cachewarden cron`, on RQ 3's built-in cron.

Four jobs are scheduled (the fourth, daily, requests rotations of credentials past
`[rotation] max_age_days`: `workers.rotation.schedule.request_due_rotations`): a tick that finds the subscriptions due now and queues their
digests (`workers.digest.jobs.dispatch_due_digests`), the janitor's sweep every five
minutes (`workers.platform.janitor_jobs.sweep_stuck`: stuck fixes fail with a message, stalled
rotations resume, collapsed refusals are written) and the audit log's retention once a
day (`workers.platform.janitor_jobs.trim_audit_log`). Subscriptions carry their own
time zones, so the tick runs every minute and the process's TZ only decides how
RQ reads the cron string; `cachewarden cron` still sets TZ explicitly.

Two RQ 3.0 details shape this module:
- `CronJob.enqueue` always uses the default (pickle) serializer, while our workers read
  JSON; `JsonCronScheduler` enqueues the same way with the JSON serializer.
- There is no leader lock: run exactly one cron process. A second one would only
  queue duplicate ticks, which the tick and the digest jobs absorb (see their docs).

This is an RQ cron config module (it registers through `rq.cron.register`), loaded by
`cachewarden cron`. Do not start it with plain `rq cron workers.platform.cron`: that enqueues
pickled jobs, which our JSON workers cannot read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis
from rq import Queue, cron_job_registry
from rq.cron import CronJob, CronScheduler, register
from rq.serializers import JSONSerializer

from workers.digest.jobs import dispatch_due_digests
from workers.platform.enqueue import (
    digest_tick_options,
    janitor_options,
    retention_options,
    rotation_schedule_options,
)
from workers.platform.janitor_jobs import sweep_stuck, trim_audit_log
from workers.rotation.schedule import request_due_rotations

log = logging.getLogger(__name__)


# The config-module registration that `cachewarden cron` loads (RQ's registry, not ours).
register(dispatch_due_digests, **digest_tick_options())
register(sweep_stuck, **janitor_options())
register(trim_audit_log, **retention_options())
register(request_due_rotations, **rotation_schedule_options())  # issue 17: scheduled rotation


class JsonCronJob(CronJob):
    """A CronJob that enqueues with the JSON serializer our workers use."""

    def enqueue(self, connection: redis.Redis) -> Any:
        queue = Queue(self.queue_name, connection=connection, serializer=JSONSerializer)
        with connection.pipeline() as pipeline:
            job = queue.enqueue(
                self.func_name,
                args=self.args,
                kwargs=self.kwargs,
                **self.job_options,
                pipeline=pipeline,
            )
            stamp = job.enqueued_at.timestamp() if job.enqueued_at else 0.0
            pipeline.zadd(self.job_history_key, {job.id: stamp})
            cron_job_registry.add(self.name, pipeline, enqueue_timestamp=stamp)
            pipeline.execute()
        log.debug("cron tick queued", extra={"job_id": job.id})
        return job


class JsonCronScheduler(CronScheduler):
    def register(  # type: ignore[override]  # same parameters as RQ's, passed through
        self, func: Callable[..., Any], queue_name: str, **options: Any
    ) -> CronJob:
        job = JsonCronJob(queue_name=queue_name, func=func, **options)
        self._cron_jobs.append(job)
        return job


def build_scheduler(connection: redis.Redis, *, tick_seconds: int = 0) -> JsonCronScheduler:
    """The scheduler `cachewarden cron` runs: this module's schedule, or fast ticks for tests."""
    scheduler = JsonCronScheduler(connection=connection, logging_level="WARNING")
    if tick_seconds > 0:
        scheduler.register(dispatch_due_digests, **digest_tick_options(tick_seconds))
        scheduler.register(sweep_stuck, **janitor_options())  # every 5 minutes in tests too
    else:
        scheduler.load_config_from_file(__name__)
    return scheduler

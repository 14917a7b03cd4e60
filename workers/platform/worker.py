"""The RQ worker class: read-only audit jobs run in the worker process, everything else forks.

RQ's default `Worker` forks a work horse per job. For an audit that meant every part
(one per account and region) re-imported nothing but rebuilt everything: a boto3 session,
the service models, `GetCallerIdentity` and `AssumeRole`, before its first ElastiCache
call. On a 38-region audit that fixed cost, not AWS, set the pace.

Audit jobs only read AWS and write Redis, and are safe to run twice, so they run in this
process the way RQ's `SimpleWorker` runs every job, and share one `SessionCache`. Jobs
that change AWS or post approvals still fork: a crash or a leak there stays in the horse.
The job timeout still applies in-process (RQ's death penalty is SIGALRM in the main
thread, where `perform_job` runs). The price: a part that crashes the interpreter takes
the worker with it, and RQ 3 retries that job once another worker's maintenance notices.

Before the first job, `preload` imports the job modules and warms the models, so forked
horses inherit them too (copy-on-write) instead of importing per job.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from rq import Queue, Worker
from rq.defaults import DEFAULT_WORKER_TTL
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.worker import WorkerStatus

from workers.aws.session_cache import SessionCache
from workers.platform.enqueue import JOBS
from workers.platform.telemetry import correlation

log = logging.getLogger(__name__)

# The scan's own jobs only read AWS, so they run without a fork (see the module docstring).
IN_PROCESS_JOBS = frozenset(
    JOBS[name].path for name in ("start_audit", "scan_part", "finish_audit")
)
# Every module RQ may import a job function from; importing them once here spares each horse.
JOB_MODULES = (
    *sorted({spec.path.rpartition(".")[0] for spec in JOBS.values()}),
    "posture.catalog",
)


def preload(sessions: SessionCache) -> None:
    """Import the job modules and parse the service models before the first job."""
    for name in JOB_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # a module renamed by a later change must not stop the worker
            log.warning("job module not preloaded", extra={"module": name})
    sessions.warm()


class CachewardenWorker(Worker):
    """Runs each job under its request's correlation id; audit jobs without a fork."""

    in_process_jobs: frozenset[str] = IN_PROCESS_JOBS

    def runs_in_process(self, job: Job) -> bool:
        return job.func_name in self.in_process_jobs

    _interrupted: str | None = None  # an in-process job whose end RQ could not record
    _stop_signal: int | None = None

    def execute_job(self, job: Job, queue: Any) -> None:
        if not self.runs_in_process(job):
            super().execute_job(job, queue)
            return
        self._interrupted = job.id  # until RQ has recorded how it ended
        execution = self.prepare_execution(job)  # what SimpleWorker.execute_job does
        self.perform_job(job, queue, execution)  # a lost Redis escapes here, or RQ's loop quits
        self._interrupted = None
        self.set_state(WorkerStatus.IDLE)

    def request_stop(self, signum: Any, frame: Any) -> None:
        self._stop_signal = signum
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]

    def stop_was_requested(self) -> bool:
        """A signal asked this worker to stop (RQ's loop also quits on errors: see worker_loop)."""
        return self._stop_signal is not None

    def requeue_interrupted(self) -> str | None:
        """Put the in-process job a lost connection cut off back at the front of its queue.

        With a forked horse RQ notices a dead job itself; an in-process job dies with the
        worker's loop and would stay "started" until RQ's abandoned-job sweep (its heartbeat
        TTL is the job timeout plus a minute). Audit jobs are safe to run twice. Returns the
        job id, or None when there was nothing to do (RQ had recorded the job's end)."""
        job_id, self._interrupted = self._interrupted, None
        if job_id is None:
            return None
        try:
            job = Job.fetch(job_id, connection=self.connection, serializer=self.serializer)
        except NoSuchJobError:
            return None
        if job.get_status(refresh=False) is not JobStatus.STARTED or not job.origin:
            return None  # finished, failed, or already queued again by RQ's retry
        StartedJobRegistry(job.origin, connection=self.connection).remove_executions(job)
        queue = Queue(job.origin, connection=self.connection, serializer=self.serializer)
        queue.enqueue_job(job, at_front=True)
        return job_id

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        if not self.runs_in_process(job):
            return int(super().get_heartbeat_ttl(job, working_time))
        # No horse monitor refreshes the heartbeat during an in-process job (SimpleWorker's rule).
        if job.timeout == -1:
            return DEFAULT_WORKER_TTL
        return int(job.timeout or DEFAULT_WORKER_TTL) + 60

    def perform_job(self, job: Job, queue: Any, execution: Any) -> bool:
        cid = str((job.meta or {}).get("correlation_id", job.id))
        with correlation(cid):
            return bool(super().perform_job(job, queue, execution))

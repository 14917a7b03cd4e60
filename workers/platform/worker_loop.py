"""Keep an RQ worker process alive across a Redis restart or failover.

RQ's worker retries a lost connection only while it waits for a job. The same loss at any
other moment ends `Worker.work` one of two ways: `ConnectionError` escapes (from its
heartbeat, maintenance or teardown), or RQ's loop logs "found an unhandled exception,
quitting..." and returns as if it had been asked to stop, when Redis answered again in
time for its teardown (issue 14's fault matrix, Redis restarted with appendonly on). Either
way the process used to exit and nothing ran until a supervisor restarted it.

This loop starts a fresh worker instead, after a short backoff, until Redis answers again;
only a stop signal (or the end of a burst) ends it. The jobs are in Redis, so none is lost,
with one exception RQ cannot see: an audit job the worker ran in its own process (see
`workers.platform.worker`) stays "started" under the dead worker's name until RQ's
abandoned-job sweep, minutes later. The worker hands that job back to its queue first.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

import redis
from rq import Worker
from rq.exceptions import StopRequested

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 30.0
_REDIS_LOST = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def _stop_was_requested(worker: Worker) -> bool:
    check = getattr(worker, "stop_was_requested", None)
    return True if check is None else bool(check())  # a plain RQ worker: trust its return


def _requeue_interrupted(worker: Worker | None) -> None:
    requeue = getattr(worker, "requeue_interrupted", None)
    if requeue is None:
        return
    job_id = requeue()  # raises while Redis is still away: then the next round tries again
    if job_id:
        log.warning("requeued the job a lost connection interrupted", extra={"job_id": job_id})


def _backoff(sleep: Callable[[float], None], seconds: float) -> bool:
    """Sleep; False when a stop signal arrives meanwhile (the last worker's handlers would
    ask Redis for its state, and Redis may be the thing that is away)."""

    def stop(signum: int, frame: object) -> None:
        raise StopRequested()

    if threading.current_thread() is not threading.main_thread():  # signals are main-thread only
        sleep(seconds)
        return True
    saved = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        sleep(seconds)
        return True
    except StopRequested:
        return False
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def work_until_stopped(
    make_worker: Callable[[], Worker],
    *,
    burst: bool,
    with_scheduler: bool,
    sleep: Callable[[float], None] = time.sleep,
    max_restarts: int | None = None,
) -> None:
    """Run RQ workers one after another until a stop signal (or a burst's end)."""
    backoff, restarts = 1.0, 0
    interrupted: Worker | None = None  # a lost worker whose in-process job is not requeued yet
    while True:
        worker: Worker | None = None
        gave_up = max_restarts is not None and restarts >= max_restarts
        try:
            worker = make_worker()  # RQ reads Redis here already
            _requeue_interrupted(interrupted)
            interrupted = None
            worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="WARNING")
            if burst or _stop_was_requested(worker):
                return  # a burst ended, or a stop signal arrived
            if gave_up:
                raise RuntimeError("the RQ worker keeps ending without a stop request")
            error = "the worker loop ended without a stop request"
        except _REDIS_LOST as exc:
            if burst or gave_up:
                raise
            error = type(exc).__name__
        restarts += 1
        interrupted = interrupted or worker
        log.warning(
            "RQ worker ended without a stop signal; starting a new one",
            extra={"error": error, "retry_in": backoff},
        )
        if not _backoff(sleep, backoff):
            return
        backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

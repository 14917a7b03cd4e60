"""Keep an RQ worker process alive across a Redis restart or failover.

RQ's worker retries a lost connection only while it waits for a job; the same loss during
its heartbeat, maintenance or scheduler work ends `Worker.work` with `ConnectionError`, and
the process exits (issue 14's fault matrix, Redis restarted with appendonly on). Then
nothing runs until a supervisor restarts it. This loop starts a fresh worker instead, after
a short backoff, until Redis answers again; the jobs are in Redis, so none is lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis
from rq import Worker

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 30.0


def work_until_stopped(
    make_worker: Callable[[], Worker],
    *,
    burst: bool,
    with_scheduler: bool,
    sleep: Callable[[float], None] = time.sleep,
    max_restarts: int | None = None,
) -> None:
    backoff, restarts = 1.0, 0
    while True:
        worker = make_worker()
        try:
            worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="WARNING")
            return  # a burst ended, or a stop signal arrived
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            restarts += 1
            if burst or (max_restarts is not None and restarts > max_restarts):
                raise
            log.warning(
                "lost Redis; starting the worker again",
                extra={"error": type(exc).__name__, "retry_in": backoff},
            )
            sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

"""CachewardenWorker on a real redis-server: audit-style jobs in-process, the rest forked."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis
from rq import Queue
from rq.serializers import JSONSerializer

from sandbox.redis_server import RedisServer
from workers.platform.worker import CachewardenWorker

pytestmark = [pytest.mark.integration]
JOBS = "tests.integration.workers.worker_jobs"


class _Worker(CachewardenWorker):
    in_process_jobs = frozenset({f"{JOBS}.record_pid", f"{JOBS}.crash"})


@pytest.fixture(scope="module")
def connection() -> Iterator[redis.Redis]:
    with RedisServer() as server:
        yield redis.Redis.from_url(server.url)


def _pids(connection: redis.Redis, label: str) -> list[int]:
    return [int(p) for p in connection.lrange(f"pids:{label}", 0, -1)]


def test_listed_jobs_run_in_the_worker_process_and_others_fork(connection: redis.Redis) -> None:
    queue = Queue("t-inproc", connection=connection, serializer=JSONSerializer)
    queue.enqueue(f"{JOBS}.record_pid", "inproc")
    queue.enqueue(f"{JOBS}.record_pid", "inproc")
    worker = _Worker([queue], connection=connection, serializer=JSONSerializer)
    worker.in_process_jobs = frozenset({f"{JOBS}.record_pid"})
    assert worker.work(burst=True)
    assert _pids(connection, "inproc") == [os.getpid(), os.getpid()]

    forked = Queue("t-forked", connection=connection, serializer=JSONSerializer)
    forked.enqueue(f"{JOBS}.record_pid", "forked")
    plain = _Worker([forked], connection=connection, serializer=JSONSerializer)
    plain.in_process_jobs = frozenset()
    plain.work(burst=True)
    (horse,) = _pids(connection, "forked")
    assert horse != os.getpid()


def test_a_failing_in_process_job_fails_alone(connection: redis.Redis) -> None:
    queue = Queue("t-crash", connection=connection, serializer=JSONSerializer)
    failed = queue.enqueue(f"{JOBS}.crash", "boom")
    after = queue.enqueue(f"{JOBS}.record_pid", "after-crash")
    worker = _Worker([queue], connection=connection, serializer=JSONSerializer)
    worker.work(burst=True)
    assert failed.get_status(refresh=True) == "failed"
    assert after.get_status(refresh=True) == "finished"
    assert _pids(connection, "after-crash") == [os.getpid()]


class _LosesRedisOnce(_Worker):
    """Redis goes away just as RQ records an in-process job's result, and stays away while RQ
    tries to record the failure (issue 14's restart); then it answers again."""

    down = True

    def _finalize_success(self, *args: object, **kwargs: object) -> None:
        if self.down:
            raise redis.exceptions.ConnectionError("Connection closed by server.")
        super()._finalize_success(*args, **kwargs)  # type: ignore[misc]

    def _finalize_failure(self, *args: object, **kwargs: object) -> None:
        if self.down:
            self.down = False
            raise redis.exceptions.ConnectionError("Error 111 connecting. Connection refused.")
        super()._finalize_failure(*args, **kwargs)  # type: ignore[misc]


def test_an_in_process_job_cut_off_by_a_lost_connection_is_requeued(
    connection: redis.Redis,
) -> None:
    queue = Queue("t-lost", connection=connection, serializer=JSONSerializer)
    job = queue.enqueue(f"{JOBS}.record_pid", "lost")
    worker = _LosesRedisOnce([queue], connection=connection, serializer=JSONSerializer)
    worker.work(burst=True)  # RQ logs "found an unhandled exception, quitting..." and returns
    assert job.get_status(refresh=True) == "started"  # what RQ's sweep would wait on for minutes
    assert not worker.stop_was_requested()

    assert worker.requeue_interrupted() == job.id
    assert job.get_status(refresh=True) == "queued" and queue.job_ids == [job.id]
    assert worker.requeue_interrupted() is None  # only once
    again = _Worker([queue], connection=connection, serializer=JSONSerializer)
    again.work(burst=True)
    assert job.get_status(refresh=True) == "finished"
    assert _pids(connection, "lost") == [os.getpid(), os.getpid()]  # ran twice: safe by design

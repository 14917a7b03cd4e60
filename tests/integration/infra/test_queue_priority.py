"""An approved fix queued behind a fleet-wide scan is started first (real redis-server, RQ worker)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
import redis
from rq import SimpleWorker
from rq.job import JobStatus
from rq.serializers import JSONSerializer

from posture.approvals import ApprovalRequest, RequestKind
from sandbox.redis_server import RedisServer
from workers.platform.config import AppConfig
from workers.platform.enqueue import (
    ACTIONS_QUEUE,
    SCANS_QUEUE,
    enqueue_approved,
    enqueue_scan_part,
    queue,
    worker_queues,
)
from workers.platform.notifier import Notifier
from workers.platform.redis_connection import connect
from workers.platform.runtime import JobEnvironment, use_environment

pytestmark = pytest.mark.integration
PARTS = 40


@pytest.fixture
def connection() -> Iterator[redis.Redis]:
    with RedisServer() as server:
        yield connect(server.url)


class _NoChat:
    """Neither job reaches the chat platform: each finds no stored run or request and returns."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"a job posted ({name}) although it had nothing to report")


def _fix_request() -> ApprovalRequest:
    now = datetime.now(UTC)
    return ApprovalRequest(
        request_id="fixfirst1", kind=RequestKind.FIX, requester="U1", created_at=now,
        expires_at=now + timedelta(hours=1), account="123456789012", region="eu-west-1",
        resource_kind="replication_group", resource_id="orders", change="c", api_call="a",
    )  # fmt: skip


def test_an_approved_fix_behind_many_scans_is_started_first(connection: redis.Redis) -> None:
    for n in range(PARTS):  # a fleet-wide scan fans out first
        assert enqueue_scan_part(connection, "fleet001", f"{n:012d}", "eu-west-1", "", True)
    assert enqueue_approved(connection, _fix_request())
    assert queue(connection, SCANS_QUEUE).count == PARTS

    env = JobEnvironment(connection, cast(Notifier, _NoChat()), AppConfig())
    with use_environment(env):
        worker = SimpleWorker(
            worker_queues(connection), connection=connection, serializer=JSONSerializer
        )
        worker.work(burst=True, max_jobs=1)

    fix = queue(connection, ACTIONS_QUEUE).fetch_job("approved-fixfirst1")
    assert fix is not None and fix.get_status() is JobStatus.FINISHED
    scans = queue(connection, SCANS_QUEUE)
    assert scans.count == PARTS  # not one scan part started before the fix
    assert all(job.get_status() is JobStatus.QUEUED for job in scans.jobs)

"""Every job is named, timed and queued in `workers.platform.enqueue` only, and each path resolves."""

from __future__ import annotations

import importlib
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import fakeredis
import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from commands.scope import Scope
from posture.approvals import ApprovalRequest, RequestKind
from posture.conversations import ConversationRef
from posture.digest import ScheduleNote
from workers.platform import enqueue
from workers.platform.enqueue import ACTIONS_QUEUE, JOBS, SCANS_QUEUE, WORKER_QUEUES

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = ("bot", "workers", "commands", "posture", "sandbox")
JOB_PATH = re.compile(r"""["']workers\.jobs\.[a-z_]+\.[a-z_]+["']""")
APPROVED_QUEUE_JOBS = {
    "run_fix",
    "record_acceptance",
    "run_rotate_phase",
    "run_finalize_phase",
    "check_fix",
    "expire_request",
    "advance_rotation",
    "run_cancel_phase",
    "advance_rebuild",
    "start_rebuild",
    "run_rebuild_delete",
}


def _resolve(path: str) -> object:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("name", sorted(JOBS))
def test_every_job_path_and_callback_resolves_to_a_function(name: str) -> None:
    spec = JOBS[name]
    assert callable(_resolve(spec.path))
    if spec.on_failure:
        assert callable(_resolve(spec.on_failure))


def test_no_production_module_names_a_job_path_or_a_queue_outside_enqueue() -> None:
    offenders = []
    for package in PRODUCTION:
        for source in (ROOT / package).rglob("*.py"):
            if source == ROOT / "workers" / "platform" / "enqueue.py":
                continue
            text = source.read_text(encoding="utf-8")
            if JOB_PATH.search(text) or "job_timeout=" in text or "Retry(" in text:
                offenders.append(str(source.relative_to(ROOT)))
    assert offenders == []


def test_approved_actions_go_on_the_queue_served_first() -> None:
    assert {n for n, s in JOBS.items() if s.queue == ACTIONS_QUEUE} == APPROVED_QUEUE_JOBS
    assert {s.queue for s in JOBS.values()} == {ACTIONS_QUEUE, SCANS_QUEUE}
    assert WORKER_QUEUES.index(ACTIONS_QUEUE) < WORKER_QUEUES.index(SCANS_QUEUE)


def _request(kind: RequestKind) -> ApprovalRequest:
    now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    return ApprovalRequest(
        request_id="req00001", kind=kind, requester="U1", created_at=now,
        expires_at=now + timedelta(hours=1), account="123456789012", region="eu-west-1",
        resource_kind="replication_group", resource_id="orders", change="c", api_call="a",
        correlation_id="cid-9",
    )  # fmt: skip


def _jobs(connection: fakeredis.FakeRedis, name: str) -> list:  # type: ignore[type-arg]
    return Queue(name, connection=connection, serializer=JSONSerializer).jobs


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        (RequestKind.FIX, "workers.fixes.jobs.run_fix"),
        (RequestKind.ACCEPT_RISK, "workers.approvals.suppression_jobs.record_acceptance"),
        (RequestKind.ROTATE, "workers.rotation.jobs.run_rotate_phase"),
        (RequestKind.FINALIZE, "workers.rotation.jobs.run_finalize_phase"),
    ],
)
def test_an_approved_request_runs_once_on_the_actions_queue(kind: RequestKind, path: str) -> None:
    connection = fakeredis.FakeRedis()
    assert enqueue.enqueue_approved(connection, _request(kind))
    assert not enqueue.enqueue_approved(connection, _request(kind))  # a double click
    (job,) = _jobs(connection, ACTIONS_QUEUE)
    assert (job.func_name, job.args, job.id) == (path, ["req00001"], "approved-req00001")
    assert job.timeout == 600 and job.retries_left == 2
    assert job.meta == {"correlation_id": "cid-9"}
    assert job.failure_callback is not None
    assert _jobs(connection, SCANS_QUEUE) == []


def test_scans_and_digests_go_on_the_scans_queue_and_collapse() -> None:
    connection = fakeredis.FakeRedis()
    scope = Scope()
    assert enqueue.enqueue_start_audit(
        connection, "run1", channel="C1", scope=scope, correlation_id="c"
    )
    assert not enqueue.enqueue_start_audit(
        connection, "run2", channel="C1", scope=scope, correlation_id="c"
    )
    assert enqueue.enqueue_scan_part(connection, "run1", "123456789012", "eu-west-1", "", True)
    note = ScheduleNote(trigger="manual")
    assert enqueue.enqueue_digest(connection, ConversationRef(channel="C1"), date(2026, 5, 4), note)
    assert not enqueue.enqueue_digest(
        connection, ConversationRef(channel="C1"), date(2026, 5, 4), note
    )
    jobs = {job.id: job for job in _jobs(connection, SCANS_QUEUE)}
    assert set(jobs) == {
        enqueue.audit_job_id("C1", scope),
        "part-run1-123456789012-eu-west-1",
        "digest-now-C1",
    }
    assert jobs[enqueue.audit_job_id("C1", scope)].timeout == 600
    assert jobs["part-run1-123456789012-eu-west-1"].meta["part"] == "123456789012/eu-west-1"
    assert jobs["digest-now-C1"].timeout == 1800
    assert _jobs(connection, ACTIONS_QUEUE) == []

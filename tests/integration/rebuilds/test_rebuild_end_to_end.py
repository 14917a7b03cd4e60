"""A rebuild over real processes (redis-server, fake AWS, `cachewarden worker`): request
and approve through the flows, the worker snapshots, restores, waits and verifies; a
SIGKILL of the worker at each step resumes without creating anything twice; cancel
mid-way leaves only the source; a denied delete keeps both caches."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import redis

from posture.approvals import Approvers
from posture.conversations import Actor
from posture.rebuilds import Rebuild, RebuildPhase
from sandbox.stack import Stack, StackOptions
from workers.aws.session import default_chain_session
from workers.platform.config import AppConfig
from workers.platform.context import FlowContext
from workers.platform.notifier import Notifiers
from workers.rebuilds.flows import (
    RebuildAsk,
    approve_rebuild,
    cancel_rebuild,
    confirm_cutover,
    decide_source_delete,
    request_rebuild,
)
from workers.rebuilds.store import RebuildStore
from workers.trail.log import AuditLog

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rebuild-stack")]
ACCOUNT, REGION = "123456789012", "us-east-1"
DEV, SEC = Actor(user="U_DEV"), Actor(user="U_SEC")


class Directory:
    def approvers(self) -> Approvers:
        return Approvers(users=frozenset({"U_SEC", "U_LEAD"}))


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with Stack(StackOptions(regions=(REGION,))) as running:
        yield running


@pytest.fixture
def ctx(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> FlowContext:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    return FlowContext(
        connection=redis.Redis.from_url(stack.redis.url),
        config=AppConfig(),
        notifiers=Notifiers({}),
        directory=Directory(),
    )


def _client(stack: Stack, service: str) -> Any:
    return boto3.client(service, endpoint_url=stack.aws.url, region_name=REGION)


def _source(stack: Stack) -> str:
    group, token = f"shop-{uuid.uuid4().hex[:6]}", f"Tok-{uuid.uuid4().hex}"
    _client(stack, "elasticache").create_replication_group(
        ReplicationGroupId=group, ReplicationGroupDescription="source", Engine="redis",
        EngineVersion="7.1", CacheNodeType="cache.t4g.small", NumCacheClusters=2,
        AutomaticFailoverEnabled=True, TransitEncryptionEnabled=True, AuthToken=token,
    )  # fmt: skip
    _client(stack, "secretsmanager").create_secret(
        Name=f"cachewarden/auth/{group}", SecretString=token
    )
    return group


def _groups(stack: Stack) -> list[str]:
    answer = _client(stack, "elasticache").describe_replication_groups()
    return [g["ReplicationGroupId"] for g in answer["ReplicationGroups"]]


def _snapshots(stack: Stack) -> list[str]:
    return [
        s["SnapshotName"] for s in _client(stack, "elasticache").describe_snapshots()["Snapshots"]
    ]


def _wait(
    ctx: FlowContext, rebuild_id: str, *phases: RebuildPhase, timeout: float = 120
) -> Rebuild:
    store, deadline = RebuildStore(ctx.connection), time.monotonic() + timeout
    while time.monotonic() < deadline:
        rebuild = store.get(rebuild_id)
        if rebuild is not None and rebuild.phase in phases:
            return rebuild
        time.sleep(0.05)
    raise AssertionError(f"rebuild {rebuild_id} never reached {phases}: {store.get(rebuild_id)}")


def _kill_workers(stack: Stack) -> None:
    for worker in stack.workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    connection = redis.Redis.from_url(stack.redis.url)
    for key in connection.scan_iter(match="rq:scheduler-lock:*"):
        connection.delete(key)


def _request(ctx: FlowContext, stack: Stack, group: str) -> Rebuild:
    session = default_chain_session(endpoint_url=stack.aws.url)
    return request_rebuild(ctx, DEV, RebuildAsk(ACCOUNT, REGION, "CW-103", group), session)


def test_sigkill_at_each_step_still_reaches_a_verified_copy_once(
    stack: Stack, ctx: FlowContext
) -> None:
    group = _source(stack)
    rebuild = _request(ctx, stack, group)
    assert rebuild.diff == ("AtRestEncryptionEnabled: (not set) -> true",)
    approve_rebuild(ctx, SEC, rebuild.rebuild_id)
    for phase in (RebuildPhase.SNAPSHOTTING, RebuildPhase.CREATING):
        _wait(ctx, rebuild.rebuild_id, phase, RebuildPhase.CUTOVER_READY, RebuildPhase.FAILED)
        _kill_workers(stack)
        stack.start_worker()
    done = _wait(ctx, rebuild.rebuild_id, RebuildPhase.CUTOVER_READY, RebuildPhase.FAILED)
    assert done.phase is RebuildPhase.CUTOVER_READY, done.problem
    assert _groups(stack).count(done.copy_id) == 1 and group in _groups(stack)
    assert _snapshots(stack).count(done.snapshot_name) == 1
    entries = AuditLog(ctx.connection).latest(200)
    events = [
        e.fields["event"] for e in entries if e.fields.get("rebuild_id") == rebuild.rebuild_id
    ]
    assert events.count("rebuild.copy_started") == 1 and "rebuild.verified" in events


def test_cancel_mid_way_leaves_only_the_source(stack: Stack, ctx: FlowContext) -> None:
    group, snapshots_before = _source(stack), set(_snapshots(stack))
    groups_before = set(_groups(stack))
    rebuild = _request(ctx, stack, group)
    approve_rebuild(ctx, SEC, rebuild.rebuild_id)
    _wait(
        ctx,
        rebuild.rebuild_id,
        RebuildPhase.CREATING,
        RebuildPhase.VERIFYING,
        RebuildPhase.CUTOVER_READY,
    )
    cancel_rebuild(ctx, SEC, rebuild.rebuild_id)
    _wait(ctx, rebuild.rebuild_id, RebuildPhase.CANCELLED)
    assert set(_groups(stack)) == groups_before and set(_snapshots(stack)) == snapshots_before


def test_a_denied_delete_keeps_both_and_an_approved_one_keeps_a_final_snapshot(
    stack: Stack, ctx: FlowContext
) -> None:
    group = _source(stack)
    rebuild = _request(ctx, stack, group)
    approve_rebuild(ctx, SEC, rebuild.rebuild_id)
    ready = _wait(ctx, rebuild.rebuild_id, RebuildPhase.CUTOVER_READY, RebuildPhase.FAILED)
    assert ready.phase is RebuildPhase.CUTOVER_READY, ready.problem
    confirm_cutover(ctx, DEV, rebuild.rebuild_id)
    kept = decide_source_delete(ctx, SEC, rebuild.rebuild_id, approved=False)
    assert kept.phase is RebuildPhase.CUTOVER_READY
    time.sleep(1)
    assert group in _groups(stack) and ready.copy_id in _groups(stack)

    confirm_cutover(ctx, DEV, rebuild.rebuild_id)
    decide_source_delete(ctx, SEC, rebuild.rebuild_id, approved=True)
    _wait(ctx, rebuild.rebuild_id, RebuildPhase.DONE)
    assert group not in _groups(stack) and ready.copy_id in _groups(stack)
    assert ready.final_snapshot_name in _snapshots(stack)

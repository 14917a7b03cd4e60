"""A serverless rebuild over real processes (redis-server, fake AWS, `cachewarden worker`):
a SIGKILL of the worker at each step (snapshot, restore, wait, verify, delete) resumes or
reports, and nothing is created twice; a standalone cluster's rebuild runs the same way."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import redis

from posture.base import ResourceKind
from posture.rebuilds import RebuildPhase
from posture.remediation.rebuild_params import RebuildInputs
from sandbox.stack import Stack, StackOptions
from tests.integration import remediation_calls
from tests.integration.rebuilds.test_rebuild_end_to_end import (
    DEV,
    SEC,
    Directory,
    _kill_workers,
    _wait,
)
from workers.aws.session import default_chain_session
from workers.platform.config import AppConfig
from workers.platform.context import FlowContext
from workers.platform.notifier import Notifiers
from workers.rebuilds.flows import (
    RebuildAsk,
    approve_rebuild,
    confirm_cutover,
    decide_source_delete,
    request_rebuild,
)
from workers.trail.log import AuditLog

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rebuild-stack")]
ACCOUNT, REGION = "123456789012", "us-east-1"
WORKING_PHASES = (
    RebuildPhase.SNAPSHOTTING,
    RebuildPhase.CREATING,
    RebuildPhase.VERIFYING,
)


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


def _serverless(stack: Stack) -> list[str]:
    answer = _client(stack, "elasticache").describe_serverless_caches()["ServerlessCaches"]
    return [c["ServerlessCacheName"] for c in answer]


def _serverless_snapshots(stack: Stack) -> list[str]:
    answer = _client(stack, "elasticache").describe_serverless_cache_snapshots()
    return [s["ServerlessCacheSnapshotName"] for s in answer["ServerlessCacheSnapshots"]]


def _events(ctx: FlowContext, rebuild_id: str) -> list[str]:
    entries = AuditLog(ctx.connection).latest(400)
    return [e.fields["event"] for e in entries if e.fields.get("rebuild_id") == rebuild_id]


def _restart_at(stack: Stack, ctx: FlowContext, rebuild_id: str, phase: RebuildPhase) -> None:
    """Kill the worker once the rebuild reaches `phase` (or passed it), then start a new one."""
    _wait(ctx, rebuild_id, phase, RebuildPhase.CUTOVER_READY, RebuildPhase.FAILED,
          RebuildPhase.DONE)  # fmt: skip
    _kill_workers(stack)
    stack.start_worker()


def test_sigkill_at_each_serverless_step_creates_nothing_twice(
    stack: Stack, ctx: FlowContext
) -> None:
    source = f"cart-{uuid.uuid4().hex[:6]}"
    _client(stack, "elasticache").create_serverless_cache(
        ServerlessCacheName=source, Engine="valkey", SnapshotRetentionLimit=2
    )
    key = _client(stack, "kms").create_key()["KeyMetadata"]["Arn"]
    session = default_chain_session(endpoint_url=stack.aws.url)
    ask = RebuildAsk(ACCOUNT, REGION, "CW-104", source, RebuildInputs(kms_key_id=key),
                     kind=ResourceKind.SERVERLESS_CACHE)  # fmt: skip
    rebuild = request_rebuild(ctx, DEV, ask, session)
    approve_rebuild(ctx, SEC, rebuild.rebuild_id)
    for phase in WORKING_PHASES:
        _restart_at(stack, ctx, rebuild.rebuild_id, phase)
    ready = _wait(ctx, rebuild.rebuild_id, RebuildPhase.CUTOVER_READY, RebuildPhase.FAILED)
    assert ready.phase is RebuildPhase.CUTOVER_READY, ready.problem
    assert _serverless(stack).count(ready.copy_id) == 1 and source in _serverless(stack)
    assert _serverless_snapshots(stack).count(ready.snapshot_name) == 1
    events = _events(ctx, rebuild.rebuild_id)
    assert events.count("rebuild.snapshot_started") == 1
    assert events.count("rebuild.copy_started") == 1 and "rebuild.verified" in events

    confirm_cutover(ctx, DEV, rebuild.rebuild_id)
    decide_source_delete(ctx, SEC, rebuild.rebuild_id, approved=True)
    _restart_at(stack, ctx, rebuild.rebuild_id, RebuildPhase.DELETING)
    done = _wait(ctx, rebuild.rebuild_id, RebuildPhase.DONE, RebuildPhase.FAILED)
    assert done.phase is RebuildPhase.DONE, done.problem
    assert source not in _serverless(stack) and ready.copy_id in _serverless(stack)
    assert _serverless_snapshots(stack).count(ready.final_snapshot_name) == 1
    # the worker's call guard allowed these calls, and the generated policy grants each one
    made = remediation_calls.made(stack.redis.url)
    assert made <= remediation_calls.granted()
    assert {
        "elasticache:CreateServerlessCacheSnapshot", "elasticache:CreateServerlessCache",
        "elasticache:DeleteServerlessCache", "elasticache:DescribeServerlessCacheSnapshots",
    } <= made  # fmt: skip


def test_sigkill_during_a_standalone_rebuild_creates_nothing_twice(
    stack: Stack, ctx: FlowContext
) -> None:
    source = f"solo-{uuid.uuid4().hex[:6]}"
    _client(stack, "elasticache").create_cache_cluster(
        CacheClusterId=source, Engine="valkey", CacheNodeType="cache.t4g.small",
        NumCacheNodes=1, SnapshotRetentionLimit=1,
    )  # fmt: skip
    session = default_chain_session(endpoint_url=stack.aws.url)
    ask = RebuildAsk(ACCOUNT, REGION, "CW-306", source, RebuildInputs(port=6390),
                     kind=ResourceKind.CACHE_CLUSTER)  # fmt: skip
    rebuild = request_rebuild(ctx, DEV, ask, session)
    assert "Port: 6379 -> 6390" in rebuild.diff
    approve_rebuild(ctx, SEC, rebuild.rebuild_id)
    for phase in WORKING_PHASES:
        _restart_at(stack, ctx, rebuild.rebuild_id, phase)
    ready = _wait(ctx, rebuild.rebuild_id, RebuildPhase.CUTOVER_READY, RebuildPhase.FAILED)
    assert ready.phase is RebuildPhase.CUTOVER_READY, ready.problem
    assert all(":6390" in endpoint for endpoint in ready.endpoints)
    groups = _client(stack, "elasticache").describe_replication_groups()["ReplicationGroups"]
    assert [g["ReplicationGroupId"] for g in groups].count(ready.copy_id) == 1
    assert _events(ctx, rebuild.rebuild_id).count("rebuild.copy_started") == 1
    made = remediation_calls.made(stack.redis.url)
    assert made <= remediation_calls.granted() and "elasticache:CreateSnapshot" in made

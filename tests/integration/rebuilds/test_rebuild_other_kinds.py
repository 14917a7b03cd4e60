"""Rebuilds of a serverless cache and of a standalone cluster against the fake AWS: every
step run twice as if the worker died after AWS answered (nothing is created twice), every
write checked against the botocore model, cancel and the delete with a final snapshot;
Memcached is refused with the reason."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.validate import ParamValidator

from posture.base import ResourceKind
from posture.policy import OrgPolicy
from posture.rebuilds import (
    WORKING,
    Rebuild,
    RebuildPhase,
    RebuildRefused,
    approve,
    cancel,
    decide_delete,
    request_delete,
)
from posture.remediation.rebuild_params import RebuildInputs
from sandbox.fake_aws import FakeAwsServer
from workers.aws.secrets import CredentialVault
from workers.aws.session import default_chain_session
from workers.rebuilds.flows import RebuildAsk, plan_rebuild
from workers.rebuilds.steps import RebuildTools, run_step
from workers.rebuilds.verify import verdicts_reader

pytestmark = pytest.mark.integration
ACCOUNT, REGION = "123456789012", "us-east-1"
MODEL = botocore.session.get_session().get_service_model("elasticache")
WRITES = {
    "create_snapshot", "create_replication_group", "delete_replication_group",
    "delete_snapshot", "delete_cache_cluster", "create_serverless_cache_snapshot",
    "create_serverless_cache", "delete_serverless_cache", "delete_serverless_cache_snapshot",
}  # fmt: skip
LIMITS = {"DataStorage": {"Maximum": 10, "Unit": "GB"}, "ECPUPerSecond": {"Maximum": 5000}}


@pytest.fixture(scope="module")
def aws() -> Iterator[str]:
    with FakeAwsServer(modify_delay_describes=2) as server:
        yield server.url


@pytest.fixture
def url(monkeypatch: pytest.MonkeyPatch, aws: str) -> str:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    return aws


def _now() -> datetime:
    return datetime.now(UTC)


class Recording:
    """The elasticache client, keeping every write's operation and parameters."""

    def __init__(self, client: Any) -> None:
        self.client, self.writes = client, []  # type: ignore[var-annotated]

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)
        if name not in WRITES:
            return method

        def call(**params: Any) -> Any:
            self.writes.append((method.__self__.meta.method_to_api_mapping[name], params))
            return method(**params)

        return call


class World:
    def __init__(self, url: str) -> None:
        self.url = url
        self.ec = boto3.client("elasticache", endpoint_url=url, region_name=REGION)
        self.session = default_chain_session(endpoint_url=url)
        self.audit: list[tuple[str, dict[str, Any]]] = []
        self.recording = Recording(self.ec)
        self.tools = RebuildTools(
            elasticache=self.recording,
            vault=CredentialVault(boto3.client("secretsmanager", endpoint_url=url)),
            verdicts=verdicts_reader(self.session, ACCOUNT, REGION, OrgPolicy(), _now),
            now=_now,
            record=lambda r, event, details: self.audit.append((event, details)),
        )

    def plan(self, kind: ResourceKind, rule: str, source: str, **inputs: Any) -> Rebuild:
        ask = RebuildAsk(ACCOUNT, REGION, rule, source, RebuildInputs(**inputs), kind=kind)
        planned = plan_rebuild(OrgPolicy(), _now(), "U_DEV", ask, self.session)
        return approve(planned, "U_SEC", _now())

    def drive(self, rebuild: Rebuild, *, crash_each_step: bool = True) -> Rebuild:
        for _ in range(80):
            if rebuild.phase not in WORKING:
                return rebuild
            if crash_each_step:
                run_step(self.tools, rebuild)  # AWS answered, the worker died before saving
            rebuild = run_step(self.tools, rebuild).rebuild
        raise AssertionError(f"rebuild stuck in {rebuild.phase}")

    def events(self) -> list[str]:
        return [event for event, _ in self.audit]

    def check_writes_against_botocore(self) -> None:
        validator = ParamValidator()
        for operation, params in self.recording.writes:
            shape = MODEL.operation_model(operation).input_shape
            report = validator.validate(params, shape)
            assert not report.has_errors(), (operation, report.generate_report())

    def serverless(self, name: str) -> dict[str, Any] | None:
        caches = self.ec.describe_serverless_caches()["ServerlessCaches"]
        return next((c for c in caches if c["ServerlessCacheName"] == name), None)

    def serverless_snapshots(self) -> list[str]:
        answer = self.ec.describe_serverless_cache_snapshots()["ServerlessCacheSnapshots"]
        return [s["ServerlessCacheSnapshotName"] for s in answer]

    def groups(self) -> list[str]:
        answer = self.ec.describe_replication_groups()["ReplicationGroups"]
        return [g["ReplicationGroupId"] for g in answer]

    def clusters(self) -> list[str]:
        return [c["CacheClusterId"] for c in self.ec.describe_cache_clusters()["CacheClusters"]]

    def snapshots(self) -> list[str]:
        return [s["SnapshotName"] for s in self.ec.describe_snapshots()["Snapshots"]]


@pytest.fixture
def world(url: str) -> World:
    return World(url)


def _serverless_source(world: World) -> tuple[str, str]:
    name = f"sess-{uuid.uuid4().hex[:6]}"
    world.ec.create_serverless_cache(
        ServerlessCacheName=name, Engine="valkey", MajorEngineVersion="8",
        Description="sessions", CacheUsageLimits=LIMITS, SnapshotRetentionLimit=3,
        DailySnapshotTime="02:00", Tags=[{"Key": "team", "Value": "web"}],
    )  # fmt: skip
    key = boto3.client("kms", endpoint_url=world.url, region_name=REGION).create_key()
    return name, key["KeyMetadata"]["Arn"]


def test_serverless_rebuild_for_a_customer_key_keeps_every_setting(world: World) -> None:
    source, key = _serverless_source(world)
    rebuild = world.plan(ResourceKind.SERVERLESS_CACHE, "CW-104", source, kms_key_id=key)
    assert rebuild.diff == (f'KmsKeyId: (not set) -> "{key}"',)
    done = world.drive(rebuild)
    assert done.phase is RebuildPhase.CUTOVER_READY, done.problem
    copy = world.serverless(done.copy_id)
    assert copy is not None and copy["KmsKeyId"] == key
    assert copy["Engine"] == "valkey" and copy["MajorEngineVersion"] == "8"
    assert copy["CacheUsageLimits"] == LIMITS and copy["Description"] == "sessions"
    assert copy["SnapshotRetentionLimit"] == 3 and copy["DailySnapshotTime"] == "02:00"
    tags = world.ec.list_tags_for_resource(ResourceName=copy["ARN"])["TagList"]
    assert {"Key": "team", "Value": "web"} in tags
    # serverless caches have a writer and a reader endpoint, both new names
    assert len(done.endpoints) == 2 and all(done.copy_id in e for e in done.endpoints)
    assert world.serverless_snapshots().count(done.snapshot_name) == 1
    assert world.events().count("rebuild.snapshot_started") == 1
    assert world.events().count("rebuild.copy_started") == 1
    calls = [operation for operation, _ in world.recording.writes]
    assert calls.count("CreateServerlessCacheSnapshot") == 1
    assert calls.count("CreateServerlessCache") == 1
    world.check_writes_against_botocore()

    kept = decide_delete(request_delete(done, "U_DEV", _now()), "U_SEC", _now(), approved=False)
    assert kept.phase is RebuildPhase.CUTOVER_READY
    assert world.serverless(source) is not None and world.serverless(done.copy_id) is not None
    deleting = decide_delete(request_delete(kept, "U_DEV", _now()), "U_LEAD", _now(), approved=True)
    finished = world.drive(deleting, crash_each_step=False)
    assert finished.phase is RebuildPhase.DONE, finished.problem
    assert world.serverless(source) is None and world.serverless(done.copy_id) is not None
    assert done.final_snapshot_name in world.serverless_snapshots()
    world.check_writes_against_botocore()
    assert ("DeleteServerlessCache", {"ServerlessCacheName": source,
            "FinalSnapshotName": done.final_snapshot_name}) in world.recording.writes  # fmt: skip


def test_serverless_cancel_mid_way_leaves_only_the_source(world: World) -> None:
    source, key = _serverless_source(world)
    rebuild = world.plan(ResourceKind.SERVERLESS_CACHE, "CW-104", source, kms_key_id=key)
    before = set(world.serverless_snapshots())
    for _ in range(3):  # snapshot taken, copy being created
        rebuild = run_step(world.tools, rebuild).rebuild
    assert rebuild.phase in (RebuildPhase.SNAPSHOTTING, RebuildPhase.CREATING)
    undone = world.drive(cancel(rebuild, "U_SEC", _now()), crash_each_step=True)
    assert undone.phase is RebuildPhase.CANCELLED, undone.problem
    assert world.serverless(rebuild.copy_id) is None and world.serverless(source) is not None
    assert set(world.serverless_snapshots()) == before
    world.check_writes_against_botocore()


def test_standalone_cluster_becomes_an_encrypted_one_node_group(world: World) -> None:
    source = f"solo-{uuid.uuid4().hex[:6]}"
    world.ec.create_cache_cluster(
        CacheClusterId=source, Engine="redis", EngineVersion="7.1",
        CacheNodeType="cache.t4g.small", NumCacheNodes=1, SnapshotRetentionLimit=4,
    )  # fmt: skip
    rebuild = world.plan(ResourceKind.CACHE_CLUSTER, "CW-103", source)
    assert "AtRestEncryptionEnabled: (not set) -> true" in rebuild.diff
    done = world.drive(rebuild)
    assert done.phase is RebuildPhase.CUTOVER_READY, done.problem
    copy = world.ec.describe_replication_groups(ReplicationGroupId=done.copy_id)
    group = copy["ReplicationGroups"][0]
    assert group["AtRestEncryptionEnabled"] is True and group["SnapshotRetentionLimit"] == 4
    assert len(group["MemberClusters"]) == 1
    assert ("CreateSnapshot", {"CacheClusterId": source, "SnapshotName": done.snapshot_name,
            "Tags": [{"Key": "cachewarden:rebuild", "Value": done.rebuild_id}]}) in world.recording.writes  # fmt: skip
    deleting = decide_delete(request_delete(done, "U_DEV", _now()), "U_SEC", _now(), approved=True)
    finished = world.drive(deleting, crash_each_step=False)
    assert finished.phase is RebuildPhase.DONE, finished.problem
    assert source not in world.clusters() and done.copy_id in world.groups()
    assert done.final_snapshot_name in world.snapshots()
    world.check_writes_against_botocore()


def test_memcached_is_refused_with_the_reason(world: World) -> None:
    source = f"mc-{uuid.uuid4().hex[:6]}"
    world.ec.create_cache_cluster(
        CacheClusterId=source, Engine="memcached", CacheNodeType="cache.t4g.small",
        NumCacheNodes=1,
    )  # fmt: skip
    with pytest.raises(RebuildRefused, match=r"Memcached keeps no snapshots.*warms up"):
        world.plan(ResourceKind.CACHE_CLUSTER, "CW-302", source, subnet_group="private-a")
    assert not world.recording.writes

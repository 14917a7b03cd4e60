"""A rebuild's steps against the fake AWS: snapshot, restore with the fix, wait, verify by
rescanning, a second approval for the delete; every step run twice as if the worker died
after AWS answered (nothing is created twice), cancel mid-way, a denied delete."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from posture.base import ResourceKind
from posture.policy import OrgPolicy
from posture.rebuilds import (
    WORKING,
    Rebuild,
    RebuildPhase,
    approve,
    cancel,
    decide_delete,
    request_delete,
)
from posture.remediation.rebuild_params import RebuildInputs, group_rebuild_plan
from posture.remediation.target import Target, find_resource
from posture.rules.context import RuleContext
from sandbox.fake_aws import FakeAwsServer
from workers.aws.secrets import CredentialVault
from workers.aws.session import default_chain_session
from workers.fixes.reads import read_for_fix
from workers.rebuilds.steps import RebuildTools, StepResult, fingerprint_of, run_step
from workers.rebuilds.verify import verdicts_reader

pytestmark = pytest.mark.integration
ACCOUNT, REGION = "123456789012", "us-east-1"
TOKEN = f"Source-Token-{uuid.uuid4().hex}"
RG = ResourceKind.REPLICATION_GROUP


@pytest.fixture(scope="module")
def aws() -> Iterator[str]:
    with FakeAwsServer(modify_delay_describes=2) as server:
        yield server.url


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, aws: str) -> str:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    return aws


def _client(url: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=url, region_name=REGION)


def _now() -> datetime:
    return datetime.now(UTC)


class World:
    def __init__(self, url: str) -> None:
        self.url = url
        self.elasticache = _client(url, "elasticache")
        self.session = default_chain_session(endpoint_url=url)
        self.audit: list[tuple[str, dict[str, Any]]] = []
        self.source = f"orders-{uuid.uuid4().hex[:6]}"
        self.secret = f"cachewarden/auth/{self.source}"
        self.elasticache.create_replication_group(
            ReplicationGroupId=self.source, ReplicationGroupDescription="source",
            Engine="redis", EngineVersion="7.1", CacheNodeType="cache.t4g.small",
            NumCacheClusters=2, AutomaticFailoverEnabled=True, TransitEncryptionEnabled=True,
            AuthToken=TOKEN, AtRestEncryptionEnabled=False, SnapshotRetentionLimit=5,
        )  # fmt: skip
        _client(url, "secretsmanager").create_secret(Name=self.secret, SecretString=TOKEN)
        self.tools = RebuildTools(
            elasticache=self.elasticache,
            vault=CredentialVault(_client(url, "secretsmanager")),
            verdicts=verdicts_reader(self.session, ACCOUNT, REGION, OrgPolicy(), _now),
            now=_now,
            record=lambda r, event, details: self.audit.append((event, details)),
        )

    def approved_rebuild(self) -> Rebuild:
        inventory = read_for_fix(self.session, ACCOUNT, REGION, RG, self.source, now=_now())
        group = find_resource(inventory, RG, self.source)
        assert group is not None
        target = Target("CW-103", group, RuleContext.build(inventory, OrgPolicy(), _now()))
        rebuild_id = uuid.uuid4().hex
        plan = group_rebuild_plan(target, RebuildInputs(), rebuild_id)
        described = self.group(self.source)
        assert described is not None
        rebuild = Rebuild(
            rebuild_id=rebuild_id, account=ACCOUNT, region=REGION, rule_id=plan.rule_id,
            source_id=plan.source_id, copy_id=plan.copy_id, snapshot_name=plan.snapshot_name,
            final_snapshot_name=plan.final_snapshot_name, params=dict(plan.params),
            diff=tuple(plan.diff_lines()), auth_secret=self.secret,
            source_fingerprint=fingerprint_of(described), requester="U_DEV",
        )  # fmt: skip
        return approve(rebuild, "U_SEC", _now())

    def group(self, group_id: str) -> dict[str, Any] | None:
        groups = self.elasticache.describe_replication_groups()["ReplicationGroups"]
        return next((g for g in groups if g["ReplicationGroupId"] == group_id), None)

    def snapshots(self) -> list[str]:
        return [s["SnapshotName"] for s in self.elasticache.describe_snapshots()["Snapshots"]]

    def drive(
        self, rebuild: Rebuild, *, crash_each_step: bool = False, stop: RebuildPhase | None = None
    ) -> Rebuild:
        for _ in range(60):
            if rebuild.phase not in WORKING or rebuild.phase is stop:
                return rebuild
            if crash_each_step:
                run_step(self.tools, rebuild)  # AWS answered, the worker died before saving
            result: StepResult = run_step(self.tools, rebuild)
            rebuild = result.rebuild
        raise AssertionError(f"rebuild stuck in {rebuild.phase}")


@pytest.fixture
def world(env: str) -> World:
    return World(env)


def test_request_to_verified_copy_with_a_crash_at_every_step(world: World) -> None:
    rebuild = world.drive(world.approved_rebuild(), crash_each_step=True)
    assert rebuild.phase is RebuildPhase.CUTOVER_READY, rebuild.problem
    copy = world.group(rebuild.copy_id)
    assert copy is not None and copy["AtRestEncryptionEnabled"] is True
    assert copy["AuthTokenEnabled"] is True and copy["TransitEncryptionEnabled"] is True
    assert copy["SnapshotRetentionLimit"] == 5 and copy["AutomaticFailover"] == "enabled"
    assert world.snapshots().count(rebuild.snapshot_name) == 1
    events = [event for event, _ in world.audit]
    # each re-run after a "crash" found the snapshot and the copy and created neither again
    assert events.count("rebuild.snapshot_started") == 1
    assert events.count("rebuild.copy_started") == 1
    assert rebuild.endpoints and all(rebuild.copy_id in e for e in rebuild.endpoints)
    assert world.group(world.source) is not None
    assert TOKEN not in repr(rebuild) and TOKEN not in repr(world.audit)


def test_denied_delete_keeps_both_then_an_approved_one_keeps_a_final_snapshot(world: World) -> None:
    rebuild = world.drive(world.approved_rebuild())
    asked = request_delete(rebuild, "U_DEV", _now())
    kept = decide_delete(asked, "U_SEC", _now(), approved=False)
    assert kept.phase is RebuildPhase.CUTOVER_READY
    assert world.group(world.source) and world.group(rebuild.copy_id)

    deleting = decide_delete(request_delete(kept, "U_DEV", _now()), "U_SEC", _now(), approved=True)
    done = world.drive(deleting)
    assert done.phase is RebuildPhase.DONE
    assert world.group(world.source) is None and world.group(rebuild.copy_id) is not None
    assert rebuild.final_snapshot_name in world.snapshots()


def test_cancel_while_creating_leaves_only_the_source(world: World) -> None:
    before = set(world.snapshots())
    creating = world.drive(world.approved_rebuild(), stop=RebuildPhase.CREATING)
    assert world.group(creating.copy_id) is not None
    cancelled = world.drive(cancel(creating, "U_SEC", _now()))
    assert cancelled.phase is RebuildPhase.CANCELLED
    assert world.group(creating.copy_id) is None
    assert set(world.snapshots()) == before
    assert world.group(world.source) is not None


def test_a_changed_source_is_refused(world: World) -> None:
    rebuild = world.approved_rebuild()
    world.elasticache.modify_replication_group(
        ReplicationGroupId=world.source, SnapshotRetentionLimit=1, ApplyImmediately=True
    )
    for _ in range(4):
        world.group(world.source)
    failed = world.drive(rebuild)
    assert failed.phase is RebuildPhase.FAILED and "changed since the request" in failed.problem
    assert rebuild.snapshot_name not in world.snapshots()


def test_the_requester_cannot_approve_or_cancel_created_resources_alone(world: World) -> None:
    rebuild = world.approved_rebuild()
    from posture.rebuilds import RebuildRefused

    with pytest.raises(RebuildRefused):
        approve(rebuild.model_copy(update={"phase": RebuildPhase.REQUESTED}), "U_DEV", _now())
    snapshotting = world.drive(rebuild, stop=RebuildPhase.SNAPSHOTTING)
    with pytest.raises(RebuildRefused):
        cancel(snapshotting, "U_DEV", _now())

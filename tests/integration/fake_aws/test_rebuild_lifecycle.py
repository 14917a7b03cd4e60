"""What the fake AWS learnt for rebuilds: snapshots and restores take describes to finish,
a restore may choose a new KMS key, subnet group and port, and a delete can keep a final
snapshot. Injected failures reach each call."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox.fake_aws import clear_faults, inject_fault
from tests.integration.fake_aws.helpers import client, create_group, error_code, unique

pytestmark = pytest.mark.integration
REGION = "eu-north-1"


@pytest.fixture
def elasticache(fake_aws: str) -> Any:
    return client(fake_aws, "elasticache", REGION)


def _snapshot_status(elasticache: Any, name: str) -> str:
    return str(elasticache.describe_snapshots(SnapshotName=name)["Snapshots"][0]["SnapshotStatus"])


def _group_status(elasticache: Any, group_id: str) -> str:
    groups = elasticache.describe_replication_groups(ReplicationGroupId=group_id)
    return str(groups["ReplicationGroups"][0]["Status"])


def _subnet_group(fake_aws: str, elasticache: Any) -> str:
    ec2 = client(fake_aws, "ec2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    name = unique("private")
    elasticache.create_cache_subnet_group(
        CacheSubnetGroupName=name, CacheSubnetGroupDescription="rebuild", SubnetIds=[subnet]
    )
    return name


def test_restore_from_snapshot_with_new_key_subnet_group_and_port(
    fake_aws: str, elasticache: Any
) -> None:
    source = create_group(elasticache)["ReplicationGroupId"]
    snapshot = unique("snap")
    created = elasticache.create_snapshot(ReplicationGroupId=source, SnapshotName=snapshot)
    assert created["Snapshot"]["SnapshotStatus"] == "creating"
    copy, key = unique("copy"), client(fake_aws, "kms", REGION).create_key()["KeyMetadata"]["Arn"]
    restore = {
        "ReplicationGroupId": copy,
        "ReplicationGroupDescription": "copy",
        "SnapshotName": snapshot,
        "Engine": "redis",
        "NumCacheClusters": 2,
        "AtRestEncryptionEnabled": True,
        "KmsKeyId": key,
        "CacheSubnetGroupName": _subnet_group(fake_aws, elasticache),
        "Port": 16379,
    }
    with pytest.raises(ClientError) as early:
        elasticache.create_replication_group(**restore)
    assert error_code(early.value) == "InvalidSnapshotState"
    statuses = [_snapshot_status(elasticache, snapshot) for _ in range(3)]
    assert statuses[0] == "creating" and statuses[-1] == "available"

    group = elasticache.create_replication_group(**restore)["ReplicationGroup"]
    assert group["Status"] == "creating"
    seen = [_group_status(elasticache, copy) for _ in range(3)]
    assert seen[0] == "creating" and seen[-1] == "available"
    described = elasticache.describe_replication_groups(ReplicationGroupId=copy)
    final = described["ReplicationGroups"][0]
    assert final["KmsKeyId"] == key and final["AtRestEncryptionEnabled"] is True
    assert final["NodeGroups"][0]["PrimaryEndpoint"]["Port"] == 16379


def test_delete_keeps_a_final_snapshot(elasticache: Any) -> None:
    source = create_group(elasticache)["ReplicationGroupId"]
    final = unique("final")
    elasticache.delete_replication_group(ReplicationGroupId=source, FinalSnapshotIdentifier=final)
    kept = elasticache.describe_snapshots(SnapshotName=final)["Snapshots"][0]
    assert kept["ReplicationGroupId"] == source


def test_injected_failure_reaches_the_restore(fake_aws: str, elasticache: Any) -> None:
    source = create_group(elasticache)["ReplicationGroupId"]
    inject_fault(
        fake_aws, "elasticache", "InsufficientCacheClusterCapacity", operation="CreateSnapshot"
    )
    try:
        with pytest.raises(ClientError) as failed:
            elasticache.create_snapshot(ReplicationGroupId=source, SnapshotName=unique("s"))
        assert error_code(failed.value) == "InsufficientCacheClusterCapacity"
    finally:
        clear_faults(fake_aws)

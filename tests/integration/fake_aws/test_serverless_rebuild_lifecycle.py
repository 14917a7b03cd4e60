"""What the fake AWS learnt for serverless rebuilds (moto 5.2.5 has no serverless snapshots
or restores): a snapshot and a restore take describes to finish, the restore takes the
create call's KMS key, subnets and limits, a delete can keep a final snapshot, calls on a
cache or snapshot in the wrong state are refused, and injected failures reach each call."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox.fake_aws import clear_faults, inject_fault
from tests.integration.fake_aws.helpers import client, error_code, unique

pytestmark = pytest.mark.integration
REGION = "eu-north-1"
LIMITS = {"DataStorage": {"Maximum": 5, "Unit": "GB"}, "ECPUPerSecond": {"Maximum": 3000}}


@pytest.fixture
def elasticache(fake_aws: str) -> Any:
    return client(fake_aws, "elasticache", REGION)


def _snapshot(elasticache: Any, name: str) -> dict[str, Any]:
    answer = elasticache.describe_serverless_cache_snapshots(ServerlessCacheSnapshotName=name)
    return dict(answer["ServerlessCacheSnapshots"][0])


def _cache(elasticache: Any, name: str) -> dict[str, Any]:
    answer = elasticache.describe_serverless_caches(ServerlessCacheName=name)
    return dict(answer["ServerlessCaches"][0])


def _until_available(read: Any, status: str = "Status") -> list[str]:
    seen = [read()[status] for _ in range(6)]
    assert seen[0] == "creating" and seen[-1] == "available", seen
    return seen


def _subnets(fake_aws: str) -> list[str]:
    ec2 = client(fake_aws, "ec2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.41.{n}.0/24")["Subnet"]["SubnetId"]
        for n in (1, 2)
    ]


def test_snapshot_then_restore_into_a_new_cache_with_a_new_key(
    fake_aws: str, elasticache: Any
) -> None:
    source, snapshot = unique("sls"), unique("snap")
    elasticache.create_serverless_cache(ServerlessCacheName=source, Engine="valkey")
    created = elasticache.create_serverless_cache_snapshot(
        ServerlessCacheName=source, ServerlessCacheSnapshotName=snapshot,
        Tags=[{"Key": "cachewarden:rebuild", "Value": "r1"}],
    )["ServerlessCacheSnapshot"]  # fmt: skip
    assert created["Status"] == "creating"
    key = client(fake_aws, "kms", REGION).create_key()["KeyMetadata"]["Arn"]
    copy, subnets = unique("copy"), _subnets(fake_aws)
    restore = {
        "ServerlessCacheName": copy, "Engine": "valkey", "SnapshotArnsToRestore": [created["ARN"]],
        "KmsKeyId": key, "SubnetIds": subnets, "CacheUsageLimits": LIMITS,
    }  # fmt: skip
    with pytest.raises(ClientError) as early:
        elasticache.create_serverless_cache(**restore)
    assert error_code(early.value) == "InvalidParameterValue"
    with pytest.raises(ClientError) as busy:
        elasticache.delete_serverless_cache_snapshot(ServerlessCacheSnapshotName=snapshot)
    assert error_code(busy.value) == "InvalidServerlessCacheSnapshotStateFault"
    _until_available(lambda: _snapshot(elasticache, snapshot))
    tags = elasticache.list_tags_for_resource(ResourceName=created["ARN"])["TagList"]
    assert tags == [{"Key": "cachewarden:rebuild", "Value": "r1"}]

    answer = elasticache.create_serverless_cache(**restore)["ServerlessCache"]
    assert answer["Status"] == "creating"
    with pytest.raises(ClientError) as not_ready:
        elasticache.delete_serverless_cache(ServerlessCacheName=copy)
    assert error_code(not_ready.value) == "InvalidServerlessCacheStateFault"
    _until_available(lambda: _cache(elasticache, copy))
    final = _cache(elasticache, copy)
    assert final["KmsKeyId"] == key and final["SubnetIds"] == subnets
    assert final["CacheUsageLimits"] == LIMITS
    assert final["Endpoint"]["Address"] != _cache(elasticache, source)["Endpoint"]["Address"]


def test_a_restore_of_another_engine_or_an_unknown_snapshot_is_refused(
    elasticache: Any,
) -> None:
    source, snapshot = unique("mc"), unique("snap")
    elasticache.create_serverless_cache(ServerlessCacheName=source, Engine="memcached")
    arn = elasticache.create_serverless_cache_snapshot(
        ServerlessCacheName=source, ServerlessCacheSnapshotName=snapshot
    )["ServerlessCacheSnapshot"]["ARN"]
    _until_available(lambda: _snapshot(elasticache, snapshot))
    with pytest.raises(ClientError) as other:
        elasticache.create_serverless_cache(
            ServerlessCacheName=unique("c"), Engine="valkey", SnapshotArnsToRestore=[arn]
        )
    assert error_code(other.value) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as unknown:
        elasticache.create_serverless_cache(
            ServerlessCacheName=unique("c"), Engine="valkey",
            SnapshotArnsToRestore=[arn.replace(snapshot, "nope")],
        )  # fmt: skip
    assert error_code(unknown.value) == "InvalidParameterValue"


def test_delete_keeps_a_final_snapshot(elasticache: Any) -> None:
    source, final = unique("sls"), unique("final")
    elasticache.create_serverless_cache(ServerlessCacheName=source, Engine="redis")
    elasticache.delete_serverless_cache(ServerlessCacheName=source, FinalSnapshotName=final)
    kept = _snapshot(elasticache, final)
    assert kept["ServerlessCacheConfiguration"]["ServerlessCacheName"] == source
    with pytest.raises(ClientError) as gone:
        _cache(elasticache, source)
    assert error_code(gone.value) == "ServerlessCacheNotFoundFault"


def test_a_standalone_delete_keeps_a_final_snapshot(elasticache: Any) -> None:
    source, final = unique("solo"), unique("final")
    elasticache.create_cache_cluster(
        CacheClusterId=source, Engine="redis", CacheNodeType="cache.t4g.small", NumCacheNodes=1
    )
    elasticache.delete_cache_cluster(CacheClusterId=source, FinalSnapshotIdentifier=final)
    assert (
        elasticache.describe_snapshots(SnapshotName=final)["Snapshots"][0]["CacheClusterId"]
        == source
    )


def test_injected_failure_reaches_the_serverless_calls(fake_aws: str, elasticache: Any) -> None:
    source = unique("sls")
    elasticache.create_serverless_cache(ServerlessCacheName=source, Engine="valkey")
    inject_fault(
        fake_aws, "elasticache", "ServerlessCacheSnapshotQuotaExceededFault",
        operation="CreateServerlessCacheSnapshot",
    )  # fmt: skip
    try:
        with pytest.raises(ClientError) as failed:
            elasticache.create_serverless_cache_snapshot(
                ServerlessCacheName=source, ServerlessCacheSnapshotName=unique("s")
            )
        assert error_code(failed.value) == "ServerlessCacheSnapshotQuotaExceededFault"
    finally:
        clear_faults(fake_aws)

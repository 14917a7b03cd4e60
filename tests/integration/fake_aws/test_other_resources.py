"""Serverless caches, standalone clusters, snapshots, reserved nodes, state endpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox.fake_aws import group_state, patch_group, seed_reserved_node
from tests.integration.fake_aws.helpers import ACCOUNT, client, create_group, error_code, unique

pytestmark = pytest.mark.integration
REGION = "eu-central-1"


@pytest.fixture
def elasticache(fake_aws: str) -> Any:
    return client(fake_aws, "elasticache", REGION)


def test_serverless_caches_by_engine(elasticache: Any) -> None:
    group_id = unique("ug")
    elasticache.create_user_group(UserGroupId=group_id, Engine="valkey", UserIds=["default"])
    valkey = elasticache.create_serverless_cache(
        ServerlessCacheName=unique("sv"), Engine="valkey", UserGroupId=group_id
    )["ServerlessCache"]
    assert valkey["Endpoint"]["Port"] == 6379
    assert valkey["UserGroupId"] == group_id
    assert valkey["SecurityGroupIds"] and valkey["SubnetIds"]
    memcached = elasticache.create_serverless_cache(
        ServerlessCacheName=unique("sm"), Engine="memcached"
    )["ServerlessCache"]
    assert memcached["Endpoint"]["Port"] == 11211
    with pytest.raises(ClientError) as error:
        elasticache.create_serverless_cache(
            ServerlessCacheName=unique("sm"), Engine="memcached", UserGroupId=group_id
        )
    assert error_code(error.value) == "InvalidParameterCombination"
    elasticache.modify_serverless_cache(
        ServerlessCacheName=valkey["ServerlessCacheName"], RemoveUserGroup=True
    )
    described = elasticache.describe_serverless_caches(
        ServerlessCacheName=valkey["ServerlessCacheName"]
    )
    assert "UserGroupId" not in described["ServerlessCaches"][0]


def test_standalone_clusters_and_modify_cache_cluster(elasticache: Any) -> None:
    cluster_id = unique("mc")
    cluster = elasticache.create_cache_cluster(
        CacheClusterId=cluster_id, Engine="memcached", CacheNodeType="cache.t4g.small",
        NumCacheNodes=3, TransitEncryptionEnabled=True,
    )["CacheCluster"]  # fmt: skip
    assert cluster["NumCacheNodes"] == 3
    described = elasticache.describe_cache_clusters(
        CacheClusterId=cluster_id, ShowCacheNodeInfo=True
    )
    nodes = described["CacheClusters"][0]["CacheNodes"]
    assert [n["Endpoint"]["Port"] for n in nodes] == [11211] * 3
    changed = elasticache.modify_cache_cluster(
        CacheClusterId=cluster_id, AutoMinorVersionUpgrade=False
    )
    assert changed["CacheCluster"]["AutoMinorVersionUpgrade"] is False
    with pytest.raises(ClientError) as error:
        elasticache.create_cache_cluster(
            CacheClusterId=unique("mc"), Engine="memcached", EngineVersion="1.6.6",
            CacheNodeType="cache.t4g.small", TransitEncryptionEnabled=True,
        )  # fmt: skip
    assert error_code(error.value) == "InvalidParameterCombination"
    standalone = elasticache.describe_cache_clusters(ShowCacheClustersNotInReplicationGroups=True)
    assert all("ReplicationGroupId" not in c for c in standalone["CacheClusters"])


def test_snapshots_keep_their_kms_key(fake_aws: str, elasticache: Any) -> None:
    key = client(fake_aws, "kms", REGION).create_key()["KeyMetadata"]["Arn"]
    group_id = create_group(elasticache)["ReplicationGroupId"]
    elasticache.create_snapshot(ReplicationGroupId=group_id, SnapshotName=unique("s"), KmsKeyId=key)
    snapshots = elasticache.describe_snapshots(ReplicationGroupId=group_id)["Snapshots"]
    assert snapshots[0]["KmsKeyId"] == key
    with pytest.raises(ClientError) as error:
        elasticache.create_snapshot(
            ReplicationGroupId=group_id, SnapshotName=unique("s"), KmsKeyId="not-a-key"
        )
    assert error_code(error.value) == "InvalidKMSKeyFault"


def test_reserved_nodes_purchased_and_seeded(fake_aws: str, elasticache: Any) -> None:
    offering = elasticache.describe_reserved_cache_nodes_offerings(
        CacheNodeType="cache.m6g.large", Duration="1", ProductDescription="redis",
        OfferingType="No Upfront",
    )["ReservedCacheNodesOfferings"][0]  # fmt: skip
    bought = elasticache.purchase_reserved_cache_nodes_offering(
        ReservedCacheNodesOfferingId=offering["ReservedCacheNodesOfferingId"],
        ReservedCacheNodeId="ri-bought",
    )["ReservedCacheNode"]
    assert (bought["State"], bought["Duration"]) == ("active", 31_536_000)
    start = datetime.now(UTC) - timedelta(days=360)
    seed_reserved_node(
        fake_aws, ACCOUNT, REGION,
        {"reserved_cache_node_id": "ri-failed", "cache_node_type": "cache.r7g.large",
         "state": "payment-failed", "start_time": start.isoformat(), "duration": 1},
    )  # fmt: skip
    failed = elasticache.describe_reserved_cache_nodes(ReservedCacheNodeId="ri-failed")
    node = failed["ReservedCacheNodes"][0]
    assert node["State"] == "payment-failed"
    assert abs((node["StartTime"] - start).total_seconds()) < 1
    all_nodes = elasticache.describe_reserved_cache_nodes()["ReservedCacheNodes"]
    assert {n["ReservedCacheNodeId"] for n in all_nodes} == {"ri-bought", "ri-failed"}


def test_state_endpoint_reads_and_seeds(fake_aws: str, elasticache: Any) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    state = group_state(fake_aws, ACCOUNT, REGION, group_id)
    assert state["status"] == "available"
    assert state["transit_encryption_mode"] == "required"
    assert state["member_clusters"] == [f"{group_id}-001", f"{group_id}-002"]
    old = datetime(2024, 1, 2, tzinfo=UTC)
    patch_group(
        fake_aws, ACCOUNT, REGION, group_id, {"auth_token_last_modified_date": old.isoformat()}
    )
    described = elasticache.describe_replication_groups(ReplicationGroupId=group_id)
    assert described["ReplicationGroups"][0]["AuthTokenLastModifiedDate"] == old


def test_serverless_backups_outlive_their_cache(elasticache: Any) -> None:
    name = unique("sb")
    cache = elasticache.create_serverless_cache(ServerlessCacheName=name, Engine="valkey")
    assert cache["ServerlessCache"]["ReaderEndpoint"]["Port"] == 6380
    elasticache.create_serverless_cache_snapshot(
        ServerlessCacheSnapshotName=f"{name}-keep", ServerlessCacheName=name
    )
    elasticache.delete_serverless_cache(ServerlessCacheName=name)

    listed = elasticache.describe_serverless_cache_snapshots(
        ServerlessCacheName=name, SnapshotType="manual"
    )["ServerlessCacheSnapshots"]
    assert [s["ServerlessCacheSnapshotName"] for s in listed] == [f"{name}-keep"]
    assert listed[0]["ServerlessCacheConfiguration"]["ServerlessCacheName"] == name
    # a snapshot is `creating` for a few describes (as on AWS) and cannot be deleted before
    for _ in range(5):
        described = elasticache.describe_serverless_cache_snapshots(
            ServerlessCacheSnapshotName=f"{name}-keep"
        )["ServerlessCacheSnapshots"][0]
    assert described["Status"] == "available"
    elasticache.delete_serverless_cache_snapshot(ServerlessCacheSnapshotName=f"{name}-keep")
    with pytest.raises(ClientError) as error:
        elasticache.describe_serverless_cache_snapshots(ServerlessCacheSnapshotName=f"{name}-keep")
    assert error_code(error.value) == "ServerlessCacheSnapshotNotFoundFault"


def test_manual_snapshot_of_a_deleted_group_remains(elasticache: Any) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    elasticache.create_snapshot(ReplicationGroupId=group_id, SnapshotName=f"{group_id}-final")
    elasticache.delete_replication_group(ReplicationGroupId=group_id)

    (snapshot,) = elasticache.describe_snapshots(SnapshotName=f"{group_id}-final")["Snapshots"]
    assert (snapshot["ReplicationGroupId"], snapshot["SnapshotSource"]) == (group_id, "manual")


def test_global_datastore_membership_can_be_seeded(fake_aws: str, elasticache: Any) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    info = {"GlobalReplicationGroupId": "ldgnf-x", "GlobalReplicationGroupMemberRole": "PRIMARY"}
    patch_group(fake_aws, ACCOUNT, REGION, group_id, {"global_replication_group_info": info})

    (group,) = elasticache.describe_replication_groups(ReplicationGroupId=group_id)[
        "ReplicationGroups"
    ]
    assert group["GlobalReplicationGroupInfo"] == info

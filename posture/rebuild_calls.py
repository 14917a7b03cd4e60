"""What a rebuild calls, per kind of source: operation names and their parameters. Pure;
the worker (workers/rebuilds/kinds.py) adds the describe calls, the approval messages show
the same calls.

replication group  CreateSnapshot(ReplicationGroupId) -> CreateReplicationGroup(SnapshotName)
                   -> DeleteReplicationGroup(FinalSnapshotIdentifier)
standalone cluster CreateSnapshot(CacheClusterId) -> CreateReplicationGroup(SnapshotName,
                   one node) -> DeleteCacheCluster(FinalSnapshotIdentifier)
serverless cache   CreateServerlessCacheSnapshot -> CreateServerlessCache(SnapshotArnsToRestore)
                   -> DeleteServerlessCache(FinalSnapshotName)
Cancel deletes the copy (DeleteReplicationGroup / DeleteServerlessCache) and the snapshot
(DeleteSnapshot / DeleteServerlessCacheSnapshot), only when they carry the rebuild's tag.

https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateSnapshot.html
https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DeleteCacheCluster.html
https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateServerlessCacheSnapshot.html
https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateServerlessCache.html
https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DeleteServerlessCache.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from posture.base import ResourceKind

# Settings that must not change between the request and the work, per kind.
GROUP_FIELDS = (
    "Engine", "CacheNodeType", "ClusterEnabled", "AtRestEncryptionEnabled", "KmsKeyId",
    "TransitEncryptionEnabled", "TransitEncryptionMode", "AuthTokenEnabled",
    "AuthTokenLastModifiedDate", "UserGroupIds", "AutomaticFailover", "MultiAZ",
    "SnapshotRetentionLimit", "SnapshotWindow", "LogDeliveryConfigurations", "MemberClusters",
)  # fmt: skip
CLUSTER_FIELDS = (
    "Engine", "EngineVersion", "CacheNodeType", "AtRestEncryptionEnabled",
    "TransitEncryptionEnabled", "TransitEncryptionMode", "AuthTokenEnabled",
    "AuthTokenLastModifiedDate", "SnapshotRetentionLimit", "SnapshotWindow",
    "CacheSubnetGroupName", "SecurityGroups", "LogDeliveryConfigurations",
)  # fmt: skip
SERVERLESS_FIELDS = (
    "Engine", "MajorEngineVersion", "KmsKeyId", "SecurityGroupIds", "SubnetIds", "UserGroupId",
    "CacheUsageLimits", "SnapshotRetentionLimit", "DailySnapshotTime",
)  # fmt: skip


@dataclass(frozen=True)
class RebuildCalls:
    """How one kind of source is snapshotted, copied and deleted."""

    source_kind: ResourceKind
    copy_kind: ResourceKind
    fields: tuple[str, ...]
    snapshot_op: str
    create_op: str
    delete_source_op: str
    delete_copy_op: str
    delete_snapshot_op: str
    snapshot_item: str  # the `created` entry's prefix for the snapshot
    copy_item: str

    def source_status(self, source: dict[str, Any]) -> str:
        return str(source.get("CacheClusterStatus") or source.get("Status") or "")

    def snapshot_params(self, source_id: str, name: str, tags: list[Any]) -> dict[str, Any]:
        if self.source_kind is ResourceKind.SERVERLESS_CACHE:
            return {
                "ServerlessCacheName": source_id,
                "ServerlessCacheSnapshotName": name,
                "Tags": tags,
            }
        source = "CacheClusterId" if self.source_kind is ResourceKind.CACHE_CLUSTER else None
        return {source or "ReplicationGroupId": source_id, "SnapshotName": name, "Tags": tags}

    def create_params(
        self, params: dict[str, Any], copy_id: str, description: str, snapshot: dict[str, Any]
    ) -> dict[str, Any]:
        if self.copy_kind is ResourceKind.SERVERLESS_CACHE:
            return {
                **params,
                "ServerlessCacheName": copy_id,
                "Description": params.get("Description") or description,
                "SnapshotArnsToRestore": [snapshot["ARN"]],
            }
        return {
            **params,
            "ReplicationGroupId": copy_id,
            "ReplicationGroupDescription": description,
            "SnapshotName": snapshot.get("SnapshotName"),
        }

    def delete_source_params(self, source_id: str, final: str) -> dict[str, Any]:
        if self.source_kind is ResourceKind.SERVERLESS_CACHE:
            return {"ServerlessCacheName": source_id, "FinalSnapshotName": final}
        if self.source_kind is ResourceKind.CACHE_CLUSTER:
            return {"CacheClusterId": source_id, "FinalSnapshotIdentifier": final}
        return {"ReplicationGroupId": source_id, "FinalSnapshotIdentifier": final}

    def delete_copy_params(self, copy_id: str) -> dict[str, Any]:
        if self.copy_kind is ResourceKind.SERVERLESS_CACHE:
            return {"ServerlessCacheName": copy_id}
        return {"ReplicationGroupId": copy_id}

    def delete_snapshot_params(self, name: str) -> dict[str, Any]:
        if self.copy_kind is ResourceKind.SERVERLESS_CACHE:
            return {"ServerlessCacheSnapshotName": name}
        return {"SnapshotName": name}


GROUP = RebuildCalls(
    ResourceKind.REPLICATION_GROUP, ResourceKind.REPLICATION_GROUP, GROUP_FIELDS,
    "CreateSnapshot", "CreateReplicationGroup", "DeleteReplicationGroup",
    "DeleteReplicationGroup", "DeleteSnapshot", "snapshot", "replication_group",
)  # fmt: skip
STANDALONE = RebuildCalls(
    ResourceKind.CACHE_CLUSTER, ResourceKind.REPLICATION_GROUP, CLUSTER_FIELDS,
    "CreateSnapshot", "CreateReplicationGroup", "DeleteCacheCluster",
    "DeleteReplicationGroup", "DeleteSnapshot", "snapshot", "replication_group",
)  # fmt: skip
SERVERLESS = RebuildCalls(
    ResourceKind.SERVERLESS_CACHE, ResourceKind.SERVERLESS_CACHE, SERVERLESS_FIELDS,
    "CreateServerlessCacheSnapshot", "CreateServerlessCache", "DeleteServerlessCache",
    "DeleteServerlessCache", "DeleteServerlessCacheSnapshot", "serverless_snapshot",
    "serverless_cache",
)  # fmt: skip
KINDS = {kind.source_kind: kind for kind in (GROUP, STANDALONE, SERVERLESS)}


def calls_for(source_kind: ResourceKind) -> RebuildCalls:
    return KINDS[source_kind]


def endpoints_of(copy: dict[str, Any]) -> tuple[str, ...]:
    """host:port of every endpoint the copy has (all of them are new names)."""
    found = []
    for key in ("ConfigurationEndpoint", "Endpoint", "ReaderEndpoint"):
        if copy.get(key):
            found.append(f"{copy[key]['Address']}:{copy[key]['Port']}")
    for node_group in copy.get("NodeGroups") or []:
        for key in ("PrimaryEndpoint", "ReaderEndpoint"):
            if node_group.get(key):
                found.append(f"{node_group[key]['Address']}:{node_group[key]['Port']}")
    return tuple(found)

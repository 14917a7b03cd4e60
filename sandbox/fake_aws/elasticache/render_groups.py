"""Replication groups and their member clusters as the API returns them (PascalCase)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.fake_aws.elasticache import naming
from sandbox.fake_aws.elasticache.records import ReplicationGroupRecord
from sandbox.fake_aws.elasticache.store import ElastiCacheStore

HASH_SLOTS = 16384


@dataclass(frozen=True)
class Member:
    cluster_id: str
    shard_id: str
    role: str
    availability_zone: str


def members_of(group: ReplicationGroupRecord) -> list[Member]:
    ids = naming.member_cluster_ids(
        group.replication_group_id,
        group.cluster_mode,
        group.num_node_groups,
        group.replicas_per_node_group,
    )
    zones = group.availability_zones
    return [
        Member(cluster_id, shard, role, zones[index % len(zones)])
        for index, (cluster_id, shard, role) in enumerate(ids)
    ]


def group_host(store: ElastiCacheStore, group: ReplicationGroupRecord) -> str:
    return naming.host(group.replication_group_id, group.domain_token, store.region)


def shown(group: ReplicationGroupRecord, attribute: str) -> Any:
    """The value describe shows: transient values while a change applies win."""
    if group.pending is not None and attribute in group.pending.during:
        return group.pending.during[attribute]
    return getattr(group, attribute)


def _slots(shard_index: int, shards: int) -> str:
    size = HASH_SLOTS // shards
    start = shard_index * size
    end = HASH_SLOTS - 1 if shard_index == shards - 1 else start + size - 1
    return f"{start}-{end}"


def _endpoint(address: str, port: int) -> dict[str, Any]:
    return {"Address": address, "Port": port}


def _member_entry(
    store: ElastiCacheStore, group: ReplicationGroupRecord, member: Member
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "CacheClusterId": member.cluster_id,
        "CacheNodeId": "0001",
        "PreferredAvailabilityZone": member.availability_zone,
    }
    if not group.cluster_mode:
        host = f"{member.cluster_id}.{group_host(store, group)}"
        entry["ReadEndpoint"] = _endpoint(host, group.port)
        entry["CurrentRole"] = member.role
    return entry


def node_groups(store: ElastiCacheStore, group: ReplicationGroupRecord) -> list[dict[str, Any]]:
    members = members_of(group)
    host = group_host(store, group)
    result = []
    for index in range(group.num_node_groups):
        shard_id = f"{index + 1:04d}"
        entry: dict[str, Any] = {
            "NodeGroupId": shard_id,
            "Status": "available" if group.status != "creating" else "creating",
            "NodeGroupMembers": [
                _member_entry(store, group, m) for m in members if m.shard_id == shard_id
            ],
        }
        if group.cluster_mode:
            entry["Slots"] = _slots(index, group.num_node_groups)
        else:
            entry["PrimaryEndpoint"] = _endpoint(f"master.{host}", group.port)
            entry["ReaderEndpoint"] = _endpoint(f"replica.{host}", group.port)
        result.append(entry)
    return result


def storage_encryption_type(at_rest: bool, kms_key_id: str | None) -> str | None:
    if not at_rest:
        return None
    return "sse-kms" if kms_key_id else "sse-elasticache"


def render_replication_group(
    store: ElastiCacheStore, group: ReplicationGroupRecord
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ReplicationGroupId": group.replication_group_id,
        "Description": group.description,
        "GlobalReplicationGroupInfo": dict(group.global_replication_group_info or {}),
        "Status": group.status,
        "PendingModifiedValues": dict(group.pending.shown) if group.pending else {},
        "MemberClusters": [m.cluster_id for m in members_of(group)],
        "NodeGroups": node_groups(store, group),
        "AutomaticFailover": shown(group, "automatic_failover"),
        "MultiAZ": shown(group, "multi_az"),
        "SnapshotRetentionLimit": group.snapshot_retention_limit,
        "SnapshotWindow": group.snapshot_window,
        "ClusterEnabled": group.cluster_mode,
        "CacheNodeType": group.cache_node_type,
        "AuthTokenEnabled": bool(group.auth_tokens),
        "TransitEncryptionEnabled": group.transit_encryption_enabled,
        "AtRestEncryptionEnabled": group.at_rest_encryption_enabled,
        "ARN": group.arn,
        "UserGroupIds": list(group.user_group_ids),
        "LogDeliveryConfigurations": [dict(c) for c in group.log_delivery_configurations],
        "ReplicationGroupCreateTime": group.create_time,
        "DataTiering": "disabled",
        "AutoMinorVersionUpgrade": group.auto_minor_version_upgrade,
        "NetworkType": "ipv4",
        "IpDiscovery": "ipv4",
        "ClusterMode": "enabled" if group.cluster_mode else "disabled",
        "Engine": group.engine,
    }
    _add_optional_group_fields(store, group, result)
    return result


def _add_optional_group_fields(
    store: ElastiCacheStore, group: ReplicationGroupRecord, result: dict[str, Any]
) -> None:
    if group.snapshot_retention_limit > 0:
        members = members_of(group)
        result["SnapshottingClusterId"] = members[min(1, len(members) - 1)].cluster_id
    if group.cluster_mode:
        result["ConfigurationEndpoint"] = _endpoint(
            f"clustercfg.{group_host(store, group)}", group.port
        )
    if group.auth_token_last_modified_date is not None:
        result["AuthTokenLastModifiedDate"] = group.auth_token_last_modified_date
    if group.transit_encryption_enabled and group.transit_encryption_mode:
        result["TransitEncryptionMode"] = group.transit_encryption_mode
    if group.kms_key_id:
        result["KmsKeyId"] = group.kms_key_id
    storage = storage_encryption_type(group.at_rest_encryption_enabled, group.kms_key_id)
    if storage:
        result["StorageEncryptionType"] = storage

"""Users, user groups, serverless caches, snapshots, reserved nodes and subnet groups
as the API returns them."""

from __future__ import annotations

from typing import Any

from sandbox.fake_aws.elasticache import naming
from sandbox.fake_aws.elasticache.records import (
    ReservedNodeRecord,
    ServerlessCacheRecord,
    SnapshotRecord,
    SubnetGroupRecord,
    UserGroupRecord,
    UserRecord,
)
from sandbox.fake_aws.elasticache.store import ElastiCacheStore

SERVERLESS_READER_PORT = 6380


def render_user(store: ElastiCacheStore, user: UserRecord) -> dict[str, Any]:
    authentication: dict[str, Any] = {"Type": user.authentication_type}
    if user.authentication_type == "password":
        authentication["PasswordCount"] = len(user.passwords)
    return {
        "UserId": user.user_id,
        "UserName": user.user_name,
        "Status": user.status,
        "Engine": user.engine,
        "MinimumEngineVersion": user.minimum_engine_version,
        "AccessString": user.access_string,
        "UserGroupIds": [
            group.user_group_id
            for group in store.user_groups.values()
            if user.user_id in group.user_ids
        ],
        "Authentication": authentication,
        "ARN": user.arn,
    }


def render_user_group(store: ElastiCacheStore, group: UserGroupRecord) -> dict[str, Any]:
    return {
        "UserGroupId": group.user_group_id,
        "Status": group.status,
        "Engine": group.engine,
        "UserIds": list(group.user_ids),
        "MinimumEngineVersion": group.minimum_engine_version,
        "ReplicationGroups": [
            rg.replication_group_id
            for rg in store.replication_groups.values()
            if group.user_group_id in rg.user_group_ids
        ],
        "ServerlessCaches": [
            cache.serverless_cache_name
            for cache in store.serverless_caches.values()
            if cache.user_group_id == group.user_group_id
        ],
        "ARN": group.arn,
    }


def serverless_port(engine: str) -> int:
    return naming.DEFAULT_PORTS[engine]


def render_serverless(store: ElastiCacheStore, cache: ServerlessCacheRecord) -> dict[str, Any]:
    address = (
        f"{cache.serverless_cache_name}-{cache.domain_token}.serverless."
        f"{naming.region_short(store.region)}.cache.amazonaws.com"
    )
    result: dict[str, Any] = {
        "ServerlessCacheName": cache.serverless_cache_name,
        "Description": cache.description,
        "CreateTime": cache.create_time,
        "Status": cache.status,
        "Engine": cache.engine,
        "MajorEngineVersion": cache.major_engine_version,
        "FullEngineVersion": cache.full_engine_version,
        "SecurityGroupIds": list(cache.security_group_ids),
        "Endpoint": {"Address": address, "Port": serverless_port(cache.engine)},
        "ARN": cache.arn,
        "SubnetIds": list(cache.subnet_ids),
        "SnapshotRetentionLimit": cache.snapshot_retention_limit,
        "DailySnapshotTime": cache.daily_snapshot_time,
        "NetworkType": "ipv4",
    }
    if cache.engine != "memcached":
        result["ReaderEndpoint"] = {"Address": address, "Port": SERVERLESS_READER_PORT}
    if cache.kms_key_id:
        result["KmsKeyId"] = cache.kms_key_id
    if cache.cache_usage_limits:
        result["CacheUsageLimits"] = cache.cache_usage_limits
    if cache.user_group_id:
        result["UserGroupId"] = cache.user_group_id
    return result


def render_snapshot(snapshot: SnapshotRecord) -> dict[str, Any]:
    result: dict[str, Any] = {
        "SnapshotName": snapshot.snapshot_name,
        "SnapshotStatus": snapshot.snapshot_status,
        "SnapshotSource": snapshot.snapshot_source,
        "CacheNodeType": snapshot.cache_node_type,
        "Engine": snapshot.engine,
        "EngineVersion": snapshot.engine_version,
        "CacheClusterCreateTime": snapshot.create_time,
        "Port": snapshot.port,
        "CacheSubnetGroupName": snapshot.cache_subnet_group_name,
        "SnapshotRetentionLimit": snapshot.snapshot_retention_limit,
        "NumNodeGroups": snapshot.num_node_groups,
        "ARN": snapshot.arn,
        "DataTiering": "disabled",
        "NodeSnapshots": [
            {
                "CacheClusterId": snapshot.cache_cluster_id
                or f"{snapshot.replication_group_id}-001",
                "NodeGroupId": "0001",
                "CacheNodeId": "0001",
                "CacheSize": "5 MB",
                "SnapshotCreateTime": snapshot.create_time,
            }
        ],
    }
    optional = {
        "ReplicationGroupId": snapshot.replication_group_id,
        "ReplicationGroupDescription": snapshot.description,
        "CacheClusterId": snapshot.cache_cluster_id,
        "VpcId": snapshot.vpc_id,
        "KmsKeyId": snapshot.kms_key_id,
    }
    result.update({key: value for key, value in optional.items() if value})
    return result


def render_reserved_node(node: ReservedNodeRecord) -> dict[str, Any]:
    return {
        "ReservedCacheNodeId": node.reserved_cache_node_id,
        "ReservedCacheNodesOfferingId": node.offering_id,
        "CacheNodeType": node.cache_node_type,
        "StartTime": node.start_time,
        "Duration": node.duration,
        "FixedPrice": node.fixed_price,
        "UsagePrice": node.usage_price,
        "CacheNodeCount": node.cache_node_count,
        "ProductDescription": node.product_description,
        "OfferingType": node.offering_type,
        "State": node.state,
        "RecurringCharges": [],
        "ReservationARN": node.arn,
    }


def render_subnet_group(group: SubnetGroupRecord) -> dict[str, Any]:
    return {
        "CacheSubnetGroupName": group.name,
        "CacheSubnetGroupDescription": group.description,
        "VpcId": group.vpc_id,
        "Subnets": [
            {
                "SubnetIdentifier": subnet_id,
                "SubnetAvailabilityZone": {"Name": zone},
                "SupportedNetworkTypes": ["ipv4"],
            }
            for subnet_id, zone in group.subnets
        ],
        "ARN": group.arn,
        "SupportedNetworkTypes": ["ipv4"],
    }

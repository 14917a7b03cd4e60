"""Cache clusters (standalone and replication-group members) as the API returns them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.fake_aws.elasticache import naming
from sandbox.fake_aws.elasticache.records import CacheClusterRecord, ReplicationGroupRecord
from sandbox.fake_aws.elasticache.render_groups import Member, group_host, members_of
from sandbox.fake_aws.elasticache.store import ElastiCacheStore


@dataclass(frozen=True)
class ClusterFacts:
    """What a describe_cache_clusters entry says, whatever the cluster belongs to."""

    cluster_id: str
    arn: str
    engine: str
    engine_version: str
    status: str
    node_type: str
    node_count: int
    availability_zone: str
    create_time: datetime
    subnet_group: str
    security_group_ids: list[str]
    auto_minor_version_upgrade: bool
    snapshot_retention_limit: int
    snapshot_window: str
    auth_enabled: bool
    auth_modified: datetime | None
    transit_enabled: bool
    transit_mode: str | None
    at_rest: bool
    log_delivery: list[dict[str, Any]]
    topic_arn: str | None
    topic_status: str
    maintenance_window: str
    node_addresses: list[str]
    port: int
    replication_group_id: str | None = None
    configuration_address: str | None = None
    pending: tuple[tuple[str, Any], ...] = ()  # PendingModifiedValues (a token change)


def member_facts(
    store: ElastiCacheStore, group: ReplicationGroupRecord, member: Member
) -> ClusterFacts:
    host = group_host(store, group)
    node_host = f"{member.cluster_id}.{host}"
    if group.cluster_mode:
        node_host = f"{member.cluster_id}.{group.domain_token}.0001.{naming.region_short(store.region)}.cache.amazonaws.com"
    return ClusterFacts(
        cluster_id=member.cluster_id,
        arn=store.arn("cluster", member.cluster_id),
        engine=group.engine,
        engine_version=group.engine_version,
        status="modifying" if group.status == "modifying" else group.status,
        node_type=group.cache_node_type,
        node_count=1,
        availability_zone=member.availability_zone,
        create_time=group.create_time,
        subnet_group=group.cache_subnet_group_name,
        security_group_ids=group.security_group_ids,
        auto_minor_version_upgrade=group.auto_minor_version_upgrade,
        snapshot_retention_limit=group.snapshot_retention_limit,
        snapshot_window=group.snapshot_window,
        auth_enabled=bool(group.auth_tokens),
        auth_modified=group.auth_token_last_modified_date,
        transit_enabled=group.transit_encryption_enabled,
        transit_mode=group.transit_encryption_mode,
        at_rest=group.at_rest_encryption_enabled,
        log_delivery=group.log_delivery_configurations,
        topic_arn=group.notification_topic_arn,
        topic_status=group.notification_topic_status,
        maintenance_window=group.preferred_maintenance_window,
        node_addresses=[node_host],
        port=group.port,
        replication_group_id=group.replication_group_id,
    )


def standalone_facts(store: ElastiCacheStore, cluster: CacheClusterRecord) -> ClusterFacts:
    short = naming.region_short(store.region)
    base = f"{cluster.cache_cluster_id}.{cluster.domain_token}"
    addresses = [
        f"{base}.{index:04d}.{short}.cache.amazonaws.com"
        for index in range(1, cluster.num_cache_nodes + 1)
    ]
    configuration = None
    if cluster.engine == "memcached":
        configuration = f"{base}.cfg.{short}.cache.amazonaws.com"
    return ClusterFacts(
        cluster_id=cluster.cache_cluster_id,
        arn=cluster.arn,
        engine=cluster.engine,
        engine_version=cluster.engine_version,
        status=cluster.status,
        node_type=cluster.cache_node_type,
        node_count=cluster.num_cache_nodes,
        availability_zone=cluster.availability_zone,
        create_time=cluster.create_time,
        subnet_group=cluster.cache_subnet_group_name,
        security_group_ids=cluster.security_group_ids,
        auto_minor_version_upgrade=cluster.auto_minor_version_upgrade,
        snapshot_retention_limit=cluster.snapshot_retention_limit,
        snapshot_window=cluster.snapshot_window,
        auth_enabled=bool(cluster.auth_tokens),
        auth_modified=cluster.auth_token_last_modified_date,
        transit_enabled=cluster.transit_encryption_enabled,
        transit_mode=cluster.transit_encryption_mode,
        at_rest=cluster.at_rest_encryption_enabled,
        log_delivery=cluster.log_delivery_configurations,
        topic_arn=cluster.notification_topic_arn,
        topic_status=cluster.notification_topic_status,
        maintenance_window=cluster.preferred_maintenance_window,
        node_addresses=addresses,
        port=cluster.port,
        pending=tuple(cluster.token_pending.shown.items()) if cluster.token_pending else (),
        configuration_address=configuration,
    )


def _cache_nodes(facts: ClusterFacts) -> list[dict[str, Any]]:
    return [
        {
            "CacheNodeId": f"{index:04d}",
            "CacheNodeStatus": "available",
            "CacheNodeCreateTime": facts.create_time,
            "Endpoint": {"Address": address, "Port": facts.port},
            "ParameterGroupStatus": "in-sync",
            "CustomerAvailabilityZone": facts.availability_zone,
        }
        for index, address in enumerate(facts.node_addresses, start=1)
    ]


def render_cluster(facts: ClusterFacts, show_nodes: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "CacheClusterId": facts.cluster_id,
        "CacheNodeType": facts.node_type,
        "Engine": facts.engine,
        "EngineVersion": facts.engine_version,
        "CacheClusterStatus": facts.status,
        "NumCacheNodes": facts.node_count,
        "PreferredAvailabilityZone": facts.availability_zone,
        "CacheClusterCreateTime": facts.create_time,
        "PreferredMaintenanceWindow": facts.maintenance_window,
        "PendingModifiedValues": dict(facts.pending),
        "CacheSecurityGroups": [],
        "CacheParameterGroup": {
            "CacheParameterGroupName": naming.parameter_group_family(
                facts.engine, facts.engine_version
            ),
            "ParameterApplyStatus": "in-sync",
            "CacheNodeIdsToReboot": [],
        },
        "CacheSubnetGroupName": facts.subnet_group,
        "AutoMinorVersionUpgrade": facts.auto_minor_version_upgrade,
        "SecurityGroups": [
            {"SecurityGroupId": group_id, "Status": "active"}
            for group_id in facts.security_group_ids
        ],
        "AuthTokenEnabled": facts.auth_enabled,
        "TransitEncryptionEnabled": facts.transit_enabled,
        "AtRestEncryptionEnabled": facts.at_rest,
        "ARN": facts.arn,
        "ReplicationGroupLogDeliveryEnabled": bool(
            facts.replication_group_id and facts.log_delivery
        ),
        "LogDeliveryConfigurations": [dict(c) for c in facts.log_delivery],
        "NetworkType": "ipv4",
        "IpDiscovery": "ipv4",
    }
    _add_optional_cluster_fields(facts, show_nodes, result)
    return result


def _add_optional_cluster_fields(
    facts: ClusterFacts, show_nodes: bool, result: dict[str, Any]
) -> None:
    if facts.engine != "memcached":
        result["SnapshotRetentionLimit"] = facts.snapshot_retention_limit
        result["SnapshotWindow"] = facts.snapshot_window
    if facts.replication_group_id:
        result["ReplicationGroupId"] = facts.replication_group_id
    if facts.auth_modified is not None:
        result["AuthTokenLastModifiedDate"] = facts.auth_modified
    if facts.transit_enabled and facts.transit_mode:
        result["TransitEncryptionMode"] = facts.transit_mode
    if facts.topic_arn:
        result["NotificationConfiguration"] = {
            "TopicArn": facts.topic_arn,
            "TopicStatus": facts.topic_status,
        }
    if facts.configuration_address:
        result["ConfigurationEndpoint"] = {
            "Address": facts.configuration_address,
            "Port": facts.port,
        }
    if show_nodes:
        result["CacheNodes"] = _cache_nodes(facts)


def find_cluster_facts(store: ElastiCacheStore, cluster_id: str) -> ClusterFacts | None:
    """One cluster by id, standalone or member, without building every other one."""
    cluster = store.cache_clusters.get(cluster_id)
    if cluster is not None:
        return standalone_facts(store, cluster)
    for group in store.replication_groups.values():
        if not cluster_id.startswith(f"{group.replication_group_id}-"):
            continue
        for member in members_of(group):
            if member.cluster_id == cluster_id:
                return member_facts(store, group, member)
    return None


def all_cluster_facts(store: ElastiCacheStore, *, members: bool = True) -> list[ClusterFacts]:
    """Standalone and member clusters in creation order (members in id order)."""
    ordered: list[tuple[int, list[ClusterFacts]]] = [
        (cluster.sequence, [standalone_facts(store, cluster)])
        for cluster in store.cache_clusters.values()
    ]
    if members:
        ordered.extend(
            (group.sequence, [member_facts(store, group, m) for m in members_of(group)])
            for group in store.replication_groups.values()
        )
    ordered.sort(key=lambda pair: pair[0])
    return [facts for _, batch in ordered for facts in batch]

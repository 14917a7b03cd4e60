"""Replication groups: create, describe (with paging), modify, delete."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from sandbox.fake_aws.elasticache import naming
from sandbox.fake_aws.elasticache.auth import check_token_at_create
from sandbox.fake_aws.elasticache.context import (
    check_at_rest_key,
    check_kms_key,
    params_of,
    store_for,
    tag,
    zones_of,
)
from sandbox.fake_aws.elasticache.errors import (
    ElastiCacheError,
    already_exists,
    invalid_combination,
    invalid_value,
    not_found,
)
from sandbox.fake_aws.elasticache.modify_group import apply_plan, plan_modify, tick_describe
from sandbox.fake_aws.elasticache.paging import page
from sandbox.fake_aws.elasticache.records import ReplicationGroupRecord
from sandbox.fake_aws.elasticache.render_groups import render_replication_group
from sandbox.fake_aws.elasticache.store import (
    ElastiCacheStore,
    check_security_groups,
    default_security_group,
    resolve_subnet_group,
)
from sandbox.fake_aws.elasticache.validation import (
    check_engine,
    check_retention,
    log_delivery_records,
    rbac_version_ok,
    transit_mode_at_create,
)
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult

MAX_CACHE_CLUSTERS = 6


def _shape(params: dict[str, Any]) -> tuple[bool, int, int]:
    """(cluster mode, node groups, replicas per node group) from the create params."""
    shards = params.get("NumNodeGroups")
    cluster_mode = params.get("ClusterMode") == "enabled" or (shards or 0) > 1
    if params.get("NodeGroupConfiguration"):
        cluster_mode = cluster_mode or params.get("ClusterMode") != "disabled"
        shards = shards or len(params["NodeGroupConfiguration"])
    clusters, replicas = params.get("NumCacheClusters"), params.get("ReplicasPerNodeGroup")
    if clusters is not None and replicas is not None and clusters != replicas + 1:
        raise invalid_combination("NumCacheClusters and ReplicasPerNodeGroup disagree.")
    if replicas is None:
        replicas = (clusters or 1) - 1
    if cluster_mode and clusters is not None:
        raise invalid_combination("NumCacheClusters is for cluster mode disabled groups.")
    if not 0 <= replicas < MAX_CACHE_CLUSTERS:
        raise invalid_value("A node group holds between 1 and 6 nodes.")
    return cluster_mode, (shards or 1) if cluster_mode else 1, replicas


def _failover(params: dict[str, Any], cluster_mode: bool, replicas: int) -> tuple[str, str]:
    failover = params.get("AutomaticFailoverEnabled")
    failover = cluster_mode if failover is None else failover
    multi_az = bool(params.get("MultiAZEnabled"))
    if (failover or multi_az) and replicas < 1:
        raise invalid_combination("Automatic failover and Multi-AZ need at least one replica.")
    if multi_az and not failover:
        raise invalid_combination("Multi-AZ requires automatic failover to be enabled.")
    if cluster_mode and not failover:
        raise invalid_combination("Cluster mode enabled groups need automatic failover.")
    return ("enabled" if failover else "disabled"), ("enabled" if multi_az else "disabled")


def _access_control(
    store: ElastiCacheStore, params: dict[str, Any], engine: str, version: str, transit: bool
) -> tuple[list[str], list[str]]:
    token, user_groups = params.get("AuthToken"), list(params.get("UserGroupIds") or [])
    if token is not None:
        if not transit:
            raise invalid_combination("AUTH token requires in-transit encryption.")
        if user_groups:
            raise invalid_combination("AuthToken and UserGroupIds can't be used together.")
        check_token_at_create(token)
    for user_group_id in user_groups:
        if user_group_id not in store.user_groups:
            raise ElastiCacheError("UserGroupNotFound", f"User group {user_group_id} not found.")
    if user_groups and (not transit or not rbac_version_ok(engine, version)):
        raise invalid_combination("User groups need in-transit encryption and Redis OSS 6.0+.")
    return ([token] if token else []), user_groups


def _encryption(
    store: ElastiCacheStore, params: dict[str, Any], engine: str
) -> tuple[bool, bool, str | None]:
    """(at rest, in transit, transit mode); at rest defaults on for Valkey only."""
    at_rest = params.get("AtRestEncryptionEnabled")
    at_rest = engine == "valkey" if at_rest is None else at_rest
    check_at_rest_key(at_rest, params.get("KmsKeyId"))
    check_kms_key(store, params.get("KmsKeyId"))
    transit = bool(params.get("TransitEncryptionEnabled"))
    return at_rest, transit, transit_mode_at_create(transit, params.get("TransitEncryptionMode"))


def _maintenance(params: dict[str, Any]) -> dict[str, Any]:
    """Backups window, minor upgrades, logs and notifications as given at create."""
    return {
        "snapshot_window": params.get("SnapshotWindow") or "05:00-06:00",
        "auto_minor_version_upgrade": params.get("AutoMinorVersionUpgrade", True) is not False,
        "log_delivery_configurations": log_delivery_records(
            [], params.get("LogDeliveryConfigurations") or []
        ),
        "notification_topic_arn": params.get("NotificationTopicArn"),
    }


def build_replication_group(
    store: ElastiCacheStore, params: dict[str, Any]
) -> ReplicationGroupRecord:
    group_id = params["ReplicationGroupId"]
    if group_id in store.replication_groups:
        raise already_exists("ReplicationGroupAlreadyExists", f"Replication group {group_id}")
    engine = (params.get("Engine") or "redis").lower()
    check_engine(engine, ("redis", "valkey"))
    version = naming.full_engine_version(engine, params.get("EngineVersion"))
    cluster_mode, shards, replicas = _shape(params)
    failover, multi_az = _failover(params, cluster_mode, replicas)
    subnet_group = resolve_subnet_group(store, params.get("CacheSubnetGroupName"))
    security_groups = list(params.get("SecurityGroupIds") or [])
    check_security_groups(store, security_groups, subnet_group.vpc_id)
    at_rest, transit, mode = _encryption(store, params, engine)
    tokens, user_groups = _access_control(store, params, engine, version, transit)
    retention = params.get("SnapshotRetentionLimit") or 0
    check_retention(retention)
    now = utcnow()
    return ReplicationGroupRecord(
        replication_group_id=group_id,
        arn=store.arn("replicationgroup", group_id),
        description=params.get("ReplicationGroupDescription", ""),
        engine=engine,
        engine_version=version,
        cache_node_type=params.get("CacheNodeType") or "cache.t4g.micro",
        cluster_mode=cluster_mode,
        num_node_groups=shards,
        replicas_per_node_group=replicas,
        port=params.get("Port") or naming.DEFAULT_PORTS[engine],
        cache_subnet_group_name=subnet_group.name,
        security_group_ids=security_groups or default_security_group(store, subnet_group.vpc_id),
        at_rest_encryption_enabled=at_rest,
        kms_key_id=params.get("KmsKeyId"),
        transit_encryption_enabled=transit,
        transit_encryption_mode=mode,
        auth_tokens=tokens,
        auth_token_last_modified_date=now if tokens else None,
        user_group_ids=user_groups,
        automatic_failover=failover,
        multi_az=multi_az,
        snapshot_retention_limit=retention,
        **_maintenance(params),
        availability_zones=params.get("PreferredCacheClusterAZs") or zones_of(subnet_group.subnets),
        create_time=now,
        domain_token=naming.domain_token(store.account_id, store.region, group_id),
        sequence=store.next_sequence(),
    )


def create_replication_group(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        if params.get("SnapshotName") and params["SnapshotName"] not in store.snapshots:
            raise not_found("SnapshotNotFoundFault", f"Snapshot {params['SnapshotName']}")
        group = build_replication_group(store, params)
        store.replication_groups[group.replication_group_id] = group
        tag(store, group.arn, params.get("Tags"))
        return QueryXmlResult({"ReplicationGroup": render_replication_group(store, group)})


def find_group(store: ElastiCacheStore, group_id: str) -> ReplicationGroupRecord:
    group = store.replication_groups.get(group_id)
    if group is None:
        raise not_found("ReplicationGroupNotFoundFault", f"Replication group {group_id}")
    return group


def describe_replication_groups(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        if params.get("ReplicationGroupId"):
            groups = [find_group(store, params["ReplicationGroupId"])]
        else:
            groups = list(store.replication_groups.values())
        selected, marker = page(groups, params.get("MaxRecords"), params.get("Marker"))
        for group in selected:
            tick_describe(group)
        rendered = [render_replication_group(store, group) for group in selected]
    result: dict[str, Any] = {"ReplicationGroups": rendered}
    if marker:
        result["Marker"] = marker
    return QueryXmlResult(result)


def modify_replication_group(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        group = find_group(store, params["ReplicationGroupId"])
        plan = plan_modify(store, group, params)
        apply_plan(store, group, plan)
        return QueryXmlResult({"ReplicationGroup": render_replication_group(store, group)})


def delete_replication_group(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        group = find_group(store, params["ReplicationGroupId"])
        if group.status not in ("available", "create-failed"):
            raise ElastiCacheError(
                "InvalidReplicationGroupState",
                f"Replication group {group.replication_group_id} is {group.status}.",
            )
        rendered = render_replication_group(store, group)
        del store.replication_groups[group.replication_group_id]
    rendered["Status"] = "deleting"
    return QueryXmlResult({"ReplicationGroup": rendered})

"""Node-based snapshots: create (optionally with a KMS key), describe with paging, delete."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from sandbox.fake_aws.elasticache.context import check_kms_key, params_of, store_for, tag
from sandbox.fake_aws.elasticache.errors import (
    ElastiCacheError,
    already_exists,
    invalid_combination,
    invalid_value,
    not_found,
)
from sandbox.fake_aws.elasticache.groups import find_group
from sandbox.fake_aws.elasticache.paging import page
from sandbox.fake_aws.elasticache.records import SnapshotRecord
from sandbox.fake_aws.elasticache.render_clusters import find_cluster_facts
from sandbox.fake_aws.elasticache.render_other import render_snapshot
from sandbox.fake_aws.elasticache.store import ElastiCacheStore
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult

SNAPSHOT_PAGE_MAX = 50
SOURCES = {"system": "automated", "user": "manual", "automated": "automated", "manual": "manual"}


def _from_group(
    store: ElastiCacheStore, name: str, group_id: str, key: str | None
) -> SnapshotRecord:
    group = find_group(store, group_id)
    if group.status != "available":
        raise ElastiCacheError("InvalidReplicationGroupState", f"{group_id} is {group.status}.")
    return SnapshotRecord(
        snapshot_name=name,
        arn=store.arn("snapshot", name),
        snapshot_source="manual",
        replication_group_id=group_id,
        cache_cluster_id=None,
        engine=group.engine,
        engine_version=group.engine_version,
        cache_node_type=group.cache_node_type,
        num_node_groups=group.num_node_groups,
        cache_subnet_group_name=group.cache_subnet_group_name,
        vpc_id=store.subnet_groups[group.cache_subnet_group_name].vpc_id,
        kms_key_id=key,
        port=group.port,
        create_time=utcnow(),
        snapshot_retention_limit=group.snapshot_retention_limit,
        description=group.description,
    )


def _from_cluster(
    store: ElastiCacheStore, name: str, cluster_id: str, key: str | None
) -> SnapshotRecord:
    facts = find_cluster_facts(store, cluster_id)
    if facts is None:
        raise not_found("CacheClusterNotFound", f"Cache cluster {cluster_id}")
    if facts.engine == "memcached":
        raise ElastiCacheError("SnapshotFeatureNotSupportedFault", "Memcached has no snapshots.")
    return SnapshotRecord(
        snapshot_name=name,
        arn=store.arn("snapshot", name),
        snapshot_source="manual",
        replication_group_id=facts.replication_group_id,
        cache_cluster_id=cluster_id,
        engine=facts.engine,
        engine_version=facts.engine_version,
        cache_node_type=facts.node_type,
        num_node_groups=1,
        cache_subnet_group_name=facts.subnet_group,
        vpc_id=store.subnet_groups[facts.subnet_group].vpc_id,
        kms_key_id=key,
        port=facts.port,
        create_time=utcnow(),
        snapshot_retention_limit=facts.snapshot_retention_limit,
    )


def build_snapshot(store: ElastiCacheStore, params: dict[str, Any]) -> SnapshotRecord:
    name = params["SnapshotName"]
    if name in store.snapshots:
        raise already_exists("SnapshotAlreadyExistsFault", f"Snapshot {name}")
    group_id, cluster_id = params.get("ReplicationGroupId"), params.get("CacheClusterId")
    if bool(group_id) == bool(cluster_id):
        raise invalid_combination("Give exactly one of ReplicationGroupId or CacheClusterId.")
    check_kms_key(store, params.get("KmsKeyId"))
    if group_id:
        return _from_group(store, name, group_id, params.get("KmsKeyId"))
    return _from_cluster(store, name, cluster_id or "", params.get("KmsKeyId"))


def create_snapshot(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        snapshot = build_snapshot(store, params)
        store.snapshots[snapshot.snapshot_name] = snapshot
        tag(store, snapshot.arn, params.get("Tags"))
        return QueryXmlResult({"Snapshot": render_snapshot(snapshot)})


def _filtered(store: ElastiCacheStore, params: dict[str, Any]) -> list[SnapshotRecord]:
    if params.get("SnapshotName"):
        snapshot = store.snapshots.get(params["SnapshotName"])
        if snapshot is None:
            raise not_found("SnapshotNotFoundFault", f"Snapshot {params['SnapshotName']}")
        return [snapshot]
    snapshots = list(store.snapshots.values())
    if params.get("ReplicationGroupId"):
        find_group(store, params["ReplicationGroupId"])
        snapshots = [s for s in snapshots if s.replication_group_id == params["ReplicationGroupId"]]
    if params.get("CacheClusterId"):
        snapshots = [s for s in snapshots if s.cache_cluster_id == params["CacheClusterId"]]
    if params.get("SnapshotSource"):
        source = SOURCES.get(params["SnapshotSource"].lower())
        if source is None:
            raise invalid_value(f"Invalid SnapshotSource: {params['SnapshotSource']}.")
        snapshots = [s for s in snapshots if s.snapshot_source == source]
    return snapshots


def describe_snapshots(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        snapshots = _filtered(store, params)
        selected, marker = page(
            snapshots, params.get("MaxRecords"), params.get("Marker"), highest=SNAPSHOT_PAGE_MAX
        )
        rendered = [render_snapshot(snapshot) for snapshot in selected]
    result: dict[str, Any] = {"Snapshots": rendered}
    if marker:
        result["Marker"] = marker
    return QueryXmlResult(result)


def delete_snapshot(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        snapshot = store.snapshots.pop(params["SnapshotName"], None)
        if snapshot is None:
            raise not_found("SnapshotNotFoundFault", f"Snapshot {params['SnapshotName']}")
    rendered = render_snapshot(snapshot)
    rendered["SnapshotStatus"] = "deleting"
    return QueryXmlResult({"Snapshot": rendered})

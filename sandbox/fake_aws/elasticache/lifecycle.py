"""What a rebuild needs from the fake: creations and snapshots that take time, restores
from a snapshot, and a final snapshot on delete.

- CreateSnapshot answers `creating`; the snapshot is `available` after as many
  DescribeSnapshots calls as `modify_delay_describes` (a real one takes minutes).
- CreateReplicationGroup with `SnapshotName` needs an `available` snapshot of the same
  engine; the new group is `creating` for the same number of describes. The restore may
  pick a new KMS key, subnet group (another VPC) and port: they are the create call's.
- DeleteReplicationGroup and DeleteCacheCluster with `FinalSnapshotIdentifier` keep a
  manual snapshot first (Memcached has none: SnapshotFeatureNotSupportedFault).
Injected failures (`inject_fault`) apply to each of these calls like to any other.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult

from sandbox.fake_aws.elasticache import backups, clusters, groups
from sandbox.fake_aws.elasticache.context import params_of, store_for, tag
from sandbox.fake_aws.elasticache.errors import ElastiCacheError, already_exists, not_found
from sandbox.fake_aws.elasticache.records import PendingChange
from sandbox.fake_aws.elasticache.render_groups import render_replication_group
from sandbox.fake_aws.elasticache.render_other import render_snapshot
from sandbox.fake_aws.elasticache.store import ElastiCacheStore
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult


def _tick_snapshots(store: ElastiCacheStore) -> None:
    for snapshot in store.snapshots.values():
        if snapshot.snapshot_status == "creating":
            if snapshot.describes_left <= 0:
                snapshot.snapshot_status = "available"
            else:
                snapshot.describes_left -= 1


def create_snapshot(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        snapshot = backups.build_snapshot(store, params)
        snapshot.snapshot_status = "creating"
        snapshot.describes_left = store.settings.modify_delay_describes
        store.snapshots[snapshot.snapshot_name] = snapshot
        tag(store, snapshot.arn, params.get("Tags"))
        return QueryXmlResult({"Snapshot": render_snapshot(snapshot)})


def describe_snapshots(response: Any) -> ActionResult:
    with store_for(response).lock:
        _tick_snapshots(store_for(response))
    return backups.describe_snapshots(response)


def _check_restore(store: ElastiCacheStore, params: dict[str, Any]) -> None:
    snapshot = store.snapshots.get(params["SnapshotName"])
    if snapshot is None:
        raise not_found("SnapshotNotFoundFault", f"Snapshot {params['SnapshotName']}")
    if snapshot.snapshot_status != "available":
        raise ElastiCacheError(
            "InvalidSnapshotState",
            f"Snapshot {snapshot.snapshot_name} is {snapshot.snapshot_status}.",
        )
    engine = (params.get("Engine") or "redis").lower()
    if snapshot.engine != engine and {snapshot.engine, engine} != {"redis", "valkey"}:
        raise ElastiCacheError("InvalidParameterCombination", "Snapshot engine does not match.")


def create_replication_group(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    if not params.get("SnapshotName"):
        return groups.create_replication_group(response)
    with store.lock:
        _check_restore(store, params)
        group = groups.build_replication_group(store, params)
        group.status = "creating"
        group.pending = PendingChange(store.settings.modify_delay_describes, {}, {})
        store.replication_groups[group.replication_group_id] = group
        tag(store, group.arn, params.get("Tags"))
        return QueryXmlResult({"ReplicationGroup": render_replication_group(store, group)})


def delete_replication_group(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    final = params.get("FinalSnapshotIdentifier")
    if final:
        with store.lock:
            if final in store.snapshots:
                raise already_exists("SnapshotAlreadyExistsFault", f"Snapshot {final}")
            snapshot = backups.build_snapshot(
                store, {"SnapshotName": final, "ReplicationGroupId": params["ReplicationGroupId"]}
            )
            store.snapshots[final] = snapshot
    return groups.delete_replication_group(response)


def delete_cache_cluster(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    final = params.get("FinalSnapshotIdentifier")
    if final:
        with store.lock:
            if final in store.snapshots:
                raise already_exists("SnapshotAlreadyExistsFault", f"Snapshot {final}")
            snapshot = backups.build_snapshot(
                store, {"SnapshotName": final, "CacheClusterId": params["CacheClusterId"]}
            )
            store.snapshots[final] = snapshot
    return clusters.delete_cache_cluster(response)

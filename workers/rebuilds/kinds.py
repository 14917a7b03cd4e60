"""The describe calls of a rebuild, per kind of source (the writes and their parameters are
in posture/rebuild_calls.py): the source, the snapshot and the copy, or None when gone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from posture.base import ResourceKind
from posture.rebuild_calls import RebuildCalls
from workers.aws.errors import AWS_FAILURES, error_code

Described = dict[str, Any] | None


def _describe(call: Callable[..., Any], key: str, missing: str, **params: Any) -> Described:
    try:
        answer = call(**params)
    except AWS_FAILURES as exc:
        if error_code(exc) == missing:
            return None
        raise
    items = answer.get(key) or []
    return dict(items[0]) if items else None


def source_of(ec: Any, calls: RebuildCalls, source_id: str) -> Described:
    if calls.source_kind is ResourceKind.CACHE_CLUSTER:
        return _describe(
            ec.describe_cache_clusters, "CacheClusters", "CacheClusterNotFound",
            CacheClusterId=source_id,
        )  # fmt: skip
    return copy_of(ec, calls, source_id)


def copy_of(ec: Any, calls: RebuildCalls, copy_id: str) -> Described:
    if calls.copy_kind is ResourceKind.SERVERLESS_CACHE:
        return _describe(
            ec.describe_serverless_caches, "ServerlessCaches", "ServerlessCacheNotFoundFault",
            ServerlessCacheName=copy_id,
        )  # fmt: skip
    return _describe(
        ec.describe_replication_groups, "ReplicationGroups", "ReplicationGroupNotFoundFault",
        ReplicationGroupId=copy_id,
    )  # fmt: skip


def snapshot_of(ec: Any, calls: RebuildCalls, name: str) -> Described:
    """The snapshot with its status under `Status` for every kind."""
    if calls.copy_kind is ResourceKind.SERVERLESS_CACHE:
        return _describe(
            ec.describe_serverless_cache_snapshots, "ServerlessCacheSnapshots",
            "ServerlessCacheSnapshotNotFoundFault", ServerlessCacheSnapshotName=name,
        )  # fmt: skip
    found = _describe(
        ec.describe_snapshots, "Snapshots", "SnapshotNotFoundFault", SnapshotName=name
    )
    return None if found is None else {**found, "Status": found.get("SnapshotStatus")}

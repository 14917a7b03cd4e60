"""ElastiCache's own describe calls, each paginated, each narrowed by id when a filter allows."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from posture.resources import (
    CacheCluster,
    CacheSnapshot,
    CacheSubnetGroup,
    ReplicationGroup,
    ReservedNode,
    ServerlessCache,
    User,
    UserGroup,
)
from workers.aws.context import (
    RegionContext,
    describe_by_ids_or_listing,
    paginate,
    unless_not_found,
)
from workers.aws.filters import ScanFilters

PAGE = {"PageSize": 100}
SNAPSHOT_PAGE = {"PageSize": 50}  # DescribeSnapshots and serverless snapshots stop at 50


def replication_groups(ctx: RegionContext, filters: ScanFilters) -> tuple[ReplicationGroup, ...]:
    client = ctx.client("elasticache")
    params: dict[str, Any] = {"PaginationConfig": PAGE}
    if filters.replication_group_id:
        params["ReplicationGroupId"] = filters.replication_group_id
    items = unless_not_found(
        lambda: paginate(client, "describe_replication_groups", "ReplicationGroups", **params)
    )
    return tuple(ReplicationGroup.model_validate(item) for item in items)


def cache_clusters(
    ctx: RegionContext, filters: ScanFilters, groups: Iterable[ReplicationGroup]
) -> tuple[CacheCluster, ...]:
    """Standalone clusters and group members, with node ports (`ShowCacheNodeInfo`)."""
    client = ctx.client("elasticache")

    def describe(**extra: Any) -> list[dict[str, Any]]:
        return paginate(
            client,
            "describe_cache_clusters",
            "CacheClusters",
            ShowCacheNodeInfo=True,
            PaginationConfig=PAGE,
            **extra,
        )

    if not filters.narrowed_by_id:
        items = describe()
    else:
        wanted = [m for group in groups for m in group.member_clusters]
        if filters.cache_cluster_id:
            wanted.append(filters.cache_cluster_id)
        items = describe_by_ids_or_listing(
            list(dict.fromkeys(wanted)),
            narrowed=True,
            describe_one=lambda cluster_id: describe(CacheClusterId=cluster_id),
            list_all=describe,
            id_of=lambda item: item["CacheClusterId"],
        )
    return tuple(CacheCluster.model_validate(item) for item in items)


def serverless_caches(ctx: RegionContext, filters: ScanFilters) -> tuple[ServerlessCache, ...]:
    client = ctx.client("elasticache")
    params: dict[str, Any] = {"PaginationConfig": PAGE}
    if filters.serverless_cache_name:
        params["ServerlessCacheName"] = filters.serverless_cache_name
    items = unless_not_found(
        lambda: paginate(client, "describe_serverless_caches", "ServerlessCaches", **params)
    )
    return tuple(ServerlessCache.model_validate(item) for item in items)


def user_groups(
    ctx: RegionContext, group_ids: list[str] | None, *, narrowed: bool
) -> tuple[UserGroup, ...]:
    """All user groups of the region (`group_ids` None), else only the ones named."""
    client = ctx.client("elasticache")

    def describe(**extra: Any) -> list[dict[str, Any]]:
        return paginate(
            client, "describe_user_groups", "UserGroups", PaginationConfig=PAGE, **extra
        )

    if group_ids is None:
        items = describe()
    else:
        items = describe_by_ids_or_listing(
            group_ids,
            narrowed=narrowed,
            describe_one=lambda group_id: describe(UserGroupId=group_id),
            list_all=describe,
            id_of=lambda item: item["UserGroupId"],
        )
    return tuple(UserGroup.model_validate(item) for item in items)


def users(ctx: RegionContext, user_ids: list[str] | None, *, narrowed: bool) -> tuple[User, ...]:
    """All RBAC users of the region (`user_ids` None), else only the ones named."""
    client = ctx.client("elasticache")

    def describe(**extra: Any) -> list[dict[str, Any]]:
        return paginate(client, "describe_users", "Users", PaginationConfig=PAGE, **extra)

    if user_ids is None:
        items = describe()
    else:
        items = describe_by_ids_or_listing(
            user_ids,
            narrowed=narrowed,
            describe_one=lambda user_id: describe(UserId=user_id),
            list_all=describe,
            id_of=lambda item: item["UserId"],
        )
    return tuple(User.model_validate(item) for item in items)


def subnet_groups(
    ctx: RegionContext, names: list[str], *, narrowed: bool
) -> tuple[CacheSubnetGroup, ...]:
    """Only the subnet groups the collected clusters use."""
    client = ctx.client("elasticache")

    def describe(**extra: Any) -> list[dict[str, Any]]:
        return paginate(
            client,
            "describe_cache_subnet_groups",
            "CacheSubnetGroups",
            PaginationConfig=PAGE,
            **extra,
        )

    items = describe_by_ids_or_listing(
        names,
        narrowed=narrowed,
        describe_one=lambda name: describe(CacheSubnetGroupName=name),
        list_all=describe,
        id_of=lambda item: item["CacheSubnetGroupName"],
    )
    return tuple(CacheSubnetGroup.model_validate(item) for item in items)


def node_snapshots(ctx: RegionContext, filters: ScanFilters) -> tuple[CacheSnapshot, ...]:
    """Backups of node-based caches; a group or cluster filter asks for just its snapshots."""
    client = ctx.client("elasticache")
    # One id may name a group or a cluster (the caller need not know which): ask for both.
    queries: list[dict[str, str]] = []
    if filters.replication_group_id:
        queries.append({"ReplicationGroupId": filters.replication_group_id})
    if filters.cache_cluster_id:
        queries.append({"CacheClusterId": filters.cache_cluster_id})
    by_name: dict[str, CacheSnapshot] = {}
    for query in queries or [{}]:
        items = unless_not_found(
            partial(
                paginate,
                client,
                "describe_snapshots",
                "Snapshots",
                PaginationConfig=SNAPSHOT_PAGE,
                **query,
            )
        )
        for item in items:
            snapshot = CacheSnapshot.model_validate(item)
            by_name[snapshot.snapshot_name] = snapshot
    return tuple(by_name.values())


def serverless_snapshots(
    ctx: RegionContext, filters: ScanFilters, cache_names: set[str] | None
) -> tuple[CacheSnapshot, ...]:
    """Serverless backups (of `cache_names` only, when given) reshaped into `CacheSnapshot`."""
    client = ctx.client("elasticache")
    params: dict[str, Any] = {"PaginationConfig": SNAPSHOT_PAGE}
    if filters.serverless_cache_name:
        params["ServerlessCacheName"] = filters.serverless_cache_name
    items = unless_not_found(
        lambda: paginate(
            client, "describe_serverless_cache_snapshots", "ServerlessCacheSnapshots", **params
        )
    )
    return tuple(
        _serverless_snapshot(item)
        for item in items
        if cache_names is None or _source_cache(item) in cache_names
    )


def _source_cache(item: dict[str, Any]) -> str | None:
    configuration = item.get("ServerlessCacheConfiguration") or {}
    name: str | None = configuration.get("ServerlessCacheName")
    return name


def _serverless_snapshot(item: dict[str, Any]) -> CacheSnapshot:
    configuration = item.get("ServerlessCacheConfiguration") or {}
    return CacheSnapshot.model_validate(
        {
            "SnapshotName": item["ServerlessCacheSnapshotName"],
            "ARN": item.get("ARN", ""),
            "SnapshotStatus": item.get("Status"),
            "SnapshotSource": item.get("SnapshotType"),
            "Engine": configuration.get("Engine"),
            "EngineVersion": configuration.get("MajorEngineVersion"),
            "KmsKeyId": item.get("KmsKeyId"),
            "ServerlessCacheName": configuration.get("ServerlessCacheName"),
        }
    )


def reserved_nodes(ctx: RegionContext) -> tuple[ReservedNode, ...]:
    client = ctx.client("elasticache")
    items = paginate(
        client, "describe_reserved_cache_nodes", "ReservedCacheNodes", PaginationConfig=PAGE
    )
    return tuple(ReservedNode.model_validate(item) for item in items)

"""`collect_inventory`: one account and region read into a `posture.resources.Inventory`.

Order matters: the caches come first (narrowed by id when a filter allows), then tags
and the tag/engine filter, then only what the kept caches reference (subnets, security
groups, users, keys, metrics). Every part is guarded: a failure becomes an entry in
`Inventory.errors` and the other parts still run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from posture.base import ResourceKind
from posture.resources import (
    CacheCluster,
    CacheSnapshot,
    Inventory,
    KmsKey,
    ReplicationGroup,
    ServerlessCache,
    TaggedResource,
    Trail,
)
from workers.aws import collect_account, collect_cache, collect_network, collect_usage
from workers.aws.context import RegionContext, ScanCache
from workers.aws.filters import (
    ScanFilters,
    keep_cache_clusters,
    keep_replication_groups,
    keep_serverless,
    tags_by_arn,
)
from workers.aws.session import AccountSession, CallCounter

DEFAULT_LOOKBACK = timedelta(days=7)
RG = ResourceKind.REPLICATION_GROUP.value
CC = ResourceKind.CACHE_CLUSTER.value
SERVERLESS = ResourceKind.SERVERLESS_CACHE.value
REGION_KIND = ResourceKind.ACCOUNT_REGION.value


@dataclass(frozen=True)
class Caches:
    """The caches a scan keeps, after the filter."""

    groups: tuple[ReplicationGroup, ...]
    clusters: tuple[CacheCluster, ...]
    serverless: tuple[ServerlessCache, ...]


def collect_inventory(
    session: AccountSession,
    account: str,
    region: str,
    filters: ScanFilters | None = None,
    *,
    counter: CallCounter | None = None,
    now: datetime,
    lookback: timedelta = DEFAULT_LOOKBACK,
    include_account_facts: bool = True,
    cache: ScanCache | None = None,
) -> Inventory:
    """Read one account and region. Builds its own boto3 session, so it is safe per thread.

    `include_account_facts` collects account-wide IAM facts; a scan sets it for one
    region per account and the other regions get `iam_policies=None`.
    """
    filters = filters or ScanFilters()
    ctx = RegionContext(session, session.new_session(counter), region, cache=cache)
    caches, tags = _caches_and_tags(ctx, filters)
    fields: dict[str, Any] = {
        "replication_groups": caches.groups,
        "cache_clusters": caches.clusters,
        "serverless_caches": caches.serverless,
        "tags": tags,
    }
    fields.update(_access(ctx, caches, filters))
    fields.update(_network(ctx, caches, filters))
    fields["snapshots"] = _snapshots(ctx, caches, filters)
    fields["kms_keys"] = _keys(ctx, caches, fields["snapshots"])
    fields["cpu_metrics"] = ctx.log.run_all(
        "GetMetricData",
        CC,
        lambda: collect_usage.cpu_metrics(
            ctx, [c.cache_cluster_id for c in caches.clusters], now=now, lookback=lookback
        ),
    )
    fields.update(_region_facts(ctx, filters, include_account_facts))
    return Inventory(
        account=account, region=region, collected_at=now, errors=ctx.log.errors, **fields
    )


def _caches_and_tags(
    ctx: RegionContext, filters: ScanFilters
) -> tuple[Caches, tuple[TaggedResource, ...]]:
    run_all = ctx.log.run_all
    groups: tuple[ReplicationGroup, ...] = ()
    serverless: tuple[ServerlessCache, ...] = ()
    if filters.wants_replication_groups():
        groups = run_all(
            "DescribeReplicationGroups",
            RG,
            lambda: collect_cache.replication_groups(ctx, filters),
        )
    clusters: tuple[CacheCluster, ...] = ()
    if filters.wants_cache_clusters():
        clusters = run_all(
            "DescribeCacheClusters",
            CC,
            lambda: collect_cache.cache_clusters(ctx, filters, groups),
        )
    if filters.wants_serverless():
        serverless = run_all(
            "DescribeServerlessCaches",
            SERVERLESS,
            lambda: collect_cache.serverless_caches(ctx, filters),
        )
    arns = [g.arn for g in groups] + [c.arn for c in clusters] + [s.arn for s in serverless]
    tags = _tags(ctx, filters, arns)
    by_arn = tags_by_arn(tags)
    kept_groups = keep_replication_groups(groups, filters, by_arn)
    return Caches(
        groups=kept_groups,
        clusters=keep_cache_clusters(clusters, filters, by_arn, groups, kept_groups),
        serverless=keep_serverless(serverless, filters, by_arn),
    ), tags


def _tags(ctx: RegionContext, filters: ScanFilters, arns: list[str]) -> tuple[TaggedResource, ...]:
    if filters.narrowed_by_id:
        return ctx.log.run_all("GetResources", None, lambda: collect_usage.tags_for_arns(ctx, arns))
    return ctx.log.run_all(
        "GetResources", None, lambda: collect_usage.tags_for_region(ctx, filters)
    )


def _access(ctx: RegionContext, caches: Caches, filters: ScanFilters) -> dict[str, Any]:
    """RBAC user groups and users: all of them for a full scan, else only those referenced."""
    group_ids: list[str] | None = None
    if not filters.is_empty:
        referenced = [g for rg in caches.groups for g in rg.user_group_ids]
        referenced += [s.user_group_id for s in caches.serverless if s.user_group_id]
        group_ids = list(dict.fromkeys(referenced))
    narrowed = filters.narrowed_by_id
    user_groups = ctx.log.run_all(
        "DescribeUserGroups",
        ResourceKind.USER.value,
        lambda: collect_cache.user_groups(ctx, group_ids, narrowed=narrowed),
    )
    user_ids: list[str] | None = None
    if group_ids is not None:
        user_ids = list(dict.fromkeys(u for group in user_groups for u in group.user_ids))
    users = ctx.log.run_all(
        "DescribeUsers",
        ResourceKind.USER.value,
        lambda: collect_cache.users(ctx, user_ids, narrowed=narrowed),
    )
    return {"user_groups": user_groups, "users": users}


def _network(ctx: RegionContext, caches: Caches, filters: ScanFilters) -> dict[str, Any]:
    """Subnet groups -> subnets -> route tables, and the security groups, of the kept caches."""
    run_all = ctx.log.run_all
    names = list(
        dict.fromkeys(
            c.cache_subnet_group_name for c in caches.clusters if c.cache_subnet_group_name
        )
    )
    subnet_groups = run_all(
        "DescribeCacheSubnetGroups",
        CC,
        lambda: collect_cache.subnet_groups(ctx, names, narrowed=filters.narrowed_by_id),
    )
    subnet_ids = {s.subnet_identifier for group in subnet_groups for s in group.subnets}
    subnet_ids |= {subnet for cache in caches.serverless for subnet in cache.subnet_ids}
    subnets = run_all("DescribeSubnets", CC, lambda: collect_network.subnets(ctx, subnet_ids))
    vpc_ids = {s.vpc_id for s in subnets} | {g.vpc_id for g in subnet_groups if g.vpc_id}
    route_tables = run_all(
        "DescribeRouteTables",
        CC,
        lambda: collect_network.route_tables(ctx, subnet_ids, vpc_ids),
    )
    group_ids = {m.security_group_id for c in caches.clusters for m in c.security_groups}
    group_ids |= {g for cache in caches.serverless for g in cache.security_group_ids}
    security_groups = run_all(
        "DescribeSecurityGroups", CC, lambda: collect_network.security_groups(ctx, group_ids)
    )
    vpc_ids |= {g.vpc_id for g in security_groups if g.vpc_id}
    vpcs = run_all("DescribeVpcs", CC, lambda: collect_network.vpcs(ctx, vpc_ids))
    list_ids = collect_network.referenced_prefix_lists(security_groups)
    prefix_lists = run_all(
        "DescribeManagedPrefixLists", CC, lambda: collect_network.prefix_lists(ctx, list_ids)
    )
    return {
        "subnet_groups": subnet_groups,
        "subnets": subnets,
        "route_tables": route_tables,
        "security_groups": security_groups,
        "vpcs": vpcs,
        "prefix_lists": prefix_lists,
    }


def _snapshots(
    ctx: RegionContext, caches: Caches, filters: ScanFilters
) -> tuple[CacheSnapshot, ...]:
    """Backups of the kept caches (every backup, orphans included, on an unfiltered scan)."""
    keep_all = filters.is_empty
    node: tuple[CacheSnapshot, ...] = ()
    serverless: tuple[CacheSnapshot, ...] = ()
    if filters.wants_replication_groups() or filters.wants_cache_clusters():
        node = ctx.log.run_all(
            "DescribeSnapshots",
            ResourceKind.SNAPSHOT.value,
            lambda: collect_cache.node_snapshots(ctx, filters),
        )
    if filters.wants_serverless():
        names = None if keep_all else {c.serverless_cache_name for c in caches.serverless}
        serverless = ctx.log.run_all(
            "DescribeServerlessCacheSnapshots",
            ResourceKind.SNAPSHOT.value,
            lambda: collect_cache.serverless_snapshots(ctx, filters, names),
        )
    if not keep_all:
        sources = {g.replication_group_id for g in caches.groups}
        sources |= {c.cache_cluster_id for c in caches.clusters}
        node = tuple(
            s for s in node if s.replication_group_id in sources or s.cache_cluster_id in sources
        )
    return node + serverless


def _keys(
    ctx: RegionContext, caches: Caches, snapshots: tuple[CacheSnapshot, ...]
) -> tuple[KmsKey, ...]:
    key_ids = {g.kms_key_id for g in caches.groups if g.kms_key_id}
    key_ids |= {s.kms_key_id for s in caches.serverless if s.kms_key_id}
    key_ids |= {s.kms_key_id for s in snapshots if s.kms_key_id}
    if ctx.log.region_unreachable or not key_ids:
        return ()
    keys, errors = collect_network.kms_keys(ctx, key_ids)
    for error in errors:
        ctx.log.record(error)
    return keys


def _region_facts(
    ctx: RegionContext, filters: ScanFilters, include_account_facts: bool
) -> dict[str, Any]:
    """Reserved nodes, trails and IAM describe the whole account: only on an unfiltered scan."""
    if not filters.is_empty:
        return {"trails": None, "iam_policies": None}
    reserved = ctx.log.run_all(
        "DescribeReservedCacheNodes",
        ResourceKind.RESERVED_NODE.value,
        lambda: collect_cache.reserved_nodes(ctx),
    )
    trails = ctx.log.run("DescribeTrails", REGION_KIND, lambda: _trails(ctx))
    iam = None
    if include_account_facts:
        iam = ctx.log.run(
            "ListPolicies",
            ResourceKind.ACCOUNT.value,
            lambda: collect_account.iam_policy_facts(ctx),
        )
    return {"reserved_nodes": reserved, "trails": trails, "iam_policies": iam}


def _trails(ctx: RegionContext) -> tuple[Trail, ...]:
    found, errors = collect_account.trails(ctx)
    for error in errors:
        ctx.log.record(error)
    return found

"""Derived facts shared by many checks: engine versions, ports, attachments, wording."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.version import Version

from posture.resources import (
    CacheCluster,
    CacheSnapshot,
    ReplicationGroup,
    ReservedNode,
    ServerlessCache,
    User,
)
from posture.rules.context import RuleContext

CacheResource = ReplicationGroup | CacheCluster | ServerlessCache

DEFAULT_PORTS = {"redis": 6379, "valkey": 6379, "memcached": 11211}
RBAC_MINIMUM_REDIS = Version("6.0")
MEMCACHED_TLS_MINIMUM = Version("1.6.12")

_LEADING_NUMBERS = re.compile(r"\d+(?:\.\d+)*")


def parse_version(text: str | None) -> Version | None:
    """Read the numeric prefix of an engine version ("6.x" reads as 6, "7.1.0" as 7.1.0)."""
    if not text:
        return None
    match = _LEADING_NUMBERS.match(text.strip())
    return Version(match.group(0)) if match else None


def engine_version(resource: CacheResource | CacheSnapshot, ctx: RuleContext) -> str | None:
    """The engine version; a replication group has none, so read it from a member."""
    if isinstance(resource, ReplicationGroup):
        versions = [m.engine_version for m in ctx.members(resource) if m.engine_version]
        return versions[0] if versions else None
    if isinstance(resource, ServerlessCache):
        return resource.full_engine_version or resource.major_engine_version
    return resource.engine_version


def engine_name(resource: CacheResource) -> str:
    return resource.engine.lower()


def engine_label(resource: object, ctx: RuleContext) -> str | None:
    """The "redis 7.1" style label a finding carries, or None for non-cache resources."""
    if isinstance(resource, ReservedNode):
        return resource.product_description
    if isinstance(resource, CacheSnapshot):
        parts = [p for p in (resource.engine, resource.engine_version) if p]
        return " ".join(parts) or None
    if isinstance(resource, ReplicationGroup | CacheCluster | ServerlessCache):
        version = engine_version(resource, ctx)
        return f"{resource.engine} {version}" if version else resource.engine
    return None


def resource_name(resource: CacheResource) -> str:
    if isinstance(resource, ReplicationGroup):
        return resource.replication_group_id
    if isinstance(resource, CacheCluster):
        return resource.cache_cluster_id
    return resource.serverless_cache_name


def describe(resource: CacheResource, ctx: RuleContext) -> str:
    """The subject of an evidence sentence: kind, id and engine with version."""
    kind = {
        ReplicationGroup: "replication group",
        CacheCluster: "cache cluster",
        ServerlessCache: "serverless cache",
    }[type(resource)]
    return f"{kind} {resource_name(resource)} ({engine_label(resource, ctx)})"


def supports_rbac(resource: CacheResource, ctx: RuleContext) -> bool | None:
    """True for Valkey (every release is 7.2+) and Redis OSS >= 6.0; None when unknown."""
    engine = engine_name(resource)
    if engine == "valkey" or isinstance(resource, ServerlessCache):
        return engine != "memcached"
    if engine != "redis":
        return False
    version = parse_version(engine_version(resource, ctx))
    return None if version is None else version >= RBAC_MINIMUM_REDIS


def node_clusters(
    resource: ReplicationGroup | CacheCluster, ctx: RuleContext
) -> tuple[CacheCluster, ...]:
    """The clusters that carry node-level settings: a group's members, or the cluster itself."""
    if isinstance(resource, ReplicationGroup):
        return ctx.members(resource)
    return (resource,)


def missing_members_reason(group: ReplicationGroup, ctx: RuleContext) -> str | None:
    """Why node-level facts of a group cannot be read, or None when they can."""
    missing = ctx.missing_members(group)
    if missing:
        return f"member clusters {', '.join(missing)} of {describe(group, ctx)} were not collected"
    if not ctx.members(group):
        return f"no member cluster of {describe(group, ctx)} was collected"
    return None


def _group_port(group: ReplicationGroup, ctx: RuleContext) -> int | None:
    if group.configuration_endpoint and group.configuration_endpoint.port:
        return group.configuration_endpoint.port
    for node_group in group.node_groups:
        if node_group.primary_endpoint and node_group.primary_endpoint.port:
            return node_group.primary_endpoint.port
    for member in ctx.members(group):
        port = _cluster_port(member)
        if port:
            return port
    return None


def _cluster_port(cluster: CacheCluster) -> int | None:
    if cluster.configuration_endpoint and cluster.configuration_endpoint.port:
        return cluster.configuration_endpoint.port
    for node in cluster.cache_nodes:
        if node.endpoint and node.endpoint.port:
            return node.endpoint.port
    return None


def reported_port(resource: CacheResource, ctx: RuleContext) -> int | None:
    """The port an endpoint reports, or None when no endpoint carries one."""
    if isinstance(resource, ReplicationGroup):
        return _group_port(resource, ctx)
    if isinstance(resource, CacheCluster):
        return _cluster_port(resource)
    return resource.endpoint.port if resource.endpoint else None


def cache_port(resource: CacheResource, ctx: RuleContext) -> int:
    """The port clients connect to: the reported endpoint port, else the engine default."""
    return reported_port(resource, ctx) or DEFAULT_PORTS.get(engine_name(resource), 6379)


SERVERLESS_READER_PORTS = {"redis": 6380, "valkey": 6380}


def cache_ports(resource: CacheResource, ctx: RuleContext) -> tuple[int, ...]:
    """Every port clients can reach: a serverless cache also serves reads on its reader port."""
    if not isinstance(resource, ServerlessCache):
        return (cache_port(resource, ctx),)
    engine = engine_name(resource)
    endpoints = (resource.endpoint, resource.reader_endpoint)
    ports = [e.port for e in endpoints if e is not None and e.port]
    if not ports:
        defaults = (DEFAULT_PORTS.get(engine, 6379), SERVERLESS_READER_PORTS.get(engine))
        ports = [port for port in defaults if port]
    return tuple(dict.fromkeys(ports))


def security_group_ids(resource: CacheResource, ctx: RuleContext) -> tuple[str, ...]:
    if isinstance(resource, ServerlessCache):
        return resource.security_group_ids
    ids: list[str] = []
    for cluster in node_clusters(resource, ctx):
        for membership in cluster.security_groups:
            if membership.security_group_id not in ids:
                ids.append(membership.security_group_id)
    return tuple(ids)


def attached_user_groups(
    resource: ReplicationGroup | ServerlessCache, ctx: RuleContext
) -> tuple[str, ...]:
    """User groups on the resource itself, plus groups that name it (either side may lag)."""
    if isinstance(resource, ServerlessCache):
        named = [
            g.user_group_id
            for g in ctx.inventory.user_groups
            if resource.serverless_cache_name in g.serverless_caches
        ]
        own = [resource.user_group_id] if resource.user_group_id else []
    else:
        named = [
            g.user_group_id
            for g in ctx.inventory.user_groups
            if resource.replication_group_id in g.replication_groups
        ]
        own = list(resource.user_group_ids)
    return tuple(dict.fromkeys([*own, *named]))


@dataclass(frozen=True)
class GroupMembers:
    """The users the given user groups hold, and what of them the inventory lacks."""

    users: tuple[tuple[str, User], ...]  # (user group id, user), in group order
    unknown: tuple[str, ...]  # "user group <id>" / "user <id>" that could not be read


def group_members(groups: tuple[str, ...], ctx: RuleContext) -> GroupMembers:
    """Walk each user group to its users (CW-203 and CW-206 judge each user they find)."""
    users: list[tuple[str, User]] = []
    unknown: list[str] = []
    for group_id in groups:
        group = ctx.user_groups_by_id.get(group_id)
        if group is None:
            unknown.append(f"user group {group_id}")
            continue
        for user_id in group.user_ids:
            user = ctx.users_by_id.get(user_id)
            if user is None:
                unknown.append(f"user {user_id}")
            else:
                users.append((group_id, user))
    return GroupMembers(tuple(users), tuple(unknown))


def count_phrase(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"

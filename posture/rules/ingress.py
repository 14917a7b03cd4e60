"""Security group and port checks: CW-304 to CW-306."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network

from posture.base import ResourceKind
from posture.resources import CacheCluster, IpPermission, ReplicationGroup, SecurityGroup
from posture.rules.context import (
    RuleCheck,
    RuleContext,
    Verdict,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.facts import (
    DEFAULT_PORTS,
    CacheResource,
    cache_port,
    describe,
    engine_name,
    missing_members_reason,
    reported_port,
    security_group_ids,
)

WORLD = ("0.0.0.0/0", "::/0")
Network = IPv4Network | IPv6Network


def describe_permission(permission: IpPermission) -> str:
    if permission.ip_protocol == "-1":
        return "all traffic"
    return f"{permission.ip_protocol} {permission.from_port}-{permission.to_port}"


def permission_sources(permission: IpPermission) -> tuple[str, ...]:
    """Every source an ingress permission names: CIDRs, group references, prefix lists."""
    return (
        *(r.cidr_ip for r in permission.ip_ranges),
        *(r.cidr_ipv6 for r in permission.ipv6_ranges),
        *(f"security group {pair.group_id}" for pair in permission.user_id_group_pairs),
        *(f"prefix list {pl.get('PrefixListId', '?')}" for pl in permission.prefix_list_ids),
    )


def _attached_groups(
    resource: CacheResource, ctx: RuleContext
) -> tuple[list[SecurityGroup], Verdict | None]:
    """The security groups on the cache, or the verdict when they cannot be read."""
    subject = describe(resource, ctx)
    if isinstance(resource, ReplicationGroup):
        reason = missing_members_reason(resource, ctx)
        if reason:
            return [], errored(reason)
    group_ids = security_group_ids(resource, ctx)
    if not group_ids:
        return [], not_applicable(f"{subject} has no VPC security group attached")
    missing = [gid for gid in group_ids if gid not in ctx.security_groups_by_id]
    if missing:
        return [], errored(f"{subject}: security group {', '.join(missing)} could not be read")
    return [ctx.security_groups_by_id[gid] for gid in group_ids], None


def _ingress_on_port(
    groups: list[SecurityGroup], port: int
) -> list[tuple[SecurityGroup, IpPermission]]:
    return [(g, p) for g in groups for p in g.ip_permissions if p.covers_port(port)]


def check_port_not_public(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-304: an ingress rule from anywhere on the cache port invites the whole internet."""
    groups, verdict = _attached_groups(resource, ctx)
    if verdict:
        return verdict
    port = cache_port(resource, ctx)
    subject = describe(resource, ctx)
    open_rules = [
        f"{group.group_id} allows {describe_permission(perm)} from {source} (covers port {port})"
        for group, perm in _ingress_on_port(groups, port)
        for source in permission_sources(perm)
        if source in WORLD
    ]
    if open_rules:
        return failed(f"{subject} is open to the internet: security group {'; '.join(open_rules)}")
    names = ", ".join(g.group_id for g in groups)
    return passed(f"{subject}: no rule in {names} opens port {port} to 0.0.0.0/0 or ::/0")


def _inside(inner: Network, outer: Network) -> bool:
    """Containment only makes sense between networks of the same IP version."""
    if isinstance(inner, IPv4Network) and isinstance(outer, IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, IPv6Network) and isinstance(outer, IPv6Network):
        return inner.subnet_of(outer)
    return False


def is_trusted(source: str, trusted: tuple[str, ...]) -> bool:
    """A group reference is trusted; a CIDR must sit inside a trusted block."""
    if source.startswith("security group "):
        return True
    try:
        network = ip_network(source, strict=False)
    except ValueError:
        return False  # prefix lists and anything unparsable cannot be verified
    return any(_inside(network, ip_network(block, strict=False)) for block in trusted)


def check_trusted_sources(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-305: every source on the cache port is a security group or a trusted CIDR."""
    groups, verdict = _attached_groups(resource, ctx)
    if verdict:
        return verdict
    port = cache_port(resource, ctx)
    subject = describe(resource, ctx)
    trusted = ctx.policy.network.trusted_cidrs
    untrusted = [
        f"{source} via {group.group_id} ({describe_permission(perm)})"
        for group, perm in _ingress_on_port(groups, port)
        for source in permission_sources(perm)
        if not is_trusted(source, trusted)
    ]
    if untrusted:
        return failed(f"{subject} accepts port {port} from untrusted source {'; '.join(untrusted)}")
    return passed(
        f"{subject}: port {port} is reachable only from security groups and trusted CIDRs"
    )


def check_non_default_port(resource: ReplicationGroup | CacheCluster, ctx: RuleContext) -> Verdict:
    """CW-306: a non-default port turns away scanners that only try 6379 and 11211.

    Serverless endpoints have fixed ports, so the rule covers node-based caches only.
    """
    subject = describe(resource, ctx)
    default = DEFAULT_PORTS.get(engine_name(resource))
    port = reported_port(resource, ctx)
    if port is None:
        return errored(f"{subject} reports no endpoint port")
    if port == default:
        return failed(f"{subject} listens on the default port {port}")
    return passed(f"{subject} listens on port {port}, not the default {default}")


RG = ResourceKind.REPLICATION_GROUP
CC = ResourceKind.CACHE_CLUSTER
SLS = ResourceKind.SERVERLESS_CACHE

CHECKS: tuple[RuleCheck, ...] = (
    *(RuleCheck("CW-304", kind, check_port_not_public) for kind in (RG, CC, SLS)),
    *(RuleCheck("CW-305", kind, check_trusted_sources) for kind in (RG, CC, SLS)),
    RuleCheck("CW-306", RG, check_non_default_port),
    RuleCheck("CW-306", CC, check_non_default_port),
)

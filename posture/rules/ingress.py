"""Security groups and ports: CW-304 to CW-306, each catalog entry with its check below it."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network

from posture.base import Severity
from posture.catalog import _network_snippets as snip
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory
from posture.catalog.network import (
    ALL_ENGINES,
    BOUNDARY_STANDARDS,
    DOCS,
    EVERY_CACHE,
    FAMILY,
    MOVE_BACKOUT,
    NODE_BASED,
    REBUILD_PERMISSIONS,
    SG_EVAL_PERMISSIONS,
    SG_FIX_PERMISSIONS,
    VPC_DOCS,
)
from posture.resources import (
    CacheCluster,
    IpPermission,
    ReplicationGroup,
    SecurityGroup,
    UserIdGroupPair,
)
from posture.rules.context import (
    RuleContext,
    Verdict,
    check,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.facts import (
    DEFAULT_PORTS,
    CacheResource,
    cache_ports,
    describe,
    engine_name,
    missing_members_reason,
    reported_port,
    security_group_ids,
)

WORLD = ("0.0.0.0/0", "::/0")
Network = IPv4Network | IPv6Network
# Who can reach a private address that a rule opens to everyone.
ROUTABLE_FROM = (
    "its nodes have private addresses only, so the opening reaches every network that routes "
    "into the VPC: its own subnets, peered VPCs, VPN and Direct Connect links and transit "
    "gateway attachments"
)


@dataclass(frozen=True)
class Source:
    """One source of an ingress permission: a CIDR, a security group reference or a prefix list."""

    label: str
    cidr: str | None = None
    pair: UserIdGroupPair | None = None
    prefix_list_id: str | None = None


def describe_permission(permission: IpPermission) -> str:
    if permission.ip_protocol == "-1":
        return "all traffic"
    return f"{permission.ip_protocol} {permission.from_port}-{permission.to_port}"


def permission_sources(permission: IpPermission) -> tuple[Source, ...]:
    """Every source an ingress permission names: CIDRs, group references, prefix lists."""
    cidrs = [r.cidr_ip for r in permission.ip_ranges] + [
        r.cidr_ipv6 for r in permission.ipv6_ranges
    ]
    return (
        *(Source(cidr, cidr=cidr) for cidr in cidrs),
        *(_group_source(pair) for pair in permission.user_id_group_pairs),
        *(
            Source(f"prefix list {pl_id}", prefix_list_id=pl_id)
            for pl in permission.prefix_list_ids
            if (pl_id := str(pl.get("PrefixListId", "?")))
        ),
    )


def _group_source(pair: UserIdGroupPair) -> Source:
    label = f"security group {pair.group_id}"
    if pair.vpc_peering_connection_id:
        label += f" across peering {pair.vpc_peering_connection_id}"
    elif pair.user_id:
        label += f" of account {pair.user_id}"
    return Source(label, pair=pair)


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


def _ingress_on_ports(
    groups: list[SecurityGroup], ports: tuple[int, ...]
) -> list[tuple[SecurityGroup, IpPermission, int]]:
    """(group, permission, first port it covers) for every permission covering a cache port."""
    found = []
    for group in groups:
        for permission in group.ip_permissions:
            covered = [port for port in ports if permission.covers_port(port)]
            if covered:
                found.append((group, permission, covered[0]))
    return found


def _prefix_list_cidrs(prefix_list_id: str, ctx: RuleContext) -> tuple[str, ...] | None:
    """The CIDRs a prefix list holds, or None when its entries were not read."""
    prefix_list = ctx.prefix_lists_by_id.get(prefix_list_id)
    if prefix_list is None or prefix_list.entries is None:
        return None
    return tuple(entry.cidr for entry in prefix_list.entries)


def _port_phrase(ports: tuple[int, ...]) -> str:
    return f"port {ports[0]}" if len(ports) == 1 else f"ports {', '.join(map(str, ports))}"


CW_304 = Rule(
    id="CW-304",
    title="The cache port is not open to 0.0.0.0/0 or ::/0",
    severity=Severity.CRITICAL,
    category=RuleCategory.SECURITY,
    failure="Cache port open to 0.0.0.0/0 or ::/0",
    family=FAMILY,
    resource_kinds=EVERY_CACHE,
    engines=ALL_ENGINES,
    rationale=(
        "Redis OSS, Valkey and Memcached were built for trusted networks, and Memcached "
        "has no authentication at all. An ingress rule from anywhere on the cache port "
        "(or all traffic) admits every network path into the VPC: peering, VPN, Transit "
        "Gateway, Direct Connect, or a proxy in a public subnet. Whoever gets through can "
        "read, change or wipe the data, with no other network control left to stop them."
    ),
    audit=snip.SECURITY_GROUP_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=snip.OPEN_PORT_CLI,
        cloudformation=snip.OPEN_PORT_CFN,
        terraform=snip.OPEN_PORT_TERRAFORM,
        console=(
            "In the EC2 console, open Security Groups and select each group attached to the cache.",
            "Under Inbound rules, add a rule for the cache port whose source is the "
            "application's security group, and save.",
            "Delete the rules whose source is 0.0.0.0/0 or ::/0 and that cover the cache "
            "port (including All traffic rules), and save.",
            "If the security group is shared with other resources, create a dedicated "
            "one instead and attach it to the cache (Modify, Security groups).",
        ),
        permissions=SG_FIX_PERMISSIONS,
    ),
    backout=(
        "Security group changes apply at once and are reversible: authorize the removed "
        "rule again to restore the old state. Better, add the specific source a broken "
        "client needs (its security group or CIDR) and leave the open rule gone."
    ),
    compliance=(
        *BOUNDARY_STANDARDS,
        "PCI DSS v4.0 1.4.4",
        "NIST SP 800-53 AC-4",
        "HIPAA 164.312(a)(1)",
    ),
    permissions=SG_EVAL_PERMISSIONS,
    references=(
        f"{DOCS}/dg/VPCs.html",
        f"{VPC_DOCS}/vpc-security-groups.html",
    ),
    aliases={Framework.CLOUDSPLOIT: ("openRedis", "openMemcached")},
)


@check(CW_304)
def check_port_not_public(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-304: an ingress rule from any address on a cache port admits every routable network."""
    groups, verdict = _attached_groups(resource, ctx)
    if verdict:
        return verdict
    ports = cache_ports(resource, ctx)
    subject = describe(resource, ctx)
    open_rules: list[str] = []
    unread: list[str] = []
    for group, perm, port in _ingress_on_ports(groups, ports):
        for source in permission_sources(perm):
            where = f"{group.group_id} allows {describe_permission(perm)} from {source.label}"
            if source.cidr in WORLD:
                open_rules.append(f"{where} (covers port {port})")
            elif source.prefix_list_id:
                cidrs = _prefix_list_cidrs(source.prefix_list_id, ctx)
                if cidrs is None:
                    unread.append(source.prefix_list_id)
                elif any(cidr in WORLD for cidr in cidrs):
                    open_rules.append(
                        f"{where}, which holds 0.0.0.0/0 or ::/0 (covers port {port})"
                    )
    if open_rules:
        return failed(
            f"{subject} accepts connections from any address: security group "
            f"{'; '.join(open_rules)}; {ROUTABLE_FROM}"
        )
    if unread:
        return errored(f"{subject}: prefix list {', '.join(unread)} could not be read")
    names = ", ".join(g.group_id for g in groups)
    return passed(f"{subject}: no rule in {names} opens {_port_phrase(ports)} to 0.0.0.0/0 or ::/0")


def _inside(inner: Network, outer: Network) -> bool:
    """Containment only makes sense between networks of the same IP version."""
    if isinstance(inner, IPv4Network) and isinstance(outer, IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, IPv6Network) and isinstance(outer, IPv6Network):
        return inner.subnet_of(outer)
    return False


def cidr_inside(source: str, blocks: tuple[str, ...]) -> bool:
    """True when the CIDR sits inside one of `blocks`; anything unparsable is not."""
    try:
        network = ip_network(source, strict=False)
    except ValueError:
        return False
    return any(_inside(network, ip_network(block, strict=False)) for block in blocks)


def _vpc_blocks(groups: list[SecurityGroup], ctx: RuleContext) -> tuple[str, ...]:
    """Every CIDR block of the VPCs the cache's security groups live in."""
    blocks: list[str] = []
    for group in groups:
        vpc = ctx.vpcs_by_id.get(group.vpc_id or "")
        if vpc is not None:
            blocks.extend(vpc.cidr_blocks())
    return tuple(dict.fromkeys(blocks))


def _group_trusted(pair: UserIdGroupPair, ctx: RuleContext) -> bool:
    """Same-account groups are trusted; peered or cross-account ones only when listed."""
    network = ctx.policy.network
    if pair.group_id and pair.group_id in network.trusted_security_groups:
        return True
    if pair.vpc_peering_connection_id:
        return False
    owner = pair.user_id
    return owner is None or owner == ctx.inventory.account or owner in network.trusted_accounts


def _source_verdict(source: Source, blocks: tuple[str, ...], ctx: RuleContext) -> bool | None:
    """Whether a source is trusted; None when a prefix list's entries were not read."""
    if source.pair is not None:
        return _group_trusted(source.pair, ctx)
    if source.prefix_list_id is not None:
        if source.prefix_list_id in ctx.policy.network.trusted_prefix_lists:
            return True
        cidrs = _prefix_list_cidrs(source.prefix_list_id, ctx)
        if cidrs is None:
            return None
        return all(cidr_inside(cidr, blocks) for cidr in cidrs)
    return source.cidr is not None and cidr_inside(source.cidr, blocks)


CW_305 = Rule(
    id="CW-305",
    title="Only trusted sources can reach the cache port",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="Cache port reachable from sources the policy does not trust",
    family=FAMILY,
    resource_kinds=EVERY_CACHE,
    engines=ALL_ENGINES,
    rationale=(
        "Every inbound rule that covers a cache port must name a source we trust. Out of "
        "the box only two kinds are: an address range inside one of the CIDR blocks of the "
        "VPC the cache's security groups live in, and a security group owned by the same "
        "account and not reached over VPC peering. A prefix list counts when all of its "
        "entries fall inside those blocks. Anything else (another private range, a partner "
        "or office network, another account's group, a peered VPC's group) fails unless the "
        "policy lists it under trusted_cidrs, trusted_security_groups, trusted_accounts or "
        "trusted_prefix_lists, which are all empty by default. Every extra source is a host "
        "that never needs the cache but can talk to it, and a path to the data once it is "
        "compromised."
    ),
    audit=snip.TRUSTED_SOURCES_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=snip.UNTRUSTED_SOURCE_CLI,
        cloudformation=snip.UNTRUSTED_SOURCE_CFN,
        terraform=snip.UNTRUSTED_SOURCE_TERRAFORM,
        console=(
            "In the EC2 console, open Security Groups and select each group attached to the cache.",
            "Under Inbound rules, find the rules on the cache port whose source is outside "
            "the cache's VPC blocks, a group of another account or a peered VPC, or a prefix "
            "list reaching beyond the VPC, and is not in the policy's trusted lists.",
            "Add rules for the legitimate clients, by their security group where "
            "possible or by a trusted CIDR, and save.",
            "Delete the untrusted rules and save.",
        ),
        permissions=SG_FIX_PERMISSIONS,
    ),
    backout=(
        "Authorize the removed rule again; the change takes effect immediately. Record "
        "why it was needed and add that range to the policy's trusted CIDRs if it is "
        "legitimate, so the finding does not return."
    ),
    compliance=(
        "NIST SP 800-53 AC-4",
        "NIST SP 800-53 SC-7(5)",
        "PCI DSS v4.0 1.3.1",
        "SOC 2 CC6.6",
    ),
    permissions=SG_EVAL_PERMISSIONS,
    references=(
        f"{VPC_DOCS}/vpc-security-groups.html",
        f"{DOCS}/dg/VPCs.html",
    ),
)


@check(CW_305)
def check_trusted_sources(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-305: every source on a cache port is its own VPC, a same-account group, or listed."""
    groups, verdict = _attached_groups(resource, ctx)
    if verdict:
        return verdict
    ports = cache_ports(resource, ctx)
    subject = describe(resource, ctx)
    blocks = (*_vpc_blocks(groups, ctx), *ctx.policy.network.trusted_cidrs)
    untrusted: list[str] = []
    unread: list[str] = []
    for group, perm, port in _ingress_on_ports(groups, ports):
        for source in permission_sources(perm):
            trusted = _source_verdict(source, blocks, ctx)
            if trusted is None:
                unread.append(source.label)
            elif not trusted:
                untrusted.append(
                    f"{source.label} via {group.group_id} ({describe_permission(perm)}, port {port})"
                )
    if untrusted:
        return failed(
            f"{subject} accepts connections from untrusted source {'; '.join(untrusted)}; "
            "only the cache's VPC, same-account security groups and the policy's trusted "
            "sources are trusted"
        )
    if unread:
        return errored(f"{subject}: {', '.join(unread)} could not be read")
    return passed(
        f"{subject}: {_port_phrase(ports)} reachable only from its VPC, same-account security "
        "groups and trusted sources"
    )


CW_306 = Rule(
    id="CW-306",
    title="Caches listen on a non-default port",
    severity=Severity.LOW,
    category=RuleCategory.SECURITY,
    failure="Cache listens on the engine's default port",
    family=FAMILY,
    resource_kinds=NODE_BASED,
    engines=ALL_ENGINES,
    rationale=(
        "Automated scanners and worms probe 6379 and 11211 first. A different port does "
        "not stop a targeted attacker, but it filters out commodity probing and makes "
        "stray connection attempts stand out in flow logs. Treat it as hardening on top "
        "of the network and authentication rules, never instead of them."
    ),
    audit=snip.PORT_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.PORT_CLI,
        cloudformation=snip.PORT_CFN,
        terraform=snip.PORT_TERRAFORM,
        console=(
            "The port of a node-based cache cannot be changed: plan a rebuild and a "
            "client cut-over window.",
            "Allow the new port from the application's security group on the cache's "
            "security group.",
            "Back the cache up, restore the backup into a new cache with the new port and "
            "every other setting of the old one (as for CW-302), and wait until it is "
            "available.",
            "Move clients to the new cache's endpoint names and port, then delete the old cache with a "
            "final backup and remove the old port's rule.",
        ),
        permissions=(*REBUILD_PERMISSIONS, "ec2:AuthorizeSecurityGroupIngress"),
    ),
    backout=MOVE_BACKOUT,
    compliance=("NIST SP 800-53 CM-6",),
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
    ),
    references=(
        f"{DOCS}/APIReference/API_CreateReplicationGroup.html",
        f"{DOCS}/APIReference/API_CreateCacheCluster.html",
    ),
    aliases={
        Framework.CONFORMITY: ("EC-012",),
        Framework.CLOUDSPLOIT: ("elasticacheDefaultPorts",),
    },
)


@check(CW_306)
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

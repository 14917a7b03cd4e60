"""Network placement: CW-301 to CW-303 and CW-307 (VPC, subnet group, public subnets,
default VPC), each catalog entry with its check below it.
default VPC).
"""

from __future__ import annotations

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
    MOVE_STEPS,
    NODE_BASED,
    REBUILD_PERMISSIONS,
    VPC_DOCS,
)
from posture.resources import CacheCluster, ReplicationGroup, Route, RouteTable, ServerlessCache
from posture.rules.context import (
    RuleContext,
    Verdict,
    check,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.facts import CacheResource, describe, missing_members_reason, node_clusters

NodeResource = ReplicationGroup | CacheCluster
DEFAULT_SUBNET_GROUP = "default"


def _subnet_group_names(resource: NodeResource, ctx: RuleContext) -> tuple[str, ...]:
    names = (c.cache_subnet_group_name for c in node_clusters(resource, ctx))
    return tuple(dict.fromkeys(name for name in names if name))


def _members_unreadable(resource: NodeResource, ctx: RuleContext) -> Verdict | None:
    if isinstance(resource, ReplicationGroup):
        reason = missing_members_reason(resource, ctx)
        return errored(reason) if reason else None
    return None


CW_301 = Rule(
    id="CW-301",
    title="Caches run inside a VPC",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="Cache runs outside a VPC",
    family=FAMILY,
    resource_kinds=NODE_BASED,
    engines=ALL_ENGINES,
    rationale=(
        "A cache without a subnet group was launched on EC2-Classic, the flat network "
        "shared with other customers' instances that AWS has retired. It has no subnets, "
        "route tables, network ACLs or flow logs of yours around it, so it cannot be "
        "isolated or monitored like the rest of the workload."
    ),
    audit=snip.VPC_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.VPC_CLI,
        cloudformation=snip.VPC_CFN,
        terraform=snip.SUBNET_GROUP_TERRAFORM,
        console=MOVE_STEPS,
        permissions=REBUILD_PERMISSIONS,
    ),
    backout=MOVE_BACKOUT,
    compliance=BOUNDARY_STANDARDS,
    permissions=("elasticache:DescribeCacheClusters",),
    references=(
        f"{DOCS}/dg/VPCs.html",
        f"{DOCS}/dg/SubnetGroups.html",
    ),
    aliases={
        Framework.CONFORMITY: ("EC-003",),
        Framework.CLOUDSPLOIT: ("elasticacheClusterInVpc",),
        Framework.CHECKOV: ("CKV_AWS_196",),
    },
)


@check(CW_301)
def check_in_vpc(resource: NodeResource, ctx: RuleContext) -> Verdict:
    """CW-301: a cache outside a VPC (EC2-Classic) cannot be fenced by security groups."""
    subject = describe(resource, ctx)
    unreadable = _members_unreadable(resource, ctx)
    if unreadable:
        return unreadable
    outside = [
        c.cache_cluster_id for c in node_clusters(resource, ctx) if not c.cache_subnet_group_name
    ]
    if outside:
        return failed(
            f"{subject} has no cache subnet group on {', '.join(outside)}: it runs outside a VPC"
        )
    return passed(
        f"{subject} runs in a VPC (subnet group {', '.join(_subnet_group_names(resource, ctx))})"
    )


CW_302 = Rule(
    id="CW-302",
    title="Caches use their own subnet group, not the default one",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Cache uses the default subnet group",
    family=FAMILY,
    resource_kinds=NODE_BASED,
    engines=ALL_ENGINES,
    rationale=(
        "The subnet group named default is built from the default VPC, whose subnets "
        "route to an internet gateway and host whatever was launched without a network "
        "decision. A cache there shares its network with unrelated, often public, "
        "workloads. A dedicated subnet group of private subnets makes its placement "
        "deliberate and reviewable."
    ),
    audit=snip.DEFAULT_SUBNET_GROUP_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.MOVE_SUBNET_GROUP_CLI,
        cloudformation=snip.SUBNET_GROUP_CFN,
        terraform=snip.SUBNET_GROUP_TERRAFORM,
        console=MOVE_STEPS,
        permissions=REBUILD_PERMISSIONS,
    ),
    backout=MOVE_BACKOUT,
    compliance=BOUNDARY_STANDARDS,
    permissions=(
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeReplicationGroups",
    ),
    references=(
        f"{DOCS}/dg/SubnetGroups.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html",
    ),
    aliases={
        Framework.SECURITY_HUB: ("ElastiCache.7",),
        Framework.STEAMPIPE: ("elasticache_cluster_no_default_subnet_group",),
        Framework.CHECKOV: ("CKV_AWS_323",),
        Framework.AWS_CONFIG: ("elasticache-subnet-group-check",),
    },
)


@check(CW_302)
def check_not_default_subnet_group(resource: NodeResource, ctx: RuleContext) -> Verdict:
    """CW-302: the `default` subnet group places the cache in the account's default VPC."""
    subject = describe(resource, ctx)
    unreadable = _members_unreadable(resource, ctx)
    if unreadable:
        return unreadable
    names = _subnet_group_names(resource, ctx)
    if not names:
        return not_applicable(f"{subject} is not in a VPC; CW-301 reports that")
    if DEFAULT_SUBNET_GROUP in names:
        return failed(
            f"{subject} uses the default cache subnet group, which sits in the default VPC"
        )
    return passed(f"{subject} uses subnet group {', '.join(names)}")


def is_internet_route(route: Route) -> bool:
    """Any live route to an internet gateway makes the subnet public, whatever its destination.

    A default route is the usual case, but 0.0.0.0/1 plus 128.0.0.0/1, a narrow CIDR or a
    prefix list reach the internet just as well. NAT and transit gateways do not expose a
    subnet: their targets never start with `igw-`.
    """
    gateway = route.gateway_id or ""
    return gateway.startswith("igw-") and route.state != "blackhole"


def route_destination(route: Route) -> str:
    return (
        route.destination_cidr_block
        or route.destination_ipv6_cidr_block
        or (
            f"prefix list {route.destination_prefix_list_id}"
            if route.destination_prefix_list_id
            else ""
        )
        or "an unnamed destination"
    )


def route_table_for(subnet_id: str, vpc_hint: str | None, ctx: RuleContext) -> RouteTable | None:
    """The subnet's own association, else the main table of the subnet's VPC (never another's)."""
    explicit = ctx.route_tables_by_subnet.get(subnet_id)
    if explicit is not None:
        return explicit
    subnet = ctx.subnets_by_id.get(subnet_id)
    vpc_id = subnet.vpc_id if subnet is not None else vpc_hint
    return ctx.main_route_tables_by_vpc.get(vpc_id) if vpc_id else None


def _subnets_to_check(
    resource: CacheResource, ctx: RuleContext
) -> tuple[list[tuple[str, str | None]], Verdict | None]:
    """(subnet id, VPC id from its subnet group) pairs, or the verdict when none can be read."""
    subject = describe(resource, ctx)
    if isinstance(resource, ServerlessCache):
        if not resource.subnet_ids:
            return [], errored(f"{subject} reports no subnet ids")
        return [(subnet_id, None) for subnet_id in resource.subnet_ids], None
    unreadable = _members_unreadable(resource, ctx)
    if unreadable:
        return [], unreadable
    names = _subnet_group_names(resource, ctx)
    if not names:
        return [], not_applicable(f"{subject} is not in a VPC; CW-301 reports that")
    pairs: list[tuple[str, str | None]] = []
    for name in names:
        group = ctx.subnet_groups_by_name.get(name)
        if group is None:
            return [], errored(f"{subject}: subnet group {name} could not be read")
        pairs.extend((ref.subnet_identifier, group.vpc_id) for ref in group.subnets)
    return pairs, None


CW_303 = Rule(
    id="CW-303",
    title="Caches are placed only in private subnets",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Cache has a subnet that routes to an internet gateway",
    family=FAMILY,
    resource_kinds=EVERY_CACHE,
    engines=ALL_ENGINES,
    rationale=(
        "We call a subnet public when its route table (its own association, or else the main "
        "table of its VPC) holds any active route whose target is an internet gateway (igw-), "
        "whatever the destination: 0.0.0.0/0, ::/0, two /1 halves, a narrow CIDR or a prefix "
        "list all let traffic in and out through the gateway. Routes through a NAT gateway "
        "or a transit gateway do not make a subnet public, and a blackhole route is ignored. "
        "Cache nodes only get private addresses, but a public subnet is the internet-facing "
        "tier, where one loose security group or network ACL is enough to expose the cache. "
        "Every subnet of the cache's subnet group (or of a serverless cache) is checked; a "
        "subnet whose route table cannot be found is reported as an error, not as a pass."
    ),
    audit=snip.PUBLIC_SUBNET_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.MOVE_SUBNET_GROUP_CLI,
        cloudformation=snip.PRIVATE_SUBNET_CFN,
        terraform=snip.SUBNET_GROUP_TERRAFORM,
        console=(
            *MOVE_STEPS,
            "A serverless cache cannot change subnets either: create a serverless backup "
            "and restore it into a new serverless cache on private subnets.",
            "If the subnets hold nothing but caches, removing their internet gateway "
            "route (or associating a private route table) fixes them in place; check "
            "first that no other resource there needs it.",
        ),
        permissions=(
            *REBUILD_PERMISSIONS,
            "elasticache:CreateServerlessCacheSnapshot",
            "elasticache:CreateServerlessCache",
            "elasticache:DeleteServerlessCache",
        ),
    ),
    backout=MOVE_BACKOUT,
    compliance=(
        *BOUNDARY_STANDARDS,
        "PCI DSS v4.0 1.4.4",
    ),
    permissions=(
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeCacheSubnetGroups",
        "elasticache:DescribeServerlessCaches",
        "ec2:DescribeSubnets",
        "ec2:DescribeRouteTables",
    ),
    references=(
        f"{DOCS}/dg/SubnetGroups.html",
        f"{VPC_DOCS}/VPC_Route_Tables.html",
    ),
    aliases={
        Framework.PROWLER: ("elasticache_cluster_uses_public_subnet",),
        Framework.STEAMPIPE: ("elasticache_cluster_no_public_subnet",),
    },
)


@check(CW_303)
def check_no_public_subnet(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-303: a subnet with any live route to an internet gateway is public."""
    subject = describe(resource, ctx)
    pairs, verdict = _subnets_to_check(resource, ctx)
    if verdict:
        return verdict
    public: list[str] = []
    unresolved: list[str] = []
    for subnet_id, vpc_hint in pairs:
        table = route_table_for(subnet_id, vpc_hint, ctx)
        if table is None:
            unresolved.append(subnet_id)
            continue
        public.extend(
            f"{subnet_id} (route table {table.route_table_id} sends "
            f"{route_destination(route)} to {route.gateway_id})"
            for route in table.routes
            if is_internet_route(route)
        )
    if public:
        return failed(f"{subject} is in public subnet {'; '.join(public)}")
    if unresolved:
        return errored(f"{subject}: no route table found for subnet {', '.join(unresolved)}")
    return passed(f"{subject}: none of its {len(pairs)} subnets routes to an internet gateway")


def _cache_vpc_ids(resource: CacheResource, ctx: RuleContext) -> tuple[str, ...]:
    """The VPCs the cache's subnets belong to (subnet group first, then the subnets)."""
    found: list[str] = []
    if not isinstance(resource, ServerlessCache):
        for name in _subnet_group_names(resource, ctx):
            group = ctx.subnet_groups_by_name.get(name)
            if group is not None and group.vpc_id:
                found.append(group.vpc_id)
    pairs, _ = _subnets_to_check(resource, ctx)
    for subnet_id, vpc_hint in pairs:
        subnet = ctx.subnets_by_id.get(subnet_id)
        vpc_id = subnet.vpc_id if subnet is not None else vpc_hint
        if vpc_id:
            found.append(vpc_id)
    return tuple(dict.fromkeys(found))


CW_307 = Rule(
    id="CW-307",
    title="Caches run outside the region's default VPC",
    severity=Severity.MEDIUM,
    family=FAMILY,
    resource_kinds=EVERY_CACHE,
    engines=ALL_ENGINES,
    rationale=(
        "Every region has a default VPC that AWS creates with public subnets and that "
        "collects whatever is launched without a network choice. CW-302 only catches the "
        "subnet group literally named default; a custom subnet group, or a serverless "
        "cache, built from default-VPC subnets lands in the same shared network. The rule "
        "reads the VPC of every subnet the cache uses and fails when it is the default one "
        "(IsDefault)."
    ),
    audit=snip.DEFAULT_VPC_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.MOVE_SUBNET_GROUP_CLI,
        cloudformation=snip.SUBNET_GROUP_CFN,
        terraform=snip.SUBNET_GROUP_TERRAFORM,
        console=(
            *MOVE_STEPS,
            "Security groups belong to one VPC: create the cache security group in the "
            "application VPC before restoring, and give it the same narrow ingress rules.",
            "A serverless cache cannot change subnets: create a serverless backup and "
            "restore it into a new serverless cache on subnets of the application VPC.",
        ),
        permissions=REBUILD_PERMISSIONS,
    ),
    backout=MOVE_BACKOUT,
    compliance=BOUNDARY_STANDARDS,
    permissions=(
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeServerlessCaches",
        "elasticache:DescribeCacheSubnetGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
    ),
    references=(
        f"{VPC_DOCS}/default-vpc.html",
        f"{DOCS}/dg/SubnetGroups.html",
    ),
    category=RuleCategory.SECURITY,
    failure="Cache runs in the region's default VPC",
)


@check(CW_307)
def check_not_default_vpc(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-307: the default VPC is shared by everything launched without a choice of network.

    Its subnets are public by default and its default security group admits every member
    of itself, so a cache there shares its network with whatever else landed in it.
    """
    subject = describe(resource, ctx)
    _, verdict = _subnets_to_check(resource, ctx)
    if verdict:
        return verdict
    vpc_ids = _cache_vpc_ids(resource, ctx)
    if not vpc_ids:
        return errored(f"{subject}: the VPC of its subnets could not be read")
    unknown = [vpc_id for vpc_id in vpc_ids if vpc_id not in ctx.vpcs_by_id]
    default = [
        vpc_id
        for vpc_id in vpc_ids
        if vpc_id in ctx.vpcs_by_id and ctx.vpcs_by_id[vpc_id].is_default
    ]
    if default:
        return failed(f"{subject} runs in the region's default VPC {', '.join(default)}")
    if unknown:
        return errored(f"{subject}: VPC {', '.join(unknown)} could not be read")
    return passed(f"{subject} runs in VPC {', '.join(vpc_ids)}, not the default VPC")

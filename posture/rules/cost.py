"""Node types, counts and idle nodes: CW-601 to CW-604, each catalog entry with its check."""

from __future__ import annotations

from posture.base import ResourceKind, Severity
from posture.catalog import _cost_snippets as iac
from posture.catalog.cost import (
    ALL_ENGINES,
    DESCRIBE_NODES,
    DOCS,
    FAMILY,
    NODE_BASED,
    RESIZE,
    RESIZE_BACKOUT,
    RESIZE_CONSOLE,
)
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory
from posture.resources import CacheCluster, Inventory, ReplicationGroup
from posture.rules.context import (
    RuleContext,
    Verdict,
    check,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.facts import count_phrase, describe, node_clusters
from posture.rules.reservations import node_family

NodeResource = ReplicationGroup | CacheCluster
PREVIOUS_GENERATION_FAMILIES = (
    "cache.m1",
    "cache.m2",
    "cache.m3",
    "cache.c1",
    "cache.t1",
    "cache.r3",
)


def node_types(resource: NodeResource, ctx: RuleContext) -> tuple[str, ...]:
    if resource.cache_node_type:
        return (resource.cache_node_type,)
    found = (c.cache_node_type for c in node_clusters(resource, ctx))
    return tuple(dict.fromkeys(t for t in found if t))


CW_601 = Rule(
    id="CW-601",
    title="Nodes use a current-generation node type",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Nodes use a previous-generation node type",
    family=FAMILY,
    resource_kinds=NODE_BASED,
    engines=ALL_ENGINES,
    rationale=(
        "Previous-generation node types (the cache.t1, m1, m2, m3, c1 and r3 families) cost more "
        "per GiB of memory than their successors, are not recommended by AWS, and miss what "
        "newer families bring, such as Graviton price-performance and data tiering. A cluster "
        "on them pays extra for hardware AWS will eventually retire, and the migration then "
        "happens on AWS's timetable instead of the owner's."
    ),
    audit=iac.NODE_TYPE_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=iac.CURRENT_GENERATION_CLI,
        cloudformation=iac.CURRENT_GENERATION_CFN,
        terraform=iac.CURRENT_GENERATION_TERRAFORM,
        console=RESIZE_CONSOLE,
        permissions=RESIZE,
    ),
    backout=RESIZE_BACKOUT,
    compliance=("AWS Well-Architected COST 6",),
    permissions=DESCRIBE_NODES,
    references=(
        f"{DOCS}/dg/CacheNodes.SupportedTypes.html",
        f"{DOCS}/dg/CacheNodes.NodeMigration.html",
        f"{DOCS}/APIReference/API_ListAllowedNodeTypeModifications.html",
    ),
    aliases={
        Framework.CONFORMITY: ("EC-001",),
        Framework.CLOUDSPLOIT: ("elasticacheInstanceGeneration",),
    },
)


@check(CW_601)
def check_current_generation(resource: NodeResource, ctx: RuleContext) -> Verdict:
    """CW-601: previous-generation nodes cost more per GiB and miss newer features."""
    subject = describe(resource, ctx)
    types = node_types(resource, ctx)
    if not types:
        return errored(f"{subject} reports no node type")
    old = [t for t in types if node_family(t) in PREVIOUS_GENERATION_FAMILIES]
    if old:
        return failed(f"{subject} runs previous-generation node type {', '.join(old)}")
    return passed(f"{subject} runs current-generation node type {', '.join(types)}")


CW_602 = Rule(
    id="CW-602",
    title="Nodes use a node type on the policy's approved list",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Nodes use a node type outside the policy's approved list",
    family=FAMILY,
    resource_kinds=NODE_BASED,
    engines=ALL_ENGINES,
    rationale=(
        "An approved list keeps clusters on types the organisation has priced, load tested and "
        "bought reservations for. A cluster on an unlisted type is usually an oversized node left "
        "from a load test, an experiment that quietly became production, or a type no "
        "reservation covers, so it runs at the on-demand price. The list comes from the policy "
        "file; while it is empty the check is off."
    ),
    audit=iac.NODE_TYPE_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=iac.APPROVED_TYPE_CLI,
        cloudformation=iac.APPROVED_TYPE_CFN,
        terraform=iac.APPROVED_TYPE_TERRAFORM,
        console=RESIZE_CONSOLE,
        permissions=RESIZE,
    ),
    backout=RESIZE_BACKOUT,
    compliance=("AWS Well-Architected COST 2", "AWS Well-Architected COST 6"),
    permissions=DESCRIBE_NODES,
    references=(
        f"{DOCS}/dg/CacheNodes.SupportedTypes.html",
        f"{DOCS}/dg/Scaling.html",
    ),
    aliases={Framework.CONFORMITY: ("EC-011",)},
)


@check(CW_602)
def check_allowed_node_type(resource: NodeResource, ctx: RuleContext) -> Verdict:
    """CW-602: node types outside the organisation's list are unplanned spend."""
    subject = describe(resource, ctx)
    allowed = ctx.policy.nodes.allowed_types
    if not allowed:
        return not_applicable(f"{subject}: the policy lists no allowed node types")
    types = node_types(resource, ctx)
    if not types:
        return errored(f"{subject} reports no node type")
    outside = [t for t in types if t not in allowed]
    if outside:
        return failed(f"{subject} uses node type {', '.join(outside)}, not in the policy's list")
    return passed(f"{subject} uses allowed node type {', '.join(types)}")


def cluster_node_count(cluster: CacheCluster) -> int:
    return cluster.num_cache_nodes or len(cluster.cache_nodes) or 1


CW_603 = Rule(
    id="CW-603",
    title="Node count in the region stays under the policy limit",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Node count in the region is over the policy limit",
    family=FAMILY,
    resource_kinds=(ResourceKind.ACCOUNT_REGION,),
    engines=ALL_ENGINES,
    rationale=(
        "Node-based caches are billed per node-hour, so the node count drives cost directly. A "
        "count above the expected ceiling usually means runaway automation, a forgotten load "
        "test or clusters created outside the normal process, and it eats into the regional "
        "ElastiCache node quota, which can block a legitimate scale-out during an incident. The "
        "limit comes from the policy file."
    ),
    audit=iac.NODE_COUNT_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MANUAL,
        cli=iac.NODE_COUNT_CLI,
        cloudformation=iac.NODE_COUNT_CFN,
        terraform=iac.NODE_COUNT_TERRAFORM,
        console=(
            "List the region's clusters with their owners and node counts, and agree with the "
            "owners which replicas, nodes or whole clusters are no longer needed.",
            "Remove surplus replicas (Actions, Delete replica) or Memcached nodes (Modify, "
            "Number of nodes).",
            "Delete unused clusters, creating a final backup where the engine supports it.",
            "If the growth is legitimate, raise the limit in the cachewarden policy file instead.",
        ),
        permissions=(
            "elasticache:DecreaseReplicaCount",
            "elasticache:ModifyCacheCluster",
            "elasticache:DeleteReplicationGroup",
            "elasticache:CreateSnapshot",
        ),
    ),
    backout=(
        "Add capacity back with increase-replica-count or modify-cache-cluster --num-cache-nodes. "
        "A deleted group comes back from its final snapshot with create-replication-group "
        "--snapshot-name; a deleted Memcached cluster comes back empty."
    ),
    compliance=("AWS Well-Architected COST 2",),
    permissions=("elasticache:DescribeCacheClusters",),
    references=(
        "https://docs.aws.amazon.com/general/latest/gr/elasticache-service.html",
        f"{DOCS}/APIReference/API_DecreaseReplicaCount.html",
    ),
    aliases={Framework.CONFORMITY: ("EC-010",)},
)


@check(CW_603)
def check_node_count(inventory: Inventory, ctx: RuleContext) -> Verdict:
    """CW-603: a node count past the organisation's threshold signals sprawl or a runaway."""
    where = f"account {inventory.account} region {inventory.region}"
    count = sum(cluster_node_count(c) for c in inventory.cache_clusters)
    limit = ctx.policy.nodes.max_nodes_per_region
    if count < limit:
        return passed(f"{where} runs {count_phrase(count, 'node')}, under the limit of {limit}")
    return failed(f"{where} runs {count_phrase(count, 'node')}; the policy keeps it under {limit}")


def _cluster_ids(resource: NodeResource, ctx: RuleContext) -> tuple[str, ...]:
    if isinstance(resource, ReplicationGroup):
        members = (m.cache_cluster_id for m in ctx.members(resource))
        return tuple(dict.fromkeys([*resource.member_clusters, *members]))
    return (resource.cache_cluster_id,)


CW_604 = Rule(
    id="CW-604",
    title="No cache sits idle below the policy's CPU threshold",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Cache is idle: its busiest node stays under the CPU threshold",
    family=FAMILY,
    resource_kinds=NODE_BASED,  # a replication group is idle when its busiest member is
    engines=ALL_ENGINES,
    rationale=(
        "Every node is billed by the hour whether or not clients use it, and a cluster whose CPU "
        "has averaged under 2% for a week is usually abandoned: a finished project, a test stack "
        "or a restore made during an incident. An unowned cache still holds data and exposes an "
        "endpoint that nobody watches. Host CPU stays low on large multi-core nodes even under "
        "load, so confirm with connections and command counts before deleting. Window and "
        "threshold come from the policy (7 days and 2% by default)."
    ),
    audit=iac.IDLE_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MANUAL,
        cli=iac.IDLE_CLI,
        cloudformation=iac.IDLE_CFN,
        terraform=iac.IDLE_TERRAFORM,
        console=(
            "Find the owner from the cache's tags and confirm nothing depends on it (no "
            "connections, no commands, no references in application configuration).",
            "Open the ElastiCache console, select the cluster and choose Actions, then Delete.",
            "Ask for a final backup (Valkey and Redis OSS) and give it a recognisable name.",
            "Confirm the deletion and remove the cache from any infrastructure code that "
            "would recreate it.",
        ),
        permissions=(
            "elasticache:DeleteReplicationGroup",
            "elasticache:DeleteCacheCluster",
            "elasticache:CreateSnapshot",
        ),
    ),
    backout=(
        "Restore the final snapshot into a new cluster (create-replication-group --snapshot-name "
        "<final-snapshot-name> with the old node type and subnet group) and point clients at "
        "its endpoint. Memcached keeps no snapshot, so a restored Memcached cluster starts empty."
    ),
    compliance=("AWS Well-Architected COST 4",),
    permissions=("elasticache:DescribeCacheClusters", "cloudwatch:GetMetricData"),
    references=(
        f"{DOCS}/dg/CacheMetrics.HostLevel.html",
        f"{DOCS}/APIReference/API_DeleteReplicationGroup.html",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html",
    ),
    aliases={
        Framework.CONFORMITY: ("EC-015",),
        Framework.CLOUDSPLOIT: ("idleElastiCacheNode",),
    },
)


@check(CW_604)
def check_not_idle(resource: NodeResource, ctx: RuleContext) -> Verdict:
    """CW-604: nodes that stay under the idle threshold are paid for and unused."""
    subject = describe(resource, ctx)
    metrics = [m for cid in _cluster_ids(resource, ctx) if (m := ctx.cpu_by_cluster.get(cid))]
    windows = {m.lookback_days for m in metrics if m.lookback_days}
    # The collector averages over the policy's window; the metric says what it really covered.
    lookback = max(windows) if windows else ctx.policy.nodes.idle_lookback_days
    averages = {
        cid: metric.average_percent
        for cid in _cluster_ids(resource, ctx)
        if (metric := ctx.cpu_by_cluster.get(cid))
        and metric.datapoints
        and metric.average_percent is not None
    }
    if not averages:
        return not_applicable(f"{subject} has no CPUUtilization data for the last {lookback} days")
    busiest_id = max(averages, key=lambda cid: averages[cid])
    busiest = averages[busiest_id]
    threshold = ctx.policy.nodes.idle_cpu_percent
    if busiest < threshold:
        return failed(
            f"{subject} is idle: its busiest node ({busiest_id}) averaged {busiest:.2f}% CPU "
            f"over {lookback} days, under {threshold}%"
        )
    return passed(
        f"{subject} averaged {busiest:.2f}% CPU on {busiest_id}, at or above {threshold}%"
    )

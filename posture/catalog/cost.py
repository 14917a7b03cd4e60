"""Rules of the cost family: node types, node counts, idle nodes, reservations (CW-601..CW-609)."""

from __future__ import annotations

from posture.base import Engine, ResourceKind, Severity
from posture.catalog import _cost_snippets as iac
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory

_FAMILY = "cost"
_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest"
_RESERVED_DOCS = f"{_DOCS}/dg/CacheNodes.Reserved.html"
_ALL_ENGINES = (Engine.REDIS, Engine.VALKEY, Engine.MEMCACHED)
_NODE_BASED = (ResourceKind.REPLICATION_GROUP, ResourceKind.CACHE_CLUSTER)
_DESCRIBE_NODES = ("elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters")
_RESIZE = (
    "elasticache:ListAllowedNodeTypeModifications",
    "elasticache:ModifyReplicationGroup",
    "elasticache:ModifyCacheCluster",
)
_BUY = (
    "elasticache:DescribeReservedCacheNodesOfferings",
    "elasticache:PurchaseReservedCacheNodesOffering",
)
_PAY = (
    "payments:ListPaymentInstruments",
    "payments:CreatePaymentInstrument",
    "payments:MakePayment",
)
_RESIZE_BACKOUT = (
    "Run the same modify command naming the previous node type, if AWS still offers it. Valkey "
    "and Redis OSS resize online, but every change replaces nodes, so schedule it outside peak "
    "hours."
)
_RESIZE_CONSOLE = (
    "Open the ElastiCache console, select the cache and choose Actions, then Modify.",
    "Pick the new node type from the list (it only offers types the cache can move to), "
    "checking it has enough memory for the data set.",
    "Apply immediately or in the next maintenance window and save.",
    "For a Memcached cluster that cannot change type in place, create a new cluster of the "
    "new type and move clients to it.",
)
_PURCHASE_CONSOLE = (
    "Confirm with the owning team that the node type, engine, count and Region are still "
    "right for the next one or three years.",
    "Open the ElastiCache console and choose Reserved nodes, then Purchase reserved nodes.",
    "Select engine, node type, term and payment option, and the number of nodes.",
    "Review the price and purchase; the reservation shows as active once payment clears.",
)
_PURCHASE_BACKOUT = (
    "A reservation cannot be cancelled, refunded or moved once bought: it is a one-way "
    "commitment for its whole term. Check type, engine, count and Region before buying; since "
    "late 2024 a reservation also covers other sizes of its node family, which softens a "
    "later resize."
)


CW_601 = Rule(
    id="CW-601",
    title="Nodes use a current-generation node type",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Nodes use a previous-generation node type",
    family=_FAMILY,
    resource_kinds=_NODE_BASED,
    engines=_ALL_ENGINES,
    rationale=(
        "Previous-generation node types (the cache.t1, m1, m2, m3, c1 and r3 families) cost more "
        "per GiB of memory than their successors, are not recommended by AWS, and miss what "
        "newer families bring, such as Graviton price-performance and data tiering. A cluster "
        "on them pays extra for hardware AWS will eventually retire, and the migration then "
        "happens on AWS's timetable instead of the owner's."
    ),
    audit=iac.NODE_TYPE_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
        cli=iac.CURRENT_GENERATION_CLI,
        cloudformation=iac.CURRENT_GENERATION_CFN,
        terraform=iac.CURRENT_GENERATION_TERRAFORM,
        console=_RESIZE_CONSOLE,
        permissions=_RESIZE,
    ),
    backout=_RESIZE_BACKOUT,
    compliance=("AWS Well-Architected COST 6",),
    permissions=_DESCRIBE_NODES,
    references=(
        f"{_DOCS}/dg/CacheNodes.SupportedTypes.html",
        f"{_DOCS}/dg/CacheNodes.NodeMigration.html",
        f"{_DOCS}/APIReference/API_ListAllowedNodeTypeModifications.html",
    ),
    aliases={
        Framework.CONFORMITY: ("EC-001",),
        Framework.CLOUDSPLOIT: ("elasticacheInstanceGeneration",),
    },
)

CW_602 = Rule(
    id="CW-602",
    title="Nodes use a node type on the policy's approved list",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Nodes use a node type outside the policy's approved list",
    family=_FAMILY,
    resource_kinds=_NODE_BASED,
    engines=_ALL_ENGINES,
    rationale=(
        "An approved list keeps clusters on types the organisation has priced, load tested and "
        "bought reservations for. A cluster on an unlisted type is usually an oversized node left "
        "from a load test, an experiment that quietly became production, or a type no "
        "reservation covers, so it runs at the on-demand price. The list comes from the policy "
        "file; while it is empty the check is off."
    ),
    audit=iac.NODE_TYPE_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
        cli=iac.APPROVED_TYPE_CLI,
        cloudformation=iac.APPROVED_TYPE_CFN,
        terraform=iac.APPROVED_TYPE_TERRAFORM,
        console=_RESIZE_CONSOLE,
        permissions=_RESIZE,
    ),
    backout=_RESIZE_BACKOUT,
    compliance=("AWS Well-Architected COST 2", "AWS Well-Architected COST 6"),
    permissions=_DESCRIBE_NODES,
    references=(
        f"{_DOCS}/dg/CacheNodes.SupportedTypes.html",
        f"{_DOCS}/dg/Scaling.html",
    ),
    aliases={Framework.CONFORMITY: ("EC-011",)},
)

CW_603 = Rule(
    id="CW-603",
    title="Node count in the region stays under the policy limit",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Node count in the region is over the policy limit",
    family=_FAMILY,
    resource_kinds=(ResourceKind.ACCOUNT_REGION,),
    engines=_ALL_ENGINES,
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
        f"{_DOCS}/APIReference/API_DecreaseReplicaCount.html",
    ),
    aliases={Framework.CONFORMITY: ("EC-010",)},
)

CW_604 = Rule(
    id="CW-604",
    title="No cache sits idle below the policy's CPU threshold",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Cache is idle: its busiest node stays under the CPU threshold",
    family=_FAMILY,
    resource_kinds=_NODE_BASED,  # a replication group is idle when its busiest member is
    engines=_ALL_ENGINES,
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
        f"{_DOCS}/dg/CacheMetrics.HostLevel.html",
        f"{_DOCS}/APIReference/API_DeleteReplicationGroup.html",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html",
    ),
    aliases={
        Framework.CONFORMITY: ("EC-015",),
        Framework.CLOUDSPLOIT: ("idleElastiCacheNode",),
    },
)


def _lease_expiry_rule(
    rule_id: str, days: int, severity: Severity, alias: str, urgency: str
) -> Rule:
    """CW-605 and CW-606 differ only in their warning window, urgency, severity and alias."""
    return Rule(
        id=rule_id,
        title=f"No reserved node lease ends within the next {days} days",
        severity=severity,
        category=RuleCategory.COST,
        failure=f"Reserved node lease ends within {days} days",
        family=_FAMILY,
        resource_kinds=(ResourceKind.RESERVED_NODE,),
        engines=_ALL_ENGINES,
        rationale=(
            "When a reservation's term ends, the nodes it covered fall back to on-demand "
            "pricing, which after a three-year term can mean twice the hourly cost, and "
            f"ElastiCache does not renew reservations for you. With {days} days or less left "
            f"there is {urgency} to confirm the node type still fits and get the purchase "
            "approved; a purchase starts the moment it is made, so buy the replacement as the "
            "old term ends. "
            "The window comes from the policy file (7 and 30 days by default)."
        ),
        audit=iac.RESERVATION_AUDIT,
        remediation=Remediation(
            fix_kind=FixKind.MANUAL,
            cli=iac.RESERVATION_CLI,
            terraform=iac.RESERVATION_TERRAFORM,
            console=_PURCHASE_CONSOLE,
            permissions=_BUY,
        ),
        backout=_PURCHASE_BACKOUT,
        compliance=("AWS Well-Architected COST 7",),
        permissions=("elasticache:DescribeReservedCacheNodes",),
        references=(
            _RESERVED_DOCS,
            f"{_DOCS}/APIReference/API_PurchaseReservedCacheNodesOffering.html",
        ),
        aliases={Framework.CONFORMITY: (alias,)},
    )


CW_605 = _lease_expiry_rule("CW-605", 7, Severity.LOW, "EC-004", "barely time")
CW_606 = _lease_expiry_rule("CW-606", 30, Severity.INFO, "EC-005", "just the usual lead time")

CW_607 = Rule(
    id="CW-607",
    title="No reserved node purchase is stuck in payment-pending",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Reserved node purchase is stuck in payment-pending",
    family=_FAMILY,
    resource_kinds=(ResourceKind.RESERVED_NODE,),
    engines=_ALL_ENGINES,
    rationale=(
        "A reservation in payment-pending has been ordered but not paid, and until it turns "
        "active the nodes it should cover are billed at the on-demand rate. If the charge never "
        "clears the purchase fails and the planned saving is lost. A pending state that lasts "
        "more than a short while points at a billing problem, such as an expired card or a "
        "declined charge, that can hit other purchases of the account too."
    ),
    audit=iac.RESERVATION_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MANUAL,
        cli=iac.PAYMENT_PENDING_CLI,
        console=(
            "Open the Billing and Cost Management console and check Payments for an open or "
            "declined charge for the reservation.",
            "Update or add a valid payment method and settle the outstanding charge.",
            "Recheck the reservation: its state should move to active; contact AWS Support if "
            "it stays pending.",
        ),
        permissions=(*_PAY, "elasticache:DescribeReservedCacheNodes"),
    ),
    backout=(
        "Settling a payment changes no cache, so there is nothing to undo. If the purchase "
        "itself was a mistake, raise it with AWS Support while it is still pending; once active "
        "it cannot be cancelled."
    ),
    compliance=("AWS Well-Architected COST 7",),
    permissions=("elasticache:DescribeReservedCacheNodes",),
    references=(
        _RESERVED_DOCS,
        f"{_DOCS}/APIReference/API_ReservedCacheNode.html",
    ),
    aliases={Framework.CONFORMITY: ("EC-007",)},
)

CW_608 = Rule(
    id="CW-608",
    title="No reserved node purchase has failed payment",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Reserved node purchase failed payment",
    family=_FAMILY,
    resource_kinds=(ResourceKind.RESERVED_NODE,),
    engines=_ALL_ENGINES,
    rationale=(
        "A payment-failed reservation never became active: AWS could not collect the charge, so "
        "the nodes keep running at the on-demand rate and the saving the team planned for is not "
        "happening. Nothing changes on the cache, so without this check the failure is usually "
        "found only when the bill arrives."
    ),
    audit=iac.RESERVATION_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MANUAL,
        cli=iac.PAYMENT_FAILED_CLI,
        terraform=iac.RESERVATION_TERRAFORM,
        console=(
            "Open the Billing and Cost Management console and fix the payment method that "
            "declined the charge.",
            "Check whether the node type and count are still what the workload needs.",
            "Buy the reservation again from ElastiCache, Reserved nodes.",
            "Confirm the new reservation reaches the active state.",
        ),
        permissions=(*_PAY, *_BUY),
    ),
    backout=_PURCHASE_BACKOUT,
    compliance=("AWS Well-Architected COST 7",),
    permissions=("elasticache:DescribeReservedCacheNodes",),
    references=(
        _RESERVED_DOCS,
        f"{_DOCS}/APIReference/API_PurchaseReservedCacheNodesOffering.html",
    ),
    aliases={Framework.CLOUDSPLOIT: ("reservedNodePaymentFailed",)},
)

CW_609 = Rule(
    id="CW-609",
    title="Every reserved node is matched by a running node",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Reserved node is not matched by any running node",
    family=_FAMILY,
    resource_kinds=(ResourceKind.RESERVED_NODE,),
    engines=_ALL_ENGINES,
    rationale=(
        "A reservation is billed for every hour of its term whether or not a matching node runs. "
        "One with no running node of its type in its Region, typically after a cluster was "
        "resized, moved, switched to serverless or deleted, is pure waste until the term ends. "
        "Since late 2024 a reservation also discounts other sizes of the same node family, so "
        "look for nodes of the family, not only the exact size, before acting."
    ),
    audit=iac.UNUSED_RESERVATION_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MANUAL,
        cli=iac.UNUSED_RESERVATION_CLI,
        cloudformation=iac.UNUSED_RESERVATION_CFN,
        terraform=iac.UNUSED_RESERVATION_TERRAFORM,
        console=(
            "List the Region's clusters and find one that could run on the reserved node "
            "family without losing memory or throughput it needs.",
            "Move that cluster to the reserved type (Actions, Modify, node type) or plan the "
            "next cluster on it.",
            "If nothing fits, record the reservation as sunk cost until its end date and avoid "
            "renewing it.",
        ),
        permissions=("elasticache:ModifyReplicationGroup", "elasticache:ModifyCacheCluster"),
    ),
    backout=(
        "Moving a cluster onto the reserved type is undone with the same modify command naming "
        "its previous type. The reservation itself cannot be cancelled, sold or moved to another "
        "Region."
    ),
    compliance=("AWS Well-Architected COST 7",),
    permissions=("elasticache:DescribeReservedCacheNodes", "elasticache:DescribeCacheClusters"),
    references=(
        _RESERVED_DOCS,
        "https://aws.amazon.com/blogs/database/new-size-flexibility-for-amazon-elasticache-reserved-nodes/",
    ),
    aliases={Framework.CONFORMITY: ("EC-009",)},
)

"""What the cost family's catalog entries share: family name, doc URLs, engines,
standards, permission sets and common text. The entries themselves (with their checks
right below them) are in posture/rules/ (cost.py and reserved_nodes.py).
"""

from __future__ import annotations

from posture.base import Engine, ResourceKind, Severity
from posture.catalog import _cost_snippets as iac
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory

FAMILY = "cost"
DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest"
RESERVED_DOCS = f"{DOCS}/dg/CacheNodes.Reserved.html"
ALL_ENGINES = (Engine.REDIS, Engine.VALKEY, Engine.MEMCACHED)
NODE_BASED = (ResourceKind.REPLICATION_GROUP, ResourceKind.CACHE_CLUSTER)
DESCRIBE_NODES = ("elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters")
RESIZE = (
    "elasticache:ListAllowedNodeTypeModifications",
    "elasticache:ModifyReplicationGroup",
    "elasticache:ModifyCacheCluster",
)
BUY = (
    "elasticache:DescribeReservedCacheNodesOfferings",
    "elasticache:PurchaseReservedCacheNodesOffering",
)
PAY = (
    "payments:ListPaymentInstruments",
    "payments:CreatePaymentInstrument",
    "payments:MakePayment",
)
RESIZE_BACKOUT = (
    "Run the same modify command naming the previous node type, if AWS still offers it. Valkey "
    "and Redis OSS resize online, but every change replaces nodes, so schedule it outside peak "
    "hours."
)
RESIZE_CONSOLE = (
    "Open the ElastiCache console, select the cache and choose Actions, then Modify.",
    "Pick the new node type from the list (it only offers types the cache can move to), "
    "checking it has enough memory for the data set.",
    "Apply immediately or in the next maintenance window and save.",
    "For a Memcached cluster that cannot change type in place, create a new cluster of the "
    "new type and move clients to it.",
)
PURCHASE_CONSOLE = (
    "Confirm with the owning team that the node type, engine, count and Region are still "
    "right for the next one or three years.",
    "Open the ElastiCache console and choose Reserved nodes, then Purchase reserved nodes.",
    "Select engine, node type, term and payment option, and the number of nodes.",
    "Review the price and purchase; the reservation shows as active once payment clears.",
)
PURCHASE_BACKOUT = (
    "A reservation cannot be cancelled, refunded or moved once bought: it is a one-way "
    "commitment for its whole term. Check type, engine, count and Region before buying; since "
    "late 2024 a reservation also covers other sizes of its node family, which softens a "
    "later resize."
)


def lease_expiry_rule(
    rule_id: str, days: int, severity: Severity, alias: str, urgency: str
) -> Rule:
    """CW-605 and CW-606 differ only in their warning window, urgency, severity and alias."""
    return Rule(
        id=rule_id,
        title=f"No reserved node lease ends within the next {days} days",
        severity=severity,
        category=RuleCategory.COST,
        failure=f"Reserved node lease ends within {days} days",
        family=FAMILY,
        resource_kinds=(ResourceKind.RESERVED_NODE,),
        engines=ALL_ENGINES,
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
            console=PURCHASE_CONSOLE,
            permissions=BUY,
        ),
        backout=PURCHASE_BACKOUT,
        compliance=("AWS Well-Architected COST 7",),
        permissions=("elasticache:DescribeReservedCacheNodes",),
        references=(
            RESERVED_DOCS,
            f"{DOCS}/APIReference/API_PurchaseReservedCacheNodesOffering.html",
        ),
        aliases={Framework.CONFORMITY: (alias,)},
    )

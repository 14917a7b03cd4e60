"""Reserved nodes (leases ending, payments stuck, reservations unused): CW-605 to CW-609,
each catalog entry with its check below it.
"""

from __future__ import annotations

from datetime import timedelta

from posture.base import ResourceKind, Severity
from posture.catalog import _cost_snippets as iac
from posture.catalog.cost import (
    ALL_ENGINES,
    BUY,
    DOCS,
    FAMILY,
    PAY,
    PURCHASE_BACKOUT,
    RESERVED_DOCS,
    lease_expiry_rule,
)
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory
from posture.resources import ReservedNode
from posture.rules.context import (
    RuleContext,
    Verdict,
    as_utc,
    check,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.reservations import reservation_usage


def describe_reserved(node: ReservedNode) -> str:
    return (
        f"reserved node {node.reserved_cache_node_id} ({node.cache_node_type}, state {node.state})"
    )


def _lease_verdict(node: ReservedNode, ctx: RuleContext, warn_days: int) -> Verdict:
    subject = describe_reserved(node)
    if node.state == "retired":
        return not_applicable(f"{subject} is retired; its lease is over")
    if node.start_time is None or node.duration is None:
        return errored(f"{subject} reports no start time or duration")
    ends = as_utc(node.start_time) + timedelta(seconds=node.duration)
    left = ends - ctx.now
    stamp = ends.date().isoformat()
    if left <= timedelta(0):
        return not_applicable(f"{subject}: the lease already ended on {stamp}")
    if left <= timedelta(days=warn_days):
        return failed(
            f"{subject}: the lease ends on {stamp}, {left.days} days from now (within {warn_days})"
        )
    return passed(f"{subject}: the lease ends on {stamp}, more than {warn_days} days from now")


CW_605 = lease_expiry_rule("CW-605", 7, Severity.LOW, "EC-004", "barely time")


@check(CW_605)
def check_lease_expiry_soon(node: ReservedNode, ctx: RuleContext) -> Verdict:
    """CW-605: a lease ending within days leaves no time to renew before on-demand prices apply."""
    return _lease_verdict(node, ctx, ctx.policy.reserved.warn_days_high)


CW_606 = lease_expiry_rule("CW-606", 30, Severity.INFO, "EC-005", "just the usual lead time")


@check(CW_606)
def check_lease_expiry_month(node: ReservedNode, ctx: RuleContext) -> Verdict:
    """CW-606: a lease ending within a month should be planned for now."""
    return _lease_verdict(node, ctx, ctx.policy.reserved.warn_days_medium)


def _payment_verdict(node: ReservedNode, bad_state: str) -> Verdict:
    subject = describe_reserved(node)
    if node.state == bad_state:
        return failed(f"{subject}: payment is {bad_state.removeprefix('payment-')}")
    return passed(f"{subject} is not in state {bad_state}")


CW_607 = Rule(
    id="CW-607",
    title="No reserved node purchase is stuck in payment-pending",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Reserved node purchase is stuck in payment-pending",
    family=FAMILY,
    resource_kinds=(ResourceKind.RESERVED_NODE,),
    engines=ALL_ENGINES,
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
        permissions=(*PAY, "elasticache:DescribeReservedCacheNodes"),
    ),
    backout=(
        "Settling a payment changes no cache, so there is nothing to undo. If the purchase "
        "itself was a mistake, raise it with AWS Support while it is still pending; once active "
        "it cannot be cancelled."
    ),
    compliance=("AWS Well-Architected COST 7",),
    permissions=("elasticache:DescribeReservedCacheNodes",),
    references=(
        RESERVED_DOCS,
        f"{DOCS}/APIReference/API_ReservedCacheNode.html",
    ),
    aliases={Framework.CONFORMITY: ("EC-007",)},
)


@check(CW_607)
def check_payment_not_pending(node: ReservedNode, ctx: RuleContext) -> Verdict:
    """CW-607: a pending payment means the discount is not yet in force."""
    return _payment_verdict(node, "payment-pending")


CW_608 = Rule(
    id="CW-608",
    title="No reserved node purchase has failed payment",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Reserved node purchase failed payment",
    family=FAMILY,
    resource_kinds=(ResourceKind.RESERVED_NODE,),
    engines=ALL_ENGINES,
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
        permissions=(*PAY, *BUY),
    ),
    backout=PURCHASE_BACKOUT,
    compliance=("AWS Well-Architected COST 7",),
    permissions=("elasticache:DescribeReservedCacheNodes",),
    references=(
        RESERVED_DOCS,
        f"{DOCS}/APIReference/API_PurchaseReservedCacheNodesOffering.html",
    ),
    aliases={Framework.CLOUDSPLOIT: ("reservedNodePaymentFailed",)},
)


@check(CW_608)
def check_payment_not_failed(node: ReservedNode, ctx: RuleContext) -> Verdict:
    """CW-608: a failed payment means the reservation will not apply."""
    return _payment_verdict(node, "payment-failed")


def _units(value: float) -> str:
    return f"{value:g} normalised unit{'s' if value != 1 else ''}"


CW_609 = Rule(
    id="CW-609",
    title="Every reserved node is matched by a running node",
    severity=Severity.LOW,
    category=RuleCategory.COST,
    failure="Reserved node is not matched by any running node",
    family=FAMILY,
    resource_kinds=(ResourceKind.RESERVED_NODE,),
    engines=ALL_ENGINES,
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
        RESERVED_DOCS,
        "https://aws.amazon.com/blogs/database/new-size-flexibility-for-amazon-elasticache-reserved-nodes/",
    ),
    aliases={Framework.CONFORMITY: ("EC-009",)},
)


@check(CW_609)
def check_reservation_used(node: ReservedNode, ctx: RuleContext) -> Verdict:
    """CW-609: a reservation that running nodes of its family and engine do not use is waste.

    Size-flexible: any size in the family counts by normalised units; Redis OSS
    reservations also cover Valkey nodes (posture.rules.reservations).
    """
    subject = describe_reserved(node)
    if node.state != "active":
        return not_applicable(f"{subject} is not active, so it cannot be used yet or any more")
    usage = reservation_usage(ctx).get(node.reserved_cache_node_id)
    if usage is None:
        return errored(f"{subject}: node type {node.cache_node_type} has no known size")
    engines = " or ".join(usage.engines)
    where = f"{engines} nodes of family {usage.family} in {ctx.inventory.region}"
    if usage.unused_units == 0:
        return passed(f"{subject}: {where} use all {_units(usage.reserved_units)}")
    if usage.used_units == 0:
        return failed(f"{subject}: no {where} use its {_units(usage.reserved_units)}")
    return failed(
        f"{subject}: {where} use {_units(usage.used_units)} of its "
        f"{_units(usage.reserved_units)}; {_units(usage.unused_units)} go unused"
    )

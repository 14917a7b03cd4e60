"""Cost and capacity checks: CW-601 to CW-609."""

from __future__ import annotations

from datetime import timedelta

from posture.resources import CacheCluster, Inventory, ReplicationGroup, ReservedNode
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
from posture.rules.facts import count_phrase, describe, node_clusters
from posture.rules.reservations import node_family, reservation_usage

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


@check("CW-601")
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


@check("CW-602")
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


@check("CW-603")
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


@check("CW-604")
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


@check("CW-605")
def check_lease_expiry_soon(node: ReservedNode, ctx: RuleContext) -> Verdict:
    """CW-605: a lease ending within days leaves no time to renew before on-demand prices apply."""
    return _lease_verdict(node, ctx, ctx.policy.reserved.warn_days_high)


@check("CW-606")
def check_lease_expiry_month(node: ReservedNode, ctx: RuleContext) -> Verdict:
    """CW-606: a lease ending within a month should be planned for now."""
    return _lease_verdict(node, ctx, ctx.policy.reserved.warn_days_medium)


def _payment_verdict(node: ReservedNode, bad_state: str) -> Verdict:
    subject = describe_reserved(node)
    if node.state == bad_state:
        return failed(f"{subject}: payment is {bad_state.removeprefix('payment-')}")
    return passed(f"{subject} is not in state {bad_state}")


@check("CW-607")
def check_payment_not_pending(node: ReservedNode, ctx: RuleContext) -> Verdict:
    """CW-607: a pending payment means the discount is not yet in force."""
    return _payment_verdict(node, "payment-pending")


@check("CW-608")
def check_payment_not_failed(node: ReservedNode, ctx: RuleContext) -> Verdict:
    """CW-608: a failed payment means the reservation will not apply."""
    return _payment_verdict(node, "payment-failed")


def _units(value: float) -> str:
    return f"{value:g} normalised unit{'s' if value != 1 else ''}"


@check("CW-609")
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

"""CW-601 to CW-609: node generations and types, counts, idle nodes, reserved nodes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from posture.rules import cost, reserved_nodes
from posture.rules.context import RuleContext
from tests.unit.rules.table import ERROR, FAIL, NA, PASS, assert_verdict, case
from tests.unit.rules.world import (
    NOW,
    inventory,
    judge,
    policy,
    replication_group,
    standalone_cluster,
)


def node_type(group_type: str | None, member_type: str | None = "cache.r7g.large"):
    return lambda: replication_group(
        group={"CacheNodeType": group_type}, member={"CacheNodeType": member_type}
    )


CURRENT_GENERATION = [
    case(
        "graviton",
        node_type("cache.r7g.large"),
        PASS,
        "current-generation node type cache.r7g.large",
    ),
    case("m3", node_type("cache.m3.medium"), FAIL, "previous-generation node type cache.m3.medium"),
    case("t1", node_type("cache.t1.micro"), FAIL, "cache.t1.micro"),
    case("t2-is-current", node_type("cache.t2.micro"), PASS, "cache.t2.micro"),
    case(
        "r3",
        lambda: standalone_cluster(cluster={"CacheNodeType": "cache.r3.large"}),
        FAIL,
        "cache cluster sessions",
    ),
    case("group-silent-member-type", node_type(None, "cache.c1.xlarge"), FAIL, "cache.c1.xlarge"),
    case("no-type-anywhere", node_type(None, None), ERROR, "no node type"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), CURRENT_GENERATION)
def test_cw601_current_generation(build, status, fragment, policy) -> None:
    assert_verdict(cost.check_current_generation, build, status, fragment, policy)


ALLOWED = policy(nodes={"allowed_types": ["cache.r7g.large", "cache.t4g.small"]})
ALLOWED_TYPE = [
    case(
        "empty-list-switches-it-off", node_type("cache.m5.large"), NA, "lists no allowed node types"
    ),
    case(
        "allowed", node_type("cache.r7g.large"), PASS, "allowed node type cache.r7g.large", ALLOWED
    ),
    case(
        "not-allowed",
        node_type("cache.m5.large"),
        FAIL,
        "cache.m5.large, not in the policy's list",
        ALLOWED,
    ),
    case("no-type", node_type(None, None), ERROR, "no node type", ALLOWED),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), ALLOWED_TYPE)
def test_cw602_allowed_node_type(build, status, fragment, policy) -> None:
    assert_verdict(cost.check_allowed_node_type, build, status, fragment, policy)


def region_with_nodes():
    """A two-member group (2 nodes) and a three-node Memcached cluster: 5 nodes."""
    _, group_inv = replication_group()
    _, memcached_inv = standalone_cluster("memcached", "1.6.22", cluster={"NumCacheNodes": 3})
    inv = inventory(CacheClusters=[*group_inv.cache_clusters, *memcached_inv.cache_clusters])
    return inv, inv


def empty_region():
    inv = inventory()
    return inv, inv


def max_nodes(limit: int):
    return policy(nodes={"max_nodes_per_region": limit})


NODE_COUNT = [
    case(
        "under-the-limit",
        region_with_nodes,
        PASS,
        "runs 5 nodes, under the limit of 6",
        max_nodes(6),
    ),
    case(
        "at-the-limit-fails",
        region_with_nodes,
        FAIL,
        "runs 5 nodes; the policy keeps it under 5",
        max_nodes(5),
    ),
    case("empty-region", empty_region, PASS, "runs 0 nodes", max_nodes(1)),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), NODE_COUNT)
def test_cw603_node_count(build, status, fragment, policy) -> None:
    assert_verdict(cost.check_node_count, build, status, fragment, policy)


def cpu(**averages: float | None):
    metrics = [
        {
            "CacheClusterId": cid.replace("_", "-"),
            "AveragePercent": avg,
            "Datapoints": 0 if avg is None else 2016,
        }
        for cid, avg in averages.items()
    ]
    return lambda: replication_group(CpuMetrics=metrics)


IDLE = [
    case(
        "all-members-idle",
        cpu(orders_001=0.4, orders_002=1.1),
        FAIL,
        "busiest node (orders-002) averaged 1.10%",
    ),
    case("one-member-busy", cpu(orders_001=0.4, orders_002=35.0), PASS, "35.00% CPU on orders-002"),
    case("exactly-the-threshold", cpu(orders_001=2.0), PASS, "at or above 2.0%"),
    case("no-data", cpu(), NA, "no CPUUtilization data for the last 7 days"),
    case("no-datapoints", cpu(orders_001=None), NA, "no CPUUtilization data"),
    case(
        "stricter-threshold",
        cpu(orders_001=4.0),
        FAIL,
        "under 5.0%",
        policy(nodes={"idle_cpu_percent": 5}),
    ),
    case(
        "standalone-idle",
        lambda: standalone_cluster(
            CpuMetrics=[{"CacheClusterId": "sessions", "AveragePercent": 0.1, "Datapoints": 7}]
        ),
        FAIL,
        "cache cluster sessions",
    ),
    case(
        "metrics-found-by-listed-member-id",
        lambda: replication_group(
            members=0,
            group={"MemberClusters": ["orders-001"]},
            CpuMetrics=[{"CacheClusterId": "orders-001", "AveragePercent": 0.2, "Datapoints": 9}],
        ),
        FAIL,
        "idle",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), IDLE)
def test_cw604_not_idle(build, status, fragment, policy) -> None:
    assert_verdict(cost.check_not_idle, build, status, fragment, policy)


def test_cw604_states_the_window_the_metric_really_covers() -> None:
    metrics = [
        {
            "CacheClusterId": "orders-001",
            "AveragePercent": 0.5,
            "Datapoints": 300,
            "LookbackDays": 14,
        }
    ]
    group, inv = replication_group(CpuMetrics=metrics)
    verdict = judge(cost.check_not_idle, group, inv, policy(nodes={"idle_lookback_days": 14}))
    assert verdict.status is FAIL
    assert "over 14 days" in verdict.evidence


YEAR = 365 * 24 * 3600


def reserved(ends_in: timedelta | None = None, **fields: object):
    """A one-year reservation of cache.r7g.large that ends `ends_in` after NOW."""
    start = NOW + (ends_in or timedelta(days=200)) - timedelta(seconds=YEAR)

    def build():
        data = {
            "ReservedCacheNodeId": "ri-1",
            "ReservationARN": "arn:aws:elasticache:eu-west-1:111122223333:reserved-instance:ri-1",
            "CacheNodeType": "cache.r7g.large",
            "StartTime": start.isoformat(),
            "Duration": YEAR,
            "CacheNodeCount": 2,
            "ProductDescription": "redis",
            "State": "active",
            **fields,
        }
        _, inv = replication_group(ReservedNodes=[data])
        return inv.reserved_nodes[0], inv

    return build


LEASE_7_DAYS = [
    case("ends-in-4-days", reserved(timedelta(days=4)), FAIL, "4 days from now (within 7)"),
    case("ends-in-exactly-7-days", reserved(timedelta(days=7)), FAIL, "within 7"),
    case("ends-in-20-days", reserved(timedelta(days=20)), PASS, "more than 7 days"),
    case("already-ended", reserved(timedelta(days=-3)), NA, "already ended"),
    case("retired", reserved(timedelta(days=4), State="retired"), NA, "retired"),
    case("no-start-time", reserved(StartTime=None), ERROR, "no start time"),
    case(
        "policy-window",
        reserved(timedelta(days=10)),
        FAIL,
        "within 14",
        policy(reserved={"warn_days_high": 14}),
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), LEASE_7_DAYS)
def test_cw605_lease_expiry_soon(build, status, fragment, policy) -> None:
    assert_verdict(reserved_nodes.check_lease_expiry_soon, build, status, fragment, policy)


LEASE_30_DAYS = [
    case("ends-in-20-days", reserved(timedelta(days=20)), FAIL, "within 30"),
    case("ends-in-4-days", reserved(timedelta(days=4)), FAIL, "within 30"),
    case("ends-in-60-days", reserved(timedelta(days=60)), PASS, "more than 30 days"),
    case("already-ended", reserved(timedelta(seconds=-1)), NA, "already ended"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), LEASE_30_DAYS)
def test_cw606_lease_expiry_month(build, status, fragment, policy) -> None:
    assert_verdict(reserved_nodes.check_lease_expiry_month, build, status, fragment, policy)


PAYMENT = [
    ("payment-pending", reserved_nodes.check_payment_not_pending, FAIL, "payment is pending"),
    ("active", reserved_nodes.check_payment_not_pending, PASS, "not in state payment-pending"),
    ("payment-failed", reserved_nodes.check_payment_not_failed, FAIL, "payment is failed"),
    (
        "payment-pending",
        reserved_nodes.check_payment_not_failed,
        PASS,
        "not in state payment-failed",
    ),
]


@pytest.mark.parametrize(
    ("state", "check", "status", "fragment"),
    [pytest.param(*row, id=f"{row[1].__name__}-{row[0]}") for row in PAYMENT],
)
def test_cw607_cw608_payment_state(state, check, status, fragment) -> None:
    assert_verdict(check, reserved(State=state), status, fragment, None)


def reservation_for(node_type_name: str, **fields: object):
    return reserved(CacheNodeType=node_type_name, **fields)


def reservation_beside(engine: str, version: str, **fields: object):
    """A reservation beside the group "orders" of two cache.r7g.large nodes of `engine`."""

    def build():
        data = {
            "ReservedCacheNodeId": "ri-1",
            "CacheNodeType": "cache.r7g.large",
            "CacheNodeCount": 2,
            "ProductDescription": "redis",
            "State": "active",
            **fields,
        }
        _, inv = replication_group(version, engine=engine, ReservedNodes=[data])
        return inv.reserved_nodes[0], inv

    return build


RESERVATION_USED = [
    case(
        "matching-node-runs",
        reservation_for("cache.r7g.large"),
        PASS,
        "redis or valkey nodes of family cache.r7g in eu-west-1 use all 8 normalised units",
    ),
    case(
        "size-flexible-one-xlarge-covers-two-large",
        reservation_for("cache.r7g.xlarge", CacheNodeCount=1),
        PASS,
        "use all 8 normalised units",
    ),
    case(
        "half-used-2xlarge",
        reservation_for("cache.r7g.2xlarge", CacheNodeCount=1),
        FAIL,
        "use 8 normalised units of its 16 normalised units; 8 normalised units go unused",
    ),
    case(
        "no-matching-family",
        reservation_for("cache.m5.large"),
        FAIL,
        "no redis or valkey nodes of family cache.m5 in eu-west-1",
    ),
    case(
        "memcached-reservation-does-not-cover-redis",
        reservation_for("cache.r7g.large", ProductDescription="memcached"),
        FAIL,
        "no memcached nodes of family cache.r7g",
    ),
    case(
        "redis-reservation-covers-valkey",
        reservation_beside("valkey", "8.0"),
        PASS,
        "use all 8 normalised units",
    ),
    case(
        "valkey-reservation-does-not-cover-redis",
        reservation_beside("redis", "7.1.0", ProductDescription="valkey"),
        FAIL,
        "no valkey nodes of family cache.r7g",
    ),
    case(
        "unknown-size",
        reservation_for("cache.r7g.huge"),
        ERROR,
        "has no known size",
    ),
    case(
        "pending-payment",
        reservation_for("cache.m5.large", State="payment-pending"),
        NA,
        "not active",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), RESERVATION_USED)
def test_cw609_reservation_used(build, status, fragment, policy) -> None:
    assert_verdict(reserved_nodes.check_reservation_used, build, status, fragment, policy)


def test_cw609_deleting_clusters_do_not_count() -> None:
    reservation = {
        "ReservedCacheNodeId": "ri-m5",
        "CacheNodeType": "cache.m5.large",
        "CacheNodeCount": 1,
        "ProductDescription": "redis",
        "State": "active",
    }
    _, inv = standalone_cluster(
        cluster={"CacheNodeType": "cache.m5.large", "CacheClusterStatus": "deleting"},
        ReservedNodes=[reservation],
    )
    verdict = reserved_nodes.check_reservation_used(
        inv.reserved_nodes[0], RuleContext.build(inv, policy(), NOW)
    )
    assert verdict.status is FAIL, verdict.evidence


def test_cw609_two_reservations_share_the_nodes_oldest_first() -> None:
    def reservation(rid: str, start: str) -> dict[str, object]:
        return {
            "ReservedCacheNodeId": rid,
            "CacheNodeType": "cache.r7g.large",
            "CacheNodeCount": 2,
            "ProductDescription": "redis",
            "State": "active",
            "StartTime": start,
        }

    _, inv = replication_group(
        ReservedNodes=[
            reservation("ri-new", "2025-03-01T00:00:00Z"),
            reservation("ri-old", "2025-01-01T00:00:00Z"),
        ]
    )
    ctx = RuleContext.build(inv, policy(), NOW)
    old, new = (
        next(n for n in inv.reserved_nodes if n.reserved_cache_node_id == r)
        for r in ("ri-old", "ri-new")
    )
    assert reserved_nodes.check_reservation_used(old, ctx).status is PASS
    verdict = reserved_nodes.check_reservation_used(new, ctx)
    assert verdict.status is FAIL and "no redis or valkey nodes" in verdict.evidence

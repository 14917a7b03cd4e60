"""collect_inventory over HTTP against the fake AWS server: fields, paging, cost, filters."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from posture.base import Engine, ResourceKind
from posture.resources import Inventory, ReplicationGroup
from sandbox.fake_aws import reset, seed_reserved_node
from sandbox.fake_aws.fleet import seed_fleet
from sandbox.fake_aws.fleet_model import FleetManifest, FleetSpec
from tests.integration.collect.seed import seed_caches, seed_detection, seed_network
from workers.aws.collect import collect_inventory
from workers.aws.filters import ScanFilters
from workers.aws.scan import collect_one
from workers.aws.session import AccountSession, CallCounter, default_chain_session

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("collect_fake_aws")]

ACCOUNT = "123456789012"
REGION = "us-east-1"
LISTINGS = {
    ("elasticache", "DescribeReplicationGroups"),
    ("elasticache", "DescribeCacheClusters"),
    ("resource-groups-tagging-api", "GetResources"),
}


def _collect(
    account: AccountSession, filters: ScanFilters | None = None, region: str = REGION
) -> tuple[Inventory, CallCounter]:
    counter = CallCounter()
    inventory = collect_inventory(
        account, account.account_id, region, filters, counter=counter, now=datetime.now(UTC)
    )
    return inventory, counter


@pytest.fixture
def seeded(aws: str) -> dict[str, str]:
    net = seed_network(aws, REGION)
    key = seed_caches(aws, REGION, net)
    seed_detection(aws, REGION)
    seed_reserved_node(
        aws, ACCOUNT, REGION, {"cache_node_type": "cache.m5.large", "state": "payment-failed"}
    )
    return {"key": key, "public_subnet": net.public_subnet, "security_group": net.security_group}


def test_every_field_the_rules_read_arrives(seeded: dict[str, str]) -> None:
    inventory, _ = _collect(default_chain_session())

    assert inventory.errors == ()
    group = inventory.replication_groups[0]
    assert (group.transit_encryption_enabled, group.kms_key_id) == (True, seeded["key"])
    assert group.user_group_ids == ("app-users",) and group.snapshot_retention_limit == 3
    members = {c.cache_cluster_id: c for c in inventory.cache_clusters}
    assert set(members) == {"orders-001", "orders-002", "sessions"}
    member = members["orders-001"]
    assert member.replication_group_id == "orders" and member.engine_version
    assert member.security_groups[0].security_group_id == seeded["security_group"]
    assert member.cache_nodes[0].endpoint is not None
    assert member.cache_nodes[0].endpoint.port == 6379
    assert members["sessions"].notification_configuration is not None
    assert inventory.serverless_caches[0].user_group_id == "app-users"
    assert {u.user_id for u in inventory.users} == {"default", "app"}
    assert inventory.user_groups[0].user_ids == ("default", "app")


def test_network_keys_and_detection_facts_arrive(seeded: dict[str, str]) -> None:
    inventory, _ = _collect(default_chain_session())

    assert [g.cache_subnet_group_name for g in inventory.subnet_groups] == ["cache-subnets"]
    assert len(inventory.subnets) == 2
    public = [
        t
        for t in inventory.route_tables
        if any(r.gateway_id and r.gateway_id.startswith("igw-") for r in t.routes)
    ]
    assert public[0].associations[0].subnet_id == seeded["public_subnet"]
    assert any(a.main for t in inventory.route_tables for a in t.associations)
    assert inventory.security_groups[0].ip_permissions[0].ip_ranges[0].cidr_ip == "0.0.0.0/0"
    assert [(k.arn, k.key_manager) for k in inventory.kms_keys] == [(seeded["key"], "CUSTOMER")]
    assert [s.snapshot_name for s in inventory.snapshots] == ["orders-manual"]
    assert inventory.reserved_nodes[0].state == "payment-failed"
    tags = {
        t.resource_arn.rsplit(":", 1)[-1]: {x.key: x.value for x in t.tags} for t in inventory.tags
    }
    assert tags["orders"] == {"team": "payments"}
    cpu = {m.cache_cluster_id: m for m in inventory.cpu_metrics}
    assert cpu["orders-001"].average_percent == pytest.approx(1.5)
    assert cpu["orders-001"].datapoints == 2
    assert inventory.trails is not None
    assert [(t.name, t.is_logging, t.records_management_events) for t in inventory.trails] == [
        ("main", True, True)
    ]
    assert inventory.iam_policies is not None
    assert [(p.policy_name, p.attached_to) for p in inventory.iam_policies] == [
        ("cache-admin", ("role/deployer",))
    ]


def test_an_id_filter_describes_only_that_group(seeded: dict[str, str]) -> None:
    inventory, counter = _collect(
        default_chain_session(), ScanFilters(replication_group_id="orders")
    )

    assert [g.replication_group_id for g in inventory.replication_groups] == ["orders"]
    assert {c.cache_cluster_id for c in inventory.cache_clusters} == {"orders-001", "orders-002"}
    assert inventory.serverless_caches == () and inventory.reserved_nodes == ()
    assert inventory.trails is None and inventory.iam_policies is None
    calls = counter.calls()
    assert calls[("elasticache", "DescribeCacheClusters")] == 2  # one per member, no listing
    assert ("elasticache", "DescribeServerlessCaches") not in calls
    assert ("elasticache", "DescribeReservedCacheNodes") not in calls
    assert inventory.errors == ()


def _any_kind(resource_id: str) -> ScanFilters:
    """How the chat scope passes one id: it may name a group, a cluster or a serverless cache."""
    return ScanFilters(
        replication_group_id=resource_id,
        cache_cluster_id=resource_id,
        serverless_cache_name=resource_id,
    )


def test_one_id_of_any_kind_finds_the_resource(seeded: dict[str, str]) -> None:
    account = default_chain_session()
    group, _ = _collect(account, _any_kind("orders"))
    cluster, _ = _collect(account, _any_kind("sessions"))
    serverless, _ = _collect(account, _any_kind("carts"))

    assert [g.replication_group_id for g in group.replication_groups] == ["orders"]
    assert [s.snapshot_name for s in group.snapshots] == ["orders-manual"]
    assert [c.cache_cluster_id for c in cluster.cache_clusters] == ["sessions"]
    assert cluster.replication_groups == () and cluster.snapshots == ()
    assert [c.serverless_cache_name for c in serverless.serverless_caches] == ["carts"]
    assert serverless.cache_clusters == () and serverless.kms_keys[0].arn == seeded["key"]
    assert group.errors == cluster.errors == serverless.errors == ()


def test_tag_and_engine_filters_apply_after_collection(seeded: dict[str, str]) -> None:
    account = default_chain_session()
    by_tag, _ = _collect(account, ScanFilters(tag_key="team", tag_value="web"))
    by_engine, _ = _collect(account, ScanFilters(engine=Engine.VALKEY))

    assert [c.cache_cluster_id for c in by_tag.cache_clusters] == ["sessions"]
    assert by_tag.replication_groups == () and by_tag.serverless_caches == ()
    assert [c.serverless_cache_name for c in by_engine.serverless_caches] == ["carts"]
    assert by_engine.cache_clusters == () and by_engine.replication_groups == ()


def _fleet_region(
    url: str, groups: int, region: str
) -> tuple[Inventory, CallCounter, FleetManifest]:
    reset(url)  # the fleet generator creates account-wide IAM: one fleet at a time
    manifest = seed_fleet(url, FleetSpec(groups=groups, regions=(region,)))
    inventory, counter = _collect(default_chain_session(), region=region)
    return inventory, counter, manifest


def _ids(manifest: FleetManifest, kind: str) -> set[str]:
    return {record.resource_id for record in manifest.resources(kind)}


def test_paging_past_100_and_cost_grows_with_pages_not_resources(aws: str) -> None:
    small, small_calls, _ = _fleet_region(aws, 10, "us-west-2")
    large, large_calls, manifest = _fleet_region(aws, 150, REGION)

    assert small.errors == () and large.errors == ()
    assert {g.replication_group_id for g in large.replication_groups} == _ids(
        manifest, "replication-group"
    )
    assert _ids(manifest, "cache-cluster") <= {c.cache_cluster_id for c in large.cache_clusters}
    assert {c.serverless_cache_name for c in large.serverless_caches} == _ids(
        manifest, "serverless-cache"
    )
    assert len(large.cache_clusters) > 300  # members of 150 groups: several pages
    small_ops, large_ops = small_calls.calls(), large_calls.calls()
    assert set(small_ops) == set(large_ops)
    grown = {op: large_ops[op] - small_ops[op] for op in small_ops}
    # 15x the caches: listings gain pages; every call for dependents stays constant.
    assert {op for op, extra in grown.items() if extra} <= LISTINGS
    assert grown[("elasticache", "DescribeReplicationGroups")] == 1  # 150 groups: 2 pages
    assert (
        large_ops[("elasticache", "DescribeCacheClusters")] <= len(large.cache_clusters) // 100 + 1
    )
    assert large_calls.total_calls < len(large.replication_groups) // 3


def test_collect_one_reads_a_fresh_group_and_none_once_deleted(
    seeded: dict[str, str], aws: str
) -> None:
    account = default_chain_session()
    group = collect_one(account, ACCOUNT, REGION, ResourceKind.REPLICATION_GROUP, "orders")
    assert isinstance(group, ReplicationGroup) and group.kms_key_id == seeded["key"]

    boto3.client("elasticache", region_name=REGION).delete_replication_group(
        ReplicationGroupId="orders"
    )
    gone = collect_one(account, ACCOUNT, REGION, "replication_group", "orders")
    assert gone is None or (isinstance(gone, ReplicationGroup) and gone.status == "deleting")

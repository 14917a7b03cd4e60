"""The fleet generator: what the manifest says is wrong is what the APIs show.

An independent reading of each replication group through boto3 (describe calls, EC2
routes and security groups, user groups, tags, CloudWatch) must find exactly the bad
settings the manifest lists.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sandbox.fake_aws import FleetManifest, FleetSpec, demo_fleet_spec, reset, seed_fleet
from sandbox.fake_aws.fleet_model import REQUIRED_TAGS
from sandbox.fake_aws.fleet_plan import plan_groups
from tests.integration.fake_aws.fleet_reading import GroupReader

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo(fake_aws: str) -> FleetManifest:
    reset(fake_aws)
    return seed_fleet(fake_aws, demo_fleet_spec())


def test_demo_fleet_covers_accounts_regions_and_engines(demo: FleetManifest) -> None:
    groups = demo.resources("replication-group")
    assert {(r.account, r.region) for r in groups} == {
        (a, r) for a in demo.spec.accounts for r in demo.spec.regions
    }
    assert {(r.engine, r.engine_version) for r in groups} >= {
        ("redis", "5.0.6"), ("redis", "6.2"), ("redis", "7.1"), ("valkey", "7.2"), ("valkey", "8.0"),
    }  # fmt: skip
    assert {r.engine for r in demo.resources("serverless-cache")} == {
        "redis",
        "valkey",
        "memcached",
    }
    assert demo.resources("cache-cluster")
    assert sum(r.compliant for r in groups) == len(groups) // 3 + (len(groups) % 3 > 0)
    assert len(groups + demo.resources("cache-cluster") + demo.resources("serverless-cache")) >= 10


def test_demo_fleet_has_a_group_a_rotation_resolves(demo: FleetManifest) -> None:
    """The rotation story needs a token group failing CW-204 alone (issue 13, item 4)."""
    stale = [r for r in demo.resources("replication-group") if r.rules() == {"CW-204"}]
    assert [r.resource_id for r in stale] == ["cw-redis-0008"]
    assert stale[0].details["auth"] == "token"


def test_every_group_shows_exactly_its_bad_settings(fake_aws: str, demo: FleetManifest) -> None:
    for record in demo.resources("replication-group"):
        reader = GroupReader(fake_aws, record.account, record.region)
        found = reader.bad_settings(record.resource_id)
        expected = set(record.bad) - {"snapshot_not_cmk"}
        assert found == expected, record.resource_id


def test_snapshots_and_tokens_match_the_manifest(fake_aws: str, demo: FleetManifest) -> None:
    for record in demo.resources("replication-group"):
        reader = GroupReader(fake_aws, record.account, record.region)
        snapshots = reader.elasticache.describe_snapshots(ReplicationGroupId=record.resource_id)
        for snapshot in snapshots["Snapshots"]:
            assert ("KmsKeyId" not in snapshot) == ("snapshot_not_cmk" in record.bad)


def test_memcached_and_serverless_match_the_manifest(fake_aws: str, demo: FleetManifest) -> None:
    for record in demo.resources("cache-cluster") + demo.resources("serverless-cache"):
        reader = GroupReader(fake_aws, record.account, record.region)
        if record.kind == "cache-cluster":
            cluster = reader.elasticache.describe_cache_clusters(CacheClusterId=record.resource_id)
            facts = cluster["CacheClusters"][0]
            assert (not facts["TransitEncryptionEnabled"]) == ("in_transit_off" in record.bad)
            assert (facts["CacheSubnetGroupName"] == "default") == (
                "default_subnet_group" in record.bad
            )
            assert ("NotificationConfiguration" not in facts) == ("no_notifications" in record.bad)
            continue
        cache = reader.elasticache.describe_serverless_caches(
            ServerlessCacheName=record.resource_id
        )
        facts = cache["ServerlessCaches"][0]
        assert ("KmsKeyId" not in facts) == ("at_rest_not_cmk" in record.bad)
        if record.engine != "memcached":
            assert ("UserGroupId" not in facts) == ("serverless_no_user_group" in record.bad)
        open_ports = reader.open_to_internet(facts["SecurityGroupIds"], facts["Endpoint"]["Port"])
        assert open_ports == ("open_to_internet" in record.bad)


def test_reserved_nodes_trails_and_accounts(fake_aws: str, demo: FleetManifest) -> None:
    for region in demo.regions:
        reader = GroupReader(fake_aws, region.account, region.region)
        nodes = reader.elasticache.describe_reserved_cache_nodes()["ReservedCacheNodes"]
        states = {n["ReservedCacheNodeId"]: n["State"] for n in nodes}
        assert states["cw-ri-failed"] == "payment-failed"
        assert states["cw-ri-pending"] == "payment-pending"
        expiring = next(n for n in nodes if n["ReservedCacheNodeId"] == "cw-ri-expiring-7d")
        end = expiring["StartTime"] + timedelta(seconds=expiring["Duration"])
        assert timedelta(0) < end - datetime.now(UTC) < timedelta(days=7)
        trails = reader.client("cloudtrail").describe_trails()["trailList"]
        assert (not trails) == ("no_trail" in region.bad)
    assert demo.account_bad == {demo.spec.accounts[0]: ("broad_elasticache_policy",)}


def test_tags_reach_the_tagging_api(fake_aws: str, demo: FleetManifest) -> None:
    record = next(r for r in demo.resources("replication-group") if "missing_tags" not in r.bad)
    reader = GroupReader(fake_aws, record.account, record.region)
    tagging = reader.client("resourcegroupstaggingapi")
    mappings = tagging.get_resources(ResourceARNList=[record.arn])["ResourceTagMappingList"]
    tags = {t["Key"]: t["Value"] for t in mappings[0]["Tags"]}
    assert REQUIRED_TAGS.items() <= tags.items()


def test_plans_are_deterministic_and_a_third_compliant() -> None:
    spec = FleetSpec(groups=90, accounts=("111111111111", "222222222222"))
    first = plan_groups(spec, random.Random(spec.seed))
    second = plan_groups(spec, random.Random(spec.seed))
    assert [(p.cache_id, p.bad, p.auth) for p in first] == [
        (p.cache_id, p.bad, p.auth) for p in second
    ]
    assert sum(not p.bad for p in first) == 30
    other = plan_groups(FleetSpec(groups=90, seed=8), random.Random(8))
    assert [p.bad for p in other] != [p.bad for p in first]


def _projection(url: str, manifest: FleetManifest) -> list[tuple[Any, ...]]:
    rows = []
    for record in manifest.resources("replication-group"):
        reader = GroupReader(url, record.account, record.region)
        group = reader.elasticache.describe_replication_groups(
            ReplicationGroupId=record.resource_id
        )
        facts = group["ReplicationGroups"][0]
        rows.append((record.resource_id, sorted(record.bad), facts["MemberClusters"],
                     facts["TransitEncryptionEnabled"], facts.get("StorageEncryptionType"),
                     facts["SnapshotRetentionLimit"], facts["AuthTokenEnabled"]))  # fmt: skip
    return rows


def test_direct_and_http_seeding_create_the_same(fake_aws: str) -> None:
    spec = FleetSpec(
        groups=6,
        regions=("us-west-1",),
        memcached_clusters=1,
        serverless_caches=1,
        reserved_nodes=False,
        metrics=False,
    )
    reset(fake_aws)
    over_http = _projection(fake_aws, seed_fleet(fake_aws, spec, direct=False))
    reset(fake_aws)
    direct = _projection(fake_aws, seed_fleet(fake_aws, spec, direct=True))
    assert direct == over_http
    assert len(direct) == 6

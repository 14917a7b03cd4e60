"""CW-401 to CW-406: backups, failover, Multi-AZ, upgrades, engine versions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from packaging.version import Version

from posture.rules import lifecycle, resilience
from posture.rules.engine_support import SUPPORT_WINDOWS, support_window
from tests.unit.rules.table import ERROR, FAIL, NA, PASS, assert_verdict, case
from tests.unit.rules.world import (
    NOW,
    judge,
    policy,
    replication_group,
    serverless_cache,
    standalone_cluster,
)


def retention(days: int | None):
    return lambda: replication_group(group={"SnapshotRetentionLimit": days})


BACKUPS_ON = [
    case("group-7-days", retention(7), PASS, "for 7 days"),
    case("group-0-days", retention(0), FAIL, "SnapshotRetentionLimit 0"),
    case("group-unset", retention(None), FAIL, "backups off"),
    case(
        "standalone-valkey",
        lambda: standalone_cluster("valkey", "8.0.1"),
        PASS,
        "cache cluster sessions",
    ),
    case(
        "node-based-memcached", lambda: standalone_cluster("memcached", "1.6.22"), NA, "no backups"
    ),
    case(
        "serverless-off",
        lambda: serverless_cache(cache={"SnapshotRetentionLimit": 0}),
        FAIL,
        "backups off",
    ),
    case("serverless-memcached-on", lambda: serverless_cache("memcached"), PASS, "7 days"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), BACKUPS_ON)
def test_cw401_backups_on(build, status, fragment, policy) -> None:
    assert_verdict(resilience.check_backups_on, build, status, fragment, policy)


BACKUP_RETENTION = [
    case("exactly-the-minimum-passes", retention(7), PASS, "7 days (policy minimum 7)"),
    case("one-day-short", retention(6), FAIL, "under the policy minimum of 7"),
    case("backups-off-is-cw401", retention(0), NA, "CW-401"),
    case(
        "stricter-policy-exact",
        retention(14),
        PASS,
        "minimum 14",
        policy(backups={"minimum_retention_days": 14}),
    ),
    case(
        "stricter-policy-short",
        retention(13),
        FAIL,
        "minimum of 14",
        policy(backups={"minimum_retention_days": 14}),
    ),
    case(
        "node-based-memcached", lambda: standalone_cluster("memcached", "1.6.22"), NA, "Memcached"
    ),
    case(
        "serverless", lambda: serverless_cache(cache={"SnapshotRetentionLimit": 3}), FAIL, "3 days"
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), BACKUP_RETENTION)
def test_cw402_backup_retention(build, status, fragment, policy) -> None:
    assert_verdict(resilience.check_backup_retention, build, status, fragment, policy)


def single_node(**group: object):
    return lambda: replication_group(members=1, group=group)


def two_single_node_shards(**group: object):
    shards = [
        {"NodeGroupId": "0001", "NodeGroupMembers": [{"CacheClusterId": "orders-0001-001"}]},
        {"NodeGroupId": "0002", "NodeGroupMembers": [{"CacheClusterId": "orders-0002-001"}]},
    ]
    return lambda: replication_group(members=2, group={"NodeGroups": shards, **group})


def failover(state: str | None, **group: object):
    return lambda: replication_group(group={"AutomaticFailover": state, **group})


AUTOMATIC_FAILOVER = [
    case("enabled", failover("enabled"), PASS, "AutomaticFailover enabled"),
    case("disabled-with-replica", failover("disabled"), FAIL, "AutomaticFailover disabled"),
    case("single-node-group", single_node(AutomaticFailover="disabled"), FAIL, "has no replica"),
    case(
        "shards-without-replicas",
        two_single_node_shards(AutomaticFailover="disabled"),
        FAIL,
        "no replica",
    ),
    case("still-enabling", failover("enabling"), FAIL, "AutomaticFailover enabling"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), AUTOMATIC_FAILOVER)
def test_cw403_automatic_failover(build, status, fragment, policy) -> None:
    assert_verdict(resilience.check_automatic_failover, build, status, fragment, policy)


MULTI_AZ = [
    case("enabled", lambda: replication_group(), PASS, "MultiAZ enabled"),
    case(
        "disabled-with-replica",
        lambda: replication_group(group={"MultiAZ": "disabled"}),
        FAIL,
        "MultiAZ disabled",
    ),
    case("single-node-group", single_node(MultiAZ="disabled"), FAIL, "has no replica"),
    case(
        "replicas-counted-from-member-list",
        lambda: replication_group(
            members=3, group={"MultiAZ": "disabled", "NodeGroups": [{"NodeGroupId": "0001"}]}
        ),
        FAIL,
        "MultiAZ disabled",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), MULTI_AZ)
def test_cw404_multi_az(build, status, fragment, policy) -> None:
    assert_verdict(resilience.check_multi_az, build, status, fragment, policy)


def upgrades(group_value: bool | None, member_value: bool | None):
    return lambda: replication_group(
        group={"AutoMinorVersionUpgrade": group_value},
        member={"AutoMinorVersionUpgrade": member_value},
    )


MINOR_UPGRADES = [
    case("group-on", upgrades(True, None), PASS, "upgrades on"),
    case("group-off", upgrades(False, True), FAIL, "upgrades off"),
    case("group-silent-members-on", upgrades(None, True), PASS, "on"),
    case("group-silent-members-off", upgrades(None, False), FAIL, "off"),
    case("nothing-reported", upgrades(None, None), ERROR, "no AutoMinorVersionUpgrade"),
    case(
        "standalone-off",
        lambda: standalone_cluster("redis", "7.1.0", cluster={"AutoMinorVersionUpgrade": False}),
        FAIL,
        "cache cluster sessions (redis 7.1.0) has automatic minor version upgrades off",
    ),
    # The setting exists for Redis OSS 6.0+ and Valkey only.
    case(
        "memcached-not-applicable",
        lambda: standalone_cluster(
            "memcached", "1.6.22", cluster={"AutoMinorVersionUpgrade": False}
        ),
        NA,
        "does not apply to Memcached",
    ),
    case(
        "redis-5-not-applicable",
        lambda: replication_group("5.0.6", group={"AutoMinorVersionUpgrade": False}),
        NA,
        "needs Redis OSS 6.0 or later",
    ),
    case(
        "redis-6.0-applies",
        lambda: replication_group("6.0.5", group={"AutoMinorVersionUpgrade": False}),
        FAIL,
        "upgrades off",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), MINOR_UPGRADES)
def test_cw405_minor_upgrades(build, status, fragment, policy) -> None:
    assert_verdict(lifecycle.check_minor_upgrades, build, status, fragment, policy)


def serverless_version(engine: str, major: str, full: str | None):
    return lambda: serverless_cache(
        engine, cache={"MajorEngineVersion": major, "FullEngineVersion": full}
    )


ENGINE_VERSION = [
    case(
        "redis-7.1", lambda: replication_group("7.1.0"), PASS, "at or above the policy minimum 6.2"
    ),
    case(
        "redis-6.0-below-6.2",
        lambda: replication_group("6.0.5"),
        FAIL,
        "below the policy minimum 6.2",
    ),
    case("redis-at-minimum", lambda: replication_group("6.2.6"), PASS, "6.2.6"),
    case("valkey-7.2", lambda: replication_group("7.2.4", engine="valkey"), PASS, "valkey 7.2.4"),
    case(
        "memcached-1.6.6",
        lambda: standalone_cluster("memcached", "1.6.6"),
        FAIL,
        "below the policy minimum 1.6.12",
    ),
    case("serverless-full-version", serverless_version("valkey", "7", "7.2"), PASS, "valkey 7.2"),
    case(
        "serverless-major-only-compares-major",
        serverless_version("redis", "7", None),
        PASS,
        "redis 7",
        policy(engines={"minimum_versions": {"redis": "7.1"}}),
    ),
    case(
        "serverless-old-major",
        serverless_version("redis", "6", None),
        FAIL,
        "below",
        policy(engines={"minimum_versions": {"redis": "7.1"}}),
    ),
    # Serverless Memcached reports "1.6" and AWS keeps it on the newest 1.6 patch: the
    # node-based minimum 1.6.12 is met at the precision AWS reports (a demo false positive).
    case(
        "serverless-memcached-line-meets-patch-minimum",
        serverless_version("memcached", "1.6", "1.6"),
        PASS,
        "memcached 1.6",
    ),
    case(
        "serverless-minor-below-minimum",
        serverless_version("redis", "7", "7.0"),
        FAIL,
        "below",
        policy(engines={"minimum_versions": {"redis": "7.1"}}),
    ),
    case(
        "engine-without-minimum",
        lambda: replication_group("8.0.1", engine="valkey"),
        NA,
        "no minimum version for valkey",
        policy(engines={"minimum_versions": {"redis": "7.0"}}),
    ),
    case(
        "members-not-collected",
        lambda: replication_group(members=0, group={"MemberClusters": ["orders-001"]}),
        ERROR,
        "orders-001",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), ENGINE_VERSION)
def test_cw406_engine_version(build, status, fragment, policy) -> None:
    assert_verdict(lifecycle.check_engine_version, build, status, fragment, policy)


AFTER_REDIS_5_SUPPORT = datetime(2026, 2, 15, tzinfo=UTC)


def test_cw406_past_standard_support_fails_whatever_the_policy_minimum() -> None:
    group, inv = replication_group("5.0.6")
    lenient = policy(engines={"minimum_versions": {"redis": "4.0"}})
    verdict = judge(lifecycle.check_engine_version, group, inv, lenient, AFTER_REDIS_5_SUPPORT)
    assert verdict.status is FAIL, verdict.evidence
    assert "standard support ended on 2026-01-31" in verdict.evidence
    assert "Extended Support lasts until 2029-01-31" in verdict.evidence


def test_cw406_the_evaluation_date_decides_end_of_support() -> None:
    group, inv = replication_group("5.0.6")
    lenient = policy(engines={"minimum_versions": {"redis": "4.0"}})
    before = judge(
        lifecycle.check_engine_version, group, inv, lenient, datetime(2026, 1, 31, tzinfo=UTC)
    )
    assert before.status is PASS, before.evidence


def test_cw406_end_of_support_fails_even_without_a_policy_minimum() -> None:
    group, inv = replication_group("4.0.10")
    no_redis_minimum = policy(engines={"minimum_versions": {"valkey": "7.2"}})
    verdict = judge(
        lifecycle.check_engine_version, group, inv, no_redis_minimum, AFTER_REDIS_5_SUPPORT
    )
    assert verdict.status is FAIL, verdict.evidence


def test_cw406_redis_3_has_no_extended_support() -> None:
    cluster, inv = standalone_cluster("redis", "3.2.10")
    verdict = judge(lifecycle.check_engine_version, cluster, inv, policy(), NOW)
    assert verdict.status is FAIL
    assert "no Extended Support" in verdict.evidence


def test_support_table_cites_its_sources() -> None:
    assert all(w.source.startswith("https://docs.aws.amazon.com/") for w in SUPPORT_WINDOWS)
    redis_5 = support_window("redis", Version("5.0.6"))
    assert redis_5 is not None and redis_5.standard_support_ends == date(2026, 1, 31)
    assert support_window("valkey", Version("7.2")) is None


def snapshot_of(source: dict[str, str], snapshot_source: str = "manual", **sections: object):
    def build():
        data = {
            "SnapshotName": "orders-before-migration",
            "SnapshotSource": snapshot_source,
            **source,
        }
        _, inv = replication_group(Snapshots=[data], **sections)
        return inv.snapshots[0], inv

    return build


ORPHAN_SNAPSHOTS = [
    case(
        "group-still-exists",
        snapshot_of({"ReplicationGroupId": "orders"}),
        PASS,
        "replication group orders, which still exists",
    ),
    case(
        "group-deleted",
        snapshot_of({"ReplicationGroupId": "orders-old"}),
        FAIL,
        "manual backup of replication group orders-old, which no longer exists in eu-west-1",
    ),
    case(
        "member-cluster-still-exists",
        snapshot_of({"CacheClusterId": "orders-001"}),
        PASS,
        "cache cluster orders-001",
    ),
    case(
        "standalone-cluster-deleted",
        snapshot_of({"CacheClusterId": "sessions"}),
        FAIL,
        "cache cluster sessions, which no longer exists",
    ),
    case(
        "serverless-cache-deleted",
        snapshot_of({"ServerlessCacheName": "api"}),
        FAIL,
        "serverless cache api",
    ),
    case(
        "automatic-backup",
        snapshot_of({"ReplicationGroupId": "orders-old"}, "automated"),
        NA,
        "automatic backup",
    ),
    case("no-source", snapshot_of({}), ERROR, "names no source cache"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), ORPHAN_SNAPSHOTS)
def test_cw407_snapshot_source_exists(build, status, fragment, policy) -> None:
    assert_verdict(lifecycle.check_snapshot_source_exists, build, status, fragment, policy)


def test_cw407_serverless_snapshot_of_a_live_cache_passes() -> None:
    _, inv = serverless_cache(
        Snapshots=[
            {"SnapshotName": "api-manual", "SnapshotSource": "manual", "ServerlessCacheName": "api"}
        ]
    )
    verdict = judge(lifecycle.check_snapshot_source_exists, inv.snapshots[0], inv)
    assert verdict.status is PASS, verdict.evidence

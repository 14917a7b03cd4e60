"""Rebuild runbooks recreate the cache with every setting it had, and every command is real."""

from __future__ import annotations

import shlex
from typing import Any

import pytest

from posture.base import ResourceKind
from posture.policy import OrgPolicy
from posture.remediation import FixPlan, PlanKind, plan_fix
from posture.resources import Inventory
from tests.unit.catalog.cli_model import aws_commands, check_command
from tests.unit.rules.world import (
    NOW,
    PORT,
    REGION,
    TOPIC_ARN,
    arn,
    replication_group,
    serverless_cache,
    standalone_cluster,
)

RG, CC, SLS = (
    ResourceKind.REPLICATION_GROUP,
    ResourceKind.CACHE_CLUSTER,
    ResourceKind.SERVERLESS_CACHE,
)
SLOW_LOG = {
    "LogType": "slow-log",
    "DestinationType": "cloudwatch-logs",
    "LogFormat": "json",
    "Status": "active",
    "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/cache/orders/slow"}},
}
NODE_SETTINGS = {
    "CacheParameterGroup": {"CacheParameterGroupName": "orders-params"},
    "PreferredMaintenanceWindow": "sun:05:00-sun:06:00",
    "SnapshotWindow": "03:00-04:00",
    "SecurityGroups": [
        {"SecurityGroupId": "sg-cache", "Status": "active"},
        {"SecurityGroupId": "sg-extra", "Status": "active"},
    ],
}
TAGS = [
    {
        "ResourceARN": arn("replicationgroup", "orders"),
        "Tags": [{"Key": "team", "Value": "payments"}, {"Key": "env", "Value": "prod"}],
    }
]


def _group_settings(**overrides: Any) -> dict[str, Any]:
    return {
        "AtRestEncryptionEnabled": False,
        "KmsKeyId": None,
        "SnapshotRetentionLimit": 9,
        "SnapshotWindow": "03:00-04:00",
        "AuthTokenEnabled": True,
        "UserGroupIds": [],
        "TransitEncryptionMode": "preferred",
        "LogDeliveryConfigurations": [SLOW_LOG],
        "AutoMinorVersionUpgrade": False,
        **overrides,
    }


def _sharded(members: int) -> dict[str, Any]:
    """Cluster mode enabled: two shards of `members // 2` nodes each, a configuration endpoint."""
    per_shard = members // 2
    ids = [f"orders-{n:03d}" for n in range(1, members + 1)]
    return {
        "ClusterEnabled": True,
        "ConfigurationEndpoint": {"Address": "clustercfg.orders.cache", "Port": PORT},
        "NodeGroups": [
            {
                "NodeGroupId": f"000{shard + 1}",
                "NodeGroupMembers": [
                    {"CacheClusterId": cid}
                    for cid in ids[shard * per_shard : (shard + 1) * per_shard]
                ],
            }
            for shard in range(2)
        ],
    }


def _plan(rule: str, inv: Inventory, kind: ResourceKind = RG) -> FixPlan:
    resource_id = {RG: "orders", CC: "sessions", SLS: "api"}[kind]
    plan = plan_fix(rule, kind, resource_id, inv, OrgPolicy(), NOW)
    assert plan.kind is PlanKind.REBUILD and plan.runbook is not None, plan.reason
    return plan


def _all_commands(plan: FixPlan) -> str:
    assert plan.runbook is not None
    return "\n".join(c for step in plan.runbook.steps for c in step.commands)


def _create(plan: FixPlan, operation: str) -> list[str]:
    line = next(line for line in _all_commands(plan).splitlines() if f" {operation} " in line)
    return shlex.split(line)


def _value(words: list[str], flag: str) -> list[str]:
    """The values that follow `flag` up to the next flag."""
    assert words.count(flag) == 1, f"{flag} appears {words.count(flag)} times"
    values = []
    for word in words[words.index(flag) + 1 :]:
        if word.startswith("--"):
            break
        values.append(word)
    return values


def _assert_every_command_is_real(plan: FixPlan) -> None:
    commands = aws_commands(_all_commands(plan))
    assert commands
    for words in commands:
        check_command(words)


COMMON_EXPECTED = {
    "--engine": ["redis"],
    "--engine-version": ["7.1.0"],
    "--cache-node-type": ["cache.r7g.large"],
    "--cache-parameter-group-name": ["orders-params"],
    "--cache-subnet-group-name": ["private"],
    "--security-group-ids": ["sg-cache", "sg-extra"],
    "--port": [str(PORT)],
    "--automatic-failover-enabled": [],
    "--multi-az-enabled": [],
    "--transit-encryption-enabled": [],
    "--transit-encryption-mode": ["preferred"],
    "--at-rest-encryption-enabled": [],
    "--auth-token": ["$AUTH_TOKEN"],
    "--snapshot-retention-limit": ["9"],
    "--snapshot-window": ["03:00-04:00"],
    "--preferred-maintenance-window": ["sun:05:00-sun:06:00"],
    "--notification-topic-arn": [TOPIC_ARN],
    "--no-auto-minor-version-upgrade": [],
    "--tags": ["Key=env,Value=prod", "Key=team,Value=payments"],
    "--snapshot-name": ["orders-before-cw-103"],
}


def test_a_fully_configured_group_keeps_every_setting() -> None:
    _, inv = replication_group(group=_group_settings(), member=NODE_SETTINGS, Tags=TAGS)
    plan = _plan("CW-103", inv)
    create = _create(plan, "create-replication-group")
    for flag, values in {**COMMON_EXPECTED, "--num-cache-clusters": ["2"]}.items():
        assert _value(create, flag) == values, flag
    logs = _value(create, "--log-delivery-configurations")
    assert "/cache/orders/slow" in logs[0] and '"slow-log"' in logs[0]
    assert "--num-node-groups" not in create
    _assert_every_command_is_real(plan)


def test_a_cluster_mode_enabled_group_keeps_its_shard_layout() -> None:
    _, inv = replication_group(
        members=4, group=_group_settings(**_sharded(4)), member=NODE_SETTINGS, Tags=TAGS
    )
    plan = _plan("CW-103", inv)
    create = _create(plan, "create-replication-group")
    expected = {
        **COMMON_EXPECTED,
        "--cluster-mode": ["enabled"],
        "--num-node-groups": ["2"],
        "--replicas-per-node-group": ["1"],
    }
    for flag, values in expected.items():
        assert _value(create, flag) == values, flag
    assert "--num-cache-clusters" not in create
    _assert_every_command_is_real(plan)


def test_the_auth_token_comes_from_secrets_manager_never_inline() -> None:
    _, inv = replication_group(group=_group_settings())
    plan = _plan("CW-306", inv)
    commands = _all_commands(plan)
    assert (
        'export AUTH_TOKEN="$(aws secretsmanager get-secret-value --secret-id '
        "cachewarden/auth/orders --query SecretString" in commands
    )
    assert _value(_create(plan, "create-replication-group"), "--auth-token") == ["$AUTH_TOKEN"]


def test_user_groups_are_kept_instead_of_a_token() -> None:
    _, inv = replication_group(group={"AtRestEncryptionEnabled": False})
    create = _create(_plan("CW-103", inv), "create-replication-group")
    assert _value(create, "--user-group-ids") == ["app-users"]
    assert "--auth-token" not in create


@pytest.mark.parametrize(
    ("rule", "flag", "values"),
    [
        ("CW-103", "--at-rest-encryption-enabled", []),
        ("CW-104", "--kms-key-id", ["$CMK_ARN"]),
        ("CW-301", "--cache-subnet-group-name", ["$NEW_SUBNET_GROUP"]),
        ("CW-302", "--cache-subnet-group-name", ["$NEW_SUBNET_GROUP"]),
        ("CW-303", "--cache-subnet-group-name", ["$NEW_SUBNET_GROUP"]),
        ("CW-306", "--port", ["$NEW_PORT"]),
    ],
)
def test_each_rebuild_rule_replaces_only_its_setting(
    rule: str, flag: str, values: list[str]
) -> None:
    settings = _group_settings(AtRestEncryptionEnabled=rule not in ("CW-103", "CW-104"))
    _, inv = replication_group(group=settings, member=NODE_SETTINGS, Tags=TAGS)
    plan = _plan(rule, inv)
    create = _create(plan, "create-replication-group")
    assert _value(create, flag) == values
    for kept, kept_values in COMMON_EXPECTED.items():
        if kept not in (flag, "--snapshot-name"):
            assert _value(create, kept) == kept_values, kept
    _assert_every_command_is_real(plan)


def test_a_standalone_redis_cluster_is_rebuilt_as_a_group_with_tls() -> None:
    _, inv = standalone_cluster(
        cluster={"TransitEncryptionEnabled": False, "TransitEncryptionMode": None, **NODE_SETTINGS}
    )
    plan = _plan("CW-101", inv, CC)
    create = _create(plan, "create-replication-group")
    assert _value(create, "--replication-group-id") == ["sessions-v2"]
    assert _value(create, "--num-cache-clusters") == ["1"]
    assert _value(create, "--transit-encryption-enabled") == []
    assert _value(create, "--cache-parameter-group-name") == ["orders-params"]
    assert "create-snapshot --cache-cluster-id sessions" in _all_commands(plan)
    _assert_every_command_is_real(plan)


def test_memcached_and_serverless_rebuilds_use_real_parameters() -> None:
    _, memcached = standalone_cluster(
        "memcached", "1.6.22", cluster={"TransitEncryptionEnabled": False}
    )
    memcached_plan = _plan("CW-306", memcached, CC)
    assert "create-cache-cluster --cache-cluster-id sessions-v2" in _all_commands(memcached_plan)
    _assert_every_command_is_real(memcached_plan)
    _, serverless = serverless_cache(cache={"DailySnapshotTime": "02:00"})
    serverless_plan = _plan("CW-104", serverless, SLS)
    create = _create(serverless_plan, "create-serverless-cache")
    assert _value(create, "--daily-snapshot-time") == ["02:00"]
    assert _value(create, "--kms-key-id") == ["$CMK_ARN"]
    _assert_every_command_is_real(serverless_plan)


def test_the_runbook_says_clients_move_to_new_endpoints() -> None:
    _, inv = replication_group(group={"AtRestEncryptionEnabled": False})
    plan = _plan("CW-103", inv)
    assert plan.runbook is not None
    switch = next(step for step in plan.runbook.steps if "new endpoints" in step.title)
    assert "new DNS names" in switch.note
    assert any("describe-replication-groups" in c for c in switch.commands)
    assert REGION in " ".join(switch.commands)


def test_a_global_datastore_member_rebuild_says_the_copy_joins_no_datastore() -> None:
    global_info = {"GlobalReplicationGroupInfo": {"GlobalReplicationGroupId": "ldgnf-orders"}}
    _, inv = replication_group(group={"AtRestEncryptionEnabled": False, **global_info})
    plan = _plan("CW-103", inv)
    assert plan.runbook is not None
    assert "global datastore ldgnf-orders" in plan.runbook.summary
    assert "CreateGlobalReplicationGroup" in plan.runbook.summary
    _, alone = replication_group(group={"AtRestEncryptionEnabled": False})
    alone_plan = _plan("CW-103", alone)
    assert alone_plan.runbook is not None
    assert "global datastore" not in alone_plan.runbook.summary

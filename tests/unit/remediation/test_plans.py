"""Fix plans per rule: the exact call from the snapshot and the policy, or why there is none."""

from __future__ import annotations

import json
from typing import Any

import pytest

from posture.base import ResourceKind
from posture.policy import OrgPolicy
from posture.remediation import FixPlan, PlanKind, plan_fix, rebuild_fallback
from posture.remediation.model import ApiCall, words_of
from posture.resources import Inventory
from tests.unit.rules.world import (
    NOW,
    PORT,
    REGION,
    policy,
    replication_group,
    serverless_cache,
    standalone_cluster,
)

RG, CC, SLS = (
    ResourceKind.REPLICATION_GROUP,
    ResourceKind.CACHE_CLUSTER,
    ResourceKind.SERVERLESS_CACHE,
)


def plan_for(
    rule: str, inv: Inventory, kind: ResourceKind = RG, org: OrgPolicy | None = None
) -> FixPlan:
    resource_id = {RG: "orders", CC: "sessions", SLS: "api"}[kind]
    return plan_fix(rule, kind, resource_id, inv, org or OrgPolicy(), NOW)


def only_call(plan: FixPlan) -> ApiCall:
    assert plan.kind is PlanKind.IN_PLACE, plan.reason
    assert len(plan.calls) == 1
    return plan.calls[0]


@pytest.mark.parametrize(
    ("rule", "retention", "minimum", "expected"),
    [("CW-401", 0, 7, 7), ("CW-402", 3, 7, 7), ("CW-402", 3, 14, 14), ("CW-401", 0, 1, 1)],
)
def test_backups_go_to_the_policy_minimum(
    rule: str, retention: int, minimum: int, expected: int
) -> None:
    _, inv = replication_group(group={"SnapshotRetentionLimit": retention})
    org = policy(backups={"minimum_retention_days": minimum})
    call = only_call(plan_for(rule, inv, org=org))
    assert (call.service, call.operation) == ("elasticache", "ModifyReplicationGroup")
    assert call.params == {
        "ReplicationGroupId": "orders",
        "SnapshotRetentionLimit": expected,
        "ApplyImmediately": True,
    }
    assert f"--snapshot-retention-limit {retention}" in plan_for(rule, inv, org=org).backout


def test_backups_on_each_kind_use_its_own_modify_call() -> None:
    _, cluster_inv = standalone_cluster(cluster={"SnapshotRetentionLimit": 0})
    _, serverless_inv = serverless_cache(cache={"SnapshotRetentionLimit": 0})
    cluster_call = only_call(plan_for("CW-401", cluster_inv, CC))
    serverless_call = only_call(plan_for("CW-401", serverless_inv, SLS))
    assert cluster_call.operation == "ModifyCacheCluster"
    assert cluster_call.params["CacheClusterId"] == "sessions"
    assert serverless_call.operation == "ModifyServerlessCache"
    assert "ApplyImmediately" not in serverless_call.params  # serverless has no such parameter


def test_memcached_nodes_have_no_backups_to_turn_on() -> None:
    _, inv = standalone_cluster("memcached", "1.6.22", cluster={"SnapshotRetentionLimit": 0})
    plan = plan_for("CW-401", inv, CC)
    assert plan.kind is PlanKind.BLOCKED and "Memcached" in plan.reason


def test_minor_upgrades_on_for_groups_and_clusters() -> None:
    _, inv = replication_group(group={"AutoMinorVersionUpgrade": False})
    _, cluster_inv = standalone_cluster(cluster={"AutoMinorVersionUpgrade": False})
    assert only_call(plan_for("CW-405", inv)).params["AutoMinorVersionUpgrade"] is True
    cluster_call = only_call(plan_for("CW-405", cluster_inv, CC))
    assert cluster_call.operation == "ModifyCacheCluster"
    assert "--no-auto-minor-version-upgrade" in plan_for("CW-405", inv).backout


def test_failover_alone_and_multi_az_with_failover() -> None:
    _, inv = replication_group(group={"AutomaticFailover": "disabled", "MultiAZ": "disabled"})
    failover = only_call(plan_for("CW-403", inv)).params
    multi_az = only_call(plan_for("CW-404", inv)).params
    assert failover == {
        "ReplicationGroupId": "orders",
        "AutomaticFailoverEnabled": True,
        "ApplyImmediately": True,
    }
    assert multi_az["MultiAZEnabled"] is True and multi_az["AutomaticFailoverEnabled"] is True
    assert "--no-automatic-failover-enabled" in plan_for("CW-404", inv).backout


@pytest.mark.parametrize("rule", ["CW-403", "CW-404"])
def test_no_replica_explains_why_instead_of_calling(rule: str) -> None:
    _, inv = replication_group(
        members=1, group={"AutomaticFailover": "disabled", "MultiAZ": "disabled"}
    )
    plan = plan_for(rule, inv)
    assert plan.kind is PlanKind.BLOCKED and not plan.calls
    assert "has no replica" in plan.reason and "increase-replica-count" in plan.reason


def test_in_transit_step_one_is_preferred_then_step_two_is_required() -> None:
    _, off = replication_group(
        group={"TransitEncryptionEnabled": False, "TransitEncryptionMode": None, "UserGroupIds": []}
    )
    step_one = plan_for("CW-101", off)
    assert only_call(step_one).params["TransitEncryptionMode"] == "preferred"
    assert "CW-102" in step_one.next_step
    _, preferred = replication_group(group={"TransitEncryptionMode": "preferred"})
    step_two = only_call(plan_for("CW-102", preferred)).params
    assert step_two["TransitEncryptionMode"] == "required"
    blocked = plan_for("CW-102", off)
    assert blocked.kind is PlanKind.BLOCKED and "CW-101" in blocked.reason


def test_tls_on_a_standalone_cluster_is_a_rebuild() -> None:
    _, inv = standalone_cluster(cluster={"TransitEncryptionEnabled": False})
    plan = plan_for("CW-101", inv, CC)
    assert plan.kind is PlanKind.REBUILD and plan.runbook is not None
    commands = " ".join(c for step in plan.runbook.steps for c in step.commands)
    # A standalone Redis OSS cluster becomes a one-node group: TLS modes live on groups only.
    assert "create-replication-group --replication-group-id sessions-v2" in commands
    assert "--transit-encryption-enabled" in commands


@pytest.mark.parametrize(
    ("engine", "version", "in_place"),
    [
        ("redis", "6.2.6", False),
        ("redis", "6.0.5", False),
        ("redis", "7.0.7", True),
        ("redis", "7.1.0", True),
        ("valkey", "7.2.4", True),
        ("valkey", "8.0.1", True),
    ],
)
def test_tls_in_place_only_on_redis_7_and_valkey_7_2(
    engine: str, version: str, in_place: bool
) -> None:
    _, inv = replication_group(
        version,
        engine=engine,
        group={
            "TransitEncryptionEnabled": False,
            "TransitEncryptionMode": None,
            "UserGroupIds": [],
        },
    )
    plan = plan_for("CW-101", inv)
    if in_place:
        assert only_call(plan).params["TransitEncryptionMode"] == "preferred"
        return
    assert plan.kind is PlanKind.REBUILD and not plan.calls
    assert plan.runbook is not None and "Redis OSS 7.0 or later" in plan.runbook.summary
    assert "--engine-version 7.0" in plan.reason and version in plan.reason


def test_tls_plans_warn_that_endpoints_change() -> None:
    _, off = replication_group(
        group={"TransitEncryptionEnabled": False, "TransitEncryptionMode": None, "UserGroupIds": []}
    )
    step_one = plan_for("CW-101", off)
    assert "new DNS names for the primary and reader endpoints" in step_one.warning
    assert "orders.cache" in step_one.warning  # today's name, which step 2 deletes
    assert "Per-node names are replaced already by this step" in step_one.warning
    _, preferred = replication_group(group={"TransitEncryptionMode": "preferred"})
    step_two = plan_for("CW-102", preferred)
    assert "deletes the old non-TLS DNS names" in step_two.warning
    assert "primary orders.cache:7000" in step_two.warning
    assert "old non-TLS endpoint name" in step_two.risk
    _, sharded = replication_group(
        group={
            "TransitEncryptionMode": "preferred",
            "ClusterEnabled": True,
            "ConfigurationEndpoint": {"Address": "clustercfg.orders.cache", "Port": PORT},
        }
    )
    assert "the configuration endpoint" in plan_for("CW-102", sharded).warning


GLOBAL = {
    "GlobalReplicationGroupInfo": {
        "GlobalReplicationGroupId": "ldgnf-orders-global",
        "GlobalReplicationGroupMemberRole": "SECONDARY",
    }
}


@pytest.mark.parametrize(
    ("rule", "group", "expected"),
    [
        ("CW-403", {"AutomaticFailover": "disabled", "MultiAZ": "disabled"},
         "modify-global-replication-group --global-replication-group-id ldgnf-orders-global "
         "--automatic-failover-enabled"),
        ("CW-404", {"MultiAZ": "disabled"}, "has no Multi-AZ parameter"),
        ("CW-101", {"TransitEncryptionEnabled": False, "TransitEncryptionMode": None,
                    "UserGroupIds": []}, "cannot change it"),
        ("CW-102", {"TransitEncryptionMode": "preferred"}, "cannot change it"),
        ("CW-401", {"SnapshotRetentionLimit": 0}, "in each member's own Region"),
        ("CW-405", {"AutoMinorVersionUpgrade": False}, "in each member's own Region"),
    ],
)  # fmt: skip
def test_global_datastore_members_are_refused_with_the_api_that_applies(
    rule: str, group: dict[str, Any], expected: str
) -> None:
    _, inv = replication_group(group={**group, **GLOBAL})
    plan = plan_for(rule, inv)
    assert plan.kind is PlanKind.BLOCKED and not plan.calls
    assert "secondary of global datastore ldgnf-orders-global" in plan.reason
    assert expected in plan.reason
    _, alone = replication_group(group=group)
    assert plan_for(rule, alone).kind is PlanKind.IN_PLACE  # the same group outside a datastore


def _open_world(extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    permissions = [
        {
            "IpProtocol": "tcp",
            "FromPort": PORT,
            "ToPort": PORT,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.0.0.0/16"}],
            "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            "UserIdGroupPairs": [{"GroupId": "sg-app"}],
        },
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        *(extra or []),
    ]
    return {"SecurityGroups": [{"GroupId": "sg-cache", "IpPermissions": permissions}]}


def test_close_ingress_revokes_only_the_world_sources_on_the_port() -> None:
    _, inv = replication_group(**_open_world())
    plan = plan_for("CW-304", inv)
    call = only_call(plan)
    assert (call.service, call.operation) == ("ec2", "RevokeSecurityGroupIngress")
    assert call.params == {
        "GroupId": "sg-cache",
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": PORT,
                "ToPort": PORT,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            }
        ],
    }
    assert "10.0.0.0/16" not in json.dumps(call.params)  # the VPC source stays
    assert "authorize-security-group-ingress" in plan.backout


def test_close_ingress_warns_when_a_world_rule_reaches_beyond_the_port() -> None:
    everything = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    _, inv = replication_group(**_open_world([everything]))
    plan = plan_for("CW-304", inv)
    revoked = only_call(plan).params["IpPermissions"]
    assert {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]} in revoked
    assert "reach beyond port" in plan.risk and "all traffic" in plan.risk


def test_close_ingress_on_serverless_uses_its_security_groups() -> None:
    _, inv = serverless_cache(**_open_world())
    assert only_call(plan_for("CW-304", inv, SLS)).params["GroupId"] == "sg-cache"


NO_AUTH = {"UserGroupIds": [], "AuthTokenEnabled": False}
ALLOWED = policy(auth={"allowed_user_groups": ["app-users"]})


def _no_client_auth(**group: Any) -> Inventory:
    sections = {"UserGroups": [{"UserGroupId": "app-users", "UserIds": ["default-off", "app"]}]}
    _, inv = replication_group("7.1.0", group={**NO_AUTH, **group}, **sections)
    return inv


def test_rbac_attaches_the_policy_user_group() -> None:
    call = only_call(plan_for("CW-202", _no_client_auth(), org=ALLOWED))
    assert call.params["UserGroupIdsToAdd"] == ["app-users"]
    assert "AuthTokenUpdateStrategy" not in call.params


def test_rbac_over_an_auth_token_uses_delete_and_replaces_other_groups() -> None:
    inv = _no_client_auth(AuthTokenEnabled=True, UserGroupIds=["legacy"])
    plan = plan_for("CW-202", inv, org=ALLOWED)
    call = only_call(plan)
    assert call.params["AuthTokenUpdateStrategy"] == "DELETE"
    assert call.params["UserGroupIdsToRemove"] == ["legacy"]
    assert "AUTH token is removed" in plan.change


@pytest.mark.parametrize(
    ("group", "org", "says"),
    [
        ({"TransitEncryptionEnabled": False}, ALLOWED, "CW-101"),
        ({}, OrgPolicy(), "allowed_user_groups"),
        ({}, policy(auth={"allowed_user_groups": ["missing"]}), "create-user-group"),
    ],
)
def test_rbac_preconditions_explain_what_to_do_first(
    group: dict[str, Any], org: OrgPolicy, says: str
) -> None:
    plan = plan_for("CW-202", _no_client_auth(**group), org=org)
    assert plan.kind is PlanKind.BLOCKED and says in plan.reason


def _commands(plan: FixPlan) -> str:
    assert plan.runbook is not None
    return "\n".join(c for step in plan.runbook.steps for c in step.commands)


def test_at_rest_rebuild_keeps_the_group_settings() -> None:
    _, inv = replication_group(
        "6.2.6",
        group={"AtRestEncryptionEnabled": False, "KmsKeyId": None, "SnapshotRetentionLimit": 5},
    )
    plan = plan_for("CW-103", inv)
    assert plan.kind is PlanKind.REBUILD and not plan.calls
    commands = _commands(plan)
    create = next(line for line in commands.splitlines() if "create-replication-group" in line)
    for expected in (
        "--replication-group-id orders-v2",
        "--snapshot-name orders-before-cw-103",
        "--engine redis --engine-version 6.2.6",
        "--cache-node-type cache.r7g.large",
        "--num-cache-clusters 2",
        "--cache-subnet-group-name private",
        "--security-group-ids sg-cache",
        f"--port {PORT}",
        "--snapshot-retention-limit 5",
        "--at-rest-encryption-enabled",
        "--transit-encryption-enabled",
        f"--region {REGION}",
    ):
        assert expected in create, expected
    assert "create-snapshot --replication-group-id orders" in commands
    assert "delete-replication-group --replication-group-id orders" in commands


def test_cmk_rebuild_asks_for_a_customer_key_and_never_prints_a_token() -> None:
    _, inv = replication_group(
        group={"KmsKeyId": None, "AuthTokenEnabled": True, "UserGroupIds": []}
    )
    commands = _commands(plan_for("CW-104", inv))
    assert "aws kms create-key" in commands and "--kms-key-id $CMK_ARN" in commands
    assert '--auth-token "$AUTH_TOKEN"' in commands


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("CW-302", "--cache-subnet-group-name $NEW_SUBNET_GROUP"), ("CW-306", "--port $NEW_PORT")],
)
def test_placement_rebuilds_replace_the_old_value(rule: str, expected: str) -> None:
    _, inv = replication_group()
    commands = _commands(plan_for(rule, inv))
    create = next(line for line in commands.splitlines() if "create-replication-group" in line)
    assert expected in create
    changed = expected.split()[0]
    assert create.count(changed) == 1


def test_rules_without_an_automated_fix_get_the_catalog_steps_for_this_resource() -> None:
    _, inv = replication_group("6.0.5")
    plan = plan_for("CW-406", inv)
    assert plan.kind is PlanKind.MANUAL and not plan.calls
    assert "orders" in _commands(plan) and "<replication-group-id>" not in _commands(plan)


def test_a_missing_resource_blocks() -> None:
    _, inv = replication_group()
    plan = plan_fix("CW-401", RG, "gone", inv, OrgPolicy(), NOW)
    assert plan.kind is PlanKind.BLOCKED and "no longer exists" in plan.reason


def test_fingerprint_follows_what_the_fix_reads_not_the_status() -> None:
    _, before = replication_group(group={"SnapshotRetentionLimit": 0})
    _, busy = replication_group(group={"SnapshotRetentionLimit": 0, "Status": "modifying"})
    _, changed = replication_group(group={"SnapshotRetentionLimit": 2})
    first = plan_for("CW-401", before)
    assert plan_for("CW-401", busy).fingerprint == first.fingerprint
    assert plan_for("CW-401", changed).fingerprint != first.fingerprint


def test_api_call_names_and_cli_form() -> None:
    call = ApiCall(
        service="elasticache",
        operation="ModifyReplicationGroup",
        params={"ReplicationGroupId": "a b", "MultiAZEnabled": False, "UserGroupIdsToAdd": ["g"]},
    )
    assert call.method == "modify_replication_group" and call.target == "a b"
    assert words_of("MultiAZEnabled", "-") == "multi-az-enabled"
    assert call.cli("eu-west-1") == (
        "aws elasticache modify-replication-group --replication-group-id 'a b' "
        "--no-multi-az-enabled --user-group-ids-to-add g --region eu-west-1"
    )


def test_a_tls_change_aws_refuses_falls_back_to_the_full_rebuild_runbook() -> None:
    _, inv = replication_group(
        group={"TransitEncryptionEnabled": False, "TransitEncryptionMode": None, "UserGroupIds": []}
    )
    in_place = plan_for("CW-101", inv)
    why = "AWS refused TLS in place (InvalidParameterCombination: engine too old)."
    fallback = rebuild_fallback(in_place, inv, OrgPolicy(), NOW, why)
    assert fallback is not None and fallback.kind is PlanKind.REBUILD
    assert fallback.runbook is not None and fallback.runbook.summary.startswith(why)
    assert "--transit-encryption-enabled" in "\n".join(
        c for step in fallback.runbook.steps for c in step.commands
    )
    assert rebuild_fallback(plan_for("CW-401", inv), inv, OrgPolicy(), NOW, why) is None

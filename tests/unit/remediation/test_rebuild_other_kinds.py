"""Automated rebuilds of serverless caches and standalone clusters, and CW-307: the copy's
create call keeps every setting and changes only the rule's, every parameter is one the
botocore model knows, the inputs are checked, and Memcached is refused with the reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from posture.base import ResourceKind
from posture.conversations import ConversationRef, Platform
from posture.policy import OrgPolicy
from posture.rebuild_calls import calls_for
from posture.rebuild_messages import delete_request, rebuild_request
from posture.rebuilds import Rebuild
from posture.remediation import plan_fix
from posture.remediation.rebuild_params import (
    MEMCACHED_NO_REBUILD,
    RebuildInputError,
    RebuildInputs,
    group_rebuild_plan,
    needs_inputs,
    read_inputs,
    rebuild_refusal,
    rebuilds_from_chat,
)
from posture.remediation.target import Target
from posture.resources import Inventory
from posture.rules.context import RuleContext
from tests.unit.catalog.cli_model import aws_commands, check_command
from tests.unit.remediation.test_rebuild_runbooks import NODE_SETTINGS, _group_settings
from tests.unit.rules.world import NOW, arn, replication_group, serverless_cache, standalone_cluster

RG, CC, SLS = (
    ResourceKind.REPLICATION_GROUP,
    ResourceKind.CACHE_CLUSTER,
    ResourceKind.SERVERLESS_CACHE,
)
MODEL = botocore.session.get_session().get_service_model("elasticache")
LIMITS = {"DataStorage": {"Maximum": 20, "Unit": "GB"}, "ECPUPerSecond": {"Maximum": 9000}}
SERVERLESS_TAGS = [
    {"ResourceARN": arn("serverlesscache", "api"), "Tags": [{"Key": "team", "Value": "api"}]}
]
INPUTS = RebuildInputs(
    kms_key_id="arn:aws:kms:eu-west-1:111122223333:key/k1",
    subnet_group="app-private",
    subnet_ids="subnet-0aaa1111 subnet-0bbb2222",
    security_group_ids="sg-0ccc3333",
    port=16379,
)


def _serverless() -> tuple[Any, Inventory]:
    return serverless_cache(
        cache={"Description": "api sessions", "CacheUsageLimits": LIMITS,
               "DailySnapshotTime": "02:00", "KmsKeyId": None},
        Tags=SERVERLESS_TAGS,
    )  # fmt: skip


def _target(rule: str, resource: Any, inv: Inventory) -> Target:
    return Target(rule, resource, RuleContext.build(inv, OrgPolicy(), NOW))


def _valid(operation: str, params: dict[str, Any]) -> None:
    report = ParamValidator().validate(params, MODEL.operation_model(operation).input_shape)
    assert not report.has_errors(), report.generate_report()


def _sent(plan: Any, kind: ResourceKind) -> dict[str, Any]:
    """The create call the worker makes, as it makes it (snapshot ARN and tag added)."""
    calls = calls_for(kind)
    snapshot = {"SnapshotName": plan.snapshot_name, "ARN": "arn:aws:elasticache:x"}
    sent = calls.create_params(dict(plan.params), plan.copy_id, "Rebuild", snapshot)
    sent["Tags"] = [*plan.params.get("Tags", []), {"Key": "cachewarden:rebuild", "Value": "1"}]
    if sent.get("AuthToken"):
        sent["AuthToken"] = "x" * 32
    return sent


@pytest.mark.parametrize(
    ("rule", "changed"),
    [
        ("CW-104", {"KmsKeyId": INPUTS.kms_key_id}),
        ("CW-303", {"SubnetIds": ["subnet-0aaa1111", "subnet-0bbb2222"]}),
        ("CW-307", {"SubnetIds": ["subnet-0aaa1111", "subnet-0bbb2222"],
                    "SecurityGroupIds": ["sg-0ccc3333"]}),
    ],
)  # fmt: skip
def test_serverless_copy_keeps_every_setting_and_changes_the_rules(
    rule: str, changed: dict[str, Any]
) -> None:
    cache, inv = _serverless()
    plan = group_rebuild_plan(_target(rule, cache, inv), INPUTS, "0123456789abcdef")
    params = plan.params
    assert params["Engine"] == "valkey" and params["MajorEngineVersion"] == "8"
    assert params["UserGroupId"] == "app-users" and params["CacheUsageLimits"] == LIMITS
    assert params["DailySnapshotTime"] == "02:00" and params["SnapshotRetentionLimit"] == 7
    assert params["Description"] == "api sessions"
    assert params["Tags"] == [{"Key": "team", "Value": "api"}]
    for key, value in changed.items():
        assert params[key] == value
    assert {change.setting for change in plan.diff} == set(changed)
    assert plan.source_kind is SLS and plan.copy_id == "api-v2"
    _valid("CreateServerlessCache", _sent(plan, SLS))


def test_standalone_cluster_copy_is_a_one_node_group_with_valid_parameters() -> None:
    cluster, inv = standalone_cluster(cluster={"AtRestEncryptionEnabled": False, **NODE_SETTINGS})
    plan = group_rebuild_plan(_target("CW-103", cluster, inv), INPUTS, "feedfacecafebeef")
    assert plan.params["NumCacheClusters"] == 1 and plan.params["AtRestEncryptionEnabled"] is True
    assert plan.params["CacheParameterGroupName"] == "orders-params"
    assert plan.diff_lines() == ["AtRestEncryptionEnabled: (not set) -> true"]
    assert plan.source_kind is CC and plan.copy_id == "sessions-v2"
    _valid("CreateReplicationGroup", _sent(plan, CC))
    calls = calls_for(CC)
    _valid("CreateSnapshot", calls.snapshot_params("sessions", plan.snapshot_name, []))
    delete = calls.delete_source_params("sessions", plan.final_snapshot_name)
    assert delete == {
        "CacheClusterId": "sessions",
        "FinalSnapshotIdentifier": plan.final_snapshot_name,
    }
    _valid(calls.delete_source_op, delete)


def test_every_serverless_write_is_a_real_call() -> None:
    calls = calls_for(SLS)
    _valid(
        calls.snapshot_op, calls.snapshot_params("api", "api-cw-1", [{"Key": "k", "Value": "v"}])
    )
    _valid(calls.delete_source_op, calls.delete_source_params("api", "api-cw-1-final"))
    _valid(calls.delete_copy_op, calls.delete_copy_params("api-v2"))
    _valid(calls.delete_snapshot_op, calls.delete_snapshot_params("api-cw-1"))
    assert calls.delete_source_params("api", "f") == {
        "ServerlessCacheName": "api", "FinalSnapshotName": "f"
    }  # fmt: skip


def test_cw_307_on_a_group_needs_a_subnet_group_and_security_groups() -> None:
    group, inv = replication_group(group=_group_settings(), member=NODE_SETTINGS)
    assert needs_inputs("CW-307") == ("subnet_group", "security_group_ids")
    plan = group_rebuild_plan(_target("CW-307", group, inv), INPUTS, "0123456789abcdef")
    assert plan.params["CacheSubnetGroupName"] == "app-private"
    assert plan.params["SecurityGroupIds"] == ["sg-0ccc3333"]
    runbook = plan_fix("CW-307", RG, "orders", inv, OrgPolicy(), NOW)
    assert runbook.runbook is not None
    text = "\n".join(c for step in runbook.runbook.steps for c in step.commands)
    assert "--security-group-ids $NEW_SECURITY_GROUPS" in text
    for words in aws_commands(text):
        check_command(words)


def test_serverless_runbook_keeps_limits_and_deletes_with_a_final_snapshot() -> None:
    _, inv = _serverless()
    plan = plan_fix("CW-307", SLS, "api", inv, OrgPolicy(), NOW)
    assert plan.runbook is not None
    text = "\n".join(c for step in plan.runbook.steps for c in step.commands)
    assert "--subnet-ids $NEW_SUBNET_IDS" in text and "--cache-usage-limits" in text
    assert "--final-snapshot-name api-final" in text
    assert '--snapshot-arns-to-restore "$SNAPSHOT_ARN"' in text
    for words in aws_commands(text):
        check_command(words)


def test_inputs_are_checked_per_kind() -> None:
    assert needs_inputs("CW-303", SLS) == ("subnet_ids",)
    assert needs_inputs("CW-307", SLS) == ("subnet_ids", "security_group_ids")
    assert needs_inputs("CW-104", SLS) == ("kms_key_id",)
    good = read_inputs("CW-307", {"subnet_ids": "subnet-0aaa1111, subnet-0bbb2222",
                                   "security_group_ids": "sg-0ccc3333"}, SLS)  # fmt: skip
    assert isinstance(good, RebuildInputs) and good.subnet_ids == "subnet-0aaa1111 subnet-0bbb2222"
    bad = read_inputs(
        "CW-307", {"subnet_ids": "subnet-0aaa1111; rm", "security_group_ids": ""}, SLS
    )
    assert isinstance(bad, dict) and set(bad) == {"subnet_ids", "security_group_ids"}


def test_memcached_is_refused_with_the_reason_and_unknown_rules_too() -> None:
    assert rebuild_refusal("CW-302", CC, "memcached") == MEMCACHED_NO_REBUILD
    assert "warms up" in MEMCACHED_NO_REBUILD and "no snapshots" in MEMCACHED_NO_REBUILD
    assert rebuild_refusal("CW-103", SLS, "valkey")  # serverless is always encrypted at rest
    assert not rebuild_refusal("CW-103", CC, "redis")
    assert rebuilds_from_chat("CW-103", CC, "valkey")
    assert not rebuilds_from_chat("CW-104", SLS, "valkey")  # a key must be chosen first
    cluster, inv = standalone_cluster("memcached", "1.6.22")
    with pytest.raises(RebuildInputError, match="no snapshots"):
        group_rebuild_plan(_target("CW-302", cluster, inv), INPUTS, "0123456789abcdef")
    plan = plan_fix("CW-302", CC, "sessions", inv, OrgPolicy(), NOW)
    assert plan.next_step == MEMCACHED_NO_REBUILD


def test_serverless_requests_name_the_serverless_calls() -> None:
    cache, inv = _serverless()
    plan = group_rebuild_plan(_target("CW-104", cache, inv), INPUTS, "0123456789abcdef")
    rebuild = Rebuild(
        rebuild_id="0123456789abcdef" * 2, source_kind=SLS, account="1", region="eu-west-1",
        rule_id="CW-104", source_id="api", copy_id=plan.copy_id, snapshot_name=plan.snapshot_name,
        final_snapshot_name=plan.final_snapshot_name, params=dict(plan.params),
        diff=tuple(plan.diff_lines()), source_fingerprint="f", requester="U1",
    )  # fmt: skip
    where = ConversationRef(platform=Platform.SLACK, workspace="T1", channel="C1")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    request = rebuild_request(rebuild, request_id="req00001", where=where, now=now, ttl_hours=1)
    assert "elasticache:CreateServerlessCacheSnapshot" in request.api_call
    assert "elasticache:CreateServerlessCache " in request.api_call
    assert "SnapshotArnsToRestore" in request.api_call and "new serverless cache" in request.change
    assert request.resource_kind == "serverless_cache" and "new endpoint names" in request.warning
    delete = delete_request(
        rebuild, request_id="req00002", requester="U2", where=where, now=now, ttl_hours=1
    )
    assert delete.api_call.startswith("elasticache:DeleteServerlessCache ")
    assert "FinalSnapshotName" in delete.api_call

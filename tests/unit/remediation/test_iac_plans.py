"""Infrastructure as code: a template-managed cache gets a template change, not a live
call, unless the requester accepts that the stack will drift."""

from __future__ import annotations

from typing import Any

from posture.base import ResourceKind
from posture.policy import IacPolicy, OrgPolicy
from posture.remediation import PlanKind, plan_fix
from tests.unit.rules.world import NOW, arn, replication_group

RG = ResourceKind.REPLICATION_GROUP
CFN_TAGS = {
    "aws:cloudformation:stack-name": "orders-prod",
    "aws:cloudformation:logical-id": "OrdersCache",
    "aws:cloudformation:stack-id": "arn:aws:cloudformation:eu-west-1:111122223333:stack/orders-prod/1",
}


def _inventory(tags: dict[str, str]) -> Any:
    listed = [{"Key": k, "Value": v} for k, v in tags.items()]
    _, inv = replication_group(
        group={"SnapshotRetentionLimit": 0},
        Tags=[{"ResourceARN": arn("replicationgroup", "orders"), "Tags": listed}],
    )
    return inv


def test_a_cloudformation_group_gets_the_template_change_and_no_call() -> None:
    plan = plan_fix("CW-401", RG, "orders", _inventory(CFN_TAGS), OrgPolicy(), NOW)
    assert plan.kind is PlanKind.MANUAL and plan.calls == () and not plan.runs_calls
    assert "CloudFormation (orders-prod)" in plan.reason
    assert plan.runbook is not None
    template = plan.runbook.steps[0].commands[0]
    assert "OrdersCache:" in template and "Type: AWS::ElastiCache::ReplicationGroup" in template
    assert "SnapshotRetentionLimit: 7" in template and "ApplyImmediately" not in template
    commands = "\n".join(plan.runbook.steps[1].commands)
    assert "create-change-set --stack-name orders-prod" in commands
    assert "execute-change-set" in commands


def test_apply_anyway_keeps_the_live_call_and_warns_of_drift() -> None:
    plan = plan_fix(
        "CW-401", RG, "orders", _inventory(CFN_TAGS), OrgPolicy(), NOW, allow_drift=True
    )
    assert plan.runs_calls and plan.drift_accepted
    assert plan.calls[0].params["SnapshotRetentionLimit"] == 7
    assert "drift" in plan.warning and "orders-prod" in plan.warning


def test_terraform_tags_come_from_the_policy() -> None:
    inv = _inventory({"managed-by": "terraform"})
    assert plan_fix("CW-401", RG, "orders", inv, OrgPolicy(), NOW).runs_calls
    policy = OrgPolicy(iac=IacPolicy(terraform_tags=("managed-by=terraform",)))
    plan = plan_fix("CW-401", RG, "orders", inv, policy, NOW)
    assert not plan.runs_calls and plan.runbook is not None
    template = plan.runbook.steps[0].commands[0]
    assert 'resource "aws_elasticache_replication_group"' in template
    assert "snapshot_retention_limit = 7" in template
    assert plan.runbook.steps[1].commands == (
        "terraform plan -out fix.tfplan",
        "terraform apply fix.tfplan",
    )


def test_an_untagged_group_is_fixed_live_as_before() -> None:
    plan = plan_fix("CW-401", RG, "orders", _inventory({"team": "payments"}), OrgPolicy(), NOW)
    assert plan.runs_calls and not plan.drift_accepted and "drift" not in plan.warning

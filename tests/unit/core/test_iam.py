"""Generated IAM policies: the audit role only reads; the remediation role holds exactly the
declared writes of fixes and token rotation, plus their reads."""

from __future__ import annotations

from posture.catalog import all_rules
from posture.iam import POLICIES, audit_policy, organization_policy, remediation_policy
from posture.privileges import (
    FIX_WRITES,
    ROTATION_WRITES,
    iam_action,
    iam_actions,
    remediation_writes,
)
from posture.remediation.planner import IN_PLACE_PLANNERS
from tests.integration.remediation_calls import is_write


def _actions(policy: dict[str, object]) -> list[str]:
    statements = policy["Statement"]
    assert isinstance(statements, list)
    return [action for statement in statements for action in statement["Action"]]


def test_audit_policy_is_read_only_and_covers_every_rule() -> None:
    actions = _actions(audit_policy())
    assert [a for a in actions if is_write(a)] == []
    for rule in all_rules():
        assert set(rule.permissions) <= set(actions), rule.id


def test_is_write_tells_writes_from_reads() -> None:
    assert is_write("elasticache:ModifyReplicationGroup") and is_write("sns:CreateTopic")
    assert is_write("secretsmanager:TagResource")
    assert not is_write("elasticache:DescribeUsers") and not is_write("tag:GetResources")


def test_remediation_policy_writes_are_exactly_the_declared_writes() -> None:
    policy = remediation_policy()
    writes, reads = (set(statement["Action"]) for statement in policy["Statement"])
    assert writes == iam_actions(remediation_writes())
    assert writes == {
        "ec2:RevokeSecurityGroupIngress",
        "elasticache:ModifyCacheCluster",
        "elasticache:ModifyReplicationGroup",
        "elasticache:ModifyServerlessCache",
        "elasticache:ModifyUser",
        "secretsmanager:CreateSecret",
        "secretsmanager:PutSecretValue",
        "secretsmanager:TagResource",  # CreateSecret with tags
        "secretsmanager:UpdateSecretVersionStage",
        # an approved rebuild: snapshot, restore the fixed copy, delete after a second approval
        "elasticache:CreateSnapshot",
        "elasticache:CreateReplicationGroup",
        "elasticache:DeleteReplicationGroup",
        "elasticache:DeleteSnapshot",
        "elasticache:AddTagsToResource",  # the copy and its snapshot are tagged at create
        # a standalone cluster's rebuild deletes it with a final snapshot
        "elasticache:DeleteCacheCluster",
        # a serverless cache's rebuild: its own snapshot, restore and delete calls
        "elasticache:CreateServerlessCacheSnapshot",
        "elasticache:CreateServerlessCache",
        "elasticache:DeleteServerlessCache",
        "elasticache:DeleteServerlessCacheSnapshot",
    }
    assert [a for a in reads if is_write(a)] == []
    # What v1 granted and no code path calls.
    for never in ("sns:CreateTopic", "logs:PutResourcePolicy", "ec2:AuthorizeSecurityGroupIngress"):
        assert never not in writes | reads


def test_every_in_place_fixer_declares_its_writes() -> None:
    assert set(FIX_WRITES) == set(IN_PLACE_PLANNERS)
    assert all(FIX_WRITES.values()) and all(ROTATION_WRITES.values())


def test_iam_action_names_the_service_prefix() -> None:
    assert iam_action(("resource-groups-tagging-api", "GetResources")) == "tag:GetResources"
    assert iam_action(("elasticache", "ModifyUser")) == "elasticache:ModifyUser"


def test_organization_policy_lists_accounts_and_assumes_roles() -> None:
    assert set(_actions(organization_policy())) == {"organizations:ListAccounts", "sts:AssumeRole"}


def test_the_cli_offers_each_policy() -> None:
    assert set(POLICIES) == {"audit", "remediation", "organization"}

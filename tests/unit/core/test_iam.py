"""Generated IAM policies: the audit role can only read; the fix role holds the in-place calls."""

from __future__ import annotations

import re

from posture.catalog import FixKind, all_rules
from posture.iam import audit_policy, organization_policy, remediation_policy

WRITE = re.compile(r":(Modify|Create|Delete|Put|Authorize|Revoke|Update|Purchase|Reboot|Tag|Untag)")


def _actions(policy: dict[str, object]) -> list[str]:
    statements = policy["Statement"]
    assert isinstance(statements, list)
    return [action for statement in statements for action in statement["Action"]]


def test_audit_policy_is_read_only_and_covers_every_rule() -> None:
    actions = _actions(audit_policy())
    assert not [a for a in actions if WRITE.search(a)]
    for rule in all_rules():
        assert set(rule.permissions) <= set(actions), rule.id


def test_remediation_policy_holds_exactly_the_in_place_fixes() -> None:
    actions = set(_actions(remediation_policy()))
    assert "elasticache:ModifyReplicationGroup" in actions
    expected = {
        perm
        for rule in all_rules()
        if rule.remediation.fix_kind is FixKind.IN_PLACE
        for perm in rule.remediation.permissions
    }
    assert actions == expected


def test_rotation_policy_is_exactly_the_rotation_calls() -> None:
    from posture.iam import rotation_policy
    from posture.rotation_plan import ROTATION_ACTIONS

    actions = _actions(rotation_policy())
    assert set(actions) == set(ROTATION_ACTIONS)
    assert (
        "secretsmanager:PutSecretValue" in actions
        and "elasticache:ModifyReplicationGroup" in actions
    )


def test_organization_policy_lists_accounts_and_assumes_roles() -> None:
    assert set(_actions(organization_policy())) == {"organizations:ListAccounts", "sts:AssumeRole"}

"""The automated rebuild's create call keeps every setting of the source and changes only
the rule's; its diff is what the approval request shows."""

from __future__ import annotations

import pytest

from posture.policy import OrgPolicy
from posture.remediation.rebuild_params import (
    AUTH_FROM_SECRET,
    RebuildInputError,
    RebuildInputs,
    group_rebuild_plan,
)
from posture.remediation.target import Target
from posture.rules.context import RuleContext
from tests.unit.remediation.test_rebuild_runbooks import NODE_SETTINGS, TAGS, _group_settings
from tests.unit.rules.world import NOW, replication_group

INPUTS = RebuildInputs(
    kms_key_id="arn:aws:kms:eu-west-1:111122223333:key/k1", subnet_group="private-a", port=16379
)


def _target(rule: str, tags: list | None = None) -> Target:  # type: ignore[type-arg]
    group, inv = replication_group(group=_group_settings(), member=NODE_SETTINGS, Tags=tags or TAGS)
    return Target(rule, group, RuleContext.build(inv, OrgPolicy(), NOW))


def test_at_rest_rebuild_keeps_every_setting_and_changes_one() -> None:
    plan = group_rebuild_plan(_target("CW-103"), INPUTS, "0123456789abcdef")
    params = plan.params
    assert params["AtRestEncryptionEnabled"] is True
    assert params["CacheParameterGroupName"] == "orders-params"
    assert params["SecurityGroupIds"] == ["sg-cache", "sg-extra"]
    assert params["SnapshotRetentionLimit"] == 9 and params["SnapshotWindow"] == "03:00-04:00"
    assert params["AutoMinorVersionUpgrade"] is False
    assert params["TransitEncryptionMode"] == "preferred"
    assert params["LogDeliveryConfigurations"][0]["LogType"] == "slow-log"  # type: ignore[index]
    assert {"Key": "team", "Value": "payments"} in params["Tags"]  # type: ignore[operator]
    assert params["AuthToken"] == AUTH_FROM_SECRET and plan.needs_auth_token
    assert plan.diff_lines() == ["AtRestEncryptionEnabled: (not set) -> true"]
    assert plan.copy_id == "orders-v2" and plan.snapshot_name.startswith("orders-cw-01234567")


@pytest.mark.parametrize(
    ("rule", "setting", "after"),
    [
        ("CW-104", "KmsKeyId", INPUTS.kms_key_id),
        ("CW-301", "CacheSubnetGroupName", "private-a"),
        ("CW-306", "Port", 16379),
    ],
)
def test_each_rule_changes_its_setting(rule: str, setting: str, after: object) -> None:
    plan = group_rebuild_plan(_target(rule), INPUTS, "feedfacecafebeef")
    assert plan.params[setting] == after
    assert setting in {change.setting for change in plan.diff}


def test_a_missing_input_is_refused() -> None:
    with pytest.raises(RebuildInputError, match="kms_key_id"):
        group_rebuild_plan(_target("CW-104"), RebuildInputs(), "feedfacecafebeef")


def test_reserved_aws_tags_are_not_copied() -> None:
    tags = [
        {
            "ResourceARN": TAGS[0]["ResourceARN"],
            "Tags": [
                {"Key": "aws:cloudformation:stack-name", "Value": "orders"},
                {"Key": "team", "Value": "payments"},
            ],
        }
    ]
    plan = group_rebuild_plan(_target("CW-103", tags), INPUTS, "feedfacecafebeef")
    assert plan.params["Tags"] == [{"Key": "team", "Value": "payments"}]

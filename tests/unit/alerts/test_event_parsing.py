"""CloudTrail API-call events -> who, what, when, where, and what to re-read."""

from __future__ import annotations

import json

import pytest

from posture.alerts import (
    EC2_EVENT_NAMES,
    ELASTICACHE_EVENT_NAMES,
    LookupKind,
    MalformedEvent,
    event_patterns,
    parse_event,
)
from posture.base import ResourceKind
from tests.unit.alerts.events import ARN, envelope


def test_a_modify_names_the_group_the_caller_and_the_safe_changes() -> None:
    body = envelope(
        "ModifyReplicationGroup",
        {
            "replicationGroupId": "orders-prod",
            "transitEncryptionEnabled": False,
            "snapshotRetentionLimit": 0,
            "authToken": "s3cr3t-value-that-must-not-leak",
            "authTokenUpdateStrategy": "SET",
        },
    )
    event = parse_event(body)
    assert event is not None
    assert event.event_name == "ModifyReplicationGroup"
    assert (event.account, event.region) == ("123456789012", "eu-west-1")
    assert event.event_time.isoformat() == "2026-05-04T10:11:12+00:00"
    assert event.actor.arn == ARN and event.actor.display == "PlatformAdmin/alice@example.com"
    assert event.actor.source_ip == "198.51.100.7"
    assert [(x.kind, x.resource_kind, x.resource_id) for x in event.lookups] == [
        (LookupKind.DIRECT, ResourceKind.REPLICATION_GROUP, "orders-prod")
    ]
    assert "transitEncryptionEnabled=false" in event.changes
    assert "snapshotRetentionLimit=0" in event.changes
    assert "authToken (supplied)" in event.changes
    dumped = event.model_dump_json()
    assert "s3cr3t" not in dumped and "ASIAEXAMPLEKEY" not in dumped


def test_a_failed_call_changes_nothing_and_is_skipped() -> None:
    body = envelope("ModifyReplicationGroup", {"replicationGroupId": "x"}, errorCode="AccessDenied")
    assert parse_event(body) is None


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"detail-type": "AWS API Call via CloudTrail"}),
        json.dumps({"detail-type": "Cache Updated", "detail": {}}),
        envelope("DescribeReplicationGroups", {}),
        envelope("ModifyReplicationGroup", {}),
        envelope("ModifyReplicationGroup", {"replicationGroupId": "x"}, eventID=None),
        envelope("ModifyReplicationGroup", {"replicationGroupId": "x"}, eventTime="yesterday"),
        envelope("ModifyReplicationGroup", {"replicationGroupId": "x"}, awsRegion="moon-1"),
        envelope("ModifyReplicationGroup", {"replicationGroupId": "x y"}),
        envelope("ModifyReplicationGroup", ["x"]),  # type: ignore[arg-type]
        envelope(
            "ModifyReplicationGroup", {"replicationGroupId": "x"}, eventSource="s3.amazonaws.com"
        ),
        "x" * 300_000,
    ],
)
def test_unusable_messages_are_malformed(body: str) -> None:
    with pytest.raises(MalformedEvent):
        parse_event(body)


def test_account_falls_back_to_the_envelope_when_the_record_lacks_it() -> None:
    raw = json.loads(envelope("DeleteCacheCluster", {"cacheClusterId": "c1"}))
    del raw["detail"]["recipientAccountId"]
    raw["account"] = "210987654321"
    event = parse_event(json.dumps(raw))
    assert event is not None and event.account == "210987654321" and event.deletes


def test_security_group_edits_name_the_group_even_when_ec2_nests_the_request() -> None:
    flat = envelope(
        "AuthorizeSecurityGroupIngress", {"groupId": "sg-0abc"}, eventSource="ec2.amazonaws.com"
    )
    nested = envelope(
        "ModifySecurityGroupRules",
        {"ModifySecurityGroupRulesRequest": {"GroupId": "sg-0def", "SecurityGroupRule": {}}},
        eventSource="ec2.amazonaws.com",
    )
    for body, group in ((flat, "sg-0abc"), (nested, "sg-0def")):
        event = parse_event(body)
        assert event is not None
        assert [(x.kind, x.resource_id) for x in event.lookups] == [
            (LookupKind.SECURITY_GROUP, group)
        ]


def test_cluster_calls_bring_their_group_and_tag_calls_read_the_arn() -> None:
    member = parse_event(
        envelope("CreateCacheCluster", {"cacheClusterId": "c-002", "replicationGroupId": "orders"})
    )
    assert member is not None
    assert {(x.resource_kind, x.resource_id) for x in member.lookups} == {
        (ResourceKind.CACHE_CLUSTER, "c-002"),
        (ResourceKind.REPLICATION_GROUP, "orders"),
    }
    tagged = parse_event(
        envelope(
            "RemoveTagsFromResource",
            {"resourceName": "arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:orders"},
        )
    )
    assert tagged is not None and tagged.lookups[0].resource_id == "orders"


def test_user_and_user_group_calls_look_up_the_caches_behind_them() -> None:
    user = parse_event(envelope("ModifyUser", {"userId": "app", "passwords": ["x"]}))
    group = parse_event(envelope("ModifyUserGroup", {"userGroupId": "app-users"}))
    assert user is not None and group is not None
    assert user.lookups[0].kind is LookupKind.USER and "passwords (supplied)" in user.changes
    assert group.lookups[0].kind is LookupKind.USER_GROUP and not group.deletes


def test_the_patterns_list_write_calls_only_and_drop_failed_calls() -> None:
    elasticache, ec2 = event_patterns()
    names = elasticache["detail"]["eventName"]
    assert names == list(ELASTICACHE_EVENT_NAMES)
    assert not [n for n in names if n.startswith(("Describe", "List", "Get"))]
    assert elasticache["detail"]["errorCode"] == [{"exists": False}]
    assert ec2["source"] == ["aws.ec2"] and ec2["detail"]["eventName"] == list(EC2_EVENT_NAMES)
    for name in names:  # every name the rule forwards is one the parser understands
        param = {"resourceName": "arn:aws:elasticache:eu-west-1:123456789012:cluster:c"}
        params = param if "Tags" in name else {k: "x1" for k in _ID_KEYS}
        assert parse_event(envelope(name, params)) is not None, name


_ID_KEYS = (
    "replicationGroupId", "cacheClusterId", "serverlessCacheName", "userId", "userGroupId",
    "globalReplicationGroupId", "cacheParameterGroupName", "targetSnapshotName",
    "serverlessCacheSnapshotName",
)  # fmt: skip

"""A change in the fake AWS plus its CloudTrail event -> the alert, over real processes."""

from __future__ import annotations

from typing import Any

from sandbox.alert_stack import (
    ALERTS,
    OTHER,
    REGION,
    AlertStack,
    Message,
    healthy_group,
    text_of,
    wait_for,
)
from sandbox.fake_aws.events import BOT, api_call_detail, emit_api_call


def _created(alerts: AlertStack, group: str) -> None:
    """A new group and its Create event; whatever it fails at creation is alerted now."""
    healthy_group(alerts.elasticache(), group)
    emit_api_call(alerts.url, api_call_detail(
        "CreateReplicationGroup", {"replicationGroupId": group, "engine": "redis"}, region=REGION
    ))  # fmt: skip
    alerts.settle()


def _break_backups(alerts: AlertStack, group: str, **detail: object) -> dict[str, object]:
    alerts.elasticache().modify_replication_group(
        ReplicationGroupId=group, SnapshotRetentionLimit=0, ApplyImmediately=True
    )
    params = {"replicationGroupId": group, "snapshotRetentionLimit": 0, "applyImmediately": True}
    event = api_call_detail("ModifyReplicationGroup", params, region=REGION, **detail)  # type: ignore[arg-type]
    emit_api_call(alerts.url, event)
    return event


def _new_risks(messages: list[Message], group: str, rule: str) -> list[Message]:
    return [
        m
        for m in messages
        if "New risk" in text_of(m) and group in text_of(m) and rule in text_of(m)
    ]


def test_a_change_alerts_once_in_the_subscribed_channel_naming_the_principal(
    alerts: AlertStack,
) -> None:
    _created(alerts, "orders")
    before = len(alerts.messages())
    event = _break_backups(alerts, "orders")
    emit_api_call(alerts.url, event)  # EventBridge and SQS may deliver twice: same eventID
    found = wait_for(lambda: _new_risks(alerts.messages(), "orders", "CW-401"), 30, "the alert")
    alerts.settle()
    new = alerts.messages()[before:]
    assert len(new) == 1, [m.get("text") for m in new]
    body = text_of(found[0])
    assert "PlatformAdmin/alice@example.com" in body
    assert "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice@example.com" in body
    assert "ModifyReplicationGroup" in body and "198.51.100.7" in body
    assert "snapshotRetentionLimit=0" in body
    assert {"finding_request_fix", "finding_accept_risk", "finding_explain"} <= {
        o["value"].partition(":")[0] for o in _menu_options(found[0])
    }
    assert not _new_risks(alerts.messages(OTHER), "orders", "")  # it watches eu-west-1 only
    assert alerts.metric("cachewarden_alert_events_deduplicated_total") >= 1


def _menu_options(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The options of the alert's finding menu (Explain / Request fix / Accept risk)."""
    return [
        option
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("type") == "overflow"
        for option in element["options"]
    ]


def test_the_alert_button_fixes_it_and_the_bots_own_event_posts_fixed_not_a_new_risk(
    alerts: AlertStack,
) -> None:
    _created(alerts, "billing")
    _break_backups(alerts, "billing")
    alert = wait_for(lambda: _new_risks(alerts.messages(), "billing", "CW-401"), 30, "the alert")[0]
    client = alerts.stack.signed_client()
    value = next(
        o["value"] for o in _menu_options(alert) if o["value"].startswith("finding_request_fix:")
    )
    assert (
        client.click(alert, "finding_menu", value, user_id="U_ENGINEER", channel_id=ALERTS).status
        == 200
    )

    def request() -> Message | None:
        found = [
            m
            for m in alerts.stack.emulator.thread(ALERTS, alert["ts"])
            if "request: CW-401" in text_of(m)
        ]
        return found[-1] if found else None

    approval = wait_for(request, 40, "the approval request in the alert's thread")
    assert (
        client.click(approval, "approval_approve", user_id="U_SECURITY", channel_id=ALERTS).status
        == 200
    )
    wait_for(
        lambda: any("Verified" in str(m.get("text", "")) for m in alerts.stack.emulator.thread(ALERTS, alert["ts"])),
        60, "the verified fix",
    )  # fmt: skip
    retention = alerts.elasticache().describe_replication_groups(ReplicationGroupId="billing")
    limit = retention["ReplicationGroups"][0]["SnapshotRetentionLimit"]
    assert limit > 0
    before = len(alerts.messages())
    params = {
        "replicationGroupId": "billing",
        "snapshotRetentionLimit": limit,
        "applyImmediately": True,
    }
    emit_api_call(
        alerts.url, api_call_detail("ModifyReplicationGroup", params, region=REGION, principal=BOT)
    )
    fixed = wait_for(
        lambda: [m for m in alerts.stack.emulator.thread(ALERTS, alert["ts"]) if "Fixed" in text_of(m)],
        30, "the fixed reply",
    )  # fmt: skip
    assert "cachewarden-remediation/cachewarden" in text_of(fixed[0])
    alerts.settle()
    assert len(alerts.messages()) == before  # a reply in the thread, no new top-level risk
    assert len(fixed) == 1


def test_duplicate_and_out_of_order_events_give_one_post_per_transition(alerts: AlertStack) -> None:
    _created(alerts, "ledger")
    before = len(alerts.messages())
    breaking = _break_backups(alerts, "ledger")
    alert = wait_for(lambda: _new_risks(alerts.messages(), "ledger", "CW-401"), 30, "the alert")[0]
    alerts.elasticache().modify_replication_group(
        ReplicationGroupId="ledger", SnapshotRetentionLimit=5, ApplyImmediately=True
    )
    params = {"replicationGroupId": "ledger", "snapshotRetentionLimit": 5, "applyImmediately": True}
    reverting = api_call_detail("ModifyReplicationGroup", params, region=REGION)
    older = api_call_detail("ModifyReplicationGroup", {"replicationGroupId": "ledger"}, region=REGION,
                            event_time=__import__("datetime").datetime(2020, 1, 1))  # fmt: skip
    for event in (reverting, breaking, older, reverting, breaking):  # late, repeated, stale
        emit_api_call(alerts.url, event)
    alerts.settle()
    top = alerts.messages()[before:]
    replies = [
        m for m in alerts.stack.emulator.thread(ALERTS, alert["ts"]) if "Fixed" in text_of(m)
    ]
    assert len(_new_risks(top, "ledger", "CW-401")) == 1
    assert len(top) == 1
    assert len(replies) == 1


def test_a_delete_posts_deleted_by_once(alerts: AlertStack) -> None:
    _created(alerts, "scratch")
    before = len(alerts.messages())
    alerts.elasticache().delete_replication_group(ReplicationGroupId="scratch")
    for _ in range(2):  # a retried Delete call is a second event with its own eventID
        emit_api_call(alerts.url, api_call_detail(
            "DeleteReplicationGroup", {"replicationGroupId": "scratch"}, region=REGION
        ))  # fmt: skip
    alerts.settle()
    new = alerts.messages()[before:]
    assert len(new) == 1
    assert "deleted" in text_of(new[0]) and "PlatformAdmin/alice@example.com" in text_of(new[0])


def test_opening_a_security_group_alerts_on_the_cache_behind_it(alerts: AlertStack) -> None:
    ec2 = alerts.ec2()
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="cache-sg", Description="cache", VpcId=vpc)[
        "GroupId"
    ]
    healthy_group(alerts.elasticache(), "payments", SecurityGroupIds=[group])
    emit_api_call(alerts.url, api_call_detail(
        "CreateReplicationGroup", {"replicationGroupId": "payments"}, region=REGION
    ))  # fmt: skip
    alerts.settle()
    before = len(alerts.messages())
    world = [
        {
            "IpProtocol": "tcp",
            "FromPort": 6379,
            "ToPort": 6379,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        }
    ]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=world)
    params = {
        "groupId": group,
        "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 6379}]},
    }
    emit_api_call(alerts.url, api_call_detail(
        "AuthorizeSecurityGroupIngress", params, region=REGION, source="ec2.amazonaws.com"
    ))  # fmt: skip
    found = wait_for(lambda: _new_risks(alerts.messages(), "payments", "CW-304"), 30, "the alert")
    assert "AuthorizeSecurityGroupIngress" in text_of(found[0])
    alerts.settle()
    assert all("payments" in text_of(m) for m in alerts.messages()[before:])

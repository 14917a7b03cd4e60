"""Real-time alerts in Teams, over real processes: `alerts on` typed in a Teams channel, a
change in the fake AWS plus its CloudTrail event through EventBridge, SQS and `cachewarden
listen`, then the alert card at the Bot Connector emulator; its Request fix button runs the
same approval as on Slack, and the bot's own fix posts "Fixed" in the alert's reply chain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.teams.verbs import Verb
from sandbox.alert_stack import ALERTS, REGION, AlertStack, healthy_group, text_of, wait_for
from sandbox.fake_aws.events import BOT, api_call_detail, emit_api_call
from sandbox.teams_connector.client import CHANNEL
from tests.integration.frontends.drivers import TEAMS_APPROVERS, TEAMS_USERS, plain
from tests.unit.teams.card_checks import walk

Posted = dict[str, Any]


@pytest.fixture(scope="module")
def alerts() -> Iterator[AlertStack]:
    with AlertStack(teams_approvers=TEAMS_APPROVERS, rate_limit_per_minute=600) as running:
        assert "alerts are on" in running.command("alerts on", ALERTS)  # Slack, for comparison
        yield running


def _posted(alerts: AlertStack) -> list[Posted]:
    assert alerts.stack.teams is not None
    return list(alerts.stack.teams.snapshot()["posted"])


def _card(posted: Posted) -> dict[str, Any]:
    return posted["activity"]["attachments"][0]["content"]  # type: ignore[no-any-return]


def _say(alerts: AlertStack, text: str, user: str = "engineer") -> str:
    client = alerts.stack.teams_client()
    activity = client.message_activity(text, person=TEAMS_USERS[user])
    assert client.send(activity).status in (200, 202)
    reply = wait_for(
        lambda: next(
            (p for p in _posted(alerts) if p["activity"].get("replyToId") == activity["id"]), None
        ),
        30,
        f"the answer to {text!r}",
    )
    return plain(_card(reply))


def _top_level_risks(alerts: AlertStack, group: str, rule: str = "CW-401") -> list[Posted]:
    """New-risk cards for one rule on one group (creating a group alerts its other gaps too)."""
    return [
        p
        for p in _posted(alerts)
        if p["conversation"] == CHANNEL
        and p["root"] is None
        and "New risk" in plain(_card(p))
        and group in plain(_card(p))
        and rule in plain(_card(p))
    ]


def _chain(alerts: AlertStack, root: Posted) -> list[Posted]:
    return [p for p in _posted(alerts) if p["root"] == root["id"]]


def _break_backups(alerts: AlertStack, group: str) -> None:
    healthy_group(alerts.elasticache(), group)
    emit_api_call(alerts.url, api_call_detail(
        "CreateReplicationGroup", {"replicationGroupId": group, "engine": "redis"}, region=REGION
    ))  # fmt: skip
    alerts.settle()
    alerts.elasticache().modify_replication_group(
        ReplicationGroupId=group, SnapshotRetentionLimit=0, ApplyImmediately=True
    )
    params = {"replicationGroupId": group, "snapshotRetentionLimit": 0, "applyImmediately": True}
    event = api_call_detail("ModifyReplicationGroup", params, region=REGION)
    emit_api_call(alerts.url, event)
    emit_api_call(alerts.url, event)  # delivered twice, same eventID: one card


def _click(alerts: AlertStack, posted: Posted, verb: str, data: dict[str, Any], user: str) -> Any:
    client = alerts.stack.teams_client()
    activity = client.invoke_activity(
        verb,
        data,
        reply_to_id=posted["id"],
        conversation=client.channel(thread_root=posted["root"] or posted["id"]),
        person=TEAMS_USERS[user],
    )
    answer = client.send(activity)
    assert answer.status == 200, answer
    return answer.json()


def test_alerts_on_in_teams_then_a_change_posts_one_card_there_and_one_message_in_slack(
    alerts: AlertStack,
) -> None:
    answer = _say(alerts, "alerts on")
    assert "Real-time alerts are on here" in answer and "not available" not in answer
    slack_before = len(alerts.messages())
    _break_backups(alerts, "teams-orders")
    found = wait_for(lambda: _top_level_risks(alerts, "teams-orders"), 30, "the Teams alert card")
    alerts.settle()
    assert len(_top_level_risks(alerts, "teams-orders")) == 1
    text = plain(_card(found[0]))
    for needle in ("CW-401", "PlatformAdmin/alice@example.com", "ModifyReplicationGroup",
                   "198.51.100.7", "snapshotRetentionLimit=0"):  # fmt: skip
        assert needle in text, needle
    verbs = {a["verb"] for a in walk(_card(found[0])) if a.get("type") == "Action.Execute"}
    assert {Verb.EXPLAIN, Verb.REQUEST_FIX, Verb.ACCEPT_RISK} <= verbs
    slack = [
        m
        for m in alerts.messages()[slack_before:]
        if "teams-orders" in text_of(m) and "CW-401" in text_of(m)
    ]
    assert len(slack) == 1 and "New risk" in text_of(slack[0])  # each front end once


def test_request_fix_on_the_teams_alert_then_the_bots_own_fix_posts_fixed_in_its_chain(
    alerts: AlertStack,
) -> None:
    _say(alerts, "alerts on")
    _break_backups(alerts, "teams-billing")
    alert = wait_for(lambda: _top_level_risks(alerts, "teams-billing"), 30, "the alert")[0]
    fix = next(a for a in walk(_card(alert)) if a.get("verb") == Verb.REQUEST_FIX)
    _click(alerts, alert, Verb.REQUEST_FIX, dict(fix["data"]), "engineer")

    def approval() -> tuple[Posted, dict[str, Any]] | None:
        for posted in _chain(alerts, alert):
            for action in walk(_card(posted)):
                if action.get("verb") == Verb.APPROVE:
                    return posted, dict(action["data"])
        return None

    request, data = wait_for(approval, 40, "the approval request in the alert's chain")
    assert "CW-401" in plain(_card(request))
    _click(alerts, request, Verb.APPROVE, data, "security")
    wait_for(
        lambda: any("Verified" in plain(_card(p)) for p in _chain(alerts, alert)),
        60,
        "the verified fix in the alert's chain",
    )
    described = alerts.elasticache().describe_replication_groups(ReplicationGroupId="teams-billing")
    limit = described["ReplicationGroups"][0]["SnapshotRetentionLimit"]
    assert limit > 0
    params = {"replicationGroupId": "teams-billing", "snapshotRetentionLimit": limit,
              "applyImmediately": True}  # fmt: skip
    emit_api_call(
        alerts.url, api_call_detail("ModifyReplicationGroup", params, region=REGION, principal=BOT)
    )
    fixed = wait_for(
        lambda: [p for p in _chain(alerts, alert) if "**Fixed**" in str(_card(p))],
        30,
        "the Fixed reply in the alert's chain",
    )
    alerts.settle()
    assert len([p for p in _chain(alerts, alert) if "**Fixed**" in str(_card(p))]) == 1
    assert "cachewarden-remediation/cachewarden" in plain(_card(fixed[0]))
    assert len(_top_level_risks(alerts, "teams-billing")) == 1  # no new risk for the bot's fix

"""Real-time alerts on Teams: the cards, the notifier's alert methods, the command words and
which front end an alert for a channel goes to."""

from __future__ import annotations

from datetime import UTC, datetime

import fakeredis
import pytest

from bot.teams.cards.alerts import render_alert_card, render_follow_up_card, render_rollup_card
from bot.teams.commands import parse_teams_text
from bot.teams.dispatch import answer
from bot.teams.verbs import Verb
from commands.requests import AlertsRequest
from commands.scope import Scope
from posture.alert_transitions import AlertFollowUp, AlertRollup, RiskAlert, TransitionKind
from posture.alerts import Actor
from posture.base import Severity
from posture.conversations import ConversationRef, Platform
from posture.messages import FindingAction
from tests.unit.teams.card_checks import (
    actions,
    all_text,
    assert_no_foreign_links,
    assert_valid_card,
)
from tests.unit.teams.test_commands import ACTOR as TEAMS_ACTOR
from tests.unit.teams.test_commands import flow_context, unescaped
from tests.unit.teams.test_notifier import notifier
from workers.alerts.notifier import AlertNotifier
from workers.alerts.posting import alert_notifier
from workers.alerts.store import AlertStore
from workers.platform.config import AppConfig
from workers.platform.notifier import NotifyError
from workers.platform.runtime import JobEnvironment

ACTOR = Actor(
    arn="arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice",
    issuer_arn="arn:aws:iam::123456789012:role/PlatformAdmin",
    issuer_name="PlatformAdmin",
    session_name="alice",
    source_ip="198.51.100.7",
    user_agent="aws-cli/2.17.0",
)
WHEN = datetime(2026, 5, 4, 10, 11, 12, tzinfo=UTC)


def alert(**changes: object) -> RiskAlert:
    fields: dict[str, object] = {
        "finding_id": "abc123",
        "rule_id": "CW-101",
        "severity": Severity.HIGH,
        "failure": "Traffic to the cache is not encrypted",
        "title": "Caches encrypt traffic in transit",
        "resource_kind": "replication_group",
        "resource_id": "orders-prod",
        "account": "123456789012",
        "region": "eu-west-1",
        "evidence": "TransitEncryptionEnabled is false",
        "event_name": "ModifyReplicationGroup",
        "event_time": WHEN,
        "actor": ACTOR,
        "changes": ("transitEncryptionEnabled=false",),
        "actions": (FindingAction.EXPLAIN, FindingAction.REQUEST_FIX, FindingAction.ACCEPT_RISK),
    }
    fields.update(changes)
    return RiskAlert.model_validate(fields)


def follow(kind: TransitionKind) -> AlertFollowUp:
    return AlertFollowUp(
        kind=kind, rule_id="CW-101", failure="x", resource_id="orders-prod",
        account="123456789012", region="eu-west-1", event_name="DeleteReplicationGroup"
        if kind is TransitionKind.DELETED else "ModifyReplicationGroup",
        event_time=WHEN, actor=ACTOR,
    )  # fmt: skip


def test_the_alert_card_names_the_failure_the_caller_the_time_and_has_the_finding_buttons() -> None:
    made = render_alert_card(alert())
    assert_valid_card(made)
    text = all_text(made) + str(made["body"])
    for needle in ("New risk", "orders-prod", "Traffic to the cache is not encrypted",
                   "PlatformAdmin/alice", "2026-05-04 10:11:12 UTC", "198.51.100.7",
                   "role/PlatformAdmin", "transitEncryptionEnabled=false", "HIGH"):  # fmt: skip
        assert needle in text, needle
    verbs = {(a["verb"], a["data"]["finding_id"]) for a in actions(made)}
    assert verbs == {
        (Verb.EXPLAIN, "abc123"),
        (Verb.REQUEST_FIX, "abc123"),
        (Verb.ACCEPT_RISK, "abc123"),
    }
    assert "orders-prod" in made["fallbackText"] and "PlatformAdmin/alice" in made["fallbackText"]


def test_an_alert_with_no_fix_has_no_buttons_and_hostile_text_stays_literal() -> None:
    made = render_alert_card(
        alert(actions=(), evidence="[click](https://evil.example) *bold*", resource_id="a_b")
    )
    assert_valid_card(made)
    assert not actions(made)
    assert_no_foreign_links(made)
    assert r"\[click\]" in all_text(made) and r"a\_b" in all_text(made)


def test_follow_ups_say_fixed_by_or_deleted_by_and_the_rollup_counts_what_was_held() -> None:
    fixed = render_follow_up_card(follow(TransitionKind.RESOLVED))
    gone = render_follow_up_card(follow(TransitionKind.DELETED))
    for made in (fixed, gone):
        assert_valid_card(made)
    assert "**Fixed**" in all_text(fixed) and "PlatformAdmin/alice" in all_text(fixed)
    assert "**deleted**" in all_text(gone) and "DeleteReplicationGroup" in all_text(gone)
    rollup = render_rollup_card(AlertRollup(held=7, window_seconds=60, examples=("CW-101 on a",)))
    assert_valid_card(rollup)
    assert "7 more alerts" in all_text(rollup) and "and 6 more" in all_text(rollup)


def test_the_notifier_posts_alerts_top_level_and_the_follow_up_in_the_alerts_chain() -> None:
    made, connector = notifier("channel")
    assert isinstance(made, AlertNotifier)
    first = made.post_alert("19:chan@thread.tacv2", alert())
    again = made.post_alert("19:chan@thread.tacv2", alert())  # a retried job: the ledger
    made.post_alert_follow_up(
        "19:chan@thread.tacv2", follow(TransitionKind.RESOLVED), thread_ts=first
    )
    made.post_alert_rollup("19:chan@thread.tacv2", AlertRollup(held=2, window_seconds=60))
    assert again == first
    assert [cid for cid, _ in connector.sent] == [
        "19:chan@thread.tacv2",
        f"19:chan@thread.tacv2;messageid={first}",
        "19:chan@thread.tacv2",
    ]


@pytest.mark.parametrize(
    ("text", "enabled", "regions"),
    [
        ("alerts on", True, ()),
        ("<at>cachewarden</at> alerts on region=eu-west-1", True, ("eu-west-1",)),
        ("subscribe alerts region=eu-west-1", True, ("eu-west-1",)),
        ("audit alerts off", False, ()),
        ("unsubscribe alerts", False, ()),
    ],
)
def test_alert_words_parse_as_on_slack(text: str, enabled: bool, regions: tuple[str, ...]) -> None:
    parsed = parse_teams_text(text)
    assert isinstance(parsed, AlertsRequest)
    assert parsed.enabled is enabled and parsed.scope == Scope(regions=regions)


class _Slack:
    """Stands for the Slack notifier: an AlertNotifier that must not get Teams channels."""

    def post_alert(self, channel: str, alert: RiskAlert) -> str:
        raise AssertionError("a Teams conversation reached Slack")

    post_alert_follow_up = post_alert_rollup = post_alert


def test_an_alert_for_a_teams_conversation_goes_to_teams_and_a_slack_channel_to_slack() -> None:
    teams, _ = notifier("channel")
    slack = _Slack()
    connection = fakeredis.FakeRedis()
    store = AlertStore(connection)
    # No colon in the Teams id: the platform comes from the subscription, not the id's shape.
    store.subscribe(ConversationRef(platform=Platform.TEAMS, channel="teamschat"), Scope())
    store.subscribe(ConversationRef(platform=Platform.SLACK, channel="C_PLATFORM"), Scope())
    both = {Platform.TEAMS: teams}
    env = JobEnvironment(connection, slack, AppConfig(), other_notifiers=both)  # type: ignore[arg-type]
    assert alert_notifier(env, "teamschat") is teams
    assert alert_notifier(env, "C_PLATFORM") is slack
    only_slack = JobEnvironment(connection, slack, AppConfig())  # type: ignore[arg-type]
    with pytest.raises(NotifyError, match="teams"):
        alert_notifier(only_slack, "teamschat")


def test_alerts_on_in_teams_subscribes_the_bare_conversation_and_off_removes_it() -> None:
    ctx = flow_context()
    on = answer(parse_teams_text("alerts on region=eu-west-1"), TEAMS_ACTOR, ctx, "cid")
    assert "Real-time alerts are on here" in unescaped(on)
    assert "not available in Teams" not in unescaped(on)
    assert AlertStore(ctx.connection).subscriptions() == {
        TEAMS_ACTOR.conversation_id: Scope(regions=("eu-west-1",))
    }
    assert AlertStore(ctx.connection).conversation(TEAMS_ACTOR.conversation_id).platform is (
        Platform.TEAMS
    )
    off = answer(parse_teams_text("unsubscribe alerts"), TEAMS_ACTOR, ctx, "cid")
    assert "alerts are off" in unescaped(off)
    assert AlertStore(ctx.connection).subscriptions() == {}

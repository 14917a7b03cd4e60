"""The alert and its follow-ups in Block Kit: who, what, when, and the existing buttons."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.slack.render.slack_alerts import render_alert, render_follow_up, render_rollup
from posture.alert_transitions import AlertFollowUp, AlertRollup, RiskAlert, TransitionKind
from posture.alerts import Actor
from posture.base import Severity
from posture.messages import FindingAction

ACTOR = Actor(
    arn="arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice",
    issuer_arn="arn:aws:iam::123456789012:role/PlatformAdmin",
    issuer_name="PlatformAdmin",
    session_name="alice",
    source_ip="198.51.100.7",
    user_agent="aws-cli/2.17.0",
)
WHEN = datetime(2026, 5, 4, 10, 11, 12, tzinfo=UTC)


def test_the_alert_names_the_failure_the_caller_the_time_and_carries_the_finding_buttons() -> None:
    alert = RiskAlert(
        finding_id="abc123",
        rule_id="CW-101",
        severity=Severity.HIGH,
        failure="Traffic to the cache is not encrypted",
        title="Caches encrypt traffic in transit",
        resource_kind="replication_group",
        resource_id="orders-prod",
        account="123456789012",
        region="eu-west-1",
        evidence="TransitEncryptionEnabled is false",
        event_name="ModifyReplicationGroup",
        event_time=WHEN,
        actor=ACTOR,
        changes=("transitEncryptionEnabled=false",),
        actions=(FindingAction.EXPLAIN, FindingAction.REQUEST_FIX, FindingAction.ACCEPT_RISK),
    )
    text, blocks = render_alert(alert)
    body = json.dumps(blocks)
    assert "orders-prod" in text and "PlatformAdmin/alice" in text
    for needle in ("Traffic to the cache is not encrypted", "2026-05-04 10:11:12 UTC",
                   "198.51.100.7", "role/PlatformAdmin", "transitEncryptionEnabled=false"):  # fmt: skip
        assert needle in body
    (menu,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert menu["type"] == "overflow" and menu["action_id"] == "finding_menu"
    assert {o["value"] for o in menu["options"]} == {
        "finding_explain:abc123",
        "finding_request_fix:abc123",
        "finding_accept_risk:abc123",
    }


def test_follow_ups_say_fixed_by_or_deleted_by() -> None:
    common = {
        "rule_id": "CW-101", "failure": "x", "resource_id": "orders-prod",
        "account": "123456789012", "region": "eu-west-1",
        "event_name": "ModifyReplicationGroup", "event_time": WHEN, "actor": ACTOR,
    }  # fmt: skip
    fixed_text, fixed = render_follow_up(AlertFollowUp(kind=TransitionKind.RESOLVED, **common))  # type: ignore[arg-type]
    assert "fixed by PlatformAdmin/alice" in fixed_text and "*Fixed*" in json.dumps(fixed)
    gone_text, _ = render_follow_up(AlertFollowUp(kind=TransitionKind.DELETED, **common))  # type: ignore[arg-type]
    assert gone_text == "orders-prod deleted by PlatformAdmin/alice"


def test_the_rollup_counts_what_the_rate_limit_held() -> None:
    text, blocks = render_rollup(AlertRollup(held=7, window_seconds=60, examples=("CW-101 on a",)))
    assert "7 alerts" in text and "and 6 more" in json.dumps(blocks)

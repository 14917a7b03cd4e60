"""Approval messages, runbooks, results and the accept-risk modal as Block Kit."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.slack.actions import ActionId
from bot.slack.render.slack_approval import (
    render_accept_risk_modal,
    render_approval,
    render_fix_result,
    render_plan,
    status_line,
)
from posture.approvals import ApprovalRequest, RequestKind, State
from posture.base import ResourceKind
from posture.conversations import ConversationRef
from posture.policy import OrgPolicy
from posture.remediation import Asked, FixResult, fix_request, plan_fix
from tests.unit.render.slack_checks import (
    HOSTILE,
    assert_inert,
    assert_within_limits,
    buttons,
    make_finding,
)
from tests.unit.rules.world import NOW, replication_group

CREATED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def request(state: State = State.PENDING, **changes: object) -> ApprovalRequest:
    base = ApprovalRequest(
        request_id="req12345abcd",
        kind=RequestKind.FIX,
        state=state,
        requester="U0ENGINEER",
        created_at=CREATED,
        expires_at=CREATED + timedelta(hours=24),
        rule_id="CW-401",
        account="123456789012",
        region="eu-west-1",
        resource_kind="replication_group",
        resource_id="orders-prod",
        change="Keep backups for 7 days.",
        api_call='elasticache:ModifyReplicationGroup {"SnapshotRetentionLimit": 7}',
        risk="A snapshot forks the engine.",
        backout="Set it back to 0.",
    )
    return base.model_copy(update=changes)


def test_pending_request_shows_the_call_and_offers_approve_and_deny() -> None:
    text, blocks = render_approval(request())
    assert_within_limits((text, blocks))
    rendered = json.dumps(blocks)
    for part in (
        "Fix request: CW-401",
        "orders-prod",
        "SnapshotRetentionLimit",
        "forks",
        "back to 0",
    ):
        assert part in rendered
    found = buttons(blocks)
    assert [b["action_id"] for b in found] == [ActionId.APPROVE, ActionId.DENY]
    assert {b["value"] for b in found} == {"req12345abcd"}  # only the id travels in the button
    assert "<@U0ENGINEER>" in rendered


@pytest.mark.parametrize(
    ("state", "says"),
    [
        (State.APPROVED, "*Approved* by <@U0SECURITY>"),
        (State.RUNNING, "Running: sent"),
        (State.DONE, "*Done.* Approved by <@U0SECURITY> at 2026-11-22 13:00 UTC: sent"),
        (State.FAILED, "*Failed.*"),
        (State.DENIED, "*Denied* by <@U0SECURITY> at 2026-11-22 13:00 UTC. Nothing was changed."),
        (State.EXPIRED, "*Expired*"),
        (State.CANCELLED, "*Cancelled*"),
    ],
)
def test_decided_request_says_who_when_and_outcome_without_buttons(state: State, says: str) -> None:
    decided = request(
        state, decided_by="U0SECURITY", decided_at=CREATED + timedelta(hours=1), outcome="sent"
    )
    _text, blocks = render_approval(decided)
    assert says in status_line(decided)
    assert says in json.dumps(blocks)
    assert buttons(blocks) == []


def test_accept_risk_request_shows_reason_and_date_instead_of_a_call() -> None:
    risky = request(
        kind=RequestKind.ACCEPT_RISK,
        reason="cache only",
        accept_until=CREATED + timedelta(days=30),
        api_call="none",
    )
    rendered = json.dumps(render_approval(risky)[1])
    assert (
        "Accept-risk request" in rendered and "cache only" in rendered and "2026-12-22" in rendered
    )
    assert "Exact call" not in rendered


def test_hostile_values_stay_inert_everywhere() -> None:
    hostile = request(
        resource_id=HOSTILE,
        change=HOSTILE,
        api_call=HOSTILE,
        risk=HOSTILE,
        backout=HOSTILE,
        outcome=HOSTILE,
    )
    for state in (State.PENDING, State.DONE):
        assert_inert(render_approval(hostile.model_copy(update={"state": state})), mentions=True)
    result = FixResult(
        request_id="r", rule_id="CW-401", resource_kind=ResourceKind.REPLICATION_GROUP,
        resource_id=HOSTILE, verified=False, evidence=HOSTILE, next_step=HOSTILE,
    )  # fmt: skip
    assert_inert(render_fix_result(result))


def test_runbook_renders_every_step_with_its_commands() -> None:
    _, inv = replication_group(group={"AtRestEncryptionEnabled": False, "KmsKeyId": None})
    plan = plan_fix("CW-103", ResourceKind.REPLICATION_GROUP, "orders", inv, OrgPolicy(), NOW)
    text, blocks = render_plan(plan)
    assert_within_limits((text, blocks))
    rendered = json.dumps(blocks)
    assert "Rebuild orders for CW-103" in rendered
    assert "create-replication-group" in rendered and "delete-replication-group" in rendered
    assert text.startswith("Rebuild runbook")


def test_blocked_plan_renders_its_reason() -> None:
    _, inv = replication_group(members=1, group={"AutomaticFailover": "disabled"})
    plan = plan_fix("CW-403", ResourceKind.REPLICATION_GROUP, "orders", inv, OrgPolicy(), NOW)
    assert "has no replica" in json.dumps(render_plan(plan)[1])


def test_verified_result_offers_the_next_step_button() -> None:
    result = FixResult(
        request_id="r1", rule_id="CW-101", resource_kind=ResourceKind.REPLICATION_GROUP,
        resource_id="orders", verified=True, evidence="TLS on", next_step="Step 2 of 2", next_finding_id="abc123",
    )  # fmt: skip
    text, blocks = render_fix_result(result)
    assert text.startswith("Verified: CW-101 on orders now passes")
    assert [(b["action_id"], b["value"]) for b in buttons(blocks)] == [
        (ActionId.REQUEST_FIX, "abc123")
    ]


def test_accept_risk_modal_asks_for_reason_and_last_day() -> None:
    view = render_accept_risk_modal(make_finding(1), '{"finding_id": "x"}', date(2027, 2, 20))
    assert view["type"] == "modal" and view["callback_id"] == "accept_risk_modal"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["reason"]["multiline"] is True
    assert inputs["until"]["initial_value"] == "2027-02-20"
    assert len(view["blocks"]) <= 100 and len(view["title"]["text"]) <= 24


def test_a_tls_request_warns_the_approver_that_endpoints_change() -> None:
    _, inv = replication_group(group={"TransitEncryptionMode": "preferred"})
    plan = plan_fix("CW-102", ResourceKind.REPLICATION_GROUP, "orders", inv, OrgPolicy(), NOW)
    asked = Asked(
        "req12345abcd", "U0ENGINEER", "f1", ConversationRef(channel="C1", thread="1.0"), CREATED, 24
    )
    text, blocks = render_approval(fix_request(plan, asked))
    assert_within_limits((text, blocks))
    rendered = json.dumps(blocks)
    assert "Before you approve" in rendered
    assert "deletes the old non-TLS DNS names" in rendered
    assert "Before you approve" not in json.dumps(render_approval(request())[1])


def test_a_verified_tls_result_lists_the_endpoints_read_after_the_change() -> None:
    result = FixResult(
        request_id="req12345abcd",
        rule_id="CW-101",
        resource_kind=ResourceKind.REPLICATION_GROUP,
        resource_id="orders",
        verified=True,
        evidence="TLS is on",
        endpoints=("primary master.orders.x.euw1.cache.amazonaws.com:6379",),
    )
    text, blocks = render_fix_result(result)
    assert_within_limits((text, blocks))
    assert "master.orders.x.euw1.cache.amazonaws.com:6379" in json.dumps(blocks)
    assert "Endpoints now" not in json.dumps(
        render_fix_result(result.model_copy(update={"endpoints": ()}))[1]
    )

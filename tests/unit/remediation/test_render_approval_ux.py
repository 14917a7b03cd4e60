"""Approvals people can act on (issue 13 item 5): mentions, confirm, Deny's reason, links,
full-width Risk and Backout, one exact-call style, and Approve/Deny in App Home."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.slack.actions import ActionId
from bot.slack.render.slack_approval import ApprovalFrame, operation_of, render_approval
from bot.slack.render.slack_deny import (
    DENY_CALLBACK,
    DENY_REASON_BLOCK,
    DENY_REASON_INPUT,
    render_deny_modal,
)
from bot.slack.render.slack_findings import page_context
from bot.slack.render.slack_home import render_home
from posture.approvals import RequestKind, State
from posture.digest import PendingApproval, shown
from posture.home import HomePage
from posture.rotation import RotationMode
from posture.rotation_plan import finalize_texts, rotate_texts
from tests.unit.remediation.test_render_approval import CREATED, request
from tests.unit.render.slack_checks import HOSTILE, assert_inert, assert_within_limits, buttons

FRAME = ApprovalFrame(approver_users=("U_SECURITY",), approver_groups=("S_SECURITY",))
LINK = "https://demo.slack.com/archives/C_SECURITY/p1700000000000100"


def _approve(blocks: list[dict[str, object]]) -> dict[str, object]:
    return next(b for b in buttons(blocks) if b["action_id"] == ActionId.APPROVE)


def test_requester_and_approvers_are_real_mentions_while_pending() -> None:
    text = json.dumps(render_approval(request(requester="U_ENGINEER"), FRAME)[1])
    assert "Requested by <@U_ENGINEER>" in text
    assert "<@U_SECURITY>" in text and "<!subteam^S_SECURITY>" in text
    decided = request(State.DENIED, decided_by="U_SECURITY", decided_at=CREATED)
    assert "subteam" not in json.dumps(render_approval(decided, FRAME)[1])  # nobody to ping now


def test_malformed_approver_ids_stay_text() -> None:
    frame = ApprovalFrame(approver_users=("<!channel>",), approver_groups=("<!here>",))
    assert_inert(render_approval(request(), frame), mentions=True)


@pytest.mark.parametrize("kind", [RequestKind.FIX, RequestKind.ROTATE, RequestKind.FINALIZE])
def test_approve_that_changes_aws_asks_to_confirm(kind: RequestKind) -> None:
    blocks = render_approval(request(kind=kind))[1]
    confirm = _approve(blocks)["confirm"]
    assert isinstance(confirm, dict)
    assert "ModifyReplicationGroup" in confirm["text"]["text"]
    assert "orders-prod" in confirm["text"]["text"] and "eu-west-1" in confirm["text"]["text"]
    assert len(confirm["text"]["text"]) <= 300 and len(confirm["title"]["text"]) <= 100
    assert {confirm["confirm"]["text"], confirm["deny"]["text"]} == {"Approve and run", "Not yet"}


def test_accepting_a_risk_changes_no_aws_so_needs_no_confirm() -> None:
    risky = request(kind=RequestKind.ACCEPT_RISK, reason="cache only", api_call="none")
    assert "confirm" not in _approve(render_approval(risky)[1])


def test_confirm_counts_every_call_of_a_multi_call_fix() -> None:
    two = request(api_call='elasticache:ModifyReplicationGroup {}\nelasticache:ModifyUser {"a": 1}')
    assert "ModifyReplicationGroup and 1 more" in _approve(render_approval(two)[1])["confirm"]["text"]["text"]  # fmt: skip


def test_risk_and_backout_are_full_width_sections() -> None:
    blocks = render_approval(request())[1]
    assert not [b for b in blocks if "fields" in b]
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert any(t.startswith("*Risk*\n") for t in texts)
    assert any(t.startswith("*Backout*\n") for t in texts)


def test_denied_request_shows_the_reason_escaped() -> None:
    denied = request(
        State.DENIED,
        decided_by="U_SECURITY",
        decided_at=CREATED,
        decision_reason=f"Not during the sale {HOSTILE}",
    )
    reply = render_approval(denied)
    assert "*Reason:* Not during the sale" in json.dumps(reply[1])
    assert_inert(reply, mentions=True)
    assert buttons(reply[1]) == []


def test_each_copy_links_to_the_other() -> None:
    in_security = json.dumps(render_approval(request(), ApprovalFrame(other_copy=LINK, other_is_thread=True))[1])  # fmt: skip
    assert f"<{LINK}|the finding's thread>" in in_security
    in_thread = json.dumps(render_approval(request(), ApprovalFrame(other_copy=LINK))[1])
    assert f"<{LINK}|the security-channel copy>" in in_thread
    local = ApprovalFrame(other_copy="http://127.0.0.1:9/archives/C1/p1")
    assert "127.0.0.1" not in json.dumps(render_approval(request(), local)[1])


def test_rotation_calls_use_the_same_exact_call_style_as_fixes() -> None:
    fix_op = operation_of(request().api_call)
    for texts in (rotate_texts(RotationMode.AUTH_TOKEN, "orders", ["s"]), finalize_texts(RotationMode.RBAC_USERS, "orders")):  # fmt: skip
        head, _, params = texts.api_call.partition(" ")
        assert head.startswith("elasticache:") and json.loads(params)
        assert operation_of(texts.api_call) != texts.api_call
    assert fix_op == "ModifyReplicationGroup"


def test_deny_modal_asks_for_a_reason_and_keeps_the_click_place() -> None:
    view = render_deny_modal(request(change=HOSTILE), '{"request_id": "req12345abcd"}')
    assert view["callback_id"] == DENY_CALLBACK and view["private_metadata"].startswith("{")
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == [DENY_REASON_BLOCK]
    element = inputs[0]["element"]
    assert element["action_id"] == DENY_REASON_INPUT and element["min_length"] >= 5
    assert len(view["title"]["text"]) <= 24 and len(view["submit"]["text"]) <= 24
    assert_inert(("deny", view["blocks"]), mentions=True)


def _page(*, approver: bool, notice: str = "") -> HomePage:
    pending = PendingApproval(
        request_id="abcd1234ef",
        kind="fix",
        requester="U_ENGINEER",
        resource_id="orders-prod",
        change="Keep backups for 7 days.",
        expires_at=CREATED + timedelta(hours=24),
        rule_id="CW-401",
        account="123456789012",
        region="eu-west-1",
        api_call='elasticache:ModifyReplicationGroup {"SnapshotRetentionLimit": 7}',
        changes_aws=True,
    )
    risk = pending.model_copy(update={"request_id": "risk5678ab", "kind": "accept_risk", "changes_aws": False})  # fmt: skip
    return HomePage(
        user="U_SECURITY",
        generated_at=datetime(2026, 11, 22, 13, 0, tzinfo=UTC),
        is_approver=approver,
        pending_approvals=shown([pending, risk], 8) if approver else shown([], 8),
        notice=notice,
    )


def test_home_offers_approve_and_deny_on_each_pending_request() -> None:
    view = render_home(_page(approver=True))
    found = buttons(view["blocks"])
    assert [(b["action_id"], b["value"]) for b in found] == [
        (ActionId.APPROVE, "abcd1234ef"),
        (ActionId.DENY, "abcd1234ef"),
        (ActionId.APPROVE, "risk5678ab"),
        (ActionId.DENY, "risk5678ab"),
    ]
    assert "confirm" in found[0] and "confirm" not in found[2]
    text = json.dumps(view)
    assert "`CW-401`" in text and "Asked by <@U_ENGINEER>" in text
    assert_within_limits(("home", view["blocks"]), max_chars=24_000)


def test_home_without_approver_rights_has_no_decision_buttons() -> None:
    assert buttons(render_home(_page(approver=False))["blocks"]) == []


def test_home_shows_the_answer_to_the_last_click_escaped() -> None:
    view = render_home(_page(approver=True, notice=f"Approved. {HOSTILE}"))
    assert "Approved." in json.dumps(view["blocks"][1])
    assert_inert(("home", view["blocks"]), mentions=True)


def test_a_single_page_is_not_counted() -> None:
    assert "Page" not in json.dumps(page_context("run1", 1, 1))
    assert "Page 2 of 3" in json.dumps(page_context("run1", 2, 3))


def test_backout_commands_get_a_block_of_their_own() -> None:
    undo = "aws elasticache modify-replication-group --replication-group-id orders --no-multi-az-enabled"
    blocks = render_approval(request(backout=f"Switch it off again: `{undo}`."))[1]
    backout = next(b["text"]["text"] for b in blocks if b["type"] == "section" and b["text"]["text"].startswith("*Backout*"))  # fmt: skip
    assert backout == f"*Backout*\nSwitch it off again:\n```\n{undo}\n```"
    two = request(backout="Put the rules back: `aws ec2 a` ; `aws ec2 b`")
    assert "```\naws ec2 a\naws ec2 b\n```" in json.dumps(render_approval(two)[1]).replace(
        "\\n", "\n"
    )
    plain = render_approval(request(backout="Set it back to 0."))[1]
    assert "*Backout*\nSet it back to 0." in json.dumps(plain).replace("\\n", "\n")


def test_an_outcome_that_repeats_the_state_says_it_once() -> None:
    done = request(State.DONE, decided_by="U_SECURITY", decided_at=CREATED, outcome="Done. Only the new token works.")  # fmt: skip
    line = json.dumps(render_approval(done)[1])
    assert "*Done.* Approved by <@U_SECURITY>" in line and line.count("Done.") == 1


def test_a_denial_carries_the_deciders_reason_and_an_approval_none() -> None:
    from posture.approvals import Approvers, Decision, Transition, decide

    approvers = Approvers(users=frozenset({"U_SECURITY"}))
    now = CREATED + timedelta(hours=1)
    denied = decide(request(), "U_SECURITY", Decision.DENY, now, approvers, reason=" not now ")
    assert isinstance(denied, Transition) and denied.reason == "not now"
    assert denied.to is State.DENIED and denied.decided_by == "U_SECURITY"
    approved = decide(request(), "U_SECURITY", Decision.APPROVE, now, approvers)
    assert isinstance(approved, Transition) and approved.reason == ""
    assert request(kind=RequestKind.FIX).changes_aws
    assert not request(kind=RequestKind.ACCEPT_RISK).changes_aws

"""Teams cards for the features Slack gained: Deny with a reason, Approve with a second look
when it changes AWS, the rebuild card's buttons, the choices under a plan, the pending list,
and Action.ShowCard drawn (and openable) in the demo page."""

from __future__ import annotations

import json
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest

from bot.teams.cards.approval import render_approval_card, render_plan_card
from bot.teams.cards.pending import render_pending_card
from bot.teams.cards.rebuild import render_rebuild_card
from bot.teams.verbs import REBUILD_INPUT_PREFIX, Verb, deny_reason_input
from posture.approvals import RequestKind, State
from posture.base import ResourceKind
from posture.digest import PendingApproval, Shown
from posture.rebuild_messages import rebuild_card
from posture.rebuilds import Rebuild, RebuildPhase
from posture.remediation import FixPlan, PlanKind, Runbook, RunbookStep
from sandbox.teams_connector.render import render_card
from tests.unit.teams.card_checks import (
    actions,
    all_text,
    assert_no_foreign_links,
    assert_valid_card,
    execute_actions,
    walk,
)
from tests.unit.teams.test_cards import HOSTILE, NOW, request


def _shown(card: dict[str, Any], title: str) -> dict[str, Any]:
    (found,) = [a for a in actions(card) if a["type"] == "Action.ShowCard" and a["title"] == title]
    return found


def test_deny_opens_a_reason_form_whose_button_sends_it() -> None:
    card = render_approval_card(request())
    assert_valid_card(card)
    form = _shown(card, "Deny…")
    (reason,) = [n for n in walk(form["card"]["body"]) if n.get("type") == "Input.Text"]
    assert reason["id"] == deny_reason_input("req12345") and reason["isRequired"]
    assert reason["regex"] == r"^[\s\S]{5,500}$" and reason["maxLength"] == 500
    (send,) = form["card"]["actions"]
    assert send["verb"] == Verb.DENY and send["associatedInputs"] == "auto"
    assert send["data"] == {"verb": Verb.DENY, "request_id": "req12345"}


def test_approve_takes_a_second_look_only_when_aws_changes() -> None:
    fix = render_approval_card(request(api_call="elasticache:ModifyReplicationGroup {...}"))
    look = _shown(fix, "Approve…")
    text = all_text(look["card"])
    assert "Approve and change AWS?" in text
    facts = {f["title"]: f["value"] for n in walk(look["card"]) if n.get("type") == "FactSet" for f in n["facts"]}  # fmt: skip
    assert facts == {
        "Operation": "ModifyReplicationGroup",
        "Resource": "orders-prod",
        "Account": "123456789012",
        "Region": "eu-west-1",
    }
    assert [a["title"] for a in look["card"]["actions"]] == ["Approve and run"]
    # an accepted risk only records a note: Approve decides at once, as on Slack
    risk = render_approval_card(request(kind=RequestKind.ACCEPT_RISK, reason="retired soon"))
    assert_valid_card(risk)
    top = [a for a in risk["actions"]]
    assert top[0]["type"] == "Action.Execute" and top[0]["verb"] == Verb.APPROVE
    assert top[1]["type"] == "Action.ShowCard"  # Deny still asks why


def test_a_warning_is_shown_before_approving() -> None:
    card = render_approval_card(request(warning="The endpoint changes; clients reconnect."))
    assert "Before you approve" in all_text(card)
    assert "Read **Before you approve**" in all_text(_shown(card, "Approve…")["card"])


def test_a_denied_request_shows_its_reason_to_everyone_literally() -> None:
    denied = request(state=State.DENIED, decided_by="Sam", decided_at=NOW, decision_reason=HOSTILE)
    card = render_approval_card(denied)
    assert_valid_card(card)
    assert_no_foreign_links(card)
    assert "**Reason:**" in all_text(card) and not actions(card)
    assert "Reason" not in all_text(render_approval_card(request(state=State.DENIED)))


def _rebuild(phase: RebuildPhase) -> Rebuild:
    return Rebuild(
        rebuild_id="a" * 32, account="123456789012", region="us-east-1", rule_id="CW-103",
        source_id="orders", copy_id="orders-v2", snapshot_name="s", final_snapshot_name="f",
        params={}, diff=("AtRestEncryptionEnabled: false -> true",), source_fingerprint="x",
        requester="alice", phase=phase, updated=NOW,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("phase", "titles"),
    [
        (RebuildPhase.REQUESTED, []),
        (RebuildPhase.SNAPSHOTTING, ["Cancel rebuild"]),
        (RebuildPhase.CUTOVER_READY, ["Delete the old cache", "Cancel rebuild"]),
        (RebuildPhase.DONE, []),
    ],
)
def test_rebuild_card_buttons_follow_the_phase(phase: RebuildPhase, titles: list[str]) -> None:
    card = render_rebuild_card(rebuild_card(_rebuild(phase)))
    assert_valid_card(card)
    assert [a["title"] for a in actions(card)] == titles
    assert all(a["data"]["rebuild_id"] == "a" * 32 for a in actions(card))


def _plan(rule: str, **changes: Any) -> FixPlan:
    runbook = Runbook(
        title="Rebuild orders", summary="copy", backout="keep the old one",
        steps=(RunbookStep(title="Snapshot", commands=("aws elasticache create-snapshot",)),),
    )  # fmt: skip
    base = FixPlan(
        rule_id=rule, resource_kind=ResourceKind.REPLICATION_GROUP, resource_id="orders",
        account="123456789012", region="us-east-1", kind=PlanKind.REBUILD, change="rebuild",
        runbook=runbook, finding_id="f1",
    )  # fmt: skip
    return base.model_copy(update=changes)


@pytest.mark.parametrize(
    ("rule", "fields"),
    [("CW-104", ["kms_key_id"]), ("CW-301", ["subnet_group"]), ("CW-306", ["port"])],
)
def test_a_rebuild_that_needs_a_value_offers_the_form(rule: str, fields: list[str]) -> None:
    card = render_plan_card(_plan(rule))
    assert_valid_card(card)
    form = _shown(card, "Request rebuild…")
    inputs = [n["id"] for n in walk(form["card"]) if n.get("type") == "Input.Text"]
    assert inputs == [f"{REBUILD_INPUT_PREFIX}{f}" for f in fields]
    (send,) = form["card"]["actions"]
    assert send["verb"] == Verb.REBUILD_INPUTS and send["data"]["finding_id"] == "f1"


def test_no_form_when_nothing_is_chosen_or_the_plan_is_not_posted() -> None:
    for plan in (_plan("CW-103"), _plan("CW-104", finding_id=""), _plan("CW-104", kind=PlanKind.MANUAL)):  # fmt: skip
        assert not [a for a in actions(render_plan_card(plan)) if a["type"] == "Action.ShowCard"]


def test_a_template_owned_resource_offers_apply_anyway() -> None:
    plan = _plan("CW-401", kind=PlanKind.BLOCKED, runbook=None, reason="change the template", iac_owner="CloudFormation stack orders")  # fmt: skip
    card = render_plan_card(plan)
    assert_valid_card(card)
    (button,) = execute_actions(card)
    assert button["title"] == "Apply anyway (the stack will drift)"
    assert button["verb"] == Verb.APPLY_ANYWAY and button["data"]["finding_id"] == "f1"
    assert "the stack will drift" in all_text(card)
    assert not execute_actions(render_plan_card(plan.model_copy(update={"iac_owner": ""})))


def _pending(request_id: str, requester: str, **changes: Any) -> PendingApproval:
    return PendingApproval(
        request_id=request_id, kind="fix", requester=requester, resource_id="orders",
        change="turn on backups", expires_at=NOW + timedelta(hours=2), rule_id="CW-401",
        account="123456789012", region="us-east-1",
        api_call="elasticache:ModifyReplicationGroup {}", changes_aws=True, **changes,
    )  # fmt: skip


def test_pending_list_buttons_only_on_other_peoples_requests() -> None:
    others = Shown[PendingApproval](items=(_pending("req00001", "bob"), _pending("req00002", "carol")), total=3)  # fmt: skip
    mine = Shown[PendingApproval](items=(_pending("req00003", "me"),), total=1)
    card = render_pending_card(
        others, mine, {"bob": "Bob Builder"}, is_approver=True, notice="Done."
    )
    assert_valid_card(card)  # input ids stay unique with two Deny forms
    ids = {a["data"].get("request_id") for a in execute_actions(card)}
    assert ids == {"req00001", "req00002", None}  # None: Refresh
    verbs = {a["verb"] for a in execute_actions(card) if a["data"].get("request_id")}
    assert verbs == {Verb.PENDING_APPROVE, Verb.PENDING_DENY}
    text = all_text(card)
    assert "req00003" in text and "four-eyes" in text
    assert "Bob Builder" in json.dumps(card) and '"bob"' not in json.dumps(card)
    assert "…and 1 more" in text and "Done." in text


def test_pending_list_for_a_non_approver_has_no_decisions() -> None:
    empty: Shown[PendingApproval] = Shown()
    card = render_pending_card(empty, empty, {}, is_approver=False)
    assert "not an approver" in all_text(card)
    assert [a["verb"] for a in execute_actions(card)] == [Verb.PENDING_LIST]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_demo_page_draws_a_show_card_as_a_button_and_a_hidden_panel() -> None:
    html = render_card(render_approval_card(request()))
    parser = _Tags()
    parser.feed(html)
    toggles = [a for t, a in parser.tags if t == "button" and "data-showcard" in a]
    panels = [a for t, a in parser.tags if "data-showcard-panel" in a]
    assert len(toggles) == 2 and [p["data-showcard-panel"] for p in panels] == [t["data-showcard"] for t in toggles]  # fmt: skip
    assert all("hidden" in (p["class"] or "") for p in panels)
    inputs = [a["data-input-id"] for t, a in parser.tags if a.get("data-input-id")]
    assert inputs == [deny_reason_input("req12345")]
    verbs = [a["data-verb"] for t, a in parser.tags if t == "button" and "data-verb" in a]
    assert verbs == [Verb.APPROVE, Verb.DENY]  # the panels' buttons reach the bot
    assert html.index("data-showcard-panel") > html.index("ac-actions")  # under the buttons


def test_inline_values_lose_their_backticks_and_prose_after_a_command_reads_cleanly() -> None:
    card = render_approval_card(
        request(
            change="switch TransitEncryptionMode from `preferred` to `required`",
            backout="Accept plaintext again: `aws elasticache modify-replication-group --x`. Read the names afterwards.",
        )
    )
    text = all_text(card)
    assert "from preferred to required" in text and "`" not in text
    assert "Read the names afterwards." in text and "\n. Read" not in "\n" + text


def test_own_requests_in_the_list_skip_what_only_an_approver_needs() -> None:
    warning = "Endpoints change. " * 40  # longer than the old 400-character cut
    item = _pending("req00004", "me", warning=warning)
    mine = render_pending_card(Shown(), Shown[PendingApproval](items=(item,), total=1), {}, is_approver=True)  # fmt: skip
    assert "Before you approve" not in all_text(mine) and "Requested by" not in json.dumps(mine)
    theirs = render_pending_card(Shown[PendingApproval](items=(item,), total=1), Shown(), {}, is_approver=True)  # fmt: skip
    assert warning.strip() in all_text(theirs)  # never cut short for the approver

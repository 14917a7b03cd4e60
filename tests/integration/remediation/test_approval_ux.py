"""Approvals people can act on (issue 13 item 5), over signed HTTP, real Redis, fake AWS
and the Slack emulator: Deny asks a reason, App Home decides with the same rules, approvers
are mentioned and the two copies of a request link to each other."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox.fake_aws import group_state
from sandbox.stack import Stack
from tests.integration.remediation.flow import (
    ACCOUNT,
    CHANNEL,
    REGION,
    SECURITY,
    approval_message,
    decide,
    deny_with_reason,
    events,
    private_answers,
    request_fix,
    request_id_of,
    stored,
    text_of,
    wait_for,
    wait_state,
)
from workers.platform.redis_connection import connect
from workers.trail.log import AuditLog

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("remediation-stack")]
Parent = dict[str, Any]
PERMALINK = "https://cachewarden-demo.slack.com/archives/"


def retention(stack: Stack, group: str) -> int:
    return int(group_state(stack.aws.url, ACCOUNT, REGION, group)["snapshot_retention_limit"])


def _published_after(stack: Stack, user: str, before: dict[str, Any] | None) -> dict[str, Any]:
    """The user's home view once a publish newer than `before` landed (each has a new hash)."""
    old = (before or {}).get("hash")
    return wait_for(  # type: ignore[no-any-return]
        lambda: (v := stack.emulator.home_views().get(user)) and v.get("hash") != old and v,
        what=f"{user}'s home tab published",
    )


def open_home(stack: Stack, user: str) -> dict[str, Any]:
    before = stack.emulator.home_views().get(user)
    event = {"type": "app_home_opened", "user": user, "tab": "home"}
    assert stack.signed_client().event(event).status == 200
    return _published_after(stack, user, before)


def home_after_click(stack: Stack, view: dict[str, Any], action: str, value: str, user: str) -> str:
    """Click a button of `view` as `user`; the text of `user`'s home once it is redrawn."""
    before = stack.emulator.home_views().get(user)
    answer = stack.signed_client().click_view(view, action, value, user_id=user)
    assert answer.status == 200
    return json.dumps(_published_after(stack, user, before))


def assert_copies_link_to_each_other(stack: Stack, parent: Parent, request_id: str) -> None:
    """The thread's message links to the security-channel copy, and the copy back."""
    request = wait_for(
        lambda: (r := stored(stack, request_id)).mirror is not None and r, what="the mirror"
    )
    assert request.posted is not None and request.mirror is not None
    mirror_id = request.mirror.message_id.replace(".", "")
    posted_id = request.posted.message_id.replace(".", "")
    wait_for(
        lambda: (
            f"{PERMALINK}{SECURITY}/p{mirror_id}|the security-channel copy>"
            in text_of(approval_message(stack, parent, "home-approve", "CW-401")["blocks"])
        ),
        what="the thread's link to the security-channel copy",
    )
    security_text = text_of(
        approval_message(stack, parent, "home-approve", "CW-401", SECURITY)["blocks"]
    )
    assert f"{PERMALINK}{CHANNEL}/p{posted_id}" in security_text
    assert "|the finding's thread>" in security_text


def test_deny_asks_a_reason_that_the_request_shows_and_the_log_keeps(
    stack: Stack, parent: Parent
) -> None:
    message = request_fix(stack, parent, "deny-reason", "CW-401")
    request_id = request_id_of(message)
    assert "*Asked to decide:* <!subteam^S_SECURITY>" in text_of(message["blocks"])
    # The requester is told at once, without a form, that someone else must decide.
    decide(stack, message, "U_ENGINEER", action="approval_deny")
    wait_for(
        lambda: any("someone else must decide" in a for a in private_answers(stack, "U_ENGINEER")),
        what="the requester's refusal",
    )
    assert stack.emulator.modals("U_ENGINEER") == []
    # Too short a reason keeps the modal open with an error; nothing is decided.
    deny_with_reason(stack, message, "U_SECURITY", "no")
    assert "5 characters" in json.dumps(stack.emulator.modals("U_SECURITY")[-1].errors)
    assert stored(stack, request_id).state == "pending"
    reason = "Not during the sale <!channel>; retry Monday."
    opened = stack.emulator.modals("U_SECURITY")[-1]
    values = {"deny_reason": {"deny_reason_text": reason}}
    assert (
        stack.signed_client().submit_view(opened.view, values, user_id="U_SECURITY").status == 200
    )
    denied = wait_state(stack, request_id, "denied")
    assert denied.decided_by == "U_SECURITY" and denied.decision_reason == reason
    for channel in (CHANNEL, SECURITY):  # both copies say why, with the broadcast made inert
        wait_for(
            lambda c=channel: (
                "*Reason:* Not during the sale &lt;!channel&gt;"
                in text_of(approval_message(stack, parent, "deny-reason", "CW-401", c)["blocks"])
            ),
            what=f"the reason on the request in {channel}",
        )
    entries = [e.fields for e in AuditLog(connect(stack.redis.url)).all()]
    logged = [f for f in entries if f.get("request_id") == request_id and f["event"] == "request.denied"]  # fmt: skip
    assert [f.get("reason") for f in logged] == [reason]
    assert retention(stack, "deny-reason") == 0


def test_app_home_approves_with_the_same_rules_as_the_channel(stack: Stack, parent: Parent) -> None:
    message = request_fix(stack, parent, "home-approve", "CW-401", user="U_SECURITY")
    request_id = request_id_of(message)
    assert_copies_link_to_each_other(stack, parent, request_id)
    # An approver's own request is listed as theirs, with no buttons to decide it.
    own = open_home(stack, "U_SECURITY")
    own_values = {e.get("value") for b in own["blocks"] if b["type"] == "actions" for e in b["elements"]}  # fmt: skip
    assert request_id not in own_values
    # Another approver sees it with Approve (confirmed first) and Deny.
    view = open_home(stack, "U_SECURITY2")
    assert request_id in json.dumps(view) and "Approve and change AWS?" in json.dumps(view)
    # Four-eyes holds in App Home too: the requester clicking that button is refused.
    refused = home_after_click(stack, view, "approval_approve", request_id, "U_SECURITY")
    assert "someone else must decide" in refused
    outsider = home_after_click(stack, view, "approval_approve", request_id, "U_OUTSIDER")
    assert "Only configured approvers" in outsider
    assert stored(stack, request_id).state == "pending"
    # The other approver's click from App Home runs the same decision and the same job.
    redrawn = home_after_click(stack, view, "approval_approve", request_id, "U_SECURITY2")
    assert "Approved. The job starts now" in redrawn
    done = wait_state(stack, request_id, "done")
    assert done.decided_by == "U_SECURITY2"
    assert retention(stack, "home-approve") == 7
    assert events(stack, request_id)[:3] == ["request.created", "decision.refused", "decision.refused"]  # fmt: skip
    assert request_id not in json.dumps(open_home(stack, "U_SECURITY2"))  # decided: gone

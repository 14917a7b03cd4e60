"""Driving the approval flow the way people do: slash command, button clicks, waiting on threads."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from bot.slack.render.slack_deny import DENY_REASON_BLOCK, DENY_REASON_INPUT
from posture.approvals import ApprovalRequest
from sandbox.stack import Stack
from workers.approvals.store import ApprovalStore
from workers.platform.redis_connection import connect
from workers.trail.log import AuditLog

CHANNEL = "C_PLATFORM"
SECURITY = "C_SECURITY"
ACCOUNT = "123456789012"
REGION = "us-east-1"
Message = dict[str, Any]
Block = dict[str, Any]


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.15)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def text_of(value: Any) -> str:
    return json.dumps(value)


def run_audit(stack: Stack, scope: str = "") -> Message:
    """Run /cache-audit and return the finished parent message (with its thread)."""
    before, files_before = len(stack.emulator.messages(CHANNEL)), len(stack.emulator.files())
    answer = stack.signed_client().command(
        "/cache-audit", scope, user_id="U_ENGINEER", channel_id=CHANNEL
    )
    assert answer.status == 200

    def done() -> Message | None:
        for message in stack.emulator.messages(CHANNEL)[before:]:
            if "(done)" in text_of(message.get("blocks")) and message.get("reply_count", 0) >= 1:
                return message
        return None

    parent = wait_for(done, 60, "the finished audit")
    # The report files are attached after the last thread reply: then the thread is complete.
    wait_for(lambda: len(stack.emulator.files()) >= files_before + 2, 30, "the report files")
    return parent  # type: ignore[no-any-return]


def thread(stack: Stack, parent: Message) -> list[Message]:
    return stack.emulator.thread(CHANNEL, parent["ts"])


def finding_line(stack: Stack, parent: Message, resource: str, rule: str) -> tuple[Message, Block]:
    """The thread reply holding `rule` on `resource`, and that finding's line (a section)."""
    for message in thread(stack, parent):
        current = ""
        for block in message.get("blocks") or []:
            body = text_of(block)
            if block.get("type") == "section" and (
                "*Replication group*" in body or "*Cache cluster*" in body
            ):
                current = body
            elif (
                f"`{resource}`" in current
                and block.get("type") == "section"
                and f"`{rule}`" in body
            ):
                return message, block
    raise AssertionError(f"no {rule} finding on {resource} in the thread")


def line_actions(line: Block) -> dict[str, str]:
    """What the line's menu (or single button) offers: action id -> finding id."""
    accessory = line.get("accessory") or {}
    if accessory.get("type") == "button":
        return {str(accessory["action_id"]): str(accessory["value"])}
    offered = {}
    for option in accessory.get("options") or []:
        action_id, _, finding_id = str(option["value"]).partition(":")
        offered[action_id] = finding_id
    return offered


def finding_button(stack: Stack, parent: Message, resource: str, rule: str) -> tuple[Message, str]:
    """The thread reply holding `rule` on `resource`, and that finding's opaque id."""
    message, line = finding_line(stack, parent, resource, rule)
    return message, next(iter(line_actions(line).values()))


def click_finding(
    stack: Stack, parent: Message, resource: str, rule: str, action: str, user: str
) -> Any:
    """Choose `action` in the finding's "..." menu, as a user would."""
    message, line = finding_line(stack, parent, resource, rule)
    offered = line_actions(line)
    assert action in offered, f"{rule} on {resource} offers {sorted(offered)}, not {action}"
    client = stack.signed_client()
    if line["accessory"]["type"] == "button":
        return client.click(message, action, offered[action], user_id=user, channel_id=CHANNEL)
    value = f"{action}:{offered[action]}"
    return client.click(message, "finding_menu", value, user_id=user, channel_id=CHANNEL)


def approval_message(
    stack: Stack, parent: Message, resource: str, rule: str, channel: str = CHANNEL
) -> Message:
    """The newest request message about `rule` on `resource` (in the thread, or the mirror)."""

    def find() -> Message | None:
        messages = thread(stack, parent) if channel == CHANNEL else stack.emulator.messages(channel)
        found = [
            m for m in messages
            if f"request: {rule}" in text_of(m.get("blocks")) and f"`{resource}`" in text_of(m.get("blocks"))
        ]  # fmt: skip
        return found[-1] if found else None

    return wait_for(find, 30, f"the request for {rule} on {resource}")  # type: ignore[no-any-return]


def request_id_of(message: Message) -> str:
    for block in message.get("blocks") or []:
        if block.get("type") == "context" and "request `" in text_of(block):
            return text_of(block).split("request `", 1)[1].split("`", 1)[0]
    raise AssertionError("no request id on the message")


def request_fix(
    stack: Stack, parent: Message, resource: str, rule: str, user: str = "U_ENGINEER"
) -> Message:
    answer = click_finding(stack, parent, resource, rule, "finding_request_fix", user)
    assert answer.status == 200
    return approval_message(stack, parent, resource, rule)


def decide(
    stack: Stack,
    message: Message,
    user: str,
    action: str = "approval_approve",
    channel: str = CHANNEL,
) -> Any:
    return stack.signed_client().click(message, action, user_id=user, channel_id=channel)


def result_message(stack: Stack, parent: Message, resource: str, rule: str) -> Message:
    def find() -> Message | None:
        for message in reversed(thread(stack, parent)):
            text = str(message.get("text", ""))
            if f"{rule} on {resource}" in text and ("Verified" in text or "Not verified" in text):
                return message
        return None

    return wait_for(find, 40, f"the verified result of {rule} on {resource}")  # type: ignore[no-any-return]


def stored(stack: Stack, request_id: str) -> ApprovalRequest:
    found = ApprovalStore(connect(stack.redis.url)).get(request_id)
    assert found is not None
    return found


def wait_state(stack: Stack, request_id: str, *states: str, timeout: float = 40) -> ApprovalRequest:
    return wait_for(  # type: ignore[no-any-return]
        lambda: (r := stored(stack, request_id)).state in states and r,
        timeout,
        f"request in {states}",
    )


def events(stack: Stack, request_id: str) -> list[str]:
    entries = AuditLog(connect(stack.redis.url)).all()
    return [e.fields["event"] for e in entries if e.fields.get("request_id") == request_id]


def private_answers(stack: Stack, user: str) -> list[str]:
    """What the bot answered `user` through click response URLs, oldest first."""
    return [
        str(r.payload.get("text", "")) for r in stack.emulator.responses() if r.target.user == user
    ]


def deny_with_reason(
    stack: Stack, message: Message, user: str, reason: str, channel: str = CHANNEL
) -> Any:
    """Click Deny, then fill the reason modal it opens and submit it, as an approver would."""
    before = len(stack.emulator.modals(user))
    answer = decide(stack, message, user, action="approval_deny", channel=channel)
    assert answer.status == 200
    opened = wait_for(
        lambda: len(stack.emulator.modals(user)) > before and stack.emulator.modals(user)[-1],
        what="the Deny modal",
    )
    values = {DENY_REASON_BLOCK: {DENY_REASON_INPUT: reason}}
    return stack.signed_client().submit_view(opened.view, values, user_id=user)


LOST = ("Someone else decided first", "already approved", "already running", "already done")
SLOW_DOWN = "clicks were refused, so cachewarden is ignoring your clicks"


def lost_or_slow_down(answer: str) -> bool:
    """A refused click's answer: exactly one of the two readable reasons, never neither."""
    lost = any(phrase in answer for phrase in LOST)
    slowed = SLOW_DOWN in answer and "Nothing was changed" in answer
    return lost != slowed


def forget_refused_clicks(stack: Stack) -> None:
    """After a story that makes approvers collect refused clicks (issue 14's limit: 10 per
    user per minute, then "slow down"): the stories after it share those approvers and
    cannot wait out the minute, so the window is closed as if the minute had passed."""
    connection = connect(stack.redis.url)
    for key in connection.scan_iter("cw:limit:refused-click:*"):
        connection.delete(key)

"""Accept risk through the modal and an approver, then a suppressed finding; the audit log views."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.cli import main
from sandbox.stack import Stack
from tests.integration.remediation.flow import (
    CHANNEL,
    approval_message,
    click_finding,
    decide,
    finding_button,
    finding_line,
    line_actions,
    request_id_of,
    run_audit,
    text_of,
    thread,
    wait_for,
    wait_state,
)
from workers.platform.redis_connection import connect
from workers.trail.log import AuditLog

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("remediation-stack")]
Parent = dict[str, Any]


def _modal(stack: Stack, user: str) -> dict[str, Any]:
    opened = wait_for(lambda: stack.emulator.modals(user), what="the accept-risk modal")
    return dict(opened[-1].view)


def _values(reason: str, until: str) -> dict[str, Any]:
    return {"reason": {"accept_risk_reason": reason}, "until": {"accept_risk_until": until}}


def test_accepted_risk_is_approved_then_reported_as_suppressed(
    stack: Stack, parent: Parent
) -> None:
    click_finding(stack, parent, "risky", "CW-401", "finding_accept_risk", "U_ENGINEER")
    view = _modal(stack, "U_ENGINEER")
    client = stack.signed_client()
    client.submit_view(view, _values("short", "someday"), user_id="U_ENGINEER")
    errors = stack.emulator.modals("U_ENGINEER")[-1].errors
    assert set(errors) == {"reason", "until"}
    until = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    client.submit_view(
        view, _values("Cache only, rebuilt nightly from the orders DB", until), user_id="U_ENGINEER"
    )
    wait_for(lambda: not stack.emulator.modals("U_ENGINEER"), what="the modal to close")
    request = approval_message(stack, parent, "risky", "CW-401")
    shown = text_of(request["blocks"])
    assert "Accept-risk request" in shown and "rebuilt nightly" in shown and until in shown
    decide(stack, request, "U_SECURITY")
    assert wait_state(stack, request_id_of(request), "done").outcome == f"suppressed until {until}"
    assert f"reported as suppressed until {until}" in text_of(thread(stack, parent))
    # Issue 13 item 4: the line and the summary of this audit now show the accepted risk.
    _, line = wait_for(
        lambda: _accepted(stack, parent, "risky", "CW-401"), what="the CW-401 line as accepted"
    )
    assert f"until {until}" in text_of(line) and "U_SECURITY" in text_of(line)
    assert list(line_actions(line)) == ["finding_explain"]
    summary = next(m for m in stack.emulator.messages(CHANNEL) if m["ts"] == parent["ts"])
    assert "1 suppressed (accepted risk)" in text_of(summary["blocks"])

    again = run_audit(stack, "risky")
    shown = text_of(again["blocks"])
    assert "1 suppressed" in shown and "Accepted risks" in shown and f"until {until}" in shown
    assert "fixed and verified" not in shown, "an accepted risk is never counted as resolved"
    finding_button(stack, again, "risky", "CW-101")  # still failing, still listed
    # Listed as accepted (with who and until when), no longer offering a fix or another acceptance.
    _, kept = finding_line(stack, again, "risky", "CW-401")
    assert "*ACCEPTED*" in text_of(kept) and list(line_actions(kept)) == ["finding_explain"]


def _accepted(stack: Stack, parent: Parent, resource: str, rule: str) -> Any:
    message, line = finding_line(stack, parent, resource, rule)
    return (message, line) if "*ACCEPTED*" in text_of(line) else None


def test_audit_log_is_shown_to_approvers_only(stack: Stack) -> None:
    log = AuditLog(connect(stack.redis.url))
    for number in range(3):  # this test's own entries, whatever ran before it
        log.append("request.created", actor="U_ENGINEER", request_id=f"logtest{number:04d}")
    client = stack.signed_client()
    asked = client.command("/cache-audit", "log 2", user_id="U_SECURITY", channel_id=CHANNEL)
    approver = asked.json()
    assert approver["text"] == "Audit log: 2 entries"
    shown = text_of(approver["blocks"])
    assert "logtest0002" in shown and "logtest0001" in shown and "logtest0000" not in shown
    engineer = client.command(
        "/cache-audit", "log", user_id="U_ENGINEER", channel_id=CHANNEL
    ).json()
    assert "approvers only" in engineer["text"]


def test_cli_exports_the_whole_log_as_json_lines(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log = AuditLog(connect(stack.redis.url))
    for event in ("request.created", "request.approved", "aws.call", "request.done"):
        log.append(event, actor="U_CLI", request_id="clitest0001", operation="x:Y")
    monkeypatch.setenv("REDIS_URL", stack.redis.url)
    assert main(["audit-log", "--format", "jsonl"]) == 0
    entries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert all({"id", "event", "actor", "correlation_id"} <= set(e) for e in entries)
    order = [tuple(int(part) for part in e["id"].split("-")) for e in entries]
    assert order == sorted(order)  # oldest first
    mine = [e["event"] for e in entries if e.get("request_id") == "clitest0001"]
    assert mine == ["request.created", "request.approved", "aws.call", "request.done"]
    assert main(["audit-log", "--format", "table", "--limit", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:5] == ["time", "event", "actor", "request_id", "target"]
    assert len(lines) == 4 and "request.done" in lines[-1] and "clitest0001" in lines[-1]

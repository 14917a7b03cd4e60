"""A scope naming nothing is answered privately with close matches, and nothing is queued.

Regression for issue 13: `/cache-audit cw-does-not-exist` used to queue an audit that
posted a public "Passed 0 of 0" card. Runs over real processes: signed commands, the
known-resources index the audit parts keep in the real redis-server, clicks on buttons.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import redis

from sandbox.stack import Stack
from tests.integration.bot.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("bot-stack")]
CHANNEL = "C_PLATFORM"
USER = "U_ENGINEER"


def _buttons(payload: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Button label -> (action id, value), over every actions block."""
    found = {}
    for block in payload.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("type") == "button":
                found[element["text"]["text"]] = (element["action_id"], element["value"])
    return found


def _audit_done(stack: Stack, after: int) -> bool:
    return any(
        "(done)" in json.dumps(m.get("blocks")) for m in stack.emulator.messages(CHANNEL)[after:]
    )


@pytest.fixture(scope="module")
def scanned(stack: Stack) -> Stack:
    """One full audit, so the index knows orders-prod and sessions-ok."""
    before = len(stack.emulator.messages(CHANNEL))
    stack.signed_client().command("/cache-audit", "", user_id=USER, channel_id=CHANNEL)
    wait_for(lambda: _audit_done(stack, before), timeout=60, what="the first audit")
    return stack


def _queued_jobs(stack: Stack) -> int:
    connection = redis.Redis.from_url(stack.redis.url)
    return sum(1 for _ in connection.scan_iter("rq:job:audit-*"))


def test_unknown_id_answers_privately_with_matches_and_queues_nothing(scanned: Stack) -> None:
    stack = scanned
    before = len(stack.emulator.messages(CHANNEL))
    jobs = _queued_jobs(stack)
    answer = (
        stack.signed_client()
        .command("/cache-audit", "orders-prd", user_id=USER, channel_id=CHANNEL)
        .json()
    )
    assert answer["response_type"] == "ephemeral"
    assert "No cache named `orders-prd` was seen in the last scan" in answer["text"]
    buttons = _buttons(answer)
    assert "/cache-audit orders-prod" in buttons and "Scan anyway" in buttons
    time.sleep(2)  # a queued audit would have posted its parent message by now
    assert len(stack.emulator.messages(CHANNEL)) == before
    assert _queued_jobs(stack) == jobs


def test_clicking_a_suggestion_runs_it_for_the_clicker(scanned: Stack) -> None:
    stack = scanned
    client = stack.signed_client()
    client.command("/cache-audit", "sessions-okk", user_id=USER, channel_id=CHANNEL)
    shown = wait_for(
        lambda: [
            m
            for m in stack.emulator.ephemerals(CHANNEL, USER)
            if "sessions-okk" in json.dumps(m.get("blocks"))
        ],
        what="the private answer",
    )[-1]
    before = len(stack.emulator.messages(CHANNEL))
    action_id, value = _buttons(shown)["/cache-audit sessions-ok"]
    assert client.click(shown, action_id, value, user_id=USER, channel_id=CHANNEL).status == 200
    wait_for(
        lambda: any(
            "queued" in json.dumps(m.get("blocks")) and "sessions-ok" in json.dumps(m.get("blocks"))
            for m in stack.emulator.ephemerals(CHANNEL, USER)
        ),
        what="the suggestion's own answer",
    )
    wait_for(lambda: _audit_done(stack, before), timeout=60, what="the suggested audit")


def test_scan_anyway_queues_the_unknown_id(scanned: Stack) -> None:
    stack = scanned
    client = stack.signed_client()
    client.command("/cache-audit", "brand-new-cache", user_id=USER, channel_id=CHANNEL)
    shown = wait_for(
        lambda: [
            m
            for m in stack.emulator.ephemerals(CHANNEL, USER)
            if "brand-new-cache" in json.dumps(m.get("blocks"))
        ],
        what="the private answer",
    )[-1]
    action_id, value = _buttons(shown)["Scan anyway"]
    client.click(shown, action_id, value, user_id=USER, channel_id=CHANNEL)
    wait_for(
        lambda: any(
            "queued" in json.dumps(m.get("blocks"))
            and "brand-new-cache" in json.dumps(m.get("blocks"))
            for m in stack.emulator.ephemerals(CHANNEL, USER)
        ),
        what="the audit queued anyway",
    )


@pytest.mark.parametrize(
    ("text", "expected", "button"),
    [
        ("regoin=us-east-1", "Did you mean `region=us-east-1`", "/cache-audit region=us-east-1"),
        ("region=us-east-9", "not an AWS region I can scan", "/cache-audit region=us-east-1"),
        ("engine=memorydb", "MemoryDB is not supported", None),
    ],
)
def test_scope_mistakes_get_one_line_usage_and_buttons(
    scanned: Stack, text: str, expected: str, button: str | None
) -> None:
    answer = (
        scanned.signed_client()
        .command("/cache-audit", text, user_id=USER, channel_id=CHANNEL)
        .json()
    )
    rendered = json.dumps(answer)
    assert expected in rendered
    assert "Usage: /cache-audit [scope]" in rendered and "/cache-help cache-audit" in rendered
    assert "Scope words" not in rendered  # the full usage stays behind the help pointer
    if button:
        assert button in _buttons(answer)

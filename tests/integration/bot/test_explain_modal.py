"""Explain on a finding opens a modal with this resource's values; nothing is posted."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from sandbox.stack import Stack
from tests.integration.bot.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("bot-stack")]
CHANNEL = "C_PLATFORM"
USER = "U_ENGINEER"


def _thread_with_explain(stack: Stack, after: int) -> list[dict[str, Any]]:
    for parent in stack.emulator.messages(CHANNEL)[after:]:
        if "(done)" not in json.dumps(parent.get("blocks")):
            continue
        replies = stack.emulator.thread(CHANNEL, parent["ts"])
        found = [m for m in replies if "finding_explain:" in json.dumps(m.get("blocks"))]
        if found:
            return found
    return []


def _settled_thread(stack: Stack, thread_ts: str, quiet_seconds: float = 2.0) -> int:
    """The thread's length once the audit has stopped posting into it (report files may follow
    the "(done)" summary by a moment); a count taken earlier would race the worker."""
    last, still_since = -1, time.monotonic()
    deadline = still_since + 60
    while time.monotonic() < deadline:
        now = len(stack.emulator.thread(CHANNEL, thread_ts))
        if now != last:
            last, still_since = now, time.monotonic()
        elif time.monotonic() - still_since >= quiet_seconds:
            return now
        time.sleep(0.2)
    raise AssertionError("the audit kept posting into its thread for 60 s")


def _explain_value(message: dict[str, Any], resource: str) -> str | None:
    """The Explain option of the first finding menu after the heading that names `resource`."""
    seen = False
    for block in message.get("blocks") or []:
        seen = seen or resource in json.dumps(block)
        menu = block.get("accessory") or {}
        if seen and menu.get("type") == "overflow":
            for choice in menu["options"]:
                if choice["value"].startswith("finding_explain:"):
                    return str(choice["value"])
    return None


def test_explain_opens_a_modal_with_the_resources_own_commands(stack: Stack) -> None:
    before = len(stack.emulator.messages(CHANNEL))
    client = stack.signed_client()
    client.command("/cache-audit", "orders-prod", user_id=USER, channel_id=CHANNEL)
    message = wait_for(lambda: _thread_with_explain(stack, before), timeout=60)[0]
    value = _explain_value(message, "orders-prod")
    assert value is not None
    posted_before = _settled_thread(stack, message.get("thread_ts") or message["ts"])
    ephemerals_before = len(stack.emulator.ephemerals(CHANNEL, USER))
    client.click(message, "finding_menu", value, user_id=USER, channel_id=CHANNEL)
    opened = wait_for(lambda: stack.emulator.modals(USER), what="the explain modal")
    view = opened[-1].view
    text = json.dumps(view["blocks"])
    assert view["title"]["text"].startswith("Explain CW-")
    assert "orders-prod" in text and "<replication-group-id>" not in text
    assert "/cache-explain CW-" in text
    # Nothing new in the thread or as a private message: the modal is the answer.
    assert len(stack.emulator.thread(CHANNEL, message.get("thread_ts") or message["ts"])) == (
        posted_before
    )
    assert len(stack.emulator.ephemerals(CHANNEL, USER)) == ephemerals_before

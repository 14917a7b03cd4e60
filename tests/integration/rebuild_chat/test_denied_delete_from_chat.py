"""Denying the second approval (delete the old cache) from chat keeps both caches, over real
processes: the Slack emulator, the bot, redis-server, the fake AWS and a worker. The owners
may ask again, and nothing was deleted in between."""

from __future__ import annotations

import time

import pytest

from posture.rebuilds import RebuildPhase
from sandbox.stack import Stack
from tests.integration.rebuild_chat.test_rebuild_from_chat import (
    _card,
    _group,
    _rebuild,
    _request_rebuild,
)
from tests.integration.remediation.flow import (
    CHANNEL,
    Message,
    approval_message,
    decide,
    deny_with_reason,
    request_id_of,
    wait_for,
    wait_state,
)
from workers.platform.redis_connection import connect
from workers.trail.log import AuditLog

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rebuild-chat")]


def _delete_request(stack: Stack, parent: Message, group: str, *seen: str) -> Message:
    return wait_for(  # type: ignore[no-any-return]
        lambda: (
            (m := approval_message(stack, parent, group, "CW-103"))
            and request_id_of(m) not in seen
            and m
        ),
        30,
        "the delete request",
    )


def test_denying_the_delete_keeps_both_caches(stack: Stack, parent: Message) -> None:
    message = _request_rebuild(stack, parent, "plain-kept")
    rebuild_id = request_id_of(message)
    decide(stack, message, "U_SECURITY")
    ready = _rebuild(stack, rebuild_id, RebuildPhase.CUTOVER_READY, RebuildPhase.FAILED)
    assert ready.phase is RebuildPhase.CUTOVER_READY, ready.problem
    card = _card(stack, parent, "plain-kept", "rebuild_delete_source")
    client = stack.signed_client()
    client.click(card, "rebuild_delete_source", user_id="U_ENGINEER", channel_id=CHANNEL)
    delete = _delete_request(stack, parent, "plain-kept", rebuild_id)
    deny_with_reason(stack, delete, "U_SECURITY", "the batch jobs still read the old cache")
    wait_state(stack, request_id_of(delete), "denied")
    time.sleep(2)  # a worker that (wrongly) started the delete would have called AWS by now
    assert _group(stack, "plain-kept") is not None and _group(stack, "plain-kept-v2") is not None
    trail = [
        e.fields["event"] for e in AuditLog(connect(stack.redis.url)).all()
        if e.fields.get("rebuild_id") == rebuild_id
    ]  # fmt: skip
    assert "rebuild.delete_approved" not in trail and "rebuild.source_deleted" not in trail

    # the owners can ask again: a new request, the source still there until it is approved
    client.click(card, "rebuild_delete_source", user_id="U_ENGINEER", channel_id=CHANNEL)
    again = _delete_request(stack, parent, "plain-kept", rebuild_id, request_id_of(delete))
    assert wait_state(stack, request_id_of(again), "pending")
    assert _group(stack, "plain-kept") is not None

"""A rebuild from chat, end to end over real processes: the Slack emulator, the bot in
HTTP mode, redis-server, the fake AWS and a `cachewarden worker`.

Request rebuild in the finding menu -> an approval whose body is the diff -> a second
person approves -> the worker snapshots, creates the copy with the fix and verifies it ->
the card shows the new endpoints and the cutover steps -> Delete the old cache asks for a
second approval -> the source is deleted with a final snapshot. Cancel needs an approver
who is not the requester and removes only what the migration created.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from posture.rebuilds import Rebuild, RebuildPhase
from sandbox.stack import Stack
from tests.integration.rebuild_chat.conftest import ec_client
from tests.integration.remediation.flow import (
    CHANNEL,
    Message,
    approval_message,
    click_finding,
    decide,
    deny_with_reason,
    events,
    private_answers,
    request_id_of,
    stored,
    text_of,
    thread,
    wait_for,
    wait_state,
)
from workers.platform.redis_connection import connect
from workers.rebuilds.store import RebuildStore
from workers.trail.log import AuditLog

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rebuild-chat")]


def _request_rebuild(stack: Stack, parent: Message, group: str) -> Message:
    answer = click_finding(stack, parent, group, "CW-103", "finding_request_rebuild", "U_ENGINEER")
    assert answer.status == 200
    return approval_message(stack, parent, group, "CW-103")


def _rebuild(stack: Stack, rebuild_id: str, *phases: RebuildPhase) -> Rebuild:
    store = RebuildStore(connect(stack.redis.url))
    return wait_for(  # type: ignore[no-any-return]
        lambda: (r := store.get(rebuild_id)) is not None and r.phase in phases and r,
        120,
        f"rebuild in {phases}",
    )


def _card(stack: Stack, parent: Message, group: str, needle: str) -> Message:
    def find() -> Message | None:
        for message in thread(stack, parent):
            shown = text_of(message.get("blocks"))
            if f"Rebuild for CW-103: {group}" in shown and needle in shown:
                return message
        return None

    return wait_for(find, 120, f"the rebuild card of {group} with {needle!r}")  # type: ignore[no-any-return]


def _group(stack: Stack, group: str) -> dict[str, Any] | None:
    try:
        return dict(
            ec_client(stack).describe_replication_groups(ReplicationGroupId=group)[
                "ReplicationGroups"
            ][0]
        )
    except ClientError:
        return None


def test_request_approve_rebuild_cutover_then_delete_the_source(
    stack: Stack, parent: Message
) -> None:
    message = _request_rebuild(stack, parent, "plain-one")
    shown = text_of(message["blocks"])
    assert "AtRestEncryptionEnabled: (not set) -&gt; true" in shown, "the diff is the body"
    assert "plain-one-v2" in shown and "approval_approve" in shown
    rebuild_id = request_id_of(message)
    decide(stack, message, "U_ENGINEER")  # the requester cannot approve their own rebuild
    wait_for(
        lambda: any("four-eyes" in text for text in private_answers(stack, "U_ENGINEER")),
        what="the four-eyes refusal",
    )
    assert stored(stack, rebuild_id).state == "pending"

    decide(stack, message, "U_SECURITY")
    ready = _rebuild(stack, rebuild_id, RebuildPhase.CUTOVER_READY, RebuildPhase.FAILED)
    assert ready.phase is RebuildPhase.CUTOVER_READY, ready.problem
    assert ready.approver == "U_SECURITY"
    copy = _group(stack, "plain-one-v2")
    assert copy is not None and copy["AtRestEncryptionEnabled"] is True
    assert copy["TransitEncryptionEnabled"] is True and copy["AutomaticFailover"] == "enabled"
    card = _card(stack, parent, "plain-one", "Client cutover")
    card_text = text_of(card["blocks"])
    assert ready.endpoints and all(name in card_text for name in ready.endpoints)
    assert "rebuild_delete_source" in card_text and "rebuild_cancel" in card_text
    notices = [
        m for m in thread(stack, parent) if "is ready and passes CW-103" in str(m.get("text"))
    ]
    assert len(notices) == 1 and ready.endpoints[0] in notices[0]["text"]

    client = stack.signed_client()
    client.click(card, "rebuild_delete_source", user_id="U_ENGINEER", channel_id=CHANNEL)
    delete = wait_for(
        lambda: (
            (m := approval_message(stack, parent, "plain-one", "CW-103"))
            and request_id_of(m) != rebuild_id
            and m
        ),
        30,
        "the delete request",
    )
    assert "DeleteReplicationGroup" in text_of(delete["blocks"])
    assert _group(stack, "plain-one") is not None, "nothing is deleted before the 2nd approval"
    decide(stack, delete, "U_SECURITY")
    done = _rebuild(stack, rebuild_id, RebuildPhase.DONE, RebuildPhase.FAILED)
    assert done.phase is RebuildPhase.DONE, done.problem
    assert _group(stack, "plain-one") is None and _group(stack, "plain-one-v2") is not None
    snapshots = ec_client(stack).describe_snapshots(SnapshotName=done.final_snapshot_name)[
        "Snapshots"
    ]
    assert snapshots and snapshots[0]["SnapshotName"] == done.final_snapshot_name
    _card(stack, parent, "plain-one", done.final_snapshot_name)

    trail = [
        e.fields["event"] for e in AuditLog(connect(stack.redis.url)).all()
        if e.fields.get("rebuild_id") == rebuild_id
    ]  # fmt: skip
    for event in ("rebuild.requested", "rebuild.approved", "rebuild.snapshot_started",
                  "rebuild.copy_started", "rebuild.verified", "rebuild.cutover_posted",
                  "rebuild.cutover_confirmed", "rebuild.delete_approved", "rebuild.source_deleted"):  # fmt: skip
        assert event in trail, event
    assert events(stack, rebuild_id) == [
        "request.created", "decision.refused", "request.approved", "rebuild.approved", "job.started",
        "request.done",
    ]  # fmt: skip
    assert wait_state(stack, request_id_of(delete), "done").decided_by == "U_SECURITY"


def test_cancel_needs_another_approver_and_leaves_only_the_source(
    stack: Stack, parent: Message
) -> None:
    message = _request_rebuild(stack, parent, "plain-two")
    rebuild_id = request_id_of(message)
    decide(stack, message, "U_SECURITY")
    _rebuild(stack, rebuild_id, RebuildPhase.CUTOVER_READY, RebuildPhase.FAILED)
    card = _card(stack, parent, "plain-two", "rebuild_cancel")
    client = stack.signed_client()
    client.click(card, "rebuild_cancel", user_id="U_ENGINEER", channel_id=CHANNEL)
    assert wait_for(
        lambda: any(
            "another approver must cancel" in t for t in private_answers(stack, "U_ENGINEER")
        ),
        what="the four-eyes refusal",
    )
    assert (
        RebuildStore(connect(stack.redis.url)).get(rebuild_id).phase is RebuildPhase.CUTOVER_READY
    )  # type: ignore[union-attr]
    client.click(card, "rebuild_cancel", user_id="U_SECURITY", channel_id=CHANNEL)
    cancelled = _rebuild(stack, rebuild_id, RebuildPhase.CANCELLED, RebuildPhase.FAILED)
    assert cancelled.phase is RebuildPhase.CANCELLED, cancelled.problem
    assert _group(stack, "plain-two") is not None and _group(stack, "plain-two-v2") is None
    names = [s["SnapshotName"] for s in ec_client(stack).describe_snapshots()["Snapshots"]]
    assert cancelled.snapshot_name not in names
    _card(stack, parent, "plain-two", "Cancelled")


def test_a_denied_rebuild_creates_nothing_and_the_source_can_be_asked_again(
    stack: Stack, parent: Message
) -> None:
    message = _request_rebuild(stack, parent, "plain-three")
    first = request_id_of(message)
    # Deny opens a modal for the reason (issue 13); the click alone decides nothing
    deny_with_reason(stack, message, "U_SECURITY", "not this quarter")
    wait_state(stack, first, "denied")
    assert _group(stack, "plain-three-v2") is None
    assert RebuildStore(connect(stack.redis.url)).get(first).phase is RebuildPhase.REQUESTED  # type: ignore[union-attr]
    click_finding(stack, parent, "plain-three", "CW-103", "finding_request_rebuild", "U_ENGINEER")
    again = wait_for(
        lambda: (
            (m := approval_message(stack, parent, "plain-three", "CW-103"))
            and request_id_of(m) != first
            and m
        ),
        40,
        "a second rebuild request",
    )
    assert RebuildStore(connect(stack.redis.url)).get(first).phase is RebuildPhase.DENIED  # type: ignore[union-attr]
    assert stored(stack, request_id_of(again)).state == "pending"

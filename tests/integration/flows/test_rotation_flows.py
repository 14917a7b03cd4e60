"""Rotation flows called directly: ask, Finalize, and Cancel under the four-eyes rule."""

from __future__ import annotations

import json

import pytest

from commands.requests import RotateTokenRequest
from posture.approvals import RequestKind, State
from posture.conversations import ConversationRef, MessageRef
from posture.rotation import Phase, Rotation, RotationAction, RotationMode, SecretRef
from tests.integration.flows.conftest import (
    APPROVER,
    CHANNEL,
    NOW,
    OUTSIDER,
    REQUESTER,
    THREAD,
    WORKSPACE,
    World,
    actor,
    origin,
)
from workers.approvals.store import ApprovalStore
from workers.rotation.flows import request_rotation, rotation_click
from workers.rotation.store import RotationStore
from workers.trail.log import AuditLog

pytestmark = pytest.mark.integration
ROTATION_ID = "rot0000000000001"


def _both_valid(world: World) -> Rotation:
    secret = SecretRef(
        name="cachewarden/auth/orders", pending_version_id="0" * 32, previous_known=True
    )
    rotation = Rotation(
        rotation_id=ROTATION_ID, mode=RotationMode.AUTH_TOKEN, account="123456789012",
        region="eu-west-1", group_id="orders", engine="redis", requester=REQUESTER,
        conversation=origin(), secrets=(secret,), phase=Phase.BOTH_VALID,
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    assert RotationStore(world.connection).create(rotation) is None
    return rotation


def _button() -> MessageRef:
    """A Finalize/Cancel message: a reply in the rotation's thread."""
    return MessageRef(conversation=origin(), message_id="1700000000.000900")


def _phase(world: World) -> Phase:
    stored = RotationStore(world.connection).get(ROTATION_ID)
    assert stored is not None
    return stored.phase


def test_the_requester_alone_cannot_cancel(world: World) -> None:
    """Cancel sends ROTATE and SET to AWS: it needs an approver who did not ask (issue 14)."""
    _both_valid(world)
    outcome = rotation_click(
        world.ctx(), actor(REQUESTER), RotationAction.CANCEL, ROTATION_ID, _button()
    )
    assert "four-eyes" in outcome.text and outcome.closed is None
    assert _phase(world) is Phase.BOTH_VALID and world.jobs() == []
    events = [e.fields["event"] for e in AuditLog(world.connection).all()]
    assert events == ["rotation.cancel_refused"]


def test_an_outsider_can_neither_cancel_nor_finalize(world: World) -> None:
    _both_valid(world)
    for action in RotationAction:
        outcome = rotation_click(world.ctx(), actor(OUTSIDER), action, ROTATION_ID, _button())
        assert "Only the requester or an approver" in outcome.text
    assert _phase(world) is Phase.BOTH_VALID and world.jobs() == []


def test_an_approver_cancels_and_the_rollback_job_is_queued(world: World) -> None:
    _both_valid(world)
    outcome = rotation_click(
        world.ctx(), actor(APPROVER), RotationAction.CANCEL, ROTATION_ID, _button()
    )
    assert outcome.text.startswith("Cancelling") and outcome.closed is not None
    assert _phase(world) is Phase.CANCEL_REQUESTED
    assert [job.id for job in world.jobs()] == [f"rotation-cancel-{ROTATION_ID}"]
    kind, where, update = world.notifier.posted[-1]
    assert (kind, where, update.phase) == ("rotation", origin(), Phase.CANCEL_REQUESTED)


def test_buttons_outside_the_rotation_thread_or_workspace_do_nothing(world: World) -> None:
    _both_valid(world)
    other_thread = MessageRef(
        conversation=ConversationRef(workspace=WORKSPACE, channel=CHANNEL, thread="1699.0001"),
        message_id="1699.0002",
    )
    outcome = rotation_click(
        world.ctx(), actor(APPROVER), RotationAction.CANCEL, ROTATION_ID, other_thread
    )
    assert "not on this request's message" in outcome.text
    foreign = actor(APPROVER, workspace="T_OTHER")
    outcome = rotation_click(world.ctx(), foreign, RotationAction.CANCEL, ROTATION_ID, _button())
    assert "another workspace" in outcome.text
    assert _phase(world) is Phase.BOTH_VALID and world.jobs() == []


def test_finalize_opens_a_request_someone_else_approves(world: World) -> None:
    _both_valid(world)
    outcome = rotation_click(
        world.ctx(), actor(REQUESTER), RotationAction.FINALIZE, ROTATION_ID, _button()
    )
    assert (
        outcome.text.startswith("Finalize requested")
        and outcome.closed_label == "Finalize requested"
    )
    stored = RotationStore(world.connection).get(ROTATION_ID)
    assert stored is not None and stored.phase is Phase.FINALIZE_REQUESTED
    request = ApprovalStore(world.connection).get(stored.finalize_request_id)
    assert request is not None and request.kind is RequestKind.FINALIZE
    assert (request.requester, request.state, request.origin) == (
        REQUESTER,
        State.PENDING,
        origin(),
    )
    again = rotation_click(
        world.ctx(), actor(APPROVER), RotationAction.FINALIZE, ROTATION_ID, _button()
    )
    assert "already waiting" in again.text


def test_asking_stores_where_it_was_asked_and_queues_only_the_check(world: World) -> None:
    notice = request_rotation(
        world.ctx(), actor(REQUESTER), RotateTokenRequest(group_id="orders"), "cid-7"
    )
    assert "Checking orders" in notice.text
    (job,) = world.jobs()
    intake = RotationStore(world.connection).get_intake(job.args[0])
    assert intake is not None and intake.origin == ConversationRef(
        workspace=WORKSPACE, channel=CHANNEL
    )


def test_a_rotation_stored_in_the_old_slack_format_still_loads(world: World) -> None:
    doc = json.loads(_both_valid(world).model_dump_json())
    del doc["conversation"]
    doc.update(channel=CHANNEL, thread_ts=THREAD)
    world.connection.set(f"cw:rotation:{ROTATION_ID}", json.dumps(doc))
    loaded = RotationStore(world.connection).get(ROTATION_ID)
    assert loaded is not None and loaded.conversation == ConversationRef(
        channel=CHANNEL, thread=THREAD
    )
    # workspace unknown on old records: the installed workspace check still applies
    outcome = rotation_click(
        world.ctx(), actor(APPROVER), RotationAction.CANCEL, ROTATION_ID, _button()
    )
    assert outcome.text.startswith("Cancelling")

"""Who may Cancel a rotation (four-eyes) and how old records load. Pure."""

from __future__ import annotations

from datetime import UTC, datetime

from posture.approvals import Approvers
from posture.conversations import ConversationRef
from posture.rotation import Rotation, cancel_refusal, may_act

NOW = datetime(2026, 5, 4, tzinfo=UTC)
APPROVERS = Approvers(users=frozenset({"U_SEC", "U_ENG"}))


def _rotation() -> Rotation:
    return Rotation.model_validate(
        {
            "rotation_id": "abcdef0123456789",
            "mode": "auth_token",
            "account": "111111111111",
            "region": "us-east-1",
            "group_id": "orders",
            "engine": "redis",
            "requester": "U_ENG",
            "channel": "C_PLATFORM",
            "thread_ts": "1.2",
            "secrets": [],
            "phase": "both_valid",
            "created_at": NOW,
            "updated_at": NOW,
        }
    )


def test_old_records_load_as_slack_conversations() -> None:
    assert _rotation().conversation == ConversationRef(channel="C_PLATFORM", thread="1.2")


def test_cancel_needs_an_approver_who_did_not_ask() -> None:
    rotation = _rotation()
    refusal = cancel_refusal(rotation, "U_ENG", APPROVERS)  # the requester, even as an approver
    assert refusal is not None and "four-eyes" in refusal
    assert cancel_refusal(rotation, "U_OUT", APPROVERS) is not None
    assert cancel_refusal(rotation, "U_SEC", APPROVERS) is None


def test_finalize_is_open_to_the_requester_and_approvers() -> None:
    rotation = _rotation()
    assert may_act(rotation, "U_ENG", Approvers())
    assert may_act(rotation, "U_SEC", APPROVERS)
    assert not may_act(rotation, "U_OUT", APPROVERS)

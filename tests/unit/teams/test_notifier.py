"""TeamsNotifier routing: threads only in channels, a cap on replies, the posting ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import fakeredis

from bot.teams.notifier import TeamsNotifier
from bot.teams.references import ConversationRef, ConversationStore
from posture.approvals import ApprovalRequest, RequestKind
from posture.messages import Notice
from posture.report import build_findings_thread
from tests.unit.render.slack_checks import make_finding
from tests.unit.teams.card_checks import all_text


class RecordingConnector:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.updated: list[tuple[str, str]] = []

    def send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        self.sent.append((conversation_id, activity))
        return str(1000 + len(self.sent))

    def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: Any
    ) -> None:
        self.updated.append((conversation_id, activity_id))


def notifier(conversation_type: str, **options: int) -> tuple[TeamsNotifier, RecordingConnector]:
    connection = fakeredis.FakeRedis()
    store = ConversationStore(connection)
    for cid in ("19:chan@thread.tacv2", "a:chat-1"):
        store.remember(
            ConversationRef(
                conversation_id=cid,
                service_url="https://smba.trafficmanager.net/emea/",
                conversation_type="personal" if cid.startswith("a:") else conversation_type,
            )
        )
    connector = RecordingConnector()
    return TeamsNotifier(connector, store, connection, **options), connector  # type: ignore[arg-type]


def test_channel_replies_go_to_the_thread_and_chats_stay_flat() -> None:
    made, connector = notifier("channel")
    made.post_notice("19:chan@thread.tacv2", Notice(text="in a thread"), thread_ts="1001")
    made.post_notice("a:chat-1", Notice(text="in a chat"), thread_ts="1001")
    assert [cid for cid, _ in connector.sent] == [
        "19:chan@thread.tacv2;messageid=1001",
        "a:chat-1",
    ]


def test_long_threads_are_capped_with_a_closing_note() -> None:
    made, connector = notifier("channel", max_replies=3)
    findings = [
        make_finding(rule_id="CW-101", resource_id=f"orders-{i}", evidence="x" * 600)
        for i in range(400)
    ]
    thread = build_findings_thread("run-1", findings, fixable_rules=frozenset())
    assert made.post_thread("19:chan@thread.tacv2", "1001", thread) == 3
    last = connector.sent[-1][1]["attachments"][0]["content"]
    assert "more pages of findings are not posted here" in all_text(last)


def test_same_content_twice_posts_once_and_different_content_posts_again() -> None:
    made, connector = notifier("channel")
    first = made.post_notice("19:chan@thread.tacv2", Notice(text="same"))
    made.post_notice("19:chan@thread.tacv2", Notice(text="same"))
    made.post_notice("19:chan@thread.tacv2", Notice(text="different"))
    assert first is None
    assert len(connector.sent) == 2


def test_updates_use_the_conversation_the_post_went_to() -> None:
    made, connector = notifier("channel")
    now = datetime(2026, 12, 7, tzinfo=UTC)
    request = ApprovalRequest(
        request_id="req12345",
        kind=RequestKind.FIX,
        requester="Alice",
        created_at=now,
        expires_at=now + timedelta(days=1),
        account="123456789012",
        region="eu-west-1",
        resource_kind="replication_group",
        resource_id="orders",
        change="x",
        api_call="y",
    )
    message = made.post_approval("19:chan@thread.tacv2", request, thread_ts="1001")
    made.update_approval("19:chan@thread.tacv2", message, request)
    assert connector.updated == [("19:chan@thread.tacv2;messageid=1001", message)]

"""TeamsNotifier routing: threads only in channels, a cap on replies, the posting ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import fakeredis
import pytest

from bot.teams.notifier import TeamsNotifier
from bot.teams.references import ConversationStore, TeamsReference
from posture.approvals import ApprovalRequest, RequestKind
from posture.conversations import ConversationRef, Platform
from posture.messages import Notice
from posture.report import build_findings_thread
from tests.unit.render.slack_checks import make_finding
from tests.unit.teams.card_checks import all_text


class RecordingConnector:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.updated: list[tuple[str, str]] = []
        self.last_update: Any = None

    def send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        self.sent.append((conversation_id, activity))
        return str(1000 + len(self.sent))

    def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: Any
    ) -> None:
        self.updated.append((conversation_id, activity_id))
        self.last_update = activity["attachments"][0]["content"]


def notifier(conversation_type: str, **options: int) -> tuple[TeamsNotifier, RecordingConnector]:
    connection = fakeredis.FakeRedis()
    store = ConversationStore(connection)
    for cid in ("19:chan@thread.tacv2", "a:chat-1"):
        store.remember(
            TeamsReference(
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
    assert len(made.post_thread("19:chan@thread.tacv2", "1001", thread)) == 3
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
    where = ConversationRef(platform=Platform.TEAMS, channel="19:chan@thread.tacv2", thread="1001")
    message = made.post_approval(where, request)
    made.update_approval(message, request)
    assert connector.updated == [("19:chan@thread.tacv2;messageid=1001", message.message_id)]


def test_say_goes_into_the_thread_of_the_reference() -> None:
    made, connector = notifier("channel")
    where = ConversationRef(platform=Platform.TEAMS, channel="19:chan@thread.tacv2", thread="77")
    made.say(where, Notice(text="hello"))
    made.say(where.top_level(), Notice(text="hello"))
    assert [cid for cid, _ in connector.sent] == [
        "19:chan@thread.tacv2;messageid=77",
        "19:chan@thread.tacv2",
    ]


def test_teams_notifier_exists_only_when_teams_is_configured(monkeypatch: Any) -> None:
    from bot.teams.runtime import teams_notifier
    from bot.teams.settings import TeamsSettingsError

    for name in ("CACHEWARDEN_TEAMS_APP_ID", "CACHEWARDEN_TEAMS_ANONYMOUS"):
        monkeypatch.delenv(name, raising=False)
    connection = fakeredis.FakeRedis()
    assert teams_notifier(connection) is None
    monkeypatch.setenv("CACHEWARDEN_TEAMS_ANONYMOUS", "false")
    assert teams_notifier(connection) is None
    monkeypatch.setenv("CACHEWARDEN_TEAMS_APP_ID", "00000000-0000-0000-0000-000000000001")
    with pytest.raises(TeamsSettingsError, match="CACHEWARDEN_TEAMS_CLIENT_SECRET"):
        teams_notifier(connection)
    monkeypatch.delenv("CACHEWARDEN_TEAMS_APP_ID")
    monkeypatch.setenv("CACHEWARDEN_TEAMS_ANONYMOUS", "true")
    assert isinstance(teams_notifier(connection), TeamsNotifier)

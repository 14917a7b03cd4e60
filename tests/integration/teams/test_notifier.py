"""Proactive posts as a worker makes them: another process than the bot, the reference from
Redis, an MSAL token from the emulated Entra endpoint, and no double posts on retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
import requests

from bot.teams.connector import ConnectorClient
from bot.teams.credentials import MsalTokenSource
from bot.teams.notifier import TeamsNotifier
from bot.teams.references import ConversationStore
from bot.teams.settings import TeamsSettings
from posture.approvals import ApprovalRequest, RequestKind, State
from posture.conversations import ConversationRef, Platform
from posture.messages import AuditState, AuditSummary, FindingsThread, Notice, SeverityCounts
from posture.report import build_findings_thread
from sandbox.teams_connector.client import CHANNEL
from tests.integration.teams.conftest import TeamsStack, wait_for
from tests.unit.render.slack_checks import make_finding
from tests.unit.teams.card_checks import all_text
from workers.platform.notifier import NotifyError

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


@pytest.fixture
def notifier(teams: TeamsStack, monkeypatch: pytest.MonkeyPatch) -> TeamsNotifier:
    environment = teams.emulator.bot_environment()
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = TeamsSettings()
    connection = redis.Redis.from_url(teams.redis.url)
    # The bot stores the channel's reference when it is first mentioned there.
    activity = teams.client.message_activity("help")
    teams.client.send(activity)
    wait_for(lambda: ConversationStore(connection).get(CHANNEL), what="the stored reference")
    client = ConnectorClient(MsalTokenSource(settings), sleep=lambda _: None)
    return TeamsNotifier(client, ConversationStore(connection), connection)


def _summary(state: AuditState, **extra: Any) -> AuditSummary:
    fields: dict[str, Any] = {"run_id": "run-7", "scope": "everything", "requested_by": "Alice"}
    return AuditSummary(state=state, **{**fields, **extra})


def _thread(count: int) -> FindingsThread:
    findings = [make_finding(rule_id="CW-101", resource_id=f"orders-{i}") for i in range(count)]
    return build_findings_thread("run-7", findings, fixable_rules=frozenset({"CW-101"}))


def _in_thread(teams: TeamsStack, root: str) -> list[dict[str, Any]]:
    return [p for p in teams.posted() if p["root"] == root]


def test_new_post_replies_in_its_thread_and_update_for_everyone(
    teams: TeamsStack, notifier: TeamsNotifier
) -> None:
    root = notifier.post_summary(CHANNEL, _summary(AuditState.RUNNING, parts_total=4, parts_done=1))
    (posted,) = [p for p in teams.posted() if p["id"] == root]
    assert posted["conversation"] == CHANNEL and posted["root"] is None  # a new channel post
    assert str(posted["auth"]).removeprefix("Bearer ") in teams.emulator.issued
    assert len(notifier.post_thread(CHANNEL, root, _thread(3))) == 1
    (page,) = _in_thread(teams, root)
    shown = all_text(page["activity"]["attachments"][0]["content"])
    assert "Page 1 of 1" not in shown and "Page " not in shown  # one page: no page line
    assert "Run " in shown
    done = _summary(AuditState.DONE, failing=SeverityCounts(high=3), duration_seconds=12)
    assert notifier.post_summary(CHANNEL, done, ts=root) == root
    (updated,) = [p for p in teams.posted() if p["id"] == root]
    assert updated["versions"] == 2
    assert "Done in 12s." in all_text(updated["activity"]["attachments"][0]["content"])
    puts = [r for r in teams.requests() if r["method"] == "PUT" and r["raw_path"].endswith(root)]
    assert puts and all(r["auth"].startswith("Bearer emu.") for r in puts)


def test_a_retried_job_never_posts_twice(teams: TeamsStack, notifier: TeamsNotifier) -> None:
    root = notifier.post_summary(CHANNEL, _summary(AuditState.RUNNING, run_id="run-retry"))
    thread = _thread(40)
    first = notifier.post_thread(CHANNEL, root, thread)
    again = notifier.post_thread(CHANNEL, root, thread)  # the job ran a second time
    assert first == again
    assert len(_in_thread(teams, root)) == len(first)
    assert notifier.post_summary(CHANNEL, _summary(AuditState.RUNNING, run_id="run-retry")) == root
    assert len([p for p in teams.posted() if p["id"] == root]) == 1


def test_throttling_is_retried_and_still_posts_once(
    teams: TeamsStack, notifier: TeamsNotifier
) -> None:
    requests.post(
        teams.emulator.service_url + "/_emulator/faults",
        json={"status": 429, "count": 2},
        timeout=5,
    )
    before = len(teams.posted())
    notifier.post_notice(CHANNEL, Notice(text="after two 429s"))
    assert len(teams.posted()) == before + 1
    statuses = [r["status"] for r in teams.requests()[-3:]]
    assert statuses == [429, 429, 200]


def test_a_lasting_failure_is_a_notify_error_and_leaves_no_ledger_entry(
    teams: TeamsStack, notifier: TeamsNotifier
) -> None:
    requests.post(
        teams.emulator.service_url + "/_emulator/faults",
        json={"status": 500, "count": 4},
        timeout=5,
    )
    with pytest.raises(NotifyError, match="500"):
        notifier.post_notice(CHANNEL, Notice(text="will fail then work"))
    before = len(teams.posted())
    notifier.post_notice(CHANNEL, Notice(text="will fail then work"))  # the retried job
    assert len(teams.posted()) == before + 1


def test_approval_is_posted_in_a_thread_and_redrawn(
    teams: TeamsStack, notifier: TeamsNotifier
) -> None:
    root = notifier.post_summary(CHANNEL, _summary(AuditState.DONE, run_id="run-approve"))
    request = ApprovalRequest(
        request_id="req99999",
        kind=RequestKind.FIX,
        requester="Alice",
        created_at=NOW,
        expires_at=NOW + timedelta(hours=24),
        account="123456789012",
        region="eu-west-1",
        resource_kind="replication_group",
        resource_id="orders-1",
        change="turn on automatic backups",
        api_call="elasticache.ModifyReplicationGroup(SnapshotRetentionLimit=7)",
    )
    where = ConversationRef(platform=Platform.TEAMS, channel=CHANNEL, thread=root)
    message = notifier.post_approval(where, request)
    assert message.conversation == where
    decided = request.model_copy(
        update={"state": State.DENIED, "decided_by": "Bob", "decided_at": NOW}
    )
    notifier.update_approval(message, decided)
    (posted,) = [p for p in teams.posted() if p["id"] == message.message_id]
    assert posted["root"] == root and posted["versions"] == 2
    card = posted["activity"]["attachments"][0]["content"]
    assert "Denied by Bob" in all_text(card)
    assert "actions" not in card
    put = [
        r
        for r in teams.requests()
        if r["method"] == "PUT" and r["raw_path"].endswith(message.message_id)
    ]
    assert f";messageid={root}/activities/{message.message_id}" in put[-1]["raw_path"]


def test_an_unknown_conversation_is_refused_in_words(notifier: TeamsNotifier) -> None:
    with pytest.raises(NotifyError, match="has not been mentioned"):
        notifier.post_notice("19:never-seen@thread.tacv2", Notice(text="x"))

"""The rebuild card's buttons on Teams, over the Bot Connector emulator with the bot as it
serves (production auth, Redis): Cancel rebuild keeps four eyes and redraws the card for
everyone; Delete the old cache opens the second approval in the card's thread. The flows
are Slack's (`workers.rebuilds.chat`); the rebuild is stored as a chat request leaves it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis

from bot.teams.context import TeamsDeps
from bot.teams.verbs import Verb
from posture.conversations import ConversationRef, Platform
from posture.rebuilds import Rebuild, RebuildPhase
from sandbox.teams_connector.client import CHANNEL, TENANT, Person, TeamsClient
from tests.integration.teams.conftest import TeamsStack, in_process_bot, serving, wait_for
from tests.unit.teams.card_checks import actions, all_text
from workers.platform.config import AppConfig, TeamsConfig
from workers.rebuilds.progress import show_progress
from workers.rebuilds.store import RebuildStore

pytestmark = pytest.mark.integration
ENGINEER = Person("6f1c0c3e-0000-4000-8000-00000000e001", "29:eng", "Erin Engineer")
APPROVER = Person("6f1c0c3e-0000-4000-8000-00000000a001", "29:sam", "Sam Security")
OUTSIDER = Person("6f1c0c3e-0000-4000-8000-00000000f001", "29:oli", "Oli Outsider")


@pytest.fixture
def bot(
    teams: TeamsStack, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TeamsClient, TeamsDeps]]:
    for name, value in teams.emulator.bot_environment().items():
        monkeypatch.setenv(name, value)
    config = AppConfig(teams=TeamsConfig(approver_users=(APPROVER.aad_object_id,)))
    app, deps = in_process_bot(teams, config)
    with serving(app) as url:
        yield TeamsClient(url, teams.emulator.service_url, teams.emulator.app_id, teams.emulator.key), deps  # fmt: skip


def _thread_root(client: TeamsClient, teams: TeamsStack) -> str:
    """A post in the channel (the bot stores the channel's reference at this first turn)."""
    activity = client.message_activity("help", person=ENGINEER)
    assert client.send(activity).status in (200, 202)
    wait_for(lambda: any(p["activity"].get("replyToId") == activity["id"] for p in teams.posted()))
    return str(activity["id"])


def _rebuild(root: str, phase: RebuildPhase) -> Rebuild:
    source = f"orders-{uuid.uuid4().hex[:6]}"
    return Rebuild(
        rebuild_id=uuid.uuid4().hex, account="123456789012", region="us-east-1",
        rule_id="CW-103", source_id=source, copy_id=f"{source}-v2",
        snapshot_name=f"{source}-pre-rebuild", final_snapshot_name=f"{source}-final",
        params={"ReplicationGroupId": f"{source}-v2"},
        diff=("AtRestEncryptionEnabled: false -> true",), source_fingerprint="fp",
        requester=ENGINEER.aad_object_id, approver=APPROVER.aad_object_id, phase=phase,
        where=ConversationRef(platform=Platform.TEAMS, workspace=TENANT, channel=CHANNEL, thread=root),
        updated=datetime.now(UTC),
    )  # fmt: skip


def _posted_card(teams: TeamsStack, deps: TeamsDeps, rebuild: Rebuild) -> dict[str, Any]:
    assert RebuildStore(deps.connection).create(rebuild) is None
    show_progress(deps.connection, deps.notifiers, rebuild)  # as the worker posts it
    return wait_for(  # type: ignore[no-any-return]
        lambda: next((p for p in teams.posted() if rebuild.copy_id in str(p["activity"])), None),
        what="the rebuild card",
    )


def _click(client: TeamsClient, posted: dict[str, Any], verb: str, who: Person) -> str:
    data = next(a["data"] for a in actions(_card(posted)) if a.get("verb") == verb)
    activity = client.invoke_activity(
        verb, data, reply_to_id=posted["id"],
        conversation=client.channel(thread_root=posted["root"]), person=who,
    )  # fmt: skip
    answer = client.send(activity)
    assert answer.status == 200, answer
    return str(answer.json()["value"])


def _card(posted: dict[str, Any]) -> dict[str, Any]:
    return posted["activity"]["attachments"][0]["content"]  # type: ignore[no-any-return]


def _now(teams: TeamsStack, posted: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in teams.posted() if p["id"] == posted["id"])


def test_cancel_rebuild_keeps_four_eyes_and_redraws_the_card_for_everyone(
    teams: TeamsStack, bot: tuple[TeamsClient, TeamsDeps]
) -> None:
    client, deps = bot
    rebuild = _rebuild(_thread_root(client, teams), RebuildPhase.SNAPSHOTTING)
    posted = _posted_card(teams, deps, rebuild)
    assert rebuild.where is not None and posted["root"] == rebuild.where.thread
    assert [a["title"] for a in actions(_card(posted))] == ["Cancel rebuild"]

    assert "four-eyes" in _click(client, posted, Verb.REBUILD_CANCEL, ENGINEER)  # the requester
    assert "Only an approver" in _click(client, posted, Verb.REBUILD_CANCEL, OUTSIDER)
    store = RebuildStore(redis.Redis.from_url(teams.redis.url))
    assert (stored := store.get(rebuild.rebuild_id)) and stored.phase is RebuildPhase.SNAPSHOTTING
    assert _now(teams, posted)["versions"] == 1

    answer = _click(client, posted, Verb.REBUILD_CANCEL, APPROVER)
    assert answer.startswith("Cancelling") and rebuild.source_id in answer
    cancelled = store.get(rebuild.rebuild_id)
    assert cancelled is not None and cancelled.phase is RebuildPhase.CANCELLING
    assert cancelled.version == stored.version + 1
    redrawn = wait_for(
        lambda: (now := _now(teams, posted))["versions"] > 1 and now, what="the card redrawn"
    )
    assert "Cancelling: removing what this rebuild created" in all_text(_card(redrawn))
    assert not actions(_card(redrawn))  # nothing left to cancel


def test_delete_the_old_cache_asks_for_a_second_approval_in_the_thread(
    teams: TeamsStack, bot: tuple[TeamsClient, TeamsDeps]
) -> None:
    client, deps = bot
    rebuild = _rebuild(_thread_root(client, teams), RebuildPhase.CUTOVER_READY)
    posted = _posted_card(teams, deps, rebuild)
    titles = [a["title"] for a in actions(_card(posted))]
    assert titles == ["Delete the old cache", "Cancel rebuild"]
    before = len(teams.posted())
    answer = _click(client, posted, Verb.REBUILD_DELETE_SOURCE, ENGINEER)
    assert "second approval" in answer and rebuild.final_snapshot_name in answer

    def request() -> Any:
        for new in teams.posted()[before:]:
            text = all_text(_card(new))
            if new["root"] == posted["root"] and rebuild.source_id in text and "request " in text:
                return new
        return None

    asked = wait_for(request, what="the delete request in the rebuild's thread")
    verbs = {a.get("verb") for a in actions(_card(asked))}
    assert {Verb.APPROVE, Verb.DENY} <= verbs
    again = _click(client, posted, Verb.REBUILD_DELETE_SOURCE, ENGINEER)
    assert "already waits for approval" in again

"""Jobs that name a bare channel reach the front end that owns it."""

from __future__ import annotations

from typing import Any

from posture.conversations import ConversationRef, Platform
from posture.messages import Notice
from workers.platform.notifier import Notifiers
from workers.platform.routing import ChannelRouter, platform_of_channel


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def post_notice(self, channel: str, notice: Notice, **_: Any) -> None:
        self.calls.append(("notice", channel))

    def say(self, where: ConversationRef, notice: Notice, **_: Any) -> None:
        self.calls.append(("say", where.channel))


def test_teams_ids_have_a_colon_and_slack_ids_do_not() -> None:
    assert platform_of_channel("19:abc@thread.tacv2") is Platform.TEAMS
    assert platform_of_channel("a:1xyz") is Platform.TEAMS
    assert platform_of_channel("C0123ABC") is Platform.SLACK


def test_calls_go_to_the_owning_front_end() -> None:
    slack, teams = Recorder(), Recorder()
    router = ChannelRouter(Notifiers({Platform.SLACK: slack, Platform.TEAMS: teams}))  # type: ignore[dict-item]
    router.post_notice("C0123ABC", Notice(text="x"))
    router.post_notice("19:abc@thread.tacv2", Notice(text="x"))
    router.say(
        ConversationRef(platform=Platform.TEAMS, channel="19:abc@thread.tacv2"), Notice(text="y")
    )
    assert slack.calls == [("notice", "C0123ABC")]
    assert teams.calls == [("notice", "19:abc@thread.tacv2"), ("say", "19:abc@thread.tacv2")]

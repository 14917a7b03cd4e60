"""Neutral references, and notifiers picked by the platform a request came from."""

from __future__ import annotations

import fakeredis
import pytest

from posture.conversations import ConversationRef, MessageRef, Platform
from workers.platform.config import AppConfig
from workers.platform.notifier import Notifiers, NotifyError
from workers.platform.runtime import JobEnvironment


def test_a_reply_threads_under_its_parent_and_a_thread_stays_itself() -> None:
    channel = ConversationRef(workspace="T1", channel="C1")
    parent = MessageRef(conversation=channel, message_id="1.1")
    assert parent.as_thread == ConversationRef(workspace="T1", channel="C1", thread="1.1")
    reply = MessageRef(conversation=channel.in_thread("1.1"), message_id="1.2")
    assert reply.as_thread.thread == "1.1"
    assert reply.as_thread.top_level() == channel


def test_notifiers_route_by_platform_and_say_when_one_is_missing() -> None:
    slack, teams = object(), object()
    routed = Notifiers({Platform.SLACK: slack, Platform.TEAMS: teams})  # type: ignore[dict-item]
    assert routed.to(ConversationRef(platform=Platform.TEAMS, channel="19:x")) is teams
    message = MessageRef(conversation=ConversationRef(channel="C1"), message_id="1.1")
    assert routed.to(message) is slack
    only_slack = Notifiers({Platform.SLACK: slack})  # type: ignore[dict-item]
    with pytest.raises(NotifyError, match="teams"):
        only_slack.to(ConversationRef(platform=Platform.TEAMS, channel="19:x"))


def test_a_job_environment_offers_its_default_and_other_front_ends() -> None:
    slack, teams = object(), object()
    env = JobEnvironment(
        fakeredis.FakeRedis(),
        slack,  # type: ignore[arg-type]
        AppConfig(),
        other_notifiers={Platform.TEAMS: teams},  # type: ignore[dict-item]
    )
    assert env.notifiers.for_platform(Platform.SLACK) is slack
    assert env.notifiers.for_platform(Platform.TEAMS) is teams

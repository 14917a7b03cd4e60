"""The Slack front end's parsing into neutral input, and the ids it owns."""

from __future__ import annotations

import fakeredis
import pytest

from bot.metrics import BotMetrics
from bot.slack.approvers import forget_group
from bot.slack.deps import BotDeps
from bot.slack.ids import check_slack_ids
from bot.slack.listeners.approvers import handle_group_changed
from bot.slack.listeners.slack_input import (
    click_actor,
    clicked_message,
    command_actor,
    finding_thread,
)
from posture.conversations import Actor, ConversationRef, MessageRef
from workers.platform.config import ConfigError, parse_config

CLICK = {
    "type": "block_actions",
    "user": {"id": "U_SECURITY", "team_id": "T_ACME"},
    "team": {"id": "T_ACME"},
    "enterprise": None,
    "is_enterprise_install": False,
    "channel": {"id": "C_PLATFORM"},
    "container": {
        "type": "message",
        "message_ts": "1700000001.000002",
        "channel_id": "C_PLATFORM",
        "thread_ts": "1700000000.000001",
    },
}


def test_a_click_names_its_actor_and_the_message_it_was_on() -> None:
    assert click_actor(CLICK) == Actor(workspace="T_ACME", user="U_SECURITY", channel="C_PLATFORM")
    thread = ConversationRef(workspace="T_ACME", channel="C_PLATFORM", thread="1700000000.000001")
    assert clicked_message(CLICK) == MessageRef(conversation=thread, message_id="1700000001.000002")
    assert finding_thread(CLICK) == thread


def test_a_top_level_message_starts_its_own_thread() -> None:
    body = {**CLICK, "container": {"message_ts": "1700000005.000001", "channel_id": "C_PLATFORM"}}
    assert finding_thread(body).thread == "1700000005.000001"


def test_an_org_wide_install_binds_to_the_enterprise() -> None:
    body = {"user_id": "U1", "channel_id": "C1", "team_id": "T1", "enterprise_id": "E1",
            "is_enterprise_install": "true"}  # fmt: skip
    assert command_actor(body).workspace == "enterprise:E1"
    assert command_actor({**body, "is_enterprise_install": "false"}).workspace == "T1"


def test_the_core_accepts_teams_ids_and_the_slack_side_checks_its_own() -> None:
    guid = "7f0c1b5e-2d3a-4c1e-9b8a-0123456789ab"
    config = parse_config(
        f'[bot]\napprover_users = ["U0123ABC", "{guid}"]\n'
        'allowed_channels = ["C0123ABC", "19:abc@thread.tacv2"]\n'
    )
    check_slack_ids(config.bot)  # other platforms' ids are left to their front end
    wrong = parse_config('[bot]\napprover_users = ["alice"]\n')
    with pytest.raises(ConfigError, match="alice"):
        check_slack_ids(wrong.bot)
    with pytest.raises(ConfigError):
        parse_config('[bot]\napprover_users = ["bad id"]\n')


def test_a_changed_approver_group_is_forgotten_at_once() -> None:
    connection = fakeredis.FakeRedis()
    config = parse_config('[bot]\napprover_groups = ["S_SECURITY"]\n')
    deps = BotDeps(connection=connection, config=config, metrics=BotMetrics(connection, ()))
    connection.set("cw:approvers:S_SECURITY", '["U_GONE"]')
    connection.set("cw:approvers:S_OTHER", '["U_X"]')
    handle_group_changed({"type": "subteam_members_changed", "subteam_id": "S_OTHER"}, deps)
    assert connection.get("cw:approvers:S_OTHER")  # not an approver group: left alone
    handle_group_changed({"type": "subteam_members_changed", "subteam_id": "S_SECURITY"}, deps)
    assert connection.get("cw:approvers:S_SECURITY") is None
    forget_group(connection, "S_OTHER")
    assert connection.get("cw:approvers:S_OTHER") is None
